//! GET DATA (§7.2.6), GET NEXT DATA (§7.2.7) and PUT DATA (§7.2.8) for the data objects of
//! spec §4.4, with the access conditions of §4.4.2's table.
//!
//! Encoding choices, where the spec and GnuPG (scdaemon's app-openpgp) meet:
//! - Constructed DOs (65, 6E, 73, 7A, 7F66, 7F74) are returned with their outer tag and length
//!   (spec §4.4.1); GnuPG and the `openpgp-card` crate both descend into them.
//! - The KDF-DO F9 is returned *without* its outer tag: GnuPG reads the algorithm at offset 2
//!   of the answer, so a tagged answer silently turns KDF off on the host.
//! - 65 always contains 5B, 5F2D and 5F35 (empty when unset): GnuPG asks for a missing child
//!   directly, and `--card-status` aborts on any error there.
//! - Variable-length DOs (5E, 5F50, 0101–0104, 7F21) exist with length 0 when never written
//!   (spec §4.4.1: "0 – max"); an empty PUT DATA clears them. F9 before it is written reads
//!   as `81 01 00` (KDF none), as spec §4.3.2 wants it present whenever KDF is announced.
//! - With `attestation`, FC (and the fourth 7F21 occurrence) and DC are
//!   [`Overridable`](crate::data_objects::Overridable): PUT DATA writes the user's value, which
//!   GET DATA answers instead of the firmware's provisioned one until an empty PUT DATA or the
//!   factory reset removes it. No PUT DATA reaches the provisioned value.

use super::select::CERTIFICATE_OCCURRENCES;
#[cfg(feature = "attestation")]
use crate::data_objects::Overridable;
use crate::data_objects::{self, Access, Backing, Computed, Content, DataObject, Limit};
use crate::error::Error;
use crate::platform::{RecordId, Storage};
use crate::spec::{tag, PinRef, Slot};
use crate::state::{usable, usable_mut, Cardholder};
use crate::tlv::Writer;

use super::Card;

/// What a 7F21 occurrence names.
#[derive(Clone, Copy)]
enum Occurrence {
    /// A cardholder certificate record (AUT, DEC, SIG).
    Cardholder(RecordId),
    /// The fourth occurrence: the attestation certificate, FC.
    #[cfg(feature = "attestation")]
    Attestation,
}

/// The KDF-DO before it is written: algorithm NONE (spec §4.3.2).
const KDF_NONE: [u8; 3] = [0x81, 0x01, 0x00];

/// The INTEGER tag of 7F66's two lengths (spec §4.1.3.1).
const INTEGER: u16 = 0x02;

/// 7F74's and the UIF DOs' feature byte: a button (spec §4.1.3.2).
const BUTTON: u8 = 0x20;

/// The values of sex (5F35) that ISO 5218 defines, as ASCII digits.
const SEX_VALUES: [u8; 4] = [b'0', b'1', b'2', b'9'];

