#!/usr/bin/env bash
# End-to-end tests through the device's own USB transport: the applet behind usb-device and
# the CCID class (crates/usb-card, as the nRF52840 board runs them) on a socket, reached by the
# unmodified pcscd and libccid (Debian's packages) through the test libusb of
# crates/usb-socket, in namespaces of their own (crates/usb-socket/run.sh --no-device). Each
# test plugs a fresh device in (E2E_USB) and unplugs it at its end.
#
#   sudo bash tests/e2e/usb.sh                # the transport suite and a flow per family
#   sudo bash tests/e2e/usb.sh TEST_FILTER    # extra arguments go to every test binary
#
# Runs tests/e2e/tests/usb.rs (what vpcd cannot show: long messages, time extensions, power
# and bus events, two clients, abort), then of tests/e2e/tests/keys.rs one flow per algorithm
# family and client (GnuPG 2.2 generate/sign/verify/decrypt with RSA-2048, P-256 and
# Ed25519/Cv25519, SSH through gpg-agent, OpenSC, openpgp-card) and of tests/gnupg.rs the card
# status. Needs (Debian): pcscd libccid scdaemon opensc openssh-client gcc python3, as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ "$(id -u)" -ne 0 ]; then
    echo "e2e (USB): run as root (pcscd runs in namespaces of its own: unshare)" >&2
    exit 1
fi
dir=$(bash crates/usb-socket/run.sh --prepare)
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
{
    echo 'set -u; failed=0'
    for entry in "${binaries[@]}"; do
        name=${entry%% *}
        binary=${entry#* }
        case "$name" in
            usb) filters=() ;;
            keys) filters=(gnupg_rsa2048_ gnupg_nistp256_ gnupg_ed25519_cv25519_ ssh_ed25519_
                opensc_ openpgp_card_generates_signs_decrypts) ;;
            gnupg) filters=(card_status) ;;
        esac
        printf 'echo "     Running %s through libccid"\n' "$name"
        printf '%q --test-threads=1' "$binary"
        for f in "${filters[@]}" "$@"; do printf ' %q' "$f"; done
        printf ' || failed=1\n'
    done
    echo 'exit $failed'
} >"$script"
echo "==> e2e through the USB transport: $(pcscd --version 2>&1 | head -1 | awk '{print "pcscd", $NF}'), libccid $(dpkg-query -W -f='${Version}' libccid), $(gpg --version | head -1)"
E2E_USB=$dir/usb.sock bash crates/usb-socket/run.sh --no-device bash "$script"
