#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Snapshot-create and restore-to-first-guest-instruction times of cvmm.

Usage: snapshot-bench.py --cvmm PATH --guest gk-bench-snap [--repeat N]
                         [--sizes 256,2048] [--touch-mib M]

For each guest size (MiB) and each of N repetitions, through the control
API on --api-sock (raw HTTP over the Unix socket, timed in this process
with CLOCK_MONOTONIC):

 1. a cvmm boots the guest kit's bench-snap (1 vCPU), which dirties
    --touch-mib MiB of RAM and then writes serial bytes without end;
    once bytes flow: PATCH /vm Paused, then
    snapshot-create = PUT /snapshot/create sent -> its 204 received
    (state file + memory file, zero pages left as holes); cvmm is killed;
 2. a new cvmm is started and, once its socket exists:
    restore-first-insn = PUT /snapshot/load {resume_vm: true} sent -> the
    first console byte read from cvmm's stdout pipe.  The guest was paused
    inside its write loop, so that byte is written by its first loop
    iteration after the restore: the guest's first instructions, late by
    at most one iteration (two port exits; serial-byte-interval below is
    that iteration measured while the guest runs);
    restore-load = the same request sent -> its 204 (state parse, memory
    file mapped MAP_PRIVATE, KVM VM, devices, vCPUs, resume);
    process-to-first-insn = cvmm started -> the first console byte
    (process start-up and socket creation included);
    restored-run-check: 200 more bytes must follow in the guest's pattern.

Prints one line per measurement and size:
  name=snapshot-create-256m ops=N ns_per_op=MEDIAN min_ns=.. max_ns=..
plus ratio lines against Firecracker's published restore time (about
30 ms for a small x86 guest) and per-GiB times.  Exits 77 without
/dev/kvm.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

FIRECRACKER_RESTORE_NS = 30_000_000
TAG = "snapshot-bench"


def now():
    return time.monotonic_ns()


