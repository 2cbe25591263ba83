//! Algorithm attributes: the values of DOs C1, C2 and C3 (spec §4.4.3.9–§4.4.3.11) as
//! [`Algorithm`], the curves as [`Curve`], the RSA import formats as [`RsaImportFormat`], and the
//! list the algorithm information DO FA announces (§4.4.3.11).
//!
//! Only the families whose cargo feature is enabled exist as values, so a build without a family
//! parses its attributes as unsupported (6A80).

// Without any short-Weierstrass curve compiled in, `Curve` has no values, so the ECDSA and ECDH
// arms of every match are (correctly) unreachable.
#![cfg_attr(
    not(any(
        feature = "p256",
        feature = "p384",
        feature = "k256",
        feature = "p521",
        feature = "brainpool"
    )),
    allow(unreachable_code)
)]

use crate::error::Error;
use crate::spec::Slot;
use crate::tlv::Writer;

/// Algorithm ID byte of RSA attributes (spec §4.4.3.10).
#[cfg(feature = "rsa")]
const ALGORITHM_RSA: u8 = 0x01;
/// Algorithm ID byte of ECDH attributes (also X25519).
const ALGORITHM_ECDH: u8 = 0x12;
/// Algorithm ID byte of ECDSA attributes.
const ALGORITHM_ECDSA: u8 = 0x13;
/// Algorithm ID byte of EdDSA attributes.
const ALGORITHM_EDDSA: u8 = 0x16;
/// Optional last byte of ECC attributes: the public key is included on import.
const WITH_PUBLIC_KEY: u8 = 0xFF;
/// The public exponent field of RSA attributes as the card announces it: 32 bits.
#[cfg(feature = "rsa")]
const RSA_E_BITS: u16 = 32;
/// The other exponent field width FA announces for RSA: 17 bits (e = 65537), the form
/// YubiKeys use and yubikit looks for in FA before it generates or imports an RSA key.
#[cfg(feature = "rsa")]
const RSA_E_BITS_YUBIKEY: u16 = 17;

/// P-256 (1.2.840.10045.3.1.7).
#[cfg(feature = "p256")]
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
/// P-384 (1.3.132.0.34).
#[cfg(feature = "p384")]
const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
/// secp256k1 (1.3.132.0.10).
#[cfg(feature = "k256")]
const OID_SECP256K1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
/// NIST P-521 (1.3.132.0.35).
#[cfg(feature = "p521")]
const OID_P521: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
/// brainpoolP256r1 (1.3.36.3.3.2.8.1.1.7, RFC 5639).
#[cfg(feature = "brainpool")]
const OID_BRAINPOOL_P256R1: &[u8] = &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07];
/// brainpoolP384r1 (1.3.36.3.3.2.8.1.1.11).
#[cfg(feature = "brainpool")]
const OID_BRAINPOOL_P384R1: &[u8] = &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B];
/// brainpoolP512r1 (1.3.36.3.3.2.8.1.1.13).
#[cfg(feature = "brainpool")]
const OID_BRAINPOOL_P512R1: &[u8] = &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D];
/// Ed448 (1.3.101.113, RFC 8410), as GnuPG names it too.
#[cfg(feature = "ed448")]
const OID_ED448: &[u8] = &[0x2B, 0x65, 0x71];
/// X448 (1.3.101.111, RFC 8410), as GnuPG names it too.
#[cfg(feature = "ed448")]
const OID_X448: &[u8] = &[0x2B, 0x65, 0x6F];
/// Ed25519 as OpenPGP and GnuPG name it (1.3.6.1.4.1.11591.15.1).
#[cfg(feature = "ed25519")]
const OID_ED25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01];
/// Ed25519 (1.3.101.112, RFC 8410), accepted on input.
#[cfg(feature = "ed25519")]
const OID_ED25519_RFC8410: &[u8] = &[0x2B, 0x65, 0x70];
/// Curve25519 for ECDH as OpenPGP and GnuPG name it (1.3.6.1.4.1.3029.1.5.1).
#[cfg(feature = "x25519")]
const OID_CURVE25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01];
/// X25519 (1.3.101.110, RFC 8410), accepted on input.
#[cfg(feature = "x25519")]
const OID_X25519_RFC8410: &[u8] = &[0x2B, 0x65, 0x6E];

