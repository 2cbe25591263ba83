//! ECDH on the Montgomery curves of RFC 7748 (X25519, X448) written once: attributes
//! `12 <OID>` (spec §4.4.3.10), PSO:DECIPHER (§7.2.11), scalar import (§4.4.3.12).
//!
//! [`MontgomeryCurve`] binds a curve's crate (its static secret and the function X(k, u)) in a
//! few lines (`x25519.rs`, `x448.rs`); [`MontgomeryKey`] is the rest, generic. Scalars, public
//! keys and shared secrets are in RFC 7748's (little-endian) encoding; our public key goes out
//! without a prefix, the host's may come with OpenPGP's `40` or without.

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::{without_prefix, CfrgKey, EcPoint, Output};
use crate::error::Error;

/// A Montgomery curve's implementation.
pub(crate) trait MontgomeryCurve {
    /// Length of scalars, u-coordinates and shared secrets (RFC 7748 §5).
    const LEN: usize;
    /// `LEN` bytes: a scalar, a u-coordinate or a shared secret.
    type Bytes: AsRef<[u8]> + AsMut<[u8]> + Zeroize;
    /// The crate's secret scalar, zeroized on drop.
    type Secret;

    /// `LEN` zero bytes.
    fn zero() -> Self::Bytes;

    /// The secret of `native` (RFC 7748 order). The crates take the bytes by value (neither
    /// has a constructor from a reference), so one copy passes through the call; the caller
    /// wipes `native`.
    fn secret(native: &Self::Bytes) -> Self::Secret;

    /// The scalar as stored.
    fn secret_bytes(secret: &Self::Secret) -> &[u8];

    /// X(k, 9): the public key (RFC 7748 §6).
    fn public(secret: &Self::Secret) -> Self::Bytes;

    /// X(k, u) with the host's u-coordinate; `None` for a u-coordinate the crate refuses
    /// before the multiplication (a wrong length, a known low-order point).
    fn diffie_hellman(secret: &Self::Secret, u: &[u8]) -> Option<Zeroizing<Self::Bytes>>;

    /// The scalar as the host imports it, into RFC 7748 order in `native`; `false` if it does
    /// not fit.
    fn import(scalar: &[u8], native: &mut Self::Bytes) -> bool;
}

/// An ECDH key on curve `C`: the scalar and its public key.
pub(crate) struct MontgomeryKey<C: MontgomeryCurve> {
    pub(super) secret: C::Secret,
    public: C::Bytes,
}

impl<C: MontgomeryCurve> MontgomeryKey<C> {
    /// Builds the key from a scalar in RFC 7748 order and wipes `native`.
    pub(super) fn new(native: &mut Zeroizing<C::Bytes>) -> Self {
        let secret = C::secret(native);
        native.zeroize();
        let public = C::public(&secret);
        MontgomeryKey { secret, public }
    }

    /// The storage form: exactly `LEN` bytes in RFC 7748 order.
    pub(super) fn from_native(scalar: &[u8]) -> Result<Self, Error> {
        let mut native = Zeroizing::new(C::zero());
        let dst = native.as_mut();
        if dst.len() != scalar.len() {
            return Err(Error::IncorrectData);
        }
        dst.copy_from_slice(scalar);
        Ok(Self::new(&mut native))
    }
}

impl<C: MontgomeryCurve> CfrgKey for MontgomeryKey<C> {
    const LEN: usize = C::LEN;

    /// A fresh random scalar (clamped when used, RFC 7748 §5).
    // Not inlined: each algorithm's generation keeps its own frame, so that GENERATE's frame does
    // not hold every algorithm's locals at once (RSA-4096 generation needed 20,536 B of stack;
    // BENCHMARKS.md, finding 6).
    #[inline(never)]
    fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut native = Zeroizing::new(C::zero());
        rng.fill_bytes(native.as_mut());
        Self::new(&mut native)
    }

    fn from_stored(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_native(bytes)
    }

    fn from_import(scalar: &[u8]) -> Result<Self, Error> {
        let mut native = Zeroizing::new(C::zero());
        if !C::import(scalar, &mut native) {
            return Err(Error::IncorrectData);
        }
        Ok(Self::new(&mut native))
    }

    /// Storage form: the scalar in RFC 7748 order, as the crate holds it.
    fn write_stored<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
        out.put(C::secret_bytes(&self.secret))
    }

    fn public_point(&self) -> Result<EcPoint, Error> {
        EcPoint::new(self.public.as_ref())
    }

    /// ECDH with the host's public key (`LEN` bytes or `40 ‖ X`); appends the shared secret.
    /// A low-order point, which gives the all-zero secret (RFC 7748 §6), is
    /// [`Error::IncorrectData`].
    // Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
    // not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
    #[inline(never)]
    fn agree<O: Output + ?Sized>(&self, public: &[u8], out: &mut O) -> Result<(), Error> {
        let u = without_prefix(public, C::LEN);
        let shared = C::diffie_hellman(&self.secret, u).ok_or(Error::IncorrectData)?;
        if bool::from(shared.as_ref().ct_eq(C::zero().as_ref())) {
            return Err(Error::IncorrectData);
        }
        out.put(shared.as_ref())
    }
}
