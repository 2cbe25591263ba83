//! The applet as a virtual smart card on PC/SC, through vsmartcard's `vpcd` reader driver.
//!
//! `vpcd` is a pcscd reader driver that listens on TCP (port 35963 for the reader
//! "Virtual PCD 00 00", 35964 for "Virtual PCD 00 01"). A virtual card connects to it and
//! speaks the *vpicc* protocol: every message in either direction is a 2-byte big-endian length
//! followed by that many bytes. From the reader, a 1-byte message is a control message
//! (0 power off, 1 power on, 2 reset, 4 get ATR); anything longer is a command APDU. The card
//! answers a command APDU with the response APDU and "get ATR" with the ATR, each length
//! prefixed; the other control messages get no answer.
//!
//! The answer to reset carries the applet's own historical bytes (DO 5F52, read at every
//! power-on), so a terminated card says LCS 03 in its ATR as in the DO.
//!
//! [`run`] connects, feeds every command APDU to [`Applet::process`], and treats power off,
//! power on and reset as a power cycle ([`Applet::power_on`] with [`Transport::Contact`]): every
//! volatile state (verified PINs, chains, pending responses) is forgotten, as on a real card.
//! Clients such as GnuPG, OpenSC and `oct` then see an ordinary OpenPGP card in a PC/SC reader.
//!
//! # No transport delay
//! `vpcd` writes a command in two TCP segments (the length, then the APDU) without
//! `TCP_NODELAY`. With Linux's delayed ACK, the second segment then waits about 40 ms for the
//! ACK of the first, on every APDU. This module sets `TCP_NODELAY` on its socket and, on Linux,
//! `TCP_QUICKACK` before every read, so that one APDU round trip through pcscd costs a fraction
//! of a millisecond. ([`Options::quickack`] can turn the latter off, to measure the difference.)
//!
//! # Example
//! ```no_run
//! use openpgp_card_applet::{Applet, Config, Platform, Presence};
//! use openpgp_card_applet_testkit::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
//!
//! let platform = Platform {
//!     storage: MemoryStorage::new(),
//!     rng: TestRng::seed_from_u64(1), // a real virtual card uses the OS RNG
//!     clock: ManualClock::new(),
//!     user_presence: ScriptedButton::always(Presence::Confirmed),
//! };
//! let mut applet = Applet::new(Config::default(), platform);
//! let options = openpgp_card_applet_virtual_card::Options::default().port(35963);
//! let handle = options.handle();
//! let card = std::thread::spawn(move || openpgp_card_applet_virtual_card::run(&mut applet, options));
//! // ... use the card through PC/SC ...
//! handle.stop();
//! card.join().unwrap().unwrap();
//! ```
//!
//! # APDU log
//! [`Options::apdu_log`] writes one line per event: `> HEX` for a command APDU, `< HEX` for its
//! response, `# text` for connections and power events, each after the milliseconds since
//! [`run`] started. The log contains everything sent to the card, **PINs included**: it is a
//! debugging aid for test cards.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand_core::CryptoRng;
use zeroize::Zeroize;

use openpgp_card_applet::{Applet, Clock, Storage, Transport, UserPresence};

pub mod cli;

/// The port of vpcd's first reader ("Virtual PCD 00 00"); the second listens on the next one.
pub const DEFAULT_PORT: u16 = 35963;

/// Builds the answer to reset (ISO 7816-3 §8.2) around up to 15 historical bytes:
/// `3B Dk 18 FF 81 B1 FE 75 1F 03 <historical bytes> TCK`, where k is their count and TCK makes
/// the XOR of every byte after TS zero. The interface bytes announce Fi/Di 1/8 (TA1), extra
/// guard time FF (TC1), T=1 with IFSC 254 and BWI/CWI 7/5 (TD1, TD2, TA3, TB3), and T=15 with
/// clock stop and class A/B (TD3, TA4): what common USB tokens announce. Historical bytes past
/// the fifteenth are left out.
pub fn atr(historical: &[u8]) -> Vec<u8> {
    const INTERFACE: [u8; 8] = [0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x75, 0x1F, 0x03];
    let historical = historical.get(..15).unwrap_or(historical);
    let mut out = vec![0x3B, 0xD0 | historical.len() as u8];
    out.extend_from_slice(&INTERFACE);
    out.extend_from_slice(historical);
    let tck = out.iter().skip(1).fold(0u8, |acc, b| acc ^ b);
    out.push(tck);
    out
}

