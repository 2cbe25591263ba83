//! The device: the board's transport code (`usb-device`, the CCID class and the applet, glued
//! by `crates/usb-card` exactly as `examples/board-nrf52840` glues them) on a [`SocketBus`],
//! with the firmware's three contexts as threads:
//!
//! - the USB interrupt: the socket's transfers, each polling the device a frame at a time
//!   ([`crate::controller`]);
//! - the RTC interrupt: [`ccid_class::Ccid::tick`] every 125 ms (time extensions);
//! - the main loop: the applet, which takes a command, works (for minutes for an RSA-4096
//!   generation) and hands the answer back.
//!
//! The device and class sit behind one mutex, the firmware's critical section.

use std::io::{self, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use openpgp_card_applet::{Applet, Clock, Storage, UserPresence};
use openpgp_card_applet_usb_card::{self as usb_card, Atr, Class, Job, CCID_MESSAGE};
use rand_core::CryptoRng;
use usb_device::bus::UsbBusAllocator;
use usb_device::device::UsbDevice;

use crate::bus::SocketBus;
use crate::controller::Controller;
use crate::wire::{self, status, Kind, Request, REQUEST_HEADER};

/// The class tick (the board's RTC1 interrupt period).
const TICK: Duration = Duration::from_millis(125);

/// What the device shows and how it is run.
pub struct Options {
    /// The product string.
    pub product: String,
    /// One line per event, as the virtual card's log: `> HEX` a command APDU, `< HEX` its
    /// response, `# power on` a card reset. Contains PINs.
    pub apdu_log: Option<Box<dyn Write + Send>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            product: "OpenPGP card (USB on a socket)".into(),
            apdu_log: None,
        }
    }
}

/// Stops a running [`run`] from another thread, and asks for bus events.
#[derive(Clone, Default)]
pub struct Handle {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    /// Bus resets the device side asked for (the host port's reset, as on resume), pending.
    resets: AtomicU64,
    /// Unplugs the device asked for, pending (it is plugged in again at once).
    replugs: AtomicU64,
    /// Resets and unplugs pending: a transfer waiting for the device ends at once.
    events: AtomicU64,
    /// Host connections so far.
    connections: AtomicU64,
    /// Time extension requests the device sent (RDR_to_PC_DataBlock with bmCommandStatus 2,
    /// CCID 1.1 §6.2.6).
    time_extensions: AtomicU64,
    /// Commands answered so far.
    commands: AtomicU64,
    /// Whether the host has powered the card, and the main loop's wake-up for waiters.
    powered: Mutex<bool>,
    changed: Condvar,
}

impl Handle {
    /// A handle for one [`run`].
    pub fn new() -> Handle {
        Handle::default()
    }

    /// Ends [`run`] (it returns within a few frames).
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.shared.stop.load(Ordering::SeqCst)
    }

    /// Resets the bus between two host transfers, as the host's port does after a resume:
    /// the device forgets its configuration and the card its power; the controller then
    /// sets the address and configuration again, as the host's hub driver does.
    pub fn bus_reset(&self) {
        self.shared.resets.fetch_add(1, Ordering::SeqCst);
        self.shared.events.fetch_add(1, Ordering::SeqCst);
    }

    /// Unplugs the device and plugs it in again (suspend and resume, or a user's re-plug): the
    /// connection closes between two host transfers, and the host enumerates the device again
    /// when it comes back. The applet keeps its storage, as a device keeps its flash.
    pub fn replug(&self) {
        self.shared.replugs.fetch_add(1, Ordering::SeqCst);
        self.shared.events.fetch_add(1, Ordering::SeqCst);
    }

    /// Time extension requests sent to the host so far.
    pub fn time_extensions(&self) -> u64 {
        self.shared.time_extensions.load(Ordering::SeqCst)
    }

    /// Host connections accepted so far (each one is a plug-in).
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits until the host has powered the card (IccPowerOn), up to `timeout`.
    pub fn wait_powered(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut powered = self
            .shared
            .powered
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            if *powered {
                return true;
            }
            if now >= deadline || self.is_stopped() {
                return false;
            }
            powered = match self.shared.changed.wait_timeout(powered, deadline - now) {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
        }
    }

    /// Whether the host has powered the card now.
    pub fn is_powered(&self) -> bool {
        *self
            .shared
            .powered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Command APDUs answered so far.
    pub fn commands(&self) -> u64 {
        self.shared.commands.load(Ordering::SeqCst)
    }
}

type Usb<'a> = (UsbDevice<'a, SocketBus>, Class<'a, SocketBus>);

