#!/usr/bin/env bash
# scripts/bench.sh [NAME...] - set up, build and run the benchmarks (all of
# them, or those named): ncp (the runtime, with the reference C++ library
# in the same run), sp, tm, btm, encoder, classifier, model (the OPF model
# through the library) and run (`nupic run` end to end on hotgym).
# Installs what it needs (scripts/deps.sh bench).  Output: one
# machine-readable line per figure (see each bench/<name>_bench.*).
# Timings are of this machine at this moment: run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh bench
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(ncp sp tm btm encoder classifier model run)
cmake --preset release -DNUPIC_BUILD_TESTS=OFF -DNUPIC_BUILD_BENCH=ON >/dev/null
targets=()
for n in "${names[@]}"; do
  case "$n" in
    run) targets+=(nupic_cli) ;;
    ncp|sp|tm|btm|encoder|classifier|model) targets+=("${n}_bench") ;;
    *) echo "bench.sh: unknown benchmark '$n'" >&2; exit 2 ;;
  esac
done
cmake --build --preset release -j"$(nproc)" --target "${targets[@]}" >/dev/null
for n in "${names[@]}"; do
  if [ "$n" = run ]; then
    bench/run_bench.sh build/release/src/cli/nupic
  else
    "build/release/bench/${n}_bench"
  fi
done
