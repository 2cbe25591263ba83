//! The `session` target's structured input: a [`Session`] as `arbitrary` decodes it from the
//! fuzzer's bytes, and its encoding back into those bytes (for the seed corpus).

use arbitrary::{Arbitrary, Unstructured};
use openpgp_card_applet::Presence;

use crate::card::build_apdu_form;

/// Most operations one [`Session`] runs.
pub const MAX_OPS: usize = 256;

/// A fuzzed session: how the personalised card is set up, then the operations.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// AUT holds an RSA-2048 key instead of the P-256 one.
    pub rsa: bool,
    /// Power on contactless (touch never asked for).
    pub contactless: bool,
    /// The operations, in order (at most [`MAX_OPS`] run).
    pub ops: Vec<Op>,
}

/// One step of a [`Session`].
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Raw bytes as a command APDU, with a response buffer of [`out_len`]`(out)` bytes.
    Raw {
        /// Response buffer size selector.
        out: u8,
        /// The command.
        bytes: Bytes,
    },
    /// A well-formed APDU.
    Apdu(Apdu),
    /// VERIFY with the card's default PIN (PW1 for 81/82, PW3 for 83).
    Verify(PinRef),
    /// A power cycle (`power_on`) on the given interface.
    PowerCycle {
        /// Contactless after the cycle.
        contactless: bool,
    },
    /// Another application was selected.
    Deselect,
    /// Queue the button's next answer.
    Button(Answer),
    /// Move the clock forward.
    Clock {
        /// Milliseconds.
        ms: u32,
    },
    /// Power is lost during `apdu`: at its write number `1 + at % writes` (`writes` as a clean
    /// run of the same command on a copy of the card counts them), which reaches the medium
    /// completely (`applied`) or not at all. The card is then powered on again over the
    /// medium the cut left, and judged against the card before and after a clean run; a
    /// command that writes nothing runs uncut.
    Cut {
        /// Chooses the write at which power is lost.
        at: u8,
        /// The cut write reaches the medium.
        applied: bool,
        /// The interrupted command.
        apdu: Apdu,
    },
    /// The random source fails (or heals) from now on, across power cycles.
    Rng(RngFault),
    /// Algorithm attributes of a slot (`slot % 3`) from [`ALGORITHMS`] (PW3 verified first).
    Attributes {
        /// The slot, modulo 3.
        slot: u8,
        /// The attributes, an index into [`ALGORITHMS`] modulo its length.
        algorithm: u8,
    },
    /// A known key of every family imported into a slot with its attributes (PW3 verified
    /// first): the known keys (`keys::key_profiles`).
    Import {
        /// The slot, modulo 3.
        slot: u8,
        /// The key, an index into the known keys (`keys::key_profiles`) modulo its length.
        key: u8,
    },
    /// The slot's private-key operation with an input of the right shape (PW1 verified
    /// first): PSO:CDS for SIG, PSO:DECIPHER with the DEC key's own public point (ECDH), a
    /// PKCS#1 block or an AES cryptogram for DEC, INTERNAL AUTHENTICATE for AUT.
    Use {
        /// The slot, modulo 3.
        slot: u8,
        /// Chooses the input (see `session::use_input`).
        input: u8,
    },
}

/// How the random source fails from an [`Op::Rng`] on.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub enum RngFault {
    /// Healthy again (the applet's latched failure still lasts until a power cycle).
    Healthy,
    /// Every byte is this value.
    Stuck(u8),
    /// These bytes again and again (1 to 26 of them: the longest cycle the health tests are
    /// specified to catch; an empty one is a cycle of one zero).
    Cycle(Bytes),
    /// Good bytes for `good` more bytes, then zeros.
    DiesAfter {
        /// How many good bytes.
        good: u16,
    },
    /// Good bytes for `good` more bytes, then every draw reports an error.
    ErrorsAfter {
        /// How many good bytes.
        good: u16,
    },
}

