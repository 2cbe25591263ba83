//! UART0 of the MPS2 AN386 (an Arm CMSDK APB UART at 0x4000_4000), QEMU's first `-serial`:
//! polled transmit, receive woken by its RX interrupt (IRQ 0), and the link's frames on top.
//!
//! Registers (Arm CMSDK APB UART, as QEMU's `cmsdk-apb-uart` models them): DATA (0x00),
//! STATE (0x04: bit 0 TX full, bit 1 RX full), CTRL (0x08: bit 0 TX enable, bit 1 RX enable,
//! bit 3 RX interrupt enable), INTSTATUS (0x0C, write 1 to clear), BAUDDIV (0x10; QEMU moves
//! no byte while it is below 16).

use core::ptr::{read_volatile, write_volatile};

use cortex_m::interrupt;
use cortex_m::peripheral::NVIC;

const BASE: usize = 0x4000_4000;
const DATA: usize = BASE;
const STATE: usize = BASE + 0x04;
const CTRL: usize = BASE + 0x08;
const INTSTATUS: usize = BASE + 0x0C;
const BAUDDIV: usize = BASE + 0x10;

const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const CTRL_TX_EN: u32 = 1 << 0;
const CTRL_RX_EN: u32 = 1 << 1;
const CTRL_RX_INT_EN: u32 = 1 << 3;

/// UART0's receive interrupt on the AN386.
#[derive(Clone, Copy)]
struct Uart0Rx;

// SAFETY: IRQ 0 is UART0 RX on the MPS2 AN385/AN386 (QEMU hw/arm/mps2.c wires UART n's RX to
// IRQ 2n).
unsafe impl cortex_m::interrupt::InterruptNumber for Uart0Rx {
    fn number(self) -> u16 {
        0
    }
}

fn read(register: usize) -> u32 {
    // SAFETY: a register of UART0, a device that exists on this machine at this address.
    unsafe { read_volatile(register as *const u32) }
}

fn write(register: usize, value: u32) {
    // SAFETY: as in `read`.
    unsafe { write_volatile(register as *mut u32, value) }
}

/// Enables the UART, with its receive interrupt as a wake-up source.
pub fn init() {
    write(BAUDDIV, 16);
    write(CTRL, CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN);
    // SAFETY: the handler (`clear_interrupt`, from `DefaultHandler`) only acknowledges it.
    unsafe { NVIC::unmask(Uart0Rx) };
}

/// Acknowledges the receive interrupt (its only job is to end a `wfi`).
pub fn clear_interrupt() {
    write(INTSTATUS, 0xF);
    NVIC::unpend(Uart0Rx);
}

/// The next received byte; sleeps (`wfi`) until one arrives.
pub fn read_byte() -> u8 {
    loop {
        let byte = interrupt::free(|_| {
            if read(STATE) & STATE_RX_FULL != 0 {
                return Some(read(DATA) as u8);
            }
            // With interrupts masked, a pending interrupt still ends the wait; the handler
            // runs when the critical section ends. No byte can slip in between the check and
            // the wait.
            cortex_m::asm::wfi();
            None
        });
        if let Some(byte) = byte {
            return byte;
        }
    }
}

fn write_byte(byte: u8) {
    while read(STATE) & STATE_TX_FULL != 0 {}
    write(DATA, u32::from(byte));
}

/// Sends one frame, made of `parts`, with interrupts masked so that the SysTick keep-alive
/// never lands inside it.
pub fn send(kind: u8, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|part| part.len()).sum();
    let len = u16::try_from(len).unwrap_or(u16::MAX);
    interrupt::free(|_| {
        for byte in openpgp_card_applet_uart_link::header(kind, len) {
            write_byte(byte);
        }
        let mut left = usize::from(len);
        for part in parts {
            for &byte in part.iter().take(left) {
                write_byte(byte);
            }
            left = left.saturating_sub(part.len());
        }
    });
}

/// Sends a frame from an interrupt handler (the keep-alive): interrupts are already masked for
/// the main program's frames, so this never interleaves with them.
pub fn send_from_handler(kind: u8) {
    for byte in openpgp_card_applet_uart_link::header(kind, 0) {
        write_byte(byte);
    }
}
