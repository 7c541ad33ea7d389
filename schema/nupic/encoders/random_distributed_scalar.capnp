# A RandomDistributedScalarEncoder's whole state: its parameters, the
# generator that draws new buckets' bits, and every bucket made so far
# (buckets minIndex..maxIndex, each w bit indices below n).
# Wire-compatible with NuPIC's RandomDistributedScalarEncoderProto
# (nupic/encoders/random_distributed_scalar.capnp).
@0xa4f79e07a0df410d;

using import "/nupic/proto/RandomProto.capnp".RandomProto;

struct RandomDistributedScalarEncoderProto {
  resolution @0 :Float32;
  w @1 :UInt32;
  n @2 :UInt32;
  name @3 :Text;
  offset :union {
    none @12 :Void;       # not set yet: the first value encoded sets it
    value @4 :Float32;
  }
  random @5 :RandomProto;
  verbosity @6 :UInt8;
  minIndex @7 :UInt32;    # lowest bucket made so far
  maxIndex @8 :UInt32;    # highest bucket made so far
  bucketMap @9 :List(BucketMapping);
  maxOverlap @10 :UInt32; # most bits shared by buckets w or more apart
  numTries @11 :UInt32;   # rejected draws so far

  # nupic-c additions (NuPIC ignores them): the resolution and offset in
  # full double precision, so that a restored encoder places values in the
  # same buckets as the one saved.  0 (absent) or a value whose Float32
  # rounding differs from resolution / offset.value: use the Float32 value,
  # as NuPIC does.
  resolutionExact @13 :Float64;
  offsetExact @14 :Float64;

  struct BucketMapping {
    key @0 :UInt32;           # bucket index
    value @1 :List(UInt32);   # its w bits, in the order they were drawn
  }
}
