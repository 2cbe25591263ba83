#!/usr/bin/env bash
# Builds the minimal firmware (the embedding guide's blocks, src/embedding/firmware/) at the
# guide's release profile, prints its size, and runs it under QEMU (mps2-an386, the runner of
# .cargo/config.toml): it answers SELECT and GET DATA 6E, 5F52 and C4, checks every answer and
# exits through semihosting, 0 when all were right. This script's status is the firmware's.
# About 1 minute cold on 2 cores; the run itself takes well under a second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# The guide's section 1 shows this manifest's dependency and profile lines (all but the two
# paths, which differ from a user's): each must be there as it is here.
sed -n '/^\[dependencies\]/,/^\[workspace\]/p' Cargo.toml | grep -E '^[a-z0-9_-]+ *= ' | grep -v 'path *=' |
    while IFS= read -r line; do
        grep -qxF -- "$line" ../../src/embedding/guide/1-crate.md ||
            { echo "error: the embedding guide's section 1 lacks this line of Cargo.toml: $line" >&2; exit 1; }
    done
cargo build --release --locked
# Flash is text + data (the guide's size table, section 8).
arm-none-eabi-size "${CARGO_TARGET_DIR:-target}/thumbv7em-none-eabihf/release/minimal-firmware"
# The timeout is for a hang.
timeout 60 cargo run --release --locked