/// How the host sends an RSA private key on import (last byte of the RSA attributes,
/// spec §4.4.3.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RsaImportFormat {
    /// `00`: e, p, q.
    Standard,
    /// `01`: e, p, q and the modulus n.
    StandardWithModulus,
    /// `02`: e, p, q, 1/q mod p, d mod (p-1), d mod (q-1).
    Crt,
    /// `03`: the CRT form and the modulus n.
    CrtWithModulus,
}

impl RsaImportFormat {
    /// The attribute byte.
    pub fn byte(self) -> u8 {
        match self {
            RsaImportFormat::Standard => 0x00,
            RsaImportFormat::StandardWithModulus => 0x01,
            RsaImportFormat::Crt => 0x02,
            RsaImportFormat::CrtWithModulus => 0x03,
        }
    }

    /// Decodes the attribute byte.
    pub fn from_byte(byte: u8) -> Option<RsaImportFormat> {
        Some(match byte {
            0x00 => RsaImportFormat::Standard,
            0x01 => RsaImportFormat::StandardWithModulus,
            0x02 => RsaImportFormat::Crt,
            0x03 => RsaImportFormat::CrtWithModulus,
            _ => return None,
        })
    }

    /// Whether the import template carries the CRT values (tags 94, 95, 96).
    pub fn has_crt(self) -> bool {
        matches!(self, RsaImportFormat::Crt | RsaImportFormat::CrtWithModulus)
    }

    /// Whether the import template carries the modulus (tag 97).
    pub fn has_modulus(self) -> bool {
        matches!(
            self,
            RsaImportFormat::StandardWithModulus | RsaImportFormat::CrtWithModulus
        )
    }
}

/// A short-Weierstrass curve for ECDSA and ECDH (spec §4.4.3.10). Only the curves whose cargo
/// feature is enabled exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    #[cfg(feature = "p256")]
    P256,
    /// NIST P-384 (secp384r1).
    #[cfg(feature = "p384")]
    P384,
    /// secp256k1.
    #[cfg(feature = "k256")]
    Secp256k1,
    /// NIST P-521 (secp521r1).
    #[cfg(feature = "p521")]
    P521,
    /// brainpoolP256r1 (RFC 5639).
    #[cfg(feature = "brainpool")]
    BrainpoolP256r1,
    /// brainpoolP384r1 (RFC 5639).
    #[cfg(feature = "brainpool")]
    BrainpoolP384r1,
    /// brainpoolP512r1 (RFC 5639).
    #[cfg(feature = "brainpool")]
    BrainpoolP512r1,
}

