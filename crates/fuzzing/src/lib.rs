//! Fuzzing entry points and their oracles.
//!
//! Each function takes what a fuzzer produces and panics on a broken invariant, so that the
//! cargo-fuzz targets in `fuzz/` are one-liners and `tests/corpus.rs` here runs the very same
//! functions over the checked-in corpus with plain `cargo test`:
//!
//! - [`apdu`]: arbitrary bytes into [`CommandApdu::parse`]; a parsed APDU is emitted back to
//!   exactly the input, and the bytes go once through an [`Exchange`];
//! - [`tlv`]: [`Reader`] over arbitrary bytes, then a [`Writer`] round trip of what was read
//!   (nested templates re-encoded with `open`/`close`) that must read back equal;
//! - [`import`]: arbitrary key-import templates (`00 DB 3F FF`) for every slot under several
//!   algorithm attributes, on a card whose slots hold known keys: the response always ends with
//!   a valid status word, and a rejected import leaves every key record byte-identical and the
//!   targeted key still answering exactly as before;
//! - [`session`]: a structured sequence of operations ([`Session`], decoded with `arbitrary`)
//!   against a personalised card (Ed25519 SIG, X25519 DEC, P-256 or RSA-2048 AUT, AES key,
//!   Resetting Code, all from known values), with cheap oracles after every operation: a valid
//!   status word, a response that fits the buffer, no 16-byte window of any private key in any
//!   response, and no PIN retry counter that grows without a command allowed to restore it
//!   (SET PIN RETRIES never gives back a lost try).
//!
//! The crate needs the applet's default algorithm features.

use std::collections::HashSet;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};

use openpgp_card_applet::apdu::{from_fn, Class, CommandApdu, Exchange};
use openpgp_card_applet::crypto::Curve;
use openpgp_card_applet::spec::Slot;
use openpgp_card_applet::tlv::{Reader, Writer};
use openpgp_card_applet::Error;
use openpgp_card_applet::{
    Applet, Config, Platform, Presence, RecordId, Status, Storage, Transport,
};
use openpgp_card_applet_testkit::{ManualClock, MemoryStorage, ScriptedButton, TestRng};

// ---------------------------------------------------------------------------------------------
// apdu

/// Fuzz target `apdu`: [`CommandApdu::parse`] is total, a parsed APDU is encodable and
/// [`CommandApdu::emit`] writes exactly the input back (and refuses a buffer one byte short);
/// the same bytes through an [`Exchange`] (and a GET RESPONSE after them) always answer a
/// known status word.
pub fn apdu(data: &[u8]) {
    match CommandApdu::parse(data) {
        Ok(apdu) => {
            assert!(apdu.is_encodable(), "parsed but not encodable: {apdu:02X?}");
            assert_eq!(apdu.buffer_len(), data.len(), "buffer_len of {apdu:02X?}");
            let mut out = vec![0u8; data.len()];
            assert_eq!(apdu.emit(&mut out), Some(data.len()), "emit of {apdu:02X?}");
            assert_eq!(out, data, "emit does not reproduce the input");
            if let Some(short) = out.get_mut(..data.len() - 1) {
                assert_eq!(apdu.emit(short), None, "emit into a buffer one byte short");
            }
            if let Some(le) = apdu.le {
                assert!((1..=65536).contains(&le), "Le {le}");
            }
            let _ = Class::parse(apdu.cla);
        }
        Err(error) => assert_eq!(
            error,
            openpgp_card_applet::apdu::Error::WrongLength,
            "parse error"
        ),
    }
    let mut exchange = Exchange::new(256, 512);
    let mut out = [0u8; 300];
    for command in [data, &[0x00, 0xC0, 0x00, 0x00, 0x00][..]] {
        let n = exchange.process(
            command,
            &mut out,
            &mut from_fn(|request, w| {
                // Echo the data twice: long answers exercise GET RESPONSE.
                w.raw(request.data)?;
                w.raw(request.data)
            }),
        );
        assert!((2..=out.len()).contains(&n), "response length {n}");
        assert_status(&out[..n]);
    }
}

// ---------------------------------------------------------------------------------------------
// tlv

/// How deep [`tlv`] descends into constructed TLVs.
const TLV_MAX_DEPTH: usize = 8;

