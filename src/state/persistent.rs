//! The records and their payload encodings.
//!
//! Each payload is a fixed sequence of small TLVs (tags 01, 02, ... in order), or raw bytes for
//! records that hold one data object. Decoding is strict: a missing, extra or malformed field is
//! [`Error::Storage`].

use heapless::Vec as BoundedVec;

use crate::config::Config;
use crate::pin::Pin;
use crate::platform::RecordId;
use crate::spec::{
    KeyStatus, PinRef, Slot, MAX_ATTRIBUTES_LEN, MAX_KDF_LEN, MAX_TRIES, SIGNATURE_COUNTER_MAX,
};
use crate::status::Error;
use crate::tlv::{Reader, Writer};

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
    pub const KEY: [RecordId; 3] = [
        Slot::Sig.key_record(),
        Slot::Dec.key_record(),
        Slot::Aut.key_record(),
    ];
    /// The AES key (D5).
    pub const AES_KEY: RecordId = RecordId(0x09);
    /// The touch cache time, set by the firmware (not part of the OpenPGP factory reset).
    pub const TOUCH_CACHE_TIME: RecordId = RecordId(0x0A);
    /// The retry counter maxima a factory reset gives PW1, the Resetting Code and PW3, set by
    /// the firmware at manufacturing (not part of the OpenPGP factory reset).
    pub const RETRY_DEFAULTS: RecordId = RecordId(0x0B);

    /// Every record of the OpenPGP application, `LIFECYCLE` last (the factory reset removes them
    /// in this order). [`RecordId::TOUCH_CACHE_TIME`] is not among them: the firmware owns it and
    /// the OpenPGP factory reset keeps it.
    pub const ALL: [RecordId; 19] = [
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
        RecordId::LIFECYCLE,
    ];
}

/// The application's life cycle status (spec §7.2.16, §7.2.17; LCS in the historical bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// LCS 05.
    Operational,
    /// LCS 03: only SELECT, TERMINATE DF and ACTIVATE FILE work.
    Terminated,
}

impl Lifecycle {
    /// The LCS byte of the historical bytes.
    pub fn lcs(self) -> u8 {
        match self {
            Lifecycle::Operational => 0x05,
            Lifecycle::Terminated => 0x03,
        }
    }

    pub(crate) fn encode(self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.put(0x01, &[self.lcs()])
    }

    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<Lifecycle, Error> {
        let Some(payload) = payload else {
            return Ok(Lifecycle::Operational);
        };
        let mut r = Reader::new(payload);
        let state = match r.expect(0x01).map_err(|_| Error::Storage)? {
            [0x05] => Lifecycle::Operational,
            [0x03] => Lifecycle::Terminated,
            _ => return Err(Error::Storage),
        };
        finish(&r)?;
        Ok(state)
    }
}

/// The PINs and the KDF-DO, stored together so that changes to several of them are atomic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Security {
    /// PW1.
    pub pw1: Pin,
    /// Resetting Code.
    pub rc: Pin,
    /// PW3.
    pub pw3: Pin,
    /// The KDF-DO F9 body, without its outer tag (empty: no KDF-DO written).
    pub kdf: BoundedVec<u8, MAX_KDF_LEN>,
    /// The retry counter maxima of PW1, the Resetting Code and PW3 (1..=[`MAX_TRIES`]): what
    /// a right PIN restores, what a new PIN starts with. Set by SET PIN RETRIES.
    pub max_tries: [u8; 3],
}

/// The position of a PIN in [`Security::max_tries`] and in C4's counters.
pub(crate) const fn pin_index(which: PinRef) -> usize {
    match which {
        PinRef::Pw1 => 0,
        PinRef::ResettingCode => 1,
        PinRef::Pw3 => 2,
    }
}

/// Whether every maximum is one the card could have set.
pub(crate) fn valid_max_tries(max: &[u8; 3]) -> bool {
    max.iter().all(|&n| (1..=MAX_TRIES).contains(&n))
}

impl Security {
    /// Factory state from the configuration, with `Config::max_tries` for every PIN.
    pub fn factory(config: &Config) -> Security {
        Security::factory_with(config, [config.max_tries; 3])
    }

    /// Factory state from the configuration and the retry maxima `max_tries`.
    pub fn factory_with(config: &Config, max_tries: [u8; 3]) -> Security {
        let pin = |value: Option<&[u8]>, max| {
            value.and_then(|v| Pin::new(v, max)).unwrap_or(Pin::unset())
        };
        let [pw1_max, rc_max, pw3_max] = max_tries;
        Security {
            pw1: pin(config.pw1.default, pw1_max),
            rc: pin(config.resetting_code.default, rc_max),
            pw3: pin(config.pw3.default, pw3_max),
            kdf: BoundedVec::new(),
            max_tries,
        }
    }

