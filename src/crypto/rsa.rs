//! RSA 2048/3072/4096 with e = 65537: attributes `01 nnnn 0020 fmt` (spec §4.4.3.10), PKCS#1
//! v1.5 signatures for PSO:CDS and INTERNAL AUTHENTICATE (§7.2.10, §7.2.13), PKCS#1 v1.5
//! decryption for PSO:DECIPHER (§7.2.11), key import from e, p, q \[, n\] (§4.4.3.12).
//!
//! See the module documentation of [`crypto`](super) for RUSTSEC-2023-0071 and how it is
//! mitigated: blinding on every private operation, a branch-free padding check on decryption,
//! fault checks (signature verification before release, `m^e = c` after decryption).

use alloc::vec::Vec;
use core::cell::OnceCell;

use ::rsa::hazmat;
use ::rsa::traits::PublicKeyParts;
use ::rsa::{BoxedUint, Pkcs1v15Sign};
use crypto_bigint::{Uint, U1024, U1536, U2048};
use rand_core::{CryptoRng, TryCryptoRng};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeLess};
use zeroize::Zeroizing;

use super::rsa_prime::random_prime;
use super::{Algorithm, Output, PublicKey, RsaImportFormat};
use crate::entropy::Entropy;
use crate::error::Error;

/// The only public exponent the card uses and accepts.
const E: u64 = 65_537;
/// E, big-endian, as the public key gives it.
const E_BYTES: [u8; 3] = [0x01, 0x00, 0x01];
/// DigestInfo (SHA-256 of the empty string) signed once to check an imported key.
const TEST_DIGEST_INFO: [u8; 51] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20, 0xE3, 0xB0, 0xC4, 0x42, 0x98, 0xFC, 0x1C, 0x14, 0x9A, 0xFB, 0xF4, 0xC8, 0x99,
    0x6F, 0xB9, 0x24, 0x27, 0xAE, 0x41, 0xE4, 0x64, 0x9B, 0x93, 0x4C, 0xA4, 0x95, 0x99, 0x1B, 0x78,
    0x52, 0xB8, 0x55,
];

/// An RSA private key: its primes (the storage form), its modulus, and the `rsa` crate's key
/// with d and the CRT values (which the crate zeroizes on drop).
///
/// An imported or stored key is built and checked by the `rsa` crate at once. A key generated
/// on the card is built by the crate at its first private operation: GENERATE computes only
/// n = p·q, on the stack, so that it leaves no copy of p, q or d in freed heap memory (the
/// crate's key construction leaves some: see the embedding guide, "What stays in memory").
pub(crate) struct RsaKey {
    bits: u16,
    format: RsaImportFormat,
    /// p ‖ q, big-endian, `bits / 16` bytes each.
    primes: Zeroizing<Vec<u8>>,
    /// n, big-endian, `bits / 8` bytes.
    modulus: Vec<u8>,
    key: OnceCell<::rsa::PrivateKey>,
    /// The Montgomery moduli of p and q for the workspace's kernel, built with `key` (at import,
    /// at load from storage, or at a generated key's first use) and dropped (wiped) with it.
    #[cfg(feature = "cortex-m4")]
    moduli: OnceCell<super::rsa_crt::CrtModuli>,
}

/// The modulus lengths the card supports.
fn check_bits(bits: u16) -> Result<(), Error> {
    if matches!(bits, 2048 | 3072 | 4096) {
        Ok(())
    } else {
        Err(Error::IncorrectData)
    }
}

/// Drops leading zero bytes (public values, or the rare leading zero of a secret prime).
fn trim(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or(&[])
}

/// Second primes drawn at most for one first prime by [`RsaKey::generate`] (FIPS 186-5 B.3.3
/// steps 5.x; each is too close to the first with a probability below 2⁻⁹⁵).
const ATTEMPTS: usize = 8;

/// FIPS 186-5 §A.1.3 (step 5.4): |p − q| > 2^(half − 100), checked as |p − q| ≥ 2^(half − 99)
/// (a bit length above `half − 99`). Both wrapping differences are computed, so that no branch
/// depends on which prime is larger: one of them is |p − q|, the other 2^precision − |p − q|
/// (with its top bit set, unless p = q, when both are zero). Constant-time.
fn far_apart<const L: usize>(p: &Uint<L>, q: &Uint<L>) -> bool {
    let half = Uint::<L>::BITS;
    let distance = p
        .wrapping_sub(q)
        .bit_width()
        .min(q.wrapping_sub(p).bit_width());
    distance > half - 99
}

