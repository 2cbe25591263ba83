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
TARGET=thumbv7em-none-eabihf
export CARGO_TARGET_DIR="${FOOTPRINT_TARGET_DIR:-$PWD/target}"
cargo build --release --bin profile
elf="$CARGO_TARGET_DIR/$TARGET/release/profile"
NM=$(command -v arm-none-eabi-nm || command -v llvm-nm)
# The harness's measured call (never inlined): its first block starts each segment.
symbols=$("$NM" "$elf")
call=$(awk '/harness4call/ { print $1; exit }' <<<"$symbols")
[ -n "$call" ] || { echo "profile: no harness::call symbol in $elf" >&2; exit 1; }
# Thumb: the symbol's address has bit 0 set, the block's pc does not.
call=$(printf '%x' $((0x$call & ~1)))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/log"
python3 profile.py collect --call-address "$call" < "$work/log" > "$work/counts.json" &
reader=$!
timeout 3600 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none \
    -serial none -semihosting-config enable=on,target=native -icount shift=0 \
    -d in_asm,exec,nochain -D "$work/log" -kernel "$elf" > "$work/out"
cat "$work/out"
grep -q "profile OK" "$work/out" || { echo "profile: the session failed" >&2; exit 1; }
wait "$reader"
# The segments' names: the measured lines of the image's own output, in order.
sed -n 's/^\(.*[^ ]\) *stack .* insns .*/\1/p' "$work/out" > "$work/labels"
python3 profile.py report "$work/counts.json" --labels "$work/labels" --top "${PROFILE_TOP:-12}"
