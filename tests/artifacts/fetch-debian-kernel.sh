#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches Debian's stock x86_64 kernels for tests and boots, without
# installing anything into the system: `apt-get download` of the current
# linux-image-<abi>-cloud-amd64 and linux-image-<abi>-amd64 packages (and,
# on request only, bookworm-backports' linux-image-<abi>-amd64),
# `dpkg-deb -x` into a cache directory, then the ELF vmlinux is extracted from
# each bzImage's compressed payload.  The payload lies at
# (setup_sects + 1) * 512 + payload_offset, is payload_length bytes long and
# ends with the 4-byte little-endian uncompressed size
# (Documentation/arch/x86/boot.rst, arch/x86/boot/compressed/mkpiggy.c);
# the cloud kernel compresses it with LZ4 (legacy frame), the generic one
# with XZ, bookworm-backports' (6.12) with Zstandard.
#
# Usage: fetch-debian-kernel.sh [cloud|generic|backports|all]   (default: all,
#        which is cloud and generic: backports is only fetched when named)
# Cache: ${CVMM_CACHE:-$HOME/.cache/cvmm}/kernels/<package>_<version>/
# The backports flavour reads bookworm-backports through a private apt
# configuration under ${CVMM_CACHE:-$HOME/.cache/cvmm}/apt/bookworm-backports/
# (its own sources file, lists and caches; the system's keyring), so it never
# changes /etc/apt or the system's package lists.
# Output: one line per file, "<flavour>-<kind>=<absolute path>", e.g.
#   cloud-bzimage=/root/.cache/cvmm/kernels/.../boot/vmlinuz-6.1.0-56-cloud-amd64
#   cloud-vmlinux=/root/.cache/cvmm/kernels/.../vmlinux
#   cloud-modules=/root/.cache/cvmm/kernels/.../lib/modules/6.1.0-56-cloud-amd64
#   cloud-version=6.1.0-56-cloud-amd64
# Idempotent: a second run reuses the cache and prints the same lines.
# Exits non-zero with a message on stderr when anything cannot be fetched.
#
# Safe to run many times at once (Criterion runs its tests as parallel
# processes, each fetching): a cache entry is built under a unique temporary
# name while holding an exclusive flock(1) on $cache/.lock, and published by
# one rename(2) with its .unpacked mark already inside.  A published entry
# is never changed or deleted, so readers need no lock: they see either no
# entry or a complete one.
set -euo pipefail

which=${1:-all}
cache=${CVMM_CACHE:-$HOME/.cache/cvmm}/kernels
mkdir -p "$cache"

die() { echo "fetch-debian-kernel: $*" >&2; exit 1; }

# fd 9 holds the cache lock; taken only where the cache or apt's lists
# change, released when the script exits.
exec 9>>"$cache/.lock"
lock() { flock 9 || die "cannot lock $cache/.lock"; }

need_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || die "$1 missing; install Debian package $2"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null ||
		die "cannot install $2"
}

# apt_opts, use_backports_apt and refresh_backports_lists.
# shellcheck source-path=SCRIPTDIR source=backports-apt.sh
. "$(dirname "$0")/backports-apt.sh"

depends_of() {
	apt-cache "${apt_opts[@]}" depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1
}

# The metapackage depends on exactly one ABI-versioned image package.
resolve() {
	local meta=$1 pkg why
	pkg=$(depends_of "$meta")
	if [ -z "$pkg" ]; then
		lock	# concurrent `apt-get update`s fail on apt's own lock
		pkg=$(depends_of "$meta")
	fi
	if [ -z "$pkg" ]; then
		apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1 || true
		pkg=$(depends_of "$meta")
	fi
	if [ -z "$pkg" ] && [ -n "$apt_dir" ]; then
		why=$(sed -n 's/^E: //p' "$apt_dir/update.log" 2>/dev/null | head -n1)
		die "cannot resolve $meta in bookworm-backports: ${why:-not in its lists ($apt_dir/lists)}"
	fi
	[ -n "$pkg" ] || die "cannot resolve $meta with apt-cache"
	# The signed generic image is a template package in Debian; the
	# -unsigned variant has the same kernel and is what apt-get downloads.
	echo "$pkg"
}

le32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
u8() { od -An -t u1 -j "$2" -N 1 "$1" | tr -d ' '; }

