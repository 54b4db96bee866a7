#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the vm-superio peer benchmark offline (Debian's
# librust-vm-superio-dev must be installed) and runs it after libsuperio's
# own benchmarks, so both sets of numbers come from the same session.
# Usage: libsuperio/bench/rust/run.sh [BUILDDIR]   (BUILDDIR defaults to build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=${1:-$top/build}
[ -d /usr/share/cargo/registry/vm-superio-0.7.0 ] ||
  { echo "apt-get install librust-vm-superio-dev first"; exit 1; }
(cd "$here" && CARGO_TARGET_DIR="$build/rust-peer-bench" cargo build --release --offline -q)
meson test -C "$build" --benchmark --suite superio --verbose 2>/dev/null | grep '^name='
"$build/rust-peer-bench/release/superio-peer-bench"