/// n = p·q, big-endian, `2 · Uint::<L>::BYTES` bytes: the widening product of the primes, on
/// the stack and constant-time.
fn modulus_of<const L: usize>(p: &Uint<L>, q: &Uint<L>) -> Vec<u8> {
    let (low, high) = p.widening_mul(q);
    let mut modulus = Vec::with_capacity(2 * Uint::<L>::BYTES);
    modulus.extend_from_slice(&high.to_be_bytes());
    modulus.extend_from_slice(&low.to_be_bytes());
    modulus
}

/// What on-card generation computes from two accepted primes, apart from the record: whether
/// they are far enough apart, and n = p·q. For the constant-time checks
/// (`benches/footprint/ct_check.sh`), not an API.
#[doc(hidden)]
pub fn modulus_from_primes<const L: usize>(p: &Uint<L>, q: &Uint<L>) -> (bool, Vec<u8>) {
    (far_apart(p, q), modulus_of(p, q))
}

/// A key pair with primes of `Uint::<L>::BITS` bits each (FIPS 186-5 B.3.3 with `rounds` of
/// Miller–Rabin, Table B.1): p, then q until |p − q| is large enough, n = p·q on the stack.
fn generate_sized<const L: usize, R: TryCryptoRng>(
    bits: u16,
    format: RsaImportFormat,
    rounds: usize,
    rng: &mut Entropy<R>,
) -> Result<RsaKey, Error> {
    let p = random_prime::<L, R>(rng, rounds)?;
    for _ in 0..ATTEMPTS {
        let q = random_prime::<L, R>(rng, rounds)?;
        if !far_apart(&p, &q) {
            continue;
        }
        let modulus = modulus_of(&p, &q);
        let mut primes = Zeroizing::new(Vec::with_capacity(usize::from(bits / 8)));
        primes.extend_from_slice(&Zeroizing::new(p.to_be_bytes()));
        primes.extend_from_slice(&Zeroizing::new(q.to_be_bytes()));
        return Ok(RsaKey {
            bits,
            format,
            primes,
            modulus,
            key: OnceCell::new(),
            #[cfg(feature = "cortex-m4")]
            moduli: OnceCell::new(),
        });
    }
    Err(Error::Internal)
}

impl RsaKey {
    /// Wraps a key built by the `rsa` crate from `primes` (p ‖ q), whose modulus must have
    /// exactly `bits` bits and whose exponent is 65537.
    fn checked(
        key: ::rsa::PrivateKey,
        bits: u16,
        format: RsaImportFormat,
        primes: Zeroizing<Vec<u8>>,
    ) -> Result<RsaKey, Error> {
        let n = key.n_bytes();
        let full_length = n.len() == usize::from(bits / 8) && n.first().is_some_and(|&b| b >= 0x80);
        if !full_length || *key.e() != BoxedUint::from(E) {
            return Err(Error::IncorrectData);
        }
        // Built with the key they are derived from, so that no private operation pays for them.
        #[cfg(feature = "cortex-m4")]
        let moduli = OnceCell::from(super::rsa_crt::CrtModuli::new(&key)?);
        Ok(RsaKey {
            bits,
            format,
            primes,
            modulus: n.to_vec(),
            key: OnceCell::from(key),
            #[cfg(feature = "cortex-m4")]
            moduli,
        })
    }

    /// A fresh key pair with e = 65537 and a modulus of exactly `bits` bits: two primes of
    /// `bits / 2` bits with their two top bits set (so that p·q has `bits` bits) from
    /// [`random_prime`] (FIPS 186-5 B.3.3, the rounds of Miller–Rabin of its Table B.1 for
    /// an error probability of 2⁻¹¹², 2⁻¹²⁸, 2⁻¹⁴⁴), q drawn again while
    /// |p − q| ≤ 2^(bits/2 − 100) (§A.1.3). The `rsa` crate builds d = e⁻¹ mod λ(n) and the
    /// CRT values from them at the first private operation.
    ///
    /// Ends with [`Error::RandomFailure`] as soon as the random source fails its health
    /// tests, never in a loop without end.
    // Not inlined: each algorithm's generation keeps its own frame, so that GENERATE's frame does
    // not hold every algorithm's locals at once (RSA-4096 generation needed 20,536 B of stack;
    // BENCHMARKS.md, finding 6).
    #[inline(never)]
    pub(crate) fn generate<R: TryCryptoRng>(
        bits: u16,
        format: RsaImportFormat,
        rng: &mut Entropy<R>,
    ) -> Result<RsaKey, Error> {
        match bits {
            2048 => generate_sized::<{ U1024::LIMBS }, R>(bits, format, 5, rng),
            3072 => generate_sized::<{ U1536::LIMBS }, R>(bits, format, 4, rng),
            4096 => generate_sized::<{ U2048::LIMBS }, R>(bits, format, 4, rng),
            _ => Err(Error::IncorrectData),
        }
    }

