#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the test initramfs for the linux suite: Debian's busybox-static as
# the whole userland (fetched with `apt-get download`, unpacked with
# `dpkg-deb -x` into the cache, never installed), the virtio, virtio_ring,
# virtio_mmio and virtio_blk modules of the kernel under test (with
# `depmod -b`), and an /init that prints a marker, loads the modules, reads
# the first sector of /dev/vda back and reboots through the i8042 (reboot=k).
# With cvmm.persist=write:TOKEN on the kernel command line, /init instead
# mounts /dev/vda (ext4), writes TOKEN to persist.txt and syncs;
# with cvmm.persist=read it prints the file back (tests/linux/run-persist).
# The vsock modules (vsock, vmw_vsock_virtio_transport_common,
# vmw_vsock_virtio_transport) are in too: with cvmm.vsock=HOST:GUEST:TOKEN
# /init loads them and runs /bin/guest-vsock HOST GUEST TOKEN
# (tests/linux/run-vsock), which must then be given as an extra file;
# with cvmm.net as well, the network part below runs first
# (tests/linux/run-api-net).
# So are virtio_net and its dependencies (failover, net_failover): with
# cvmm.ticker=1 prints a numbered heartbeat with the uptime every 0.2 s.
# cvmm.net=GUEST_IP/PREFIX:HOST_IP[:PINGS] /init brings eth0 up with that
# address and pings HOST_IP PINGS times (3) (tests/linux/run-net).
# With cvmm.iperf=SECONDS[:R] as well, it then runs `iperf3 -c HOST_IP -t
# SECONDS` (guest -> host; R: host -> guest, -R) between the markers
# CVMM-IPERF-START and CVMM-IPERF-END: RC (tests/bench/iperf-bench.py),
# then prints the guest's own network counters (/proc/net/snmp and
# /proc/net/netstat, eth0's statistics) between CVMM-NETSTAT-START and
# CVMM-NETSTAT-END; iperf3 must be one of the FILEs.
#
# Usage: make-initramfs.sh MODULES_DIR OUTPUT [FILE...]
#   MODULES_DIR is the kernel's lib/modules/<version> (fetch-debian-kernel.sh
#   prints it as <flavour>-modules=...).  Each FILE is copied into /bin; a
#   dynamically linked one brings the shared libraries ldd(1) names, at the
#   same paths (so iperf3 runs in a userland without a C library).
# Idempotent: OUTPUT is rebuilt only when missing or older than this script
# or one of the FILEs.
# Safe to run many times at once: the busybox cache entry is built under a
# unique name while holding flock(1) on its .lock and published by one
# rename, never deleted; OUTPUT is written to a unique temporary file and
# renamed into place, so a reader sees the old file or the new one, whole.
set -euo pipefail
mods=$1 out=$2
shift 2
script=$(readlink -f "$0")
[ -d "$mods" ] || { echo "make-initramfs: no modules directory $mods" >&2; exit 1; }
fresh=1
[ -f "$out" ] && [ "$out" -nt "$script" ] || fresh=0
for f in "$@"; do [ "$fresh" = 1 ] && [ "$out" -nt "$f" ] || fresh=0; done
if [ "$fresh" = 1 ]; then
	echo "$out"
	exit 0
fi
cache=${CVMM_CACHE:-$HOME/.cache/cvmm}/busybox
mkdir -p "$cache"
stage=$(mktemp -d)
work= tmp=
trap 'rm -rf "$stage" ${work:+"$work"} ${tmp:+"$tmp"}' EXIT
if [ ! -x "$cache/root/bin/busybox" ]; then
	exec 9>>"$cache/.lock"
	flock 9
	if [ ! -x "$cache/root/bin/busybox" ]; then
		rm -rf "$cache"/.build.*	# a killed run's (builds hold the lock)
		work=$(mktemp -d "$cache/.build.XXXXXX")
		(cd "$work" && { apt-get download -qq busybox-static >/dev/null 2>&1 ||
		 { apt-get update -qq >/dev/null 2>&1; apt-get download -qq busybox-static >/dev/null; }; }) ||
			{ echo "make-initramfs: cannot apt-get download busybox-static" >&2; exit 1; }
		dpkg-deb -x "$work"/busybox-static_*.deb "$work/root"
		# A root without busybox is a leftover of an older, unlocked
		# version of this script; with the lock held nobody uses it.
		[ ! -e "$cache/root" ] || mv "$cache/root" "$work/stale"
		mv -T "$work/root" "$cache/root"
	fi
	exec 9>&-
fi
command -v cpio >/dev/null && command -v depmod >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cpio kmod >/dev/null

ver=$(basename "$mods")
mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules/"$ver"}
cp "$cache/root/bin/busybox" "$stage/bin/busybox"
for tool in sh mount umount sync mkdir sed modprobe insmod dd hexdump head echo cat sleep \
	reboot poweroff ip ping grep cut; do
	ln -s busybox "$stage/bin/$tool"
