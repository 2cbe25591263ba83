//! The RSA private operation on the workspace's Montgomery kernel (`crates/montgomery`;
//! feature `cortex-m4`): the UMAAL assembly on thumbv7em, its portable reference elsewhere.
//! What moved here from the `rsa` crate, and why: the two CRT exponentiations, 81 % of a
//! signature on the Cortex-M4 with crypto-bigint's generic product (BENCHMARKS.md, "Where the
//! instructions go"). What stays with the `rsa` crate: key parsing and checks, the CRT values,
//! the public operation and so the verification of every result before release
//! ([`super::rsa`]).
//!
//! `c^d mod n` for `n = p q` as smart cards compute it against DPA:
//! 1. base blinding: `c' = c r^e mod n` for a fresh random `r` (unblinded by `r^(-1)` at the
//!    end), so that the exponentiations never see the attacker's input;
//! 2. exponent blinding: `dp' = dp + k (p - 1)`, `dq' = dq + k' (q - 1)` for fresh 128-bit
//!    `k`, `k'` (as the `rsa` crate does), so that no two operations use the same exponent bits;
//! 3. `m1 = c'^dp' mod p`, `m2 = c'^dq' mod q` by `Modulus::pow` (fixed windows, every table
//!    entry read), `c' mod p` reduced in Montgomery form (`to_montgomery_wide`);
//! 4. Garner: `h = (m1 - m2) qInv mod p` (crypto-bigint's Montgomery form of the `rsa` crate's
//!    qInv: one product), `m' = m2 + h q`, then `m = m' r^(-1) mod n`.
//!
//! One countermeasure of the `rsa` crate is not here: CRT modulus blinding (exponentiating
//! modulo `p g` for a random 130-bit `g`), which would make every product about 40 % dearer
//! on a 1024-bit prime. The fixed-window exponentiation reads every table entry and branches
//! on no bit of the exponent, and base and exponent blinding randomise every operand it sees.
//!
//! The cost of blinding (RSA-2048): `r^(-1)` by crypto-bigint's safegcd, `r^e` and two
//! products modulo n, and 128 more exponent bits per half (about 12 % of the
//! exponentiations).

use alloc::boxed::Box;
use alloc::vec::Vec;

use ::rsa::traits::{PrivateKeyParts, PublicKeyParts};
use ::rsa::BoxedUint;
use crypto_bigint::modular::BoxedMontyForm;
use crypto_bigint::{ConcatenatingMul, Odd, RandomMod, Resize};
use openpgp_card_applet_montgomery::{limbs_from_be_bytes, Modulus};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::error::Error;

/// The Montgomery moduli of a key's two primes (`n0`, `R mod p`, `R^2 mod p`, the same for q),
/// built once from the `rsa` crate's key at its first private operation and kept with it
/// ([`super::rsa::RsaKey`]): building them costs about 1.5 M instructions a prime on the
/// Cortex-M4 for RSA-2048, 7 % of a signature. They live exactly as long as the key they were
/// derived from (the key is immutable; a new key is a new `RsaKey`), on the heap, and are
/// wiped when it is dropped (replaced, deleted, or the card powered off); never stored.
pub(super) enum CrtModuli {
    /// RSA-2048: primes of 32 limbs.
    R2048(Box<[Modulus<32>; 2]>),
    /// RSA-3072: primes of 48 limbs.
    R3072(Box<[Modulus<48>; 2]>),
    /// RSA-4096: primes of 64 limbs.
    R4096(Box<[Modulus<64>; 2]>),
}

impl CrtModuli {
    /// The moduli of `key`'s primes p and q. Constant time in the primes
    /// ([`Modulus::new`]). [`Error::Internal`] for a key of another size or without two primes.
    // Not inlined: RSA-4096's moduli are built in a frame of their own.
    #[inline(never)]
    pub(super) fn new(key: &::rsa::PrivateKey) -> Result<CrtModuli, Error> {
        Ok(match key.n_bits_precision() {
            2048 => CrtModuli::R2048(Box::new(moduli::<32>(key)?)),
            3072 => CrtModuli::R3072(Box::new(moduli::<48>(key)?)),
            4096 => CrtModuli::R4096(Box::new(moduli::<64>(key)?)),
            _ => return Err(Error::Internal),
        })
    }
}

