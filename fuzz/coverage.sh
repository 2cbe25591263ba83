#!/usr/bin/env bash
# Line coverage of the applet's src/ from fuzz corpora: each target's coverage build
# (`cargo fuzz coverage`, instrumented, with fuzz/Cargo.toml's features) runs every file of its
# corpus; the profiles are merged and llvm-cov reports src/ file by file. Not run by CI.
#
#   bash fuzz/coverage.sh [corpus root]      (default: fuzz/corpus, the seeds)
#
# The corpus root holds one directory per target (apdu tlv import session), such as the
# directories a long `cargo fuzz run` grew. Needs the nightly toolchain's llvm-tools
# (`rustup component add llvm-tools --toolchain nightly`). The report goes to stdout and
# fuzz/coverage/report.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$(cd "${1:-corpus}" && pwd)
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
tools="$(rustc +nightly --print sysroot)/lib/rustlib/$host/bin"
if [ ! -x "$tools/llvm-cov" ]; then
    echo "coverage: llvm-cov missing (rustup component add llvm-tools --toolchain nightly)" >&2
    exit 1
fi
targets=(apdu tlv import session)
objects=()  # the first binary is llvm-cov's positional one, the others -object
for target in "${targets[@]}"; do
    echo "coverage: $target over $(ls "$root/$target" | wc -l) files" >&2
    cargo +nightly fuzz coverage -s none "$target" "$root/$target" >"coverage/$target.log" 2>&1 ||
        { tail -n 30 "coverage/$target.log" >&2; exit 1; }
    [ ${#objects[@]} -gt 0 ] && objects+=(-object)
    objects+=("target/$host/coverage/$host/release/$target")
done
"$tools/llvm-profdata" merge -sparse coverage/{apdu,tlv,import,session}/coverage.profdata \
    -o coverage/all.profdata
"$tools/llvm-cov" report "${objects[@]}" -instr-profile=coverage/all.profdata \
    "$(cd .. && pwd)/src" | tee coverage/report.txt
