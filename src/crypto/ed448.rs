//! EdDSA on Ed448 (RFC 8032 §5.2, PureEdDSA without context): attributes `16 <Ed448 OID>`
//! (spec §4.4.3.10, OID 1.3.101.113), signatures for PSO:CDS and INTERNAL AUTHENTICATE
//! (§7.2.10, §7.2.13), seed import (§4.4.3.12).
//!
//! Keys and signatures are in RFC 8032's encodings, with no prefix: the 57-byte private key
//! (the seed), the 57-byte public key in 7F49 (GnuPG 2.4 adds OpenPGP's `40` itself only for
//! the 25519 curves), the 114-byte signature `R ‖ S`.

use ed448_goldilocks::{SecretKey, SigningKey};
use rand_core::CryptoRng;
use zeroize::Zeroize;

use crate::error::Error;
use crate::tlv::Writer;

/// Tag of the public key in the public key DO 7F49.
const TAG_POINT: u16 = 0x86;
/// Length of the seed and of the public key (RFC 8032 §5.2.5).
pub(crate) const KEY_LEN: usize = 57;

/// An Ed448 key: the expanded seed and the cached public key (`SigningKey` zeroizes itself on
/// drop).
pub(crate) struct Ed448Key(SigningKey);

impl Ed448Key {
    /// Builds the key from a 57-byte seed and wipes `seed`.
    fn new(seed: &mut SecretKey) -> Ed448Key {
        let key = SigningKey::from(&*seed);
        seed.zeroize();
        Ed448Key(key)
    }

    /// A fresh random seed. (The crate's own `Generate` asserts on an all-zero seed; drawing it
    /// here keeps every path panic-free, and every 57-byte string is a valid seed.)
    // Not inlined: each algorithm's generation keeps its own frame, so that GENERATE's frame does
    // not hold every algorithm's locals at once (RSA-4096 generation needed 20,536 B of stack;
    // BENCHMARKS.md, finding 6).
    #[inline(never)]
    pub(crate) fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Ed448Key {
        let mut seed = SecretKey::default();
        rng.fill_bytes(&mut seed);
        Ed448Key::new(&mut seed)
    }

    /// The seed, left-padded if shorter than 57 bytes (GnuPG strips leading zero bytes).
    pub(crate) fn from_seed(seed: &[u8]) -> Result<Ed448Key, Error> {
        let mut padded = SecretKey::default();
        if !super::copy_right_aligned(seed, &mut padded) {
            padded.zeroize();
            return Err(Error::IncorrectData);
        }
        Ok(Ed448Key::new(&mut padded))
    }

    /// Storage form: the seed.
    pub(crate) fn write_seed(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.raw(self.0.as_bytes())
    }

    /// `86 <57-byte public key>`.
    pub(crate) fn write_public(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.put(TAG_POINT, &self.0.verifying_key().to_bytes())
    }

    /// Whether `public` (57 bytes, or `40 ‖ A` as OpenPGP may write it) is this key's.
    pub(crate) fn public_matches(&self, public: &[u8]) -> bool {
        let raw = match public {
            [0x40, rest @ ..] if rest.len() == KEY_LEN => rest,
            _ => public,
        };
        raw == &self.0.verifying_key().to_bytes()[..]
    }

    /// PureEdDSA over `message` as given (any length), empty context; 114-byte output.
    // Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
    // not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
    #[inline(never)]
    pub(crate) fn sign(&self, message: &[u8], out: &mut Writer<'_>) -> Result<(), Error> {
        let signature = self.0.sign_raw(message);
        self.release(message, &signature, out)
    }