impl Curve {
    /// The curve's OID (DER content bytes, without tag and length).
    pub fn oid(self) -> &'static [u8] {
        match self {
            #[cfg(feature = "p256")]
            Curve::P256 => OID_P256,
            #[cfg(feature = "p384")]
            Curve::P384 => OID_P384,
            #[cfg(feature = "k256")]
            Curve::Secp256k1 => OID_SECP256K1,
            #[cfg(feature = "p521")]
            Curve::P521 => OID_P521,
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP256r1 => OID_BRAINPOOL_P256R1,
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP384r1 => OID_BRAINPOOL_P384R1,
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP512r1 => OID_BRAINPOOL_P512R1,
        }
    }

    /// Length in bytes of a field element and of a private scalar.
    pub fn field_len(self) -> usize {
        match self {
            #[cfg(feature = "p256")]
            Curve::P256 => 32,
            #[cfg(feature = "p384")]
            Curve::P384 => 48,
            #[cfg(feature = "k256")]
            Curve::Secp256k1 => 32,
            #[cfg(feature = "p521")]
            Curve::P521 => 66,
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP256r1 => 32,
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP384r1 => 48,
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP512r1 => 64,
        }
    }

    /// The enabled curve with this OID.
    fn from_oid(oid: &[u8]) -> Option<Curve> {
        match oid {
            #[cfg(feature = "p256")]
            OID_P256 => Some(Curve::P256),
            #[cfg(feature = "p384")]
            OID_P384 => Some(Curve::P384),
            #[cfg(feature = "k256")]
            OID_SECP256K1 => Some(Curve::Secp256k1),
            #[cfg(feature = "p521")]
            OID_P521 => Some(Curve::P521),
            #[cfg(feature = "brainpool")]
            OID_BRAINPOOL_P256R1 => Some(Curve::BrainpoolP256r1),
            #[cfg(feature = "brainpool")]
            OID_BRAINPOOL_P384R1 => Some(Curve::BrainpoolP384r1),
            #[cfg(feature = "brainpool")]
            OID_BRAINPOOL_P512R1 => Some(Curve::BrainpoolP512r1),
            _ => None,
        }
    }
}

/// A key algorithm as the algorithm attributes DOs C1, C2 and C3 describe it
/// (spec §4.4.3.9–§4.4.3.11). Only the families whose cargo feature is enabled exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSA with e = 65537 (attributes `01 | n bits | e bits | import format`).
    #[cfg(feature = "rsa")]
    Rsa {
        /// Modulus length: 2048, 3072 or 4096.
        bits: u16,
        /// How keys are imported.
        format: RsaImportFormat,
    },
    /// ECDSA (attributes `13 | OID`).
    Ecdsa(Curve),
    /// ECDH (attributes `12 | OID`).
    Ecdh(Curve),
    /// EdDSA on Ed25519 (attributes `16 | OID`).
    #[cfg(feature = "ed25519")]
    Ed25519,
    /// ECDH on Curve25519, X25519 (attributes `12 | OID of Curve25519`).
    #[cfg(feature = "x25519")]
    X25519,
    /// EdDSA on Ed448 (attributes `16 | OID of Ed448`).
    #[cfg(feature = "ed448")]
    Ed448,
    /// ECDH on Curve448, X448 (attributes `12 | OID of X448`).
    #[cfg(feature = "ed448")]
    X448,
}

/// Every algorithm the build supports, in the order DO FA lists them.
const SUPPORTED: &[Algorithm] = &[
    #[cfg(feature = "rsa")]
    Algorithm::Rsa {
        bits: 2048,
        format: RsaImportFormat::Standard,
    },
    #[cfg(feature = "rsa")]
    Algorithm::Rsa {
        bits: 3072,
        format: RsaImportFormat::Standard,
    },
    #[cfg(feature = "rsa")]
    Algorithm::Rsa {
        bits: 4096,
        format: RsaImportFormat::Standard,
    },
    #[cfg(feature = "p256")]
    Algorithm::Ecdsa(Curve::P256),
    #[cfg(feature = "p256")]
    Algorithm::Ecdh(Curve::P256),
    #[cfg(feature = "p384")]
    Algorithm::Ecdsa(Curve::P384),
    #[cfg(feature = "p384")]
    Algorithm::Ecdh(Curve::P384),
    #[cfg(feature = "k256")]
    Algorithm::Ecdsa(Curve::Secp256k1),
    #[cfg(feature = "k256")]
    Algorithm::Ecdh(Curve::Secp256k1),
    #[cfg(feature = "p521")]
    Algorithm::Ecdsa(Curve::P521),
    #[cfg(feature = "p521")]
    Algorithm::Ecdh(Curve::P521),
    #[cfg(feature = "brainpool")]
    Algorithm::Ecdsa(Curve::BrainpoolP256r1),
    #[cfg(feature = "brainpool")]
    Algorithm::Ecdh(Curve::BrainpoolP256r1),
    #[cfg(feature = "brainpool")]
    Algorithm::Ecdsa(Curve::BrainpoolP384r1),
    #[cfg(feature = "brainpool")]
    Algorithm::Ecdh(Curve::BrainpoolP384r1),
    #[cfg(feature = "brainpool")]
    Algorithm::Ecdsa(Curve::BrainpoolP512r1),
    #[cfg(feature = "brainpool")]
    Algorithm::Ecdh(Curve::BrainpoolP512r1),
    #[cfg(feature = "ed25519")]
    Algorithm::Ed25519,
    #[cfg(feature = "x25519")]
    Algorithm::X25519,
    #[cfg(feature = "ed448")]
    Algorithm::Ed448,
    #[cfg(feature = "ed448")]
    Algorithm::X448,
];

