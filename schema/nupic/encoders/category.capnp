# A CategoryEncoder: the categories by index (0 is "<UNKNOWN>") and the
# ScalarEncoder that places index i on bits [i * w, (i + 1) * w).
# Wire-compatible with NuPIC's CategoryEncoderProto
# (nupic/encoders/category.capnp).
@0xb639caa166140b0f;

using import "/nupic/encoders/scalar.capnp".ScalarEncoderProto;

struct CategoryEncoderProto {
  struct CategoryMapping {
    index @0 :UInt32;
    category @1 :Text;
  }

  width @0 :UInt32;                          # w * (categories + 1)
  indexToCategory @1 :List(CategoryMapping);
  name @2 :Text;
  verbosity @3 :UInt8;
  encoder @4 :ScalarEncoderProto;
}
