//! Key slots end to end through APDUs (spec §7.2.10–7.2.14): for every algorithm and every
//! slot it fits, generate on the card, read the public key back, use the key, and check the
//! result on the host side with the RustCrypto crates' own verification or key agreement.

mod common;
use common::*;

use openpgp_card_applet::tlv::Reader;
use openpgp_card_applet_testkit::backends::TestRng;
use openpgp_card_applet_testkit::ecdh_cipher_do;

const SIG: u8 = 0xB6;
const DEC: u8 = 0xB8;
const AUT: u8 = 0xA4;

const P256: &str = "2A8648CE3D030107";
const P384: &str = "2B81040022";
const K256: &str = "2B8104000A";
#[cfg(feature = "p521")]
const P521: &str = "2B81040023";
#[cfg(feature = "brainpool")]
const BRAINPOOL_P256R1: &str = "2B2403030208010107";
#[cfg(feature = "brainpool")]
const BRAINPOOL_P384R1: &str = "2B240303020801010B";
#[cfg(feature = "brainpool")]
const BRAINPOOL_P512R1: &str = "2B240303020801010D";
const ED25519: &str = "2B06010401DA470F01";
const CV25519: &str = "2B060104019755010501";

/// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_PREFIX: &str = "3031300d060960864801650304020105000420";

fn attr_tag(crt: u8) -> u16 {
    match crt {
        SIG => 0xC1,
        DEC => 0xC2,
        _ => 0xC3,
    }
}

fn set_attributes(card: &mut Card, crt: u8, attributes: &[u8]) {
    assert_sw(&card.put_data(attr_tag(crt), attributes), 0x9000);
}

/// GENERATE, returning the public key template's inner TLVs (tag → value).
fn generate(card: &mut Card, crt: u8) -> Vec<(u16, Vec<u8>)> {
    let rsp = card.cmd_all(0x47, 0x80, 0x00, &[crt, 0x00]);
    assert_sw(&rsp, 0x9000);
    let public = parse_7f49(&rsp.data);
    let again = card.cmd_all(0x47, 0x81, 0x00, &[crt, 0x00]);
    assert_sw(&again, 0x9000);
    assert_eq!(
        parse_7f49(&again.data),
        public,
        "47 81 reads the generated key"
    );
    public
}

fn parse_7f49(bytes: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut outer = Reader::new(bytes);
    let inner = outer.expect(0x7F49).expect("7F49 template");
    assert!(outer.is_empty());
    let mut r = Reader::new(inner);
    let items: Vec<_> = r.by_ref().map(|t| (t.tag, t.value.to_vec())).collect();
    assert!(r.is_empty());
    items
}

fn field(public: &[(u16, Vec<u8>)], tag: u16) -> Vec<u8> {
    public
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| v.clone())
        .expect("field")
}

fn sign(card: &mut Card, input: &[u8]) -> Vec<u8> {
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    let rsp = card.cmd_all(0x2A, 0x9E, 0x9A, input);
    assert_sw(&rsp, 0x9000);
    rsp.data
}

fn authenticate(card: &mut Card, input: &[u8]) -> Vec<u8> {
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    let rsp = card.cmd_all(0x88, 0x00, 0x00, input);
    assert_sw(&rsp, 0x9000);
    rsp.data
}

fn decipher(card: &mut Card, input: &[u8]) -> Vec<u8> {
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    let rsp = card.cmd_all(0x2A, 0x80, 0x86, input);
    assert_sw(&rsp, 0x9000);
    rsp.data
}

/// A card with PW3 verified.
fn admin_card() -> Card {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    card
}

fn digest_info(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(message).to_vec();
    let mut info = hex(SHA256_PREFIX);
    info.extend_from_slice(&hash);
    (hash, info)
}

fn rsa_public(public: &[(u16, Vec<u8>)]) -> rsa::PublicKey {
    use rsa::BoxedUint;
    let n = field(public, 0x81);
    let e = field(public, 0x82);
    rsa::PublicKey::new(
        BoxedUint::from_be_slice_vartime(&n),
        BoxedUint::from_be_slice_vartime(&e),
    )
    .expect("valid RSA public key")
}

