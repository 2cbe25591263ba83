//! Instructions per Montgomery product and exponentiation on the emulated Cortex-M4
//! (crates/montgomery/README.md, "Figures"), by the footprint harness's counter (SysTick
//! under QEMU's `-icount shift=0`), for a 1024-bit modulus (the prime of the known RSA-2048
//! key, a CRT half):
//! - 100 chained products by `crates/montgomery`'s UMAAL kernel, by its portable kernel, and
//!   by crypto-bigint's boxed (`BoxedMontyForm`, on `almost_montgomery_mul`: what the `rsa`
//!   crate computes with) and fixed-size (`FixedMontyForm<U1024>`: what on-card prime
//!   generation computes with) Montgomery forms;
//! - `x^((p-1)/2) mod p` (a Miller-Rabin exponentiation) by `Modulus::pow` and by both of
//!   crypto-bigint's;
//! - building a `Modulus` (n0, R mod p, R^2 mod p).
//!
//! Every result is checked against the others. `cargo run --release --bin montgomery` from
//! benches/footprint.

#![no_std]
#![no_main]

extern crate alloc;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use panic_semihosting as _;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams, FixedMontyForm, FixedMontyParams};
use crypto_bigint::{BoxedUint, Odd, Resize, U1024};
use openpgp_card_applet_montgomery::{limbs_from_be_bytes, limbs_to_be_bytes, portable, Modulus};

#[allow(dead_code)] // the harness's session helpers
#[path = "../../../common/apdus.rs"]
mod apdus;
#[path = "../harness.rs"]
mod harness;
#[path = "../../../common/cortex_m_meter.rs"]
mod meter;

use harness::{fail, measure};
use openpgp_card_applet_testkit::keys;

/// Products per measured loop.
const PRODUCTS: u64 = 100;
const N: usize = 32;

