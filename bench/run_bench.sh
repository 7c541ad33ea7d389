#!/usr/bin/env bash
# bench/run_bench.sh NUPIC [REPS] - `nupic run` end to end on the hotgym
# file (CSV in, CSV out): NuPIC's anomaly preset with each temporal memory.
# Output, one machine-readable line per preset (best of REPS runs, default
# 3, wall-clock time of the whole process):
#   bench=run preset=cpp|tm_cpp records=4391 seconds= records_per_s=
set -euo pipefail
nupic=$1
reps=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
data=$here/tests/data/hotgym/rec-center-hourly.csv
records=$(($(wc -l <"$data") - 3))
out=$(mktemp -d "${TMPDIR:-/tmp}/nupic-run-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
for tm in cpp tm_cpp; do
  best=
  for _ in $(seq "$reps"); do
    t0=$(date +%s.%N)
    "$nupic" run --preset anomaly --min 0 --max 100 --tm "$tm" \
      --input "$data" --output "$out/results.csv" >/dev/null
    t1=$(date +%s.%N)
    best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
      'BEGIN { t = b - a; if (best == "" || t < best) best = t; print best }')
  done
  awk -v tm="$tm" -v n="$records" -v t="$best" 'BEGIN {
    printf "bench=run preset=%s records=%d seconds=%.3f records_per_s=%.0f\n",
      tm, n, t, n / t }'
done
