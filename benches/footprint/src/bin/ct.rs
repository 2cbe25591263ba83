//! The constant-time checker's image (issue 34), run by `benches/footprint/ct_check.sh` under
//! QEMU (mps2-an386, Cortex-M4) with every executed translation block logged. Every
//! secret-dependent operation of the applet runs here several times, each run one measured call
//! (`harness::measure`, whose `call` and `call_returned` mark the window), so that the script
//! can compare the executed block sequences run by run.
//!
//! Each run's label is `GROUP: what`. The runs of one group must execute the same sequence of
//! blocks (`ct.py`; a divergence passes only if `ct_allow.txt` lists it with its reason). A
//! group varies the secret with the public input fixed (other PINs, keys, random seeds), or
//! the attacker's input with the secret fixed (wrong PINs differing from the right one in the
//! first and in the last byte, other digests, ciphertexts, points). Every run starts from a
//! fresh card set up the same way (same lengths, same commands), so that only the varied value
//! differs; the setup is outside the measured calls.
//!
//! Built with the applet's `cortex-m4` arithmetic (this crate's default features) it runs every
//! operation; with the portable arithmetic (`--no-default-features --features portable`) the
//! PIN commands, the self-test and the two families whose code the feature changes (P-256 and
//! X25519), unless built with `CT_FULL` set (then everything in both). RSA runs at 2,048 bits:
//! 3,072 and 4,096 run the same code on longer integers (`CT_RSA_PRIME_2048` adds the 2,048-bit
//! primes of RSA-4096 to the prime acceptance).
//!
//! The self-test group (`selftest-early-exit`) compares a PIN with an early exit, here in the
//! bench and nowhere in the applet: the checker must find it, in `early_exit_eq`.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use crypto_bigint::{Uint, U1024, U2048};
use panic_semihosting as _;

use openpgp_card_applet::crypto::{rsa_modulus_from_primes, rsa_prime_accepted};
use openpgp_card_applet_testkit::backends::TestRng;
use openpgp_card_applet_testkit::{ecdh_cipher_do, keys};

#[path = "../../../common/apdus.rs"]
mod apdus;
#[path = "../ct_keys.rs"]
mod ct_keys;
#[path = "../harness.rs"]
mod harness;
#[path = "../../../common/cortex_m_meter.rs"]
mod meter;

use apdus::{attributes_tag, extended};
use harness::{
    fail, Card, DEC, OID_CV25519, OID_ED25519, OID_K256, OID_P256, OID_P384, SELECT, SIG,
    VERIFY_81, VERIFY_82, VERIFY_83,
};

/// Every family in this build (see the module's documentation).
const FULL: bool = cfg!(feature = "cortex-m4") || option_env!("CT_FULL").is_some();
const PRIMES_2048: bool = option_env!("CT_RSA_PRIME_2048").is_some();

const OK: [u8; 2] = [0x90, 0x00];
/// A wrong PIN (the default configuration answers 6982, as YubiKey does).
const WRONG: [u8; 2] = [0x69, 0x82];
const AUT: u8 = 0xA4;

/// The response buffer, allocated once (so that every run sees the same heap).
struct Ct {
    response: Vec<u8>,
}

impl Ct {
    /// Sends `apdu`, unmeasured; fails unless it answers `sw`.
    fn send(&mut self, card: &mut Card, apdu: &[u8], sw: [u8; 2]) {
        let n = card.process(apdu, &mut self.response);
        self.check(apdu, n, sw);
    }

    /// Sends `apdu` in one measured call labelled `label`; fails unless it answers `sw`.
    fn run(&mut self, card: &mut Card, label: &str, apdu: &[u8], sw: [u8; 2]) {
        let mut n = 0;
        let response = &mut self.response;
        harness::restart_counter();
        harness::measure(label, &mut || n = card.process(apdu, response));
        self.check(apdu, n, sw);
    }

