# NuPIC's MovingAverageProto (nupic/movingaverage.capnp): a sliding window
# of values and their total.  Declared for AdaptiveScalarEncoderProto.
@0xe712075e01db76d0;

struct MovingAverageProto {
  windowSize @0 :UInt32;
  slidingWindow @1 :List(Float32);
  total @2 :Float32;
}
