# NuPIC's SDRCategoryEncoderProto (nupic/encoders/sdr_category.capnp),
# declared so that MultiEncoderProto is complete; nupic-c does not implement
# this encoder.
@0x8017c9c04559354c;

using import "/nupic/proto/RandomProto.capnp".RandomProto;

struct SDRCategoryEncoderProto {
  n @0 :UInt32;
  w @1 :UInt32;
  random @2 :RandomProto;
  verbosity @3 :UInt8;
  name @4 :Text;
  categories @5 :List(Text);
  sdrs @6 :List(List(UInt8));
  learningEnabled @7 :Bool;
}
