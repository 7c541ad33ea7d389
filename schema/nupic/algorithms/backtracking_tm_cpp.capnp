# The state of NuPIC's BacktrackingTMCPP: the Python base object's fields
# and the nupic.core Cells4 engine that does the work.  Wire-compatible with
# NuPIC's backtracking_tm_cpp.capnp.
@0x929156e0dfbd37d6;

using import "/nupic/algorithms/backtracking_tm.capnp".BacktrackingTMProto;
using import "/nupic/proto/Cells4.capnp".Cells4Proto;

struct BacktrackingTMCppProto {
  baseTM @0 :BacktrackingTMProto;
  cells4 @1 :Cells4Proto;
  makeCells4Ephemeral @2 :Bool;
  seed @3 :Int64;
  checkSynapseConsistency @4 :Bool;
  initArgs @5 :Text;                    # the constructor's arguments
}
