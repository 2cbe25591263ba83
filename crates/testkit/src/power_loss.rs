//! The power-loss observer: everything a host can read from a card without a PIN, to compare
//! the card after a cut with the card before and after the interrupted command.
//!
//! Used by the core's power-loss proof (cuts at every record write) and by
//! `flash-record-storage`'s (cuts at every flash word), so both judge the same observation.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use openpgp_card_applet::{Clock, Storage, UserPresence};
use rand_core::CryptoRng;

use crate::client::hex;
use crate::client::Card;
use crate::import::import_template;

/// One observation: a name, the data and the status word, for each readable object.
pub type Seen = Vec<(String, Vec<u8>, u16)>;

/// The data objects a host can read without a PIN (C4 too; the counters in 6E are masked).
pub const OBSERVED_DOS: [u16; 16] = [
    0x006E, 0x0065, 0x5F50, 0x005E, 0x0101, 0x0102, 0x007A, 0x00F9, 0x00DE, 0x00C5, 0x00CD, 0x00C6,
    0x00D6, 0x00D7, 0x00D8, 0x00C4,
];

/// Everything a host can read without a PIN: SELECT, the DOs of [`OBSERVED_DOS`], the three
/// certificate occurrences and the three public keys.
pub fn observe<S, R, C, U>(card: &mut Card<S, R, C, U>) -> Seen
where
    S: Storage,
    R: CryptoRng,
    C: Clock,
    U: UserPresence,
{
    let mut seen = Vec::new();
    let rsp = card.select();
    seen.push((String::from("SELECT"), rsp.data, rsp.sw));
    for tag in OBSERVED_DOS {
        let rsp = card.get_data(tag);
        let data = if tag == 0x6E {
            mask_pin_counters(&rsp.data)
        } else {
            rsp.data
        };
        seen.push((format!("DO {tag:04X}"), data, rsp.sw));
    }
    for occurrence in 0..3u8 {
        card.raw(&[
            0x00, 0xA5, occurrence, 0x04, 0x06, 0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21,
        ]);
        let rsp = card.get_data(0x7F21);
        seen.push((format!("7F21 #{occurrence}"), rsp.data, rsp.sw));
    }
    for crt in [0xB6u8, 0xB8, 0xA4] {
        let rsp = card.cmd_all(0x47, 0x81, 0x00, &[crt, 0x00]);
        seen.push((format!("public key {crt:02X}"), rsp.data, rsp.sw));
    }
    seen
}

/// 6E with the retry counters (C4 bytes 5-7) zeroed: [`counters`] checks those on their own.
fn mask_pin_counters(ard: &[u8]) -> Vec<u8> {
    let mut out = ard.to_vec();
    if let Some(pos) = ard.windows(2).position(|w| w == [0xC4, 0x07]) {
        for byte in out.iter_mut().skip(pos + 2 + 4).take(3) {
            *byte = 0;
        }
    }
    out
}

/// PW1, Resetting Code and PW3 counters as C4 shows them (`None` when unreadable).
pub fn counters<S, R, C, U>(card: &mut Card<S, R, C, U>) -> Option<[u8; 3]>
where
    S: Storage,
    R: CryptoRng,
    C: Clock,
    U: UserPresence,
{
    let rsp = card.get_data(0xC4);
    (rsp.sw == 0x9000 && rsp.data.len() == 7).then(|| [rsp.data[4], rsp.data[5], rsp.data[6]])
}

/// Personalises a factory-fresh card as the power-loss proofs start from it: Ed25519 SIG
/// (imported), RSA-2048 DEC (generated on the card), P-256 AUT (imported), cardholder name, a
/// URL, a 700-byte certificate, a Resetting Code, UIF on DEC, forcesig off and two signatures
/// counted. PW1 stays verified.
///
/// # Panics
/// If the card refuses a step.
pub fn personalise<S, R, C, U>(card: &mut Card<S, R, C, U>)
where
    S: Storage,
    R: CryptoRng,
    C: Clock,
    U: UserPresence,
{
    use crate::client::assert_sw;
    card.select();
    card.verify_admin();
    for (tag, value) in [
        (0x00C1u16, hex("162B06010401DA470F01")),
        (0x00C2, hex("010800002000")),
        (0x00C3, hex("132A8648CE3D030107")),
        (0x005B, b"Doe<<Jane".to_vec()),
        (0x5F50, b"https://example.org".to_vec()),
        (0x7F21, vec![0x30; 700]),
        (0x00D3, b"resetcode".to_vec()),
        (0x00D7, vec![0x01, 0x20]),
        (0x00C4, vec![0x01]),
    ] {
        assert_sw(&card.put_data(tag, &value), 0x9000);
    }
    assert_sw(&card.generate(0xB8), 0x9000);
    let sig = import_template(0xB6, &[(0x92, &[0x11; 32])]);
    assert_sw(&card.cmd(0x00, 0xDB, 0x3F, 0xFF, &sig), 0x9000);
    let aut = import_template(0xA4, &[(0x92, &[0x33; 32])]);
    assert_sw(&card.cmd(0x00, 0xDB, 0x3F, 0xFF, &aut), 0x9000);
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    for _ in 0..2 {
        assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"message"), 0x9000);
    }
}

