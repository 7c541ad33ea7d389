#!/usr/bin/env bash
# scripts/demo.sh - set up, build and run the project's main job: NuPIC's
# anomaly preset (getScalarMetricWithTimeOfDayAnomalyParams, with NuPIC's
# default backtracking TM) on the hotgym data, stopped at a checkpoint after
# 2000 records and resumed from it; then the same file in one go, with a
# summary and a plot, to show that the resumed results are identical.
#
# Output in out/: hotgym-results.csv, hotgym.svg, checkpoint/model.data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake --preset release -DNUPIC_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release -j"$(nproc)" --target nupic_cli >/dev/null
nupic=build/release/src/cli/nupic
data=tests/data/hotgym/rec-center-hourly.csv
mkdir -p out
rm -rf out/checkpoint

# NuPIC's three header lines and the first 2000 records.
head -n 2003 "$data" >out/hotgym-first-2000.csv

echo "== the first 2000 records, then a checkpoint"
"$nupic" run --preset anomaly --min 0 --max 100 \
  --input out/hotgym-first-2000.csv --output out/hotgym-results.csv \
  --save out/checkpoint >/dev/null
echo "checkpoint: out/checkpoint/model.data ($(wc -c <out/checkpoint/model.data) bytes)"

echo "== resumed from the checkpoint, to the end of the file"
"$nupic" run --load out/checkpoint --resume \
  --input "$data" --output out/hotgym-results.csv >/dev/null

echo "== the whole file in one go, for comparison, with the plot"
"$nupic" run --preset anomaly --min 0 --max 100 \
  --input "$data" --output out/hotgym-straight.csv --plot out/hotgym.svg
if cmp -s out/hotgym-results.csv out/hotgym-straight.csv; then
  echo "resumed results identical to the uninterrupted run" \
    "($(($(wc -l <out/hotgym-results.csv) - 1)) rows)"
else
  echo "demo: the resumed results differ from the uninterrupted run" >&2
  exit 1
fi
echo "results: out/hotgym-results.csv"
echo "plot:    out/hotgym.svg"
