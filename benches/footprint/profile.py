#!/usr/bin/env python3
"""Per-function instruction profile of the footprint `profile` image under QEMU.

`collect` reads QEMU's `-d in_asm,exec,nochain` log on stdin: every translation block's instructions
once (`IN:` blocks, printed just before the block first runs) and one `Trace` line each time
a block runs. A block's instructions are charged to the symbol QEMU names for it (the function
its first instruction is in; with LTO, inlined code counts as its caller's). The measured calls
are the segments: a segment starts when the harness's `call` function is entered (its first
block, at `--call-address`) and ends when `call_returned` runs, right after it.

`report` prints, for each segment in order, its total instructions and the functions that executed the
most, with their share; `--labels` names the segments (one label per line, the measured lines
of the image's own output, in order). Symbols are demangled with `--demangler` (GNU c++filt
understands Rust's legacy mangling); the hash suffix is dropped.

Exact counts, not samples: QEMU logs every block execution with `nochain` (no direct jumps
between blocks), so the total of a segment equals what SysTick counts under `-icount`.

The block-by-block traces of the constant-time checker are cut by `tracecut.rs` and compared
by `ct.py`; they use `demangle` from here.
"""

import argparse
import collections
import json
import re
import subprocess
import sys


def demangle(symbols, demangler):
    if not symbols:
        return {}
    try:
        out = subprocess.run([demangler], input="\n".join(symbols), capture_output=True,
                             text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        out = list(symbols)
    names = {}
    for raw, nice in zip(symbols, out):
        names[raw] = re.sub(r"::h[0-9a-f]{16}$", "", nice)
    return names


def collect(call_address):
    """Reads the log on stdin; returns the segments, each a Counter(symbol -> instructions)."""
    pending = None          # instruction count of the block just translated
    in_block = False
    sizes = {}              # host TB pointer -> instruction count
    segments = []
    current = None
    inside = False
    call_pc = "%08x" % call_address
    for line in sys.stdin:
        if line.startswith("Trace "):
            in_block = False
            # "Trace 0: 0x7fd560000100 [00800408/00000400/00000110/ff020200] symbol"
            parts = line.split(" ", 4)
            if len(parts) < 4:
                continue
            host, pc = parts[2], parts[3][10:18]
            symbol = parts[4].strip() if len(parts) > 4 else ""
            if pending is not None:
                sizes[host] = pending
                pending = None
            if pc == call_pc:
                current = collections.Counter()
                segments.append(current)
                inside = True
            elif inside:
                if "harness13call_returned" in symbol:
                    inside = False
                else:
                    current[symbol or "(unknown)"] += sizes.get(host, 0)
        elif line.startswith("IN:"):
            in_block = True
            pending = 0
        elif in_block and line.startswith("0x"):
            pending += 1
    return segments


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect", help="log on stdin -> JSON counts on stdout")
    c.add_argument("--call-address", required=True, type=lambda v: int(v, 16))
    r = sub.add_parser("report", help="JSON counts -> per-segment table")
    r.add_argument("counts")
    r.add_argument("--labels", help="file of segment labels, one per line")
    r.add_argument("--top", type=int, default=12)
    r.add_argument("--demangler", default="arm-none-eabi-c++filt")
    args = parser.parse_args()

    if args.command == "collect":
        json.dump([dict(seg) for seg in collect(args.call_address)], sys.stdout)
        return
    with open(args.counts) as f:
        segments = [collections.Counter(seg) for seg in json.load(f)]
    labels = []
    if args.labels:
        with open(args.labels) as f:
            labels = [l.rstrip("\n") for l in f if l.strip()]
    names = demangle(sorted({s for seg in segments for s in seg}), args.demangler)
    for i, seg in enumerate(segments):
        total = sum(seg.values())
        label = labels[i] if i < len(labels) else f"segment {i}"
        print(f"\n### {label}: {total:,} instructions")
        for symbol, n in seg.most_common(args.top):
            print(f"{n / total * 100:6.1f}%  {n:>12,}  {names.get(symbol, symbol)}")


if __name__ == "__main__":
    main()
