//! A scripted OpenPGP card session on a Cortex-M4 (QEMU mps2-an386), measuring for every
//! command the stack high-water mark (the stack below `main` is painted before each command and
//! scanned after it) and the heap peak (a counting wrapper around the global allocator).
//! Every answer is checked against the known answers of the test kit's `keys` (crate `openpgp-card-applet-test-vectors`); any mismatch
//! or panic ends QEMU with a failure exit code. At the end, the same is measured for direct
//! calls of the crates (`raw ...` lines), to tell the applet's share from theirs.
//!
//! Printed per command: see `harness.rs`.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use panic_semihosting as _;

use openpgp_card_applet_testkit::backends::TestRng;

#[path = "../../../common/apdus.rs"]
mod apdus;
#[path = "../harness.rs"]
mod harness;
#[path = "../../../common/cortex_m_meter.rs"]
mod meter;

use openpgp_card_applet_testkit::keys;

use apdus::extended;
use harness::{
    fail, Session, DEC, HEAP, OID_CV25519, OID_ED25519, OID_K256, OID_P256, OID_P384, SELECT, SIG,
    VERIFY_81, VERIFY_82, VERIFY_83,
};
use openpgp_card_applet_testkit::ecdh_cipher_do;

const GET_DATA_6E: &[u8] = &[0x00, 0xCA, 0x00, 0x6E, 0x00, 0x00, 0x00];

