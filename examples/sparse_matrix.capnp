# Schema of the message written by examples/hello_message.c: a small sparse
# matrix shaped like a row of a spatial pooler's permanences.  Decode the
# example's output with
#   capnp decode --packed examples/sparse_matrix.capnp SparseMatrix < FILE
@0xc7d5a2f1e0b39a41;

struct SparseMatrix {
  numRows @0 :UInt32;
  numColumns @1 :UInt32;
  rows @2 :List(Row);
  name @3 :Text;
}

struct Row {
  entries @0 :List(Entry);
}

struct Entry {
  index @0 :UInt32;
  value @1 :Float32;
}
