#!/usr/bin/env bash
# tests/gen/bootstrap_fixed_point.sh CAPNPC_C CAPNP SCHEMA_CAPNP BOOTSTRAP_DIR
# Regenerates the committed bootstrap (the generator's own accessors for
# capnp/schema.capnp) with the generator built from it, and checks that the
# output is identical: the bootstrap is a fixed point of the generator.
set -euo pipefail
gen=$1 capnp=$2 schema=$3 committed=$4
version=$("$capnp" --version)
if [ "$version" != "Cap'n Proto version 0.9.2" ]; then
  echo "skipped: the bootstrap was generated from capnp 0.9.2's schema.capnp; found $version"
  exit 77
fi
# The committed bootstrap carries no doc comments.
unset CAPNPC_C_DOCS
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$capnp" compile -o"$gen":"$out" --src-prefix="$(dirname "$(dirname "$schema")")" "$schema"
diff -u "$committed/capnp/schema.capnp.h" "$out/capnp/schema.capnp.h"
diff -u "$committed/capnp/schema.capnp.c" "$out/capnp/schema.capnp.c"
echo "bootstrap is a fixed point"
