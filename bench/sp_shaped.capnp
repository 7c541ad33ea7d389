# Schema of the runtime benchmark's message (bench/ncp_bench.c): shaped like
# a serialized spatial pooler - one struct per column holding a sparse row of
# (input index, permanence) pairs, plus two long flat lists standing for the
# pooler's other per-synapse and per-column state.  With 2048 rows of about
# 800 entries and 819200-element lists the message is about 20 MB.
#
# The C side of the benchmark addresses fields by hand-written offsets; they
# come from `capnp compile -ocapnp bench/sp_shaped.capnp`.  The C++ side uses
# code generated from this file at build time.
@0xea71c6a6e5ffc18b;

struct BenchSp {
  numColumns @0 :UInt32;   # elements of `rows`
  numInputs @1 :UInt32;    # Entry.index and `indices` values are below this
  rows @2 :List(Row);
  indices @3 :List(UInt32);
  values @4 :List(Float32);
}

struct Row {
  entries @0 :List(Entry);
}

struct Entry {
  index @0 :UInt32;
  value @1 :Float32;
}
