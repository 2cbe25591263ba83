use core::convert::Infallible;
use openpgp_card_applet::{Clock, Presence, UserPresence};

use crate::hal::Pin;

/// The touch button, timed by the same [`Clock`] the applet gets.
pub struct Button<C> {
    pub pin: Pin,
    pub clock: C,
}

impl<C: Clock> UserPresence for Button<C> {
    type Error = Infallible;

    fn confirm(&mut self, timeout_ms: u32) -> Result<Presence, Infallible> {
        // Without a working clock there is no timeout to keep: refuse rather than wait forever.
        let Ok(start) = self.clock.now_ms() else {
            return Ok(Presence::TimedOut);
        };
        let deadline = start.saturating_add(u64::from(timeout_ms));
        let mut released = !self.pin.is_pressed();
        let mut pressed_since = None;
        while let Ok(now) = self.clock.now_ms() {
            if now >= deadline {
                break;
            }
            // (Blink the LED here.)
            match (self.pin.is_pressed(), pressed_since) {
                (false, _) => {
                    released = true;
                    pressed_since = None;
                }
                (true, None) if released => pressed_since = Some(now),
                (true, Some(since)) if now.saturating_sub(since) >= 20 => {
                    return Ok(Presence::Confirmed)
                }
                (true, _) => {}
            }
        }
        Ok(Presence::TimedOut)
    }
}
