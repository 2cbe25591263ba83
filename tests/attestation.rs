//! Key attestation (YubiKey's format): provisioning by the firmware, `80 FB`, the DOs D9-DD
//! and FC, and certificates checked on the host (x509-cert parses them, p256 verifies the
//! signatures; the yubikit suite checks them again with Python `cryptography`).

mod common;

use common::*;
use openpgp_card_applet::Status;
use openpgp_card_applet_testkit::attestation_ca::DevelopmentCa;
use p256::ecdsa::signature::Verifier;
use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

const DATE: [u8; 4] = [0x66, 0x00, 0x00, 0x00];

/// A card provisioned with an attestation key certified by a development CA.
fn provisioned() -> (Card, DevelopmentCa) {
    let mut rng = TestRng::seed_from_u64(7);
    let ca = DevelopmentCa::new(&mut rng);
    let mut card = Card::new();
    ca.provision(&mut card.applet, DATE, &mut rng)
        .expect("provisioning");
    card.select();
    (card, ca)
}

/// The certificate in the 7F21 occurrence of `slot` (0 AUT, 1 DEC, 2 SIG), as yubikit and
/// GnuPG read it.
fn certificate(card: &mut Card, occurrence: u8) -> Vec<u8> {
    let select = [
        0x00, 0xA5, occurrence, 0x04, 0x06, 0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21,
    ];
    assert_sw(&card.raw(&select), 0x9000);
    let rsp = card.get_data(0x7F21);
    assert_sw(&rsp, 0x9000);
    rsp.data
}

fn verifies(certificate: &Certificate, issuer: &Certificate) -> bool {
    let spki = issuer.tbs_certificate().subject_public_key_info();
    let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes())
    else {
        return false;
    };
    let tbs = certificate.tbs_certificate().to_der().unwrap();
    let Ok(signature) = p256::ecdsa::DerSignature::from_bytes(certificate.signature().raw_bytes())
    else {
        return false;
    };
    key.verify(&tbs, &signature).is_ok()
}

/// The value of Yubico's extension 1.3.6.1.4.1.41482.5.`n` (its DER), if present.
fn extension(certificate: &Certificate, n: u8) -> Option<Vec<u8>> {
    let oid = format!("1.3.6.1.4.1.41482.5.{n}");
    certificate
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id.to_string() == oid)
        .map(|e| e.extn_value.as_bytes().to_vec())
}

#[test]
fn provisioning_checks_the_certificate_and_fills_the_dos() {
    let mut rng = TestRng::seed_from_u64(3);
    let ca = DevelopmentCa::new(&mut rng);
    let mut card = Card::new();
    // A certificate before a key, and one for another key, are refused.
    let other = DevelopmentCa::new(&mut rng);
    let stranger = other.issue(
        &x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(
            &Certificate::from_der(other.certificate())
                .unwrap()
                .tbs_certificate()
                .subject_public_key_info()
                .to_der()
                .unwrap(),
        )
        .unwrap()
        .to_der()
        .unwrap(),
        &mut rng,
    );
    assert_eq!(
        card.applet.set_attestation_certificate(&stranger),
        Err(Status::ReferencedDataNotFound)
    );
    assert_eq!(card.applet.attestation_public_key(), Ok(None));
    let spki = card.applet.generate_attestation_key(DATE).unwrap();
    assert_eq!(card.applet.attestation_public_key(), Ok(Some(spki.clone())));
    assert_eq!(
        card.applet.set_attestation_certificate(&stranger),
        Err(Status::IncorrectData)
    );
    assert_eq!(
        card.applet.set_attestation_certificate(b"not DER"),
        Err(Status::IncorrectData)
    );
    assert_eq!(
        card.applet.set_attestation_certificate(&[]),
        Err(Status::ConditionsOfUseNotSatisfied),
        "only a new attestation key removes the provisioned certificate"
    );
    let issued = ca.issue(&spki, &mut rng);
    assert_eq!(card.applet.set_attestation_certificate(&issued), Ok(()));
    card.select();
    assert_eq!(card.get_data(0xFC).data, issued);
    assert_eq!(card.get_data(0xDA).data, hex("132A8648CE3D030107"));
    assert_eq!(card.get_data(0xDD).data, DATE);
    assert_eq!(card.get_data(0xDB).data, [0; 20]);
    assert_eq!(card.get_data(0xD9).data, [0x00, 0x20]);
    // The fourth occurrence of 7F21 is the attestation certificate too.
    assert_eq!(certificate(&mut card, 3), issued);
    assert_sw(&card.raw(&hex("00A50404 06 6004 5C02 7F21")), 0x6A86);
    // PUT DATA FC (PW3): the user's certificate, only one of the attestation key; empty
    // removes the user's certificate, never the provisioned one. The same through the fourth
    // 7F21 occurrence.
    assert_sw(&card.put_data(0xFC, &[]), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0xFC, &stranger), 0x6A80);
    assert_sw(&card.put_data(0xFC, b"not DER"), 0x6A80);
    assert_sw(&card.put_data(0xFC, &[]), 0x9000);
    assert_eq!(
        card.get_data(0xFC).data,
        issued,
        "the provisioned one stays"
    );
    certificate(&mut card, 3);
    assert_sw(&card.put_data(0x7F21, &[]), 0x9000);
    assert_sw(&card.put_data(0x7F21, &stranger), 0x6A80);
    assert_eq!(certificate(&mut card, 3), issued);
    let reissued = ca.issue(&spki, &mut rng);
    assert_sw(&card.put_data(0xFC, &reissued), 0x9000);
    assert_eq!(card.get_data(0xFC).data, reissued);
    assert_eq!(certificate(&mut card, 3), reissued);
    assert_sw(&card.put_data(0x7F21, &[]), 0x9000);
    assert_eq!(card.get_data(0xFC).data, issued, "the override is gone");
    assert_sw(&card.put_data(0x7F21, &reissued), 0x9000);
    assert_eq!(card.get_data(0xFC).data, reissued);
    // The attestation certificate chains to the CA.
    let issued = Certificate::from_der(&issued).unwrap();
    let root = Certificate::from_der(ca.certificate()).unwrap();
    assert!(verifies(&issued, &root));
}