/// The moduli of p and q, of `N` limbs each.
fn moduli<const N: usize>(key: &::rsa::PrivateKey) -> Result<[Modulus<N>; 2], Error> {
    let [p, q] = key.primes() else {
        return Err(Error::Internal);
    };
    let modulus = |prime: &BoxedUint| {
        let limbs: Zeroizing<[u32; N]> = Zeroizing::new(limbs(prime)?);
        Modulus::new(&limbs).ok_or(Error::Internal)
    };
    Ok([modulus(p)?, modulus(q)?])
}

/// `c^d mod n` (with `c < n`, of n's precision), blinded (see the module documentation), with
/// the key's CRT moduli (`moduli`, built from this key by [`CrtModuli::new`]). Errors are
/// [`Error::Internal`]: a key without CRT values, moduli of another size, or a blinding factor
/// that shares a factor with n (probability about 2^-1023).
pub(super) fn private<R: CryptoRng + ?Sized>(
    key: &::rsa::PrivateKey,
    moduli: &CrtModuli,
    rng: &mut R,
    c: &BoxedUint,
) -> Result<BoxedUint, Error> {
    match (key.n_bits_precision(), moduli) {
        (2048, CrtModuli::R2048(moduli)) => private_sized::<32, R>(key, moduli, rng, c),
        (3072, CrtModuli::R3072(moduli)) => private_sized::<48, R>(key, moduli, rng, c),
        (4096, CrtModuli::R4096(moduli)) => private_sized::<64, R>(key, moduli, rng, c),
        _ => Err(Error::Internal),
    }
}

/// [`private`] for primes of `N` limbs.
// Not inlined: RSA-4096's frame (the window table) stays its own.
#[inline(never)]
fn private_sized<const N: usize, R: CryptoRng + ?Sized>(
    key: &::rsa::PrivateKey,
    [p_modulus, q_modulus]: &[Modulus<N>; 2],
    rng: &mut R,
    c: &BoxedUint,
) -> Result<BoxedUint, Error> {
    let (Some(dp), Some(dq), Some(qinv), [p, q]) = (key.dp(), key.dq(), key.qinv(), key.primes())
    else {
        return Err(Error::Internal);
    };
    let n_params = key.n_params();

    // 1. Base blinding.
    let r = Zeroizing::new(BoxedUint::random_mod_vartime(rng, key.n()));
    let r_inverse: Zeroizing<BoxedUint> =
        Zeroizing::new(r.invert_mod(key.n()).into_option().ok_or(Error::Internal)?);
    let r_e = BoxedMontyForm::new((*r).clone(), n_params).pow_bounded_exp(key.e(), 17);
    let blinded = Zeroizing::new((BoxedMontyForm::new(c.clone(), n_params) * &r_e).retrieve());
    let blinded_bytes = Zeroizing::new(blinded.to_be_bytes());
    let (hi, lo) = blinded_bytes.split_at(4 * N);
    let hi: Zeroizing<[u32; N]> = Zeroizing::new(limbs_from_be_bytes(hi).ok_or(Error::Internal)?);
    let lo: Zeroizing<[u32; N]> = Zeroizing::new(limbs_from_be_bytes(lo).ok_or(Error::Internal)?);

    // 2-3. The two halves, each with a blinded exponent, one after the other in frames of
    // their own (RSA-4096's window table alone is 4 KiB of stack).
    let m1 = half::<N, R>(rng, p_modulus, p, dp, &lo, &hi)?;
    let m2 = half::<N, R>(rng, q_modulus, q, dq, &lo, &hi)?;

    // 4. Garner, with the `rsa` crate's qInv in Montgomery form modulo p (one product):
    // h = (m1 - m2) qInv mod p, m' = m2 + h q < n; then m = m' r^(-1) mod n.
    let p_params = qinv.params();
    let mut difference = BoxedMontyForm::new((*m1).clone(), p_params);
    difference -= &BoxedMontyForm::new((*m2).clone(), p_params);
    let h = Zeroizing::new((qinv * &difference).retrieve());
    let precision = key.n_bits_precision();
    let hq = Zeroizing::new(h.concatenating_mul(q.as_ref()).resize(precision));
    let unblinded = Zeroizing::new((&*m2).resize(precision).wrapping_add(&*hq));
    Ok((BoxedMontyForm::new((*unblinded).clone(), n_params)
        * BoxedMontyForm::new((*r_inverse).clone(), n_params))
    .retrieve())
}

