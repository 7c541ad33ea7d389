#!/usr/bin/env bash
# tests/gen/check_doc_comments.sh HEADER
# Checks that the doc comments of tests/data/gen/codegen.capnp reached the
# header capnpc-c generated from it (ncp_generate asks for them), with the
# comment delimiters and trigraphs of their text defused.
set -euo pipefail
header=$1
expect() {
  if ! grep -qF -- "$1" "$header"; then
    echo "missing from $header: $1"
    exit 1
  fi
}
expect '/* Color'
expect ' * Colors, a top-level enum.  Its doc comments are copied into the'
expect '    /* Red; a comment end * / and a trigraph ? ?/ */'
expect '/* Identifier: / * not a nested comment * / */'
expect '/* Constant kText: A text constant. */'
echo "doc comments present"
