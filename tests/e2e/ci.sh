#!/usr/bin/env bash
# End-to-end tests against GnuPG and OpenSC through pcscd + vsmartcard's vpcd, as CI runs them,
# against both GnuPG versions: 2.2 (the host's Debian 12 packages) and 2.4 (a Debian 13 root made
# and entered by tests/e2e/gnupg24/root.sh, in its own network, mount and PID namespaces, with
# its own pcscd and vpcd).
#
#   bash tests/e2e/ci.sh [extra test arguments, e.g. a test name filter]
#   E2E_GNUPG=2.2 bash tests/e2e/ci.sh      # only the host's GnuPG 2.2
#   E2E_GNUPG=2.4 bash tests/e2e/ci.sh      # only GnuPG 2.4 (builds the root once, ~2 min)
#   E2E_GNUPG= bash tests/e2e/ci.sh         # neither: only yubikit and the firmware (below)
#   E2E_YUBIKIT=0 E2E_FIRMWARE_SUITES=0 ... # without yubikit, without the firmware run
#
# Each run starts with a line naming the GnuPG version, then cargo's own results. The 2.4 run
# adds tests/e2e/tests/gnupg24.rs (gpg-card and the flows only 2.4 has). Last, the card
# administration suite and one flow per algorithm family and client (GnuPG 2.2, SSH, OpenSC,
# openpgp-card, yubikit) run again against the applet as Cortex-M4 firmware under QEMU
# (examples/qemu-mps2-an386 through crates/qemu-bridge), with tests/e2e/tests/firmware.rs.
#
# Needs (Debian): pcscd vsmartcard-vpcd scdaemon opensc pcsc-tools libpcsclite-dev pkgconf
# openssh-client (ssh-add, ssh-keygen for the SSH tests). As root, installs those that are
# missing. Starts pcscd if it is not running (there is no systemd in CI), waits for vpcd's
# reader, then runs every end-to-end test target of the e2e crate here (tests/gnupg.rs: card
# administration; tests/keys.rs: keys with GnuPG, SSH, openpgp-card and OpenSC) one test at a time (the
# tests share vpcd's port 35963; E2E_VPCD_PORT=35964 moves them to the second reader).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

port=${E2E_VPCD_PORT:-35963}
packages=(pcscd vsmartcard-vpcd scdaemon gnupg opensc pcsc-tools libpcsclite-dev pkgconf openssh-client qemu-system-arm)
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "e2e: missing packages: ${missing[*]} (install them as root)" >&2
        exit 1
    fi
    echo "e2e: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 \
        --no-install-recommends "${missing[@]}"
fi

