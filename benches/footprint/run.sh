#!/usr/bin/env bash
# Footprint of the applet on a Cortex-M4 (BENCHMARKS.md, "Footprint"):
#  1. builds the probe firmware (release: opt-level "s", LTO, one codegen unit) for
#     thumbv7em-none-eabihf;
#  2. prints flash (text + rodata + data initialisers) and static RAM (data + bss) of `bare`
#     (the applet with all eight algorithms behind a minimal APDU loop) and of `session`;
#  3. runs `session` under QEMU (mps2-an386): a scripted session whose every command prints its
#     stack high-water mark and heap peak, checked against known answers;
#  4. runs `generate` under QEMU: on-card key generation of every default algorithm, each key
#     used once and checked; RSA on FOOTPRINT_SEEDS fresh cards (default 5), with the median,
#     minimum and maximum instruction count (a minute or several: RSA-4096 generation is
#     tens of billions of instructions, about 700 M a second under QEMU here).
# Exits non-zero if the build or a QEMU session fails; the targets (flash <= 256 KiB, stack of
# every command, key generation included, <= 16 KiB, RSA-2048 sign heap <= 16 KiB) are
# reported, and enforced with FOOTPRINT_ENFORCE=1 (as CI runs it).
#
# Needs: the thumbv7em-none-eabihf Rust target, qemu-system-arm, and arm-none-eabi-size
# (Debian: binutils-arm-none-eabi) or llvm-size. CI: see BENCHMARKS.md.
# FOOTPRINT_TARGET_DIR sets the cargo target directory (default: benches/footprint/target).
set -euo pipefail
cd "$(dirname "$0")"

FLASH_TARGET=$((256 * 1024))
STACK_TARGET=$((16 * 1024))
HEAP_TARGET=$((16 * 1024))
TARGET=thumbv7em-none-eabihf
export CARGO_TARGET_DIR="${FOOTPRINT_TARGET_DIR:-$PWD/target}"

missing=()
command -v qemu-system-arm >/dev/null || missing+=("qemu-system-arm (Debian: qemu-system-arm)")
if command -v arm-none-eabi-size >/dev/null; then
    SIZE=arm-none-eabi-size
elif command -v llvm-size >/dev/null; then
    SIZE=llvm-size
else
    missing+=("arm-none-eabi-size (Debian: binutils-arm-none-eabi) or llvm-size")
