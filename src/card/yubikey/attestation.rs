//! GENERATE ATTESTATION (YubiKey's `80 FB`), the attestation DOs (D9, DA, DB, DC, DD, FC) and
//! the firmware's provisioning of the attestation key. The format, and who may change what,
//! are described in `crate::attestation`.
//!
//! FC and DC each have two records: the firmware's provisioned value (only the firmware API
//! writes it) and the user's override (PUT DATA, removed by an empty PUT DATA and by the
//! factory reset). The value in effect is the override while it exists, else the provisioned
//! one.
//!
//! Nothing of the attestation key stays in RAM: each use reads and decodes its record, and the
//! key is wiped when the command ends.

use alloc::vec::Vec;

use rand_core::TryCryptoRng;

use crate::attestation::{self, AttestationKey, Facts};
use crate::data_objects::{Attestation, Overridable};
use crate::error::Error;
use crate::platform::{Clock, Presence, RecordId, Storage, Transport, UserPresence};
use crate::spec::{tag, KeyStatus, Slot};
use crate::state::{usable, usable_mut};
use crate::tlv::Writer;

use crate::card::encode::{write_public_key, MAX_PUBLIC_KEY_LEN};
use crate::card::Card;

/// The cardholder certificate record a slot's attestation replaces (7F21 occurrences are
/// AUT, DEC, SIG).
fn certificate_record(slot: Slot) -> RecordId {
    match slot {
        Slot::Aut => RecordId::CERTIFICATE[0],
        Slot::Dec => RecordId::CERTIFICATE[1],
        Slot::Sig => RecordId::CERTIFICATE[2],
    }
}

impl<S: Storage, R: TryCryptoRng, C: Clock, U: UserPresence> Card<S, R, C, U> {
    /// GENERATE ATTESTATION, YubiKey's `80 FB 0n 00` (not in the spec): certifies the key in
    /// `slot` with the attestation key and writes the certificate into the slot's cardholder
    /// certificate (7F21), replacing what was there; no response data.
    ///
    /// Access: PW1 (81 or 82) or PW3 verified. yubikit and `oct` verify PW1 first, GnuPG 2.5's
    /// `GEN-ATTST` verifies PW3; both are accepted, since the command reveals nothing secret
    /// and writes only a statement the card itself signs. Touch per D9 (every non-zero mode
    /// asks, cached or not; never over contactless, deliberately: see `crate::attestation`).
    /// 6A88 without a key in the slot, or without an attestation key and certificate; 6985
    /// for an imported key (a YubiKey refuses those too), so every statement the card signs is
    /// about a key generated on it.
    ///
    /// The issuer is the subject of the attestation certificate in effect: the user's (PUT
    /// DATA FC) while there is one, else the provisioned one.
    pub(crate) fn generate_attestation(&mut self, slot: Slot) -> Result<(), Error> {
        if !(self.session.pw1_sign || self.session.pw1_other || self.session.pw3) {
            return Err(Error::NotAuthorized);
        }
        let meta = self.key_slot(slot)?.clone();
        match meta.status {
            KeyStatus::Absent => return Err(Error::NotFound),
            // As a YubiKey does ("imported: not permitted"): a verifier that checks only the
            // chain must be able to trust that an attested key never left a card.
            KeyStatus::Imported => return Err(Error::ConditionsOfUse),
            KeyStatus::Generated => {}
        }
        let key = self.attestation_key()?.ok_or(Error::NotFound)?;
        let authority = self.attestation_certificate()?.ok_or(Error::NotFound)?;
        self.confirm_attestation_presence()?;
        let mut public = alloc::vec![0u8; MAX_PUBLIC_KEY_LEN];
        let written = {
            let mut w = Writer::new(&mut public);
            write_public_key(&mut w, self.slot_key(slot)?)?;
            w.len()
        };
        public.truncate(written);
        let subject_key = attestation::public_key_info(&meta.attributes, &public)?;
        let cardholder_name = self.cardholder_name()?;
        let settings = usable(&self.state.settings)?;
        let facts = Facts {
            slot,
            status: meta.status,
            fingerprint: meta.fingerprint,
            date: meta.date,
            cardholder_name: &cardholder_name,
            firmware_version: self.config.firmware_version,
            serial: self.config.serial,
            uif: settings.uif.get(slot.index()).copied().unwrap_or(0),
            signature_counter: match slot {
                Slot::Sig => Some(usable(&self.state.signature_counter)?.value(meta.epoch)),
                _ => None,
            },
        };
        let certificate =
            // A serial number or nonce from a failed random source: nothing is stored.
            self.rng.guard(|rng| attestation::certify(&key, &authority, subject_key, &facts, rng))?;
        drop(key);
        if certificate.len() > usize::from(self.config.max_certificate_len) {
            return Err(Error::Internal);
        }
        self.store
            .write(certificate_record(slot), |w| w.raw(&certificate))
            .map(drop)
    }

