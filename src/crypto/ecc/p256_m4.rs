//! NIST P-256 on the Cortex-M4 (feature `cortex-m4`, `target_arch = "arm"`): ECDSA and ECDH
//! through ycrypto's `p256-cortex-m4`, bindings to Emil Lenngren's P256-Cortex-M4 (assembly
//! field arithmetic for the UMAAL instruction, constant-time in the secret scalar and the
//! nonce; used in Nitrokey 3 and SoloKeys 2 through trussed). Same methods and answers as
//! `CurveKey<NistP256>` (`weierstrass`), which [`super::EcKey`] uses everywhere else:
//! - the scalar is checked to be in [1, n-1] (`P256_check_range_n`);
//! - ECDSA's nonce is RFC 6979's with fresh random bytes as §3.6's additional data (hedged, as
//!   the generic path's): `rfc6979`'s generator, with the order from the `p256` crate;
//! - a host point must be uncompressed (`04 ‖ X ‖ Y`), in range and on the curve
//!   (`p256_octet_string_to_point`);
//! - with `verify-signatures`, a signature is verified under the public point before release.
//!
//! Checked against RustCrypto's `p256` under QEMU, on the same inputs: the footprint sessions
//! (`benches/footprint`: the public key of a known scalar, ECDSA signatures verified by `p256`,
//! ECDH equal to the known answer and to `p256`'s for generated keys) and the firmware's
//! end-to-end suites (GnuPG generates, signs, decrypts with P-256 keys on it).

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::{WeierstrassKey, SCALAR_ATTEMPTS};
use crate::crypto::{copy_right_aligned, EcPoint, Output};
use crate::error::Error;

/// Bytes of a field element and of a scalar.
const LEN: usize = 32;

/// A P-256 private key: the scalar (the library's little-endian words, and the big-endian bytes
/// for storage: the library reads the scalar back only through an `unsafe` call) and the
/// public point. Zeroized on drop.
pub(crate) struct P256Key {
    secret: p256_cortex_m4::SecretKey,
    scalar: Zeroizing<[u8; LEN]>,
    public: p256_cortex_m4::PublicKey,
}

impl Drop for P256Key {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl ZeroizeOnDrop for P256Key {}

/// The nonces of one signature, as `p256-cortex-m4`'s signer draws them: RFC 6979's hedged
/// generator, each `k` in [1, n-1] turned into the library's little-endian order. The
/// generator is asked again only when a `k` gives r = 0 or s = 0 (the library's retry).
struct HedgedNonces<'a>(rfc6979::KGenerator<'a, sha2::Sha256, elliptic_curve::bigint::U256>);

impl rand_core_06::RngCore for HedgedNonces<'_> {
    // The signer fills 32-byte nonces; these serve any other request from the same generator.
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }
    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let mut k = Zeroizing::new([0u8; LEN]);
        self.0.fill_next_k(&mut *k);
        k.reverse();
        for (out, byte) in dest.iter_mut().zip(k.iter()) {
            *out = *byte;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core_06::CryptoRng for HedgedNonces<'_> {}

impl P256Key {
    fn from_parts(secret: p256_cortex_m4::SecretKey, scalar: Zeroizing<[u8; LEN]>) -> P256Key {
        let public = secret.public_key();
        P256Key {
            secret,
            scalar,
            public,
        }
    }
}

impl WeierstrassKey for P256Key {
    const FIELD_LEN: usize = LEN;
    type FieldBytes = [u8; LEN];

    /// A uniformly random scalar in [1, n-1]: rejection sampling (one draw is refused with a
    /// probability of 2⁻³², so a healthy source never runs out; a stuck one ends in an error).
    fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        for _ in 0..SCALAR_ATTEMPTS {
            let mut scalar = Zeroizing::new([0u8; LEN]);
            rng.fill_bytes(&mut *scalar);
            if let Ok(secret) = p256_cortex_m4::SecretKey::from_bytes(scalar.as_slice()) {
                return Ok(P256Key::from_parts(secret, scalar));
            }
        }
        Err(Error::RandomFailure)
    }

    fn from_scalar(scalar: &[u8]) -> Result<Self, Error> {
        let mut bytes = Zeroizing::new([0u8; LEN]);
        if !copy_right_aligned(scalar, &mut *bytes) {
            return Err(Error::IncorrectData);
        }
        let secret = p256_cortex_m4::SecretKey::from_bytes(bytes.as_slice())
            .map_err(|_| Error::IncorrectData)?;
        Ok(P256Key::from_parts(secret, bytes))
    }

    fn write_scalar<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
        out.put(&*self.scalar)
    }

    fn public_point(&self) -> Result<EcPoint, Error> {
        EcPoint::new(&self.public.to_uncompressed_sec1_bytes())
    }

    fn public_matches(&self, public: &[u8]) -> bool {
        self.public.to_uncompressed_sec1_bytes()[..] == *public
    }

    #[inline(always)]
    fn sign_prehash<R: CryptoRng + ?Sized, O: Output + ?Sized>(
        &self,
        rng: &mut R,
        z: &[u8; LEN],
        out: &mut O,
    ) -> Result<(), Error> {
        let mut entropy = Zeroizing::new([0u8; LEN]);
        rng.fill_bytes(&mut *entropy);
        let order = <p256::NistP256 as elliptic_curve::Curve>::ORDER;
        let nonces = rfc6979::KGenerator::<sha2::Sha256, _>::new(
            &*self.scalar,
            z,
            &*entropy,
            order.as_ref(),
        );
        let signature = self.secret.sign_prehashed(z, HedgedNonces(nonces));
        let bytes = signature.to_untagged_bytes();
        if cfg!(feature = "verify-signatures") && !self.public.verify_prehashed(z, &signature) {
            return Err(Error::Internal);
        }
        out.put(&bytes)
    }

    #[inline(always)]
    fn diffie_hellman<O: Output + ?Sized>(&self, point: &[u8], out: &mut O) -> Result<(), Error> {
        let public =
            p256_cortex_m4::PublicKey::from_sec1_bytes(point).map_err(|_| Error::IncorrectData)?;
        let mut shared = self.secret.agree(&public);
        let result = out.put(shared.as_bytes());
        shared.zeroize();
        result
    }
}
