#!/usr/bin/env bash
# End-to-end tests through the device's own USB transport: the applet behind usb-device and
# the CCID class (crates/usb-card, as the nRF52840 board runs them) on a socket, reached by the
# unmodified pcscd and libccid (Debian's packages) through the test libusb of
# crates/usb-socket, in namespaces of their own (crates/usb-socket/run.sh --no-device). Each
# test plugs a fresh device in (E2E_USB) and unplugs it at its end.
#
#   bash tests/e2e/usb.sh             # the transport suite and a flow per family
#   bash tests/e2e/usb.sh SUBSTRING   # only the tests below whose name contains SUBSTRING
#
# Runs tests/e2e/tests/usb.rs (what vpcd cannot show: long messages, time extensions, power
# and bus events, pkcs15-tool), then of tests/e2e/tests/keys.rs one flow per algorithm family
# and client (GnuPG 2.2 generate/sign/verify/decrypt with RSA-2048, P-256 and Ed25519/Cv25519,
# SSH through gpg-agent, OpenSC, two clients sharing the reader: scdaemon with pcsc-shared and
# OpenSC, openpgp-card) and of tests/gnupg.rs the card status. The abort request and hostile
# hosts are crates/usb-socket/tests/hostile_host.rs (cargo test, no pcscd). Tests are named
# exactly (--exact): a name that matches no test fails the run, and extra arguments only narrow
# the set. Needs (Debian): pcscd libccid scdaemon opensc openssh-client gcc python3; pcscd runs
# in namespaces of its own (unshare), as root: the build runs as the calling user, and
# crates/usb-socket/run.sh enters the namespaces (and runs the tests) through sudo when that
# user is not root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "e2e (USB): needs root or sudo (pcscd runs in namespaces of its own: unshare)" >&2
    exit 1
fi
mapfile -t binaries < <(
    cargo test -p openpgp-card-applet-e2e --features e2e --test usb --test keys --test gnupg \
        --no-run --message-format=json 2>/dev/null |
        python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["target"]["name"], m["executable"])'
)
if [ ${#binaries[@]} -ne 3 ]; then
    echo "e2e (USB): expected 3 test binaries, got: ${binaries[*]}" >&2
    exit 1
fi
script=$(mktemp)
trap 'rm -f "$script"' EXIT
selected=0
{
    echo 'set -u; failed=0'
    for entry in "${binaries[@]}"; do
        name=${entry%% *}
        binary=${entry#* }
        mapfile -t all < <("$binary" --list --format terse | sed -n 's/: test$//p')
        case "$name" in
            usb) tests=("${all[@]}") ;;
            keys) tests=(gnupg_rsa2048_generate_sign_verify_decrypt
                gnupg_nistp256_generate_sign_verify_decrypt
                gnupg_ed25519_cv25519_generate_sign_verify_decrypt
                ssh_ed25519_through_gpg_agent
                opensc_openpgp_tool_lists_generated_keys
                opensc_probing_between_gnupg_operations_keeps_the_pin_verified
                openpgp_card_client::openpgp_card_generates_signs_decrypts_and_authenticates) ;;
            gnupg) tests=(card_status_of_a_fresh_card) ;;
        esac
        run=()
        for t in "${tests[@]}"; do
            if ! printf '%s\n' "${all[@]}" | grep -qxF -- "$t"; then
                echo "e2e (USB): $name has no test named $t" >&2
                exit 1
            fi
            keep=$(($# == 0))
            for narrow in "$@"; do
                case "$t" in *"$narrow"*) keep=1 ;; esac
            done
            if [ "$keep" -eq 1 ]; then run+=("$t"); fi
        done
        if [ ${#run[@]} -eq 0 ]; then continue; fi
        selected=$((selected + ${#run[@]}))
        printf 'echo "     Running %s through libccid (%d tests)"\n' "$name" "${#run[@]}"
        printf '%q --exact --test-threads=1' "$binary"
        for t in "${run[@]}"; do printf ' %q' "$t"; done
        printf ' || failed=1\n'
    done
    echo 'exit $failed'
} >"$script"
if [ "$selected" -eq 0 ]; then
    echo "e2e (USB): no test matches: $*" >&2
    exit 1
fi
dir=$(bash crates/usb-socket/run.sh --prepare)
sed -i "1i export E2E_USB=$(printf '%q' "$dir/usb.sock")" "$script"
echo "==> e2e through the USB transport: $(pcscd --version 2>&1 | head -1 | awk '{print "pcscd", $NF}'), libccid $(dpkg-query -W -f='${Version}' libccid), $(gpg --version | head -1)"
chmod a+r "$script"
# run.sh enters the namespaces through sudo when this user is not root.
bash crates/usb-socket/run.sh --no-device bash "$script"
