#!/usr/bin/env bash
# Instruction counts (valgrind's callgrind) of the benchmarks of benches/applet.rs, and the
# applet/raw ratios from them: unlike times, they do not move with the load of the machine.
#
#   benches/callgrind.sh              # every group (about 15 minutes)
#   benches/callgrind.sh p256         # one group
#   APPLET_BENCH_ITERATIONS=100 (default): iterations per micro-benchmark; RSA private-key
#   operations run a twentieth of that (at least 2).
#
# Needs valgrind (Debian: valgrind). Uses $CARGO_TARGET_DIR like cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

groups=("$@")
if [ ${#groups[@]} -eq 0 ]; then
    groups=(apdu ed25519 x25519 p256 p384 k256 p521 bp256 bp384 bp512 ed448 x448 rsa2048 rsa3072 rsa4096)
fi
# With the curves that are off by default, so that every group exists.
bin=$(cargo bench --bench applet --features p521,brainpool,ed448 --no-run 2>&1 | sed -n 's/.*Executable benches\/applet.rs (\(.*\))/\1/p')
[ -x "$bin" ] || { echo "callgrind: no bench executable" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

results="$work/results"
: >"$results"
for group in "${groups[@]}"; do
    rm -f "$work"/cg.*
    APPLET_BENCH_CALLGRIND="$group" valgrind --tool=callgrind --collect-atstart=no \
        --toggle-collect='applet::measured' --dump-after='applet::measured' \
        --callgrind-out-file="$work/cg.%p" "$bin" >"$work/order" 2>"$work/valgrind.log" || {
        cat "$work/valgrind.log" >&2
        exit 1
    }
    # The n-th dump holds the n-th `measured` call; the lines of "order" name them.
    dumps=$(ls "$work"/cg.*.* | sort -t. -k3 -n)
    paste <(grep '^measured ' "$work/order") <(for f in $dumps; do
        sed -n 's/^summary: \([0-9]*\)/\1/p; s/^totals: \([0-9]*\)/\1/p' "$f" | head -1
    done) | awk '{ printf "%s %d %d\n", $2, $3, $4 }' >>"$results"
done

# id iterations instructions -> per-iteration counts and the pairs of the table.
python3 - "$results" <<'PY'
import sys
per = {}
for line in open(sys.argv[1]):
    name, iterations, total = line.split()
    per[name] = int(total) / int(iterations)
print(f"{'benchmark':40} {'instructions/iteration':>24}")
for name, value in per.items():
    print(f"{name:40} {value:24,.0f}")
pairs = [
    ("applet_pso_cds", ["raw_sign_verify", "raw_sign"]),
    ("applet_internal_auth", ["raw_sign_verify", "raw_sign"]),
    ("applet_pso_decipher", ["raw_decrypt", "raw_ecdh", "raw_dh"]),
    ("applet_generate", ["raw_generate"]),
]
print(f"\n{'applet':36} {'raw':28} {'ratio':>7} {'overhead instructions':>22}")
for group in dict.fromkeys(n.split("/")[0] for n in per):
    for applet, raws in pairs:
        a = per.get(f"{group}/{applet}")
        for raw in raws:
            r = per.get(f"{group}/{raw}")
            if a is not None and r is not None:
                print(f"{group + '/' + applet:36} {raw:28} {a / r:7.3f} {a - r:22,.0f}")
PY
