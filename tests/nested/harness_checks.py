# SPDX-License-Identifier: MIT
"""What the nested harness's checks share (check-agent.py,
check-streamer.py, check-hang-report.py, check-l0-qemu.py): loading a
harness script that has no .py name as a module, and collecting failed
expectations."""
import importlib.machinery
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def load(file):
    """The harness script tests/nested/<file> as a module, without running
    its main()."""
    name = file.replace("-", "_").removesuffix(".py")
    loader = importlib.machinery.SourceFileLoader(name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(mod)
    return mod


class Checks:
    """Expectations of one check script; finish() prints the failed ones
    and gives the exit status."""

    def __init__(self, name):
        self.name, self.failures = name, []

    def expect(self, what, got, want):
        if got != want:
            self.failures.append(f"{what}: got {got!r}, want {want!r}")

    def finish(self):
        for f in self.failures:
            print(f"FAIL {f}")
        print(f"{self.name}: {len(self.failures)} failed")
        return 1 if self.failures else 0