fn check_rsa(bits: u16, slots: &[u8]) {
    let mut card = admin_card();
    let attributes = [0x01, (bits >> 8) as u8, bits as u8, 0x00, 0x20, 0x00];
    for &crt in slots {
        set_attributes(&mut card, crt, &attributes);
        let public = generate(&mut card, crt);
        assert_eq!(field(&public, 0x81).len(), usize::from(bits / 8));
        assert_eq!(field(&public, 0x82), [0x01, 0x00, 0x01]);
        let key = rsa_public(&public);
        let (_, info) = digest_info(b"hello");
        let scheme = || rsa::Pkcs1v15Sign::new_unprefixed();
        match crt {
            SIG => key
                .verify(scheme(), &info, &sign(&mut card, &info))
                .expect("CDS verifies"),
            AUT => key
                .verify(scheme(), &info, &authenticate(&mut card, &info))
                .expect("AUTH verifies"),
            _ => {
                let mut rng = TestRng::seed_from_u64(5);
                let secret = b"a 32-byte session key for AES!!!";
                let c = key
                    .encrypt(&mut rng, rsa::Pkcs1v15Encrypt, secret)
                    .expect("encrypt");
                let mut data = vec![0x00];
                data.extend_from_slice(&c);
                assert_eq!(decipher(&mut card, &data), secret);
                card.verify_admin();
            }
        }
        card.verify_admin();
    }
}

#[test]
fn rsa_2048_in_every_slot() {
    check_rsa(2048, &[SIG, DEC, AUT]);
}

#[test]
fn rsa_3072_in_every_slot() {
    check_rsa(3072, &[SIG, DEC, AUT]);
}

#[test]
fn rsa_4096_in_every_slot() {
    check_rsa(4096, &[SIG, DEC, AUT]);
}

macro_rules! ecdsa_check {
    ($name:ident, $C:ty, $oid:expr, $field_len:expr) => {
        #[test]
        fn $name() {
            use ecdsa::signature::hazmat::PrehashVerifier;
            use elliptic_curve::sec1::ToSec1Point;
            type Signature = ecdsa::Signature<$C>;
            let mut card = admin_card();
            let mut attributes = vec![0x13];
            attributes.extend_from_slice(&hex($oid));
            for crt in [SIG, AUT] {
                set_attributes(&mut card, crt, &attributes);
                let public = generate(&mut card, crt);
                let point = field(&public, 0x86);
                assert_eq!(point.len(), 1 + 2 * $field_len);
                assert_eq!(point[0], 0x04);
                let key =
                    ecdsa::VerifyingKey::<$C>::from_sec1_bytes(&point).expect("point on the curve");
                let hash = [0x5Au8; 64];
                let hash = &hash[..$field_len.min(64)];
                let raw = if crt == SIG {
                    sign(&mut card, hash)
                } else {
                    authenticate(&mut card, hash)
                };
                assert_eq!(raw.len(), 2 * $field_len, "raw r||s");
                let signature = Signature::from_slice(&raw).expect("r||s");
                key.verify_prehash(hash, &signature)
                    .expect("ECDSA verifies");
                // Hedged nonces: the same hash signed again gets another r, and verifies.
                let again = if crt == SIG {
                    sign(&mut card, hash)
                } else {
                    authenticate(&mut card, hash)
                };
                assert_ne!(again[..$field_len], raw[..$field_len], "nonce reused");
                key.verify_prehash(hash, &Signature::from_slice(&again).unwrap())
                    .expect("the second signature verifies");
                // A shorter hash is left-padded by the card.
                let short = [0x11u8; 20];
                let raw = if crt == SIG {
                    sign(&mut card, &short)
                } else {
                    authenticate(&mut card, &short)
                };
                let mut padded = vec![0u8; $field_len - 20];
                padded.extend_from_slice(&short);
                key.verify_prehash(&padded, &Signature::from_slice(&raw).unwrap())
                    .expect("padded");
                card.verify_admin();
            }
            // ECDH in the DEC slot.
            let mut attributes = vec![0x12];
            attributes.extend_from_slice(&hex($oid));
            set_attributes(&mut card, DEC, &attributes);
            let public = generate(&mut card, DEC);
            let card_point =
                elliptic_curve::PublicKey::<$C>::from_sec1_bytes(&field(&public, 0x86)).unwrap();
            // The leading byte keeps the scalar below every order (P-521's is 0x01FF...).
            let mut host = [0x42u8; $field_len];
            host[0] = 0x01;
            let host = elliptic_curve::SecretKey::<$C>::from_slice(&host).unwrap();
            let host_point = host.public_key().to_sec1_point(false);
            let shared = elliptic_curve::ecdh::diffie_hellman(
                host.to_nonzero_scalar(),
                card_point.as_affine(),
            );
            let data = ecdh_cipher_do(host_point.as_bytes());
            assert_eq!(
                decipher(&mut card, &data),
                shared.raw_secret_bytes().to_vec()
            );
            // A point that is not on the curve is refused.
            let mut bad = data.clone();
            let last = bad.len() - 1;
            bad[last] ^= 0x01;
            assert_sw(&card.cmd_all(0x2A, 0x80, 0x86, &bad), 0x6A80);
        }
    };
}

