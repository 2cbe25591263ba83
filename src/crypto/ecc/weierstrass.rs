//! ECDSA and ECDH written once, generic over the `elliptic_curve` traits.
//!
//! [`WeierstrassCurve`] binds each curve to the generic `ecdsa` crate's signing key (which
//! caches the public point) with a few lines of macro, so that the bounds the `ecdsa` crate
//! puts on a curve are checked once per curve instead of spelled out here; everything else is
//! generic.

// P-256 on the Cortex-M4 has its own key type (`p256_m4`): with it alone, this code is unused.
#![cfg_attr(
    all(feature = "cortex-m4", target_arch = "arm"),
    allow(dead_code, unused_macros)
)]

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use elliptic_curve::array::typenum::Unsigned;
use elliptic_curve::ecdh::diffie_hellman;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, NonZeroScalar, PrimeField, PublicKey,
};

use super::{WeierstrassKey, SCALAR_ATTEMPTS};
use crate::crypto::{copy_right_aligned, EcPoint, Output};
use crate::error::Error;

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
    fn sign_prehash<R: CryptoRng + ?Sized, O: Output + ?Sized>(
        key: &Self::SigningKey,
        rng: &mut R,
        z: &FieldBytes<Self>,
        out: &mut O,
    ) -> Result<(), Error>;

    /// Appends the signature `r ‖ s` of the field-length hash `z`; with feature
    /// `verify-signatures`, only if it verifies under the key's public point (a faulted
    /// signature is [`Error::Internal`] and nothing is written).
    fn release<O: Output + ?Sized>(
        key: &Self::SigningKey,
        z: &FieldBytes<Self>,
        signature: &[u8],
        out: &mut O,
    ) -> Result<(), Error>;
}

macro_rules! weierstrass_curve {
    ($($curve:ty),+) => { $(
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

            fn sign_prehash<R: CryptoRng + ?Sized, O: Output + ?Sized>(
                key: &Self::SigningKey,
                rng: &mut R,
                z: &FieldBytes<Self>,
                out: &mut O,
            ) -> Result<(), Error> {
                use ecdsa::signature::hazmat::RandomizedPrehashSigner;
                let signature: ecdsa::Signature<$curve> = key
                    .sign_prehash_with_rng(rng, z)
                    .map_err(|_| Error::Internal)?;
                Self::release(key, z, &signature.to_bytes(), out)
            }

            fn release<O: Output + ?Sized>(
                key: &Self::SigningKey,
                z: &FieldBytes<Self>,
                signature: &[u8],
                out: &mut O,
            ) -> Result<(), Error> {
                if cfg!(feature = "verify-signatures") {
                    use ecdsa::signature::hazmat::PrehashVerifier;
                    let parsed = ecdsa::Signature::<$curve>::from_slice(signature)
                        .map_err(|_| Error::Internal)?;
                    key.verifying_key()
                        .verify_prehash(z, &parsed)
                        .map_err(|_| Error::Internal)?;
                }
                out.put(signature)
            }
        }
    )+ };
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
weierstrass_curve!(
    bp256::BrainpoolP256r1,
    bp384::BrainpoolP384r1,
    bp512::BrainpoolP512r1
);

/// A private key on curve `C`, usable for ECDSA and ECDH. Zeroized on drop (by `SigningKey`).
pub(crate) struct CurveKey<C: WeierstrassCurve> {
    key: C::SigningKey,
}

impl<C: WeierstrassCurve> CurveKey<C> {
    fn signing_key(secret: NonZeroScalar<C>) -> Self {
        CurveKey {
            key: C::signing_key(secret),
        }
    }

    fn encoded_point(&self) -> impl AsRef<[u8]> {
        C::public(&self.key).to_sec1_point(false)
    }
}

impl<C: WeierstrassCurve> WeierstrassKey for CurveKey<C> {
    const FIELD_LEN: usize = <C::FieldBytesSize as Unsigned>::USIZE;
    type FieldBytes = FieldBytes<C>;

