# A cell of nupic.core's Cells4: its segment slots (an empty slot is a free
# segment).  Wire-compatible with nupic.core's Cell.capnp.
@0xcf9698b0f93fc8e4;

using import "/nupic/proto/Segment.capnp".SegmentProto;

struct CellProto {
  segments @0 :List(SegmentProto);
}
