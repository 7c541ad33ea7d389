# NuPIC's CoordinateEncoderProto (nupic/encoders/coordinate.capnp), declared
# so that MultiEncoderProto is complete; nupic-c does not implement this
# encoder.
@0xdbf38fd0fd055200;

struct CoordinateEncoderProto {
  w @0 :UInt32;
  n @1 :UInt32;
  verbosity @2 :UInt8;
  name @3 :Text;
}
