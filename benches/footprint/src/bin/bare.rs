//! The applet with all eight algorithms (and AES) behind the smallest APDU loop a firmware has:
//! the flash and static RAM figures of BENCHMARKS.md come from this image.
//!
//! The transport is a stand-in: a command is read from, and the answer written to, a buffer in
//! RAM with volatile accesses (where a USB CCID or NFC driver would put them), so the compiler
//! cannot see which commands arrive and keeps every handler and algorithm. Storage, RNG, clock
//! and button are the test kit's in-memory backends, in place of a device's flash, TRNG, timer
//! and button drivers.

#![no_std]
#![no_main]

extern crate alloc;

use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};

// The single-core critical-section implementation the allocator locks with.
use cortex_m as _;
use cortex_m_rt::entry;
use embedded_alloc::LlffHeap;
use panic_halt as _;

use openpgp_card_applet::{Applet, Config, Platform, Presence, Transport};
use openpgp_card_applet_testkit::backends::{ManualClock, MemoryStorage, ScriptedButton, TestRng};

#[global_allocator]
static HEAP: LlffHeap = LlffHeap::empty();
const HEAP_SIZE: usize = 64 * 1024;

/// A short APDU at most (a CCID driver would chain longer ones): 5 + 255 + 1 bytes.
const APDU_MAX: usize = 261;
/// The transport's buffers: length first, then the bytes.
static mut COMMAND_LEN: usize = 0;
static mut COMMAND: [u8; APDU_MAX] = [0; APDU_MAX];
static mut RESPONSE_LEN: usize = 0;
static mut RESPONSE: [u8; 258] = [0; 258];

#[entry]
fn main() -> ! {
    // SAFETY: called once, before any allocation; the arena is unused RAM after .bss.
    unsafe { HEAP.init(cortex_m_rt::heap_start() as usize, HEAP_SIZE) };
    let platform = Platform {
        storage: MemoryStorage::new(),
        rng: TestRng::seed_from_u64(1),
        clock: ManualClock::new(),
        user_presence: ScriptedButton::always(Presence::Confirmed),
    };
    let mut card = Applet::new(Config::default(), platform);
    card.power_on(Transport::Contact);
    let mut command = [0u8; APDU_MAX];
    let mut response = [0u8; 258];
    loop {
        // SAFETY: single-threaded; the "driver" owns these buffers between commands.
        let len = unsafe { read_volatile(addr_of!(COMMAND_LEN)) }.min(APDU_MAX);
        if len == 0 {
            continue;
        }
        for (i, byte) in command.iter_mut().enumerate().take(len) {
            *byte = unsafe { read_volatile(addr_of!(COMMAND[i])) };
        }
        let n = card.process(&command[..len], &mut response);
        for (i, byte) in response.iter().enumerate().take(n) {
            unsafe { write_volatile(addr_of_mut!(RESPONSE[i]), *byte) };
        }
        unsafe {
            write_volatile(addr_of_mut!(RESPONSE_LEN), n);
            write_volatile(addr_of_mut!(COMMAND_LEN), 0);
        }
    }
}
