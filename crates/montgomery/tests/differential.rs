//! The Montgomery arithmetic against crypto-bigint's boxed integers (an independent
//! implementation on 64-bit limbs) on the host: products, squares, conversions and
//! exponentiations for every size RSA uses, over random operands and the edge values (0, 1,
//! m - 1, all-ones limbs; moduli whose top limb is 0x8000_0000, 0xFFFF_FFFF, or small, so that
//! the top bit is clear). The same kernels run against each other on the emulated Cortex-M4
//! and M33 (README, "Tests").

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, ConcatenatingMul, NonZero, Odd};
use openpgp_card_applet_montgomery::{limbs_from_be_bytes, limbs_to_be_bytes, portable, Modulus};
use proptest::prelude::*;

fn big<const N: usize>(limbs: &[u32; N]) -> BoxedUint {
    let mut bytes = vec![0u8; 4 * N];
    limbs_to_be_bytes(limbs, &mut bytes).unwrap();
    BoxedUint::from_be_slice(&bytes, 32 * N as u32).unwrap()
}

fn limbs<const N: usize>(x: &BoxedUint) -> [u32; N] {
    let bytes = x.to_be_bytes();
    // Leading zero bytes beyond 4 N (a wider precision) are dropped.
    let start = bytes.len().saturating_sub(4 * N);
    assert!(
        bytes[..start].iter().all(|&b| b == 0),
        "value wider than N limbs"
    );
    limbs_from_be_bytes(&bytes[start..]).unwrap()
}

/// `x mod m` as limbs.
fn reduce<const N: usize>(x: &BoxedUint, m: &[u32; N]) -> [u32; N] {
    let m = NonZero::new(big(m)).unwrap();
    limbs(&x.rem(&m))
}

/// The modulus of a test: random limbs, made odd, with a chosen top limb.
fn modulus<const N: usize>(random: &[u32], top: TopLimb) -> [u32; N] {
    let mut m: [u32; N] = core::array::from_fn(|i| random[i]);
    m[0] |= 1;
    m[N - 1] = match top {
        TopLimb::Random => m[N - 1] | 1,
        TopLimb::TopBit => 0x8000_0000,
        TopLimb::AllOnes => 0xFFFF_FFFF,
        TopLimb::Small => 1,
        TopLimb::Zero => 0,
    };
    if let TopLimb::Zero = top {
        // Still above 1, and below 2^(32 (N - 1)): R mod m by the long way.
        m[N - 2] |= 1;
    }
    m
}

#[derive(Clone, Copy, Debug)]
enum TopLimb {
    Random,
    TopBit,
    AllOnes,
    Small,
    /// A top limb of zero: `Modulus::new` takes its other path.
    Zero,
}

fn top_limb() -> impl Strategy<Value = TopLimb> {
    prop_oneof![
        Just(TopLimb::Random),
        Just(TopLimb::TopBit),
        Just(TopLimb::AllOnes),
        Just(TopLimb::Small),
        Just(TopLimb::Zero),
    ]
}

/// An operand below m: 0, 1, m - 1, all-ones limbs reduced, or random limbs reduced.
fn operand<const N: usize>(kind: u8, random: &[u32], m: &[u32; N]) -> [u32; N] {
    let mut one = [0u32; N];
    one[0] = 1;
    match kind % 5 {
        0 => [0u32; N],
        1 => one,
        2 => {
            let mut x = *m;
            x[0] -= 1;
            x
        }
        3 => reduce(&big(&[u32::MAX; N]), m),
        _ => reduce(&big(&core::array::from_fn::<u32, N, _>(|i| random[i])), m),
    }
}

/// Checks the raw kernel, the product and the square of the Montgomery forms, and the
/// conversions, for one modulus and two operands.
fn check_products<const N: usize>(m: &[u32; N], a: &[u32; N], b: &[u32; N]) {
    let modulus = Modulus::new(m).unwrap();
    let mb = NonZero::new(big(m)).unwrap();
    let expected_ab = big(a).concatenating_mul(big(b)).rem(&mb);

    // The raw kernel: out < m and out R = a b (mod m).
    let out = portable::mont_mul(a, b, m, modulus.n0());
    assert!(big(&out) < big(m), "the product is not fully reduced");
    let out_r = BoxedUint::from_be_slice(&big(&out).to_be_bytes(), 64 * N as u32)
        .unwrap()
        .shl(32 * N as u32)
        .rem(&mb);
    assert_eq!(out_r, expected_ab, "kernel: out R != a b mod m");

    // Montgomery forms: the product, the square, back again.
    let (ma, mb_) = (modulus.to_montgomery(a), modulus.to_montgomery(b));
    assert_eq!(
        modulus.from_montgomery(&ma),
        *a,
        "to then from Montgomery form"
    );
    assert_eq!(
        modulus.from_montgomery(&modulus.mul(&ma, &mb_)),
        limbs::<N>(&expected_ab)
    );
    // The difference, in Montgomery form (a - b + m, reduced).
    let a_minus_b = big(a)
        .concatenating_add(big(m))
        .wrapping_sub(big(b))
        .rem(&mb);
    assert_eq!(
        modulus.from_montgomery(&modulus.sub(&ma, &mb_)),
        limbs::<N>(&a_minus_b)
    );
    let expected_aa = big(a).concatenating_mul(big(a)).rem(&mb);
    assert_eq!(
        modulus.from_montgomery(&modulus.square(&ma)),
        limbs::<N>(&expected_aa)
    );
    // A value of any size below R converts (an all-ones operand, not reduced first).
    let ones = [u32::MAX; N];
    assert_eq!(
        modulus.from_montgomery(&modulus.to_montgomery(&ones)),
        reduce(&big(&ones), m)
    );
}

