//! RAM state derived from records, held so that it cannot outlive the record it came from.
//!
//! A decoded private key (and the AES key) is expensive to decode, so RAM keeps it from first
//! use. Such a copy is only correct while the record it was decoded from is unchanged: a factory
//! reset, a new key, an attribute change or a failed write must end it. Rather than trusting
//! every command to remember that, the copy lives *inside* the RAM copy of its record:
//!
//! - a [`KeySlotState`] pairs a slot's metadata with the key decoded from the same record; the
//!   only way to change the metadata ([`KeySlotState::replace`]) also drops or replaces the key,
//!   and a fresh [`KeySlotState`] (power-on, ACTIVATE FILE) has none;
//! - the AES key lives in [`Persistent`](super::Persistent), which power-on and ACTIVATE FILE
//!   rebuild from storage as a whole, so every copy dies with it.
//!
//! Both zeroize the key when dropped (the key types do it themselves).

use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use crate::crypto::PrivateKey;
use crate::state::{Corrupt, KeySlot};

/// One key slot as RAM holds it: its record's metadata (or [`Corrupt`]) and, from first use, the
/// private key decoded from that same record.
pub struct KeySlotState {
    meta: Result<KeySlot, Corrupt>,
    key: Option<PrivateKey>,
}

impl KeySlotState {
    /// The state of a slot just read from storage: nothing decoded yet.
    pub fn new(meta: Result<KeySlot, Corrupt>) -> KeySlotState {
        KeySlotState { meta, key: None }
    }

    /// The metadata, or [`Corrupt`] if the record could not be read.
    pub fn meta(&self) -> Result<&KeySlot, Corrupt> {
        self.meta.as_ref().map_err(|&corrupt| corrupt)
    }

    /// The key decoded from this record, if it was decoded since the record was loaded.
    pub(crate) fn key(&self) -> Option<&PrivateKey> {
        self.key.as_ref()
    }

    /// Keeps `key`, decoded from this very record, for later commands.
    pub(crate) fn remember(&mut self, key: PrivateKey) {
        self.key = Some(key);
    }

    /// Takes the decoded key out (the record is about to be rewritten).
    pub(crate) fn take_key(&mut self) -> Option<PrivateKey> {
        self.key.take()
    }

    /// Drops the decoded key (it zeroizes itself).
    pub(crate) fn forget(&mut self) {
        self.key = None;
    }

    /// The record was rewritten (or is no longer known): new metadata, and `key` (the key the
    /// new record holds, when the caller has it decoded) or nothing.
    pub(crate) fn replace(&mut self, meta: Result<KeySlot, Corrupt>, key: Option<PrivateKey>) {
        self.meta = meta;
        self.key = key;
    }
}

impl fmt::Debug for KeySlotState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key itself.
        f.debug_struct("KeySlotState")
            .field("meta", &self.meta)
            .field("decoded", &self.key.is_some())
            .finish()
    }
}

/// The AES key (D5) as RAM holds it: read from its record on first use, dropped (and wiped)
/// with the [`Persistent`](super::Persistent) it belongs to, or when D5 is written.
#[derive(Default)]
pub struct AesKeyState(Option<Zeroizing<Vec<u8>>>);

// Without the `aes` feature nothing reads or remembers an AES key; `forget` still runs.
#[cfg_attr(not(feature = "aes"), allow(dead_code))]
impl AesKeyState {
    /// The key, if it was read since the records were loaded.
    pub(crate) fn key(&self) -> Option<&[u8]> {
        self.0.as_deref().map(Vec::as_slice)
    }

    /// Keeps the key just read from the AES record.
    pub(crate) fn remember(&mut self, key: Zeroizing<Vec<u8>>) {
        self.0 = Some(key);
    }

    /// Drops (and wipes) the key.
    pub(crate) fn forget(&mut self) {
        self.0 = None;
    }
}

impl fmt::Debug for AesKeyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AesKeyState")
            .field("decoded", &self.0.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Algorithm;
    use openpgp_card_applet_testkit::TestRng;

    #[cfg(feature = "ed25519")]
    #[test]
    fn replacing_the_metadata_drops_the_key() {
        let mut slot = KeySlotState::new(Ok(KeySlot::default()));
        assert!(slot.key().is_none());
        let key =
            crate::crypto::tests::generate(&Algorithm::Ed25519, &mut TestRng::seed_from_u64(1))
                .unwrap();
        slot.remember(key);
        assert!(slot.key().is_some());
        slot.replace(Ok(KeySlot::default()), None);
        assert!(slot.key().is_none(), "new metadata kept the old key");
        slot.replace(Err(Corrupt), None);
        assert_eq!(slot.meta().err(), Some(Corrupt));
        assert!(std::format!("{slot:?}").contains("decoded: false"));
    }
}
