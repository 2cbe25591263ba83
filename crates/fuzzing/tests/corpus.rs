//! The fuzz targets' entry points (this crate, `openpgp_card_applet_fuzzing`) run over every
//! file of the checked-in
//! seed corpus `fuzz/corpus/<target>/`, plus the property tests that fuzzing adds to the crate's
//! own (see fuzz/README.md for the list), plus the regression tests of fuzz findings.
//!
//! The seed corpus is written by the ignored test `write_seed_corpus` from built-in seeds and the
//! APDU logs of the GnuPG end-to-end tests (`FUZZ_TRACES=<dir of logs>`, see fuzz/README.md).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use openpgp_card_applet_fuzzing::{
    self as fuzzing, attributes, build_apdu, class_of, decode_session, encode_session, hex,
    import_template, Answer, Apdu, Bytes, Header, Ins, Le, Op, PinRef, RngFault, Session,
    IMPORT_PROFILES, KNOWN_HEADERS, PW1,
};
use openpgp_card_applet_testkit::keys;
use proptest::prelude::*;

const TARGETS: [&str; 4] = ["apdu", "tlv", "import", "session"];

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<PathBuf> = fs::read_dir(corpus_dir(target))
        .unwrap_or_else(|e| panic!("fuzz/corpus/{target}: {e}"))
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let bytes = fs::read(&path).expect("corpus file");
            (path, bytes)
        })
        .collect()
}

fn run_corpus(target: &str, entry: fn(&[u8])) {
    let files = corpus(target);
    assert!(
        files.len() >= 10,
        "fuzz/corpus/{target} has {} files",
        files.len()
    );
    for (path, bytes) in files {
        // Printed only when the entry point panics: names the file.
        eprintln!("{target}: {}", path.display());
        entry(&bytes);
    }
}

#[test]
fn corpus_apdu() {
    run_corpus("apdu", fuzzing::apdu);
}

/// The hand-written sessions are in the corpus as they are written here (`FUZZ_WRITE_SEEDS=1`
/// writes them after a change).
#[test]
fn seed_sessions_are_in_the_corpus() {
    for (name, session) in seed_sessions() {
        let path = corpus_dir("session").join(name);
        let bytes = encode_session(&session);
        if std::env::var_os("FUZZ_WRITE_SEEDS").is_some() {
            std::fs::write(&path, &bytes).expect("write seed");
        }
        assert_eq!(
            std::fs::read(&path).ok(),
            Some(bytes),
            "{} is stale",
            path.display()
        );
    }
}

#[test]
fn corpus_tlv() {
    run_corpus("tlv", fuzzing::tlv);
}

#[test]
fn corpus_import() {
    run_corpus("import", fuzzing::import);
}

#[test]
fn corpus_session() {
    // The factory-reset oracle runs on the seed that resets the card.
    for name in ["factory-reset", "factory-reset-after-use"] {
        let seed = std::fs::read(corpus_dir("session").join(name)).expect("seed file");
        let session = decode_session(&seed).expect("decodes");
        assert_eq!(fuzzing::session_factory_resets(&session), 1, "{name}");
    }
    // The power-cut oracle judges the seeds' cuts against clean runs (at most 16 a
    // session).
    for (name, judged) in [("power-cuts", 11), ("failing-rng", 1)] {
        let seed = std::fs::read(corpus_dir("session").join(name)).expect("seed file");
        let session = decode_session(&seed).expect("decodes");
        assert_eq!(fuzzing::session_power_cuts(&session), judged, "{name}");
    }
    for (path, bytes) in corpus("session") {
        let session = decode_session(&bytes)
            .unwrap_or_else(|| panic!("{} does not decode as a Session", path.display()));
        assert!(!session.ops.is_empty(), "{}: no operations", path.display());
    }
    run_corpus("session", fuzzing::session_bytes);
}

// ---------------------------------------------------------------------------------------------
// Property tests that fuzzing adds. (Parser totality, parse/emit round trips, chaining and
// response chaining, the flat TLV round trip and the PIN counter model already exist in
// src/apdu/tests.rs, src/apdu/command.rs, src/tlv.rs and tests/pin_model.rs.)

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes)
}