#[test]
fn attestation_certifies_the_slot_key_with_yubicos_extensions() {
    let (mut card, _ca) = provisioned();
    card.verify_admin();
    assert_sw(&card.put_data(0x5B, b"Doe<<Jane"), 0x9000);
    assert_sw(&card.put_data(0xC1, &hex("132A8648CE3D030107")), 0x9000);
    let public = card.generate(0xB6);
    assert_sw(&public, 0x9000);
    assert_sw(&card.put_data(0xC7, &[0xC7; 20]), 0x9000);
    assert_sw(&card.put_data(0xCE, &[0x5F, 1, 2, 3]), 0x9000);
    assert_sw(&card.put_data(0xD6, &[0x01, 0x20]), 0x9000);
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[0x11; 32]), 0x9000);
    // GnuPG 2.5's GEN-ATTST: PW3 verified, then exactly `80 FB 01 00`.
    assert_sw(&card.raw(&hex("80FB0100")), 0x9000);
    let statement = Certificate::from_der(&certificate(&mut card, 2)).unwrap();
    let authority = Certificate::from_der(&card.get_data(0xFC).data).unwrap();
    assert!(
        verifies(&statement, &authority),
        "signed by the attestation key"
    );
    let tbs = statement.tbs_certificate();
    assert_eq!(tbs.issuer(), authority.tbs_certificate().subject());
    assert_eq!(tbs.validity(), authority.tbs_certificate().validity());
    assert_eq!(tbs.subject().to_string(), "CN=OpenPGP card attestation SIG");
    // The certified key is the slot's: 7F49 { 86 04‖X‖Y }.
    let point = &public.data[5..];
    assert_eq!(
        tbs.subject_public_key_info().subject_public_key.raw_bytes(),
        point
    );
    assert_eq!(
        extension(&statement, 1).unwrap(),
        hex("0C09446F653C3C4A616E65")
    );
    assert_eq!(
        extension(&statement, 2).unwrap(),
        hex("020101"),
        "generated on the card"
    );
    assert_eq!(extension(&statement, 3).unwrap(), hex("0403050601"));
    assert_eq!(
        extension(&statement, 4).unwrap(),
        [&[0x04, 20][..], &[0xC7; 20]].concat()
    );
    assert_eq!(extension(&statement, 5).unwrap(), hex("04045F010203"));
    assert_eq!(
        extension(&statement, 6).unwrap(),
        hex("020101"),
        "one signature"
    );
    assert_eq!(
        extension(&statement, 7).unwrap(),
        hex("020101"),
        "serial 00000001"
    );
    assert_eq!(extension(&statement, 8).unwrap(), hex("040101"), "UIF on");
    // Two attestations differ (random serial numbers).
    assert_sw(&card.raw(&hex("80FB0100")), 0x9000);
    let again = Certificate::from_der(&certificate(&mut card, 2)).unwrap();
    assert_ne!(again.tbs_certificate().serial_number(), tbs.serial_number());
}

