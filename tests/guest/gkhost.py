# SPDX-License-Identifier: MIT
"""Host side of the guest kit, shared by every runner (run-qemu here, the
cvmm runner in tests/integration/): the scratch-disk contract of
rt/disk_layout.h, the serial protocol (GK lines, GK-SUMMARY, GK-BLOB,
GK-WANT-INPUT), and the checks a host makes after a run.

A runner does:
    disk, ro = gkhost.make_disks(tmpdir)
    proc = subprocess.Popen(vmm_cmd, stdin=PIPE, stdout=PIPE, stderr=PIPE)
    run = gkhost.Run()
    rc = gkhost.drive(proc, run, timeout)       # echoes, answers input
    gkhost.check_summary(run)
    run.add("host.vm-end", "PASS" if <end ok> else "FAIL", "...")
    gkhost.check_disk(run, program, disk, ro)
    sys.exit(gkhost.report(run, program, tag, seconds))
Guest output is untrusted input: lines are decoded as latin-1, blob lengths
are parsed defensively and only bytes that really arrive are buffered.
"""
import array
import os
import re
import select
import signal
import subprocess
import time

SECTOR = 512
DISK_SECTORS = 16384
RO_SECTORS = 2048
PAT_HOST = 0x474B000000000000
PAT_RO = 0x524F000000000000
PAT_GUEST = 0x5752000000000000
WRITE = (8192, 1024)
WZ = (12288, 256)
DISCARD = (14336, 256)
BLK_ID = "gk-scratch"

# Per program: does it write the scratch disk, does it end the VM by the
# i8042 reset even on QEMU (where the others use isa-debug-exit first).
PROGRAMS = {
    "kit": {"writes_disk": False, "reset_only": False},
    "serial": {"writes_disk": False, "reset_only": False},
    "i8042": {"writes_disk": False, "reset_only": True},
    "virtio-blk": {"writes_disk": True, "reset_only": False},
    "hostile": {"writes_disk": False, "reset_only": False},
    "bench-serial": {"writes_disk": False, "reset_only": False},
    "bench-blk": {"writes_disk": False, "reset_only": False},
    "bench-boot": {"writes_disk": False, "reset_only": False},
}

GK_RE = re.compile(r"^GK (\S+) (PASS|FAIL|SKIP)(?: (.*))?$")
SUM_RE = re.compile(r"^GK-SUMMARY pass=(\d+) fail=(\d+) skip=(\d+)$")
MAX_BLOB = 64 << 20


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def hugepages_available():
    """2 MiB pages the kernel could still hand out: the free pool plus the
    surplus it may allocate (vm.nr_overcommit_hugepages)."""
    with open("/proc/sys/vm/nr_overcommit_hugepages") as f:
        overcommit = int(f.read())
    return meminfo("HugePages_Free") + max(0, overcommit - meminfo("HugePages_Surp"))


def huge_page_mappings(pid):
    """Sizes (kB) of the process's mappings backed by 2 MiB pages."""
    sizes, size = [], 0
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if line.startswith("Size:"):
                size = int(line.split()[1])
            elif line.startswith("KernelPageSize:") and int(line.split()[1]) == 2048:
                sizes.append(size)
    return sizes


class HugePool:
    """Makes sure a guest of `mib` MiB finds its 2 MiB pages free, raising
    vm.nr_hugepages only inside the nested harness's L1 (CVMM_NESTED_L1=1,
    a throwaway VM), and puts the old value back.  reserve() returns None,
    or why it cannot (the runner then skips)."""
    PATH = "/proc/sys/vm/nr_hugepages"

    def __init__(self, mib):
        self.pages, self.old = mib // 2, None

    def reserve(self):
        short = self.pages - meminfo("HugePages_Free")
        if short <= 0:
            return None
        if os.environ.get("CVMM_NESTED_L1") != "1" or os.geteuid() != 0:
            return (f"{meminfo('HugePages_Free')} free huge pages, {self.pages} needed "
                    f"(sysctl vm.nr_hugepages; the nested harness reserves them itself)")
        with open(self.PATH) as f:
            self.old = int(f.read())
        with open(self.PATH, "w") as f:
            f.write(str(self.old + short))
        free = meminfo("HugePages_Free")
        return None if free >= self.pages else f"could reserve only {free} huge pages"

    def restore(self):
        if self.old is not None:
            with open(self.PATH, "w") as f:
                f.write(str(self.old))


