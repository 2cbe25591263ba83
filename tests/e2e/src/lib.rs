//! Fixtures for the end-to-end tests: a fresh virtual card on vpcd (with a test-controlled
//! button), a throw-away GnuPG home (gpg-agent with SSH support and a scripted pinentry), a
//! driver for gpg's status/command protocol and a parser for `--card-status --with-colons`.
//! Submodules: [`gnupg`] (key flows through gpg), [`pcsc_backend`] (the `openpgp-card`
//! client over PC/SC).
//!
//! Needs a running pcscd with vsmartcard's vpcd driver, GnuPG (scdaemon) and OpenSC; see
//! `tests/e2e/ci.sh`. The tests share vpcd's port: they take a global lock, and should run with
//! `--test-threads=1` anyway. `E2E_VPCD_PORT` selects the reader (35963, the default, is
//! "Virtual PCD 00 00"; 35964 is "Virtual PCD 00 01"), e.g. to keep a card started by
//! `crates/virtual-card/start.sh` running on the other one.

#![cfg(feature = "e2e")]
#![allow(dead_code)]
// each test binary uses a different subset
// `Gpg::new` and `Fixture::new` start processes and a card thread: not what `Default` promises.
#![allow(clippy::new_without_default)]

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use openpgp_card_applet::{Applet, Config, Platform, Presence, UserPresence};
use openpgp_card_applet_testkit::{ManualClock, MemoryStorage, TestRng};

pub mod gnupg;
pub mod pcsc_backend;
pub mod ssh;

/// How long one gpg prompt or one tool run may take before the test gives up (on the
/// emulated Cortex-M4, ten times that: an RSA key generation takes minutes there).
fn step_timeout() -> Duration {
    if firmware().is_some() {
        Duration::from_secs(300)
    } else {
        Duration::from_secs(30)
    }
}