    /// A uniformly random scalar in [1, n-1]: field-length random bytes, the excess top bits
    /// of the field bytes cleared (P-521's seven), taken if below n and not zero. Every order
    /// here is above 2^(bits − 1), so one draw is refused with a probability below ½ (below
    /// 2⁻³² for the NIST curves and secp256k1).
    fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        let excess = Self::FIELD_LEN * 8 - <C::Scalar as PrimeField>::NUM_BITS as usize;
        let mask = u8::MAX.checked_shr(excess as u32).unwrap_or(0);
        let mut repr = FieldBytes::<C>::default();
        for _ in 0..SCALAR_ATTEMPTS {
            rng.fill_bytes(&mut repr);
            if let Some(top) = repr.first_mut() {
                *top &= mask;
            }
            let secret = NonZeroScalar::<C>::from_repr(repr).into_option();
            if let Some(secret) = secret {
                repr.zeroize();
                return Ok(Self::signing_key(secret));
            }
        }
        repr.zeroize();
        Err(Error::RandomFailure)
    }

    fn from_scalar(scalar: &[u8]) -> Result<Self, Error> {
        let mut repr = FieldBytes::<C>::default();
        let secret = if copy_right_aligned(scalar, &mut repr) {
            NonZeroScalar::<C>::from_repr(repr).into_option()
        } else {
            None
        };
        repr.zeroize();
        let secret = secret.ok_or(Error::IncorrectData)?;
        Ok(Self::signing_key(secret))
    }

    fn write_scalar<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
        let mut repr: FieldBytes<C> = C::secret(&self.key).to_repr();
        let result = out.put(&repr);
        repr.zeroize();
        result
    }

    fn public_point(&self) -> Result<EcPoint, Error> {
        EcPoint::new(self.encoded_point().as_ref())
    }

    fn public_matches(&self, public: &[u8]) -> bool {
        self.encoded_point().as_ref() == public
    }

    #[inline(always)]
    fn sign_prehash<R: CryptoRng + ?Sized, O: Output + ?Sized>(
        &self,
        rng: &mut R,
        z: &FieldBytes<C>,
        out: &mut O,
    ) -> Result<(), Error> {
        C::sign_prehash(&self.key, rng, z, out)
    }

    #[inline(always)]
    fn diffie_hellman<O: Output + ?Sized>(&self, point: &[u8], out: &mut O) -> Result<(), Error> {
        // SEC 1 §2.3.4 decoding checks the curve equation and rejects the identity.
        let public = PublicKey::<C>::from_sec1_bytes(point).map_err(|_| Error::IncorrectData)?;
        let shared = diffie_hellman(C::secret(&self.key), public.as_affine());
        out.put(shared.raw_secret_bytes())
    }
}

#[cfg(all(test, feature = "verify-signatures"))]
pub(super) mod tests {
    use super::{CurveKey, WeierstrassCurve, WeierstrassKey};
    use crate::error::Error;
    use alloc::vec::Vec;
    use elliptic_curve::FieldBytes;
    use openpgp_card_applet_testkit::TestRng;

    /// With `verify-signatures`, a signature faulted between signing and release (each bit of
    /// r and s flipped in turn) is refused and nothing is written; the intact one is released.
    /// (Run by every curve's tests in `ecc.rs`.)
    pub(in crate::crypto) fn faulted_signatures_are_not_released<C: WeierstrassCurve>() {
        let key = CurveKey::<C>::generate(&mut TestRng::seed_from_u64(7)).unwrap();
        let z = FieldBytes::<C>::default();
        let mut signature = Vec::new();
        C::sign_prehash(&key.key, &mut TestRng::seed_from_u64(8), &z, &mut signature).unwrap();
        for bit in 0..signature.len() * 8 {
            let mut faulted = signature.clone();
            faulted[bit / 8] ^= 1 << (bit % 8);
            let mut w = Vec::new();
            assert_eq!(
                C::release(&key.key, &z, &faulted, &mut w),
                Err(Error::Internal),
                "bit {bit}"
            );
            assert!(w.is_empty());
        }
        let mut w = Vec::new();
        C::release(&key.key, &z, &signature, &mut w).unwrap();
        assert_eq!(w, signature);
    }
}
