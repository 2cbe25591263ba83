//! What the footprint images under QEMU share (`session` and `generate`): the counting heap,
//! the painted stack window, the SysTick instruction counter, and [`Session`], which sends
//! command APDUs to an applet and measures one command at a time.
//!
//! Every measured command prints one line:
//! - `stack`: bytes of stack the applet used at its deepest point, below the stack pointer of
//!   the `Applet::process` call (what the applet adds to the firmware's own frames);
//! - `total`: the same depth measured from the top of RAM (with the reset handler's, `main`'s
//!   and this harness's frames);
//! - `heap+`: the largest amount of heap the command held on top of what was in use before it
//!   (its transient need);
//! - `heap`: the largest total heap in use during the command (the applet's fixed buffers,
//!   its in-RAM storage backend and key cache, and the command's transient need);
//! - `insns`: instructions executed, read from SysTick under `-icount shift=0` (1 instruction =
//!   1 ns of virtual time; SysTick at 25 MHz counts 40 instructions a tick). A real Cortex-M4
//!   takes at least one cycle per instruction: a lower bound on cycles, not a timing.

// Each binary uses its own part of it.
#![allow(dead_code)]

use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use cortex_m_semihosting::{debug, hprintln};

use openpgp_card_applet::{Applet, Config, Platform, Transport};
use openpgp_card_applet_testkit::backends::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
use openpgp_card_applet_testkit::test_platform;

use crate::apdus::extended;
use crate::meter::{CountingHeap, StackWindow};

// ---------------------------------------------------------------------------------------------
// Heap and stack (benches/common/cortex_m_meter.rs, shared with the emulated firmware)

#[global_allocator]
pub static HEAP: CountingHeap = CountingHeap::new();

/// The heap arena, right after .bss (cortex-m-rt's `__sheap`).
const HEAP_SIZE: usize = 256 * 1024;

/// How much of the stack is painted and scanned (it is measured from the top of RAM).
pub const STACK: StackWindow = StackWindow { bytes: 128 * 1024 };

fn stack_low_water() -> usize {
    STACK
        .low_water()
        .unwrap_or_else(|| fail("the stack went past the measured window: raise STACK"))
}

/// The measured call, never inlined, so that the stack pointer before it separates the
/// measured code's stack from the harness's.
#[inline(never)]
fn call(f: &mut dyn FnMut()) {
    f()
}

/// Called right after the measured call returns: `profile.sh` and `ct_check.sh` end a segment
/// at its first block (`call` tail-calls the measured code, so its own return is no marker).
#[inline(never)]
fn call_returned() {
    core::hint::black_box(());
}

// ---------------------------------------------------------------------------------------------
// Instruction count: SysTick under QEMU's -icount shift=0.

static SYSTICK_WRAPS: AtomicU32 = AtomicU32::new(0);
const SYSTICK_RELOAD: u32 = 0x00FF_FFFF;
/// The core and the machine the image runs on, for the banners.
#[cfg(not(footprint_m33))]
pub const CORE: &str = "Cortex-M4, QEMU mps2-an386";
/// The core and the machine the image runs on, for the banners.
#[cfg(footprint_m33)]
pub const CORE: &str = "Cortex-M33, QEMU mps2-an505";

/// Instructions per SysTick tick: 1 ns per instruction, SysTick clocked at 25 MHz (QEMU's
/// mps2-an386).
#[cfg(not(footprint_m33))]
const INSNS_PER_TICK: u64 = 40;
/// The same on QEMU's mps2-an505 (Cortex-M33), whose system clock is 20 MHz.
#[cfg(footprint_m33)]
const INSNS_PER_TICK: u64 = 50;

#[exception]
fn SysTick() {
    SYSTICK_WRAPS.fetch_add(1, Ordering::Relaxed);
}

fn ticks() -> u64 {
    loop {
        let wraps = SYSTICK_WRAPS.load(Ordering::Relaxed);
        let current = cortex_m::peripheral::SYST::get_current();
        if wraps == SYSTICK_WRAPS.load(Ordering::Relaxed) {
            return u64::from(wraps) * (u64::from(SYSTICK_RELOAD) + 1)
                + u64::from(SYSTICK_RELOAD - current);
        }
    }
}

/// Restarts SysTick's count at a wrap, so that its next interrupt comes 2^24 ticks (671 M
/// instructions) later. Called before a measured call, it keeps the interrupt out of a call
/// shorter than that, and puts it at the same instruction of longer calls that run the same
/// code: `ct_check.sh` compares such calls' traces block by block. The counter stays
/// monotonic: the restart counts as a wrap.
pub fn restart_counter() {
    // Writing SYST_CVR clears it; it reloads at the next tick, without an interrupt. The
    // wrap is counted first, then the reload awaited, so `ticks()` never goes back.
    cortex_m::interrupt::free(|_| {
        SYSTICK_WRAPS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: a write to SysTick's current value register, which only clears it.
        unsafe { (*cortex_m::peripheral::SYST::PTR).cvr.write(0) };
        while cortex_m::peripheral::SYST::get_current() == 0 {}
    });
}

