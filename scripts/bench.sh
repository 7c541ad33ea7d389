#!/usr/bin/env bash
# scripts/bench.sh - set up, build and run the runtime benchmark
# (bench/ncp_bench.c): installs what it needs (scripts/deps.sh bench: the
# reference C++ Cap'n Proto library and g++, so the run includes the
# reference figures), builds the release preset and runs the benchmark.
# Arguments go to ncp_bench, e.g.  scripts/bench.sh -r 21
# Output: one machine-readable line per figure (see bench/ncp_bench.c).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh bench
cmake --preset release -DNUPIC_BUILD_TESTS=OFF -DNUPIC_BUILD_BENCH=ON >/dev/null
cmake --build --preset release -j"$(nproc)" --target ncp_bench >/dev/null
exec build/release/bench/ncp_bench "$@"
