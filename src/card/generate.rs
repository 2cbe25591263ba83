//! GENERATE ASYMMETRIC KEY PAIR (§7.2.14), and the control reference template that names a
//! key slot (also inside key import's 4D, §4.4.3.12).

use rand_core::TryCryptoRng;

use crate::crypto::{Algorithm, PrivateKey};
use crate::error::Error;
use crate::platform::Storage;
use crate::spec::{tag, KeyStatus, Slot};
use crate::tlv::{Reader, Writer};

use super::encode::write_public_key;
use super::key_slots::KeyChange;
use super::Card;

impl<S: Storage, R: TryCryptoRng, C, U> Card<S, R, C, U> {
    /// GENERATE ASYMMETRIC KEY PAIR, spec §7.2.14. P1 = 80 generates a key for the slot's
    /// attributes (PW3; DE becomes 01, fingerprint and date are cleared for the host to write,
    /// a new SIG key starts a new signature count); P1 = 81 reads the public key (no access
    /// condition; 6A88 when the slot is empty). Both answer the 7F49 public key template.
    /// 6F00, with the old key kept, when the random source fails its health tests.
    ///
    /// Never inlined: its frame is about 5 KiB (a key generation's locals), and inlined into
    /// `dispatch` (as LLVM chose from b0a01ae on) every command paid it, RSA-4096 PSO:CDS
    /// going from 14,696 B to 20,464 B of stack (BENCHMARKS.md, finding 5).
    #[inline(never)]
    pub(crate) fn generate_asymmetric_key_pair(
        &mut self,
        generate: bool,
        crt: &[u8],
        w: &mut Writer<'_>,
    ) -> Result<(), Error> {
        let slot = parse_control_reference(crt)?;
        if generate {
            self.session.require_pw3()?;
            let current = self.key_slot(slot)?.clone();
            let algorithm = Algorithm::parse(&current.attributes).map_err(|_| Error::Storage)?;
            // A key drawn from a source that failed its health tests is dropped (wiped),
            // never stored: the slot keeps its old key.
            let key = self
                .rng
                .guard(|rng| PrivateKey::generate(&algorithm, rng))?;
            let meta = current.for_new_key(KeyStatus::Generated);
            self.store_key_slot(slot, meta, KeyChange::New(key))?;
        }
        write_public_key(w, self.slot_key(slot)?)
    }
}

/// The control reference template of GENERATE (spec §7.2.14): `B6`, `B8` or `A4`, empty or
/// holding the key reference `84 01 kr`, and nothing after it.
pub(crate) fn parse_control_reference(crt: &[u8]) -> Result<Slot, Error> {
    let mut r = Reader::new(crt);
    let tlv = r.tlv().ok_or(Error::IncorrectData)?;
    r.finish()?;
    control_reference_slot(tlv.tag, tlv.value)
}

/// The slot a control reference template names (also used inside key import's 4D).
pub(crate) fn control_reference_slot(tag: u16, value: &[u8]) -> Result<Slot, Error> {
    let slot = u8::try_from(tag)
        .ok()
        .and_then(Slot::from_crt_tag)
        .ok_or(Error::IncorrectData)?;
    if !value.is_empty() {
        // Spec §4.4.3.12 and §7.2.14: `B6 03 84 01 01`, `B8 03 84 01 02`, `A4 03 84 01 03`.
        // Any other key reference is refused, above all YubiKey's attestation key
        // (`B6 03 84 01 81`, yubikit's ATT slot): it must never land in SIG.
        let mut inner = Reader::new(value);
        let reference = inner.expect(tag::KEY_REFERENCE)?;
        inner.finish()?;
        if reference != [slot.key_reference()] {
            return Err(Error::IncorrectData);
        }
    }
    Ok(slot)
}
