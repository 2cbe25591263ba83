//! The applet as firmware on an emulated Cortex-M4: QEMU's `mps2-an386` machine, driven by a
//! host through its UART (the [`openpgp_card_applet_uart_link`] protocol) and shown to pcscd by `crates/qemu-bridge`.
//!
//! What is real and what is emulated:
//! - **Storage** is `flash-record-storage` over a NOR flash ([`flash::RamNor`]) on the PSRAM,
//!   which the bridge backs with a host file: restarting QEMU on the same file is a power
//!   cycle, killing it a power cut.
//! - **Randomness** is a ChaCha20 DRBG seeded by the host at every start. This is an
//!   emulator: there is no entropy source on the machine, and the seed crosses the host's
//!   socket. A device seeds from its TRNG and never from outside.
//! - **Clock**: SysTick, in virtual time (QEMU `-icount shift=0`: 1 ns per instruction).
//! - **Button**: the applet's request goes to the host ([`openpgp_card_applet_uart_link::PRESENCE`]), which
//!   answers as a user would ([`openpgp_card_applet_uart_link::BUTTON`]).
//! - **Transport**: APDUs framed on the UART, with keep-alives from SysTick while a command
//!   runs (what a CCID firmware does with time extensions), and every response carries the
//!   command's instructions, stack and heap ([`openpgp_card_applet_uart_link::Costs`]).

#![no_std]
#![no_main]

extern crate alloc;

mod flash;
mod meter;
mod uart;

use alloc::vec;
use core::convert::Infallible;
use core::fmt::Write as _;
use core::panic::PanicInfo;

use chacha20::ChaCha20Rng;
use cortex_m_rt::{entry, exception};
use flash_record_storage::FlashStorage;
use openpgp_card_applet::{
    Applet, Clock, Config, Platform, Presence, Transport, UserPresence, WrongPinStatus,
};
use openpgp_card_applet_uart_link::{button, transport, Decoder, Start};
use rand_core::SeedableRng;
use zeroize::Zeroize;

use crate::flash::RamNor;
use crate::meter::CountingHeap;

#[global_allocator]
static HEAP: CountingHeap = CountingHeap::new();
/// The heap arena, right after .bss: the applet's buffers, the store's record buffer and key
/// cache, and the big-integer work of RSA-4096.
const HEAP_SIZE: usize = 512 * 1024;

/// The largest command the link carries: any APDU vpcd can pass (the applet answers 6700 to
/// what is over its own limit).
const LINK_MAX: usize = u16::MAX as usize;

type Card = Applet<FlashStorage<RamNor>, ChaCha20Rng, SysTickClock, HostButton>;

#[entry]
fn main() -> ! {
    let heap_start = cortex_m_rt::heap_start() as usize;
    if heap_start + HEAP_SIZE > meter::STACK.bottom() {
        halt("heap and stack window overlap");
    }
    // SAFETY: once, before any allocation; the arena is unused RAM after .bss.
    unsafe { HEAP.init(heap_start, HEAP_SIZE) };
    let Some(core) = cortex_m::Peripherals::take() else {
        halt("core peripherals taken twice");
    };
    meter::start(core.SYST);
    uart::init();

    let [hi, lo] = (LINK_MAX as u16).to_be_bytes();
    uart::send(
        openpgp_card_applet_uart_link::HELLO,
        &[&[openpgp_card_applet_uart_link::VERSION, hi, lo]],
    );

    let mut link = Decoder::new(vec![0u8; LINK_MAX]);
    let mut response = vec![0u8; 8 * 1024];
    let mut card: Option<Card> = None;
    loop {
        let (kind, len) = next_frame(&mut link);
        match kind {
            openpgp_card_applet_uart_link::START => match Start::decode(link.payload(len)) {
                Some(mut start) => {
                    let started = start_card(&start);
                    start.seed.zeroize();
                    match started {
                        Ok(mut started) => {
                            started.power_on(Transport::Contact);
                            uart::send(
                                openpgp_card_applet_uart_link::POWERED,
                                &[&started.historical_bytes()],
                            );
                            card = Some(started);
                        }
                        Err(message) => {
                            uart::send(openpgp_card_applet_uart_link::ERROR, &[message.as_bytes()])
                        }
                    }
                }
                None => uart::send(openpgp_card_applet_uart_link::ERROR, &[b"bad START"]),
            },
            openpgp_card_applet_uart_link::POWER_ON => match card.as_mut() {
                Some(card) => {
                    let transport = match link.payload(len) {
                        [transport::CONTACTLESS] => Transport::Contactless,
                        _ => Transport::Contact,
                    };
                    card.power_on(transport);
                    uart::send(
                        openpgp_card_applet_uart_link::POWERED,
                        &[&card.historical_bytes()],
                    );
                }
                None => uart::send(
                    openpgp_card_applet_uart_link::ERROR,
                    &[b"POWER_ON before START"],
                ),
            },
            openpgp_card_applet_uart_link::COMMAND => match card.as_mut() {
                Some(card) => {
                    let (n, costs) =
                        meter::measure(&HEAP, || card.process(link.payload(len), &mut response));
                    let answer = response.get(..n).unwrap_or_default();
                    uart::send(
                        openpgp_card_applet_uart_link::RESPONSE,
                        &[&costs.encode(), answer],
                    );
                    if let Some(answer) = response.get_mut(..n) {
                        answer.zeroize();
                    }
                }
                None => uart::send(
                    openpgp_card_applet_uart_link::ERROR,
                    &[b"COMMAND before START"],
                ),
            },
            // A button answer nobody asked for (the request timed out on the host's side).
            openpgp_card_applet_uart_link::BUTTON => {}
            _ => uart::send(
                openpgp_card_applet_uart_link::ERROR,
                &[b"unknown frame kind"],
            ),
        }
        // Whatever the frame was: a command may have carried a PIN, START the seed.
        if let Some(payload) = link.buffer_mut().get_mut(..len) {
            payload.zeroize();
        }
    }
}

