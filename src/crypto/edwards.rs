//! EdDSA (RFC 8032, PureEdDSA) written once for Ed25519 and Ed448: attributes `16 <OID>` (spec
//! §4.4.3.10), signatures for PSO:CDS and INTERNAL AUTHENTICATE (§7.2.10, §7.2.13), seed
//! import (§4.4.3.12).
//!
//! [`EdwardsCurve`] binds a curve's crate (its signing key, which caches the public key, and its
//! signature) in a few lines (`ed25519.rs`, `ed448.rs`); [`EdwardsKey`] is the rest, generic.
//! Keys and signatures are in RFC 8032's encodings: the seed is the stored private key, the
//! public key goes out without a prefix (GnuPG adds OpenPGP's `40` itself) and is accepted on
//! import with or without it.

use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use super::{copy_right_aligned, CfrgKey, EcPoint, Output};
use crate::error::Error;

/// An EdDSA curve's implementation.
pub(crate) trait EdwardsCurve {
    /// Length of the seed and of the public key (RFC 8032 §5.1.5, §5.2.5).
    const LEN: usize;
    /// The seed, as the curve's crate takes it.
    type Seed: Default + AsMut<[u8]> + Zeroize;
    /// The crate's signing key: the expanded seed and the cached public key, zeroized on drop.
    type SigningKey;
    /// A signature, `R ‖ S`.
    type Signature;

    /// The signing key of `seed`.
    fn signing_key(seed: &Self::Seed) -> Self::SigningKey;

    /// The seed of `key`.
    fn seed(key: &Self::SigningKey) -> &[u8];

    /// The public key of `key`.
    fn public_point(key: &Self::SigningKey) -> Result<EcPoint, Error>;

    /// PureEdDSA over `message` (no context).
    fn sign(key: &Self::SigningKey, message: &[u8]) -> Result<Self::Signature, Error>;

    /// Whether `signature` verifies under `key` for `message`.
    fn verify(key: &Self::SigningKey, message: &[u8], signature: &Self::Signature) -> bool;

    /// The bytes of `signature`, `R ‖ S`.
    fn signature_bytes(signature: &Self::Signature) -> impl AsRef<[u8]>;
}

/// An EdDSA key on curve `C`.
pub(crate) struct EdwardsKey<C: EdwardsCurve>(pub(super) C::SigningKey);

impl<C: EdwardsCurve> EdwardsKey<C> {
    /// The seed, left-padded if shorter than [`EdwardsCurve::LEN`] (OpenPGP sends it as an MPI,
    /// so leading zeros may be stripped).
    pub(super) fn from_seed(seed: &[u8]) -> Result<Self, Error> {
        let mut padded = Zeroizing::new(C::Seed::default());
        if !copy_right_aligned(seed, padded.as_mut()) {
            return Err(Error::IncorrectData);
        }
        Ok(EdwardsKey(C::signing_key(&padded)))
    }

    /// Appends `signature`; with feature `verify-signatures`, only if it verifies under this
    /// key for `message` (a faulted signature is [`Error::Internal`] and nothing is written).
    pub(super) fn release<O: Output + ?Sized>(
        &self,
        message: &[u8],
        signature: &C::Signature,
        out: &mut O,
    ) -> Result<(), Error> {
        if cfg!(feature = "verify-signatures") && !C::verify(&self.0, message, signature) {
            return Err(Error::Internal);
        }
        out.put(C::signature_bytes(signature).as_ref())
    }
}

impl<C: EdwardsCurve> CfrgKey for EdwardsKey<C> {
    const LEN: usize = C::LEN;

    /// A fresh random seed (every byte string of the length is a valid seed).
    // Not inlined: each algorithm's generation keeps its own frame, so that GENERATE's frame does
    // not hold every algorithm's locals at once (RSA-4096 generation needed 20,536 B of stack;
    // BENCHMARKS.md, finding 6).
    #[inline(never)]
    fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut seed = Zeroizing::new(C::Seed::default());
        rng.fill_bytes(seed.as_mut());
        EdwardsKey(C::signing_key(&seed))
    }

    fn from_stored(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_seed(bytes)
    }

    fn from_import(scalar: &[u8]) -> Result<Self, Error> {
        Self::from_seed(scalar)
    }

    /// Storage form: the seed.
    fn write_stored<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
        out.put(C::seed(&self.0))
    }

    fn public_point(&self) -> Result<EcPoint, Error> {
        C::public_point(&self.0)
    }

    /// PureEdDSA over `message` as given (any length: SSH sends whole blobs).
    // Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
    // not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
    #[inline(never)]
    fn sign<O: Output + ?Sized>(&self, message: &[u8], out: &mut O) -> Result<(), Error> {
        let signature = C::sign(&self.0, message)?;
        self.release(message, &signature, out)
    }
}

#[cfg(all(test, feature = "verify-signatures"))]
pub(super) mod tests {
    use super::{EdwardsCurve, EdwardsKey};
    use crate::error::Error;
    use alloc::vec::Vec;

    /// With `verify-signatures`, a signature faulted between signing and release (each bit of
    /// R and S flipped in turn, as a glitch would) is refused and nothing is written; the
    /// intact one is released. `parse` reads a signature back (`None` where a flipped bit makes
    /// the bytes no signature at all, which is refused the same way). Run by each curve.
    pub(in crate::crypto) fn faulted_signatures_are_not_released<C: EdwardsCurve>(
        parse: impl Fn(&[u8]) -> Option<C::Signature>,
    ) {
        let key = EdwardsKey::<C>::from_seed(&[0x42; 57][..C::LEN]).unwrap();
        let message = b"signed under a glitch";
        let signature = C::sign(&key.0, message).unwrap();
        let bytes = C::signature_bytes(&signature).as_ref().to_vec();
        for bit in 0..bytes.len() * 8 {
            let mut faulted = bytes.clone();
            faulted[bit / 8] ^= 1 << (bit % 8);
            let mut w = Vec::new();
            let result = match parse(&faulted) {
                Some(faulted) => key.release(message, &faulted, &mut w),
                None => Err(Error::Internal),
            };
            assert_eq!(result, Err(Error::Internal), "bit {bit}");
            assert!(w.is_empty());
        }
        let mut w = Vec::new();
        key.release(message, &signature, &mut w).unwrap();
        assert_eq!(w, bytes);
    }
}