ecdsa_check!(nist_p256_ecdsa_and_ecdh, p256::NistP256, P256, 32);
ecdsa_check!(nist_p384_ecdsa_and_ecdh, p384::NistP384, P384, 48);
ecdsa_check!(secp256k1_ecdsa_and_ecdh, k256::Secp256k1, K256, 32);
#[cfg(feature = "p521")]
ecdsa_check!(nist_p521_ecdsa_and_ecdh, p521::NistP521, P521, 66);
#[cfg(feature = "brainpool")]
ecdsa_check!(
    brainpool_p256r1_ecdsa_and_ecdh,
    bp256::BrainpoolP256r1,
    BRAINPOOL_P256R1,
    32
);
#[cfg(feature = "brainpool")]
ecdsa_check!(
    brainpool_p384r1_ecdsa_and_ecdh,
    bp384::BrainpoolP384r1,
    BRAINPOOL_P384R1,
    48
);
#[cfg(feature = "brainpool")]
ecdsa_check!(
    brainpool_p512r1_ecdsa_and_ecdh,
    bp512::BrainpoolP512r1,
    BRAINPOOL_P512R1,
    64
);

#[test]
fn ed25519_sign_and_authenticate_large_input() {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    let mut card = admin_card();
    let mut attributes = vec![0x16];
    attributes.extend_from_slice(&hex(ED25519));
    for crt in [SIG, AUT] {
        set_attributes(&mut card, crt, &attributes);
        let public = generate(&mut card, crt);
        let point: [u8; 32] = field(&public, 0x86).try_into().expect("32 bytes");
        let key = VerifyingKey::from_bytes(&point).expect("Ed25519 point");
        // SSH signs whole blobs through INTERNAL AUTHENTICATE: more than 1 KiB here.
        let message: Vec<u8> = (0..1500u32).map(|i| (i * 7) as u8).collect();
        let raw = if crt == SIG {
            sign(&mut card, &message)
        } else {
            authenticate(&mut card, &message)
        };
        let signature = Signature::from_bytes(&raw.try_into().expect("64 bytes"));
        key.verify(&message, &signature).expect("Ed25519 verifies");
        card.verify_admin();
    }
}

#[test]
fn x25519_decipher_both_point_forms() {
    let mut card = admin_card();
    let mut attributes = vec![0x12];
    attributes.extend_from_slice(&hex(CV25519));
    set_attributes(&mut card, DEC, &attributes);
    let public = generate(&mut card, DEC);
    let card_point: [u8; 32] = field(&public, 0x86).try_into().expect("32 bytes");
    let host = x25519_dalek::StaticSecret::from([0x24u8; 32]);
    let host_point = x25519_dalek::PublicKey::from(&host);
    let shared = host.diffie_hellman(&x25519_dalek::PublicKey::from(card_point));
    let mut data = hex("A6257F49228620");
    data.extend_from_slice(host_point.as_bytes());
    assert_eq!(decipher(&mut card, &data), shared.as_bytes());
    let mut prefixed = hex("A6267F4923862140");
    prefixed.extend_from_slice(host_point.as_bytes());
    assert_eq!(decipher(&mut card, &prefixed), shared.as_bytes());
}

