#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-static.sh must refuse what is not a self-contained static PIE: it is
# handed a dynamic executable and a static one that is not position-
# independent, and each must fail with the reason named.
# Usage: check-static-rejects.sh CHECK_STATIC CC
set -uo pipefail
check=$1 cc=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/check-static-rejects.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail=0
printf 'int main(void) { return 0; }\n' >"$dir/t.c"
"$cc" -o "$dir/dynamic" "$dir/t.c" || { echo "FAIL: $cc cannot link a dynamic executable"; exit 1; }
"$cc" -static -no-pie -o "$dir/no-pie" "$dir/t.c" || { echo "FAIL: $cc cannot link -static -no-pie"; exit 1; }

expect_refusal() { # binary, the FAIL reason it must print
	local out
	if out=$(bash "$check" "$1" /nonexistent built 2>&1); then
		echo "FAIL: check-static accepted $(basename "$1")"; fail=1
	elif ! grep -q -- "FAIL $2" <<<"$out"; then
		echo "FAIL: check-static refused $(basename "$1") without \"$2\":"; echo "$out"; fail=1
	else
		echo "ok: $(basename "$1") refused: $2"
	fi
}
expect_refusal "$dir/dynamic" "has a program interpreter"
expect_refusal "$dir/dynamic" "needs shared libraries"
expect_refusal "$dir/no-pie" "is not position-independent"
exit $fail
