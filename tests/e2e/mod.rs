//! Fixtures for the end-to-end tests: a fresh virtual card on vpcd, a throw-away GnuPG home,
//! a scripted `gpg --card-edit` driver and a parser for `--card-status --with-colons`.
//!
//! Needs a running pcscd with vsmartcard's vpcd driver, GnuPG (scdaemon) and OpenSC; see
//! `tests/e2e/ci.sh`. The tests share vpcd's port: they take a global lock, and should run with
//! `--test-threads=1` anyway. `E2E_VPCD_PORT` selects the reader (35963, the default, is
//! "Virtual PCD 00 00"; 35964 is "Virtual PCD 00 01"), e.g. to keep a card started by
//! `examples/virtual-card/start.sh` running on the other one.

#![allow(dead_code)] // each test binary uses a different subset

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use openpgp_card_applet::backends::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
use openpgp_card_applet::{vpicc, Applet, Config, Platform, Presence};

/// How long one gpg prompt or one tool run may take before the test gives up.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// The serial number of every test card (shows in the AID and `serial:`).
pub const SERIAL: u32 = 0x1234_5678;

/// vpcd's port for these tests.
pub fn port() -> u16 {
    std::env::var("E2E_VPCD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(vpicc::DEFAULT_PORT)
}

/// The PC/SC reader name vpcd gives the port, and its index in the reader list.
pub fn reader() -> (String, u16) {
    let index = port().saturating_sub(vpicc::DEFAULT_PORT);
    (format!("Virtual PCD 00 {index:02}"), index)
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

/// A fresh card (factory state in memory) served on vpcd by a thread.
pub struct Card {
    handle: vpicc::Handle,
    thread: Option<JoinHandle<io::Result<()>>>,
    pub log: SharedLog,
}

impl Card {
    /// Starts the card and waits until pcscd has detected and powered it.
    pub fn start() -> Card {
        let log = SharedLog::default();
        let options = vpicc::Options::default().port(port()).apdu_log(log.clone());
        let handle = options.handle();
        let thread = thread::spawn(move || {
            let config = Config {
                serial: SERIAL,
                ..Config::default()
            };
            let platform = Platform {
                storage: MemoryStorage::new(),
                rng: TestRng::seed_from_u64(0xE2E),
                clock: ManualClock::new(),
                user_presence: ScriptedButton::always(Presence::Confirmed),
            };
            vpicc::run(&mut Applet::new(config, platform), options)
        });
        let card = Card {
            handle,
            thread: Some(thread),
            log,
        };
        if !card.handle.wait_powered(Duration::from_secs(20)) {
            panic!(
                "pcscd did not power the virtual card on port {} within 20 s: is pcscd running \
                 with vsmartcard-vpcd, and is no other card using that port?\nAPDU log:\n{}",
                port(),
                card.log.text()
            );
        }
        card
    }

    fn stop(&mut self) {
        self.handle.stop();
        if let Some(thread) = self.thread.take() {
            match thread.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("card thread: {e}"),
                Err(_) => eprintln!("card thread panicked"),
            }
        }
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
pub struct Gpg {
    home: TempDir,
    /// Everything every gpg run printed, for the failure report.
    transcript: Mutex<String>,
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
        std::fs::write(
            home.path().join("gpg-agent.conf"),
            "allow-loopback-pinentry\n",
        )
        .expect("write gpg-agent.conf");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700));
        }
        Gpg {
            home,
            transcript: Mutex::new(String::new()),
        }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn transcript(&self) -> String {
        self.transcript
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn note(&self, text: &str) {
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
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs a program with this GNUPGHOME to completion (with a timeout) and records it.
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        let mut command = self.command(program);
        command.args(args);
        let output = run_with_timeout(command, STEP_TIMEOUT);
        let _ = writeln!(
            self.transcript.lock().unwrap_or_else(|e| e.into_inner()),
            "$ {program} {}\n{}{}[exit: {}]\n",
            args.join(" "),
            output.stdout,
            indent_stderr(&output.stderr),
            if output.success { "ok" } else { "FAILED" },
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

        let mut status = Vec::new();
        let mut log = format!("$ gpg {}\n", args.join(" "));
        let mut steps = script.iter();
        let mut failure = None;
        let deadline_per_line = STEP_TIMEOUT;
        loop {
            let line = match lines.recv_timeout(deadline_per_line) {
                Ok(line) => line,
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    failure = Some(format!("gpg printed nothing for {deadline_per_line:?}"));
                    break;
                }
            };
            let _ = writeln!(log, "{line}");
            let Some(rest) = line.strip_prefix("[GNUPG:] ") else {
                continue;
            };
            status.push(rest.to_owned());
            let mut words = rest.split_whitespace();
            let (Some(kind), Some(keyword)) = (words.next(), words.next()) else {
                continue;
            };
            if !matches!(kind, "GET_LINE" | "GET_HIDDEN" | "GET_BOOL") {
                continue;
            }
            // Skip optional steps that gpg did not ask for.
            let step = loop {
                match steps.next() {
                    Some((expected, _))
                        if expected.strip_prefix('?').is_some_and(|k| k != keyword) =>
                    {
                        let _ = writeln!(log, "  (not asked: {expected})");
                    }
                    other => break other,
                }
            };
            match step {
                Some((expected, answer)) if expected.trim_start_matches('?') == keyword => {
                    let shown = if kind == "GET_HIDDEN" { "***" } else { answer };
                    let _ = writeln!(log, "  <- {shown}");
                    if writeln!(stdin, "{answer}")
                        .and_then(|()| stdin.flush())
                        .is_err()
                    {
                        failure = Some("gpg closed its input".to_owned());
                        break;
                    }
                }
                Some((expected, _)) => {
                    failure = Some(format!(
                        "gpg asked {keyword:?}, the script expected {expected:?}"
                    ));
                    break;
                }
                None => {
                    failure = Some(format!("gpg asked {keyword:?} after the end of the script"));
                    break;
                }
            }
        }
        drop(stdin);
        let exit = wait_with_timeout(&mut child, Duration::from_secs(10));
        let stderr_text = stderr.join().unwrap_or_default();
        let _ = writeln!(
            log,
            "{}[exit: {}]\n",
            indent_stderr(&stderr_text),
            exit.map_or("killed".to_owned(), |ok| if ok {
                "ok".into()
            } else {
                "FAILED".into()
            })
        );
        self.note(&log);
        if let Some(failure) = failure {
            panic!("gpg {}: {failure}", command.join(" "));
        }
        if let Some(step) = steps.find(|(expected, _)| !expected.starts_with('?')) {
            panic!(
                "gpg {} ended before the script step {step:?}",
                command.join(" ")
            );
        }
        status
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
    _lock: MutexGuard<'static, ()>,
}

impl Fixture {
    pub fn new() -> Fixture {
        let lock = READER_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let card = Card::start();
        Fixture {
            gpg: Gpg::new(),
            card,
            _lock: lock,
        }
    }

    /// Runs a program that is not gpg (e.g. OpenSC) and records it.
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        self.gpg.run(program, args)
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
