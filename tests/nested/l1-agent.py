#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The nested harness's agent inside L1 (docs/testing.md, "Nested runs").

Runs the jobs the host wrote to JOBDIR/jobs.json, one after the other, in
the host's root file system as L1 sees it (with L1's own /dev/kvm).  For
each job it writes, into JOBDIR/results/:
  <id>.started    before the job starts (the host learns which job an L1
                  crash interrupted),
  <id>.log        the job's stdout and stderr,
  <id>.json       {"rc", "seconds", "timed_out"} once it ended, renamed into
                  place so the host never reads half of it,
  heartbeat       touched every HEARTBEAT_S while a job runs, so the host
                  tells a hung L1 from a slow test long before the job's
                  own timeout,
  l1-kernel-text  the address of L1's kernel _text at this boot, so the
                  host can name a hang's RIPs as offsets into the kernel.
A job that outlives its timeout first gets SIGUSR1 sent to every cvmm in L1
(cvmm prints each vCPU's state on it), then SIGTERM and SIGKILL to its
process group, so the log says where the guest was.  Jobs that already have
a result are skipped: the host restarts L1 with the same folder to retry.

A job that failed because its L2 guest triple-faulted runs once more: under
QEMU's emulated SVM, guests of cvmm and of QEMU alike triple-fault now and
then (docs/testing.md, "Reliability").  The first attempt's log is kept as
<id>.first.log and the result says so ("guest_retry"), and the host prints
it; a guest that triple-faults twice fails the job.
"""
import fcntl
import json
import os
import signal
import subprocess
import sys
import time

DUMP_GRACE_S = 3
TERM_GRACE_S = 5
HEARTBEAT_S = 2
# cvmm's stop line for a guest shutdown (vmm/cvmm/main.c, with the reason
# name of vmm/src/exit.c).
GUEST_TRIPLE_FAULT = b"guest stopped: triple-fault"


def signal_cvmm(sig):
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == "cvmm":
                    os.kill(int(pid), sig)
        except OSError:
            pass


def stop(proc):
    """Dump cvmm's state into the log, then end the job's process group."""
    signal_cvmm(signal.SIGUSR1)
    time.sleep(DUMP_GRACE_S)
    for sig, grace in ((signal.SIGTERM, TERM_GRACE_S), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        if grace is None:
            break
        try:
            proc.wait(grace)
            return
        except subprocess.TimeoutExpired:
            pass
    proc.wait()


def wait_beating(proc, timeout, results):
    """proc.wait(timeout), touching the heartbeat file while it runs."""
    deadline = time.monotonic() + timeout
    while True:
        with open(os.path.join(results, "heartbeat"), "w"):
            pass
        left = deadline - time.monotonic()
        if left <= 0:
            raise subprocess.TimeoutExpired(proc.args, timeout)
        try:
            return proc.wait(min(HEARTBEAT_S, left))
        except subprocess.TimeoutExpired:
            pass


def attempt(job, results, log_path):
    """Runs the job once into log_path; its result dict."""
    env = dict(os.environ)
    # Tests may change this throwaway VM's settings (run-cvmm --hugepages
    # raises vm.nr_hugepages); on a host they must not.
    env["CVMM_NESTED_L1"] = "1"
    env.update(job.get("env", {}))
    start = time.monotonic()
    timed_out = False
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(job["cmd"], cwd=job.get("workdir") or "/", env=env,
                                stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = wait_beating(proc, job["timeout"], results)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.write(f"\ncvmm-nested: timeout after {job['timeout']} s; "
                      "cvmm state follows (SIGUSR1)\n".encode())
            log.flush()
            stop(proc)
            rc = proc.returncode
    return {"rc": rc, "seconds": round(time.monotonic() - start, 2), "timed_out": timed_out}


def guest_triple_faulted(result, log_path):
    if result["rc"] in (0, 77) or result["timed_out"]:
        return False
    with open(log_path, "rb") as f:
        return GUEST_TRIPLE_FAULT in f.read()


def run(job, results):
    jid = job["id"]
    open(os.path.join(results, f"{jid}.started"), "w").close()
    log_path = os.path.join(results, f"{jid}.log")
    result = attempt(job, results, log_path)
    if job.get("guest_retry") and guest_triple_faulted(result, log_path):
        os.rename(log_path, os.path.join(results, f"{jid}.first.log"))
        first = result
        result = attempt(job, results, log_path)
        result["guest_retry"] = f"exit {first['rc']} after {first['seconds']:.0f} s"
    tmp = os.path.join(results, f".{jid}.json")
    with open(tmp, "w") as f:
        json.dump(result, f)
    os.rename(tmp, os.path.join(results, f"{jid}.json"))


def kernel_text(kallsyms="/proc/kallsyms"):
    """The address of this kernel's _text (moved by KASLR at each boot), or
    None where kallsyms hides it."""
    try:
        with open(kallsyms) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 3 and fields[2] == "_text":
                    addr = int(fields[0], 16)
                    return addr or None
    except (OSError, ValueError):
        pass
    return None


# <linux/kvm.h>: _IO(KVMIO, n) with KVMIO 0xAE.
KVM_CREATE_VM = 0xAE01
KVM_CREATE_VCPU = 0xAE41
KVM_CREATE_IRQCHIP = 0xAE60


def hold_kvm_keys(dev="/dev/kvm"):
    """Creates one VM with an in-kernel irqchip and one vCPU, never run, and
    returns its descriptors (kept open for L1's lifetime; None without
    KVM).  KVM turns kernel static keys on for the first VM and vCPU and
    off after the last (the scheduler's preempt notifiers, the local APIC's
    software-disabled key), and each turn patches kernel code while the
    other CPU runs it, through int3.  Under QEMU's TCG that patching hung
    L1 with both vCPUs looping in exc_int3 on the patched site in
    __schedule (docs/testing.md, "Reliability").  With this VM alive the
    keys stay on, so no VM started or stopped by a job patches anything,
    as on a host where other VMs run.  No job inherits the descriptors:
    /dev/kvm is opened close-on-exec, and KVM makes the VM's and the
    vCPU's so itself."""
    fds = []
    try:
        fds.append(os.open(dev, os.O_RDWR | os.O_CLOEXEC))
        fds.append(fcntl.ioctl(fds[0], KVM_CREATE_VM, 0))
        fcntl.ioctl(fds[1], KVM_CREATE_IRQCHIP, 0)
        fds.append(fcntl.ioctl(fds[1], KVM_CREATE_VCPU, 0))
    except OSError as e:
        print(f"l1-agent: no VM held open ({dev}: {e.strerror})", file=sys.stderr)
        for fd in fds:
            os.close(fd)
        return None
    return fds


def note_kernel_text(results, kallsyms="/proc/kallsyms"):
    """Writes results/l1-kernel-text, so that the host can name an L1 hang's
    instruction pointers as offsets into the kernel, the same at every
    boot of that kernel (run-nested)."""
    text = kernel_text(kallsyms)
    if text is not None:
        with open(os.path.join(results, "l1-kernel-text"), "w") as f:
            f.write(f"{text:#x}\n")


def main(jobdir):
    with open(os.path.join(jobdir, "jobs.json")) as f:
        jobs = json.load(f)
    results = os.path.join(jobdir, "results")
    os.makedirs(results, exist_ok=True)
    note_kernel_text(results)
    held = hold_kvm_keys()  # noqa: F841 (kept open until L1 powers off)
    for job in jobs:
        if not os.path.exists(os.path.join(results, f"{job['id']}.json")):
            run(job, results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
