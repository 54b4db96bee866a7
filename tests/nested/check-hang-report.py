#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the parts of an L1 hang report that need no L1: the agent notes
where L1's kernel was placed at boot, run-nested keeps each vCPU's general
registers from the monitor's dump, with each kernel RIP also given as an
offset from _text (the same instruction at every boot), and l1-symbol.py
names the function at such an offset."""
import os
import socket
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
from harness_checks import Checks, load  # noqa: E402

rn = load("run-nested")
agent = load("l1-agent.py")
symbol = load("l1-symbol.py")
checks = Checks("check-hang-report")
expect = checks.expect


def cpu(n, rip):
    """One vCPU's part of `info registers -a`, shortened."""
    return f"""CPU#{n}
RAX=0000000000000001 RBX=ffff8f33bbc31c40 RCX=ffff8f33bbc00000 RDX=0000000000000001
RSI=0000000000000001 RDI=ffff8f33bbc31c40 RBP=ffff8f33bbc31c40 RSP=ffffd01e80f03de8
R8 =ffff8f3380206000 R9 =ffff8f3380206138 R10=0000000000000002 R11=0000000000000000
R12=0000000000000000 R13=0000000000000087 R14=ffff8f338026bfb4 R15=0000000000000000
RIP={rip} RFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0
ES =0000 0000000000000000 00000000 00000000
CS =0010 0000000000000000 ffffffff 00af9b00 DPL=0 CS64 [-RA]
CR0=80050033 CR2=0000555582f9b0d8 CR3=00000001029e4000 CR4=003506e0
FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80
YMM00=0000000000000000 0000000000000000 0000555582f9ae60 00007f6db15a0a20
"""


DUMP = "info registers -a\n" + cpu(0, "00007f6db15a0a20") + "\n" + cpu(1, "ffffffffa2c5a170") + "(qemu) "


def test_keeps_the_general_registers_of_every_vcpu():
    lines = rn.general_registers(DUMP).splitlines()
    expect("six lines per vCPU, both vCPUs", len(lines), 12)
    expect("each vCPU named", [l for l in lines if l.startswith("CPU#")], ["CPU#0", "CPU#1"])
    expect("no segment, control or vector registers",
           [l for l in lines if l.startswith(("ES ", "CS ", "CR0", "FCW", "YMM"))], [])


def test_names_kernel_rips_as_offsets_from_text():
    lines = rn.general_registers(DUMP, 0xffffffffa2200000).splitlines()
    rips = [l for l in lines if l.startswith("RIP=")]
    expect("a user-space RIP stays as it is", rips[0].endswith("HLT=0"), True)
    expect("a kernel RIP with its offset", rips[1].endswith("(_text+0xa5a170)"), True)
    lines = rn.general_registers(DUMP).splitlines()
    expect("no offsets without the kernel's place",
           [l for l in lines if "_text" in l], [])


def test_an_unexpected_answer_is_kept_as_it_came():
    expect("the tail of what the monitor said", rn.general_registers("(monitor: gone)"),
           "(monitor: gone)")


def test_reads_the_whole_answer():
    a, b = socket.socketpair()

    def answer():
        b.sendall(b"CPU#0\n")
        time.sleep(0.2)
        b.sendall(b"CPU#1\n")
    t = threading.Thread(target=answer)
    t.start()
    got = rn.read_until_quiet(a, 1.0)
    t.join()
    a.close()
    b.close()
    expect("both pieces of the answer", got, b"CPU#0\nCPU#1\n")


def test_agent_notes_the_kernel_text():
    with tempfile.TemporaryDirectory() as d:
        ks = os.path.join(d, "kallsyms")
        with open(ks, "w") as f:
            f.write("ffffffff9f600000 T startup_64\nffffffff9f600000 T _text\n"
                    "ffffffff9f65a0d0 t collect_cpu_info_amd\n")
        agent.note_kernel_text(d, ks)
        with open(os.path.join(d, "l1-kernel-text")) as f:
            expect("the file the host reads", f.read(), "0xffffffff9f600000\n")
        os.unlink(os.path.join(d, "l1-kernel-text"))
        with open(ks, "w") as f:   # kptr_restrict hides the addresses
            f.write("0000000000000000 T startup_64\n0000000000000000 T _text\n")
        agent.note_kernel_text(d, ks)
        expect("nothing noted when addresses are hidden",
               os.path.exists(os.path.join(d, "l1-kernel-text")), False)
        agent.note_kernel_text(d, os.path.join(d, "missing"))
        expect("nothing noted without kallsyms",
               os.path.exists(os.path.join(d, "l1-kernel-text")), False)


def test_names_the_function_at_an_offset():
    with tempfile.TemporaryDirectory() as d:
        ks = os.path.join(d, "kallsyms")
        with open(ks, "w") as f:
            f.write("ffffffff9f600000 T _text\nffffffff9f600000 T startup_64\n"
                    "ffffffffa0059140 T native_queued_spin_lock_slowpath\n"
                    "ffffffffa00592e8 d some_data\n"
                    "ffffffffa00592e0 t native_safe_halt\n"
                    "ffffffffa0059200 T __pv_queued_spin_unlock\n")
        addrs, names, text = symbol.text_symbols(ks)
        expect("_text found", text, 0xffffffff9f600000)
        expect("inside a function", symbol.name_offset(addrs, names, text, 0xa59170),
               "native_queued_spin_lock_slowpath+0x30")
        expect("the nearest text symbol below, not data",
               symbol.name_offset(addrs, names, text, 0xa592eb), "native_safe_halt+0xb")
        expect("below the first symbol", symbol.name_offset(addrs, names, text - 0x1000, 0), None)


for test in (test_names_the_function_at_an_offset,
             test_keeps_the_general_registers_of_every_vcpu,
             test_names_kernel_rips_as_offsets_from_text,
             test_an_unexpected_answer_is_kept_as_it_came, test_reads_the_whole_answer,
             test_agent_notes_the_kernel_text):
    test()
sys.exit(checks.finish())
