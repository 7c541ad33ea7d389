#!/usr/bin/env bash
# fuzz/run.sh BUILD_DIR SECONDS - run every fuzz target of a NUPIC_FUZZ build
# (cmake --preset fuzz) for SECONDS seconds each.
#
# The targets are the folders of fuzz/corpus/ (fuzz/fuzz_<t>.c each).  Each
# starts from a scratch copy of its seed corpus fuzz/corpus/<t>/ (the
# committed corpus is never modified); inputs are limited to 4096 bytes
# unless fuzz/corpus/<t>.max_len says otherwise.  Each runs under
# AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer.  The final execution count,
# coverage and speed of each target are printed.  Any crash, leak, timeout
# (an input taking over 10 s), excessive memory use or broken invariant
# makes the script exit non-zero; the failing input is kept in
# BUILD_DIR/fuzz-artifacts/ and its log printed.
set -euo pipefail

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
targets=()
for d in "$here"/corpus/*/; do
  targets+=("$(basename "$d")")
done

for t in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/fuzz_$t" ]; then
    echo "run.sh: $build/fuzz/fuzz_$t not found (configure with NUPIC_FUZZ=ON," \
      "e.g. cmake --preset fuzz, and build first)" >&2
    exit 2
  fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/nupic-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
artifacts=$(cd "$build" && pwd)/fuzz-artifacts
mkdir -p "$artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for t in "${targets[@]}"; do
  corpus=$scratch/$t
  log=$scratch/$t.log
  cp -r "$here/corpus/$t" "$corpus"
  echo "== fuzz_$t: $seconds s from $(ls "$corpus" | wc -l) seeds"
  rc=0
  max_len=4096
  [ -f "$here/corpus/$t.max_len" ] && max_len=$(cat "$here/corpus/$t.max_len")
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "$corpus" >"$log" 2>&1 || rc=$?
  # The last status line (executions, coverage, corpus, speed) and the
  # final statistics.
  grep -E '^#[0-9]+' "$log" | tail -n 1 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
  if [ "$rc" -ne 0 ]; then
    echo "fuzz_$t FAILED (exit status $rc); log: $artifacts/$t.log" >&2
    cp "$log" "$artifacts/$t.log"
    grep -E 'ERROR|SUMMARY|invariant failed|Test unit written' "$log" | head -n 20 >&2 || true
    failed=1
  fi
done
exit "$failed"
