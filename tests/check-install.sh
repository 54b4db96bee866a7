#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the build into a scratch DESTDIR and builds each library's tiny
# consumer (lib*/tests/consumer.c) with nothing but
# `pkg-config --cflags --libs <lib>`, as a user of one library would.
# Usage: check-install.sh BUILDDIR SRCROOT LIBNAME...
set -euo pipefail
build=$1 src=$2; shift 2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$dest" -name "$1.pc" | head -n1)")
[ -d "$pcdir" ] || { echo "no $1.pc installed"; exit 1; }
# Our .pc files come first; system ones (libelf, liburing) stay reachable for
# Requires.private.  The sysroot maps our /usr/local paths into DESTDIR.
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest

for lib in "$@"; do
  flags=$(pkg-config --cflags --libs "$lib")
  dir=$lib; [ -d "$src/$dir" ] || dir=${lib#lib}   # libvmm lives in vmm/
  # shellcheck disable=SC2086
  cc -std=gnu11 -Wall -Werror -o "$dest/consumer-$lib" "$src/$dir/tests/consumer.c" $flags
  "$dest/consumer-$lib"
  echo "$lib: consumer built and ran with: pkg-config --cflags --libs $lib"
done