fn lock<'m, 'a>(usb: &'m Mutex<Usb<'a>>) -> MutexGuard<'m, Usb<'a>> {
    usb.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs the applet as a USB device on `listener` until `handle` stops it. Each connection is
/// the device plugged into a host (a bus reset first); when it closes, the device waits for
/// the next.
///
/// # Errors
/// Socket errors of the listener. A host that breaks the framing loses its connection.
pub fn run<S, R, C, U>(
    applet: &mut Applet<S, R, C, U>,
    listener: &UnixListener,
    handle: &Handle,
    options: Options,
) -> io::Result<()>
where
    S: Storage,
    R: CryptoRng,
    C: Clock,
    U: UserPresence,
{
    let bus = SocketBus::new();
    let alloc = UsbBusAllocator::new(bus.clone());
    let atr = Atr::of(applet);
    let class = usb_card::class(&alloc, &atr);
    let serial_hex = usb_card::serial_hex(applet.config().serial);
    let serial = std::str::from_utf8(&serial_hex).unwrap_or("0");
    let device = usb_card::device(&alloc, &options.product, serial)
        .map_err(|e| io::Error::other(format!("usb-device: {e:?}")))?;
    let usb = Mutex::new((device, class));
    // The main loop's wake-up (WFI): signalled after every poll and tick.
    let wake = Condvar::new();
    let mut log = options.apdu_log;
    let start = Instant::now();
    listener.set_nonblocking(true)?;
    let shared = &handle.shared;

    let poll = || {
        let mut guard = lock(&usb);
        let (device, class) = &mut *guard;
        device.poll(&mut [class]);
        let powered = class.slot().is_powered();
        drop(guard);
        wake.notify_all();
        let mut was = shared.powered.lock().unwrap_or_else(|e| e.into_inner());
        if *was != powered {
            *was = powered;
            shared.changed.notify_all();
        }
    };

    thread::scope(|scope| {
        // The RTC interrupt.
        scope.spawn(|| {
            while !shared.stop.load(Ordering::SeqCst) {
                thread::sleep(TICK);
                let now = start.elapsed().as_millis() as u64;
                lock(&usb).1.tick(now);
                wake.notify_all();
            }
        });
        // The USB interrupt: the host's transfers.
        let server = scope.spawn(|| -> io::Result<()> {
            let mut controller = Controller::new(bus.clone(), poll, &shared.stop, &shared.events);
            while !shared.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        shared.connections.fetch_add(1, Ordering::SeqCst);
                        controller.bus_reset();
                        // A broken host is its own problem: the device waits for the next.
                        let _ = serve(&mut controller, stream, shared);
                        controller.bus_reset();
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(5));
                    }
                    Err(e) => {
                        shared.stop.store(true, Ordering::SeqCst);
                        wake.notify_all();
                        return Err(e);
                    }
                }
            }
            Ok(())
        });
        // The main loop.
        let mut command = vec![0u8; CCID_MESSAGE];
        let mut response = vec![0u8; CCID_MESSAGE];
        while !shared.stop.load(Ordering::SeqCst) {
            let job = {
                let mut guard = lock(&usb);
                let job = Job::take(&mut guard.1, &mut command);
                if job.is_idle() {
                    let _ = wake.wait_timeout(guard, Duration::from_millis(50));
                    continue;
                }
                job
            };
            if job.reset {
                line(&mut log, start, "#", "power on");
            }
            if let Some((n, _)) = job.command {
                line(
                    &mut log,
                    start,
                    ">",
                    &hex(command.get(..n).unwrap_or_default()),
                );
            }
            if let Some(answer) = usb_card::serve(applet, job, &command, &mut response) {
                let n = answer.len();
                line(
                    &mut log,
                    start,
                    "<",
                    &hex(response.get(..n).unwrap_or_default()),
                );
                answer.give(&mut lock(&usb).1, &response);
                shared.commands.fetch_add(1, Ordering::SeqCst);
                wake.notify_all();
            }
        }
        server
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the USB thread panicked")))
    })
}

/// Serves one host connection: request, transfer, reply, until it closes or the device
/// stops.
fn serve<P: FnMut()>(
    controller: &mut Controller<'_, P>,
    mut stream: UnixStream,
    shared: &Shared,
) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    let mut data = Vec::new();
    loop {
        let mut header = [0u8; REQUEST_HEADER];
        // Wait for the first byte a little at a time, to notice a stop.
        stream.set_read_timeout(Some(Duration::from_millis(50)))?;
        loop {
            if shared.stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            if shared.replugs.load(Ordering::SeqCst) > 0 {
                shared.replugs.fetch_sub(1, Ordering::SeqCst);
                shared.events.fetch_sub(1, Ordering::SeqCst);
                return Ok(());
            }
            if shared.resets.load(Ordering::SeqCst) > 0 {
                shared.resets.fetch_sub(1, Ordering::SeqCst);
                shared.events.fetch_sub(1, Ordering::SeqCst);
                controller.bus_reset();
                controller.enumerate();
            }
            match stream.read(&mut header[..1]) {
                Ok(0) => return Ok(()),
                Ok(_) => break,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.read_exact(&mut header[1..])?;
        let request = Request::parse(&header)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{e:?}")))?;
        data.resize(request.out_length(), 0);
        stream.read_exact(&mut data)?;
        let (code, reply) = match request.kind {
            Kind::Reset => controller.bus_reset(),
            Kind::Control => controller.control(request.setup, &data, request.timeout_ms),
            Kind::Data if request.is_in() => {
                controller.data_in(request.endpoint, request.length, request.timeout_ms)
            }
            Kind::Data => controller.data_out(request.endpoint, &data, request.timeout_ms),
        };
        let reply = if request.is_in() { reply } else { Vec::new() };
        if request.kind == Kind::Data && is_time_extension(&reply) {
            shared.time_extensions.fetch_add(1, Ordering::SeqCst);
        }
        let code = if shared.stop.load(Ordering::SeqCst) && code == status::TIMEOUT {
            status::NO_DEVICE
        } else {
            code
        };
        stream.write_all(&wire::reply_header(code, reply.len()))?;
        stream.write_all(&reply)?;
    }
}

/// Whether a bulk-in message is a time extension request: RDR_to_PC_DataBlock whose
/// bmCommandStatus (bStatus bits 6-7) is 2 (CCID 1.1 §6.2.6).
fn is_time_extension(message: &[u8]) -> bool {
    matches!(message, [0x80, _, _, _, _, _, _, status, ..] if status >> 6 == 2)
}

fn line(log: &mut Option<Box<dyn Write + Send>>, start: Instant, marker: &str, text: &str) {
    if let Some(out) = log.as_mut() {
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let _ = writeln!(out, "{ms:10.3} {marker} {text}");
        let _ = out.flush();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
