# A ScalarEncoder's parameters: a block of w contiguous bits out of n,
# placed linearly over [minval, maxval] (or wrapping around when periodic).
# The radius and resolution are not stored: a reader derives them from n.
# Wire-compatible with NuPIC's ScalarEncoderProto (nupic/encoders/scalar.capnp).
@0xfa7d16f86048a6e4;

struct ScalarEncoderProto {
  w @0 :UInt32;           # active bits, odd
  minval @1 :Float32;
  maxval @2 :Float32;
  periodic @3 :Bool;
  n @4 :UInt32;           # output bits
  name @5 :Text;
  verbosity @6 :UInt8;
  clipInput @7 :Bool;     # clip non-periodic inputs to [minval, maxval]
}
