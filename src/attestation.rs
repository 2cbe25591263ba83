//! Key attestation in YubiKey's format: an X.509 certificate, signed by the card's attestation
//! key, that says a slot's public key is on this card and how it got there.
//!
//! - **The attestation key** (key reference 81, CRT `B6 03 84 01 81`) is a P-256 ECDSA key the
//!   firmware generates on the card at manufacturing ([`Applet::generate_attestation_key`]),
//!   and its certificate (DO FC, issued by the manufacturer's CA for the public key the card
//!   gave out) is stored with [`Applet::set_attestation_certificate`], the CA fingerprint (DO
//!   DC) with [`Applet::set_attestation_ca_fingerprint`]. All three live in records of the
//!   firmware's, which no command writes and the OpenPGP factory reset keeps: they are the
//!   device's identity.
//! - **GENERATE ATTESTATION** (`80 FB 0n 00`, n = 1 SIG, 2 DEC, 3 AUT) issues a certificate
//!   for the key in slot n: issuer = the subject of the attestation certificate, validity =
//!   its validity (the card has no calendar), a random serial number, subject `CN=OpenPGP
//!   card attestation SIG|DEC|AUT`, the slot's public key, and Yubico's extensions under
//!   1.3.6.1.4.1.41482.5: .1 cardholder name (UTF8String), .2 key source (INTEGER 1:
//!   generated on the card; imported keys are not attested, as on a YubiKey), .3 firmware
//!   version (3 octets), .4 fingerprint (20),
//!   .5 generation date (4), .6 signature counter (INTEGER, SIG only), .7 serial number
//!   (INTEGER), .8 UIF (1 octet). The certificate replaces the slot's cardholder certificate
//!   (7F21), where yubikit, `oct attestation statement` and GnuPG 2.5's READCERT read it.
//!
//! Certificates are built with RustCrypto's `x509-cert` builder, never by hand.
//!
//! # Who may change the attestation identity
//!
//! After a factory reset anyone holding the card knows PW3 (the default), so nothing PW3
//! allows may destroy what the manufacturer provisioned. The provisioned key, certificate and
//! CA fingerprint are written only through the firmware API; a YubiKey likewise keeps its
//! factory attestation identity through an OpenPGP reset.
//!
//! - **PUT DATA FC** (PW3; also through the fourth 7F21 occurrence) installs a *user*
//!   certificate, in effect instead of the provisioned one: GET DATA FC answers it, and
//!   GENERATE ATTESTATION takes its subject as issuer and its validity. Yubico documents the
//!   attestation certificate as replaceable so that an organisation can issue attestations
//!   verifiable with its own CA; that is what this allows. It must certify the card's
//!   attestation key (6A80 otherwise; 6A88 without one): the card holds no CA key to check
//!   the signature, so a forged issuer can be installed, but a verifier who trusts only the
//!   manufacturer's CA rejects the chain, and the statement still comes from the genuine
//!   attestation key. A user cannot import an attestation key.
//! - **PUT DATA DC** installs a user CA fingerprint (20 bytes) in the same way.
//! - An **empty PUT DATA** FC or DC removes the user's value (9000), and the provisioned one
//!   shows again; it never removes the provisioned one.
//! - The **factory reset** (TERMINATE DF, ACTIVATE FILE) removes both user values: whatever
//!   PUT DATA did before, the card then shows, and attests under, the manufacturer's
//!   certificate again, byte for byte.
//! - **A new attestation key** ([`Applet::generate_attestation_key`]) removes the provisioned
//!   and the user's certificate and CA fingerprint: all of them certified the old key.
//!
//! # What an attestation vouches for, and what it does not
//!
//! - **Key source and public key.** The statement vouches that the slot's key was generated
//!   on this card (.2, and imported keys are refused) and for its public key (the certified
//!   SubjectPublicKeyInfo). The fingerprint (.4) and generation date (.5) it reports are the
//!   slot's DOs (C7-C9, CE-D0), which PW3 sets with PUT DATA and which the card copies without
//!   checking them against the key: the statement does not vouch for them, as on a YubiKey.
//!   A verifier computes the fingerprint from the certified public key itself. The cardholder
//!   name (.1) is likewise whatever 5B holds.
//! - **Touch (D9) over contactless.** The attestation's touch flag is not enforced on the
//!   contactless interface, deliberately: every touch in this applet (D6-D9) applies on the
//!   contact (USB) interface only, because over NFC the card is held to the reader and its
//!   button cannot be pressed, so a touch there would make the command unusable, not safer.
//!   Presenting the card to a reader is itself the user's physical action. The UIF
//!   extension (.8) reports the slot's mode, whichever interface asked.
//!
//! [`Applet::generate_attestation_key`]: crate::Applet::generate_attestation_key
//! [`Applet::set_attestation_certificate`]: crate::Applet::set_attestation_certificate
//! [`Applet::set_attestation_ca_fingerprint`]: crate::Applet::set_attestation_ca_fingerprint

