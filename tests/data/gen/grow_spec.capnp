# A generic struct whose field is a larger specialization of itself, without
# end: capnpc-c must stop with a message (test gen_spec_growth).
@0xe1a2b3c4d5e6f708;

struct Node(T) {
  value @0 :T;
  next @1 :Node(Node(T));
}

struct Uses {
  node @0 :Node(Text);
}