fn ins() -> impl Strategy<Value = Ins> {
    prop_oneof![
        Just(Ins::Select),
        Just(Ins::SelectData),
        Just(Ins::GetData),
        Just(Ins::GetNextData),
        Just(Ins::Verify),
        Just(Ins::ChangeReferenceData),
        Just(Ins::ResetRetryCounter),
        Just(Ins::PutData),
        Just(Ins::PutDataOdd),
        Just(Ins::ManageSecurityEnvironment),
        Just(Ins::GenerateAsymmetricKeyPair),
        Just(Ins::PerformSecurityOperation),
        Just(Ins::InternalAuthenticate),
        Just(Ins::GetChallenge),
        Just(Ins::TerminateDf),
        Just(Ins::ActivateFile),
        Just(Ins::GetResponse),
        Just(Ins::GetVersion),
        Just(Ins::SetPinRetries),
        Just(Ins::Attestation),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let header = prop_oneof![
        any::<u8>().prop_map(Header::Known),
        (ins(), any::<u8>(), any::<u8>()).prop_map(|(ins, p1, p2)| Header::Other { ins, p1, p2 }),
    ];
    let le = prop_oneof![
        Just(Le::Absent),
        any::<u8>().prop_map(Le::Short),
        any::<u16>().prop_map(Le::Extended),
    ];
    let apdu = (
        (any::<bool>(), any::<bool>()),
        header,
        bytes(300),
        le,
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(
            |((chain, proprietary), header, data, le, extended, out)| Apdu {
                chain,
                proprietary,
                header,
                data,
                le,
                extended,
                out,
            },
        )
        .boxed();
    let answer = prop_oneof![
        Just(Answer::Confirmed),
        Just(Answer::Denied),
        Just(Answer::TimedOut)
    ];
    let pin = prop_oneof![
        Just(PinRef::Pw1Sign),
        Just(PinRef::Pw1Other),
        Just(PinRef::Pw3)
    ];
    let fault = prop_oneof![
        Just(RngFault::Healthy),
        any::<u8>().prop_map(RngFault::Stuck),
        bytes(30).prop_map(RngFault::Cycle),
        any::<u16>().prop_map(|good| RngFault::DiesAfter { good }),
        any::<u16>().prop_map(|good| RngFault::ErrorsAfter { good }),
    ];
    prop_oneof![
        2 => (any::<u8>(), bytes(40)).prop_map(|(out, bytes)| Op::Raw { out, bytes }),
        6 => apdu.clone().prop_map(Op::Apdu),
        1 => (any::<u8>(), any::<bool>(), apdu)
            .prop_map(|(at, applied, apdu)| Op::Cut { at, applied, apdu }),
        1 => fault.prop_map(Op::Rng),
        1 => (any::<u8>(), any::<u8>())
            .prop_map(|(slot, algorithm)| Op::Attributes { slot, algorithm }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(slot, key)| Op::Import { slot, key }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(slot, input)| Op::Use { slot, input }),
        2 => pin.prop_map(Op::Verify),
        1 => any::<bool>().prop_map(|contactless| Op::PowerCycle { contactless }),
        1 => Just(Op::Deselect),
        1 => answer.prop_map(Op::Button),
        1 => any::<u32>().prop_map(|ms| Op::Clock { ms }),
    ]
}

fn session_strategy(max_ops: usize) -> impl Strategy<Value = Session> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(op(), 0..max_ops),
    )
        .prop_map(|(rsa, contactless, ops)| Session {
            rsa,
            contactless,
            ops,
        })
}

