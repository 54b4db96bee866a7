#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the choice of the QEMU that runs L1, without L1 and without the
network: fetch-l0-qemu.sh offline (the newest cached entry, or one error
line when there is none), run-nested's command for each choice and its
refusal of an unknown one, and soak's configurations and version column."""
import os
import stat
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
from harness_checks import HERE, Checks, load  # noqa: E402

rn = load("run-nested")
soak = load("soak")
checks = Checks("check-l0-qemu")
expect = checks.expect
FETCH = os.path.join(HERE, "fetch-l0-qemu.sh")
# Nothing listens on the discard port, and apt does not retry: every
# download fails at once.
APT_CONF = tempfile.NamedTemporaryFile("w", suffix=".conf")
APT_CONF.write('Acquire::Retries "0";\n')
APT_CONF.flush()
OFFLINE = {"CVMM_DEBIAN_MIRROR": "http://127.0.0.1:9/debian", "APT_CONFIG": APT_CONF.name}


def fake_entry(cache, name, version):
    """A cached entry whose qemu-system-x86_64 only prints its version."""
    root = os.path.join(cache, "qemu", name)
    os.makedirs(os.path.join(root, "usr", "bin"))
    qemu = os.path.join(root, "usr", "bin", "qemu-system-x86_64")
    with open(qemu, "w") as f:
        f.write(f"#!/bin/sh\necho 'QEMU emulator version {version} (fake)'\n")
    os.chmod(qemu, os.stat(qemu).st_mode | stat.S_IXUSR)
    open(os.path.join(root, ".unpacked"), "w").close()
    return root


def fetch(cache):
    env = dict(os.environ, CVMM_CACHE=cache, **OFFLINE)
    return subprocess.run(["bash", FETCH], capture_output=True, text=True, env=env)


def test_fetch_offline_uses_the_newest_entry():
    with tempfile.TemporaryDirectory() as cache:
        fake_entry(cache, "qemu-system-x86_9.2.0+seabios_1.16.3", "9.2.0")
        new = fake_entry(cache, "qemu-system-x86_10.0.2+seabios_1.16.3", "10.0.2")
        out = fetch(cache)
        expect("offline with entries: exit", out.returncode, 0)
        lines = dict(l.split("=", 1) for l in out.stdout.splitlines() if "=" in l)
        expect("offline: the newest entry (by version, not by name)", lines.get("l0-qemu"),
               os.path.join(new, "usr", "bin", "qemu-system-x86_64"))
        expect("offline: its ROMs", lines.get("l0-qemu-roms"), os.path.join(new, "usr/share/qemu"))
        expect("offline: its BIOS", lines.get("l0-qemu-bios"),
               os.path.join(new, "usr/share/seabios"))
        expect("offline: its version", lines.get("l0-qemu-version"), "10.0.2 (fake)")


def test_fetch_offline_without_entries_fails_in_one_line():
    with tempfile.TemporaryDirectory() as cache:
        out = fetch(cache)
        expect("offline, nothing cached: exit", out.returncode, 1)
        expect("offline, nothing cached: stdout", out.stdout, "")
        err = out.stderr.strip().splitlines()
        expect("offline, nothing cached: one error line", len(err), 1)
        expect("offline, nothing cached: it says so",
               bool(err) and err[0].startswith("fetch-l0-qemu: ") and "none cached" in err[0],
               True)


def test_unmarked_entry_is_not_used():
    """An entry without .unpacked is a killed build's remains."""
    with tempfile.TemporaryDirectory() as cache:
        root = fake_entry(cache, "qemu-system-x86_10.0.2+seabios_1.16.3", "10.0.2")
        os.unlink(os.path.join(root, ".unpacked"))
        expect("unmarked entry: refused", fetch(cache).returncode, 1)


def test_run_nested_commands():
    argv, ver = rn.l0_qemu("bookworm")
    expect("bookworm: the system's QEMU", argv, ["qemu-system-x86_64"])
    with tempfile.TemporaryDirectory() as cache:
        root = fake_entry(cache, "qemu-system-x86_10.0.2+seabios_1.16.3", "10.0.2")
        saved = dict(os.environ)
        os.environ.update(CVMM_CACHE=cache, **OFFLINE)
        try:
            argv, ver = rn.l0_qemu("backports")
        finally:
            os.environ.clear()
            os.environ.update(saved)
        expect("backports: the cached binary with its ROMs and BIOS", argv,
               [os.path.join(root, "usr/bin/qemu-system-x86_64"),
                "-L", os.path.join(root, "usr/share/qemu"),
                "-L", os.path.join(root, "usr/share/seabios")])
        expect("backports: its version", ver, "10.0.2")


def test_run_nested_refuses_an_unknown_qemu():
    for how in (["--l0-qemu", "sid"], []):
        env = dict(os.environ, CVMM_NESTED_L0_QEMU="sid") if not how else None
        out = subprocess.run([os.path.join(HERE, "run-nested"), *how, "--cmd", "true"],
                             capture_output=True, text=True, env=env)
        expect(f"unknown L0 QEMU {how or 'from the environment'}: exit", out.returncode, 1)
        expect(f"unknown L0 QEMU {how or 'from the environment'}: the message",
               out.stderr.strip(), "run-nested: unknown L0 QEMU 'sid' "
               "(--l0-qemu or CVMM_NESTED_L0_QEMU): use bookworm or backports")


def test_soak_configurations():
    expect("3 fields", soak.parse_config("multi/EPYC,+svm,+npt/2"),
           ["multi", "EPYC,+svm,+npt", "2", "bookworm", "bookworm"])
    expect("5 fields", soak.parse_config("single/max/1/backports/backports"),
           ["single", "max", "1", "backports", "backports"])
    try:
        soak.parse_config("multi/max/2/bookworm/bookworm/extra")
        expect("6 fields refused", "accepted", "refused")
    except SystemExit as e:
        expect("6 fields refused", "THREAD/CPU/SMP[/L1KERNEL[/L0QEMU]]" in str(e), True)


for t in (test_fetch_offline_uses_the_newest_entry,
          test_fetch_offline_without_entries_fails_in_one_line, test_unmarked_entry_is_not_used,
          test_run_nested_commands, test_run_nested_refuses_an_unknown_qemu,
          test_soak_configurations):
    t()
sys.exit(checks.finish())