#[test]
fn every_key_type_is_attested_and_imported_keys_are_refused() {
    let (mut card, _ca) = provisioned();
    card.verify_admin();
    // An imported RSA-2048 key in DEC: refused, as a YubiKey refuses it.
    let p = openpgp_card_applet_testkit::keys::RSA2048_P;
    let q = openpgp_card_applet_testkit::keys::RSA2048_Q;
    let import = import_template(0xB8, &[(0x91, &[1, 0, 1]), (0x92, p), (0x93, q)]);
    assert_sw(&card.cmd(0, 0xDB, 0x3F, 0xFF, &import), 0x9000);
    assert_sw(&card.raw(&hex("80FB0200")), 0x6985);
    assert!(
        certificate(&mut card, 1).is_empty(),
        "nothing written for DEC"
    );
    // RSA-2048 generated in DEC, Ed25519 generated in AUT.
    card.select();
    card.verify_admin();
    let rsa = card.generate(0xB8);
    assert_sw(&rsa, 0x9000);
    assert_sw(&card.put_data(0xC3, &hex("162B06010401DA470F01")), 0x9000);
    let ed = card.generate(0xA4);
    assert_sw(&ed, 0x9000);
    assert_sw(&card.raw(&hex("80FB0200")), 0x9000);
    assert_sw(&card.raw(&hex("80FB0300")), 0x9000);
    let dec = Certificate::from_der(&certificate(&mut card, 1)).unwrap();
    let aut = Certificate::from_der(&certificate(&mut card, 0)).unwrap();
    assert_eq!(extension(&dec, 2).unwrap(), hex("020101"), "generated");
    assert_eq!(extension(&dec, 6), None, "no signature counter outside SIG");
    assert_eq!(extension(&aut, 2).unwrap(), hex("020101"));
    // RSA: rsaEncryption and RSAPublicKey { n, e }.
    let spki = dec.tbs_certificate().subject_public_key_info();
    assert_eq!(spki.algorithm.oid.to_string(), "1.2.840.113549.1.1.1");
    let rsa_key = spki.subject_public_key.raw_bytes();
    let n = &rsa.data[9..9 + 256]; // 7F49 82 0109 81 82 0100 <n>
    assert!(rsa_key.windows(n.len()).any(|w| w == n), "the modulus");
    assert!(
        rsa_key.ends_with(&[0x02, 0x03, 0x01, 0x00, 0x01]),
        "e = 65537"
    );
    // Ed25519: id-Ed25519 and the 32 raw bytes.
    let spki = aut.tbs_certificate().subject_public_key_info();
    assert_eq!(spki.algorithm.oid.to_string(), "1.3.101.112");
    assert_eq!(spki.subject_public_key.raw_bytes(), &ed.data[5..]);
    // X25519 in DEC.
    assert_sw(&card.put_data(0xC2, &hex("122B060104019755010501")), 0x9000);
    let x = card.generate(0xB8);
    assert_sw(&card.raw(&hex("80FB0200")), 0x9000);
    let dec = Certificate::from_der(&certificate(&mut card, 1)).unwrap();
    let spki = dec.tbs_certificate().subject_public_key_info();
    assert_eq!(spki.algorithm.oid.to_string(), "1.3.101.110");
    assert_eq!(spki.subject_public_key.raw_bytes(), &x.data[5..]);
    // Ed448 in AUT and X448 in DEC: id-Ed448 and id-X448 with the raw keys (never mistaken
    // for Ed25519 or an EC key).
    #[cfg(feature = "ed448")]
    for (crt, attr_tag, attributes, oid, index) in [
        (0xA4, 0xC3, "162B6571", "1.3.101.113", 0u8),
        (0xB8, 0xC2, "122B656F", "1.3.101.111", 1),
    ] {
        assert_sw(&card.put_data(attr_tag, &hex(attributes)), 0x9000);
        let key = card.generate(crt);
        assert_sw(&key, 0x9000);
        let p2 = [0x03u8, 0x02][usize::from(index)];
        assert_sw(&card.raw(&[0x80, 0xFB, p2, 0x00]), 0x9000);
        let cert = Certificate::from_der(&certificate(&mut card, index)).unwrap();
        let spki = cert.tbs_certificate().subject_public_key_info();
        assert_eq!(spki.algorithm.oid.to_string(), oid);
        assert_eq!(spki.algorithm.parameters, None);
        assert_eq!(spki.subject_public_key.raw_bytes(), &key.data[5..]);
    }
}

