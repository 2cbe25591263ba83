//! Constant-time multi-precision Montgomery arithmetic for RSA on small cores.
//!
//! Integers are arrays of `N` 32-bit limbs, least significant first: `N = 32, 48, 64` for the
//! primes of RSA-2048, 3072 and 4096 (the halves of the CRT), twice that for their moduli.
//! [`Modulus`] holds an odd modulus `m` with `n0 = -m^(-1) mod 2^32` and `R^2 mod m`
//! (`R = 2^(32 N)`); [`Residue`] is a value in Montgomery form (`x R mod m`, always `< m`);
//! [`Modulus::pow`] is a fixed-window exponentiation that reads every table entry for every
//! window.
//!
//! Two kernels compute the Montgomery product, with the same algorithm and contract:
//! - [`portable`]: safe Rust with 64-bit products, the reference, used on the host and on
//!   every target without UMAAL;
//! - `umaal` (thumbv7em, and thumbv8m.main with the `v8m-dsp` feature): Thumb-2 assembly on
//!   the UMAAL instruction, about three times fewer instructions than the portable code on a
//!   Cortex-M4 (README).
//!
//! [`mont_mul`] is the one the target uses; both are public so that the emulated cores can
//! test one against the other.
//!
//! # Constant time
//! No branch, loop bound or memory index depends on a value: only on `N` and on the length of
//! an exponent. The final subtraction of a product is a masked select, the window of the
//! exponentiation is taken from its table by a masked read of all 16 entries, and the first
//! window's squarings are skipped by its position, never by its value. A residue, the window
//! table and the exponentiation's scratch are zeroed when dropped.
//!
//! # Safety
//! `unsafe` is in the `umaal` module alone (the assembly and its call); its invariants are
//! written there. The rest of the crate denies it.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod portable;
#[cfg(montgomery_umaal)]
pub mod umaal;

use zeroize::Zeroize;

/// The kernel this target uses: `"umaal"` or `"portable"`.
pub const KERNEL: &str = if cfg!(montgomery_umaal) {
    "umaal"
} else {
    "portable"
};

/// `a * b * R^(-1) mod m`, fully reduced, with this target's kernel: `b < m`, `a < R` (or the
/// other way round), `n0 = -m^(-1) mod 2^32`, `N` even and at least 4 (a multiple of 4 with the
/// UMAAL kernel).
#[inline]
pub fn mont_mul<const N: usize>(a: &[u32; N], b: &[u32; N], m: &[u32; N], n0: u32) -> [u32; N] {
    #[cfg(montgomery_umaal)]
    {
        umaal::mont_mul(a, b, m, n0)
    }
    #[cfg(not(montgomery_umaal))]
    {
        portable::mont_mul(a, b, m, n0)
    }
}

/// `-m0^(-1) mod 2^32` for an odd `m0`, by Newton's iteration (each step doubles the correct
/// low bits; an odd `m0` is its own inverse mod 8).
pub fn neg_inverse(m0: u32) -> u32 {
    let mut inverse = m0;
    for _ in 0..4 {
        inverse = inverse.wrapping_mul(2u32.wrapping_sub(m0.wrapping_mul(inverse)));
    }
    inverse.wrapping_neg()
}

/// `top 2^(32 N) + t - m` if that is not negative, else `t`: the final subtraction of a
/// Montgomery product (`top 2^(32 N) + t < 2 m`). Masked, without a branch.
pub(crate) fn reduce_once<const N: usize>(t: &[u32; N], top: u32, m: &[u32; N]) -> [u32; N] {
    let (difference, borrow) = sub(t, m);
    // Keep the difference unless it borrowed from a top word of 0.
    let keep_t = mask(borrow & !top & 1);
    select(t, &difference, keep_t)
}

/// `x - y mod 2^(32 N)` and the borrow (0 or 1).
fn sub<const N: usize>(x: &[u32; N], y: &[u32; N]) -> ([u32; N], u32) {
    let mut out = [0u32; N];
    let mut borrow = 0u32;
    for i in 0..N {
        let (d, b1) = x[i].overflowing_sub(y[i]);
        let (d, b2) = d.overflowing_sub(borrow);
        out[i] = d;
        borrow = u32::from(b1) | u32::from(b2);
    }
    (out, borrow)
}

