//! A clock that moves only when told to.

use core::convert::Infallible;

use openpgp_card_applet::platform::Clock;

/// A monotonic clock driven by the test: [`advance`](ManualClock::advance) moves it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManualClock {
    now_ms: u64,
}

impl ManualClock {
    /// A clock at 0 ms.
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, ms: u64) {
        self.now_ms = self.now_ms.saturating_add(ms);
    }
}

impl Clock for ManualClock {
    type Error = Infallible;

    fn now_ms(&mut self) -> Result<u64, Infallible> {
        Ok(self.now_ms)
    }
}
