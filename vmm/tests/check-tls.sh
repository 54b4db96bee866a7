#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A program's thread-local storage (its PT_TLS segment; ELF gABI, "Program
# Header") is set up for every thread it starts: glibc zero-fills each
# thread's copy when the thread is created, so every byte of it is memory
# that thread holds, and page faults at its start.  cvmm starts a thread for
# KVM setup, the state dump and each vCPU, so it keeps large buffers on the
# heap or stack instead (docs/cvmm.md, "Memory outside guest RAM").
# Usage: check-tls.sh BINARY MAX_BYTES
set -uo pipefail
bin=$1 max=$2
line=$(readelf -lW "$bin" | awk '$1 == "TLS"') || { echo "check-tls: FAIL readelf $bin"; exit 1; }
[ -n "$line" ] || { echo "check-tls: $(basename "$bin") has no PT_TLS segment"; exit 0; }
memsz=$(( $(awk '{print $6}' <<<"$line") ))
echo "check-tls: $(basename "$bin") PT_TLS MemSiz $memsz bytes (at most $max)"
if [ "$memsz" -gt "$max" ]; then
	echo "check-tls: FAIL thread-local storage of $memsz bytes, more than $max, in every thread"
	exit 1
fi
