#!/usr/bin/env bash
# The constant-time checker (issue 34; SECURITY.md): every secret-dependent operation of the
# applet, on the emulated Cortex-M4, in both arithmetic builds the firmware uses, must execute
# the same translation blocks in the same order whatever the secret (PINs, keys, random seeds)
# and whatever the attacker's input (wrong PINs, digests, ciphertexts, points); where runs
# part, ct_allow.txt must say why it does not depend on a secret. Every UDIV/SDIV executed in
# an operation is listed with its symbol, and fails unless ct_allow.txt judges its operands
# public. The self-test (an early-exit PIN comparison in the bench image, never in the
# applet) must be caught in its symbol, or the check fails.
#
#  1. builds `tracecut` (tracecut.rs, rustc -O) and the `ct` image twice: with the `cortex-m4`
#     arithmetic (every operation) and the portable one (the PIN commands, the self-test,
#     P-256 and X25519: the code the feature changes; CT_FULL=1 runs everything there too);
#  2. runs both under QEMU at once with every executed block logged, streamed through FIFOs
#     into tracecut, which keeps only the measured calls (`harness::call` to `call_returned`);
#  3. compares the runs (ct.py) and prints a Markdown table of the result.
# CT_TABLE=FILE keeps the table; CT_BUILDS=portable (or cortex-m4) runs one build. CT_RSA_PRIME_2048=1 adds the 2,048-bit primes of RSA-4096
# (about 8 minutes more). Needs what run.sh needs, python3, arm-none-eabi-c++filt (Debian:
# binutils-arm-none-eabi). Exits 1 on an unlisted divergence or division, or a blind self-test.
set -euo pipefail
cd "$(dirname "$0")"
source ./trace.sh
here=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/ct.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$CARGO_TARGET_DIR"
tracecut="$CARGO_TARGET_DIR/tracecut"
if [ ! -x "$tracecut" ] || [ tracecut.rs -nt "$tracecut" ]; then
    rustc -O --edition 2021 -o "$tracecut" tracecut.rs
fi

[ "${CT_FULL:-0}" = 1 ] && export CT_FULL=1 || unset CT_FULL
[ "${CT_RSA_PRIME_2048:-0}" = 1 ] && export CT_RSA_PRIME_2048=1 || unset CT_RSA_PRIME_2048
builds=()
for build in "cortex-m4:" "portable:--no-default-features --features portable"; do
    # CT_BUILDS=portable (or cortex-m4) runs one build only.
    case " ${CT_BUILDS:-cortex-m4 portable} " in *" ${build%%:*} "*) builds+=("$build") ;; esac
done
for build in "${builds[@]}"; do
    name=${build%%:*}
    # shellcheck disable=SC2086 # the feature flags are words
    cargo build --release --bin ct ${build#*:}
    cp "$CARGO_TARGET_DIR/$TARGET/release/ct" "$work/ct-$name.elf"
done

traced=$SECONDS
for build in "${builds[@]}"; do
    name=${build%%:*}
    elf="$work/ct-$name.elf"
    start=$(marker "$elf" harness4call)
    end=$(marker "$elf" harness13call_returned)
    python3 ct.py ranges "$elf" --allow ct_allow.txt --nm "$NM" > "$work/$name.exclude"
    mkfifo "$work/$name.log"
    "$tracecut" --start "$start" --end "$end" --out "$work/$name" \
        --exclude "$work/$name.exclude" < "$work/$name.log" &
    pids+=($!)
    (qemu_traced "$elf" "$work/$name.log" > "$work/$name.out"; echo $? > "$work/$name.status") &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
pids=()
echo "ct: both images traced in $((SECONDS - traced)) s"

table=$work/table.md
echo "| group | build | runs | blocks | instructions | result | listed divergences | UDIV/SDIV (first run) |" > "$table"
echo "|---|---|---:|---:|---:|---|---|---|" >> "$table"
status=0
for build in "${builds[@]}"; do
    name=${build%%:*}
    echo
    echo "==> $name"
    if [ "$(cat "$work/$name.status")" != 0 ] || ! grep -q "^ct OK" "$work/$name.out"; then
        cat "$work/$name.out"
        echo "ct: the $name image failed" >&2
        status=1
        continue
    fi
    python3 ct.py "$work/$name" --output "$work/$name.out" --build "$name" \
        --allow "$here/ct_allow.txt" --table "$table" || status=1
done
echo
cat "$table"
if [ -n "${CT_TABLE:-}" ]; then cp "$table" "$CT_TABLE"; fi
echo "ct: $SECONDS s in all"
exit $status
