//! `qemu-card`: the applet's Cortex-M4 firmware under QEMU, as a card in vpcd's reader.
//!
//! The command line is the virtual card's, plus where the firmware is. `crates/virtual-card/
//! start.sh --firmware` builds both and starts this in the background, as it starts the
//! virtual card.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use qemu_bridge::{append_line, CommandCost, Firmware, Options};
use vpicc::cli::{self, default_storage_dir, parse_serial, ButtonMode, Flags, TerminalButton};

const USAGE: &str = "\
Usage: qemu-card --firmware ELF [OPTIONS]

The OpenPGP card firmware (examples/qemu-mps2-an386) on an emulated Cortex-M4 (QEMU
mps2-an386, -icount shift=0), as a card in vsmartcard's vpcd reader.

Options:
  --firmware ELF       the firmware image (examples/qemu-mps2-an386/target/
                       thumbv7em-none-eabihf/release/qemu-mps2-an386)
  --port PORT          vpcd port: 35963 is reader \"Virtual PCD 00 00\", 35964 is \"... 00 01\"
                       [default: 35963]
  --serial HEX         card serial number, up to 8 hex digits [default: 00000001]
  --storage-dir DIR    where the flash image (flash.img, 16 MiB) is kept
                       [default: $XDG_DATA_HOME/openpgp-card-applet/firmware-<serial>,
                        or ~/.local/share/openpgp-card-applet/firmware-<serial>]
  --button MODE        answer to touch requests: confirm, deny, or ask (y/n on the terminal)
                       [default: confirm]
  --apdu-log FILE      append every APDU and response as hex to FILE (contains PINs!)
  --cost-log FILE      append each command's instructions, stack and heap to FILE
                       [default: stderr]
  --seed HEX           the DRBG seed (64 hex digits) [default: from the OS at every start]
  --watchdog SECONDS   take the firmware for hung after this long without a frame [default: 60]
  --qemu PATH          qemu-system-arm [default: from PATH]
  -h, --help           print this help

The seed crosses a host socket: this is an emulator, not a device.
";

struct Args {
    firmware: Option<PathBuf>,
    port: u16,
    serial: u32,
    storage_dir: Option<PathBuf>,
    button: ButtonMode,
    apdu_log: Option<PathBuf>,
    cost_log: Option<PathBuf>,
    seed: Option<[u8; 32]>,
    watchdog: u64,
    qemu: PathBuf,
}

/// 64 hex digits.
fn parse_seed(text: &str) -> Result<[u8; 32], String> {
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    bytes
        .filter(|_| text.len() == 64)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "bad --seed: 64 hex digits".to_string())
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        firmware: None,
        port: vpicc::DEFAULT_PORT,
        serial: 1,
        storage_dir: None,
        button: ButtonMode::Confirm,
        apdu_log: None,
        cost_log: None,
        seed: None,
        watchdog: 60,
        qemu: PathBuf::from("qemu-system-arm"),
    };
    let mut flags = Flags::from_env();
    while let Some((name, inline)) = flags.next_flag() {
        if name == "-h" || name == "--help" {
            return Ok(None);
        }
        let mut value = || flags.value(&name, inline.clone());
        match name.as_str() {
            "--firmware" => args.firmware = Some(PathBuf::from(value()?)),
            "--port" => {
                let v = value()?;
                args.port = v.parse().map_err(|_| format!("bad --port {v:?}"))?;
            }
            "--serial" => args.serial = parse_serial(&value()?)?,
            "--storage-dir" => args.storage_dir = Some(PathBuf::from(value()?)),
            "--apdu-log" => args.apdu_log = Some(PathBuf::from(value()?)),
            "--cost-log" => args.cost_log = Some(PathBuf::from(value()?)),
            "--qemu" => args.qemu = PathBuf::from(value()?),
            "--button" => args.button = ButtonMode::parse(&value()?)?,
            "--seed" => args.seed = Some(parse_seed(&value()?)?),
            "--watchdog" => {
                let v = value()?;
                args.watchdog = v
                    .parse()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or_else(|| format!("bad --watchdog {v:?}: seconds"))?;
            }
            _ => return Err(format!("unknown option {name:?}")),
        }
    }
    Ok(Some(args))
}

fn main() -> ExitCode {
    cli::main("qemu-card", USAGE, parse_args, run)
}

fn run(args: Args) -> Result<(), String> {
    let firmware = args.firmware.ok_or("--firmware ELF is required")?;
    let dir = match args.storage_dir {
        Some(dir) => dir,
        None => default_storage_dir(&format!("firmware-{:08X}", args.serial))?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut options = Options::new(firmware, dir.join("flash.img"));
    options.qemu = args.qemu;
    options.serial = args.serial;
    options.seed = args.seed;
    options.watchdog = Duration::from_secs(args.watchdog);
    let button = TerminalButton::new("qemu-card", args.button);
    options.button = Box::new(move |timeout_ms| button.ask(timeout_ms));
    let cost_log = args.cost_log;
    options.on_command = Some(Box::new(move |cost: &CommandCost| match &cost_log {
        Some(path) => append_line(path, &cost.to_string()),
        None => eprintln!("qemu-card: {cost}"),
    }));
    let mut card = Firmware::start(options).map_err(|e| format!("firmware: {e}"))?;
    eprintln!(
        "qemu-card: firmware running under QEMU (pid {}), flash image {}",
        card.pid(),
        dir.join("flash.img").display()
    );

    let mut vpcd = vpicc::Options::default().port(args.port).reconnect(false);
    if let Some(path) = &args.apdu_log {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("APDU log {}: {e}", path.display()))?;
        vpcd = vpcd.apdu_log(file);
    }
    eprintln!("qemu-card: connecting to vpcd on {}", vpcd.addr);
    let handle = vpcd.handle();
    std::thread::spawn(move || {
        // start.sh waits for this line, as for the virtual card's.
        while !handle.is_stopped() {
            if handle.wait_powered(Duration::from_millis(500)) {
                eprintln!("qemu-card: powered on by the reader: ready");
                return;
            }
        }
    });
    // Without reconnecting: a firmware that died must not come back as a fresh-looking card.
    let result = vpicc::run_card(&mut card, vpcd);
    eprintln!("qemu-card: vpcd connection ended");
    result.map_err(|e| format!("vpcd connection: {e}"))
}
