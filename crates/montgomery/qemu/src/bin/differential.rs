//! The UMAAL kernel against the portable reference on an emulated core (Cortex-M4 on QEMU's
//! mps2-an386, Cortex-M33 on mps2-an505), for every size of
//! `crates/montgomery`'s tests:
//! - fixed vectors: every edge operand (0, 1, m - 1, all-ones limbs) against every edge
//!   modulus (top limb 0x8000_0000, 0xFFFF_FFFF, 1, random; all limbs 0xFFFF_FFFF);
//! - `MONTGOMERY_PRODUCTS` pseudo-random products per size (default 1,000; the issue's
//!   100,000 with `MONTGOMERY_PRODUCTS=100000 ./run.sh`), each checked as a product, the
//!   operands swapped, and a square; half of them chained on the previous result;
//! - Fermat's little theorem, `x^(p-1) = 1 mod p`, on the known primes of the test keys
//!   (crates/test-vectors), through `Modulus::pow` on the target's kernel.
//!
//! Exits through semihosting: 0 when everything agreed, 1 at the first difference.

#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;

use openpgp_card_applet_montgomery::{limbs_from_be_bytes, portable, umaal, Modulus, KERNEL};
use openpgp_card_applet_test_vectors as keys;

#[path = "../../../../../benches/common/env_number.rs"]
mod env_number;

/// Pseudo-random products per size.
const PRODUCTS: u32 = match option_env!("MONTGOMERY_PRODUCTS") {
    Some(count) => env_number::parse(count) as u32,
    None => 1_000,
};

/// xorshift64*: reproducible operands, the same on every run and core.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    fn limbs<const N: usize>(&mut self) -> [u32; N] {
        core::array::from_fn(|_| self.next())
    }

    /// A random value below `m` (its top limb below m's).
    fn below<const N: usize>(&mut self, m: &[u32; N]) -> [u32; N] {
        let mut x = self.limbs::<N>();
        x[N - 1] = self.next() % m[N - 1];
        x
    }

    /// A random odd modulus whose top limb is `top` (random if `None`, never 0).
    fn modulus<const N: usize>(&mut self, top: Option<u32>) -> [u32; N] {
        let mut m = self.limbs::<N>();
        m[0] |= 1;
        m[N - 1] = top.unwrap_or(m[N - 1] | 1);
        m
    }
}

fn fail(message: &str) -> ! {
    hprintln!("FAILED: {}", message);
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}

/// `a b R^(-1) mod m` by both kernels, with `b < m` (and `a < m` when `a_below_m`: then also
/// swapped, and squared); fails at a difference. Returns the product.
fn check<const N: usize>(
    a: &[u32; N],
    b: &[u32; N],
    m: &[u32; N],
    n0: u32,
    a_below_m: bool,
) -> [u32; N] {
    let product = umaal::mont_mul(a, b, m, n0);
    if product != portable::mont_mul(a, b, m, n0) {
        hprintln!("N = {}: a = {:08x?}\nb = {:08x?}\nm = {:08x?}", N, a, b, m);
        fail("the kernels disagree on a product");
    }
    if a_below_m {
        if umaal::mont_mul(b, a, m, n0) != product {
            fail("the kernels disagree on a swapped product");
        }
        if umaal::mont_mul(a, a, m, n0) != portable::mont_mul(a, a, m, n0) {
            fail("the kernels disagree on a square");
        }
    }
    product
}

/// The fixed, random and Fermat checks of one size; `primes` are known primes of N limbs.
fn size<const N: usize>(rng: &mut Rng, primes: &[&[u8]]) {
    let mut fixed = 0u32;
    let mut moduli = [[0u32; N]; 5];
    for (m, top) in moduli
        .iter_mut()
        .zip([Some(0x8000_0000), Some(0xFFFF_FFFF), Some(1), None])
    {
        *m = rng.modulus(top);
    }
    moduli[4] = [u32::MAX; N];
    for m in &moduli {
        let n0 = openpgp_card_applet_montgomery::neg_inverse(m[0]);
        let mut m_minus_1 = *m;
        m_minus_1[0] -= 1;
        let mut one = [0u32; N];
        one[0] = 1;
        let below = [[0u32; N], one, m_minus_1, rng.below(m)];
        for b in &below {
            for a in &below {
                check(a, b, m, n0, true);
                fixed += 1;
            }
            // An operand of all-ones limbs is above m: the other one must be below it.
            check(&[u32::MAX; N], b, m, n0, false);
            fixed += 1;
        }
    }

    let mut m = rng.modulus::<N>(None);
    let mut n0 = openpgp_card_applet_montgomery::neg_inverse(m[0]);
    let mut previous = rng.below(&m);
    for i in 0..PRODUCTS {
        if i % 64 == 0 {
            let top = match (i / 64) % 4 {
                0 => Some(0x8000_0000 | rng.next()),
                1 => Some(rng.next() >> (rng.next() % 32)),
                _ => None,
            };
            m = rng.modulus(top.filter(|&t| t != 0));
            n0 = openpgp_card_applet_montgomery::neg_inverse(m[0]);
            previous = rng.below(&m);
        }
        let b = rng.below(&m);
        previous = if i % 2 == 0 {
            check(&rng.limbs(), &b, &m, n0, false);
            check(&previous, &b, &m, n0, true)
        } else {
            check(&rng.below(&m), &b, &m, n0, true)
        };
    }

    for prime in primes {
        let Some(p) = limbs_from_be_bytes::<N>(prime) else {
            fail("a prime of the wrong size");
        };
        let Some(modulus) = Modulus::new(&p) else {
            fail("a prime is even");
        };
        let mut p_minus_1 = p;
        p_minus_1[0] -= 1;
        let mut one = [0u32; N];
        one[0] = 1;
        for _ in 0..2 {
            let x = modulus.to_montgomery(&rng.below(&p));
            if modulus.from_montgomery(&modulus.pow(&x, &p_minus_1)) != one {
                fail("x^(p-1) mod p is not 1");
            }
        }
    }
    hprintln!(
        "{} bits: {} fixed and {} random products agree; Fermat on {} primes",
        32 * N,
        fixed,
        PRODUCTS,
        primes.len()
    );
}

#[entry]
fn main() -> ! {
    hprintln!(
        "montgomery: the {} kernel against the portable one ({} products a size)",
        KERNEL,
        PRODUCTS
    );
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    // The smallest sizes: the inner loop of the UMAAL kernel runs no time (N = 4), once (8).
    size::<4>(&mut rng, &[]);
    size::<8>(&mut rng, &[]);
    size::<32>(&mut rng, &[keys::RSA2048_P, keys::RSA2048_Q]);
    size::<48>(&mut rng, &[keys::RSA3072_P, keys::RSA3072_Q]);
    size::<64>(&mut rng, &[keys::RSA4096_P, keys::RSA4096_Q]);
    size::<96>(&mut rng, &[]);
    size::<128>(&mut rng, &[]);
    hprintln!("differential OK");
    debug::exit(debug::EXIT_SUCCESS);
    #[allow(clippy::empty_loop)]
    loop {}
}
