# A sparse matrix of Float32, one list of (column, value) pairs per row.
# Wire-compatible with nupic.core's SparseMatrixProto.
@0xeefc26a597cc6a4e;

struct SparseMatrixProto {
  numRows @0 :UInt32;
  numColumns @1 :UInt32;
  rows @2 :List(SparseFloatList);
}

struct SparseFloatList {
  values @0 :List(SparseFloat);   # nonzero entries of one row
}

struct SparseFloat {
  index @0 :UInt32;    # column
  value @1 :Float32;
}