    fn check(&self, apdu: &[u8], n: usize, sw: [u8; 2]) {
        if n < 2 || self.response[n - 2..n] != sw {
            hprintln!(
                "{:02X?} answered {:02X?}, expected {:02X?}",
                &apdu[..4],
                &self.response[n.saturating_sub(2)..n],
                sw
            );
            fail("unexpected status word");
        }
    }

    /// A fresh card (random generator seeded with `seed`), selected.
    fn card(&mut self, seed: u64) -> Card {
        let mut card = harness::card(seed);
        self.send(&mut card, SELECT, OK);
        card
    }

    /// A fresh card with PW3 verified.
    fn admin(&mut self, seed: u64) -> Card {
        let mut card = self.card(seed);
        self.send(&mut card, VERIFY_83, OK);
        card
    }
}

// ---------------------------------------------------------------------------------------------
// PINs

const PW1_DEFAULT: &[u8] = b"123456";
const PW3_DEFAULT: &[u8] = b"12345678";

/// `value` with its first (`first`) or last byte changed.
fn differing(value: &[u8], first: bool) -> Vec<u8> {
    let mut v = value.to_vec();
    let i = if first { 0 } else { v.len() - 1 };
    v[i] ^= 0x01;
    v
}

/// A card whose PIN `p2` (81 or 83) is `secret`: CHANGE REFERENCE DATA from the default,
/// also when `secret` is the default, so that every card has the same history (its PIN
/// record written once).
fn with_pin(ct: &mut Ct, p2: u8, secret: &[u8]) -> Card {
    let mut card = ct.card(1);
    let default = if p2 == 0x81 { PW1_DEFAULT } else { PW3_DEFAULT };
    let data = [default, secret].concat();
    ct.send(&mut card, &extended(0x24, 0x00, p2, &data), OK);
    card
}

/// VERIFY of `p2` with right PINs (two secrets of each length in `secrets`), wrong ones
/// (first, last byte), and the right one against a wrong one (the result, which the status
/// word tells anyway).
fn verify(ct: &mut Ct, name: &str, p2: u8, secrets: &[&[u8]]) {
    for secret in secrets {
        let len = secret.len();
        let mut card = with_pin(ct, p2, secret);
        let label = format!("{name}-right-{len}: secret {:02x?}", secret);
        ct.run(&mut card, &label, &extended(0x20, 0x00, p2, secret), OK);
    }
    for secret in secrets {
        let len = secret.len();
        for first in [true, false] {
            let guess = differing(secret, first);
            let mut card = with_pin(ct, p2, secret);
            let which = if first { "first" } else { "last" };
            let label = format!(
                "{name}-wrong-{len}: secret {:02x?}, {which} byte wrong",
                secret
            );
            ct.run(&mut card, &label, &extended(0x20, 0x00, p2, &guess), WRONG);
        }
    }
    // The result: right against wrong (allowed to part after the comparison, ct_allow.txt).
    let secret = secrets[0];
    let mut card = with_pin(ct, p2, secret);
    let label = format!("{name}-result: right");
    ct.run(&mut card, &label, &extended(0x20, 0x00, p2, secret), OK);
    let mut card = with_pin(ct, p2, secret);
    let label = format!("{name}-result: wrong");
    let guess = differing(secret, false);
    ct.run(&mut card, &label, &extended(0x20, 0x00, p2, &guess), WRONG);
}

/// CHANGE REFERENCE DATA of `p2`: old ‖ new with the right old PIN (two secrets), and wrong
/// ones (first, last byte).
fn change(ct: &mut Ct, name: &str, p2: u8, secrets: &[&[u8]; 2], new: &[u8]) {
    for secret in secrets {
        let mut card = with_pin(ct, p2, secret);
        let label = format!("{name}-right: secret {:02x?}", secret);
        let data = [*secret, new].concat();
        ct.run(&mut card, &label, &extended(0x24, 0x00, p2, &data), OK);
    }
    for first in [true, false] {
        let secret = secrets[0];
        let mut card = with_pin(ct, p2, secret);
        let which = if first { "first" } else { "last" };
        let label = format!("{name}-wrong: {which} byte wrong");
        let data = [&differing(secret, first)[..], new].concat();
        ct.run(&mut card, &label, &extended(0x24, 0x00, p2, &data), WRONG);
    }
}