    /// The retry counter maximum of PIN `which`.
    pub fn max_tries(&self, which: PinRef) -> u8 {
        self.max_tries.get(pin_index(which)).copied().unwrap_or(1)
    }

    /// Gives PIN `which` a full counter (a right PIN was presented).
    pub fn restore(&mut self, which: PinRef) {
        let max = self.max_tries(which);
        self.pin_mut(which).set_tries(max);
    }

    /// Sets PIN `which` to `value` with a full counter (empty: not set). `false` when the
    /// value is too long.
    pub fn set_pin(&mut self, which: PinRef, value: &[u8]) -> bool {
        let max = self.max_tries(which);
        self.pin_mut(which).set(value, max)
    }

    /// The PIN named by `which`.
    pub fn pin(&self, which: PinRef) -> &Pin {
        match which {
            PinRef::Pw1 => &self.pw1,
            PinRef::ResettingCode => &self.rc,
            PinRef::Pw3 => &self.pw3,
        }
    }

    /// The PIN named by `which`, mutably.
    pub fn pin_mut(&mut self, which: PinRef) -> &mut Pin {
        match which {
            PinRef::Pw1 => &mut self.pw1,
            PinRef::ResettingCode => &mut self.rc,
            PinRef::Pw3 => &mut self.pw3,
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        for (tag, pin) in [(0x01, &self.pw1), (0x02, &self.rc), (0x03, &self.pw3)] {
            let open = w.open(tag)?;
            w.raw(&[pin.tries()])?;
            w.raw(pin.value())?;
            w.close(open)?;
        }
        w.put(0x04, &self.kdf)?;
        w.put(0x05, &self.max_tries)
    }

    /// Decodes the record; `None` means it does not exist, and the factory state is built
    /// with `defaults` (the retry defaults record; `None` when that one is damaged, 6581).
    /// A record without the maxima (written before SET PIN RETRIES existed) has
    /// `Config::max_tries` for every PIN.
    pub(crate) fn decode(
        payload: Option<&[u8]>,
        config: &Config,
        defaults: Option<[u8; 3]>,
    ) -> Result<Security, Error> {
        let Some(payload) = payload else {
            return defaults
                .map(|max| Security::factory_with(config, max))
                .ok_or(Error::Storage);
        };
        let mut r = Reader::new(payload);
        let mut fields = [None, None, None];
        for (tag, field) in [0x01, 0x02, 0x03].into_iter().zip(&mut fields) {
            let value = r.expect(tag).map_err(|_| Error::Storage)?;
            *field = Some(value);
        }
        let kdf = r.expect(0x04).map_err(|_| Error::Storage)?;
        let kdf = BoundedVec::from_slice(kdf).map_err(|_| Error::Storage)?;
        let max_tries = if r.is_empty() {
            [config.max_tries; 3]
        } else {
            let max = r.expect(0x05).map_err(|_| Error::Storage)?;
            <[u8; 3]>::try_from(max).map_err(|_| Error::Storage)?
        };
        finish(&r)?;
        if !valid_max_tries(&max_tries) {
            return Err(Error::Storage);
        }
        let [pw1, rc, pw3] = fields;
        let [pw1_max, rc_max, pw3_max] = max_tries;
        Ok(Security {
            pw1: decode_pin(pw1, pw1_max)?,
            rc: decode_pin(rc, rc_max)?,
            pw3: decode_pin(pw3, pw3_max)?,
            kdf,
            max_tries,
        })
    }
}

/// One PIN field of the security record: the counter, then the value.
fn decode_pin(field: Option<&[u8]>, max_tries: u8) -> Result<Pin, Error> {
    let field = field.ok_or(Error::Storage)?;
    let (&tries, value) = field.split_first().ok_or(Error::Storage)?;
    // A counter the card could never have written (above the PIN's maximum, or tries left on
    // an unset PIN) means a damaged record, not extra guesses.
    if tries > max_tries {
        return Err(Error::Storage);
    }
    if value.is_empty() {
        return if tries == 0 {
            Ok(Pin::unset())
        } else {
            Err(Error::Storage)
        };
    }
    Pin::new(value, tries).ok_or(Error::Storage)
}

/// Decodes the retry defaults record (three maxima); absent: `Config::max_tries` for each.
pub(crate) fn decode_retry_defaults(
    payload: Option<&[u8]>,
    config: &Config,
) -> Result<[u8; 3], Error> {
    let defaults = match payload {
        None => return Ok([config.max_tries; 3]),
        Some(bytes) => <[u8; 3]>::try_from(bytes).map_err(|_| Error::Storage)?,
    };
    if valid_max_tries(&defaults) {
        Ok(defaults)
    } else {
        Err(Error::Storage)
    }
}

/// Small settings: C4 byte 1 and the UIF bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Settings {
    /// C4 byte 1 = 01: a verified PW1-81 stays valid for several signatures. `false` (the
    /// default, byte 00) means the PIN is asked for every signature.
    pub pw1_multiple_signatures: bool,
    /// First byte of D6, D7, D8 (SIG, DEC, AUT).
    pub uif: [u8; 3],
}