/// Checks `base^exponent mod m` against crypto-bigint's Montgomery exponentiation.
fn check_pow<const N: usize>(m: &[u32; N], base: &[u32; N], exponent: &[u32]) {
    let modulus = Modulus::new(m).unwrap();
    let result = modulus.from_montgomery(&modulus.pow(&modulus.to_montgomery(base), exponent));
    let params = BoxedMontyParams::new(Odd::new(big(m)).unwrap());
    let mut e_bytes = vec![0u8; 4 * exponent.len()];
    for (chunk, limb) in e_bytes.chunks_exact_mut(4).rev().zip(exponent) {
        chunk.copy_from_slice(&limb.to_be_bytes());
    }
    let e = BoxedUint::from_be_slice(&e_bytes, 32 * exponent.len().max(1) as u32).unwrap();
    let expected = BoxedMontyForm::new(big(base), &params).pow(&e).retrieve();
    assert_eq!(result, limbs::<N>(&expected), "pow");
}

/// The 2 N-limb reduction into Montgomery form (the CRT's `c mod p`).
fn check_wide<const N: usize>(m: &[u32; N], lo: &[u32; N], hi: &[u32; N]) {
    let modulus = Modulus::new(m).unwrap();
    let value = modulus.from_montgomery(&modulus.to_montgomery_wide(lo, hi));
    let wide = BoxedUint::from_be_slice(
        &[big(hi).to_be_bytes(), big(lo).to_be_bytes()].concat(),
        64 * N as u32,
    )
    .unwrap();
    assert_eq!(value, reduce(&wide, m), "to_montgomery_wide");
}

macro_rules! size {
    ($name:ident, $n:expr, $cases:expr) => {
        mod $name {
            use super::*;
            const N: usize = $n;

            proptest! {
                #![proptest_config(ProptestConfig::with_cases($cases))]

                #[test]
                fn products(
                    random in prop::collection::vec(any::<u32>(), 3 * N),
                    top in top_limb(),
                    ka in any::<u8>(),
                    kb in any::<u8>(),
                ) {
                    let m: [u32; N] = modulus(&random, top);
                    let a = operand(ka, &random[N..], &m);
                    let b = operand(kb, &random[2 * N..], &m);
                    check_products(&m, &a, &b);
                }

                #[test]
                fn exponentiation(
                    random in prop::collection::vec(any::<u32>(), 2 * N),
                    exponent in prop::collection::vec(any::<u32>(), 0..=N),
                    top in top_limb(),
                    kb in any::<u8>(),
                ) {
                    let m: [u32; N] = modulus(&random, top);
                    let base = operand(kb, &random[N..], &m);
                    check_pow(&m, &base, &exponent);
                }

                #[test]
                fn wide_reduction(
                    random in prop::collection::vec(any::<u32>(), 3 * N),
                    top in top_limb(),
                ) {
                    let m: [u32; N] = modulus(&random, top);
                    let lo: [u32; N] = core::array::from_fn(|i| random[N + i]);
                    let hi: [u32; N] = core::array::from_fn(|i| random[2 * N + i]);
                    check_wide(&m, &lo, &hi);
                }
            }

            /// Every edge operand against every edge modulus, and the edge exponents.
            #[test]
            fn edges() {
                let random: Vec<u32> = (0..3 * N as u32)
                    .map(|i| i.wrapping_mul(0x9E37_79B9) ^ 0x5A5A_5A5A)
                    .collect();
                for top in [
                    TopLimb::Random,
                    TopLimb::TopBit,
                    TopLimb::AllOnes,
                    TopLimb::Small,
                    TopLimb::Zero,
                ] {
                    let m: [u32; N] = modulus(&random, top);
                    for ka in 0..5 {
                        for kb in 0..5 {
                            let a = operand(ka, &random[N..], &m);
                            let b = operand(kb, &random[2 * N..], &m);
                            check_products(&m, &a, &b);
                        }
                        let base = operand(ka, &random[N..], &m);
                        let mut m_minus_1 = m;
                        m_minus_1[0] -= 1;
                        for exponent in [&[][..], &[0], &[1], &[2]] {
                            check_pow(&m, &base, exponent);
                        }
                        // Full-length exponents for the base m - 1 and a random base.
                        if ka == 2 || ka == 4 {
                            for exponent in [&[u32::MAX; N][..], &m_minus_1[..]] {
                                check_pow(&m, &base, exponent);
                            }
                        }
                    }
                    check_wide(&m, &[u32::MAX; N], &[u32::MAX; N]);
                }
                // The largest odd modulus: all limbs 0xFFFF_FFFF.
                let m = [u32::MAX; N];
                let mut a = m;
                a[0] -= 1;
                check_products(&m, &a, &a);
                check_pow(&m, &a, &[u32::MAX; 2]);
            }
        }
    };
}

size!(limbs_4, 4, 256);
size!(bits_1024, 32, 32);
size!(bits_1536, 48, 16);
size!(bits_2048, 64, 12);
size!(bits_3072, 96, 6);
size!(bits_4096, 128, 4);
