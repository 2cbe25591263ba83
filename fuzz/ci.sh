#!/usr/bin/env bash
# What CI runs for fuzzing: every cargo-fuzz target for a bounded time, from a copy of the
# checked-in seed corpus (so CI never grows fuzz/corpus/), with the OpenPGP dictionary.
#
#   bash fuzz/ci.sh [target ...]        (default: apdu tlv import session)
#
# FUZZ_SECONDS (default 60) is each target's -max_total_time. Needs the nightly toolchain
# (`rustup toolchain list`); installs cargo-fuzz if it is missing (about 75 s on 2 cores).
# A finding stops the run non-zero; its input is in fuzz/artifacts/<target>/ (reproduce with
# `cargo +nightly fuzz run -s none <target> fuzz/artifacts/<target>/<file>`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

seconds=${FUZZ_SECONDS:-60}
if [ $# -gt 0 ]; then targets=("$@"); else targets=(apdu tlv import session); fi

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    # Pinned: the version these scripts and figures were made with; a newer one may need a
    # newer stable toolchain than the machine's.
    cargo install --locked cargo-fuzz --version 0.13.2
fi

# Release build; fuzz/Cargo.toml turns on debug assertions and overflow checks for the applet
# (not for the crypto dependencies). No sanitizer by default: the crate forbids unsafe code,
# and ASan made `import` 4x and `session` 5.6x slower (FUZZ_SANITIZER=address to use it).
sanitizer="--sanitizer=${FUZZ_SANITIZER:-none}"
# cargo-fuzz has no --locked: a lock file that is not current fails here instead.
cargo +nightly fetch --locked
cargo +nightly fuzz build $sanitizer
for target in "${targets[@]}"; do
    work=$(mktemp -d)
    log=$(mktemp)
    cp corpus/"$target"/* "$work"/
    echo "fuzz: $target for ${seconds}s ($(ls "$work" | wc -l) seeds)"
    set +e
    cargo +nightly fuzz run $sanitizer "$target" "$work" -- \
        -max_total_time="$seconds" -dict=openpgp.dict -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" || true
    rm -rf "$work"
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log" >&2
        rm -f "$log"
        echo "fuzz: $target found a failure (exit $status); the input is in fuzz/artifacts/$target/" >&2
        exit "$status"
    fi
    rm -f "$log"
done
echo "fuzz: all targets ran without findings"