/// vpicc control messages (one-byte payloads from vpcd).
mod control {
    pub const POWER_OFF: u8 = 0;
    pub const POWER_ON: u8 = 1;
    pub const RESET: u8 = 2;
    pub const GET_ATR: u8 = 4;
}

/// How [`run`] connects and behaves.
pub struct Options {
    /// Where vpcd listens. Default `127.0.0.1:35963`.
    pub addr: SocketAddr,
    /// The ATR to answer. Default `None`: built with [`atr`] from the applet's own
    /// [`Applet::historical_bytes`] (DO 5F52) at every power-on
    /// and reset.
    pub atr: Option<Vec<u8>>,
    /// Set `TCP_NODELAY` (default `true`).
    pub nodelay: bool,
    /// Set `TCP_QUICKACK` before every read, on Linux (default `true`). Turning it off brings
    /// back the ~40 ms delayed-ACK stall per APDU; only useful to measure it.
    pub quickack: bool,
    /// Keep (re)connecting while vpcd is not there or goes away, until stopped (default `true`).
    /// Without it, [`run`] fails if it cannot connect and returns when vpcd disconnects.
    pub reconnect: bool,
    /// Wait between connection attempts (default 500 ms).
    pub retry_interval: Duration,
    /// Where to write the APDU log (see the [module docs](self)); default none.
    pub apdu_log: Option<Box<dyn Write + Send>>,
    handle: Handle,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            atr: None,
            nodelay: true,
            quickack: true,
            reconnect: true,
            retry_interval: Duration::from_millis(500),
            apdu_log: None,
            handle: Handle::new(),
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("addr", &self.addr)
            .field("atr", &self.atr.as_deref().map(hex))
            .field("nodelay", &self.nodelay)
            .field("quickack", &self.quickack)
            .field("reconnect", &self.reconnect)
            .field("retry_interval", &self.retry_interval)
            .field("apdu_log", &self.apdu_log.is_some())
            .finish_non_exhaustive()
    }
}

impl Options {
    /// Connects to vpcd on `127.0.0.1:port`.
    pub fn port(mut self, port: u16) -> Options {
        self.addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        self
    }

    /// Sets [`quickack`](Options::quickack).
    pub fn quickack(mut self, on: bool) -> Options {
        self.quickack = on;
        self
    }

    /// Sets [`reconnect`](Options::reconnect).
    pub fn reconnect(mut self, on: bool) -> Options {
        self.reconnect = on;
        self
    }

    /// Writes the APDU log to `log`.
    pub fn apdu_log(mut self, log: impl Write + Send + 'static) -> Options {
        self.apdu_log = Some(Box::new(log));
        self
    }

    /// A handle on the [`run`] that will use these options: to stop it, or wait until the
    /// reader has powered the card.
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }
}

/// Controls and observes a running [`run`] from another thread. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Handle {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    stopped: bool,
    /// A clone of the connected socket, to shut it down from [`Handle::stop`].
    socket: Option<TcpStream>,
    /// Power-ons received on the current connection.
    power_ons: u64,
    /// Command APDUs processed, in total.
    apdus: u64,
}

