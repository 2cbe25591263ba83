//! Writes that keep the records in RAM and in storage in step: the new value is written first
//! and only then becomes the state in RAM; after a failed write RAM reads the record back.

use crate::error::Error;
use crate::platform::{RecordId, Storage};
use crate::state::{loaded, usable, usable_mut, Persisted, Security, Settings};

use super::Card;

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// Applies `change` to a copy of the PINs and KDF-DO, writes it, and only then makes it the
    /// state in RAM. On a storage error the write may or may not have reached the medium, so
    /// RAM reads the record back (an unreadable one answers 6581 until power-off): no PIN
    /// state in RAM outlives what storage holds, and nothing is compared after a failed write.
    pub(crate) fn update_security<T>(
        &mut self,
        change: impl FnOnce(&mut Security) -> Result<T, Error>,
    ) -> Result<(T, Persisted), Error> {
        let mut next = usable(&self.state.security)?.clone();
        let value = change(&mut next)?;
        match self.store.write(RecordId::SECURITY, |w| next.encode(w)) {
            Ok(proof) => {
                *usable_mut(&mut self.state.security)? = next;
                Ok((value, proof))
            }
            Err(error) => {
                let config = &self.config;
                let defaults = self.state.retry_defaults.as_ref().ok().copied();
                self.state.security = loaded(self.store.read(RecordId::SECURITY, |p| {
                    Security::decode(p, config, defaults)
                }));
                Err(error)
            }
        }
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
