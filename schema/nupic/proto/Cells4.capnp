# The state of nupic.core's backtracking temporal memory (Cells4): the
# parameters, counters, learning and inference states, input history, every
# cell's segments and the queued segment updates.  Wire-compatible with
# nupic.core's Cells4.capnp: same file ID, fields, ordinals and types.
@0xd5c4908fa0384eda;

using import "/nupic/proto/Cell.capnp".CellProto;
using import "/nupic/proto/RandomProto.capnp".RandomProto;
using import "/nupic/proto/Segment.capnp".CStateProto;
using import "/nupic/proto/SegmentUpdate.capnp".SegmentUpdateProto;

struct Cells4Proto {
  version @0 :UInt16;                   # 2
  ownsMemory @1 :Bool;                  # inference states present
  rng @2 :RandomProto;
  nColumns @3 :UInt32;
  nCellsPerCol @4 :UInt32;
  activationThreshold @5 :UInt32;
  minThreshold @6 :UInt32;
  newSynapseCount @7 :UInt32;
  nIterations @8 :UInt32;
  nLrnIterations @9 :UInt32;
  segUpdateValidDuration @10 :UInt32;
  initSegFreq @11 :Float32;
  permInitial @12 :Float32;
  permConnected @13 :Float32;
  permMax @14 :Float32;
  permDec @15 :Float32;
  permInc @16 :Float32;
  globalDecay @17 :Float32;
  doPooling @18 :Bool;
  pamLength @19 :UInt32;
  maxInfBacktrack @20 :UInt32;
  maxLrnBacktrack @21 :UInt32;
  maxSeqLength @22 :UInt32;
  learnedSeqLength @23 :UInt32;
  avgLearnedSeqLength @24 :Float32;
  maxAge @25 :UInt32;
  verbosity @26 :UInt8;
  maxSegmentsPerCell @27 :UInt32;       # 0xffffffff: no limit
  maxSynapsesPerSegment @28 :UInt32;    # 0xffffffff: no limit
  checkSynapseConsistency @29 :Bool;

  resetCalled @30 :Bool;
  avgInputDensity @31 :Float32;
  pamCounter @32 :UInt32;

  # Learning states (indexed), at t and t-1.
  learnActiveStateT @33 :CStateProto;
  learnActiveStateT1 @34 :CStateProto;
  learnPredictedStateT @35 :CStateProto;
  learnPredictedStateT1 @36 :CStateProto;

  # Inference states and confidences (when ownsMemory).
  infActiveStateT @39 :CStateProto;
  infActiveStateT1 @40 :CStateProto;
  infPredictedStateT @41 :CStateProto;
  infPredictedStateT1 @42 :CStateProto;
  cellConfidenceT @43 :List(Float32);
  cellConfidenceT1 @44 :List(Float32);
  colConfidenceT @45 :List(Float32);
  colConfidenceT1 @46 :List(Float32);

  # Recent inputs (active columns), oldest first, for backtracking.
  prevInfPatterns @47 :List(List(UInt32));
  prevLrnPatterns @48 :List(List(UInt32));

  cells @37 :List(CellProto);
  segmentUpdates @38 :List(SegmentUpdateProto);
}