/// Ed448 in SIG and AUT: 57-byte public keys, 114-byte signatures over inputs of any size (a
/// hash, and an SSH-sized blob through command chaining), verified by ed448-goldilocks.
#[cfg(feature = "ed448")]
#[test]
fn ed448_sign_and_authenticate() {
    use ed448_goldilocks::{Signature, VerifyingKey};
    let mut card = admin_card();
    for crt in [SIG, AUT] {
        set_attributes(&mut card, crt, &hex("162B6571"));
        let public = generate(&mut card, crt);
        let point: [u8; 57] = field(&public, 0x86).try_into().expect("57 bytes");
        let key = VerifyingKey::from_bytes(&point).expect("Ed448 point");
        for len in [64usize, 1500] {
            let message: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let raw = if crt == SIG {
                sign(&mut card, &message)
            } else {
                authenticate(&mut card, &message)
            };
            let signature = Signature::from_slice(&raw).expect("114 bytes");
            key.verify_raw(&signature, &message)
                .expect("Ed448 verifies");
            card.verify_admin();
        }
    }
}

/// X448 in DEC: both forms of the host's point (56 bytes, `40 ‖ X`) give the 56-byte secret
/// without a prefix; a point of small order is refused.
#[cfg(feature = "ed448")]
#[test]
fn x448_decipher_both_point_forms() {
    let mut card = admin_card();
    set_attributes(&mut card, DEC, &hex("122B656F"));
    let public = generate(&mut card, DEC);
    let card_point = x448::PublicKey::from_bytes(&field(&public, 0x86)).expect("56 bytes");
    let host = x448::StaticSecret::from([0x24u8; 56]);
    let host_point = x448::PublicKey::from(&host);
    let shared = host.diffie_hellman(&card_point);
    let data = ecdh_cipher_do(host_point.as_bytes());
    assert_eq!(decipher(&mut card, &data), shared.as_bytes());
    let prefixed = ecdh_cipher_do(&[&[0x40][..], host_point.as_bytes()].concat());
    assert_eq!(decipher(&mut card, &prefixed), shared.as_bytes());
    let mut one = [0u8; 56];
    one[0] = 1;
    assert_sw(
        &card.cmd_all(0x2A, 0x80, 0x86, &ecdh_cipher_do(&one)),
        0x6A80,
    );
}

#[test]
fn attributes_are_validated_per_slot() {
    let mut card = Card::new();
    card.select();
    let ecdsa = [&[0x13][..], &hex(P256)].concat();
    let ecdh = [&[0x12][..], &hex(P256)].concat();
    let eddsa = [&[0x16][..], &hex(ED25519)].concat();
    let x25519 = [&[0x12][..], &hex(CV25519)].concat();
    assert_sw(&card.put_data(0xC1, &ecdsa), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0xC1, &ecdh), 0x6A80);
    assert_sw(&card.put_data(0xC2, &ecdsa), 0x6A80);
    assert_sw(&card.put_data(0xC2, &eddsa), 0x6A80);
    assert_sw(&card.put_data(0xC3, &x25519), 0x6A80);
    assert_sw(&card.put_data(0xC1, &hex("010400002000")), 0x6A80); // RSA 1024
    assert_sw(&card.put_data(0xC1, &hex("1306010203")), 0x6A80); // unknown OID
    assert_sw(&card.put_data(0xC1, &[]), 0x6A80);
    // What GnuPG sends, including the optional trailing FF on EC.
    assert_sw(&card.put_data(0xC1, &hex("010800002000")), 0x9000);
    assert_sw(
        &card.put_data(0xC1, &[&ecdsa[..], &[0xFF]].concat()),
        0x9000,
    );
    assert_sw(&card.put_data(0xC2, &x25519), 0x9000);
    assert_sw(&card.put_data(0xC3, &eddsa), 0x9000);
    assert_eq!(card.get_data(0xC2).data, x25519);
    card.power_cycle();
    card.select();
    assert_eq!(card.get_data(0xC3).data, eddsa);
}

