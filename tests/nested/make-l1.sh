#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the nested harness's L1 image from Debian packages only
# (docs/testing.md, "Nested runs"): Debian's generic amd64 kernel (the cloud
# flavour has no 9p) from bookworm or, on request, bookworm-backports,
# fetched and unpacked by tests/artifacts/fetch-debian-kernel.sh, and an
# initramfs holding busybox-static (apt-get download + dpkg-deb -x, never
# installed), the kernel modules L1 needs with their dependencies, and
# tests/nested/l1-init.
#
# Usage: make-l1.sh [bookworm|backports]      (default: bookworm)
#   prints  l1-kernel=PATH  l1-initrd=PATH  and  l1-version=KERNEL RELEASE
# The initramfs is cached under ${CVMM_CACHE:-~/.cache/cvmm}/nested/, named
# by a hash of its inputs, built in a private folder and renamed into place,
# so concurrent runs neither race nor see half a file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export PATH=$PATH:/usr/sbin:/sbin
die() { echo "make-l1: $*" >&2; exit 1; }

for tool in cpio:cpio depmod:kmod modinfo:kmod gzip:gzip xz:xz-utils; do
	command -v "${tool%%:*}" >/dev/null || bash "$top/tests/install-deps.sh" "${tool#*:}" >&2 ||
		die "cannot install ${tool#*:}"
done

case ${1:-bookworm} in
bookworm) flavour=generic ;;
backports) flavour=backports ;;
*) die "unknown L1 kernel '$1' (bookworm or backports)" ;;
esac
declare -A art
# Its own error line is the one to show, so it is not run in a pipe.
arts=$(bash "$top/tests/artifacts/fetch-debian-kernel.sh" "$flavour") || exit 1
while IFS='=' read -r k v; do art[$k]=$v; done <<<"$arts"
kernel=${art[$flavour-bzimage]:-} mods=${art[$flavour-modules]:-}
[ -f "$kernel" ] && [ -d "$mods" ] || die "fetch-debian-kernel.sh gave no $flavour kernel"
ver=$(basename "$mods")

cache=${CVMM_CACHE:-$HOME/.cache/cvmm}
busybox=$cache/busybox/root/bin/busybox
if [ ! -x "$busybox" ]; then
	bb=$(mktemp -d "$cache/.busybox.XXXXXX")
	(cd "$bb" && apt-get download -qq busybox-static >/dev/null 2>&1) ||
		{ rm -rf "$bb"; die "cannot apt-get download busybox-static"; }
	dpkg-deb -x "$bb"/busybox-static_*.deb "$bb/root" || die "dpkg-deb -x busybox-static"
	mkdir -p "$cache/busybox"
	[ -x "$busybox" ] || mv -T "$bb/root" "$cache/busybox/root" 2>/dev/null || true
	rm -rf "$bb"
	[ -x "$busybox" ] || die "no busybox after unpacking"
fi

wanted=(virtio_pci 9pnet_virtio 9p overlay kvm_amd tun veth)
key=$( { echo "$ver ${wanted[*]}"; cat "$here/l1-init" "$0"; } | sha256sum | cut -c1-16)
out=$cache/nested/l1-$ver-$key.cpio.gz
if [ ! -f "$out" ]; then
	mkdir -p "$cache/nested"
	stage=$(mktemp -d "$cache/nested/.stage.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules/"$ver"}
	cp "$busybox" "$stage/bin/busybox"
	for tool in $("$busybox" --list); do
		[ "$tool" = busybox ] || ln -sf busybox "$stage/bin/$tool"
	done
	# Copy each wanted module and, recursively, what it depends on.
	declare -A seen=()
	copy_module() {
		local name=${1//-/_} f dep
		[ -n "${seen[$name]:-}" ] && return 0
		seen[$name]=1
		f=$(find "$mods/kernel" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) -print -quit)
		if [ -z "$f" ]; then
			# Built in (virtio_pci in 6.12): modprobe finds it in
			# modules.builtin, copied below, and succeeds.
			grep -Eq "/($name|${name//_/-})\.ko\$" "$mods/modules.builtin" && return 0
			die "$ver has no module $name"
		fi
		stage_module "$f" "$stage/lib/modules/$ver/${f#"$mods"/}"
		for dep in $(modinfo -F depends "$f" | tr ',' ' '); do copy_module "$dep"; done
	}
	# Newer kernels ship modules compressed (6.12: .ko.xz); they are staged
	# uncompressed, because busybox's modprobe cannot be relied on to
	# decompress them.
	stage_module() {
		local src=$1 dst=$2
		mkdir -p "$(dirname "$dst")"
		case $src in
		*.ko) cp "$src" "$dst" ;;
		*.ko.xz) xz -dc "$src" >"${dst%.xz}" ;;
		*.ko.gz) gzip -dc "$src" >"${dst%.gz}" ;;
		*.ko.zst) zstd -qdc "$src" >"${dst%.zst}" ;;
		*) die "$src: unknown module compression" ;;
		esac || die "cannot stage $src"
	}
	for m in "${wanted[@]}"; do copy_module "$m"; done
	cp "$mods"/modules.builtin* "$mods"/modules.order "$stage/lib/modules/$ver/"
	depmod -b "$stage" "$ver"
	install -m 0755 "$here/l1-init" "$stage/init"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$stage.cpio.gz"
	mv -f "$stage.cpio.gz" "$out"
fi
echo "l1-kernel=$kernel"
echo "l1-initrd=$out"
echo "l1-version=$ver"
