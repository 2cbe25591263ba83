//! On-card key generation on a Cortex-M4 (QEMU mps2-an386): GENERATE ASYMMETRIC KEY PAIR
//! (spec §7.2.14) of every default algorithm, each measured as `session` measures a command
//! (`harness.rs`), each generated key then used once and its answer checked under the public
//! key the card returned.
//!
//! RSA key generation costs what the search for two primes costs, which depends on the random
//! start points: each RSA size is generated on `SEEDS` fresh cards, one random generator seed
//! each (`FOOTPRINT_SEEDS` at build time, default 5), and the median, minimum and maximum are
//! printed. A curve's generation costs the same whatever the seed: one card each.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::vec::Vec;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use panic_semihosting as _;

use openpgp_card_applet::tlv::Reader;

#[path = "../../../common/apdus.rs"]
#[allow(dead_code)] // the import template
mod apdus;
#[path = "../../../common/env_number.rs"]
mod env_number;
#[path = "../harness.rs"]
mod harness;
#[path = "../../../common/cortex_m_meter.rs"]
mod meter;

use openpgp_card_applet_testkit::keys;

use apdus::{attributes_tag, extended};
use harness::{
    fail, Session, DEC, OID_CV25519, OID_ED25519, OID_K256, OID_P256, OID_P384, SELECT, SIG,
    VERIFY_82, VERIFY_83,
};
use openpgp_card_applet_testkit::ecdh_cipher_do;

/// Random generator seeds per RSA size.
const SEEDS: u64 = match option_env!("FOOTPRINT_SEEDS") {
    Some(text) => {
        let seeds = env_number::parse(text);
        assert!(seeds > 0, "FOOTPRINT_SEEDS is at least 1");
        seeds
    }
    None => 5,
};

/// The value of `tag` inside the public key DO `7F49` of a GENERATE answer.
fn public_part(answer: &[u8], tag: u16) -> Vec<u8> {
    let Ok(body) = Reader::new(answer).expect(0x7F49) else {
        fail("no 7F49 in the GENERATE answer");
    };
    let mut reader = Reader::new(body);
    while let Some(tlv) = reader.tlv() {
        if tlv.tag == tag {
            return tlv.value.to_vec();
        }
    }
    fail("a public key part is missing")
}

/// A fresh card with the admin PIN verified, `attributes` set on the slot of `crt`, and a key
/// generated there (measured). Returns the session and the GENERATE answer.
fn generated(seed: u64, label: &str, crt: u8, attributes: &[u8]) -> (Session, u64, Vec<u8>) {
    let mut s = Session::new(harness::card(seed));
    s.send(None, SELECT, None);
    s.send(None, VERIFY_83, None);
    s.put_data(attributes_tag(crt), attributes);
    let (n, measured) = s.exchange(Some(label), &extended(0x47, 0x80, 0x00, &[crt, 0x00]), None);
    let answer = s.answer(n).to_vec();
    let Some(measured) = measured else {
        fail("unmeasured")
    };
    (s, measured.insns, answer)
}

/// Median, minimum and maximum of `insns` (sorted in place).
fn summary(label: &str, insns: &mut [u64]) {
    insns.sort_unstable();
    let (Some(&min), Some(&max)) = (insns.first(), insns.last()) else {
        fail("no measurement")
    };
    let median = insns[insns.len() / 2];
    hprintln!(
        "{:<30} over {} seeds: median {:>12}  min {:>12}  max {:>12} insns",
        label,
        insns.len(),
        median,
        min,
        max
    );
}

fn rsa(bits: u16) -> Vec<u64> {
    use rsa::traits::PublicKeyParts;
    use rsa::{BoxedUint, Pkcs1v15Sign};
    let [hi, lo] = bits.to_be_bytes();
    let attributes = [0x01, hi, lo, 0x00, 0x20, 0x00];
    let mut all = Vec::new();
    for seed in 1..=SEEDS {
        let label = format!("RSA-{bits} GENERATE (seed {seed})");
        let (mut s, insns, answer) = generated(seed, &label, SIG, &attributes);
        all.push(insns);
        // The key signs, and the signature verifies under the modulus the card returned.
        let n = public_part(&answer, 0x81);
        let e = public_part(&answer, 0x82);
        let public = rsa::PublicKey::new(
            BoxedUint::from_be_slice_vartime(&n),
            BoxedUint::from_be_slice_vartime(&e),
        );
        let Ok(public) = public else {
            fail("the generated modulus is not a public key");
        };
        if public.size() != usize::from(bits / 8) {
            fail("the generated modulus has the wrong length");
        }
        s.sign_verified(
            &format!("RSA-{bits} PSO:CDS (seed {seed})"),
            keys::DIGEST_INFO,
            &|signature| {
                public
                    .verify(Pkcs1v15Sign::new_unprefixed(), keys::DIGEST_INFO, signature)
                    .is_ok()
            },
        );
    }
    all
}