/// A TLV tree as [`tlv`] reads it: a constructed tag (bit 6 of the first byte) whose value is
/// a clean sequence of TLVs becomes a node with children, anything else a leaf.
#[derive(Debug, PartialEq, Eq)]
enum Node<'a> {
    Leaf(u16, &'a [u8]),
    Constructed(u16, Vec<Node<'a>>),
}

fn is_constructed(tag: u16) -> bool {
    let first = if tag > 0xFF {
        (tag >> 8) as u8
    } else {
        tag as u8
    };
    first & 0x20 != 0
}

/// Reads TLVs until the reader stops; returns the nodes and the bytes left over.
fn read_nodes(bytes: &[u8], depth: usize) -> (Vec<Node<'_>>, &[u8]) {
    let mut reader = Reader::new(bytes);
    let mut nodes = Vec::new();
    while let Some(tlv) = reader.tlv() {
        let node = if depth < TLV_MAX_DEPTH && is_constructed(tlv.tag) {
            match read_nodes(tlv.value, depth + 1) {
                (children, []) => Node::Constructed(tlv.tag, children),
                _ => Node::Leaf(tlv.tag, tlv.value),
            }
        } else {
            Node::Leaf(tlv.tag, tlv.value)
        };
        nodes.push(node);
    }
    let rest = reader.remaining();
    assert!(bytes.ends_with(rest), "remaining() is not a suffix");
    (nodes, rest)
}

fn write_nodes(nodes: &[Node<'_>], w: &mut Writer<'_>) -> Result<(), Error> {
    for node in nodes {
        match node {
            Node::Leaf(tag, value) => w.put(*tag, value)?,
            Node::Constructed(tag, children) => {
                let open = w.open(*tag)?;
                write_nodes(children, w)?;
                w.close(open)?;
            }
        }
    }
    Ok(())
}

/// Fuzz target `tlv`: the [`Reader`] is total over arbitrary bytes, and what it read survives a
/// [`Writer`] round trip: re-encoded (shortest lengths, nested templates through `open` and
/// `close`) it reads back as the same tree, takes no more bytes than the original, and is a
/// fixed point of a second round trip. A writer over too small a buffer fails cleanly.
pub fn tlv(data: &[u8]) {
    let (nodes, rest) = read_nodes(data, 0);
    let consumed = data.len() - rest.len();
    let first_tag = match nodes.first() {
        Some(Node::Leaf(tag, _) | Node::Constructed(tag, _)) => *tag,
        None => 0,
    };
    let found = openpgp_card_applet::tlv::find(data, first_tag);
    assert_eq!(
        found.is_ok(),
        rest.is_empty(),
        "find() and the reader disagree"
    );
    let mut reader = Reader::new(data);
    let _ = reader.expect(first_tag);
    let _ = reader.finish();

    let mut buf = vec![0u8; data.len() + 3 * TLV_MAX_DEPTH + 8];
    let mut w = Writer::new(&mut buf);
    write_nodes(&nodes, &mut w).expect("re-encoding what was read");
    let encoded = w.written().to_vec();
    assert!(
        encoded.len() <= consumed,
        "the canonical form is longer than the input"
    );
    let (again, left) = read_nodes(&encoded, 0);
    assert!(
        left.is_empty(),
        "the canonical form does not read completely"
    );
    assert_eq!(again, nodes, "round trip changed the TLVs");

    let mut buf2 = vec![0u8; encoded.len() + 3 * TLV_MAX_DEPTH + 8];
    let mut w2 = Writer::new(&mut buf2);
    write_nodes(&again, &mut w2).expect("re-encoding the canonical form");
    assert_eq!(
        w2.written(),
        &encoded[..],
        "the canonical form is not a fixed point"
    );

    // Too small a buffer: an error, never a panic.
    if !encoded.is_empty() {
        let mut small = vec![0u8; encoded.len() / 2];
        let mut w3 = Writer::new(&mut small);
        assert!(
            write_nodes(&nodes, &mut w3).is_err(),
            "wrote into half the room"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Shared card helpers

/// The card's default user PIN (PW1).
pub const PW1: &[u8] = b"123456";
/// The card's default admin PIN (PW3).
pub const PW3: &[u8] = b"12345678";
/// The Resetting Code the personalised session card is given.
pub const RESETTING_CODE: &[u8] = b"resetcode1";

type FuzzApplet<S> = Applet<S, TestRng, ManualClock, ScriptedButton>;

fn applet_on<S: Storage>(storage: S, transport: Transport) -> FuzzApplet<S> {
    let mut applet = Applet::new(
        Config::default(),
        Platform {
            storage,
            rng: TestRng::seed_from_u64(0x5EED),
            clock: ManualClock::new(),
            user_presence: ScriptedButton::always(Presence::Confirmed),
        },
    );
    applet.power_on(transport);
    applet
}

/// Decodes hex (test constants only): the test kit's.
pub use openpgp_card_applet_testkit::hex;

fn hex_lines(lines: &[&str]) -> Vec<u8> {
    lines.iter().flat_map(|line| hex(line)).collect()
}

/// Panics unless `response` ends with a status word the applet may send.
fn assert_status(response: &[u8]) -> u16 {
    let [.., sw1, sw2] = *response else {
        panic!("response without a status word: {response:02X?}");
    };
    let sw = u16::from_be_bytes([sw1, sw2]);
    assert!(
        Status::from_u16(sw).is_some(),
        "unknown status word {sw:04X} in {response:02X?}"
    );
    sw
}

/// Builds an APDU with the crate's own encoder: short when it fits, extended otherwise.
pub fn build_apdu(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], le: Option<u32>) -> Vec<u8> {
    build_apdu_form(cla, ins, p1, p2, data, le, false)
}

fn build_apdu_form(
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &[u8],
    le: Option<u32>,
    extended: bool,
) -> Vec<u8> {
    let data = data.get(..data.len().min(65535)).unwrap_or(&[]);
    let mut apdu = openpgp_card_applet_testkit::client::command(cla, ins, p1, p2, data, le);
    apdu.extended |= extended;
    // Extended without data or Le cannot be said: four zero bytes, as the corpus has it.
    openpgp_card_applet_testkit::client::encode(&apdu).unwrap_or_else(|| vec![0; 4])
}

/// One exchange with a large buffer: the whole response (data and status word).
fn send<S: Storage>(applet: &mut FuzzApplet<S>, apdu: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 4200];
    let n = applet.process(apdu, &mut out);
    out.truncate(n);
    assert_status(&out);
    out
}

/// Sends a command and fetches the whole answer with GET RESPONSE; data and status word.
fn command<S: Storage>(
    applet: &mut FuzzApplet<S>,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &[u8],
) -> (Vec<u8>, u16) {
    let mut response = send(applet, &build_apdu(0, ins, p1, p2, data, Some(256)));
    let mut all = Vec::new();
    loop {
        let sw = split_sw(&mut response);
        all.extend_from_slice(&response);
        if sw >> 8 != 0x61 {
            return (all, sw);
        }
        response = send(applet, &[0x00, 0xC0, 0x00, 0x00, 0x00]);
    }
}

fn split_sw(response: &mut Vec<u8>) -> u16 {
    let n = response.len();
    let sw = u16::from_be_bytes([response[n - 2], response[n - 1]]);
    response.truncate(n - 2);
    sw
}

#[track_caller]
fn expect_ok<S: Storage>(applet: &mut FuzzApplet<S>, ins: u8, p1: u8, p2: u8, data: &[u8]) {
    let (_, sw) = command(applet, ins, p1, p2, data);
    assert_eq!(sw, 0x9000, "set-up command {ins:02X} {p1:02X} {p2:02X}");
}

/// PUT DATA `tag` during set-up; must answer 9000.
fn expect_put<S: Storage>(applet: &mut FuzzApplet<S>, tag: u16, data: &[u8]) {
    let [p1, p2] = tag.to_be_bytes();
    expect_ok(applet, 0xDA, p1, p2, data);
}

/// A key-import template as GnuPG builds it (re-exported for the fuzz targets' seeds).
pub use openpgp_card_applet_testkit::import_template;

/// The control reference templates of the three slots (SIG, DEC, AUT).
pub const CRT: [u8; 3] = [
    Slot::Sig.crt_tag(),
    Slot::Dec.crt_tag(),
    Slot::Aut.crt_tag(),
];

/// Algorithm attributes used by the fuzzers.
pub mod attributes {
    /// Ed25519 (EdDSA).
    pub const ED25519: &str = "162B06010401DA470F01";
    /// X25519 (ECDH on Curve25519).
    pub const X25519: &str = "122B060104019755010501";
    /// ECDSA on P-256.
    pub const P256_ECDSA: &str = "132A8648CE3D030107";
    /// ECDH on P-256.
    pub const P256_ECDH: &str = "122A8648CE3D030107";
    /// ECDSA on P-384.
    pub const P384_ECDSA: &str = "132B81040022";
    /// ECDH on P-384.
    pub const P384_ECDH: &str = "122B81040022";
    /// ECDSA on secp256k1.
    pub const K256_ECDSA: &str = "132B8104000A";
    /// ECDH on secp256k1.
    pub const K256_ECDH: &str = "122B8104000A";
    /// ECDSA on P-521.
    pub const P521_ECDSA: &str = "132B81040023";
    /// ECDH on P-521.
    pub const P521_ECDH: &str = "122B81040023";
    /// ECDSA on brainpoolP256r1.
    pub const BP256_ECDSA: &str = "132B2403030208010107";
    /// ECDH on brainpoolP256r1.
    pub const BP256_ECDH: &str = "122B2403030208010107";
    /// ECDSA on brainpoolP384r1.
    pub const BP384_ECDSA: &str = "132B240303020801010B";
    /// ECDH on brainpoolP384r1.
    pub const BP384_ECDH: &str = "122B240303020801010B";
    /// ECDSA on brainpoolP512r1.
    pub const BP512_ECDSA: &str = "132B240303020801010D";
    /// ECDH on brainpoolP512r1.
    pub const BP512_ECDH: &str = "122B240303020801010D";
    /// Ed448 (EdDSA).
    pub const ED448: &str = "162B6571";
    /// X448 (ECDH on Curve448).
    pub const X448: &str = "122B656F";
    /// RSA-2048, e of 32 bits, import format 00 (the last byte is the format).
    pub const RSA2048: &str = "010800002000";
}

/// The kind of key in a slot, for the probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// Ed25519 or Ed448 (deterministic signatures).
    EdDsa,
    /// X25519 or X448.
    Xdh,
    Ecdsa(Curve),
    Ecdh,
    Rsa,
}

/// A known private key and the template that imports it.
struct KnownKey {
    family: Family,
    attributes: Vec<u8>,
    parts: Vec<(u8, Vec<u8>)>,
}

impl KnownKey {
    fn template(&self, crt: u8) -> Vec<u8> {
        let parts: Vec<(u8, &[u8])> = self.parts.iter().map(|(t, v)| (*t, &v[..])).collect();
        import_template(crt, &parts)
    }

    fn ec(family: Family, attributes: &str, scalar: &str) -> KnownKey {
        KnownKey {
            family,
            attributes: hex(attributes),
            parts: vec![(0x92, hex(scalar))],
        }
    }

    /// The fixed RSA-2048 key in import format `format` (00..03).
    fn rsa(format: u8) -> KnownKey {
        let mut attributes = hex(attributes::RSA2048);
        if let Some(last) = attributes.last_mut() {
            *last = format;
        }
        let mut parts = vec![
            (0x91, vec![0x01, 0x00, 0x01]),
            (0x92, hex_lines(RSA_P)),
            (0x93, hex_lines(RSA_Q)),
        ];
        if format >= 2 {
            parts.push((0x94, hex_lines(RSA_QINV)));
            parts.push((0x95, hex_lines(RSA_DP)));
            parts.push((0x96, hex_lines(RSA_DQ)));
        }
        if format == 1 || format == 3 {
            parts.push((0x97, hex_lines(RSA_N)));
        }
        KnownKey {
            family: Family::Rsa,
            attributes,
            parts,
        }
    }

    fn with_public_key_flag(mut self) -> KnownKey {
        self.attributes.push(0xFF);
        self
    }
}

/// Ed25519 seed of the personalised cards.
const ED25519_SEED: &str = "6ec9f8dd9cfe90b01cb0501b300248df13eae8b6d46ed56b464146bb0dab3820";
/// X25519 scalar of the personalised cards, in GnuPG's byte order.
const X25519_SCALAR: &str = "f59deeafcf74258fa3a784e59d24a0d6b6cf4b8df9636225aeb8505b7e2d115d";
/// P-256 scalar of the personalised cards.
const P256_SCALAR: &str = "be3ee35270b62de9edf2d4756cabd936e7059b2c830b9b9c78412c7537d26908";
/// P-384 scalar of the import fuzzer's cards.
const P384_SCALAR: &str =
    "18a3bf8d651e84701a522ada1d6d79fcf91825e0937953b42aa3ee6a7960d1476a6e3772088144481df608e767a4feb0";
/// secp256k1 scalar of the import fuzzer's cards.
const K256_SCALAR: &str = "82ca6c43f3a944e0f69f92560acf5687a51ae4e1654047d7e06ce67545d94a17";
/// P-521 scalar of the import fuzzer's cards.
const P521_SCALAR: &str = "0194d1cce3b7770779f11252180d20fb9a429a701b0bb82cc61b199383472627e2a0f73b7a5013640c12080ecead064cfbe3142a18186e4d1a3bb9a0356ec2ef2f15";
/// brainpoolP256r1 scalar of the import fuzzer's cards.
const BP256_SCALAR: &str = "9b7280ba6f988b73188c6f2cd02985259a057eab5fe022f5cec68a691b5ab6c9";
/// brainpoolP384r1 scalar of the import fuzzer's cards.
const BP384_SCALAR: &str =
    "6ca41321583b2295a9b0dea0a3dcd09a3ff43dc71889450cc2125a5a295064b0955a188ac88da11e3eb6c90960682d68";
/// brainpoolP512r1 scalar of the import fuzzer's cards.
const BP512_SCALAR: &str = "9865f667a25fac828ee66f4a068530f331fcebc297ed989a393867f5b13985851a65e37ed4ed20fe662e4e09da506e02ae37351367ff235092013b78ba1c02d9";
/// Ed448 seed of the import fuzzer's cards.
const ED448_SEED: &str = "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e";
/// X448 scalar of the import fuzzer's cards (RFC 7748 order).
const X448_SCALAR: &str = "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d";
/// AES-256 key (D5) of the personalised session card.
const AES_KEY: &str = "a90da3ea042ccd3d28eea040a6891113c614013a107e072f5837c82338087a0f";

/// DigestInfo of SHA-256("") : what the RSA probes sign.
const DIGEST_INFO: &str =
    "3031300d060960864801650304020105000420e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// ---------------------------------------------------------------------------------------------
// Personalised cards

/// A card's storage after personalisation, with what its keys answer.
struct Snapshot {
    storage: MemoryStorage,
    families: [Family; 3],
    /// The DEC key's own public point, the peer of the ECDH probe.
    dec_point: Vec<u8>,
    /// What [`probe`] answers for each slot on the snapshot.
    probes: [(Vec<u8>, u16); 3],
    /// GET DATA DE.
    key_information: Vec<u8>,
    /// GET DATA 6E (attributes, fingerprints, dates, DE, UIF, PIN status: the slot metadata).
    application_data: Vec<u8>,
}

/// `A6 { 7F49 { 86 point } }`, PSO:DECIPHER's ECDH input.
fn ecdh_template(point: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; point.len() + 16];
    let mut w = Writer::new(&mut buf);
    let write = |w: &mut Writer<'_>| -> Result<(), Error> {
        let outer = w.open(0xA6)?;
        let inner = w.open(0x7F49)?;
        w.put(0x86, point)?;
        w.close(inner)?;
        w.close(outer)
    };
    write(&mut w).expect("ECDH template");
    w.written().to_vec()
}

