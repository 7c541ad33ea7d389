# A cell of nupic.core's Cells4: its segment slots (an empty slot is a free
# segment).  Wire-compatible with nupic.core's Cell.capnp.
@0xcf9698b0f93fc8e4;

using import "/nupic/proto/Segment.capnp".SegmentProto;

struct CellProto {
  segments @0 :List(SegmentProto);

  # nupic-c addition (nupic.core ignores it): the cell's empty segment
  # slots in the order they will be reused, the last first.  Absent when
  # that order is ascending, which is how nupic.core rebuilds it on read;
  # present, it keeps a restored engine on the path of the one saved.
  freeSegments @1 :List(UInt32);
}
