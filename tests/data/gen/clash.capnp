# Two declarations that map to one C name: Holder_read is both the reader
# function of struct Holder and its constant `read`.  capnpc-c must refuse
# the schema with a message (test gen_name_clash) rather than write a header
# that does not compile.
@0x84a9d6ca44cdaa4b;

struct Holder {
  x @0 :UInt32;
  const read :UInt32 = 1;
}