impl Settings {
    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.put(0x01, &[u8::from(self.pw1_multiple_signatures)])?;
        w.put(0x02, &self.uif)
    }

    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<Settings, Error> {
        let Some(payload) = payload else {
            return Ok(Settings::default());
        };
        let mut r = Reader::new(payload);
        let multiple = match r.expect(0x01).map_err(|_| Error::Storage)? {
            [0] => false,
            [1] => true,
            _ => return Err(Error::Storage),
        };
        let uif = r.expect(0x02).map_err(|_| Error::Storage)?;
        let uif = <[u8; 3]>::try_from(uif).map_err(|_| Error::Storage)?;
        finish(&r)?;
        Ok(Settings {
            pw1_multiple_signatures: multiple,
            uif,
        })
    }
}

/// The factory algorithm attributes of every slot: RSA 2048, e of 32 bits, standard import
/// format (what GnuPG shows for a new card).
pub const DEFAULT_ATTRIBUTES: [u8; 6] = [0x01, 0x08, 0x00, 0x00, 0x20, 0x00];

/// A key slot's metadata. The record also holds the private key (see
/// `KeySlot::decode_with_key`); RAM keeps only this metadata and, once used, the decoded key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySlot {
    /// Algorithm attributes (C1/C2/C3 value).
    pub attributes: BoundedVec<u8, MAX_ATTRIBUTES_LEN>,
    /// DE status.
    pub status: KeyStatus,
    /// Fingerprint (C7/C8/C9), zeros when not set.
    pub fingerprint: [u8; 20],
    /// Generation date (CE/CF/D0), zeros when not set.
    pub date: [u8; 4],
    /// Increases every time a new key is put in the slot (the signature counter belongs to
    /// one epoch of the SIG slot).
    pub epoch: u32,
}

impl Default for KeySlot {
    fn default() -> KeySlot {
        KeySlot {
            attributes: BoundedVec::from_slice(&DEFAULT_ATTRIBUTES).unwrap_or_default(),
            status: KeyStatus::Absent,
            fingerprint: [0; 20],
            date: [0; 4],
            epoch: 0,
        }
    }
}

impl KeySlot {
    /// The metadata of a new key in this slot (generated or imported): its status, no
    /// fingerprint or date yet (the host writes them, as GnuPG does), and the next epoch, so
    /// nothing tied to the old key (the signature counter, a decoded key) carries over.
    pub fn for_new_key(&self, status: KeyStatus) -> KeySlot {
        KeySlot {
            status,
            fingerprint: [0; 20],
            date: [0; 4],
            epoch: self.epoch.wrapping_add(1),
            ..self.clone()
        }
    }

    /// Encodes the metadata fields; the caller appends the key (tag 06) if there is one.
    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.put(0x01, &self.attributes)?;
        w.put(0x02, &[self.status.byte()])?;
        w.put(0x03, &self.fingerprint)?;
        w.put(0x04, &self.date)?;
        w.put(0x05, &self.epoch.to_be_bytes())
    }

    /// Decodes the metadata only (what is kept in RAM).
    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<KeySlot, Error> {
        match payload {
            None => Ok(KeySlot::default()),
            Some(payload) => KeySlot::decode_with_key(payload).map(|(slot, _)| slot),
        }
    }

    /// Decodes the metadata and borrows the stored private key (tag 06), which is present
    /// exactly when the status says a key is there.
    pub(crate) fn decode_with_key(payload: &[u8]) -> Result<(KeySlot, Option<&[u8]>), Error> {
        let mut r = Reader::new(payload);
        let mut field = |tag| r.expect(tag).map_err(|_| Error::Storage);
        let attributes = BoundedVec::from_slice(field(0x01)?).map_err(|_| Error::Storage)?;
        let status = match field(0x02)? {
            [byte] => KeyStatus::from_byte(*byte).ok_or(Error::Storage)?,
            _ => return Err(Error::Storage),
        };
        let fingerprint = field(0x03)?.try_into().map_err(|_| Error::Storage)?;
        let date = field(0x04)?.try_into().map_err(|_| Error::Storage)?;
        let epoch = u32::from_be_bytes(field(0x05)?.try_into().map_err(|_| Error::Storage)?);
        let key = if r.is_empty() {
            None
        } else {
            Some(r.expect(0x06).map_err(|_| Error::Storage)?)
        };
        finish(&r)?;
        if key.is_some() != (status != KeyStatus::Absent) {
            return Err(Error::Storage);
        }
        let slot = KeySlot {
            attributes,
            status,
            fingerprint,
            date,
            epoch,
        };
        Ok((slot, key))
    }
}

