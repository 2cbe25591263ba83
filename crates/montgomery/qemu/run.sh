#!/usr/bin/env bash
# The differential test of the UMAAL kernel on emulated cores (crates/montgomery/README.md,
# "Tests"): builds `differential` and runs it under QEMU on the Cortex-M4 (mps2-an386,
# thumbv7em-none-eabihf) and the Cortex-M33 (mps2-an505, thumbv8m.main-none-eabihf, the
# kernel through the crate's `v8m-dsp` feature). Fails unless every product agreed.
#
# Usage: run.sh [m4|m33|all] (default all). MONTGOMERY_PRODUCTS sets the pseudo-random products
# per size (default 1,000, a second or two a core; 100,000 takes a few minutes a core).
# Needs: the two Rust targets and qemu-system-arm.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${MONTGOMERY_TARGET_DIR:-$PWD/target}"
command -v qemu-system-arm >/dev/null || { echo "montgomery: missing qemu-system-arm" >&2; exit 2; }

# Builds for target $1 and runs the image on machine $2 with cpu $3.
run() {
    local target=$1 machine=$2 cpu=$3 log status
    if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
        rustup target add "$target"
    fi
    echo "==> $cpu ($machine, $target)"
    cargo build --release --locked --target "$target"
    log=$(mktemp)
    set +e
    timeout "${MONTGOMERY_TIMEOUT:-1800}" qemu-system-arm -machine "$machine" -cpu "$cpu" \
        -nographic -monitor none -serial none -semihosting-config enable=on,target=native \
        -kernel "$CARGO_TARGET_DIR/$target/release/differential" | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ] || ! grep -q "differential OK" "$log"; then
        rm -f "$log"
        echo "montgomery: the differential test failed on the $cpu (exit status $status)" >&2
        exit 1
    fi
    rm -f "$log"
}

case "${1:-all}" in
    m4) run thumbv7em-none-eabihf mps2-an386 cortex-m4 ;;
    m33) run thumbv8m.main-none-eabihf mps2-an505 cortex-m33 ;;
    all)
        run thumbv7em-none-eabihf mps2-an386 cortex-m4
        run thumbv8m.main-none-eabihf mps2-an505 cortex-m33
        ;;
    *) echo "usage: $0 [m4|m33|all]" >&2; exit 2 ;;
esac
