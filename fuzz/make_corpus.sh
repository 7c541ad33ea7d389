#!/usr/bin/env bash
# fuzz/make_corpus.sh - regenerate the seed corpora fuzz/corpus/<target>/.
#
# Messages of fuzz/seed.capnp are encoded with the reference tool
# (`capnp encode`, Debian package capnproto): unpacked, packed, and in
# segments of a few words (far pointers).  A few hand-written messages add
# shapes the tool never writes (double-far pointers, cycles, capabilities,
# hostile sizes).  The stream corpus holds several messages per file.
# The output is deterministic; the corpus is committed, so this only needs
# to run when the schema or the values change.
set -euo pipefail
cd "$(dirname "$0")"
command -v capnp >/dev/null || { echo "make_corpus.sh: needs capnp" >&2; exit 1; }

reader=corpus/reader
stream=corpus/stream
rm -rf "$reader" "$stream"
mkdir -p "$reader" "$stream"

enc() { capnp encode "$@" seed.capnp Node; }

# name | value
values=(
  'empty|()'
  'scalars|(id = 7, flag = true, small = -3, mid = 1234, big = -9000000000, ratio = 1.5, precise = -2.25, color = blue)'
  'text|(name = "hello", blob = 0x"00 01 02 ff", kind = (label = "a label"), blobs = ["", 0x"aa"])'
  'lists|(bits = [true, false, true, true, false, false, true, true, true], bytes = [1, 2, 0, 255], shorts = [1, 65535], words = [0, 4294967295, 3], longs = [1, 0, 18446744073709551615], floats = [0.5, -1], voids = [void, void, void], names = ["a", "", "ccc"])'
  'nested|(children = [(id = 1, name = "c1"), (id = 2, children = [(id = 3)])], next = (id = 9, next = (id = 10, name = "deep")))'
  'matrix|(matrix = [[1, 2, 3], [], [-1]], empty = (), empties = [(), (), ()], kind = (count = 5))'
)

for entry in "${values[@]}"; do
  name=${entry%%|*}
  value=${entry#*|}
  printf '%s\n' "$value" | enc >"$reader/$name.bin"
  printf '%s\n' "$value" | enc --packed >"$reader/$name.packed"
done
# Several segments: far pointers everywhere.
for name in lists nested matrix; do
  value=$(printf '%s\n' "${values[@]}" | sed -n "s/^$name|//p")
  printf '%s\n' "$value" | enc --segment-size=4 >"$reader/$name-seg4.bin"
  printf '%s\n' "$value" | enc --segment-size=4 --packed >"$reader/$name-seg4.packed"
done
value=$(printf '%s\n' "${values[@]}" | sed -n "s/^text|//p")
printf '%s\n' "$value" | enc --segment-size=1 >"$reader/text-seg1.bin"

# Hand-written messages.  msg FILE SIZES... -- WORDS...: a segment table for
# the sizes, then the words (16 hex digits each), little-endian.
le64() {
  local h=$1 i
  for ((i = 14; i >= 0; i -= 2)); do printf "\\x${h:i:2}"; done
}
le32() {
  local h i
  h=$(printf '%08x' "$1")
  for ((i = 6; i >= 0; i -= 2)); do printf "\\x${h:i:2}"; done
}
msg() {
  local out=$1 sizes=() n i
  shift
  while [ "$1" != -- ]; do sizes+=("$1"); shift; done
  shift
  n=${#sizes[@]}
  {
    le32 $((n - 1))
    for s in "${sizes[@]}"; do le32 "$s"; done
    if ((n % 2 == 0)); then le32 0; fi
    for w in "$@"; do le64 "$w"; done
  } >"$out"
}

# Root -> double-far -> struct (1 data word, 1 pointer) with text "hi".
msg "$reader/hand-double-far.bin" 1 2 3 -- \
  0000000100000006 0000000200000002 0001000100000000 \
  000000000000002a 0000001a00000001 0000000000006968
# A struct whose pointer points at itself.
msg "$reader/hand-cycle.bin" 2 -- 0001000000000000 00010000fffffffc
# A list of pointers holding a capability.
msg "$reader/hand-capability.bin" 3 -- 0000001600000001 0000000000000000 0000000000000003
# A struct list of 1000 zero-size structs in no words.
msg "$reader/hand-empty-structs.bin" 2 -- 0000000700000001 0000000000000fa0
# The 32-byte message that crashed c-capnproto: a tag claiming 2^29 elements.
msg "$reader/hand-famous.bin" 3 -- 0000000f00000001 0000000180000000 4141414141414141
# A List(Void) of 2^29 - 1 elements.
msg "$reader/hand-void-list.bin" 1 -- fffffff800000001
# A far pointer whose landing pad is a far pointer.
msg "$reader/hand-far-far.bin" 1 2 -- 0000000100000002 0000000100000002 0000000000000000
# A struct of three pointers: an unknown "other" pointer, text without its
# NUL, a List(Bool) of 13.
msg "$reader/hand-odd-pointers.bin" 6 -- \
  0003000000000000 0000000000000007 0000001a00000005 0000006900000005 \
  0000000000636261 0000000000001fff
# A chain of 70 structs, past the nesting limit.
chain=()
for ((i = 0; i < 70; i++)); do chain+=(0001000000000000); done
msg "$reader/hand-deep.bin" 71 -- "${chain[@]}" 0000000000000000
# 273 segments: unpacked framing that starts like packed input (10 01 00 00);
# the root is a far pointer to a struct in the last segment.
sizes=(1)
for ((i = 1; i < 272; i++)); do sizes+=(0); done
msg "$reader/hand-273-segments.bin" "${sizes[@]}" 2 -- \
  0000011000000002 0000000100000000 000000000000002a
# An empty first segment: no root pointer.
msg "$reader/hand-no-root.bin" 0 1 -- 0000000000000000

# Streams of several messages.
stream_values() { printf '%s\n' "${values[@]}" | sed -n "s/^\($1\)|//p"; }
stream_values 'scalars\|text\|empty' | enc >"$stream/three.bin"
stream_values 'scalars\|text\|empty' | enc --packed >"$stream/three.packed"
stream_values 'lists\|matrix' | enc --segment-size=4 >"$stream/segments.bin"
{
  cat "$reader/text.bin" "$reader/matrix.packed" "$reader/hand-double-far.bin"
} >"$stream/mixed.bin"
{
  cat "$reader/scalars.packed" "$reader/empty.bin"
  head -c 40 "$reader/text.bin"
} >"$stream/truncated.bin"
cat "$reader/hand-no-root.bin" "$reader/hand-cycle.bin" >"$stream/hand.bin"
cat "$reader/hand-273-segments.bin" "$reader/empty.packed" >"$stream/hand-273.bin"

echo "make_corpus.sh: $(ls "$reader" | wc -l) reader seeds, $(ls "$stream" | wc -l) stream seeds, $(cat "$reader"/* "$stream"/* | wc -c) bytes"
