//! EdDSA on Ed448 (RFC 8032 §5.2, PureEdDSA without context) through `ed448-goldilocks`: the
//! curve's part of [`edwards`](super::edwards), which holds the rest. Attributes
//! `16 <Ed448 OID>` (OID 1.3.101.113).
//!
//! Keys and signatures are in RFC 8032's encodings, with no prefix: the 57-byte private key
//! (the seed), the 57-byte public key in 7F49 (GnuPG 2.4 adds OpenPGP's `40` itself only for
//! the 25519 curves), the 114-byte signature `R ‖ S`. (The crate's own `Generate` asserts on
//! an all-zero seed; `edwards` draws the seed itself, which keeps every path panic-free, and
//! every 57-byte string is a valid seed.)

use alloc::boxed::Box;

use ed448_goldilocks::{SecretKey, SigningKey};

use super::edwards::{EdwardsCurve, EdwardsKey};
use super::EcPoint;
use crate::error::Error;

/// Ed448.
pub(crate) enum Ed448 {}

/// An Ed448 key: the expanded seed and the cached public key (`SigningKey` zeroizes itself on
/// drop). Boxed: they are 464 bytes (zeroized on drop, before the box is freed), the other
/// keys small.
pub(crate) type Ed448Key = EdwardsKey<Ed448>;

impl EdwardsCurve for Ed448 {
    const LEN: usize = 57;
    type Seed = SecretKey;
    type SigningKey = Box<SigningKey>;
    type Signature = ed448_goldilocks::Signature;

    fn signing_key(seed: &SecretKey) -> Box<SigningKey> {
        Box::new(SigningKey::from(seed))
    }

    fn seed(key: &Box<SigningKey>) -> &[u8] {
        key.as_bytes()
    }

    fn public_point(key: &Box<SigningKey>) -> Result<EcPoint, Error> {
        EcPoint::new(&key.verifying_key().to_bytes())
    }

    fn sign(key: &Box<SigningKey>, message: &[u8]) -> Result<Self::Signature, Error> {
        Ok(key.sign_raw(message))
    }

    fn verify(key: &Box<SigningKey>, message: &[u8], signature: &Self::Signature) -> bool {
        key.verifying_key().verify_raw(signature, message).is_ok()
    }

    fn signature_bytes(signature: &Self::Signature) -> impl AsRef<[u8]> {
        signature.to_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_storage_round_trip, hex, public_key, public_point, sign};
    use super::super::{Algorithm, PrivateKey};
    use crate::error::Error;
    use ed448_goldilocks::{Signature, VerifyingKey};
    use openpgp_card_applet_testkit::TestRng;

    fn verifying_key(key: &PrivateKey) -> VerifyingKey {
        let public = public_point(key);
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
        assert_eq!(public_point(&key), hex(PUBLIC));
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
        assert_eq!(public_point(&key).len(), 57);
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
        super::super::edwards::tests::faulted_signatures_are_not_released::<super::Ed448>(
            |bytes| Signature::from_slice(bytes).ok(),
        );
    }
}
