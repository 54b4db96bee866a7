#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""System benchmarks of cvmm against QEMU microvm, same guest-kit programs,
same run (issue 8; docs/benchmarks.md).

Usage: system-bench.py --cvmm PATH --kit DIR [--cvmm-static PATH]
                       [--cvmm-dynamic PATH] [--cvmm-also LABEL=PATH]...
                       [--hugepages] [--reps N] [--warmup N]
                       [--qemu PATH] [--linux | --no-linux] [--host-kind KIND]
                       [--workloads startup,serial,blk,linux]

--workloads runs a subset, e.g. --workloads startup --reps 21 for startup
medians over many runs without the longer workloads in between.

--cvmm-static runs a static cvmm (the build's
jailer/tests/cvmm-static-for-jailer when --cvmm is dynamic) as a third VMM
with every workload, so the dynamic and the static executable are compared
in the same run; --cvmm-dynamic does the same for a dynamic cvmm (from a
build configured with -Dstatic_cvmm=false) when --cvmm is static. The
linkage of each cvmm is read from its ELF headers and printed.

--cvmm-also LABEL=PATH runs one more cvmm under the name cvmm-LABEL, such
as a build of the commit before a change, for a before/after comparison
in one run.

--hugepages gives every VMM guest RAM in 2 MiB huge pages (cvmm
--memory hugepages=on; QEMU a memory-backend-memfd with hugetlb=on), with
128 free pages from the host's pool, reserved by the script itself only in
the nested harness's L1 (gkhost.HugePool); skipped with the reason
otherwise.

Before the repetitions, each VMM boots the boot program --warmup times
(default 1), untimed: each VMM's first start pays one-off costs (nested,
QEMU's first took 1.1-1.4 s against 0.55-0.95 after it), and so did the
first VM in a fresh L1 until L1's agent held an idle VM (cvmm's first start
200-280 ms against 60-190; docs/testing.md, "Reliability").  Each
repetition then runs every VMM once, one after the other, and the VMMs take
turns going first (repetition r starts with VMM r mod N), so that no VMM
always follows the same one; with --reps a multiple of N each VMM has each
place equally often.  A serial or blk run whose guest checks failed gives no
figures (the repetition's line says why; the serial run's RSS sample still
counts), and the medians are of the others.

For each VMM and each repetition:
  startup   process start -> the guest's first port 0x80 milestone, seen by
            this script (cvmm: its boot-timer line on stderr; QEMU: an
            isa-debugcon on port 0x80 writing into a FIFO); cvmm's own
            boot-timer figures are reported too: the mark, and the end of
            each start-up phase, kvm-setup among them (docs/cvmm.md,
            "Start-up phases"), as medians in the order they end;
  memory    RSS outside guest RAM (smaps Rss minus the guest-RAM mapping),
            sampled while bench-serial runs;
  serial    guest bytes/s from bench-serial (gk.n bytes, polled THRE+THR),
            and VMM CPU time (user+sys of the process) per byte;
  blk       4 KiB random reads at depth 1 and 32 from bench-blk: requests/s
            and VMM CPU time per request;
  linux     process start -> the busybox initramfs's userspace marker, with
            Debian's cloud kernel (ELF vmlinux through its PVH note), the
            same initramfs and command line for both (where Linux userspace
            can run: not on kvm-pvm).
