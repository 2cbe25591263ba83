#!/usr/bin/env bash
# End-to-end tests against GnuPG and OpenSC through pcscd + vsmartcard's vpcd, as CI runs them.
#
#   bash tests/e2e/ci.sh [extra cargo test arguments]
#
# Needs (Debian): pcscd vsmartcard-vpcd scdaemon opensc pcsc-tools libpcsclite-dev pkgconf
# openssh-client (ssh-add, ssh-keygen for the SSH tests). As root, installs those that are
# missing. Starts pcscd if it is not running (there is no systemd in CI), waits for vpcd's
# reader, then runs every end-to-end test target (tests/e2e_gnupg.rs: card administration;
# tests/e2e_keys.rs: keys with GnuPG, SSH, openpgp-card and OpenSC) one test at a time (the
# tests share vpcd's port 35963; E2E_VPCD_PORT=35964 moves them to the second reader).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

port=${E2E_VPCD_PORT:-35963}
packages=(pcscd vsmartcard-vpcd scdaemon gnupg opensc pcsc-tools libpcsclite-dev pkgconf openssh-client)
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

exec cargo test --features e2e --test e2e_gnupg --test e2e_keys -- --test-threads=1 "$@"
