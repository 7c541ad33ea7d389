# The state of an SDR classifier: its prediction steps, learning rates, the
# history of recent input patterns, one weight matrix per step and the
# running averages of each bucket's actual value.
# Wire-compatible with nupic.core's SdrClassifierProto.
@0x96d695b1ca7f9979;

struct SdrClassifierProto {
  steps @0 :List(UInt16);
  alpha @1 :Float64;
  actValueAlpha @2 :Float64;
  maxSteps @3 :UInt32;
  patternNZHistory @4 :List(List(UInt32));
  recordNumHistory @5 :List(UInt32);
  weightMatrix @6 :List(StepWeightMatrix);
  maxBucketIdx @7 :UInt32;
  maxInputIdx @8 :UInt32;
  actualValues @9 :List(Float64);
  actualValuesSet @10 :List(Bool);   # which entries of actualValues are known
  version @11 :UInt16;
  verbosity @12 :UInt8;

  struct StepWeightMatrix {
    steps @0 :UInt32;
    weight @1 :List(Float64);   # the matrix, row by row
  }
}
