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
        let cla = if self.chain { 0x10 } else { 0x00 };
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

fn encode_op(op: &Op, out: &mut Vec<u8>) {
    const OPS: u32 = 7;
    match op {
        Op::Raw { out: o, bytes } => {
            variant(out, 0, OPS);
            out.push(*o);
            encode_bytes(bytes, out);
        }
        Op::Apdu(apdu) => {
            variant(out, 1, OPS);
            out.push(u8::from(apdu.chain));
            match apdu.header {
                Header::Known(index) => {
                    variant(out, 0, 2);
                    out.push(index);
                }
                Header::Other { ins, p1, p2 } => {
                    variant(out, 1, 2);
                    variant(out, ins as u32, 17);
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
    }
}

/// Decodes a session exactly as `libfuzzer-sys` does for `fuzz_target!(|s: Session| ..)`.
pub fn decode_session(data: &[u8]) -> Option<Session> {
    Session::arbitrary_take_rest(Unstructured::new(data)).ok()
}
