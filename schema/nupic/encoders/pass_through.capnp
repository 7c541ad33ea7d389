# NuPIC's PassThroughEncoderProto (nupic/encoders/pass_through.capnp),
# declared so that MultiEncoderProto is complete; nupic-c does not implement
# this encoder.
@0xa9b5ded538ae8ac4;

struct PassThroughEncoderProto {
  n @0 :UInt32;
  w @1 :UInt32;
  verbosity @2 :UInt8;
  name @3 :Text;
  forced @4 :Bool;
}
