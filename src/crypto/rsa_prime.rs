//! RSA primes for on-card key generation, found so that the prime that is accepted leaks
//! nothing but its size through the control flow: FIPS 186-5 Appendix B.3.3 (random candidates,
//! each independent of the others) with trial division and Miller–Rabin (B.3.1) as the test.
//!
//! What an attacker who watches the card's power or EM trace during GENERATE may learn:
//! - how many candidates were rejected, and for each rejected one the small prime that divides
//!   it or the round of Miller–Rabin it failed: all of it about numbers that are independent
//!   of the accepted prime (every candidate is a fresh draw, never a step from the last one);
//! - for the accepted prime, nothing but its size. It goes through every small prime (none
//!   divides it: no early exit) with residues computed by multiplications only (no division,
//!   whose time depends on its operands on a Cortex-M4), then through every round of
//!   Miller–Rabin, each one fixed-window exponentiation of constant-time Montgomery arithmetic
//!   (crypto-bigint's, or with `cortex-m4` the workspace's kernel, `crates/montgomery`) with a
//!   fixed exponent length, and constant-time comparisons.
//!
//! Candidates are drawn ≡ 3 (mod 4), so that p − 1 = 2·d with d = (p − 1)/2 odd: Miller–Rabin
//! then has a single squaring-free check (b^d ≡ ±1), and the exponent d = p >> 1 needs no
//! secret-dependent count of trailing zeros. It costs one bit of each prime's entropy (510 of
//! 511 bits left for RSA-2048) and is what Blum integers are; FIPS 186-5 B.3.3 does not forbid
//! it. The two top bits are set (p ≥ 3·2^(bits − 2) > √2·2^(bits − 1), B.3.3 step 4.4), so
//! that p·q has exactly twice the bits.
//!
//! Every value derived from the candidate lives on the stack in crypto-bigint's fixed-size
//! types, or on the heap in blocks that are wiped when dropped, and is wiped when dropped or
//! rejected.

use alloc::boxed::Box;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{CtEq, Odd, Uint, Word};
use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use crate::entropy::Entropy;
use crate::error::Error;
use rand_core::TryCryptoRng;

/// The odd primes below 8,192 (1,027 of them): trial division by them leaves about one
/// candidate in eight for Miller–Rabin.
const SMALL_PRIMES: [u16; SMALL_PRIME_COUNT] = small_primes();
const SMALL_PRIME_COUNT: usize = 1027;
const SIEVE_LIMIT: usize = 8192;

/// The odd primes below [`SIEVE_LIMIT`], computed by the compiler (an index out of bounds
/// here would fail the build, never the card).
#[allow(clippy::indexing_slicing)]
const fn small_primes() -> [u16; SMALL_PRIME_COUNT] {
    let mut composite = [false; SIEVE_LIMIT];
    let mut primes = [0u16; SMALL_PRIME_COUNT];
    let mut count = 0;
    let mut n = 3;
    while n < SIEVE_LIMIT {
        if !composite[n] {
            primes[count] = n as u16;
            count += 1;
            let mut multiple = n * n;
            while multiple < SIEVE_LIMIT {
                composite[multiple] = true;
                multiple += n;
            }
        }
        n += 2;
    }
    assert!(count == SMALL_PRIME_COUNT);
    primes
}

/// The public exponent, 2^16 + 1: a prime, so gcd(e, p − 1) = 1 exactly when p mod e ≠ 1.
const E: u32 = 65_537;

/// `x mod s` for `x < 2^32` and `1 < s < 2^17`, without a division: Barrett's quotient from
/// `m = ⌊(2^32 − 1) / s⌋` (a public constant of `s`) is at most one short, and the correction
/// is a masked subtraction. Constant-time in `x`.
#[inline(always)]
fn reduce(x: u32, s: u32, m: u32) -> u32 {
    let q = ((u64::from(x) * u64::from(m)) >> 32) as u32;
    let r = x.wrapping_sub(q.wrapping_mul(s));
    // r < 2s: subtract s unless that borrows.
    let t = r.wrapping_sub(s);
    let keep = (t >> 31).wrapping_neg(); // all ones when r < s
    (r & keep) | (t & !keep)
}

/// The 16-bit chunks of `n`, most significant first.
fn chunks<const L: usize>(n: &Uint<L>) -> impl Iterator<Item = u32> + '_ {
    n.as_words().iter().rev().flat_map(|&word: &Word| {
        (0..Word::BITS / 16)
            .rev()
            .map(move |i| ((word >> (16 * i)) & 0xFFFF) as u32)
    })
}