    /// Builds the `rsa` crate's key now if it is not built yet ([`PrivateKey::prepare`]).
    ///
    /// [`PrivateKey::prepare`]: super::PrivateKey::prepare
    pub(crate) fn prepare(&self) -> Result<(), Error> {
        self.key().map(drop)
    }

    /// The `rsa` crate's key, built from the primes on first use (a generated key).
    fn key(&self) -> Result<&::rsa::PrivateKey, Error> {
        if self.key.get().is_none() {
            let half = usize::from(self.bits / 16);
            let (p, q) = self.primes.split_at(half);
            let built =
                Self::from_primes(self.bits, self.format, p, q).map_err(|_| Error::Internal)?;
            #[cfg(feature = "cortex-m4")]
            if let Some(moduli) = built.moduli.into_inner() {
                // Set once, with the key below: nothing else can reach the cells meanwhile.
                let _ = self.moduli.set(moduli);
            }
            let key = built.key.into_inner().ok_or(Error::Internal)?;
            // Set once: `get` was empty and nothing else can reach the cell meanwhile.
            let _ = self.key.set(key);
        }
        self.key.get().ok_or(Error::Internal)
    }

    /// The CRT moduli of the key's primes for the workspace's kernel, built with the `rsa`
    /// crate's key (here only if that did not happen, which it always does).
    #[cfg(feature = "cortex-m4")]
    fn moduli(&self) -> Result<&super::rsa_crt::CrtModuli, Error> {
        if self.moduli.get().is_none() {
            let moduli = super::rsa_crt::CrtModuli::new(self.key()?)?;
            // Set once: `get` was empty and nothing else can reach the cell meanwhile.
            let _ = self.moduli.set(moduli);
        }
        self.moduli.get().ok_or(Error::Internal)
    }

    /// A key from its primes; the private exponent and CRT values are recomputed.
    fn from_primes(
        bits: u16,
        format: RsaImportFormat,
        p: &[u8],
        q: &[u8],
    ) -> Result<RsaKey, Error> {
        check_bits(bits)?;
        let half = u32::from(bits / 2);
        let (p, q) = (trim(p), trim(q));
        if p.is_empty() || q.is_empty() {
            return Err(Error::IncorrectData);
        }
        let stored = stored_primes(bits, p, q)?;
        // `from_be_slice` rejects a prime longer than `bits / 2` bits rounded up to bytes; the
        // `rsa` crate then rejects one over `bits / 2` bits.
        // Held in `Zeroizing` so that a `q` that does not parse leaves no unwiped `p` behind
        // (`BoxedUint` does not wipe itself on drop).
        let mut p =
            Zeroizing::new(BoxedUint::from_be_slice(p, half).map_err(|_| Error::IncorrectData)?);
        let mut q =
            Zeroizing::new(BoxedUint::from_be_slice(q, half).map_err(|_| Error::IncorrectData)?);
        // Validates p·q, d·e ≡ 1 (mod p-1, q-1) and precomputes the CRT values; `p` and `q`
        // move into the key (and are zeroized with it). `from_p_q` takes them by value: when it
        // refuses them it drops them unwiped, which the crate's API leaves us no way to avoid.
        let (p, q) = (core::mem::take(&mut *p), core::mem::take(&mut *q));
        let key = ::rsa::PrivateKey::from_p_q(p, q, BoxedUint::from(E))
            .map_err(|_| Error::IncorrectData)?;
        Self::checked(key, bits, format, stored)
    }

    /// Import: e must be 65537 (any zero padding), n (if given) must equal p·q, and a test
    /// signature must verify (which also catches a composite "prime").
    pub(crate) fn from_components(
        bits: u16,
        format: RsaImportFormat,
        e: &[u8],
        p: &[u8],
        q: &[u8],
        n: Option<&[u8]>,
    ) -> Result<RsaKey, Error> {
        if trim(e) != E_BYTES {
            return Err(Error::IncorrectData);
        }
        let key = Self::from_primes(bits, format, p, q)?;
        if n.is_some_and(|n| trim(n) != &key.modulus[..]) {
            return Err(Error::IncorrectData);
        }
        let built = key.key()?;
        // Unblinded (no rng here): the input is fixed and public, and this runs once per import.
        let signature = built
            .sign(Pkcs1v15Sign::new_unprefixed(), &TEST_DIGEST_INFO)
            .map_err(|_| Error::IncorrectData)?;
        built
            .as_public_key()
            .verify(
                Pkcs1v15Sign::new_unprefixed(),
                &TEST_DIGEST_INFO,
                &signature,
            )
            .map_err(|_| Error::IncorrectData)?;
        Ok(key)
    }

