# Imported by codegen.capnp (tests/gen/test_codegen.c): types, a constant
# and a generic struct used from another file.  The generic Wrapper has
# pointer defaults and is specialized the same way in both files, so the
# specialization and its default values must be defined only once.
@0xb7abdd1ffc391d36;

# A tone, used as an imported enum type.
enum Tone {
  low @0;
  high @1;
}

# A remote record, used as an imported struct type.
struct Remote {
  id @0 :UInt64;
  tone @1 :Tone = high;
  label @2 :Text;
}

struct Wrapper(T) {
  value @0 :T;
  nums @1 :List(UInt8) = [1, 2];
  remote @2 :Remote = (id = 5, label = "five");
}

# Uses the same specialization as codegen.capnp does.
struct LocalUse {
  wrapped @0 :Wrapper(Text);
}

const remoteConst :Remote = (id = 77, tone = low, label = "const remote");
const toneConst :Tone = low;
