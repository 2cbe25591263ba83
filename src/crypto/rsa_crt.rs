//! The RSA private operation on the workspace's Montgomery kernel (`crates/montgomery`;
//! feature `cortex-m4`): the UMAAL assembly on thumbv7em, its portable reference elsewhere.
//! What moved here from the `rsa` crate, and why: the two CRT exponentiations, 81 % of a
//! signature on the Cortex-M4 with crypto-bigint's generic product (BENCHMARKS.md, "Where the
//! instructions go"). What stays with the `rsa` crate: key parsing and checks, the CRT values,
//! the public operation and so the verification of every result before release
//! ([`super::rsa`]).
//!
//! `c^d mod n` for `n = p q` as smart cards compute it against DPA, each CRT half on its own:
//! 1. base blinding: the half's base is `c r^e mod p` for a fresh random `r` modulo p (and
//!    an independent one modulo q: together one uniform `r` modulo n by the CRT, so this is
//!    the blinding `c r^e mod n`), unblinded by `r^(-1) mod p` after the exponentiation, so
//!    that the exponentiations never see the attacker's input;
//! 2. exponent blinding: `dp' = dp + k (p - 1)`, `dq' = dq + k' (q - 1)` for fresh 128-bit
//!    `k`, `k'` (as the `rsa` crate does), so that no two operations use the same exponent bits;
//! 3. `m1 = (c r^e)^dp' r^(-1) mod p` (= `c^dp mod p`), the same modulo q, by `Modulus::pow`
//!    (fixed windows, every table entry read), `c mod p` reduced in Montgomery form
//!    (`to_montgomery_wide`), with the key's moduli built once ([`CrtModuli`]);
//! 4. Garner: `h = (m1 - m2) qInv mod p` (crypto-bigint's Montgomery form of the `rsa` crate's
//!    qInv: one product), `m = m2 + h q`.
//!
//! One countermeasure of the `rsa` crate is not here: CRT modulus blinding (exponentiating
//! modulo `p g` for a random 130-bit `g`), which would make every product about 40 % dearer
//! on a 1024-bit prime. The fixed-window exponentiation reads every table entry and branches
//! on no bit of the exponent, and base and exponent blinding randomise every operand it sees.
//!
//! The cost of blinding, measured on the emulated Cortex-M4 (BENCHMARKS.md): for RSA-2048
//! PSO:CDS (28.9 M instructions when measured, 27.7 M since) 6.0 M for the base (two 1024-bit inversions by crypto-bigint's
//! safegcd, most of it; `r^e` is 17 products a half) and 2.1 M for the exponents (128 more
//! bits a half); for RSA-4096 (149 M) 20.2 M and 6.8 M. Blinding the base modulo n instead, with
//! crypto-bigint's boxed arithmetic, cost 13.1 M for RSA-2048.

use alloc::boxed::Box;
use alloc::vec::Vec;

use ::rsa::traits::{PrivateKeyParts, PublicKeyParts};
use ::rsa::BoxedUint;
use crypto_bigint::modular::BoxedMontyForm;
use crypto_bigint::{ConcatenatingMul, Odd, Resize};
use openpgp_card_applet_montgomery::{limbs_from_be_bytes, mont_mul, Modulus, Residue};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::error::Error;

/// The Montgomery moduli of a key's two primes (`n0`, `R mod p`, `R^2 mod p`, the same for q),
/// built once with the `rsa` crate's key and kept with it ([`super::rsa::RsaKey`]), so that no
/// private operation rebuilds them (0.12 M instructions a 1024-bit prime on the Cortex-M4;
/// 1.5 M with the first `Modulus::new`). They live exactly as long as the key they were
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
/// [`Error::Internal`]: a key without CRT values or with another public exponent than 65537,
/// moduli of another size, or a blinding factor of 0 modulo a prime (probability about
/// 2^-1023).
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
    // Base blinding raises r to e = 65537 by squarings (every key of the card has it).
    if *key.e() != BoxedUint::from(65_537u32) {
        return Err(Error::Internal);
    }
    // c as two halves of N limbs (c < n, n's precision): each half reduces it modulo its prime.
    let c_bytes = Zeroizing::new(c.to_be_bytes());
    let (hi, lo) = c_bytes.split_at(4 * N);
    let hi: Zeroizing<[u32; N]> = Zeroizing::new(limbs_from_be_bytes(hi).ok_or(Error::Internal)?);
    let lo: Zeroizing<[u32; N]> = Zeroizing::new(limbs_from_be_bytes(lo).ok_or(Error::Internal)?);

    // 1-3. The two halves, each blinded (base and exponent), one after the other in frames of
    // their own (RSA-4096's window table alone is 4 KiB of stack).
    let m1 = half::<N, R>(rng, p_modulus, p, dp, &lo, &hi)?;
    let m2 = half::<N, R>(rng, q_modulus, q, dq, &lo, &hi)?;

    // 4. Garner, with the `rsa` crate's qInv in Montgomery form modulo p (one product):
    // h = (m1 - m2) qInv mod p, m = m2 + h q < n.
    let p_params = qinv.params();
    let mut difference = BoxedMontyForm::new((*m1).clone(), p_params);
    difference -= &BoxedMontyForm::new((*m2).clone(), p_params);
    let h = Zeroizing::new((qinv * &difference).retrieve());
    let precision = key.n_bits_precision();
    let hq = Zeroizing::new(h.concatenating_mul(q.as_ref()).resize(precision));
    Ok((&*m2).resize(precision).wrapping_add(&*hq))
}

