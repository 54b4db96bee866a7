#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# SIGTERM, SIGINT and SIGHUP before the VM exists end cvmm --api-sock with
# 128+N (docs/api.md "Threads"), even while the API thread is in the middle
# of requests that go to the VM thread: pipelined PUT /snapshot/load of a
# missing file, and pipelined InstanceStart of a kernel that does not
# exist.  Each is refused before /dev/kvm is opened, so no KVM is needed.
# A hang fails the case after TIMEOUT seconds (the process is then killed),
# and the socket path must be gone after the exit.
#
# usage: check-api-signal.py CVMM
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT = 5.0
TRIALS = 4


def request(path, body):
    b = body.encode()
    return b"PUT %s HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (path.encode(), len(b), b)


LOAD = request("/snapshot/load",
               '{"snapshot_path":"/nonexistent/s","mem_file_path":"/nonexistent/m"}')
BOOT = request("/boot-source", '{"kernel_image_path":"/nonexistent/vmlinux"}')
START = request("/actions", '{"action_type":"InstanceStart"}')


def connect(path, proc):
    """A connection to the API socket once cvmm listens on it, or None.
    The path appears at bind(), a moment before listen(): until then a
    connect() is refused, so it is tried again."""
    deadline = time.monotonic() + TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            c.connect(path)
            return c
        except (FileNotFoundError, ConnectionRefusedError):
            c.close()
            time.sleep(0.005)
    return None


def trial(cvmm, tmp, name, payload, signo, delay):
    """One cvmm; payload pipelined on one connection, then signo.
    Returns an error line, or None."""
    sock = os.path.join(tmp, "api.sock")
    p = subprocess.Popen([cvmm, "--api-sock", sock], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        c = connect(sock, p)
        if c is None:
            return f"{name}: cvmm never listened on {sock}"
        c.sendall(payload)
        time.sleep(delay)
        p.send_signal(signo)
        try:
            rc = p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return (f"{name}: {signal.Signals(signo).name} after {delay * 1000:.0f} ms: "
                    f"no exit within {TIMEOUT:.0f} s (hang)")
        finally:
            c.close()
        want = 128 + signo
        if rc != want:
            return f"{name}: {signal.Signals(signo).name}: exit {rc}, expected {want}"
        if os.path.exists(sock):
            return f"{name}: the socket {sock} is still there after the exit"
        return None
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stderr.close()
        try:
            os.unlink(sock)
        except FileNotFoundError:
            pass


def main():
    cvmm = sys.argv[1]
    # About 40 KiB of requests: more than one read, each a round trip to
    # the VM thread.
    loads = LOAD * (40000 // len(LOAD))
    starts = BOOT + START * (40000 // len(START))
    cases = [("pipelined snapshot loads", loads, s)
             for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)]
    cases.append(("pipelined InstanceStart", starts, signal.SIGTERM))
    tmp = tempfile.mkdtemp(prefix="cvmm-api-signal-")
    failures = []
    try:
        for name, payload, signo in cases:
            for t in range(TRIALS):
                err = trial(cvmm, tmp, name, payload, signo, 0.002 * t)
                if err:
                    failures.append(err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    print(f"{len(cases) * TRIALS - len(failures)}/{len(cases) * TRIALS} exited as documented")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
