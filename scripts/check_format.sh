#!/usr/bin/env bash
# scripts/check_format.sh [--fix] - every tracked C source and header follows
# .clang-format (except src/gen/bootstrap/, the schema compiler's own output,
# which its fixed-point test compares byte for byte).  Prints the files that
# differ and exits 1; with --fix, rewrites them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0
[ "${1:-}" = --fix ] && fix=1
mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^src/gen/bootstrap/')
bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
[ ${#bad[@]} -eq 0 ] && exit 0
if [ "$fix" -eq 1 ]; then
  clang-format -i "${bad[@]}"
  printf 'reformatted: %s\n' "${bad[@]}"
  exit 0
fi
printf 'not clang-formatted (scripts/check_format.sh --fix): %s\n' "${bad[@]}" >&2
exit 1
