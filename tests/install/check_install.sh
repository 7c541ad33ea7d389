#!/usr/bin/env bash
# tests/install/check_install.sh BUILD_DIR SOURCE_DIR CC [EXTRA_LDFLAGS]
# Installs the build into a scratch prefix and builds the example against
# the installed headers and library through pkg-config, as a user would
# (`pkg-config --cflags --libs`, as the README shows).
# EXTRA_LDFLAGS: what a sanitized build's users add to their link.
set -euo pipefail
build=$1 src=$2 cc=$3 extra=${4:-}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
test -f "$prefix/include/nupic/ncp.h"
test -f "$prefix/include/nupic/proto/SpatialPoolerProto.capnp"
test -x "$prefix/bin/capnpc-c"
"$cc" -std=c11 -Wall -Wextra -Werror -o "$prefix/example" "$src/examples/hello_message.c" \
  $(pkg-config --cflags --libs nupic-ncp) $extra
"$prefix/example" "$prefix/message.bin" | grep -q "^read .*: permanences, 4 x 16$"
test -f "$prefix/include/nupic/proto/SpatialPoolerProto.capnp.h"
"$cc" -std=c11 -Wall -Wextra -Werror -o "$prefix/sp_example" "$src/examples/sp_save_load.c" \
  $(pkg-config --cflags --libs nupic) $extra
(cd "$prefix" && ./sp_example sp.capnp) | grep -q "matched the original"
# The engine (network, built-in regions, JSON parameters) the same way.
"$cc" -std=c11 -Wall -Wextra -Werror -o "$prefix/region_example" \
  "$src/examples/custom_region.c" $(pkg-config --cflags --libs nupic) $extra
(cd "$prefix" && ./region_example net.capnp) | grep -q "runs exactly as the original"
echo "install ok: headers, libraries, pkg-config, capnpc-c, schemas"