listening() { ss -Hltn "sport = :$port" 2>/dev/null | grep -q . || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
if ! pgrep -x pcscd >/dev/null; then
    echo "e2e: starting pcscd"
    # Daemon mode: it outlives this script, as a system service would.
    pcscd
fi
for _ in $(seq 100); do listening && break; sleep 0.1; done
if ! listening; then
    echo "e2e: vpcd does not listen on port $port (pcscd without the vpcd reader? restart it)" >&2
    exit 1
fi
if command -v pcsc_scan >/dev/null; then
    pcsc_scan -r 2>/dev/null | grep 'Virtual PCD' || true
fi

versions=${E2E_GNUPG-2.2 2.4}
for version in $versions; do
    case "$version" in
        2.2)
            echo "==> e2e against $(gpg --version | head -1) (host, Debian 12)"
            cargo test -p openpgp-card-applet-e2e --features e2e --test gnupg --test keys -- --test-threads=1 "$@"
            ;;
        2.4)
            # The test binaries are built here and run inside the root (they link only glibc
            # and libpcsclite, which the root has too).
            bash tests/e2e/gnupg24/root.sh build
            echo "==> e2e against $(bash tests/e2e/gnupg24/root.sh version) (Debian 13 root)"
            mapfile -t binaries < <(
                cargo test -p openpgp-card-applet-e2e --features e2e --test gnupg --test keys --test gnupg24 \
                    --no-run --message-format=json 2>/dev/null |
                    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["executable"])'
            )
            if [ ${#binaries[@]} -ne 3 ]; then
                echo "e2e: expected 3 test binaries, got: ${binaries[*]}" >&2
                exit 1
            fi
            failed=0
            for binary in "${binaries[@]}"; do
                echo "     Running $(basename "$binary") (GnuPG 2.4)"
                bash tests/e2e/gnupg24/root.sh run "$binary" --test-threads=1 "$@" || failed=1
            done
            if [ "$failed" -ne 0 ]; then
                echo "e2e: failures against GnuPG 2.4 (above)" >&2
                exit 1
            fi
            ;;
        *)
            echo "e2e: unknown GnuPG version $version (2.2 or 2.4)" >&2
            exit 2
            ;;
    esac
done

# yubikit (Yubico's Python library, the one behind ykman), once: it needs no GnuPG. Its venv
# (PyPI, pinned) is made on first use under target/; E2E_YUBIKIT=0 skips the suite.
if [ "${E2E_YUBIKIT:-1}" != 0 ]; then
    python=$(bash tests/e2e/yubikit/venv.sh)
    echo "==> e2e against yubikit ($("$python" -c 'import importlib.metadata as m; print("yubikey-manager", m.version("yubikey-manager"))'))"
    E2E_YUBIKIT_PYTHON=$python cargo test -p openpgp-card-applet-e2e --features e2e --test yubikit -- --test-threads=1 "$@"
fi

# The firmware: what only the firmware can show, against the applet's no_std build running on
# an emulated Cortex-M4 with flash-record storage: its transport, storage, power cycles, power
# cuts, watchdog and keep-alive (tests/firmware.rs), the card administration suite (GnuPG 2.2,
# tests/gnupg.rs), and one flow per algorithm family and client of tests/keys.rs (RSA-2048, the
# Cortex-M4 arithmetic of P-256 and X25519/Ed25519, generation on P-384, keytocard of RSA,
# P-256, P-521 and two brainpool curves, SSH, OpenSC, openpgp-card). The host card above runs
# every algorithm and size of those suites; the sizes left out here run the same code on the
# M4 (RSA-3072/4096 generation and signatures on the M4 are the footprint step's). Left out: a_panic_in_the_card_thread_fails_the_test (a check
# of the host card thread, which waits out the step timeout on the firmware) and
# openpgp_card_attests_keys_as_oct_does (the image has no attestation key: the `attestation`
# feature is off in it). E2E_FIRMWARE_SUITES=0 skips this; E2E_FIRMWARE_FULL=1 runs all of
# tests/keys.rs on the firmware.
if [ "${E2E_FIRMWARE_SUITES:-1}" != 0 ]; then
    echo "==> building the firmware (examples/qemu-mps2-an386)"
    elf=$(bash examples/qemu-mps2-an386/ci.sh)
    echo "==> e2e against the firmware on an emulated Cortex-M4 (QEMU $(qemu-system-arm --version | head -1 | awk '{print $4}'), $(gpg --version | head -1))"
    skips=(--skip a_panic_in_the_card_thread_fails_the_test --skip openpgp_card_attests_keys_as_oct_does)
    E2E_FIRMWARE=$elf cargo test -p openpgp-card-applet-e2e --features e2e --test gnupg --test firmware \
        -- --test-threads=1 "${skips[@]}" "$@"
    if [ "${E2E_FIRMWARE_FULL:-0}" = 1 ]; then
        families=()
    else
        families=(gnupg_rsa2048_ gnupg_nistp256_ gnupg_nistp384_ gnupg_ed25519_cv25519_
            gnupg_keytocard_rsa2048_and_nistp256 gnupg_keytocard_brainpool_and_nistp521
            ssh_ openpgp_card_ opensc_)
    fi
    E2E_FIRMWARE=$elf cargo test -p openpgp-card-applet-e2e --features e2e --test keys \
        -- --test-threads=1 "${skips[@]}" "${families[@]}" "$@"
    # yubikit on the firmware (with E2E_YUBIKIT): the session and its application data, the
    # PINs, policy and retry counters, and on-card generation of RSA-2048 and P-256 in every
    # slot and of Ed25519/X25519, each key used. Left out: yubikit_attests_every_slot_with_a_verified_chain
    # (the image has no attestation key: the `attestation` feature is off in it); the other
    # scenarios run on the host card above (E2E_FIRMWARE_FULL=1 runs them here too).
    if [ "${E2E_YUBIKIT:-1}" != 0 ]; then
        if [ "${E2E_FIRMWARE_FULL:-0}" = 1 ]; then
            scenarios=()
        else
            scenarios=(yubikit_opens_a_session yubikit_changes_pins yubikit_generates_and_uses_rsa_2048
                yubikit_generates_and_uses_nist_p256 yubikit_generates_and_uses_ed25519_and_x25519)
        fi
        E2E_FIRMWARE=$elf E2E_YUBIKIT_PYTHON=$python cargo test -p openpgp-card-applet-e2e --features e2e \
            --test yubikit -- --test-threads=1 --skip yubikit_attests_every_slot_with_a_verified_chain \
            "${scenarios[@]}" "$@"
    fi
fi