/// One private-key operation with a slot's key (PW1 verified first); data and status word.
/// Ed25519, PKCS#1 v1.5 and ECDH are deterministic, so a key that still works answers exactly
/// what it answered before. ECDSA nonces are hedged (random), so an ECDSA probe answers the
/// public point of the key in use (`47 81`, from the applet's key cache) followed by `01` if
/// the signature verifies under it (`00` if not): the same answer exactly when the key in use
/// is the same key and works.
fn probe<S: Storage>(
    applet: &mut FuzzApplet<S>,
    slot: usize,
    family: Family,
    dec_point: &[u8],
) -> (Vec<u8>, u16) {
    let answer = probe_operation(applet, slot, family, dec_point);
    let Family::Ecdsa(curve) = family else {
        return answer;
    };
    let (signature, sw) = answer;
    if sw != 0x9000 {
        return (signature, sw);
    }
    let (public, sw) = command(applet, 0x47, 0x81, 0x00, &[CRT[slot], 0x00]);
    assert_eq!(sw, 0x9000, "reading the public key of slot {slot}");
    let mut point = Reader::new(&public)
        .expect(0x7F49)
        .ok()
        .and_then(|inner| Reader::new(inner).find(|t| t.tag == 0x86))
        .map(|t| t.value.to_vec())
        .unwrap_or_default();
    let hash = vec![0x5A; curve.field_len()];
    let verifies = ecdsa_verifies(curve, &point, &hash, &signature);
    point.push(u8::from(verifies));
    (point, 0x9000)
}

/// Asserts that a [`probe`] answer shows a working key: `9000`, and an ECDSA signature that
/// verifies.
fn assert_probe_works(answer: &(Vec<u8>, u16), family: Family, what: &str) {
    assert_eq!(answer.1, 0x9000, "probe of {what}");
    if let Family::Ecdsa(_) = family {
        assert_eq!(
            answer.0.last(),
            Some(&1),
            "ECDSA signature of {what} does not verify"
        );
    }
}

/// Whether `signature` (`r ‖ s`) verifies for the prehash `hash` under the SEC 1 `point`.
fn ecdsa_verifies(curve: Curve, point: &[u8], hash: &[u8], signature: &[u8]) -> bool {
    use ecdsa::signature::hazmat::PrehashVerifier;
    macro_rules! verify {
        ($C:ty) => {
            match (
                ecdsa::VerifyingKey::<$C>::from_sec1_bytes(point),
                ecdsa::Signature::<$C>::from_slice(signature),
            ) {
                (Ok(key), Ok(signature)) => key.verify_prehash(hash, &signature).is_ok(),
                _ => false,
            }
        };
    }
    match curve {
        Curve::P256 => verify!(p256::NistP256),
        Curve::P384 => verify!(p384::NistP384),
        Curve::Secp256k1 => verify!(k256::Secp256k1),
        Curve::P521 => verify!(p521::NistP521),
        Curve::BrainpoolP256r1 => verify!(bp256::BrainpoolP256r1),
        Curve::BrainpoolP384r1 => verify!(bp384::BrainpoolP384r1),
        Curve::BrainpoolP512r1 => verify!(bp512::BrainpoolP512r1),
    }
}