impl Handle {
    /// A handle not yet stopped.
    pub fn new() -> Handle {
        Handle::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain flags behind: keep going.
        self.shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.state());
        self.shared.changed.notify_all();
    }

    /// Makes [`run`] return `Ok(())` as soon as possible: the connection to vpcd is closed
    /// (the reader then sees the card removed) and no new one is made.
    pub fn stop(&self) {
        self.update(|state| {
            state.stopped = true;
            if let Some(socket) = state.socket.take() {
                // Unblocks the read in `run`; the socket may already be closed.
                let _ = socket.shutdown(Shutdown::Both);
            }
        });
    }

    /// Whether [`stop`](Handle::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.state().stopped
    }

    /// Whether the card is connected to vpcd right now.
    pub fn is_connected(&self) -> bool {
        self.state().socket.is_some()
    }

    /// How many command APDUs were processed so far.
    pub fn apdu_count(&self) -> u64 {
        self.state().apdus
    }

    /// Waits until the reader has powered the card on over the current connection (pcscd does
    /// so when it detects the inserted card), or `timeout` passes. Returns whether it did.
    pub fn wait_powered(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        loop {
            if state.power_ons > 0 && state.socket.is_some() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline || state.stopped {
                return false;
            }
            state = match self.shared.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Sleeps up to `duration`; returns early (with `true`) when stopped.
    fn sleep_unless_stopped(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut state = self.state();
        loop {
            let now = Instant::now();
            if state.stopped || now >= deadline {
                return state.stopped;
            }
            state = match self.shared.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

/// The APDU log: optional writer and the time origin. Write errors are ignored: a full disk
/// must not take the card down.
struct Log {
    out: Option<Box<dyn Write + Send>>,
    start: Instant,
}

impl Log {
    fn line(&mut self, marker: char, text: &str) {
        if let Some(out) = self.out.as_mut() {
            let ms = self.start.elapsed().as_secs_f64() * 1000.0;
            let _ = writeln!(out, "{ms:10.3} {marker} {text}");
            let _ = out.flush();
        }
    }

    fn enabled(&self) -> bool {
        self.out.is_some()
    }
}

/// What [`run_card`] serves on vpcd: the applet itself ([`run`]), or anything that answers as
/// a card does (the firmware under QEMU, through `crates/qemu-bridge`).
pub trait VirtualCard {
    /// A power cycle (insertion, reader power on or off, reset): every volatile state is
    /// forgotten. Returns the historical bytes of the new power cycle (for the ATR).
    ///
    /// # Errors
    /// The card is gone (the connection to vpcd is then closed).
    fn power_on(&mut self) -> io::Result<Vec<u8>>;

    /// Answers one command APDU: `response` is cleared and gets the response APDU.
    ///
    /// # Errors
    /// The card is gone (the connection to vpcd is then closed).
    fn transmit(&mut self, command: &[u8], response: &mut Vec<u8>) -> io::Result<()>;
}

/// The applet as a [`VirtualCard`], with [`Transport::Contact`].
struct AppletCard<'a, S, R, C, U> {
    applet: &'a mut Applet<S, R, C, U>,
    buffer: Vec<u8>,
}

impl<S, R, C, U> VirtualCard for AppletCard<'_, S, R, C, U>
where
    S: Storage,
    R: CryptoRng,
    C: Clock,
    U: UserPresence,
{
    fn power_on(&mut self) -> io::Result<Vec<u8>> {
        self.applet.power_on(Transport::Contact);
        Ok(self.applet.historical_bytes().to_vec())
    }

    fn transmit(&mut self, command: &[u8], response: &mut Vec<u8>) -> io::Result<()> {
        let n = self.applet.process(command, &mut self.buffer);
        response.clear();
        response.extend_from_slice(self.buffer.get(..n).unwrap_or_default());
        self.buffer.get_mut(..n).unwrap_or_default().zeroize();
        Ok(())
    }
}

/// Runs the applet as a virtual card until [`Handle::stop`] (see [`Options::handle`]) is called,
/// or, without [`Options::reconnect`], until vpcd disconnects.
///
/// Every new connection and every power on, power off and reset from the reader calls
/// [`Applet::power_on`] with [`Transport::Contact`].
///
/// # Errors
/// Socket errors, only when [`Options::reconnect`] is off (otherwise they are retried). Errors
/// while stopping are not reported.
pub fn run<S, R, C, U>(applet: &mut Applet<S, R, C, U>, options: Options) -> io::Result<()>
where
    S: Storage,
    R: CryptoRng,
    C: Clock,
    U: UserPresence,
{
    let buffer = vec![0u8; usize::from(applet.config().max_response_len) + 2];
    run_card(&mut AppletCard { applet, buffer }, options)
}

/// Runs any [`VirtualCard`] on vpcd, as [`run`] runs the applet. An error of the card ends the
/// connection; with [`Options::reconnect`] a new one is made (and powers the card on again).
///
/// # Errors
/// As [`run`].
pub fn run_card(card: &mut impl VirtualCard, options: Options) -> io::Result<()> {
    let Options {
        addr,
        atr,
        nodelay,
        quickack,
        reconnect,
        retry_interval,
        apdu_log,
        handle,
    } = options;
    let mut log = Log {
        out: apdu_log,
        start: Instant::now(),
    };
    let mut session = Session {
        fixed_atr: atr,
        atr: Vec::new(),
        quickack,
        command: vec![0u8; usize::from(u16::MAX)],
        response: Vec::new(),
    };
    let mut waiting_logged = false;
    loop {
        if handle.is_stopped() {
            return Ok(());
        }
        let stream = match connect(addr, nodelay) {
            Ok(stream) => stream,
            Err(error) if reconnect => {
                if !waiting_logged {
                    log.line('#', &format!("waiting for vpcd on {addr}: {error}"));
                    waiting_logged = true;
                }
                if handle.sleep_unless_stopped(retry_interval) {
                    return Ok(());
                }
                continue;
            }
            Err(error) => return Err(error),
        };
        waiting_logged = false;
        {
            let mut state = handle.state();
            if state.stopped {
                return Ok(());
            }
            state.socket = Some(stream.try_clone()?);
            state.power_ons = 0;
        }
        handle.shared.changed.notify_all();
        log.line('#', &format!("connected to vpcd on {addr}"));
        // A new connection is a card insertion.
        let result = match session.power_on(card) {
            Ok(()) => session.serve(card, stream, &handle, &mut log),
            Err(error) => Err(error),
        };
        handle.update(|state| state.socket = None);
        if handle.is_stopped() {
            log.line('#', "stopped");
            return Ok(());
        }
        match result {
            Ok(()) => log.line('#', "vpcd closed the connection"),
            Err(error) => {
                log.line('#', &format!("connection error: {error}"));
                if !reconnect {
                    return Err(error);
                }
            }
        }
        if !reconnect {
            return Ok(());
        }
        if handle.sleep_unless_stopped(retry_interval) {
            return Ok(());
        }
    }
}

fn connect(addr: SocketAddr, nodelay: bool) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_nodelay(nodelay)?;
    Ok(stream)
}

/// Buffers and settings of one [`run`], reused across connections.
struct Session {
    /// A fixed ATR from [`Options::atr`]; `None` to build it from the applet.
    fixed_atr: Option<Vec<u8>>,
    /// The ATR of the current power cycle.
    atr: Vec<u8>,
    quickack: bool,
    /// Command APDU buffer; wiped after each command (it carries PINs).
    command: Vec<u8>,
    /// The response APDU.
    response: Vec<u8>,
}

impl Session {
    /// Powers the card on and takes the ATR of this power cycle. The ATR is not read when
    /// vpcd asks for it: pcscd asks at any time, and reading it powers the card on again.
    fn power_on(&mut self, card: &mut impl VirtualCard) -> io::Result<()> {
        let historical = card.power_on()?;
        self.atr = match &self.fixed_atr {
            Some(atr) => atr.clone(),
            None => atr(&historical),
        };
        Ok(())
    }

    /// Serves one connection. `Ok(())` when vpcd closes it between messages.
    fn serve(
        &mut self,
        card: &mut impl VirtualCard,
        mut stream: TcpStream,
        handle: &Handle,
        log: &mut Log,
    ) -> io::Result<()> {
        loop {
            // The ACK for vpcd's first segment (the length) must leave at once, or vpcd's Nagle
            // algorithm holds the APDU back until the delayed ACK (~40 ms). Quick-ACK mode is
            // not sticky, so it is renewed before every message.
            if self.quickack {
                set_quickack(&stream)?;
            }
            let mut header = [0u8; 2];
            match read_full(&mut stream, &mut header)? {
                0 => return Ok(()),
                2 => {}
                _ => return Err(io::ErrorKind::UnexpectedEof.into()),
            }
            let len = usize::from(u16::from_be_bytes(header));
            let Some(payload) = self.command.get_mut(..len) else {
                return Err(io::ErrorKind::InvalidData.into());
            };
            // Again for the body: an extended APDU can span several segments.
            if self.quickack && len > 0 {
                set_quickack(&stream)?;
            }
            stream.read_exact(payload)?;

            match *payload {
                [] => {}
                [control::GET_ATR] => send(&mut stream, &self.atr)?,
                [control::POWER_ON] => {
                    self.power_on(card)?;
                    log.line('#', "power on");
                    handle.update(|state| state.power_ons += 1);
                }
                [control::POWER_OFF] => {
                    // Volatile state dies with the power, not at the next power-on.
                    self.power_on(card)?;
                    log.line('#', "power off");
                }
                [control::RESET] => {
                    self.power_on(card)?;
                    log.line('#', "reset");
                }
                [other] => log.line('#', &format!("unknown control message {other:02X} ignored")),
                _ => {
                    if log.enabled() {
                        log.line('>', &hex(payload));
                    }
                    let result = card.transmit(payload, &mut self.response);
                    payload.zeroize();
                    result?;
                    if log.enabled() {
                        log.line('<', &hex(&self.response));
                    }
                    handle.update(|state| state.apdus += 1);
                    let sent = send(&mut stream, &self.response);
                    self.response.zeroize();
                    sent?;
                }
            }
        }
    }
}

/// Writes `data` with its length prefix in one write (one TCP segment with `TCP_NODELAY`).
fn send(stream: &mut TcpStream, data: &[u8]) -> io::Result<()> {
    let len =
        u16::try_from(data.len()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let mut framed = Vec::with_capacity(2 + data.len());
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(data);
    let sent = stream.write_all(&framed);
    // A response can carry a deciphered session key.
    framed.zeroize();
    sent
}

/// Reads until `buf` is full or the peer closes; returns the count read (0 at a clean close).
fn read_full(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while let Some(rest) = buf.get_mut(done..) {
        if rest.is_empty() {
            break;
        }
        match stream.read(rest) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(target_os = "linux")]
fn set_quickack(stream: &TcpStream) -> io::Result<()> {
    socket2::SockRef::from(stream).set_tcp_quickack(true)
}

#[cfg(not(target_os = "linux"))]
fn set_quickack(_stream: &TcpStream) -> io::Result<()> {
    Ok(())
}

/// Upper-case hex without separators.
fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use openpgp_card_applet::Config;
    use openpgp_card_applet_testkit::{test_platform, MemoryStorage};
    use std::net::TcpListener;
    use std::thread;

    #[test]
    fn atr_carries_historical_bytes_and_valid_tck() {
        let atr = operational_atr();
        assert_eq!(atr.len(), 21);
        assert_eq!(atr[1] & 0x0F, 10);
        assert_eq!(atr.iter().skip(1).fold(0u8, |acc, b| acc ^ b), 0);
        assert_eq!(
            hex(&atr),
            format!("3BDA18FF81B1FE751F030031C073C001C0059000{:02X}", atr[20])
        );
        assert_eq!(super::atr(&[0; 20]).len(), 15 + 11);
    }

    /// The ATR of a factory-fresh card, from its own 5F52.
    fn operational_atr() -> Vec<u8> {
        let mut applet = Applet::new(Config::default(), test_platform(MemoryStorage::new()));
        applet.power_on(Transport::Contact);
        atr(&applet.historical_bytes())
    }

    /// The ATR carries what GET DATA 5F52 answers, and follows the life cycle: a terminated
    /// card (where GET DATA is refused) says LCS 03.
    #[test]
    fn the_atr_follows_do_5f52_and_the_life_cycle() {
        let mut applet = Applet::new(Config::default(), test_platform(MemoryStorage::new()));
        applet.power_on(Transport::Contact);
        let mut out = [0u8; 64];
        let mut send = |applet: &mut Applet<_, _, _, _>, apdu: &[u8]| {
            let n = applet.process(apdu, &mut out);
            out[..n].to_vec()
        };
        assert_eq!(
            send(&mut applet, &hex_bytes("00A4040006D27600012401")),
            [0x90, 0x00]
        );
        let mut do_5f52 = send(&mut applet, &hex_bytes("00CA5F5200"));
        assert_eq!(do_5f52.split_off(do_5f52.len() - 2), [0x90, 0x00]);
        assert_eq!(operational_atr()[10..20], do_5f52[..]);
        assert_eq!(do_5f52[7], 0x05);
        assert_eq!(
            send(&mut applet, b"\x00\x20\x00\x83\x0812345678"),
            [0x90, 0x00]
        );
        assert_eq!(send(&mut applet, &[0x00, 0xE6, 0x00, 0x00]), [0x90, 0x00]);
        applet.power_on(Transport::Contact);
        let terminated = applet.historical_bytes();
        assert_eq!(terminated[7], 0x03, "LCS of a terminated card");
        assert_ne!(atr(&terminated), operational_atr());
    }

    fn hex_bytes(text: &str) -> Vec<u8> {
        openpgp_card_applet_testkit::hex(text)
    }

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut v = (payload.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(payload);
        v
    }

    fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
        let mut header = [0u8; 2];
        stream.read_exact(&mut header).unwrap();
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(header))];
        stream.read_exact(&mut body).unwrap();
        body
    }

    /// A fake vpcd on an ephemeral port: ATR, power cycle, APDUs, then stop.
    #[test]
    fn speaks_vpicc_and_power_cycles_clear_pin_state() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = SharedLog::default();
        let options = Options::default().port(port).apdu_log(log.clone());
        let handle = options.handle();
        let card = thread::spawn(move || {
            let platform = test_platform(MemoryStorage::new());
            let mut applet = Applet::new(Config::default(), platform);
            run(&mut applet, options)
        });
        let (mut vpcd, _) = listener.accept().unwrap();
        vpcd.write_all(&frame(&[control::GET_ATR])).unwrap();
        assert_eq!(read_frame(&mut vpcd), operational_atr());
        // vpcd sends the length and the APDU in separate writes.
        vpcd.write_all(&frame(&[control::POWER_ON])).unwrap();
        assert!(handle.wait_powered(Duration::from_secs(5)));
        let select = [
            0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
        ];
        vpcd.write_all(&frame(&select)[..2]).unwrap();
        vpcd.write_all(&select).unwrap();
        assert_eq!(read_frame(&mut vpcd), [0x90, 0x00]);
        vpcd.write_all(&frame(b"\x00\x20\x00\x82\x06123456"))
            .unwrap();
        assert_eq!(read_frame(&mut vpcd), [0x90, 0x00]);
        let status = [0x00, 0x20, 0x00, 0x82];
        vpcd.write_all(&frame(&status)).unwrap();
        assert_eq!(read_frame(&mut vpcd), [0x90, 0x00]);
        for event in [control::RESET, control::POWER_OFF] {
            vpcd.write_all(&frame(b"\x00\x20\x00\x82\x06123456"))
                .unwrap();
            assert_eq!(read_frame(&mut vpcd), [0x90, 0x00]);
            vpcd.write_all(&frame(&[event])).unwrap();
            vpcd.write_all(&frame(&select)).unwrap();
            assert_eq!(read_frame(&mut vpcd), [0x90, 0x00]);
            vpcd.write_all(&frame(&status)).unwrap();
            assert_ne!(
                read_frame(&mut vpcd),
                [0x90, 0x00],
                "PIN state survived {event}"
            );
        }
        assert_eq!(handle.apdu_count(), 9);
        handle.stop();
        card.join().unwrap().unwrap();
        let text = log.text();
        assert!(text.contains("> 00A4040006D27600012401\n"), "{text}");
        assert!(text.contains("< 9000\n"), "{text}");
        assert!(text.contains("# power on\n"), "{text}");
        assert!(text.contains("# reset\n"), "{text}");
    }

    #[test]
    fn reconnects_after_vpcd_restart_and_stops_while_waiting() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut options = Options::default().port(port);
        options.retry_interval = Duration::from_millis(20);
        let handle = options.handle();
        let card = thread::spawn(move || {
            let platform = test_platform(MemoryStorage::new());
            run(&mut Applet::new(Config::default(), platform), options)
        });
        for _ in 0..2 {
            let (mut vpcd, _) = listener.accept().unwrap();
            vpcd.write_all(&frame(&[control::GET_ATR])).unwrap();
            assert_eq!(read_frame(&mut vpcd), operational_atr());
        }
        drop(listener);
        thread::sleep(Duration::from_millis(100));
        handle.stop();
        card.join().unwrap().unwrap();
        assert!(!handle.is_connected());
    }

    #[test]
    fn without_reconnect_a_refused_connection_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let platform = test_platform(MemoryStorage::new());
        let options = Options::default().port(port).reconnect(false);
        assert!(run(&mut Applet::new(Config::default(), platform), options).is_err());
    }

    #[derive(Clone, Default)]
    struct SharedLog(Arc<Mutex<Vec<u8>>>);

    impl SharedLog {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl Write for SharedLog {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}
