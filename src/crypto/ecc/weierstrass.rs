//! ECDSA and ECDH written once, generic over the `elliptic_curve` traits.
//!
//! [`WeierstrassCurve`] binds each curve to the generic `ecdsa` crate's signing key (which
//! caches the public point) with a few lines of macro, so that the bounds the `ecdsa` crate
//! puts on a curve are checked once per curve instead of spelled out here; everything else is
//! generic.

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use elliptic_curve::ecdh::diffie_hellman;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, NonZeroScalar, PrimeField, PublicKey,
};

use crate::error::Error;
use crate::tlv::Writer;

/// Tag of the EC point in the public key DO 7F49 (spec §4.4.3.12).
const TAG_POINT: u16 = 0x86;
/// SEC 1 tag of an uncompressed point.
const UNCOMPRESSED: u8 = 0x04;

/// A short-Weierstrass curve with its ECDSA implementation.
pub(crate) trait WeierstrassCurve:
    CurveArithmetic<FieldBytesSize: ModulusSize, AffinePoint: FromSec1Point<Self> + ToSec1Point<Self>>
{
    /// The curve crate's ECDSA signing key: the secret scalar and the cached public point.
    type SigningKey: ZeroizeOnDrop;

    /// Wraps a secret scalar (computes the public point).
    fn signing_key(secret: NonZeroScalar<Self>) -> Self::SigningKey;

    /// The secret scalar.
    fn secret(key: &Self::SigningKey) -> &NonZeroScalar<Self>;

    /// The public point.
    fn public(key: &Self::SigningKey) -> &AffinePoint<Self>;

    /// Signs a field-length hash with a hedged RFC 6979 nonce (§3.6: field-length random
    /// bytes from `rng` as the additional data `k'`); appends `r ‖ s`.
    fn sign_prehash<R: CryptoRng + ?Sized>(
        key: &Self::SigningKey,
        rng: &mut R,
        z: &FieldBytes<Self>,
        out: &mut Writer<'_>,
    ) -> Result<(), Error>;

    /// Appends the signature `r ‖ s` of the field-length hash `z`; with feature
    /// `verify-signatures`, only if it verifies under the key's public point (a faulted
    /// signature is [`Error::Internal`] and nothing is written).
    fn release(
        key: &Self::SigningKey,
        z: &FieldBytes<Self>,
        signature: &[u8],
        out: &mut Writer<'_>,
    ) -> Result<(), Error>;
}

macro_rules! weierstrass_curve {
    ($curve:ty) => {
        impl WeierstrassCurve for $curve {
            type SigningKey = ecdsa::SigningKey<$curve>;

            fn signing_key(secret: NonZeroScalar<Self>) -> Self::SigningKey {
                ecdsa::SigningKey::from(secret)
            }

            fn secret(key: &Self::SigningKey) -> &NonZeroScalar<Self> {
                key.as_nonzero_scalar()
            }

            fn public(key: &Self::SigningKey) -> &AffinePoint<Self> {
                key.verifying_key().as_affine()
            }

            fn sign_prehash<R: CryptoRng + ?Sized>(
                key: &Self::SigningKey,
                rng: &mut R,
                z: &FieldBytes<Self>,
                out: &mut Writer<'_>,
            ) -> Result<(), Error> {
                use ecdsa::signature::hazmat::RandomizedPrehashSigner;
                let signature: ecdsa::Signature<$curve> = key
                    .sign_prehash_with_rng(rng, z)
                    .map_err(|_| Error::Internal)?;
                Self::release(key, z, &signature.to_bytes(), out)
            }

            fn release(
                key: &Self::SigningKey,
                z: &FieldBytes<Self>,
                signature: &[u8],
                out: &mut Writer<'_>,
            ) -> Result<(), Error> {
                #[cfg(feature = "verify-signatures")]
                {
                    use ecdsa::signature::hazmat::PrehashVerifier;
                    let parsed = ecdsa::Signature::<$curve>::from_slice(signature)
                        .map_err(|_| Error::Internal)?;
                    key.verifying_key()
                        .verify_prehash(z, &parsed)
                        .map_err(|_| Error::Internal)?;
                }
                #[cfg(not(feature = "verify-signatures"))]
                let _ = (key, z);
                out.raw(signature)
            }
        }
    };
}

