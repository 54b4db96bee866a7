#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Deterministic comparison of libsuperio and libvmmem with their rust-vmm
# originals (vm-superio 0.7, vm-memory 0.10, from Debian's librust-*-dev,
# built offline with cargo).  Both sides run the same workloads with every
# device or memory access through a non-inlined call
# (libsuperio/bench/bench_serial_calls.c, libvmmem/bench/bench_vmmem_calls.c
# and the calls.rs programs next to them).
#
# Ir mode (default): one callgrind run per workload and side, collecting only
# inside the workload function (--toggle-collect=cg_<name>); prints
#   name=<workload> c_ir_per_op=<n> rust_ir_per_op=<n> ratio=<c/rust>
# Instruction counts do not depend on machine load, so reruns agree.
#
# Wall mode (--wall [ROUNDS]): runs both programs alternately ROUNDS times
# (default 5), each printing the median of 15 repetitions per workload, and
# prints per workload the median over rounds of each side and of the
# per-round ratios:
#   name=<workload> c_ns_per_op=<n> rust_ns_per_op=<n> ratio=<median c/rust>
#
# Usage: tests/bench/callgrind-compare.sh [--wall [ROUNDS]] [BUILDDIR]
# BUILDDIR (default build) must be configured with -Dtests=enabled, which
# is what builds the benchmarks.  CG_OPS sets the operations per Ir run.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mode=ir rounds=5
if [ "${1:-}" = --wall ]; then
  mode=wall
  shift
  if [[ "${1:-}" =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
fi
build=$(cd "${1:-$top/build}" && pwd)
ops=${CG_OPS:-100000}

need=()
command -v cargo >/dev/null || need+=(cargo)
[ "$mode" = wall ] || command -v valgrind >/dev/null || need+=(valgrind)
for p in librust-vm-superio-dev librust-vm-memory-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
[ ${#need[@]} -eq 0 ] || "$top/tests/install-deps.sh" "${need[@]}"

ninja -C "$build" libsuperio/bench/bench-superio-serial-calls \
  libvmmem/bench/bench-vmmem-calls >/dev/null
for crate in libsuperio libvmmem; do
  (cd "$top/$crate/bench/rust" &&
     CARGO_TARGET_DIR="$build/$crate/bench/rust-target" cargo build --release --offline --quiet)
done
c_superio=$build/libsuperio/bench/bench-superio-serial-calls
c_vmmem=$build/libvmmem/bench/bench-vmmem-calls
r_superio=$build/libsuperio/bench/rust-target/release/calls
r_vmmem=$build/libvmmem/bench/rust-target/release/calls

# Ir collected inside function $1 while running "$2 cg $3 $ops".
ir() {
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$1" \
    "$2" cg "$3" "$ops" >/dev/null 2>&1
  awk '/^(summary|totals):/ { print $2; exit }' "$out"
  rm -f "$out"
}

if [ "$mode" = ir ]; then
  for w in serial:tx serial:rx serial:probe vmmem:translate vmmem:translate_local \
           vmmem:load_u16 vmmem:store_u16 vmmem:load_u64 vmmem:store_u64; do
    lib=${w%%:*} name=${w#*:}
    if [ "$lib" = serial ]; then c=$c_superio r=$r_superio; else c=$c_vmmem r=$r_vmmem; fi
    ci=$(ir "cg_${lib}_$name" "$c" "$name")
    ri=$(ir "cg_${lib}_$name" "$r" "$name")
    awk -v n="${lib}_$name" -v c="$ci" -v r="$ri" -v ops="$ops" 'BEGIN {
      printf "name=%s c_ir_per_op=%.1f rust_ir_per_op=%.1f ratio=%.2f\n", n, c / ops, r / ops, c / r }'
  done
  exit 0
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for round in $(seq "$rounds"); do
  "$c_superio" | sed "s/^/round=$round side=c /" >>"$out"
  "$r_superio" | sed "s/^/round=$round side=rust /" >>"$out"
  "$c_vmmem" | sed "s/^/round=$round side=c /" >>"$out"
  "$r_vmmem" | sed "s/^/round=$round side=rust /" >>"$out"
done
python3 - "$out" <<'PY'
import re, statistics, sys
ns = {}
for line in open(sys.argv[1]):
    m = re.match(r'round=(\d+) side=(\w+) name=(\S+) .*?ns_per_op=([\d.]+)', line)
    if m:
        ns.setdefault(m.group(3), {}).setdefault(m.group(2), {})[m.group(1)] = float(m.group(4))
for name, sides in ns.items():
    c, r = sides.get('c', {}), sides.get('rust', {})
    ratios = [c[k] / r[k] for k in c if k in r and r[k] > 0]
    if not ratios:
        continue
    print(f'name={name} c_ns_per_op={statistics.median(c.values()):.2f} '
          f'rust_ns_per_op={statistics.median(r.values()):.2f} '
          f'ratio={statistics.median(ratios):.2f} rounds={len(ratios)}')
PY
