#!/usr/bin/env python3
"""The constant-time checker's verdict (`ct_check.sh`): compares the traces that `tracecut`
cut from QEMU's log of the `ct` image, run by run, against the allow-list `ct_allow.txt`.

    ct.py TRACE-DIR --output IMAGE-OUTPUT --build NAME --allow ct_allow.txt [--table FILE]
    ct.py ranges ELF --allow ct_allow.txt [--nm NM]    (the `exclude` ranges, for tracecut)

The runs (segments) are named by the image's measured lines, `GROUP: what`. Within a group
every run must execute the same sequence of translation blocks as the group's first run (the
same guest addresses in the same order, hence the same instructions). A run that parts from
it is reported with where: the last block both executed (the branch that decided is at its
end) and the block each went to, with their symbols (demangled, hash dropped) and addresses.
The divergence passes only if a `diverge` line of the allow-list matches the group and the
symbol of the last common block. A group that an `expect` line matches must diverge there
(the self-test): if it does not, the checker is blind and fails.

Every UDIV and SDIV executed inside a run is listed with its symbol and how often each run
executed it; it fails unless a `division` line matches the group and its symbol (its reason
says why its operands are public). Its time on a Cortex-M4 depends on its operands, which a
trace cannot see: the allow-list's reason is a reader's judgement, from the source.

An `exclude` line's functions (any group: `*`) are left out of every sequence: the test
harness's own code that runs inside the applet's calls (its heap, its in-RAM storage), whose
control flow follows the history of the image rather than the operation; a firmware brings
its own. `ranges` prints their address ranges from the ELF's symbol table for `tracecut`.

Allow-list lines: `KIND GROUP-GLOB SYMBOL-GLOB REASON...` (globs as fnmatch; a demangled
symbol's spaces are matched by `*`), `#` comments. Symbols are matched by name and path, never
by address, so that the lines survive moves of the code.
"""

import argparse
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys

from profile import demangle


def load_allow(path):
    entries = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 4 or parts[0] not in ("diverge", "division", "expect", "exclude"):
                raise SystemExit(f"{path}:{number}: KIND GROUP SYMBOL REASON expected")
            entries.append({"kind": parts[0], "group": parts[1], "symbol": parts[2],
                            "reason": parts[3], "line": number, "used": False})
    return entries


def matching(entries, kind, group, symbol):
    for entry in entries:
        if (entry["kind"] == kind and fnmatch.fnmatchcase(group, entry["group"])
                and fnmatch.fnmatchcase(symbol, entry["symbol"])):
            return entry
    return None