/// The private-key operation of [`probe`]: its raw answer.
fn probe_operation<S: Storage>(
    applet: &mut FuzzApplet<S>,
    slot: usize,
    family: Family,
    dec_point: &[u8],
) -> (Vec<u8>, u16) {
    let sign_input = match family {
        Family::EdDsa => b"probe".to_vec(),
        Family::Ecdsa(curve) => vec![0x5A; curve.field_len()],
        Family::Rsa => hex(DIGEST_INFO),
        Family::Xdh | Family::Ecdh => Vec::new(),
    };
    match slot {
        0 => {
            command(applet, 0x20, 0x00, 0x81, PW1);
            command(applet, 0x2A, 0x9E, 0x9A, &sign_input)
        }
        1 => {
            command(applet, 0x20, 0x00, 0x82, PW1);
            if family == Family::Rsa {
                // The RSA DEC key signs after MANAGE SECURITY ENVIRONMENT.
                command(applet, 0x22, 0x41, 0xA4, &[0x83, 0x01, 0x02]);
                command(applet, 0x88, 0x00, 0x00, &sign_input)
            } else {
                command(applet, 0x2A, 0x80, 0x86, &ecdh_template(dec_point))
            }
        }
        _ => {
            command(applet, 0x20, 0x00, 0x82, PW1);
            command(applet, 0x88, 0x00, 0x00, &sign_input)
        }
    }
}

/// Personalises a fresh card: PW3 verified, each slot's attributes set and its key imported,
/// then `extra`. The probes run on a copy (PSO:CDS counts signatures in storage).
fn personalise(
    keys: &[KnownKey; 3],
    extra: impl FnOnce(&mut FuzzApplet<MemoryStorage>),
) -> Snapshot {
    let mut applet = applet_on(MemoryStorage::new(), Transport::Contact);
    expect_ok(&mut applet, 0xA4, 0x04, 0x00, &hex("D27600012401"));
    expect_ok(&mut applet, 0x20, 0x00, 0x83, PW3);
    for (slot, key) in Slot::ALL.into_iter().zip(keys) {
        expect_put(&mut applet, slot.attributes_tag(), &key.attributes);
        expect_ok(&mut applet, 0xDB, 0x3F, 0xFF, &key.template(slot.crt_tag()));
    }
    extra(&mut applet);
    let (public, sw) = command(&mut applet, 0x47, 0x81, 0x00, &[0xB8, 0x00]);
    assert_eq!(sw, 0x9000, "DEC public key");
    let dec_point = Reader::new(&public)
        .expect(0x7F49)
        .ok()
        .and_then(|inner| Reader::new(inner).find(|t| t.tag == 0x86))
        .map(|t| t.value.to_vec())
        .unwrap_or_default();
    let (key_information, sw) = command(&mut applet, 0xCA, 0x00, 0xDE, &[]);
    assert_eq!(sw, 0x9000, "DE");
    let (application_data, sw) = command(&mut applet, 0xCA, 0x00, 0x6E, &[]);
    assert_eq!(sw, 0x9000, "6E");
    let storage = applet.storage().clone();
    let families = [keys[0].family, keys[1].family, keys[2].family];
    let probes = core::array::from_fn(|slot| {
        let mut copy = applet_on(storage.clone(), Transport::Contact);
        let answer = probe(&mut copy, slot, families[slot], &dec_point);
        assert_probe_works(&answer, families[slot], "the snapshot");
        answer
    });
    Snapshot {
        storage,
        families,
        dec_point,
        probes,
        key_information,
        application_data,
    }
}

fn ed25519_key() -> KnownKey {
    KnownKey::ec(Family::EdDsa, attributes::ED25519, ED25519_SEED)
}

fn x25519_key() -> KnownKey {
    KnownKey::ec(Family::Xdh, attributes::X25519, X25519_SCALAR)
}

fn p256_ecdsa_key() -> KnownKey {
    KnownKey::ec(
        Family::Ecdsa(Curve::P256),
        attributes::P256_ECDSA,
        P256_SCALAR,
    )
}

// ---------------------------------------------------------------------------------------------
// import

/// How many attribute profiles [`import`] chooses from.
pub const IMPORT_PROFILES: usize = 12;

/// The keys (and attributes) of the slots SIG, DEC, AUT in each import profile.
fn import_keys(profile: usize) -> [KnownKey; 3] {
    let ec = |family, sign: &str, dh: &str, scalar: &str| {
        [
            KnownKey::ec(family, sign, scalar),
            KnownKey::ec(Family::Ecdh, dh, scalar),
            KnownKey::ec(family, sign, scalar),
        ]
    };
    match profile {
        0 => [ed25519_key(), x25519_key(), ed25519_key()],
        1 => ec(
            Family::Ecdsa(Curve::P256),
            attributes::P256_ECDSA,
            attributes::P256_ECDH,
            P256_SCALAR,
        ),
        2 => ec(
            Family::Ecdsa(Curve::P384),
            attributes::P384_ECDSA,
            attributes::P384_ECDH,
            P384_SCALAR,
        ),
        3 => ec(
            Family::Ecdsa(Curve::Secp256k1),
            attributes::K256_ECDSA,
            attributes::K256_ECDH,
            K256_SCALAR,
        ),
        4 => [KnownKey::rsa(0), KnownKey::rsa(1), KnownKey::rsa(2)],
        5 => [KnownKey::rsa(3), KnownKey::rsa(3), KnownKey::rsa(3)],
        7 => ec(
            Family::Ecdsa(Curve::P521),
            attributes::P521_ECDSA,
            attributes::P521_ECDH,
            P521_SCALAR,
        ),
        8 => ec(
            Family::Ecdsa(Curve::BrainpoolP256r1),
            attributes::BP256_ECDSA,
            attributes::BP256_ECDH,
            BP256_SCALAR,
        ),
        9 => ec(
            Family::Ecdsa(Curve::BrainpoolP384r1),
            attributes::BP384_ECDSA,
            attributes::BP384_ECDH,
            BP384_SCALAR,
        ),
        10 => ec(
            Family::Ecdsa(Curve::BrainpoolP512r1),
            attributes::BP512_ECDSA,
            attributes::BP512_ECDH,
            BP512_SCALAR,
        ),
        11 => [
            KnownKey::ec(Family::EdDsa, attributes::ED448, ED448_SEED),
            KnownKey::ec(Family::Xdh, attributes::X448, X448_SCALAR),
            KnownKey::ec(Family::EdDsa, attributes::ED448, ED448_SEED),
        ],
        _ => [
            ed25519_key().with_public_key_flag(),
            x25519_key().with_public_key_flag(),
            p256_ecdsa_key().with_public_key_flag(),
        ],
    }
}

fn import_snapshot(profile: usize) -> &'static Snapshot {
    static SNAPSHOTS: [OnceLock<Snapshot>; IMPORT_PROFILES] =
        [const { OnceLock::new() }; IMPORT_PROFILES];
    SNAPSHOTS[profile % IMPORT_PROFILES].get_or_init(|| personalise(&import_keys(profile), |_| {}))
}

/// The slot an import template names (what the applet parses first), if any.
fn template_slot(template: &[u8]) -> Option<usize> {
    let mut outer = Reader::new(template);
    let body = outer.expect(0x4D).ok()?;
    outer.finish().ok()?;
    let crt = Reader::new(body).tlv()?;
    CRT.iter().position(|&c| u16::from(c) == crt.tag)
}

/// Sends `00 DB 3F FF template`: one (short or extended) APDU, or chained in 200-byte
/// blocks. The status word of the last block sent.
fn send_import<S: Storage>(applet: &mut FuzzApplet<S>, template: &[u8], chained: bool) -> u16 {
    if !chained || template.len() <= 200 {
        let mut response = send(applet, &build_apdu(0x00, 0xDB, 0x3F, 0xFF, template, None));
        return split_sw(&mut response);
    }
    let blocks: Vec<&[u8]> = template.chunks(200).collect();
    for (i, block) in blocks.iter().enumerate() {
        let last = i + 1 == blocks.len();
        let cla = if last { 0x00 } else { 0x10 };
        let mut response = send(applet, &build_apdu(cla, 0xDB, 0x3F, 0xFF, block, None));
        let sw = split_sw(&mut response);
        if last || sw != 0x9000 {
            return sw;
        }
    }
    unreachable!("the last block returns")
}

fn key_record(storage: &MemoryStorage, slot: usize) -> Option<&[u8]> {
    storage.record(RecordId::KEY[slot])
}