impl Algorithm {
    /// Parses the value of C1, C2 or C3 as a host writes it (GnuPG's forms included):
    /// RSA `01 nnnn eeee [fmt]` (n of 2048, 3072 or 4096 bits; e of 17 to 32 bits, since e is
    /// 65537; a missing format byte means `00`), ECDSA `13 OID [FF]`, ECDH `12 OID [FF]`, EdDSA
    /// `16 OID [FF]`, X25519 `12 <Curve25519 OID> [FF]`. Anything else, or an algorithm this
    /// build does not support, is [`Error::IncorrectData`].
    pub fn parse(attributes: &[u8]) -> Result<Algorithm, Error> {
        let (&id, rest) = attributes.split_first().ok_or(Error::IncorrectData)?;
        match id {
            #[cfg(feature = "rsa")]
            ALGORITHM_RSA => Self::parse_rsa(rest),
            ALGORITHM_ECDH | ALGORITHM_ECDSA | ALGORITHM_EDDSA => {
                // An OID never ends in FF (its last byte has bit 8 clear), so this is unambiguous.
                let oid = match rest.split_last() {
                    Some((&WITH_PUBLIC_KEY, oid)) => oid,
                    _ => rest,
                };
                Self::from_ecc_oid(id, oid).ok_or(Error::IncorrectData)
            }
            _ => Err(Error::IncorrectData),
        }
    }

    #[cfg(feature = "rsa")]
    fn parse_rsa(rest: &[u8]) -> Result<Algorithm, Error> {
        let (n_bits, e_bits, format) = match *rest {
            [n1, n2, e1, e2] => ([n1, n2], [e1, e2], RsaImportFormat::Standard),
            [n1, n2, e1, e2, format] => (
                [n1, n2],
                [e1, e2],
                RsaImportFormat::from_byte(format).ok_or(Error::IncorrectData)?,
            ),
            _ => return Err(Error::IncorrectData),
        };
        let bits = u16::from_be_bytes(n_bits);
        let e_bits = u16::from_be_bytes(e_bits);
        if !matches!(bits, 2048 | 3072 | 4096) || !(17..=RSA_E_BITS).contains(&e_bits) {
            return Err(Error::IncorrectData);
        }
        Ok(Algorithm::Rsa { bits, format })
    }

    fn from_ecc_oid(id: u8, oid: &[u8]) -> Option<Algorithm> {
        match id {
            ALGORITHM_ECDSA => Curve::from_oid(oid).map(Algorithm::Ecdsa),
            ALGORITHM_ECDH => {
                #[cfg(feature = "x25519")]
                if oid == OID_CURVE25519 || oid == OID_X25519_RFC8410 {
                    return Some(Algorithm::X25519);
                }
                #[cfg(feature = "ed448")]
                if oid == OID_X448 {
                    return Some(Algorithm::X448);
                }
                Curve::from_oid(oid).map(Algorithm::Ecdh)
            }
            #[cfg(feature = "ed25519")]
            ALGORITHM_EDDSA if oid == OID_ED25519 || oid == OID_ED25519_RFC8410 => {
                Some(Algorithm::Ed25519)
            }
            #[cfg(feature = "ed448")]
            ALGORITHM_EDDSA if oid == OID_ED448 => Some(Algorithm::Ed448),
            _ => None,
        }
    }