    /// Decodes the storage form p ‖ q.
    pub(crate) fn from_stored(
        bits: u16,
        format: RsaImportFormat,
        bytes: &[u8],
    ) -> Result<RsaKey, Error> {
        let half = usize::from(bits / 16);
        if bytes.len() != 2 * half {
            return Err(Error::Storage);
        }
        let (p, q) = bytes.split_at(half);
        Self::from_primes(bits, format, p, q).map_err(|_| Error::Storage)
    }

    /// Storage form: p ‖ q, big-endian, `bits / 16` bytes each.
    pub(crate) fn write_stored<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
        out.put(&self.primes)
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        Algorithm::Rsa {
            bits: self.bits,
            format: self.format,
        }
    }

    /// n (`bits / 8` bytes) and e (`01 00 01`).
    pub(crate) fn public_key(&self) -> PublicKey<'_> {
        PublicKey::Rsa {
            modulus: &self.modulus,
            exponent: &E_BYTES,
        }
    }

    /// PKCS#1 v1.5 type 1 signature over `input`, blinded, verified before release.
    // Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
    // not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
    #[inline(never)]
    pub(crate) fn sign<R: CryptoRng + ?Sized, O: Output + ?Sized>(
        &self,
        rng: &mut R,
        input: &[u8],
        out: &mut O,
    ) -> Result<(), Error> {
        // Spec §7.2.10: at most 40% of the modulus length (102 bytes for RSA-2048).
        if input.len().saturating_mul(10) > self.modulus.len().saturating_mul(4) {
            return Err(Error::WrongLength);
        }
        let key = self.key()?;
        #[cfg(feature = "cortex-m4")]
        let signature = {
            // EMSA-PKCS1-v1_5 without a DigestInfo prefix (the input is one): 00 01 FF.. 00
            // input, signed on the workspace's Montgomery kernel (`rsa_crt`).
            let k = self.modulus.len();
            let mut em = Zeroizing::new(alloc::vec![0xFF; k]);
            let separator = k.checked_sub(input.len() + 1).ok_or(Error::WrongLength)?;
            em.get_mut(..2)
                .ok_or(Error::Internal)?
                .copy_from_slice(&[0x00, 0x01]);
            *em.get_mut(separator).ok_or(Error::Internal)? = 0x00;
            em.get_mut(separator + 1..)
                .ok_or(Error::Internal)?
                .copy_from_slice(input);
            let c = BoxedUint::from_be_slice(&em, key.n_bits_precision())
                .map_err(|_| Error::Internal)?;
            super::rsa_crt::private(key, self.moduli()?, rng, &c)?.to_be_bytes()
        };
        #[cfg(not(feature = "cortex-m4"))]
        let signature = key
            .sign_with_rng(rng, Pkcs1v15Sign::new_unprefixed(), input)
            .map_err(|_| Error::Internal)?;
        // Bellcore: a fault in one CRT half gives a signature that reveals a prime. The crate
        // already compares s^e with the padded input; check once more through the public
        // verification path, which also checks the padding.
        key.as_public_key()
            .verify(Pkcs1v15Sign::new_unprefixed(), input, &signature)
            .map_err(|_| Error::Internal)?;
        out.put(&signature)
    }

    /// PKCS#1 v1.5 decryption of a cryptogram (left-padded to the modulus length), blinded,
    /// with the CRT fault check; the padding is checked without secret-dependent branches or
    /// indexes, and only its final verdict is revealed (6A80, as the spec asks).
    // Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
    // not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
    #[inline(never)]
    pub(crate) fn decipher<R: CryptoRng + ?Sized, O: Output + ?Sized>(
        &self,
        rng: &mut R,
        input: &[u8],
        out: &mut O,
    ) -> Result<(), Error> {
        let k = self.modulus.len();
        if input.is_empty() || input.len() > k {
            return Err(Error::WrongLength);
        }
        let key = self.key()?;
        // The cryptogram is public; `from_be_slice` left-pads it to the modulus' precision.
        let c = BoxedUint::from_be_slice(input, key.n_bits_precision())
            .map_err(|_| Error::IncorrectData)?;
        // RSADP with base, exponent and modulus blinding, then the check m^e == c. A cryptogram
        // not below the modulus is rejected here.
        #[cfg(not(feature = "cortex-m4"))]
        let m = hazmat::rsa_decrypt_and_check(key, Some(rng), &c).map_err(|error| match error {
            ::rsa::Error::Internal => Error::Internal,
            _ => Error::IncorrectData,
        })?;
        // The same on the workspace's Montgomery kernel (`rsa_crt`: base and exponent
        // blinding), with the same checks.
        #[cfg(feature = "cortex-m4")]
        let m = {
            if c >= *key.n().as_ref() {
                return Err(Error::IncorrectData);
            }
            let m = super::rsa_crt::private(key, self.moduli()?, rng, &c)?;
            let check = hazmat::rsa_encrypt(key, &m).map_err(|_| Error::Internal)?;
            if check != c {
                return Err(Error::Internal);
            }
            m
        };
        let m = Zeroizing::new(m);
        // I2OSP(m, k): the limb-aligned encoding is at least k bytes, and m < n makes the excess
        // leading bytes zero; only public lengths are involved.
        let encoded = Zeroizing::new(m.to_be_bytes());
        let em = encoded
            .get(encoded.len().checked_sub(k).ok_or(Error::Internal)?..)
            .ok_or(Error::Internal)?;
        let (valid, separator) = eme_pkcs1_v15_decode(em);
        // The one branch on secret data: the spec wants bad padding reported (see the module
        // documentation of `crypto` on why that oracle is harmless behind PW1).
        if !bool::from(valid) {
            return Err(Error::IncorrectData);
        }
        let message = em.get(separator + 1..).ok_or(Error::Internal)?;
        out.put(message)
    }
}

