#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks how run-nested copies a --cmd job's log to its stdout, without
L1: the copy follows the file as it grows, and a job retried in a fresh L1
is copied from the start of its new log (the regression: the retry's first
bytes were skipped, as many as the cut-short attempt had written)."""
import io
import os
import sys
import tempfile

sys.dont_write_bytecode = True
from harness_checks import Checks, load  # noqa: E402

rn = load("run-nested")
JOB = {"id": "000", "name": "cmd"}
checks = Checks("check-streamer")
expect = checks.expect


def write_log(jobdir, data, mode="ab"):
    with open(os.path.join(jobdir, "results", "000.log"), mode) as f:
        f.write(data)


def test_follows_a_growing_log(jobdir, out, s):
    s.pump(JOB)
    expect("no log yet: nothing copied", out.getvalue(), b"")
    write_log(jobdir, b"rep 0 cvmm: startup=0.07\n")
    s.pump(JOB)
    write_log(jobdir, b"rep 0 qemu: startup=0.6")
    s.pump(JOB)
    write_log(jobdir, b"3\n")
    s.pump(JOB)
    s.pump(JOB)
    expect("each byte copied once, in order", out.getvalue(),
           b"rep 0 cvmm: startup=0.07\nrep 0 qemu: startup=0.63\n")


def test_retry_is_copied_from_its_start(jobdir, out, s):
    write_log(jobdir, b"first attempt: rep 0, rep 1, rep 2 ...\n")
    s.pump(JOB)
    write_log(jobdir, b"written just before L1 failed\n")
    out.truncate(0)
    out.seek(0)
    s.pump(JOB)   # as run_jobs() does before setting the log aside
    rn.set_log_aside(jobdir, JOB, 1)
    expect("the cut-short attempt is kept",
           os.path.exists(os.path.join(jobdir, "results", "000.l1-attempt1.log")), True)
    write_log(jobdir, b"system-bench: host kind nested\n", "wb")
    s.pump(JOB)
    expect("the retry's log from its first byte", out.getvalue(),
           b"written just before L1 failed\nsystem-bench: host kind nested\n")


def test_a_log_rewritten_in_place_is_copied_from_its_start(jobdir, out, s):
    write_log(jobdir, b"a long first attempt\n" * 4, "wb")
    s.pump(JOB)
    out.truncate(0)
    out.seek(0)
    write_log(jobdir, b"short\n", "wb")   # same file, truncated
    s.pump(JOB)
    expect("a truncated log from its start", out.getvalue(), b"short\n")


for test in (test_follows_a_growing_log, test_retry_is_copied_from_its_start,
             test_a_log_rewritten_in_place_is_copied_from_its_start):
    with tempfile.TemporaryDirectory() as d:
        os.mkdir(os.path.join(d, "results"))
        buf = io.BytesIO()
        test(d, buf, rn.Streamer(d, buf))
sys.exit(checks.finish())
