//! The host controller's half of the bus: it turns a transfer the host asked for into the
//! packets a device controller sees (USB 2.0 §8.5: SETUP, data and status stages of a control
//! transfer; bulk transfers as packets of the endpoint's size, ended by a short one) and polls
//! the device's `usb-device` stack after each, as the firmware's USB interrupt does on every
//! frame.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::bus::{SocketBus, ENDPOINTS};
use crate::wire::status;

/// The frame period: how often the device is polled while the host waits (USB 2.0 §8.4.3.1).
pub const FRAME: Duration = Duration::from_millis(1);

/// How long a control transfer may take when the host sets no timeout.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(5);

/// The controller: the bus's other handle and the device's poll (which locks the device the
/// way the firmware's interrupt handler does).
pub struct Controller<'s, P: FnMut()> {
    bus: SocketBus,
    poll: P,
    stop: &'s AtomicBool,
    /// Bus events waiting (a reset, an unplug): a transfer waiting for the device ends.
    events: &'s AtomicU64,
    /// A bus reset happened since the host's last OUT transfer: the IN transfer that would
    /// read its answer is killed, as the host controller kills it (USB 2.0 §11.5.1.5).
    killed: bool,
}

/// A transfer's outcome: a libusb status and the data moved.
pub type Outcome = (i32, Vec<u8>);

impl<'s, P: FnMut()> Controller<'s, P> {
    /// A controller for `bus`, polling the device with `poll`, giving up waits when `stop` is
    /// set or `events` counts a bus event to handle.
    pub fn new(bus: SocketBus, poll: P, stop: &'s AtomicBool, events: &'s AtomicU64) -> Self {
        Controller {
            bus,
            poll,
            stop,
            events,
            killed: false,
        }
    }

    fn deadline(timeout_ms: u32, default: Option<Duration>) -> Option<Instant> {
        let timeout = match timeout_ms {
            0 => default?,
            ms => Duration::from_millis(u64::from(ms)),
        };
        Some(Instant::now() + timeout)
    }

