//! A representative session as complete command APDUs, to show that two ways into the applet
//! (two entry points, two transports, a dispatcher in between) give the same answers.
//!
//! It covers what the adapter issue names: card status as GnuPG reads it, VERIFY (right,
//! wrong, status query), PUT DATA, on-card Ed25519 generation and signature, and an RSA-2048
//! import and PSO:DECIPHER with extended lengths. Every command asks for its whole answer
//! (Le = 256 short, or 65536 extended), so a transport that serves long answers with 61xx
//! and GET RESPONSE gets to do so (6E, the RSA public key).
//!
//! [`check`] asserts what the answers must be on their own, so that two paths agreeing with
//! each other cannot hide a wrong answer both give.

use alloc::vec::Vec;

use crate::client::{command, encode, Card, Rsp};
use crate::import_template;
use crate::keys;

/// One command of the session.
#[derive(Clone, Debug)]
pub struct Step {
    /// What it does, for messages.
    pub name: &'static str,
    /// The command APDU bytes (short, or extended where the data or Le needs it).
    pub apdu: Vec<u8>,
}

fn step(name: &'static str, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Step {
    let le = if data.len() > 255 { 65536 } else { 256 };
    let apdu = encode(&command(0x00, ins, p1, p2, data, Some(le))).unwrap_or_default();
    Step { name, apdu }
}

fn no_le(name: &'static str, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Step {
    let apdu = encode(&command(0x00, ins, p1, p2, data, None)).unwrap_or_default();
    Step { name, apdu }
}

/// The Ed25519 algorithm attributes (spec §4.4.3.10: 22 ‖ OID 1.3.6.1.4.1.11591.15.1).
const ED25519: [u8; 10] = [0x16, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01];
/// RSA-2048, 32-bit exponent field, standard import format.
const RSA2048: [u8; 6] = [0x01, 0x08, 0x00, 0x00, 0x20, 0x00];

/// The session, from SELECT on a factory-fresh card.
pub fn session() -> Vec<Step> {
    let import = import_template(
        0xB8,
        &[
            (0x91, &[0x01, 0x00, 0x01][..]),
            (0x92, keys::RSA2048_P),
            (0x93, keys::RSA2048_Q),
        ],
    );
    let mut cryptogram = Vec::with_capacity(257);
    cryptogram.push(0x00);
    cryptogram.extend_from_slice(keys::RSA2048_CIPHERTEXT);
    alloc::vec![
        step(
            "SELECT",
            0xA4,
            0x04,
            0x00,
            &[0xD2, 0x76, 0x00, 0x01, 0x24, 0x01]
        ),
        step("GET DATA 4F", 0xCA, 0x00, 0x4F, &[]),
        step("GET DATA 5F52", 0xCA, 0x5F, 0x52, &[]),
        step("GET DATA 6E", 0xCA, 0x00, 0x6E, &[]),
        step("GET DATA 65", 0xCA, 0x00, 0x65, &[]),
        step("GET DATA 7A", 0xCA, 0x00, 0x7A, &[]),
        step("GET DATA C4", 0xCA, 0x00, 0xC4, &[]),
        no_le("VERIFY 82 status", 0x20, 0x00, 0x82, &[]),
        no_le("VERIFY 82", 0x20, 0x00, 0x82, b"123456"),
        no_le("VERIFY 82 status after", 0x20, 0x00, 0x82, &[]),
        no_le("VERIFY 83 wrong", 0x20, 0x00, 0x83, b"87654321"),
        no_le("VERIFY 83", 0x20, 0x00, 0x83, b"12345678"),
        no_le("PUT DATA 5B", 0xDA, 0x00, 0x5B, b"Doe<<Jane"),
        no_le("PUT DATA 5F2D", 0xDA, 0x5F, 0x2D, b"en"),
        step("GET DATA 65 after", 0xCA, 0x00, 0x65, &[]),
        no_le("PUT DATA C1 Ed25519", 0xDA, 0x00, 0xC1, &ED25519),
        step("GENERATE SIG", 0x47, 0x80, 0x00, &[0xB6, 0x00]),
        step("READ SIG public key", 0x47, 0x81, 0x00, &[0xB6, 0x00]),
        no_le("VERIFY 81", 0x20, 0x00, 0x81, b"123456"),
        step("PSO:CDS Ed25519", 0x2A, 0x9E, 0x9A, keys::HASH32),
        no_le("PUT DATA C2 RSA-2048", 0xDA, 0x00, 0xC2, &RSA2048),
        step("IMPORT DEC RSA-2048", 0xDB, 0x3F, 0xFF, &import),
        step("READ DEC public key", 0x47, 0x81, 0x00, &[0xB8, 0x00]),
        step("PSO:DECIPHER RSA-2048", 0x2A, 0x80, 0x86, &cryptogram),
        step("GET DATA 6E at the end", 0xCA, 0x00, 0x6E, &[]),
    ]
}