/// RESET RETRY COUNTER with the Resetting Code (set by PUT DATA D3): RC ‖ new PW1.
fn reset_retry_counter(ct: &mut Ct, secrets: &[&[u8]; 2]) {
    let new = b"246810";
    let card = |ct: &mut Ct, secret: &[u8]| {
        let mut card = ct.admin(1);
        ct.send(&mut card, &extended(0xDA, 0x00, 0xD3, secret), OK);
        card
    };
    for secret in secrets {
        let mut c = card(ct, secret);
        let label = format!("reset-rc-right: secret {:02x?}", secret);
        let data = [*secret, new].concat();
        ct.run(&mut c, &label, &extended(0x2C, 0x00, 0x81, &data), OK);
    }
    for first in [true, false] {
        let mut c = card(ct, secrets[0]);
        let which = if first { "first" } else { "last" };
        let label = format!("reset-rc-wrong: {which} byte wrong");
        let data = [&differing(secrets[0], first)[..], new].concat();
        ct.run(&mut c, &label, &extended(0x2C, 0x00, 0x81, &data), WRONG);
    }
}

/// The KDF-DO F9 (iterated-salted S2K, SHA-256) with the initial hashes `pw1` and `pw3`.
fn kdf_do(pw1: &[u8], pw3: &[u8]) -> Vec<u8> {
    let mut f9 = vec![0x81, 0x01, 0x03, 0x82, 0x01, 0x08];
    f9.extend_from_slice(&[0x83, 0x04, 0x00, 0x03, 0x20, 0x00]);
    f9.extend_from_slice(&[0x84, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]);
    f9.extend_from_slice(&[0x87, 0x20]);
    f9.extend_from_slice(pw1);
    f9.extend_from_slice(&[0x88, 0x20]);
    f9.extend_from_slice(pw3);
    f9
}

/// VERIFY of PW1 and PW3 with the KDF-DO set: the PINs are the 32-byte hashes the host sends.
fn verify_kdf(ct: &mut Ct) {
    let pairs = [
        (ct_keys::KDF_PW1_A, ct_keys::KDF_PW3_A),
        (ct_keys::KDF_PW1_B, ct_keys::KDF_PW3_B),
    ];
    let card = |ct: &mut Ct, pw1: &[u8], pw3: &[u8]| {
        let mut card = ct.admin(1);
        ct.send(
            &mut card,
            &extended(0xDA, 0x00, 0xF9, &kdf_do(pw1, pw3)),
            OK,
        );
        card
    };
    for (name, p2, index) in [
        ("verify-pw1-kdf", 0x81u8, 0usize),
        ("verify-pw3-kdf", 0x83, 1),
    ] {
        for (k, pair) in pairs.iter().enumerate() {
            let secret = [pair.0, pair.1][index];
            let mut c = card(ct, pair.0, pair.1);
            let label = format!("{name}-right: hash {k}");
            ct.run(&mut c, &label, &extended(0x20, 0x00, p2, secret), OK);
        }
        for first in [true, false] {
            let secret = [pairs[0].0, pairs[0].1][index];
            let mut c = card(ct, pairs[0].0, pairs[0].1);
            let which = if first { "first" } else { "last" };
            let label = format!("{name}-wrong: {which} byte wrong");
            let guess = differing(secret, first);
            ct.run(&mut c, &label, &extended(0x20, 0x00, p2, &guess), WRONG);
        }
    }
}

/// The self-test's leak: a comparison that stops at the first differing byte (never in the
/// applet).
#[inline(never)]
fn early_exit_eq(stored: &[u8], guess: &[u8]) -> bool {
    if stored.len() != guess.len() {
        return false;
    }
    for (a, b) in stored.iter().zip(guess) {
        if core::hint::black_box(*a) != *b {
            return false;
        }
    }
    true
}