Every line names the host kind (direct, kvm-pvm, nested; tests/host-kind.sh,
or --host-kind from the nested wrapper, system-bench-nested).
On kvm-pvm, guest ring-0 code is emulated inside the vCPU threads, so "VMM
CPU time" includes the guest's own instructions for both VMMs alike.
Prints name=... ops=... ns_per_op=... lines (medians) and cvmm/QEMU ratios.
"""
import argparse
import os
import re
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile

import time

from vmmproc import host_kind

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ("startup", "serial", "blk", "linux")
GUEST_MIB = 256


def kit_host():
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(HERE, "..", "guest"))
    import gkhost
    return gkhost


def cvmm_memory(a):
    return f"size_mib={GUEST_MIB}" + (",hugepages=on" if a.hugepages else "")


def qemu_memory(a):
    """-m, plus guest RAM from a hugetlb memfd under --hugepages."""
    args = ["-m", f"{GUEST_MIB}M"]
    if a.hugepages:
        args += ["-object", f"memory-backend-memfd,id=ram,size={GUEST_MIB}M,hugetlb=on,"
                 "hugetlbsize=2M", "-machine", "memory-backend=ram"]
    return args


def cvmm_cmd(a, path, elf, disk, ro, append):
    return [path, "--memory", cvmm_memory(a), "--kernel",
            f'path={elf},cmdline="console=ttyS0 {append}"', "--block", f"path={disk}",
            "--block", f"path={ro},read_only=on", "--boot-timer", "enabled=on",
            "--serial", "in=none"]


def qemu_cpu(a):
    """-cpu host, but on kvm-pvm hosts whose KVM refuses IA32_ARCH_CAPABILITIES
    (MSR 0x10a) as QEMU sets it: there QEMU 7.2 aborts in kvm_buf_set_msrs
    unless the feature is off (docs/kvm-pvm.md).  The kit's programs never
    read that MSR."""
    return "host,-arch-capabilities" if a.kind == "kvm-pvm" else "host"


def qemu_cmd(a, elf, disk, ro, append, fifo):
    return [a.qemu, "-M", "microvm,acpi=off,ioapic2=off", "-accel", "kvm", "-cpu", qemu_cpu(a),
            *qemu_memory(a), "-smp", "1", "-nodefaults", "-no-user-config",
            "-display", "none", "-no-reboot",
            "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
            "-chardev", f"pipe,id=pc,path={fifo}",
            "-device", "isa-debugcon,iobase=0x80,chardev=pc",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-device", "i8042",
            "-global", "virtio-mmio.force-legacy=false",
            "-drive", f"id=d0,file={disk},format=raw,if=none",
            "-device", "virtio-blk-device,drive=d0",
            "-drive", f"id=d1,file={ro},format=raw,if=none,readonly=on",
            "-device", "virtio-blk-device,drive=d1",
            "-kernel", elf, "-append", f"console=ttyS0 {append}"]


LINUX_CMDLINE = "console=ttyS0 reboot=k panic=1 quiet"
LINUX_MARKER = b"CVMM-INITRAMFS-MARKER"


def linux_artifacts():
    """(vmlinux, initramfs) as the linux suite builds them (tests/linux)."""
    top = os.path.normpath(os.path.join(HERE, "..", ".."))
    out = subprocess.run(["bash", os.path.join(top, "tests/artifacts/fetch-debian-kernel.sh"),
                          "cloud"], check=True, capture_output=True, text=True).stdout
    art = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
    cache = os.environ.get("CVMM_CACHE", os.path.expanduser("~/.cache/cvmm"))
    initrd = subprocess.run(
        ["bash", os.path.join(top, "tests/linux/make-initramfs.sh"), art["cloud-modules"],
         os.path.join(cache, "initramfs", art["cloud-version"] + ".cpio.gz")],
        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return art["cloud-vmlinux"], initrd


def linux_cmd(a, vmm, kernel, initrd):
    if vmm in a.cvmms:
        return [a.cvmms[vmm], "--memory", cvmm_memory(a), "--kernel",
                f'path={kernel},cmdline="{LINUX_CMDLINE}"', "--initramfs",
                f"path={initrd}", "--serial", "in=none"]
    return [a.qemu, "-M", "microvm", "-accel", "kvm", "-cpu", qemu_cpu(a),
            *qemu_memory(a), "-smp", "1", "-nodefaults", "-no-user-config",
            "-display", "none", "-no-reboot", "-serial", "stdio", "-device", "i8042",
            "-kernel", kernel, "-initrd", initrd, "-append", LINUX_CMDLINE]


def linux_startup(a, vmm, kernel, initrd):
    """Seconds from process start to the userspace marker on the console
    (None when it did not come within the timeout); the VMM is then killed."""
    t0 = time.monotonic()
    p = subprocess.Popen(linux_cmd(a, vmm, kernel, initrd), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out, took = b"", None
    while time.monotonic() - t0 < a.timeout:
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        chunk = os.read(p.stdout.fileno(), 65536) if r else b""
        if r and not chunk:
            break
        out += chunk
        if LINUX_MARKER in out:
            took = time.monotonic() - t0
            break
    p.kill()
    p.wait()
    return took


def guest_ram_rss_split(pid):
    """(total Rss, Rss of mappings at least as large as guest RAM) in bytes."""
    total = ram = 0
    size = 0
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                lo, hi = line.split()[0].split("-")
                size = int(hi, 16) - int(lo, 16)
            elif line.startswith("Rss:"):
                kb = int(line.split()[1]) * 1024
                total += kb
                if size >= GUEST_MIB << 20:
                    ram += kb
    return total, ram


def run_once(a, vmm, elf, append, tmp, kit, sample_mem=False):
    """Boots one program; returns dict of measurements."""
    disk, ro = kit.make_disks(tmp)
    fifo = os.path.join(tmp, "port80")
    if os.path.exists(fifo):
        os.unlink(fifo)
    os.mkfifo(fifo)
    ffd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    cmd = cvmm_cmd(a, a.cvmms[vmm], elf, disk, ro, append) if vmm in a.cvmms else \
        qemu_cmd(a, elf, disk, ro, append, fifo)
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    res = {}
    out = b""
    err = b""
    mem_sampled = False
    fds = {p.stdout.fileno(): "out", p.stderr.fileno(): "err", ffd: "p80"}
    deadline = t0 + a.timeout
    while (p.stdout.fileno() in fds or p.stderr.fileno() in fds) and \
            time.monotonic() < deadline:
        r, _, _ = select.select(list(fds), [], [], 0.2)
        now = time.monotonic()
        if sample_mem and not mem_sampled and "first" in res and now - t0 > res["first"] + 0.5 \
                and p.poll() is None:
            try:
                total, ram = guest_ram_rss_split(p.pid)
                res["rss_outside_ram"] = total - ram
                mem_sampled = True
            except OSError:
                pass
        for fd in r:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            kind = fds[fd]
            if not chunk:  # EOF; the FIFO gives it once QEMU has exited
                del fds[fd]
                continue
            if kind == "out":
                out += chunk
            elif kind == "err":
                err += chunk
                if "first" not in res and b"boot-timer: 0x01" in err:
                    res["first"] = now - t0
            elif kind == "p80" and "first" not in res and b"\x01" in chunk:
                res["first"] = now - t0
    if p.poll() is None:
        p.kill()
    p.wait()
    os.close(ffd)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    res["cpu_s"] = (ru.ru_utime + ru.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    res["wall_s"] = time.monotonic() - t0
    m = re.search(rb"boot-timer: 0x01 at (\d+\.\d+) s", err)
    if m:
        res["cvmm_internal_first"] = float(m.group(1))
    for m in re.finditer(rb"boot-timer: phase (\S+) done at (\d+\.\d+) s", err):
        res["phase:" + m.group(1).decode()] = float(m.group(2))
    for m in re.finditer(rb"name=(\S+) ops=(\d+) ns_per_op=(\d+)", out):
        res["guest:" + m.group(1).decode()] = (int(m.group(2)), int(m.group(3)))
    res["ok"] = b"GK-SUMMARY" in out and b" FAIL " not in out
    if not res["ok"]:
        res["why"] = failure_reason(out, p.returncode, res["wall_s"] >= a.timeout)
    return res


def failure_reason(out, rc, timed_out):
    """One line saying why a guest program's checks did not pass."""
    fails = [ln for ln in out.decode(errors="replace").splitlines() if " FAIL " in ln]
    if fails:
        return fails[0].strip()
    if timed_out:
        return "no GK-SUMMARY within the timeout"
    return f"no GK-SUMMARY; the VMM exited with {rc}"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def guest_figure(res, want):
    """The first guest-reported figure whose key holds want, else None."""
    return next((x[1] for k, x in res.items() if k.startswith("guest:") and want in k), None)


