#!/usr/bin/env python3
"""Per-function instruction profile of the footprint `profile` image under QEMU, and the
block-by-block trace comparison of `prime_ct.sh`.

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

`trace` reads the same log and keeps, per segment, the sequence of the guest addresses of the
blocks it executed (written to `--out`, with a JSON summary: blocks, instructions, SHA-256 of
the sequence as little-endian 32-bit words), the UDIV and SDIV instructions it executed, and
any sign that the sequence is not the code's alone: an exception handler that ran inside it,
or a block QEMU cut short (`-icount` ends a block early at a timer's deadline). A block that
QEMU logged but did not run (`Stopped execution of TB chain before` it: the instruction
budget ran out at its start, every 65,535 instructions or so) is taken back. `compare`
groups the segments by the first word of their label and fails unless every segment of a
group has the same sequence; on a mismatch it names the first block where two part. An
interrupt inside a segment is reported, not failed: the image restarts SysTick before each
call, so it falls at the same place in calls whose control flow is the same.
"""

import argparse
import array
import collections
import hashlib
import json
import os
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


# Exception handlers (cortex-m-rt's names): one inside a segment means an interrupt or a fault
# ran there, whose blocks are not the measured code's.
HANDLERS = ("SysTick", "DefaultHandler", "HardFault", "NonMaskableInt", "MemoryManagement",
            "BusFault", "UsageFault", "SVCall", "PendSV")
# QEMU's TB cflags: the low bits hold a block's instruction limit when -icount cut it short.
CF_COUNT_MASK = 0x1ff
DIVISION = re.compile(rb"^0x([0-9a-f]+):\s+(?:[0-9a-f]{4} ?)+\s+([us]div\S*)\s+(.*)$")


def trace(call_address, out):
    """Reads the log on stdin; writes out/segment-N.pcs (the block addresses, u32 LE) and
    returns the per-segment summary."""
    sizes = {}              # host TB pointer -> instruction count
    divisions = {}          # host TB pointer -> [(address, text, symbol)] of its UDIV/SDIV
    symbols = {}            # block address -> the symbol QEMU names
    pending = None
    pending_divisions = []
    in_block = False
    segments = []
    current = None
    inside = False
    call_pc = b"%08x" % call_address
    # The last block logged: ("start" | "end" | "block", its host pointer, what it added).
    last = None
    for line in sys.stdin.buffer:
        if line.startswith(b"Trace "):
            in_block = False
            parts = line.split(b" ", 4)
            if len(parts) < 4:
                continue
            host, flags = parts[2], parts[3]
            pc = flags[10:18]
            if pending is not None:
                sizes[host] = pending
                if pending_divisions:
                    divisions[host] = pending_divisions
                else:
                    divisions.pop(host, None)
                pending = None
                pending_divisions = []
            last = None
            if pc == call_pc:
                current = {"pcs": array.array("I"), "insns": 0, "divisions": {},
                           "handlers": {}, "cut": 0, "symbols": collections.Counter()}
                segments.append(current)
                inside = True
                last = ("start", host, None)
                continue
            if not inside:
                continue
            symbol = parts[4].strip().decode(errors="replace") if len(parts) > 4 else ""
            if "harness13call_returned" in symbol:
                inside = False
                last = ("end", host, None)
                continue
            address = int(pc, 16)
            size = sizes.get(host, 0)
            current["pcs"].append(address)
            current["insns"] += size
            current["symbols"][symbol] += size
            if address not in symbols:
                symbols[address] = symbol
            for division in divisions.get(host, ()):
                current["divisions"][division] = current["divisions"].get(division, 0) + 1
            handler = symbol if any(h in symbol for h in HANDLERS) else None
            if handler:
                current["handlers"][handler] = current["handlers"].get(handler, 0) + 1
            cut = bool(int(flags[28:36], 16) & CF_COUNT_MASK)
            current["cut"] += cut
            last = ("block", host, (size, symbol, divisions.get(host, ()), handler, cut))
        elif line.startswith(b"Stopped execution"):
            # "Stopped execution of TB chain before <host> [pc] symbol": the block logged
            # last did not run (-icount's budget ran out at its start); it runs again next.
            parts = line.split(b" ")
            if last is None or len(parts) < 7 or parts[6] != last[1]:
                continue
            kind, _, undo = last
            last = None
            if kind == "start":
                segments.pop()
                current = segments[-1] if segments else None
                inside = False
            elif kind == "end":
                inside = True
            else:
                size, symbol, executed, handler, cut = undo
                current["pcs"].pop()
                current["insns"] -= size
                current["symbols"][symbol] -= size
                for division in executed:
                    current["divisions"][division] -= 1
                if handler:
                    current["handlers"][handler] -= 1
                    if not current["handlers"][handler]:
                        del current["handlers"][handler]
                current["cut"] -= cut
        elif line.startswith(b"IN:"):
            in_block = True
            pending = 0
            pending_divisions = []
            block_symbol = line[3:].strip().decode(errors="replace")
        elif in_block and line.startswith(b"0x"):
            pending += 1
            m = DIVISION.match(line.rstrip())
            if m:
                text = (m.group(2) + b" " + m.group(3)).decode(errors="replace")
                pending_divisions.append((int(m.group(1), 16), text, block_symbol))
    os.makedirs(out, exist_ok=True)
    summary = []
    for i, seg in enumerate(segments):
        data = seg["pcs"].tobytes() if sys.byteorder == "little" else _little(seg["pcs"])
        with open(os.path.join(out, f"segment-{i}.pcs"), "wb") as f:
            f.write(data)
        summary.append({
            "blocks": len(seg["pcs"]),
            "insns": seg["insns"],
            "sha256": hashlib.sha256(data).hexdigest(),
            "divisions": [[a, t, s, n] for (a, t, s), n in sorted(seg["divisions"].items())],
            "handlers": seg["handlers"],
            "cut": seg["cut"],
            "top": seg["symbols"].most_common(8),
        })
    return {"segments": summary, "symbols": {f"{a:08x}": s for a, s in symbols.items()}}


