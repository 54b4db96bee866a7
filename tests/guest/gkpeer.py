# SPDX-License-Identifier: MIT
"""What the cvmm runners of the kit's peer programs (run-cvmm-net,
run-cvmm-vsock) share: the reasons to skip, booting one kit program on cvmm
with extra device options while the runner's host side reacts to the
guest's lines, the serial-input writer that threads may use, and the
closing report.  The serial protocol and checks themselves are gkhost.py's.
"""
import os
import signal
import subprocess
import tempfile
import threading
import time

import gkhost

SKIP = 77


def no_kvm():
    """Why cvmm cannot run here, or None (the kit needs only /dev/kvm)."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "no /dev/kvm (run it nested: tests/nested/run-nested --test NAME)"
    return None


def term_as_exit():
    """SIGTERM (the nested agent's timeout, meson's) unwinds like Ctrl-C, so
    every `finally` that removes a namespace or a socket still runs."""
    def raise_exit(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, raise_exit)


class Serial:
    """The guest's serial input, written by the runner's threads."""

    def __init__(self, proc):
        self.proc = proc
        self.lock = threading.Lock()

    def line(self, text):
        with self.lock:
            try:
                self.proc.stdin.write(text.encode("latin-1") + b"\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass    # cvmm already gone: the run fails on its own


def boot(tag, cmd, timeout, on_line_factory):
    """Runs cmd (cvmm with the kit program), drives the serial protocol.

    on_line_factory(serial) gives the runner's line hook, which may answer
    GK-WANT-INPUT lines later through serial.line().  Returns (run, rc,
    seconds, cvmm's stderr)."""
    print(f"{tag}: " + " ".join(cmd), flush=True)
    run = gkhost.Run()
    t0 = time.monotonic()
    # stderr goes to a file, not a pipe nobody reads while the guest runs:
    # cvmm's log lines must never block it on a full pipe.
    with tempfile.TemporaryFile() as errf:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=errf)
        try:
            rc = gkhost.drive(proc, run, timeout,
                              on_timeout=lambda p: gkhost.cvmm_state_dump(p, tag),
                              on_line=on_line_factory(Serial(proc)))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        errf.seek(0)
        err = errf.read().decode(errors="replace").strip()
    secs = time.monotonic() - t0
    if err:
        print(f"{tag}: cvmm stderr:\n{err}", flush=True)
    gkhost.check_summary(run)
    run.add("host.vm-end", "PASS" if rc == 0 else "FAIL",
            f"cvmm exit status {rc}, expected 0 (guest reset)")
    return run, rc, secs, err


def check(run, name, ok, detail):
    run.add(name, "PASS" if ok else "FAIL", detail)


def finish(tag, run, program, secs):
    """The closing line of run-cvmm's form; the exit code."""
    n = {k: sum(1 for r in run.results if r[1] == k) for k in ("PASS", "FAIL", "SKIP")}
    print(f"{tag}: {program} vcpus=1 pass={n['PASS']} fail={n['FAIL']} "
          f"skip={n['SKIP']} seconds={secs:.2f}", flush=True)
    for name, res, detail in run.results:
        if res == "FAIL":
            print(f"{tag}: FAILED {name}: {detail}", flush=True)
    return 0 if n["FAIL"] == 0 and n["PASS"] > 0 else 1
