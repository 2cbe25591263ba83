//! EdDSA on Ed25519 (RFC 8032, PureEdDSA): attributes `16 <Ed25519 OID>` (spec §4.4.3.10),
//! signatures for PSO:CDS and INTERNAL AUTHENTICATE (§7.2.10, §7.2.13), seed import
//! (§4.4.3.12).

use ed25519_dalek::{Signer, SigningKey};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::tlv::Writer;

/// Tag of the public key in the public key DO 7F49.
const TAG_POINT: u16 = 0x86;

/// An Ed25519 key: the 32-byte seed and the cached public key (`SigningKey` zeroizes the seed
/// on drop).
pub(crate) struct Ed25519Key(SigningKey);

impl Ed25519Key {
    /// A fresh random seed.
    // Not inlined: each algorithm's generation keeps its own frame, so that GENERATE's frame does
    // not hold every algorithm's locals at once (RSA-4096 generation needed 20,536 B of stack;
    // BENCHMARKS.md, finding 6).
    #[inline(never)]
    pub(crate) fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Ed25519Key {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *seed);
        Ed25519Key(SigningKey::from_bytes(&seed))
    }

    /// The seed, left-padded if shorter than 32 bytes (OpenPGP sends it as an MPI, so leading
    /// zeros may be stripped).
    pub(crate) fn from_seed(seed: &[u8]) -> Result<Ed25519Key, Error> {
        let mut padded = Zeroizing::new([0u8; 32]);
        if !super::copy_right_aligned(seed, &mut *padded) {
            return Err(Error::IncorrectData);
        }
        Ok(Ed25519Key(SigningKey::from_bytes(&padded)))
    }

    /// Storage form: the seed.
    pub(crate) fn write_seed(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.raw(self.0.as_bytes())
    }

    /// `86 <32-byte public key>`.
    pub(crate) fn write_public(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.put(TAG_POINT, self.0.verifying_key().as_bytes())
    }

    /// Whether `public` (32 bytes or `40 ‖ A`) is this key's public key.
    pub(crate) fn public_matches(&self, public: &[u8]) -> bool {
        super::public_25519_matches(public, self.0.verifying_key().as_bytes())
    }

    /// PureEdDSA over `message` as given (any length: SSH sends whole blobs).
    // Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
    // not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
    #[inline(never)]
    pub(crate) fn sign(&self, message: &[u8], out: &mut Writer<'_>) -> Result<(), Error> {
        let signature = self.0.try_sign(message).map_err(|_| Error::Internal)?;
        self.release(message, &signature, out)
    }

    /// Appends `signature`; with feature `verify-signatures`, only if it verifies under this
    /// key for `message` (a faulted signature is [`Error::Internal`] and nothing is written).
    fn release(
        &self,
        message: &[u8],
        signature: &ed25519_dalek::Signature,
        out: &mut Writer<'_>,
    ) -> Result<(), Error> {
        #[cfg(feature = "verify-signatures")]
        self.0
            .verify_strict(message, signature)
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
    use ed25519_dalek::{Signature, VerifyingKey};
    use openpgp_card_applet_testkit::TestRng;

    fn verifying_key(key: &PrivateKey) -> VerifyingKey {
        let public = public_part(&public_key(key), 0x86);
        VerifyingKey::from_bytes(&public.try_into().unwrap()).unwrap()
    }

    #[test]
    fn rfc8032_test_1() {
        let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let public = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        let key = PrivateKey::from_ec_scalar(&Algorithm::Ed25519, &seed, Some(&public)).unwrap();
        assert_eq!(public_part(&public_key(&key), 0x86), public);
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
        use super::Ed25519Key;
        use crate::tlv::Writer;
        use ed25519_dalek::Signer;
        let key = Ed25519Key::from_seed(&[0x42; 32]).unwrap();
        let message = b"signed under a glitch";
        let signature = key.0.sign(message);
        let mut buf = [0u8; 64];
        for bit in 0..512 {
            let mut bytes = signature.to_bytes();
            bytes[bit / 8] ^= 1 << (bit % 8);
            let faulted = Signature::from_bytes(&bytes);
            let mut w = Writer::new(&mut buf);
            assert_eq!(
                key.release(message, &faulted, &mut w),
                Err(Error::Internal),
                "bit {bit}"
            );
            assert!(w.written().is_empty());
        }
        let mut w = Writer::new(&mut buf);
        key.release(message, &signature, &mut w).unwrap();
        assert_eq!(w.written(), &signature.to_bytes()[..]);
    }
}
