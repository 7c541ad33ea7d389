#!/usr/bin/env bash
# scripts/deps.sh PROFILE - make sure the Debian packages a profile needs are
# installed: install them with apt-get when we can (root or sudo), otherwise
# stop with a message naming them.  Profiles: build, test, bench.
set -euo pipefail

profile=${1:-build}
pkgs=(cmake make gcc pkg-config capnproto libjansson-dev libcsv-dev)
case "$profile" in
  build) ;;
  test) pkgs+=(libcmocka-dev clang libclang-rt-14-dev xz-utils clang-format) ;;
  bench) pkgs+=(libcapnp-dev g++) ;;
  *) echo "deps.sh: unknown profile '$profile' (build, test, bench)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
  echo "deps.sh: install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
