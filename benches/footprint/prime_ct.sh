#!/usr/bin/env bash
# Constant-time evidence for on-card RSA prime generation on the emulated Cortex-M4
# (BENCHMARKS.md, "Constant-time acceptance of RSA primes"): builds the `prime_ct` image, runs
# it under QEMU with every executed translation block logged (as profile.sh does, streamed
# through a FIFO and never stored), and compares the measured calls: several different primes
# of one size, tested with the same random bases and with other ones, must execute the same
# sequence of blocks (the same guest addresses, in the same order), hence the same instruction
# count. On a mismatch it names the first block where two traces part and fails. It also
# lists every UDIV and SDIV executed inside the calls (their time depends on their operands on
# a Cortex-M4), for a reader to judge that their operands are public; those do not fail it.
#
# PRIME_CT_2048=1 adds the 2048-bit primes of RSA-4096 (about 8 times the work of the 1024-bit
# ones). Needs what profile.sh needs. Exits 1 when the traces differ or the image fails.
set -euo pipefail
cd "$(dirname "$0")"
TARGET=thumbv7em-none-eabihf
export CARGO_TARGET_DIR="${FOOTPRINT_TARGET_DIR:-$PWD/target}"
if [ "${PRIME_CT_2048:-0}" = 1 ]; then
    export PRIME_CT_2048=1
else
    unset PRIME_CT_2048
fi
cargo build --release --bin prime_ct
elf="$CARGO_TARGET_DIR/$TARGET/release/prime_ct"
NM=$(command -v arm-none-eabi-nm || command -v llvm-nm)
# The harness's measured call (never inlined): its first block starts each segment.
symbols=$("$NM" "$elf")
call=$(awk '/harness4call/ { print $1; exit }' <<<"$symbols")
[ -n "$call" ] || { echo "prime_ct: no harness::call symbol in $elf" >&2; exit 1; }
# Thumb: the symbol's address has bit 0 set, the block's pc does not.
call=$(printf '%x' $((0x$call & ~1)))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/log"
python3 profile.py trace --call-address "$call" --out "$work/trace" < "$work/log" &
reader=$!
status=0
timeout 1800 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none \
    -serial none -semihosting-config enable=on,target=native -icount shift=0 \
    -d in_asm,exec,nochain -D "$work/log" -kernel "$elf" > "$work/out" || status=$?
cat "$work/out"
wait "$reader"
if [ "$status" -ne 0 ] || ! grep -q "prime_ct OK" "$work/out"; then
    echo "prime_ct: the image failed (exit status $status)" >&2
    exit 1
fi
echo
python3 profile.py compare "$work/trace" --output "$work/out"