    /// Touch for attestation: D9's mode, not cached. Not over contactless, as every touch of
    /// the applet (the card is held to the reader; see `crate::attestation`).
    fn confirm_attestation_presence(&mut self) -> Result<(), Error> {
        if self.session.transport == Transport::Contactless {
            return Ok(());
        }
        if usable(&self.state.settings)?.uif_att == 0 {
            return Ok(());
        }
        match self.user_presence.confirm(self.config.touch_timeout_ms) {
            Ok(Presence::Confirmed) => Ok(()),
            Ok(Presence::Denied | Presence::TimedOut) | Err(_) => Err(Error::UserPresence),
        }
    }

    /// The firmware's provisioning: a new attestation key, generated on the card, dated
    /// `date` (DD). Returns the public key as a DER SubjectPublicKeyInfo, for the
    /// manufacturer's CA.
    ///
    /// What certified the old key no longer applies: the user's certificate and CA
    /// fingerprint, then the provisioned ones, are removed before the new key is written. Each
    /// step is one atomic removal or write, so a power cut leaves either the old key with part
    /// of what certified it removed (the overrides first, the provisioned identity last), or
    /// the new key with none of it: never a certificate, provisioned or the user's, that does
    /// not certify the key in place. Once no certificate is left, attestation answers 6A88
    /// until the firmware stores one (or calls this again).
    pub(crate) fn generate_attestation_key(&mut self, date: [u8; 4]) -> Result<Vec<u8>, Error> {
        let key = self
            .rng
            .guard(|rng| Ok(AttestationKey::generate(rng, date)))?;
        for id in [
            RecordId::USER_ATTESTATION_CERTIFICATE,
            RecordId::USER_ATTESTATION_CA_FINGERPRINT,
            RecordId::ATTESTATION_CERTIFICATE,
            RecordId::ATTESTATION_CA_FINGERPRINT,
        ] {
            self.store.remove(id)?;
        }
        self.store
            .write(RecordId::ATTESTATION_KEY, |w| key.encode(w))?;
        spki_der(&key)
    }
}

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// The attestation key, decoded from its record (`None`: not provisioned).
    fn attestation_key(&mut self) -> Result<Option<AttestationKey>, Error> {
        self.store.read(RecordId::ATTESTATION_KEY, |payload| {
            payload.map(AttestationKey::decode).transpose()
        })
    }

    /// GET DATA of an attestation DO (the data-object table's [`Attestation`] backing).
    pub(crate) fn read_attestation_do(
        &mut self,
        value: Attestation,
        tag: u16,
        w: &mut Writer<'_>,
    ) -> Result<(), Error> {
        match value {
            Attestation::Key => self.write_attestation_do(tag, w),
            Attestation::Uif => Ok(w.raw(&self.attestation_uif()?)?),
            Attestation::Overridable(value) => self.read_overridable(value, w),
        }
    }

    /// PUT DATA of an attestation DO: the user's overrides of FC and DC, and D9; the key's DOs
    /// are not writable (the table says so; 6A88).
    pub(crate) fn put_attestation_do(
        &mut self,
        value: Attestation,
        data: &[u8],
    ) -> Result<(), Error> {
        match value {
            // The user's override of a provisioned value; the provisioned one stays.
            Attestation::Overridable(Overridable::AttestationCertificate) => {
                self.put_attestation_certificate(data)
            }
            Attestation::Overridable(Overridable::AttestationCaFingerprint) => {
                self.put_attestation_ca_fingerprint(data)
            }
            Attestation::Uif => self.put_attestation_uif(data),
            Attestation::Key => Err(Error::NotFound),
        }
    }

    /// GET DATA DA (attributes), DB (fingerprint), DD (generation date): empty when no
    /// attestation key is provisioned.
    pub(crate) fn write_attestation_do(
        &mut self,
        tag: u16,
        w: &mut Writer<'_>,
    ) -> Result<(), Error> {
        let Some(key) = self.attestation_key()? else {
            return Ok(());
        };
        match tag {
            tag::ATTESTATION_ATTRIBUTES => Ok(w.raw(&attestation::ATTRIBUTES)?),
            tag::ATTESTATION_FINGERPRINT => Ok(w.raw(&key.fingerprint)?),
            _ => Ok(w.raw(&key.date)?),
        }
    }

    /// GET DATA D9: the attestation UIF, then 20 (a button).
    pub(crate) fn attestation_uif(&self) -> Result<[u8; 2], Error> {
        Ok([usable(&self.state.settings)?.uif_att, 0x20])
    }

    /// PUT DATA D9: as D6-D8 (modes 00..04; 02 and 04 are permanent until a factory reset).
    pub(crate) fn put_attestation_uif(&mut self, data: &[u8]) -> Result<(), Error> {
        let mode = match data {
            [mode, _] => *mode,
            _ => return Err(Error::WrongLength),
        };
        if mode > 0x04 {
            return Err(Error::IncorrectData);
        }
        let settings = usable_mut(&mut self.state.settings)?;
        if matches!(settings.uif_att, 0x02 | 0x04) {
            return Err(Error::ConditionsOfUse);
        }
        settings.uif_att = mode;
        self.save_settings()
    }

    /// The attestation key's public key (DER SubjectPublicKeyInfo), `None` if none.
    pub(crate) fn attestation_public_key(&mut self) -> Result<Option<Vec<u8>>, Error> {
        self.attestation_key()?
            .map(|key| spki_der(&key))
            .transpose()
    }

    /// The firmware's provisioning of the attestation certificate (DER): it must certify the
    /// attestation key (6A80 otherwise, 6A88 without a key); empty data is 6985 (only a new
    /// attestation key removes it). The provisioned record, which no command writes.
    pub(crate) fn set_attestation_certificate(&mut self, der: &[u8]) -> Result<(), Error> {
        if der.is_empty() {
            return Err(Error::ConditionsOfUse);
        }
        self.check_attestation_certificate(der)?;
        self.store
            .write(RecordId::ATTESTATION_CERTIFICATE, |w| w.raw(der))
            .map(drop)
    }

    /// The firmware's provisioning of the attestation CA fingerprint (DC). The provisioned
    /// record, which no command writes.
    pub(crate) fn set_attestation_ca_fingerprint(
        &mut self,
        fingerprint: &[u8; 20],
    ) -> Result<(), Error> {
        self.store
            .write(RecordId::ATTESTATION_CA_FINGERPRINT, |w| w.raw(fingerprint))
            .map(drop)
    }

    /// PUT DATA FC (PW3; also through the fourth 7F21 occurrence): the user's attestation
    /// certificate, in effect instead of the provisioned one until an empty PUT DATA FC or the
    /// factory reset removes it. It must certify the card's attestation key (6A80 otherwise,
    /// 6A88 without a key): the card cannot check its signature (it holds no CA key), but a
    /// certificate of another key would make every attestation unverifiable. Empty data
    /// removes the user's certificate only; the provisioned one is never written here.
    ///
    /// Allowed with the default PW3 after a factory reset, deliberately: Yubico documents the
    /// attestation certificate as replaceable, so that an organisation can issue attestations
    /// verifiable with its own CA, and what a holder of the card can do with it is no more
    /// than to make the card's attestations name another issuer, which no verifier who trusts
    /// only the manufacturer's CA accepts, until the next factory reset.
    pub(crate) fn put_attestation_certificate(&mut self, der: &[u8]) -> Result<(), Error> {
        let id = Overridable::AttestationCertificate.user();
        if der.is_empty() {
            return self.store.remove(id);
        }
        self.check_attestation_certificate(der)?;
        self.store.write(id, |w| w.raw(der)).map(drop)
    }

    /// PUT DATA DC (PW3): the user's attestation CA fingerprint (20 bytes; the table checks
    /// the length), in effect instead of the provisioned one until an empty PUT DATA DC or
    /// the factory reset removes it.
    pub(crate) fn put_attestation_ca_fingerprint(&mut self, data: &[u8]) -> Result<(), Error> {
        self.write_simple(Overridable::AttestationCaFingerprint.user(), data)
    }

    /// A certificate that may become the attestation certificate: within the configured
    /// length (6700), and certifying the card's attestation key (6A80; 6A88 without a key).
    fn check_attestation_certificate(&mut self, der: &[u8]) -> Result<(), Error> {
        if der.len() > usize::from(self.config.max_certificate_len) {
            return Err(Error::WrongLength);
        }
        let key = self.attestation_key()?.ok_or(Error::NotFound)?;
        if attestation::certifies(der, &key)? {
            Ok(())
        } else {
            Err(Error::IncorrectData)
        }
    }

    /// GET DATA of an [`Overridable`] DO: the user's value while there is one, else the
    /// provisioned one, else nothing. A damaged user record is 6581 (the factory reset
    /// removes it), not a silent fall back.
    pub(crate) fn read_overridable(
        &mut self,
        value: Overridable,
        w: &mut Writer<'_>,
    ) -> Result<(), Error> {
        let overridden = self.store.read(value.user(), |payload| match payload {
            Some(bytes) => Ok(w.raw(bytes).map(|()| true)?),
            None => Ok(false),
        })?;
        if overridden {
            return Ok(());
        }
        self.store.read(value.provisioned(), |payload| {
            Ok(w.raw(payload.unwrap_or(&[]))?)
        })
    }

    /// The attestation certificate in effect (DER): the user's, else the provisioned one.
    fn attestation_certificate(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let copy = |payload: Option<&[u8]>| Ok(payload.map(<[u8]>::to_vec));
        let value = Overridable::AttestationCertificate;
        match self.store.read(value.user(), copy)? {
            Some(user) => Ok(Some(user)),
            None => self.store.read(value.provisioned(), copy),
        }
    }
}

fn spki_der(key: &AttestationKey) -> Result<Vec<u8>, Error> {
    use x509_cert::der::Encode;
    key.public_key_info()?.to_der().map_err(|_| Error::Internal)
}
