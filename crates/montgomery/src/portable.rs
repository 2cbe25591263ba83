//! The portable kernel: Montgomery multiplication by coarsely integrated operand scanning
//! (CIOS) on 32-bit limbs with 64-bit products, in safe Rust. The reference the UMAAL kernel is
//! tested against on the emulated cores, and the kernel of every target without UMAAL and of
//! the host.
//!
//! Each step of the inner loop is `t[j] + a[j] * b[i] + carry`, which fits in 64 bits
//! ((2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1): exactly what one UMAAL computes.

/// `a * b * 2^(-32 N) mod m`, fully reduced (`< m`), for `b < m` and any `a < 2^(32 N)` (or the
/// other way round); `n0 = -m^(-1) mod 2^32`. Constant time: no branch or memory index depends
/// on the values.
pub fn mont_mul<const N: usize>(a: &[u32; N], b: &[u32; N], m: &[u32; N], n0: u32) -> [u32; N] {
    let mut t = [0u32; N];
    let mut top = 0u32;
    for &bi in b.iter() {
        let (t0, mut c1) = mac(t[0], a[0], bi, 0);
        let q = t0.wrapping_mul(n0);
        // t0 + q m[0] is 0 mod 2^32 by the choice of q: only its carry is kept.
        let (_, mut c2) = mac(t0, m[0], q, 0);
        for j in 1..N {
            let (x, carry) = mac(t[j], a[j], bi, c1);
            c1 = carry;
            let (y, carry) = mac(x, m[j], q, c2);
            c2 = carry;
            t[j - 1] = y;
        }
        let sum = u64::from(top) + u64::from(c1) + u64::from(c2);
        t[N - 1] = sum as u32;
        top = (sum >> 32) as u32;
    }
    crate::reduce_once(&t, top, m)
}

/// `x + y * z + c` as (low word, high word): UMAAL's operation.
#[inline(always)]
fn mac(x: u32, y: u32, z: u32, c: u32) -> (u32, u32) {
    let wide = u64::from(x) + u64::from(y) * u64::from(z) + u64::from(c);
    (wide as u32, (wide >> 32) as u32)
}