    /// Writes the canonical attributes (the value of C1/C2/C3 and of the entries of FA):
    /// RSA `01 nnnn 0020 fmt`, ECC `id OID` without the trailing `FF`.
    pub fn write_attributes(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        match *self {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { bits, format } => write_rsa(w, bits, RSA_E_BITS, format),
            Algorithm::Ecdsa(curve) => {
                w.raw(&[ALGORITHM_ECDSA])?;
                w.raw(curve.oid())
            }
            Algorithm::Ecdh(curve) => {
                w.raw(&[ALGORITHM_ECDH])?;
                w.raw(curve.oid())
            }
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => {
                w.raw(&[ALGORITHM_EDDSA])?;
                w.raw(OID_ED25519)
            }
            #[cfg(feature = "x25519")]
            Algorithm::X25519 => {
                w.raw(&[ALGORITHM_ECDH])?;
                w.raw(OID_CURVE25519)
            }
            #[cfg(feature = "ed448")]
            Algorithm::Ed448 => {
                w.raw(&[ALGORITHM_EDDSA])?;
                w.raw(OID_ED448)
            }
            #[cfg(feature = "ed448")]
            Algorithm::X448 => {
                w.raw(&[ALGORITHM_ECDH])?;
                w.raw(OID_X448)
            }
        }
    }

    /// Whether a key of this algorithm may live in `slot`: signature algorithms (RSA, ECDSA,
    /// Ed25519) in SIG and AUT, decryption algorithms (RSA, ECDH, X25519) in DEC.
    pub fn fits_slot(&self, slot: Slot) -> bool {
        let signs = matches!(slot, Slot::Sig | Slot::Aut);
        match *self {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { .. } => true,
            Algorithm::Ecdsa(_) => signs,
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => signs,
            Algorithm::Ecdh(_) => !signs,
            #[cfg(feature = "x25519")]
            Algorithm::X25519 => !signs,
            #[cfg(feature = "ed448")]
            Algorithm::Ed448 => signs,
            #[cfg(feature = "ed448")]
            Algorithm::X448 => !signs,
        }
    }

    /// Whether a key of `self` is also a key of `other`: equal up to the RSA import format
    /// (the trailing `FF` of ECC attributes is never part of an [`Algorithm`]).
    pub fn same_key_type(&self, other: &Algorithm) -> bool {
        match (*self, *other) {
            #[cfg(feature = "rsa")]
            (Algorithm::Rsa { bits: a, .. }, Algorithm::Rsa { bits: b, .. }) => a == b,
            (a, b) => a == b,
        }
    }

    /// The modulus size, for RSA.
    pub fn rsa_bits(&self) -> Option<u16> {
        match *self {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { bits, .. } => Some(bits),
            _ => None,
        }
    }

    /// Whether keys of this algorithm sign (PSO:CDS, INTERNAL AUTHENTICATE).
    pub fn can_sign(&self) -> bool {
        self.fits_slot(Slot::Sig)
    }

    /// Whether keys of this algorithm decipher (PSO:DECIPHER).
    pub fn can_decipher(&self) -> bool {
        self.fits_slot(Slot::Dec)
    }

    /// Every algorithm this build supports (RSA with the standard import format), for DO FA.
    pub fn supported() -> impl Iterator<Item = Algorithm> {
        SUPPORTED.iter().copied()
    }

