#!/usr/bin/env bash
# Builds the minimal firmware (the embedding guide's blocks, src/embedding/firmware/) at the
# guide's release profile, prints its size, and runs it under QEMU (mps2-an386): it answers
# SELECT and GET DATA 6E, 5F52 and C4, checks every answer and exits through semihosting, 0
# when all were right. This script's status is the firmware's. About 1 minute cold on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
target=thumbv7em-none-eabihf
rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target"
cargo build --release --locked
elf="$CARGO_TARGET_DIR/$target/release/minimal-firmware"
# Flash is text + data (the guide's size table, section 8).
arm-none-eabi-size "$elf"
# The firmware exits by itself in well under a second; the timeout is for a hang.
timeout 60 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none \
    -serial none -semihosting-config enable=on,target=native -kernel "$elf"
