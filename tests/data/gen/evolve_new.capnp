# Schema evolution, the newer version of evolve_old.capnp: every struct
# gained fields (with and without defaults, of every kind), the union gained
# members (a pointer, a primitive and a group), the enum gained an
# enumerant, and there is a new struct.
@0xdd7b11a505413a20;

enum Level {
  low @0;
  high @1;
  extreme @2;
}

struct Extra {
  note @0 :Text;
  weight @1 :Float64 = 2.5;
}

struct Item {
  id @0 :UInt32;
  name @1 :Text;
  price @2 :Float32 = 9.5;
  tags @3 :List(Text);
}

struct Record {
  id @0 :UInt32;
  name @1 :Text;
  union {
    none @2 :Void;
    count @3 :UInt32;
    label @7 :Text;
    ratio @8 :Float64 = 0.25;
    span :group {
      from @9 :Int32 = -1;
      to @10 :Int32 = 1;
    }
  }
  items @4 :List(Item);
  level @5 :Level;
  child @6 :Record;
  score @11 :Float32 = 0.5;
  flag @12 :Bool = true;
  note @13 :Text = "none";
  extra @14 :Extra = (note = "default extra");
  nums @15 :List(Int32) = [1, 2];
  big @16 :Int64 = -42;
  opts :group {
    retries @17 :UInt8 = 3;
    verbose @18 :Bool;
  }
  mode :union {
    fast @19 :Void;
    slow @20 :UInt16 = 100;
  }
}
