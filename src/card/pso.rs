//! PERFORM SECURITY OPERATION: COMPUTE DIGITAL SIGNATURE (§7.2.10), DECIPHER (§7.2.11), and
//! INTERNAL AUTHENTICATE (§7.2.13).

use rand_core::TryCryptoRng;

use crate::entropy::Entropy;

use crate::crypto::PrivateKey;
use crate::error::Error;
use crate::platform::{Clock, RecordId, Storage, UserPresence};
use crate::spec::{tag, Slot, SIGNATURE_COUNTER_MAX};
use crate::state::{usable, usable_mut, KeySlotState, SignatureCounter};
use crate::tlv::{Reader, Writer};

use super::Card;

/// DECIPHER's padding indicator for RSA (spec §7.2.11).
const PADDING_RSA: u8 = 0x00;
/// DECIPHER's padding indicator for AES.
const PADDING_AES: u8 = 0x02;
/// DECIPHER's template tag for ECDH ("cipher DO").
const TEMPLATE_ECDH: u8 = tag::CIPHER as u8;

impl<S: Storage, R: TryCryptoRng, C: Clock, U: UserPresence> Card<S, R, C, U> {
    /// PSO: COMPUTE DIGITAL SIGNATURE, spec §7.2.10, with the SIG key. Needs PW1 verified with
    /// 81; with C4 byte 1 = 00 (the default) that verification is "only valid for one PSO:CDS
    /// command" (§7.2.2, §4.4.3.8): it is used up as soon as the access check has passed,
    /// whatever the outcome (no key, a wrong length, a refused touch, a failed write), so that
    /// a refused touch cannot be retried without a new PIN entry. The signature counter (93)
    /// counts every signature and is stored before the signature leaves the card.
    // Never inlined: called from `Card::run`, which must not hold its frame for the other
    // commands (BENCHMARKS.md, finding 6).
    #[inline(never)]
    pub(crate) fn compute_digital_signature(
        &mut self,
        data: &[u8],
        w: &mut Writer<'_>,
    ) -> Result<(), Error> {
        if !self.session.pw1_sign {
            return Err(Error::NotAuthorized);
        }
        // Unreadable settings count as the default (one signature per VERIFY).
        let multiple = matches!(&self.state.settings, Ok(s) if s.pw1_multiple_signatures);
        if !multiple {
            self.session.pw1_sign = false;
        }
        self.slot_key(Slot::Sig)?.prepare()?;
        self.confirm_presence(Slot::Sig, Slot::Sig)?;
        self.with_key(Slot::Sig, |key, rng| key.sign(rng, data, w))?;
        self.count_signature()
    }

    /// PSO: DECIPHER, spec §7.2.11, with the DEC key (or the AUT key after MANAGE SECURITY
    /// ENVIRONMENT). Needs PW1 verified with 82.
    /// RSA: `00 ‖ cryptogram`. ECDH: `A6 { 7F49 { 86 public point } }`. AES: `02 ‖ cryptogram`
    /// with the D5 key.
    // Never inlined: called from `Card::run`, which must not hold its frame for the other
    // commands (BENCHMARKS.md, finding 6).
    #[inline(never)]
    pub(crate) fn decipher(&mut self, data: &[u8], w: &mut Writer<'_>) -> Result<(), Error> {
        if !self.session.pw1_other {
            return Err(Error::NotAuthorized);
        }
        if data.first() == Some(&PADDING_AES) {
            self.confirm_presence(Slot::Dec, Slot::Dec)?;
            return self.aes(false, data.get(1..).unwrap_or(&[]), w);
        }
        let slot = self.session.decipher_key;
        self.slot_key(slot)?.prepare()?;
        self.confirm_presence(Slot::Dec, slot)?;
        self.with_key(slot, |key, rng| {
            let rsa = key.algorithm().rsa_bits().is_some();
            let input = match (data.first().copied(), rsa) {
                (Some(PADDING_RSA), true) => data.get(1..).unwrap_or(&[]),
                (Some(TEMPLATE_ECDH), false) => ecdh_point(data)?,
                (None, _) => return Err(Error::WrongLength),
                _ => return Err(Error::IncorrectData),
            };
            key.decipher(rng, input, w)
        })
    }