#[cfg(all(feature = "p256", not(all(feature = "cortex-m4", target_arch = "arm"))))]
weierstrass_curve!(p256::NistP256);
#[cfg(feature = "p384")]
weierstrass_curve!(p384::NistP384);
#[cfg(feature = "k256")]
weierstrass_curve!(k256::Secp256k1);
#[cfg(feature = "p521")]
weierstrass_curve!(p521::NistP521);
#[cfg(feature = "brainpool")]
weierstrass_curve!(bp256::BrainpoolP256r1);
#[cfg(feature = "brainpool")]
weierstrass_curve!(bp384::BrainpoolP384r1);
#[cfg(feature = "brainpool")]
weierstrass_curve!(bp512::BrainpoolP512r1);

/// A private key on curve `C`, usable for ECDSA and ECDH. Zeroized on drop (by `SigningKey`).
pub(crate) struct CurveKey<C: WeierstrassCurve> {
    key: C::SigningKey,
}

impl<C: WeierstrassCurve> CurveKey<C> {
    fn field_len() -> usize {
        FieldBytes::<C>::default().len()
    }

    /// A uniformly random scalar in [1, n-1]: field-length random bytes, the excess top bits
    /// of the field bytes cleared (P-521's seven), taken if below n and not zero; at most
    /// [`SCALAR_ATTEMPTS`](super::super::SCALAR_ATTEMPTS) draws. Every order here is above
    /// 2^(bits − 1), so one draw is refused with a probability below ½ (below 2⁻³² for the
    /// NIST curves and secp256k1), and a stuck source ends in an error, never in a loop
    /// without end.
    pub(crate) fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        let excess = Self::field_len() * 8 - <C::Scalar as PrimeField>::NUM_BITS as usize;
        let mask = u8::MAX.checked_shr(excess as u32).unwrap_or(0);
        let mut repr = FieldBytes::<C>::default();
        for _ in 0..super::super::SCALAR_ATTEMPTS {
            rng.fill_bytes(&mut repr);
            if let Some(top) = repr.first_mut() {
                *top &= mask;
            }
            let secret = NonZeroScalar::<C>::from_repr(repr).into_option();
            if let Some(secret) = secret {
                repr.zeroize();
                return Ok(CurveKey {
                    key: C::signing_key(secret),
                });
            }
        }
        repr.zeroize();
        Err(Error::RandomFailure)
    }

    /// A big-endian scalar, left-padded if short; must be in [1, n-1].
    pub(crate) fn from_scalar(scalar: &[u8]) -> Result<Self, Error> {
        let mut repr = FieldBytes::<C>::default();
        let secret = if super::super::copy_right_aligned(scalar, &mut repr) {
            NonZeroScalar::<C>::from_repr(repr).into_option()
        } else {
            None
        };
        repr.zeroize();
        let secret = secret.ok_or(Error::IncorrectData)?;
        Ok(CurveKey {
            key: C::signing_key(secret),
        })
    }

    /// The scalar, big-endian, field length.
    pub(crate) fn write_scalar(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut repr: FieldBytes<C> = C::secret(&self.key).to_repr();
        let result = w.raw(&repr);
        repr.zeroize();
        result
    }

    fn public_point(&self) -> impl AsRef<[u8]> {
        C::public(&self.key).to_sec1_point(false)
    }

    /// `86 04 ‖ X ‖ Y`.
    pub(crate) fn write_public(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.put(TAG_POINT, self.public_point().as_ref())
    }

    /// Whether `public` is this key's point, uncompressed.
    pub(crate) fn public_matches(&self, public: &[u8]) -> bool {
        self.public_point().as_ref() == public
    }

    /// ECDSA over a hash: left-padded with zeros if shorter than the field, its leftmost
    /// field-length bytes if longer, which the `ecdsa` crate then truncates to the order's bit
    /// length: bits2int of SEC 1 §4.1.3 (for P-521, whose order has 521 bits, a 66-byte hash
    /// loses its last 7 bits as a host verifier's does).
    ///
    /// The nonce is RFC 6979's with fresh random bytes mixed in (hedged, §3.6): with a working
    /// RNG, a hash signed twice gets two nonces, so a fault injected during one of the two
    /// signatures reveals nothing (with a purely deterministic nonce, it reveals the key); with
    /// a broken RNG the nonce is still RFC 6979's, never reused across different hashes.
    // Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
    // not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
    #[inline(never)]
    pub(crate) fn sign<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        hash: &[u8],
        out: &mut Writer<'_>,
    ) -> Result<(), Error> {
        let mut z = FieldBytes::<C>::default();
        super::hash_to_field(hash, &mut z)?;
        C::sign_prehash(&self.key, rng, &z, out)
    }

    /// ECDH with the host's point `04 ‖ X ‖ Y`, which must be on the curve; appends the
    /// x-coordinate of the shared point.
    // Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
    // not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
    #[inline(never)]
    pub(crate) fn agree(&self, point: &[u8], out: &mut Writer<'_>) -> Result<(), Error> {
        if point.first() != Some(&UNCOMPRESSED) || point.len() != 1 + 2 * Self::field_len() {
            return Err(Error::IncorrectData);
        }
        // SEC 1 §2.3.4 decoding checks the curve equation and rejects the identity.
        let public = PublicKey::<C>::from_sec1_bytes(point).map_err(|_| Error::IncorrectData)?;
        let shared = diffie_hellman(C::secret(&self.key), public.as_affine());
        out.raw(shared.raw_secret_bytes())
    }
}

