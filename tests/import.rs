//! Key import with PUT DATA `DB 3F FF` (spec §4.4.3.12) for all eight algorithms, with
//! known-answer vectors (RFC 8032, RFC 7748), every RSA format GnuPG may send, and proof that a
//! malformed import leaves the old key working.

mod common;
use common::*;
use openpgp_card_applet_testkit::ecdh_cipher_do;

use openpgp_card_applet::tlv::Reader;
use openpgp_card_applet_testkit::backends::TestRng;

const SIG: u8 = 0xB6;
const DEC: u8 = 0xB8;
const AUT: u8 = 0xA4;

use openpgp_card_applet_testkit::import_template as template;

fn import(card: &mut Card, data: &[u8]) -> Rsp {
    card.cmd(0x00, 0xDB, 0x3F, 0xFF, data)
}

fn public_key(card: &mut Card, crt: u8) -> Vec<u8> {
    let rsp = card.cmd_all(0x47, 0x81, 0x00, &[crt, 0x00]);
    assert_sw(&rsp, 0x9000);
    let mut outer = Reader::new(&rsp.data);
    let inner = outer.expect(0x7F49).unwrap();
    Reader::new(inner)
        .find(|t| t.tag == 0x86 || t.tag == 0x81)
        .unwrap()
        .value
        .to_vec()
}

fn admin_card() -> Card {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    card
}

fn sign(card: &mut Card, input: &[u8]) -> Rsp {
    card.verify(0x81, b"123456");
    card.cmd_all(0x2A, 0x9E, 0x9A, input)
}

const ED25519_ATTR: &str = "162B06010401DA470F01";
const X25519_ATTR: &str = "122B060104019755010501";
const P256_ECDSA_ATTR: &str = "132A8648CE3D030107";