/// A TLV tree for the nested round trip: constructed tags (bit 6 set) hold children.
#[derive(Clone, Debug)]
enum Tree {
    Leaf(u16, Vec<u8>),
    Node(u16, Vec<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let primitive_tag = prop_oneof![0x80u16..0x9F, 0xC0u16..0xDF, 0x5F01u16..0x5F7F];
    let leaf = (
        primitive_tag,
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(tag, value)| Tree::Leaf(tag, value));
    leaf.prop_recursive(4, 24, 5, |inner| {
        let constructed_tag = prop_oneof![
            Just(0x65u16),
            Just(0x6E),
            Just(0x73),
            0x7F21u16..0x7F4A,
            Just(0xA6)
        ];
        (constructed_tag, proptest::collection::vec(inner, 0..5))
            .prop_map(|(tag, children)| Tree::Node(tag, children))
    })
}

fn encode_tree(tree: &Tree, out: &mut Vec<u8>) {
    let (tag, value) = match tree {
        Tree::Leaf(tag, value) => (*tag, value.clone()),
        Tree::Node(tag, children) => {
            let mut value = Vec::new();
            for child in children {
                encode_tree(child, &mut value);
            }
            (*tag, value)
        }
    };
    if tag > 0xFF {
        out.extend_from_slice(&tag.to_be_bytes());
    } else {
        out.push(tag as u8);
    }
    match value.len() {
        0..=0x7F => out.push(value.len() as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, value.len() as u8]),
        n => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(&value);
}

/// A valid import template for a profile's slot, from keys that are not the cards' own.
fn valid_template(profile: usize, slot: usize) -> Vec<u8> {
    seed_templates()
        .into_iter()
        .find(|(p, s, _)| *p == profile && *s == slot)
        .map(|(_, _, template)| template)
        .expect("a seed template for every profile and slot")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The seed-corpus encoder is the exact inverse of the `arbitrary` decoding.
    #[test]
    fn session_encoding_round_trips(session in session_strategy(20)) {
        let bytes = encode_session(&session);
        prop_assert_eq!(decode_session(&bytes), Some(session));
    }

    /// Random sessions of well-formed and raw APDUs keep every session oracle (a small
    /// in-process fuzzer that `cargo test` runs).
    #[test]
    fn random_sessions_keep_the_oracles(session in session_strategy(40)) {
        fuzzing::session(&session);
    }

    /// Nested TLV templates (65, 6E, 73, 7F2x, A6 ...) read, re-encoded with `open`/`close`
    /// and read back equal.
    #[test]
    fn nested_tlv_round_trip(trees in proptest::collection::vec(tree(), 0..4)) {
        let mut bytes = Vec::new();
        for tree in &trees {
            encode_tree(tree, &mut bytes);
        }
        fuzzing::tlv(&bytes);
    }

    /// A valid import template with bytes flipped, cut or appended is accepted as a working
    /// key or rejected without touching the old one, for every profile and slot.
    #[test]
    fn mutated_import_templates_keep_the_old_key(
        profile in 0..IMPORT_PROFILES,
        slot in 0usize..3,
        chained in any::<bool>(),
        in_use in any::<bool>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut template = valid_template(profile, slot);
        for (at, value) in flips {
            let i = at.index(template.len());
            template[i] ^= value;
        }
        if let Some(cut) = cut {
            template.truncate(cut.index(template.len() + 1));
        }
        let mut input = vec![profile as u8 | if chained { 0x80 } else { 0 } | if in_use { 0x40 } else { 0 }];
        input.extend_from_slice(&template);
        fuzzing::import(&input);
    }
}

// ---------------------------------------------------------------------------------------------
// Regression tests of fuzz findings (each `#[ignore = "fuzz finding: ..."]` until fixed).

// ---------------------------------------------------------------------------------------------
// The seed corpus

/// Import templates (profile, slot, template) from keys other than the cards' own: RFC 8032's
/// first Ed25519 seed, RFC 7748's X25519 scalar, fixed EC scalars, a second RSA-2048 key.
fn seed_templates() -> Vec<(usize, usize, Vec<u8>)> {
    let crt = fuzzing::CRT;
    let ed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let ed_public = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    let mut x = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    x.reverse(); // GnuPG's byte order
    let x_public = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let p256 = [vec![0u8], vec![0x3C; 31]].concat(); // a leading zero byte
    let p384 = vec![0x5D; 48];
    let k256 = vec![0x2E; 32];
    let p521 = [vec![0x01], vec![0x5D; 65]].concat(); // below P-521's order (0x01FF...)
    let bp256 = vec![0x3B; 32];
    let bp384 = vec![0x5D; 48];
    let bp512 = vec![0x5D; 64];
    // RFC 8032 §7.4's first Ed448 seed ("blank") and RFC 7748 §6.2's Alice.
    let ed448 = hex("6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b");
    let x448 = hex("9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b");
    let (p, q, n) = (
        keys::RSA2048_OTHER_P,
        keys::RSA2048_OTHER_Q,
        keys::RSA2048_OTHER_N,
    );
    let (dp, dq, qinv) = (
        keys::RSA2048_OTHER_DP,
        keys::RSA2048_OTHER_DQ,
        keys::RSA2048_OTHER_QINV,
    );
    let e = vec![0x01, 0x00, 0x01];
    let rsa = |format: u8| {
        let mut parts: Vec<(u8, &[u8])> = vec![(0x91, &e), (0x92, p), (0x93, q)];
        if format >= 2 {
            parts.extend_from_slice(&[(0x94, qinv), (0x95, dp), (0x96, dq)]);
        }
        if format == 1 || format == 3 {
            parts.push((0x97, n));
        }
        parts
    };
    let mut out = Vec::new();
    for slot in 0..3 {
        let ec = |scalar: &[u8]| import_template(crt[slot], &[(0x92, scalar)]);
        // Profile 0: Ed25519 / X25519 / Ed25519 (with the public key where it is known).
        out.push((
            0,
            slot,
            match slot {
                1 => import_template(crt[1], &[(0x92, &x), (0x99, &x_public)]),
                _ => import_template(crt[slot], &[(0x92, &ed), (0x99, &ed_public)]),
            },
        ));
        out.push((1, slot, ec(&p256)));
        out.push((2, slot, ec(&p384)));
        out.push((3, slot, ec(&k256)));
        out.push((4, slot, import_template(crt[slot], &rsa(slot as u8))));
        out.push((5, slot, import_template(crt[slot], &rsa(3))));
        out.push((
            6,
            slot,
            match slot {
                0 => import_template(crt[0], &[(0x92, &ed)]),
                1 => import_template(crt[1], &[(0x92, &x)]),
                _ => ec(&p256),
            },
        ));
        out.push((7, slot, ec(&p521)));
        out.push((8, slot, ec(&bp256)));
        out.push((9, slot, ec(&bp384)));
        out.push((10, slot, ec(&bp512)));
        out.push((11, slot, ec(if slot == 1 { &x448 } else { &ed448 })));
    }
    out
}

/// One exchange of an APDU log: command and response.
struct Exchange {
    command: Vec<u8>,
    response: Vec<u8>,
}

/// Parses an APDU log as the end-to-end tests print it: `ms > HEX` / `ms < HEX` lines.
fn parse_log(text: &str) -> Vec<Exchange> {
    let mut exchanges = Vec::new();
    let mut pending = None;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [ms, dir, data] = words[..] else {
            continue;
        };
        if ms.parse::<f64>().is_err() || !data.len().is_multiple_of(2) {
            continue;
        }
        if !data.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let bytes = hex(data);
        match dir {
            ">" => pending = Some(bytes),
            "<" => {
                if let Some(command) = pending.take() {
                    exchanges.push(Exchange {
                        command,
                        response: bytes,
                    });
                }
            }
            _ => {}
        }
    }
    exchanges
}

/// The data field of a command APDU.
fn command_data(command: &[u8]) -> Vec<u8> {
    openpgp_card_applet::apdu::CommandApdu::parse(command)
        .map(|apdu| apdu.data.to_vec())
        .unwrap_or_default()
}

