//! A virtual OpenPGP card on PC/SC: the applet on files, behind vsmartcard's vpcd reader.
//!
//! Start pcscd (with the `vsmartcard-vpcd` driver installed), then:
//!
//! ```text
//! cargo run --release -p openpgp-card-applet-virtual-card
//! gpg --card-status
//! ```
//!
//! `start.sh` beside this file does all of it on a fresh Debian/Ubuntu machine. Run
//! `virtual-card --help` for the options; two cards can run at once on ports 35963 and 35964
//! with different `--serial` values.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use openpgp_card_applet_virtual_card::cli::{
    self, default_storage_dir, parse_serial, ButtonMode, Flags, TerminalButton,
};

use openpgp_card_applet::{Applet, Clock, Config, Platform, Presence, UserPresence};
use openpgp_card_applet_testkit::{FileStorage, InstantClock};

const USAGE: &str = "\
Usage: virtual-card [OPTIONS]

A virtual OpenPGP card (version 3.4) for PC/SC, through vsmartcard's vpcd reader driver.

Options:
  --port PORT          vpcd port: 35963 is reader \"Virtual PCD 00 00\", 35964 is \"... 00 01\"
                       [default: 35963]
  --serial HEX         card serial number, up to 8 hex digits [default: 00000001]
  --storage-dir DIR    where the card keeps its state
                       [default: $XDG_DATA_HOME/openpgp-card-applet/<serial>,
                        or ~/.local/share/openpgp-card-applet/<serial>]
  --button MODE        answer to touch requests: confirm, deny, or ask (y/n on the terminal)
                       [default: confirm]
  --apdu-log FILE      append every APDU and response as hex to FILE (contains PINs!)
  -h, --help           print this help
";

struct Args {
    port: u16,
    serial: u32,
    storage_dir: Option<PathBuf>,
    button: ButtonMode,
    apdu_log: Option<PathBuf>,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        port: openpgp_card_applet_virtual_card::DEFAULT_PORT,
        serial: 1,
        storage_dir: None,
        button: ButtonMode::Confirm,
        apdu_log: None,
    };
    let mut flags = Flags::from_env();
    while let Some((name, inline)) = flags.next_flag() {
        if name == "-h" || name == "--help" {
            return Ok(None);
        }
        match name.as_str() {
            "--port" => {
                let v = flags.value(&name, inline)?;
                args.port = v.parse().map_err(|_| format!("bad --port {v:?}"))?;
            }
            "--serial" => args.serial = parse_serial(&flags.value(&name, inline)?)?,
            "--storage-dir" => args.storage_dir = Some(PathBuf::from(flags.value(&name, inline)?)),
            "--apdu-log" => args.apdu_log = Some(PathBuf::from(flags.value(&name, inline)?)),
            "--button" => args.button = ButtonMode::parse(&flags.value(&name, inline)?)?,
            _ => return Err(format!("unknown option {name:?}")),
        }
    }
    Ok(Some(args))
}

/// The touch button: a fixed answer, or a y/n question on the terminal.
struct Button(TerminalButton);

impl UserPresence for Button {
    type Error = std::convert::Infallible;

    fn confirm(&mut self, timeout_ms: u32) -> Result<Presence, Self::Error> {
        Ok(self.0.ask(timeout_ms))
    }
}

fn main() -> ExitCode {
    cli::main("virtual-card", USAGE, parse_args, run)
}

fn run(args: Args) -> Result<(), String> {
    let dir = match args.storage_dir {
        Some(dir) => dir,
        None => default_storage_dir(&format!("{:08X}", args.serial))?,
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
        user_presence: Button(TerminalButton::new("virtual-card", args.button)),
    };
    let mut applet = Applet::new(config, platform);
    development_attestation(&mut applet, &dir)?;

    let mut options = openpgp_card_applet_virtual_card::Options::default().port(args.port);
    if let Some(path) = &args.apdu_log {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("APDU log {}: {e}", path.display()))?;
        options = options.apdu_log(file);
    }
    // Report connection and power events on stderr.
    let handle = options.handle();
    std::thread::spawn(move || watch(&handle));

    let config = applet.config();
    eprintln!(
        "virtual-card: OpenPGP card {:04X}:{:08X}, state in {}, connecting to vpcd on {}",
        config.manufacturer,
        config.serial,
        dir.display(),
        options.addr
    );
    openpgp_card_applet_virtual_card::run(&mut applet, options)
        .map_err(|e| format!("vpcd connection: {e}"))
}

/// On the first start (no attestation key yet), provisions the card as a manufacturer would,
/// with a **development** attestation CA kept beside the card's state
/// (`attestation-ca.key`, `attestation-ca.der`): its attestations chain to that CA, which
/// nobody should trust.
fn development_attestation<S, R, C, U>(
    applet: &mut Applet<S, R, C, U>,
    dir: &Path,
) -> Result<(), String>
where
    S: openpgp_card_applet::Storage,
    R: rand_core::CryptoRng,
    C: Clock,
    U: UserPresence,
{
    use openpgp_card_applet_testkit::attestation_ca::DevelopmentCa;
    if applet
        .attestation_public_key()
        .map_err(|status| format!("attestation key: {status:?}"))?
        .is_some()
    {
        return Ok(());
    }
    let (key_path, cert_path) = (
        dir.join("attestation-ca.key"),
        dir.join("attestation-ca.der"),
    );
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let saved = std::fs::read(&key_path)
        .ok()
        .zip(std::fs::read(&cert_path).ok())
        .and_then(|(key, cert)| DevelopmentCa::from_parts(&key, cert));
    let ca = match saved {
        Some(ca) => ca,
        None => {
            let ca = DevelopmentCa::new(&mut rng);
            write_private(&key_path, &ca.scalar())?;
            std::fs::write(&cert_path, ca.certificate())
                .map_err(|e| format!("{}: {e}", cert_path.display()))?;
            ca
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = u32::try_from(now).unwrap_or(u32::MAX).to_be_bytes();
    ca.provision(applet, date, &mut rng)
        .map_err(|status| format!("attestation provisioning: {status:?}"))?;
    eprintln!(
        "virtual-card: attestation key generated on the card and certified by a DEVELOPMENT CA \
         ({}), which nobody should trust",
        cert_path.display()
    );
    Ok(())
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Prints when the card gets connected, powered by the reader, or disconnected.
fn watch(handle: &openpgp_card_applet_virtual_card::Handle) {
    let mut was = None;
    std::thread::sleep(Duration::from_millis(500));
    loop {
        let connected = handle.is_connected();
        let powered = connected && handle.wait_powered(Duration::from_millis(200));
        let now = Some((connected, powered));
        if now != was {
            match (connected, powered) {
                (true, true) => eprintln!("virtual-card: powered on by the reader: ready"),
                (true, false) => eprintln!("virtual-card: connected to vpcd"),
                (false, _) => eprintln!(
                    "virtual-card: not connected; waiting for vpcd (is pcscd running \
                     with vsmartcard-vpcd?)"
                ),
            }
            was = now;
        }
        if handle.is_stopped() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
