//! The common commands of a test, as [`Card`] methods: algorithm attributes from an
//! [`Algorithm`], key generation, PSO:COMPUTE DIGITAL SIGNATURE, PSO:DECIPHER, INTERNAL
//! AUTHENTICATE, PIN changes and resets. Each sends the command bytes of its spec section
//! through the client (so GET RESPONSE is followed) and returns the answer unchecked: a test
//! asserts the status word it expects, refusals included.
//!
//! ```
//! use openpgp_card_applet::crypto::Algorithm;
//! use openpgp_card_applet::spec::Slot;
//! use openpgp_card_applet_testkit::{assert_sw, public_key_part, Card};
//!
//! let mut card = Card::new();
//! assert_sw(&card.select(), 0x9000);
//! card.verify_admin();
//! assert_sw(&card.set_algorithm(Slot::Aut, &Algorithm::Ed25519), 0x9000);
//! let public = card.generate_key(Slot::Aut);
//! assert_sw(&public, 0x9000);
//! assert_eq!(public_key_part(&public.data, 0x86).map(<[u8]>::len), Some(32));
//! assert_sw(&card.verify(0x82, b"123456"), 0x9000);
//! assert_eq!(card.internal_authenticate(b"challenge").data.len(), 64);
//! ```

use alloc::vec::Vec;
use openpgp_card_applet::crypto::Algorithm;
use openpgp_card_applet::spec::{Slot, MAX_ATTRIBUTES_LEN};
use openpgp_card_applet::tlv::{Reader, Writer};
use openpgp_card_applet::{Clock, Storage, UserPresence};
use rand_core::TryCryptoRng;

use crate::client::{Card, Rsp};
use crate::import::ecdh_cipher_do;

/// The value of C1, C2 or C3 for `algorithm`, as the applet itself writes it (spec
/// §4.4.3.10: RSA `01 nnnn 0020 fmt`, ECC `id OID`).
///
/// # Panics
/// Never: every algorithm's attributes fit [`MAX_ATTRIBUTES_LEN`] bytes.
pub fn attributes(algorithm: &Algorithm) -> Vec<u8> {
    let mut buf = [0u8; MAX_ATTRIBUTES_LEN];
    let mut w = Writer::new(&mut buf);
    algorithm
        .write_attributes(&mut w)
        .expect("attributes fit MAX_ATTRIBUTES_LEN");
    w.written().to_vec()
}

/// The first slot (SIG, DEC, AUT) that takes a key of `algorithm`.
///
/// # Panics
/// Never: every algorithm fits SIG or DEC.
pub fn first_slot(algorithm: &Algorithm) -> Slot {
    Slot::ALL
        .into_iter()
        .find(|&slot| algorithm.fits_slot(slot))
        .expect("every algorithm fits a slot")
}

/// One component of the public key template an answer to GENERATE holds (`7F49 { ... }`,
/// spec §7.2.14): 81 the RSA modulus, 82 its exponent, 86 an EC point. `None` when `data` is
/// not such a template or lacks the component.
pub fn public_key_part(data: &[u8], tag: u16) -> Option<&[u8]> {
    let template = Reader::new(data).expect(0x7F49).ok()?;
    Reader::new(template)
        .find(|tlv| tlv.tag == tag)
        .map(|tlv| tlv.value)
}

impl<S, R, C, U> Card<S, R, C, U>
where
    S: Storage,
    R: TryCryptoRng,
    C: Clock,
    U: UserPresence,
{
    /// PUT DATA C1, C2 or C3 (spec §4.4.3.10): `slot`'s algorithm attributes from `algorithm`
    /// (PW3 must be verified). A change of key type deletes the slot's key.
    pub fn set_algorithm(&mut self, slot: Slot, algorithm: &Algorithm) -> Rsp {
        self.put_data(slot.attributes_tag(), &attributes(algorithm))
    }

    /// GENERATE ASYMMETRIC KEY PAIR (47 80, spec §7.2.14) in `slot` with its current
    /// attributes (PW3 must be verified): the public key template 7F49 (see
    /// [`public_key_part`]).
    pub fn generate_key(&mut self, slot: Slot) -> Rsp {
        self.generate(slot.crt_tag())
    }

    /// Reads `slot`'s public key (47 81, spec §7.2.14): the template 7F49, no PIN needed.
    pub fn public_key(&mut self, slot: Slot) -> Rsp {
        self.cmd_all(0x47, 0x81, 0x00, &[slot.crt_tag(), 0x00])
    }

    /// PSO:COMPUTE DIGITAL SIGNATURE (2A 9E 9A, spec §7.2.10) with the SIG key over `input`:
    /// a DigestInfo for RSA, the hash for ECDSA, the message for EdDSA (PW1 81 verified).
    pub fn sign(&mut self, input: &[u8]) -> Rsp {
        self.cmd_all(0x2A, 0x9E, 0x9A, input)
    }

    /// PSO:DECIPHER (2A 80 86, spec §7.2.11) with the DEC key (PW1 82 verified): `data` as
    /// the spec lays it out, `00 ‖ cryptogram` for RSA, `02 ‖ cryptogram` for AES, the cipher
    /// DO for ECDH (see [`ecdh`](Self::ecdh)).
    pub fn decipher(&mut self, data: &[u8]) -> Rsp {
        self.cmd_all(0x2A, 0x80, 0x86, data)
    }

    /// PSO:DECIPHER for ECDH, X25519 and X448 (spec §7.2.11): the cipher DO around the host's
    /// public `point`, as GnuPG sends it; the answer is the shared secret.
    pub fn ecdh(&mut self, point: &[u8]) -> Rsp {
        self.decipher(&ecdh_cipher_do(point))
    }

    /// INTERNAL AUTHENTICATE (88, spec §7.2.13) with the AUT key over `input` (PW1 82
    /// verified): the signature.
    pub fn internal_authenticate(&mut self, input: &[u8]) -> Rsp {
        self.cmd_all(0x88, 0x00, 0x00, input)
    }

    /// CHANGE REFERENCE DATA (24, spec §7.2.3) of PW1 (`reference` 81) or PW3 (83): `old`
    /// then `new`.
    pub fn change_pin(&mut self, reference: u8, old: &[u8], new: &[u8]) -> Rsp {
        self.cmd(0x00, 0x24, 0x00, reference, &[old, new].concat())
    }

    /// PUT DATA D3 (spec §4.4.2): sets the Resetting Code (PW3 verified); empty removes it.
    pub fn set_resetting_code(&mut self, code: &[u8]) -> Rsp {
        self.put_data(0xD3, code)
    }

    /// RESET RETRY COUNTER (2C 00 81, spec §7.2.4) with the Resetting Code: PW1 becomes
    /// `new_pin` with a full counter.
    pub fn reset_pin_with_code(&mut self, resetting_code: &[u8], new_pin: &[u8]) -> Rsp {
        self.cmd(0x00, 0x2C, 0x00, 0x81, &[resetting_code, new_pin].concat())
    }

    /// RESET RETRY COUNTER (2C 02 81, spec §7.2.4) with PW3 verified: PW1 becomes `new_pin`
    /// with a full counter.
    pub fn reset_pin_as_admin(&mut self, new_pin: &[u8]) -> Rsp {
        self.cmd(0x00, 0x2C, 0x02, 0x81, new_pin)
    }
}