def http(sock, method, path, body=None):
    """One request, Connection: close.  Returns (status, body, t_sent, t_done)."""
    data = json.dumps(body).encode() if body is not None else b""
    head = (f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    t0 = now()
    s.sendall(head.encode() + data)
    resp = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        resp += chunk
        h, sep, rest = resp.partition(b"\r\n\r\n")
        if sep:
            clen = 0
            for line in h.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    clen = int(v)
            if len(rest) >= clen:
                break
    t1 = now()
    s.close()
    status = int(resp.split(b" ", 2)[1]) if resp else 0
    return status, resp.partition(b"\r\n\r\n")[2].decode(errors="replace"), t0, t1


class Console:
    """Reads cvmm's stdout pipe; notes when the first byte and n bytes came."""

    def __init__(self, proc):
        self.data = bytearray()
        self.first_ns = None
        self.cond = threading.Condition()
        self.t = threading.Thread(target=self._run, args=(proc.stdout,), daemon=True)
        self.t.start()

    def _run(self, f):
        fd = f.fileno()
        while True:
            b = os.read(fd, 65536)
            t = now()
            with self.cond:
                if not b:
                    self.cond.notify_all()
                    return
                if self.first_ns is None:
                    self.first_ns = t
                self.data += b
                self.cond.notify_all()

    def wait(self, pred, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while not pred(self):
                left = end - time.monotonic()
                if left <= 0 or not self.t.is_alive():
                    return pred(self)
                self.cond.wait(left)
            return True


def start_cvmm(cvmm, sock):
    t0 = now()
    p = subprocess.Popen([cvmm, "--api-sock", sock, "--serial", "out=stdout,in=none"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    con = Console(p)
    for _ in range(2000):
        if os.path.exists(sock) or p.poll() is not None:
            break
        time.sleep(0.001)
    return p, con, t0


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
    p.wait()


def one(a, tmp, mib, i):
    """One snapshot + restore; returns a dict of ns values or raises."""
    # Fresh names: a cvmm killed with SIGKILL leaves its socket behind, and
    # cvmm refuses an existing path.
    sock = os.path.join(tmp, f"a{mib}-{i}.sock")
    state, mem = os.path.join(tmp, "vm.state"), os.path.join(tmp, "vm.mem")
    p, con, _ = start_cvmm(a.cvmm, sock)
    try:
        cmd = f"console=ttyS0 gk.touch_mib={a.touch_mib}"
        for path, body in (("/boot-source", {"kernel_image_path": a.guest, "boot_args": cmd}),
                           ("/machine-config", {"vcpu_count": 1, "mem_size_mib": mib}),
                           ("/actions", {"action_type": "InstanceStart"})):
            code, text, _, _ = http(sock, "PUT", path, body)
            if code != 204:
                raise RuntimeError(f"PUT {path}: {code} {text}")
        # Bytes flowing: the dirtying is done and the write loop runs.
        if not con.wait(lambda c: c.data.count(b"\n") > 40 and b"BENCH-SNAP" in c.data, 120):
            raise RuntimeError(f"guest output did not flow: {bytes(con.data[-300:])!r}")
        n0, t0 = len(con.data), now()
        con.wait(lambda c: len(c.data) >= n0 + 400, 60)
        interval = (now() - t0) // max(1, len(con.data) - n0)
        code, text, _, _ = http(sock, "PATCH", "/vm", {"state": "Paused"})
        if code != 204:
            raise RuntimeError(f"pause: {code} {text}")
        code, text, c0, c1 = http(sock, "PUT", "/snapshot/create", {
            "snapshot_type": "Full", "snapshot_path": state, "mem_file_path": mem})
        if code != 204:
            raise RuntimeError(f"snapshot: {code} {text}")
    finally:
        stop(p)
    mem_blocks = os.stat(mem).st_blocks * 512
    sock2 = os.path.join(tmp, f"b{mib}-{i}.sock")
    p, con, tstart = start_cvmm(a.cvmm, sock2)
    try:
        code, text, l0, l1 = http(sock2, "PUT", "/snapshot/load", {
            "snapshot_path": state,
            "mem_backend": {"backend_type": "File", "backend_path": mem},
            "resume_vm": True})
        if code != 204:
            raise RuntimeError(f"load: {code} {text}")
        if not con.wait(lambda c: len(c.data) >= 200, 60):
            raise RuntimeError("no console byte after the restore")
        first = con.first_ns
        out = bytes(con.data[:200])
        # The guest's pattern goes on: letters, a newline every 64 bytes.
        ok = all(ch == 10 or 97 <= ch < 97 + 26 for ch in out) and b"BENCH" not in out
        if not ok:
            raise RuntimeError(f"restored output is not the guest's loop: {out[:80]!r}")
    finally:
        stop(p)
    for f in (state, mem):
        os.unlink(f)
    return {"snapshot-create": c1 - c0, "restore-first-insn": first - l0,
            "restore-load": l1 - l0, "process-to-first-insn": first - tstart,
            "serial-byte-interval": interval, "mem-file-allocated": mem_blocks}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cvmm", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sizes", default="256,2048")
    ap.add_argument("--touch-mib", type=int, default=64)
    ap.add_argument("--tmp", default=None, help="folder for the snapshot files")
    a = ap.parse_args()
    a.guest = os.path.abspath(a.guest)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print(f"{TAG}: skipped: no /dev/kvm", flush=True)
        return 77
    kind = subprocess.run(["bash", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                "..", "host-kind.sh")],
                          capture_output=True, text=True).stdout.strip()
    print(f"{TAG}: host {kind or 'unknown'}; {a.repeat} runs per size; guest dirties "
          f"{a.touch_mib} MiB", flush=True)
    tmp = tempfile.mkdtemp(prefix="cvmm-snapbench-", dir=a.tmp)
    rc = 0
    try:
        for mib in [int(s) for s in a.sizes.split(",")]:
            runs = []
            for i in range(a.repeat):
                try:
                    runs.append(one(a, tmp, mib, i))
                except Exception as e:  # a failed run is reported, not hidden
                    print(f"{TAG}: FAIL size={mib}m run={i}: {e}", flush=True)
                    rc = 1
            if not runs:
                continue
            tag = f"{mib}m" if mib < 1024 else f"{mib // 1024}g"
            med = {}
            for k in runs[0]:
                v = sorted(r[k] for r in runs)
                med[k] = statistics.median(v)
                if k == "mem-file-allocated":
                    print(f"name={k}-{tag} ops={len(v)} bytes={int(med[k])}", flush=True)
                    continue
                print(f"name={k}-{tag} ops={len(v)} ns_per_op={int(med[k])} "
                      f"min_ns={v[0]} max_ns={v[-1]}", flush=True)
            gib = mib / 1024
            print(f"name=restore-first-insn-{tag}-vs-firecracker ratio="
                  f"{med['restore-first-insn'] / FIRECRACKER_RESTORE_NS:.2f}", flush=True)
            print(f"name=snapshot-create-{tag}-per-gib ns_per_gib="
                  f"{int(med['snapshot-create'] / gib)}", flush=True)
            print(f"name=restore-first-insn-{tag}-per-gib ns_per_gib="
                  f"{int(med['restore-first-insn'] / gib)}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