#[entry]
fn main() -> ! {
    harness::init();
    hprintln!(
        "openpgp-card-applet on-card key generation ({})",
        harness::CORE
    );

    let mut results: Vec<(u16, Vec<u64>)> = Vec::new();
    for bits in [2048u16, 3072, 4096] {
        results.push((bits, rsa(bits)));
    }

    // Each curve once: generate, sign (verified under the returned point) or agree (the host
    // side computes the same secret from the returned point).
    macro_rules! ecdsa_curve {
        ($krate:ident, $name:literal, $oid:expr, $hash:expr, $host:expr) => {{
            let ecdsa = [&[0x13], $oid].concat();
            let (mut s, _, answer) = generated(1, concat!($name, " GENERATE"), SIG, &ecdsa);
            let point = public_part(&answer, 0x86);
            let Ok(key) = $krate::ecdsa::VerifyingKey::from_sec1_bytes(&point) else {
                fail("the generated point is not on the curve");
            };
            s.sign_verified(concat!($name, " ECDSA PSO:CDS"), $hash, &|signature| {
                use $krate::ecdsa::signature::hazmat::PrehashVerifier;
                $krate::ecdsa::Signature::from_slice(signature)
                    .is_ok_and(|signature| key.verify_prehash($hash, &signature).is_ok())
            });
            let ecdh = [&[0x12], $oid].concat();
            let (mut s, _, answer) = generated(2, concat!($name, " GENERATE (DEC)"), DEC, &ecdh);
            let point = public_part(&answer, 0x86);
            let Ok(card) = $krate::PublicKey::from_sec1_bytes(&point) else {
                fail("the generated point is not on the curve");
            };
            let Ok(host) = $krate::SecretKey::from_slice($host) else {
                fail("host scalar");
            };
            let shared = $krate::ecdh::diffie_hellman(host.to_nonzero_scalar(), card.as_affine());
            let host_point = {
                use $krate::elliptic_curve::sec1::ToSec1Point;
                host.public_key().to_sec1_point(false)
            };
            s.send(None, VERIFY_82, None);
            s.decipher(
                concat!($name, " ECDH PSO:DECIPHER"),
                &ecdh_cipher_do(host_point.as_bytes()),
                shared.raw_secret_bytes().as_slice(),
            );
        }};
    }
    // The host's side of each ECDH: any valid scalar (the known keys' own).
    ecdsa_curve!(p256, "P-256", OID_P256, keys::HASH32, keys::P256_SCALAR);
    ecdsa_curve!(p384, "P-384", OID_P384, keys::HASH48, keys::P384_SCALAR);
    ecdsa_curve!(k256, "secp256k1", OID_K256, keys::HASH32, keys::K256_SCALAR);

    {
        let ed25519 = [&[0x16], OID_ED25519].concat();
        let (mut s, _, answer) = generated(1, "Ed25519 GENERATE", SIG, &ed25519);
        let point = public_part(&answer, 0x86);
        let Ok(point) = <[u8; 32]>::try_from(point.as_slice()) else {
            fail("an Ed25519 public key has 32 bytes");
        };
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&point) else {
            fail("the generated Ed25519 key is not a point");
        };
        s.sign_verified("Ed25519 PSO:CDS", keys::HASH32, &|signature| {
            ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify_strict(keys::HASH32, &signature).is_ok())
        });
    }
    {
        let x25519 = [&[0x12], OID_CV25519].concat();
        let (mut s, _, answer) = generated(2, "X25519 GENERATE", DEC, &x25519);
        let point = public_part(&answer, 0x86);
        let Ok(point) = <[u8; 32]>::try_from(point.as_slice()) else {
            fail("an X25519 public key has 32 bytes");
        };
        let Ok(host) = <[u8; 32]>::try_from(keys::X25519_SCALAR) else {
            fail("host scalar");
        };
        let host = x25519_dalek::StaticSecret::from(host);
        let shared = host.diffie_hellman(&x25519_dalek::PublicKey::from(point));
        let host_point = x25519_dalek::PublicKey::from(&host);
        s.send(None, VERIFY_82, None);
        s.decipher(
            "X25519 PSO:DECIPHER",
            &ecdh_cipher_do(host_point.as_bytes()),
            shared.as_bytes(),
        );
    }

    for (bits, mut insns) in results {
        summary(&format!("RSA-{bits} GENERATE"), &mut insns);
    }
    let (applet, total) = harness::worst_stack();
    hprintln!(
        "worst stack {} B (applet), {} B (total); generation OK",
        applet,
        total
    );
    harness::exit_success()
}
