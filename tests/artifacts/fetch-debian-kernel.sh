#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches Debian's stock x86_64 kernels for tests and boots, without
# installing anything into the system: `apt-get download` of the current
# linux-image-<abi>-cloud-amd64 and linux-image-<abi>-amd64 packages,
# `dpkg-deb -x` into a cache directory, then the ELF vmlinux is extracted from
# each bzImage's compressed payload.  The payload lies at
# (setup_sects + 1) * 512 + payload_offset, is payload_length bytes long and
# ends with the 4-byte little-endian uncompressed size
# (Documentation/arch/x86/boot.rst, arch/x86/boot/compressed/mkpiggy.c);
# the cloud kernel compresses it with LZ4 (legacy frame), the generic one
# with XZ.
#
# Usage: fetch-debian-kernel.sh [cloud|generic|all]     (default: all)
# Cache: ${CVMM_CACHE:-$HOME/.cache/cvmm}/kernels/<package>_<version>/
# Output: one line per file, "<flavour>-<kind>=<absolute path>", e.g.
#   cloud-bzimage=/root/.cache/cvmm/kernels/.../boot/vmlinuz-6.1.0-56-cloud-amd64
#   cloud-vmlinux=/root/.cache/cvmm/kernels/.../vmlinux
#   cloud-modules=/root/.cache/cvmm/kernels/.../lib/modules/6.1.0-56-cloud-amd64
#   cloud-version=6.1.0-56-cloud-amd64
# Idempotent: a second run reuses the cache and prints the same lines.
# Exits non-zero with a message on stderr when anything cannot be fetched.
set -euo pipefail

which=${1:-all}
cache=${CVMM_CACHE:-$HOME/.cache/cvmm}/kernels
mkdir -p "$cache"

die() { echo "fetch-debian-kernel: $*" >&2; exit 1; }

need_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || die "$1 missing; install Debian package $2"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null ||
		die "cannot install $2"
}

# The metapackage depends on exactly one ABI-versioned image package.
resolve() {
	local meta=$1 pkg
	pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
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
	local sects off len start
	[ "$(od -An -c -j 514 -N 4 "$bz" | tr -d ' ')" = "HdrS" ] || die "$bz: no HdrS magic"
	sects=$(u8 "$bz" $((0x1f1)))
	[ "$sects" -eq 0 ] && sects=4
	off=$(le32 "$bz" $((0x248)))
	len=$(le32 "$bz" $((0x24c)))
	[ "$len" -gt 4 ] || die "$bz: no payload"
	start=$(( (sects + 1) * 512 + off ))
	# The last 4 bytes are the size trailer, not part of the stream.
	dd if="$bz" iflag=skip_bytes,count_bytes skip="$start" count="$((len - 4))" status=none |
		$tool -dc >"$out.tmp" ||
		die "$bz: $tool cannot decompress the payload"
	[ "$(od -An -c -N 4 "$out.tmp" | tr -d ' ')" = "177ELF" ] || die "$bz: payload is not an ELF"
	mv "$out.tmp" "$out"
}

fetch() {
	local flavour=$1 meta=$2 tool=$3 pkg ver dir deb bz kver
	pkg=$(resolve "$meta")
	ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no candidate for $pkg"
	dir=$cache/${pkg}_$ver
	if [ ! -f "$dir/.unpacked" ]; then
		local tmp
		tmp=$(mktemp -d "$cache/.dl.XXXXXX")
		(cd "$tmp" && apt-get download -qq "$pkg=$ver" >/dev/null 2>&1 ||
			apt-get download -qq "${pkg%-unsigned}-unsigned=$ver" >/dev/null 2>&1) ||
			{ rm -rf "$tmp"; die "apt-get download $pkg=$ver failed"; }
		deb=$(ls "$tmp"/*.deb | head -n1)
		rm -rf "$dir" && mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
		rm -rf "$tmp"
		touch "$dir/.unpacked"
	fi
	bz=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n1)
	[ -n "$bz" ] || die "$pkg has no /boot/vmlinuz-*"
	kver=${bz##*/vmlinuz-}
	[ -f "$dir/vmlinux" ] || extract_vmlinux "$bz" "$dir/vmlinux" "$tool"
	echo "$flavour-bzimage=$bz"
	echo "$flavour-vmlinux=$dir/vmlinux"
	echo "$flavour-modules=$dir/lib/modules/$kver"
	echo "$flavour-version=$kver"
}

case $which in
cloud | all | generic) ;;
*) die "usage: $0 [cloud|generic|all]" ;;
esac
if [ "$which" != generic ]; then
	need_tool lz4 lz4
	fetch cloud linux-image-cloud-amd64 lz4
fi
if [ "$which" != cloud ]; then
	need_tool xz xz-utils
	fetch generic linux-image-amd64 xz
fi
