# NuPIC's GeospatialCoordinateEncoderProto
# (nupic/encoders/geospatial_coordinate.capnp), declared so that
# MultiEncoderProto is complete; nupic-c does not implement this encoder.
@0xb752f94990c0bff6;

struct GeospatialCoordinateEncoderProto {
  w @0 :UInt32;
  n @1 :UInt32;
  verbosity @2 :UInt8;
  name @3 :Text;
  scale @4 :UInt32;
  timestep @5 :UInt32;
}