#[test]
fn attestation_needs_a_pin_a_key_a_provisioned_card_and_its_touch() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    assert_sw(&card.generate(0xB6), 0x9000);
    assert_sw(&card.raw(&hex("80FB0100")), 0x6A88); // not provisioned
    let (mut card, _ca) = provisioned();
    assert_sw(&card.raw(&hex("80FB0100")), 0x6982);
    // oct and yubikit verify PW1 (81); either PW1 reference will do, or PW3 (GnuPG).
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    assert_sw(&card.raw(&hex("80FB0100")), 0x6A88); // no key in SIG
    card.verify_admin();
    assert_sw(&card.generate(0xB6), 0x9000);
    // (An Le, as in `80 FB 01 00 00`, is allowed: the answer is empty either way.)
    for (bad, sw) in [
        ("80FB0000", 0x6A86),
        ("80FB0400", 0x6A86),
        ("80FB0101", 0x6A86),
        ("80FB01000100", 0x6700),
    ] {
        assert_sw(&card.raw(&hex(bad)), sw);
    }
    // A proprietary chain cannot end as another command.
    assert_sw(&card.raw(&hex("90DB3FFF0100")), 0x9000);
    assert_sw(&card.raw(&hex("00DB3FFF0100")), 0x6A80);
    assert_sw(&card.raw(&hex("00FB0100")), 0x6D00);
    assert_sw(&card.raw(&hex("80CA006E00")), 0x6E00); // no other command in class 80
                                                      // D9: touch for attestation, refused here; permanent modes stay.
    assert_sw(&card.put_data(0xD9, &[0x01, 0x20]), 0x9000);
    card.user_presence()
        .set_default(openpgp_card_applet::Presence::Denied);
    assert_sw(&card.raw(&hex("80FB0100")), 0x6600);
    assert_sw(&card.put_data(0xD9, &[0x02, 0x20]), 0x9000);
    assert_sw(&card.put_data(0xD9, &[0x00, 0x20]), 0x6985);
    card.user_presence()
        .set_default(openpgp_card_applet::Presence::Confirmed);
    assert_sw(&card.raw(&hex("80FB0100")), 0x9000);
}

#[test]
fn the_factory_reset_keeps_the_attestation_key_and_resets_its_uif() {
    let (mut card, _ca) = provisioned();
    let fc = card.get_data(0xFC).data;
    card.verify_admin();
    assert_sw(&card.put_data(0xD9, &[0x02, 0x20]), 0x9000);
    for _ in 0..3 {
        card.verify(0x83, b"00000000");
    }
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    card.select();
    assert_eq!(card.get_data(0xFC).data, fc, "the device's identity stays");
    assert_eq!(card.get_data(0xD9).data, [0x00, 0x20]);
    card.verify_admin();
    assert_sw(&card.generate(0xB6), 0x9000);
    assert_sw(&card.raw(&hex("80FB0100")), 0x9000);
    card.power_cycle();
    card.select();
    assert_eq!(card.get_data(0xFC).data, fc);
}

/// GnuPG 2.5.12+'s `SCD SETATTR GEN-ATTST OPENPGP.1` and then `READCERT OPENPGP.1`, byte for
/// byte as `scd/app-openpgp.c` sends them: VERIFY PW3 (its `verify_chv3`), the case-1 APDU
/// `80 FB 01 00`, then SELECT DATA occurrence 2, GET DATA 7F21 with an extended Le, and
/// SELECT DATA occurrence 0 again.
#[test]
fn gnupg_25_gen_attst_and_readcert_apdus() {
    let (mut card, _ca) = provisioned();
    assert_sw(&card.send("0020008308 3132333435363738"), 0x9000);
    assert_sw(&card.send("00DA00C109 132A8648CE3D030107"), 0x9000);
    assert_sw(&card.send("0047800000000 2B6000000"), 0x9000);
    assert_sw(&card.send("80FB0100"), 0x9000);
    assert_sw(&card.send("00A5020406 60045C027F21"), 0x9000);
    let cert = card.send("00CA7F21000000");
    assert_sw(&cert, 0x9000);
    assert_sw(&card.send("00A5000406 60045C027F21"), 0x9000);
    let cert = Certificate::from_der(&cert.data).unwrap();
    assert_eq!(
        cert.tbs_certificate().subject().to_string(),
        "CN=OpenPGP card attestation SIG"
    );
    // oct: VERIFY 81, `80 FB 01 00` without Le, GET DATA FC (with Le).
    card.power_cycle();
    card.select();
    assert_sw(&card.send("0020008106 313233343536"), 0x9000);
    assert_sw(&card.send("80FB0100"), 0x9000);
    let fc = card.send("00CA00FC00");
    assert_eq!(fc.sw >> 8, 0x61, "a long answer, fetched with GET RESPONSE");
}

