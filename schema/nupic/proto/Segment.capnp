# A dendrite segment of nupic.core's backtracking temporal memory (Cells4)
# with its incoming synapses, and the per-cell state arrays (CState).
# Wire-compatible with nupic.core's Segment.capnp: same file and struct IDs,
# fields, ordinals and types.
@0xf2eaadec04697984;

# One synapse: the presynaptic cell and its permanence.
struct InSynapseProto {
  srcCellIdx @0 :UInt32;
  permanence @1 :Float32;
}

struct SegmentProto {
  seqSegFlag @0 :Bool;                  # a sequence segment
  frequency @1 :Float32;                # unused by the algorithm
  nConnected @2 :UInt32;                # synapses at or above permConnected
  totalActivations @3 :UInt32;
  positiveActivations @4 :UInt32;
  lastActiveIteration @5 :UInt32;
  lastPosDutyCycle @6 :Float32;
  lastPosDutyCycleIteration @7 :UInt32;
  synapses @8 :List(InSynapseProto);    # ascending srcCellIdx, distinct
}

# One byte per cell (0 or 1).  The indexed variant (learning states) also
# lists the cells that are on, in the order they were set.
struct CStateProto {
  version @0 :UInt16;
  fMemoryAllocatedByPython @1 :Bool;
  pData @2 :Data;                       # nCells bytes
  countOn @3 :UInt32;                   # indexed variant only
  cellsOn @4 :List(UInt32);             # indexed variant only
}