/// `c^d mod prime` for the input `c = hi R + lo` (see [`private`]), on the workspace's kernel
/// with the prime's `modulus`, blinded: the base is `c r^e` for a fresh random `r` modulo the
/// prime, the exponent `d + k (prime - 1)` for a fresh `k`, and the result `(c r^e)^(d') r^(-1)
/// = c^d`. Of the prime's precision.
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
    let (base, r_inverse) = blinded_base(rng, modulus, prime, lo, hi)?;
    let exponent = blinded_exponent(rng, d, prime.as_ref())?;
    let power = modulus.pow(&base, &exponent);
    // ((c r^e)^(d') R) r^(-1) R^(-1) = c^d r r^(-1): a Montgomery form times a plain value
    // is plain.
    let value: Zeroizing<[u32; N]> = Zeroizing::new(mont_mul(
        power.as_limbs(),
        &r_inverse,
        modulus.limbs(),
        modulus.n0(),
    ));
    Ok(Zeroizing::new(boxed(
        &value,
        prime.as_ref().bits_precision(),
    )?))
}

/// Base blinding modulo one prime: a fresh `r = (r_hi R + r_lo) mod prime` from 32 N + 64
/// random bits (uniform up to 2^-64, no rejection loop whose count would depend on the
/// prime), `r^e` by 16 squarings and a product (e = 65537), the base `c r^e` in Montgomery
/// form, and `r^(-1) mod prime` (crypto-bigint's constant-time inversion, safegcd) as plain
/// limbs. Independent `r` modulo p and q are one uniform `r` modulo n (CRT): the blinding of
/// `c r^e mod n`, computed on the halves.
// Not inlined: its values are gone before the exponentiation's table is on the stack.
#[inline(never)]
fn blinded_base<const N: usize, R: CryptoRng + ?Sized>(
    rng: &mut R,
    modulus: &Modulus<N>,
    prime: &Odd<BoxedUint>,
    lo: &[u32; N],
    hi: &[u32; N],
) -> Result<(Residue<N>, Zeroizing<[u32; N]>), Error> {
    let mut random = Zeroizing::new(alloc::vec![0u8; 4 * N + 8]);
    rng.fill_bytes(&mut random);
    let (r_hi, r_lo) = random.split_at(8);
    let r_hi: Zeroizing<[u32; N]> =
        Zeroizing::new(limbs_from_be_bytes(r_hi).ok_or(Error::Internal)?);
    let r_lo: Zeroizing<[u32; N]> =
        Zeroizing::new(limbs_from_be_bytes(r_lo).ok_or(Error::Internal)?);
    let r = modulus.to_montgomery_wide(&r_lo, &r_hi);
    let r_plain: Zeroizing<[u32; N]> = Zeroizing::new(modulus.from_montgomery(&r));
    let r_plain = Zeroizing::new(boxed(&r_plain, prime.as_ref().bits_precision())?);
    // r = 0 (probability about 2^-1024) has no inverse: an internal error.
    let r_inverse = Zeroizing::new(
        r_plain
            .invert_odd_mod(prime)
            .into_option()
            .ok_or(Error::Internal)?,
    );
    let r_inverse: Zeroizing<[u32; N]> = Zeroizing::new(limbs(&r_inverse)?);
    let mut r_e = modulus.square(&r);
    for _ in 1..16 {
        r_e = modulus.square(&r_e);
    }
    let r_e = modulus.mul(&r_e, &r);
    let base = modulus.mul(&modulus.to_montgomery_wide(lo, hi), &r_e);
    Ok((base, r_inverse))
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
