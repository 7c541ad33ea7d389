# Version 2 of evolve_v1.capnp: List(UInt32) became a list of structs whose
# field @0 is a UInt32, List(Text) a list of structs whose field @0 is a Text,
# and fields were added past the end of version 1's data and pointer
# sections.  Offsets: `capnp compile -ocapnp evolve_v2.capnp`.
@0x871da0b6d95dc38c;

struct Value {
  v @0 :UInt32;
  label @1 :Text;
}

struct Name {
  text @0 :Text;
  weight @1 :Float32 = 1.0;
}

struct Holder {
  count @0 :UInt32;
  values @1 :List(Value);
  names @2 :List(Name);
  flag @3 :Bool = true;
  extra @4 :Int64 = 42;
  note @5 :Text;
}
