# A queued change to a segment of nupic.core's Cells4 (or a segment to be
# created, segIdx 0xffffffff).  Wire-compatible with nupic.core's
# SegmentUpdate.capnp.
@0xe7a17ea776969175;

struct SegmentUpdateProto {
  sequenceSegment @0 :Bool;
  cellIdx @1 :UInt32;
  segIdx @2 :UInt32;
  timestamp @3 :UInt32;                 # nLrnIterations when queued
  synapses @4 :List(UInt32);            # source cells, ascending
  phase1Flag @5 :Bool;
  weaklyPredicting @6 :Bool;
}
