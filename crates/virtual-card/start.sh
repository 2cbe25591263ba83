#!/usr/bin/env bash
# Starts a virtual OpenPGP card that GnuPG, OpenSC and other PC/SC clients see in a reader.
#
# On Debian/Ubuntu it installs what is missing (pcscd, vsmartcard-vpcd, scdaemon, pcsc-tools;
# with sudo when not root), starts pcscd, builds crates/virtual-card and runs it in the
# background, waits until pcscd has the card, and says what to run next. Running it again is
# harmless: it only does what is not done yet.
#
#   crates/virtual-card/start.sh                      # card 00000001 in "Virtual PCD 00 00"
#   crates/virtual-card/start.sh --port 35964 --serial 2   # a second card, "Virtual PCD 00 01"
#   crates/virtual-card/start.sh --stop [--port N]    # stop the card
#   crates/virtual-card/start.sh --firmware           # the applet as Cortex-M4 firmware under
#                                                     # QEMU instead (crates/qemu-bridge)
#
# Other options (--button ask, --apdu-log FILE, --storage-dir DIR) go to the card program; with
# --firmware also --cost-log FILE (each command's instructions, stack and heap on the device).
set -euo pipefail

port=35963
serial=00000001
stop=no
firmware=no
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --port) port=$2; shift 2 ;;
        --port=*) port=${1#*=}; shift ;;
        --serial) serial=$2; shift 2 ;;
        --serial=*) serial=${1#*=}; shift ;;
        --stop) stop=yes; shift ;;
        --firmware) firmware=yes; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --button|--apdu-log|--storage-dir|--cost-log) extra+=("$1" "$2"); shift 2 ;;
        *) extra+=("$1"); shift ;;
    esac
done
case "$port" in 3596[3-9]|359[7-9][0-9]) ;; *) echo "start.sh: --port must be vpcd's (35963, 35964)" >&2; exit 2 ;; esac
reader="Virtual PCD 00 $(printf '%02d' $((port - 35963)))"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
state=${XDG_STATE_HOME:-$HOME/.local/state}/openpgp-card-applet
mkdir -p "$state"
log=$state/virtual-card-$port.log
pidfile=$state/virtual-card-$port.pid

say() { printf '==> %s\n' "$*"; }
die() { printf 'start.sh: %s\n' "$*" >&2; exit 1; }
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root for: $* (install sudo, or run this as root once)"
    fi
}
card_pid() {
    local pid
    pid=$(cat "$pidfile" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qE 'virtual-card|qemu-card' "/proc/$pid/cmdline" 2>/dev/null \
        && echo "$pid"
}

if [ "$stop" = yes ]; then
    if pid=$(card_pid); then
        kill -- "-$pid" 2>/dev/null || kill "$pid"
        rm -f "$pidfile" && say "stopped the card on port $port (pid $pid)"
    else
        say "no card running on port $port"
    fi
    exit 0
fi

# 1. Packages.
command -v dpkg-query >/dev/null || die "not a Debian/Ubuntu system: install pcscd, vsmartcard's vpcd, GnuPG's scdaemon and pcsc-tools yourself"
missing=()
wanted=(pcscd vsmartcard-vpcd scdaemon gnupg pcsc-tools)
# The firmware: QEMU, and the ARM C compiler with newlib's headers for the `cortex-m4`
# feature's P-256 assembly (p256-cortex-m4 builds it with arm-none-eabi-gcc).
[ "$firmware" = yes ] && wanted+=(qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi)
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
command -v cc >/dev/null || missing+=(build-essential)   # Rust links with cc
new_vpcd=no
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"
    case " ${missing[*]} " in *" vsmartcard-vpcd "*) new_vpcd=yes ;; esac
else
    say "packages present: ${wanted[*]}"
fi
command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs), then run this again"

