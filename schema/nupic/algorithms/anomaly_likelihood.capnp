# The state of NuPIC's AnomalyLikelihood: the iteration count, the recent
# history of (metric value, raw anomaly score) pairs, the estimated normal
# distribution of averaged anomaly scores with the moving average and the
# recent likelihoods that continue from it, and the periods that drive it.
# Wire-compatible with NuPIC's AnomalyLikelihoodProto
# (nupic/algorithms/anomaly_likelihood.capnp): same file and struct IDs,
# same fields and ordinals.
@0x8602f38429407eb0;

struct AnomalyLikelihoodProto {
  iteration @0 :UInt64;
  historicalScores @1 :List(Score);   # oldest first
  distribution @2 :Distribution;      # absent (name "") before estimation
  probationaryPeriod @3 :UInt32;      # learningPeriod + estimationSamples
  learningPeriod @4 :UInt32;
  reestimationPeriod @5 :UInt32;
  historicWindowSize @6 :UInt32;      # the most historicalScores kept

  struct Score {
    value @0 :Float64;          # the metric's value
    anomalyScore @1 :Float64;   # the raw anomaly score
  }

  struct Distribution {
    name @0 :Text;              # "normal"
    mean @1 :Float64;
    variance @2 :Float64;
    stdev @3 :Float64;
    movingAverage @4 :MovingAverage;
    historicalLikelihoods @5 :List(Float64);   # oldest first

    # The moving average of the anomaly scores.
    struct MovingAverage {
      windowSize @0 :UInt64;
      historicalValues @1 :List(Float64);   # oldest first
      total @2 :Float64;
    }
  }
}