    /// PSO: ENCIPHER, spec §7.2.12: AES-CBC with the D5 key; answers `02 ‖ cryptogram`.
    /// Needs PW1 verified with 82.
    pub(crate) fn encipher(&mut self, data: &[u8], w: &mut Writer<'_>) -> Result<(), Error> {
        if !self.session.pw1_other {
            return Err(Error::NotAuthorized);
        }
        self.confirm_presence(Slot::Dec, Slot::Dec)?;
        w.raw(&[PADDING_AES])?;
        self.aes(true, data, w)
    }

    /// AES with the D5 key (the caller checked PW1 82). The key is read from its record on
    /// first use and kept in [`Persistent`](crate::state::Persistent), which drops it with the
    /// records.
    #[cfg(feature = "aes")]
    fn aes(&mut self, encrypt: bool, data: &[u8], w: &mut Writer<'_>) -> Result<(), Error> {
        if self.state.aes_key.key().is_none() {
            let key = self.store.read(RecordId::AES_KEY, |payload| {
                let key = payload.ok_or(Error::NotFound)?;
                if !crate::crypto::aes::valid_key_len(key.len()) {
                    return Err(Error::Storage);
                }
                Ok(zeroize::Zeroizing::new(key.to_vec()))
            })?;
            self.state.aes_key.remember(key);
        }
        let key = self.state.aes_key.key().ok_or(Error::Internal)?;
        crate::crypto::aes::check_input(data)?;
        let out = w.reserve(data.len())?;
        if encrypt {
            crate::crypto::aes::encrypt(key, data, out)
        } else {
            crate::crypto::aes::decrypt(key, data, out)
        }
    }

    #[cfg(not(feature = "aes"))]
    fn aes(&mut self, _encrypt: bool, _data: &[u8], _w: &mut Writer<'_>) -> Result<(), Error> {
        Err(Error::IncorrectData)
    }

    /// INTERNAL AUTHENTICATE, spec §7.2.13, with the AUT key (or the DEC key after MANAGE
    /// SECURITY ENVIRONMENT). Needs PW1 verified with 82.
    // Never inlined: called from `Card::run`, which must not hold its frame for the other
    // commands (BENCHMARKS.md, finding 6).
    #[inline(never)]
    pub(crate) fn internal_authenticate(
        &mut self,
        data: &[u8],
        w: &mut Writer<'_>,
    ) -> Result<(), Error> {
        if !self.session.pw1_other {
            return Err(Error::NotAuthorized);
        }
        let slot = self.session.authentication_key;
        self.slot_key(slot)?.prepare()?;
        self.confirm_presence(Slot::Aut, slot)?;
        self.with_key(slot, |key, rng| key.sign(rng, data, w))
    }

    /// Runs `operation` with a slot's decoded key (decoding it on first use) and the RNG; its
    /// result is discarded (6F00) when it drew randomness from a source that has failed its
    /// health tests ([`Entropy::guard`]).
    fn with_key<T>(
        &mut self,
        slot: Slot,
        operation: impl FnOnce(&PrivateKey, &mut Entropy<R>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.slot_key(slot)?.prepare()?;
        let key = self
            .state
            .keys
            .get(slot.index())
            .and_then(KeySlotState::key)
            .ok_or(Error::Internal)?;
        self.rng.guard(|rng| operation(key, rng))
    }

    /// Adds one to DO 93 (saturating at FFFFFF) and stores it.
    fn count_signature(&mut self) -> Result<(), Error> {
        let sig_epoch = self.key_slot(Slot::Sig)?.epoch;
        let current = usable(&self.state.signature_counter)?.value(sig_epoch);
        let next = SignatureCounter {
            epoch: sig_epoch,
            count: current.saturating_add(1).min(SIGNATURE_COUNTER_MAX),
        };
        self.store
            .write(RecordId::SIGNATURE_COUNTER, |w| next.encode(w))?;
        *usable_mut(&mut self.state.signature_counter)? = next;
        Ok(())
    }
}

/// Extracts the public point from `A6 { 7F49 { 86 point } }` (spec §7.2.11).
fn ecdh_point(data: &[u8]) -> Result<&[u8], Error> {
    let mut r = Reader::new(data);
    let template = r.expect(tag::CIPHER)?;
    r.finish()?;
    let mut r = Reader::new(template);
    let public_key = r.expect(tag::PUBLIC_KEY)?;
    r.finish()?;
    let mut r = Reader::new(public_key);
    let point = r.expect(tag::EXTERNAL_PUBLIC_KEY)?;
    r.finish()?;
    Ok(point)
}