fn start_card(start: &Start) -> Result<Card, &'static str> {
    let storage = FlashStorage::new(RamNor::take(), 0..flash::CAPACITY as u32)
        .map_err(|_| "the flash store does not mount")?;
    let config = Config {
        serial: start.serial,
        wrong_pin_status: if start.flags & Start::WRONG_PIN_REMAINING_TRIES != 0 {
            WrongPinStatus::RemainingTries
        } else {
            WrongPinStatus::SecurityStatusNotSatisfied
        },
        ..Config::default()
    };
    let platform = Platform {
        storage,
        rng: ChaCha20Rng::from_seed(start.seed),
        clock: SysTickClock,
        user_presence: HostButton,
    };
    Ok(Applet::new(config, platform))
}

/// The next complete frame; a framing error is reported and skipped.
fn next_frame(link: &mut Decoder<alloc::vec::Vec<u8>>) -> (u8, usize) {
    loop {
        match link.push(uart::read_byte()) {
            Ok(Some(frame)) => return frame,
            Ok(None) => {}
            Err(_) => uart::send(openpgp_card_applet_uart_link::ERROR, &[b"framing error"]),
        }
    }
}

/// SysTick in virtual milliseconds.
struct SysTickClock;

impl Clock for SysTickClock {
    type Error = Infallible;

    fn now_ms(&mut self) -> Result<u64, Infallible> {
        Ok(meter::now_ms())
    }
}

/// The host's button: the request goes over the link, the answer comes back on it.
struct HostButton;

impl UserPresence for HostButton {
    type Error = Infallible;

    fn confirm(&mut self, timeout_ms: u32) -> Result<Presence, Infallible> {
        uart::send(
            openpgp_card_applet_uart_link::PRESENCE,
            &[&timeout_ms.to_be_bytes()],
        );
        let mut link = Decoder::new([0u8; 8]);
        loop {
            match link.push(uart::read_byte()) {
                Ok(Some((openpgp_card_applet_uart_link::BUTTON, len))) => {
                    return Ok(match link.payload(len) {
                        [button::CONFIRMED] => Presence::Confirmed,
                        [button::DENIED] => Presence::Denied,
                        _ => Presence::TimedOut,
                    })
                }
                Ok(Some(_)) | Err(_) => {
                    uart::send(openpgp_card_applet_uart_link::ERROR, &[b"expected BUTTON"]);
                }
                Ok(None) => {}
            }
        }
    }
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == 0 {
        uart::clear_interrupt();
    }
}

fn halt(message: &str) -> ! {
    uart::send(openpgp_card_applet_uart_link::ERROR, &[message.as_bytes()]);
    loop {
        cortex_m::asm::wfi();
    }
}

/// A panic is reported to the host (which fails whatever it was doing) and stops the device.
#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let mut text = Text::default();
    let _ = write!(text, "panic: {info}");
    let len = text.len;
    halt(core::str::from_utf8(text.bytes.get(..len).unwrap_or_default()).unwrap_or("panic"))
}

/// A fixed buffer for the panic message (the heap may be what failed).
struct Text {
    bytes: [u8; 256],
    len: usize,
}

impl Default for Text {
    fn default() -> Self {
        Text {
            bytes: [0; 256],
            len: 0,
        }
    }
}

impl core::fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &byte in s.as_bytes() {
            if let Some(slot) = self.bytes.get_mut(self.len) {
                *slot = byte;
                self.len += 1;
            }
        }
        Ok(())
    }
}
