//! What a command costs: instructions (SysTick under QEMU's `-icount shift=0`), the stack's
//! high-water mark (the free stack is painted before the command and scanned after it) and the
//! heap peak (a counting wrapper around the allocator). SysTick also drives the clock and the
//! keep-alive.

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;

// ---------------------------------------------------------------------------------------------
// Time

/// QEMU clocks the AN386's SysTick at 25 MHz; under `-icount shift=0` one instruction takes
/// 1 ns of virtual time, so a tick is 40 instructions.
pub const INSNS_PER_TICK: u64 = 40;
/// SysTick interrupts (and a running command's keep-alive) every
/// [`openpgp_card_applet_uart_link::KEEP_ALIVE_INSNS`] instructions: 2^20 ticks.
const RELOAD: u32 = (openpgp_card_applet_uart_link::KEEP_ALIVE_INSNS / INSNS_PER_TICK - 1) as u32;
const TICKS_PER_MS: u64 = 25_000;

static WRAPS: AtomicU32 = AtomicU32::new(0);
/// Set while the applet works on a command: SysTick then sends keep-alives.
static BUSY: AtomicBool = AtomicBool::new(false);

/// Starts SysTick.
pub fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(RELOAD);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

#[exception]
fn SysTick() {
    WRAPS.fetch_add(1, Ordering::Relaxed);
    if BUSY.load(Ordering::Relaxed) {
        crate::uart::send_from_handler(openpgp_card_applet_uart_link::KEEP_ALIVE);
    }
}

/// SysTick ticks since `start`.
pub fn ticks() -> u64 {
    loop {
        let wraps = WRAPS.load(Ordering::Relaxed);
        let current = SYST::get_current();
        if wraps == WRAPS.load(Ordering::Relaxed) {
            return u64::from(wraps) * (u64::from(RELOAD) + 1) + u64::from(RELOAD - current);
        }
    }
}

/// Milliseconds of virtual time since `start`.
pub fn now_ms() -> u64 {
    ticks() / TICKS_PER_MS
}

// ---------------------------------------------------------------------------------------------
// Heap and stack (benches/common/cortex_m_meter.rs, shared with the footprint session)

#[path = "../../../benches/common/cortex_m_meter.rs"]
mod probe;
pub use probe::CountingHeap;
use probe::StackWindow;

/// How much stack below the top of RAM is painted and scanned (RSA-4096 generation needs
/// about 16 KiB).
pub const STACK: StackWindow = StackWindow { bytes: 96 * 1024 };

// ---------------------------------------------------------------------------------------------
// One measured command

/// Runs `f` (one command) measured; keep-alives are sent while it runs.
#[inline(never)]
pub fn measure<T>(
    heap: &CountingHeap,
    f: impl FnOnce() -> T,
) -> (T, openpgp_card_applet_uart_link::Costs) {
    STACK.paint();
    let before = heap.reset_peak();
    let sp = cortex_m::register::msp::read() as usize;
    BUSY.store(true, Ordering::Relaxed);
    let start = ticks();
    let result = call(f);
    let insns = (ticks() - start) * INSNS_PER_TICK;
    BUSY.store(false, Ordering::Relaxed);
    let low = STACK.low_water();
    let peak = heap.peak();
    let costs = openpgp_card_applet_uart_link::Costs {
        insns,
        // u32::MAX: deeper than the measured window (raise STACK).
        stack: low.map_or(u32::MAX, |low| {
            u32::try_from(sp.saturating_sub(low)).unwrap_or(u32::MAX)
        }),
        heap: u32::try_from(peak.saturating_sub(before)).unwrap_or(u32::MAX),
    };
    (result, costs)
}

/// Never inlined: the stack pointer before it separates the command's stack from ours.
#[inline(never)]
fn call<T>(f: impl FnOnce() -> T) -> T {
    f()
}