/// One state-changing scenario: the APDUs after power-on.
pub struct Scenario {
    /// What the scenario does.
    pub name: &'static str,
    /// The APDUs after power-on, SELECT first.
    pub apdus: Vec<Vec<u8>>,
    /// A documented intermediate state a cut may also leave, as the APDUs that reach it.
    pub intermediate: Option<Vec<Vec<u8>>>,
}

fn select() -> Vec<u8> {
    hex("00A4040006D27600012401")
}

/// A case 1/3 command APDU (short or extended Lc), encoded by the applet's own emitter.
fn apdu(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    crate::client::encode(&crate::client::command(0, ins, p1, p2, data, None)).unwrap_or_default()
}

fn user(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<Vec<u8>> {
    vec![select(), apdu(ins, p1, p2, data)]
}

fn admin(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<Vec<u8>> {
    vec![
        select(),
        apdu(0x20, 0, 0x83, b"12345678"),
        apdu(ins, p1, p2, data),
    ]
}

fn plain(name: &'static str, apdus: Vec<Vec<u8>>) -> Scenario {
    Scenario {
        name,
        apdus,
        intermediate: None,
    }
}

/// The state-changing scenarios of the power-loss proofs (the core's, cut at every record
/// write, and `flash-record-storage`'s, cut at every flash word), run on a card
/// [`personalise`]d first.
pub fn scenarios() -> Vec<Scenario> {
    let mut kdf = hex("810103 820108 8304000186A0 8408 3031323334353637");
    kdf.extend_from_slice(&[0x87, 0x20]);
    kdf.extend_from_slice(&[0xAA; 32]);
    kdf.extend_from_slice(&[0x88, 0x20]);
    kdf.extend_from_slice(&[0xBB; 32]);
    let terminate = admin(0xE6, 0, 0, &[]);
    let mut reset = terminate.clone();
    reset.push(apdu(0x44, 0, 0, &[]));
    vec![
        plain("VERIFY 81 wrong", user(0x20, 0, 0x81, b"654321")),
        plain("VERIFY 82 right", user(0x20, 0, 0x82, b"123456")),
        plain("VERIFY 83 wrong", user(0x20, 0, 0x83, b"87654321")),
        plain("VERIFY 83 right", user(0x20, 0, 0x83, b"12345678")),
        plain(
            "CHANGE REFERENCE DATA PW1",
            user(0x24, 0, 0x81, b"123456new-pin"),
        ),
        plain(
            "CHANGE REFERENCE DATA PW3 wrong",
            user(0x24, 0, 0x83, b"87654321new-admin"),
        ),
        plain(
            "RESET RETRY COUNTER with RC",
            user(0x2C, 0, 0x81, b"resetcodefresh-pin"),
        ),
        plain(
            "RESET RETRY COUNTER with RC wrong",
            user(0x2C, 0, 0x81, b"resetcoxfresh-pin"),
        ),
        plain(
            "RESET RETRY COUNTER by PW3",
            admin(0x2C, 2, 0x81, b"fresh-pin"),
        ),
        plain("PUT DATA name", admin(0xDA, 0, 0x5B, b"Roe<<Richard")),
        plain("PUT DATA URL cleared", admin(0xDA, 0x5F, 0x50, &[])),
        plain(
            "PUT DATA certificate",
            admin(0xDA, 0x7F, 0x21, &[0x31; 900]),
        ),
        plain("PUT DATA fingerprint", admin(0xDA, 0, 0xC8, &[0xF8; 20])),
        plain("PUT DATA CA fingerprint", admin(0xDA, 0, 0xCB, &[0xCB; 20])),
        plain("PUT DATA C4", admin(0xDA, 0, 0xC4, &[0x00])),
        plain(
            "PUT DATA resetting code",
            admin(0xDA, 0, 0xD3, b"another-code"),
        ),
        plain("PUT DATA UIF", admin(0xDA, 0, 0xD8, &[0x02, 0x20])),
        plain("PUT DATA private DO", admin(0xDA, 0x01, 0x02, b"private")),
        plain("SET PIN RETRIES", admin(0xF2, 0x00, 0x00, &[5, 4, 6])),
        plain(
            "algorithm attributes change (deletes SIG key)",
            admin(0xDA, 0, 0xC1, &hex("132A8648CE3D030107")),
        ),
        plain("GENERATE SIG", admin(0x47, 0x80, 0, &[0xB6, 0x00])),
        plain("GENERATE AUT", admin(0x47, 0x80, 0, &[0xA4, 0x00])),
        plain("GENERATE DEC (RSA)", admin(0x47, 0x80, 0, &[0xB8, 0x00])),
        plain(
            "import SIG",
            admin(
                0xDB,
                0x3F,
                0xFF,
                &import_template(0xB6, &[(0x92, &[0x44; 32])]),
            ),
        ),
        plain(
            "import AUT",
            admin(
                0xDB,
                0x3F,
                0xFF,
                &import_template(0xA4, &[(0x92, &[0x55; 32])]),
            ),
        ),
        plain(
            "PSO:CDS counts",
            vec![
                select(),
                apdu(0x20, 0, 0x81, b"123456"),
                apdu(0x2A, 0x9E, 0x9A, b"signed"),
            ],
        ),
        plain("KDF setup", admin(0xDA, 0, 0xF9, &kdf)),
        plain("TERMINATE", terminate.clone()),
        // Documented: a cut during ACTIVATE leaves the card terminated; ACTIVATE completes it.
        Scenario {
            name: "TERMINATE + ACTIVATE",
            apdus: reset,
            intermediate: Some(terminate),
        },
    ]
}