#[entry]
fn main() -> ! {
    harness::init();
    hprintln!(
        "montgomery: 1024-bit Montgomery arithmetic ({}; {} kernel)",
        harness::CORE,
        openpgp_card_applet_montgomery::KERNEL
    );
    let Some(p) = limbs_from_be_bytes::<N>(keys::RSA2048_P) else {
        fail("p has 1024 bits");
    };
    let mut modulus = None;
    measure("Modulus::new 1024", &mut || modulus = Modulus::new(&p));
    let Some(modulus) = modulus else {
        fail("p is odd");
    };
    // Two operands below p: the other prime and the digest, their top limbs below p's.
    let Some(mut a) = limbs_from_be_bytes::<N>(keys::RSA2048_Q) else {
        fail("q has 1024 bits");
    };
    a[N - 1] %= p[N - 1];
    let Some(b) = limbs_from_be_bytes::<N>(keys::DIGEST_INFO) else {
        fail("the digest fits");
    };
    let (ma, mb) = (modulus.to_montgomery(&a), modulus.to_montgomery(&b));

    // a b^100 in Montgomery form, by each kernel.
    let n0 = modulus.n0();
    let mut fast = *ma.as_limbs();
    let umaal = per_product(measure("umaal mont_mul 1024 x100", &mut || {
        for _ in 0..PRODUCTS {
            fast = openpgp_card_applet_montgomery::mont_mul(&fast, mb.as_limbs(), &p, n0);
        }
    }));
    let mut reference = *ma.as_limbs();
    let portable = per_product(measure("portable mont_mul 1024 x100", &mut || {
        for _ in 0..PRODUCTS {
            reference = portable::mont_mul(&reference, mb.as_limbs(), &p, n0);
        }
    }));
    if fast != reference {
        fail("the kernels disagree");
    }
    let boxed_p = BoxedUint::from_be_slice_vartime(keys::RSA2048_P);
    let Some(boxed_modulus) = Odd::new(boxed_p.clone()).into_option() else {
        fail("p is odd");
    };
    let params = BoxedMontyParams::new(boxed_modulus);
    let boxed_b = BoxedMontyForm::new(boxed(&b), &params);
    let mut boxed_x = BoxedMontyForm::new(boxed(&a), &params);
    let boxed = per_product(measure("BoxedMontyForm mul 1024 x100", &mut || {
        for _ in 0..PRODUCTS {
            boxed_x = &boxed_x * &boxed_b;
        }
    }));

    let fixed_p = U1024::from_be_slice(keys::RSA2048_P);
    let Some(fixed_modulus) = Odd::new(fixed_p).into_option() else {
        fail("p is odd");
    };
    let fixed_params = FixedMontyParams::new(fixed_modulus);
    let fixed_b = FixedMontyForm::new(&fixed(&b), &fixed_params);
    let mut fixed_x = FixedMontyForm::new(&fixed(&a), &fixed_params);
    let fixed_per = per_product(measure("FixedMontyForm mul 1024 x100", &mut || {
        for _ in 0..PRODUCTS {
            fixed_x = fixed_x * fixed_b;
        }
    }));

    // The three agree on a b^100 mod p.
    let mut unit = [0u32; N];
    unit[0] = 1;
    let ours = be_bytes(&portable::mont_mul(&fast, &unit, &p, n0));
    if boxed_x.retrieve().to_be_bytes().as_ref() != ours.as_slice()
        || fixed_x.retrieve().to_be_bytes().as_slice() != ours.as_slice()
    {
        fail("crypto-bigint and the kernels disagree on a b^100 mod p");
    }

    // x^((p-1)/2) mod p, x = 2.
    let mut exponent = p;
    exponent[0] -= 1;
    let exponent = shr1(&exponent);
    let two = {
        let mut two = [0u32; N];
        two[0] = 2;
        modulus.to_montgomery(&two)
    };
    let mut result = None;
    let ours_pow = measure("Modulus::pow 1024", &mut || {
        result = Some(modulus.from_montgomery(&modulus.pow(&two, &exponent)))
    });
    let boxed_exponent = boxed_p.shr_vartime(1).unwrap_or_else(|| fail("shift"));
    let boxed_two = BoxedMontyForm::new(BoxedUint::from(2u64).resize(1024), &params);
    let mut boxed_result = None;
    let boxed_pow = measure("BoxedMontyForm::pow 1024", &mut || {
        boxed_result = Some(boxed_two.pow(&boxed_exponent).retrieve())
    });
    let fixed_two = FixedMontyForm::new(&U1024::from(2u64), &fixed_params);
    let fixed_exponent = fixed_p.shr_vartime(1);
    let mut fixed_result = None;
    let fixed_pow = measure("FixedMontyForm::pow 1024", &mut || {
        fixed_result = Some(fixed_two.pow(&fixed_exponent).retrieve())
    });
    let (Some(result), Some(boxed_result), Some(fixed_result)) =
        (result, boxed_result, fixed_result)
    else {
        fail("no result");
    };
    let result = be_bytes(&result);
    if boxed_result.to_be_bytes().as_ref() != result.as_slice()
        || fixed_result.to_be_bytes().as_slice() != result.as_slice()
    {
        fail("the exponentiations disagree");
    }

    hprintln!(
        "per 1024-bit product: umaal {} portable {} BoxedMontyForm {} FixedMontyForm {}",
        umaal,
        portable,
        boxed,
        fixed_per
    );
    hprintln!(
        "per 1024-bit exponentiation: Modulus::pow {} BoxedMontyForm {} FixedMontyForm {}",
        ours_pow.insns,
        boxed_pow.insns,
        fixed_pow.insns
    );
    hprintln!("montgomery OK");
    harness::exit_success()
}

/// Instructions per product of a measured loop.
fn per_product(measured: harness::Measured) -> u64 {
    measured.insns / PRODUCTS
}

fn be_bytes(limbs: &[u32; N]) -> [u8; 4 * N] {
    let mut bytes = [0u8; 4 * N];
    if limbs_to_be_bytes(limbs, &mut bytes).is_none() {
        fail("4 N bytes");
    }
    bytes
}

fn boxed(limbs: &[u32; N]) -> BoxedUint {
    BoxedUint::from_be_slice_vartime(&be_bytes(limbs))
}

fn fixed(limbs: &[u32; N]) -> U1024 {
    U1024::from_be_slice(&be_bytes(limbs))
}

/// `x >> 1`.
fn shr1(x: &[u32; N]) -> [u32; N] {
    core::array::from_fn(|i| (x[i] >> 1) | x.get(i + 1).map_or(0, |next| next << 31))
}
