#!/usr/bin/env bash
# A Debian 13 ("trixie") root with GnuPG 2.4, for the end-to-end suites, without touching the
# machine's own (Debian 12, GnuPG 2.2) packages.
#
#   bash tests/e2e/gnupg24/root.sh build        # make the root (idempotent; ~2 min from scratch)
#   bash tests/e2e/gnupg24/root.sh run CMD...   # run CMD inside it, with its own pcscd + vpcd
#   bash tests/e2e/gnupg24/root.sh version      # the root's GnuPG version
#
# `build` runs debootstrap (variant minbase) from Debian's archive into $GNUPG24_ROOT
# (default /var/cache/openpgp-card-applet/trixie) and keeps it there: a second call with the
# same package list does nothing. `run` enters the root in new network, mount and PID
# namespaces (`unshare`): its loopback, its /run and its pcscd are its own, so its vpcd
# listens on 127.0.0.1:35963 of the new network namespace and never meets the host's pcscd or
# cards. The repository is bind-mounted at the same path, so test binaries built on the host
# (they link only glibc and libpcsclite) run inside unchanged. Needs root (debootstrap,
# unshare, chroot); installs debootstrap when it is missing.
set -euo pipefail

root=${GNUPG24_ROOT:-/var/cache/openpgp-card-applet/trixie}
suite=trixie
mirror=${GNUPG24_MIRROR:-http://deb.debian.org/debian}
# What the suites need inside: GnuPG 2.4 with scdaemon and gpg-card, pcscd + vpcd, OpenSC,
# ssh-add/ssh-keygen, and a shell toolbox for the scripts.
packages=gnupg,scdaemon,gpg-agent,pcscd,vsmartcard-vpcd,opensc,openssh-client,procps,python3
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
stamp="$root/.openpgp-card-applet-root"

build() {
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$suite $packages" ]; then
        return 0
    fi
    if ! command -v debootstrap >/dev/null; then
        echo "gnupg24: installing debootstrap"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 \
            --no-install-recommends debootstrap
    fi
    echo "gnupg24: debootstrap $suite into $root"
    local tmp="$root.tmp" log
    log="$(dirname "$root")/debootstrap.log"
    rm -rf "$tmp"
    mkdir -p "$(dirname "$root")"
    # debootstrap's own resolver cannot pick between alternatives (pcscd needs polkitd, which
    # needs "default-logind | logind"): the base system first, then apt inside the root.
    if ! debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$log" 2>&1; then
        tail -20 "$log" >&2
        exit 1
    fi
    # Nothing in the root may start services on its own.
    printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
    chmod +x "$tmp/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$tmp/etc/resolv.conf"
    echo "gnupg24: apt-get install ${packages//,/ }"
    if ! unshare --mount --fork bash -c '
            mount -t proc proc "$0/proc"
            chroot "$0" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update -qq
            chroot "$0" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                -o Dpkg::Use-Pty=0 --no-install-recommends ${1//,/ }
            chroot "$0" apt-get clean' "$tmp" "$packages" >>"$log" 2>&1; then
        tail -20 "$log" >&2
        exit 1
    fi
    echo "$suite $packages" >"$tmp/.openpgp-card-applet-root"
    rm -rf "$root"
    mv "$tmp" "$root"
}

# Inside the new namespaces (PID 1 of the new PID namespace): mounts, loopback, chroot.
enter() {
    ip link set lo up
    # Recursive: /dev/pts too, for the pseudo-terminals of tests/e2e/on_a_tty.py (gpg-card).
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mount -t tmpfs tmpfs "$root/tmp"
    mount -t tmpfs tmpfs "$root/run"
    # Last, so that the fresh /tmp and /run cannot hide a repository that lives under them.
    mkdir -p "$root$repo"
    mount --bind "$repo" "$root$repo"
    exec chroot "$root" /usr/bin/env -i \
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 \
        TERM="${TERM:-dumb}" ${E2E_VPCD_PORT:+E2E_VPCD_PORT=$E2E_VPCD_PORT} \
        RUST_BACKTRACE="${RUST_BACKTRACE:-0}" ${E2E_VERBOSE:+E2E_VERBOSE=$E2E_VERBOSE} \
        /bin/bash -c '
            set -e
            mkdir -p /run/pcscd
            pcscd --disable-polkit
            for _ in $(seq 100); do
                (exec 3<>/dev/tcp/127.0.0.1/35963) 2>/dev/null && break
                sleep 0.1
            done
            cd "$0"
            # Not exec: this shell stays PID 1 of the namespace and reaps the daemons
            # (gpg-agent, scdaemon) that the tests leave orphaned.
            "$@"' "$repo" "$@"
}

case "${1:-}" in
    build) build ;;
    run)
        shift
        build
        exec unshare --net --mount --pid --fork --kill-child \
            bash "${BASH_SOURCE[0]}" __enter "$@"
        ;;
    __enter)
        shift
        enter "$@"
        ;;
    version)
        build
        chroot "$root" gpg --version | head -1
        ;;
    *)
        sed -n '2,16p' "${BASH_SOURCE[0]}" >&2
        exit 2
        ;;
esac