/// yubikit's ATT slot (`B6 03 84 01 81`) is the attestation key: it cannot be generated or
/// imported through the OpenPGP commands, and above all never lands in SIG. The key
/// references of the spec's own CRTs (`B6 03 84 01 01`, ...) work; a mismatched one does not.
#[test]
fn the_attestation_crt_and_mismatched_key_references_are_refused() {
    let (mut card, _ca) = provisioned();
    card.verify_admin();
    let spki = card.applet.attestation_public_key().unwrap();
    assert_sw(&card.send("0047800005B603840181"), 0x6A80);
    assert_sw(&card.send("0047810005B603840181"), 0x6A80);
    let import = hex("4D0F B603840181 7F4803922001 5F4820 1111111111111111111111111111111111111111111111111111111111111111");
    assert_sw(&card.cmd(0, 0xDB, 0x3F, 0xFF, &import), 0x6A80);
    assert_sw(&card.get_data(0xC5), 0x9000);
    assert_eq!(&card.get_data(0xC5).data[..20], &[0; 20], "SIG untouched");
    assert_sw(&card.cmd_all(0x47, 0x81, 0x00, &hex("B600")), 0x6A88);
    assert_eq!(card.applet.attestation_public_key().unwrap(), spki);
    // The spec's own forms, and a wrong reference for the template.
    assert_sw(&card.put_data(0xC1, &hex("162B06010401DA470F01")), 0x9000);
    assert_sw(&card.send("0047800005B603840101"), 0x9000);
    assert_sw(&card.send("0047800005B603840102"), 0x6A80);
    let aut = card.send("0047800005A403840103"); // RSA-2048: the key comes in two parts
    assert_sw(&card.collect(aut), 0x9000);
}

/// What anyone holding the card can do without knowing a PIN: block PW3 with wrong tries,
/// TERMINATE DF, ACTIVATE FILE (GnuPG's factory reset). PW3 is then the default.
fn anyone_resets<S: openpgp_card_applet::Storage>(card: &mut Card<S>) {
    card.select();
    for _ in 0..3 {
        card.verify(0x83, b"not the admin pin");
    }
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    card.select();
}

/// The subject of a certificate (DER), as RFC 4514 text.
fn subject(der: &[u8]) -> String {
    Certificate::from_der(der)
        .unwrap()
        .tbs_certificate()
        .subject()
        .to_string()
}

/// A fresh SIG key (P-256) attested; the statement, and the certificate in FC that should
/// have issued it.
fn attest_sig(card: &mut Card) -> (Certificate, Certificate) {
    card.verify_admin();
    assert_sw(&card.put_data(0xC1, &hex("132A8648CE3D030107")), 0x9000);
    assert_sw(&card.generate(0xB6), 0x9000);
    assert_sw(&card.raw(&hex("80FB0100")), 0x9000);
    let statement = Certificate::from_der(&certificate(card, 2)).unwrap();
    let authority = Certificate::from_der(&card.get_data(0xFC).data).unwrap();
    (statement, authority)
}

/// The finding: after a factory reset, the default PW3 let anyone replace the manufacturer's
/// certificate with one that certifies the attestation key under their own issuer, for good.
/// Now PUT DATA FC installs a user certificate (allowed: it certifies the card's key), which
/// the next factory reset removes: the manufacturer's certificate shows again, byte for byte,
/// and attestations name its subject as issuer again.
#[test]
fn a_forged_attestation_certificate_lasts_until_the_next_factory_reset() {
    let (mut card, ca) = provisioned();
    let genuine = card.get_data(0xFC).data;
    let spki = card.applet.attestation_public_key().unwrap().unwrap();
    let mut rng = TestRng::seed_from_u64(99);
    let mallory = DevelopmentCa::with_names(
        &mut rng,
        "CN=Mallory CA,O=Mallory",
        "CN=Mallory attestation,O=Mallory",
    );
    let forged = mallory.issue(&spki, &mut rng);
    assert_ne!(forged, genuine);

    anyone_resets(&mut card);
    card.verify_admin();
    assert_sw(&card.put_data(0xFC, &forged), 0x9000);
    card.power_cycle();
    card.select();
    assert_eq!(card.get_data(0xFC).data, forged);
    assert_eq!(certificate(&mut card, 3), forged);
    // Attestations are still signed by the genuine attestation key, but name the forged
    // issuer, and their chain ends at Mallory's CA, not the manufacturer's.
    let (statement, authority) = attest_sig(&mut card);
    assert_eq!(
        statement.tbs_certificate().issuer().to_string(),
        "CN=Mallory attestation,O=Mallory"
    );
    assert!(verifies(&statement, &authority));
    let root = Certificate::from_der(ca.certificate()).unwrap();
    assert!(!verifies(&authority, &root));

    // The next factory reset restores the manufacturer's certificate.
    anyone_resets(&mut card);
    assert_eq!(card.get_data(0xFC).data, genuine, "byte for byte");
    assert_eq!(certificate(&mut card, 3), genuine);
    let (statement, authority) = attest_sig(&mut card);
    assert_eq!(authority.to_der().unwrap(), genuine);
    assert_eq!(
        statement.tbs_certificate().issuer().to_string(),
        subject(&genuine)
    );
    assert!(verifies(&statement, &authority));
    assert!(
        verifies(&authority, &root),
        "the chain ends at the manufacturer's CA"
    );
}

