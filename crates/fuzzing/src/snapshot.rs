//! Personalised cards: a card's storage after its slots were given known keys, with what
//! each key answers (the probes), for the `import` and `session` targets to start from and
//! compare with.

use openpgp_card_applet::crypto::Curve;
use openpgp_card_applet::spec::Slot;
use openpgp_card_applet::tlv::Reader;
use openpgp_card_applet::{Storage, Transport};
use openpgp_card_applet_testkit::attestation_ca::DevelopmentCa;
use openpgp_card_applet_testkit::{ecdh_cipher_do, hex, keys, MemoryStorage, TestRng};

use crate::card::{card_on, command, expect_ok, expect_put, FuzzCard, CRT, PW1, PW3};
use crate::keys::{Family, KnownKey};

/// A card's storage after personalisation, with what its keys answer.
pub(crate) struct Snapshot {
    pub(crate) storage: MemoryStorage,
    pub(crate) families: [Family; 3],
    /// The DEC key's own public point, the peer of the ECDH probe.
    pub(crate) dec_point: Vec<u8>,
    /// What [`probe`] answers for each slot on the snapshot.
    pub(crate) probes: [(Vec<u8>, u16); 3],
    /// GET DATA DE.
    pub(crate) key_information: Vec<u8>,
    /// GET DATA 6E (attributes, fingerprints, dates, DE, UIF, PIN status: the slot metadata).
    pub(crate) application_data: Vec<u8>,
}

/// One private-key operation with a slot's key (PW1 verified first); data and status word.
/// Ed25519, PKCS#1 v1.5 and ECDH are deterministic, so a key that still works answers exactly
/// what it answered before. ECDSA nonces are hedged (random), so an ECDSA probe answers the
/// public point of the key in use (`47 81`, from the applet's key cache) followed by `01` if
/// the signature verifies under it (`00` if not): the same answer exactly when the key in use
/// is the same key and works.
pub(crate) fn probe<S: Storage>(
    card: &mut FuzzCard<S>,
    slot: usize,
    family: Family,
    dec_point: &[u8],
) -> (Vec<u8>, u16) {
    let answer = probe_operation(card, slot, family, dec_point);
    let Family::Ecdsa(curve) = family else {
        return answer;
    };
    let (signature, sw) = answer;
    if sw != 0x9000 {
        return (signature, sw);
    }
    let (public, sw) = command(card, 0x47, 0x81, 0x00, &[CRT[slot], 0x00]);
    assert_eq!(sw, 0x9000, "reading the public key of slot {slot}");
    let mut point = public_point(&public);
    let hash = vec![0x5A; curve.field_len()];
    let verifies = ecdsa_verifies(curve, &point, &hash, &signature);
    point.push(u8::from(verifies));
    (point, 0x9000)
}

/// Asserts that a [`probe`] answer shows a working key: `9000`, and an ECDSA signature that
/// verifies.
pub(crate) fn assert_probe_works(answer: &(Vec<u8>, u16), family: Family, what: &str) {
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
        Curve::BrainpoolP512r1 => verify!(openpgp_card_applet_bp512::BrainpoolP512r1),
    }
}

/// The private-key operation of [`probe`]: its raw answer.
fn probe_operation<S: Storage>(
    card: &mut FuzzCard<S>,
    slot: usize,
    family: Family,
    dec_point: &[u8],
) -> (Vec<u8>, u16) {
    let sign_input = match family {
        Family::EdDsa => b"probe".to_vec(),
        Family::Ecdsa(curve) => vec![0x5A; curve.field_len()],
        Family::Rsa => keys::DIGEST_INFO.to_vec(),
        Family::Xdh | Family::Ecdh => Vec::new(),
    };
    match slot {
        0 => {
            command(card, 0x20, 0x00, 0x81, PW1);
            command(card, 0x2A, 0x9E, 0x9A, &sign_input)
        }
        1 => {
            command(card, 0x20, 0x00, 0x82, PW1);
            if family == Family::Rsa {
                // The RSA DEC key signs after MANAGE SECURITY ENVIRONMENT.
                command(card, 0x22, 0x41, 0xA4, &[0x83, 0x01, 0x02]);
                command(card, 0x88, 0x00, 0x00, &sign_input)
            } else {
                command(card, 0x2A, 0x80, 0x86, &ecdh_cipher_do(dec_point))
            }
        }
        _ => {
            command(card, 0x20, 0x00, 0x82, PW1);
            command(card, 0x88, 0x00, 0x00, &sign_input)
        }
    }
}

/// A factory-fresh card's storage as a manufacturer ships it: empty but for the attestation
/// identity (a key generated on the card, certified by the test kit's development CA), which
/// the OpenPGP factory reset keeps. Every fuzzed card starts from it, and the reset oracle
/// compares with it.
pub(crate) fn factory_medium() -> &'static MemoryStorage {
    static MEDIUM: std::sync::OnceLock<MemoryStorage> = std::sync::OnceLock::new();
    MEDIUM.get_or_init(|| {
        let mut card = card_on(MemoryStorage::new(), Transport::Contact);
        let mut rng = TestRng::seed_from_u64(0xCA);
        let ca = DevelopmentCa::new(&mut rng);
        let spki = card
            .applet
            .generate_attestation_key([0x66, 0x00, 0x00, 0x00])
            .expect("attestation key");
        let certificate = ca.issue(&spki, &mut rng);
        card.applet
            .set_attestation_certificate(&certificate)
            .expect("attestation certificate");
        let storage = card.storage().clone();
        storage
    })
}

/// Personalises a fresh card: PW3 verified, each slot's attributes set and its key imported,
/// then `extra`. The probes run on a copy (PSO:CDS counts signatures in storage).
pub(crate) fn personalise(
    known: &[KnownKey; 3],
    extra: impl FnOnce(&mut FuzzCard<MemoryStorage>),
) -> Snapshot {
    let mut card = card_on(factory_medium().clone(), Transport::Contact);
    expect_ok(&mut card, 0xA4, 0x04, 0x00, &hex("D27600012401"));
    expect_ok(&mut card, 0x20, 0x00, 0x83, PW3);
    for (slot, key) in Slot::ALL.into_iter().zip(known) {
        expect_put(&mut card, slot.attributes_tag(), &key.attributes);
        expect_ok(&mut card, 0xDB, 0x3F, 0xFF, &key.template(slot.crt_tag()));
    }
    extra(&mut card);
    let (public, sw) = command(&mut card, 0x47, 0x81, 0x00, &[0xB8, 0x00]);
    assert_eq!(sw, 0x9000, "DEC public key");
    let dec_point = public_point(&public);
    let (key_information, sw) = command(&mut card, 0xCA, 0x00, 0xDE, &[]);
    assert_eq!(sw, 0x9000, "DE");
    let (application_data, sw) = command(&mut card, 0xCA, 0x00, 0x6E, &[]);
    assert_eq!(sw, 0x9000, "6E");
    let storage = card.storage().clone();
    let families = [known[0].family, known[1].family, known[2].family];
    let probes = core::array::from_fn(|slot| {
        let mut copy = card_on(storage.clone(), Transport::Contact);
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

/// The value of `86` (the EC point) in a public key template `7F49`; empty if there is none.
fn public_point(public: &[u8]) -> Vec<u8> {
    Reader::new(public)
        .expect(0x7F49)
        .ok()
        .and_then(|inner| Reader::new(inner).find(|t| t.tag == 0x86))
        .map(|t| t.value.to_vec())
        .unwrap_or_default()
}
