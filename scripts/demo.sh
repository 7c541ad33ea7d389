#!/usr/bin/env bash
# scripts/demo.sh - set up, build and run the project's main job.
# (Today: the runtime example that writes a message and reads it back.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake --preset release -DNUPIC_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release -j"$(nproc)" --target hello_message >/dev/null
mkdir -p out
build/release/examples/hello_message out/hello_message.bin
