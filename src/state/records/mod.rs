//! The persistent records: one file per record with its codec, and the one list of record ids.
//!
//! Each payload is a fixed sequence of small TLVs (tags 01, 02, ... in order), or raw bytes for
//! records that hold one data object. Decoding is strict: a missing, extra or malformed field is
//! [`Error::Storage`]. Persistent state is split into records, each written in one atomic
//! [`Storage::write`](crate::platform::Storage::write). The split follows what must change
//! together:
//!
//! | record | holds | why one record | codec |
//! |---|---|---|---|
//! | `LIFECYCLE` | operational / terminated | the factory reset protocol: written first by TERMINATE, removed last by ACTIVATE | `lifecycle.rs` |
//! | `SECURITY` | PW1, Resetting Code, PW3 (values, counters and their maxima), KDF-DO | a KDF change, an unblock or SET PIN RETRIES changes several PINs at once | `security.rs` |
//! | `SETTINGS` | C4 byte 1 (forcesig), UIF D6–D8 and D9 | small, rarely written | `settings.rs` |
//! | `KEY` (per slot) | attributes, key status, fingerprint, date, key epoch, private key | a key never pairs with another key's metadata | `key_slot.rs` |
//! | `SIGNATURE_COUNTER` | counter and the SIG key epoch it counts for | a new SIG key resets it without a second write | `signature_counter.rs` |
//! | `CARDHOLDER` | 65: name, language, sex | one DO family | `cardholder.rs` |
//! | `CA_FINGERPRINTS`, `TOUCH_CACHE_TIME` | raw bytes | independent | `raw.rs` |
//! | `LOGIN`, `URL`, `PRIVATE`, `CERTIFICATE`, `AES_KEY` | one data object each, raw | independent | (the data object's bytes) |
//! | `USER_ATTESTATION_*` | the user's attestation certificate (FC) and CA fingerprint (DC), written by PUT DATA | each overrides its provisioned record while it exists; the factory reset removes them, so the provisioned ones show again | (raw) |
//! | `RETRY_DEFAULTS`, `TOUCH_CACHE_TIME`, `ATTESTATION_*` | the firmware's settings and the device's attestation identity ([`RecordId::FIRMWARE`]), written only through the firmware API | outside the OpenPGP application: no command writes them, the factory reset keeps them | `retry_defaults.rs`, `raw.rs` |
//!
//! An absent record means "factory default". On storage, every payload is wrapped in the
//! [`envelope`] (format version, kind, CRC).

mod cardholder;
pub mod envelope;
mod key_slot;
mod lifecycle;
mod raw;
mod retry_defaults;
mod security;
mod settings;
mod signature_counter;
#[cfg(test)]
mod tests;

pub(crate) use cardholder::Cardholder;
pub(crate) use key_slot::KEY_FIELD;
pub use key_slot::{KeySlot, DEFAULT_ATTRIBUTES};
pub use lifecycle::Lifecycle;
pub(crate) use raw::{decode_ca_fingerprints, decode_touch_cache_time};
pub(crate) use retry_defaults::decode_retry_defaults;
pub use security::Security;
pub(crate) use security::{pin_index, valid_max_tries};
pub use settings::Settings;
pub use signature_counter::SignatureCounter;

use crate::error::Error;
use crate::platform::RecordId;
use crate::spec::Slot;
use crate::tlv::Reader;

impl RecordId {
    /// Life cycle: operational or terminated.
    pub const LIFECYCLE: RecordId = RecordId(0x01);
    /// PW1, Resetting Code, PW3 and the KDF-DO.
    pub const SECURITY: RecordId = RecordId(0x02);
    /// C4 byte 1 and the UIF bytes.
    pub const SETTINGS: RecordId = RecordId(0x03);
    /// Digital signature counter (DO 93).
    pub const SIGNATURE_COUNTER: RecordId = RecordId(0x04);
    /// CA fingerprints (C6 / CA–CC).
    pub const CA_FINGERPRINTS: RecordId = RecordId(0x05);
    /// Cardholder related data (65: 5B, 5F2D, 5F35).
    pub const CARDHOLDER: RecordId = RecordId(0x06);
    /// Login data (5E).
    pub const LOGIN: RecordId = RecordId(0x07);
    /// URL (5F50).
    pub const URL: RecordId = RecordId(0x08);
    /// Private use DOs 0101–0104.
    pub const PRIVATE: [RecordId; 4] = [
        RecordId(0x11),
        RecordId(0x12),
        RecordId(0x13),
        RecordId(0x14),
    ];
    /// Cardholder certificates 7F21, by occurrence: AUT, DEC, SIG.
    pub const CERTIFICATE: [RecordId; 3] = [RecordId(0x21), RecordId(0x22), RecordId(0x23)];
    /// Key slots, in the order SIG, DEC, AUT.
    pub const KEY: [RecordId; 3] = [RecordId(0x31), RecordId(0x32), RecordId(0x33)];