/// Gives the heap its arena and starts the instruction counter; first thing in `main`.
pub fn init() {
    let heap_start = cortex_m_rt::heap_start() as usize;
    if heap_start + HEAP_SIZE > STACK.bottom() {
        fail("heap and stack window overlap");
    }
    // SAFETY: called once, before any allocation; the arena is unused RAM after .bss.
    unsafe { HEAP.init(heap_start, HEAP_SIZE) };

    let Some(mut core) = cortex_m::Peripherals::take() else {
        fail("the core peripherals were taken twice");
    };
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(SYSTICK_RELOAD);
    core.SYST.clear_current();
    core.SYST.enable_interrupt();
    core.SYST.enable_counter();
}

/// Ends QEMU with a failure exit code.
pub fn fail(message: &str) -> ! {
    hprintln!("FAILED: {}", message);
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Ends QEMU with success.
pub fn exit_success() -> ! {
    debug::exit(debug::EXIT_SUCCESS);
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Runs `f` once, measured: paints the stack, resets the heap peak, and prints a line. The
/// call between is one segment of `profile.sh`'s and `ct_check.sh`'s traces.
pub fn measure(label: &str, f: &mut dyn FnMut()) -> Measured {
    STACK.paint();
    let before = HEAP.reset_peak();
    let start = ticks();
    let sp = cortex_m::register::msp::read() as usize;
    call(f);
    call_returned();
    let insns = (ticks() - start) * INSNS_PER_TICK;
    let low = stack_low_water();
    let peak = HEAP.peak();
    let (stack, total) = (sp - low, STACK.top() - low);
    hprintln!(
        "{:<30} stack {:>6} B  total {:>6} B  heap+ {:>6} B  heap {:>6} B  insns {:>10}",
        label,
        stack,
        total,
        peak - before,
        peak,
        insns
    );
    Measured {
        stack,
        total,
        insns,
    }
}

// ---------------------------------------------------------------------------------------------
// The session

pub type Card = Applet<MemoryStorage, TestRng, ManualClock, ScriptedButton>;

pub const SELECT: &[u8] = &[
    0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
];
pub const VERIFY_81: &[u8] = b"\x00\x20\x00\x81\x06123456";
pub const VERIFY_82: &[u8] = b"\x00\x20\x00\x82\x06123456";
pub const VERIFY_83: &[u8] = b"\x00\x20\x00\x83\x0812345678";

/// Control reference tags of the signature and decryption slots.
pub const SIG: u8 = 0xB6;
pub const DEC: u8 = 0xB8;
/// Curve OIDs of the algorithm attributes (spec §4.4.3.10).
pub const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
pub const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
pub const OID_K256: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
pub const OID_ED25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01];
pub const OID_CV25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01];

/// A fresh card (in-RAM storage, factory defaults) whose random generator is seeded with
/// `seed` (a device passes its hardware RNG), powered on over the contact interface.
pub fn card(seed: u64) -> Card {
    let platform = Platform {
        rng: TestRng::seed_from_u64(seed),
        ..test_platform(MemoryStorage::new())
    };
    let mut card = Applet::new(Config::default(), platform);
    card.power_on(Transport::Contact);
    card
}

/// One measured command.
#[derive(Clone, Copy)]
pub struct Measured {
    /// Stack below the call.
    pub stack: usize,
    /// Stack from the top of RAM.
    pub total: usize,
    pub insns: u64,
}

pub struct Session {
    pub card: Option<Card>,
    pub response: Vec<u8>,
}

/// The deepest stack of any measured command so far, below the call and from the top of RAM.
static WORST_APPLET_STACK: AtomicUsize = AtomicUsize::new(0);
static WORST_STACK: AtomicUsize = AtomicUsize::new(0);

/// The deepest stack of any measured command so far: (below the call, from the top of RAM).
pub fn worst_stack() -> (usize, usize) {
    (
        WORST_APPLET_STACK.load(Ordering::Relaxed),
        WORST_STACK.load(Ordering::Relaxed),
    )
}

impl Session {
    pub fn new(card: Card) -> Session {
        Session {
            card: Some(card),
            response: vec![0u8; 4096 + 2],
        }
    }

    /// Runs `f` once, measured (see [`measure`]).
    pub fn measure(&mut self, label: &str, f: &mut dyn FnMut()) -> Measured {
        measure(label, f)
    }