/// C0 byte 1 flags (spec §4.4.3.7) for what this release implements.
mod capability {
    /// GET CHALLENGE.
    pub const GET_CHALLENGE: u8 = 0x40;
    /// PSO:DECIPHER/ENCIPHER with AES (DO D5).
    pub const AES: u8 = 0x02;
    /// Key import with PUT DATA `DB 3F FF`.
    pub const KEY_IMPORT: u8 = 0x20;
    /// PW1 status byte (C4 byte 1) changeable with PUT DATA.
    pub const PW_STATUS_CHANGEABLE: u8 = 0x10;
    /// Algorithm attributes (C1–C3) changeable with PUT DATA.
    pub const ATTRIBUTES_CHANGEABLE: u8 = 0x04;
    /// Private-use DOs 0101–0104.
    pub const PRIVATE_DOS: u8 = 0x08;
    /// KDF-DO F9.
    pub const KDF: u8 = 0x01;
}

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// GET DATA, spec §7.2.6: the DO's read access from the table, then its value (a
    /// constructed DO with its tag and length, a simple one without).
    pub(crate) fn get_data(&mut self, tag: u16, w: &mut Writer<'_>) -> Result<(), Error> {
        let object = data_objects::find(tag).ok_or(Error::NotFound)?;
        self.require(object.read)?;
        match object.content {
            Content::Simple => self.write_value(object, w),
            Content::Constructed(_) | Content::Template => self.write_template(object, w),
        }
    }

    /// Checks an access condition of the table; [`Access::Never`] is 6A88.
    fn require(&self, access: Access) -> Result<(), Error> {
        match access {
            Access::Always => Ok(()),
            Access::Pw1Other => self.session.require_pw1_other(),
            Access::Pw3 => self.session.require_pw3(),
            Access::Never => Err(Error::NotFound),
        }
    }

    /// A constructed DO with its tag and length: its children from the table, each with its
    /// tag and length, or (a [`Content::Template`]) its computed body.
    fn write_template(&mut self, object: &DataObject, w: &mut Writer<'_>) -> Result<(), Error> {
        w.nested(object.tag, |w| match object.content {
            Content::Constructed(children) => {
                for child in children.objects() {
                    match child.content {
                        Content::Simple => w.nested(child.tag, |w| self.write_value(child, w))?,
                        Content::Constructed(_) | Content::Template => {
                            self.write_template(child, w)?
                        }
                    }
                }
                Ok(())
            }
            Content::Simple | Content::Template => self.write_value(object, w),
        })
    }

    /// The value of a simple DO, or the body of a [`Content::Template`], by its backing.
    fn write_value(&mut self, object: &DataObject, w: &mut Writer<'_>) -> Result<(), Error> {
        match object.backing {
            Backing::Computed(value) => self.write_computed(value, w),
            Backing::Attributes(slot) => Ok(w.raw(&self.key_slot(slot)?.attributes)?),
            Backing::Uif(slot) => Ok(w.raw(&self.uif(slot)?)?),
            Backing::PwStatus => Ok(w.raw(&self.pw_status_bytes()?)?),
            Backing::SignatureCounter => Ok(w.raw(&self.signature_counter()?)?),
            Backing::Kdf => {
                // Spec §4.3.2: when KDF is announced the DO "shall be present"; before it is
                // written it reads as algorithm NONE.
                let kdf = &usable(&self.state.security)?.kdf;
                if kdf.is_empty() {
                    Ok(w.raw(&KDF_NONE)?)
                } else {
                    Ok(w.raw(kdf)?)
                }
            }
            #[cfg(feature = "attestation")]
            Backing::Attestation(value) => self.read_attestation_do(value, object.tag, w),
            Backing::Record(id) => self.read_simple(id, w),
            Backing::Certificate => self.read_certificate(w),
            Backing::Cardholder => self.write_cardholder_field(object.tag, w),
            // Write-only, or read through another DO: the table's access says Never.
            Backing::Children
            | Backing::ResettingCode
            | Backing::Fingerprint(_)
            | Backing::GenerationTime(_)
            | Backing::CaFingerprint(_) => Err(Error::NotFound),
            #[cfg(feature = "aes")]
            Backing::AesKey => Err(Error::NotFound),
        }
    }

    /// The value of a computed DO.
    fn write_computed(&mut self, value: Computed, w: &mut Writer<'_>) -> Result<(), Error> {
        match value {
            Computed::Aid => Ok(w.raw(&self.aid())?),
            Computed::HistoricalBytes => Ok(w.raw(&self.historical_bytes())?),
            Computed::ExtendedLength => {
                w.put(INTEGER, &self.config.max_command_len.to_be_bytes())?;
                Ok(w.put(INTEGER, &self.config.max_response_len.to_be_bytes())?)
            }
            // A button (spec §4.1.3.2).
            Computed::GeneralFeatureManagement => Ok(w.put(0x81, &[BUTTON])?),
            Computed::ExtendedCapabilities => Ok(w.raw(&self.extended_capabilities())?),
            Computed::Fingerprints => self.write_fingerprints(w),
            Computed::CaFingerprints => Ok(w.raw(usable(&self.state.ca_fingerprints)?)?),
            Computed::GenerationTimes => self.write_dates(w),
            Computed::KeyInformation => Ok(w.raw(&self.key_information()?)?),
            Computed::AlgorithmInformation => self.write_algorithm_information(w),
        }
    }

    /// GET NEXT DATA, spec §7.2.7: only 7F21 has further occurrences; past the last (SIG, or
    /// with `attestation` the attestation certificate FC, as Yubico documents) the answer is
    /// 6A88 and the pointer stays.
    pub(crate) fn get_next_data(&mut self, tag: u16, w: &mut Writer<'_>) -> Result<(), Error> {
        if tag != tag::CARDHOLDER_CERTIFICATE {
            return Err(Error::NotFound);
        }
        let next = self.session.certificate.saturating_add(1);
        if next >= CERTIFICATE_OCCURRENCES {
            return Err(Error::NotFound);
        }
        self.session.certificate = next;
        self.read_certificate(w)
    }

    /// PUT DATA, spec §7.2.8, with the access conditions of §4.4.2 and the lengths from the
    /// table. A tag that is unknown or not writable asks for PW3 first, then answers 6A88.
    pub(crate) fn put_data(&mut self, tag: u16, data: &[u8]) -> Result<(), Error> {
        let object = data_objects::find(tag).filter(|o| o.write != Access::Never);
        self.require(object.map_or(Access::Pw3, |o| o.write))?;
        let object = object.ok_or(Error::NotFound)?;
        if !object.length.accepts(data.len(), |limit| self.limit(limit)) {
            return Err(Error::WrongLength);
        }
        match object.backing {
            Backing::Attributes(slot) => self.put_algorithm_attributes(slot, data),
            Backing::CaFingerprint(slot) => self.put_ca_fingerprint(slot, data),
            Backing::Fingerprint(slot) => {
                let fingerprint: [u8; 20] = data.try_into().map_err(|_| Error::WrongLength)?;
                self.update_key_slot(slot, |key| key.fingerprint = fingerprint)
            }
            Backing::GenerationTime(slot) => {
                let date: [u8; 4] = data.try_into().map_err(|_| Error::WrongLength)?;
                self.update_key_slot(slot, |key| key.date = date)
            }
            #[cfg(feature = "aes")]
            Backing::AesKey => self.put_aes_key(data),
            // The user's override of a provisioned value; the provisioned one stays.
            #[cfg(feature = "attestation")]
            Backing::Attestation(value) => self.put_attestation_do(value, data),
            Backing::Uif(slot) => self.put_uif(slot, data),
            Backing::Record(id) => self.write_simple(id, data),
            Backing::Certificate => match self.current_certificate()? {
                Occurrence::Cardholder(id) => self.write_simple(id, data),
                #[cfg(feature = "attestation")]
                Occurrence::Attestation => self.put_attestation_certificate(data),
            },
            Backing::Cardholder => self.put_cardholder_field(tag, data),
            Backing::PwStatus => self.put_pw_status(data),
            Backing::ResettingCode => self.put_resetting_code(data),
            Backing::Kdf => self.put_kdf(data),
            // Not writable: the table says so, and the lookup above answered 6A88.
            Backing::Computed(_) | Backing::Children | Backing::SignatureCounter => {
                Err(Error::NotFound)
            }
        }
    }

    /// The bounds of a configured length (what C0 and C4 announce).
    pub(crate) fn limit(&self, limit: Limit) -> (usize, usize) {
        match limit {
            Limit::SpecialDo => (0, usize::from(self.config.max_special_do_len)),
            Limit::Certificate => (0, usize::from(self.config.max_certificate_len)),
            Limit::Pin(which) => {
                let policy = self.config.policy(which);
                (usize::from(policy.min_len), usize::from(policy.max_len))
            }
        }
    }

    /// Historical bytes (5F52), spec §6.2: category 00, card service data (31: selection by
    /// full and partial DF name), card capabilities (73: same selection methods, data coding
    /// byte 01, and command chaining + extended Lc/Le), then the life cycle status and 9000.
    pub(crate) fn historical_bytes(&self) -> [u8; 10] {
        let lcs = match self.state.lifecycle {
            Ok(lifecycle) => lifecycle.lcs(),
            Err(_) => 0x03,
        };
        [0x00, 0x31, 0xC0, 0x73, 0xC0, 0x01, 0xC0, lcs, 0x90, 0x00]
    }

    /// Extended capabilities (C0), spec §4.4.3.7: only what is implemented is announced.
    pub(crate) fn extended_capabilities(&self) -> [u8; 10] {
        let aes = if cfg!(feature = "aes") {
            capability::AES
        } else {
            0
        };
        let flags = aes
            | capability::GET_CHALLENGE
            | capability::KEY_IMPORT
            | capability::PW_STATUS_CHANGEABLE
            | capability::PRIVATE_DOS
            | capability::ATTRIBUTES_CHANGEABLE
            | capability::KDF;
        let announce =
            |limit| (self.limit(limit).1.min(usize::from(u16::MAX)) as u16).to_be_bytes();
        let cert = announce(Limit::Certificate);
        let special = announce(Limit::SpecialDo);
        let challenge = self.config.max_challenge_len.to_be_bytes();
        [
            flags,
            0x00, // no secure messaging
            challenge[0],
            challenge[1],
            cert[0],
            cert[1],
            special[0],
            special[1],
            0x00, // PIN block 2 format not supported
            0x01, // MANAGE SECURITY ENVIRONMENT supported
        ]
    }

    /// PW status bytes (C4), spec §4.4.3.8.
    pub(crate) fn pw_status_bytes(&self) -> Result<[u8; 7], Error> {
        let security = usable(&self.state.security)?;
        let settings = usable(&self.state.settings)?;
        Ok([
            u8::from(settings.pw1_multiple_signatures),
            self.config.policy(PinRef::Pw1).max_len,
            self.config.policy(PinRef::ResettingCode).max_len,
            self.config.policy(PinRef::Pw3).max_len,
            security.pw1.tries(),
            security.rc.tries(),
            security.pw3.tries(),
        ])
    }

    /// Key information (DE), spec §4.4.3.13.
    pub(crate) fn key_information(&self) -> Result<[u8; 6], Error> {
        let mut de = [0u8; 6];
        for slot in Slot::ALL {
            let status = self.key_slot(slot)?.status.byte();
            if let Some(pair) = de.get_mut(slot.index() * 2..slot.index() * 2 + 2) {
                pair.copy_from_slice(&[slot.key_ref(), status]);
            }
        }
        Ok(de)
    }

    fn write_fingerprints(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        for slot in Slot::ALL {
            w.raw(&self.key_slot(slot)?.fingerprint)?;
        }
        Ok(())
    }

    fn write_dates(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        for slot in Slot::ALL {
            w.raw(&self.key_slot(slot)?.date)?;
        }
        Ok(())
    }

    /// The UIF DO of a slot: the mode byte, then 20 (a button, as in 7F74).
    fn uif(&self, slot: Slot) -> Result<[u8; 2], Error> {
        let settings = usable(&self.state.settings)?;
        let mode = settings.uif.get(slot.index()).copied().unwrap_or(0);
        Ok([mode, BUTTON])
    }

    fn signature_counter(&self) -> Result<[u8; 3], Error> {
        let sig_epoch = self.key_slot(Slot::Sig)?.epoch;
        let value = usable(&self.state.signature_counter)?.value(sig_epoch);
        let [_, a, b, c] = value.to_be_bytes();
        Ok([a, b, c])
    }

    fn write_cardholder_field(&mut self, tag: u16, w: &mut Writer<'_>) -> Result<(), Error> {
        self.store.read(RecordId::CARDHOLDER, |payload| {
            let fields = Cardholder::decode(payload)?;
            Ok(w.raw(fields.get(tag))?)
        })
    }

    /// Rewrites one field of the cardholder record (length checked by the table); the sex
    /// (5F35) must be one of ISO 5218's values.
    fn put_cardholder_field(&mut self, tag: u16, data: &[u8]) -> Result<(), Error> {
        if tag == tag::SEX && data.first().is_some_and(|v| !SEX_VALUES.contains(v)) {
            return Err(Error::IncorrectData);
        }
        let mut fields = self.store.read(RecordId::CARDHOLDER, |payload| {
            Cardholder::decode(payload)?.to_owned()
        })?;
        fields.set(tag, data)?;
        self.store
            .write(RecordId::CARDHOLDER, |w| fields.as_ref().encode(w))
            .map(drop)
    }

    /// Copies a single-DO record (raw payload) into the response; absent means empty.
    fn read_simple(&mut self, id: RecordId, w: &mut Writer<'_>) -> Result<(), Error> {
        self.store
            .read(id, |payload| Ok(w.raw(payload.unwrap_or(&[]))?))
    }

    /// Replaces a single-DO record (length checked by the table); an empty value removes the
    /// record.
    pub(crate) fn write_simple(&mut self, id: RecordId, data: &[u8]) -> Result<(), Error> {
        if data.is_empty() {
            return self.store.remove(id);
        }
        self.store.write(id, |w| w.raw(data)).map(drop)
    }

    /// The certificate the current 7F21 occurrence (SELECT DATA, GET NEXT DATA) names.
    fn current_certificate(&self) -> Result<Occurrence, Error> {
        #[cfg(feature = "attestation")]
        if usize::from(self.session.certificate) == RecordId::CERTIFICATE.len() {
            // The fourth occurrence: the attestation certificate (FC), as Yubico documents.
            return Ok(Occurrence::Attestation);
        }
        RecordId::CERTIFICATE
            .get(usize::from(self.session.certificate))
            .copied()
            .map(Occurrence::Cardholder)
            .ok_or(Error::Internal)
    }

    /// GET DATA 7F21 and GET NEXT DATA: the certificate of the current occurrence.
    fn read_certificate(&mut self, w: &mut Writer<'_>) -> Result<(), Error> {
        match self.current_certificate()? {
            Occurrence::Cardholder(id) => self.read_simple(id, w),
            #[cfg(feature = "attestation")]
            Occurrence::Attestation => {
                self.read_overridable(Overridable::AttestationCertificate, w)
            }
        }
    }

    /// The cardholder name (5B), for attestation certificates.
    #[cfg(feature = "attestation")]
    pub(crate) fn cardholder_name(&mut self) -> Result<alloc::vec::Vec<u8>, Error> {
        self.store.read(RecordId::CARDHOLDER, |payload| {
            Ok(Cardholder::decode(payload)?.name.to_vec())
        })
    }

    /// PUT DATA C4: one byte (00: PIN for every signature, 01: once per session), or four
    /// bytes whose length bytes must equal what the card announces (spec §4.4.2: "other bytes
    /// only during personalisation").
    fn put_pw_status(&mut self, data: &[u8]) -> Result<(), Error> {
        // The table allows 1 or 4 bytes.
        let first = match data {
            [first] => *first,
            [first, pw1, rc, pw3] => {
                let lengths = [
                    self.config.pw1.max_len,
                    self.config.resetting_code.max_len,
                    self.config.pw3.max_len,
                ];
                if [*pw1, *rc, *pw3] != lengths {
                    return Err(Error::IncorrectData);
                }
                *first
            }
            _ => return Err(Error::WrongLength),
        };
        let multiple = match first {
            0x00 => false,
            0x01 => true,
            _ => return Err(Error::IncorrectData),
        };
        usable_mut(&mut self.state.settings)?.pw1_multiple_signatures = multiple;
        self.save_settings()
    }

    fn put_ca_fingerprint(&mut self, slot: Slot, data: &[u8]) -> Result<(), Error> {
        let fingerprint: [u8; 20] = data.try_into().map_err(|_| Error::WrongLength)?;
        let mut next = *usable(&self.state.ca_fingerprints)?;
        let at = slot.index() * 20;
        next.get_mut(at..at + 20)
            .ok_or(Error::Internal)?
            .copy_from_slice(&fingerprint);
        self.store
            .write(RecordId::CA_FINGERPRINTS, |w| w.raw(&next))?;
        *usable_mut(&mut self.state.ca_fingerprints)? = next;
        Ok(())
    }

    /// PUT DATA D5 (spec §4.4.2): the AES key, 16 or 32 bytes, write-only.
    #[cfg(feature = "aes")]
    fn put_aes_key(&mut self, data: &[u8]) -> Result<(), Error> {
        if !crate::crypto::aes::valid_key_len(data.len()) {
            return Err(Error::WrongLength);
        }
        self.state.aes_key.forget();
        self.store
            .write(RecordId::AES_KEY, |w| w.raw(data))
            .map(drop)
    }

    /// PUT DATA D3: sets (8..64 bytes, full counter) or deletes (empty) the Resetting Code.
    /// (The length is checked by the table.)
    fn put_resetting_code(&mut self, data: &[u8]) -> Result<(), Error> {
        self.update_security(|s| {
            s.set_pin(PinRef::ResettingCode, data);
            Ok(())
        })
        .map(drop)
    }

    /// PUT DATA D6/D7/D8 (spec §4.4.3.6): two bytes, mode 00..04. Modes 02 and 04 are
    /// permanent: once set, only a factory reset changes them (6985).
    fn put_uif(&mut self, slot: Slot, data: &[u8]) -> Result<(), Error> {
        let mode = match data {
            [mode, _] => *mode,
            _ => return Err(Error::WrongLength), // the table allows only two bytes
        };
        if mode > 0x04 {
            return Err(Error::IncorrectData);
        }
        let settings = usable_mut(&mut self.state.settings)?;
        let current = settings.uif.get_mut(slot.index()).ok_or(Error::Internal)?;
        if matches!(*current, 0x02 | 0x04) {
            return Err(Error::ConditionsOfUse);
        }
        *current = mode;
        // A touch confirmed under the old mode does not count under the new one.
        if let Some(last) = self.session.last_touch.get_mut(slot.index()) {
            *last = None;
        }
        self.save_settings()
    }
}
