# State of NuPIC's SDRClassifierRegion (py.SDRClassifierRegion).
# Wire-compatible with NuPIC's SDRClassifierRegion.capnp.
@0xa86c32f1ece85ed0;

using import "/nupic/proto/SdrClassifier.capnp".SdrClassifierProto;

struct SDRClassifierRegionProto {
  implementation @0 :Text;               # "cpp"
  sdrClassifier @1 :SdrClassifierProto;
  steps @2 :Text;                        # "1" or "1,5"
  alpha @3 :Float32;
  verbosity @4 :UInt32;
  maxCategoryCount @5 :UInt32;
  learningMode @6 :Bool;
  inferenceMode @7 :Bool;
  recordNum @8 :UInt32;
}