/// Which reference [`Op::Verify`] verifies.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinRef {
    /// PW1 for PSO:CDS.
    Pw1Sign,
    /// PW1 for the other operations.
    Pw1Other,
    /// PW3.
    Pw3,
}

/// An answer of the user-presence button.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Touched.
    Confirmed,
    /// Refused.
    Denied,
    /// Nobody touched in time.
    TimedOut,
}

impl From<Answer> for Presence {
    fn from(answer: Answer) -> Presence {
        match answer {
            Answer::Confirmed => Presence::Confirmed,
            Answer::Denied => Presence::Denied,
            Answer::TimedOut => Presence::TimedOut,
        }
    }
}

/// A well-formed command APDU, encoded by
/// [`CommandApdu::emit`](openpgp_card_applet::apdu::CommandApdu::emit).
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct Apdu {
    /// CLA 10 (more blocks follow) instead of 00.
    pub chain: bool,
    /// The proprietary class 80 (YubiKey's): with any INS but FB it answers 6E00. INS FB
    /// (attestation) is always sent with it.
    pub proprietary: bool,
    /// INS, P1, P2.
    pub header: Header,
    /// The data field (at most 65535 bytes are sent).
    pub data: Bytes,
    /// Le.
    pub le: Le,
    /// Extended length fields even when short ones would do.
    pub extended: bool,
    /// Response buffer size selector, see [`out_len`].
    pub out: u8,
}

/// INS, P1, P2 of an [`Apdu`].
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub enum Header {
    /// One of the valid OpenPGP headers (index into [`KNOWN_HEADERS`], modulo its length).
    Known(u8),
    /// An OpenPGP instruction with any parameters.
    Other {
        /// The instruction.
        ins: Ins,
        /// P1.
        p1: u8,
        /// P2.
        p2: u8,
    },
}

/// The instructions of the OpenPGP application (and GET RESPONSE).
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ins {
    /// A4.
    Select,
    /// A5.
    SelectData,
    /// CA.
    GetData,
    /// CC.
    GetNextData,
    /// 20.
    Verify,
    /// 24.
    ChangeReferenceData,
    /// 2C.
    ResetRetryCounter,
    /// DA.
    PutData,
    /// DB.
    PutDataOdd,
    /// 22.
    ManageSecurityEnvironment,
    /// 47.
    GenerateAsymmetricKeyPair,
    /// 2A.
    PerformSecurityOperation,
    /// 88.
    InternalAuthenticate,
    /// 84.
    GetChallenge,
    /// E6.
    TerminateDf,
    /// 44.
    ActivateFile,
    /// C0.
    GetResponse,
    /// F1 (YubiKey's GET VERSION).
    GetVersion,
    /// F2 (YubiKey's SET PIN RETRIES).
    SetPinRetries,
    /// FB with class 80 (YubiKey's GENERATE ATTESTATION).
    Attestation,
}

impl Ins {
    /// The instruction byte.
    pub fn byte(self) -> u8 {
        match self {
            Ins::Select => 0xA4,
            Ins::SelectData => 0xA5,
            Ins::GetData => 0xCA,
            Ins::GetNextData => 0xCC,
            Ins::Verify => 0x20,
            Ins::ChangeReferenceData => 0x24,
            Ins::ResetRetryCounter => 0x2C,
            Ins::PutData => 0xDA,
            Ins::PutDataOdd => 0xDB,
            Ins::ManageSecurityEnvironment => 0x22,
            Ins::GenerateAsymmetricKeyPair => 0x47,
            Ins::PerformSecurityOperation => 0x2A,
            Ins::InternalAuthenticate => 0x88,
            Ins::GetChallenge => 0x84,
            Ins::TerminateDf => 0xE6,
            Ins::ActivateFile => 0x44,
            Ins::GetResponse => 0xC0,
            Ins::GetVersion => 0xF1,
            Ins::SetPinRetries => 0xF2,
            Ins::Attestation => 0xFB,
        }
    }
}