#[test]
fn algorithm_information_lists_the_supported_set() {
    let mut card = Card::new();
    card.select();
    let fa = card.get_data(0xFA);
    assert_sw(&fa, 0x9000);
    let mut outer = Reader::new(&fa.data);
    let inner = outer.expect(0xFA).unwrap();
    let entries: Vec<(u16, String)> = Reader::new(inner)
        .map(|t| (t.tag, to_hex(t.value)))
        .collect();
    let has = |tag: u16, value: &str| entries.contains(&(tag, value.to_string()));
    for tag in [0xC1, 0xC2, 0xC3] {
        assert!(
            has(tag, "010800002000")
                || entries
                    .iter()
                    .any(|(t, v)| *t == tag && v.starts_with("010800")),
            "RSA-2048 in {tag:X}"
        );
        assert!(
            entries
                .iter()
                .any(|(t, v)| *t == tag && v.starts_with("011000")),
            "RSA-4096 in {tag:X}"
        );
    }
    for tag in [0xC1, 0xC3] {
        assert!(has(tag, &format!("13{P256}")));
        assert!(has(tag, &format!("13{P384}")));
        assert!(has(tag, &format!("13{K256}")));
        assert!(has(tag, &format!("16{ED25519}")));
        assert!(!has(tag, &format!("12{CV25519}")));
    }
    assert!(has(0xC2, &format!("12{P256}")));
    assert!(has(0xC2, &format!("12{CV25519}")));
    assert!(!has(0xC2, &format!("16{ED25519}")));
    // Every entry is accepted by PUT DATA for its slot.
    card.verify_admin();
    for (tag, value) in &entries {
        assert_sw(&card.put_data(*tag, &hex(value)), 0x9000);
    }
    assert_eq!(
        card.get_data(0xC0).data[0] & 0x04,
        0x04,
        "attributes changeable announced"
    );
}

#[test]
fn key_state_after_generation_and_attribute_change() {
    let mut card = admin_card();
    let eddsa = [&[0x16][..], &hex(ED25519)].concat();
    set_attributes(&mut card, SIG, &eddsa);
    generate(&mut card, SIG);
    assert_eq!(card.get_data(0xDE).data, [1, 1, 2, 0, 3, 0]);
    card.put_data(0xC7, &[7; 20]);
    card.put_data(0xCE, &[1, 2, 3, 4]);
    sign(&mut card, b"one");
    sign(&mut card, b"two");
    assert_eq!(card.get_data(0x93).data, [0, 0, 2]);
    // Metadata writes keep the key; the key survives a power cycle.
    card.power_cycle();
    card.select();
    let public = card.cmd_all(0x47, 0x81, 0, &[SIG, 0]);
    assert_sw(&public, 0x9000);
    sign(&mut card, b"three");
    assert_eq!(card.get_data(0x93).data, [0, 0, 3]);
    // A new key resets the signature counter; fingerprint and date are cleared for the host.
    card.verify_admin();
    generate(&mut card, SIG);
    assert_eq!(card.get_data(0x93).data, [0, 0, 0]);
    assert_eq!(&card.get_data(0xC5).data[..20], &[0; 20]);
    assert_eq!(&card.get_data(0xCD).data[..4], &[0; 4]);
    // Changing to another key type deletes the key.
    card.put_data(0xC7, &[7; 20]);
    set_attributes(&mut card, SIG, &hex("010800002000"));
    assert_eq!(card.get_data(0xDE).data, [1, 0, 2, 0, 3, 0]);
    assert_eq!(&card.get_data(0xC5).data[..20], &[0; 20]);
    assert_sw(&card.cmd_all(0x47, 0x81, 0, &[SIG, 0]), 0x6A88);
    card.verify(0x81, b"123456");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"x"), 0x6A88);
    // Re-sending the same type (GnuPG's key-attr with an unchanged choice) keeps the key.
    set_attributes(&mut card, AUT, &eddsa);
    generate(&mut card, AUT);
    set_attributes(&mut card, AUT, &[&eddsa[..], &[0xFF]].concat());
    assert_eq!(card.get_data(0xDE).data[5], 1);
}

