#!/usr/bin/env bash
# scripts/test.sh - set up, build and run every test:
#   0. every C file follows .clang-format (first: it takes a second);
#   1. optimised build, warnings as errors, the whole CTest suite;
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the suite with the byte-by-byte (big-endian) code paths;
#   4. each fuzz target for NUPIC_FUZZ_SECONDS seconds (default 60) from its
#      seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
echo "== format"
scripts/check_format.sh
jobs=$(nproc)

for preset in release asan portable; do
  echo "== $preset"
  cmake --preset "$preset" -DNUPIC_BUILD_TESTS=ON >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  ctest --preset "$preset" -j"$jobs"
done

echo "== fuzz"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs"
fuzz/run.sh build/fuzz "${NUPIC_FUZZ_SECONDS:-60}"
echo "== all tests passed"
