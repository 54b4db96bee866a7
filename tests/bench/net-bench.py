#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""virtio-net and virtio-vsock benchmarks of cvmm against QEMU microvm: the
same guest-kit programs (tests/guest/progs/bench-net.c, bench-vsock.c), the
same KVM, the same run (docs/benchmarks.md, "virtio-net and vsock against
QEMU").

Usage: net-bench.py --cvmm PATH --kit DIR [--reps N] [--frames N]
                    [--qemu PATH] [--vhost auto|on|off] [--[no-]net]
                    [--[no-]vsock] [--vsock-rr N] [--vsock-msg B]
                    [--vsock-bulk B] [--host-kind KIND]

Creates a network namespace of its own (cvmm-nb-<random>), moves this
process into it (setns), creates a tap there (bnt0, IPv6 off so that the
kernel sends nothing of its own) and boots the programs on each VMM in turn.

net (bench-net), the tap as the backend:
  cvmm        --net tap=bnt0,mac=...
  qemu        microvm, -device virtio-net-device -netdev tap,...,vhost=off
  qemu-vhost  the same with vhost=on, when /dev/vhost-net exists or
              vhost_net can be loaded (modprobe, else insmod from the unpacked
              Debian kernel package under $CVMM_CACHE/kernels: the nested
              harness's L1 initramfs has only the modules it needs)
  For 64- and 1500-byte frames the guest transmits --frames frames (tx) and
  counts the frames this script sends into the tap through an AF_PACKET
  socket (rx, at most 512 frames queued ahead of what the VMM has read, so
  that the tap's own queue of 1000 does not overflow).  The tap's counters
  (/proc/net/dev in the namespace) check them: every tx frame must reach the
  tap (rx_packets); every rx frame the guest did not count must show up in
  the tap's tx_dropped.  "lost" is reported, never hidden.
vsock (bench-vsock), one stream from the guest to host port 5000:
  cvmm        --vsock cid=C,uds=U; this script listens on U_5000 (the
              hybrid Unix-socket model, docs/cvmm.md)
  qemu-vhost  microvm, -device vhost-vsock-device,guest-cid=C; this script
              listens on AF_VSOCK port 5000 (vhost_vsock loaded as above;
              without it there is no QEMU column)
  floor       no VMM: a bare Unix socket pair between two threads of this
              script with the same Python echo loop, the floor the host
              side alone sets (floor-... lines)
  --vsock-rr round trips of --vsock-msg bytes, then --vsock-bulk bytes
  guest -> host and an 8-byte answer.  The host peer is a Python thread for
  both VMMs.

At the edges of each phase (the guest's GK-WANT-INPUT steps) the script
reads the VMM's CPU time: the sum of /proc/PID/task/*/schedstat (ns, every
thread, the vCPU thread's time in guest mode included: "vmm-cpu") and,
from /proc/PID/stat, utime+stime-guest_time (clock ticks: the VMM's own
work without the guest's: "vmm-own-cpu"); for QEMU with vhost the
vhost-PID kernel thread's time is added to both, since it does the
device's work.  All traffic stays on the tap inside the namespace or on
this run's sockets; the namespace is deleted at the end (also on failure,
timeout or SIGTERM).  Needs /dev/kvm, root, ip(8), /dev/net/tun: exits 77
otherwise (tests/bench/net-bench-nested runs it in the nested harness's L1).
Prints name=... ops=... ns_per_op=... lines (medians over --reps) and
cvmm/QEMU ratio lines; exits 1 when any run failed.
"""
import argparse
import ctypes
import faulthandler
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from vmmproc import cpu_sample, host_kind, load_module, proc_state

TAP = "bnt0"
SIZES = (64, 1500)
ETH_BENCH = 0x88b5
CLONE_NEWNET = 0x40000000
WINDOW = 512
GUEST_MIB = 256


def log(msg):
    print(f"net-bench: {msg}", flush=True)


def why_not(a):
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "no /dev/kvm (tests/bench/net-bench-nested runs it nested)"
    if os.geteuid() != 0:
        return "needs root (a network namespace and a tap)"
    if not shutil.which("ip"):
        return "no ip(8) (iproute2)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if not os.path.exists(os.path.join(a.kit, "gk-bench-net")):
        return f"no {a.kit}/gk-bench-net (build the guest kit)"
    return None


def ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), check=check, capture_output=True,
                          text=True).stdout


def enter_netns(name):
    """Moves this (single-threaded) process into namespace `name`; returns
    the fd of the one it was in."""
    libc = ctypes.CDLL(None, use_errno=True)
    old = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")
    os.close(fd)
    return old


def leave_netns(old):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(old, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns back")
    os.close(old)


def tap_counters():
    """(rx_packets, rx_dropped, tx_packets, tx_dropped) of the tap, as the
    namespace's kernel counts them (this process is in it)."""
    with open("/proc/self/net/dev") as f:
        for line in f:
            if line.strip().startswith(TAP + ":"):
                v = line.split(":", 1)[1].split()
                return int(v[1]), int(v[3]), int(v[9]), int(v[11])
    raise RuntimeError(f"{TAP} not in /proc/self/net/dev")


def frames_for(size, src, dst):
    hdr = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", "")) + \
        ETH_BENCH.to_bytes(2, "big")
    body = bytes((i * 7) & 0xff for i in range(size - len(hdr)))
    return hdr + body


def send_rx(sock, frame, n, timeout):
    """Sends n frames into the tap, keeping at most WINDOW ahead of what the
    VMM has read; returns (tap tx_packets, tx_dropped) deltas."""
    _, _, tx0, drop0 = tap_counters()
    sent = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, _, tx, drop = tap_counters()
        done = (tx - tx0) + (drop - drop0)
        if done >= n:
            break
        if sent < n and sent - done < WINDOW:
            for _ in range(min(WINDOW // 2, n - sent)):
                try:
                    sock.send(frame)
                    sent += 1
                except (BlockingIOError, OSError):
                    break
        else:
            time.sleep(0.001)
    _, _, tx, drop = tap_counters()
    return tx - tx0, drop - drop0, sent


def qemu_base(a, elf, append):
    return [a.qemu, "-M", "microvm,acpi=off,ioapic2=off", "-accel", "kvm", "-cpu", "host",
            "-m", f"{GUEST_MIB}M", "-smp", "1", "-nodefaults", "-no-user-config",
            "-display", "none", "-no-reboot",
            "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-device", "i8042",
            "-global", "virtio-mmio.force-legacy=false", "-kernel", elf, "-append", append]


def cvmm_base(a, elf, append):
    return [a.cvmm, "--memory", f"size_mib={GUEST_MIB}", "--vcpu", "num=1",
            "--kernel", f'path={elf},cmdline="{append}"']


def net_cmd(a, vmm, mac, peer_mac):
    append = f"console=ttyS0 gk.n={a.frames} gk.net_mac={mac} gk.net_peer_mac={peer_mac}"
    elf = os.path.join(a.kit, "gk-bench-net")
    if vmm == "cvmm":
        return cvmm_base(a, elf, append) + ["--net", f"tap={TAP},mac={mac}"]
    vhost = "on" if vmm == "qemu-vhost" else "off"
    return qemu_base(a, elf, append) + [
        "-netdev", f"tap,id=n0,ifname={TAP},script=no,downscript=no,vhost={vhost}",
        "-device", f"virtio-net-device,netdev=n0,mac={mac}"]


def drive(a, tag, cmd, vhost, on_step, tmp):
    """Runs one VMM with a kit program; at each GK-WANT-INPUT step samples
    the VMM's CPU time, lets on_step(step, sample) do the host's part, and
    answers.  Returns a dict: samples, guest (name -> (ops, ns_per_op)),
    ok, rc, wait4_cpu_ns, text, err."""
    log(f"{tag}: " + " ".join(cmd))
    errf = open(os.path.join(tmp, "vmm.stderr"), "w+b")
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errf)
    samples, out, buf = {}, b"", b""
    deadline = time.monotonic() + a.timeout
    timed_out = False
    reaped = None   # (status, rusage): wait4() here, not Popen's, for the rusage

    def sample():
        return cpu_sample(p.pid, vhost), time.monotonic()
    try:
        while True:
            if time.monotonic() > deadline:
                timed_out = True
                break
            r, _, _ = select.select([p.stdout], [], [], 1.0)
            if not r:
                if reaped is None:
                    pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                    if pid:
                        reaped = (status, ru)
                        break
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("latin-1").rstrip("\r")
                m = re.match(r"GK-WANT-INPUT (\S+) (\S+)$", line)
                if not m:
                    continue
                step, token = m.groups()
                samples[step] = sample()
                if on_step:
                    on_step(step, samples, sample)
                try:
                    p.stdin.write(token.encode() + b"\n")
                    p.stdin.flush()
                except BrokenPipeError:
                    pass    # the VMM is gone: the run fails on its own
    finally:
        if reaped is None:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if not pid:
                # Normally the VMM has closed its stdout on exit; give it
                # a moment, then kill it (timeout, or this script failing).
                for _ in range(50):
                    time.sleep(0.1)
                    pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                    if pid:
                        break
                if not pid:
                    why = f"TIMEOUT after {a.timeout} s" if timed_out else "stopped early"
                    log(f"{tag}: still running ({why}): {proc_state(p.pid)}; killing it")
                    p.kill()
                    for _ in range(300):
                        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                        if pid:
                            break
                        time.sleep(0.1)
                    if not pid:
                        log(f"{tag}: SIGKILL did not end it in 30 s: {proc_state(p.pid)}")
                        status, ru = 9, None
            reaped = (status, ru)
        status, ru = reaped
        p.returncode = os.waitstatus_to_exitcode(status) if ru else -9
    errf.seek(0)
    err = errf.read().decode(errors="replace").strip()
    errf.close()
    guest = {}
    for m in re.finditer(rb"name=(\S+) ops=(\d+) ns_per_op=(\d+)", out):
        guest[m.group(1).decode()] = (int(m.group(2)), int(m.group(3)))
    text = out.decode("latin-1")
    for line in text.splitlines():
        if line.startswith("GK bench."):
            log(f"{tag}: guest: {line.strip()}")
    want_rc = 0 if tag.startswith("cvmm") else 1     # QEMU: isa-debug-exit, 2*0+1
    ok = (not timed_out and p.returncode == want_rc and "GK-SUMMARY pass=" in text
          and " FAIL " not in text)
    return dict(samples=samples, guest=guest, ok=ok, rc=p.returncode, timed_out=timed_out,
                wait4_cpu_ns=(ru.ru_utime + ru.ru_stime) * 1e9 if ru else None,
                text=text, err=err)


def report_failure(tag, d, problems):
    log(f"{tag}: RUN FAILED: exit status {d['rc']}, timeout {d['timed_out']}, "
        f"problems {problems}")
    for line in d["text"].splitlines():
        if line.startswith("GK ") and " FAIL " in line:
            log(f"{tag}: {line}")
    if d["err"]:
        log(f"{tag}: stderr: {d['err'][-2000:]}")


def phase(samples, b, e, ops):
    """Per-op CPU (all threads, own) and wall time between two samples."""
    (c0, o0), t0 = samples[b]
    (c1, o1), t1 = samples[e]
    ops = max(ops, 1)
    return dict(cpu_ns=(c1 - c0) / ops, own_ns=(o1 - o0) / ops, wall_ns=(t1 - t0) * 1e9 / ops)


def run_net(a, vmm, mac, peer_mac, sock, tmp):
    """Boots bench-net on one VMM; returns a dict of per-phase figures."""
    taps, rxres = {}, {}

    def on_step(step, samples, sample):
        taps[step] = tap_counters()
        rm = re.match(r"bench\.net-rx-(\d+)$", step)
        if rm:
            size = int(rm.group(1))
            rxres[size] = send_rx(sock, frames_for(size, peer_mac, mac), a.frames, 60)
            samples[step + "-end"] = sample()
    d = drive(a, vmm, net_cmd(a, vmm, mac, peer_mac), vmm == "qemu-vhost", on_step, tmp)
    res = {"rc": d["rc"], "wait4_cpu_ns": d["wait4_cpu_ns"]}
    problems = []
    for size in SIZES:
        for kind in ("tx", "rx"):
            name = f"net-{kind}-{size}"
            b = f"bench.{name}-begin" if kind == "tx" else f"bench.{name}"
            e = f"bench.{name}-end"
            g = d["guest"].get(name)
            if not (b in d["samples"] and e in d["samples"] and g):
                problems.append(f"{name}: phase incomplete")
                continue
            frames = g[0]
            if kind == "tx":
                tap_rx = taps[e][0] - taps[b][0]
                extra = {"tap": tap_rx, "lost": frames - tap_rx}
                if tap_rx != frames:
                    problems.append(f"{name}: guest sent {frames}, tap received {tap_rx}")
            else:
                tap_tx, tap_drop, sent = rxres[size]
                extra = {"tap": tap_tx, "lost": sent - frames, "tap_dropped": tap_drop}
                if sent - frames != tap_drop:
                    problems.append(f"{name}: sent {sent}, guest counted {frames}, "
                                    f"tap dropped {tap_drop}")
            res[name] = dict(frames=frames, guest_ns=g[1],
                             **phase(d["samples"], b, e, frames), **extra)
    res["ok"] = d["ok"] and not problems
    if not res["ok"]:
        report_failure(vmm, d, problems)
    return res


class VsockPeer(threading.Thread):
    """The host end of bench-vsock: echoes n messages of msg bytes, reads
    bulk bytes and answers BULK-OK, then reads to end of file."""

    def __init__(self, lst, n, msg, bulk):
        super().__init__(daemon=True)
        self.lst, self.n, self.msg, self.bulk = lst, n, msg, bulk
        self.result = {}

    def readn(self, s, k):
        got = bytearray()
        while len(got) < k:
            chunk = s.recv(k - len(got))
            if not chunk:
                raise EOFError(f"end of file after {len(got)} of {k} bytes")
            got += chunk
        return bytes(got)

    def run(self):
        try:
            self.lst.settimeout(a_timeout)
            s, _ = self.lst.accept()
            s.settimeout(a_timeout)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            hold = 0.0
            for _ in range(self.n):
                data = self.readn(s, self.msg)
                t = time.monotonic()
                s.sendall(data)
                hold += time.monotonic() - t
            self.result["echoed"] = self.n
            self.result["send_ns"] = hold * 1e9 / max(self.n, 1)
            total = 0
            while total < self.bulk:
                chunk = s.recv(min(1 << 20, self.bulk - total))
                if not chunk:
                    raise EOFError(f"bulk: end of file after {total} bytes")
                total += len(chunk)
            self.result["bulk"] = total
            s.sendall(b"BULK-OK\n")
            while s.recv(65536):
                pass
            s.close()
        except Exception as e:     # reported, the run fails
            self.result["error"] = repr(e)


a_timeout = 600.0


def run_vsock(a, vmm, cid, tmp):
    port = 5000
    append = (f"console=ttyS0 gk.n={a.vsock_rr} gk.vsock_msg={a.vsock_msg} "
              f"gk.vsock_bulk={a.vsock_bulk} gk.vsock_port={port}")
    elf = os.path.join(a.kit, "gk-bench-vsock")
    if vmm == "cvmm":
        uds = os.path.join(tmp, "v.sock")
        for f in (uds, f"{uds}_{port}"):
            if os.path.exists(f):
                os.unlink(f)
        lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lst.bind(f"{uds}_{port}")
        cmd = cvmm_base(a, elf, append) + ["--vsock", f"cid={cid},uds={uds}"]
    else:
        lst = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
        lst.bind((socket.VMADDR_CID_ANY, port))
        cmd = qemu_base(a, elf, append) + ["-device", f"vhost-vsock-device,guest-cid={cid}"]
    lst.listen(1)
    peer = VsockPeer(lst, a.vsock_rr, a.vsock_msg, a.vsock_bulk)
    peer.start()
    tag = "cvmm" if vmm == "cvmm" else "qemu-vhost-vsock"
    d = drive(a, tag, cmd, vmm != "cvmm", None, tmp)
    peer.join(5)
    lst.close()
    res = {"rc": d["rc"], "wait4_cpu_ns": d["wait4_cpu_ns"],
           "peer_send_ns": peer.result.get("send_ns")}
    problems = [f"host peer: {peer.result['error']}"] if "error" in peer.result else []
    for name, b, e in ((f"vsock-rr-{a.vsock_msg}", "bench.vsock-rr-begin", "bench.vsock-rr-end"),
                       ("vsock-bulk-g2h-4k", "bench.vsock-bulk-begin", "bench.vsock-bulk-end")):
        g = d["guest"].get(name)
        if not (b in d["samples"] and e in d["samples"] and g):
            problems.append(f"{name}: phase incomplete")
            continue
        res[name] = dict(frames=g[0], guest_ns=g[1], lost=0,
                         **phase(d["samples"], b, e, g[0]))
    if peer.result.get("bulk") != a.vsock_bulk:
        problems.append(f"host read {peer.result.get('bulk')} of {a.vsock_bulk} bulk bytes")
    res["ok"] = d["ok"] and not problems
    if not res["ok"]:
        report_failure(tag, d, problems)
    return res


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def floor_rr(n, msg):
    """ns per round trip of msg bytes over a bare Unix socket pair, with the
    same Python echo loop as the VMM runs' host peer: the floor the host
    side alone sets when no AF_VSOCK peer is available."""
    x, y = socket.socketpair()

    def echo():
        for _ in range(n):
            got = b""
            while len(got) < msg:
                got += y.recv(msg - len(got))
            y.sendall(got)
    t = threading.Thread(target=echo, daemon=True)
    t.start()
    data = bytes(msg)
    t0 = time.monotonic()
    for _ in range(n):
        x.sendall(data)
        got = b""
        while len(got) < msg:
            got += x.recv(msg - len(got))
    ns = (time.monotonic() - t0) * 1e9 / n
    t.join()
    x.close()
    y.close()
    return ns


def main():
    global a_timeout
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cvmm", required=True)
    ap.add_argument("--kit", required=True, help="directory holding gk-bench-net, -vsock")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--frames", type=int, default=2000, help="frames per net phase")
    ap.add_argument("--timeout", type=float, default=600, help="per VMM run")
    ap.add_argument("--vhost", choices=("auto", "on", "off"), default="auto")
    ap.add_argument("--net", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--vsock", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--vsock-rr", type=int, default=1000, help="vsock round trips")
    ap.add_argument("--vsock-msg", type=int, default=64, help="bytes per round trip")
    ap.add_argument("--vsock-bulk", type=int, default=4 << 20, help="bulk bytes guest->host")
    ap.add_argument("--host-kind")
    a = ap.parse_args()
    a_timeout = a.timeout
    a.vsock_bulk &= ~4095
    why = why_not(a)
    if why:
        print(f"net-bench: skipped: {why}", flush=True)
        return 77
    kind = a.host_kind or host_kind()
    log(f"host kind {kind}")
    have_qemu = shutil.which(a.qemu) is not None
    net_vmms = ["cvmm"] if a.net else []
    vsock_vmms = ["cvmm"] if a.vsock else []
    if not have_qemu:
        log(f"no {a.qemu}: cvmm alone, no ratios")
    if have_qemu and a.net:
        net_vmms.append("qemu")
        if a.vhost != "off":
            if load_module("vhost_net", "/dev/vhost-net"):
                net_vmms.append("qemu-vhost")
            else:
                log("no /dev/vhost-net (vhost_net cannot be loaded): no qemu-vhost column")
                if a.vhost == "on":
                    return 1
    if have_qemu and a.vsock:
        if load_module("vhost_vsock", "/dev/vhost-vsock"):
            vsock_vmms.append("qemu-vhost")
        else:
            log("no /dev/vhost-vsock: vsock against a bare Unix socket pair (the floor) only")

    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_term)
    # Should this script itself stall, its threads' stacks say where.
    faulthandler.dump_traceback_later(a.timeout + 120, repeat=True)

    ns = "cvmm-nb-" + secrets.token_hex(4)
    mac = "52:54:00:" + ":".join(secrets.token_hex(1) for _ in range(3))
    cid = 3 + secrets.randbelow(1 << 20)
    results = {("net", v): [] for v in net_vmms}
    results.update({("vsock", v): [] for v in vsock_vmms})
    floor = []
    ip("netns", "add", ns)
    old = None
    try:
        old = enter_netns(ns)
        for k in ("default", "all"):
            with open(f"/proc/sys/net/ipv6/conf/{k}/disable_ipv6", "w") as f:
                f.write("1")
        ip("tuntap", "add", "dev", TAP, "mode", "tap")
        ip("link", "set", TAP, "up")
        peer_mac = json.loads(ip("-j", "link", "show", TAP))[0]["address"]
        log(f"namespace {ns}, tap {TAP} {peer_mac}, guest {mac}, {a.frames} frames a "
            f"phase; vsock guest CID {cid}")
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        sock.bind((TAP, 0))
        sock.setblocking(False)    # a VMM that stops reading must not stall this script
        with tempfile.TemporaryDirectory(prefix="cvmm-netbench-") as tmp:
            for rep in range(a.reps):
                for v in net_vmms:
                    r = run_net(a, v, mac, peer_mac, sock, tmp)
                    results[("net", v)].append(r)
                    log(f"rep {rep} net {v}: ok={r['ok']} " + " ".join(
                        f"{n}={r[n]['guest_ns']}ns/{r[n]['cpu_ns']:.0f}cpu/{r[n]['lost']}lost"
                        for n in sorted(r) if n.startswith("net-")))
                for v in vsock_vmms:
                    r = run_vsock(a, v, cid, tmp)
                    results[("vsock", v)].append(r)
                    log(f"rep {rep} vsock {v}: ok={r['ok']} " + " ".join(
                        f"{n}={r[n]['guest_ns']}ns/{r[n]['cpu_ns']:.0f}cpu"
                        for n in sorted(r) if n.startswith("vsock-")))
                if a.vsock:
                    floor.append(floor_rr(a.vsock_rr, a.vsock_msg))
        sock.close()
    finally:
        if old is not None:
            leave_netns(old)
        ip("netns", "del", ns, check=False)
        gone = ns not in ip("netns", "list")
        log(f"namespace {ns} {'deleted' if gone else 'STILL THERE'}")

    metrics = [("ns-per-op", "guest_ns"), ("vmm-cpu-ns-per-op", "cpu_ns"),
               ("vmm-own-cpu-ns-per-op", "own_ns")]
    meds = {}
    for (bench, v), runs in results.items():
        rs = [r for r in runs if r["ok"]]
        phases = sorted({k for r in rs for k in r if k.startswith(bench + "-")})
        for ph in phases:
            got = [r[ph] for r in rs if ph in r]
            ops = got[0]["frames"]
            for label, key in metrics:
                m = med([g[key] for g in got])
                meds[(v, ph, label)] = m
                print(f"name={v}-{ph}-{label} ops={ops} ns_per_op={m:.0f} "
                      f"reps={len(got)} host={kind}")
            m = med([g["guest_ns"] for g in got])
            if m:
                unit = "bytes-per-s" if "bulk" in ph else "ops-per-s"
                val = 4096e9 / m if "bulk" in ph else 1e9 / m
                print(f"name={v}-{ph}-{unit} value={val:.0f} host={kind}")
            if bench == "net":
                print(f"name={v}-{ph}-lost value={max(g['lost'] for g in got)} "
                      f"(max over reps, as the tap's counters show) host={kind}")
        print(f"name={v}-{bench}-runs-ok value={len(rs)}/{len(runs)} host={kind}")
    for v in vsock_vmms:
        m = med([r.get("peer_send_ns") for r in results[("vsock", v)] if r["ok"]])
        if m is not None:
            print(f"name={v}-vsock-rr-{a.vsock_msg}-host-peer-sendall-ns ops={a.vsock_rr} "
                  f"ns_per_op={m:.0f} host={kind}")
    if floor:
        print(f"name=floor-unix-socketpair-rr-{a.vsock_msg} ops={a.vsock_rr} "
              f"ns_per_op={med(floor):.0f} reps={len(floor)} host={kind}")
    peers = sorted({v for (_, v) in results if v != "cvmm"})
    for peer in peers:
        for (v, ph, label), m in sorted(meds.items()):
            q = meds.get((peer, ph, label))
            if v == "cvmm" and q:
                print(f"name=ratio-cvmm-over-{peer}-{ph}-{label} value={m / q:.3f} "
                      f"host={kind}")
    if floor and ("cvmm", f"vsock-rr-{a.vsock_msg}", "ns-per-op") in meds:
        m = meds[("cvmm", f"vsock-rr-{a.vsock_msg}", "ns-per-op")]
        print(f"name=ratio-cvmm-over-floor-vsock-rr-{a.vsock_msg} value={m / med(floor):.3f} "
              f"host={kind}")
    return 0 if all(r["ok"] for runs in results.values() for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