done
for m in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko \
	 drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko \
	 net/vmw_vsock/vsock.ko net/vmw_vsock/vmw_vsock_virtio_transport_common.ko \
	 net/vmw_vsock/vmw_vsock_virtio_transport.ko net/core/failover.ko \
	 drivers/net/net_failover.ko drivers/net/virtio_net.ko; do
	[ -f "$mods/kernel/$m" ] || { echo "make-initramfs: $mods lacks $m" >&2; exit 1; }
	mkdir -p "$stage/lib/modules/$ver/kernel/$(dirname "$m")"
	cp "$mods/kernel/$m" "$stage/lib/modules/$ver/kernel/$m"
done
# The libraries a dynamic FILE loads, at the paths ldd resolves them to
# (the interpreter included); nothing for a static one.
copy_libraries() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\).*/\1/p'); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}
for f in "$@"; do
	cp "$f" "$stage/bin/"
	copy_libraries "$f"
done
cp "$mods"/modules.builtin* "$mods"/modules.order "$stage/lib/modules/$ver/" 2>/dev/null || true
depmod -b "$stage" "$ver"
cat >"$stage/init" <<'INIT'
#!/bin/sh
# The test's userland: marker, virtio-blk through ACPI, disk read-back, end.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "CVMM-INITRAMFS-MARKER: /init runs"
modprobe virtio_mmio && modprobe virtio_blk
vsock=$(sed -n 's/.*cvmm\.vsock=\([^ ]*\).*/\1/p' /proc/cmdline)
net=$(sed -n 's/.*cvmm\.net=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$net" ]; then
	# GUEST_IP/PREFIX:HOST_IP[:PINGS]
	addr=${net%%:*} rest=${net#*:}
	host=${rest%%:*} count=3
	[ "$rest" = "$host" ] || count=${rest#*:}
	modprobe virtio_net
	for i in 1 2 3 4 5; do [ -e /sys/class/net/eth0 ] && break; sleep 1; done
	ip link set lo up && ip addr add "$addr" dev eth0 && ip link set eth0 up &&
		echo "CVMM-NET-UP: $(ip -o addr show dev eth0 | sed -n 's/.*inet \([^ ]*\).*/\1/p') $(cat /sys/class/net/eth0/address)"
	if ping -c "$count" -W 5 "$host"; then echo "CVMM-NET-PING-OK: $host"
	else echo "CVMM-NET-PING-FAILED: $host"; fi
	iperf=$(sed -n 's/.*cvmm\.iperf=\([^ ]*\).*/\1/p' /proc/cmdline)
	if [ -n "$iperf" ]; then
		# SECONDS[:R]; iperf3 keeps its send buffer in a file under /tmp.
		secs=${iperf%%:*} reverse=
		[ "$iperf" = "$secs" ] || reverse=-R
		mkdir -p /tmp
		echo "CVMM-IPERF-START"
		iperf3 -c "$host" -t "$secs" -f m $reverse
		echo "CVMM-IPERF-END: $?"
		echo "CVMM-NETSTAT-START"
		cat /proc/net/snmp /proc/net/netstat
		for c in rx_dropped rx_errors rx_missed_errors rx_fifo_errors; do
			echo "Eth0: $c $(cat /sys/class/net/eth0/statistics/$c)"
		done
		echo "CVMM-NETSTAT-END"
		# reboot -f does not wait for the serial driver to send what is
		# still in its transmit buffer (the block above is about 4 KiB).
		sleep 1
	fi
	[ -n "$vsock" ] || reboot -f
fi
if [ -n "$vsock" ]; then
	modprobe vmw_vsock_virtio_transport && guest-vsock $(echo "$vsock" | sed 's/:/ /g')
	reboot -f
fi
# cvmm.ticker=1: a heartbeat forever, numbered, with the guest's uptime,
# so that a host can see a pause stop it and a resume or a restore go on
# from the next number (tests/linux/run-api).
if grep -q 'cvmm\.ticker=1' /proc/cmdline; then
	n=0
	while :; do
		n=$((n + 1))
		echo "CVMM-TICK: $n $(cut -d' ' -f1 /proc/uptime)"
		sleep 0.2
	done
fi
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 1; done
persist=$(sed -n 's/.*cvmm\.persist=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p /mnt
case $persist in
write:*)
	# No unmount: sync alone must make the file durable across the reboot.
	mount -t ext4 /dev/vda /mnt && echo "${persist#write:}" >/mnt/persist.txt && sync &&
		echo "CVMM-PERSIST-WRITTEN: ${persist#write:}" ;;
read)
	mount -t ext4 -o ro /dev/vda /mnt && echo "CVMM-PERSIST-READ: $(cat /mnt/persist.txt)" &&
		umount /mnt ;;
*)
	echo "CVMM-DISK-READBACK: $(dd if=/dev/vda bs=32 count=1 2>/dev/null)" ;;
esac
reboot -f
INIT
chmod +x "$stage/init"
mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -9) >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$out"
echo "$out"