def add_serial_bytes_arg(ap):
    """--serial-bytes N: size of the serial program's polled-TX blob.

    Default: $CVMM_SERIAL_BYTES, else the guest's own 1 MiB.  Under nested
    emulation each byte costs two exits (~5 KB/s), so harnesses scale it."""
    env = os.environ.get("CVMM_SERIAL_BYTES", "")
    ap.add_argument("--serial-bytes", type=int,
                    default=int(env) if env.isdigit() else None,
                    help="bytes the serial program sends in its polled-TX "
                         "blob (env CVMM_SERIAL_BYTES; default 1 MiB)")


def kit_cmdline(base, a):
    """The kit command line: base, the serial blob size when set, --append."""
    parts = [base]
    if getattr(a, "serial_bytes", None) is not None:
        if not 0 <= a.serial_bytes <= MAX_BLOB:
            raise SystemExit(f"--serial-bytes must be 0..{MAX_BLOB}")
        parts.append(f"gk.serial_tx_bytes={a.serial_bytes}")
    if a.append:
        parts.append(a.append)
    return " ".join(parts)


# cvmm prints its state dump (one line per vCPU: RIP, run state, exit
# counts) to stderr on this signal; runners send it before killing a cvmm
# that overran its timeout, so the dump lands in the test log.
CVMM_DUMP_SIGNAL = signal.SIGUSR1
CVMM_DUMP_WAIT = 2.0


def cvmm_state_dump(proc, tag="runner"):
    """Asks a still-running cvmm for its state dump and waits for it."""
    if proc.poll() is not None:
        return
    print(f"{tag}: timeout: asking cvmm for its state dump (SIGUSR1)", flush=True)
    proc.send_signal(CVMM_DUMP_SIGNAL)
    try:
        proc.wait(timeout=CVMM_DUMP_WAIT)
    except subprocess.TimeoutExpired:
        pass


def communicate_or_dump(proc, timeout, tag="runner"):
    """proc.communicate() with a timeout; on expiry: state dump, kill.

    Returns (stdout, stderr, timed_out)."""
    try:
        out, err = proc.communicate(timeout=timeout)
        return out, err, False
    except subprocess.TimeoutExpired:
        cvmm_state_dump(proc, tag)
        proc.kill()
        out, err = proc.communicate()
        return out, err, True


def pattern(magic, first_byte, nbytes):
    """64-bit LE words magic | byte offset, as rt/disk_layout.h says."""
    return array.array("Q", (magic | o for o in
                             range(first_byte, first_byte + nbytes, 8)))


def make_disks(d):
    """Writes disk.img (scratch, 8 MiB) and ro.img (1 MiB) into d."""
    disk = os.path.join(d, "disk.img")
    ro = os.path.join(d, "ro.img")
    with open(disk, "wb") as f:
        pattern(PAT_HOST, 0, DISK_SECTORS * SECTOR).tofile(f)
    with open(ro, "wb") as f:
        pattern(PAT_RO, 0, RO_SECTORS * SECTOR).tofile(f)
    return disk, ro


def serial_pattern(n):
    """The bytes of a GK-BLOB: 63 letters and a newline per 64 bytes."""
    out = bytearray()
    line = 0
    while len(out) < n:
        out += bytes(65 + (line + j) % 26 for j in range(63)) + b"\n"
        line += 1
    return bytes(out[:n])


class Run:
    """Results of one guest run: (name, PASS|FAIL|SKIP, detail) tuples."""

    def __init__(self, echo=True):
        self.results = []
        self.summary = None
        self.lines = 0
        self.echo = echo
        self.blobs = {}     # GK-BLOB name -> length announced by the guest

    def add(self, name, res, detail):
        self.results.append((name, res, detail))
        if self.echo:
            print(f"GK {name} {res} {detail}", flush=True)