#[entry]
fn main() -> ! {
    harness::init();
    hprintln!("openpgp-card-applet footprint session ({})", harness::CORE);

    let before = HEAP.in_use();
    let card = harness::card(1);
    hprintln!(
        "Applet::new + power_on: {} B of heap (command, response and record buffers)",
        HEAP.in_use() - before
    );
    let mut s = Session::new(card);

    s.send(Some("SELECT"), SELECT, None);
    s.send(Some("VERIFY 81 (right PIN)"), VERIFY_81, None);
    s.send(Some("GET DATA 6E"), GET_DATA_6E, None);
    s.send(None, VERIFY_82, None);
    s.send(None, VERIFY_83, None);

    let e: &[u8] = &[0x01, 0x00, 0x01];
    for (bits, p, q, signature, ciphertext) in [
        (
            2048u16,
            keys::RSA2048_P,
            keys::RSA2048_Q,
            keys::RSA2048_SIGNATURE,
            keys::RSA2048_CIPHERTEXT,
        ),
        (
            3072,
            keys::RSA3072_P,
            keys::RSA3072_Q,
            keys::RSA3072_SIGNATURE,
            keys::RSA3072_CIPHERTEXT,
        ),
        (
            4096,
            keys::RSA4096_P,
            keys::RSA4096_Q,
            keys::RSA4096_SIGNATURE,
            keys::RSA4096_CIPHERTEXT,
        ),
    ] {
        let [hi, lo] = bits.to_be_bytes();
        let attributes = [0x01, hi, lo, 0x00, 0x20, 0x00];
        let components = [(0x91, e), (0x92, p), (0x93, q)];
        s.import(
            &format!("RSA-{bits} import (SIG)"),
            SIG,
            &attributes,
            &components,
        );
        s.sign(&format!("RSA-{bits} PSO:CDS"), keys::DIGEST_INFO, signature);
        if bits == 2048 {
            s.import("RSA-2048 import (DEC)", DEC, &attributes, &components);
            let cryptogram = [&[0x00], ciphertext].concat();
            s.decipher("RSA-2048 PSO:DECIPHER", &cryptogram, keys::SESSION_KEY);
        }
    }

    // A signature check of each curve: verification under the key's public point, which the
    // RFC 6979 known answer must pass too (the card's nonces are hedged, so its signatures
    // differ from RFC 6979's).
    macro_rules! ecdsa_verifier {
        ($krate:ident, $public:expr, $known:expr) => {
            &|hash: &[u8], signature: &[u8]| -> bool {
                use $krate::ecdsa::signature::hazmat::PrehashVerifier;
                let key = $krate::ecdsa::VerifyingKey::from_sec1_bytes($public);
                let known = $krate::ecdsa::Signature::from_slice($known);
                let signature = $krate::ecdsa::Signature::from_slice(signature);
                match (key, known, signature) {
                    (Ok(key), Ok(known), Ok(signature)) => {
                        key.verify_prehash(hash, &known).is_ok()
                            && key.verify_prehash(hash, &signature).is_ok()
                    }
                    _ => false,
                }
            }
        };
    }
    let curves: [(
        &str,
        &[u8],
        &[u8],
        &[u8],
        &[u8],
        &dyn Fn(&[u8], &[u8]) -> bool,
        &[u8],
        &[u8],
    ); 3] = [
        (
            "P-256",
            OID_P256,
            keys::P256_SCALAR,
            keys::P256_PUBLIC,
            keys::HASH32,
            ecdsa_verifier!(p256, keys::P256_PUBLIC, keys::P256_SIGNATURE),
            keys::P256_HOST_PUBLIC,
            keys::P256_SHARED,
        ),
        (
            "P-384",
            OID_P384,
            keys::P384_SCALAR,
            keys::P384_PUBLIC,
            keys::HASH48,
            ecdsa_verifier!(p384, keys::P384_PUBLIC, keys::P384_SIGNATURE),
            keys::P384_HOST_PUBLIC,
            keys::P384_SHARED,
        ),
        (
            "secp256k1",
            OID_K256,
            keys::K256_SCALAR,
            keys::K256_PUBLIC,
            keys::HASH32,
            ecdsa_verifier!(k256, keys::K256_PUBLIC, keys::K256_SIGNATURE),
            keys::K256_HOST_PUBLIC,
            keys::K256_SHARED,
        ),
    ];
    for (name, oid, scalar, public, hash, verifies, host, shared) in curves {
        let ecdsa = [&[0x13], oid].concat();
        let ecdh = [&[0x12], oid].concat();
        s.import(
            &[name, " import (SIG)"].concat(),
            SIG,
            &ecdsa,
            &[(0x92, scalar)],
        );
        // The public key the card derived is the one RustCrypto derives from the same scalar.
        s.expect_public_point(SIG, public);
        s.sign_verified(&[name, " ECDSA PSO:CDS"].concat(), hash, &|signature| {
            verifies(hash, signature)
        });
        s.import(
            &[name, " import (DEC)"].concat(),
            DEC,
            &ecdh,
            &[(0x92, scalar)],
        );
        s.decipher(
            &[name, " ECDH PSO:DECIPHER"].concat(),
            &ecdh_cipher_do(host),
            shared,
        );
        // A point off the curve (y + 1) is refused, a compressed one too: 6A80.
        let mut off_curve = host.to_vec();
        if let Some(last) = off_curve.last_mut() {
            *last ^= 1;
        }
        s.expect_status(
            &extended(0x2A, 0x80, 0x86, &ecdh_cipher_do(&off_curve)),
            [0x6A, 0x80],
        );
        let compressed = [
            &[0x02 | (host[host.len() - 1] & 1)],
            &host[1..=(host.len() - 1) / 2],
        ]
        .concat();
        s.expect_status(
            &extended(0x2A, 0x80, 0x86, &ecdh_cipher_do(&compressed)),
            [0x6A, 0x80],
        );
    }

    let ed25519 = [&[0x16], OID_ED25519].concat();
    s.import(
        "Ed25519 import (SIG)",
        SIG,
        &ed25519,
        &[(0x92, keys::ED25519_SEED)],
    );
    s.sign("Ed25519 PSO:CDS", keys::HASH32, keys::ED25519_SIGNATURE);

    let x25519 = [&[0x12], OID_CV25519].concat();
    let gnupg_order: Vec<u8> = keys::X25519_SCALAR.iter().rev().copied().collect();
    s.import("X25519 import (DEC)", DEC, &x25519, &[(0x92, &gnupg_order)]);
    let template = ecdh_cipher_do(keys::X25519_HOST_PUBLIC);
    s.decipher("X25519 PSO:DECIPHER", &template, keys::X25519_SHARED);

    // The crates alone, for comparison: what the applet does for an RSA PSO:CDS (blinded
    // signature, then verification before release) and for a secp256k1 one.
    for (bits, p, q, expected) in [
        (
            2048u32,
            keys::RSA2048_P,
            keys::RSA2048_Q,
            keys::RSA2048_SIGNATURE,
        ),
        (
            4096,
            keys::RSA4096_P,
            keys::RSA4096_Q,
            keys::RSA4096_SIGNATURE,
        ),
    ] {
        use rsa::{BoxedUint, Pkcs1v15Sign};
        let key = rsa::PrivateKey::from_p_q(
            BoxedUint::from_be_slice(p, bits / 2).unwrap(),
            BoxedUint::from_be_slice(q, bits / 2).unwrap(),
            BoxedUint::from(65_537u64),
        )
        .unwrap();
        let mut rng = TestRng::seed_from_u64(2);
        let mut ok = false;
        s.measure(&format!("raw rsa-{bits} sign+verify"), &mut || {
            let scheme = Pkcs1v15Sign::new_unprefixed;
            let signature = key.sign_with_rng(&mut rng, scheme(), keys::DIGEST_INFO);
            let signature = signature.unwrap();
            let verified = key
                .as_public_key()
                .verify(scheme(), keys::DIGEST_INFO, &signature);
            ok = verified.is_ok() && signature == expected;
        });
        if !ok {
            fail("raw RSA signature");
        }
    }
    {
        use k256::ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
        let key = k256::ecdsa::SigningKey::from_slice(keys::K256_SCALAR).unwrap();
        let mut rng = TestRng::seed_from_u64(3);
        let mut signature = None;
        s.measure("raw secp256k1 sign_prehash_with_rng", &mut || {
            signature = key.sign_prehash_with_rng(&mut rng, keys::HASH32).ok();
        });
        let ok = signature.is_some_and(|signature: k256::ecdsa::Signature| {
            key.verifying_key()
                .verify_prehash(keys::HASH32, &signature)
                .is_ok()
        });
        if !ok {
            fail("raw secp256k1 signature");
        }
    }

    {
        // What `Store` does after every record read or write: wipe its whole 4 KiB scratch.
        use zeroize::Zeroize;
        let mut scratch = vec![0x55u8; 4096];
        s.measure("raw zeroize 4096 bytes", &mut || scratch.zeroize());
    }

    // The answer of the first command again, after all of that: the state is consistent.
    s.send(Some("SELECT (again)"), SELECT, None);
    let (applet, total) = harness::worst_stack();
    hprintln!(
        "worst stack {} B (applet), {} B (total); session OK",
        applet,
        total
    );
    harness::exit_success()
}