/// DC, the attestation CA fingerprint: the firmware provisions it, PUT DATA DC overrides it
/// (20 bytes; empty removes the override), the factory reset restores it.
#[test]
fn the_attestation_ca_fingerprint_is_provisioned_and_overridden_until_a_reset() {
    let (mut card, _ca) = provisioned();
    assert_eq!(
        card.get_data(0xDC).data,
        Vec::<u8>::new(),
        "not provisioned"
    );
    assert_eq!(
        card.applet.set_attestation_ca_fingerprint(&[0xCA; 20]),
        Ok(())
    );
    card.select();
    assert_eq!(card.get_data(0xDC).data, [0xCA; 20]);
    assert_sw(&card.put_data(0xDC, &[0x66; 20]), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0xDC, &[0x66; 19]), 0x6700);
    assert_sw(&card.put_data(0xDC, &[0x66; 21]), 0x6700);
    assert_sw(&card.put_data(0xDC, &[]), 0x9000);
    assert_eq!(
        card.get_data(0xDC).data,
        [0xCA; 20],
        "the provisioned one stays"
    );
    assert_sw(&card.put_data(0xDC, &[0x66; 20]), 0x9000);
    assert_eq!(card.get_data(0xDC).data, [0x66; 20]);
    assert_sw(&card.put_data(0xDC, &[]), 0x9000);
    assert_eq!(card.get_data(0xDC).data, [0xCA; 20]);
    // The attack on FC, on DC: the factory reset undoes it.
    anyone_resets(&mut card);
    card.verify_admin();
    assert_sw(&card.put_data(0xDC, &[0x66; 20]), 0x9000);
    card.power_cycle();
    card.select();
    assert_eq!(card.get_data(0xDC).data, [0x66; 20]);
    anyone_resets(&mut card);
    assert_eq!(card.get_data(0xDC).data, [0xCA; 20]);
    // The firmware replaces its own value.
    assert_eq!(
        card.applet.set_attestation_ca_fingerprint(&[0xCB; 20]),
        Ok(())
    );
    card.select();
    assert_eq!(card.get_data(0xDC).data, [0xCB; 20]);
}

/// Without anything provisioned, an empty PUT DATA FC or DC removes nothing and answers 9000;
/// a user certificate still needs an attestation key to certify (6A88).
#[test]
fn empty_put_data_on_an_unprovisioned_card() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    assert_sw(&card.put_data(0xFC, &[]), 0x9000);
    assert_sw(&card.put_data(0xDC, &[]), 0x9000);
    assert_eq!(card.get_data(0xFC).data, Vec::<u8>::new());
    assert_eq!(card.get_data(0xDC).data, Vec::<u8>::new());
    let mut rng = TestRng::seed_from_u64(5);
    let ca = DevelopmentCa::new(&mut rng);
    let other = ca.issue(
        &Certificate::from_der(ca.certificate())
            .unwrap()
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap(),
        &mut rng,
    );
    assert_sw(&card.put_data(0xFC, &other), 0x6A88);
    // DC needs no key: it is the user's note of a CA.
    assert_sw(&card.put_data(0xDC, &[0x66; 20]), 0x9000);
    assert_eq!(card.get_data(0xDC).data, [0x66; 20]);
}