use alloc::vec::Vec;

use p256::elliptic_curve::{Generate, NonZeroScalar};
use rand_core::CryptoRng;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::der::asn1::{BitString, Int, OctetString, UintRef, Utf8StringRef};
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{
    AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef,
};
use x509_cert::time::Validity;
use x509_cert::{Certificate, TbsCertificate};
use zeroize::Zeroize;

use crate::error::Error;
use crate::spec::{KeyStatus, Slot};
use crate::tlv::{Overflow, Reader, Writer};

/// The attestation key's algorithm attributes (DA): ECDSA on P-256.
pub const ATTRIBUTES: [u8; 9] = [0x13, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

/// Yubico's OpenPGP attestation extensions, 1.3.6.1.4.1.41482.5.1 to .8 (written out: the
/// names database that `Name::from_str` and OID formatting pull in would double the flash).
const EXTENSIONS: [ObjectIdentifier; 8] = [
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.5.1"),
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.5.2"),
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.5.3"),
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.5.4"),
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.5.5"),
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.5.6"),
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.5.7"),
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.5.8"),
];
/// id-at-commonName.
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The attestation key with the metadata of its DOs (DB fingerprint, DD generation date).
pub(crate) struct AttestationKey {
    key: p256::ecdsa::SigningKey,
    /// DB: 20 zero bytes (the attestation key has no OpenPGP key, so no fingerprint; kept in
    /// the record for a future import).
    pub fingerprint: [u8; 20],
    /// DD.
    pub date: [u8; 4],
}

impl AttestationKey {
    /// A fresh key, generated on the card.
    pub(crate) fn generate<R: CryptoRng + ?Sized>(rng: &mut R, date: [u8; 4]) -> AttestationKey {
        let key =
            p256::ecdsa::SigningKey::from(NonZeroScalar::<p256::NistP256>::generate_from_rng(rng));
        AttestationKey {
            key,
            fingerprint: [0; 20],
            date,
        }
    }

    /// The record: 01 origin (01: generated on the card, the only way the firmware API makes
    /// one), 02 date, 03 fingerprint, 04 scalar.
    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        w.put(0x01, &[KeyStatus::Generated.byte()])?;
        w.put(0x02, &self.date)?;
        w.put(0x03, &self.fingerprint)?;
        let mut scalar = self.key.to_bytes();
        let result = w.put(0x04, &scalar);
        scalar.zeroize();
        result
    }

    /// Decodes the record (6581 if it is damaged).
    pub(crate) fn decode(payload: &[u8]) -> Result<AttestationKey, Error> {
        fn damaged<E>(_: E) -> Error {
            Error::Storage
        }
        let mut r = Reader::new(payload);
        if r.expect(0x01).map_err(damaged)? != [KeyStatus::Generated.byte()] {
            return Err(Error::Storage);
        }
        let date = <[u8; 4]>::try_from(r.expect(0x02).map_err(damaged)?).map_err(damaged)?;
        let fingerprint =
            <[u8; 20]>::try_from(r.expect(0x03).map_err(damaged)?).map_err(damaged)?;
        let scalar = r.expect(0x04).map_err(damaged)?;
        r.finish().map_err(damaged)?;
        let key = p256::ecdsa::SigningKey::from_slice(scalar).map_err(|_| Error::Storage)?;
        Ok(AttestationKey {
            key,
            fingerprint,
            date,
        })
    }

    /// The public key as a SubjectPublicKeyInfo (what a CA certifies).
    pub(crate) fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, Error> {
        let point = self.key.verifying_key().to_sec1_point(false);
        ec_public_key_info(P256_OID, point.as_ref())
    }
}

