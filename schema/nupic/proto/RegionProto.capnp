# A region of a network: its type, dimensions, phases, and the state of its
# implementation (a struct whose schema nodeType determines).
# Wire-compatible with nupic.core's RegionProto.
@0x8e18cab40b91663a;

struct RegionProto {
  nodeType @0 :Text;
  regionImpl @1 :AnyPointer;
  dimensions @2 :List(UInt32);
  phases @3 :List(UInt32);
}