#[test]
fn forced_signature_pin_both_ways() {
    let mut card = admin_card();
    set_attributes(&mut card, SIG, &[&[0x16][..], &hex(ED25519)].concat());
    generate(&mut card, SIG);
    // Default C4 byte 1 = 00: every signature needs its own VERIFY 81.
    sign(&mut card, b"first");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"second"), 0x6982);
    assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C3);
    // VERIFY 82 does not allow signing.
    card.verify(0x82, b"123456");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"second"), 0x6982);
    // C4 byte 1 = 01: one VERIFY 81 for the whole session.
    card.verify_admin();
    card.put_data(0xC4, &[1]);
    sign(&mut card, b"third");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"fourth"), 0x9000);
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"fifth"), 0x9000);
    card.power_cycle();
    card.select();
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"sixth"), 0x6982);
    assert_eq!(card.get_data(0x93).data, [0, 0, 4]);
}

#[test]
fn error_paths() {
    let mut card = admin_card();
    // No key: 6A88 for read, sign, decipher, authenticate.
    assert_sw(&card.cmd_all(0x47, 0x81, 0, &[DEC, 0]), 0x6A88);
    card.verify(0x81, b"123456");
    card.verify(0x82, b"123456");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"x"), 0x6A88);
    assert_sw(&card.cmd_all(0x2A, 0x80, 0x86, &[0, 1, 2]), 0x6A88);
    assert_sw(&card.cmd_all(0x88, 0, 0, b"x"), 0x6A88);
    // Malformed control reference templates and parameters.
    for crt in [
        &[][..],
        &[0xB7, 0x00],
        &[0xB6],
        &[0xB6, 0x00, 0x00],
        &[0xB6, 0x02, 0x84, 0x01],
    ] {
        assert_sw(&card.cmd(0, 0x47, 0x81, 0, crt), 0x6A80);
    }
    assert_sw(&card.cmd(0, 0x47, 0x82, 0, &[SIG, 0]), 0x6A86);
    assert_sw(&card.cmd(0, 0x2A, 0x9E, 0x9B, b"x"), 0x6A86);
    // The long form with a key reference is accepted.
    set_attributes(&mut card, AUT, &[&[0x16][..], &hex(ED25519)].concat());
    assert_sw(
        &card.cmd_all(0x47, 0x80, 0, &[AUT, 0x03, 0x84, 0x01, 0x03]),
        0x9000,
    );
    // GENERATE needs PW3.
    card.power_cycle();
    card.select();
    assert_sw(&card.cmd(0, 0x47, 0x80, 0, &[SIG, 0]), 0x6982);
    // Operations need their PIN.
    assert_sw(&card.cmd_all(0x88, 0, 0, b"x"), 0x6982);
    assert_sw(&card.cmd_all(0x2A, 0x80, 0x86, &[0xA6, 0x00]), 0x6982);
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, b"x"), 0x6982);
}

#[test]
fn rsa_input_limits_and_bad_padding() {
    let mut card = admin_card();
    set_attributes(&mut card, SIG, &hex("010800002000"));
    set_attributes(&mut card, DEC, &hex("010800002000"));
    generate(&mut card, SIG);
    generate(&mut card, DEC);
    // More than 40 % of the modulus (102 bytes of 256) is refused.
    card.verify(0x81, b"123456");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[0x30; 103]), 0x6700);
    // A cryptogram that does not unpad.
    card.verify(0x82, b"123456");
    let mut data = vec![0x00];
    data.extend_from_slice(&[0x5A; 256]);
    let rsp = card.cmd(0, 0x2A, 0x80, 0x86, &data);
    assert_sw(&rsp, 0x6A80);
    // Wrong padding indicator for an RSA key.
    assert_sw(&card.cmd(0, 0x2A, 0x80, 0x86, &hex("A6037F4900")), 0x6A80);
    assert_sw(&card.cmd(0, 0x2A, 0x80, 0x86, &[0x01, 0x02]), 0x6A80);
}
