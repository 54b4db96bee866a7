# SPDX-License-Identifier: MIT
"""What the host benchmarks read of the host and of a running VMM process:
the host kind, the VMM's CPU time (every thread, and QEMU's vhost worker),
its threads' states, and the kernel modules a peer VMM needs
(tests/bench/system-bench.py, net-bench.py, iperf-bench.py;
docs/benchmarks.md)."""
import glob
import os
import subprocess

TICK = 1e9 / os.sysconf("SC_CLK_TCK")
TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def log(msg):
    print(f"vmmproc: {msg}", flush=True)


def host_kind():
    """direct, kvm-pvm, nested or none, as tests/host-kind.sh says."""
    out = subprocess.run(["bash", os.path.join(TOP, "tests/host-kind.sh")],
                         capture_output=True, text=True).stdout
    return out.split("\t", 1)[0].strip() or "unknown"


def load_module(name, dev):
    """True when device node dev is there or module name could be loaded."""
    if os.path.exists(dev):
        return True
    if subprocess.run(["modprobe", name], capture_output=True).returncode == 0 \
            and os.path.exists(dev):
        return True
    # The nested harness's L1 has only the modules it needs in its initramfs;
    # the unpacked Debian package it came from is visible on the host's root.
    rel = os.uname().release
    cache = os.environ.get("CVMM_CACHE", os.path.expanduser("~/.cache/cvmm"))
    for mods in sorted(set(glob.glob(f"{cache}/kernels/*/lib/modules/{rel}") +
                           glob.glob(f"/root/.cache/cvmm/kernels/*/lib/modules/{rel}"))):
        def ko(mod):
            for n in (mod, mod.replace("_", "-")):
                hit = glob.glob(f"{mods}/kernel/**/{n}.ko", recursive=True)
                if hit:
                    return hit[0]
            return None

        def insmod(mod, seen):
            mod = mod.replace("-", "_")
            if mod in seen or os.path.exists(f"/sys/module/{mod}"):
                return True
            seen.add(mod)
            f = ko(mod)
            if not f:
                return False
            deps = subprocess.run(["modinfo", "-F", "depends", f], capture_output=True,
                                  text=True).stdout.strip()
            for d in filter(None, deps.split(",")):
                if not insmod(d, seen):
                    return False
            r = subprocess.run(["insmod", f], capture_output=True, text=True)
            log(f"insmod {f}: {'ok' if r.returncode == 0 else r.stderr.strip()}")
            return r.returncode == 0
        if insmod(name, set()):
            break
    return os.path.exists(dev)


def vhost_threads(pid):
    out = []
    for d in glob.glob("/proc/[0-9]*/comm"):
        try:
            with open(d) as f:
                if f.read().strip() == f"vhost-{pid}":
                    out.append(d.split("/")[2])
        except OSError:
            pass
    return out


def proc_state(pid):
    """Each thread's state and wait channel: where a stuck VMM sits."""
    out = []
    for t in sorted(glob.glob(f"/proc/{pid}/task/*")):
        try:
            with open(f"{t}/stat") as f:
                st = f.read().rsplit(")", 1)[1].split()[0]
            with open(f"{t}/wchan") as f:
                wchan = f.read().strip() or "-"
            with open(f"{t}/comm") as f:
                comm = f.read().strip()
            out.append(f"{comm}:{st}:{wchan}")
        except OSError:
            pass
    return " ".join(out) or "gone"


def cpu_sample(pid, vhost):
    """(ns on CPU of every thread [+ vhost worker], ns of utime+stime-guest_time)."""
    total = 0
    for t in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(t) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    with open(f"/proc/{pid}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    own = (int(st[11]) + int(st[12]) - int(st[40])) * TICK
    if vhost:
        for tid in vhost_threads(pid):
            try:
                with open(f"/proc/{tid}/schedstat") as f:
                    ns = int(f.read().split()[0])
                total += ns
                own += ns
            except OSError:
                pass
    return total, own