/// `x + y mod 2^(32 N)` and the carry (0 or 1).
fn add<const N: usize>(x: &[u32; N], y: &[u32; N]) -> ([u32; N], u32) {
    let mut out = [0u32; N];
    let mut carry = 0u32;
    for i in 0..N {
        let (s, c1) = x[i].overflowing_add(y[i]);
        let (s, c2) = s.overflowing_add(carry);
        out[i] = s;
        carry = u32::from(c1) | u32::from(c2);
    }
    (out, carry)
}

/// `x + y mod m` for `x, y < m`, masked.
fn add_mod<const N: usize>(x: &[u32; N], y: &[u32; N], m: &[u32; N]) -> [u32; N] {
    let (sum, carry) = add(x, y);
    reduce_once(&sum, carry, m)
}

/// `x - y mod m` for `x, y < m`, masked: `m` is added back where the difference borrowed.
fn sub_mod<const N: usize>(x: &[u32; N], y: &[u32; N], m: &[u32; N]) -> [u32; N] {
    let (difference, borrow) = sub(x, y);
    let (wrapped, _) = add(&difference, m);
    select(&wrapped, &difference, mask(borrow))
}

/// All ones for a bit of 1, zero for 0; opaque to the optimiser, so that a select on it stays
/// a masked one and never becomes a branch.
fn mask(bit: u32) -> u32 {
    core::hint::black_box(0u32.wrapping_sub(bit & 1))
}

/// All ones if `x == y`, else zero, without a branch.
fn eq_mask(x: u32, y: u32) -> u32 {
    let d = x ^ y;
    // The top bit of d | -d is set exactly when d != 0.
    mask(((d | d.wrapping_neg()) >> 31) ^ 1)
}

/// `if_ones` where `mask` is all ones, `if_zero` where it is zero.
fn select<const N: usize>(if_ones: &[u32; N], if_zero: &[u32; N], mask: u32) -> [u32; N] {
    let mut out = [0u32; N];
    for i in 0..N {
        out[i] = (if_ones[i] & mask) | (if_zero[i] & !mask);
    }
    out
}

/// An odd modulus of `N` limbs with what Montgomery arithmetic modulo it needs.
///
/// Its value may be secret (an RSA prime): building it and every operation with it is constant
/// time. `N` must be even and at least 4, a multiple of 4 with the UMAAL kernel (checked when
/// compiled).
#[derive(Clone)]
pub struct Modulus<const N: usize> {
    m: [u32; N],
    n0: u32,
    /// `R mod m`: 1 in Montgomery form.
    one: [u32; N],
    /// `R^2 mod m`: converts into Montgomery form.
    r2: [u32; N],
}

/// A value modulo a [`Modulus`] in Montgomery form (`x R mod m`), always below the modulus it
/// was made with. Zeroed when dropped.
///
/// A residue of another modulus gives a wrong value (never undefined behaviour).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Residue<const N: usize>([u32; N]);

impl<const N: usize> Residue<N> {
    /// Its limbs (the Montgomery form, least significant first).
    pub fn as_limbs(&self) -> &[u32; N] {
        &self.0
    }
}

impl<const N: usize> Drop for Residue<N> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<const N: usize> Drop for Modulus<N> {
    fn drop(&mut self) {
        self.m.zeroize();
        self.n0.zeroize();
        self.one.zeroize();
        self.r2.zeroize();
    }
}

