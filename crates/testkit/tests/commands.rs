//! The command helpers (`commands.rs`) against the applet, with the card's answers checked by
//! independent crates: Ed25519 signatures by ed25519-dalek, X25519 secrets by x25519-dalek.

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use openpgp_card_applet::crypto::{Algorithm, Curve, RsaImportFormat};
use openpgp_card_applet::spec::Slot;
use openpgp_card_applet_testkit::{assert_sw, attributes, first_slot, hex, public_key_part, Card};

/// A selected card with PW3 verified.
fn admin_card() -> Card {
    let mut card = Card::new();
    assert_sw(&card.select(), 0x9000);
    card.verify_admin();
    card
}

/// The Ed25519 public key of the answer to GENERATE.
fn ed25519_key(data: &[u8]) -> VerifyingKey {
    let point: [u8; 32] = public_key_part(data, 0x86)
        .and_then(|point| point.try_into().ok())
        .expect("a 32-byte point in 7F49");
    VerifyingKey::from_bytes(&point).expect("an Ed25519 public key")
}

fn signature(data: &[u8]) -> Signature {
    Signature::from_bytes(&data.try_into().expect("64 bytes"))
}

#[test]
fn attributes_are_the_spec_bytes() {
    assert_eq!(
        attributes(&Algorithm::Rsa {
            bits: 2048,
            format: RsaImportFormat::Standard
        }),
        hex("010800002000")
    );
    assert_eq!(
        attributes(&Algorithm::Ecdsa(Curve::P256)),
        hex("132A8648CE3D030107")
    );
    assert_eq!(attributes(&Algorithm::Ed25519), hex("162B06010401DA470F01"));
    assert_eq!(first_slot(&Algorithm::X25519), Slot::Dec);
    assert_eq!(first_slot(&Algorithm::Ed25519), Slot::Sig);
}

#[test]
fn set_algorithm_writes_the_attributes_and_refuses_a_wrong_slot() {
    let mut card = admin_card();
    assert_sw(&card.set_algorithm(Slot::Sig, &Algorithm::Ed25519), 0x9000);
    assert_eq!(card.get_data(0xC1).data, attributes(&Algorithm::Ed25519));
    // A decryption algorithm in the signature slot (spec §4.4.3.10).
    assert_sw(&card.set_algorithm(Slot::Sig, &Algorithm::X25519), 0x6A80);
}

#[test]
fn ed25519_generate_sign_and_read_back() {
    let mut card = admin_card();
    assert_sw(&card.set_algorithm(Slot::Sig, &Algorithm::Ed25519), 0x9000);
    let generated = card.generate_key(Slot::Sig);
    assert_sw(&generated, 0x9000);
    let key = ed25519_key(&generated.data);
    let read = card.public_key(Slot::Sig);
    assert_sw(&read, 0x9000);
    assert_eq!(ed25519_key(&read.data), key);

    // PSO:CDS needs PW1 81, good for one signature by default.
    assert_sw(&card.sign(b"message"), 0x6982);
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    let signed = card.sign(b"message");
    assert_sw(&signed, 0x9000);
    key.verify(b"message", &signature(&signed.data))
        .expect("the card's signature verifies");
    assert_sw(&card.sign(b"message"), 0x6982);
}

#[test]
fn internal_authenticate_signs_with_the_aut_key() {
    let mut card = admin_card();
    assert_sw(&card.set_algorithm(Slot::Aut, &Algorithm::Ed25519), 0x9000);
    let key = ed25519_key(&card.generate_key(Slot::Aut).data);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    let challenge = [0x5A; 100];
    let signed = card.internal_authenticate(&challenge);
    assert_sw(&signed, 0x9000);
    key.verify(&challenge, &signature(&signed.data))
        .expect("the card's authentication verifies");
}

#[test]
fn x25519_decipher_agrees_with_the_host() {
    let mut card = admin_card();
    assert_sw(&card.set_algorithm(Slot::Dec, &Algorithm::X25519), 0x9000);
    let generated = card.generate_key(Slot::Dec);
    let card_point: [u8; 32] = public_key_part(&generated.data, 0x86)
        .and_then(|point| point.try_into().ok())
        .expect("a 32-byte point");
    let host = x25519_dalek::StaticSecret::from([0x24u8; 32]);
    let host_point = x25519_dalek::PublicKey::from(&host);
    let shared = host.diffie_hellman(&x25519_dalek::PublicKey::from(card_point));

    assert_sw(&card.ecdh(host_point.as_bytes()), 0x6982);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    let answer = card.ecdh(host_point.as_bytes());
    assert_sw(&answer, 0x9000);
    assert_eq!(answer.data, shared.as_bytes());
    // `ecdh` is `decipher` of the cipher DO.
    let mut cipher_do = hex("A6257F49228620");
    cipher_do.extend_from_slice(host_point.as_bytes());
    assert_eq!(card.decipher(&cipher_do).data, shared.as_bytes());
}

#[test]
fn pin_changes_and_resets() {
    let mut card = admin_card();
    // PW1 and PW3 changed with their old values; a wrong old value costs a try.
    assert_sw(&card.change_pin(0x81, b"123456", b"654321"), 0x9000);
    assert_sw(&card.verify(0x81, b"654321"), 0x9000);
    assert_sw(&card.change_pin(0x81, b"000000", b"111111"), 0x6982);
    assert_eq!(card.tries(), [2, 0, 3]);
    assert_sw(&card.change_pin(0x83, b"12345678", b"87654321"), 0x9000);
    assert_sw(&card.verify(0x83, b"87654321"), 0x9000);

    // A blocked PW1, unblocked with the Resetting Code.
    assert_sw(&card.set_resetting_code(b"resetting"), 0x9000);
    assert_eq!(card.tries(), [2, 3, 3]);
    for _ in 0..2 {
        assert_sw(&card.verify(0x81, b"000000"), 0x6982);
    }
    assert_eq!(card.tries(), [0, 3, 3]);
    assert_sw(&card.reset_pin_with_code(b"resetting", b"222222"), 0x9000);
    assert_eq!(card.tries(), [3, 3, 3]);
    assert_sw(&card.verify(0x81, b"222222"), 0x9000);

    // And by the administrator.
    assert_sw(&card.reset_pin_as_admin(b"333333"), 0x9000);
    assert_sw(&card.verify(0x81, b"333333"), 0x9000);
    card.power_cycle();
    assert_sw(&card.select(), 0x9000);
    assert_sw(&card.reset_pin_as_admin(b"444444"), 0x6982);
}