# 2. pcscd, with vpcd listening on our port.
listening() {
    if command -v ss >/dev/null; then
        ss -Hltn "sport = :$port" 2>/dev/null | grep -q .
    else
        # Without ss: a connection attempt (vpcd takes it for a card that leaves at once).
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    # Debian's unit runs pcscd with --auto-exit: it quits after 60 s without PC/SC clients and
    # takes the virtual reader with it. A drop-in keeps it running.
    dropin=/etc/systemd/system/pcscd.service.d/virtual-card.conf
    restart=$new_vpcd
    if systemctl cat pcscd.service 2>/dev/null | grep -q -- '--auto-exit' && [ ! -e "$dropin" ]; then
        say "making pcscd stay running (drop-in $dropin; remove it to undo)"
        as_root mkdir -p "$(dirname "$dropin")"
        # shellcheck disable=SC2016 # $PCSCD_ARGS is for systemd to expand
        printf '[Service]\nExecStart=\nExecStart=/usr/sbin/pcscd --foreground $PCSCD_ARGS\n' \
            | as_root tee "$dropin" >/dev/null
        as_root systemctl daemon-reload
        restart=yes
    fi
    if [ "$restart" = yes ]; then
        say "restarting pcscd"
        as_root systemctl restart pcscd.service
    elif ! systemctl is-active -q pcscd.service || ! listening; then
        say "starting pcscd"
        as_root systemctl restart pcscd.service
    fi
else
    if pgrep -x pcscd >/dev/null && { [ "$new_vpcd" = yes ] || ! listening; }; then
        say "restarting pcscd (to load the vpcd reader)"
        as_root kill "$(pgrep -x -o pcscd)"
        for _ in $(seq 50); do pgrep -x pcscd >/dev/null || break; sleep 0.1; done
    fi
    if ! pgrep -x pcscd >/dev/null; then
        say "starting pcscd"
        as_root pcscd
    fi
fi
for _ in $(seq 100); do listening && break; sleep 0.1; done
listening || die "vpcd does not listen on port $port: see 'pcscd --foreground --debug' and /etc/reader.conf.d/vpcd"

# 3. The card.
if pid=$(card_pid); then
    say "virtual card already running on port $port (pid $pid)"
else
    if [ "$firmware" = yes ]; then
        say "building the firmware (examples/qemu-mps2-an386) and the bridge (crates/qemu-bridge)"
        # The build's messages go to a log, shown whole if it fails (ci.sh prints the image's
        # path on stdout and its sizes on stderr).
        buildlog=$(mktemp)
        if ! elf=$(bash "$repo/examples/qemu-mps2-an386/ci.sh" 2>"$buildlog"); then
            cat "$buildlog" >&2
            rm -f "$buildlog"
            die "building the firmware failed (above)"
        fi
        rm -f "$buildlog"
        (cd "$repo" && cargo build -q --release -p openpgp-card-applet-qemu-bridge) ||
            die "building the bridge failed (above)"
        bin=${CARGO_TARGET_DIR:-$repo/target}/release/qemu-card
        [ -x "$bin" ] || bin=$repo/target/release/qemu-card
        extra+=(--firmware "$elf")
    else
        say "building the virtual card (cargo build --release -p openpgp-card-applet-virtual-card)"
        (cd "$repo" && cargo build -q --release -p openpgp-card-applet-virtual-card)
        bin=${CARGO_TARGET_DIR:-$repo/target}/release/virtual-card
        [ -x "$bin" ] || bin=$repo/target/release/virtual-card
    fi
    : >>"$log"
    from=$(wc -l <"$log")
    # A session (and process group) of its own: --stop then ends QEMU with the bridge.
    nohup setsid "$bin" --port "$port" --serial "$serial" "${extra[@]}" >>"$log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    say "started the $( [ "$firmware" = yes ] && echo "firmware under QEMU" || echo "virtual card") (pid $!, log $log)"
    ready=no
    for _ in $(seq 150); do
        if tail -n +"$((from + 1))" "$log" | grep -q 'powered on by the reader'; then ready=yes; break; fi
        card_pid >/dev/null || { tail -n 20 "$log" >&2; die "the card program exited"; }
        sleep 0.2
    done
    if [ "$ready" = no ]; then
        tail -n 20 "$log" >&2
        die "pcscd did not pick the card up within 30 s"
    fi
fi
if command -v pcsc_scan >/dev/null; then
    pcsc_scan -c -t 1 2>/dev/null | awk -v r="$reader" \
        'index($0, r) { show = 1; print; next } /Reader [0-9]/ { show = 0 } show && /Card state|ATR/' || true
fi

cat <<EOF

The virtual OpenPGP card (serial $serial) is in reader "$reader".
Next:
    gpg --card-status
If gpg answers "No such device" or shows another reader: tell scdaemon to use PC/SC and this
reader, then try again:
    printf 'disable-ccid\npcsc-shared\nreader-port $reader\n' >> ~/.gnupg/scdaemon.conf
    gpgconf --kill scdaemon
Default PINs: user 123456, admin 12345678. The card keeps its state in
${XDG_DATA_HOME:-~/.local/share}/openpgp-card-applet/. Stop it with:
    $0 --stop${port:+ --port $port}
EOF
