//! A USB CCID class for a device that *is* the card: one slot, APDU-level exchange (short and
//! extended APDUs, no CCID-level chaining needed), on `usb-device` 0.3.
//!
//! Why not `usbd-ccid`: the application must learn of IccPowerOn/IccPowerOff (a card reset
//! forgets verified PINs, which GnuPG and pcscd rely on), and a running command must be
//! answered with time extensions from the USB interrupt while the application works in the
//! main loop. [`Slot`] is the protocol without USB (host-tested); [`Ccid`] binds it to two
//! bulk endpoints.
//!
//! The application side, typically in a critical section shared with the USB interrupt:
//! [`Slot::take_reset`], [`Slot::take_command`], then later [`Ccid::respond`]; and
//! [`Ccid::tick`] from a timer so that long commands get their time extensions.

#![no_std]
#![forbid(unsafe_code)]
// The panic contract of the workspace (src/lib.rs): no indexing, unwrap, expect or panic
// outside tests; this code runs in the board's USB interrupt.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]
#![warn(missing_docs)]

mod slot;

pub use slot::{Slot, Token, CLOCK_KHZ, DATA_RATE_BPS, HEADER, PACKET, WTX_INTERVAL_MS};

use usb_device::class_prelude::*;
use usb_device::control::{Recipient, RequestType};

/// Interface class of smart card readers.
pub const CLASS_CCID: u8 = 0x0B;
const FUNCTIONAL_DESCRIPTOR: u8 = 0x21;
const REQUEST_ABORT: u8 = 0x01;
const REQUEST_GET_CLOCK_FREQUENCIES: u8 = 0x02;
const REQUEST_GET_DATA_RATES: u8 = 0x03;

/// The CCID class descriptor (CCID 1.1 §5.1) of a USB-ICC: one slot, T=1, APDU level,
/// `max_message` bytes per message.
pub fn functional_descriptor(max_message: u32) -> [u8; 52] {
    let clock = CLOCK_KHZ.to_le_bytes();
    let rate = DATA_RATE_BPS.to_le_bytes();
    let max = max_message.to_le_bytes();
    [
        0x10, 0x01, // bcdCCID 1.10
        0x00, // bMaxSlotIndex: one slot
        0x01, // bVoltageSupport: 5 V (not relevant for a USB-ICC)
        0x02, 0x00, 0x00, 0x00, // dwProtocols: T=1
        clock[0], clock[1], clock[2], clock[3], // dwDefaultClock
        clock[0], clock[1], clock[2], clock[3], // dwMaximumClock
        0x00,     // bNumClockSupported
        rate[0], rate[1], rate[2], rate[3], // dwDataRate
        rate[0], rate[1], rate[2], rate[3], // dwMaxDataRate
        0x00,    // bNumDataRatesSupported
        0xFE, 0x00, 0x00, 0x00, // dwMaxIFSD
        0x00, 0x00, 0x00, 0x00, // dwSynchProtocols
        0x00, 0x00, 0x00, 0x00, // dwMechanical
        // dwFeatures: automatic parameter negotiation and the ICCD bit (0x0840), short and
        // extended APDU level exchange (0x040000).
        0x40, 0x08, 0x04, 0x00, //
        max[0], max[1], max[2], max[3], // dwMaxCCIDMessageLength
        0xFF,   // bClassGetResponse: echo
        0xFF,   // bClassEnvelope: echo
        0x00, 0x00, // wLcdLayout: none
        0x00, // bPINSupport: none
        0x01, // bMaxCCIDBusySlots
    ]
}

/// The class: an interface with a bulk-out and a bulk-in endpoint, and the slot behind them.
/// `N` is the message buffer size (header included).
pub struct Ccid<'a, B: UsbBus, const N: usize> {
    interface: InterfaceNumber,
    out_ep: EndpointOut<'a, B>,
    in_ep: EndpointIn<'a, B>,
    slot: Slot<N>,
}

