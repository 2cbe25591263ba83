#!/usr/bin/env bash
# The applet as a USB device, driven by the unmodified pcscd and libccid (Debian's packages),
# in mount, PID and network namespaces of its own, so that its pcscd never meets the host's:
#
#   sudo crates/usb-socket/run.sh                 # a shell where gpg --card-status reaches it
#   sudo crates/usb-socket/run.sh gpg --card-status
#   crates/usb-socket/run.sh --prepare            # the test libusb and the files; prints their dir
#   sudo crates/usb-socket/run.sh --no-device CMD # pcscd alone: CMD plugs devices in (the e2e
#                                                 # tests, tests/e2e/usb.sh), on $USB_CARD_DIR/usb.sock
#
# What it starts, inside the namespaces: `usb-card` (usb-device + ccid-class + the applet, on
# a Unix socket), and pcscd with the reader entry `usb:1209/0001` of this script's reader.conf.d,
# `PCSCLITE_HP_DROPDIR` naming a copy of libccid's Info.plist that lists the test VID:PID
# 1209:0001 (libccid reads the plist from there, ccid_usb.c), and `LD_LIBRARY_PATH` naming the
# test libusb (libusb/libusb.c) that carries libccid's transfers over the socket. /run/pcscd is
# a tmpfs of the mount namespace: clients inside reach this pcscd only.
#
# Needs (Debian): pcscd libccid gcc python3 util-linux (unshare), as root. Environment:
# USB_CARD_DIR (work files; default target/usb-socket), USB_CARD_STATE (the card's storage;
# default $USB_CARD_DIR/state), USB_CARD_DEBUG=1 (pcscd --debug --apdu, libccid's and the
# test libusb's logs, in $USB_CARD_DIR/pcscd.log).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${USB_CARD_DIR:-$root/target/usb-socket}
libccid=/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Linux/libccid.so
plist=/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Info.plist

prepare() {
    mkdir -p "$dir/lib" "$dir/reader.conf.d" "$dir/drivers/ifd-ccid.bundle/Contents/Linux"
    for f in "$libccid" "$plist"; do
        [ -e "$f" ] || { echo "usb-card: $f is missing (apt-get install libccid)" >&2; exit 1; }
    done
    gcc -shared -fPIC -O2 -Wall -Wextra -Werror -fvisibility=hidden \
        -Wl,-soname,libusb-1.0.so.0 -o "$dir/lib/libusb-1.0.so.0" \
        "$root/crates/usb-socket/libusb/libusb.c" -lpthread
    # libccid accepts only the VID:PIDs its Info.plist lists: a copy that lists the test one.
    python3 - "$plist" "$dir/drivers/ifd-ccid.bundle/Contents/Info.plist" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for key, value in (("ifdVendorID", "0x1209"), ("ifdProductID", "0x0001"),
                   ("ifdFriendlyName", "openpgp-card-applet test device")):
    text, n = re.subn(r"(<key>%s</key>\s*<array>\n)" % key,
                      r"\g<1>\t\t<string>%s</string>\n" % value, text, count=1)
    if n != 1:
        sys.exit("Info.plist: no %s array" % key)
open(sys.argv[2], "w").write(text)
PY
    ln -sf "$libccid" "$dir/drivers/ifd-ccid.bundle/Contents/Linux/libccid.so"
    rm -f "$dir/reader.conf.d/usb-card"
    cat > "$dir/reader.conf.d/usb-card" <<CONF
# The applet's USB device (crates/usb-socket), opened by libccid without udev.
FRIENDLYNAME "OpenPGP USB card"
DEVICENAME   usb:1209/0001
LIBPATH      $libccid
CONF
}

if [ "${1:-}" = --prepare ]; then
    prepare
    echo "$dir"
    exit 0
fi
device=${USB_CARD_DEVICE:-1}
if [ "${1:-}" = --no-device ]; then
    device=0
    shift
fi

if [ "${USB_CARD_INSIDE:-}" != 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "usb-card: run as root (pcscd runs in namespaces of its own: unshare)" >&2
        exit 1
    fi
    prepare
    if [ "$device" = 1 ]; then
        (cd "$root" && cargo build --quiet --release -p openpgp-card-applet-usb-socket --bin usb-card)
    fi
    exec env USB_CARD_INSIDE=1 USB_CARD_DIR="$dir" USB_CARD_DEVICE="$device" \
        unshare --mount --pid --net --fork --mount-proc "$0" "$@"
fi

# Inside the namespaces.
mkdir -p /run/pcscd
mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
ip link set lo up 2>/dev/null || true
socket=$dir/usb.sock
rm -f "$socket"
if [ "$device" = 0 ]; then
    # pcscd opens its static reader once, at start: the first device may take a while.
    export OPENPGP_CARD_USB_WAIT_MS=${OPENPGP_CARD_USB_WAIT_MS:-120000}
else
    "$root/target/release/usb-card" --socket "$socket" --storage-dir "${USB_CARD_STATE:-$dir/state}" \
        2> >(sed 's/^/  /' >&2) &
    for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
fi
debug=()
if [ "${USB_CARD_DEBUG:-0}" = 1 ]; then
    debug=(--debug --apdu)
    export OPENPGP_CARD_USB_DEBUG=1 LIBCCID_ifdLogLevel=0x000F
fi
OPENPGP_CARD_USB_SOCKET=$socket PCSCLITE_HP_DROPDIR=$dir/drivers LD_LIBRARY_PATH=$dir/lib \
    pcscd --foreground "${debug[@]}" --config "$dir/reader.conf.d" >"$dir/pcscd.log" 2>&1 &
if [ -S "$socket" ]; then
    for _ in $(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
fi
echo "usb-card: pcscd + libccid on the applet's USB device (reader \"OpenPGP USB card 00 00\")" >&2
if [ $# -eq 0 ]; then
    set -- "${SHELL:-/bin/bash}"
fi
"$@"