    /// Writes the attribute value FA lists for this algorithm as `tag { value }`: the
    /// canonical one, except RSA in the 17-bit exponent form `01 nnnn 0011 00` (YubiKey's),
    /// which yubikit looks for before it generates or imports RSA. C1-C3 accept both widths.
    /// One entry per algorithm: GnuPG 2.4 lists every FA entry by name in `key-attr`, so both
    /// widths would offer each RSA size twice.
    pub fn write_announced(&self, w: &mut Writer<'_>, tag: u16) -> Result<(), Error> {
        let entry = w.open(tag)?;
        match *self {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { bits, format } => write_rsa(w, bits, RSA_E_BITS_YUBIKEY, format)?,
            _ => self.write_attributes(w)?,
        }
        w.close(entry)
    }
}

#[cfg(feature = "rsa")]
fn write_rsa(
    w: &mut Writer<'_>,
    bits: u16,
    e_bits: u16,
    format: RsaImportFormat,
) -> Result<(), Error> {
    let [n1, n2] = bits.to_be_bytes();
    let [e1, e2] = e_bits.to_be_bytes();
    w.raw(&[ALGORITHM_RSA, n1, n2, e1, e2, format.byte()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::{attributes, hex};
    use alloc::vec::Vec;

    #[test]
    #[cfg(feature = "rsa")]
    fn rsa_attributes_round_trip() {
        let gnupg = [0x01, 0x08, 0x00, 0x00, 0x20, 0x00];
        let alg = Algorithm::parse(&gnupg).unwrap();
        assert_eq!(
            alg,
            Algorithm::Rsa {
                bits: 2048,
                format: RsaImportFormat::Standard
            }
        );
        assert_eq!(attributes(&alg), gnupg);
        assert_eq!(gnupg, crate::state::DEFAULT_ATTRIBUTES);
        for (bytes, bits, format) in [
            (
                [0x01, 0x0C, 0x00, 0x00, 0x20, 0x01],
                3072,
                RsaImportFormat::StandardWithModulus,
            ),
            (
                [0x01, 0x10, 0x00, 0x00, 0x20, 0x02],
                4096,
                RsaImportFormat::Crt,
            ),
            (
                [0x01, 0x10, 0x00, 0x00, 0x20, 0x03],
                4096,
                RsaImportFormat::CrtWithModulus,
            ),
        ] {
            let alg = Algorithm::parse(&bytes).unwrap();
            assert_eq!(alg, Algorithm::Rsa { bits, format });
            assert_eq!(attributes(&alg), bytes);
        }
        // Cards that announce e as 17 bits, and the short form without a format byte.
        let alg = Algorithm::parse(&[0x01, 0x08, 0x00, 0x00, 0x11, 0x00]).unwrap();
        assert_eq!(attributes(&alg), gnupg);
        assert_eq!(Algorithm::parse(&[0x01, 0x08, 0x00, 0x00, 0x20]), Ok(alg));
    }

    #[test]
    #[cfg(feature = "rsa")]
    fn rsa_attributes_garbage_is_rejected() {
        for bad in [
            &[0x01, 0x04, 0x00, 0x00, 0x20, 0x00][..], // 1024 bits
            &[0x01, 0x08, 0x01, 0x00, 0x20, 0x00],     // 2304 bits
            &[0x01, 0x20, 0x00, 0x00, 0x20, 0x00],     // 8192 bits
            &[0x01, 0x08, 0x00, 0x00, 0x10, 0x00],     // e of 16 bits cannot hold 65537
            &[0x01, 0x08, 0x00, 0x00, 0x21, 0x00],     // e of 33 bits
            &[0x01, 0x08, 0x00, 0x00, 0x20, 0x04],     // unknown import format
            &[0x01, 0x08, 0x00, 0x00, 0x20, 0x00, 0x00],
            &[0x01, 0x08, 0x00, 0x00],
            &[0x01, 0x08, 0x00],
            &[0x01],
        ] {
            assert_eq!(
                Algorithm::parse(bad),
                Err(Error::IncorrectData),
                "{bad:02X?}"
            );
        }
    }

    #[test]
    fn ecc_attributes_round_trip() {
        let mut cases: Vec<(Vec<u8>, Algorithm)> = Vec::new();
        #[cfg(feature = "p256")]
        {
            cases.push((hex("13 2A8648CE3D030107"), Algorithm::Ecdsa(Curve::P256)));
            cases.push((hex("12 2A8648CE3D030107"), Algorithm::Ecdh(Curve::P256)));
        }
        #[cfg(feature = "p384")]
        {
            cases.push((hex("13 2B81040022"), Algorithm::Ecdsa(Curve::P384)));
            cases.push((hex("12 2B81040022"), Algorithm::Ecdh(Curve::P384)));
        }
        #[cfg(feature = "k256")]
        {
            cases.push((hex("13 2B8104000A"), Algorithm::Ecdsa(Curve::Secp256k1)));
            cases.push((hex("12 2B8104000A"), Algorithm::Ecdh(Curve::Secp256k1)));
        }
        #[cfg(feature = "p521")]
        {
            cases.push((hex("13 2B81040023"), Algorithm::Ecdsa(Curve::P521)));
            cases.push((hex("12 2B81040023"), Algorithm::Ecdh(Curve::P521)));
        }
        #[cfg(feature = "brainpool")]
        for (oid, curve) in [
            ("2B2403030208010107", Curve::BrainpoolP256r1),
            ("2B240303020801010B", Curve::BrainpoolP384r1),
            ("2B240303020801010D", Curve::BrainpoolP512r1),
        ] {
            cases.push((hex(&alloc::format!("13 {oid}")), Algorithm::Ecdsa(curve)));
            cases.push((hex(&alloc::format!("12 {oid}")), Algorithm::Ecdh(curve)));
        }
        #[cfg(feature = "ed25519")]
        cases.push((hex("16 2B06010401DA470F01"), Algorithm::Ed25519));
        #[cfg(feature = "x25519")]
        cases.push((hex("12 2B060104019755010501"), Algorithm::X25519));
        #[cfg(feature = "ed448")]
        {
            cases.push((hex("16 2B6571"), Algorithm::Ed448));
            cases.push((hex("12 2B656F"), Algorithm::X448));
        }
        for (bytes, alg) in cases {
            assert_eq!(Algorithm::parse(&bytes), Ok(alg), "{bytes:02X?}");
            assert_eq!(attributes(&alg), bytes);
            // The trailing FF (public key included on import) is accepted and dropped.
            let mut with_ff = bytes.clone();
            with_ff.push(0xFF);
            assert_eq!(Algorithm::parse(&with_ff), Ok(alg));
            assert!(alg.same_key_type(&Algorithm::parse(&with_ff).unwrap()));
        }
        // RFC 8410 OIDs are accepted on input; output uses the OpenPGP ones.
        #[cfg(feature = "ed25519")]
        assert_eq!(Algorithm::parse(&hex("16 2B6570")), Ok(Algorithm::Ed25519));
        #[cfg(feature = "x25519")]
        assert_eq!(
            Algorithm::parse(&hex("12 2B656E FF")),
            Ok(Algorithm::X25519)
        );
    }

    #[test]
    fn ecc_attributes_garbage_is_rejected() {
        for bad in [
            hex(""),
            hex("00"),
            hex("13"),
            hex("13 FF"),
            hex("14 2A8648CE3D030107"),       // unknown algorithm ID
            hex("13 2A8648CE3D0301"),         // truncated OID
            hex("13 2A8648CE3D030107 FE"),    // a trailing byte other than FF
            hex("13 2A8648CE3D030107 FF FF"), // two of them
            hex("13 2B06010401DA470F01"),     // ECDSA on Ed25519
            hex("16 2A8648CE3D030107"),       // EdDSA on P-256
            hex("13 2B060104019755010501"),   // ECDSA on Curve25519
            hex("16 2B060104019755010501"),   // EdDSA on Curve25519
            hex("12 2B06010401DA470F01"),     // ECDH on Ed25519
            hex("16 2B81040023"),             // EdDSA on P-521
            hex("16 2B2403030208010107"),     // EdDSA on brainpoolP256r1
            hex("13 2B2403030208010108"),     // brainpoolP256t1: never supported
            hex("13 2B240303020801010E"),     // brainpoolP512t1: never supported
            hex("13 2B6571"),                 // ECDSA on Ed448
            hex("12 2B6571"),                 // ECDH on Ed448
            hex("16 2B656F"),                 // EdDSA on X448
        ] {
            assert_eq!(
                Algorithm::parse(&bad),
                Err(Error::IncorrectData),
                "{bad:02X?}"
            );
        }
        // A build without a family refuses its attributes.
        let mut absent = Vec::new();
        if !cfg!(feature = "p521") {
            absent.extend([hex("13 2B81040023"), hex("12 2B81040023")]);
        }
        if !cfg!(feature = "brainpool") {
            absent.extend([hex("13 2B2403030208010107"), hex("12 2B240303020801010D")]);
        }
        if !cfg!(feature = "ed448") {
            absent.extend([hex("16 2B6571"), hex("12 2B656F")]);
        }
        for bad in absent {
            assert_eq!(
                Algorithm::parse(&bad),
                Err(Error::IncorrectData),
                "{bad:02X?}"
            );
        }
    }

    #[test]
    fn fits_slot_table() {
        for alg in Algorithm::supported() {
            let (sig, dec, aut) = match alg {
                #[cfg(feature = "rsa")]
                Algorithm::Rsa { .. } => (true, true, true),
                Algorithm::Ecdsa(_) => (true, false, true),
                Algorithm::Ecdh(_) => (false, true, false),
                #[cfg(feature = "ed25519")]
                Algorithm::Ed25519 => (true, false, true),
                #[cfg(feature = "x25519")]
                Algorithm::X25519 => (false, true, false),
                #[cfg(feature = "ed448")]
                Algorithm::Ed448 => (true, false, true),
                #[cfg(feature = "ed448")]
                Algorithm::X448 => (false, true, false),
            };
            assert_eq!(alg.fits_slot(Slot::Sig), sig, "{alg:?}");
            assert_eq!(alg.fits_slot(Slot::Dec), dec, "{alg:?}");
            assert_eq!(alg.fits_slot(Slot::Aut), aut, "{alg:?}");
        }
    }

    #[test]
    fn supported_lists_every_family_once_and_parses_back() {
        let all: Vec<Algorithm> = Algorithm::supported().collect();
        let expected = 3 * usize::from(cfg!(feature = "rsa"))
            + 2 * usize::from(cfg!(feature = "p256"))
            + 2 * usize::from(cfg!(feature = "p384"))
            + 2 * usize::from(cfg!(feature = "k256"))
            + 2 * usize::from(cfg!(feature = "p521"))
            + 6 * usize::from(cfg!(feature = "brainpool"))
            + usize::from(cfg!(feature = "ed25519"))
            + usize::from(cfg!(feature = "x25519"))
            + 2 * usize::from(cfg!(feature = "ed448"));
        assert_eq!(all.len(), expected);
        for (i, alg) in all.iter().enumerate() {
            assert_eq!(Algorithm::parse(&attributes(alg)).as_ref(), Ok(alg));
            for other in &all[i + 1..] {
                assert!(!alg.same_key_type(other), "{alg:?} {other:?}");
            }
        }
    }

    #[test]
    #[cfg(feature = "rsa")]
    fn same_key_type_ignores_the_rsa_import_format() {
        let a = Algorithm::parse(&hex("01 0800 0020 00")).unwrap();
        let b = Algorithm::parse(&hex("01 0800 0011 03")).unwrap();
        let c = Algorithm::parse(&hex("01 0C00 0020 00")).unwrap();
        assert!(a.same_key_type(&b));
        assert!(!a.same_key_type(&c));
        assert_ne!(a, b);
    }
}