/// The digital signature counter, tied to one epoch of the SIG slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SignatureCounter {
    /// The SIG slot epoch this count belongs to.
    pub epoch: u32,
    /// Signatures made with that key; saturates at `0xFF_FFFF` (three bytes in DO 93).
    pub count: u32,
}

impl SignatureCounter {
    /// The count as DO 93 shows it for the current SIG key.
    pub fn value(&self, sig_epoch: u32) -> u32 {
        if self.epoch == sig_epoch {
            self.count.min(SIGNATURE_COUNTER_MAX)
        } else {
            0
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.put(0x01, &self.epoch.to_be_bytes())?;
        w.put(0x02, &self.count.to_be_bytes())
    }

    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<SignatureCounter, Error> {
        let Some(payload) = payload else {
            return Ok(SignatureCounter::default());
        };
        let mut r = Reader::new(payload);
        let mut word = |tag| -> Result<u32, Error> {
            let bytes = r.expect(tag).map_err(|_| Error::Storage)?;
            Ok(u32::from_be_bytes(
                bytes.try_into().map_err(|_| Error::Storage)?,
            ))
        };
        let epoch = word(0x01)?;
        let count = word(0x02)?;
        finish(&r)?;
        Ok(SignatureCounter { epoch, count })
    }
}

/// Decodes the CA fingerprints record (60 bytes raw).
pub(crate) fn decode_ca_fingerprints(payload: Option<&[u8]>) -> Result<[u8; 60], Error> {
    match payload {
        None => Ok([0; 60]),
        Some(bytes) => bytes.try_into().map_err(|_| Error::Storage),
    }
}

fn finish(r: &Reader<'_>) -> Result<(), Error> {
    r.finish().map_err(|_| Error::Storage)
}

/// What an operation found wrong with a record at power-on: the record could not be read or
/// decoded. Commands that need it answer 6581 until a factory reset rewrites it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Corrupt;

/// The records kept in RAM between power-on and power-off, with what was decoded from them
/// (each [`KeySlotState`](super::KeySlotState) holds its decoded key): replacing a
/// `Persistent` drops every decoded key with it.
#[derive(Debug)]
pub struct Persistent {
    /// Life cycle status.
    pub lifecycle: Result<Lifecycle, Corrupt>,
    /// PINs and KDF-DO.
    pub security: Result<Security, Corrupt>,
    /// C4 byte 1 and UIF.
    pub settings: Result<Settings, Corrupt>,
    /// SIG, DEC, AUT: metadata, and the key decoded from the same record.
    pub keys: [super::KeySlotState; 3],
    /// DO 93.
    pub signature_counter: Result<SignatureCounter, Corrupt>,
    /// C6 (CA fingerprints for the three slots, 20 bytes each).
    pub ca_fingerprints: Result<[u8; 60], Corrupt>,
    /// Seconds a touch is honoured for the cached UIF modes (0: every operation asks).
    pub touch_cache_time: Result<u8, Corrupt>,
    /// The retry maxima a factory reset gives the PINs (the firmware's record).
    pub retry_defaults: Result<[u8; 3], Corrupt>,
    /// The AES key (D5), read from its record on first use.
    pub aes_key: super::AesKeyState,
}

/// Decodes the touch cache time record (one byte of seconds).
pub(crate) fn decode_touch_cache_time(payload: Option<&[u8]>) -> Result<u8, Error> {
    match payload {
        None => Ok(0),
        Some([seconds]) => Ok(*seconds),
        Some(_) => Err(Error::Storage),
    }
}

/// Turns a stored record's failure into the value stored in [`Persistent`].
pub(crate) fn loaded<T>(result: Result<T, Error>) -> Result<T, Corrupt> {
    result.map_err(|_| Corrupt)
}

/// Gives access to a loaded record, or 6581 if it was corrupt.
pub(crate) fn usable<T>(record: &Result<T, Corrupt>) -> Result<&T, Error> {
    record.as_ref().map_err(|_| Error::Storage)
}

/// Gives mutable access to a loaded record, or 6581 if it was corrupt.
pub(crate) fn usable_mut<T>(record: &mut Result<T, Corrupt>) -> Result<&mut T, Error> {
    record.as_mut().map_err(|_| Error::Storage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(f: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>) -> alloc::vec::Vec<u8> {
        let mut buf = [0u8; 1024];
        let mut w = Writer::new(&mut buf);
        f(&mut w).unwrap();
        w.written().to_vec()
    }

    #[test]
    fn records_round_trip() {
        let config = Config::default();
        let mut security = Security::factory(&config);
        security.rc = Pin::new(b"resetme!", 2).unwrap();
        security.kdf = BoundedVec::from_slice(&[0x81, 0x01, 0x00]).unwrap();
        let bytes = encode(|w| security.encode(w));
        assert_eq!(
            Security::decode(Some(&bytes), &config, None).unwrap(),
            security
        );

        let slot = KeySlot {
            status: KeyStatus::Absent,
            fingerprint: [7; 20],
            date: [1, 2, 3, 4],
            epoch: 9,
            ..KeySlot::default()
        };
        let bytes = encode(|w| slot.encode(w));
        assert_eq!(KeySlot::decode(Some(&bytes)).unwrap(), slot);

        let settings = Settings {
            pw1_multiple_signatures: true,
            uif: [1, 0, 2],
        };
        let bytes = encode(|w| settings.encode(w));
        assert_eq!(Settings::decode(Some(&bytes)).unwrap(), settings);

        let counter = SignatureCounter {
            epoch: 3,
            count: 17,
        };
        let bytes = encode(|w| counter.encode(w));
        assert_eq!(SignatureCounter::decode(Some(&bytes)).unwrap(), counter);
        assert_eq!(counter.value(3), 17);
        assert_eq!(counter.value(4), 0);

        let bytes = encode(|w| Lifecycle::Terminated.encode(w));
        assert_eq!(Lifecycle::decode(Some(&bytes)), Ok(Lifecycle::Terminated));
    }

    #[test]
    fn damaged_payloads_are_storage_errors() {
        let config = Config::default();
        let bytes = encode(|w| Security::factory(&config).encode(w));
        // Cut just before the maxima (tag 05), the record is a format-1 record: it loads.
        let legacy = bytes.len() - 5;
        for cut in (0..bytes.len()).filter(|&cut| cut != legacy) {
            assert_eq!(
                Security::decode(Some(&bytes[..cut]), &config, None),
                Err(Error::Storage),
                "{cut}"
            );
        }
        let mut extra = bytes.clone();
        extra.extend_from_slice(&[0x05, 0x00]);
        assert_eq!(
            Security::decode(Some(&extra), &config, None),
            Err(Error::Storage)
        );
        // Maxima out of range, or a counter above its own maximum.
        for max in [[0, 3, 3], [3, 16, 3], [3, 3, 0xFF]] {
            let mut security = Security::factory(&config);
            security.max_tries = max;
            let bytes = encode(|w| security.encode(w));
            assert_eq!(
                Security::decode(Some(&bytes), &config, None),
                Err(Error::Storage)
            );
        }
        let mut security = Security::factory(&config);
        security.max_tries = [2, 3, 3];
        let bytes = encode(|w| security.encode(w)); // PW1 has 3 tries, above its maximum 2
        assert_eq!(
            Security::decode(Some(&bytes), &config, None),
            Err(Error::Storage)
        );
        security.pw1.set_tries(2);
        let bytes = encode(|w| security.encode(w));
        assert_eq!(Security::decode(Some(&bytes), &config, None), Ok(security));
        // A format-1 record (no maxima): Config::max_tries for each.
        let decoded = Security::decode(Some(&bytes[..bytes.len() - 5]), &config, None).unwrap();
        assert_eq!(decoded.max_tries, [3, 3, 3]);
        // No record: the retry defaults, or 6581 when their record is damaged.
        assert_eq!(
            Security::decode(None, &config, Some([5, 4, 6]))
                .unwrap()
                .max_tries,
            [5, 4, 6]
        );
        assert_eq!(Security::decode(None, &config, None), Err(Error::Storage));
        assert_eq!(
            Lifecycle::decode(Some(&[0x01, 0x01, 0x07])),
            Err(Error::Storage)
        );
        assert_eq!(
            Settings::decode(Some(&[0x01, 0x01, 0x02, 0x02, 0x03, 0, 0, 0])),
            Err(Error::Storage)
        );
    }
}
