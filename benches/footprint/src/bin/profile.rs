//! The operations `benches/footprint/profile.sh` profiles on the emulated Cortex-M4: each
//! measured call (`harness::Session::measure`) is one segment of the profile, in the order
//! printed here. Short on purpose: QEMU logs every translation block it executes.
//!
//! - the applet: RSA-2048 PSO:CDS, P-256 ECDSA and ECDH, Ed25519 and X25519 (imported keys);
//! - the arithmetic RSA key generation spends its time in: one Miller-Rabin test of a 1024-bit
//!   candidate (a modular exponentiation as `crypto-primes` runs it, on `rsa`'s boxed
//!   integers), the same exponentiation on crypto-bigint's fixed-size integers, and the full
//!   primality test of a 1024-bit prime (Miller-Rabin base 2 and a strong Lucas test).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use panic_semihosting as _;

#[path = "../../../common/apdus.rs"]
mod apdus;
#[path = "../harness.rs"]
mod harness;
#[path = "../../../common/cortex_m_meter.rs"]
mod meter;

use openpgp_card_applet_testkit::keys;

use harness::{
    fail, Session, DEC, OID_CV25519, OID_ED25519, OID_P256, SELECT, SIG, VERIFY_82, VERIFY_83,
};
use openpgp_card_applet_testkit::ecdh_cipher_do;

#[entry]
fn main() -> ! {
    harness::init();
    hprintln!("openpgp-card-applet profile session (Cortex-M4, QEMU mps2-an386)");
    let mut s = Session::new(harness::card(1));
    s.send(None, SELECT, None);
    s.send(None, VERIFY_82, None);
    s.send(None, VERIFY_83, None);

    let e: &[u8] = &[0x01, 0x00, 0x01];
    let rsa2048 = [0x01, 0x08, 0x00, 0x00, 0x20, 0x00];
    let components = [(0x91, e), (0x92, keys::RSA2048_P), (0x93, keys::RSA2048_Q)];
    s.put_data(apdus::attributes_tag(SIG), &rsa2048);
    s.send(None, &apdus::import(SIG, &components), None);
    s.sign(
        "RSA-2048 PSO:CDS",
        keys::DIGEST_INFO,
        keys::RSA2048_SIGNATURE,
    );

    let ecdsa = [&[0x13], OID_P256].concat();
    let ecdh = [&[0x12], OID_P256].concat();
    s.put_data(apdus::attributes_tag(SIG), &ecdsa);
    s.send(
        None,
        &apdus::import(SIG, &[(0x92, keys::P256_SCALAR)]),
        None,
    );
    s.sign_verified("P-256 ECDSA PSO:CDS", keys::HASH32, &|signature| {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(keys::P256_PUBLIC);
        let signature = p256::ecdsa::Signature::from_slice(signature);
        matches!((key, signature), (Ok(key), Ok(signature))
            if key.verify_prehash(keys::HASH32, &signature).is_ok())
    });
    s.put_data(apdus::attributes_tag(DEC), &ecdh);
    s.send(
        None,
        &apdus::import(DEC, &[(0x92, keys::P256_SCALAR)]),
        None,
    );
    s.decipher(
        "P-256 ECDH PSO:DECIPHER",
        &ecdh_cipher_do(keys::P256_HOST_PUBLIC),
        keys::P256_SHARED,
    );

    let ed25519 = [&[0x16], OID_ED25519].concat();
    s.put_data(apdus::attributes_tag(SIG), &ed25519);
    s.send(
        None,
        &apdus::import(SIG, &[(0x92, keys::ED25519_SEED)]),
        None,
    );
    s.sign("Ed25519 PSO:CDS", keys::HASH32, keys::ED25519_SIGNATURE);

    let x25519 = [&[0x12], OID_CV25519].concat();
    let gnupg_order: Vec<u8> = keys::X25519_SCALAR.iter().rev().copied().collect();
    s.put_data(apdus::attributes_tag(DEC), &x25519);
    s.send(None, &apdus::import(DEC, &[(0x92, &gnupg_order)]), None);
    s.decipher(
        "X25519 PSO:DECIPHER",
        &ecdh_cipher_do(keys::X25519_HOST_PUBLIC),
        keys::X25519_SHARED,
    );

    raw_prime_arithmetic(&mut s);
    hprintln!("profile OK");
    harness::exit_success()
}

/// 2^((p-1)/2) mod p for the 1024-bit prime of the known RSA-2048 key (Miller-Rabin's base-2
/// exponentiation, with an exponent as long as a candidate's), on both integer types, and
/// crypto-primes' whole test of that prime.
fn raw_prime_arithmetic(s: &mut Session) {
    use crypto_bigint::modular::{
        BoxedMontyForm, BoxedMontyParams, FixedMontyForm, FixedMontyParams,
    };
    use crypto_bigint::{BoxedUint, Odd, Resize, U1024};

    let boxed = BoxedUint::from_be_slice_vartime(keys::RSA2048_P);
    let Some(modulus) = Odd::new(boxed.clone()).into_option() else {
        fail("p is odd");
    };
    let exponent = boxed.shr_vartime(1).unwrap_or_else(|| fail("shift"));
    let params = BoxedMontyParams::new(modulus);
    let base = BoxedMontyForm::new(BoxedUint::from(2u64).resize(1024), &params);
    let mut boxed_result = None;
    s.measure("raw BoxedMontyForm::pow 1024", &mut || {
        boxed_result = Some(base.pow(&exponent).retrieve());
    });

    let fixed = U1024::from_be_slice(keys::RSA2048_P);
    let Some(modulus) = Odd::new(fixed).into_option() else {
        fail("p is odd");
    };
    let exponent = fixed.shr_vartime(1);
    let params = FixedMontyParams::new(modulus);
    let base = FixedMontyForm::new(&U1024::from(2u64), &params);
    let mut fixed_result = None;
    s.measure("raw FixedMontyForm::pow 1024", &mut || {
        fixed_result = Some(base.pow(&exponent).retrieve());
    });
    // Euler's criterion: 2 is a quadratic residue mod p or not, so the result is 1 or p - 1.
    let (Some(b), Some(f)) = (boxed_result, fixed_result) else {
        fail("no result");
    };
    if b.to_be_bytes().as_ref() != f.to_be_bytes().as_slice() {
        fail("the two exponentiations disagree");
    }
    if f != U1024::ONE && f != fixed.wrapping_sub(&U1024::ONE) {
        fail("2^((p-1)/2) mod p is neither 1 nor -1");
    }

    let mut prime = false;
    s.measure("raw is_prime 1024 (BoxedUint)", &mut || {
        prime = crypto_primes::is_prime(crypto_primes::Flavor::Any, &boxed);
    });
    if !prime {
        fail("p is prime");
    }
}
