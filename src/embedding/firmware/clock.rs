use core::convert::Infallible;
use core::sync::atomic::{AtomicU32, Ordering};
use openpgp_card_applet::Clock;

static MS_LOW: AtomicU32 = AtomicU32::new(0);
static MS_HIGH: AtomicU32 = AtomicU32::new(0);

/// Call from the SysTick (or RTC) interrupt every millisecond: the only writer.
pub fn on_tick() {
    let low = MS_LOW.load(Ordering::Relaxed).wrapping_add(1);
    MS_LOW.store(low, Ordering::Relaxed);
    if low == 0 {
        MS_HIGH.store(
            MS_HIGH.load(Ordering::Relaxed).wrapping_add(1),
            Ordering::Relaxed,
        );
    }
}

/// Milliseconds since boot, as the tick interrupt counts them.
pub struct TickClock;

impl Clock for TickClock {
    type Error = Infallible;

    fn now_ms(&mut self) -> Result<u64, Infallible> {
        loop {
            // The interrupt cannot be preempted by this code: if the high word is the same
            // before and after, the low word belongs to it.
            let high = MS_HIGH.load(Ordering::Acquire);
            let low = MS_LOW.load(Ordering::Acquire);
            if MS_HIGH.load(Ordering::Acquire) == high {
                return Ok(u64::from(high) << 32 | u64::from(low));
            }
        }
    }
}