/// id-ecPublicKey.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// rsaEncryption.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-Ed25519 (RFC 8410).
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// id-X25519 (RFC 8410).
const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
/// id-Ed448 (RFC 8410).
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
/// id-X448 (RFC 8410).
const X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
/// Curve25519 for ECDH as OpenPGP names it (1.3.6.1.4.1.3029.1.5.1): an X25519 key.
const CURVE25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01];
/// Ed448's OID in the attributes' content bytes.
const ED448_OID: &[u8] = &[0x2B, 0x65, 0x71];
/// X448's OID in the attributes' content bytes.
const X448_OID: &[u8] = &[0x2B, 0x65, 0x6F];
/// P-256's OID in the attributes' content bytes.
const P256_OID: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

fn der_error(_: x509_cert::der::Error) -> Error {
    Error::Internal
}

/// SubjectPublicKeyInfo of an EC key: id-ecPublicKey, the named curve, the uncompressed point.
fn ec_public_key_info(curve_oid: &[u8], point: &[u8]) -> Result<SubjectPublicKeyInfoOwned, Error> {
    let curve = ObjectIdentifier::from_bytes(curve_oid).map_err(|_| Error::Internal)?;
    let parameters = x509_cert::der::Any::encode_from(&curve).map_err(der_error)?;
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: EC_PUBLIC_KEY,
            parameters: Some(parameters),
        },
        subject_public_key: BitString::from_bytes(point).map_err(der_error)?,
    })
}

/// The SubjectPublicKeyInfo of a slot's key, from its public key DO (`7F49 { 81 n, 82 e }` or
/// `7F49 { 86 point }`) and its algorithm attributes.
pub(crate) fn public_key_info(
    attributes: &[u8],
    public_key_do: &[u8],
) -> Result<SubjectPublicKeyInfoOwned, Error> {
    let mut outer = Reader::new(public_key_do);
    let template = outer.expect(0x7F49).map_err(|_| Error::Internal)?;
    let field = |tag: u16| {
        Reader::new(template)
            .find(|t| t.tag == tag)
            .map(|t| t.value)
            .ok_or(Error::Internal)
    };
    let raw = |oid: ObjectIdentifier, bytes: &[u8]| -> Result<SubjectPublicKeyInfoOwned, Error> {
        Ok(SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid,
                parameters: None,
            },
            subject_public_key: BitString::from_bytes(bytes).map_err(der_error)?,
        })
    };
    match attributes {
        [0x01, ..] => {
            // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
            let n = UintRef::new(field(0x81)?).map_err(der_error)?;
            let e = UintRef::new(field(0x82)?).map_err(der_error)?;
            // A SEQUENCE OF two INTEGERs is the same DER as the SEQUENCE of two.
            let der = alloc::vec![n, e].to_der().map_err(der_error)?;
            let null =
                x509_cert::der::Any::encode_from(&x509_cert::der::asn1::Null).map_err(der_error)?;
            Ok(SubjectPublicKeyInfoOwned {
                algorithm: AlgorithmIdentifierOwned {
                    oid: RSA_ENCRYPTION,
                    parameters: Some(null),
                },
                subject_public_key: BitString::from_bytes(&der).map_err(der_error)?,
            })
        }
        // RFC 8410 keys: the OID alone names the algorithm (Ed448 and X448 use theirs in the
        // attributes too; every other EdDSA attribute is Ed25519's).
        [0x16, oid @ ..] if oid.strip_suffix(&[0xFF]).unwrap_or(oid) == ED448_OID => {
            raw(ED448, field(0x86)?)
        }
        [0x16, ..] => raw(ED25519, field(0x86)?),
        [0x12, oid @ ..] if oid.strip_suffix(&[0xFF]).unwrap_or(oid) == X448_OID => {
            raw(X448, field(0x86)?)
        }
        [0x12, oid @ ..] if oid.strip_suffix(&[0xFF]).unwrap_or(oid) == CURVE25519 => {
            raw(X25519, field(0x86)?)
        }
        [0x12 | 0x13, oid @ ..] => {
            let oid = oid.strip_suffix(&[0xFF]).unwrap_or(oid);
            ec_public_key_info(oid, field(0x86)?)
        }
        _ => Err(Error::Internal),
    }
}

/// What the attestation says about a slot's key.
pub(crate) struct Facts<'a> {
    pub slot: Slot,
    pub status: KeyStatus,
    pub fingerprint: [u8; 20],
    pub date: [u8; 4],
    pub cardholder_name: &'a [u8],
    pub firmware_version: [u8; 3],
    pub serial: u32,
    /// The slot's UIF mode byte.
    pub uif: u8,
    /// The signature counter (SIG only).
    pub signature_counter: Option<u32>,
}

