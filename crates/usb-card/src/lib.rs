//! The applet behind the USB CCID class, as the firmware runs it.
//!
//! The board (`examples/board-nrf52840`) and the host USB device (`crates/usb-socket`) both
//! build their USB device with [`device`], their class with [`class`] and run [`Job::take`]
//! and [`serve`] in their main loop, so the code a desktop test drives through pcscd and
//! libccid is the code the firmware runs.
//!
//! The split mirrors the firmware's contexts: the class lives with the USB interrupt (behind
//! the caller's critical section or mutex), the applet in the main loop. [`Job::take`] runs
//! inside the critical section and copies the command out; [`serve`] runs outside it for as
//! long as the command takes; [`Answer::give`] goes back inside.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use ccid_class::{Ccid, Token};
use openpgp_card_applet::{Applet, Clock, Storage, Transport, UserPresence};
use usb_device::bus::{UsbBus, UsbBusAllocator};
use usb_device::device::{StringDescriptors, UsbDevice, UsbDeviceBuilder, UsbVidPid};

/// Message buffers of the CCID class: the longest APDU the applet takes (4096 data bytes with
/// an extended header) or gives (4096 + SW), plus the 10-byte CCID header and slack. This is
/// also the announced dwMaxCCIDMessageLength (CCID 1.1 §5.1).
pub const CCID_MESSAGE: usize = 4096 + 32;

/// pid.codes' test VID/PID (1209:0001): for development only. A product uses its own, and the
/// host's CCID driver must list it (libccid's `Info.plist`; `crates/usb-socket` writes a copy
/// naming this one).
pub const VID_PID: UsbVidPid = UsbVidPid(0x1209, 0x0001);

/// The manufacturer string of the USB device.
pub const MANUFACTURER: &str = "openpgp-card-applet";

/// The class with its buffers of [`CCID_MESSAGE`] bytes.
pub type Class<'a, B> = Ccid<'a, B, CCID_MESSAGE>;

/// The ATR: direct convention, T=1 only, and the applet's historical bytes (DO 5F52, which
/// also tell a terminated card's LCS), so the host sees the same capabilities in both. The
/// bytes are `atr.bytes()`.
pub struct Atr {
    bytes: [u8; 33],
    len: usize,
}

impl Atr {
    /// The ATR of `applet` (ISO 7816-3 §8.2: TS, T0, TD1 = T=1, historical bytes, TCK).
    pub fn of<S, R, C, U>(applet: &Applet<S, R, C, U>) -> Atr
    where
        S: Storage,
        R: rand_core::CryptoRng,
        C: Clock,
        U: UserPresence,
    {
        let historical = applet.historical_bytes();
        // T0 has four bits for the number of historical bytes.
        let historical = historical.get(..15).unwrap_or(&historical[..]);
        let mut bytes = [0u8; 33];
        bytes[0] = 0x3B;
        bytes[1] = 0x80 | historical.len() as u8;
        bytes[2] = 0x01;
        let end = 3 + historical.len();
        bytes[3..end].copy_from_slice(historical);
        // TCK: XOR of T0 up to the last historical byte (present because T=1 is indicated).
        bytes[end] = bytes[1..end].iter().fold(0, |x, b| x ^ b);
        Atr {
            bytes,
            len: end + 1,
        }
    }

    /// The ATR's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The CCID class on `bus`, answering power-on with `atr`.
pub fn class<'a, B: UsbBus>(bus: &'a UsbBusAllocator<B>, atr: &Atr) -> Class<'a, B> {
    Ccid::new(bus, atr.bytes())
}

/// The USB device: [`VID_PID`], the strings, a 64-byte control endpoint, 100 mA.
///
/// # Errors
/// Those of `usb-device`'s builder (a string list or packet size it refuses; none with
/// these values).
pub fn device<'a, B: UsbBus>(
    bus: &'a UsbBusAllocator<B>,
    product: &'a str,
    serial: &'a str,
) -> Result<UsbDevice<'a, B>, usb_device::prelude::BuilderError> {
    Ok(UsbDeviceBuilder::new(bus, VID_PID)
        .strings(&[StringDescriptors::default()
            .manufacturer(MANUFACTURER)
            .product(product)
            .serial_number(serial)])?
        .max_packet_size_0(64)?
        .max_power(100)?
        .build())
}

/// The serial number as 8 hex digits (the USB serial string shows the card's serial).
pub fn serial_hex(serial: u32) -> [u8; 8] {
    let mut hex = [0u8; 8];
    for (i, byte) in hex.iter_mut().enumerate() {
        let nibble = (serial >> (28 - 4 * i)) & 0xF;
        *byte = b"0123456789ABCDEF"[nibble as usize];
    }
    hex
}

/// What the main loop takes from the class, inside its critical section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// IccPowerOn, IccPowerOff or a bus reset happened: a card reset for the applet.
    pub reset: bool,
    /// A command APDU, copied into the caller's buffer: its length and token.
    pub command: Option<(usize, Token)>,
}

impl Job {
    /// Takes the pending reset and command from `class`, the command into `command`.
    pub fn take<B: UsbBus>(class: &mut Class<'_, B>, command: &mut [u8]) -> Job {
        let reset = class.slot().take_reset();
        let command = class.slot().take_command(command);
        Job { reset, command }
    }

    /// Nothing to do: the main loop may sleep until the next interrupt.
    pub fn is_idle(&self) -> bool {
        !self.reset && self.command.is_none()
    }
}

/// The answer to hand back to the class, inside the critical section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    token: Token,
    len: usize,
}

impl Answer {
    /// The response's length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the response is empty (never: it has a status word at least).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Hands the response (`response[..len]`, from [`serve`]) to the class.
    pub fn give<B: UsbBus>(self, class: &mut Class<'_, B>, response: &[u8]) {
        let len = self.len.min(response.len());
        class.respond(self.token, &response[..len]);
    }
}

/// Runs the job outside the critical section: a card reset powers the applet on again
/// (verified PINs are forgotten, as a power cycle forgets them), a command is processed into
/// `response`. Returns the answer to give back, if there was a command.
pub fn serve<S, R, C, U>(
    applet: &mut Applet<S, R, C, U>,
    job: Job,
    command: &[u8],
    response: &mut [u8],
) -> Option<Answer>
where
    S: Storage,
    R: rand_core::CryptoRng,
    C: Clock,
    U: UserPresence,
{
    if job.reset {
        applet.power_on(Transport::Contact);
    }
    let (len, token) = job.command?;
    let command = command.get(..len)?;
    let len = applet.process(command, response);
    Some(Answer { token, len })
}
