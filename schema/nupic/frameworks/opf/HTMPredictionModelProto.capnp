# An HTMPredictionModel: NuPIC's fields (wire-compatible with NuPIC's
# HTMPredictionModelProto.capnp, so NuPIC's schema decodes our files),
# followed by nupic-c's additions, which NuPIC's schema skips.  The anomaly
# likelihood is a region of the network (py.AnomalyLikelihoodRegion).
@0xabf2792aa23483be;

using import "/nupic/proto/NetworkProto.capnp".NetworkProto;
using import "/nupic/frameworks/opf/model.capnp".ModelProto;

struct HTMPredictionModelProto {
  modelBase @0 :ModelProto;
  numRunCalls @1 :UInt32;
  minLikelihoodThreshold @2 :Float32;
  maxPredictionsPerStep @3 :UInt32;
  network @4 :NetworkProto;
  spLearningEnabled @5 :Bool;
  tpLearningEnabled @6 :Bool;
  predictedFieldIdx :union {
    none @12 :Void;
    value @7 :UInt32;
  }
  predictedFieldName :union {
    none @13 :Void;
    value @8 :Text;
  }
  trainSPNetOnlyIfRequested @9 :Bool;
  finishedLearning @10 :Bool;
  numFields :union {
    none @14 :Void;
    value @11 :UInt32;
  }

  # nupic-c: the params document the model was built from (JSON).
  params @15 :Text;
  # nupic-c: records run, as a 64-bit count (numRunCalls saturates).
  records @16 :UInt64;
}
