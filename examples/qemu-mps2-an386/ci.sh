#!/usr/bin/env bash
# Builds the emulated Cortex-M4 firmware (release: opt-level s, LTO, one codegen unit, as the
# footprint image) and prints its sizes. tests/e2e/ci.sh runs it before the firmware suites;
# the image is then target/thumbv7em-none-eabihf/release/qemu-mps2-an386 here (or under
# $CARGO_TARGET_DIR). From cold on 2 cores: about 1 minute.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
target=thumbv7em-none-eabihf
rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target"
cargo build --release --locked
elf="$CARGO_TARGET_DIR/$target/release/qemu-mps2-an386"
for tool in arm-none-eabi-size llvm-size; do
    if command -v "$tool" >/dev/null; then
        "$tool" "$elf" >&2
        break
    fi
done
echo "$elf"
