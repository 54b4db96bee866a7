#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the nested harness's L1 agent on this host, without L1: a job whose
guest triple-faults runs once more (and only once, and only when the job
allows it), with the first attempt's log kept; other failures never rerun;
the idle VM it holds for L1's lifetime is not held, and leaks nothing,
where there is no KVM."""
import fcntl
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
from harness_checks import HERE, load  # noqa: E402

# A stand-in for a test: it counts its attempts in a file and, while the
# count is below FAILS, prints cvmm's stop line for a triple fault (or
# another failure) and exits 4.
FAKE_TEST = r'''
n=$(($(cat "$1" 2>/dev/null || echo 0) + 1)); echo $n > "$1"
if [ $n -le "$2" ]; then echo "attempt $n"; echo "cvmm: guest stopped: $3 (exit code 4)" >&2; exit 4; fi
echo "attempt $n passed"
'''


def run_agent(jobs):
    """Runs l1-agent.py on jobs; returns {id: (result, log, first_log)}."""
    with tempfile.TemporaryDirectory() as jobdir:
        for j in jobs:
            counter = os.path.join(jobdir, f"count-{j['id']}")
            j["cmd"] = ["sh", "-c", FAKE_TEST, "fake", counter, str(j.pop("fails")), j.pop("stop")]
            j.update(name=j["id"], workdir=jobdir, env={}, timeout=60, tap=False)
        with open(os.path.join(jobdir, "jobs.json"), "w") as f:
            json.dump(jobs, f)
        subprocess.run([sys.executable, os.path.join(HERE, "l1-agent.py"), jobdir], check=True)
        out = {}
        for j in jobs:
            base = os.path.join(jobdir, "results", j["id"])
            with open(base + ".json") as f:
                result = json.load(f)
            with open(base + ".log") as f:
                log = f.read()
            first = None
            if os.path.exists(base + ".first.log"):
                with open(base + ".first.log") as f:
                    first = f.read()
            out[j["id"]] = (result, log, first)
        return out


def expect(cond, what):
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)


def open_fds():
    return set(os.listdir("/proc/self/fd"))


def check_hold_kvm_keys():
    """The agent's idle VM: nothing held and nothing leaked without KVM;
    where /dev/kvm works (not needed), a VM, an irqchip and a vCPU, each
    descriptor close-on-exec so no job inherits it."""
    agent = load("l1-agent.py")
    before = open_fds()
    expect(agent.hold_kvm_keys("/nonexistent/kvm") is None, "hold: no device, no VM")
    expect(agent.hold_kvm_keys("/dev/null") is None, "hold: not KVM, no VM")
    expect(open_fds() == before, "hold: the failed attempts leave no descriptor open")
    held = agent.hold_kvm_keys()
    if held is None:
        return
    expect(len(held) == 3, f"hold: /dev/kvm, the VM and its vCPU: {held}")
    for fd in held:
        expect(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC, f"hold: fd {fd} close-on-exec")
        os.close(fd)


def main():
    check_hold_kvm_keys()
    tf = "triple-fault: vCPU 1: triple fault"
    got = run_agent([
        {"id": "once", "fails": 1, "stop": tf, "guest_retry": True},
        {"id": "twice", "fails": 2, "stop": tf, "guest_retry": True},
        {"id": "other", "fails": 1, "stop": "internal: oops", "guest_retry": True},
        {"id": "off", "fails": 1, "stop": tf, "guest_retry": False},
        {"id": "pass", "fails": 0, "stop": tf, "guest_retry": True},
    ])
    r, log, first = got["once"]
    expect(r["rc"] == 0 and r["guest_retry"] == "exit 4 after 0 s", f"once: {r}")
    expect("attempt 2 passed" in log and "attempt 1" in first and "triple-fault" in first,
           "once: the retry's log, and the first attempt's kept")
    r, log, first = got["twice"]
    expect(r["rc"] == 4 and "guest_retry" in r and "attempt 2" in log and "attempt 3" not in log,
           f"twice: one retry only, and the job fails: {r}")
    for jid in ("other", "off"):
        r, log, first = got[jid]
        expect(r["rc"] == 4 and "guest_retry" not in r and first is None and "attempt 1" in log,
               f"{jid}: no retry: {r}")
    r, log, first = got["pass"]
    expect(r["rc"] == 0 and "guest_retry" not in r and first is None, f"pass: {r}")
    print("l1-agent: every check passed")


if __name__ == "__main__":
    main()
