#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side-by-side run of libvmmem's microbenchmarks and the same workloads on
# rust-vmm's vm-memory (Debian's librust-vm-memory-dev, built offline).
# Alternates the two programs for ROUNDS rounds so that machine noise hits
# both alike, then prints, per workload, the median over rounds of each and
# the ratio cvmm/vm-memory (below 1 means libvmmem is faster).
# Usage: compare-vm-memory.sh BUILDDIR [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: compare-vm-memory.sh BUILDDIR [ROUNDS]}" && pwd)
rounds=${2:-5}

need=()
dpkg-query -W -f='${Status}' librust-vm-memory-dev 2>/dev/null | grep -q 'ok installed' || need+=(librust-vm-memory-dev)
command -v cargo >/dev/null || need+=(cargo)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

ninja -C "$build" libvmmem/bench/bench-vmmem >/dev/null
(cd "$here/rust" && CARGO_TARGET_DIR="$build/libvmmem/bench/rust-target" \
   cargo build --release --offline --quiet)
peer="$build/libvmmem/bench/rust-target/release/vmmem-peer-vm-memory"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$rounds"); do
  "$build/libvmmem/bench/bench-vmmem" >>"$out"
  "$peer" >>"$out"
done

python3 - "$out" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r'name=(\S+) .*ns_per_op=([\d.]+)', line)
    if m:
        runs.setdefault(m.group(1), []).append(float(m.group(2)))
for name, vals in runs.items():
    if not name.startswith('vmmem_'):
        continue
    peer = 'vm_memory_' + name[len('vmmem_'):]
    c = statistics.median(vals)
    if peer in runs:
        r = statistics.median(runs[peer])
        print(f'name={name} ns_per_op={c:.2f} peer={peer} peer_ns_per_op={r:.2f} ratio={c / r:.2f}')
    else:
        print(f'name={name} ns_per_op={c:.2f} peer=none')
PY
