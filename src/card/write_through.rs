//! Writes that keep the records in RAM and in storage in step: the new value is written first
//! and only then becomes the state in RAM; after a failed write RAM reads the record back.

use crate::error::Error;
use crate::platform::{RecordId, Storage};
use crate::state::{
    load_security, loaded, usable, usable_mut, Counters, Persisted, Security, Settings,
};

use super::Card;

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// Applies `change` to a copy of the PINs and KDF-DO, writes the security record with a
    /// new epoch, and only then makes it the state in RAM. The record carries the counters
    /// the card holds (with the change applied), and its new epoch is above every epoch stored,
    /// so the stored retry counters record no longer applies: one atomic write, whose cut
    /// leaves the old PINs and counters or the new ones (`state/records/retry_counters.rs`).
    /// On a storage error the write may or may not have reached the medium, so RAM reads the
    /// records back (an unreadable one answers 6581 until power-off): no PIN state in RAM
    /// outlives what storage holds, and nothing is compared after a failed write.
    pub(crate) fn update_security<T>(
        &mut self,
        change: impl FnOnce(&mut Security) -> Result<T, Error>,
    ) -> Result<(T, Persisted), Error> {
        let mut next = usable(&self.state.security)?.clone();
        let value = change(&mut next)?;
        next.epochs.security = Some(next.epochs.next()?);
        match self.store.write(RecordId::SECURITY, |w| next.encode(w)) {
            Ok(proof) => {
                *usable_mut(&mut self.state.security)? = next;
                Ok((value, proof))
            }
            Err(error) => {
                self.reload_security();
                Err(error)
            }
        }
    }

    /// Applies `change` (which can only take a try or restore a counter) to a copy of the
    /// PINs, writes the retry counters record with the security record's epoch, and only then
    /// makes it the state in RAM: VERIFY's writes, 13 bytes each. A security record without an
    /// epoch (an earlier release's, or none: the factory state) is first written unchanged
    /// with one. On a storage error RAM reads the records back, as in
    /// [`update_security`](Self::update_security).
    pub(crate) fn update_counters<T>(
        &mut self,
        change: impl FnOnce(&mut Counters<'_>) -> Result<T, Error>,
    ) -> Result<(T, Persisted), Error> {
        let mut next = usable(&self.state.security)?.clone();
        let value = change(&mut next.counters())?;
        if next.epochs.security.is_none() {
            self.update_security(|_| Ok(()))?;
            next.epochs = usable(&self.state.security)?.epochs;
        }
        match self
            .store
            .write(RecordId::RETRY_COUNTERS, |w| next.encode_counters(w))
        {
            Ok(proof) => {
                next.epochs.counters = next.epochs.security;
                *usable_mut(&mut self.state.security)? = next;
                Ok((value, proof))
            }
            Err(error) => {
                self.reload_security();
                Err(error)
            }
        }
    }

    /// Reads the PINs back from storage (after a failed write, or new retry defaults).
    pub(crate) fn reload_security(&mut self) {
        let defaults = self.state.retry_defaults.as_ref().ok().copied();
        self.state.security = load_security(&mut self.store, &self.config, defaults);
    }

    /// Writes the settings record from RAM (already changed by the caller). On a storage error
    /// RAM reads the record back, as [`update_security`](Self::update_security) does.
    pub(crate) fn save_settings(&mut self) -> Result<(), Error> {
        let settings = usable(&self.state.settings)?;
        let written = self
            .store
            .write(RecordId::SETTINGS, |w| settings.encode(w))
            .map(drop);
        if written.is_err() {
            self.state.settings = loaded(self.store.read(RecordId::SETTINGS, Settings::decode));
        }
        written
    }
}