    /// Polls the device until `done` gives an answer, a frame at a time, or the deadline.
    fn wait<T>(
        &mut self,
        deadline: Option<Instant>,
        mut done: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<T> {
        loop {
            (self.poll)();
            if let Some(answer) = done(self) {
                return Some(answer);
            }
            if self.stop.load(Ordering::SeqCst)
                || self.events.load(Ordering::SeqCst) > 0
                || deadline.is_some_and(|d| Instant::now() >= d)
            {
                return None;
            }
            thread::sleep(FRAME);
        }
    }

    /// A bus reset: the device forgets its address and configuration (USB 2.0 §9.1.1.3).
    pub fn bus_reset(&mut self) -> Outcome {
        self.killed = true;
        self.bus.state().reset_pending = true;
        (self.poll)();
        (status::OK, Vec::new())
    }

    /// What the host does after a bus reset (USB 2.0 §9.1.2): SET_ADDRESS 1, then
    /// SET_CONFIGURATION 1.
    pub fn enumerate(&mut self) -> Outcome {
        let (code, _) = self.control([0x00, 0x05, 1, 0, 0, 0, 0, 0], &[], 0);
        if code != status::OK {
            return (code, Vec::new());
        }
        self.control([0x00, 0x09, 1, 0, 0, 0, 0, 0], &[], 0)
    }

    /// A control transfer on endpoint 0 (USB 2.0 §8.5.3): SETUP, the data stage, the status
    /// stage. A request the device refuses stalls: [`status::PIPE`].
    pub fn control(&mut self, setup: [u8; 8], out: &[u8], timeout_ms: u32) -> Outcome {
        let deadline = Self::deadline(timeout_ms, Some(CONTROL_TIMEOUT));
        let wanted = usize::from(u16::from_le_bytes([setup[6], setup[7]]));
        {
            // A SETUP packet is always accepted, clears a stall and flushes endpoint 0.
            let mut state = self.bus.state();
            let ep0 = &mut state.endpoints[0];
            ep0.out = Some((setup.to_vec(), true));
            ep0.in_ = None;
            ep0.in_complete = false;
            ep0.out_stalled = false;
            ep0.in_stalled = false;
        }
        if setup[0] & 0x80 != 0 {
            self.control_in(wanted, deadline)
        } else {
            self.control_out(out.get(..wanted).unwrap_or(out), deadline)
        }
    }

    fn control_in(&mut self, wanted: usize, deadline: Option<Instant>) -> Outcome {
        let mut data = Vec::new();
        loop {
            let packet = self.wait(deadline, |c| {
                let mut state = c.bus.state();
                let ep0 = &mut state.endpoints[0];
                if ep0.in_stalled {
                    return Some(Err(status::PIPE));
                }
                let packet = ep0.in_.take()?;
                ep0.in_complete = true;
                Some(Ok((packet, ep0.in_max)))
            });
            match packet {
                None => return (status::TIMEOUT, data),
                Some(Err(code)) => return (code, data),
                Some(Ok((packet, max))) => {
                    let short = packet.len() < max;
                    data.extend_from_slice(&packet);
                    if short || data.len() >= wanted {
                        break;
                    }
                }
            }
        }
        data.truncate(wanted);
        // The status stage: a zero-length OUT packet.
        self.bus.state().endpoints[0].out = Some((Vec::new(), false));
        (self.poll)();
        (status::OK, data)
    }

    fn control_out(&mut self, out: &[u8], deadline: Option<Instant>) -> Outcome {
        let max = self.bus.state().endpoints[0].out_max.max(8);
        for chunk in out.chunks(max) {
            let code = self.send_packet(0, chunk, deadline);
            if code != status::OK {
                return (code, Vec::new());
            }
        }
        // The status stage: the device's zero-length IN packet.
        let answer = self.wait(deadline, |c| {
            let mut state = c.bus.state();
            let ep0 = &mut state.endpoints[0];
            if ep0.in_stalled {
                return Some(status::PIPE);
            }
            ep0.in_.take()?;
            ep0.in_complete = true;
            Some(status::OK)
        });
        (self.poll)();
        (answer.unwrap_or(status::TIMEOUT), Vec::new())
    }

    /// Hands one OUT packet to endpoint `index` once its buffer is free (the device read the
    /// previous one); a stalled endpoint answers [`status::PIPE`].
    fn send_packet(&mut self, index: usize, packet: &[u8], deadline: Option<Instant>) -> i32 {
        let sent = self.wait(deadline, |c| {
            let mut state = c.bus.state();
            let e = &mut state.endpoints[index];
            if e.out_stalled {
                return Some(status::PIPE);
            }
            if e.out.is_some() {
                return None;
            }
            e.out = Some((packet.to_vec(), false));
            Some(status::OK)
        });
        (self.poll)();
        sent.unwrap_or(status::TIMEOUT)
    }

    /// A bulk or interrupt OUT transfer (USB 2.0 §5.8): packets of the endpoint's size, a
    /// zero-length one for empty data.
    pub fn data_out(&mut self, endpoint: u8, data: &[u8], timeout_ms: u32) -> Outcome {
        let Some(index) = self.endpoint(endpoint, false) else {
            return (status::INVALID_PARAM, Vec::new());
        };
        self.killed = false;
        let deadline = Self::deadline(timeout_ms, None);
        let max = self.bus.state().endpoints[index].out_max.max(1);
        if data.is_empty() {
            return (self.send_packet(index, &[], deadline), Vec::new());
        }
        for chunk in data.chunks(max) {
            let code = self.send_packet(index, chunk, deadline);
            if code != status::OK {
                return (code, Vec::new());
            }
        }
        (status::OK, Vec::new())
    }

    /// A bulk or interrupt IN transfer: packets until a short one (or a zero-length one), or
    /// `wanted` bytes, or the timeout.
    pub fn data_in(&mut self, endpoint: u8, wanted: usize, timeout_ms: u32) -> Outcome {
        let Some(index) = self.endpoint(endpoint, true) else {
            return (status::INVALID_PARAM, Vec::new());
        };
        if std::mem::take(&mut self.killed) {
            return (status::IO, Vec::new());
        }
        let deadline = Self::deadline(timeout_ms, None);
        let mut data = Vec::new();
        loop {
            let packet = self.wait(deadline, |c| {
                let mut state = c.bus.state();
                let e = &mut state.endpoints[index];
                if e.in_stalled {
                    return Some(Err(status::PIPE));
                }
                let packet = e.in_.take()?;
                e.in_complete = true;
                Some(Ok((packet, e.in_max)))
            });
            (self.poll)();
            match packet {
                None if self.events.load(Ordering::SeqCst) > 0 => return (status::IO, data),
                None => return (status::TIMEOUT, data),
                Some(Err(code)) => return (code, data),
                Some(Ok((packet, max))) => {
                    if data.len() + packet.len() > wanted {
                        return (status::OVERFLOW, data);
                    }
                    let short = packet.len() < max;
                    data.extend_from_slice(&packet);
                    if short || data.len() == wanted {
                        return (status::OK, data);
                    }
                }
            }
        }
    }

    /// The endpoint number of `address` if the device has it in that direction.
    fn endpoint(&self, address: u8, is_in: bool) -> Option<usize> {
        let index = usize::from(address & 0x0F);
        if (address & 0x80 != 0) != is_in || index == 0 || index >= ENDPOINTS {
            return None;
        }
        let state = self.bus.state();
        let e = &state.endpoints[index];
        let allocated = if is_in {
            e.in_allocated
        } else {
            e.out_allocated
        };
        allocated.then_some(index)
    }
}
