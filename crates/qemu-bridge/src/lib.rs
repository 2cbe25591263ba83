//! The applet as firmware on an emulated Cortex-M4, as a card pcscd sees.
//!
//! [`Firmware::start`] starts QEMU (`mps2-an386`, `-icount shift=0`, so that instruction
//! counts are exact) on the image of `examples/qemu-mps2-an386`, with
//! - the machine's PSRAM backed by a host file, the firmware's NOR flash: it survives QEMU, so
//!   [`Firmware::start`] on the same file after [`Firmware::kill`] (or a crash) is a power
//!   cycle of the device, and a kill in the middle of a command is a power cut;
//! - its UART on a Unix socket, where the two sides speak [`openpgp_card_applet_uart_link`]'s frames.
//!
//! [`Firmware`] is a [`openpgp_card_applet_virtual_card::VirtualCard`]: [`openpgp_card_applet_virtual_card::run_card`] shows it to pcscd through
//! vsmartcard's vpcd, exactly as the virtual card shows the applet running on the host. Each
//! command's cost on the device (instructions, stack, heap, keep-alives) is passed to
//! [`Options::on_command`].
//!
//! # The watchdog and the keep-alive
//! vpcd waits for a card's answer as long as it takes, as scdaemon does over PC/SC, so nothing
//! there gives up on a long command. The bridge does: a firmware that sends nothing for
//! [`Options::watchdog`] is taken for hung, QEMU is killed and the command fails. While a
//! command runs, the firmware sends a keep-alive every [`openpgp_card_applet_uart_link::KEEP_ALIVE_INSNS`]
//! instructions (from its SysTick interrupt, as a CCID firmware sends time extensions), so an
//! RSA key generation of minutes of emulated time stays alive.
//!
//! # Randomness
//! The firmware's DRBG is seeded at each start by [`Options::seed`], from the OS unless given.
//! This is an emulator, never a device: a device seeds from its own TRNG. The host's copies of
//! the seed (in [`Options`], on the way to the socket) are wiped once sent, or when dropped.
//!
//! # The run directory
//! The UART socket and QEMU's log live in a directory of their own under the temp directory:
//! a random name, created afresh with mode 0700 (never one that already exists), removed when
//! the [`Firmware`] is dropped.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::fmt;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use openpgp_card_applet::Presence;
pub use openpgp_card_applet_uart_link::Costs;
use openpgp_card_applet_uart_link::{Decoder, Start};
use zeroize::{Zeroize, Zeroizing};

/// The size of QEMU's machine RAM on the AN386 (the PSRAM), which the flash file backs.
pub const FLASH_FILE_LEN: u64 = 16 * 1024 * 1024;

/// What one command cost on the device, with what the bridge saw of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandCost {
    /// CLA INS P1 P2 of the command.
    pub header: [u8; 4],
    /// The status word of the answer.
    pub sw: u16,
    /// Instructions, stack and heap, measured on the device.
    pub costs: Costs,
    /// Keep-alives the device sent while the command ran.
    pub keep_alives: u32,
    /// User-presence requests during the command.
    pub presence_requests: u32,
    /// Host time from sending the command to its answer.
    pub wall: Duration,
}

impl fmt::Display for CommandCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [cla, ins, p1, p2] = self.header;
        write!(
            f,
            "{cla:02X} {ins:02X} {p1:02X}{p2:02X} -> {:04X}  insns {:>11}  stack {:>6} B  heap {:>6} B  \
             keep-alives {:>4}  {:>8.1} ms",
            self.sw,
            self.costs.insns,
            self.costs.stack,
            self.costs.heap,
            self.keep_alives,
            self.wall.as_secs_f64() * 1000.0
        )
    }
}

/// Receives each command's cost ([`Options::on_command`]).
pub type CostSink = Box<dyn FnMut(&CommandCost) + Send>;

/// Answers user-presence requests ([`Options::button`]); the argument is the applet's timeout
/// in milliseconds.
pub type ButtonFn = Box<dyn FnMut(u32) -> Presence + Send>;