/// Le of an [`Apdu`].
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Le {
    /// No Le.
    Absent,
    /// Short Le (00 = 256).
    Short(u8),
    /// Extended Le (0000 = 65536).
    Extended(u16),
}

/// A byte string: one length byte (FF: a two-byte little-endian length follows), then that
/// many bytes, or as many as are left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl<'a> Arbitrary<'a> for Bytes {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Bytes> {
        let len = match u8::arbitrary(u)? {
            0xFF => usize::from(u16::arbitrary(u)?),
            short => usize::from(short),
        };
        Ok(Bytes(u.bytes(len.min(u.len()))?.to_vec()))
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, None)
    }
}

/// The valid (INS, P1, P2) of the OpenPGP application, for [`Header::Known`].
///
/// Written out, not computed, because the order is part of the checked-in corpus's encoding
/// (a [`Header::Known`] is an index). `tests/corpus.rs` proves it complete instead: its GET
/// DATA and PUT DATA headers are exactly the readable and writable DOs of the applet's
/// data-object table, and every header parses as a command.
pub const KNOWN_HEADERS: &[(u8, u8, u8)] = &[
    (0xA4, 0x04, 0x00),
    (0xA4, 0x04, 0x0C),
    (0xA4, 0x00, 0x0C),
    (0xA5, 0x00, 0x04),
    (0xA5, 0x01, 0x04),
    (0xA5, 0x02, 0x04),
    (0xCA, 0x00, 0x4F),
    (0xCA, 0x5F, 0x52),
    (0xCA, 0x7F, 0x66),
    (0xCA, 0x7F, 0x74),
    (0xCA, 0x00, 0xC0),
    (0xCA, 0x00, 0xC4),
    (0xCA, 0x00, 0x6E),
    (0xCA, 0x00, 0x65),
    (0xCA, 0x00, 0x5B),
    (0xCA, 0x5F, 0x2D),
    (0xCA, 0x5F, 0x35),
    (0xCA, 0x00, 0x7A),
    (0xCA, 0x00, 0x93),
    (0xCA, 0x00, 0xC1),
    (0xCA, 0x00, 0xC2),
    (0xCA, 0x00, 0xC3),
    (0xCA, 0x00, 0xC5),
    (0xCA, 0x00, 0xC6),
    (0xCA, 0x00, 0xCD),
    (0xCA, 0x00, 0xDE),
    (0xCA, 0x00, 0xFA),
    (0xCA, 0x00, 0xD6),
    (0xCA, 0x00, 0xD7),
    (0xCA, 0x00, 0xD8),
    (0xCA, 0x00, 0xF9),
    (0xCA, 0x00, 0x5E),
    (0xCA, 0x5F, 0x50),
    (0xCA, 0x01, 0x01),
    (0xCA, 0x01, 0x02),
    (0xCA, 0x01, 0x03),
    (0xCA, 0x01, 0x04),
    (0xCA, 0x7F, 0x21),
    (0xCC, 0x7F, 0x21),
    (0x20, 0x00, 0x81),
    (0x20, 0x00, 0x82),
    (0x20, 0x00, 0x83),
    (0x20, 0xFF, 0x81),
    (0x20, 0xFF, 0x82),
    (0x20, 0xFF, 0x83),
    (0x24, 0x00, 0x81),
    (0x24, 0x00, 0x83),
    (0x2C, 0x00, 0x81),
    (0x2C, 0x02, 0x81),
    (0xDA, 0x00, 0x5B),
    (0xDA, 0x5F, 0x2D),
    (0xDA, 0x5F, 0x35),
    (0xDA, 0x00, 0x5E),
    (0xDA, 0x5F, 0x50),
    (0xDA, 0x01, 0x01),
    (0xDA, 0x01, 0x02),
    (0xDA, 0x01, 0x03),
    (0xDA, 0x01, 0x04),
    (0xDA, 0x7F, 0x21),
    (0xDA, 0x00, 0xC4),
    (0xDA, 0x00, 0xC1),
    (0xDA, 0x00, 0xC2),
    (0xDA, 0x00, 0xC3),
    (0xDA, 0x00, 0xC7),
    (0xDA, 0x00, 0xC8),
    (0xDA, 0x00, 0xC9),
    (0xDA, 0x00, 0xCA),
    (0xDA, 0x00, 0xCB),
    (0xDA, 0x00, 0xCC),
    (0xDA, 0x00, 0xCE),
    (0xDA, 0x00, 0xCF),
    (0xDA, 0x00, 0xD0),
    (0xDA, 0x00, 0xD3),
    (0xDA, 0x00, 0xD5),
    (0xDA, 0x00, 0xD6),
    (0xDA, 0x00, 0xD7),
    (0xDA, 0x00, 0xD8),
    (0xDA, 0x00, 0xF9),
    (0xDB, 0x3F, 0xFF),
    (0x22, 0x41, 0xA4),
    (0x22, 0x41, 0xB8),
    (0x47, 0x80, 0x00),
    (0x47, 0x81, 0x00),
    (0x2A, 0x9E, 0x9A),
    (0x2A, 0x80, 0x86),
    (0x2A, 0x86, 0x80),
    (0x88, 0x00, 0x00),
    (0x84, 0x00, 0x00),
    (0xE6, 0x00, 0x00),
    (0x44, 0x00, 0x00),
    (0xC0, 0x00, 0x00),
    // YubiKey's GET VERSION and SET PIN RETRIES (appended: earlier indices keep their meaning).
    (0xF1, 0x00, 0x00),
    (0xF2, 0x00, 0x00),
    // The attestation DOs (feature `attestation`).
    (0xCA, 0x00, 0xD9),
    (0xCA, 0x00, 0xDA),
    (0xCA, 0x00, 0xDB),
    (0xCA, 0x00, 0xDC),
    (0xCA, 0x00, 0xDD),
    (0xCA, 0x00, 0xFC),
    (0xDA, 0x00, 0xD9),
    (0xDA, 0x00, 0xDC),
    (0xDA, 0x00, 0xFC),
    // YubiKey's GENERATE ATTESTATION of SIG, DEC, AUT (sent with class 80, see `class_of`).
    (0xFB, 0x01, 0x00),
    (0xFB, 0x02, 0x00),
    (0xFB, 0x03, 0x00),
];

