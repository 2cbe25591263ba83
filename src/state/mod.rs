//! Persistent and volatile state.
//!
//! [`Storage::write`]: crate::platform::Storage::write
//!
//! # Records
//! Persistent state is split into records ([`records`], which lists every [`RecordId`] and holds
//! each record's codec), each written in one atomic [`Storage::write`]. Small records the applet
//! needs on every command are read once at power-on into [`Persistent`]; large ones
//! (certificates, private DOs, name, URL, login) are read from storage when asked for, straight
//! into the response.
//!
//! [`pin`] holds the PIN values, their retry counters and the constant-time comparison.

mod derived;
mod persistent;
pub mod pin;
pub mod records;
mod store;
mod volatile;

pub use derived::{AesKeyState, KeySlotState};
pub use persistent::*;
pub use records::*;
pub use store::{Persisted, Store};
pub use volatile::Session;

use crate::platform::{RecordId, Storage};
use crate::spec::Slot;

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
            retry_defaults: Ok([config.max_tries; 3]),
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
        let mut key = |slot: Slot| {
            KeySlotState::new(loaded(store.read(RecordId::key(slot), KeySlot::decode)))
        };
        let keys = [key(Slot::Sig), key(Slot::Dec), key(Slot::Aut)];
        let retry_defaults = loaded(store.read(RecordId::RETRY_DEFAULTS, |p| {
            decode_retry_defaults(p, config)
        }));
        let defaults = retry_defaults.as_ref().ok().copied();
        Persistent {
            lifecycle: loaded(store.read(RecordId::LIFECYCLE, Lifecycle::decode)),
            security: loaded(store.read(RecordId::SECURITY, |p| {
                Security::decode(p, config, defaults)
            })),
            settings: loaded(store.read(RecordId::SETTINGS, Settings::decode)),
            keys,
            signature_counter: loaded(
                store.read(RecordId::SIGNATURE_COUNTER, SignatureCounter::decode),
            ),
            ca_fingerprints: loaded(store.read(RecordId::CA_FINGERPRINTS, decode_ca_fingerprints)),
            touch_cache_time: loaded(
                store.read(RecordId::TOUCH_CACHE_TIME, decode_touch_cache_time),
            ),
            retry_defaults,
            aes_key: AesKeyState::default(),
        }
    }
}