/// Asserts what each answer of [`session`] must be, on its own: status words, the chosen
/// values read back, the RSA plaintext, and the Ed25519 public key the card generated (the
/// signature is verified by the caller, which has a host Ed25519 implementation).
///
/// # Panics
/// On the first answer that is wrong, naming its step.
pub fn check(steps: &[Step], answers: &[Rsp]) {
    assert_eq!(steps.len(), answers.len(), "one answer per step");
    for (step, rsp) in steps.iter().zip(answers) {
        let expected_sw = match step.name {
            "VERIFY 82 status" => 0x63C3,
            "VERIFY 83 wrong" => 0x6982,
            _ => 0x9000,
        };
        assert_eq!(rsp.sw, expected_sw, "{}: status word", step.name);
        let data = &rsp.data;
        let contains = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
        match step.name {
            "GET DATA 4F" => assert!(data.starts_with(&[0xD2, 0x76, 0x00, 0x01, 0x24, 0x01])),
            "GET DATA 6E" | "GET DATA 6E at the end" => assert!(data.len() > 200),
            "GET DATA C4" => assert_eq!(data.get(4..7), Some(&[3u8, 0, 3][..])),
            "GET DATA 65 after" => assert!(contains(b"Doe<<Jane") && contains(b"en")),
            "GENERATE SIG" | "READ SIG public key" => {
                assert!(
                    data.starts_with(&[0x7F, 0x49, 0x22, 0x86, 0x20]),
                    "{}",
                    step.name
                )
            }
            "PSO:CDS Ed25519" => assert_eq!(data.len(), 64),
            "READ DEC public key" => assert!(contains(&keys::RSA2048_N[..32])),
            "PSO:DECIPHER RSA-2048" => assert_eq!(&data[..], keys::SESSION_KEY),
            _ => {}
        }
    }
    let generated = answers
        .iter()
        .zip(steps)
        .find(|(_, s)| s.name == "GENERATE SIG");
    let read = answers
        .iter()
        .zip(steps)
        .find(|(_, s)| s.name == "READ SIG public key");
    if let (Some((generated, _)), Some((read, _))) = (generated, read) {
        assert_eq!(generated.data, read.data, "47 81 reads the key 47 80 made");
    }
}

/// The Ed25519 public key and the signature of the session's answers (to verify on the host):
/// `(public key, message, signature)`.
pub fn ed25519_signature<'a>(
    steps: &[Step],
    answers: &'a [Rsp],
) -> Option<(&'a [u8], &'static [u8], &'a [u8])> {
    let find = |name: &str| {
        steps
            .iter()
            .zip(answers)
            .find(|(s, _)| s.name == name)
            .map(|(_, r)| &r.data[..])
    };
    let public = find("READ SIG public key")?.get(5..37)?;
    let signature = find("PSO:CDS Ed25519")?;
    Some((public, keys::HASH32, signature))
}

/// The session through `Applet::process` on a fresh test [`Card`], 61xx answers fetched with
/// GET RESPONSE: the reference every other path is compared with.
pub fn through_process(steps: &[Step]) -> Vec<Rsp> {
    let mut card = Card::new();
    steps
        .iter()
        .map(|step| {
            let first = card.raw(&step.apdu);
            card.collect(first)
        })
        .collect()
}
