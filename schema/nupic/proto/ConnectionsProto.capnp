# Cells, their dendrite segments and the synapses on them.
# Wire-compatible with nupic.core's ConnectionsProto.
@0xb1b8a459d70716ad;

struct ConnectionsProto {
  struct SynapseProto {
    presynapticCell @0 :UInt32;
    permanence @1 :Float32;
  }

  struct SegmentProto {
    synapses @0 :List(SynapseProto);
  }

  struct CellProto {
    segments @0 :List(SegmentProto);
  }

  cells @0 :List(CellProto);   # one entry per cell, in cell order
  version @1 :UInt16;
}
