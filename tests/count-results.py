#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Counts test results from meson testlog.json files.

A Criterion executable runs with --tap (meson's log does not record the
protocol, so TAP is recognised by its plan line), and each TAP line is one
test; other meson tests (scripts, fuzz runs) count as one each.  An
executable that dies before reporting a failure counts as one failure, so a
crash is never hidden.  Before the closing line 'N passed, N failed[, N
skipped]' it names every skipped test with its suites and the reason it
printed, and repeats the nested harness's summaries (L1 failures and
retries), so that neither a skip nor a retry is ever silent.  Last come the
failures, each named with the tail of what it printed, and with cvmm's state
dump where a runner asked for one: a CI log that keeps only its last lines
still says what failed, why, and where a guest that hung was.
"""
import json
import re
import sys

TAP_LINE = re.compile(r'^(not ok|ok)\b(.*)$')
TAP_PLAN = re.compile(r'^(TAP version \d+|1\.\.\d+)', re.M)
TAIL_LINES = 12
# cvmm's state dump (docs/cvmm.md, "State dump"), which every runner asks
# for before it kills a cvmm that overran its timeout: where each vCPU was.
DUMP_LINE = re.compile(r'cvmm: dump: ')
DUMP_LINES = 8


def failure_note(name, what, lines):
    """'failed: NAME: WHAT', the state dump lines that come before the tail
    (the last DUMP_LINES of them), then the last TAIL_LINES non-empty lines,
    indented."""
    lines = [l.rstrip() for l in lines if l.strip()]
    head, tail = lines[:-TAIL_LINES], lines[-TAIL_LINES:]
    dump = [l for l in head if DUMP_LINE.search(l)][-DUMP_LINES:]
    return '\n'.join([f'failed: {name}: {what}'] + [f'    {l}' for l in dump + tail])


def skip_reason(stdout):
    """The last line that says why a test skipped, else its last line."""
    lines = [l.strip() for l in stdout.splitlines() if l.strip()]
    why = [l for l in lines if re.search(r'skip', l, re.I)]
    return (why or lines or ['no reason printed'])[-1]


def tap_diag(lines, i):
    """The '#' diagnostic lines that follow TAP line i."""
    out = []
    for l in lines[i + 1:]:
        if not l.lstrip().startswith('#'):
            break
        out.append(l.lstrip()[1:])
    return out


def count_tap(stdout, name, notes, failures):
    passed = failed = skipped = 0
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        m = TAP_LINE.match(line)
        if not m:
            continue
        if m.group(1) == 'not ok':
            failed += 1
            failures.append(failure_note(name, m.group(2).strip(' -'), tap_diag(lines, i)))
        elif re.search(r'#\s*SKIP', m.group(2), re.I):
            skipped += 1
            notes.append(f'skipped: {name}: {m.group(2).strip()}')
        else:
            passed += 1
    # Tests announced by the plan but never reported died with the process.
    plan = re.search(r'^1\.\.(\d+)', stdout, re.M)
    missing = int(plan.group(1)) - (passed + failed + skipped) if plan else 0
    if missing > 0:
        failed += missing
        failures.append(failure_note(name, f'{missing} planned cases never reported', lines))
    return passed, failed, skipped


def main(args):
    # '--failed-builds N': builds that failed count as failures too, so a
    # broken build can never end in a green closing line.
    failed = 0
    if args[:1] == ['--failed-builds']:
        failed, args = int(args[1]), args[2:]
    paths = args
    passed = skipped = 0
    notes, failures = [], []
    for path in paths:
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                result = entry.get('result', 'ERROR')
                stdout = entry.get('stdout') or ''
                name = entry.get('name', '?')
                notes += [f'{name}: {l[2:]}' for l in stdout.splitlines()
                          if l.startswith('# nested: ') or 'retried once after' in l]
                if TAP_PLAN.search(stdout):
                    p, fl, s = count_tap(stdout, name, notes, failures)
                    if result not in ('OK', 'SKIP', 'EXPECTEDFAIL') and fl == 0:
                        fl = 1
                        failures.append(failure_note(name, f'{result} with no failed case',
                                                     stdout.splitlines()))
                    passed, failed, skipped = passed + p, failed + fl, skipped + s
                elif result in ('OK', 'EXPECTEDFAIL'):
                    passed += 1
                elif result == 'SKIP':
                    skipped += 1
                    notes.append(f'skipped: {name}: {skip_reason(stdout)}')
                else:
                    failed += 1
                    failures.append(failure_note(name, result, (stdout + '\n' + (
                        entry.get('stderr') or '')).splitlines()))
    for note in notes + failures:
        print(note)
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
