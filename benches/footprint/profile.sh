#!/usr/bin/env bash
# Where the instructions go on the emulated Cortex-M4 (BENCHMARKS.md, "Where the instructions
# go"): builds the footprint images (release profile, as run.sh), runs the `profile` image under
# QEMU with every executed translation block logged, and prints per measured operation the
# functions that executed the most instructions (benches/footprint/profile.py).
#
# Exact counts from QEMU's own log (no TCG plugin needed). Slow: QEMU logs every block, about
# 1 GB per 100 M instructions, streamed through a FIFO and never stored; a few minutes.
# Needs what run.sh needs, and python3.
set -euo pipefail
cd "$(dirname "$0")"
source ./trace.sh
cargo build --release --bin profile
elf="$CARGO_TARGET_DIR/$TARGET/release/profile"
# The harness's measured call (never inlined): its first block starts each segment.
call=$(marker "$elf" harness4call)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/log"
python3 profile.py collect --call-address "$call" < "$work/log" > "$work/counts.json" &
reader=$!
qemu_traced "$elf" "$work/log" > "$work/out"
cat "$work/out"
grep -q "profile OK" "$work/out" || { echo "profile: the session failed" >&2; exit 1; }
wait "$reader"
# The segments' names: the measured lines of the image's own output, in order.
sed -n 's/^\(.*[^ ]\) *stack .* insns .*/\1/p' "$work/out" > "$work/labels"
python3 profile.py report "$work/counts.json" --labels "$work/labels" --top "${PROFILE_TOP:-12}"