/// The firmware image the cards run as (`E2E_FIRMWARE`): then every card is the applet's
/// Cortex-M4 firmware under QEMU (`crates/qemu-bridge`) instead of the applet on the host.
pub fn firmware() -> Option<PathBuf> {
    std::env::var_os("E2E_FIRMWARE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The serial number of every test card (shows in the AID and `serial:`).
pub const SERIAL: u32 = 0x1234_5678;

/// DD of the test cards' attestation key (2024-03-24).
pub const ATTESTATION_DATE: [u8; 4] = [0x66, 0x00, 0x00, 0x00];

/// The development attestation CA every test card is provisioned by (always the same).
pub fn attestation_ca() -> openpgp_card_applet_testkit::attestation_ca::DevelopmentCa {
    openpgp_card_applet_testkit::attestation_ca::DevelopmentCa::new(&mut TestRng::seed_from_u64(
        0xCA,
    ))
}

/// The socket of the USB device (`E2E_USB`): then every card is the applet behind
/// `usb-device` and the CCID class on that socket (`crates/usb-socket`), which pcscd reaches
/// through the real libccid and the test libusb (`tests/e2e/usb.sh` runs them).
pub fn usb() -> Option<PathBuf> {
    std::env::var_os("E2E_USB")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The reader name pcscd gives the USB device's static entry (`crates/usb-socket/run.sh`).
pub const USB_READER: &str = "OpenPGP USB card 00 00";

/// vpcd's port for these tests.
pub fn port() -> u16 {
    std::env::var("E2E_VPCD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(openpgp_card_applet_virtual_card::DEFAULT_PORT)
}

/// The PC/SC reader name vpcd gives the port, and its index in the reader list.
pub fn reader() -> (String, u16) {
    if usb().is_some() {
        // The only reader of the pcscd that drives it.
        return (USB_READER.to_owned(), 0);
    }
    let index = port().saturating_sub(openpgp_card_applet_virtual_card::DEFAULT_PORT);
    (format!("Virtual PCD 00 {index:02}"), index)
}

/// The version of the GnuPG on PATH (`gpg --version`), e.g. `(2, 4, 7)`: the suites run
/// against GnuPG 2.2 on the host and 2.4 in a Debian 13 root (`tests/e2e/ci.sh`), and the
/// expectations that differ between them ask this.
pub fn gnupg_version() -> (u32, u32, u32) {
    static VERSION: std::sync::OnceLock<(u32, u32, u32)> = std::sync::OnceLock::new();
    *VERSION.get_or_init(|| {
        let out = Command::new("gpg")
            .arg("--version")
            .output()
            .expect("gpg on PATH");
        let text = String::from_utf8_lossy(&out.stdout);
        let version = text
            .lines()
            .next()
            .and_then(|line| line.rsplit(' ').next())
            .unwrap_or_default();
        let mut parts = version.split('.').map(|p| p.parse().unwrap_or(0));
        let v = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        assert!(v >= (2, 2, 0), "unsupported GnuPG version {version:?}");
        v
    })
}

/// Whether the suites run against GnuPG 2.3 or later (in practice 2.4), whose scdaemon and
/// `--card-edit` differ from 2.2's in the ways the tests name.
pub fn gnupg_24() -> bool {
    gnupg_version() >= (2, 3, 0)
}

/// Only one test at a time may own vpcd's reader.
static READER_LOCK: Mutex<()> = Mutex::new(());

/// An in-memory log shared between the card thread and the test.
#[derive(Clone, Default)]
pub struct SharedLog(Arc<Mutex<Vec<u8>>>);

impl SharedLog {
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// How many power cycles (power on, power off, reset) the reader gave the card so far.
    pub fn power_events(&self) -> usize {
        self.text()
            .lines()
            .filter(|l| {
                l.ends_with("# power on") || l.ends_with("# power off") || l.ends_with("# reset")
            })
            .count()
    }

    /// The command/response pairs logged so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        let mut exchanges = Vec::new();
        let mut pending: Option<(f64, Vec<u8>)> = None;
        for line in self.text().lines() {
            let mut words = line.split_whitespace();
            let (Some(ms), Some(dir), Some(hex)) = (words.next(), words.next(), words.next())
            else {
                continue;
            };
            let (Ok(ms), Some(bytes)) = (ms.parse::<f64>(), decode_hex(hex)) else {
                continue;
            };
            match dir {
                ">" => pending = Some((ms, bytes)),
                "<" => {
                    if let Some((start, command)) = pending.take() {
                        exchanges.push(Exchange {
                            command,
                            response: bytes,
                            ms: ms - start,
                        });
                    }
                }
                _ => {}
            }
        }
        exchanges
    }
}

/// One command APDU and the card's response, from the APDU log.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub command: Vec<u8>,
    pub response: Vec<u8>,
    /// Time between the command and the response in the log, in milliseconds.
    pub ms: f64,
}

impl Exchange {
    pub fn ins(&self) -> u8 {
        self.command.get(1).copied().unwrap_or(0)
    }

    /// CLA bit 0x10: more blocks of a chain follow.
    pub fn chained(&self) -> bool {
        self.command.first().is_some_and(|cla| cla & 0x10 != 0)
    }

    /// The status word.
    pub fn sw(&self) -> u16 {
        match self.response[..] {
            [.., a, b] => u16::from_be_bytes([a, b]),
            _ => 0,
        }
    }

    /// The command data field (short or extended Lc; empty for cases 1 and 2).
    pub fn data(&self) -> &[u8] {
        let c = &self.command;
        match c.get(4) {
            None => &[],
            Some(0) if c.len() > 7 => {
                let lc = usize::from(u16::from_be_bytes([c[5], c[6]]));
                c.get(7..7 + lc).unwrap_or(&[])
            }
            Some(&lc) if c.len() > 5 => c.get(5..5 + usize::from(lc)).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The commands whose INS P1 P2 start with `header` (e.g. `[0x88]` for INTERNAL AUTHENTICATE,
/// `[0x2A, 0x9E, 0x9A]` for PSO:CDS), chains joined into one (the data of all blocks, the last
/// block's response), as (data, status word, milliseconds of the last block).
pub fn commands(exchanges: &[Exchange], header: &[u8]) -> Vec<(Vec<u8>, u16, f64)> {
    let mut out = Vec::new();
    let mut data = Vec::new();
    for e in exchanges
        .iter()
        .filter(|e| e.command.get(1..).is_some_and(|c| c.starts_with(header)))
    {
        data.extend_from_slice(e.data());
        if !e.chained() {
            out.push((std::mem::take(&mut data), e.sw(), e.ms));
        }
    }
    out
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Write for SharedLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The virtual card's button, shared between the card thread and the test: the test sets what
/// the "user" answers when the card asks for presence (touch), and sees how often it was asked.
#[derive(Clone, Debug)]
pub struct Button(Arc<Mutex<ButtonState>>);

#[derive(Debug)]
struct ButtonState {
    answer: Presence,
    requests: usize,
    /// Panic when asked (in the card thread): for the test that the harness fails on it.
    panics: bool,
    /// How long the user takes to answer (the card waits that long).
    delay: Duration,
}

impl Button {
    /// A button that answers `answer` until [`set`](Button::set) changes it.
    pub fn new(answer: Presence) -> Button {
        Button(Arc::new(Mutex::new(ButtonState {
            answer,
            requests: 0,
            panics: false,
            delay: Duration::ZERO,
        })))
    }

    /// A button that panics when the card asks it, in the card's thread.
    pub fn panicking() -> Button {
        let button = Button::new(Presence::Confirmed);
        button.state().panics = true;
        button
    }

    fn state(&self) -> MutexGuard<'_, ButtonState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the button answers from now on.
    pub fn set(&self, answer: Presence) {
        self.state().answer = answer;
    }

    /// How long the user takes to answer from now on: a command that asks waits that long.
    pub fn set_delay(&self, delay: Duration) {
        self.state().delay = delay;
    }

    /// How many times the card asked for presence so far.
    pub fn requests(&self) -> usize {
        self.state().requests
    }
}

impl UserPresence for Button {
    type Error = std::convert::Infallible;

    fn confirm(&mut self, _timeout_ms: u32) -> Result<Presence, Self::Error> {
        let mut state = self.state();
        state.requests += 1;
        let (answer, panics, delay) = (state.answer, state.panics, state.delay);
        drop(state);
        assert!(!panics, "the test button panics, as asked");
        thread::sleep(delay);
        Ok(answer)
    }
}

/// A fresh card (factory state in memory) served on vpcd by a thread; with [`firmware`], the
/// firmware under QEMU on a fresh flash image.
pub struct Card {
    handle: openpgp_card_applet_virtual_card::Handle,
    thread: Option<JoinHandle<io::Result<()>>>,
    pub log: SharedLog,
    /// With [`firmware`]: every command's cost on the device, in order.
    pub costs: Arc<Mutex<Vec<openpgp_card_applet_qemu_bridge::CommandCost>>>,
    /// With [`firmware`]: the flash image's directory, removed with the card unless the test
    /// gave it ([`Card::start_firmware`]).
    flash: Option<TempDir>,
    /// Whether this is the firmware: its errors (a panic, a hang) then fail the test.
    is_firmware: bool,
    /// With [`firmware`]: how it was started (to start it again) and QEMU's process id.
    setup: Option<(FirmwareSetup, u32)>,
    /// With [`usb`]: the USB device's handle.
    pub usb: Option<openpgp_card_applet_usb_socket::Handle>,
}

/// What [`Card::start_firmware`] was given.
#[derive(Clone)]
struct FirmwareSetup {
    elf: PathBuf,
    button: Button,
    config: Config,
    flash_dir: PathBuf,
    watchdog: Option<Duration>,
    /// Power cycles of this device so far (each start gets its own DRBG seed).
    boots: u8,
}

impl Card {
    /// Starts the card (with a button that always confirms) and waits until pcscd has
    /// detected and powered it.
    pub fn start() -> Card {
        Card::start_with(Button::new(Presence::Confirmed))
    }

    /// Starts the card with `button` as its user-presence check.
    pub fn start_with(button: Button) -> Card {
        Card::start_configured(button, Config::default())
    }

    /// Starts the card with `button` and `config` (its serial number is always [`SERIAL`]).
    pub fn start_configured(button: Button, config: Config) -> Card {
        if let Some(firmware) = firmware() {
            let dir = TempDir::new("e2e-flash");
            let mut card = Card::start_firmware(&firmware, button, config, dir.path(), None);
            card.flash = Some(dir);
            return card;
        }
        if let Some(socket) = usb() {
            return Card::start_usb(&socket, button, config);
        }
        // pcscd powers a card when it sees it inserted. If the previous test's card went away
        // and this one connected between two of pcscd's presence polls, pcscd would see no
        // insertion and never power it: wait until pcscd has seen the reader empty.
        wait_reader_empty(Duration::from_secs(10));
        let log = SharedLog::default();
        let options = openpgp_card_applet_virtual_card::Options::default()
            .port(port())
            .apdu_log(log.clone());
        let handle = options.handle();
        let thread = thread::spawn(move || {
            let config = Config {
                serial: SERIAL,
                ..config
            };
            let platform = Platform {
                storage: MemoryStorage::new(),
                rng: TestRng::seed_from_u64(0xE2E),
                clock: ManualClock::new(),
                user_presence: button,
            };
            let mut applet = Applet::new(config, platform);
            // Provisioned as a manufacturer would: attestation key and certificate.
            let mut rng = TestRng::seed_from_u64(0xA77E57);
            attestation_ca()
                .provision(&mut applet, ATTESTATION_DATE, &mut rng)
                .map_err(|status| io::Error::other(format!("provisioning: {status:?}")))?;
            openpgp_card_applet_virtual_card::run(&mut applet, options)
        });
        Card::started(handle, thread, log, Arc::default(), false)
    }

    /// Starts the applet as a USB device on `socket` (a fresh card, plugged in) and waits
    /// until pcscd, through libccid, has powered it.
    pub fn start_usb(socket: &Path, button: Button, config: Config) -> Card {
        let log = SharedLog::default();
        let handle = openpgp_card_applet_usb_socket::Handle::new();
        let _ = std::fs::remove_file(socket);
        let listener = std::os::unix::net::UnixListener::bind(socket)
            .unwrap_or_else(|e| panic!("the USB device's socket {}: {e}", socket.display()));
        let (device, apdu_log) = (handle.clone(), log.clone());
        let thread = thread::spawn(move || {
            let config = Config {
                serial: SERIAL,
                ..config
            };
            let platform = Platform {
                storage: MemoryStorage::new(),
                rng: TestRng::seed_from_u64(0xE2E),
                clock: ManualClock::new(),
                user_presence: button,
            };
            let mut applet = Applet::new(config, platform);
            let mut rng = TestRng::seed_from_u64(0xA77E57);
            attestation_ca()
                .provision(&mut applet, ATTESTATION_DATE, &mut rng)
                .map_err(|status| io::Error::other(format!("provisioning: {status:?}")))?;
            let options = openpgp_card_applet_usb_socket::Options {
                apdu_log: Some(Box::new(apdu_log)),
                ..Default::default()
            };
            openpgp_card_applet_usb_socket::run(&mut applet, &listener, &device, options)
        });
        let card = Card {
            handle: openpgp_card_applet_virtual_card::Handle::new(),
            thread: Some(thread),
            log,
            costs: Arc::default(),
            flash: None,
            is_firmware: false,
            setup: None,
            usb: Some(handle),
        };
        let usb = card
            .usb
            .as_ref()
            .map(|h| h.wait_powered(Duration::from_secs(20)));
        if usb != Some(true) {
            panic!(
                "pcscd did not power the USB device on {} within 20 s: is pcscd running with \
                 the test libusb and the reader entry of tests/e2e/usb.sh?\nAPDU log:\n{}",
                socket.display(),
                card.log.text()
            );
        }
        // pcscd opens its reader (and so powers the first card) before it listens to clients.
        let deadline = Instant::now() + Duration::from_secs(10);
        while pcsc::Context::establish(pcsc::Scope::User).is_err() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
        wait_reader(Duration::from_secs(10), |state| {
            state.contains(pcsc::State::PRESENT) && !state.contains(pcsc::State::MUTE)
        });
        card
    }

    /// Starts the firmware `elf` under QEMU on the flash image in `flash_dir` (kept: start it
    /// again on the same directory for a power cycle of the device), with `button` and the
    /// parts of `config` the firmware takes (the wrong-PIN status; the serial is [`SERIAL`]).
    /// `watchdog` overrides the bridge's (how long the firmware may stay silent).
    ///
    /// # Panics
    /// If `config` sets anything else (the firmware could not honour it), or the firmware
    /// does not start.
    pub fn start_firmware(
        elf: &Path,
        button: Button,
        config: Config,
        flash_dir: &Path,
        watchdog: Option<Duration>,
    ) -> Card {
        let setup = FirmwareSetup {
            elf: elf.to_owned(),
            button,
            config,
            flash_dir: flash_dir.to_owned(),
            watchdog,
            boots: 0,
        };
        Card::launch_firmware(setup, SharedLog::default(), Arc::default())
    }

    /// Starts the firmware as `setup` says, logging to `log` and `costs`.
    fn launch_firmware(
        setup: FirmwareSetup,
        log: SharedLog,
        costs: Arc<Mutex<Vec<openpgp_card_applet_qemu_bridge::CommandCost>>>,
    ) -> Card {
        let FirmwareSetup {
            elf,
            button,
            config,
            flash_dir,
            watchdog,
            ..
        } = setup.clone();
        let remaining_tries =
            config.wrong_pin_status == openpgp_card_applet::WrongPinStatus::RemainingTries;
        assert_eq!(
            Config {
                wrong_pin_status: Config::default().wrong_pin_status,
                ..config.clone()
            },
            Config::default(),
            "the firmware takes only the wrong-PIN status from the test's Config"
        );
        wait_reader_empty(Duration::from_secs(10));
        let mut options =
            openpgp_card_applet_qemu_bridge::Options::new(elf, flash_dir.join("flash.img"));
        options.serial = SERIAL;
        options.wrong_pin_remaining_tries = remaining_tries;
        // Fixed, so that a failing run can be repeated (RSA generation depends on it), and
        // another after each power cycle of the same device, as a TRNG never repeats itself.
        let mut seed = [0xE2; 32];
        seed[0] ^= setup.boots;
        options.seed = Some(seed);
        if let Some(watchdog) = watchdog {
            options.watchdog = watchdog;
        }
        let mut presence = button;
        options.button =
            Box::new(move |timeout| presence.confirm(timeout).unwrap_or(Presence::TimedOut));
        let sink = costs.clone();
        options.on_command = Some(Box::new(move |cost| {
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(cost.clone());
        }));
        let mut firmware = openpgp_card_applet_qemu_bridge::Firmware::start(options)
            .unwrap_or_else(|e| panic!("the firmware does not start: {e}"));
        let vpcd = openpgp_card_applet_virtual_card::Options::default()
            .port(port())
            .apdu_log(log.clone())
            .reconnect(false);
        let handle = vpcd.handle();
        let pid = firmware.pid();
        let thread =
            thread::spawn(move || openpgp_card_applet_virtual_card::run_card(&mut firmware, vpcd));
        let mut card = Card::started(handle, thread, log, costs, true);
        card.setup = Some((setup, pid));
        card
    }

    /// Firmware only: a power cycle of the device. QEMU is stopped and started again on the
    /// same flash image; the APDU log and costs go on in the same records.
    ///
    /// # Panics
    /// Not the firmware, or it does not start again.
    pub fn restart_firmware(&mut self) {
        let (mut setup, _) = self
            .setup
            .clone()
            .expect("restart_firmware: not the firmware");
        setup.boots = setup.boots.wrapping_add(1);
        self.stop();
        let flash = self.flash.take();
        let mut card = Card::launch_firmware(setup, self.log.clone(), self.costs.clone());
        card.flash = flash;
        *self = card;
    }

    /// Firmware only: cuts the device's power now (QEMU is killed, whatever it is doing), as
    /// a user pulling the key out. The card is then gone until [`Card::restart_firmware`].
    ///
    /// # Panics
    /// Not the firmware.
    pub fn power_cut(&mut self) {
        let (_, pid) = self.setup.as_ref().expect("power_cut: not the firmware");
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        // The bridge's connection fails with the firmware: that is the point, not an error.
        self.is_firmware = false;
        self.stop();
        self.is_firmware = true;
    }

    /// Firmware only: QEMU's process id.
    pub fn qemu_pid(&self) -> Option<u32> {
        self.setup.as_ref().map(|(_, pid)| *pid)
    }

    fn started(
        handle: openpgp_card_applet_virtual_card::Handle,
        thread: JoinHandle<io::Result<()>>,
        log: SharedLog,
        costs: Arc<Mutex<Vec<openpgp_card_applet_qemu_bridge::CommandCost>>>,
        is_firmware: bool,
    ) -> Card {
        let card = Card {
            handle,
            thread: Some(thread),
            log,
            is_firmware,
            costs,
            flash: None,
            setup: None,
            usb: None,
        };
        if !card.handle.wait_powered(Duration::from_secs(20)) {
            panic!(
                "pcscd did not power the virtual card on port {} within 20 s: is pcscd running \
                 with vsmartcard-vpcd, and is no other card using that port?\nAPDU log:\n{}",
                port(),
                card.log.text()
            );
        }
        // The card powered is not yet the card present for every client: pcscd updates the
        // reader's state after it has read the ATR. A client connecting in between gets
        // SCARD_E_NO_SMARTCARD (seen once in CI, with the openpgp-card client under 2.4).
        wait_reader(Duration::from_secs(10), |state| {
            state.contains(pcsc::State::PRESENT) && !state.contains(pcsc::State::MUTE)
        });
        card
    }

    /// The costs recorded so far (firmware only), and forgets them.
    pub fn take_costs(&self) -> Vec<openpgp_card_applet_qemu_bridge::CommandCost> {
        std::mem::take(&mut *self.costs.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn stop(&mut self) {
        self.handle.stop();
        if let Some(device) = &self.usb {
            device.stop();
            if let Some(socket) = usb() {
                let _ = std::fs::remove_file(socket);
            }
        }
        if let Some(thread) = self.thread.take() {
            match thread.join() {
                Ok(Ok(())) => {}
                // The firmware failing (a panic on the device, a hang, QEMU gone) fails the
                // test as a panic of the applet does.
                Ok(Err(e)) if self.is_firmware && !thread::panicking() => {
                    panic!("the firmware failed: {e}")
                }
                Ok(Err(e)) => eprintln!("card thread: {e}"),
                // The applet must never panic: fail the test, even after its last assertion
                // (unless it is failing already, where a second panic would abort the run).
                Err(_) if !thread::panicking() => {
                    panic!("the card thread panicked (see its message above)")
                }
                Err(_) => eprintln!("card thread panicked"),
            }
        }
    }
}

/// Waits until pcscd reports no card in the test reader (or `timeout` passes; the card start
/// then reports what it sees).
fn wait_reader_empty(timeout: Duration) {
    wait_reader(timeout, |state| state.contains(pcsc::State::EMPTY));
}

/// Waits until pcscd reports the test reader in a state `done` accepts (or `timeout` passes, or
/// there is no such reader).
fn wait_reader(timeout: Duration, done: impl Fn(pcsc::State) -> bool) {
    let Ok(context) = pcsc::Context::establish(pcsc::Scope::User) else {
        return;
    };
    let Ok(name) = std::ffi::CString::new(reader().0) else {
        return;
    };
    let mut states = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
    let deadline = Instant::now() + timeout;
    loop {
        if context
            .get_status_change(Duration::ZERO, &mut states)
            .is_err()
            && states[0].event_state().is_empty()
        {
            return; // no such reader: nothing to wait for
        }
        let state = states[0].event_state();
        if done(state) || Instant::now() >= deadline {
            return;
        }
        states[0].sync_current_state();
        let left = deadline.saturating_duration_since(Instant::now());
        let _ = context.get_status_change(left.min(Duration::from_millis(500)), &mut states);
    }
}

impl Drop for Card {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // Short: gpg-agent puts its sockets in here (108-byte limit for socket paths).
        let dir = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a tool run printed, kept for the failure report.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
}

/// A throw-away GnuPG home bound to the test reader. Dropping it runs `gpgconf --kill all`.
///
/// gpg-agent runs with `enable-ssh-support` and a scripted pinentry ([`set_pinentry_pin`]):
/// gpg itself is driven with `--pinentry-mode loopback` (PINs through `--command-fd`), but SSH
/// clients reach the agent without a gpg in between, so the agent asks its pinentry.
///
/// [`set_pinentry_pin`]: Gpg::set_pinentry_pin
pub struct Gpg {
    home: TempDir,
    /// Everything every gpg run printed, for the failure report.
    transcript: Mutex<String>,
}

/// A pinentry for gpg-agent: answers each GETPIN with the first line of the file
/// `pinentry-pins` in GNUPGHOME (and removes that line), or else with the content of
/// `pinentry-pin` (cancels when there is neither), and logs each request to `pinentry.log`.
const PINENTRY: &str = r#"#!/bin/sh
dir='@HOME@'
echo 'OK scripted pinentry'
while IFS= read -r line; do
    case "$line" in
        GETPIN*)
            echo "GETPIN $desc" >>"$dir/pinentry.log"
            if [ -s "$dir/pinentry-pins" ]; then
                printf 'D %s\nOK\n' "$(head -n 1 "$dir/pinentry-pins")"
                sed -i 1d "$dir/pinentry-pins"
            elif [ -f "$dir/pinentry-pin" ]; then
                printf 'D %s\nOK\n' "$(cat "$dir/pinentry-pin")"
            else
                echo 'ERR 83886179 Operation cancelled <Pinentry>'
            fi ;;
        SETDESC*) desc=${line#SETDESC }; echo OK ;;
        CONFIRM*|MESSAGE*) echo "$line" >>"$dir/pinentry.log"; echo OK ;;
        BYE*) echo OK; exit 0 ;;
        *) echo OK ;;
    esac
done
"#;

/// The answer to one prompt of gpg's command protocol, given the prompt's kind (`GET_LINE`,
/// `GET_HIDDEN`, `GET_BOOL`) and keyword (e.g. `passphrase.enter`).
pub type Responder<'a> = dyn FnMut(&str, &str) -> Result<String, String> + 'a;

/// One interactive gpg run: its status lines (without the `[GNUPG:] ` prefix), the prompts it
/// asked (`KIND keyword`) and whether it exited with success.
#[derive(Debug, Default)]
pub struct Session {
    pub status: Vec<String>,
    pub prompts: Vec<String>,
    pub success: bool,
}

impl Session {
    /// The status lines of keyword `kind` (`"SIG_CREATED"` ...), each without the keyword.
    pub fn lines(&self, kind: &str) -> Vec<&str> {
        self.status
            .iter()
            .filter_map(|l| {
                l.strip_prefix(kind)
                    .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            })
            .map(str::trim_start)
            .collect()
    }

    /// Whether a status line of keyword `kind` is present.
    pub fn has(&self, kind: &str) -> bool {
        !self.lines(kind).is_empty()
    }

    /// How many PIN (passphrase) prompts gpg relayed from the agent.
    pub fn pin_prompts(&self) -> usize {
        self.prompts
            .iter()
            .filter(|p| p.as_str() == "GET_HIDDEN passphrase.enter")
            .count()
    }
}

impl Gpg {
    pub fn new() -> Gpg {
        let home = TempDir::new("e2e-gnupg");
        let (reader, _) = reader();
        // Through pcscd (not scdaemon's own USB driver), shared with OpenSC, on our reader only.
        std::fs::write(
            home.path().join("scdaemon.conf"),
            format!("disable-ccid\npcsc-shared\nreader-port {reader}\n"),
        )
        .expect("write scdaemon.conf");
        let pinentry = home.path().join("pinentry.sh");
        std::fs::write(
            &pinentry,
            PINENTRY.replace("@HOME@", &home.path().display().to_string()),
        )
        .expect("write pinentry");
        std::fs::write(
            home.path().join("gpg-agent.conf"),
            format!(
                "allow-loopback-pinentry\nenable-ssh-support\npinentry-program {}\n",
                pinentry.display()
            ),
        )
        .expect("write gpg-agent.conf");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700));
            let _ = std::fs::set_permissions(&pinentry, std::fs::Permissions::from_mode(0o700));
        }
        Gpg {
            home,
            transcript: Mutex::new(String::new()),
        }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// A path inside GNUPGHOME, for test data.
    pub fn file(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// What gpg-agent's pinentry answers from now on (`None`: it cancels).
    pub fn set_pinentry_pin(&self, pin: Option<&str>) {
        let path = self.file("pinentry-pin");
        match pin {
            Some(pin) => std::fs::write(path, pin).expect("write pinentry-pin"),
            None => drop(std::fs::remove_file(path)),
        }
    }

    /// The requests the pinentry answered so far (one line each: `GETPIN <description>`).
    /// Queues PINs for the pinentry, one per GETPIN, before it falls back to
    /// [`set_pinentry_pin`](Gpg::set_pinentry_pin)'s.
    pub fn queue_pinentry_pins(&self, pins: &[&str]) {
        let mut text = pins.join("\n");
        text.push('\n');
        std::fs::write(self.file("pinentry-pins"), text).expect("write pinentry-pins");
    }

    /// Runs GnuPG 2.4's `gpg-card` with `args` on a pseudo-terminal (it reads its questions'
    /// answers from /dev/tty), answering each prompt matching the next `(regex, answer)` of
    /// `script` (tests/e2e/on_a_tty.py). PINs come from the agent's pinentry.
    pub fn gpg_card(&self, args: &[&str], script: &[(&str, &str)]) -> Output {
        let script = format!(
            "[{}]",
            script
                .iter()
                .map(|(pattern, answer)| format!("[{pattern:?}, {answer:?}]"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let driver = concat!(env!("CARGO_MANIFEST_DIR"), "/on_a_tty.py");
        let mut all = vec![driver, script.as_str(), "--", "gpg-card"];
        all.extend_from_slice(args);
        self.run("python3", &all)
    }

    pub fn pinentry_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.file("pinentry.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    pub fn transcript(&self) -> String {
        self.transcript
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn note(&self, text: &str) {
        self.transcript
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_str(text);
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("GNUPGHOME", self.home())
            .env("LC_ALL", "C")
            .env_remove("GPG_AGENT_INFO")
            .env_remove("SSH_AGENT_PID")
            .env_remove("DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs a program with this GNUPGHOME to completion (with a timeout) and records it.
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        self.run_with(program, args, &[], None)
    }

    /// Like [`run`](Gpg::run) with extra environment variables and, optionally, a file as
    /// standard input.
    pub fn run_with(
        &self,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&Path>,
    ) -> Output {
        let mut command = self.command(program);
        command.args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        if let Some(path) = stdin {
            match std::fs::File::open(path) {
                Ok(file) => {
                    command.stdin(file);
                }
                Err(e) => panic!("open {}: {e}", path.display()),
            }
        }
        let started = Instant::now();
        let output = run_with_timeout(command, step_timeout());
        let _ = writeln!(
            self.transcript.lock().unwrap_or_else(|e| e.into_inner()),
            "$ {}{program} {}{}\n{}{}[exit: {} after {:.2?}]\n",
            env.iter()
                .map(|(k, v)| format!("{k}={v} "))
                .collect::<String>(),
            args.join(" "),
            stdin.map_or(String::new(), |p| format!(" < {}", p.display())),
            output.stdout,
            indent_stderr(&output.stderr),
            if output.success { "ok" } else { "FAILED" },
            started.elapsed(),
        );
        output
    }

    /// `gpg --card-status --with-colons`, parsed. Fails the test if gpg fails.
    pub fn card_status(&self) -> CardStatus {
        let output = self.run(
            "gpg",
            &["--batch", "--no-tty", "--with-colons", "--card-status"],
        );
        assert!(
            output.success,
            "gpg --card-status failed:\n{}",
            output.stderr
        );
        CardStatus::parse(&output.stdout)
    }

    /// Drives `gpg --card-edit` through its status protocol: each prompt gpg asks
    /// (`GET_LINE`/`GET_HIDDEN`/`GET_BOOL` keyword) must be the next `(keyword, answer)` of
    /// `script`, which must end with the `quit` that ends gpg. A keyword starting with `?` marks
    /// an optional step, answered only if gpg asks it there (e.g. the admin PIN, which gpg asks
    /// only when the card does not have it verified yet). Returns gpg's status lines.
    pub fn card_edit(&self, script: &[(&str, &str)]) -> Vec<String> {
        self.edit(&["--card-edit"], script)
    }

    /// Like [`card_edit`](Gpg::card_edit) for another interactive gpg command.
    pub fn edit(&self, command: &[&str], script: &[(&str, &str)]) -> Vec<String> {
        self.scripted(command, script).status
    }

    /// Like [`edit`](Gpg::edit), returning the whole [`Session`].
    pub fn scripted(&self, command: &[&str], script: &[(&str, &str)]) -> Session {
        let mut steps = script.iter();
        let mut skipped = Vec::new();
        let session = self.interact(command, &mut |_kind, keyword| {
            // Skip optional steps that gpg did not ask for.
            let step = loop {
                match steps.next() {
                    Some((expected, _))
                        if expected.strip_prefix('?').is_some_and(|k| k != keyword) =>
                    {
                        skipped.push(*expected);
                    }
                    other => break other,
                }
            };
            match step {
                Some((expected, answer)) if expected.trim_start_matches('?') == keyword => {
                    Ok((*answer).to_owned())
                }
                Some((expected, _)) => Err(format!(
                    "gpg asked {keyword:?}, the script expected {expected:?}"
                )),
                None => Err(format!("gpg asked {keyword:?} after the end of the script")),
            }
        });
        if let Some(step) = steps.find(|(expected, _)| !expected.starts_with('?')) {
            panic!(
                "gpg {} ended before the script step {step:?}",
                command.join(" ")
            );
        }
        session
    }

    /// Runs `gpg --no-tty --command-fd 0 --status-fd 1 --pinentry-mode loopback --expert
    /// <command>`, answering each prompt with `respond(kind, keyword)`. An `Err` from `respond`
    /// (or a gpg that prints nothing for 30 s) fails the test with the message. gpg's own output
    /// must go to files (`-o`): its standard output carries the status lines.
    pub fn interact(&self, command: &[&str], respond: &mut Responder<'_>) -> Session {
        let mut args = vec![
            "--no-tty",
            "--command-fd",
            "0",
            "--status-fd",
            "1",
            "--pinentry-mode",
            "loopback",
            "--expert",
        ];
        args.extend_from_slice(command);
        let mut cmd = self.command("gpg");
        cmd.args(&args).stdin(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn gpg");
        let mut stdin = child.stdin.take().expect("gpg stdin");
        let lines = spawn_line_reader(child.stdout.take().expect("gpg stdout"));
        let stderr = spawn_reader(child.stderr.take().expect("gpg stderr"));

        let started = Instant::now();
        let mut session = Session::default();
        let mut log = format!("$ gpg {}\n", args.join(" "));
        let mut failure = None;
        loop {
            let line = match lines.recv_timeout(step_timeout()) {
                Ok(line) => line,
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    failure = Some(format!("gpg printed nothing for {:?}", step_timeout()));
                    break;
                }
            };
            let _ = writeln!(log, "{line}");
            let Some(rest) = line.strip_prefix("[GNUPG:] ") else {
                continue;
            };
            session.status.push(rest.to_owned());
            let mut words = rest.split_whitespace();
            let (Some(kind), Some(keyword)) = (words.next(), words.next()) else {
                continue;
            };
            if !matches!(kind, "GET_LINE" | "GET_HIDDEN" | "GET_BOOL") {
                continue;
            }
            session.prompts.push(format!("{kind} {keyword}"));
            match respond(kind, keyword) {
                Ok(answer) => {
                    let shown = if kind == "GET_HIDDEN" { "***" } else { &answer };
                    let _ = writeln!(log, "  <- {shown}");
                    if writeln!(stdin, "{answer}")
                        .and_then(|()| stdin.flush())
                        .is_err()
                    {
                        failure = Some("gpg closed its input".to_owned());
                        break;
                    }
                }
                Err(message) => {
                    failure = Some(message);
                    break;
                }
            }
        }
        drop(stdin);
        let exit = wait_with_timeout(&mut child, Duration::from_secs(10));
        session.success = exit == Some(true);
        let stderr_text = stderr.join().unwrap_or_default();
        let _ = writeln!(
            log,
            "{}[exit: {} after {:.2?}]\n",
            indent_stderr(&stderr_text),
            exit.map_or("killed".to_owned(), |ok| if ok {
                "ok".into()
            } else {
                "FAILED".into()
            }),
            started.elapsed(),
        );
        self.note(&log);
        if let Some(failure) = failure {
            panic!("gpg {}: {failure}", command.join(" "));
        }
        session
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        // Stop gpg-agent and scdaemon of this home, so that the next test starts clean.
        let mut command = self.command("gpgconf");
        command.args(["--kill", "all"]);
        let _ = run_with_timeout(command, Duration::from_secs(10));
    }
}

/// One test's world: the reader lock, a fresh card and a fresh GnuPG home. On a failing test
/// (or with `E2E_VERBOSE` set) it prints the card's APDU log and every tool transcript.
pub struct Fixture {
    pub gpg: Gpg,
    pub card: Card,
    /// The card's button (confirms unless the test changes it).
    pub button: Button,
    _lock: MutexGuard<'static, ()>,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_button(Button::new(Presence::Confirmed))
    }

    /// A fixture whose card asks `button` for user presence.
    pub fn with_button(button: Button) -> Fixture {
        Fixture::with_config(button, Config::default())
    }

    /// A fixture whose card runs with `config` (and the serial number [`SERIAL`]).
    pub fn with_config(button: Button, config: Config) -> Fixture {
        Fixture::with_card(button, |button| Card::start_configured(button, config))
    }

    /// A fixture around the card `start` makes with `button` (called with the reader lock
    /// held, as every card start must be).
    pub fn with_card(button: Button, start: impl FnOnce(Button) -> Card) -> Fixture {
        let lock = READER_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let card = start(button.clone());
        Fixture {
            gpg: Gpg::new(),
            card,
            button,
            _lock: lock,
        }
    }

    /// Runs a program that is not gpg (e.g. OpenSC) and records it.
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        self.gpg.run(program, args)
    }

    /// Sends raw commands through scdaemon: `gpg-connect-agent "SCD SERIALNO" <commands>
    /// /bye` (e.g. `"SCD APDU 0020008306313233343536"`). Panics unless gpg-connect-agent
    /// succeeds; the card's answers are in its APDU log.
    pub fn scd(&self, commands: &[&str]) -> Output {
        let mut lines = vec!["SCD SERIALNO"];
        lines.extend_from_slice(commands);
        lines.push("/bye");
        let out = self.gpg.run("gpg-connect-agent", &lines);
        assert!(out.success, "gpg-connect-agent: {}", out.stderr);
        out
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if thread::panicking() || std::env::var_os("E2E_VERBOSE").is_some() {
            eprintln!(
                "==== tool transcripts ====\n{}\n==== APDU log of the card (ms, > command, < \
                 response) ====\n{}",
                self.gpg.transcript(),
                self.card.log.text()
            );
        }
    }
}

/// The lines of `gpg --card-status --with-colons`, by their first field.
#[derive(Debug)]
pub struct CardStatus {
    pub lines: Vec<String>,
}

impl CardStatus {
    pub fn parse(text: &str) -> CardStatus {
        CardStatus {
            lines: text.lines().map(str::to_owned).collect(),
        }
    }

    /// The whole line whose first field is `key` (e.g. `"pinretry"` gives
    /// `"pinretry:3:0:3:"`); fails the test if there is none.
    pub fn line(&self, key: &str) -> &str {
        let prefix = format!("{key}:");
        self.lines
            .iter()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {key:?} line in card status:\n{}", self.lines.join("\n")))
    }

    /// The fields after the key, with GnuPG's escapes decoded.
    pub fn fields(&self, key: &str) -> Vec<String> {
        self.line(key).split(':').skip(1).map(unescape).collect()
    }

    /// Every line with first field `key` (`keyattr` has three).
    pub fn all(&self, key: &str) -> Vec<&str> {
        let prefix = format!("{key}:");
        self.lines
            .iter()
            .filter(|l| l.starts_with(&prefix))
            .map(String::as_str)
            .collect()
    }
}

/// Decodes the `\xHH` escapes of GnuPG's colon format (`:` is `\x3a`).
pub fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 2..i + 4)
            .filter(|_| b == b'\\' && bytes.get(i + 1) == Some(&b'x'))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) => {
                out.push(v);
                i += 4;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn indent_stderr(text: &str) -> String {
    text.lines().map(|l| format!("  stderr| {l}\n")).collect()
}

fn spawn_reader(mut source: impl Read + Send + 'static) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = source.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn spawn_line_reader(source: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(source).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for the child; kills it after `timeout`. `Some(success)`, or `None` if killed.
fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Option<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status.success()),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

fn run_with_timeout(mut command: Command, timeout: Duration) -> Output {
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Output {
                stderr: format!("cannot start {:?}: {e}", command.get_program()),
                ..Output::default()
            }
        }
    };
    let stdout = spawn_reader(child.stdout.take().expect("stdout"));
    let stderr = spawn_reader(child.stderr.take().expect("stderr"));
    let exit = wait_with_timeout(&mut child, timeout);
    let mut output = Output {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        success: exit == Some(true),
    };
    if exit.is_none() {
        output
            .stderr
            .push_str(&format!("[killed after {timeout:?}]\n"));
    }
    output
}
