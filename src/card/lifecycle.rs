//! TERMINATE DF (§7.2.16) and ACTIVATE FILE (§7.2.17): the factory reset.
//!
//! The reset is built so that a power cut at any point leaves either the old card or a
//! terminated one, never a half-reset card that looks operational:
//! 1. TERMINATE DF writes the `LIFECYCLE` record (terminated) in one atomic write.
//! 2. ACTIVATE FILE removes every other record, then the `LIFECYCLE` record last. Until that
//!    final removal the card is still terminated, and ACTIVATE FILE can simply be sent again.

use crate::error::Error;
use crate::platform::{RecordId, Storage};
use crate::state::{loaded, Lifecycle, Persistent, Session};

use super::Card;

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// TERMINATE DF, spec §7.2.16: needs PW3, or no condition when PW3 is blocked or not
    /// usable (its record, or the life-cycle record, is unreadable). GnuPG's factory reset blocks PW3
    /// with wrong VERIFYs first and requires 9000 here.
    /// In the terminated state, where VERIFY cannot run, it is a no-op that answers 9000.
    pub(crate) fn terminate_df(&mut self) -> Result<(), Error> {
        if self.state.lifecycle == Ok(Lifecycle::Terminated) {
            return Ok(());
        }
        // "PW3 blocked or not usable (e.g. eeprom error)": an unreadable PIN record, or an
        // unreadable life-cycle record (which refuses VERIFY), would otherwise brick the card.
        let pw3_unusable = match (&self.state.security, &self.state.lifecycle) {
            (Ok(security), Ok(_)) => security.pw3.is_blocked(),
            _ => true,
        };
        if !self.session.pw3 && !pw3_unusable {
            return Err(Error::NotAuthorized);
        }
        // Whatever the write's outcome, nothing decoded from the old records may answer again:
        // the keys go first, and on an error the life-cycle state is read back from storage,
        // which may hold either value.
        self.state.forget_decoded();
        self.session.clear_access();
        let written = self
            .store
            .write(RecordId::LIFECYCLE, |w| Lifecycle::Terminated.encode(w));
        self.state.lifecycle = match written {
            Ok(_) => Ok(Lifecycle::Terminated),
            Err(_) => loaded(self.store.read(RecordId::LIFECYCLE, Lifecycle::decode)),
        };
        written.map(drop)
    }

    /// ACTIVATE FILE, spec §7.2.17: in the terminated state, returns every DO, key, PIN and
    /// counter to its factory value; in the operational state it does nothing. With an
    /// unreadable life-cycle record it answers 6581: TERMINATE DF first rewrites the record.
    ///
    /// Never inlined: its frame (about 1.4 KiB, the factory records) would otherwise be part
    /// of `dispatch`'s, which every command pays (BENCHMARKS.md, finding 5).
    #[inline(never)]
    pub(crate) fn activate_file(&mut self) -> Result<(), Error> {
        match self.state.lifecycle {
            Ok(Lifecycle::Operational) => Ok(()),
            Err(_) => Err(Error::Storage),
            Ok(Lifecycle::Terminated) => {
                // The records in RAM, the keys decoded from them and the session all end
                // here, whether the removals finish or not: on an error the card reloads what
                // storage holds (still terminated, since the life-cycle record goes last).
                let removed = RecordId::ALL
                    .iter()
                    .try_for_each(|&id| self.store.remove(id));
                self.state = Persistent::load(&mut self.store, &self.config);
                self.session = Session::new(self.session.transport);
                removed
            }
        }
    }
}