    /// The record that holds `slot`'s key and metadata.
    pub const fn key(slot: Slot) -> RecordId {
        match slot {
            Slot::Sig => RecordId::KEY[0],
            Slot::Dec => RecordId::KEY[1],
            Slot::Aut => RecordId::KEY[2],
        }
    }
    /// The AES key (D5).
    pub const AES_KEY: RecordId = RecordId(0x09);
    /// The touch cache time, set by the firmware (not part of the OpenPGP factory reset).
    pub const TOUCH_CACHE_TIME: RecordId = RecordId(0x0A);
    /// The retry counter maxima a factory reset gives PW1, the Resetting Code and PW3, set by
    /// the firmware at manufacturing (not part of the OpenPGP factory reset).
    pub const RETRY_DEFAULTS: RecordId = RecordId(0x0B);
    /// The attestation key (key reference 81) with its DB and DD, generated by the firmware at
    /// manufacturing (not part of the OpenPGP factory reset).
    pub const ATTESTATION_KEY: RecordId = RecordId(0x0C);
    /// The provisioned attestation certificate (DO FC), issued by the manufacturer's CA and
    /// written only by the firmware (`Applet::set_attestation_certificate`); not part of the
    /// OpenPGP factory reset, and never written by PUT DATA.
    pub const ATTESTATION_CERTIFICATE: RecordId = RecordId(0x0D);
    /// The provisioned attestation CA fingerprint (DO DC), written only by the firmware
    /// (`Applet::set_attestation_ca_fingerprint`); not part of the OpenPGP factory reset, and
    /// never written by PUT DATA.
    pub const ATTESTATION_CA_FINGERPRINT: RecordId = RecordId(0x0E);
    /// The user's attestation certificate (PUT DATA FC), shown instead of the provisioned one
    /// while it exists. Part of the OpenPGP application: the factory reset removes it, and the
    /// provisioned certificate shows again.
    pub const USER_ATTESTATION_CERTIFICATE: RecordId = RecordId(0x0F);
    /// The user's attestation CA fingerprint (PUT DATA DC), shown instead of the provisioned
    /// one while it exists; removed by the factory reset, as the user certificate.
    pub const USER_ATTESTATION_CA_FINGERPRINT: RecordId = RecordId(0x10);

    /// The firmware's records: set by the firmware (or kept for it), outside the OpenPGP
    /// application, so the factory reset keeps them. Only the firmware API (`Applet`'s
    /// `set_*` and `generate_attestation_key`) writes or removes them, never a command APDU: a
    /// card holder with the default PW3 after a factory reset cannot change them. With
    /// [`RecordId::ALL`], every id the applet uses (a store with a fixed id table must have
    /// room for all of them).
    pub const FIRMWARE: [RecordId; 5] = [
        RecordId::TOUCH_CACHE_TIME,
        RecordId::RETRY_DEFAULTS,
        RecordId::ATTESTATION_KEY,
        RecordId::ATTESTATION_CERTIFICATE,
        RecordId::ATTESTATION_CA_FINGERPRINT,
    ];

    /// Every record of the OpenPGP application, `LIFECYCLE` last (the factory reset removes them
    /// in this order). The firmware's records ([`RecordId::FIRMWARE`]) are not among them: the
    /// OpenPGP factory reset keeps them.
    pub const ALL: [RecordId; 21] = [
        RecordId::SECURITY,
        RecordId::SETTINGS,
        RecordId::SIGNATURE_COUNTER,
        RecordId::CA_FINGERPRINTS,
        RecordId::CARDHOLDER,
        RecordId::LOGIN,
        RecordId::URL,
        RecordId::PRIVATE[0],
        RecordId::PRIVATE[1],
        RecordId::PRIVATE[2],
        RecordId::PRIVATE[3],
        RecordId::CERTIFICATE[0],
        RecordId::CERTIFICATE[1],
        RecordId::CERTIFICATE[2],
        RecordId::KEY[0],
        RecordId::KEY[1],
        RecordId::KEY[2],
        RecordId::AES_KEY,
        RecordId::USER_ATTESTATION_CERTIFICATE,
        RecordId::USER_ATTESTATION_CA_FINGERPRINT,
        RecordId::LIFECYCLE,
    ];
}

fn finish(r: &Reader<'_>) -> Result<(), Error> {
    r.finish().map_err(|_| Error::Storage)
}
