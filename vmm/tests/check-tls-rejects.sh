#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-tls.sh must refuse a program with a large thread-local buffer and
# accept one with a small one.
# Usage: check-tls-rejects.sh CHECK_TLS CC
set -uo pipefail
check=$1 cc=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/check-tls-rejects.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail=0
for size in 16 65536; do
	printf 'static __thread char buf[%d];\nint main(int c, char **v) { buf[c] = 1; return buf[1] - 1 + (v == 0); }\n' \
		"$size" >"$dir/t$size.c"
	"$cc" -O2 -o "$dir/t$size" "$dir/t$size.c" || { echo "FAIL: $cc cannot build t$size"; exit 1; }
done
if out=$(bash "$check" "$dir/t65536" 1024 2>&1); then
	echo "FAIL: check-tls accepted 64 KiB of TLS: $out"; fail=1
elif ! grep -q "FAIL thread-local storage of 65536 bytes" <<<"$out"; then
	echo "FAIL: check-tls refused without naming the size: $out"; fail=1
else
	echo "ok: 64 KiB of TLS refused"
fi
if out=$(bash "$check" "$dir/t16" 1024 2>&1); then
	echo "ok: 16 bytes of TLS accepted"
else
	echo "FAIL: check-tls refused 16 bytes of TLS: $out"; fail=1
fi
exit $fail