/// How [`Firmware::start`] runs the firmware.
pub struct Options {
    /// The QEMU binary (default `qemu-system-arm`).
    pub qemu: PathBuf,
    /// The firmware ELF (`examples/qemu-mps2-an386`'s release build).
    pub firmware: PathBuf,
    /// The flash image: created erased (all FF) if missing; kept afterwards.
    pub flash: PathBuf,
    /// The card's serial number.
    pub serial: u32,
    /// A wrong PIN answers 63Cx instead of 6982.
    pub wrong_pin_remaining_tries: bool,
    /// The DRBG seed of this start; `None`: 32 bytes from the OS. Wiped when the options are
    /// dropped (or consumed by [`Firmware::start`]).
    pub seed: Option<[u8; 32]>,
    /// How long the firmware may stay silent before it is taken for hung (default 60 s).
    pub watchdog: Duration,
    /// Answers the firmware's user-presence requests (argument: the applet's timeout in ms).
    /// Default: always confirmed.
    pub button: ButtonFn,
    /// Called after every command with its cost.
    pub on_command: Option<CostSink>,
}

impl Options {
    /// Default options for `firmware` on the flash image `flash`.
    pub fn new(firmware: impl Into<PathBuf>, flash: impl Into<PathBuf>) -> Options {
        Options {
            qemu: PathBuf::from("qemu-system-arm"),
            firmware: firmware.into(),
            flash: flash.into(),
            serial: 1,
            wrong_pin_remaining_tries: false,
            seed: None,
            watchdog: Duration::from_secs(60),
            button: Box::new(|_| Presence::Confirmed),
            on_command: None,
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("qemu", &self.qemu)
            .field("firmware", &self.firmware)
            .field("flash", &self.flash)
            .field("serial", &self.serial)
            .field("wrong_pin_remaining_tries", &self.wrong_pin_remaining_tries)
            // By reference: `map` on the `Option` itself would copy the seed.
            .field("seed", &self.seed.as_ref().map(|_| "(given)"))
            .field("watchdog", &self.watchdog)
            .finish_non_exhaustive()
    }
}

/// A seed given but never used is wiped too.
impl Drop for Options {
    fn drop(&mut self) {
        self.seed.zeroize();
    }
}

/// The firmware running under QEMU.
pub struct Firmware {
    child: Child,
    stream: UnixStream,
    decoder: Decoder<Vec<u8>>,
    /// Bytes read from the socket and not yet decoded.
    pending: Vec<u8>,
    consumed: usize,
    dir: RunDir,
    watchdog: Duration,
    button: ButtonFn,
    on_command: Option<CostSink>,
    /// Whether the firmware stopped answering (QEMU is then killed).
    dead: bool,
}

impl fmt::Debug for Firmware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Firmware")
            .field("qemu pid", &self.child.id())
            .field("dir", &self.dir.0)
            .field("dead", &self.dead)
            .finish_non_exhaustive()
    }
}

fn error(message: impl Into<String>) -> io::Error {
    io::Error::other(message.into())
}

