#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The QEMU that runs the nested harness's L1 (docs/testing.md, "Nested
# runs"), from bookworm-backports, without installing anything into the
# system: `apt-get download` of qemu-system-x86, qemu-system-data (its option
# ROMs, linuxboot_dma.bin among them) and seabios (the BIOS that version
# wants), `dpkg-deb -x` of all three into one cache directory.  The system's
# qemu-system-x86 (bookworm's) stays what L1 sees as the peer VMM, and what
# guest-qemu and --l0-qemu bookworm use.  The binary needs the same shared
# libraries as bookworm's qemu-system-x86, which tests/install-deps.sh
# installs; a missing one is named.
#
# Usage: fetch-l0-qemu.sh
# Cache: ${CVMM_CACHE:-$HOME/.cache/cvmm}/qemu/qemu-system-x86_<version>+seabios_<version>/
# Output: one line per item, e.g.
#   l0-qemu=/root/.cache/cvmm/qemu/qemu-system-x86_10.0.2.../usr/bin/qemu-system-x86_64
#   l0-qemu-roms=<qemu-system-data's usr/share/qemu>
#   l0-qemu-bios=<seabios's usr/share/seabios>
#   l0-qemu-version=10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)
# Idempotent and safe to run many times at once, as fetch-debian-kernel.sh:
# an entry is built under a temporary name while holding $cache/.lock and
# published by one rename with its .unpacked mark inside.  The private lists
# are refreshed once a day.  Without lists (never online) the newest cached
# entry is used; with lists whose version is not cached, it is downloaded.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${CVMM_CACHE:-$HOME/.cache/cvmm}/qemu
mkdir -p "$cache"
packages=(qemu-system-x86 qemu-system-data seabios)

die() { echo "fetch-l0-qemu: $*" >&2; exit 1; }

exec 9>>"$cache/.lock"
lock() { flock 9 || die "cannot lock $cache/.lock"; }

# apt_opts, use_backports_apt and refresh_backports_lists.
# shellcheck source-path=SCRIPTDIR source=../artifacts/backports-apt.sh
. "$here/../artifacts/backports-apt.sh"

# The newest version bookworm-backports' lists hold (apt-cache policy would
# also offer the installed one).
candidate() {
	apt-cache "${apt_opts[@]}" madison "$1" 2>/dev/null |
		awk -F' *[|] *' '$3 ~ / bookworm-backports\// { print $2; exit }'
}

# qemu-system-x86_<its version>+seabios_<its version>, without the epochs
# (no colon in the path): a new BIOS alone makes a new entry too.
entry_name() {
	local q s
	q=$(candidate qemu-system-x86) s=$(candidate seabios)
	[ -n "$q" ] && [ -n "$s" ] || return 1
	echo "qemu-system-x86_${q#*:}+seabios_${s#*:}"
}

# Called with the lock held and the entry not yet published.
build_entry() {
	local dir=$1 work pkg deb
	rm -rf "$cache"/.build.*	# remains of a killed run (builds hold the lock)
	work=$(mktemp -d "$cache/.build.XXXXXX")
	for pkg in "${packages[@]}"; do
		(cd "$work" && apt-get "${apt_opts[@]}" download -qq "$pkg=$(candidate "$pkg")" \
			>/dev/null 2>&1) || { rm -rf "$work"; die "apt-get download $pkg (bookworm-backports) failed"; }
	done
	for deb in "$work"/*.deb; do
		dpkg-deb -x "$deb" "$work/root" || { rm -rf "$work"; die "dpkg-deb -x $deb failed"; }
	done
	touch "$work/root/.unpacked"
	mv -T "$work/root" "$dir"
	rm -rf "$work"
}

use_backports_apt
refresh_backports_lists
if name=$(entry_name); then
	dir=$cache/$name
	if [ ! -f "$dir/.unpacked" ]; then
		lock
		[ -f "$dir/.unpacked" ] || build_entry "$dir"
	fi
else
	# No lists (never online): the newest entry fetched before, if any.
	dir=$(printf '%s\n' "$cache"/qemu-system-x86_*/.unpacked | sort -V | tail -n1)
	[ -f "$dir" ] || die "no qemu-system-x86 in bookworm-backports' lists ($apt_dir/lists) and none cached"
	dir=${dir%/.unpacked}
fi

bin=$dir/usr/bin/qemu-system-x86_64
[ -x "$bin" ] || die "$dir has no usr/bin/qemu-system-x86_64"
# ldd fails on a binary that is not dynamic: nothing is then missing.
missing=$({ ldd "$bin" 2>/dev/null || true; } | sed -n 's/^[[:space:]]*\([^ ]*\) => not found$/\1/p' | tr '\n' ' ')
[ -z "$missing" ] || die "$bin needs ${missing% }: install bookworm's qemu-system-x86 (tests/install-deps.sh qemu-system-x86)"
echo "l0-qemu=$bin"
echo "l0-qemu-roms=$dir/usr/share/qemu"
echo "l0-qemu-bios=$dir/usr/share/seabios"
echo "l0-qemu-version=$("$bin" --version | sed -n '1s/^QEMU emulator version //p')"
