# What every OPF model keeps.  Wire-compatible with NuPIC's model.capnp.
@0xa2163632a7294a0d;

using import "/nupic/frameworks/opf/opf_utils.capnp".InferenceType;

struct ModelProto {
  inferenceType @0 :InferenceType;
  numPredictions @1 :UInt32;
  learningEnabled @2 :Bool;
  inferenceEnabled @3 :Bool;
  inferenceArgs @4 :Text;                # JSON
}