/// Hand-written sessions that reach the deep states quickly.
fn seed_sessions() -> Vec<(&'static str, Session)> {
    let apdu = |ins: u8, p1: u8, p2: u8, data: &[u8], le: Le| {
        let index = KNOWN_HEADERS
            .iter()
            .position(|h| *h == (ins, p1, p2))
            .map(|i| Header::Known(i as u8))
            .unwrap_or(Header::Other {
                ins: Ins::GetData,
                p1,
                p2,
            });
        Op::Apdu(Apdu {
            chain: false,
            proprietary: false,
            header: index,
            data: Bytes(data.to_vec()),
            le,
            extended: false,
            out: 0,
        })
    };
    let cut = |at: u8, applied: bool, ins: u8, p1: u8, p2: u8, data: &[u8]| Op::Cut {
        at,
        applied,
        apdu: match apdu(ins, p1, p2, data, Le::Absent) {
            Op::Apdu(apdu) => apdu,
            _ => unreachable!("apdu builds an Op::Apdu"),
        },
    };
    let raw = |apdu: Vec<u8>| Op::Raw {
        out: 0,
        bytes: Bytes(apdu),
    };
    let session = |rsa: bool, ops: Vec<Op>| Session {
        rsa,
        contactless: false,
        ops,
    };
    let ecdh_x25519 = {
        let mut d = hex("A6227F49208620");
        d.extend_from_slice(&hex(
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
        ));
        d
    };
    let select = || raw(hex("00A4040006D27600012401"));
    vec![
        (
            "sign-ed25519",
            session(
                false,
                vec![
                    select(),
                    Op::Verify(PinRef::Pw1Sign),
                    apdu(0x2A, 0x9E, 0x9A, b"message", Le::Short(0)),
                    apdu(0x2A, 0x9E, 0x9A, b"again, without PIN", Le::Short(0)),
                    apdu(0xCA, 0x00, 0x93, &[], Le::Short(0)),
                ],
            ),
        ),
        (
            "decipher-x25519-and-aes",
            session(
                false,
                vec![
                    select(),
                    Op::Verify(PinRef::Pw1Other),
                    apdu(0x2A, 0x80, 0x86, &ecdh_x25519, Le::Short(0)),
                    apdu(0x2A, 0x86, 0x80, &[0x11; 32], Le::Short(0)),
                    apdu(
                        0x2A,
                        0x80,
                        0x86,
                        &[vec![0x02], vec![0x22; 32]].concat(),
                        Le::Short(0),
                    ),
                ],
            ),
        ),
        (
            "authenticate-p256-mse",
            session(
                false,
                vec![
                    Op::Verify(PinRef::Pw1Other),
                    apdu(0x88, 0x00, 0x00, &[0x42; 32], Le::Short(0)),
                    apdu(0x22, 0x41, 0xB8, &[0x83, 0x01, 0x03], Le::Absent),
                    apdu(0x22, 0x41, 0xA4, &[0x83, 0x01, 0x02], Le::Absent),
                    apdu(0x88, 0x00, 0x00, &[0x42; 32], Le::Short(0)),
                ],
            ),
        ),
        (
            "rsa-aut-authenticate-and-read",
            session(
                true,
                vec![
                    Op::Verify(PinRef::Pw1Other),
                    apdu(
                        0x88,
                        0x00,
                        0x00,
                        &hex("3031300d060960864801650304020105000420e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                        Le::Short(0),
                    ),
                    apdu(0x47, 0x81, 0x00, &[0xA4, 0x00], Le::Short(0x40)),
                    raw(hex("00C0000000")),
                    raw(hex("00C0000000")),
                    apdu(0x22, 0x41, 0xB8, &[0x83, 0x01, 0x03], Le::Absent),
                    apdu(0x2A, 0x80, 0x86, &[vec![0x00], vec![0x33; 256]].concat(), Le::Extended(0)),
                ],
            ),
        ),
        (
            // The curves off by default: P-521 in SIG, brainpoolP512r1 and then X448 in DEC,
            // Ed448 in AUT; each generated and used (the X448 point is RFC 7748's Bob).
            "generate-p521-brainpool-curve448",
            session(
                false,
                vec![
                    Op::Verify(PinRef::Pw3),
                    apdu(0xDA, 0x00, 0xC1, &hex("132B81040023"), Le::Absent),
                    apdu(0x47, 0x80, 0x00, &[0xB6, 0x00], Le::Short(0)),
                    apdu(0xDA, 0x00, 0xC2, &hex("122B240303020801010D"), Le::Absent),
                    apdu(0x47, 0x80, 0x00, &[0xB8, 0x00], Le::Short(0)),
                    apdu(0xDA, 0x00, 0xC3, &hex("162B6571"), Le::Absent),
                    apdu(0x47, 0x80, 0x00, &[0xA4, 0x00], Le::Short(0)),
                    Op::Verify(PinRef::Pw1Sign),
                    apdu(0x2A, 0x9E, 0x9A, &[0x5A; 64], Le::Short(0)),
                    Op::Verify(PinRef::Pw1Other),
                    apdu(0x88, 0x00, 0x00, b"ssh blob", Le::Short(0)),
                    apdu(0x2A, 0x80, 0x86, &ecdh_x25519, Le::Short(0)),
                    Op::Verify(PinRef::Pw3),
                    apdu(0xDA, 0x00, 0xC2, &hex("122B656F"), Le::Absent),
                    apdu(0x47, 0x80, 0x00, &[0xB8, 0x00], Le::Short(0)),
                    Op::Verify(PinRef::Pw1Other),
                    apdu(
                        0x2A,
                        0x80,
                        0x86,
                        &[hex("A63D7F493A8638"), hex("3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609")].concat(),
                        Le::Short(0),
                    ),
                ],
            ),
        ),
        (
            "pins-block-and-reset",
            session(
                false,
                vec![
                    raw(build_apdu(0, 0x20, 0x00, 0x81, b"999999", None)),
                    raw(build_apdu(0, 0x20, 0x00, 0x81, b"999999", None)),
                    raw(build_apdu(0, 0x20, 0x00, 0x81, b"999999", None)),
                    Op::PowerCycle { contactless: false },
                    Op::Verify(PinRef::Pw1Sign),
                    raw(build_apdu(0, 0x2C, 0x00, 0x81, b"resetcode1654321", None)),
                    raw(build_apdu(0, 0x20, 0x00, 0x81, b"654321", None)),
                    raw(build_apdu(0, 0x24, 0x00, 0x81, b"654321123456", None)),
                    raw(build_apdu(0, 0x24, 0x00, 0x83, b"12345678abcdefgh", None)),
                    raw(build_apdu(0, 0x20, 0x00, 0x83, b"abcdefgh", None)),
                    raw(build_apdu(0, 0x2C, 0x02, 0x81, b"112233", None)),
                    raw(build_apdu(0, 0xDA, 0x00, 0xD3, b"", None)),
                    raw(hex("00CA00C400")),
                ],
            ),
        ),
        (
            "touch-policy-and-button",
            session(
                false,
                vec![
                    Op::Verify(PinRef::Pw3),
                    apdu(0xDA, 0x00, 0xD6, &[0x03, 0x20], Le::Absent),
                    raw(build_apdu(0, 0xDA, 0x00, 0xD7, &[0x01, 0x20], None)),
                    Op::Button(Answer::Denied),
                    Op::Verify(PinRef::Pw1Sign),
                    apdu(0x2A, 0x9E, 0x9A, b"denied", Le::Short(0)),
                    Op::Button(Answer::Confirmed),
                    Op::Verify(PinRef::Pw1Sign),
                    apdu(0x2A, 0x9E, 0x9A, b"confirmed", Le::Short(0)),
                    Op::Clock { ms: 5_000 },
                    Op::Verify(PinRef::Pw1Sign),
                    apdu(0x2A, 0x9E, 0x9A, b"cached", Le::Short(0)),
                    Op::Button(Answer::TimedOut),
                    Op::Verify(PinRef::Pw1Other),
                    apdu(0x2A, 0x80, 0x86, &ecdh_x25519, Le::Short(0)),
                    Op::PowerCycle { contactless: true },
                    Op::Verify(PinRef::Pw1Other),
                    apdu(0x2A, 0x80, 0x86, &ecdh_x25519, Le::Short(0)),
                ],
            ),
        ),
        (
            "factory-reset",
            session(
                false,
                vec![
                    raw(build_apdu(0, 0x20, 0x00, 0x83, &[0x40; 32], None)),
                    raw(build_apdu(0, 0x20, 0x00, 0x83, &[0x40; 32], None)),
                    raw(build_apdu(0, 0x20, 0x00, 0x83, &[0x40; 32], None)),
                    raw(hex("00E60000")),
                    raw(hex("00CA00C400")),
                    raw(hex("0044000000")),
                    raw(hex("00CA00C400")),
                    Op::Verify(PinRef::Pw3),
                    raw(hex("00CA006E00")),
                ],
            ),
        ),
        (
            // Every key decoded in RAM (public key reads and one use of each), then a reset
            // with no PIN: the reset oracle must find nothing of the old card.
            "factory-reset-after-use",
            session(
                false,
                vec![
                    apdu(0x47, 0x81, 0x00, &[0xB6, 0x00], Le::Short(0)),
                    apdu(0x47, 0x81, 0x00, &[0xB8, 0x00], Le::Short(0)),
                    apdu(0x47, 0x81, 0x00, &[0xA4, 0x00], Le::Short(0)),
                    Op::Verify(PinRef::Pw1Sign),
                    apdu(0x2A, 0x9E, 0x9A, b"message", Le::Short(0)),
                    Op::Verify(PinRef::Pw1Other),
                    apdu(0x2A, 0x80, 0x86, &ecdh_x25519, Le::Short(0)),
                    apdu(0x88, 0x00, 0x00, &[0x42; 32], Le::Short(0)),
                    apdu(0x2A, 0x86, 0x80, &[0x11; 32], Le::Short(0)),
                    apdu(0x22, 0x41, 0xA4, &[0x83, 0x01, 0x02], Le::Absent),
                    raw(build_apdu(0, 0x20, 0x00, 0x83, b"00000000", None)),
                    raw(build_apdu(0, 0x20, 0x00, 0x83, b"00000000", None)),
                    raw(build_apdu(0, 0x20, 0x00, 0x83, b"00000000", None)),
                    raw(hex("00E60000")),
                    raw(hex("00440000")),
                ],
            ),
        ),
        (
            "kdf-setup",
            session(
                false,
                vec![
                    Op::Verify(PinRef::Pw3),
                    apdu(
                        0xDA,
                        0x00,
                        0xF9,
                        &[
                            hex("810103820108830400000100840801020304050607088720"),
                            vec![0xAA; 32],
                            hex("8820"),
                            vec![0xBB; 32],
                        ]
                        .concat(),
                        Le::Absent,
                    ),
                    raw([hex("0020008120"), vec![0xAA; 32]].concat()),
                    raw(hex("00CA00F900")),
                    Op::Verify(PinRef::Pw3),
                    raw(hex("00CA00C400")),
                ],
            ),
        ),
        (
            "chaining-and-get-response",
            session(
                false,
                vec![
                    Op::Verify(PinRef::Pw3),
                    Op::Apdu(Apdu {
                        chain: true,
                        proprietary: false,
                        header: Header::Known(
                            KNOWN_HEADERS.iter().position(|h| *h == (0xDA, 0x7F, 0x21)).unwrap() as u8,
                        ),
                        data: Bytes(vec![0x30; 250]),
                        le: Le::Absent,
                        extended: false,
                        out: 0,
                    }),
                    raw(build_apdu(0, 0xDA, 0x7F, 0x21, &[0x31; 250], None)),
                    raw(hex("00CA7F2110")),
                    raw(hex("00C0000000")),
                    raw(hex("00CA7F21000000")),
                    Op::Raw {
                        out: 20,
                        bytes: Bytes(hex("00CA006E00")),
                    },
                    raw(hex("00C0000000")),
                    raw(hex("00C0000000")),
                ],
            ),
        ),
        (
            // Power lost in the middle of every kind of writing command (the first, a middle
            // or the last write; applied or not), each judged against a clean run.
            "power-cuts",
            session(
                false,
                vec![
                    Op::Verify(PinRef::Pw3),
                    cut(0, true, 0xDA, 0x00, 0x5B, b"Cut<<Power"),
                    cut(0, false, 0x20, 0x00, 0x81, b"999999"),
                    cut(0, true, 0x20, 0x00, 0x82, PW1),
                    cut(1, false, 0x20, 0x00, 0x82, PW1),
                    Op::Verify(PinRef::Pw3),
                    cut(1, true, 0xDB, 0x3F, 0xFF, &valid_template(0, 0)),
                    Op::Verify(PinRef::Pw3),
                    cut(0, false, 0xDA, 0x00, 0xC3, &hex(attributes::ED25519)),
                    Op::Verify(PinRef::Pw3),
                    cut(7, true, 0xF2, 0x00, 0x00, &[5, 4, 6]),
                    Op::Verify(PinRef::Pw1Sign),
                    cut(0, true, 0x2A, 0x9E, 0x9A, b"counted"),
                    cut(3, false, 0x24, 0x00, 0x81, b"123456654321"),
                    Op::Verify(PinRef::Pw3),
                    cut(0, true, 0xE6, 0x00, 0x00, &[]),
                    Op::Verify(PinRef::Pw3),
                    raw(hex("00E60000")),
                    cut(2, true, 0x44, 0x00, 0x00, &[]),
                    raw(hex("00440000")),
                    raw(hex("00CA006E00")),
                ],
            ),
        ),
        (
            // The random source fails in every way: stuck, cycling, dead, erroring; the card
            // refuses challenges, generation and ECDSA, signs with Ed25519, and recovers only
            // after the source heals and power is cycled.
            "failing-rng",
            session(
                false,
                vec![
                    Op::Rng(RngFault::Stuck(0)),
                    raw(hex("0084000020")),
                    Op::Verify(PinRef::Pw3),
                    apdu(0x47, 0x80, 0x00, &[0xB6, 0x00], Le::Short(0)),
                    Op::Use { slot: 2, input: 1 },
                    Op::Use { slot: 0, input: 5 },
                    Op::PowerCycle { contactless: false },
                    Op::Rng(RngFault::Cycle(Bytes(vec![0x12, 0x34, 0x56, 0x78]))),
                    raw(hex("0084000040")),
                    raw(hex("0084000040")),
                    Op::PowerCycle { contactless: false },
                    Op::Rng(RngFault::DiesAfter { good: 1500 }),
                    raw(hex("0084000080")),
                    raw(hex("0084000080")),
                    raw(hex("0084000080")),
                    raw(hex("0084000080")),
                    Op::Use { slot: 2, input: 1 },
                    Op::PowerCycle { contactless: false },
                    Op::Rng(RngFault::ErrorsAfter { good: 1100 }),
                    raw(hex("0084000020")),
                    Op::Verify(PinRef::Pw3),
                    cut(0, true, 0x47, 0x80, 0x00, &[0xA4, 0x00]),
                    Op::Verify(PinRef::Pw3),
                    cut(0, true, 0xDA, 0x00, 0x5B, b"Failing<<Source"),
                    Op::Rng(RngFault::Healthy),
                    raw(hex("0084000020")),
                    Op::PowerCycle { contactless: false },
                    raw(hex("0084000020")),
                ],
            ),
        ),
        (
            // The regression seed of the session fuzzer's first finding: a source that starts
            // repeating a 4-byte cycle after it passed the start-up test. The adaptive
            // proportion test alone let the cycle out in challenges (and into a generated
            // key); the lag test of src/entropy.rs catches it in the block held ahead.
            "rng-cycle-after-use",
            session(
                false,
                vec![
                    raw(hex("0084000010")),
                    Op::Rng(RngFault::Cycle(Bytes(vec![0x01, 0x02, 0x03, 0x04]))),
                    raw(hex("0084000040")),
                    raw(hex("0084000040")),
                    raw(hex("0084000040")),
                    Op::Verify(PinRef::Pw3),
                    apdu(0x47, 0x80, 0x00, &[0xB6, 0x00], Le::Short(0)),
                    raw(hex("0084000040")),
                ],
            ),
        ),
        (
            // Every algorithm attribute in every slot (the applet refuses those a slot
            // cannot hold), then a known key of every algorithm and curve imported where it
            // fits and used.
            "every-algorithm",
            session(false, {
                let mut ops = Vec::new();
                for algorithm in 0..fuzzing::ALGORITHMS.len() as u8 {
                    for slot in 0..3 {
                        ops.push(Op::Attributes { slot, algorithm });
                    }
                }
                // Key profiles: signing keys in SIG and AUT, ECDH keys in DEC.
                let signing = [0u8, 2, 4, 6, 8, 10, 12, 14, 16, 18, 19, 22];
                let dh = [1u8, 3, 5, 7, 9, 11, 13, 15, 17, 20, 21];
                for (i, key) in signing.into_iter().enumerate() {
                    let slot = if i % 2 == 0 { 0 } else { 2 };
                    ops.push(Op::Import { slot, key });
                    ops.push(Op::Use { slot, input: i as u8 });
                }
                for key in dh {
                    ops.push(Op::Import { slot: 1, key });
                    ops.push(Op::Use { slot: 1, input: 0 });
                    ops.push(Op::Use { slot: 1, input: 2 });
                }
                ops
            }),
        ),
        (
            // YubiKey's commands: GET VERSION, SET PIN RETRIES, attestation of each slot in
            // the proprietary class, and class 80 with an OpenPGP instruction (6E00).
            "yubikey-proprietary-class",
            session(
                false,
                vec![
                    apdu(0xF1, 0x00, 0x00, &[], Le::Short(0)),
                    Op::Verify(PinRef::Pw3),
                    apdu(0xF2, 0x00, 0x00, &[4, 4, 4], Le::Absent),
                    Op::Verify(PinRef::Pw1Other),
                    apdu(0xFB, 0x01, 0x00, &[], Le::Short(0)),
                    // Imported keys are not attested (6985); generated ones are.
                    Op::Verify(PinRef::Pw3),
                    apdu(0x47, 0x80, 0x00, &[0xB6, 0x00], Le::Short(0)),
                    apdu(0x47, 0x80, 0x00, &[0xA4, 0x00], Le::Short(0)),
                    apdu(0xFB, 0x01, 0x00, &[], Le::Extended(0)),
                    apdu(0xFB, 0x02, 0x00, &[], Le::Short(0)),
                    apdu(0xFB, 0x03, 0x00, &[], Le::Short(0)),
                    apdu(0xCA, 0x00, 0xFC, &[], Le::Short(0)),
                    raw(hex("80CA006E00")),
                    raw(hex("80FB040000")),
                    raw(hex("90FB010000")),
                    apdu(0xCA, 0x00, 0xC4, &[], Le::Short(0)),
                ],
            ),
        ),
        (
            "generate-and-import",
            session(
                false,
                vec![
                    Op::Verify(PinRef::Pw3),
                    apdu(0x47, 0x80, 0x00, &[0xA4, 0x00], Le::Short(0)),
                    apdu(0xDA, 0x00, 0xC3, &hex(attributes::ED25519), Le::Absent),
                    apdu(0xDB, 0x3F, 0xFF, &valid_template(0, 2), Le::Absent),
                    Op::Verify(PinRef::Pw1Other),
                    apdu(0x88, 0x00, 0x00, b"ssh", Le::Short(0)),
                    apdu(0xCA, 0x00, 0xDE, &[], Le::Short(0)),
                ],
            ),
        ),
    ]
}

/// Writes the seed corpus (replacing `fuzz/corpus/`). Run once, after capturing the GnuPG
/// traces: `FUZZ_TRACES=<dir> cargo test -p openpgp-card-applet-fuzzing --test corpus -- --ignored write_seed_corpus`.
#[test]
#[ignore = "writes fuzz/corpus/ from FUZZ_TRACES (APDU logs of the end-to-end tests)"]
fn write_seed_corpus() {
    let traces = std::env::var("FUZZ_TRACES").expect("FUZZ_TRACES=<dir of APDU logs>");
    let mut logs: Vec<(String, Vec<Exchange>)> = fs::read_dir(&traces)
        .expect("trace dir")
        .map(|e| e.expect("entry").path())
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, parse_log(&fs::read_to_string(&path).expect("log")))
        })
        .collect();
    logs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut files: Vec<(&str, String, Vec<u8>)> = Vec::new();

    // apdu: every distinct (CLA, INS, P1, P2, length form) GnuPG sent, once.
    let mut seen = BTreeSet::new();
    for (_, log) in &logs {
        for e in log {
            let c = &e.command;
            let form = (
                c.get(..4).map(<[u8]>::to_vec),
                c.len().min(6),
                c.len() > 261,
            );
            if seen.insert(form) {
                files.push(("apdu", format!("gnupg-{:02x}", seen.len()), c.clone()));
            }
        }
    }
    for extra in [
        "00CA7F21000000",
        "10DA010102AABB",
        "00C0000000",
        "0CCA006E00",
        "00A40400",
    ] {
        files.push(("apdu", format!("extra-{extra}"), hex(extra)));
    }

    // tlv: TLV data GnuPG sent and the card answered (6E, 65, 7F49, FA, import templates ...).
    let mut seen = BTreeSet::new();
    for (_, log) in &logs {
        for e in log {
            let data = command_data(&e.command);
            let body = e
                .response
                .get(..e.response.len().saturating_sub(2))
                .unwrap_or(&[]);
            for candidate in [data.as_slice(), body] {
                let first = candidate.first().copied().unwrap_or(0);
                let tlv_like = matches!(
                    first,
                    0x4D | 0x60 | 0x65 | 0x6E | 0x7F | 0xA6 | 0x81 | 0xFA | 0x73
                );
                if tlv_like
                    && candidate.len() >= 3
                    && seen.insert(candidate[..3.min(candidate.len())].to_vec())
                {
                    files.push((
                        "tlv",
                        format!("gnupg-{:02x}", seen.len()),
                        candidate.to_vec(),
                    ));
                }
            }
        }
    }

    // import: the built-in templates for every profile and slot, plain and chained, plus
    // GnuPG's own keytocard templates under the matching profile.
    for (profile, slot, template) in seed_templates() {
        for chained in [false, true] {
            if chained && template.len() <= 200 {
                continue;
            }
            // Bit 6 (key in use before the import) on every other slot.
            let in_use = if slot == 1 { 0x40 } else { 0 };
            let mut input = vec![profile as u8 | in_use | if chained { 0x80 } else { 0 }];
            input.extend_from_slice(&template);
            let suffix = if chained { "-chained" } else { "" };
            files.push(("import", format!("p{profile}-slot{slot}{suffix}"), input));
        }
    }
    let mut gnupg_imports = 0;
    for (name, log) in &logs {
        let mut chain = Vec::new();
        for e in log {
            if e.command.get(1..4) != Some(&[0xDB, 0x3F, 0xFF][..]) {
                continue;
            }
            chain.extend_from_slice(&command_data(&e.command));
            if e.command[0] & 0x10 != 0 {
                continue;
            }
            let template = std::mem::take(&mut chain);
            // The profile from the template's size: RSA (4/5) or 25519 (0) or P-256 (1).
            let profile = match template.len() {
                0..=80 => 0,
                81..=200 => 1,
                _ => 5,
            };
            gnupg_imports += 1;
            let mut input = vec![profile];
            input.extend_from_slice(&template);
            files.push(("import", format!("gnupg-{name}-{gnupg_imports}"), input));
        }
    }

    // session: each GnuPG log cut into pieces of at most 60 commands (GENERATE dropped: the
    // fuzzer's own are enough, and an RSA one is slow), plus the hand-written sessions.
    for (name, log) in &logs {
        let ops: Vec<Op> = log
            .iter()
            .filter(|e| e.command.get(1..3) != Some(&[0x47, 0x80][..]))
            .map(|e| Op::Raw {
                out: 0,
                bytes: Bytes(e.command.clone()),
            })
            .collect();
        for (i, piece) in ops.chunks(60).enumerate().take(3) {
            let session = Session {
                rsa: false,
                contactless: false,
                ops: piece.to_vec(),
            };
            files.push((
                "session",
                format!("gnupg-{name}-{i}"),
                encode_session(&session),
            ));
        }
    }
    for (name, session) in seed_sessions() {
        files.push(("session", name.to_owned(), encode_session(&session)));
    }

    for target in TARGETS {
        let dir = corpus_dir(target);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("corpus dir");
    }
    for (target, name, bytes) in &files {
        fs::write(corpus_dir(target).join(name), bytes).expect("write corpus file");
    }
    for target in TARGETS {
        let n = files.iter().filter(|f| f.0 == target).count();
        eprintln!("fuzz/corpus/{target}: {n} files");
    }
}