def _handle_line(proc, run, line, on_line=None):
    run.lines += 1
    if run.echo:
        print(line, flush=True)
    if on_line and on_line(line):
        return None
    m = GK_RE.match(line)
    if m:
        run.results.append((m.group(1), m.group(2), m.group(3) or ""))
        return None
    m = SUM_RE.match(line)
    if m:
        run.summary = tuple(int(x) for x in m.groups())
        return None
    if line.startswith("GK-WANT-INPUT "):
        parts = line.split(" ", 2)
        if len(parts) == 3 and proc.stdin:
            proc.stdin.write(parts[2].encode("latin-1") + b"\n")
            proc.stdin.flush()
        return None
    if line.startswith("GK-BLOB "):
        f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        n = int(f["len"]) if f.get("len", "").isdigit() else -1
        if not 0 <= n <= MAX_BLOB:
            run.add("host.blob", "FAIL", f"bad blob length in {line!r}")
            return None
        run.blobs[f.get("name", "blob")] = n
        return [f.get("name", "blob"), n, bytearray()]
    return None


def drive(proc, run, timeout, slow=None, on_timeout=None, on_line=None):
    """Reads the guest's serial output until the VMM exits; returns its code.

    slow=(stall_s, chunk, pause_s) makes a deliberately slow reader: nothing
    is read for stall_s, then at most chunk bytes per pause_s.  On a timeout
    on_timeout(proc) runs first (e.g. to ask for a state dump), then the
    VMM is killed.  on_line(line) sees every line first; when it returns
    True the line is its own (a runner with a host peer answers some
    GK-WANT-INPUT lines only once its side of a step is done)."""
    buf = b""
    blob = None
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    if slow:
        time.sleep(slow[0])
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            if on_timeout:
                on_timeout(proc)
            proc.kill()
            run.add("host.timeout", "FAIL", f"no VM end within {timeout}s")
            break
        r, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not r:
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(fd, slow[1] if slow else 65536)
        if not chunk:
            break
        if slow:
            time.sleep(slow[2])
        buf += chunk
        while True:
            if blob is not None:
                take = buf[:blob[1] - len(blob[2])]
                blob[2] += take
                buf = buf[len(take):]
                if len(blob[2]) < blob[1]:
                    break
                ok = bytes(blob[2]) == serial_pattern(blob[1])
                run.add(f"host.{blob[0]}", "PASS" if ok else "FAIL",
                        f"host received {blob[1]} bytes "
                        + ("matching the pattern" if ok else "NOT matching"))
                blob = None
                continue
            nl = buf.find(b"\n")
            if nl < 0:
                break
            line = buf[:nl].decode("latin-1").rstrip("\r")
            buf = buf[nl + 1:]
            blob = _handle_line(proc, run, line, on_line)
    if blob is not None:
        run.add(f"host.{blob[0]}", "FAIL",
                f"blob cut short: {len(blob[2])} of {blob[1]} bytes")
    if buf and run.echo:
        print(buf.decode("latin-1"), flush=True)
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def check_serial_bytes(run, program, a):
    """With --serial-bytes, the serial program's blob has exactly that size."""
    want = getattr(a, "serial_bytes", None)
    if program != "serial" or want is None:
        return
    got = run.blobs.get("serial.tx-polled")
    run.add("host.serial-bytes", "PASS" if got == want else "FAIL",
            f"polled-TX blob of {got} bytes, asked for {want}")


def check_summary(run):
    """The last GK-SUMMARY must exist and match the guest's own lines."""
    if run.summary is None:
        run.add("host.summary", "FAIL", "no GK-SUMMARY")
        return
    counts = tuple(sum(1 for r in run.results
                       if r[1] == k and not r[0].startswith("host."))
                   for k in ("PASS", "FAIL", "SKIP"))
    run.add("host.summary", "PASS" if counts == run.summary else "FAIL",
            f"guest summary {run.summary} vs lines {counts}")