/// `c'^(d + k (prime - 1)) mod prime` for the blinded input `hi R + lo` (see [`private`]), on
/// the workspace's kernel with the prime's `modulus`, with a fresh `k`; of the prime's
/// precision.
// Not inlined: one half's window table at a time on the stack.
#[inline(never)]
fn half<const N: usize, R: CryptoRng + ?Sized>(
    rng: &mut R,
    modulus: &Modulus<N>,
    prime: &Odd<BoxedUint>,
    d: &BoxedUint,
    lo: &[u32; N],
    hi: &[u32; N],
) -> Result<Zeroizing<BoxedUint>, Error> {
    let exponent = blinded_exponent(rng, d, prime.as_ref())?;
    let power = modulus.pow(&modulus.to_montgomery_wide(lo, hi), &exponent);
    let value: Zeroizing<[u32; N]> = Zeroizing::new(modulus.from_montgomery(&power));
    Ok(Zeroizing::new(boxed(
        &value,
        prime.as_ref().bits_precision(),
    )?))
}

/// `d + k (prime - 1)` for a fresh 128-bit `k` (as the `rsa` crate blinds, after the CFRG's RSA
/// guidance §6.4), as 32-bit limbs (least significant first) of a fixed length: the prime's
/// limbs and four more.
fn blinded_exponent<R: CryptoRng + ?Sized>(
    rng: &mut R,
    d: &BoxedUint,
    prime: &BoxedUint,
) -> Result<Zeroizing<Vec<u32>>, Error> {
    let mut random = Zeroizing::new([0u8; 16]);
    rng.fill_bytes(random.as_mut());
    let k = Zeroizing::new(
        BoxedUint::from_le_slice(random.as_ref(), 128).map_err(|_| Error::Internal)?,
    );
    let prime_minus_1 = Zeroizing::new(prime.wrapping_sub(BoxedUint::one()));
    let product = Zeroizing::new(prime_minus_1.concatenating_mul(&*k));
    let precision = product.bits_precision();
    let sum = Zeroizing::new(product.wrapping_add(d.resize(precision)));
    let bytes = Zeroizing::new(sum.to_be_bytes());
    // Limb lengths are public: the prime's precision plus 128 bits.
    let mut exponent = Zeroizing::new(alloc::vec![0u32; bytes.len() / 4]);
    for (limb, chunk) in exponent.iter_mut().zip(bytes.rchunks_exact(4)) {
        *limb = u32::from_be_bytes(chunk.try_into().map_err(|_| Error::Internal)?);
    }
    Ok(exponent)
}

/// The `N` limbs of a value of at most `32 N` bits.
fn limbs<const N: usize>(x: &BoxedUint) -> Result<[u32; N], Error> {
    let bytes = Zeroizing::new(x.to_be_bytes());
    // Leading bytes beyond 4 N (a wider precision) must be zero.
    let start = bytes.len().saturating_sub(4 * N);
    if bytes
        .get(..start)
        .is_some_and(|high| high.iter().any(|&b| b != 0))
    {
        return Err(Error::Internal);
    }
    limbs_from_be_bytes(bytes.get(start..).ok_or(Error::Internal)?).ok_or(Error::Internal)
}

/// A `BoxedUint` of `precision` bits from `N` limbs.
fn boxed<const N: usize>(x: &[u32; N], precision: u32) -> Result<BoxedUint, Error> {
    let mut bytes = Zeroizing::new(alloc::vec![0u8; 4 * N]);
    openpgp_card_applet_montgomery::limbs_to_be_bytes(x, &mut bytes).ok_or(Error::Internal)?;
    BoxedUint::from_be_slice(&bytes, precision).map_err(|_| Error::Internal)
}