/// A new attestation key removes every certificate and CA fingerprint of the old one, the
/// provisioned and the user's, so that nothing names a key the card no longer has.
#[test]
fn a_new_attestation_key_removes_the_old_certificates_and_fingerprints() {
    let (mut card, ca) = provisioned();
    let mut rng = TestRng::seed_from_u64(11);
    let old_spki = card.applet.attestation_public_key().unwrap().unwrap();
    let old_provisioned = card.get_data(0xFC).data;
    assert_eq!(
        card.applet.set_attestation_ca_fingerprint(&[0xCA; 20]),
        Ok(())
    );
    card.select();
    card.verify_admin();
    let old_user = ca.issue(&old_spki, &mut rng);
    assert_sw(&card.put_data(0xFC, &old_user), 0x9000);
    assert_sw(&card.put_data(0xDC, &[0x66; 20]), 0x9000);
    assert_sw(&card.generate(0xB6), 0x9000);

    let new_spki = card.applet.generate_attestation_key(DATE).unwrap();
    assert_ne!(new_spki, old_spki);
    card.select();
    assert_eq!(card.get_data(0xFC).data, Vec::<u8>::new());
    assert_eq!(card.get_data(0xDC).data, Vec::<u8>::new());
    card.verify_admin();
    assert_sw(&card.raw(&hex("80FB0100")), 0x6A88);
    // Nothing of the old key comes back: not through PUT DATA, not through the firmware
    // API, not through a factory reset.
    assert_sw(&card.put_data(0xFC, &old_user), 0x6A80);
    assert_eq!(
        card.applet.set_attestation_certificate(&old_provisioned),
        Err(Status::IncorrectData)
    );
    anyone_resets(&mut card);
    assert_eq!(card.get_data(0xFC).data, Vec::<u8>::new());
    assert_eq!(card.get_data(0xDC).data, Vec::<u8>::new());
    // The new key's certificate.
    let issued = ca.issue(&new_spki, &mut rng);
    assert_eq!(card.applet.set_attestation_certificate(&issued), Ok(()));
    card.select();
    assert_eq!(card.get_data(0xFC).data, issued);
    let (statement, authority) = attest_sig(&mut card);
    assert!(verifies(&statement, &authority));
}

mod power_loss {
    //! Power cuts at every write of the attack and of the factory reset that undoes it, and
    //! of a new attestation key: the provisioned identity is never lost, and no certificate
    //! outlives the key it certifies.

    use super::*;
    use openpgp_card_applet::{Config, RecordId};
    use openpgp_card_applet_testkit::{Cut, FaultyStorage};

    type Faulty = Card<FaultyStorage>;

    fn card(storage: MemoryStorage, cut: Option<Cut>) -> Faulty {
        let mut faulty = FaultyStorage::new(storage);
        if let Some(cut) = cut {
            faulty.cut(cut);
        }
        Card::from_storage(Config::default(), faulty)
    }

    /// A card whose RNG is seeded apart from the provisioning card's (every test card starts
    /// from the same seed, so its first attestation key would be the provisioned one again).
    fn reseeded(storage: MemoryStorage, cut: Option<Cut>) -> Faulty {
        let mut faulty = FaultyStorage::new(storage);
        if let Some(cut) = cut {
            faulty.cut(cut);
        }
        let platform = openpgp_card_applet::Platform {
            rng: TestRng::seed_from_u64(12),
            ..openpgp_card_applet_testkit::test_platform(faulty)
        };
        Card::from_platform(
            Config::default(),
            platform,
            openpgp_card_applet::Transport::Contact,
        )
    }

    fn medium(card: Faulty) -> MemoryStorage {
        card.into_storage().into_inner()
    }

    /// A provisioned card (key, certificate, DC), its CA, and the key's public key.
    fn provisioned_medium() -> (MemoryStorage, DevelopmentCa, Vec<u8>) {
        let mut rng = TestRng::seed_from_u64(7);
        let ca = DevelopmentCa::new(&mut rng);
        let mut c = card(MemoryStorage::new(), None);
        ca.provision(&mut c.applet, DATE, &mut rng).unwrap();
        c.applet
            .set_attestation_ca_fingerprint(&[0xCA; 20])
            .unwrap();
        let spki = c.applet.attestation_public_key().unwrap().unwrap();
        (medium(c), ca, spki)
    }

    /// The firmware's records, raw.
    fn firmware_records(storage: &MemoryStorage) -> Vec<Option<Vec<u8>>> {
        RecordId::FIRMWARE
            .iter()
            .map(|&id| storage.record(id).map(<[u8]>::to_vec))
            .collect()
    }

    /// The attack, then the factory reset, as APDUs with what they may answer.
    fn attack_then_reset(c: &mut Faulty, forged: &[u8]) {
        anyone_resets_loosely(c);
        c.verify(0x83, b"12345678");
        c.put_data(0xFC, forged);
        c.put_data(0xDC, &[0x66; 20]);
        anyone_resets_loosely(c);
    }

    /// `anyone_resets` without assertions: after a cut the card may be terminated, or PW3
    /// already spent.
    fn anyone_resets_loosely(c: &mut Faulty) {
        c.select();
        for _ in 0..3 {
            c.verify(0x83, b"not the admin pin");
        }
        c.send("00E60000");
        c.send("00440000");
    }

