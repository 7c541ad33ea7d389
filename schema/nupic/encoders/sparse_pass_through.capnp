# NuPIC's SparsePassThroughEncoderProto
# (nupic/encoders/sparse_pass_through.capnp), declared so that
# MultiEncoderProto is complete; nupic-c does not implement this encoder.
@0xed29463c69c07850;

struct SparsePassThroughEncoderProto {
  n @0 :UInt32;
  w @1 :UInt32;
  verbosity @2 :UInt8;
  name @3 :Text;
  forced @4 :Bool;
}
