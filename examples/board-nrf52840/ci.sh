#!/usr/bin/env bash
# What CI runs for the nRF52840 board crate (examples/board-nrf52840):
#   the firmware, release, for thumbv7em-none-eabihf, and its flash/RAM use (text/data/bss),
#   with a check that the stack keeps at least 64 KiB of RAM.
# The host tests of the crates it uses (crates/flash-record-storage, crates/ccid-class) run in
# the main workspace's `cargo test --workspace`.
# From cold on 2 cores: about 3 minutes.
#
# CARGO_TARGET_DIR defaults to target/ in this directory (ignored by git).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
target=thumbv7em-none-eabihf
start=$SECONDS

rustup target add "$target"

echo "== firmware ($target, release)"
cargo build --release --locked --target "$target" -p board-nrf52840
elf="$CARGO_TARGET_DIR/$target/release/board-nrf52840"

size_tool=""
for tool in arm-none-eabi-size llvm-size; do
    if command -v "$tool" >/dev/null; then
        size_tool="$tool"
        break
    fi
done
if [[ -z "$size_tool" ]] && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
    apt-get install -y -qq binutils-arm-none-eabi >/dev/null
    size_tool=arm-none-eabi-size
fi
if [[ -n "$size_tool" ]]; then
    echo "== size ($size_tool, Berkeley format: text = code + read-only data in flash)"
    "$size_tool" "$elf"
    read -r text data bss _ < <("$size_tool" "$elf" | tail -n 1)
    ram=$((data + bss))
    stack=$((256 * 1024 - 8 - ram))
    echo "flash: $((text + data)) bytes of 782336 (code region of memory-dongle.x)"
    echo "RAM:   $ram bytes static (data + bss, heap included), $stack bytes left for the stack"
    if ((stack < 64 * 1024)); then
        echo "error: less than 64 KiB of RAM left for the stack" >&2
        exit 1
    fi
else
    echo "warning: no size tool (arm-none-eabi-size or llvm-size); sizes not printed" >&2
fi
echo "firmware built in $((SECONDS - start)) s"
echo "board crate CI done in $((SECONDS - start)) s"