/// Subject and issuer of the issued certificate; Yubico's extensions.
struct Profile<'a> {
    issuer: Name,
    facts: &'a Facts<'a>,
}

/// `CN=<common name>`, built from the X.501 types.
fn common_name(common_name: &str) -> Result<Name, x509_cert::der::Error> {
    let attribute = AttributeTypeAndValue {
        oid: COMMON_NAME,
        value: x509_cert::der::Any::encode_from(&Utf8StringRef::new(common_name)?)?,
    };
    let mut sequence = RdnSequence::default();
    sequence.push(RelativeDistinguishedName::try_from(alloc::vec![attribute])?);
    Name::from_der(&sequence.to_der()?)
}

fn subject(slot: Slot) -> Result<Name, Error> {
    common_name(match slot {
        Slot::Sig => "OpenPGP card attestation SIG",
        Slot::Dec => "OpenPGP card attestation DEC",
        Slot::Aut => "OpenPGP card attestation AUT",
    })
    .map_err(der_error)
}

/// Yubico's extension 1.3.6.1.4.1.41482.5.`number` (1..=8) with `value`, not critical.
fn extension(number: usize, value: &impl Encode) -> x509_cert::builder::Result<Extension> {
    let extn_id = number
        .checked_sub(1)
        .and_then(|i| EXTENSIONS.get(i))
        .copied()
        .ok_or(x509_cert::der::Error::from(
            x509_cert::der::ErrorKind::OidMalformed,
        ))?;
    Ok(Extension {
        extn_id,
        critical: false,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

impl BuilderProfile for Profile<'_> {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        // `subject` only fails on a malformed literal, which the tests rule out.
        subject(self.facts.slot).unwrap_or_default()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let facts = self.facts;
        // 5B is ISO 8859-1 (spec §4.4.3.3): each byte is the code point of the same value.
        let name: alloc::string::String = facts
            .cardholder_name
            .iter()
            .map(|&b| char::from(b))
            .collect();
        let generated = u8::from(facts.status == KeyStatus::Generated);
        let mut extensions = alloc::vec![
            extension(1, &Utf8StringRef::new(&name)?)?,
            extension(2, &Int::new(&[generated])?)?,
            extension(3, &OctetString::new(facts.firmware_version.to_vec())?)?,
            extension(4, &OctetString::new(facts.fingerprint.to_vec())?)?,
            extension(5, &OctetString::new(facts.date.to_vec())?)?,
        ];
        if let Some(count) = facts.signature_counter {
            extensions.push(extension(6, &UintRef::new(&count.to_be_bytes())?)?);
        }
        extensions.push(extension(7, &UintRef::new(&facts.serial.to_be_bytes())?)?);
        extensions.push(extension(8, &OctetString::new(alloc::vec![facts.uif])?)?);
        Ok(extensions)
    }
}

/// Issues the attestation certificate (DER) for `subject_key`, signed by `key` under the
/// attestation certificate `authority` (DER; its subject becomes the issuer, its validity is
/// copied).
pub(crate) fn certify<R: CryptoRng + ?Sized>(
    key: &AttestationKey,
    authority: &[u8],
    subject_key: SubjectPublicKeyInfoOwned,
    facts: &Facts<'_>,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let authority = Certificate::from_der(authority).map_err(|_| Error::NotFound)?;
    let tbs = authority.tbs_certificate();
    let validity: Validity = *tbs.validity();
    let profile = Profile {
        issuer: tbs.subject().clone(),
        facts,
    };
    let serial = SerialNumber::generate(rng);
    let builder = CertificateBuilder::new(profile, serial, validity, subject_key)
        .map_err(|_| Error::Internal)?;
    let certificate = builder
        .build_with_rng::<_, p256::ecdsa::DerSignature, _>(&key.key, rng)
        .map_err(|_| Error::Internal)?;
    certificate.to_der().map_err(der_error)
}

/// Whether `certificate` (DER) certifies `key`'s public key.
pub(crate) fn certifies(certificate: &[u8], key: &AttestationKey) -> Result<bool, Error> {
    let certificate = Certificate::from_der(certificate).map_err(|_| Error::IncorrectData)?;
    Ok(*certificate.tbs_certificate().subject_public_key_info() == key.public_key_info()?)
}