/// `n mod s` for an odd prime `s < 2^16`, by Horner's rule over 16-bit chunks (each step
/// keeps `r·2^16 + chunk < 2^32`). Constant-time in `n`.
fn residue<const L: usize>(n: &Uint<L>, s: u16) -> u32 {
    let s = u32::from(s);
    let m = u32::MAX / s; // public
    chunks(n).fold(0, |r, chunk| reduce((r << 16) | chunk, s, m))
}

/// `n mod e` for e = 2^16 + 1: 2^16 ≡ −1, so `n` is congruent to the alternating sum of its
/// 16-bit chunks. Constant-time in `n`.
fn residue_e<const L: usize>(n: &Uint<L>) -> u32 {
    // Least significant chunk first: even positions add, odd ones subtract. Each sum stays
    // below 2^16 · 128 chunks = 2^23; 256·e lifts the difference above zero.
    let (mut even, mut odd) = (0u32, 0u32);
    let count = L * (Word::BITS as usize / 16);
    for (i, chunk) in chunks(n).enumerate() {
        if (count - 1 - i).is_multiple_of(2) {
            even += chunk;
        } else {
            odd += chunk;
        }
    }
    reduce(even + 256 * E - odd, E, u32::MAX / E)
}

/// Trial division (and the public exponent's condition, B.3.3 step 4.5): `false` as soon as
/// a small prime divides `n` or `n ≡ 1 (mod e)`. For a candidate that passes, every step runs
/// and none exits early.
fn passes_trial_division<const L: usize>(n: &Uint<L>) -> bool {
    for &s in SMALL_PRIMES.iter() {
        if residue(n, s) == 0 {
            return false;
        }
    }
    residue_e(n) != 1
}

/// Miller–Rabin (FIPS 186-5 B.3.1) for `n ≡ 3 (mod 4)`, `rounds` random bases: `false` at the
/// first round that proves `n` composite. Each round: a base `b` uniform in [0, n) up to
/// 2⁻⁶⁴ (64 more random bits than `n` has, reduced in Montgomery form: no rejection loop whose
/// count would depend on `n`), `z = b^((n − 1)/2) mod n` by
/// constant-time fixed-window exponentiation over all of the exponent's bits, and `z = 1` or
/// `z = n − 1` compared in constant time. A prime passes every round with the same control
/// flow, whatever it is.
///
/// Stack: crypto-bigint's fixed-size Montgomery forms carry a copy of their parameters each,
/// and its exponentiation a table of 16 powers (about 7 KiB at 2,048 bits). So that only that
/// sits on the stack under GENERATE (within the 16 KiB target), the parameters, the exponent
/// and the base live on the heap, each wiped when dropped, and each step has a frame of its
/// own.
///
/// With the `cortex-m4` feature, primes of 512, 1024, 1536 and 2048 bits are tested on the
/// workspace's Montgomery kernel instead ([`kernel::miller_rabin`]: the same bases from the
/// same random bytes, so the same verdicts), about three times fewer instructions on the
/// Cortex-M4.
fn miller_rabin<const L: usize, R: TryCryptoRng>(
    n: &Odd<Uint<L>>,
    rounds: usize,
    rng: &mut Entropy<R>,
) -> Result<bool, Error> {
    // The size is a constant of `L`: one arm remains once compiled.
    #[cfg(feature = "cortex-m4")]
    match Uint::<L>::BITS {
        512 => return kernel::miller_rabin::<L, 16, R>(n, rounds, rng),
        1024 => return kernel::miller_rabin::<L, 32, R>(n, rounds, rng),
        1536 => return kernel::miller_rabin::<L, 48, R>(n, rounds, rng),
        2048 => return kernel::miller_rabin::<L, 64, R>(n, rounds, rng),
        _ => {}
    }
    miller_rabin_fixed(n, rounds, rng)
}

