//! A development attestation CA: what a manufacturer's CA does at provisioning, for tests
//! and for the virtual card. **Not a CA anyone should trust**: its key lives wherever the
//! caller keeps it.
//!
//! [`DevelopmentCa::provision`] generates the card's attestation key on the card
//! (`Applet::generate_attestation_key`), certifies its public key, and stores the certificate
//! (`Applet::set_attestation_certificate`); the card's attestations then chain to
//! [`DevelopmentCa::certificate`].

use alloc::vec::Vec;
use core::str::FromStr;

use p256::ecdsa::{DerSignature, SigningKey};
use p256::elliptic_curve::{Generate, NonZeroScalar};
use rand_core::CryptoRng;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::Validity;
use x509_cert::TbsCertificate;

use openpgp_card_applet::{Applet, Clock, Status, Storage, UserPresence};

/// The development CA's subject.
pub const CA_SUBJECT: &str =
    "CN=openpgp-card-applet development attestation CA,O=openpgp-card-applet";
/// The subject of the attestation certificates it issues.
pub const ATTESTATION_SUBJECT: &str =
    "CN=openpgp-card-applet attestation key,O=openpgp-card-applet";

/// A CA certificate profile: subject = issuer (self-signed) or the CA's, basic constraints
/// CA:true.
struct Ca {
    subject: Name,
    issuer: Name,
    path_len: u8,
}

impl BuilderProfile for Ca {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let constraints = BasicConstraints {
            ca: true,
            path_len_constraint: Some(self.path_len),
        };
        Ok(alloc::vec![(&constraints).to_extension(tbs.subject(), &[])?])
    }
}

/// A development attestation CA: a P-256 key, its self-signed certificate, and the subject of
/// the attestation certificates it issues.
pub struct DevelopmentCa {
    key: SigningKey,
    certificate: Vec<u8>,
    attestation_subject: Name,
}

/// Validity of everything the development CA issues: 2020-01-01 to 2099-12-31 (the card has
/// no calendar, so its attestations copy their validity from the attestation certificate).
fn validity() -> Validity {
    use x509_cert::der::asn1::GeneralizedTime;
    use x509_cert::der::DateTime;
    use x509_cert::time::Time;
    let at = |year, month, day| {
        DateTime::new(year, month, day, 0, 0, 0)
            .map(GeneralizedTime::from_date_time)
            .map(Time::GeneralTime)
    };
    match (at(2020, 1, 1), at(2099, 12, 31)) {
        (Ok(not_before), Ok(not_after)) => Validity::new(not_before, not_after),
        _ => unreachable!("constant dates"),
    }
}

impl DevelopmentCa {
    /// A new CA with a fresh key, named [`CA_SUBJECT`], issuing certificates for
    /// [`ATTESTATION_SUBJECT`].
    ///
    /// # Panics
    /// Never for the constant names and dates it uses.
    pub fn new<R: CryptoRng + ?Sized>(rng: &mut R) -> DevelopmentCa {
        DevelopmentCa::with_names(rng, CA_SUBJECT, ATTESTATION_SUBJECT)
    }

    /// A new CA with a fresh key, named `ca_subject` (RFC 4514), issuing attestation
    /// certificates whose subject is `attestation_subject`: another manufacturer, or someone
    /// forging one, in tests.
    ///
    /// # Panics
    /// If a name does not parse.
    pub fn with_names<R: CryptoRng + ?Sized>(
        rng: &mut R,
        ca_subject: &str,
        attestation_subject: &str,
    ) -> DevelopmentCa {
        let key = SigningKey::from(NonZeroScalar::<p256::NistP256>::generate_from_rng(rng));
        let subject = Name::from_str(ca_subject).expect("CA subject");
        let profile = Ca {
            subject: subject.clone(),
            issuer: subject,
            path_len: 1,
        };
        let spki = SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).expect("CA key");
        let certificate =
            CertificateBuilder::new(profile, SerialNumber::generate(rng), validity(), spki)
                .expect("CA builder")
                .build_with_rng::<_, DerSignature, _>(&key, rng)
                .expect("CA certificate")
                .to_der()
                .expect("DER");
        DevelopmentCa {
            key,
            certificate,
            attestation_subject: Name::from_str(attestation_subject).expect("subject"),
        }
    }

    /// A CA from its saved key (32-byte scalar) and certificate (DER), issuing certificates
    /// for [`ATTESTATION_SUBJECT`]; `None` if they do not belong together.
    pub fn from_parts(scalar: &[u8], certificate: Vec<u8>) -> Option<DevelopmentCa> {
        let key = SigningKey::from_slice(scalar).ok()?;
        let parsed = x509_cert::Certificate::from_der(&certificate).ok()?;
        let spki = SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).ok()?;
        let attestation_subject = Name::from_str(ATTESTATION_SUBJECT).ok()?;
        (*parsed.tbs_certificate().subject_public_key_info() == spki).then_some(DevelopmentCa {
            key,
            certificate,
            attestation_subject,
        })
    }

    /// The CA's private scalar, to save it.
    pub fn scalar(&self) -> Vec<u8> {
        self.key.to_bytes().to_vec()
    }

    /// The CA's self-signed certificate (DER).
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// Issues the attestation certificate (DER) for an attestation key's public key (a DER
    /// SubjectPublicKeyInfo, as `Applet::generate_attestation_key` returns it).
    ///
    /// # Panics
    /// If `spki` is not a SubjectPublicKeyInfo.
    pub fn issue<R: CryptoRng + ?Sized>(&self, spki: &[u8], rng: &mut R) -> Vec<u8> {
        let spki = SubjectPublicKeyInfoOwned::from_der(spki).expect("SubjectPublicKeyInfo");
        let issuer = x509_cert::Certificate::from_der(&self.certificate)
            .expect("the CA's own certificate")
            .tbs_certificate()
            .subject()
            .clone();
        let profile = Ca {
            subject: self.attestation_subject.clone(),
            issuer,
            path_len: 0,
        };
        CertificateBuilder::new(profile, SerialNumber::generate(rng), validity(), spki)
            .expect("builder")
            .build_with_rng::<_, DerSignature, _>(&self.key, rng)
            .expect("attestation certificate")
            .to_der()
            .expect("DER")
    }

    /// Provisions `applet` as a manufacturer would: an attestation key generated on the card
    /// (dated `date`), certified by this CA, the certificate stored on the card.
    pub fn provision<S, R, C, U, G>(
        &self,
        applet: &mut Applet<S, R, C, U>,
        date: [u8; 4],
        rng: &mut G,
    ) -> Result<(), Status>
    where
        S: Storage,
        R: CryptoRng,
        C: Clock,
        U: UserPresence,
        G: CryptoRng + ?Sized,
    {
        let spki = applet.generate_attestation_key(date)?;
        let certificate = self.issue(&spki, rng);
        applet.set_attestation_certificate(&certificate)
    }
}