/// The attributes `Op::Attributes` sets cover every algorithm the applet supports (with every
/// curve that is off by default), in the form C1-C3 take and in the form FA announces.
#[test]
fn algorithms_are_every_supported_algorithm() {
    use openpgp_card_applet::crypto::Algorithm;
    use openpgp_card_applet::tlv::Writer;
    let mut count = 0;
    for algorithm in Algorithm::supported() {
        let canonical = openpgp_card_applet_testkit::attributes(&algorithm);
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        algorithm.write_announced(&mut w).expect("fits");
        for form in [canonical, w.written().to_vec()] {
            assert!(
                fuzzing::ALGORITHMS.contains(&form.as_slice()),
                "{algorithm:?}: {form:02X?} is not in ALGORITHMS"
            );
        }
        count += 1;
    }
    assert!(count >= 19, "{count} algorithms");
}

/// The fuzz grammar's headers are the applet's: its GET DATA and PUT DATA headers are exactly
/// the readable and writable DOs of the data-object table, and every header is a command the
/// applet knows (neither 6D00 nor 6A86 on a fresh card).
#[test]
fn known_headers_are_the_tables_and_the_parsers() {
    use openpgp_card_applet::data_objects::{Access, DATA_OBJECTS};
    use std::collections::BTreeSet;
    let headers = |ins: u8| -> BTreeSet<u16> {
        KNOWN_HEADERS
            .iter()
            .filter(|h| h.0 == ins)
            .map(|&(_, p1, p2)| u16::from_be_bytes([p1, p2]))
            .collect()
    };
    let table = |access: fn(&openpgp_card_applet::data_objects::DataObject) -> Access| {
        DATA_OBJECTS
            .iter()
            .filter(|o| access(o) != Access::Never)
            .map(|o| o.tag)
            .collect::<BTreeSet<u16>>()
    };
    assert_eq!(headers(0xCA), table(|o| o.read), "GET DATA");
    let mut writable = table(|o| o.write);
    writable.insert(0x3FFF); // key import, PUT DATA with odd INS DB
    let mut put = headers(0xDA);
    put.extend(headers(0xDB));
    assert_eq!(put, writable, "PUT DATA");

    let mut card = openpgp_card_applet_testkit::Card::new();
    card.select();
    for &(ins, p1, p2) in KNOWN_HEADERS {
        let sw = card.raw(&[class_of(ins, false, false), ins, p1, p2]).sw;
        assert!(
            sw != 0x6D00 && sw != 0x6A86,
            "{ins:02X} {p1:02X} {p2:02X} answers {sw:04X}"
        );
        card.select();
    }
}