fn self_test() {
    let stored = core::hint::black_box(PW1_DEFAULT);
    for first in [true, false] {
        let guess = differing(stored, first);
        let which = if first { "first" } else { "last" };
        let mut same = true;
        harness::restart_counter();
        harness::measure(
            &format!("selftest-early-exit: {which} byte wrong"),
            &mut || same = early_exit_eq(stored, &guess),
        );
        if same {
            fail("the self-test's comparison matched a wrong PIN");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

/// Imports `components` into the slot of `crt` after setting `attributes`; measured when
/// `label` is given.
fn import(
    ct: &mut Ct,
    card: &mut Card,
    label: Option<&str>,
    crt: u8,
    attributes: &[u8],
    components: &[(u8, &[u8])],
) {
    ct.send(
        card,
        &extended(0xDA, 0x00, attributes_tag(crt) as u8, attributes),
        OK,
    );
    let apdu = apdus::import(crt, components);
    match label {
        Some(label) => ct.run(card, label, &apdu, OK),
        None => ct.send(card, &apdu, OK),
    }
}

/// The slots a family's keys go into: the attributes of each (none: the slot stays empty).
struct Slots<'a> {
    sig: Option<&'a [u8]>,
    aut: Option<&'a [u8]>,
    dec: Option<&'a [u8]>,
    /// INTERNAL AUTHENTICATE with the DEC key (MANAGE SECURITY ENVIRONMENT), for RSA.
    mse: bool,
}

/// A family's private-key operations. Each run `(k, i)` is a fresh card set up the same way
/// with key `k`: the import (measured: SIG's, or DEC's without SIG), then PSO:CDS and INTERNAL
/// AUTHENTICATE of `sign_inputs[i]` and PSO:DECIPHER of `decipher_inputs[k][i]`, each measured,
/// in that order on every card (so that each command has the same history: the random
/// source's buffer, the key cache).
fn family(
    ct: &mut Ct,
    name: &str,
    slots: &Slots<'_>,
    keys: [&[(u8, &[u8])]; 2],
    sign_inputs: [&[u8]; 2],
    decipher_inputs: [[&[u8]; 2]; 2],
    runs: &[(usize, usize)],
) {
    for &(k, i) in runs {
        let mut card = ct.admin(1);
        let label = format!("{name}-import: key {k}");
        if let Some(attributes) = slots.sig {
            import(ct, &mut card, Some(&label), SIG, attributes, keys[k]);
        }
        if let Some(attributes) = slots.aut {
            import(ct, &mut card, None, AUT, attributes, keys[k]);
        }
        if let Some(attributes) = slots.dec {
            let measured = slots.sig.is_none().then_some(label.as_str());
            import(ct, &mut card, measured, DEC, attributes, keys[k]);
        }
        if slots.mse {
            ct.send(
                &mut card,
                &extended(0x22, 0x41, 0xA4, &[0x83, 0x01, 0x02]),
                OK,
            );
        }
        let what = format!("key {k}, input {i}");
        if slots.sig.is_some() {
            ct.send(&mut card, VERIFY_81, OK);
            let apdu = extended(0x2A, 0x9E, 0x9A, sign_inputs[i]);
            ct.run(&mut card, &format!("{name}-cds: {what}"), &apdu, OK);
        }
        if slots.aut.is_some() || slots.mse {
            ct.send(&mut card, VERIFY_82, OK);
            let apdu = extended(0x88, 0x00, 0x00, sign_inputs[i]);
            ct.run(&mut card, &format!("{name}-intauth: {what}"), &apdu, OK);
        }
        if slots.dec.is_some() {
            ct.send(&mut card, VERIFY_82, OK);
            let apdu = extended(0x2A, 0x80, 0x86, decipher_inputs[k][i]);
            ct.run(&mut card, &format!("{name}-decipher: {what}"), &apdu, OK);
        }
    }
}

/// Key 0 on input 0, key 1 on input 0 (other secret), key 0 on input 1 (other public input).
const THREE_RUNS: &[(usize, usize)] = &[(0, 0), (1, 0), (0, 1)];

/// GENERATE in the slot of `crt` on two fresh cards whose random generators differ.
fn generate(ct: &mut Ct, name: &str, crt: u8, attributes: &[u8]) {
    for seed in [1, 2] {
        let mut card = ct.admin(seed);
        ct.send(
            &mut card,
            &extended(0xDA, 0x00, attributes_tag(crt) as u8, attributes),
            OK,
        );
        let label = format!("{name}-generate: seed {seed}");
        ct.run(
            &mut card,
            &label,
            &extended(0x47, 0x80, 0x00, &[crt, 0x00]),
            OK,
        );
    }
}

/// ECDSA and ECDH on a Weierstrass curve: import, PSO:CDS, INTERNAL AUTHENTICATE (AUT),
/// PSO:DECIPHER (ECDH on two valid points), GENERATE.
fn weierstrass(
    ct: &mut Ct,
    name: &str,
    oid: &[u8],
    scalars: [&[u8]; 2],
    digests: [&[u8]; 2],
    points: [&[u8]; 2],
) {
    let ecdsa = [&[0x13], oid].concat();
    let ecdh = [&[0x12], oid].concat();
    let keys: [&[(u8, &[u8])]; 2] = [&[(0x92, scalars[0])], &[(0x92, scalars[1])]];
    let slots = Slots {
        sig: Some(&ecdsa),
        aut: Some(&ecdsa),
        dec: Some(&ecdh),
        mse: false,
    };
    let (p0, p1) = (ecdh_cipher_do(points[0]), ecdh_cipher_do(points[1]));
    let points = [[&p0[..], &p1[..]], [&p0[..], &p1[..]]];
    family(ct, name, &slots, keys, digests, points, THREE_RUNS);
    generate(ct, name, SIG, &ecdsa);
}

/// RSA-2048 (3,072 and 4,096 run the same code on longer integers): two cards, key 0 on
/// input 0 and key 1 on input 1 (each RSA run costs about 100 M instructions); INTERNAL
/// AUTHENTICATE with the DEC key.
fn rsa2048(ct: &mut Ct) {
    let e: &[u8] = &[0x01, 0x00, 0x01];
    let attributes = [0x01, 0x08, 0x00, 0x00, 0x20, 0x00];
    let keys: [&[(u8, &[u8])]; 2] = [
        &[(0x91, e), (0x92, keys::RSA2048_P), (0x93, keys::RSA2048_Q)],
        &[
            (0x91, e),
            (0x92, ct_keys::RSA2048_B_P),
            (0x93, ct_keys::RSA2048_B_Q),
        ],
    ];
    let slots = Slots {
        sig: Some(&attributes),
        aut: None,
        dec: Some(&attributes),
        mse: true,
    };
    let cryptogram = |c: &[u8]| [&[0x00], c].concat();
    let (a1, a2) = (
        cryptogram(keys::RSA2048_CIPHERTEXT),
        cryptogram(ct_keys::RSA2048_CIPHERTEXT_2),
    );
    let b1 = cryptogram(ct_keys::RSA2048_B_CIPHERTEXT);
    let inputs = [keys::DIGEST_INFO, ct_keys::DIGEST_INFO_2];
    let ciphertexts = [[&a1[..], &a2[..]], [&b1[..], &b1[..]]];
    family(
        ct,
        "rsa2048",
        &slots,
        keys,
        inputs,
        ciphertexts,
        &[(0, 0), (1, 1)],
    );
}

// ---------------------------------------------------------------------------------------------
// RSA generation: the acceptance of the final prime (the search before it rejects a number
// of candidates that differs from key to key; `crypto::rsa_prime`). The primes were drawn on
// the host (Python's `secrets`, checked by a Miller–Rabin of 40 rounds, sympy and `openssl
// prime`), ≡ 3 mod 4, two top bits set, p mod 65537 ≠ 1; the sparse and dense ones are the
// first of that shape from either end.

/// Miller–Rabin rounds per prime size, as the card runs them (`crypto::rsa_prime`).
const ROUNDS_1024: usize = 5;
const ROUNDS_2048: usize = 4;

/// A random 1024-bit prime (524 bits set).
const P1024_RANDOM_1: U1024 = U1024::from_be_hex(concat!(
    "EC94D93ED9AA7982D5C00A63E4EF59F78C0E21015EEA995B55BAFF4FFBBF9846",
    "54934A943F7B4632CA597C576E056A0F8FD5D0801E8F4CA91B9E54AD905E6C28",
    "5AAC01F0D165D9D2C1AA971E5259C21EC51699FDB6CE7881ECA90B7273E8D9C5",
    "89805FBDAD54DE720CA37B81A677D26B6DE62B38A7DE0F06D13AB9256C44789F",
));

/// Another (497 bits set).
const P1024_RANDOM_2: U1024 = U1024::from_be_hex(concat!(
    "E8541E65F056C77601A52AF7C900DE94AE71B22F30A783E5938DFC3813877EB6",
    "B2DA9D0C7631AFD13D13788750F69E00F4A2456A9D1150558825AF1DB540AD8C",
    "0672D4AD15250804ED00EC840F48BDBD05C16AE04D695D9D370D050F46A22BA1",
    "C06EA1DBB70FDA5BC75E71C79190FB6924A696FE37FBE780B92406B6D03C25CF",
));

/// The least of the shape: 3·2^1022 + 0x827 (7 bits set).
const P1024_SPARSE: U1024 = U1024::from_be_hex(concat!(
    "C000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000827",
));

/// The greatest of the shape: 2^1024 − 0x69 (1,021 bits set).
const P1024_DENSE: U1024 = U1024::from_be_hex(concat!(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF97",
));

/// A random 2048-bit prime (1,024 bits set).
const P2048_RANDOM_1: U2048 = U2048::from_be_hex(concat!(
    "E9384B72C7DF55AA10570068DE86516AAD8768A443650489C27F1F74FB526098",
    "641E35D581526D57BCB21C9FBA316BFB17DDA75BD6BDE085DE9A97001224D7F0",
    "0A7B596CE97136A34B90E2E1D76B3B98E66F0E1D104CBE884AD8FA91A75FADCB",
    "2475138E68B28AD56CE49814045F8F308B7CCC495A0AD43F44FEF6DEA948E660",
    "5CDE6937283334576D4B7683359448142683A3797CD81D00D5DD606FF5B6D4AF",
    "4507A0FBF521F638A1493646FC1F1B7B37A354347555BFE42D4D022F618927EC",
    "BB48B8D676D5F165D0E40658DAE1699F6C530C72B84D03AEAC30CC90DE681FDD",
    "90FC095B1F609588C379A7F74C755144FE5916A36E13BD064B58E9E69A44A04F",
));

/// Another (1,027 bits set).
const P2048_RANDOM_2: U2048 = U2048::from_be_hex(concat!(
    "F1893E9FBE10BA9E99F1A9632A4961876D16C41B242BFCBE6DBD9EA37D54BB63",
    "A29856FB9AE947B8664C1417D98A7F1E08FF02EC2A7ACC8D17FA24F013391C2A",
    "23CC0A5397B5D7CE90DC9B5A5970D811E5883A8E48EFA4E80766C1C37BFCB011",
    "E15DA60FB35698A97156B49D9887FFF37131EA624DA4020FDC307C352B469E7E",
    "39A80BA0DC519DE081B1D486FEAE16CCB8CF461CE1A5703B523A6C13A237D207",
    "D28F31127926CAA3B96716D11BDDED592E2223E32AC35CCEDA1768B193AC5F5C",
    "0F4A2855C819F77A240DB048ECA69F76E1870F811026215DC8A31C6DBF367463",
    "FB3384F0347E9D6C2DD88C795A38196B04F3EF940A7AE8556709C5992EF5EB67",
));

/// The acceptance test of `prime` with the random bases of `seed`, in one measured call;
/// fails unless it is accepted.
fn accepted<const L: usize>(label: &str, prime: &Uint<L>, rounds: usize, seed: u64) {
    let mut rng = Some(TestRng::seed_from_u64(seed));
    let mut accepted = false;
    harness::restart_counter();
    harness::measure(label, &mut || {
        if let Some(rng) = rng.take() {
            accepted = rsa_prime_accepted(prime, rounds, rng);
        }
    });
    if !accepted {
        hprintln!("{}: refused", label);
        fail("a prime was refused");
    }
}

/// What generation computes from the accepted primes: the distance check and n = p·q, for
/// three pairs of 1024-bit primes (an RSA-2048 key's), sparse and dense among them.
fn rsa_modulus() {
    for (label, p, q) in [
        (
            "rsa-modulus-2048: random 1, random 2",
            &P1024_RANDOM_1,
            &P1024_RANDOM_2,
        ),
        (
            "rsa-modulus-2048: dense, sparse",
            &P1024_DENSE,
            &P1024_SPARSE,
        ),
        (
            "rsa-modulus-2048: random 2, dense",
            &P1024_RANDOM_2,
            &P1024_DENSE,
        ),
    ] {
        let mut far = false;
        harness::restart_counter();
        harness::measure(label, &mut || {
            let (apart, modulus) = rsa_modulus_from_primes(p, q);
            far = apart;
            core::hint::black_box(modulus);
        });
        if !far {
            hprintln!("{}: primes too close", label);
            fail("a pair of primes was refused");
        }
    }
}

fn rsa_primes() {
    // A random prime and the sparsest with the same bases (seed 1), the densest with other
    // bases (seed 2); `CT_FULL` adds a second random prime.
    let extra = [("rsa-prime-1024: random 2, seed 1", &P1024_RANDOM_2, 1)];
    for (label, prime, seed) in [
        ("rsa-prime-1024: random 1, seed 1", &P1024_RANDOM_1, 1),
        ("rsa-prime-1024: sparse, seed 1", &P1024_SPARSE, 1),
        ("rsa-prime-1024: dense, seed 2", &P1024_DENSE, 2),
    ]
    .into_iter()
    .chain(
        extra
            .into_iter()
            .filter(|_| option_env!("CT_FULL").is_some()),
    ) {
        accepted(label, prime, ROUNDS_1024, seed);
    }
    if PRIMES_2048 {
        for (label, prime, seed) in [
            ("rsa-prime-2048: random 1, seed 1", &P2048_RANDOM_1, 1),
            ("rsa-prime-2048: random 2, seed 1", &P2048_RANDOM_2, 1),
            ("rsa-prime-2048: random 1, seed 2", &P2048_RANDOM_1, 2),
        ] {
            accepted(label, prime, ROUNDS_2048, seed);
        }
    }
}

#[entry]
fn main() -> ! {
    harness::init();
    hprintln!(
        "openpgp-card-applet constant-time checker (Cortex-M4, QEMU mps2-an386; {})",
        if cfg!(feature = "cortex-m4") {
            "cortex-m4"
        } else {
            "portable"
        }
    );
    let mut ct = Ct {
        response: vec![0u8; 4096 + 2],
    };

    self_test();

    let pw1_b: &[u8] = b"842917";
    let pw1_8a: &[u8] = b"13572468";
    let pw1_8b: &[u8] = b"97531864";
    let pw3_b: &[u8] = b"86420975";
    verify(
        &mut ct,
        "verify-pw1",
        0x81,
        &[PW1_DEFAULT, pw1_b, pw1_8a, pw1_8b],
    );
    verify(&mut ct, "verify-pw3", 0x83, &[PW3_DEFAULT, pw3_b]);
    change(
        &mut ct,
        "change-pw1",
        0x81,
        &[PW1_DEFAULT, pw1_b],
        b"555555",
    );
    change(
        &mut ct,
        "change-pw3",
        0x83,
        &[PW3_DEFAULT, pw3_b],
        b"55555555",
    );
    reset_retry_counter(&mut ct, &[b"RC-13579", b"RC-86420"]);
    verify_kdf(&mut ct);

    weierstrass(
        &mut ct,
        "p256",
        OID_P256,
        [keys::P256_SCALAR, ct_keys::P256_SCALAR_B],
        [keys::HASH32, ct_keys::HASH32_2],
        [keys::P256_HOST_PUBLIC, ct_keys::P256_HOST_PUBLIC_2],
    );
    {
        let x25519 = [&[0x12], OID_CV25519].concat();
        // GnuPG sends the X25519 scalar in reverse (big-endian) order.
        let a: Vec<u8> = keys::X25519_SCALAR.iter().rev().copied().collect();
        let b: Vec<u8> = ct_keys::X25519_SCALAR_B.iter().rev().copied().collect();
        let keys: [&[(u8, &[u8])]; 2] = [&[(0x92, &a)], &[(0x92, &b)]];
        let (p0, p1) = (
            ecdh_cipher_do(keys::X25519_HOST_PUBLIC),
            ecdh_cipher_do(ct_keys::X25519_HOST_PUBLIC_2),
        );
        let slots = Slots {
            sig: None,
            aut: None,
            dec: Some(&x25519),
            mse: false,
        };
        let points = [[&p0[..], &p1[..]], [&p0[..], &p1[..]]];
        family(
            &mut ct,
            "x25519",
            &slots,
            keys,
            [&[], &[]],
            points,
            THREE_RUNS,
        );
        generate(&mut ct, "x25519", DEC, &x25519);
    }

    if FULL {
        weierstrass(
            &mut ct,
            "p384",
            OID_P384,
            [keys::P384_SCALAR, ct_keys::P384_SCALAR_B],
            [keys::HASH48, ct_keys::HASH48_2],
            [keys::P384_HOST_PUBLIC, ct_keys::P384_HOST_PUBLIC_2],
        );
        weierstrass(
            &mut ct,
            "secp256k1",
            OID_K256,
            [keys::K256_SCALAR, ct_keys::K256_SCALAR_B],
            [keys::HASH32, ct_keys::HASH32_2],
            [keys::K256_HOST_PUBLIC, ct_keys::K256_HOST_PUBLIC_2],
        );
        {
            let ed25519 = [&[0x16], OID_ED25519].concat();
            let keys: [&[(u8, &[u8])]; 2] = [
                &[(0x92, keys::ED25519_SEED)],
                &[(0x92, ct_keys::ED25519_SEED_B)],
            ];
            let slots = Slots {
                sig: Some(&ed25519),
                aut: Some(&ed25519),
                dec: None,
                mse: false,
            };
            let digests = [keys::HASH32, ct_keys::HASH32_2];
            let none: [[&[u8]; 2]; 2] = [[&[], &[]], [&[], &[]]];
            family(&mut ct, "ed25519", &slots, keys, digests, none, THREE_RUNS);
            generate(&mut ct, "ed25519", SIG, &ed25519);
        }
        {
            // AES-256 (DO D5, PUT DATA under PW3), then PSO:DECIPHER with the 02 padding byte.
            let keys = [ct_keys::AES256_KEY_A, ct_keys::AES256_KEY_B];
            let inputs = [ct_keys::AES_CIPHERTEXT_1, ct_keys::AES_CIPHERTEXT_2];
            for &(k, i) in THREE_RUNS {
                let mut card = ct.admin(1);
                let label = format!("aes-import: key {k}");
                ct.run(&mut card, &label, &extended(0xDA, 0x00, 0xD5, keys[k]), OK);
                ct.send(&mut card, VERIFY_82, OK);
                let label = format!("aes-decipher: key {k}, input {i}");
                let data = [&[0x02], inputs[i]].concat();
                ct.run(&mut card, &label, &extended(0x2A, 0x80, 0x86, &data), OK);
            }
        }
        rsa2048(&mut ct);
        rsa_primes();
        rsa_modulus();
    }

    hprintln!("ct OK");
    harness::exit_success()
}
