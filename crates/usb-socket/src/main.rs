//! `usb-card`: the applet as a USB device on a Unix socket, for pcscd and libccid through the
//! test libusb (`libusb/libusb.c`). `run.sh` beside this crate starts the whole chain; see the
//! README.

use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::process::ExitCode;

use openpgp_card_applet::{Applet, Config, Platform, Presence, UserPresence};
use openpgp_card_applet_testkit::{FileStorage, InstantClock};
use openpgp_card_applet_virtual_card::cli::{self, default_storage_dir, parse_serial, Flags};

const USAGE: &str = "\
Usage: usb-card --socket PATH [OPTIONS]

The OpenPGP card as a USB CCID device (usb-device, ccid-class, the board's glue) on a Unix
socket, for pcscd + libccid through the test libusb of crates/usb-socket/libusb (run.sh).

Options:
  --socket PATH        the socket the test libusb connects to (required)
  --serial HEX         card serial number, up to 8 hex digits [default: 00000001]
  --storage-dir DIR    where the card keeps its state
                       [default: $XDG_DATA_HOME/openpgp-card-applet/usb-<serial>]
  --deny-touch         answer touch requests with \"denied\" (default: confirmed)
  -h, --help           print this help
";

struct Args {
    socket: PathBuf,
    serial: u32,
    storage_dir: Option<PathBuf>,
    touch: Presence,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut socket = None;
    let mut args = Args {
        socket: PathBuf::new(),
        serial: 1,
        storage_dir: None,
        touch: Presence::Confirmed,
    };
    let mut flags = Flags::from_env();
    while let Some((name, inline)) = flags.next_flag() {
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--socket" => socket = Some(PathBuf::from(flags.value(&name, inline)?)),
            "--serial" => args.serial = parse_serial(&flags.value(&name, inline)?)?,
            "--storage-dir" => args.storage_dir = Some(PathBuf::from(flags.value(&name, inline)?)),
            "--deny-touch" => args.touch = Presence::Denied,
            _ => return Err(format!("unknown option {name:?}")),
        }
    }
    args.socket = socket.ok_or("--socket is required")?;
    Ok(Some(args))
}

/// The touch button: a fixed answer.
struct Button(Presence);

impl UserPresence for Button {
    type Error = std::convert::Infallible;
    fn confirm(&mut self, _timeout_ms: u32) -> Result<Presence, Self::Error> {
        Ok(self.0)
    }
}

fn main() -> ExitCode {
    cli::main("usb-card", USAGE, parse_args, run)
}

fn run(args: Args) -> Result<(), String> {
    let dir = match args.storage_dir {
        Some(dir) => dir,
        None => default_storage_dir(&format!("usb-{:08X}", args.serial))?,
    };
    let storage = FileStorage::open(&dir).map_err(|e| format!("storage {}: {e}", dir.display()))?;
    let config = Config {
        serial: args.serial,
        ..Config::default()
    };
    let platform = Platform {
        storage,
        rng: rand_core::UnwrapErr(getrandom::SysRng),
        clock: InstantClock::new(),
        user_presence: Button(args.touch),
    };
    let mut applet = Applet::new(config, platform);
    let _ = std::fs::remove_file(&args.socket);
    let listener = UnixListener::bind(&args.socket)
        .map_err(|e| format!("socket {}: {e}", args.socket.display()))?;
    let id = openpgp_card_applet_usb_card::VID_PID;
    eprintln!(
        "usb-card: OpenPGP card {:08X} as USB device {:04x}:{:04x} on {}, state in {}",
        args.serial,
        id.0,
        id.1,
        args.socket.display(),
        dir.display()
    );
    let handle = openpgp_card_applet_usb_socket::Handle::new();
    openpgp_card_applet_usb_socket::run(&mut applet, &listener, &handle, Default::default())
        .map_err(|e| format!("socket: {e}"))
}
