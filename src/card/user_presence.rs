//! User presence (spec §4.1.3.2 7F74, §4.4.3.6 UIF D6–D8).
//!
//! UIF modes (first byte of D6/D7/D8): 00 off, 01 on, 02 permanently on, and YubiKey's 03
//! cached and 04 permanently cached. With UIF on, PSO:CDS (D6), PSO:DECIPHER and PSO:ENCIPHER
//! (D7) and INTERNAL AUTHENTICATE (D8) ask the [`UserPresence`] trait before they run; a refusal,
//! a timeout or a device error answers 6600 and the operation does not run (a forced signature PIN
//! is used up all the same, see `compute_digital_signature`). After MANAGE SECURITY ENVIRONMENT
//! the stricter of the operation's and the key slot's UIF applies. In the cached modes a touch is
//! honoured for the touch cache time (set by the firmware, 0..=255 s; 0 means every operation
//! asks), measured with the [`Clock`]. Touch applies on the contact/USB interface only: on
//! contactless the operation proceeds without asking.

use crate::error::Error;
use crate::platform::{Clock, Presence, RecordId, Storage, Transport, UserPresence};
use crate::spec::Slot;
use crate::state::usable;

use super::Card;

/// UIF modes whose touch is cached.
const CACHED_MODES: [u8; 2] = [0x03, 0x04];

impl<S: Storage, R, C: Clock, U: UserPresence> Card<S, R, C, U> {
    /// Asks for user presence before an operation of `operation`'s kind (SIG: PSO:CDS, DEC:
    /// PSO:DECIPHER/ENCIPHER, AUT: INTERNAL AUTHENTICATE) with the key of slot `key`, when
    /// their UIF says so.
    ///
    /// The two differ only after MANAGE SECURITY ENVIRONMENT (DECIPHER with the AUT key,
    /// INTERNAL AUTHENTICATE with the DEC key). Then the stricter of the two UIFs applies, so
    /// that MSE cannot sidestep a key's own touch policy (the spec, §4.4.3.6 and §7.2.18, does
    /// not say which UIF governs a swapped key): no touch only when neither asks for one, a
    /// cached touch only when every UIF that asks is a cached mode and its cache is still
    /// valid, and otherwise a fresh touch, which then counts for both.
    pub(crate) fn confirm_presence(&mut self, operation: Slot, key: Slot) -> Result<(), Error> {
        if self.session.transport == Transport::Contactless {
            return Ok(());
        }
        let settings = usable(&self.state.settings)?;
        let mode = |slot: Slot| settings.uif.get(slot.index()).copied().unwrap_or(0);
        let governing = [
            (operation.index(), mode(operation)),
            (key.index(), mode(key)),
        ];
        if governing.iter().all(|&(_, mode)| mode == 0) {
            return Ok(());
        }
        let cached = governing.iter().all(|&(index, mode)| {
            mode == 0 || (CACHED_MODES.contains(&mode) && self.touch_is_cached(index))
        });
        if cached {
            return Ok(());
        }
        match self.user_presence.confirm(self.config.touch_timeout_ms) {
            Ok(Presence::Confirmed) => {
                let now = self.clock.now_ms().ok();
                for slot in [operation, key] {
                    if let Some(last) = self.session.last_touch.get_mut(slot.index()) {
                        *last = now;
                    }
                }
                Ok(())
            }
            Ok(Presence::Denied | Presence::TimedOut) | Err(_) => Err(Error::UserPresence),
        }
    }

    /// Whether the last touch for this operation is younger than the touch cache time
    /// (strictly: at exactly the cache time it has expired). A clock error, or a clock that
    /// went backwards, counts as expired.
    fn touch_is_cached(&mut self, index: usize) -> bool {
        let cache_ms = match self.state.touch_cache_time {
            Ok(seconds) => u64::from(seconds) * 1000,
            Err(_) => 0,
        };
        let Some(Some(last)) = self.session.last_touch.get(index).copied() else {
            return false;
        };
        match self.clock.now_ms() {
            Ok(now) => now.checked_sub(last).is_some_and(|age| age < cache_ms),
            Err(_) => false,
        }
    }

    /// Sets the touch cache time (persisted; not reset by the OpenPGP factory reset, because
    /// the product configures it outside the OpenPGP application).
    pub(crate) fn set_touch_cache_time(&mut self, seconds: u8) -> Result<(), Error> {
        self.store
            .write(RecordId::TOUCH_CACHE_TIME, |w| w.raw(&[seconds]))?;
        match &mut self.state.touch_cache_time {
            Ok(value) => *value = seconds,
            corrupt => *corrupt = Ok(seconds),
        }
        // A shorter cache must not honour touches older than it: start afresh.
        self.session.last_touch = [None; 3];
        Ok(())
    }
}