def elf_linkage(path):
    """'dynamic' when the ELF file names a program interpreter (PT_INTERP),
    else 'static' or 'static-pie' by its ELF type (gABI, "ELF Header")."""
    with open(path, "rb") as f:
        hdr = f.read(64)
        if len(hdr) < 64 or hdr[:4] != b"\x7fELF" or hdr[4] != 2:
            return "not a 64-bit ELF file"
        e_type = int.from_bytes(hdr[16:18], "little")
        phoff = int.from_bytes(hdr[32:40], "little")
        phentsize = int.from_bytes(hdr[54:56], "little")
        phnum = int.from_bytes(hdr[56:58], "little")
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    pt_interp = 3
    for i in range(phnum):
        if int.from_bytes(table[i * phentsize:i * phentsize + 4], "little") == pt_interp:
            return "dynamic"
    return "static-pie" if e_type == 3 else "static"


def serial_figures(res, nbytes):
    """Figures of one bench-serial run.  The RSS sample holds whatever became
    of the run; the per-byte figures only come from a run whose checks passed,
    since a failed one did not send nbytes (its CPU time would be divided by
    bytes that were never sent)."""
    got = {"rss": res.get("rss_outside_ram")}
    if res["ok"]:
        got.update(serial_ns_per_byte=guest_figure(res, "serial-tx") or guest_figure(res, ""),
                   serial_cpu_per_byte=res["cpu_s"] / nbytes * 1e9)
    return got


