# Schema evolution, the older version (tests/gen/test_evolve_old.c and
# test_evolve_new.c): evolve_new.capnp is this schema grown the ways the
# Cap'n Proto rules allow - fields added at the end of each struct (past
# the end of the data and pointer sections), members added to the union,
# enumerants added to the enum, a new struct.
@0xbe5a79c717a1e51b;

enum Level {
  low @0;
  high @1;
}

struct Item {
  id @0 :UInt32;
  name @1 :Text;
}

struct Record {
  id @0 :UInt32;
  name @1 :Text;
  union {
    none @2 :Void;
    count @3 :UInt32;
  }
  items @4 :List(Item);
  level @5 :Level;
  child @6 :Record;
}