#[test]
fn ed25519_rfc8032_test_vector_1() {
    let mut card = admin_card();
    card.put_data(0xC1, &hex(ED25519_ATTR));
    let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let public = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert_sw(
        &import(&mut card, &template(SIG, &[(0x92, &seed), (0x99, &public)])),
        0x9000,
    );
    assert_eq!(card.get_data(0xDE).data, [1, 2, 2, 0, 3, 0]);
    assert_eq!(public_key(&mut card, SIG), public);
    let rsp = sign(&mut card, b"");
    assert_sw(&rsp, 0x9000);
    assert_eq!(
        to_hex(&rsp.data),
        to_hex(&hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"))
    );
    // A public key that does not match the seed is refused.
    let mut wrong = public.clone();
    wrong[0] ^= 1;
    assert_sw(
        &import(&mut card, &template(AUT, &[(0x92, &seed), (0x99, &wrong)])),
        0x6A80,
    );
}

/// RFC 8032 §7.4 ("blank") through DB 3F FF in SIG and AUT: the 57-byte seed with and without
/// its public key, the signature of the empty message; a wrong public key or a long seed is
/// refused and the key stays.
#[cfg(feature = "ed448")]
#[test]
fn ed448_rfc8032_blank() {
    let mut card = admin_card();
    let seed = hex("6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b");
    let public = hex("5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180");
    let signature = hex("533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600");
    assert_sw(&card.put_data(0xC1, &hex("162B6571")), 0x9000);
    assert_sw(&card.put_data(0xC3, &hex("162B6571FF")), 0x9000);
    assert_sw(
        &import(&mut card, &template(SIG, &[(0x92, &seed), (0x99, &public)])),
        0x9000,
    );
    assert_sw(&import(&mut card, &template(AUT, &[(0x92, &seed)])), 0x9000);
    assert_eq!(public_key(&mut card, SIG), public);
    assert_eq!(public_key(&mut card, AUT), public);
    let rsp = sign(&mut card, b"");
    assert_sw(&rsp, 0x9000);
    assert_eq!(rsp.data, signature);
    let mut wrong = public.clone();
    wrong[0] ^= 1;
    let long = [&[1u8][..], &seed].concat();
    for bad in [
        template(SIG, &[(0x92, &seed), (0x99, &wrong)]),
        template(SIG, &[(0x92, &long)]),
    ] {
        card.verify_admin();
        assert_sw(&import(&mut card, &bad), 0x6A80);
        assert_eq!(public_key(&mut card, SIG), public);
    }
}

/// RFC 7748 §6.2 through DB 3F FF in DEC: Alice's scalar in RFC 7748 order (as GnuPG sends
/// X448 secrets), Bob's public key, the shared secret; a 55-byte scalar is refused.
#[cfg(feature = "ed448")]
#[test]
fn x448_rfc7748() {
    let mut card = admin_card();
    assert_sw(&card.put_data(0xC2, &hex("122B656F")), 0x9000);
    let alice = hex("9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b");
    let alice_public = hex("9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0");
    let bob_public = hex("3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609");
    let shared = hex("07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d");
    assert_sw(
        &import(
            &mut card,
            &template(DEC, &[(0x92, &alice), (0x99, &alice_public)]),
        ),
        0x9000,
    );
    assert_eq!(public_key(&mut card, DEC), alice_public);
    card.verify(0x82, b"123456");
    let rsp = card.cmd_all(0x2A, 0x80, 0x86, &ecdh_cipher_do(&bob_public));
    assert_sw(&rsp, 0x9000);
    assert_eq!(rsp.data, shared);
    card.verify_admin();
    assert_sw(
        &import(&mut card, &template(DEC, &[(0x92, &alice[1..])])),
        0x6A80,
    );
    assert_eq!(public_key(&mut card, DEC), alice_public);
}

#[test]
fn x25519_rfc7748_in_gnupg_byte_order() {
    let mut card = admin_card();
    assert_sw(&card.put_data(0xC2, &hex(X25519_ATTR)), 0x9000);
    // RFC 7748 §6.1: Alice's private key, Bob's public key, the shared secret.
    let alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    let alice_public = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let bob_public = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    // GnuPG sends the scalar reversed relative to RFC 7748.
    let reversed: Vec<u8> = alice.iter().rev().copied().collect();
    assert_sw(
        &import(&mut card, &template(DEC, &[(0x92, &reversed)])),
        0x9000,
    );
    assert_eq!(public_key(&mut card, DEC), alice_public);
    card.verify(0x82, b"123456");
    let mut data = hex("A6257F49228620");
    data.extend_from_slice(&bob_public);
    let rsp = card.cmd_all(0x2A, 0x80, 0x86, &data);
    assert_sw(&rsp, 0x9000);
    assert_eq!(rsp.data, shared);
}

#[test]
fn p256_scalar_with_a_leading_zero_byte() {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use p256::elliptic_curve::sec1::ToSec1Point;
    let mut card = admin_card();
    card.put_data(0xC1, &hex(P256_ECDSA_ATTR));
    // A scalar whose first byte is zero, sent both padded (32 bytes) and stripped (31 bytes).
    let mut scalar = vec![0u8];
    scalar.extend_from_slice(&[0x3C; 31]);
    let host = p256::SecretKey::from_slice(&scalar).unwrap();
    let point = host.public_key().to_sec1_point(false);
    for sent in [&scalar[..], &scalar[1..]] {
        assert_sw(
            &import(
                &mut card,
                &template(SIG, &[(0x92, sent), (0x99, point.as_bytes())]),
            ),
            0x9000,
        );
        assert_eq!(public_key(&mut card, SIG), point.as_bytes());
        let hash = [0x77u8; 32];
        let rsp = sign(&mut card, &hash);
        assert_sw(&rsp, 0x9000);
        let key = p256::ecdsa::VerifyingKey::from(host.public_key());
        key.verify_prehash(
            &hash,
            &p256::ecdsa::Signature::from_slice(&rsp.data).unwrap(),
        )
        .unwrap();
        card.verify_admin();
    }
}

macro_rules! weierstrass_import {
    ($name:ident, $C:ty, $oid:expr, $len:expr) => {
        /// ECDSA in SIG and AUT, ECDH in DEC, from known scalars (padded and stripped).
        #[test]
        fn $name() {
            use ecdsa::signature::hazmat::PrehashVerifier;
            use elliptic_curve::sec1::ToSec1Point;
            type SecretKey = elliptic_curve::SecretKey<$C>;
            let mut card = admin_card();
            let mut scalar = vec![0u8; $len];
            scalar[1..].fill(0x5D);
            let host = SecretKey::from_slice(&scalar).unwrap();
            let point = host.public_key().to_sec1_point(false);
            let ecdsa = [&[0x13][..], &hex($oid)].concat();
            let ecdh = [&[0x12][..], &hex($oid)].concat();
            for (crt, attr_tag, attributes) in
                [(SIG, 0xC1, &ecdsa), (AUT, 0xC3, &ecdsa), (DEC, 0xC2, &ecdh)]
            {
                assert_sw(&card.put_data(attr_tag, attributes), 0x9000);
                let sent = if crt == AUT {
                    &scalar[1..]
                } else {
                    &scalar[..]
                };
                assert_sw(
                    &import(
                        &mut card,
                        &template(crt, &[(0x92, sent), (0x99, point.as_bytes())]),
                    ),
                    0x9000,
                );
                assert_eq!(public_key(&mut card, crt), point.as_bytes());
            }
            let key = ecdsa::VerifyingKey::<$C>::from(host.public_key());
            let hash = [0x42u8; 64];
            let hash = &hash[..$len.min(64)];
            let rsp = sign(&mut card, hash);
            assert_sw(&rsp, 0x9000);
            key.verify_prehash(
                hash,
                &ecdsa::Signature::<$C>::from_slice(&rsp.data).unwrap(),
            )
            .unwrap();
            card.verify(0x82, b"123456");
            let rsp = card.cmd_all(0x88, 0, 0, hash);
            key.verify_prehash(
                hash,
                &ecdsa::Signature::<$C>::from_slice(&rsp.data).unwrap(),
            )
            .unwrap();
            // ECDH against a host key: both sides agree.
            // The leading byte keeps the scalar below every order (P-521's is 0x01FF...).
            let mut peer = [0x07u8; $len];
            peer[0] = 0x01;
            let peer = SecretKey::from_slice(&peer).unwrap();
            let peer_point = peer.public_key().to_sec1_point(false);
            let shared = elliptic_curve::ecdh::diffie_hellman(
                peer.to_nonzero_scalar(),
                host.public_key().as_affine(),
            );
            let data = ecdh_cipher_do(peer_point.as_bytes());
            let rsp = card.cmd_all(0x2A, 0x80, 0x86, &data);
            assert_sw(&rsp, 0x9000);
            assert_eq!(rsp.data, shared.raw_secret_bytes().to_vec());
            // A public key that is not the scalar's is refused, and the key stays.
            card.verify_admin();
            let wrong = peer_point.as_bytes().to_vec();
            assert_sw(
                &import(
                    &mut card,
                    &template(SIG, &[(0x92, &scalar), (0x99, &wrong)]),
                ),
                0x6A80,
            );
            assert_eq!(public_key(&mut card, SIG), point.as_bytes());
        }
    };
}

weierstrass_import!(
    p256_import_all_slots,
    p256::NistP256,
    "2A8648CE3D030107",
    32
);
weierstrass_import!(p384_import_all_slots, p384::NistP384, "2B81040022", 48);
weierstrass_import!(
    secp256k1_import_all_slots,
    k256::Secp256k1,
    "2B8104000A",
    32
);
#[cfg(feature = "p521")]
weierstrass_import!(p521_import_all_slots, p521::NistP521, "2B81040023", 66);
#[cfg(feature = "brainpool")]
weierstrass_import!(
    brainpool_p256r1_import_all_slots,
    bp256::BrainpoolP256r1,
    "2B2403030208010107",
    32
);
#[cfg(feature = "brainpool")]
weierstrass_import!(
    brainpool_p384r1_import_all_slots,
    bp384::BrainpoolP384r1,
    "2B240303020801010B",
    48
);
#[cfg(feature = "brainpool")]
weierstrass_import!(
    brainpool_p512r1_import_all_slots,
    bp512::BrainpoolP512r1,
    "2B240303020801010D",
    64
);

#[test]
fn ec_scalars_out_of_range_are_refused() {
    let mut card = admin_card();
    card.put_data(0xC1, &hex(P256_ECDSA_ATTR));
    let order = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    for bad in [vec![0u8; 32], order.clone(), vec![0xFF; 32], vec![1u8; 33]] {
        assert_sw(&import(&mut card, &template(SIG, &[(0x92, &bad)])), 0x6A80);
    }
    assert_eq!(card.get_data(0xDE).data[1], 0, "nothing stored");
}

/// A host RSA key and its components.
struct HostRsa {
    key: rsa::PrivateKey,
    e: Vec<u8>,
    p: Vec<u8>,
    q: Vec<u8>,
    n: Vec<u8>,
    dp: Vec<u8>,
    dq: Vec<u8>,
    qinv: Vec<u8>,
}

fn host_rsa(bits: usize, seed: u64) -> HostRsa {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    let key = rsa::PrivateKey::new(&mut TestRng::seed_from_u64(seed), bits).expect("host key");
    let bytes = |x: &rsa::BoxedUint| x.to_be_bytes_trimmed_vartime().to_vec();
    let primes = key.primes();
    HostRsa {
        e: vec![0x00, 0x01, 0x00, 0x01],
        p: bytes(primes[0].as_ref()),
        q: bytes(primes[1].as_ref()),
        n: key.n_bytes().to_vec(),
        dp: bytes(key.dp().unwrap()),
        dq: bytes(key.dq().unwrap()),
        qinv: key
            .qinv()
            .unwrap()
            .retrieve()
            .to_be_bytes_trimmed_vartime()
            .to_vec(),
        key,
    }
}

fn rsa_parts(k: &HostRsa, format: u8) -> Vec<(u8, &[u8])> {
    let mut parts: Vec<(u8, &[u8])> = vec![(0x91, &k.e), (0x92, &k.p), (0x93, &k.q)];
    if format >= 2 {
        parts.extend_from_slice(&[(0x94, &k.qinv[..]), (0x95, &k.dp[..]), (0x96, &k.dq[..])]);
    }
    if format == 1 || format == 3 {
        parts.push((0x97, &k.n));
    }
    parts
}

#[test]
fn rsa_2048_every_import_format_signs_like_the_host() {
    let host = host_rsa(2048, 11);
    let (_, info) = {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(b"known answer").to_vec();
        let mut info = hex("3031300d060960864801650304020105000420");
        info.extend_from_slice(&hash);
        (hash, info)
    };
    let expected = host
        .key
        .sign(rsa::Pkcs1v15Sign::new_unprefixed(), &info)
        .unwrap();
    for format in 0..4u8 {
        let mut card = admin_card();
        card.put_data(0xC1, &[0x01, 0x08, 0x00, 0x00, 0x20, format]);
        assert_sw(
            &import(&mut card, &template(SIG, &rsa_parts(&host, format))),
            0x9000,
        );
        assert_eq!(public_key(&mut card, SIG), host.n, "format {format}");
        let rsp = sign(&mut card, &info);
        assert_sw(&rsp, 0x9000);
        assert_eq!(
            rsp.data, expected,
            "PKCS#1 v1.5 signature bytes, format {format}"
        );
    }
}

#[test]
fn rsa_import_checks() {
    let host = host_rsa(2048, 12);
    let other = host_rsa(2048, 13);
    let mut card = admin_card();
    card.put_data(0xC2, &hex("010800002003"));
    // e = 65537 however it is padded.
    for e in [&[0x01, 0x00, 0x01][..], &[0x00, 0x00, 0x01, 0x00, 0x01]] {
        let parts = [
            (0x91, e),
            (0x92, &host.p[..]),
            (0x93, &host.q[..]),
            (0x97, &host.n[..]),
        ];
        assert_sw(&import(&mut card, &template(DEC, &parts)), 0x9000);
    }
    // n that is not p·q, e other than 65537, primes of the wrong size, missing parts.
    let bad_n = [
        (0x91, &host.e[..]),
        (0x92, &host.p[..]),
        (0x93, &host.q[..]),
        (0x97, &other.n[..]),
    ];
    assert_sw(&import(&mut card, &template(DEC, &bad_n)), 0x6A80);
    let bad_e = [
        (0x91, &[0x03][..]),
        (0x92, &host.p[..]),
        (0x93, &host.q[..]),
    ];
    assert_sw(&import(&mut card, &template(DEC, &bad_e)), 0x6A80);
    let short_p = [
        (0x91, &host.e[..]),
        (0x92, &host.p[1..]),
        (0x93, &host.q[..]),
    ];
    assert_sw(&import(&mut card, &template(DEC, &short_p)), 0x6A80);
    let missing_q = [(0x91, &host.e[..]), (0x92, &host.p[..])];
    assert_sw(&import(&mut card, &template(DEC, &missing_q)), 0x6A80);
    // p and q of two keys with the first key's n: refused.
    let mixed = [
        (0x91, &host.e[..]),
        (0x92, &host.p[..]),
        (0x93, &other.q[..]),
        (0x97, &host.n[..]),
    ];
    assert_sw(&import(&mut card, &template(DEC, &mixed)), 0x6A80);
    // A q that is not prime cannot make a working key: the test signature catches it.
    let mut composite = host.q.clone();
    *composite.last_mut().unwrap() ^= 0x02;
    let broken = [
        (0x91, &host.e[..]),
        (0x92, &host.p[..]),
        (0x93, &composite[..]),
    ];
    assert_sw(&import(&mut card, &template(DEC, &broken)), 0x6A80);
    // The key from the good import is still there and still works.
    assert_eq!(public_key(&mut card, DEC), host.n);
}

#[test]
fn rsa_3072_and_4096_import() {
    for (bits, crt) in [(3072u16, AUT), (4096, DEC)] {
        let host = host_rsa(usize::from(bits), u64::from(bits));
        let mut card = admin_card();
        let [hi, lo] = bits.to_be_bytes();
        card.put_data(
            0xC1 + (crt == DEC) as u16 + 2 * (crt == AUT) as u16,
            &[0x01, hi, lo, 0x00, 0x20, 0x03],
        );
        // Extended APDU, as GnuPG sends with extended lengths announced.
        assert_sw(
            &import(&mut card, &template(crt, &rsa_parts(&host, 3))),
            0x9000,
        );
        assert_eq!(public_key(&mut card, crt), host.n);
        // And chained in 254-byte pieces, as GnuPG sends without them.
        let data = template(crt, &rsa_parts(&host, 3));
        let chunks: Vec<&[u8]> = data.chunks(254).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let cla = if i + 1 < chunks.len() { 0x10 } else { 0x00 };
            assert_sw(&card.cmd(cla, 0xDB, 0x3F, 0xFF, chunk), 0x9000);
        }
    }
}

