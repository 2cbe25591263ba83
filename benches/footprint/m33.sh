#!/usr/bin/env bash
# The footprint images on the Cortex-M33 (BENCHMARKS.md, "RSA on the Cortex-M33"): builds
# `session` (and, with M33_GENERATE=1, `generate`) for thumbv8m.main-none-eabihf, the
# Montgomery kernel's UMAAL code through its `v8m-dsp` feature, and runs them under QEMU on
# mps2-an505 (Cortex-M33) with `-icount shift=0`: every command's stack, heap and instructions,
# as run.sh prints them for the Cortex-M4. The same Rust and assembly as the M4's images but
# for the target (QEMU counts instructions, not cycles). FOOTPRINT_SEEDS as for run.sh.
# Needs: the thumbv8m.main-none-eabihf Rust target, qemu-system-arm.
set -euo pipefail
cd "$(dirname "$0")"
TARGET=thumbv8m.main-none-eabihf
export CARGO_TARGET_DIR="${FOOTPRINT_TARGET_DIR:-$PWD/target}"
command -v qemu-system-arm >/dev/null || { echo "m33: missing qemu-system-arm" >&2; exit 2; }
if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi
images=(session)
[ "${M33_GENERATE:-0}" = 1 ] && images+=(generate)
echo "==> build (release, $TARGET): ${images[*]}"
cargo build --release --target "$TARGET" $(printf -- '--bin %s ' "${images[@]}")
for image in "${images[@]}"; do
    echo
    echo "==> QEMU: $image (mps2-an505, Cortex-M33)"
    log=$(mktemp)
    set +e
    timeout 3600 qemu-system-arm -machine mps2-an505 -cpu cortex-m33 -nographic -monitor none \
        -serial none -semihosting-config enable=on,target=native -icount shift=0 \
        -kernel "$CARGO_TARGET_DIR/$TARGET/release/$image" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ] || ! grep -qE "(session|generation) OK" "$log"; then
        rm -f "$log"
        echo "m33: the QEMU run of $image failed (exit status $status)" >&2
        exit 1
    fi
    rm -f "$log"
done
