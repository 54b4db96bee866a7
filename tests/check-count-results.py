#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks count-results.py, which writes CI's closing line, on made-up meson
logs: every way a test can pass, skip or fail is counted, and every failure
is named with the tail of what it printed."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def entry(name, result, stdout, stderr=""):
    return {"name": name, "result": result, "stdout": stdout, "stderr": stderr}


LOG = [
    entry("lib / tap-ok", "OK", "TAP version 13\nok 1 - a::x\nok 2 - a::y # SKIP no huge pages\n1..2\n"),
    entry("lib / tap-fail", "FAIL",
          "TAP version 13\nok 1 - a::x\nnot ok 2 - a::y\n  # expected 3, got 4\n1..2\n"),
    entry("lib / tap-crash", "FAIL", "TAP version 13\nok 1 - a::x\n1..3\n"),
    entry("lib / tap-rc", "FAIL", "TAP version 13\nok 1 - a::x\n1..1\n"),
    entry("lib / script-ok", "OK", "fine\n"),
    entry("lib / script-skip", "SKIP", "skipped: no /dev/kvm\n"),
    entry("lib / script-fail", "FAIL", "step one\n", "boom: disk missing\n"),
    entry("nested / nested-linux", "FAIL",
          "# nested: 2 tests in L1\nok 1 - linux-elf-1cpu (21 s in L1)\n"
          "not ok 2 - linux-api-1cpu (31 s in L1)\n# run-api: no marker after resume\n"
          "1..2\n# nested: 2 tests, 1 failed, L1 boots 1\n"),
    # A runner that timed out: the state dump, then more than a tail of lines.
    entry("guest / hang", "FAIL",
          "GK net.init PASS\ncvmm: dump: phase=running uptime_ms=240000 vcpus=1\n"
          "cvmm: dump: vcpu 0 halted rip=0x1234 if=1 exits=9 apic_timer=one-shot\n"
          + "".join(f"check {i}\n" for i in range(14))),
]


def run(log, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "testlog.json")
        with open(path, "w") as f:
            f.write("\n".join(json.dumps(e) for e in log) + "\n")
        p = subprocess.run([sys.executable, os.path.join(HERE, "count-results.py"), *extra, path],
                           capture_output=True, text=True)
    return p.returncode, p.stdout.splitlines()


def expect(cond, what):
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)


def main():
    rc, out = run(LOG)
    # tap-ok 1+1s, tap-fail 1+1f, tap-crash 1+2f, tap-rc 1+1f (a FAIL without a
    # failed case counts one), script-ok 1, script-skip 1s, script-fail 1f, nested 1+1f.
    expect(out[-1] == "6 passed, 7 failed, 2 skipped", f"closing line: {out[-1]!r}")
    expect(rc == 1, "exit status with failures")
    text = "\n".join(out)
    for want in ("skipped: lib / tap-ok: 2 - a::y # SKIP no huge pages",
                 "skipped: lib / script-skip: skipped: no /dev/kvm",
                 "failed: lib / tap-fail: 2 - a::y\n     expected 3, got 4",
                 "failed: lib / tap-crash: 2 planned cases never reported",
                 "failed: lib / tap-rc: FAIL with no failed case",
                 "failed: lib / script-fail: FAIL\n    step one\n    boom: disk missing",
                 "failed: nested / nested-linux: 2 - linux-api-1cpu (31 s in L1)\n"
                 "     run-api: no marker after resume",
                 "nested / nested-linux: nested: 2 tests, 1 failed, L1 boots 1",
                 "failed: guest / hang: FAIL\n"
                 "    cvmm: dump: phase=running uptime_ms=240000 vcpus=1\n"
                 "    cvmm: dump: vcpu 0 halted rip=0x1234 if=1 exits=9 apic_timer=one-shot\n"
                 "    check 2\n"):
        expect(want in text, f"missing {want!r} in:\n{text}")
    expect("GK net.init" not in text and "check 1\n" not in text,
           f"only the dump comes before the tail:\n{text}")
    expect(text.index("skipped:") < text.index("failed:"), "failures come last")
    rc, out = run(LOG[:1] + LOG[4:6], "--failed-builds", "1")
    expect(out[-1] == "2 passed, 1 failed, 2 skipped" and rc == 1, f"failed build: {out[-1]!r}")
    rc, out = run(LOG[:1] + LOG[4:5])
    expect(out[-1] == "2 passed, 0 failed, 1 skipped" and rc == 0, f"all green: {out[-1]!r}")
    print("count-results: every check passed")


if __name__ == "__main__":
    main()
