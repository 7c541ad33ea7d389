# Test schema of the reflection walker (tests/ncp/test_dynamic.c) and of
# `nupic inspect` (tests/cli/): every type kind, defaults, groups, named and
# unnamed unions (with group members), nested structs and lists, AnyPointer
# and a generic.  Generated into the library ncp_test_schemas.
@0xb8a5f6c2d1e3f407;

enum Kind {
  alpha @0;
  beta @1;
  gamma @2;
  anEnumerantWithAVeryLongName @3;
}

struct Leaf {
  id @0 :UInt32;
  weight @1 :Float32;
}

struct Scalars {
  v @0 :Void;
  b @1 :Bool;
  i8 @2 :Int8;
  i16 @3 :Int16;
  i32 @4 :Int32;
  i64 @5 :Int64;
  u8 @6 :UInt8;
  u16 @7 :UInt16;
  u32 @8 :UInt32;
  u64 @9 :UInt64;
  f32 @10 :Float32;
  f64 @11 :Float64;
  kind @12 :Kind;
}

struct Defaults {
  b @0 :Bool = true;
  i8 @1 :Int8 = -100;
  i16 @2 :Int16 = -12345;
  i32 @3 :Int32 = 123456789;
  i64 @4 :Int64 = -1234567890123;
  u8 @5 :UInt8 = 200;
  u16 @6 :UInt16 = 54321;
  u32 @7 :UInt32 = 3000000000;
  u64 @8 :UInt64 = 12345678901234567890;
  f32 @9 :Float32 = 1.25;
  f64 @10 :Float64 = -3.5;
  kind @11 :Kind = gamma;
  text @12 :Text = "hello";
  data @13 :Data = "\x01\x02";
  leaf @14 :Leaf = (id = 7, weight = 0.5);
  ints @15 :List(Int32) = [1, 2, 3];
  union {
    none @16 :Void;
    word @17 :Text = "word";
    leafy @18 :Leaf = (id = 9);
  }
}

struct Lists {
  voids @0 :List(Void);
  bools @1 :List(Bool);
  i8s @2 :List(Int8);
  i16s @3 :List(Int16);
  i32s @4 :List(Int32);
  i64s @5 :List(Int64);
  u8s @6 :List(UInt8);
  u16s @7 :List(UInt16);
  u32s @8 :List(UInt32);
  u64s @9 :List(UInt64);
  f32s @10 :List(Float32);
  f64s @11 :List(Float64);
  texts @12 :List(Text);
  datas @13 :List(Data);
  leaves @14 :List(Leaf);
  kinds @15 :List(Kind);
  nested @16 :List(List(Text));
  matrix @17 :List(List(Float64));
  trees @18 :List(Tree);
}

struct Tree {
  grp :group {
    first @3 :Int32;
    second @4 :Text;
  }
  name @0 :Text;
  u :union {
    a @1 :UInt8;
    b @2 :Text;
    c :group {
      c1 @5 :Int16;
      c2 @6 :Bool;
    }
  }
  union {
    x @7 :Void;
    y @8 :List(Leaf);
    z @9 :Kind = gamma;
  }
  kind @10 :Kind;
  any @11 :AnyPointer;
  child @12 :Tree;
  children @13 :List(Tree);
  deep :group {
    inner :group {
      v @14 :UInt64 = 99;
      w @15 :Data;
    }
  }
}

struct Row {
  values @0 :List(Leaf);
}

struct Matrix {
  numRows @0 :UInt32;
  numColumns @1 :UInt32;
  rows @2 :List(Row);
}

struct Box(T) {
  value @0 :T;
  count @1 :UInt32;
}

struct Everything {
  scalars @0 :Scalars;
  defaults @1 :Defaults;
  lists @2 :Lists;
  tree @3 :Tree;
  matrix @4 :Matrix;
  textBox @5 :Box(Text);
}