fi
if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi
if [ ${#missing[@]} -gt 0 ]; then
    printf 'footprint: missing %s\n' "${missing[@]}" >&2
    exit 2
fi

echo "==> build (release: opt-level s, lto, codegen-units 1, sha2 compact; $TARGET)"
cargo build --release --bins
out="$CARGO_TARGET_DIR/$TARGET/release"

# Section sizes (SysV format): flash holds the vector table, code, read-only data and the
# initial values of .data; static RAM is .data + .bss (+ .uninit).
sizes() {
    "$SIZE" -A "$1" | awk '
        $1 == ".vector_table" || $1 == ".text" { text += $2 }
        $1 == ".rodata" { rodata += $2 }
        $1 == ".data" { data += $2 }
        $1 == ".bss" || $1 == ".uninit" { bss += $2 }
        END { printf "%d %d %d %d\n", text, rodata, data, bss }'
}
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
verdict() { if [ "$1" -le "$2" ]; then echo met; else echo MISSED; fi; }

failed_targets=0
echo
echo "==> sizes ($SIZE)"
printf '%-8s %10s %10s %10s %10s   %-22s %s\n' image text rodata data bss "flash (text+rodata+data)" "static RAM (data+bss)"
for image in bare session; do
    read -r text rodata data bss < <(sizes "$out/$image")
    flash=$((text + rodata + data))
    ram=$((data + bss))
    printf '%-8s %10d %10d %10d %10d   %-24s %s\n' "$image" "$text" "$rodata" "$data" "$bss" \
        "$flash ($(kib $flash))" "$ram ($(kib $ram))"
    if [ "$image" = bare ]; then
        bare_flash=$flash
    fi
done
echo "flash of bare: $(kib "$bare_flash") (target <= 256 KiB: $(verdict "$bare_flash" "$FLASH_TARGET"))"
[ "$bare_flash" -le "$FLASH_TARGET" ] || failed_targets=1

# Code and read-only data of bare by crate (the first path segment of each symbol).
NM=$(command -v arm-none-eabi-nm || command -v llvm-nm || true)
if [ -n "$NM" ] && command -v python3 >/dev/null; then
    echo
    echo "==> flash of bare by crate (largest first; $NM)"
    "$NM" --size-sort -S -C "$out/bare" | python3 -c '
import collections, re, sys
sizes = collections.Counter()
for line in sys.stdin:
    parts = line.rstrip("\n").split(" ", 3)
    if len(parts) == 4 and parts[2].lower() in ("t", "r"):
        m = re.match(r"[<_]*([A-Za-z0-9_]+)::", parts[3])
        sizes[m.group(1) if m else "(other)"] += int(parts[1], 16)
for crate, size in sizes.most_common(12):
    print(f"{size:8d}  {crate}")
'
fi

# Runs image $1 under QEMU (at most $2 seconds), its output into file $3; fails unless it ends
# with "$4".
run_image() {
    local status
    set +e
    timeout "$2" qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none \
        -serial none -semihosting-config enable=on,target=native -icount shift=0 \
        -kernel "$out/$1" 2>&1 | tee "$3"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ] || ! grep -q "$4" "$3"; then
        echo "footprint: the QEMU session of $1 failed (exit status $status)" >&2
        exit 1
    fi
}
log=$(mktemp)
genlog=$(mktemp)
trap 'rm -f "$log" "$genlog"' EXIT

echo
echo "==> QEMU session (mps2-an386, Cortex-M4)"
run_image session 900 "$log" "session OK"

echo
echo "==> QEMU: on-card key generation (RSA over ${FOOTPRINT_SEEDS:-5} seeds)"
run_image generate 3600 "$genlog" "generation OK"
gen_stack=$(sed -n 's/^worst stack \([0-9]*\) B (applet).*generation OK/\1/p' "$genlog")

worst_stack=$(sed -n 's/^worst stack \([0-9]*\) B (applet).*session OK/\1/p' "$log")
worst_total=$(sed -n 's/^worst stack [0-9]* B (applet), \([0-9]*\) B (total).*/\1/p' "$log")
# A value of a command's line: "LABEL  stack N B  total N B  heap+ N B  heap N B  insns N".
field() { grep "^$1 " "$log" | sed -n "s/.* $2 *\([0-9]*\).*/\1/p" | head -1; }
rsa2048=$(field "RSA-2048 PSO:CDS" "heap+")
rsa4096=$(field "RSA-4096 PSO:CDS" "heap+")
echo
echo "stack high-water of the applet (worst command): $worst_stack B (target <= 16 KiB: $(verdict "$worst_stack" "$STACK_TARGET")); with the harness's frames: $worst_total B"
echo "stack high-water of the applet (worst key generation): $gen_stack B (target <= 16 KiB: $(verdict "$gen_stack" "$STACK_TARGET"))"
echo "heap peak of RSA-2048 PSO:CDS: $rsa2048 B (target <= 16 KiB: $(verdict "$rsa2048" "$HEAP_TARGET"))"
echo "heap peak of RSA-4096 PSO:CDS: $rsa4096 B"
[ "$worst_stack" -le "$STACK_TARGET" ] || failed_targets=1
[ "$gen_stack" -le "$STACK_TARGET" ] || failed_targets=1
[ "$rsa2048" -le "$HEAP_TARGET" ] || failed_targets=1

if [ "$failed_targets" -ne 0 ] && [ "${FOOTPRINT_ENFORCE:-0}" = 1 ]; then
    echo "footprint: a target was missed (FOOTPRINT_ENFORCE=1)" >&2
    exit 3
fi
echo "footprint: done"
