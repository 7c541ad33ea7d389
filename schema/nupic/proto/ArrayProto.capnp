# An array of one of NuPIC's basic element types.
# Wire-compatible with nupic.core's ArrayProto.
@0xe06bf2673760a815;

struct ArrayProto {
  union {
    byteArray @0 :List(UInt8);
    int16Array @1 :List(Int16);
    uint16Array @2 :List(UInt16);
    int32Array @3 :List(Int32);
    uint32Array @4 :List(UInt32);
    int64Array @5 :List(Int64);
    uint64Array @6 :List(UInt64);
    real32Array @7 :List(Float32);
    real64Array @8 :List(Float64);
  }
}