/// The instruction that is only answered in the proprietary class 80: GENERATE ATTESTATION.
pub const INS_ATTESTATION: u8 = 0xFB;

/// The class byte of a command: 80 for the proprietary instructions ([`INS_ATTESTATION`]) or
/// when asked for, else 00; plus 10 when chained.
pub fn class_of(ins: u8, proprietary: bool, chain: bool) -> u8 {
    let class = if proprietary || ins == INS_ATTESTATION {
        0x80
    } else {
        0x00
    };
    class | if chain { 0x10 } else { 0x00 }
}

/// The algorithm attributes [`Op::Attributes`] sets: every algorithm and curve the applet
/// announces (the default ones and those off by default), each in the slots it fits and some
/// in slots it does not (the applet refuses those), RSA in every size and import format, EC
/// attributes with the trailing FF (public key in imports), and a few the applet must refuse.
pub const ALGORITHMS: &[&[u8]] = &[
    // RSA 2048/3072/4096, e of 32 bits, formats 00..03.
    &[0x01, 0x08, 0x00, 0x00, 0x20, 0x00],
    &[0x01, 0x08, 0x00, 0x00, 0x20, 0x01],
    &[0x01, 0x08, 0x00, 0x00, 0x20, 0x02],
    &[0x01, 0x08, 0x00, 0x00, 0x20, 0x03],
    &[0x01, 0x0C, 0x00, 0x00, 0x20, 0x00],
    &[0x01, 0x10, 0x00, 0x00, 0x20, 0x00],
    &[0x01, 0x10, 0x00, 0x00, 0x20, 0x02],
    // RSA with YubiKey's 17-bit exponent length (what FA announces).
    &[0x01, 0x08, 0x00, 0x00, 0x11, 0x00],
    &[0x01, 0x0C, 0x00, 0x00, 0x11, 0x00],
    &[0x01, 0x10, 0x00, 0x00, 0x11, 0x00],
    // Ed25519, X25519, Ed448, X448.
    &[0x16, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01],
    &[
        0x12, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01,
    ],
    &[0x16, 0x2B, 0x65, 0x71],
    &[0x12, 0x2B, 0x65, 0x6F],
    // ECDSA (13) and ECDH (12) on P-256, P-384, P-521, secp256k1, brainpoolP256r1/384r1/512r1.
    &[0x13, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
    &[0x12, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
    &[0x13, 0x2B, 0x81, 0x04, 0x00, 0x22],
    &[0x12, 0x2B, 0x81, 0x04, 0x00, 0x22],
    &[0x13, 0x2B, 0x81, 0x04, 0x00, 0x23],
    &[0x12, 0x2B, 0x81, 0x04, 0x00, 0x23],
    &[0x13, 0x2B, 0x81, 0x04, 0x00, 0x0A],
    &[0x12, 0x2B, 0x81, 0x04, 0x00, 0x0A],
    &[0x13, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
    &[0x12, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
    &[0x13, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B],
    &[0x12, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B],
    &[0x13, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D],
    &[0x12, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D],
    // With the trailing FF (import with public key).
    &[0x13, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0xFF],
    &[
        0x16, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01, 0xFF,
    ],
    &[0x12, 0x2B, 0x65, 0x6F, 0xFF],
    // Refused: RSA 1024, an unknown OID, EdDSA ID with an ECDH OID, empty.
    &[0x01, 0x04, 0x00, 0x00, 0x20, 0x00],
    &[0x13, 0x2B, 0x81, 0x04, 0x00, 0x21],
    &[
        0x16, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01,
    ],
    &[],
];

/// The response buffer of the session's applet: the largest response and the status word.
pub(crate) const FULL_OUT: usize = 4096 + 2;

/// Response buffer size for a selector: 0 and 80..FF the full buffer, 1..7F that many bytes
/// (so 1 tests the "no room for a status word" contract).
pub fn out_len(selector: u8) -> usize {
    match selector {
        1..=0x7F => usize::from(selector),
        _ => FULL_OUT,
    }
}

impl Apdu {
    /// The encoded command.
    pub fn encode(&self) -> Vec<u8> {
        let (ins, p1, p2) = match self.header {
            Header::Known(index) => KNOWN_HEADERS[usize::from(index) % KNOWN_HEADERS.len()],
            Header::Other { ins, p1, p2 } => (ins.byte(), p1, p2),
        };
        let (le, extended) = match self.le {
            Le::Absent => (None, self.extended),
            Le::Short(0) => (Some(256), self.extended),
            Le::Short(n) => (Some(u32::from(n)), self.extended),
            Le::Extended(0) => (Some(65536), true),
            Le::Extended(n) => (Some(u32::from(n)), true),
        };
        let cla = class_of(ins, self.proprietary, self.chain);
        build_apdu_form(cla, ins, p1, p2, &self.data.0, le, extended)
    }
}

/// Encodes a [`Session`] into the bytes that `arbitrary` decodes back into it (the derive's
/// format: enum discriminants as `u32` scaled over the variants, `bool` as one byte, the last
/// field's `Vec` as "continue" bytes, [`Bytes`] as above).
pub fn encode_session(session: &Session) -> Vec<u8> {
    let mut out = Vec::new();
    out.push(u8::from(session.rsa));
    out.push(u8::from(session.contactless));
    for op in &session.ops {
        out.push(1);
        encode_op(op, &mut out);
    }
    out
}

fn variant(out: &mut Vec<u8>, index: u32, count: u32) {
    let scaled = (u64::from(index) << 32).div_ceil(u64::from(count));
    out.extend_from_slice(&(scaled as u32).to_le_bytes());
}

fn encode_bytes(bytes: &Bytes, out: &mut Vec<u8>) {
    let data = bytes.0.get(..bytes.0.len().min(65535)).unwrap_or(&[]);
    if data.len() < 0xFF {
        out.push(data.len() as u8);
    } else {
        out.push(0xFF);
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    }
    out.extend_from_slice(data);
}

fn encode_apdu(apdu: &Apdu, out: &mut Vec<u8>) {
    out.push(u8::from(apdu.chain));
    out.push(u8::from(apdu.proprietary));
    match apdu.header {
        Header::Known(index) => {
            variant(out, 0, 2);
            out.push(index);
        }
        Header::Other { ins, p1, p2 } => {
            variant(out, 1, 2);
            variant(out, ins as u32, 20);
            out.extend_from_slice(&[p1, p2]);
        }
    }
    encode_bytes(&apdu.data, out);
    match apdu.le {
        Le::Absent => variant(out, 0, 3),
        Le::Short(n) => {
            variant(out, 1, 3);
            out.push(n);
        }
        Le::Extended(n) => {
            variant(out, 2, 3);
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    out.push(u8::from(apdu.extended));
    out.push(apdu.out);
}

fn encode_op(op: &Op, out: &mut Vec<u8>) {
    // Raw stays the first variant: its discriminant encodes as 0 whatever the count, so the
    // raw-APDU seeds taken from GnuPG logs keep their meaning when variants are added.
    const OPS: u32 = 12;
    match op {
        Op::Raw { out: o, bytes } => {
            variant(out, 0, OPS);
            out.push(*o);
            encode_bytes(bytes, out);
        }
        Op::Apdu(apdu) => {
            variant(out, 1, OPS);
            encode_apdu(apdu, out);
        }
        Op::Verify(reference) => {
            variant(out, 2, OPS);
            variant(out, *reference as u32, 3);
        }
        Op::PowerCycle { contactless } => {
            variant(out, 3, OPS);
            out.push(u8::from(*contactless));
        }
        Op::Deselect => variant(out, 4, OPS),
        Op::Button(answer) => {
            variant(out, 5, OPS);
            variant(out, *answer as u32, 3);
        }
        Op::Clock { ms } => {
            variant(out, 6, OPS);
            out.extend_from_slice(&ms.to_le_bytes());
        }
        Op::Cut { at, applied, apdu } => {
            variant(out, 7, OPS);
            out.push(*at);
            out.push(u8::from(*applied));
            encode_apdu(apdu, out);
        }
        Op::Rng(fault) => {
            variant(out, 8, OPS);
            match fault {
                RngFault::Healthy => variant(out, 0, 5),
                RngFault::Stuck(value) => {
                    variant(out, 1, 5);
                    out.push(*value);
                }
                RngFault::Cycle(bytes) => {
                    variant(out, 2, 5);
                    encode_bytes(bytes, out);
                }
                RngFault::DiesAfter { good } => {
                    variant(out, 3, 5);
                    out.extend_from_slice(&good.to_le_bytes());
                }
                RngFault::ErrorsAfter { good } => {
                    variant(out, 4, 5);
                    out.extend_from_slice(&good.to_le_bytes());
                }
            }
        }
        Op::Attributes { slot, algorithm } => {
            variant(out, 9, OPS);
            out.extend_from_slice(&[*slot, *algorithm]);
        }
        Op::Import { slot, key } => {
            variant(out, 10, OPS);
            out.extend_from_slice(&[*slot, *key]);
        }
        Op::Use { slot, input } => {
            variant(out, 11, OPS);
            out.extend_from_slice(&[*slot, *input]);
        }
    }
}

/// Decodes a session exactly as `libfuzzer-sys` does for `fuzz_target!(|s: Session| ..)`.
pub fn decode_session(data: &[u8]) -> Option<Session> {
    Session::arbitrary_take_rest(Unstructured::new(data)).ok()
}
