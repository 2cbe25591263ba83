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
//! | `SECURITY` | PW1, Resetting Code, PW3 (values, counters and their maxima), KDF-DO | a KDF change, an unblock or SET PIN RETRIES changes several PINs at once |
//! | `SETTINGS` | C4 byte 1 (forcesig), UIF D6–D8 and D9 | small, rarely written |
//! | `KEY_*` | per slot: attributes, key status, fingerprint, date, key epoch | a key never pairs with another key's metadata |
//! | `SIGNATURE_COUNTER` | counter and the SIG key epoch it counts for | a new SIG key resets it without a second write |
//! | `CA_FINGERPRINTS`, `CARDHOLDER`, `LOGIN`, `URL`, `PRIVATE_*`, `CERTIFICATE_*` | one data object (family) each | independent |
//! | `USER_ATTESTATION_*` | the user's attestation certificate (FC) and CA fingerprint (DC), written by PUT DATA | each overrides its provisioned record while it exists; the factory reset removes them, so the provisioned ones show again |
//! | `TOUCH_CACHE_TIME`, `RETRY_DEFAULTS`, `ATTESTATION_KEY`, `ATTESTATION_CERTIFICATE`, `ATTESTATION_CA_FINGERPRINT` | the firmware's settings and the device's attestation identity ([`RecordId::FIRMWARE`]), written only through the firmware API | outside the OpenPGP application: no command writes them, the factory reset keeps them |
//!
//! An absent record means "factory default". Small records the applet needs on every command
//! are read once at power-on into [`Persistent`]; large ones (certificates, private DOs, name,
//! URL, login) are read from storage when asked for, straight into the response.

mod derived;
mod persistent;
pub mod record;
mod store;
mod volatile;

pub use derived::{AesKeyState, KeySlotState};
pub use persistent::*;
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
        let mut key =
            |slot: Slot| KeySlotState::new(loaded(store.read(slot.key_record(), KeySlot::decode)));
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