#[test]
fn malformed_templates_leave_the_old_key_working() {
    let mut card = admin_card();
    card.put_data(0xC1, &hex(ED25519_ATTR));
    let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    assert_sw(&import(&mut card, &template(SIG, &[(0x92, &seed)])), 0x9000);
    let good = template(SIG, &[(0x92, &[0x11; 32])]);
    let mut cases: Vec<(Vec<u8>, u16)> = Vec::new();
    // Trailing byte after 4D.
    let mut trailing = good.clone();
    trailing.push(0x00);
    cases.push((trailing, 0x6A80));
    // 5F48 shorter / longer than the 7F48 list says.
    cases.push((
        template(SIG, &[(0x92, &[0x11; 32])])
            .iter()
            .take(good.len() - 1)
            .copied()
            .collect(),
        0x6A80,
    ));
    let mut header_says_more = good.clone();
    let pos = header_says_more.iter().position(|&b| b == 0x92).unwrap();
    header_says_more[pos + 1] = 33;
    cases.push((header_says_more, 0x6700));
    // Wrong CRT tag, unknown component tag, RSA component for an EC key, no scalar.
    let mut crt = good.clone();
    crt[2] = 0xB7;
    cases.push((crt, 0x6A80));
    cases.push((template(SIG, &[(0x9A, &[0x11; 32])]), 0x6A80));
    cases.push((
        template(SIG, &[(0x92, &[0x11; 32]), (0x97, &[1; 32])]),
        0x6A80,
    ));
    cases.push((template(SIG, &[(0x99, &[0x11; 32])]), 0x6A80));
    // Seed of the wrong size for Ed25519 (a shorter one is a seed with leading zeros).
    cases.push((template(SIG, &[(0x92, &[0x11; 33])]), 0x6A80));
    cases.push((vec![0x4D, 0x00], 0x6A80));
    cases.push((vec![0x4D], 0x6A80));
    for (data, sw) in cases {
        let rsp = import(&mut card, &data);
        assert_eq!(rsp.sw, sw, "{}", to_hex(&data));
    }
    assert_eq!(card.get_data(0xDE).data[1], 2);
    let rsp = sign(&mut card, b"");
    assert_eq!(
        to_hex(&rsp.data[..4]),
        "E5564300",
        "the RFC 8032 key still signs"
    );
}

#[test]
fn import_needs_pw3_and_resets_the_counter() {
    let mut card = Card::new();
    card.select();
    let seed = [0x21u8; 32];
    assert_sw(&import(&mut card, &template(SIG, &[(0x92, &seed)])), 0x6982);
    card.verify_admin();
    card.put_data(0xC1, &hex(ED25519_ATTR));
    assert_sw(&import(&mut card, &template(SIG, &[(0x92, &seed)])), 0x9000);
    sign(&mut card, b"a");
    sign(&mut card, b"b");
    assert_eq!(card.get_data(0x93).data, [0, 0, 2]);
    card.verify_admin();
    card.put_data(0xC7, &[1; 20]);
    assert_sw(
        &import(&mut card, &template(SIG, &[(0x92, &[0x22; 32])])),
        0x9000,
    );
    assert_eq!(card.get_data(0x93).data, [0, 0, 0]);
    assert_eq!(
        &card.get_data(0xC5).data[..20],
        &[0; 20],
        "fingerprint is the host's to write"
    );
    assert_eq!(card.get_data(0xC0).data[0] & 0x20, 0x20, "import announced");
}
