#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bulk TCP through virtio-net: iperf3 in a Linux guest on cvmm against the
same guest on QEMU microvm, in the same run (docs/benchmarks.md, "Bulk TCP
with iperf3").

Usage: iperf-bench.py --cvmm PATH [--reps N] [--seconds S] [--dir tx|rx]...
                      [--vmm cvmm|qemu|qemu-vhost]... [--qemu PATH]
                      [--vhost auto|on|off] [--vcpus N] [--memory MIB]
                      [--timeout S] [--host-kind KIND]

Creates a network namespace of its own (cvmm-ib-<random>) holding a tap
(ipt0, 10.0.3.1/24) and an iperf3 server bound to that address (one test,
then it exits, -1 -J).  Each VMM boots Debian's cloud kernel with the linux
suite's busybox initramfs (tests/linux/make-initramfs.sh, with this host's
iperf3 and its libraries added) and cvmm.net=10.0.3.15/24:10.0.3.1:1
cvmm.iperf=S[:R]: /init brings eth0 up, pings once, and runs
`iperf3 -c 10.0.3.1 -t S` between two console markers.
  tx   guest -> host (the guest sends; issue 15's bulk figure)
  rx   host -> guest (iperf3 -R)
VMMs, one after the other, the tap as the backend of each:
  cvmm        --net tap=ipt0,mac=...
  qemu        microvm, -device virtio-net-device -netdev tap,...,vhost=off
  qemu-vhost  the same with vhost=on, when /dev/vhost-net exists or vhost_net
              can be loaded (tests/bench/vmmproc.py)
Throughput is what the receiving iperf3 counted: the "receiver" line of
the summary the guest's iperf3 prints (it reports both ends in either
direction), retransmits from its "sender" line.  At the two markers the script reads the VMM's CPU time
as net-bench.py does: every thread's schedstat ("vmm-cpu", the guest's own
time in its vCPU thread included) and utime+stime-guest_time ("vmm-own-cpu");
QEMU's vhost worker is added to both; cvmm is then sent SIGUSR1 and its
net counters (docs/cvmm.md, "State dump") are logged.  Per MiB received:
  name=<vmm>-iperf-<dir> ops=MiB ns_per_op=wall ns per MiB (1/throughput)
  name=<vmm>-iperf-<dir>-vmm-cpu-ns-per-op ...   name=...-vmm-own-cpu-ns-per-op
  name=<vmm>-iperf-<dir>-mbit-per-s value=...    name=...-retransmits value=...
  name=<vmm>-iperf-<dir>-tap-drops value=...  (frames the tap dropped that way)
