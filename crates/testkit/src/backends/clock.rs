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

/// The host's monotonic clock: milliseconds since the clock was made (the virtual card and
/// the USB device run on it).
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug)]
pub struct InstantClock(std::time::Instant);

#[cfg(feature = "std")]
impl InstantClock {
    /// A clock at 0 ms now.
    pub fn new() -> InstantClock {
        InstantClock(std::time::Instant::now())
    }
}

#[cfg(feature = "std")]
impl Default for InstantClock {
    fn default() -> InstantClock {
        InstantClock::new()
    }
}

#[cfg(feature = "std")]
impl Clock for InstantClock {
    type Error = Infallible;

    fn now_ms(&mut self) -> Result<u64, Infallible> {
        Ok(u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX))
    }
}