extract_vmlinux() {
	local bz=$1 out=$2 tool=$3
	local sects off len start tmp
	[ "$(od -An -c -j 514 -N 4 "$bz" | tr -d ' ')" = "HdrS" ] || die "$bz: no HdrS magic"
	sects=$(u8 "$bz" $((0x1f1)))
	[ "$sects" -eq 0 ] && sects=4
	off=$(le32 "$bz" $((0x248)))
	len=$(le32 "$bz" $((0x24c)))
	[ "$len" -gt 4 ] || die "$bz: no payload"
	start=$(( (sects + 1) * 512 + off ))
	# The last 4 bytes are the size trailer, not part of the stream.
	tmp=$(mktemp "$out.XXXXXX")
	dd if="$bz" iflag=skip_bytes,count_bytes skip="$start" count="$((len - 4))" status=none |
		$tool -dc >"$tmp" ||
		{ rm -f "$tmp"; die "$bz: $tool cannot decompress the payload"; }
	[ "$(od -An -c -N 4 "$tmp" | tr -d ' ')" = "177ELF" ] ||
		{ rm -f "$tmp"; die "$bz: payload is not an ELF"; }
	chmod 644 "$tmp"
	mv -f "$tmp" "$out"
}

# Builds ${pkg}_$ver in a private directory and renames it into place.
# Called with the lock held and the entry not yet published.
build_entry() {
	local pkg=$1 ver=$2 dir=$3 tool=$4 work deb bz
	# Builds happen only under the lock, so any other build directory is
	# the remains of a killed run.
	rm -rf "$cache"/.build.*
	work=$(mktemp -d "$cache/.build.XXXXXX")
	(cd "$work" && apt-get "${apt_opts[@]}" download -qq "$pkg=$ver" >/dev/null 2>&1 ||
		apt-get "${apt_opts[@]}" download -qq "${pkg%-unsigned}-unsigned=$ver" >/dev/null 2>&1) ||
		{ rm -rf "$work"; die "apt-get download $pkg=$ver failed"; }
	deb=$(ls "$work"/*.deb | head -n1)
	dpkg-deb -x "$deb" "$work/root" || { rm -rf "$work"; die "dpkg-deb -x $deb failed"; }
	bz=$(ls "$work"/root/boot/vmlinuz-* 2>/dev/null | head -n1)
	[ -n "$bz" ] || { rm -rf "$work"; die "$pkg has no /boot/vmlinuz-*"; }
	extract_vmlinux "$bz" "$work/root/vmlinux" "$tool"
	touch "$work/root/.unpacked"
	# An unmarked directory is a leftover of an older, unlocked version
	# of this script: nobody can be using it now that we hold the lock.
	if [ -e "$dir" ] && [ ! -f "$dir/.unpacked" ]; then
		mv "$dir" "$work/stale"
	fi
	mv -T "$work/root" "$dir"
	rm -rf "$work"
}

fetch() {
	local flavour=$1 meta=$2 tool=$3 pkg ver dir bz kver
	pkg=$(resolve "$meta")
	ver=$(apt-cache "${apt_opts[@]}" policy "$pkg" | sed -n 's/^ *Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no candidate for $pkg"
	dir=$cache/${pkg}_$ver
	if [ ! -f "$dir/.unpacked" ]; then
		lock
		# Another process may have published it while we waited.
		[ -f "$dir/.unpacked" ] || build_entry "$pkg" "$ver" "$dir" "$tool"
	fi
	bz=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n1)
	[ -n "$bz" ] || die "$pkg has no /boot/vmlinuz-*"
	kver=${bz##*/vmlinuz-}
	# Entries published before vmlinux was part of an entry get it added,
	# by rename, under the lock.
	if [ ! -f "$dir/vmlinux" ]; then
		lock
		[ -f "$dir/vmlinux" ] || extract_vmlinux "$bz" "$dir/vmlinux" "$tool"
	fi
	echo "$flavour-bzimage=$bz"
	echo "$flavour-vmlinux=$dir/vmlinux"
	echo "$flavour-modules=$dir/lib/modules/$kver"
	echo "$flavour-version=$kver"
}

case $which in
cloud | all | generic | backports) ;;
*) die "usage: $0 [cloud|generic|backports|all]" ;;
esac
if [ "$which" = cloud ] || [ "$which" = all ]; then
	need_tool lz4 lz4
	fetch cloud linux-image-cloud-amd64 lz4
fi
if [ "$which" = generic ] || [ "$which" = all ]; then
	need_tool xz xz-utils
	fetch generic linux-image-amd64 xz
fi
if [ "$which" = backports ]; then
	need_tool zstd zstd
	use_backports_apt
	refresh_backports_lists
	fetch backports linux-image-amd64 zstd
fi