def blk_figures(res, nreqs):
    """Figures of one bench-blk run (nreqs requests at each depth), only from
    a run whose checks passed, as for serial_figures()."""
    if not res["ok"]:
        return {}
    return {"blk_d1": guest_figure(res, "depth1"), "blk_d32": guest_figure(res, "depth32"),
            "blk_cpu_per_req": res["cpu_s"] / (2 * nreqs) * 1e9}


def one_rep(a, v, prog, tmp, kit, linux):
    """One repetition of the chosen workloads on VMM v; a dict of figures."""
    got, ok, why = {}, [], []

    def check(name, r):
        ok.append(r["ok"])
        if not r["ok"]:
            why.append(f"{name}: {r['why']}")
    if "startup" in a.workloads:
        b = run_once(a, v, prog("boot"), "", tmp, kit)
        got.update(startup=b.get("first"), startup_internal=b.get("cvmm_internal_first"))
        got.update((k, t) for k, t in b.items() if k.startswith("phase:"))
        check("startup", b)
    if "serial" in a.workloads:
        s = run_once(a, v, prog("serial"), f"gk.n={a.serial_bytes}", tmp, kit,
                     sample_mem=True)
        got.update(serial_figures(s, a.serial_bytes))
        check("serial", s)
    if "blk" in a.workloads:
        k = run_once(a, v, prog("blk"), f"gk.n={a.blk_requests}", tmp, kit)
        got.update(blk_figures(k, a.blk_requests))
        check("blk", k)
    if linux:
        got["linux"] = linux_startup(a, v, *linux)
        ok.append(got["linux"] is not None)
        if got["linux"] is None:
            why.append("linux: no userspace marker within the timeout")
    got["ok"] = all(ok)
    got["why"] = "; ".join(why)
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cvmm", required=True)
    ap.add_argument("--cvmm-static", help="a static cvmm, run as a third VMM")
    ap.add_argument("--cvmm-dynamic", help="a dynamic cvmm, run as a third VMM")
    ap.add_argument("--cvmm-also", action="append", default=[], metavar="LABEL=PATH",
                    help="one more cvmm, named cvmm-LABEL (e.g. a build of the commit "
                         "before a change); repeatable")
    ap.add_argument("--kit", required=True, help="directory holding gk-bench-*")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed boots of the boot program per VMM before the repetitions")
    ap.add_argument("--serial-bytes", type=int, default=65536)
    ap.add_argument("--blk-requests", type=int, default=2048)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--linux", action=argparse.BooleanOptionalAction, default=None,
                    help="also time Linux to userspace (default: unless kvm-pvm)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated subset of %(default)s")
    ap.add_argument("--host-kind", help="label for the output (default: tests/host-kind.sh)")
    ap.add_argument("--hugepages", action="store_true",
                    help="guest RAM in 2 MiB huge pages for every VMM (cvmm hugepages=on, "
                         "QEMU a hugetlb memfd backend)")
    a = ap.parse_args()
    a.workloads = set(a.workloads.split(","))
    if not a.workloads <= set(WORKLOADS):
        ap.error(f"--workloads: unknown {','.join(sorted(a.workloads - set(WORKLOADS)))}")
    also = [arg.partition("=")[::2] for arg in a.cvmm_also]
    for arg, (label, path) in zip(a.cvmm_also, also):
        if not label or not os.access(path, os.X_OK):
            ap.error(f"--cvmm-also {arg}: want LABEL=PATH to a cvmm executable")
    a.cvmm_also = dict(also)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("system-bench: skipped: no /dev/kvm (tests/bench/system-bench-nested runs it nested)")
        return 77
    kind = a.host_kind or host_kind()
    pool = kit_host().HugePool(GUEST_MIB) if a.hugepages else None
    why = pool.reserve() if pool else None
    if why:
        print(f"system-bench: skipped: --hugepages: {why}")
        return 77
    try:
        return bench(a, kind)
    finally:
        if pool:
            pool.restore()


def taking_turns(vmms, rep):
    """The VMMs in repetition rep's order: each goes first in turn."""
    k = rep % len(vmms)
    return vmms[k:] + vmms[:k]


