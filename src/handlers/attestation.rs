//! GENERATE ATTESTATION (YubiKey's `80 FB`), the attestation DOs (D9, DA, DB, DC, DD, FC) and
//! the firmware's provisioning of the attestation key. The format is `crate::attestation`'s.
//!
//! Nothing of the attestation key stays in RAM: each use reads and decodes its record, and the
//! key is wiped when the command ends.

use alloc::vec::Vec;

use rand_core::TryCryptoRng;

use crate::applet::Card;
use crate::attestation::{self, AttestationKey, Facts};
use crate::platform::{Clock, Presence, RecordId, Storage, Transport, UserPresence};
use crate::spec::{KeyStatus, Slot};
use crate::state::{usable, usable_mut};
use crate::status::Error;
use crate::tlv::Writer;

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
    /// asks, cached or not; never over contactless). 6A88 without a key in the slot, or
    /// without an attestation key and certificate; 6985 for an imported key (a YubiKey
    /// refuses those too), so every statement the card signs is about a key generated on it.
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
        let authority = self
            .store
            .read(RecordId::ATTESTATION_CERTIFICATE, |p| {
                Ok(p.map(<[u8]>::to_vec))
            })?
            .ok_or(Error::NotFound)?;
        self.confirm_attestation_presence()?;
        let mut public = alloc::vec![0u8; crate::crypto::MAX_PUBLIC_KEY_LEN];
        let written = {
            let mut w = Writer::new(&mut public);
            self.slot_key(slot)?.write_public_key(&mut w)?;
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

    /// Touch for attestation: D9's mode, not cached.
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
    /// `date` (DD). The old key's certificate no longer applies and is removed first (a power
    /// cut in between leaves the old key without a certificate: attestation answers 6A88 until
    /// a certificate is stored). Returns the public key as a DER SubjectPublicKeyInfo, for the
    /// manufacturer's CA.
    pub(crate) fn generate_attestation_key(&mut self, date: [u8; 4]) -> Result<Vec<u8>, Error> {
        let key = self
            .rng
            .guard(|rng| Ok(AttestationKey::generate(rng, date)))?;
        self.store.remove(RecordId::ATTESTATION_CERTIFICATE)?;
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
            0x00DA => w.raw(&attestation::ATTRIBUTES),
            0x00DB => w.raw(&key.fingerprint),
            _ => w.raw(&key.date),
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

    /// The attestation certificate (DER), from the firmware's provisioning or PUT DATA FC
    /// (PW3; also through the fourth 7F21 occurrence): it must certify the attestation key
    /// (6A80 otherwise, 6A88 without a key). It cannot be removed (empty data: 6985): it is
    /// the device's identity, kept by the factory reset, and the default PW3 is public after
    /// one.
    pub(crate) fn set_attestation_certificate(&mut self, der: &[u8]) -> Result<(), Error> {
        if der.is_empty() {
            return Err(Error::ConditionsOfUse);
        }
        if der.len() > usize::from(self.config.max_certificate_len) {
            return Err(Error::WrongLength);
        }
        let key = self.attestation_key()?.ok_or(Error::NotFound)?;
        if !attestation::certifies(der, &key)? {
            return Err(Error::IncorrectData);
        }
        drop(key);
        self.store
            .write(RecordId::ATTESTATION_CERTIFICATE, |w| w.raw(der))
            .map(drop)
    }
}

fn spki_der(key: &AttestationKey) -> Result<Vec<u8>, Error> {
    use x509_cert::der::Encode;
    key.public_key_info()?.to_der().map_err(|_| Error::Internal)
}