medians over --reps, then name=ratio-cvmm-over-<peer>-... lines.  All traffic
stays in the namespace, which is deleted at the end (also on failure or
SIGTERM).  Needs /dev/kvm on which Linux userspace runs, root, ip(8),
/dev/net/tun and iperf3: exits 77 with the reason otherwise
(tests/bench/iperf-bench-nested runs it in the nested harness's L1).
Exits 1 when any run failed.
"""
import argparse
import os
import re
import secrets
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from vmmproc import cpu_sample, host_kind, load_module, proc_state

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
HOST_IP, GUEST_IP, TAP, PORT = "10.0.3.1", "10.0.3.15", "ipt0", 5201
MIB = 1 << 20
TAP_SIDE = {"tx": "rx", "rx": "tx"}     # the tap's counter for each direction


def log(msg):
    print(f"iperf-bench: {msg}", flush=True)


def why_not(a):
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "no /dev/kvm (tests/bench/iperf-bench-nested runs it nested)"
    if os.geteuid() != 0:
        return "needs root (a network namespace and a tap)"
    for tool in ("ip", "iperf3"):
        if not shutil.which(tool):
            return f"no {tool} (bash tests/install-deps.sh iproute2 iperf3)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    return None


def guest_artifacts(tmp):
    """(vmlinux, initramfs with iperf3) as the linux suite builds them."""
    out = subprocess.run(["bash", os.path.join(TOP, "tests/artifacts/fetch-debian-kernel.sh"),
                          "cloud"], check=True, capture_output=True, text=True).stdout
    art = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
    initrd = subprocess.run(
        ["bash", os.path.join(TOP, "tests/linux/make-initramfs.sh"), art["cloud-modules"],
         os.path.join(tmp, "initramfs.cpio.gz"), shutil.which("iperf3")],
        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return art["cloud-vmlinux"], initrd


def vmm_cmd(a, vmm, kernel, initrd, mac, direction):
    cmdline = (f"console=ttyS0 reboot=k panic=1 cvmm.net={GUEST_IP}/24:{HOST_IP}:1 "
               f"cvmm.iperf={a.seconds}{':R' if direction == 'rx' else ''}")
    if vmm == "cvmm":
        return [a.cvmm, "--memory", f"size_mib={a.memory}", "--vcpu", f"num={a.vcpus}",
                "--kernel", f'path={kernel},cmdline="{cmdline}"', "--initramfs",
                f"path={initrd}", "--net", f"tap={TAP},mac={mac}",
                "--platform", "virtio_cmdline=off", "--serial", "in=none"]
    vhost = "on" if vmm == "qemu-vhost" else "off"
    return [a.qemu, "-M", "microvm", "-accel", "kvm", "-cpu", "host",
            "-m", f"{a.memory}M", "-smp", str(a.vcpus), "-nodefaults", "-no-user-config",
            "-display", "none", "-no-reboot", "-serial", "stdio", "-device", "i8042",
            "-global", "virtio-mmio.force-legacy=false",
            "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
            "-netdev", f"tap,id=n0,ifname={TAP},script=no,downscript=no,vhost={vhost}",
            "-device", f"virtio-net-device,netdev=n0,mac={mac}"]


def in_ns(ns, *args, check=True):
    return subprocess.run(["ip", "netns", "exec", ns] + list(args), check=check,
                          capture_output=True, text=True).stdout


def tap_drops(ns):
    """Frames the tap dropped, host -> guest (tx: the VMM did not read them
    in time) and guest -> host (rx)."""
    return {d: int(in_ns(ns, "cat", f"/sys/class/net/{TAP}/statistics/{d}_dropped"))
            for d in ("tx", "rx")}


def start_server(ns):
    """An iperf3 server for one test, listening before this returns."""
    srv = subprocess.Popen(["ip", "netns", "exec", ns, "iperf3", "-s", "-1", "-J",
                            "-B", HOST_IP, "-p", str(PORT)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    listen = f"{PORT:04X} 00000000:0000 0A"
    for _ in range(100):
        if any(listen in line for line in in_ns(ns, "cat", "/proc/net/tcp").splitlines()):
            return srv
        time.sleep(0.1)
    srv.kill()
    raise RuntimeError("iperf3 -s did not listen within 10 s")


def stop_server(srv):
    """The server has normally ended after its one test; its output."""
    try:
        out, _ = srv.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        srv.kill()
        out, _ = srv.communicate()
    return out.decode(errors="replace")


SUMMARY = re.compile(r"\[\s*\d+\]\s+[\d.]+-([\d.]+)\s+sec\s+([\d.]+) ([KMG]?)Bytes\s+"
                     r"[\d.]+ Mbits/sec\s+(\d+\s+)?(sender|receiver)")
UNIT = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def client_result(text):
    """The receiver's count from the guest's iperf3 summary (the client
    prints both ends' totals in either direction), or None."""
    got = {m.group(5): m for m in SUMMARY.finditer(text)}
    if "receiver" not in got:
        return None
    rx = got["receiver"]
    retr = got["sender"].group(4) if "sender" in got else None
    return dict(bytes=float(rx.group(2)) * UNIT[rx.group(3)], seconds=float(rx.group(1)),
                retransmits=int(retr) if retr else 0)


# The guest's counters worth a line per boot: its receive errors and drops,
# segments that came out of order or twice (DSACKs it sent: the sender
# retransmitted what had arrived), and what its receive queue threw away.
GUEST_COUNTERS = ("Tcp:InErrs", "Tcp:InCsumErrors", "TcpExt:TCPOFOQueue",
                  "TcpExt:TCPOFODrop", "TcpExt:TCPDSACKOldSent", "TcpExt:TCPDSACKOfoSent",
                  "TcpExt:TCPRcvQDrop", "TcpExt:TCPBacklogDrop", "TcpExt:PruneCalled",
                  "TcpExt:RcvPruned", "TcpExt:OfoPruned", "IpExt:InCsumErrors",
                  "Eth0:rx_dropped", "Eth0:rx_errors")


def guest_counters(text):
    """{'Group:Name': value} from the guest's CVMM-NETSTAT block: /proc/net
    tables as a header line and a value line per group, then Eth0 lines."""
    m = re.search(r"CVMM-NETSTAT-START\r?\n(.*?)CVMM-NETSTAT-END", text, re.S)
    if not m:
        return {}
    got, heads = {}, {}
    for line in m.group(1).splitlines():
        group, _, rest = line.partition(":")
        fields = rest.split()
        if group == "Eth0" and len(fields) == 2:
            got[f"Eth0:{fields[0]}"] = int(fields[1])
        elif fields and not fields[0].lstrip("-").isdigit():
            heads[group] = fields
        elif group in heads:
            got.update((f"{group}:{k}", int(v)) for k, v in zip(heads[group], fields)
                       if v.lstrip("-").isdigit())
    return got


def watch_console(a, p, vmm):
    """Reads the console to the end; CPU samples at the iperf markers."""
    vhost = vmm == "qemu-vhost"
    out, samples = b"", {}
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 1.0)
        if not r:
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            return out, samples, False
        out += chunk
        for mark in (b"CVMM-IPERF-START", b"CVMM-IPERF-END"):
            if mark in out and mark not in samples:
                samples[mark] = cpu_sample(p.pid, vhost)
                if vmm == "cvmm" and mark.endswith(b"END"):
                    p.send_signal(signal.SIGUSR1)   # its counters (dump line)
    log(f"TIMEOUT after {a.timeout} s: {proc_state(p.pid)}")
    if vmm == "cvmm":
        out += dump_state(p)
    return out, samples, True


def dump_state(p):
    """cvmm prints each vCPU's RIP and exit counts on SIGUSR1 (docs/cvmm.md);
    what it printed within 3 s."""
    p.send_signal(signal.SIGUSR1)
    got, end = b"", time.monotonic() + 3
    while time.monotonic() < end:
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        chunk = os.read(p.stdout.fileno(), 65536) if r else b""
        if r and not chunk:
            break
        got += chunk
    return got


def stop(p):
    """The VMM has normally ended on the guest's reboot: 2 s, then SIGKILL."""
    try:
        return p.wait(timeout=2)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait()


def run_once(a, ns, vmm, kernel, initrd, mac, direction):
    """One boot; a dict of the run's figures with ok=True, or ok=False."""
    srv = start_server(ns)
    drops0 = tap_drops(ns)
    cmd = vmm_cmd(a, vmm, kernel, initrd, mac, direction)
    log(f"{vmm} {direction}: " + " ".join(cmd))
    p = subprocess.Popen(["ip", "netns", "exec", ns] + cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, samples, timed_out = watch_console(a, p, vmm)
    finally:
        rc = stop(p)
    server_out = stop_server(srv)
    drops = {d: n - drops0[d] for d, n in tap_drops(ns).items()}
    text = out.decode("latin-1")
    res = client_result(text)
    end_ok = "CVMM-IPERF-END: 0" in text
    ok = (not timed_out and rc == 0 and end_ok and res is not None and res["bytes"] > 0
          and len(samples) == 2)
    if not ok:
        log(f"{vmm} {direction}: RUN FAILED: exit {rc}, timeout {timed_out}, "
            f"iperf3 end {'0' if end_ok else 'missing or non-zero'}, result {res}")
        log(f"server: {server_out[-1500:]}")
        sys.stdout.write(text[-4000:])
        return dict(ok=False)
    mib = res["bytes"] / MIB
    (c0, o0), (c1, o1) = samples[b"CVMM-IPERF-START"], samples[b"CVMM-IPERF-END"]
    r = dict(ok=True, mib=mib, wall_ns=res["seconds"] * 1e9 / mib, cpu_ns=(c1 - c0) / mib,
             own_ns=(o1 - o0) / mib, mbit=res["bytes"] * 8 / res["seconds"] / 1e6,
             retransmits=res["retransmits"], tap_drops=drops[TAP_SIDE[direction]])
    counters = re.search(r"cvmm: dump: .*?(net_rx=.*)", text)
    log(f"{vmm} {direction}: {r['mbit']:.1f} Mbit/s, {r['mib']:.1f} MiB, "
        f"{r['cpu_ns'] / 1e6:.2f} ms VMM CPU per MiB, {r['retransmits']} retransmits, "
        f"tap drops {drops}" + (f", cvmm {counters.group(1)}" if counters else ""))
    guest = guest_counters(text)
    log(f"{vmm} {direction}: guest " + (" ".join(f"{k}={guest[k]}" for k in GUEST_COUNTERS
                                                 if k in guest) or "counters missing"))
    return r


def peers(a):
    vmms = ["cvmm"]
    if not shutil.which(a.qemu):
        log(f"no {a.qemu}: cvmm alone, no ratios")
        return vmms
    vmms.append("qemu")
    if a.vhost != "off":
        if load_module("vhost_net", "/dev/vhost-net"):
            vmms.append("qemu-vhost")
        else:
            log("no /dev/vhost-net (vhost_net cannot be loaded): no qemu-vhost column")
            if a.vhost == "on":
                raise SystemExit(1)
    return vmms


def make_namespace():
    ns = "cvmm-ib-" + secrets.token_hex(4)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    in_ns(ns, "ip", "tuntap", "add", "dev", TAP, "mode", "tap")
    in_ns(ns, "ip", "addr", "add", f"{HOST_IP}/24", "dev", TAP)
    in_ns(ns, "ip", "link", "set", TAP, "up")
    in_ns(ns, "ip", "link", "set", "lo", "up")
    return ns


def report(results, kind):
    metrics = (("", "wall_ns"), ("-vmm-cpu-ns-per-op", "cpu_ns"),
               ("-vmm-own-cpu-ns-per-op", "own_ns"))
    meds = {}
    for (vmm, d), runs in sorted(results.items()):
        good = [r for r in runs if r["ok"]]
        print(f"name={vmm}-iperf-{d}-runs-ok value={len(good)}/{len(runs)} host={kind}")
        if not good:
            continue
        mib = statistics.median(r["mib"] for r in good)
        for suffix, key in metrics:
            m = meds[(vmm, d, suffix)] = statistics.median(r[key] for r in good)
            print(f"name={vmm}-iperf-{d}{suffix} ops={mib:.0f} ns_per_op={m:.0f} "
                  f"reps={len(good)} host={kind}")
        print(f"name={vmm}-iperf-{d}-mbit-per-s value="
              f"{statistics.median(r['mbit'] for r in good):.1f} host={kind}")
        for key in ("retransmits", "tap_drops"):
            print(f"name={vmm}-iperf-{d}-{key.replace('_', '-')} value="
                  f"{statistics.median(r[key] for r in good):.0f} host={kind}")
    for (vmm, d, suffix), m in sorted(meds.items()):
        for peer in ("qemu", "qemu-vhost"):
            q = meds.get((peer, d, suffix))
            if vmm == "cvmm" and q:
                label = suffix or "-ns-per-op"
                print(f"name=ratio-cvmm-over-{peer}-iperf-{d}{label} value={m / q:.3f} "
                      f"host={kind}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cvmm", required=True)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10, help="iperf3 -t")
    ap.add_argument("--dir", action="append", choices=("tx", "rx"),
                    help="tx: guest -> host, rx: host -> guest (default both)")
    ap.add_argument("--vhost", choices=("auto", "on", "off"), default="auto")
    ap.add_argument("--vmm", action="append", choices=("cvmm", "qemu", "qemu-vhost"),
                    help="only these VMMs (default: cvmm and every QEMU column available)")
    ap.add_argument("--vcpus", type=int, default=1)
    ap.add_argument("--memory", type=int, default=512, help="guest MiB")
    ap.add_argument("--timeout", type=float, default=600, help="per boot")
    ap.add_argument("--host-kind")
    a = ap.parse_args()
    why = why_not(a)
    if why:
        print(f"iperf-bench: skipped: {why}", flush=True)
        return 77
    kind = a.host_kind or host_kind()
    dirs = a.dir or ["tx", "rx"]
    vmms = [v for v in peers(a) if not a.vmm or v in a.vmm]
    log(f"host kind {kind}; VMMs {' '.join(vmms)}; directions {' '.join(dirs)}; "
        f"{a.seconds} s each, {a.reps} reps")

    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_term)
    mac = "52:54:00:" + ":".join(secrets.token_hex(1) for _ in range(3))
    results = {(v, d): [] for v in vmms for d in dirs}
    ns = make_namespace()
    try:
        with tempfile.TemporaryDirectory(prefix="cvmm-iperf-") as tmp:
            kernel, initrd = guest_artifacts(tmp)
            for rep in range(a.reps):
                for d in dirs:
                    for v in vmms:
                        results[(v, d)].append(run_once(a, ns, v, kernel, initrd, mac, d))
    finally:
        subprocess.run(["ip", "netns", "del", ns])
        gone = ns not in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                        text=True).stdout
        log(f"namespace {ns} {'deleted' if gone else 'STILL THERE'}")
    report(results, kind)
    return 0 if all(r["ok"] for runs in results.values() for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