def warm_up(a, vmms, prog, tmp, kit):
    """Boots the boot program --warmup times on each VMM, untimed: a VMM's
    first start reads its binary and, nested, has TCG translate it, and the
    first VM on a host with no other VM pays for KVM's code patching."""
    for i in range(a.warmup):
        for v in vmms:
            b = run_once(a, v, prog("boot"), "", tmp, kit)
            print(f"system-bench: warm-up {i} {v}: startup={b.get('first')} (not counted)",
                  flush=True)


def bench(a, kind):
    a.kind = kind
    if a.linux is None:
        a.linux = kind != "kvm-pvm"
    print(f"system-bench: host kind {kind}" + (", guest RAM in 2 MiB huge pages"
                                                if a.hugepages else ""), flush=True)
    linux = linux_artifacts() if a.linux and "linux" in a.workloads else None
    a.cvmms = {"cvmm": a.cvmm}
    if a.cvmm_static:
        a.cvmms["cvmm-static"] = a.cvmm_static
    if a.cvmm_dynamic:
        a.cvmms["cvmm-dynamic"] = a.cvmm_dynamic
    a.cvmms.update((f"cvmm-{label}", path) for label, path in a.cvmm_also.items())
    for v, path in a.cvmms.items():
        print(f"system-bench: {v} is {path}, {elf_linkage(path)}", flush=True)
    vmms = list(a.cvmms) + (["qemu"] if shutil.which(a.qemu) else [])
    kit = kit_host()
    prog = lambda n: os.path.join(a.kit, f"gk-bench-{n}")
    results = {v: {} for v in vmms}
    with tempfile.TemporaryDirectory(prefix="cvmm-bench-") as tmp:
        warm_up(a, vmms, prog, tmp, kit)
        for rep in range(a.reps):
            for v in taking_turns(vmms, rep):
                got = one_rep(a, v, prog, tmp, kit, linux)
                for key, val in got.items():
                    results[v].setdefault(key, []).append(val)
                print(f"system-bench: rep {rep} {v}: startup={got.get('startup')} "
                      f"linux={got.get('linux')} rss={got.get('rss')} ok={got['ok']}"
                      + (f" ({got['why']})" if got["why"] else ""), flush=True)
    rows = [("startup-to-first-milestone", "startup", "ns", 1e9),
            ("startup-to-linux-userspace", "linux", "ns", 1e9),
            ("serial-ns-per-byte", "serial_ns_per_byte", "ns", 1),
            ("serial-vmm-cpu-ns-per-byte", "serial_cpu_per_byte", "ns", 1),
            ("blk-4k-randread-depth1-ns-per-req", "blk_d1", "ns", 1),
            ("blk-4k-randread-depth32-ns-per-req", "blk_d32", "ns", 1),
            ("blk-vmm-cpu-ns-per-req", "blk_cpu_per_req", "ns", 1)]
    for v in vmms:
        r = results[v]
        for name, key, _, scale in rows:
            m = med(r.get(key, []))
            if m is not None:
                print(f"name={v}-{name} ops=1 ns_per_op={m * scale:.0f} host={kind}")
        m = med(r.get("rss", []))
        if m is not None:
            print(f"name={v}-rss-outside-guest-ram ops=1 bytes={m:.0f} mib={m / 1048576:.2f}")
        if v in a.cvmms and med(r.get("startup_internal", [])) is not None:
            print(f"name={v}-startup-own-boot-timer ops=1 ns_per_op={med(r['startup_internal']) * 1e9:.0f}")
        phases = sorted((med(r[k]), k[len("phase:"):]) for k in r if k.startswith("phase:"))
        for t, phase in phases:
            print(f"name={v}-startup-phase-{phase}-done ops=1 ns_per_op={t * 1e9:.0f}")
        for key in ("blk_d1", "blk_d32"):
            m = med(r.get(key, []))
            if m:
                print(f"name={v}-{key}-requests-per-s value={1e9 / m:.0f}")
        m = med(r.get("serial_ns_per_byte", []))
        if m:
            print(f"name={v}-serial-bytes-per-s value={1e9 / m:.0f}")
        print(f"name={v}-all-guest-checks-passed value={all(r['ok'])}")
    if "qemu" in vmms:
        for v in a.cvmms:
            for name, key, _, _ in rows + [("rss-outside-guest-ram", "rss", "", 1)]:
                c, q = med(results[v].get(key, [])), med(results["qemu"].get(key, []))
                if c is not None and q:
                    print(f"name=ratio-{v}-over-qemu-{name} value={c / q:.3f} host={kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
