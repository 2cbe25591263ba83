//! EdDSA on Ed25519 (RFC 8032, PureEdDSA) through `ed25519-dalek`: the curve's part of
//! [`edwards`](super::edwards), which holds the rest.

use ed25519_dalek::{Signer, SigningKey};

use super::edwards::{EdwardsCurve, EdwardsKey};
use super::EcPoint;
use crate::error::Error;

/// Ed25519.
pub(crate) enum Ed25519 {}

/// An Ed25519 key: the 32-byte seed and the cached public key (`SigningKey` zeroizes the seed
/// on drop).
pub(crate) type Ed25519Key = EdwardsKey<Ed25519>;

impl EdwardsCurve for Ed25519 {
    const LEN: usize = 32;
    type Seed = [u8; 32];
    type SigningKey = SigningKey;
    type Signature = ed25519_dalek::Signature;

    fn signing_key(seed: &[u8; 32]) -> SigningKey {
        SigningKey::from_bytes(seed)
    }

    fn seed(key: &SigningKey) -> &[u8] {
        key.as_bytes()
    }

    fn public_point(key: &SigningKey) -> Result<EcPoint, Error> {
        EcPoint::new(key.verifying_key().as_bytes())
    }

    fn sign(key: &SigningKey, message: &[u8]) -> Result<Self::Signature, Error> {
        key.try_sign(message).map_err(|_| Error::Internal)
    }

    fn verify(key: &SigningKey, message: &[u8], signature: &Self::Signature) -> bool {
        key.verify_strict(message, signature).is_ok()
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
    use ed25519_dalek::{Signature, VerifyingKey};
    use openpgp_card_applet_testkit::TestRng;

    fn verifying_key(key: &PrivateKey) -> VerifyingKey {
        let public = public_point(key);
        VerifyingKey::from_bytes(&public.try_into().unwrap()).unwrap()
    }

    #[test]
    fn rfc8032_test_1() {
        let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let public = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        let key = PrivateKey::from_ec_scalar(&Algorithm::Ed25519, &seed, Some(&public)).unwrap();
        assert_eq!(public_point(&key), public);
        assert_eq!(
            sign(&key, b"").unwrap(),
            hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        );
        // OpenPGP's 40-prefixed form of the public key is accepted too; a wrong key is not.
        let prefixed = [&[0x40][..], &public].concat();
        assert!(PrivateKey::from_ec_scalar(&Algorithm::Ed25519, &seed, Some(&prefixed)).is_ok());
        let mut wrong = public.clone();
        wrong[0] ^= 1;
        assert_eq!(
            PrivateKey::from_ec_scalar(&Algorithm::Ed25519, &seed, Some(&wrong)).err(),
            Some(Error::IncorrectData)
        );
    }

    #[test]
    fn generate_sign_verify_and_store() {
        let mut rng = TestRng::seed_from_u64(25519);
        let key = crate::crypto::tests::generate(&Algorithm::Ed25519, &mut rng).unwrap();
        let verifier = verifying_key(&key);
        // Empty, short, and an SSH-sized blob over 255 bytes.
        for len in [0usize, 32, 292, 1500] {
            let message: alloc::vec::Vec<u8> = (0..len).map(|i| i as u8).collect();
            let signature = sign(&key, &message).unwrap();
            let signature = Signature::from_slice(&signature).unwrap();
            verifier.verify_strict(&message, &signature).unwrap();
        }
        assert_storage_round_trip(&key);
    }

    #[test]
    fn short_seeds_are_left_padded_and_long_ones_rejected() {
        let seed = hex("00a1b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let short = PrivateKey::from_ec_scalar(&Algorithm::Ed25519, &seed[1..], None).unwrap();
        let full = PrivateKey::from_ec_scalar(&Algorithm::Ed25519, &seed, None).unwrap();
        assert_eq!(public_key(&short), public_key(&full));
        let long = [&[1u8][..], &seed].concat();
        assert_eq!(
            PrivateKey::from_ec_scalar(&Algorithm::Ed25519, &long, None).err(),
            Some(Error::IncorrectData)
        );
        assert_eq!(
            PrivateKey::from_stored(&Algorithm::Ed25519, &long).err(),
            Some(Error::Storage)
        );
    }

    /// With `verify-signatures`, a signature faulted between signing and release (each bit of
    /// R and S flipped in turn, as a glitch would) is refused and nothing is written; the
    /// intact one is released.
    #[test]
    #[cfg(feature = "verify-signatures")]
    fn faulted_signatures_are_not_released() {
        super::super::edwards::tests::faulted_signatures_are_not_released::<super::Ed25519>(
            |bytes| Signature::from_slice(bytes).ok(),
        );
    }
}
