// The minimal firmware: the applet on QEMU's mps2-an386 (a Cortex-M4), answering the first
// exchange of a host. Built by examples/minimal-firmware; every file beside this one is a
// block of the embedding guide (`openpgp_card_applet::embedding`).

#![no_std]
#![no_main]

extern crate alloc;

mod button;
mod card;
mod clock;
mod exchange;
mod hal;
mod rng;
mod storage;

use alloc::vec;
use core::mem::MaybeUninit;
use core::panic::PanicInfo;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use cortex_m_semihosting::hio;
use embedded_alloc::LlffHeap;

use crate::exchange::Wrong;
use crate::hal::{Pin, RamFlash, Trng};

/// The heap: the applet's peak over a whole session (its 12 KiB of buffers at the default
/// `Config`; 55 KiB while signing with one of three RSA-4096 keys, section 8), the store's
/// record buffer (4 KiB), and here the 32 KiB RAM flash, which a device has in flash instead.
const HEAP_SIZE: usize = 96 * 1024;

#[global_allocator]
static HEAP: LlffHeap = LlffHeap::empty();

/// The core clock of the AN386 (25 MHz): SysTick counts it down once a millisecond.
const CORE_HZ: u32 = 25_000_000;

#[entry]
fn main() -> ! {
    {
        static mut ARENA: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
        // SAFETY: once, before the first allocation; nothing else uses the arena.
        unsafe { HEAP.init(&raw mut ARENA as usize, HEAP_SIZE) }
    }
    let Some(mut core) = cortex_m::Peripherals::take() else {
        finish(Err("core peripherals taken twice"))
    };
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(CORE_HZ / 1_000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();

    let flash = RamFlash::new(storage::RECORDS.end as usize);
    // A device takes the serial number from the chip's unique id: the same at every boot.
    let Ok(mut card) = card::start(flash, Trng::new(0x5EED), Pin::default(), 0x1234_5678) else {
        finish(Err("the record range breaks a rule of FlashStorage::new"))
    };
    // Any answer in one piece: `max_response_len` and the status word.
    let mut response = vec![0u8; usize::from(card.config().max_response_len) + 2];
    finish(
        exchange::first_exchange(&mut card, &mut response).map_err(|wrong| match wrong {
            Wrong::Select => "SELECT answered wrongly",
            Wrong::ApplicationData => "GET DATA 6E answered wrongly",
            Wrong::HistoricalBytes => "GET DATA 5F52 answered wrongly",
            Wrong::PinStatus => "GET DATA C4 answered wrongly",
        }),
    )
}

/// Reports the outcome to the host and stops: QEMU (`-semihosting`) exits with 0 or 1. A
/// device has no semihosting host (the call would fault): it would serve its transport here.
fn finish(outcome: Result<(), &str>) -> ! {
    let (text, status) = match outcome {
        Ok(()) => (
            "minimal-firmware: SELECT, GET DATA 6E, 5F52, C4 answered",
            EXIT_SUCCESS,
        ),
        Err(what) => (what, EXIT_FAILURE),
    };
    if let Ok(mut stdout) = hio::hstdout() {
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.write_all(b"\n");
    }
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}

#[exception]
fn SysTick() {
    clock::on_tick();
}

/// No formatting: `PanicInfo`'s `Display` would link `core::fmt` for the messages of every
/// crate (tens of KiB). Under QEMU the run fails; a device would reset here.
#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    debug::exit(EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
