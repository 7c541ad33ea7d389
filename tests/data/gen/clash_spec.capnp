# Two specializations whose C names coincide: Box(ListInner) and
# Box(List(Inner)) are both Box_ListInner.  capnpc-c must refuse the schema
# with a message (test gen_spec_clash).
@0xc3e5f0d7a9b1e2f4;

struct Box(T) {
  value @0 :T;
}

struct Inner {}

struct ListInner {}

struct Uses {
  a @0 :Box(ListInner);
  b @1 :Box(List(Inner));
}