def first_difference(a, b):
    """Index of the first block where two address files differ (or the shorter's length)."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        x, y = fa.read(), fb.read()
    if x == y:
        return None
    n = min(len(x), len(y))
    lo = 0
    # Chunks first, then words: the files are up to tens of MB.
    step = 1 << 16
    while lo + step <= n and x[lo:lo + step] == y[lo:lo + step]:
        lo += step
    while lo + 4 <= n and x[lo:lo + 4] == y[lo:lo + 4]:
        lo += 4
    return lo // 4


def block_at(path, index):
    if index < 0:
        return None
    with open(path, "rb") as f:
        f.seek(index * 4)
        word = f.read(4)
    return int.from_bytes(word, "little") if len(word) == 4 else None


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ranges(argv):
    parser = argparse.ArgumentParser(prog="ct.py ranges")
    parser.add_argument("elf")
    parser.add_argument("--allow", required=True)
    parser.add_argument("--nm", default="arm-none-eabi-nm")
    args = parser.parse_args(argv)
    patterns = [e["symbol"] for e in load_allow(args.allow) if e["kind"] == "exclude"]
    out = subprocess.run([args.nm, "-S", "-C", "--defined-only", args.elf], check=True,
                         capture_output=True, text=True).stdout
    found = 0
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) < 4 or parts[2] not in ("t", "T"):
            continue
        symbol = re.sub(r"::h[0-9a-f]{16}$", "", parts[3])
        if any(fnmatch.fnmatchcase(symbol, p) for p in patterns):
            start = int(parts[0], 16) & ~1
            print(f"{start:x} {start + int(parts[1], 16):x} {symbol}")
            found += 1
    if patterns and not found:
        print("ct.py ranges: no symbol matches an exclude line", file=sys.stderr)
        return 1
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "ranges":
        return ranges(sys.argv[2:])
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--output", required=True, help="the image's output (its measured lines)")
    parser.add_argument("--build", required=True, help="the build's name, for the report")
    parser.add_argument("--allow", required=True)
    parser.add_argument("--table", help="append the Markdown rows of the result to this file")
    parser.add_argument("--demangler", default="arm-none-eabi-c++filt")
    args = parser.parse_args()

    with open(os.path.join(args.directory, "trace.json")) as f:
        traced = json.load(f)
    segments, symbols = traced["segments"], traced["symbols"]
    labels = []
    with open(args.output) as f:
        for line in f:
            m = re.match(r"^(.*[^ ]) +stack .* insns +(\d+)", line)
            if m:
                labels.append(m.group(1))
    if len(labels) != len(segments):
        print(f"ct: {len(segments)} traced runs, {len(labels)} measured lines")
        return 1
    entries = load_allow(args.allow)
    names = demangle(sorted(set(symbols.values())
                            | {d[2] for s in segments for d in s["divisions"]}), args.demangler)

    def name(address):
        symbol = symbols.get(f"{address:08x}", "") if address is not None else ""
        return names.get(symbol, symbol) or "(unknown)"

    def where(address):
        if address is None:
            return "(the run ended)"
        return f"0x{address:08x} in {name(address)}"

    groups = {}
    for i, label in enumerate(labels):
        groups.setdefault(label.split(":")[0].strip(), []).append(i)
    pcs = [os.path.join(args.directory, f"segment-{i}.pcs") for i in range(len(segments))]

    failures = []
    rows = []
    for group, members in groups.items():
        ref = members[0]
        divergences = []   # (run, k, last-common symbol, text)
        for i in members:
            seg = segments[i]
            if seg["handlers"]:
                handlers = ", ".join(f"{names.get(h, h)} ({n} blocks)"
                                     for h, n in seg["handlers"].items())
                print(f"note: an exception handler ran inside {labels[i]!r}: {handlers}")
            if seg["cut"]:
                print(f"note: {seg['cut']} block(s) of {labels[i]!r} cut short by -icount")
        digests = {i: sha256_of(pcs[i]) for i in members}
        for i in members[1:]:
            same = (digests[i] == digests[ref]
                    and segments[i]["insns"] == segments[ref]["insns"])
            if same:
                continue
            k = first_difference(pcs[ref], pcs[i])
            if k is None:
                divergences.append((i, None, "", "the block sequences are equal, the "
                                    "instruction counts differ"))
                continue
            last = block_at(pcs[ref], k - 1)
            text = (f"part at block {k:,} after {where(last)}: "
                    f"{labels[ref]!r} goes to {where(block_at(pcs[ref], k))}, "
                    f"{labels[i]!r} to {where(block_at(pcs[i], k))}")
            divergences.append((i, k, name(last) if last is not None else "", text))

        expected = [e for e in entries if e["kind"] == "expect"
                    and fnmatch.fnmatchcase(group, e["group"])]
        verdicts = []
        status = "identical"
        for i, k, symbol, text in divergences:
            allowed = matching(entries, "expect" if expected else "diverge", group, symbol)
            if allowed:
                allowed["used"] = True
                verdicts.append(f"{labels[i]}: {text} — listed (ct_allow.txt:{allowed['line']}: "
                                f"{allowed['reason']})")
                status = "expected divergence" if expected else "allowed divergence"
            else:
                verdicts.append(f"{labels[i]}: {text} — NOT LISTED")
                failures.append(f"{group}: {labels[i]} diverges from {labels[ref]}: {text}")
                status = "DIVERGES"
        if expected and not divergences:
            failures.append(f"{group}: the self-test's leak was not caught (the runs agree)")
            status = "SELF-TEST NOT CAUGHT"
        seg = segments[ref]
        print(f"{group}: {len(members)} runs, {seg['blocks']:,} blocks, {seg['insns']:,} "
              f"instructions (first run): {status}")
        # The harness's excluded code (heap, storage): not compared, but its instruction
        # counts are shown when they differ between the runs.
        excluded = [segments[i].get("excluded", 0) for i in members]
        if len(set(excluded)) > 1:
            print(f"  note: the excluded harness code ran {', '.join(f'{n:,}' for n in excluded)} "
                  "instructions in these runs")
        for v in verdicts:
            print(f"  {v}")

        # Divisions: every site executed in the group, with its count per run.
        sites = {}
        for i in members:
            for address, text, symbol, n in segments[i]["divisions"]:
                sites.setdefault((address, text, symbol), {})[i] = n
        division_notes = []
        for (address, text, symbol), counts in sorted(sites.items()):
            nice = names.get(symbol, symbol)
            per_run = ", ".join(f"{counts.get(i, 0):,}" for i in members)
            entry = matching(entries, "division", group, nice)
            if entry:
                entry["used"] = True
                judged = f"public (ct_allow.txt:{entry['line']}: {entry['reason']})"
            else:
                judged = "NOT LISTED"
                failures.append(f"{group}: {text} at 0x{address:08x} in {nice} is not listed")
            print(f"  {text} at 0x{address:08x} in {nice}: executed {per_run} times; {judged}")
            division_notes.append(f"`{text.split()[0]}` in `{nice}` ×{counts.get(ref, 0):,}")

        reasons = "; ".join(sorted({v.split(" — listed (")[1].rstrip(")")
                                    for v in verdicts if " — listed (" in v}))
        rows.append(f"| {group} | {args.build} | {len(members)} | {seg['blocks']:,} | "
                    f"{seg['insns']:,} | {status} | {reasons or '–'} | "
                    f"{'; '.join(division_notes) or '–'} |")

    print()
    for entry in entries:
        if not entry["used"] and entry["kind"] in ("diverge", "expect"):
            print(f"note: ct_allow.txt:{entry['line']} matched nothing in this build "
                  f"({entry['kind']} {entry['group']} {entry['symbol']})")
    if args.table:
        with open(args.table, "a") as f:
            f.write("\n".join(rows) + "\n")
    if failures:
        print(f"ct ({args.build}): FAILED")
        for failure in failures:
            print(f"  {failure}")
        return 1
    print(f"ct ({args.build}): every group agrees, or parts only where ct_allow.txt says why; "
          f"the self-test's leak was caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
