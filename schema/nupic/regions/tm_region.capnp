# State of NuPIC's TMRegion (py.TMRegion): the temporal memory of the
# region's temporalImp and the region's switches.  Wire-compatible with
# NuPIC's tm_region.capnp: the two backtracking variants are declared
# AnyPointer here (the same pointer slots), their structs living in their
# own schemas.
@0xb9d11462f08c1dee;

using import "/nupic/proto/TemporalMemoryProto.capnp".TemporalMemoryProto;

struct TMRegionProto {
  temporalImp @0 :Text;                  # "tm_cpp", "cpp", ...
  union {
    temporalMemory @1 :TemporalMemoryProto;
    backtrackingTM @11 :AnyPointer;      # NuPIC's BacktrackingTMProto
    backtrackingTMCpp @12 :AnyPointer;   # NuPIC's BacktrackingTMCppProto
  }
  columnCount @2 :UInt32;
  inputWidth @3 :UInt32;
  cellsPerColumn @4 :UInt32;
  learningMode @5 :Bool;
  inferenceMode @6 :Bool;
  anomalyMode @7 :Bool;
  topDownMode @8 :Bool;
  computePredictedActiveCellIndices @9 :Bool;
  orColumnOutputs @10 :Bool;
}