/// [`miller_rabin`] on crypto-bigint's fixed-size Montgomery forms.
#[inline(never)]
fn miller_rabin_fixed<const L: usize, R: TryCryptoRng>(
    n: &Odd<Uint<L>>,
    rounds: usize,
    rng: &mut Entropy<R>,
) -> Result<bool, Error> {
    // Everything here is derived from n (R mod n alone gives n away): wiped when dropped.
    let params = montgomery_params(n);
    let exponent = Box::new(Zeroizing::new(n.as_ref().shr(1))); // (n − 1)/2, as n is odd
                                                                // 1 and n − 1 in Montgomery form: R mod n, and n − (R mod n).
    let one = Box::new(Zeroizing::new(*params.one()));
    let minus_one = Box::new(Zeroizing::new(n.as_ref().wrapping_sub(&one)));
    for _ in 0..rounds {
        let base = random_base(&params, rng)?;
        if !round(&base, &exponent, &one, &minus_one) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// crypto-bigint's Montgomery parameters of `n`, on the heap, wiped when dropped.
#[inline(never)]
fn montgomery_params<const L: usize>(n: &Odd<Uint<L>>) -> Box<Zeroizing<FixedMontyParams<L>>> {
    Box::new(Zeroizing::new(FixedMontyParams::new(*n)))
}

/// A random base for [`miller_rabin`], uniform in [0, n) up to 2⁻⁶⁴: `low + high·2^bits mod n`
/// for random `low` (bits) and `high` (64 bits), in Montgomery form on the heap (wiped when
/// dropped). Two Montgomery multiplications; the forms it needs are gone before the round.
#[inline(never)]
fn random_base<const L: usize, R: TryCryptoRng>(
    params: &FixedMontyParams<L>,
    rng: &mut Entropy<R>,
) -> Result<Box<Zeroizing<FixedMontyForm<L>>>, Error> {
    let mut low = Zeroizing::new(Uint::<L>::ZERO);
    let mut high = Zeroizing::new([0u8; 8]);
    fill_uint(rng, &mut low)?;
    rng.fill(&mut *high)?;
    let radix = Zeroizing::new(FixedMontyForm::new(params.one(), params)); // 2^bits mod n
    let mut base = Box::new(Zeroizing::new(FixedMontyForm::new(&low, params)));
    let mut high = Zeroizing::new(FixedMontyForm::new(
        &Uint::from_u64(u64::from_le_bytes(*high)),
        params,
    ));
    *high *= *radix;
    **base += *high;
    Ok(base)
}

/// One round: whether `base^exponent` is 1 or −1 (Montgomery forms `one`, `minus_one`).
/// Never inlined: inlined, its exponentiation's table shares a frame with the rest of the test
/// (9.9 KB at 1,024 bits instead of 6.3 KB, for 3 % fewer instructions).
#[inline(never)]
fn round<const L: usize>(
    base: &FixedMontyForm<L>,
    exponent: &Uint<L>,
    one: &Uint<L>,
    minus_one: &Uint<L>,
) -> bool {
    let mut z = base.pow(exponent);
    let probable = z.as_montgomery().ct_eq(one) | z.as_montgomery().ct_eq(minus_one);
    z.zeroize();
    probable.to_bool()
}

/// Miller–Rabin on the workspace's Montgomery kernel (`crates/montgomery`, feature
/// `cortex-m4`): the UMAAL assembly on the Cortex-M4. The same test as
/// [`miller_rabin_fixed`], from the same random bytes: `n` as a [`Modulus`] (built in
/// constant time), each base `low + high 2^bits mod n` put in Montgomery form by
/// `to_montgomery_wide`, `base^((n − 1)/2)` by the kernel's fixed-window exponentiation (every
/// table entry read for every window), compared with 1 and −1 in constant time. A prime passes
/// every round with the same control flow, whatever it is. The modulus and the exponent live
/// on the heap, the window table (4 KiB at 2,048 bits) in the round's own frame; everything
/// derived from `n` is wiped when dropped.
#[cfg(feature = "cortex-m4")]
mod kernel {
    use alloc::boxed::Box;

    use crypto_bigint::{Odd, Uint, Word};
    use openpgp_card_applet_montgomery::{Modulus, Residue};
    use rand_core::TryCryptoRng;
    use subtle::ConstantTimeEq;
    use zeroize::Zeroizing;

    use super::fill_uint;
    use crate::entropy::Entropy;
    use crate::error::Error;

    /// The test of [`super::miller_rabin`] for `n` of `N` 32-bit limbs (`32 N` =
    /// `Uint::<L>::BITS`, else [`Error::Internal`]).
    #[inline(never)]
    pub(super) fn miller_rabin<const L: usize, const N: usize, R: TryCryptoRng>(
        n: &Odd<Uint<L>>,
        rounds: usize,
        rng: &mut Entropy<R>,
    ) -> Result<bool, Error> {
        if 32 * N != Uint::<L>::BITS as usize {
            return Err(Error::Internal);
        }
        let modulus = Box::new(Modulus::<N>::new(&limbs(n.as_ref())).ok_or(Error::Internal)?);
        // (n − 1)/2, as n is odd.
        let exponent = Box::new(limbs::<L, N>(&Zeroizing::new(n.as_ref().shr(1))));
        let one = modulus.one();
        let minus_one = modulus.sub(&modulus.to_montgomery(&[0; N]), &one);
        for _ in 0..rounds {
            let base = random_base::<L, N, R>(&modulus, rng)?;
            if !round(&modulus, &base, &exponent, &one, &minus_one) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The `N` 32-bit limbs of `x` (least significant first), wiped when dropped.
    // `u64::from` is needed where a word is 32 bits (the Cortex-M), useless where it is 64.
    #[allow(clippy::useless_conversion)]
    fn limbs<const L: usize, const N: usize>(x: &Uint<L>) -> Zeroizing<[u32; N]> {
        let mut limbs = Zeroizing::new([0u32; N]);
        let halves = x.as_words().iter().flat_map(|&word: &Word| {
            (0..Word::BITS / 32).map(move |k| (u64::from(word) >> (32 * k)) as u32)
        });
        for (limb, half) in limbs.iter_mut().zip(halves) {
            *limb = half;
        }
        limbs
    }

    /// A base drawn exactly as [`super::random_base`] draws it (the same random bytes give
    /// the same number), in Montgomery form: `(high R + low) R mod n`.
    #[inline(never)]
    fn random_base<const L: usize, const N: usize, R: TryCryptoRng>(
        modulus: &Modulus<N>,
        rng: &mut Entropy<R>,
    ) -> Result<Residue<N>, Error> {
        let mut low = Zeroizing::new(Uint::<L>::ZERO);
        let mut high = Zeroizing::new([0u8; 8]);
        fill_uint(rng, &mut low)?;
        rng.fill(&mut *high)?;
        let mut high_limbs = Zeroizing::new([0u32; N]);
        for (limb, chunk) in high_limbs.iter_mut().zip(high.chunks_exact(4)) {
            let mut bytes = [0u8; 4];
            bytes.copy_from_slice(chunk);
            *limb = u32::from_le_bytes(bytes);
        }
        Ok(modulus.to_montgomery_wide(&limbs::<L, N>(&low), &high_limbs))
    }

    /// One round: whether `base^exponent` is 1 or −1, compared in constant time. Never inlined:
    /// the window table stays in this frame.
    #[inline(never)]
    fn round<const N: usize>(
        modulus: &Modulus<N>,
        base: &Residue<N>,
        exponent: &[u32; N],
        one: &Residue<N>,
        minus_one: &Residue<N>,
    ) -> bool {
        let z = modulus.pow(base, exponent);
        let probable = z.as_limbs()[..].ct_eq(&one.as_limbs()[..])
            | z.as_limbs()[..].ct_eq(&minus_one.as_limbs()[..]);
        probable.into()
    }
}

/// Fills `n` with random bytes from `rng`.
fn fill_uint<const L: usize, R: TryCryptoRng>(
    rng: &mut Entropy<R>,
    n: &mut Uint<L>,
) -> Result<(), Error> {
    for word in n.as_mut_words() {
        let mut bytes = [0u8; Word::BITS as usize / 8];
        rng.fill(&mut bytes)?;
        *word = Word::from_le_bytes(bytes);
        bytes.zeroize();
    }
    Ok(())
}

/// A random prime of exactly `Uint::<L>::BITS` bits with its two top bits set, p ≡ 3
/// (mod 4), p mod e ≠ 1, that passed trial division and `rounds` rounds of Miller–Rabin:
/// FIPS 186-5 B.3.3 steps 4.2–4.7, with at most 5·bits candidates (step 4.7). Fails with
/// [`Error::RandomFailure`] as soon as the random source fails its health tests, and with
/// [`Error::Internal`] when every candidate was rejected (probability below 2⁻¹⁰⁰⁰ with a
/// working source).
pub(crate) fn random_prime<const L: usize, R: TryCryptoRng>(
    rng: &mut Entropy<R>,
    rounds: usize,
) -> Result<Zeroizing<Uint<L>>, Error> {
    let mut candidate = Zeroizing::new(Uint::<L>::ZERO);
    for _ in 0..5 * Uint::<L>::BITS {
        fill_uint(rng, &mut candidate)?;
        let words = candidate.as_mut_words();
        if let Some(top) = words.last_mut() {
            *top |= 0b11 << (Word::BITS - 2);
        }
        if let Some(bottom) = words.first_mut() {
            *bottom |= 0b11;
        }
        if !passes_trial_division(&candidate) {
            continue;
        }
        let Some(odd) = Option::<Odd<Uint<L>>>::from(Odd::new(*candidate)) else {
            return Err(Error::Internal);
        };
        let odd = Zeroizing::new(odd);
        if miller_rabin(&odd, rounds, rng)? {
            return Ok(candidate);
        }
    }
    Err(Error::Internal)
}

/// The acceptance test alone, on a given candidate: what [`random_prime`] runs on the prime it
/// returns. For the constant-time checks (instruction counts and control flow compared across
/// primes), not for key generation.
#[doc(hidden)]
pub fn accepts<const L: usize, R: CryptoRng>(candidate: &Uint<L>, rounds: usize, rng: R) -> bool {
    let mut rng = Entropy::new(rng);
    if !passes_trial_division(candidate) {
        return false;
    }
    let Some(odd) = Option::<Odd<Uint<L>>>::from(Odd::new(*candidate)) else {
        return false;
    };
    matches!(miller_rabin(&odd, rounds, &mut rng), Ok(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::{U1024, U2048};
    use openpgp_card_applet_testkit::TestRng;
    use rand_core::Rng;

    #[test]
    fn the_small_primes_are_the_odd_primes_below_8192() {
        assert_eq!(SMALL_PRIMES[0], 3);
        assert_eq!(SMALL_PRIMES[1], 5);
        assert_eq!(SMALL_PRIMES[SMALL_PRIME_COUNT - 1], 8191);
        for &p in SMALL_PRIMES.iter() {
            assert!((2..u32::from(p))
                .take_while(|d| d * d <= u32::from(p))
                .all(|d| u32::from(p) % d != 0));
        }
    }

    #[test]
    fn barrett_reduction_agrees_with_the_remainder() {
        let mut rng = TestRng::seed_from_u64(65537);
        for &s in SMALL_PRIMES.iter() {
            let s = u32::from(s);
            let m = u32::MAX / s;
            for x in [
                0,
                1,
                s - 1,
                s,
                s + 1,
                u32::MAX,
                u32::MAX - 1,
                rng.next_u32(),
            ] {
                assert_eq!(reduce(x, s, m), x % s, "{x} mod {s}");
            }
        }
        for x in [0, 1, E - 1, E, E + 1, u32::MAX, rng.next_u32()] {
            assert_eq!(reduce(x, E, u32::MAX / E), x % E, "{x} mod e");
        }
    }

    #[test]
    fn residues_agree_with_crypto_bigint() {
        let mut rng = TestRng::seed_from_u64(7);
        for _ in 0..20 {
            let mut bytes = [0u8; 128];
            rng.fill_bytes(&mut bytes);
            let n = U1024::from_be_slice(&bytes);
            for &s in SMALL_PRIMES.iter().step_by(37) {
                let expected =
                    n.rem_vartime(&crypto_bigint::NonZero::new(U1024::from_u16(s)).unwrap());
                assert_eq!(U1024::from_u32(residue(&n, s)), expected);
            }
            let expected = n.rem_vartime(&crypto_bigint::NonZero::new(U1024::from_u32(E)).unwrap());
            assert_eq!(U1024::from_u32(residue_e(&n)), expected);
        }
        assert_eq!(
            residue_e(&U1024::MAX),
            (U1024::MAX.rem_vartime(&crypto_bigint::NonZero::new(U1024::from_u32(E)).unwrap()))
                .as_words()[0] as u32
        );
    }

    #[test]
    fn random_primes_are_prime_and_shaped() {
        let mut rng = Entropy::new(TestRng::seed_from_u64(0x9121));
        let p: Zeroizing<U1024> = random_prime(&mut rng, 5).unwrap();
        assert_eq!(p.as_words().last().unwrap() >> (Word::BITS - 2), 0b11);
        assert_eq!(p.as_words()[0] & 3, 3);
        assert_ne!(residue_e(&*p), 1);
        // Not a probable prime by luck: Baillie-PSW, and Miller–Rabin with 20 random bases,
        // from crypto-primes (an implementation independent of this one).
        let boxed = ::rsa::BoxedUint::from_be_slice(&p.to_be_bytes(), 1024).unwrap();
        assert!(crypto_primes::is_prime(crypto_primes::Flavor::Any, &boxed));
        let options = crypto_primes::fips::FipsOptions::with_mr_iterations(20);
        let mut host = TestRng::seed_from_u64(20);
        assert!(crypto_primes::fips::is_prime(
            &mut host,
            crypto_primes::Flavor::Any,
            &boxed,
            options
        ));
    }

    #[test]
    fn composites_are_refused_and_primes_accepted() {
        // Primes from the generator, numbers near them, and products of two primes.
        let mut rng = Entropy::new(TestRng::seed_from_u64(3));
        let p: Zeroizing<U1024> = random_prime(&mut rng, 5).unwrap();
        assert!(accepts(&*p, 5, TestRng::seed_from_u64(4)));
        // Carmichael-like and ordinary composites of the same shape: p + 4·k for small k is
        // ≡ 3 (mod 4); refuse all that are not prime (checked independently).
        for k in 1..40u64 {
            let n = p.wrapping_add(&U1024::from_u64(4 * k));
            let boxed = ::rsa::BoxedUint::from_be_slice(&n.to_be_bytes(), 1024).unwrap();
            let prime = crypto_primes::is_prime(crypto_primes::Flavor::Any, &boxed);
            let e_ok = residue_e(&n) != 1;
            assert_eq!(
                accepts(&n, 5, TestRng::seed_from_u64(k)),
                prime && e_ok,
                "p + {}",
                4 * k
            );
        }
        // A product of two 512-bit primes (no small factor): only Miller–Rabin refuses it.
        let mut rng = Entropy::new(TestRng::seed_from_u64(5));
        let a: Zeroizing<crypto_bigint::U512> = random_prime(&mut rng, 5).unwrap();
        let b: Zeroizing<crypto_bigint::U512> = random_prime(&mut rng, 5).unwrap();
        let n: U1024 = a.concatenating_mul(&*b);
        assert!(!accepts(&n, 5, TestRng::seed_from_u64(6)));
    }

    /// The kernel's Miller–Rabin and crypto-bigint's agree verdict for verdict on the same
    /// random bytes (the same bases): primes, their odd neighbours ≡ 3 (mod 4), and a product
    /// of two primes, at 512 and 1024 bits.
    #[cfg(feature = "cortex-m4")]
    #[test]
    fn the_kernel_and_crypto_bigint_agree() {
        fn agree<const L: usize>(n: &Uint<L>, seed: u64) -> bool {
            let odd = Odd::new(*n).unwrap();
            let mut a = Entropy::new(TestRng::seed_from_u64(seed));
            let mut b = Entropy::new(TestRng::seed_from_u64(seed));
            let kernel = miller_rabin(&odd, 3, &mut a).unwrap();
            let fixed = miller_rabin_fixed(&odd, 3, &mut b).unwrap();
            assert_eq!(kernel, fixed, "{n:?}");
            // Both drew the same number of bytes.
            let (mut next_a, mut next_b) = ([0u8; 4], [0u8; 4]);
            a.fill(&mut next_a).unwrap();
            b.fill(&mut next_b).unwrap();
            assert_eq!(next_a, next_b);
            kernel
        }
        let mut rng = Entropy::new(TestRng::seed_from_u64(11));
        let p: Zeroizing<U1024> = random_prime(&mut rng, 5).unwrap();
        let mut primes = 0;
        for k in 0..24u64 {
            let n = p.wrapping_add(&U1024::from_u64(4 * k));
            primes += usize::from(agree(&n, k));
        }
        assert!(primes >= 1);
        let a: Zeroizing<crypto_bigint::U512> = random_prime(&mut rng, 5).unwrap();
        let b: Zeroizing<crypto_bigint::U512> = random_prime(&mut rng, 5).unwrap();
        assert!(agree(&*a, 1) && agree(&*b, 2));
        let n: U1024 = a.concatenating_mul(&*b);
        assert!(!agree(&n, 3));
    }

    #[test]
    fn a_failed_source_stops_the_search() {
        let mut rng = Entropy::new(openpgp_card_applet_testkit::FailingRng::stuck(0));
        assert_eq!(
            random_prime::<{ U2048::LIMBS }, _>(&mut rng, 4).map(drop),
            Err(Error::RandomFailure)
        );
    }
}