/// The storage form of two primes given without leading zeros: each left-padded to
/// `bits / 16` bytes (6A80 when one is longer).
fn stored_primes(bits: u16, p: &[u8], q: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let half = usize::from(bits / 16);
    let mut stored = Zeroizing::new(alloc::vec![0u8; 2 * half]);
    for (prime, at) in [(p, 0), (q, half)] {
        let pad = half.checked_sub(prime.len()).ok_or(Error::IncorrectData)?;
        stored
            .get_mut(at + pad..at + half)
            .ok_or(Error::Internal)?
            .copy_from_slice(prime);
    }
    Ok(stored)
}

/// EME-PKCS1-v1_5 decoding, RFC 8017 §7.2.2 step 3: whether `em` is
/// `00 ‖ 02 ‖ PS (at least 8 non-zero bytes) ‖ 00 ‖ M`, and the index of the `00` separator.
/// Every byte is read and no branch or index depends on the contents.
fn eme_pkcs1_v15_decode(em: &[u8]) -> (Choice, usize) {
    let mut valid = em.first().map_or(Choice::from(0), |b| b.ct_eq(&0x00))
        & em.get(1).map_or(Choice::from(0), |b| b.ct_eq(&0x02));
    let mut looking = Choice::from(1);
    let mut separator = 0u32;
    for (i, byte) in (0u32..).zip(em.iter()).skip(2) {
        let zero = byte.ct_eq(&0x00);
        separator.conditional_assign(&i, looking & zero);
        looking &= !zero;
    }
    // A separator exists, after at least eight padding bytes (index 10 or more).
    valid &= !looking & !separator.ct_lt(&10);
    (valid, separator as usize)
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use ::rsa::sha2::{Digest, Sha256};
    use ::rsa::{BoxedUint, Pkcs1v15Encrypt, Pkcs1v15Sign};

    use super::super::test_vectors::*;
    use super::super::tests::{assert_storage_round_trip, decipher, public_key, sign, stored};
    use super::super::{Algorithm, PrivateKey, PublicKey, RsaImportFormat};
    use super::far_apart;
    use crate::error::Error;
    use openpgp_card_applet_testkit::TestRng;

    const E: [u8; 4] = [0x00, 0x01, 0x00, 0x01];

    struct Vector {
        bits: u16,
        p: Vec<u8>,
        q: Vec<u8>,
        n: Vec<u8>,
        signature: Vec<u8>,
        ciphertext: Vec<u8>,
    }

    fn vector(bits: u16) -> Vector {
        let (p, q, n, signature, ciphertext) = match bits {
            2048 => (
                RSA2048_P,
                RSA2048_Q,
                RSA2048_N,
                RSA2048_SIGNATURE,
                RSA2048_CIPHERTEXT,
            ),
            3072 => (
                RSA3072_P,
                RSA3072_Q,
                RSA3072_N,
                RSA3072_SIGNATURE,
                RSA3072_CIPHERTEXT,
            ),
            _ => (
                RSA4096_P,
                RSA4096_Q,
                RSA4096_N,
                RSA4096_SIGNATURE,
                RSA4096_CIPHERTEXT,
            ),
        };
        Vector {
            bits,
            p: bytes(p),
            q: bytes(q),
            n: bytes(n),
            signature: bytes(signature),
            ciphertext: bytes(ciphertext),
        }
    }

    fn import(v: &Vector) -> PrivateKey {
        PrivateKey::from_rsa_components(v.bits, &E, &v.p, &v.q, Some(&v.n)).unwrap()
    }

    /// The card's public key: n and e.
    fn public_parts(key: &PrivateKey) -> (Vec<u8>, Vec<u8>) {
        match public_key(key) {
            PublicKey::Rsa { modulus, exponent } => (modulus.to_vec(), exponent.to_vec()),
            other => panic!("not an RSA key: {other:?}"),
        }
    }

    /// The host's view of the card's public key.
    fn host_key(key: &PrivateKey) -> ::rsa::PublicKey {
        let (n, e) = public_parts(key);
        let n = BoxedUint::from_be_slice_vartime(&n);
        let e = BoxedUint::from_be_slice_vartime(&e);
        ::rsa::PublicKey::new(n, e).unwrap()
    }

    fn known_answers(bits: u16) {
        let v = vector(bits);
        let key = import(&v);
        let k = usize::from(bits / 8);
        assert_eq!(
            key.algorithm(),
            Algorithm::Rsa {
                bits,
                format: RsaImportFormat::Standard
            }
        );
        let (n, e) = public_parts(&key);
        assert_eq!(n, v.n);
        assert_eq!(e, [0x01, 0x00, 0x01]);
        // PKCS#1 v1.5 signing is deterministic, blinding or not: OpenSSL's signature exactly.
        let digest_info = bytes(DIGEST_INFO);
        assert_eq!(sign(&key, &digest_info).unwrap(), v.signature);
        // The cryptogram starts with 00; GnuPG may send it without that byte.
        assert_eq!(v.ciphertext[0], 0);
        assert_eq!(decipher(&key, &v.ciphertext).unwrap(), bytes(MESSAGE));
        assert_eq!(decipher(&key, &v.ciphertext[1..]).unwrap(), bytes(MESSAGE));
        // Storage: p ‖ q, fixed length.
        assert_eq!(stored(&key), [&v.p[..], &v.q[..]].concat());
        assert_storage_round_trip(&key);
        // Spec §7.2.10: DigestInfo up to 40% of the modulus, no more.
        let max = k * 4 / 10;
        let signature = sign(&key, &vec![0x30; max]).unwrap();
        host_key(&key)
            .verify(Pkcs1v15Sign::new_unprefixed(), &vec![0x30; max], &signature)
            .unwrap();
        assert_eq!(sign(&key, &vec![0x30; max + 1]), Err(Error::WrongLength));
    }

    #[test]
    fn rsa2048_known_answers() {
        known_answers(2048);
    }

    #[test]
    fn rsa3072_known_answers() {
        known_answers(3072);
    }

    #[test]
    fn rsa4096_known_answers() {
        known_answers(4096);
    }

    #[test]
    fn primes_too_close_are_refused() {
        use crypto_bigint::U1024;
        let p = U1024::from_be_slice(&bytes(RSA2048_P));
        let q = U1024::from_be_slice(&bytes(RSA2048_Q));
        assert!(far_apart(&p, &q) && far_apart(&q, &p));
        assert!(!far_apart(&p, &p));
        // |p - q| = 2^(half - 100): not more than it, refused; 2^(half - 99) is accepted.
        let two = |k: u32| U1024::ONE.shl(k);
        for (k, accepted) in [(1024 - 100, false), (1024 - 99, true), (10, false)] {
            let near = p.wrapping_sub(&two(k));
            assert_eq!(far_apart(&p, &near), accepted, "2^{k}");
            assert_eq!(far_apart(&near, &p), accepted, "2^{k}");
        }
    }

    fn generate_and_use(bits: u16, seed: u64) {
        let alg = Algorithm::Rsa {
            bits,
            format: RsaImportFormat::Crt,
        };
        let mut rng = TestRng::seed_from_u64(seed);
        let start = std::time::Instant::now();
        let key = crate::crypto::tests::generate(&alg, &mut rng).unwrap();
        std::eprintln!("RSA-{bits} key generation: {:?}", start.elapsed());
        assert_eq!(key.algorithm(), alg);
        let host = host_key(&key);
        assert_eq!(
            ::rsa::traits::PublicKeyParts::size(&host),
            usize::from(bits / 8)
        );
        assert_eq!(public_parts(&key).1, [0x01, 0x00, 0x01]);

        let hash = Sha256::digest(b"signed on the card");
        let digest_info = [&bytes(DIGEST_INFO)[..19], &hash[..]].concat();
        let start = std::time::Instant::now();
        let signature = sign(&key, &digest_info).unwrap();
        std::eprintln!("RSA-{bits} signature: {:?}", start.elapsed());
        host.verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &signature)
            .unwrap();

        let message = b"a session key and its checksum";
        let cryptogram = host.encrypt(&mut rng, Pkcs1v15Encrypt, message).unwrap();
        let start = std::time::Instant::now();
        assert_eq!(decipher(&key, &cryptogram).unwrap(), message);
        std::eprintln!("RSA-{bits} decryption: {:?}", start.elapsed());

        let start = std::time::Instant::now();
        assert_storage_round_trip(&key);
        std::eprintln!(
            "RSA-{bits} decode from storage (and encode): {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn rsa2048_generate_sign_decipher_store() {
        generate_and_use(2048, 2048);
    }

    #[test]
    #[ignore = "slow: run with --ignored"]
    fn rsa3072_generate_sign_decipher_store() {
        generate_and_use(3072, 3072);
    }

    #[test]
    #[ignore = "slow: run with --ignored"]
    fn rsa4096_generate_sign_decipher_store() {
        generate_and_use(4096, 4096);
    }

    /// Encrypts a raw encoded message `em` (k bytes) with the card's public key.
    fn raw_encrypt(key: &PrivateKey, em: &[u8]) -> Vec<u8> {
        let host = host_key(key);
        let precision = ::rsa::traits::PublicKeyParts::n_bits_precision(&host);
        let m = BoxedUint::from_be_slice(em, precision).unwrap();
        let c = ::rsa::hazmat::rsa_encrypt(&host, &m).unwrap();
        let bytes = c.to_be_bytes();
        bytes[bytes.len() - em.len()..].to_vec()
    }

    /// `00 02 PS 00 M` with `ps` non-zero padding bytes, 256 bytes in all.
    fn type2(ps: usize, separator: u8) -> Vec<u8> {
        let mut em = vec![0x00, 0x02];
        em.extend(core::iter::repeat_n(0x5Au8, ps));
        em.push(separator);
        em.resize(256, 0x11);
        em
    }

    #[test]
    fn padding_is_checked() {
        let v = vector(2048);
        let key = import(&v);
        // Valid: eight padding bytes (the minimum), the longest message; and an empty message.
        assert_eq!(
            decipher(&key, &raw_encrypt(&key, &type2(8, 0))).unwrap(),
            [0x11; 245]
        );
        let mut empty = vec![0x00, 0x02];
        empty.resize(255, 0x77);
        empty.push(0x00);
        assert_eq!(
            decipher(&key, &raw_encrypt(&key, &empty)).unwrap(),
            [0u8; 0]
        );
        // Invalid: seven padding bytes; no separator; wrong block type or first byte; a type 1
        // block (a signature, "decrypted"); a cryptogram of random bytes.
        let no_separator = type2(8, 0x01);
        let mut block_type_1 = type2(8, 0);
        block_type_1[1] = 0x01;
        let mut first_byte = type2(8, 0);
        first_byte[0] = 0x01;
        let mut zero_in_ps = type2(20, 0);
        zero_in_ps[5] = 0x00; // a separator after only three padding bytes
        for em in [
            type2(7, 0),
            no_separator,
            block_type_1,
            first_byte,
            zero_in_ps,
        ] {
            let cryptogram = raw_encrypt(&key, &em);
            assert_eq!(
                decipher(&key, &cryptogram),
                Err(Error::IncorrectData),
                "{em:02X?}"
            );
        }
        assert_eq!(decipher(&key, &v.signature), Err(Error::IncorrectData));
        assert_eq!(decipher(&key, &[0x5A; 256]), Err(Error::IncorrectData));
    }

    #[test]
    fn eme_decoding_at_every_separator_position() {
        const K: usize = 32;
        for header in [[0u8, 2], [1, 2], [0, 1], [0, 0]] {
            for separator in 2..=K {
                let mut em = [0x42u8; K];
                em[..2].copy_from_slice(&header);
                if separator < K {
                    em[separator] = 0;
                    em[K - 1] = 0; // a later zero does not move the separator
                }
                let (valid, index) = super::eme_pkcs1_v15_decode(&em);
                let expected = header == [0, 2] && (10..K).contains(&separator);
                assert_eq!(bool::from(valid), expected, "{header:?} {separator}");
                if expected {
                    assert_eq!(index, separator);
                }
            }
        }
        assert!(!bool::from(super::eme_pkcs1_v15_decode(&[]).0));
        assert!(!bool::from(super::eme_pkcs1_v15_decode(&[0, 2]).0));
    }

    #[test]
    fn decipher_rejects_bad_lengths_and_values() {
        let v = vector(2048);
        let key = import(&v);
        assert_eq!(decipher(&key, &[]), Err(Error::WrongLength));
        let long = [&[0u8][..], &v.ciphertext[..]].concat();
        assert_eq!(decipher(&key, &long), Err(Error::WrongLength));
        // Not below the modulus.
        assert_eq!(decipher(&key, &v.n), Err(Error::IncorrectData));
        assert_eq!(decipher(&key, &[0xFF; 256]), Err(Error::IncorrectData));
    }

    #[test]
    fn import_checks() {
        let v = vector(2048);
        let import = |bits: u16, e: &[u8], p: &[u8], q: &[u8], n: Option<&[u8]>| {
            PrivateKey::from_rsa_components(bits, e, p, q, n).err()
        };
        // Accepted: e however zero-padded, n absent, primes in either order, with leading zeros.
        assert_eq!(import(2048, &[1, 0, 1], &v.p, &v.q, None), None);
        assert_eq!(
            import(2048, &[0, 0, 0, 0, 1, 0, 1], &v.q, &v.p, Some(&v.n)),
            None
        );
        let p0 = [&[0u8][..], &v.p[..]].concat();
        let n0 = [&[0u8][..], &v.n[..]].concat();
        assert_eq!(import(2048, &E, &p0, &v.q, Some(&n0)), None);

        let bad = Some(Error::IncorrectData);
        // e != 65537.
        assert_eq!(import(2048, &[3], &v.p, &v.q, None), bad);
        assert_eq!(import(2048, &[1, 0, 0, 1], &v.p, &v.q, None), bad);
        assert_eq!(import(2048, &[], &v.p, &v.q, None), bad);
        // p·q != n.
        let mut n = v.n.clone();
        n[255] ^= 2;
        assert_eq!(import(2048, &E, &v.p, &v.q, Some(&n)), bad);
        assert_eq!(import(2048, &E, &v.p, &v.q, Some(&n[1..])), bad);
        // Sizes that do not match the attributes.
        assert_eq!(import(3072, &E, &v.p, &v.q, None), bad);
        assert_eq!(import(1024, &E, &v.p, &v.q, None), bad);
        let v3072 = vector(3072);
        assert_eq!(import(2048, &E, &v3072.p, &v3072.q, None), bad);
        let long_p = [&[1u8][..], &v.p[..]].concat();
        assert_eq!(import(2048, &E, &long_p, &v.q, None), bad);
        // Degenerate or composite primes.
        assert_eq!(import(2048, &E, &v.p, &v.p, None), bad);
        assert_eq!(import(2048, &E, &[], &v.q, None), bad);
        let mut composite = v.p.clone();
        composite[127] ^= 2; // still odd, almost surely not prime
        assert_eq!(import(2048, &E, &composite, &v.q, None), bad);
        // An RSA slot takes no EC scalar.
        assert_eq!(
            PrivateKey::from_ec_scalar(
                &Algorithm::Rsa {
                    bits: 2048,
                    format: RsaImportFormat::Standard
                },
                &[1; 32],
                None
            )
            .err(),
            bad
        );
    }

    #[test]
    fn stored_garbage_is_a_storage_error() {
        let v = vector(2048);
        let alg = Algorithm::Rsa {
            bits: 2048,
            format: RsaImportFormat::Standard,
        };
        let good = [&v.p[..], &v.q[..]].concat();
        assert!(PrivateKey::from_stored(&alg, &good).is_ok());
        for bad in [
            Vec::new(),
            good[1..].to_vec(),
            [&good[..], &[0][..]].concat(),
            vec![0u8; 256],
            [&v.p[..], &v.p[..]].concat(),
        ] {
            assert_eq!(
                PrivateKey::from_stored(&alg, &bad).err(),
                Some(Error::Storage)
            );
        }
        let alg3072 = Algorithm::Rsa {
            bits: 3072,
            format: RsaImportFormat::Standard,
        };
        assert_eq!(
            PrivateKey::from_stored(&alg3072, &good).err(),
            Some(Error::Storage)
        );
    }
}