impl<const N: usize> Modulus<N> {
    /// The modulus `m` (limbs least significant first); `None` if it is even or 1.
    ///
    /// Constant time in `m` but for whether its top limb is zero (never, for an RSA prime or
    /// modulus of `N` limbs): with a top limb, `2^(32 (N - 1)) < m`, and `R mod m` is 32
    /// modular doublings of it; without, 32 N doublings of 1. Then N more doublings give
    /// `2^N R mod m` and five Montgomery squarings `R^2 mod m`: about the cost of 12 products
    /// for 1024 bits.
    pub fn new(m: &[u32; N]) -> Option<Self> {
        const {
            assert!(
                N >= 4 && N.is_multiple_of(2),
                "a modulus has an even number of limbs, >= 4"
            )
        };
        let is_one = m[1..].iter().fold(m[0] ^ 1, |acc, &limb| acc | limb) == 0;
        if m[0] & 1 == 0 || is_one {
            return None;
        }
        let n0 = neg_inverse(m[0]);
        let mut x = [0u32; N];
        // Whether the top limb is zero, the one branch on the value (see above).
        let doublings = match (x.last_mut(), m.last()) {
            (Some(top), Some(&m_top)) if m_top != 0 => {
                *top = 1;
                32
            }
            _ => {
                x[0] = 1;
                32 * N
            }
        };
        for _ in 0..doublings {
            x = double_mod(&x, m);
        }
        let one = x;
        // 2^N R mod m is 2^N in Montgomery form; squared five times, it is 2^(32 N) = R in
        // Montgomery form, R^2 mod m.
        for _ in 0..N {
            x = double_mod(&x, m);
        }
        for _ in 0..5 {
            x = mont_mul(&x, &x, m, n0);
        }
        Some(Modulus {
            m: *m,
            n0,
            one,
            r2: x,
        })
    }

    /// The modulus.
    pub fn limbs(&self) -> &[u32; N] {
        &self.m
    }

    /// `-m^(-1) mod 2^32`.
    pub fn n0(&self) -> u32 {
        self.n0
    }

    /// 1 in Montgomery form.
    pub fn one(&self) -> Residue<N> {
        Residue(self.one)
    }

    /// `x R mod m` for any `x < R` (it need not be below `m`).
    pub fn to_montgomery(&self, x: &[u32; N]) -> Residue<N> {
        Residue(mont_mul(x, &self.r2, &self.m, self.n0))
    }

    /// `(hi R + lo) R mod m`: a value of 2 N limbs (a ciphertext modulo a CRT prime) reduced
    /// and put in Montgomery form at once, with two products and a masked addition.
    pub fn to_montgomery_wide(&self, lo: &[u32; N], hi: &[u32; N]) -> Residue<N> {
        // hi R^2 = mont_mul(hi, R^3 mod m), and R^3 mod m = mont_mul(R^2, R^2).
        let mut r3 = mont_mul(&self.r2, &self.r2, &self.m, self.n0);
        let high = mont_mul(hi, &r3, &self.m, self.n0);
        r3.zeroize();
        let low = mont_mul(lo, &self.r2, &self.m, self.n0);
        Residue(add_mod(&high, &low, &self.m))
    }

    /// The value of a residue, `< m`.
    pub fn from_montgomery(&self, x: &Residue<N>) -> [u32; N] {
        let mut unit = [0u32; N];
        unit[0] = 1;
        mont_mul(&x.0, &unit, &self.m, self.n0)
    }

    /// `a b` (in Montgomery form).
    pub fn mul(&self, a: &Residue<N>, b: &Residue<N>) -> Residue<N> {
        Residue(mont_mul(&a.0, &b.0, &self.m, self.n0))
    }

    /// `a - b` (in Montgomery form, or plain: subtraction commutes with the conversion).
    pub fn sub(&self, a: &Residue<N>, b: &Residue<N>) -> Residue<N> {
        Residue(sub_mod(&a.0, &b.0, &self.m))
    }

    /// `a^2` (in Montgomery form). The multiplication kernel with both operands the same (a
    /// dedicated squaring, which saves about a quarter of the products, is still to come).
    pub fn square(&self, a: &Residue<N>) -> Residue<N> {
        Residue(mont_mul(&a.0, &a.0, &self.m, self.n0))
    }

