# The state of nupic.core's random number generator (BSD random() TYPE_3:
# 31 words of additive lagged Fibonacci state and two cursors).
# Wire-compatible with nupic.core's RandomProto.
@0x88eaee6db8e1f67c;

struct RandomProto {
  seed @0 :UInt64;
  impl @1 :RandomImplProto;
}

struct RandomImplProto {
  state @0 :List(Int64);   # the 31 state words
  rptr @1 :Int64;          # rear cursor into state
  fptr @2 :Int64;          # front cursor into state
}
