# Test schema of tests/ncp/test_reference_tool.c: every field kind, list kind
# and pointer kind of the Cap'n Proto encoding.  The test hard-codes the field
# offsets that `capnp compile -ocapnp all_types.capnp` prints; edit both
# together.
@0xc059e9617cb8ba6d;

enum Color {
  red @0;
  green @1;
  blue @2;
}

struct Empty {}

struct Inner {
  id @0 :UInt32;
  name @1 :Text;
  child @2 :Inner;
}

struct AllTypes {
  voidField @0 :Void;
  boolField @1 :Bool;
  int8Field @2 :Int8;
  int16Field @3 :Int16;
  int32Field @4 :Int32;
  int64Field @5 :Int64;
  uint8Field @6 :UInt8;
  uint16Field @7 :UInt16;
  uint32Field @8 :UInt32;
  uint64Field @9 :UInt64;
  float32Field @10 :Float32;
  float64Field @11 :Float64;
  textField @12 :Text;
  dataField @13 :Data;
  structField @14 :Inner;
  enumField @15 :Color;
  emptyField @16 :Empty;

  voidList @17 :List(Void);
  boolList @18 :List(Bool);
  int8List @19 :List(Int8);
  int16List @20 :List(Int16);
  int32List @21 :List(Int32);
  int64List @22 :List(Int64);
  uint8List @23 :List(UInt8);
  uint16List @24 :List(UInt16);
  uint32List @25 :List(UInt32);
  uint64List @26 :List(UInt64);
  float32List @27 :List(Float32);
  float64List @28 :List(Float64);
  textList @29 :List(Text);
  dataList @30 :List(Data);
  structList @31 :List(Inner);
  listList @32 :List(List(UInt32));
  emptyStructList @33 :List(Empty);
  emptyList @34 :List(Int32);
  enumList @35 :List(Color);

  union {
    none @36 :Void;
    number @37 :Int32;
    label @38 :Text;
  }

  point :group {
    x @39 :Int16;
    y @40 :Int16;
  }
}

# Primitive fields with non-zero defaults: the wire holds value XOR default.
struct Defaults {
  boolField @0 :Bool = true;
  int8Field @1 :Int8 = -100;
  int16Field @2 :Int16 = -12345;
  int32Field @3 :Int32 = 123456789;
  int64Field @4 :Int64 = -1234567890123;
  uint8Field @5 :UInt8 = 200;
  uint16Field @6 :UInt16 = 54321;
  uint32Field @7 :UInt32 = 3000000000;
  uint64Field @8 :UInt64 = 12345678901234567890;
  float32Field @9 :Float32 = 1.25;
  float64Field @10 :Float64 = -3.5;
  enumField @11 :Color = blue;
}

# AnyPointer fields.  AnyBoxView has the same layout with concrete types, so
# that the reference tool can write and print what the AnyPointers hold.
struct AnyBox {
  structPtr @0 :AnyPointer;
  listPtr @1 :AnyPointer;
}

struct AnyBoxView {
  structPtr @0 :Inner;
  listPtr @1 :List(Int16);
}

# One pointer of each kind, for tests of far and double-far pointers.
struct FarTargets {
  structPtr @0 :Inner;
  structList @1 :List(Inner);
  numbers @2 :List(UInt64);
  text @3 :Text;
}