    /// `base^exponent` (in Montgomery form), `exponent` in 32-bit limbs least significant
    /// first, of any length (its length, not its value, sets the running time).
    ///
    /// Fixed 4-bit windows from the top: four squarings and one product a window, the factor
    /// read from the table of `base^0 .. base^15` by a masked read of every entry. 16 N limbs
    /// of stack for the table (2 KiB for 1024 bits).
    pub fn pow(&self, base: &Residue<N>, exponent: &[u32]) -> Residue<N> {
        let mut table = [[0u32; N]; 16];
        table[0] = self.one;
        table[1] = base.0;
        for k in 2..16 {
            table[k] = mont_mul(&table[k - 1], &base.0, &self.m, self.n0);
        }
        // Plain arrays inside (no residue to wipe at every step), wiped at the end.
        let mut acc = self.one;
        let mut factor = [0u32; N];
        let mut first = true;
        for &limb in exponent.iter().rev() {
            for shift in (0..8).rev() {
                let window = (limb >> (4 * shift)) & 0xF;
                // Every entry read: word by word, each entry under its mask (all ones for
                // the window's entry, zero for the others).
                let masks: [u32; 16] = core::array::from_fn(|k| eq_mask(k as u32, window));
                for (i, f) in factor.iter_mut().enumerate() {
                    let mut word = 0u32;
                    for (entry, m) in table.iter().zip(&masks) {
                        word |= entry[i] & m;
                    }
                    *f = word;
                }
                if first {
                    // The first window's position, never its value, skips squarings of 1.
                    acc = factor;
                    first = false;
                } else {
                    for _ in 0..4 {
                        acc = mont_mul(&acc, &acc, &self.m, self.n0);
                    }
                    acc = mont_mul(&acc, &factor, &self.m, self.n0);
                }
            }
        }
        let power = Residue(acc);
        table.zeroize();
        factor.zeroize();
        acc.zeroize();
        power
    }
}

/// `2 x mod m` for `x < m`, masked.
fn double_mod<const N: usize>(x: &[u32; N], m: &[u32; N]) -> [u32; N] {
    let mut doubled = [0u32; N];
    let mut carry = 0u32;
    for i in 0..N {
        doubled[i] = (x[i] << 1) | carry;
        carry = x[i] >> 31;
    }
    reduce_once(&doubled, carry, m)
}

/// Limbs (least significant first) from a big-endian byte string of at most 4 N bytes;
/// `None` if it is longer.
pub fn limbs_from_be_bytes<const N: usize>(bytes: &[u8]) -> Option<[u32; N]> {
    if bytes.len() > 4 * N {
        return None;
    }
    let mut limbs = [0u32; N];
    for (i, &byte) in bytes.iter().rev().enumerate() {
        limbs[i / 4] |= u32::from(byte) << (8 * (i % 4));
    }
    Some(limbs)
}

/// The big-endian bytes of limbs (least significant first), 4 N bytes, into `out`, which must
/// be 4 N bytes long (else `None`).
pub fn limbs_to_be_bytes<const N: usize>(limbs: &[u32; N], out: &mut [u8]) -> Option<()> {
    if out.len() != 4 * N {
        return None;
    }
    for (chunk, limb) in out.chunks_exact_mut(4).rev().zip(limbs) {
        chunk.copy_from_slice(&limb.to_be_bytes());
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neg_inverse_is_the_negated_inverse() {
        for m0 in [1u32, 3, 0xFFFF_FFFF, 0x8000_0001, 0x1234_5679] {
            assert_eq!(m0.wrapping_mul(neg_inverse(m0)), u32::MAX);
        }
    }

    #[test]
    fn bytes_round_trip() {
        let bytes: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        let limbs: [u32; 4] = limbs_from_be_bytes(&bytes).unwrap();
        assert_eq!(limbs[3], 0x0102_0304);
        assert_eq!(limbs[0], 0x0D0E_0F10);
        let mut out = [0u8; 16];
        limbs_to_be_bytes(&limbs, &mut out).unwrap();
        assert_eq!(out, bytes);
        assert_eq!(limbs_from_be_bytes::<4>(&[1; 17]), None);
    }

    #[test]
    fn even_moduli_and_one_are_refused() {
        assert!(Modulus::new(&[2u32, 0, 0, 1]).is_none());
        assert!(Modulus::new(&[1u32, 0, 0, 0]).is_none());
        assert!(Modulus::new(&[3u32, 0, 0, 0]).is_some());
    }
}