def check_disk(run, program, disk, ro):
    """Checks both images against what the program may have changed."""
    data = array.array("Q")
    with open(disk, "rb") as f:
        data.frombytes(f.read())
    want = pattern(PAT_HOST, 0, DISK_SECTORS * SECTOR)
    if len(data) != len(want):
        run.add("host.disk-size", "FAIL", f"disk is {len(data) * 8} bytes")
        return

    def words(reg):
        return reg[0] * SECTOR // 8, (reg[0] + reg[1]) * SECTOR // 8

    if PROGRAMS.get(program, {}).get("writes_disk"):
        a, b = words(WRITE)
        ok = data[a:b] == pattern(PAT_GUEST, a * 8, (b - a) * 8)
        run.add("host.disk-guest-writes", "PASS" if ok else "FAIL",
                f"sectors {WRITE[0]}+{WRITE[1]} hold the guest pattern"
                if ok else "guest pattern missing in the write region")
        a, b = words(WZ)
        ok = not any(data[a:b])
        run.add("host.disk-write-zeroes", "PASS" if ok else "FAIL",
                f"sectors {WZ[0]}+{WZ[1]} read as zero" if ok else
                "write-zeroes region not zero")
        for reg in (WRITE, WZ, DISCARD):   # left out of the pristine check
            a, b = words(reg)
            data[a:b] = want[a:b]
    bad = None
    if data != want:
        bad = next(i for i in range(len(data)) if data[i] != want[i])
    run.add("host.disk-untouched", "PASS" if bad is None else "FAIL",
            "every other sector still holds the host pattern" if bad is None
            else f"first changed byte offset 0x{bad * 8:x}")
    with open(ro, "rb") as f:
        ok = f.read() == pattern(PAT_RO, 0, RO_SECTORS * SECTOR).tobytes()
    run.add("host.ro-disk-untouched", "PASS" if ok else "FAIL",
            "read-only disk unchanged" if ok else "read-only disk CHANGED")


def bench_lines(run, program, tag, secs):
    """Re-prints guest measurements as cvmm_bench lines, name=TAG-..."""
    for name, res, detail in run.results:
        m = re.match(r"name=(\S+) ops=(\d+) ns_per_op=(\d+)", detail)
        if m and res == "PASS":
            print(f"name={tag}-{m.group(1)} ops={m.group(2)} "
                  f"ns_per_op={m.group(3)}", flush=True)
    if program.startswith("bench-"):
        print(f"name={tag}-wall-{program} ops=1 ns_per_op={int(secs * 1e9)}",
              flush=True)


def report(run, program, tag, secs, divergences=None):
    """Prints the closing line; returns the exit code (0 = no failure).

    divergences maps test names to a reason: their FAIL is counted as a known
    divergence of the VMM under test, and their PASS as a failure (XPASS)."""
    divergences = divergences or {}
    bench_lines(run, program, tag, secs)
    n = {k: 0 for k in ("PASS", "FAIL", "SKIP", "XFAIL", "XPASS")}

    def classify(name, res):
        if name in divergences:
            return {"FAIL": "XFAIL", "PASS": "XPASS"}.get(res, res)
        return res

    for name, res, _ in run.results:
        n[classify(name, res)] += 1
    print(f"run: {program} {tag} pass={n['PASS']} "
          f"fail={n['FAIL'] + n['XPASS']} skip={n['SKIP']} "
          f"known-divergences={n['XFAIL']} seconds={secs:.2f}", flush=True)
    for name, res, detail in run.results:
        c = classify(name, res)
        if c == "XFAIL":
            print(f"run: KNOWN DIVERGENCE {name}: {divergences[name]}",
                  flush=True)
        elif c in ("FAIL", "XPASS"):
            print(f"run: FAILED {name} ({c}): {detail}", flush=True)
    return 0 if n["FAIL"] + n["XPASS"] == 0 else 1
