#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks system-bench.py's bookkeeping without running a VMM: the untimed
warm-up, the order in which the VMMs take turns, and which figures a
repetition contributes when a guest check passed or failed
(docs/benchmarks.md, "Nested")."""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
_spec = importlib.util.spec_from_file_location("system_bench",
                                               os.path.join(HERE, "system-bench.py"))
sb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sb)

failures = []


def expect(name, got, want):
    if got != want:
        failures.append(f"{name}: got {got!r}, want {want!r}")


def test_taking_turns():
    vmms = ["cvmm", "before", "qemu"]
    orders = [sb.taking_turns(vmms, rep) for rep in range(6)]
    for rep, order in enumerate(orders):
        expect(f"rep {rep} runs every VMM once", sorted(order), sorted(vmms))
    firsts = [order[0] for order in orders]
    for v in vmms:
        expect(f"{v} goes first in 2 of 6 repetitions", firsts.count(v), 2)
    expect("repetition 1 starts with the second VMM", orders[1], ["before", "qemu", "cvmm"])
    expect("one VMM always goes first", sb.taking_turns(["cvmm"], 5), ["cvmm"])


def serial_run(ok):
    return {"ok": ok, "cpu_s": 0.5, "rss_outside_ram": 1 << 20,
            "guest:serial-tx": (1000, 150000)}


def test_serial_figures():
    got = sb.serial_figures(serial_run(True), 1000)
    expect("serial: the guest's time per byte", got.get("serial_ns_per_byte"), 150000)
    expect("serial: CPU per byte over the bytes sent", got.get("serial_cpu_per_byte"), 0.5e6)
    expect("serial: RSS", got.get("rss"), 1 << 20)
    # The regression: a serial guest that triple-faulted early had its CPU
    # time divided by bytes it never sent, and that counted in the median.
    got = sb.serial_figures(serial_run(False), 1000)
    expect("failed serial run: only the RSS sample", got, {"rss": 1 << 20})


def blk_run(ok):
    return {"ok": ok, "cpu_s": 1.0, "guest:blk-depth1": (500, 120000),
            "guest:blk-depth32": (500, 17000)}


def test_blk_figures():
    got = sb.blk_figures(blk_run(True), 500)
    expect("blk: depth 1", got.get("blk_d1"), 120000)
    expect("blk: depth 32", got.get("blk_d32"), 17000)
    expect("blk: CPU per request over both depths", got.get("blk_cpu_per_req"), 1e6)
    expect("failed blk run: no figures", sb.blk_figures(blk_run(False), 500), {})


def test_failed_repetition_leaves_the_median():
    runs = [serial_run(True), serial_run(False), serial_run(True)]
    # The failed one stopped early, after a tenth of the CPU time.
    runs[0]["cpu_s"], runs[1]["cpu_s"], runs[2]["cpu_s"] = 0.4, 0.05, 0.6
    cpu = [sb.serial_figures(r, 1000).get("serial_cpu_per_byte") for r in runs]
    expect("median of the passing repetitions only", sb.med(cpu), 0.5e6)


def test_warm_up_boots_each_vmm_untimed():
    booted = []
    real = sb.run_once
    sb.run_once = lambda a, v, prog, args, tmp, kit: booted.append((v, prog)) or {"first": 0.2}
    try:
        a = type("Args", (), {"warmup": 2})()
        sb.warm_up(a, ["cvmm", "qemu"], lambda n: f"gk-bench-{n}", "/tmp", None)
    finally:
        sb.run_once = real
    expect("warm-up: the boot program, each VMM in turn, --warmup times", booted,
           [("cvmm", "gk-bench-boot"), ("qemu", "gk-bench-boot")] * 2)


for test in (test_taking_turns, test_serial_figures, test_blk_figures,
             test_failed_repetition_leaves_the_median, test_warm_up_boots_each_vmm_untimed):
    test()
for f in failures:
    print(f"FAIL {f}")
print(f"check-system-bench: {len(failures)} failed")
sys.exit(1 if failures else 0)
