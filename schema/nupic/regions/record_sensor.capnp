# State of NuPIC's RecordSensor (py.RecordSensor): the encoders of the
# fields fed to the network, and those fed to the classifier only.
# Wire-compatible with NuPIC's record_sensor.capnp (which NuPIC keeps
# beside its encoders; the file ID is the same).
@0xad4890be062550a2;

using import "/nupic/encoders/multi.capnp".MultiEncoderProto;

struct RecordSensorProto {
  encoder @0 :MultiEncoderProto;
  disabledEncoder @1 :MultiEncoderProto;
  topDownMode @2 :UInt32;
  verbosity @3 :UInt32;
  numCategories @4 :UInt32;
}
