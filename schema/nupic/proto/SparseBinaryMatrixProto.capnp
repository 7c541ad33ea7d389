# A sparse 0/1 matrix: for each row, the columns that hold a 1.
# Wire-compatible with nupic.core's SparseBinaryMatrixProto.
@0xcd9e11090abd44ca;

struct SparseBinaryMatrixProto {
  numRows @0 :UInt32;
  numColumns @1 :UInt32;
  indices @2 :List(List(UInt32));
}