/// Fuzz target `import`. The first byte chooses the attribute profile (low nibble, see
/// `import_keys`: Ed25519/X25519, P-256, P-384, secp256k1, RSA-2048 in all four import formats,
/// ECC attributes with the trailing FF, P-521, brainpoolP256r1, P384r1, P512r1, Ed448/X448),
/// whether the key is used before the import (bit 6) and
/// whether the template is chained (bit 7); the rest is the template, sent as `00 DB 3F FF` with
/// PW3 verified to a card whose three slots hold known keys. With bit 6 the slot the template
/// names (or one chosen by bits 4-5) is used before the import and probed after it; without,
/// only the cheap checks run unless the import was accepted (private-key operations dominate
/// the cost of an execution).
///
/// - Every response ends with a valid status word (checked by every exchange).
/// - Rejected: every key record is byte-identical (so the stored keys are the snapshot's, which
///   answered the probes), DE and 6E (attributes, fingerprints, dates, status in RAM) are
///   unchanged, and with bit 6 the key that was in use answers exactly as before.
/// - Accepted: only the named slot's record changed, DE says "imported", and the new key works,
///   answering the same before and after a power cycle (the stored form decodes to it).
pub fn import(data: &[u8]) {
    let Some((&selector, template)) = data.split_first() else {
        return;
    };
    let profile = usize::from(selector & 0x0F) % IMPORT_PROFILES;
    let chained = selector & 0x80 != 0;
    let snapshot = import_snapshot(profile);
    let named = template_slot(template);
    let target = named.unwrap_or(usize::from((selector >> 4) & 0x03) % 3);
    let family = snapshot.families[target];

    let mut applet = applet_on(snapshot.storage.clone(), Transport::Contact);
    expect_ok(&mut applet, 0x20, 0x00, 0x83, PW3);
    let in_use = selector & 0x40 != 0;
    if in_use {
        // The key in use (decoded in RAM) before the import, as on a card in service.
        let before = probe(&mut applet, target, family, &snapshot.dec_point);
        assert_eq!(before, snapshot.probes[target], "probe before the import");
    }

    let sw = send_import(&mut applet, template, chained);
    let storage = applet.storage();
    let changed: Vec<usize> = (0..3)
        .filter(|&slot| key_record(storage, slot) != key_record(&snapshot.storage, slot))
        .collect();
    let (key_information, de_sw) = command(&mut applet, 0xCA, 0x00, 0xDE, &[]);
    assert_eq!(de_sw, 0x9000, "GET DATA DE after the import");
    if sw == 0x9000 {
        assert_eq!(
            (named, &changed[..]),
            (Some(target), &[target][..]),
            "an accepted import changed other slots"
        );
        assert_eq!(
            key_information.get(2 * target + 1),
            Some(&0x02),
            "DE after an import: {key_information:02X?}"
        );
        let fresh = probe(&mut applet, target, family, &snapshot.dec_point);
        assert_probe_works(&fresh, family, "the imported key");
        applet.power_on(Transport::Contact);
        let stored = probe(&mut applet, target, family, &snapshot.dec_point);
        assert_eq!(
            stored, fresh,
            "the imported key changed across a power cycle"
        );
    } else {
        // The stored keys are the snapshot's, which answered the probes: they still work.
        assert!(
            changed.is_empty(),
            "a rejected import ({sw:04X}) changed the key records of slots {changed:?}"
        );
        assert_eq!(
            key_information, snapshot.key_information,
            "a rejected import ({sw:04X}) changed DE"
        );
        let (application_data, _) = command(&mut applet, 0xCA, 0x00, 0x6E, &[]);
        assert_eq!(
            application_data, snapshot.application_data,
            "a rejected import ({sw:04X}) changed the slot metadata in RAM (6E)"
        );
        if in_use {
            // And the key decoded in RAM before the import still answers the same.
            let after = probe(&mut applet, target, family, &snapshot.dec_point);
            assert_eq!(
                after, snapshot.probes[target],
                "the key of slot {target} no longer works after a rejected import ({sw:04X})"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// session: the structured input

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

/// A well-formed command APDU, encoded by [`CommandApdu::emit`].
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
const FULL_OUT: usize = 4096 + 2;

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

// ---------------------------------------------------------------------------------------------
// session: encoding (the inverse of the `arbitrary` decoding, for the seed corpus)

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

// ---------------------------------------------------------------------------------------------
// session: the card and the oracles

/// The personalised session cards (P-256 AUT, RSA-2048 AUT).
fn session_snapshot(rsa: bool) -> &'static Snapshot {
    static SNAPSHOTS: [OnceLock<Snapshot>; 2] = [const { OnceLock::new() }; 2];
    SNAPSHOTS[usize::from(rsa)].get_or_init(|| {
        let aut = if rsa {
            KnownKey::rsa(0)
        } else {
            p256_ecdsa_key()
        };
        personalise(&[ed25519_key(), x25519_key(), aut], |applet| {
            expect_ok(applet, 0xDA, 0x00, 0xD3, RESETTING_CODE);
            expect_ok(applet, 0xDA, 0x00, 0xD5, &hex(AES_KEY));
            expect_ok(applet, 0xDA, 0x00, 0x5B, b"Fuzz<<Session");
            expect_ok(applet, 0x20, 0x00, 0x82, PW1);
            expect_ok(applet, 0xDA, 0x01, 0x01, b"private use 1");
            for slot in Slot::ALL {
                let i = slot.index() as u8;
                expect_put(applet, slot.fingerprint_tag(), &[0xF0 + i; 20]);
                expect_put(applet, slot.generation_time_tag(), &[0x66, 0x00, 0x00, i]);
            }
        })
    })
}

/// Every 16-byte window of every private key of the session cards, with a 64 K-bit filter
/// on the first two bytes so that a response is checked with one bit test per byte.
struct Secrets {
    filter: Vec<u64>,
    windows: HashSet<[u8; 16]>,
}

/// How long a piece of private key a response must not contain.
const WINDOW: usize = 16;

impl Secrets {
    fn get() -> &'static Secrets {
        static SECRETS: OnceLock<Secrets> = OnceLock::new();
        SECRETS.get_or_init(|| {
            let x25519 = hex(X25519_SCALAR);
            let keys = [
                hex(ED25519_SEED),
                x25519.iter().rev().copied().collect(),
                x25519,
                hex(P256_SCALAR),
                hex(AES_KEY),
                hex_lines(RSA_P),
                hex_lines(RSA_Q),
                hex_lines(RSA_D),
                hex_lines(RSA_D_LCM),
                hex_lines(RSA_D_PHI),
                hex_lines(RSA_DP),
                hex_lines(RSA_DQ),
                hex_lines(RSA_QINV),
                hex_lines(RSA_PINV),
            ];
            let mut secrets = Secrets {
                filter: vec![0; 1024],
                windows: HashSet::new(),
            };
            for key in &keys {
                for window in key.windows(WINDOW) {
                    let index = usize::from(u16::from_be_bytes([window[0], window[1]]));
                    secrets.filter[index / 64] |= 1 << (index % 64);
                    secrets.windows.insert(window.try_into().expect("16 bytes"));
                }
            }
            secrets
        })
    }

    /// The offset of the first window of a private key in `bytes`.
    fn find(&self, bytes: &[u8]) -> Option<usize> {
        bytes.windows(WINDOW).position(|window| {
            let index = usize::from(u16::from_be_bytes([window[0], window[1]]));
            self.filter[index / 64] & (1 << (index % 64)) != 0
                && self
                    .windows
                    .contains(<&[u8; WINDOW]>::try_from(window).expect("16 bytes"))
        })
    }
}

/// Which retry counters (PW1, RC, PW3) a command refills, given its status word: a correct
/// PIN (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER; their 6700 after a correct old
/// value restores the counter too), a new Resetting Code (D3), a KDF-DO (F9, which resets the
/// PINs) and the factory reset (ACTIVATE FILE).
fn refills(ins: u8, p1: u8, p2: u8, sw: u16) -> [bool; 3] {
    let ok = sw == 0x9000;
    let ok_or_length = ok || sw == 0x6700;
    match (ins, p1, p2) {
        (0x20, _, 0x81 | 0x82) => [ok, false, false],
        (0x20, _, 0x83) => [false, false, ok],
        (0x24, _, 0x81) => [ok_or_length, false, false],
        (0x24, _, 0x83) => [false, false, ok_or_length],
        (0x2C, 0x00, _) => [ok, ok_or_length, false],
        (0x2C, _, _) => [ok, false, false],
        (0xDA, 0x00, 0xD3) => [false, ok, false],
        (0xDA, 0x00, 0xF9) | (0x44, _, _) => [ok; 3],
        _ => [false; 3],
    }
}

/// What a command may do to the retry counters besides consuming tries.
#[derive(Clone, Copy, Default)]
struct Permit {
    /// Counters it refills (see [`refills`]).
    refill: [bool; 3],
    /// SET PIN RETRIES (F2) succeeded: it may move a counter that has lost no try since its
    /// last refill to a new maximum, up or down, and lower any other; it never gives a lost
    /// try back.
    retries: bool,
}

impl Permit {
    fn of(ins: u8, p1: u8, p2: u8, sw: u16) -> Permit {
        Permit {
            refill: refills(ins, p1, p2, sw),
            retries: (ins, p1, p2, sw) == (0xF2, 0x00, 0x00, 0x9000),
        }
    }
}

/// One view of the retry counters: the last values seen, what may have raised them since,
/// and which have lost tries since their last refill.
#[derive(Default)]
struct CounterView {
    last: Option<[u8; 3]>,
    permit: Permit,
    lost: [bool; 3],
}

impl CounterView {
    fn allow(&mut self, permit: Permit) {
        for (refill, more) in self.permit.refill.iter_mut().zip(permit.refill) {
            *refill |= more;
        }
        self.permit.retries |= permit.retries;
    }

    #[track_caller]
    fn observe(&mut self, now: Option<[u8; 3]>, view: &str, op: usize) {
        let Some(now) = now else {
            return; // terminated: counters are unreadable; permissions accumulate
        };
        if let Some(last) = self.last {
            for (i, name) in ["PW1", "RC", "PW3"].iter().enumerate() {
                let refilled = self.permit.refill[i];
                let retries = self.permit.retries;
                assert!(
                    now[i] <= last[i] || refilled || (retries && !self.lost[i]),
                    "{view} retry counter of {name} rose from {} to {} at op {op} without a \
                     command that may restore it (lost tries since its last refill: {})",
                    last[i],
                    now[i],
                    self.lost[i]
                );
                if refilled {
                    self.lost[i] = false;
                } else if now[i] < last[i] && !retries {
                    self.lost[i] = true;
                }
            }
        }
        self.last = Some(now);
        self.permit = Permit::default();
    }
}

/// Reads C4's retry counters with GET DATA (`None` when C4 is not answered, e.g. terminated).
fn read_counters<S: Storage>(applet: &mut FuzzApplet<S>) -> Option<[u8; 3]> {
    let mut out = [0u8; 16];
    let n = applet.process(&[0x00, 0xCA, 0x00, 0xC4, 0x00], &mut out);
    match out.get(..n)? {
        [_, _, _, _, pw1, rc, pw3, 0x90, 0x00] => Some([*pw1, *rc, *pw3]),
        _ => None,
    }
}

/// The probe of the factory-reset oracle: what a client reads and tries right after a reset
/// (GnuPG 2.4's card status reads every public key), each with an extended Le so that the
/// answer comes whole. In this order: the data objects, the public keys, the PIN status, the
/// factory PINs, then every key operation.
fn reset_probe() -> Vec<Vec<u8>> {
    let full = Some(65536);
    let mut probe = Vec::new();
    for tag in [
        0x006Eu16, 0x0065, 0x007A, 0x00C4, 0x00F9, 0x00D6, 0x00D7, 0x00D8, 0x7F21, 0x005E, 0x5F50,
        0x0101, 0x0103,
    ] {
        let [p1, p2] = tag.to_be_bytes();
        probe.push(build_apdu(0x00, 0xCA, p1, p2, &[], full));
    }
    // curDO: a pointer left from before the reset would answer GET NEXT DATA differently.
    probe.push(build_apdu(0x00, 0xCC, 0x7F, 0x21, &[], full));
    probe.push(build_apdu(0x00, 0xCA, 0x7F, 0x21, &[], full));
    for crt in [0xB6, 0xB8, 0xA4] {
        probe.push(build_apdu(0x00, 0x47, 0x81, 0x00, &[crt, 0x00], full));
    }
    for p2 in [0x81, 0x82, 0x83] {
        probe.push(build_apdu(0x00, 0x20, 0x00, p2, &[], None));
    }
    probe.push(build_apdu(0x00, 0x20, 0x00, 0x81, PW1, None));
    probe.push(build_apdu(0x00, 0x20, 0x00, 0x82, PW1, None));
    probe.push(build_apdu(0x00, 0x20, 0x00, 0x83, PW3, None));
    probe.push(build_apdu(0x00, 0x2A, 0x9E, 0x9A, &hex(DIGEST_INFO), full));
    probe.push(build_apdu(0x00, 0x2A, 0x80, 0x86, &[0x00; 257], full));
    let mut point = vec![0x04];
    point.extend_from_slice(&[0x5A; 64]);
    probe.push(build_apdu(
        0x00,
        0x2A,
        0x80,
        0x86,
        &ecdh_template(&point),
        full,
    ));
    probe.push(build_apdu(0x00, 0x2A, 0x80, 0x86, &[0x02; 17], full));
    probe.push(build_apdu(0x00, 0x2A, 0x86, 0x80, &[0x5A; 16], full));
    probe.push(build_apdu(0x00, 0x88, 0x00, 0x00, b"challenge", full));
    probe.push(build_apdu(0x00, 0xCA, 0x01, 0x03, &[], full));
    probe
}

/// The oracles' state across one session.
struct Oracle {
    /// Counters as the running applet answers them (read only when that is invisible to it).
    ram: CounterView,
    /// Counters as a fresh applet reads them from storage (after every op that wrote).
    stored: CounterView,
    /// The storage's write count at the last stored look.
    writes: u64,
    /// A chain is being reassembled or a response waits for GET RESPONSE: a GET DATA of our
    /// own would change what the fuzzer's next command does.
    busy: bool,
    /// Every command and every command data field sent, to tell an echo from a leak.
    sent: Vec<u8>,
    /// The interface the card was last powered on with (the fresh card of the reset oracle
    /// is powered on the same way).
    transport: Transport,
    /// How many factory resets the reset oracle compared (for the corpus tests).
    resets: usize,
}

impl Oracle {
    fn new(applet: &mut FuzzApplet<MemoryStorage>, transport: Transport) -> Oracle {
        let mut oracle = Oracle {
            ram: CounterView::default(),
            stored: CounterView::default(),
            writes: applet.storage().write_count(),
            busy: false,
            sent: Vec::new(),
            transport,
            resets: 0,
        };
        oracle.ram.observe(read_counters(applet), "RAM", 0);
        oracle.stored.observe(read_counters(applet), "stored", 0);
        oracle
    }

    /// One command through the applet, with every per-response oracle.
    fn exchange(
        &mut self,
        applet: &mut FuzzApplet<MemoryStorage>,
        command: &[u8],
        out: &mut [u8],
        op: usize,
    ) {
        let parsed = CommandApdu::parse(command).ok();
        // ACTIVATE FILE resets the card only in the terminated state, which is exactly when the
        // life-cycle record exists (TERMINATE DF writes it, ACTIVATE FILE removes it last).
        let resets = parsed.is_some_and(|a| a.ins == 0x44 && a.cla & 0x10 == 0)
            && applet.storage().record(RecordId::LIFECYCLE).is_some();
        let n = applet.process(command, out);
        if out.len() < 2 {
            assert_eq!(n, 0, "a response in a buffer of {} bytes", out.len());
            return;
        }
        assert!(
            (2..=out.len()).contains(&n),
            "response length {n} for a buffer of {}",
            out.len()
        );
        let response = &out[..n];
        let sw = assert_status(response);
        self.sent.extend_from_slice(command);
        if let Some(apdu) = parsed {
            self.sent.extend_from_slice(apdu.data);
        }
        let data = &response[..n - 2];
        if let Some(at) = Secrets::get().find(data) {
            let window = &data[at..at + WINDOW];
            assert!(
                self.sent.windows(WINDOW).any(|sent| sent == window),
                "op {op}: response bytes {at}..{} are private key material: {window:02X?}",
                at + WINDOW
            );
        }
        let chaining = parsed.is_some_and(|a| a.cla & 0x10 != 0) && sw == 0x9000;
        self.busy = chaining || sw >> 8 == 0x61;
        // A chained block only stores data; the command runs with the chain's last block.
        if let Some(apdu) = parsed.filter(|a| a.cla & 0x10 == 0) {
            let permit = Permit::of(apdu.ins, apdu.p1, apdu.p2, sw);
            self.ram.allow(permit);
            self.stored.allow(permit);
        }
        if resets && sw == 0x9000 {
            self.compare_with_factory_card(applet, op);
        }
    }

    /// The factory-reset oracle: after ACTIVATE FILE reset the card, it must answer
    /// [`reset_probe`] exactly as a factory-fresh applet over empty storage does. Nothing decoded,
    /// verified, selected or touched before the reset may show (no RNG-dependent byte can
    /// appear, since a fresh card has no key).
    fn compare_with_factory_card(&mut self, applet: &mut FuzzApplet<MemoryStorage>, op: usize) {
        let mut fresh = applet_on(MemoryStorage::new(), self.transport);
        for probe in reset_probe() {
            let reset = send(applet, &probe);
            let factory = send(&mut fresh, &probe);
            assert_eq!(
                reset, factory,
                "op {op}: after ACTIVATE FILE the card (left) answers {probe:02X?} unlike a \
                 factory-fresh card (right)"
            );
        }
        self.resets += 1;
    }

    /// The retry-counter looks after an operation.
    fn look(&mut self, applet: &mut FuzzApplet<MemoryStorage>, op: usize) {
        if !self.busy {
            self.ram.observe(read_counters(applet), "RAM", op);
        }
        let writes = applet.storage().write_count();
        if writes != self.writes {
            let mut second = applet_on(applet.storage_mut(), Transport::Contact);
            let counters = read_counters(&mut second);
            drop(second);
            assert_eq!(
                applet.storage().write_count(),
                writes,
                "the read-only look wrote to storage"
            );
            self.stored.observe(counters, "stored", op);
            self.writes = writes;
        }
    }
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
    let mut applet = applet_on(snapshot.storage.clone(), transport(input.contactless));
    let mut oracle = Oracle::new(&mut applet, transport(input.contactless));
    let mut out = vec![0u8; FULL_OUT];
    for (i, op) in input.ops.iter().take(MAX_OPS).enumerate() {
        let index = i + 1;
        match op {
            Op::Raw { out: size, bytes } => {
                let len = out_len(*size);
                oracle.exchange(&mut applet, &bytes.0, &mut out[..len], index);
            }
            Op::Apdu(apdu) => {
                let len = out_len(apdu.out);
                oracle.exchange(&mut applet, &apdu.encode(), &mut out[..len], index);
            }
            Op::Verify(reference) => {
                let (p2, pin) = match reference {
                    PinRef::Pw1Sign => (0x81, PW1),
                    PinRef::Pw1Other => (0x82, PW1),
                    PinRef::Pw3 => (0x83, PW3),
                };
                let command = build_apdu(0x00, 0x20, 0x00, p2, pin, None);
                oracle.exchange(&mut applet, &command, &mut out, index);
            }
            Op::PowerCycle { contactless } => {
                oracle.transport = transport(*contactless);
                applet.power_on(oracle.transport);
                oracle.busy = false;
            }
            Op::Deselect => {
                applet.deselect();
                oracle.busy = false;
            }
            Op::Button(answer) => applet.user_presence_mut().push((*answer).into()),
            Op::Clock { ms } => applet.clock_mut().advance(u64::from(*ms)),
        }
        oracle.look(&mut applet, index);
    }
    oracle.resets
}

/// [`session`] over raw fuzzer bytes, decoded as `libfuzzer-sys` decodes them.
pub fn session_bytes(data: &[u8]) {
    if let Some(input) = decode_session(data) {
        session(&input);
    }
}

// ---------------------------------------------------------------------------------------------
// Key material

/// Fixed RSA-2048 key: p.
const RSA_P: &[&str] = &[
    "e68d883edfdd6908f93ef6d16c18db9ec9e08b4431b653b092423978780d3a30",
    "4d24da5769496b441e852c71b2e1e973648fb1825d586a73cdd30c8163753fce",
    "e3b03ab50d683b00346954657c4bd00488429844fbe2c2d7dfc149f9c10d5332",
    "0f3bb80aa20a23d5b87eec5b41f520e3387e07e36be061eb276594b00af48eab",
];

/// Fixed RSA-2048 key: q.
const RSA_Q: &[&str] = &[
    "e152d192172e2e00f69cc7e172975ad4a819a504b7745b306d64cd4129f438c1",
    "b87b933f462df4b10fb23f2d4ea1607710f99dbeab475c53b25dbb02ab15351c",
    "a94971dcb96adc26e6917f8d4bc08a78219233e2d38ebcb6b75dde0150789fbe",
    "70dc009789aaf00909669f2b00c0364ef269de80ef9fc4de5df9ab639bec43b9",
];

/// Fixed RSA-2048 key: n = p·q.
const RSA_N: &[&str] = &[
    "caecfad204b8a4f664f40554a351670a76f56c7e0ffbb46dc9aa57eb083ba77f",
    "80d42fd366facd074572ccdac66297e2359daf9f6a11b3050f4ec677a84c420a",
    "c2b7623f3a0320cc2e3691a6f2119607fe3967293d613a48c79c9e7f756e8c18",
    "52d56aeeeec7c0ce6d05a40afa4972132c962df168881fdb3c9846fd41ddccba",
    "d4fb0bc4ce8818c743063c4dcf449d43e954df79edbd12b99bdcfa9247a29cb7",
    "b086892993a7b625178e8931dee6f9af7a8e37ecbee6f851923b51cf1006f778",
    "fe02e85d9d0dee13704bd3796d8242c691b39a821de9eecdb7bb6ac5032543b2",
    "981c8bc13e14ab58ae3278cbd85b808f66f5286dfcbd5c4d3271170bfab5da93",
];

/// Fixed RSA-2048 key: d mod (p-1).
const RSA_DP: &[&str] = &[
    "05b5a595210823acc43769f75fbcf1db69d674bc789ab251e21d5fbcfb0420d7",
    "c7614d42f2e98d8d7f4ffefcc5d85066ba2bd0d290ab3adfa94e3bb60c977fc0",
    "08e5795eb8794754c6f780ce8e98760b56b08782d5d614cb31d0609b9dcb4daf",
    "24af6eec5c7cf1cc3e286e84080b21085f82c7813b4fb03d1999ab67fcad77c7",
];

/// Fixed RSA-2048 key: d mod (q-1).
const RSA_DQ: &[&str] = &[
    "bbf54706b3b97cfca6bb9fed0b970058f6a4f5c7da75008084309b1ba9b0a50b",
    "cc25a16e1dcfc617517da23fdc20b8047aaf8f0bf77abea4bedc7b5cbd74226a",
    "f73861f7fae00e27911c7c2754b2978fa0898228cbcb7cd67a5d9e0cc0a0eeb8",
    "8112b497b46a587361592e9b43b4135985d4149cbfc72a0548a5357811206459",
];

/// Fixed RSA-2048 key: 1/q mod p.
const RSA_QINV: &[&str] = &[
    "cab97fc8ac4724134cc0e065ef7fafe06c3ae65b1fbd19a5d17c571567bc30ab",
    "168ade74c19cc4779336bd333fb9d5eb68d05842585438674f9fd743c2dd58c0",
    "4345e19cff590c78b0863bed8f1c408d92df0dd0f6f27f12acd604ae257a45e7",
    "6f661544039a3f4db536528a63019104dc0e8237787c67d1527d6e1687c3d82f",
];

/// Fixed RSA-2048 key: d (as OpenSSL computed it).
const RSA_D: &[&str] = &[
    "1cd4846218379f803e21892c5833b57f001da83754cffef76622647148ef28c1",
    "edacb7cac223b9c361b388b540603b91f0ea214c75c663f7c110011478fdb498",
    "50c7bb169e88593d890749b43d4a1055bc61ad6d67820bc4d14f481975b6aa02",
    "beaa019246ac6c91275e18cb5279e2d2249085a079a87556318ab4f3404b61cd",
    "9cb60138529226e09e13385b2df8f78e80968ab35d21eb3b981df631fe7e2230",
    "2a329d12468733878510526c4e35de8010517d390021a741258507d6d634395c",
    "1d0621cfb8f50d19f0991c64a5d7559442741e3f284ce60942f9d0675e83b2f6",
    "90710709b01392b2c8c6b9231cbac9bfac4b79e962560ee7514c6a8d4763c9d1",
];

/// Fixed RSA-2048 key: d mod λ(n).
const RSA_D_LCM: &[&str] = &[
    "1cd4846218379f803e21892c5833b57f001da83754cffef76622647148ef28c1",
    "edacb7cac223b9c361b388b540603b91f0ea214c75c663f7c110011478fdb498",
    "50c7bb169e88593d890749b43d4a1055bc61ad6d67820bc4d14f481975b6aa02",
    "beaa019246ac6c91275e18cb5279e2d2249085a079a87556318ab4f3404b61cd",
    "9cb60138529226e09e13385b2df8f78e80968ab35d21eb3b981df631fe7e2230",
    "2a329d12468733878510526c4e35de8010517d390021a741258507d6d634395c",
    "1d0621cfb8f50d19f0991c64a5d7559442741e3f284ce60942f9d0675e83b2f6",
    "90710709b01392b2c8c6b9231cbac9bfac4b79e962560ee7514c6a8d4763c9d1",
];

/// Fixed RSA-2048 key: d mod φ(n).
const RSA_D_PHI: &[&str] = &[
    "1cd4846218379f803e21892c5833b57f001da83754cffef76622647148ef28c1",
    "edacb7cac223b9c361b388b540603b91f0ea214c75c663f7c110011478fdb498",
    "50c7bb169e88593d890749b43d4a1055bc61ad6d67820bc4d14f481975b6aa02",
    "beaa019246ac6c91275e18cb5279e2d2249085a079a87556318ab4f3404b61cd",
    "9cb60138529226e09e13385b2df8f78e80968ab35d21eb3b981df631fe7e2230",
    "2a329d12468733878510526c4e35de8010517d390021a741258507d6d634395c",
    "1d0621cfb8f50d19f0991c64a5d7559442741e3f284ce60942f9d0675e83b2f6",
    "90710709b01392b2c8c6b9231cbac9bfac4b79e962560ee7514c6a8d4763c9d1",
];

/// Fixed RSA-2048 key: 1/p mod q.
const RSA_PINV: &[&str] = &[
    "1b327281279c3b54cd427374368c499f0a92c90686956d1aa5ee08bc939d20e6",
    "4c00f0badd7f66a7f676a7f0518cd4a8db63c202836c71b11cbb816b591bf4e6",
    "1ceb771ef66d677972b8015a8557c2b57f37a63e9491c53f60435643e7f790e4",
    "726a7b62201ad9b2caebcb1a283daa2fb50682bcae0e742d5d4d8e471e9f86d7",
];

/// Corpus RSA-2048 key (another one): p.
pub const SEED_RSA_P: &[&str] = &[
    "bf0158e9629fbb5ad7cc56ba70f722cfc57feb4efcdb9eb6a92dfe1062cd19a5",
    "c8d57e6fc43e4ffbad45e1034a697ab9c42679141d96c5bc036f70b94b0e5873",
    "13963782128452793e5550cd49159939d064a435ceb45aa8a6b50819cc00e6f9",
    "b2713369bd9e019b9b9327f388eee26db504c279dee082e6ef601acb14eebe15",
];

/// Corpus RSA-2048 key (another one): q.
pub const SEED_RSA_Q: &[&str] = &[
    "ba4baae011571167e4d29b97891c3eedf1d97656d5b5bf16b9a29c4ac70537d6",
    "0a7c27aaffee080082e97c617db2b021dad0403b0c06f31cc65a004f4d2d51e7",
    "a4952e1f94df4f5a4bc03d61f42735de85507d9996c28720af0f73684bcc8de7",
    "5477cc35758e23caea8e55a156add953a6f0d2b0658b68c3c3848430f5fcd239",
];

/// Corpus RSA-2048 key (another one): n.
pub const SEED_RSA_N: &[&str] = &[
    "8aff6f7cb130c7f9949fae3a0d3661e1547776235c57c5dcf922b84500a39771",
    "9c4172321da949b06d0380c288ce2db8f77155ae2b9c2ebd2abe09b9f1873e12",
    "d2fdf7d3e76dfe6b99f7c9d0951a02488f0e81ba889f63a7e867495b04bf6c3a",
    "c9a0bd0d2c6bd671ef0173c9bdf99269e7ddaec2f917ea67882f3c13a1b5811e",
    "92acd0c0ebb48bf0c5b09809618aad006c097a6fb77cee2cc67728aa3708d31b",
    "779e5507ad41d6bb288bbd8cc2e4cae8ad9e4f9c89030ec8abb9a21e0f0242c6",
    "2065b21113c77f42fbf7308a05cab60cb2bd54ffcd769bf147ffbc28b80212c1",
    "637810ed84833ecfbf8d2b69e0b3af8d573a293108c1e6c8e5ec1d40b6c18cad",
];

/// Corpus RSA-2048 key (another one): dp.
pub const SEED_RSA_DP: &[&str] = &[
    "5acb582970d13f2d3aa18ea487a862aae3562053e6ccbb1057315eb109563797",
    "dff4e46a5a9dc84579a35b07c66a878520a1ad328bb22d02679ba4b8dfddccdb",
    "bef6cc220f8d48eb0b5f60ce84ac38af0bc99b695c7dcd0e98583ba68f9bea2f",
    "cdcc13c572f6560b5313cb8cef8da6a2c1c6a66f6a2bcceddbe2123a7113dfd5",
];

/// Corpus RSA-2048 key (another one): dq.
pub const SEED_RSA_DQ: &[&str] = &[
    "230327993709131760950873016cd292ebba40186fcfd99b0ec675f343d64239",
    "32fd448349d8559eaafbf0c96dd35070fc6bd9367fbb2aa3c4cf93715402e97a",
    "cc9ed0ed5490679c83d21c773568cd2206122b98db11b24dbd38fd2aa3dc4ceb",
    "261fe1bc465cb1736883d9aa19dd5093fd331395dd6fc6ffcbd632f5f4b55059",
];

/// Corpus RSA-2048 key (another one): qinv.
pub const SEED_RSA_QINV: &[&str] = &[
    "1d7b7fbde1223e662fe7f5b5af9de6f8aa229707bccc09fd874ce17d7270d6e6",
    "573b4e193a8ca6984ca022069d4f19f2fccc69973b6d3df809c7b7773221fdd3",
    "06a1430333739bba5bf3e33d728c3f3bd2e7f4c2a0b0ce2fcaef49f7ae9a3913",
    "b3dbbe70010df403ae2e9e0334d968a2ad8a2ae98735cc7fa23beb7f624b9f3a",
];
