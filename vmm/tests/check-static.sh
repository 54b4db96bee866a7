#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The static cvmm (the default build; -Dstatic_cvmm) must be self-contained: no program
# interpreter (PT_INTERP) and no DT_NEEDED entry (ELF gABI, "Program
# Header" and "Dynamic Section"), position-independent (a static PIE), and
# it must run: --version and --help exit 0 with their text.
#
# Usage: check-static.sh CVMM SOURCE_DIR built|build-it
#   built:    CVMM itself was linked static; check it.
#   build-it: configure SOURCE_DIR in a scratch directory with the option
#             and check the cvmm built there (for a build that links cvmm
#             dynamically: -Dstatic_cvmm=false, or sanitizers).
set -uo pipefail
cvmm=$1 src=$2 mode=$3
fail=0
bad() { echo "check-static: FAIL $*"; fail=1; }

if [ "$mode" = build-it ]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/cvmm-static.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
	echo "check-static: configuring $src with -Dstatic_cvmm=true in $dir"
	if ! meson setup "$dir" "$src" -Dstatic_cvmm=true -Dtests=disabled -Dfuzz=disabled \
		>"$dir.log" 2>&1 || ! nice -n 10 ninja -C "$dir" -j2 vmm/cvmm >>"$dir.log" 2>&1; then
		tail -n 30 "$dir.log"
		rm -f "$dir.log"
		echo "check-static: FAIL the static cvmm does not build"
		exit 1
	fi
	rm -f "$dir.log"
	cvmm=$dir/vmm/cvmm
fi
echo "check-static: $(file -b "$cvmm")"
readelf -lW "$cvmm" | grep -q 'INTERP' && bad "has a program interpreter (PT_INTERP)"
needed=$(readelf -dW "$cvmm" | grep '(NEEDED)')
[ -z "$needed" ] || bad "needs shared libraries: $needed"
file -b "$cvmm" | grep -Eq 'static(-pie|ally) linked' || bad "file(1) does not call it statically linked"
# Static PIE (ELF type DYN), so that its code is placed at a random address
# like any Debian executable (docs/threat-model.md).
readelf -hW "$cvmm" | grep -Eq 'Type:[[:space:]]+DYN' || bad "is not position-independent (ELF type is not DYN)"
out=$(timeout -s USR1 -k 2 30 "$cvmm" --version 2>&1) || bad "--version exited $?"
grep -q '^libvmm ' <<<"$out" && grep -q '^libloader ' <<<"$out" ||
	bad "--version lacks the library versions: $out"
out=$(timeout -s USR1 -k 2 30 "$cvmm" --help 2>&1) || bad "--help exited $?"
grep -q -- '--kernel' <<<"$out" || bad "--help does not describe --kernel"
[ $fail -eq 0 ] && echo "check-static: PASS $cvmm is static and runs"
exit $fail