    #[test]
    fn no_cut_during_the_attack_or_the_reset_loses_the_provisioned_identity() {
        let (start, _ca, spki) = provisioned_medium();
        let mut rng = TestRng::seed_from_u64(99);
        let mallory = DevelopmentCa::with_names(&mut rng, "CN=Mallory CA", "CN=Mallory");
        let forged = mallory.issue(&spki, &mut rng);
        let firmware = firmware_records(&start);
        let genuine = {
            let mut c = card(start.clone(), None);
            c.select();
            c.get_data(0xFC).data
        };
        let mut full = card(start.clone(), None);
        attack_then_reset(&mut full, &forged);
        let writes = full.storage().mutations();
        assert!(writes > 40, "{writes} writes");
        for n in 1..=writes {
            for cut in [Cut::BeforeWrite(n), Cut::AfterWrite(n)] {
                let mut c = card(start.clone(), Some(cut));
                attack_then_reset(&mut c, &forged);
                let after = medium(c);
                assert_eq!(firmware_records(&after), firmware, "{cut:?}");
                // Whatever the cut left, a factory reset shows the provisioned identity.
                let mut c = card(after, None);
                anyone_resets(&mut c);
                assert_eq!(c.get_data(0xFC).data, genuine, "{cut:?}");
                assert_eq!(c.get_data(0xDC).data, [0xCA; 20], "{cut:?}");
            }
        }
    }

    #[test]
    fn a_cut_during_a_new_attestation_key_leaves_no_certificate_of_another_key() {
        let (start, ca, old_spki) = provisioned_medium();
        let mut rng = TestRng::seed_from_u64(11);
        let user = ca.issue(&old_spki, &mut rng);
        let start = {
            let mut c = card(start, None);
            c.select();
            c.verify_admin();
            assert_sw(&c.put_data(0xFC, &user), 0x9000);
            assert_sw(&c.put_data(0xDC, &[0x66; 20]), 0x9000);
            medium(c)
        };
        // Uncut: five writes (four removals, the key), and a new key.
        let mut c = reseeded(start.clone(), None);
        assert_ne!(c.applet.generate_attestation_key(DATE).unwrap(), old_spki);
        assert_eq!(c.storage().mutations(), 5);
        let mut new_keys = 0;
        for n in 1..=5 {
            for cut in [Cut::BeforeWrite(n), Cut::AfterWrite(n)] {
                let mut c = reseeded(start.clone(), Some(cut));
                assert!(c.applet.generate_attestation_key(DATE).is_err(), "{cut:?}");
                let mut c = card(medium(c), None);
                let key = c.applet.attestation_public_key().unwrap().unwrap();
                c.select();
                let fc = c.get_data(0xFC).data;
                if !fc.is_empty() {
                    let certified = Certificate::from_der(&fc)
                        .unwrap()
                        .tbs_certificate()
                        .subject_public_key_info()
                        .to_der()
                        .unwrap();
                    assert_eq!(certified, key, "{cut:?}: FC certifies the key in place");
                }
                if key != old_spki {
                    new_keys += 1;
                    assert!(fc.is_empty(), "{cut:?}");
                    assert!(c.get_data(0xDC).data.is_empty(), "{cut:?}");
                }
            }
        }
        assert_eq!(
            new_keys, 1,
            "only a cut after the last write keeps the new key"
        );
    }
}

/// A failing random source: the firmware's attestation key generation refuses and stores
/// nothing (the provisioned identity stays), and GENERATE ATTESTATION (whose certificate takes a
/// random serial number and a hedged ECDSA nonce) answers 6F00 and leaves 7F21 as it was.
#[test]
fn a_failing_random_source_provisions_and_attests_nothing() {
    use openpgp_card_applet::{Config, Platform, Presence, Transport};
    use openpgp_card_applet_testkit::FailingRng;
    let (mut card, _ca) = provisioned();
    card.verify_admin();
    assert_sw(&card.generate(0xB6), 0x9000);
    let storage = card.storage().clone();
    for rng in FailingRng::every_failure() {
        let what = format!("{:?}", rng.failure());
        let platform = Platform {
            storage: storage.clone(),
            rng,
            clock: ManualClock::new(),
            user_presence: ScriptedButton::always(Presence::Confirmed),
        };
        let mut card = Card::from_platform(Config::default(), platform, Transport::Contact);
        card.select();
        assert!(
            card.applet.generate_attestation_key(DATE).is_err(),
            "{what}"
        );
        assert_sw(&card.verify(0x81, b"123456"), 0x9000);
        assert_eq!(card.cmd(0x80, 0xFB, 0x01, 0x00, &[]).sw, 0x6F00, "{what}");
        for id in storage.ids() {
            assert_eq!(
                card.storage().record(id),
                storage.record(id),
                "{what}: {id:?}"
            );
        }
        assert_eq!(
            card.storage().ids().count(),
            storage.ids().count(),
            "{what}"
        );
    }
}