    /// Sends `apdu`, fails unless it answers 9000 (and `expected`, if given); with `label` the
    /// command is measured and a line printed. Returns the length of the response data, which
    /// stays in `self.response`, and the measurement.
    pub fn exchange(
        &mut self,
        label: Option<&str>,
        apdu: &[u8],
        expected: Option<&[u8]>,
    ) -> (usize, Option<Measured>) {
        let Some(mut card) = self.card.take() else {
            fail("no card");
        };
        let mut response = core::mem::take(&mut self.response);
        let mut n = 0;
        let measured = match label {
            None => {
                n = card.process(apdu, &mut response);
                None
            }
            Some(label) => {
                let m = self.measure(label, &mut || n = card.process(apdu, &mut response));
                WORST_APPLET_STACK.fetch_max(m.stack, Ordering::Relaxed);
                WORST_STACK.fetch_max(m.total, Ordering::Relaxed);
                Some(m)
            }
        };
        if n < 2 || response[n - 2..n] != [0x90, 0x00] {
            hprintln!(
                "{:02X?} answered {:02X?}",
                &apdu[..4],
                &response[n.saturating_sub(2)..n]
            );
            fail("unexpected status word");
        }
        if let Some(expected) = expected {
            if &response[..n - 2] != expected {
                hprintln!("{:02X?}: wrong answer", &apdu[..4]);
                fail("wrong answer");
            }
        }
        self.card = Some(card);
        self.response = response;
        (n - 2, measured)
    }

    /// [`Session::exchange`] without the measurement.
    pub fn send(&mut self, label: Option<&str>, apdu: &[u8], expected: Option<&[u8]>) -> usize {
        self.exchange(label, apdu, expected).0
    }

    /// The response data of the last command.
    pub fn answer(&self, n: usize) -> &[u8] {
        &self.response[..n]
    }

    pub fn put_data(&mut self, tag: u16, data: &[u8]) {
        let [p1, p2] = tag.to_be_bytes();
        self.send(None, &extended(0xDA, p1, p2, data), None);
    }

    /// PSO:CDS whose answer (a hedged ECDSA signature, different every time) must satisfy
    /// `verifies`.
    pub fn sign_verified(&mut self, label: &str, input: &[u8], verifies: &dyn Fn(&[u8]) -> bool) {
        self.send(None, VERIFY_81, None);
        let n = self.send(Some(label), &extended(0x2A, 0x9E, 0x9A, input), None);
        if !verifies(&self.response[..n]) {
            fail("the signature does not verify");
        }
    }

    /// Sets the slot's attributes and imports a key: `4D { crt 00, 7F48 {..}, 5F48 {..} }`.
    pub fn import(&mut self, label: &str, crt: u8, attributes: &[u8], components: &[(u8, &[u8])]) {
        self.put_data(crate::apdus::attributes_tag(crt), attributes);
        self.send(Some(label), &crate::apdus::import(crt, components), None);
    }

    /// Sends `apdu` and fails unless the card answers exactly the status word `sw`.
    pub fn expect_status(&mut self, apdu: &[u8], sw: [u8; 2]) {
        let Some(mut card) = self.card.take() else {
            fail("no card");
        };
        let n = card.process(apdu, &mut self.response);
        self.card = Some(card);
        if n != 2 || self.response[..2] != sw {
            hprintln!("{:02X?} answered {:02X?}", &apdu[..4], &self.response[..n]);
            fail("unexpected answer");
        }
    }

    /// Reads the public key of the slot of `crt` (GENERATE `47 81`, spec §7.2.14) and fails
    /// unless its point (`7F49 { 86 .. }`) is `expected`.
    pub fn expect_public_point(&mut self, crt: u8, expected: &[u8]) {
        let n = self.send(None, &extended(0x47, 0x81, 0x00, &[crt, 0x00]), None);
        let answer = &self.response[..n];
        let point = openpgp_card_applet::tlv::Reader::new(answer)
            .expect(0x7F49)
            .ok()
            .and_then(|body| {
                let mut reader = openpgp_card_applet::tlv::Reader::new(body);
                reader.expect(0x86).ok()
            });
        if point != Some(expected) {
            fail("the card's public key is not the known one");
        }
    }

    pub fn sign(&mut self, label: &str, input: &[u8], expected: &[u8]) {
        self.send(None, VERIFY_81, None);
        self.send(
            Some(label),
            &extended(0x2A, 0x9E, 0x9A, input),
            Some(expected),
        );
    }

    pub fn decipher(&mut self, label: &str, data: &[u8], expected: &[u8]) {
        self.send(
            Some(label),
            &extended(0x2A, 0x80, 0x86, data),
            Some(expected),
        );
    }
}