impl<'a, B: UsbBus, const N: usize> Ccid<'a, B, N> {
    /// Allocates the interface and endpoints. `atr` is sent at every power-on.
    pub fn new(alloc: &'a UsbBusAllocator<B>, atr: &[u8]) -> Self {
        let mut slot = Slot::new();
        slot.set_atr(atr);
        Ccid {
            interface: alloc.interface(),
            out_ep: alloc.bulk(PACKET as u16),
            in_ep: alloc.bulk(PACKET as u16),
            slot,
        }
    }

    /// The protocol state: take resets and commands from it.
    pub fn slot(&mut self) -> &mut Slot<N> {
        &mut self.slot
    }

    /// Answers the command of `token` and starts sending the answer.
    pub fn respond(&mut self, token: Token, response: &[u8]) {
        self.slot.respond(token, response);
        self.flush();
    }

    /// Regular timer call (every 100–250 ms): time extensions for a running command.
    pub fn tick(&mut self, now_ms: u64) {
        self.slot.tick(now_ms);
        self.flush();
    }

    /// Writes the next bulk-in packet, if any and the endpoint is free.
    fn flush(&mut self) {
        let Some(packet) = self.slot.next_packet() else {
            return;
        };
        match self.in_ep.write(packet) {
            Ok(n) => self.slot.packet_written(n),
            Err(UsbError::WouldBlock) => {}
            Err(_) => self.slot.usb_reset(),
        }
    }

    /// Whether a control request is a class request to this interface (the only ones CCID
    /// answers; the rest belong to other classes or to usb-device).
    fn is_class_request_to_us(&self, req: &usb_device::control::Request) -> bool {
        req.request_type == RequestType::Class
            && req.recipient == Recipient::Interface
            && req.index == u16::from(u8::from(self.interface))
    }
}

impl<B: UsbBus, const N: usize> UsbClass<B> for Ccid<'_, B, N> {
    fn get_configuration_descriptors(
        &self,
        writer: &mut DescriptorWriter,
    ) -> usb_device::Result<()> {
        writer.interface(self.interface, CLASS_CCID, 0x00, 0x00)?;
        writer.write(FUNCTIONAL_DESCRIPTOR, &functional_descriptor(N as u32))?;
        writer.endpoint(&self.out_ep)?;
        writer.endpoint(&self.in_ep)?;
        Ok(())
    }

    fn reset(&mut self) {
        self.slot.usb_reset();
    }

    fn poll(&mut self) {
        self.flush();
    }

    fn endpoint_out(&mut self, addr: EndpointAddress) {
        if addr != self.out_ep.address() {
            return;
        }
        let mut packet = [0u8; PACKET];
        if let Ok(n) = self.out_ep.read(&mut packet) {
            self.slot.receive(packet.get(..n).unwrap_or_default());
            self.flush();
        }
    }

    fn endpoint_in_complete(&mut self, addr: EndpointAddress) {
        if addr != self.in_ep.address() {
            return;
        }
        self.slot.in_complete();
        self.flush();
    }

    fn control_in(&mut self, xfer: ControlIn<B>) {
        let req = *xfer.request();
        if !self.is_class_request_to_us(&req) {
            return;
        }
        let _ = match req.request {
            REQUEST_GET_CLOCK_FREQUENCIES => xfer.accept_with(&CLOCK_KHZ.to_le_bytes()),
            REQUEST_GET_DATA_RATES => xfer.accept_with(&DATA_RATE_BPS.to_le_bytes()),
            _ => xfer.reject(),
        };
    }

    fn control_out(&mut self, xfer: ControlOut<B>) {
        let req = *xfer.request();
        if !self.is_class_request_to_us(&req) {
            return;
        }
        let _ = match req.request {
            // ABORT (CCID 1.1 §5.3.1): wValue is the slot (low byte) and the sequence (high
            // byte). The half-received message goes; the PC_to_RDR_Abort that follows on
            // bulk-out does the rest.
            REQUEST_ABORT => {
                let [slot, seq] = req.value.to_le_bytes();
                if slot == 0 {
                    self.slot.abort_request(seq);
                }
                xfer.accept()
            }
            _ => xfer.reject(),
        };
    }
}

#[cfg(test)]
mod tests;
