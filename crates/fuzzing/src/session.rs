//! Fuzz target `session`: a structured sequence of operations ([`Session`]) against a
//! personalised card, with the oracles of [`oracles`](crate::oracles) after each.

use std::sync::OnceLock;

use openpgp_card_applet::spec::Slot;
use openpgp_card_applet::Transport;
use openpgp_card_applet_testkit::keys;

use crate::card::{build_apdu, card_on, expect_ok, expect_put, PW1, PW3, RESETTING_CODE};
use crate::grammar::{decode_session, out_len, Op, PinRef, Session, FULL_OUT, MAX_OPS};
use crate::keys::{ed25519_key, p256_ecdsa_key, x25519_key, KnownKey};
use crate::oracles::Oracle;
use crate::snapshot::{personalise, Snapshot};

/// The personalised session cards (P-256 AUT, RSA-2048 AUT).
fn session_snapshot(rsa: bool) -> &'static Snapshot {
    static SNAPSHOTS: [OnceLock<Snapshot>; 2] = [const { OnceLock::new() }; 2];
    SNAPSHOTS[usize::from(rsa)].get_or_init(|| {
        let aut = if rsa {
            KnownKey::rsa(0)
        } else {
            p256_ecdsa_key()
        };
        personalise(&[ed25519_key(), x25519_key(), aut], |card| {
            expect_ok(card, 0xDA, 0x00, 0xD3, RESETTING_CODE);
            expect_ok(card, 0xDA, 0x00, 0xD5, keys::AES256_KEY);
            expect_ok(card, 0xDA, 0x00, 0x5B, b"Fuzz<<Session");
            expect_ok(card, 0x20, 0x00, 0x82, PW1);
            expect_ok(card, 0xDA, 0x01, 0x01, b"private use 1");
            for slot in Slot::ALL {
                let i = slot.index() as u8;
                expect_put(card, slot.fingerprint_tag(), &[0xF0 + i; 20]);
                expect_put(card, slot.generation_time_tag(), &[0x66, 0x00, 0x00, i]);
            }
        })
    })
}

/// Fuzz target `session` (through [`decode_session`]): the operations run against a
/// personalised card (see the module documentation) and after each:
///
/// - every response ends with a valid status word and fits the buffer (a buffer under two bytes
///   gets nothing);
/// - no response contains a 16-byte window of a private key (Ed25519 seed, X25519 scalar in
///   both byte orders, P-256 scalar, the RSA primes, exponents and CRT values, the AES key),
///   unless the fuzzer itself sent those bytes;
/// - no retry counter (C4) rises without a command that may raise it (see `refills`), as the
///   running applet answers it and as a fresh applet reads it from storage: a right PIN, a new
///   PIN, the factory reset, or SET PIN RETRIES on a counter that has lost no try since its
///   last refill (never one that has); power cycles and deselection never raise one;
/// - after every ACTIVATE FILE that reset the card, the card answers a fixed probe (data
///   objects, public keys, PIN status, factory PINs, every key operation) exactly as a
///   factory-fresh applet does: no RAM state outlives the factory reset.
pub fn session(input: &Session) {
    session_factory_resets(input);
}

/// [`session`], returning how many factory resets the reset oracle compared with a fresh card
/// (for tests that must know the oracle ran).
pub fn session_factory_resets(input: &Session) -> usize {
    let snapshot = session_snapshot(input.rsa);
    let transport = |contactless| {
        if contactless {
            Transport::Contactless
        } else {
            Transport::Contact
        }
    };
    let mut card = card_on(snapshot.storage.clone(), transport(input.contactless));
    let mut oracle = Oracle::new(&mut card, transport(input.contactless));
    let mut out = vec![0u8; FULL_OUT];
    for (i, op) in input.ops.iter().take(MAX_OPS).enumerate() {
        let index = i + 1;
        match op {
            Op::Raw { out: size, bytes } => {
                let len = out_len(*size);
                oracle.exchange(&mut card, &bytes.0, &mut out[..len], index);
            }
            Op::Apdu(apdu) => {
                let len = out_len(apdu.out);
                oracle.exchange(&mut card, &apdu.encode(), &mut out[..len], index);
            }
            Op::Verify(reference) => {
                let (p2, pin) = match reference {
                    PinRef::Pw1Sign => (0x81, PW1),
                    PinRef::Pw1Other => (0x82, PW1),
                    PinRef::Pw3 => (0x83, PW3),
                };
                let command = build_apdu(0x00, 0x20, 0x00, p2, pin, None);
                oracle.exchange(&mut card, &command, &mut out, index);
            }
            Op::PowerCycle { contactless } => {
                oracle.transport = transport(*contactless);
                card.applet.power_on(oracle.transport);
                oracle.busy = false;
            }
            Op::Deselect => {
                card.applet.deselect();
                oracle.busy = false;
            }
            Op::Button(answer) => card.user_presence().push((*answer).into()),
            Op::Clock { ms } => card.clock().advance(u64::from(*ms)),
        }
        oracle.look(&mut card, index);
    }
    oracle.resets
}

/// [`session`] over raw fuzzer bytes, decoded as `libfuzzer-sys` decodes them.
pub fn session_bytes(data: &[u8]) {
    if let Some(input) = decode_session(data) {
        session(&input);
    }
}
