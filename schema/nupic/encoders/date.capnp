# A DateEncoder: one ScalarEncoder per attribute it encodes (absent, i.e.
# n = 0, for the others), concatenated in this order: season, day of week,
# weekend, custom days, holiday, time of day.
# Wire-compatible with NuPIC's DateEncoderProto (nupic/encoders/date.capnp).
@0x9b23d989c61ef9e5;

using import "/nupic/encoders/scalar.capnp".ScalarEncoderProto;

struct DateEncoderProto {
  name @0 :Text;
  seasonEncoder @1 :ScalarEncoderProto;
  dayOfWeekEncoder @2 :ScalarEncoderProto;
  weekendEncoder @3 :ScalarEncoderProto;
  customDaysEncoder @4 :ScalarEncoderProto;   # its name lists the days
  holidayEncoder @5 :ScalarEncoderProto;
  timeOfDayEncoder @6 :ScalarEncoderProto;
}
