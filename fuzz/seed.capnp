# fuzz/seed.capnp - the schema of the fuzz targets' seed messages
# (fuzz/make_corpus.sh encodes them with `capnp encode`).  Small, but it
# covers every kind of field the encoding has.
@0xef7d50d882e3c256;

struct Node {
  id @0 :UInt32;
  flag @1 :Bool;
  small @2 :Int8;
  mid @3 :Int16;
  big @4 :Int64;
  ratio @5 :Float32;
  precise @6 :Float64;
  name @7 :Text;
  blob @8 :Data;
  bits @9 :List(Bool);
  bytes @10 :List(UInt8);
  shorts @11 :List(UInt16);
  words @12 :List(UInt32);
  longs @13 :List(UInt64);
  floats @14 :List(Float32);
  voids @15 :List(Void);
  names @16 :List(Text);
  children @17 :List(Node);
  matrix @18 :List(List(Int32));
  next @19 :Node;
  kind :union {
    none @20 :Void;
    count @21 :UInt16;
    label @22 :Text;
  }
  color @23 :Color;
  empty @24 :Empty;
  empties @25 :List(Empty);
  blobs @26 :List(Data);
}

struct Empty {}

enum Color {
  red @0;
  green @1;
  blue @2;
}