    /// Appends `signature`; with feature `verify-signatures`, only if it verifies under this
    /// key for `message` (a faulted signature is [`Error::Internal`] and nothing is written).
    fn release(
        &self,
        message: &[u8],
        signature: &ed448_goldilocks::Signature,
        out: &mut Writer<'_>,
    ) -> Result<(), Error> {
        #[cfg(feature = "verify-signatures")]
        self.0
            .verifying_key()
            .verify_raw(signature, message)
            .map_err(|_| Error::Internal)?;
        #[cfg(not(feature = "verify-signatures"))]
        let _ = message;
        out.raw(&signature.to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_storage_round_trip, hex, public_key, public_part, sign};
    use super::super::{Algorithm, PrivateKey};
    use crate::error::Error;
    use ed448_goldilocks::{Signature, VerifyingKey};
    use openpgp_card_applet_testkit::TestRng;

    fn verifying_key(key: &PrivateKey) -> VerifyingKey {
        let public = public_part(&public_key(key), 0x86);
        VerifyingKey::from_bytes(public.as_slice().try_into().unwrap()).unwrap()
    }

    /// RFC 8032 §7.4, "-----blank": the empty message.
    const SEED: &str = "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b";
    const PUBLIC: &str = "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180";
    const SIGNATURE: &str = "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600";

    #[test]
    fn rfc8032_blank() {
        let key =
            PrivateKey::from_ec_scalar(&Algorithm::Ed448, &hex(SEED), Some(&hex(PUBLIC))).unwrap();
        assert_eq!(public_part(&public_key(&key), 0x86), hex(PUBLIC));
        assert_eq!(sign(&key, b"").unwrap(), hex(SIGNATURE));
        // OpenPGP's 40-prefixed form of the public key is accepted too; a wrong key is not.
        let prefixed = [&[0x40][..], &hex(PUBLIC)].concat();
        assert!(PrivateKey::from_ec_scalar(&Algorithm::Ed448, &hex(SEED), Some(&prefixed)).is_ok());
        let mut wrong = hex(PUBLIC);
        wrong[0] ^= 1;
        assert_eq!(
            PrivateKey::from_ec_scalar(&Algorithm::Ed448, &hex(SEED), Some(&wrong)).err(),
            Some(Error::IncorrectData)
        );
    }

    #[test]
    fn generate_sign_verify_and_store() {
        let mut rng = TestRng::seed_from_u64(448);
        let key = crate::crypto::tests::generate(&Algorithm::Ed448, &mut rng).unwrap();
        let verifier = verifying_key(&key);
        // Empty, a hash, an SSH-sized blob and one over 255 bytes.
        for len in [0usize, 64, 292, 1500] {
            let message: alloc::vec::Vec<u8> = (0..len).map(|i| i as u8).collect();
            let signature = sign(&key, &message).unwrap();
            assert_eq!(signature.len(), 114);
            let signature = Signature::from_slice(&signature).unwrap();
            assert!(verifier.verify_raw(&signature, &message).is_ok());
            let mut other = message.clone();
            other.push(0);
            assert!(verifier.verify_raw(&signature, &other).is_err());
        }
        assert_eq!(public_part(&public_key(&key), 0x86).len(), 57);
        assert_storage_round_trip(&key);
    }

    #[test]
    fn short_seeds_are_padded_and_long_ones_refused() {
        let mut seed = hex(SEED);
        seed[0] = 0;
        let short = PrivateKey::from_ec_scalar(&Algorithm::Ed448, &seed[1..], None).unwrap();
        let full = PrivateKey::from_ec_scalar(&Algorithm::Ed448, &seed, None).unwrap();
        assert_eq!(public_key(&short), public_key(&full));
        let long = [&[1u8][..], &hex(SEED)].concat();
        assert_eq!(
            PrivateKey::from_ec_scalar(&Algorithm::Ed448, &long, None).err(),
            Some(Error::IncorrectData)
        );
        assert_eq!(
            PrivateKey::from_stored(&Algorithm::Ed448, &long).err(),
            Some(Error::Storage)
        );
        assert_eq!(
            PrivateKey::from_stored(&Algorithm::Ed448, &seed[1..]).err(),
            Some(Error::Storage)
        );
    }

    /// With `verify-signatures`, a signature faulted between signing and release (each bit of
    /// R and S flipped in turn, as a glitch would) is refused and nothing is written; the
    /// intact one is released.
    #[test]
    #[cfg(feature = "verify-signatures")]
    fn faulted_signatures_are_not_released() {
        use super::Ed448Key;
        use crate::tlv::Writer;
        let key = Ed448Key::from_seed(&[0x42; 57]).unwrap();
        let message = b"signed under a glitch";
        let signature = key.0.sign_raw(message);
        let mut buf = [0u8; 114];
        for bit in 0..114 * 8 {
            let mut bytes = signature.to_bytes();
            bytes[bit / 8] ^= 1 << (bit % 8);
            let mut w = Writer::new(&mut buf);
            // A flipped bit may make the bytes no signature at all (S not reduced), which is
            // refused the same way.
            let result = match Signature::from_slice(&bytes) {
                Ok(faulted) => key.release(message, &faulted, &mut w),
                Err(_) => Err(Error::Internal),
            };
            assert_eq!(result, Err(Error::Internal), "bit {bit}");
            assert!(w.written().is_empty());
        }
        let mut w = Writer::new(&mut buf);
        key.release(message, &signature, &mut w).unwrap();
        assert_eq!(w.written(), &signature.to_bytes()[..]);
    }
}
