# A MultiEncoder: named fields, each encoded by its own encoder into the
# bits [offset, offset + width) of the concatenated output.
# Wire-compatible with NuPIC's MultiEncoderProto (nupic/encoders/multi.capnp);
# nupic-c reads and writes the scalar, random distributed scalar, date and
# category members.
@0xf07c1f24bf12fe13;

using import "/nupic/encoders/adaptive_scalar.capnp".AdaptiveScalarEncoderProto;
using import "/nupic/encoders/category.capnp".CategoryEncoderProto;
using import "/nupic/encoders/coordinate.capnp".CoordinateEncoderProto;
using import "/nupic/encoders/date.capnp".DateEncoderProto;
using import "/nupic/encoders/delta.capnp".DeltaEncoderProto;
using import "/nupic/encoders/geospatial_coordinate.capnp".GeospatialCoordinateEncoderProto;
using import "/nupic/encoders/logarithm.capnp".LogEncoderProto;
using import "/nupic/encoders/pass_through.capnp".PassThroughEncoderProto;
using import "/nupic/encoders/random_distributed_scalar.capnp".RandomDistributedScalarEncoderProto;
using import "/nupic/encoders/scalar.capnp".ScalarEncoderProto;
using import "/nupic/encoders/sdr_category.capnp".SDRCategoryEncoderProto;
using import "/nupic/encoders/sparse_pass_through.capnp".SparsePassThroughEncoderProto;

struct MultiEncoderProto {
  struct EncoderUnion {
    union {
      adaptiveScalarEncoder @0 :AdaptiveScalarEncoderProto;
      categoryEncoder @1 :CategoryEncoderProto;
      coordinateEncoder @2 :CoordinateEncoderProto;
      dateEncoder @3 :DateEncoderProto;
      deltaEncoder @4 :DeltaEncoderProto;
      geospatialCoordinateEncoder @5 :GeospatialCoordinateEncoderProto;
      logEncoder @6 :LogEncoderProto;
      passThroughEncoder @7 :PassThroughEncoderProto;
      randomDistributedScalarEncoder @8 :RandomDistributedScalarEncoderProto;
      scalarEncoder @9 :ScalarEncoderProto;
      sdrCategoryEncoder @10 :SDRCategoryEncoderProto;
      sparsePassThroughEncoder @11 :SparsePassThroughEncoderProto;
    }
    name @12 :Text;     # the field's name
    offset @13 :UInt32; # its first bit in the output
  }

  name @0 :Text;
  encoders @1 :List(EncoderUnion);
}
