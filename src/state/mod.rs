//! Persistent and volatile state.
//!
//! [`Storage::write`]: crate::platform::Storage::write
//!
//! # Records
//! Persistent state is split into records (see [`RecordId`]'s constants), each written in one
//! atomic [`Storage::write`]. The split follows what must change
//! together:
//!
//! | record | holds | why one record |
//! |---|---|---|
//! | `LIFECYCLE` | operational / terminated | the factory reset protocol: written first by TERMINATE, removed last by ACTIVATE |
//! | `SECURITY` | PW1, Resetting Code, PW3 (values and counters), KDF-DO | a KDF change or an unblock changes several PINs at once |
//! | `SETTINGS` | C4 byte 1 (forcesig), UIF D6–D8 | small, rarely written |
//! | `KEY_*` | per slot: attributes, key status, fingerprint, date, key epoch | a key never pairs with another key's metadata |
//! | `SIGNATURE_COUNTER` | counter and the SIG key epoch it counts for | a new SIG key resets it without a second write |
//! | `CA_FINGERPRINTS`, `CARDHOLDER`, `LOGIN`, `URL`, `PRIVATE_*`, `CERTIFICATE_*` | one data object (family) each | independent |
//!
//! An absent record means "factory default". Small records the applet needs on every command
//! are read once at power-on into [`Persistent`]; large ones (certificates, private DOs, name,
//! URL, login) are read from storage when asked for, straight into the response.

mod derived;
mod persistent;
pub mod record;
mod volatile;

pub use derived::{AesKeyState, KeySlotState};
pub use persistent::*;
pub use volatile::Session;

use alloc::boxed::Box;
use alloc::vec;
use zeroize::Zeroize;

use crate::pin::Persisted;
use crate::platform::{RecordId, Storage, MAX_RECORD_LEN};
use crate::status::Error;
use crate::tlv::Writer;

/// Storage plus a scratch buffer for encoding and decoding records.
///
/// Every record passes through the scratch buffer, which is wiped after each use because
/// records hold PINs and keys.
pub struct Store<S> {
    storage: S,
    scratch: Box<[u8]>,
}

impl<S: Storage> Store<S> {
    /// Wraps `storage`; allocates the scratch buffer once.
    pub fn new(storage: S) -> Store<S> {
        Store {
            storage,
            scratch: vec![0u8; MAX_RECORD_LEN].into_boxed_slice(),
        }
    }

    /// Gives the storage back.
    pub fn into_inner(self) -> S {
        self.storage
    }

    /// The storage, for inspection.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// The storage, mutably (for tests that damage records).
    pub fn storage_mut(&mut self) -> &mut S {
        &mut self.storage
    }

    /// Reads record `id`, checks it, and passes its payload (or `None` if absent) to `f`.
    pub fn read<T>(
        &mut self,
        id: RecordId,
        f: impl FnOnce(Option<&[u8]>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (result, used) = match self.storage.read(id, &mut self.scratch) {
            Ok(None) => (f(None), 0),
            Ok(Some(len)) => match self.scratch.get(..len) {
                Some(bytes) => (
                    record::open(bytes, kind(id)).and_then(|payload| f(Some(payload))),
                    len,
                ),
                None => (Err(Error::Storage), self.scratch.len()),
            },
            // A failed read may have written anywhere in the buffer.
            Err(_) => (Err(Error::Storage), self.scratch.len()),
        };
        self.wipe(used);
        result
    }

    /// Wipes the first `used` bytes of the scratch buffer (what the last record occupied):
    /// records hold PINs and keys, and wiping only what was used keeps short records cheap.
    fn wipe(&mut self, used: usize) {
        let end = used.min(self.scratch.len());
        if let Some(bytes) = self.scratch.get_mut(..end) {
            bytes.zeroize();
        }
    }

    /// Encodes a record with `f` and writes it. Returns the proof that it is durable.
    pub fn write(
        &mut self,
        id: RecordId,
        f: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>,
    ) -> Result<Persisted, Error> {
        let mut used = self.scratch.len();
        let result = (|| {
            let mut w = record::begin(&mut self.scratch, kind(id))?;
            f(&mut w)?;
            let len = record::end(w)?;
            used = len;
            let bytes = self.scratch.get(..len).ok_or(Error::Internal)?;
            self.storage.write(id, bytes).map_err(|_| Error::Storage)
        })();
        self.wipe(used);
        result?;
        #[cfg(test)]
        crate::pin::test_hooks::record_write();
        Ok(Persisted(()))
    }

    /// Removes record `id`.
    pub fn remove(&mut self, id: RecordId) -> Result<(), Error> {
        self.storage.remove(id).map_err(|_| Error::Storage)
    }
}

/// The kind byte stored in a record: the low byte of its id, so a record copied to the wrong
/// id is detected.
fn kind(id: RecordId) -> u8 {
    id.0 as u8
}

impl Persistent {
    /// The state of a factory-fresh card (no record stored).
    pub fn factory(config: &crate::config::Config) -> Persistent {
        Persistent {
            lifecycle: Ok(Lifecycle::Operational),
            security: Ok(Security::factory(config)),
            settings: Ok(Settings::default()),
            keys: [
                KeySlotState::new(Ok(KeySlot::default())),
                KeySlotState::new(Ok(KeySlot::default())),
                KeySlotState::new(Ok(KeySlot::default())),
            ],
            signature_counter: Ok(SignatureCounter::default()),
            ca_fingerprints: Ok([0; 60]),
            touch_cache_time: Ok(0),
            aes_key: AesKeyState::default(),
        }
    }

    /// Drops every key decoded from the records (they zeroize themselves); the next use
    /// decodes them again from storage.
    pub(crate) fn forget_decoded(&mut self) {
        for slot in &mut self.keys {
            slot.forget();
        }
        self.aes_key.forget();
    }

    /// Reads the records kept in RAM. A record that cannot be read or decoded is kept as
    /// [`Corrupt`]: the commands that need it answer 6581, the others work.
    pub fn load<S: Storage>(store: &mut Store<S>, config: &crate::config::Config) -> Persistent {
        let mut key =
            |slot: Slot| KeySlotState::new(loaded(store.read(slot.key_record(), KeySlot::decode)));
        let keys = [key(Slot::Sig), key(Slot::Dec), key(Slot::Aut)];
        Persistent {
            lifecycle: loaded(store.read(RecordId::LIFECYCLE, Lifecycle::decode)),
            security: loaded(store.read(RecordId::SECURITY, |p| Security::decode(p, config))),
            settings: loaded(store.read(RecordId::SETTINGS, Settings::decode)),
            keys,
            signature_counter: loaded(
                store.read(RecordId::SIGNATURE_COUNTER, SignatureCounter::decode),
            ),
            ca_fingerprints: loaded(store.read(RecordId::CA_FINGERPRINTS, decode_ca_fingerprints)),
            touch_cache_time: loaded(
                store.read(RecordId::TOUCH_CACHE_TIME, decode_touch_cache_time),
            ),
            aes_key: AesKeyState::default(),
        }
    }
}