def _little(pcs):
    copy = array.array("I", pcs)
    copy.byteswap()
    return copy.tobytes()


def first_difference(a, b):
    """Index of the first block where two address files differ (or the shorter's length)."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        offset = 0
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                n = min(len(x), len(y))
                i = next((k for k in range(0, n, 4) if x[k:k + 4] != y[k:k + 4]), n)
                return (offset + i) // 4
            if not x:
                return None
            offset += len(x)


def block_at(path, index):
    with open(path, "rb") as f:
        f.seek(index * 4)
        word = f.read(4)
    return int.from_bytes(word, "little") if len(word) == 4 else None


def compare(directory, output, demangler):
    """Prints the table and the UDIV/SDIV list; returns the exit status."""
    with open(os.path.join(directory, "trace.json")) as f:
        traced = json.load(f)
    segments, symbols = traced["segments"], traced["symbols"]
    # The measured lines of the image's output, in order: label and SysTick's count.
    measured = []
    with open(output) as f:
        for line in f:
            m = re.match(r"^(.*[^ ]) +stack .* insns +(\d+)", line)
            if m:
                measured.append((m.group(1), int(m.group(2))))
    if len(measured) != len(segments):
        print(f"compare: {len(segments)} traced segments, {len(measured)} measured lines")
        return 1
    names = demangle(sorted(set(symbols.values())
                            | {d[2] for s in segments for d in s["divisions"]}
                            | {sym for s in segments for sym, _ in s.get("top", [])}), demangler)

    def where(address):
        if address is None:
            return "(the trace ended)"
        symbol = symbols.get(f"{address:08x}", "")
        return f"0x{address:08x} in {names.get(symbol, symbol) or '(unknown)'}"

    status = 0
    groups = {}
    for i, (label, _) in enumerate(measured):
        groups.setdefault(label.split()[0], []).append(i)
    print(f"{'segment':<30} {'blocks':>12} {'instructions':>14} {'(SysTick)':>12}  "
          "sha256 of the block addresses")
    for (label, systick), seg in zip(measured, segments):
        print(f"{label:<30} {seg['blocks']:>12,} {seg['insns']:>14,} {systick:>12,}  "
              f"{seg['sha256']}")
    print()
    for group, members in groups.items():
        first = members[0]
        ref = segments[first]
        for i in members:
            # Not a failure by itself: the image restarts SysTick before each call, so that
            # an interrupt falls at the same instruction of every call whose control flow is
            # the same (and the sequences still agree); elsewhere they differ, and fail.
            seg = segments[i]
            label = measured[i][0]
            if seg["handlers"]:
                handlers = ", ".join(f"{names.get(h, h)} ({n} blocks)"
                                     for h, n in seg["handlers"].items())
                print(f"note: an exception handler ran inside {label!r}: {handlers}")
            if seg["cut"]:
                print(f"note: {seg['cut']} block(s) of {label!r} cut short by -icount "
                      "(a timer's deadline)")
        mismatched = [i for i in members[1:]
                      if (segments[i]["blocks"], segments[i]["insns"], segments[i]["sha256"])
                      != (ref["blocks"], ref["insns"], ref["sha256"])]
        top = ", ".join(f"{names.get(sym, sym) or '(unknown)'} {n / ref['insns'] * 100:.1f} %"
                        for sym, n in ref.get("top", [])[:5])
        print(f"{group}: where the instructions go: {top}")
        if not mismatched:
            print(f"{group}: IDENTICAL: {len(members)} segments, {ref['blocks']:,} blocks and "
                  f"{ref['insns']:,} instructions each, the same sequence of block addresses")
            continue
        status = 1
        for i in mismatched:
            a = os.path.join(directory, f"segment-{first}.pcs")
            b = os.path.join(directory, f"segment-{i}.pcs")
            k = first_difference(a, b)
            print(f"{group}: DIFFERENT: {measured[i][0]!r} ({segments[i]['blocks']:,} blocks, "
                  f"{segments[i]['insns']:,} instructions) against {measured[first][0]!r} "
                  f"({ref['blocks']:,} blocks, {ref['insns']:,} instructions)")
            if k is None:
                print("  the block sequences are equal; the instruction counts differ")
                continue
            before = block_at(a, k - 1) if k > 0 else None
            print(f"  they part at block {k:,}" +
                  (f", after {where(before)}" if before is not None else ""))
            print(f"    {measured[first][0]}: {where(block_at(a, k))}")
            print(f"    {measured[i][0]}: {where(block_at(b, k))}")

    print()
    divisions = {}
    for seg in segments:
        for address, text, symbol, n in seg["divisions"]:
            entry = divisions.setdefault((address, text, symbol), [])
            entry.append(n)
    if not divisions:
        print("UDIV/SDIV executed inside the segments: none")
    else:
        print("UDIV/SDIV executed inside the segments (not a failure: check that their operands "
              "are public):")
        for (address, text, symbol), counts in sorted(divisions.items()):
            runs = ", ".join(f"{n:,}" for n in counts)
            print(f"  0x{address:08x}  {text:<24} in {names.get(symbol, symbol)}: "
                  f"executed {runs} times")
    return status


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
    t = sub.add_parser("trace", help="log on stdin -> block sequences and summary in --out")
    t.add_argument("--call-address", required=True, type=lambda v: int(v, 16))
    t.add_argument("--out", required=True, help="directory for trace.json and segment-N.pcs")
    k = sub.add_parser("compare", help="trace directory + the image's output -> verdict")
    k.add_argument("directory")
    k.add_argument("--output", required=True, help="the image's output (its measured lines)")
    k.add_argument("--demangler", default="arm-none-eabi-c++filt")
    args = parser.parse_args()

    if args.command == "collect":
        json.dump([dict(seg) for seg in collect(args.call_address)], sys.stdout)
        return
    if args.command == "trace":
        summary = trace(args.call_address, args.out)
        with open(os.path.join(args.out, "trace.json"), "w") as f:
            json.dump(summary, f)
        return
    if args.command == "compare":
        sys.exit(compare(args.directory, args.output, args.demangler))
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
