# Version 1 of a schema that evolves into evolve_v2.capnp (used by
# tests/ncp/test_reference_tool.c to check the upgrades the Cap'n Proto
# specification allows).  Offsets: `capnp compile -ocapnp evolve_v1.capnp`.
@0xfe8de9310f5dfe02;

struct Holder {
  count @0 :UInt32;
  values @1 :List(UInt32);
  names @2 :List(Text);
}