/// Creates `path` as an erased flash image unless it exists; checks its size.
fn prepare_flash(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() == FLASH_FILE_LEN => Ok(()),
        Ok(meta) => Err(error(format!(
            "flash image {}: {} bytes, expected {FLASH_FILE_LEN}",
            path.display(),
            meta.len()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // Written to a temporary name first: a half-made image is never taken for one. The
            // image holds the card's keys: readable by its owner only (0600), and never written
            // through a link or over a file someone else left at the temporary name.
            let partial = path.with_extension("partial");
            match std::fs::symlink_metadata(&partial) {
                Ok(meta) if meta.is_file() => std::fs::remove_file(&partial)?,
                Ok(_) => {
                    return Err(error(format!(
                        "{}: not a regular file, refused",
                        partial.display()
                    )))
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            let mut file = {
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&partial)?
            };
            let page = vec![0xFFu8; 1 << 20];
            for _ in 0..FLASH_FILE_LEN / (1 << 20) {
                file.write_all(&page)?;
            }
            file.sync_all()?;
            std::fs::rename(&partial, path)
        }
        Err(e) => Err(e),
    }
}

/// A directory of this process's own (for the socket and QEMU's log), removed with what is in
/// it when dropped: on every early return of [`Firmware::start`] and with the [`Firmware`].
#[derive(Debug)]
struct RunDir(PathBuf);

impl RunDir {
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How many random names [`run_dir`] tries: a clash is a 1 in 2^64 chance, so even two in a row
/// mean someone is taking the names.
const RUN_DIR_TRIES: usize = 8;

/// Creates `parent/name` as a directory only its owner can enter (0700, narrowed further by the
/// umask only), refusing an existing path: whatever someone else put there first (a directory,
/// a file, a symlink) is never used.
fn create_private_dir(parent: &Path, name: &str) -> io::Result<PathBuf> {
    let dir = parent.join(name);
    DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

/// A fresh private directory under the temp directory, its name from the OS RNG so that no one
/// can know it ahead (at worst they take a name, and another is drawn).
fn run_dir() -> io::Result<RunDir> {
    run_dir_in(&std::env::temp_dir(), random_name)
}

/// `qemu-bridge-` and 64 bits from the OS RNG.
fn random_name() -> io::Result<String> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| error(format!("OS RNG: {e}")))?;
    Ok(format!("qemu-bridge-{:016x}", u64::from_be_bytes(random)))
}

/// [`run_dir`] with the parent and the names given (for the tests): a name that is taken is
/// skipped, [`RUN_DIR_TRIES`] at most.
fn run_dir_in(parent: &Path, mut name: impl FnMut() -> io::Result<String>) -> io::Result<RunDir> {
    for _ in 0..RUN_DIR_TRIES {
        match create_private_dir(parent, &name()?) {
            Ok(dir) => return Ok(RunDir(dir)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "no new run directory in {} after {RUN_DIR_TRIES} random names: all taken",
            parent.display()
        ),
    ))
}

/// Creates the file `path`, refusing whatever is already there (a file, a symlink).
fn new_file(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

impl Firmware {
    /// Starts QEMU on the firmware and the flash image, waits for the firmware's hello, and
    /// starts the card (seed, serial, flash mount, power on).
    ///
    /// # Errors
    /// QEMU does not start, the firmware does not greet within 20 s, or it reports an error.
    pub fn start(mut options: Options) -> io::Result<Firmware> {
        // `options` is borrowed, not taken apart, so that its seed is wiped on every return.
        let firmware = &options.firmware;
        let qemu = &options.qemu;
        let flash = &options.flash;
        if !firmware.is_file() {
            return Err(error(format!(
                "no firmware at {} (build it: examples/qemu-mps2-an386/ci.sh)",
                firmware.display()
            )));
        }
        prepare_flash(flash)?;
        let dir = run_dir()?;
        let socket = dir.join("uart.sock");
        let listener = UnixListener::bind(&socket)?;
        listener.set_nonblocking(true)?;
        let log = new_file(&dir.join("qemu.log"))?;
        let mut child = Command::new(qemu)
            .args([
                "-machine",
                "mps2-an386,memory-backend=flash",
                "-cpu",
                "cortex-m4",
            ])
            .args(["-m", "16M", "-object"])
            .arg(format!(
                "memory-backend-file,id=flash,size=16M,mem-path={},share=on",
                flash.display()
            ))
            .args([
                "-display",
                "none",
                "-monitor",
                "none",
                "-serial",
                "chardev:uart",
            ])
            .arg("-chardev")
            .arg(format!("socket,id=uart,path={}", socket.display()))
            .args(["-icount", "shift=0", "-kernel"])
            .arg(firmware)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| error(format!("{}: {e}", qemu.display())))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(e);
                }
            }
            // `dir` is removed on these returns by its own drop.
            if let Some(status) = child.try_wait()? {
                let log = std::fs::read_to_string(dir.join("qemu.log")).unwrap_or_default();
                return Err(error(format!("QEMU exited ({status}): {log}")));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(error("QEMU did not connect its UART within 20 s"));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut firmware = Firmware {
            child,
            stream,
            decoder: Decoder::new(vec![0u8; usize::from(u16::MAX)]),
            pending: Vec::new(),
            consumed: 0,
            dir,
            watchdog: Duration::from_secs(20),
            button: std::mem::replace(&mut options.button, Box::new(|_| Presence::Confirmed)),
            on_command: options.on_command.take(),
            dead: false,
        };
        // From here on an early return drops `firmware`, which kills QEMU.
        firmware.stream.set_nonblocking(false)?;
        let (kind, hello) = firmware.frame()?;
        if kind != openpgp_card_applet_uart_link::HELLO
            || hello.first() != Some(&openpgp_card_applet_uart_link::VERSION)
        {
            return firmware.fail(format!(
                "expected HELLO version 1, got {kind:02X} {hello:02X?}"
            ));
        }
        firmware.watchdog = options.watchdog;
        // Each copy of the seed is wiped in place once it has served (a move would leave the
        // old bytes behind); on an early return `options`, `seed` and `encoded` wipe theirs
        // when dropped. `Start` has no `Drop`: its copy is wiped by hand, the frame in `send`.
        let mut seed = Zeroizing::new([0u8; 32]);
        match &options.seed {
            Some(given) => seed.copy_from_slice(given),
            None => getrandom::fill(&mut *seed).map_err(|e| error(format!("OS RNG: {e}")))?,
        }
        options.seed.zeroize();
        let mut start = Start {
            seed: *seed,
            serial: options.serial,
            flags: if options.wrong_pin_remaining_tries {
                Start::WRONG_PIN_REMAINING_TRIES
            } else {
                0
            },
        };
        let mut encoded = Zeroizing::new(start.encode());
        start.seed.zeroize();
        seed.zeroize();
        let sent = firmware.send(openpgp_card_applet_uart_link::START, &*encoded);
        encoded.zeroize();
        sent?;
        firmware.expect_powered()?;
        Ok(firmware)
    }

    /// Power-cycles the card (what a reader's power off/on or reset is): every volatile state
    /// is forgotten. Returns the historical bytes.
    ///
    /// # Errors
    /// The firmware is gone or answers otherwise.
    pub fn power_on(&mut self, contactless: bool) -> io::Result<Vec<u8>> {
        let transport = if contactless {
            openpgp_card_applet_uart_link::transport::CONTACTLESS
        } else {
            openpgp_card_applet_uart_link::transport::CONTACT
        };
        self.send(openpgp_card_applet_uart_link::POWER_ON, &[transport])?;
        self.expect_powered()
    }

    /// Sends one command APDU and returns the response APDU with the command's cost (also
    /// given to [`Options::on_command`]).
    ///
    /// # Errors
    /// The firmware is gone, hung (silent for the watchdog's time) or reports an error.
    pub fn transmit(&mut self, command: &[u8]) -> io::Result<(Vec<u8>, CommandCost)> {
        let header = match command {
            [cla, ins, p1, p2, ..] => [*cla, *ins, *p1, *p2],
            _ => [0; 4],
        };
        let started = Instant::now();
        self.send(openpgp_card_applet_uart_link::COMMAND, command)?;
        let mut keep_alives = 0;
        let mut presence_requests = 0;
        loop {
            let (kind, payload) = self.frame()?;
            match kind {
                openpgp_card_applet_uart_link::KEEP_ALIVE => keep_alives += 1,
                openpgp_card_applet_uart_link::PRESENCE => {
                    presence_requests += 1;
                    let timeout = payload
                        .get(..4)
                        .and_then(|b| b.try_into().ok())
                        .map_or(0, u32::from_be_bytes);
                    let answer = match (self.button)(timeout) {
                        Presence::Confirmed => openpgp_card_applet_uart_link::button::CONFIRMED,
                        Presence::Denied => openpgp_card_applet_uart_link::button::DENIED,
                        Presence::TimedOut => openpgp_card_applet_uart_link::button::TIMED_OUT,
                    };
                    self.send(openpgp_card_applet_uart_link::BUTTON, &[answer])?;
                }
                openpgp_card_applet_uart_link::RESPONSE => {
                    let Some((costs, apdu)) = Costs::split(&payload) else {
                        return self.fail("a RESPONSE shorter than its costs");
                    };
                    let sw = match apdu {
                        [.., sw1, sw2] => u16::from_be_bytes([*sw1, *sw2]),
                        _ => 0,
                    };
                    let cost = CommandCost {
                        header,
                        sw,
                        costs,
                        keep_alives,
                        presence_requests,
                        wall: started.elapsed(),
                    };
                    let apdu = apdu.to_vec();
                    let mut payload = payload;
                    payload.zeroize();
                    if let Some(on_command) = self.on_command.as_mut() {
                        on_command(&cost);
                    }
                    return Ok((apdu, cost));
                }
                other => {
                    return self.fail(format!("unexpected frame {other:02X} during a command"))
                }
            }
        }
    }

    /// Cuts the power: kills QEMU at once (whatever it was doing). The flash image keeps what
    /// was written before; [`Firmware::start`] on it again is the next power-on.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.dead = true;
    }

    /// QEMU's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn expect_powered(&mut self) -> io::Result<Vec<u8>> {
        let (kind, payload) = self.frame()?;
        if kind != openpgp_card_applet_uart_link::POWERED {
            return self.fail(format!("expected POWERED, got {kind:02X}"));
        }
        Ok(payload)
    }

    fn send(&mut self, kind: u8, payload: &[u8]) -> io::Result<()> {
        if self.dead {
            return Err(error("the firmware is not running"));
        }
        let len =
            u16::try_from(payload.len()).map_err(|_| error("a frame payload over 65535 bytes"))?;
        let mut frame =
            Vec::with_capacity(openpgp_card_applet_uart_link::HEADER_LEN + payload.len());
        frame.extend_from_slice(&openpgp_card_applet_uart_link::header(kind, len));
        frame.extend_from_slice(payload);
        let sent = self.stream.write_all(&frame);
        frame.zeroize();
        match sent {
            Ok(()) => Ok(()),
            Err(e) => self.fail(format!("UART write: {e}")),
        }
    }

    /// The next frame; an ERROR frame, a closed socket or the watchdog fail it.
    fn frame(&mut self) -> io::Result<(u8, Vec<u8>)> {
        if self.dead {
            return Err(error("the firmware is not running"));
        }
        loop {
            while let Some(&byte) = self.pending.get(self.consumed) {
                self.consumed += 1;
                match self.decoder.push(byte) {
                    Ok(Some((kind, len))) => {
                        let payload = self.decoder.payload(len).to_vec();
                        self.decoder
                            .buffer_mut()
                            .get_mut(..len)
                            .unwrap_or_default()
                            .zeroize();
                        if kind == openpgp_card_applet_uart_link::ERROR {
                            let text = String::from_utf8_lossy(&payload).into_owned();
                            return self.fail(format!("the firmware reports: {text}"));
                        }
                        return Ok((kind, payload));
                    }
                    Ok(None) => {}
                    Err(e) => return self.fail(format!("UART framing: {e:?}")),
                }
            }
            self.pending.zeroize();
            self.pending.clear();
            self.consumed = 0;
            let mut buffer = [0u8; 4096];
            self.stream.set_read_timeout(Some(self.watchdog))?;
            match self.stream.read(&mut buffer) {
                Ok(0) => return self.fail("QEMU closed the UART (it exited)"),
                Ok(n) => self
                    .pending
                    .extend_from_slice(buffer.get(..n).unwrap_or_default()),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    let seconds = self.watchdog.as_secs_f64();
                    return self.fail(format!(
                        "the firmware was silent for {seconds:.1} s (no answer, no keep-alive): hung"
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.fail(format!("UART read: {e}")),
            }
            buffer.zeroize();
        }
    }

    /// Kills QEMU and fails with `message` and the end of QEMU's log.
    fn fail<T>(&mut self, message: impl Into<String>) -> io::Result<T> {
        self.kill();
        let log = std::fs::read_to_string(self.dir.join("qemu.log")).unwrap_or_default();
        let log = log.trim();
        let message = message.into();
        Err(error(if log.is_empty() {
            message
        } else {
            format!("{message} (QEMU: {log})")
        }))
    }
}

impl openpgp_card_applet_virtual_card::VirtualCard for Firmware {
    fn power_on(&mut self) -> io::Result<Vec<u8>> {
        Firmware::power_on(self, false)
    }

    fn transmit(&mut self, command: &[u8], response: &mut Vec<u8>) -> io::Result<()> {
        let (apdu, _) = Firmware::transmit(self, command)?;
        response.clear();
        response.extend_from_slice(&apdu);
        Ok(())
    }
}

impl Drop for Firmware {
    /// QEMU is killed first; the run directory goes after, with the `dir` field.
    fn drop(&mut self) {
        self.kill();
    }
}

/// Appends `line` to `path` (for a cost log); errors are ignored.
pub fn append_line(path: &Path, line: &str) {
    if let Ok(mut file) = OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(file, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// `name` in a run directory of its own, removed when the returned guard is dropped.
    fn scratch(name: &str) -> (RunDir, PathBuf) {
        let dir = run_dir().unwrap();
        let path = dir.join(name);
        (dir, path)
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_run_directory_is_new_private_and_removed_with_its_guard() {
        let first = run_dir().unwrap();
        let second = run_dir().unwrap();
        assert_ne!(first.0, second.0);
        for dir in [&first, &second] {
            let meta = std::fs::symlink_metadata(&dir.0).unwrap();
            assert!(meta.is_dir(), "{}", dir.0.display());
            assert_eq!(mode(&dir.0), 0o700, "{}", dir.0.display());
            assert_eq!(dir.0.parent(), Some(std::env::temp_dir().as_path()));
        }
        std::fs::write(first.join("qemu.log"), b"log").unwrap();
        let path = first.0.clone();
        drop(first);
        assert!(!path.exists(), "removed with what was in it");
        assert!(second.0.is_dir(), "the other one stays");
    }

    #[test]
    fn an_existing_path_is_never_taken_for_the_private_directory() {
        let (_parent, parent) = scratch("parent");
        std::fs::create_dir(&parent).unwrap();
        // Someone else's directory, open to all.
        let taken = parent.join("taken");
        std::fs::create_dir(&taken).unwrap();
        std::fs::set_permissions(&taken, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = create_private_dir(&parent, "taken").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(mode(&taken), 0o777, "left as it was");
        // A symlink to a directory (which `create_dir_all` accepts), a dangling one, a file.
        let elsewhere = parent.join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, parent.join("planted")).unwrap();
        std::os::unix::fs::symlink(parent.join("nowhere"), parent.join("dangling")).unwrap();
        std::fs::write(parent.join("file"), b"").unwrap();
        for name in ["planted", "dangling", "file"] {
            let e = create_private_dir(&parent, name).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{name}");
        }
        assert!(!parent.join("nowhere").exists());
        // A fresh name is created.
        let dir = create_private_dir(&parent, "fresh").unwrap();
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn a_taken_name_is_retried_a_bounded_number_of_times() {
        let (_parent, parent) = scratch("parent");
        std::fs::create_dir(&parent).unwrap();
        std::fs::create_dir(parent.join("taken")).unwrap();
        let mut names = ["taken", "taken", "fresh"].into_iter();
        let dir = run_dir_in(&parent, || Ok(names.next().unwrap().to_string())).unwrap();
        assert_eq!(dir.0, parent.join("fresh"));
        let mut calls = 0;
        let e = run_dir_in(&parent, || {
            calls += 1;
            Ok("taken".to_string())
        })
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(calls, RUN_DIR_TRIES);
        let e = run_dir_in(&parent, || Err(error("no RNG"))).unwrap_err();
        assert_eq!(e.to_string(), "no RNG");
    }

    #[test]
    fn a_new_flash_image_is_private_and_never_written_through_a_link() {
        let (_dir, image) = scratch("flash.img");
        prepare_flash(&image).unwrap();
        assert_eq!(mode(&image), 0o600);
        assert_eq!(std::fs::metadata(&image).unwrap().len(), FLASH_FILE_LEN);
        // A link planted at the temporary name is refused, its target untouched.
        let (_other, image) = scratch("flash.img");
        let target = image.with_file_name("target");
        std::fs::write(&target, b"keep").unwrap();
        std::os::unix::fs::symlink(&target, image.with_extension("partial")).unwrap();
        assert!(prepare_flash(&image).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(!image.exists());
    }

    #[test]
    fn a_new_file_never_opens_what_is_already_there() {
        let (_dir, dir) = scratch("dir");
        std::fs::create_dir(&dir).unwrap();
        let target = dir.join("target");
        std::fs::write(&target, b"keep").unwrap();
        std::os::unix::fs::symlink(&target, dir.join("qemu.log")).unwrap();
        let e = new_file(&dir.join("qemu.log")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        let e = new_file(&target).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        new_file(&dir.join("new.log")).unwrap();
    }

    #[test]
    fn the_seed_is_never_printed() {
        let mut options = Options::new("firmware.elf", "flash.img");
        options.seed = Some([0xA5; 32]);
        let text = format!("{options:?}");
        assert!(text.contains("(given)"), "{text}");
        assert!(
            !text.contains("165") && !text.to_lowercase().contains("a5"),
            "{text}"
        );
    }

    #[test]
    fn a_new_flash_image_is_erased_and_a_wrong_sized_one_refused() {
        let (_dir, path) = scratch("flash.img");
        prepare_flash(&path).unwrap();
        let image = std::fs::read(&path).unwrap();
        assert_eq!(image.len() as u64, FLASH_FILE_LEN);
        assert!(image.iter().all(|&b| b == 0xFF));
        // An existing image is kept as it is.
        std::fs::write(&path, vec![0u8; FLASH_FILE_LEN as usize]).unwrap();
        prepare_flash(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap()[0], 0);
        std::fs::write(&path, b"short").unwrap();
        let error = prepare_flash(&path).unwrap_err().to_string();
        assert!(error.contains("5 bytes"), "{error}");
    }

    #[test]
    fn a_missing_firmware_is_named_before_qemu_starts() {
        let (_dir, flash) = scratch("flash.img");
        let options = Options::new("/nonexistent/firmware.elf", &flash);
        let error = Firmware::start(options).unwrap_err().to_string();
        assert!(error.contains("/nonexistent/firmware.elf"), "{error}");
        assert!(
            !flash.exists(),
            "no flash image is made for a firmware that is not there"
        );
    }

    #[test]
    fn a_cost_line_names_the_command_and_its_costs() {
        let cost = CommandCost {
            header: [0x00, 0x2A, 0x9E, 0x9A],
            sw: 0x9000,
            costs: Costs {
                insns: 99_600_000,
                stack: 11_136,
                heap: 8_000,
            },
            keep_alives: 2,
            presence_requests: 0,
            wall: Duration::from_millis(250),
        };
        let line = cost.to_string();
        for part in [
            "00 2A 9E9A -> 9000",
            "99600000",
            "11136 B",
            "8000 B",
            "keep-alives    2",
        ] {
            assert!(line.contains(part), "{part:?} in {line:?}");
        }
    }
}