/// With `verify-signatures`, a signature faulted between signing and release (each bit of r
/// and s flipped in turn) is refused on every curve and nothing is written; the intact one is
/// released.
#[cfg(all(test, feature = "verify-signatures"))]
mod tests {
    use super::{CurveKey, WeierstrassCurve};
    use crate::error::Error;
    use crate::tlv::Writer;
    use alloc::vec;
    use elliptic_curve::FieldBytes;
    use openpgp_card_applet_testkit::TestRng;

    fn faulted_signatures_are_not_released<C: WeierstrassCurve>() {
        let key = CurveKey::<C>::generate(&mut TestRng::seed_from_u64(7)).unwrap();
        let z = FieldBytes::<C>::default();
        let mut buf = vec![0u8; 2 * z.len()];
        let mut w = Writer::new(&mut buf);
        C::sign_prehash(&key.key, &mut TestRng::seed_from_u64(8), &z, &mut w).unwrap();
        let signature = w.written().to_vec();
        for bit in 0..signature.len() * 8 {
            let mut faulted = signature.clone();
            faulted[bit / 8] ^= 1 << (bit % 8);
            let mut w = Writer::new(&mut buf);
            assert_eq!(
                C::release(&key.key, &z, &faulted, &mut w),
                Err(Error::Internal),
                "bit {bit}"
            );
            assert!(w.written().is_empty());
        }
        let mut w = Writer::new(&mut buf);
        C::release(&key.key, &z, &signature, &mut w).unwrap();
        assert_eq!(w.written(), &signature[..]);
    }

    #[test]
    #[cfg(feature = "p256")]
    fn p256() {
        faulted_signatures_are_not_released::<p256::NistP256>();
    }

    #[test]
    #[cfg(feature = "p384")]
    fn p384() {
        faulted_signatures_are_not_released::<p384::NistP384>();
    }

    #[test]
    #[cfg(feature = "k256")]
    fn k256() {
        faulted_signatures_are_not_released::<k256::Secp256k1>();
    }

    #[test]
    #[cfg(feature = "p521")]
    fn p521() {
        faulted_signatures_are_not_released::<p521::NistP521>();
    }

    #[test]
    #[cfg(feature = "brainpool")]
    fn brainpool() {
        faulted_signatures_are_not_released::<bp256::BrainpoolP256r1>();
        faulted_signatures_are_not_released::<bp384::BrainpoolP384r1>();
        faulted_signatures_are_not_released::<bp512::BrainpoolP512r1>();
    }
}
