# Test schema of tests/gen/test_codegen.c: every kind of field, default,
# list, union, group, generic, constant and import that capnpc-c generates
# code for.  Each struct exercises one area; the test builds messages with
# the generated setters and has `capnp decode` print them with this schema,
# and reads messages that `capnp encode` made from text.
@0xb8c66f64a79dad6b;

using Imp = import "codegen_import.capnp";

enum Color {
  # Colors, a top-level enum.  Its doc comments are copied into the
  # generated header (ncp_generate sets CAPNPC_C_DOCS=1).
  red @0;  # Red; a comment end */ and a trigraph ??/
  green @1;
  blue @2;
}

struct Empty {}

# A small struct used as a field, list element, default and constant.
struct Inner {
  id @0 :UInt32;  # Identifier: /* not a nested comment */
  name @1 :Text;
}

# Every primitive type without a default.
struct Prims {
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
  e @12 :Color;
}

# Every primitive type with a non-zero default (the wire holds value XOR
# default), extremes included.
struct PrimDefaults {
  b @0 :Bool = true;
  i8 @1 :Int8 = -100;
  i16 @2 :Int16 = -12345;
  i32 @3 :Int32 = -2147483648;
  i64 @4 :Int64 = -9223372036854775808;
  u8 @5 :UInt8 = 200;
  u16 @6 :UInt16 = 54321;
  u32 @7 :UInt32 = 4000000000;
  u64 @8 :UInt64 = 18446744073709551615;
  f32 @9 :Float32 = 1.25;
  f64 @10 :Float64 = -3.5e100;
  e @11 :Color = blue;
  fInf @12 :Float32 = inf;
  fNan @13 :Float64 = nan;
}

# Pointer fields with and without defaults.
struct Pointers {
  text @0 :Text;
  textDef @1 :Text = "hello \"world\"\n??=";
  data @2 :Data;
  dataDef @3 :Data = 0x"01 02 ff 00 3f";
  inner @4 :Inner;
  innerDef @5 :Inner = (id = 7, name = "x");
  any @6 :AnyPointer;
  anyStruct @7 :AnyStruct;
  anyList @8 :AnyList;
  listDef @9 :List(UInt32) = [1, 2, 3];
  textListDef @10 :List(Text) = ["a", "b"];
  innerListDef @11 :List(Inner) = [(id = 1), (id = 2, name = "two")];
  colorListDef @12 :List(Color) = [blue, red];
  self @13 :Pointers;
}

# Lists of every element type.
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
  inners @14 :List(Inner);
  colors @15 :List(Color);
  nested @16 :List(List(UInt32));
  textLists @17 :List(List(Text));
  empties @18 :List(Empty);
  innerLists @19 :List(List(Inner));
}

# Unions: an unnamed one with members of every kind, a named one, and a
# group holding a union.
struct Shape {
  name @0 :Text;
  union {
    none @1 :Void;
    circle @2 :Float64;
    label @3 :Text;
    inner @4 :Inner;
    rect :group {
      w @5 :UInt32;
      h @6 :UInt32 = 10;
      tag @7 :Text;
    }
    points @8 :List(Int32);
    flag @9 :Bool = true;
    color @10 :Color = green;
  }
  u :union {
    a @11 :UInt16 = 5;
    b @12 :Text = "bee";
    c :group {
      x @13 :Int8;
      y @14 :Int8 = -1;
    }
  }
  g :group {
    id @15 :UInt64;
    union {
      left @16 :Void;
      right @17 :Int32 = 3;
    }
  }
}

# Nested declarations: a struct in a struct in a struct, an enum inside a
# struct, a constant inside a struct.
struct Outer {
  struct Mid {
    enum Kind {
      alpha @0;
      beta @1;
      gamma @2;
    }
    struct Leaf {
      kind @0 :Kind = beta;
      value @1 :Float32;
    }
    leaf @0 :Leaf;
    kinds @1 :List(Kind);
    kind @2 :Kind = gamma;
  }
  mid @0 :Mid;
  const answer :UInt32 = 42;
}

# Generic structs.
struct Map(Key, Value) {
  entries @0 :List(Entry);
  struct Entry {
    key @0 :Key;
    value @1 :Value;
  }
}

struct Box(T) {
  value @0 :T;
  count @1 :UInt32 = 9;
  defs @2 :List(Int16) = [4, 5];
}

struct Pair(A, B) {
  first @0 :A;
  second @1 :B;
}

# A generic inside a generic, and bindings that refer to the outer
# parameter.
struct Nest(T) {
  struct In(U) {
    t @0 :T;
    u @1 :U;
  }
  inner @0 :In(Text);
  map @1 :Map(Text, T);
  self @2 :In(T);
}

struct Generics {
  textToInner @0 :Map(Text, Inner);
  unbound @1 :Map;
  boxes @2 :List(Box(Inner));
  nestedMap @3 :Map(Text, Map(Text, Inner));
  listBox @4 :Box(List(UInt32));
  dataBox @5 :Box(Data);
  anyPair @6 :Pair(AnyPointer, Inner);
  pair @7 :Pair(Box(Text), Imp.Remote);
  nest @8 :Nest(Inner);
  entry @9 :Map(Text, Inner).Entry;
  textBox @10 :Box(Text);
  wrapped @11 :Imp.Wrapper(Text);
  listsBox @12 :Box(List(Inner));
}

# Imported types.
struct UsesImport {
  remote @0 :Imp.Remote;
  tone @1 :Imp.Tone = high;
  remotes @2 :List(Imp.Remote);
  tones @3 :List(Imp.Tone);
}

# An interface: data messages hold no capabilities, but the field still gets
# pointer accessors.
interface Service {
  ping @0 () -> ();
}

struct WithInterface {
  service @0 :Service;
  id @1 :UInt32;
}

# Constants of every kind.
const kVoid :Void = void;
const kBool :Bool = true;
const kInt8 :Int8 = -5;
const kInt16 :Int16 = -300;
const kInt32 :Int32 = -70000;
const kInt64 :Int64 = -9223372036854775808;
const kUInt8 :UInt8 = 250;
const kUInt16 :UInt16 = 65000;
const kUInt32 :UInt32 = 4000000000;
const kUInt64 :UInt64 = 18446744073709551615;
const kFloat32 :Float32 = 2.5;
const kFloat64 :Float64 = -0.125;
const kColor :Color = green;
const kText :Text = "const text";  # A text constant.
const kData :Data = 0x"de ad be ef";
const kInner :Inner = (id = 99, name = "konst");
const kList :List(Int32) = [-1, 0, 1];
const kTexts :List(Text) = ["x", "y"];
const kRemote :Imp.Remote = .Imp.remoteConst;

# AnyPointer fields, and a struct of the same layout whose fields have
# concrete types, so that the reference tool can write what they hold.
struct AnyHolder {
  ptr @0 :AnyPointer;
  strct @1 :AnyStruct;
  lst @2 :AnyList;
}

struct AnyHolderView {
  ptr @0 :Inner;
  strct @1 :Inner;
  lst @2 :List(UInt16);
}

# The generic Map used unbound (AnyPointer accessors), and a view of the same
# layout bound to types the reference tool can write and print.
struct MapHolder {
  map @0 :Map;
}

struct MapHolderView {
  map @0 :Map(Text, Inner);
}
