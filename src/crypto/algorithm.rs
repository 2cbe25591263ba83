//! Algorithm attributes: the values of DOs C1, C2 and C3 (spec §4.4.3.9–§4.4.3.11) as
//! [`Algorithm`], the curves as [`Curve`], the RSA import formats as [`RsaImportFormat`], and the
//! list the algorithm information DO FA announces (§4.4.3.11).
//!
//! Only the families whose cargo feature is enabled exist as values, so a build without a family
//! parses its attributes as unsupported (6A80).

// Without any short-Weierstrass curve compiled in, `Curve` has no values, so the ECDSA and ECDH
// arms of every match are (correctly) unreachable.
#![cfg_attr(not(feature = "_weierstrass"), allow(unreachable_code))]

use super::families::families;
use super::Output;
use crate::error::Error;
use crate::spec::Slot;

/// Algorithm ID byte of RSA attributes (spec §4.4.3.10).
#[cfg(feature = "rsa")]
const RSA: u8 = 0x01;
/// Algorithm ID byte of ECDH attributes (also X25519 and X448).
const ECDH: u8 = 0x12;
/// Algorithm ID byte of ECDSA attributes.
const ECDSA: u8 = 0x13;
/// Algorithm ID byte of EdDSA attributes.
const EDDSA: u8 = 0x16;
/// Optional last byte of ECC attributes: the public key is included on import.
const WITH_PUBLIC_KEY: u8 = 0xFF;
/// The public exponent field of RSA attributes as the card announces it: 32 bits.
const RSA_E_BITS: u16 = 32;
/// The other exponent field width FA announces for RSA: 17 bits (e = 65537), the form
/// YubiKeys use and yubikit looks for in FA before it generates or imports an RSA key.
const RSA_E_BITS_YUBIKEY: u16 = 17;

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

/// Builds [`Curve`], [`Algorithm`] and the algorithm list of DO FA from the table
/// ([`families!`]).
macro_rules! algorithms {
    (
        weierstrass { $(
            $(#[$curve_doc:meta])*
            $curve:ident = $curve_feature:literal,
                oid [$($curve_oid:literal),*], field $field:literal, key $curve_key:ty;
        )* }
        cfrg { $(
            $(#[$single_doc:meta])*
            $single:ident = $single_feature:literal, $id:ident,
                oid [$($oid:literal),*] also [$([$($other_oid:literal),*]),*],
                len $len:literal, key $module:ident :: $key:ident;
        )* }
    ) => {
        /// A short-Weierstrass curve for ECDSA and ECDH (spec §4.4.3.10). Only the curves whose
        /// cargo feature is enabled exist.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Curve {
            $( $(#[$curve_doc])* #[cfg(feature = $curve_feature)] $curve, )*
        }

        impl Curve {
            /// The curve's OID (DER content bytes, without tag and length).
            pub fn oid(self) -> &'static [u8] {
                match self {
                    $( #[cfg(feature = $curve_feature)] Curve::$curve => &[$($curve_oid),*], )*
                }
            }

            /// Length in bytes of a field element and of a private scalar.
            pub fn field_len(self) -> usize {
                match self {
                    $( #[cfg(feature = $curve_feature)] Curve::$curve => $field, )*
                }
            }

            /// The enabled curve with this OID.
            fn from_oid(oid: &[u8]) -> Option<Curve> {
                match oid {
                    $( #[cfg(feature = $curve_feature)] [$($curve_oid),*] => Some(Curve::$curve), )*
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
            $( $(#[$single_doc])* #[cfg(feature = $single_feature)] $single, )*
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
            $(
                #[cfg(feature = $curve_feature)]
                Algorithm::Ecdsa(Curve::$curve),
                #[cfg(feature = $curve_feature)]
                Algorithm::Ecdh(Curve::$curve),
            )*
            $( #[cfg(feature = $single_feature)] Algorithm::$single, )*
        ];

        impl Algorithm {
            /// The algorithm that is one curve (EdDSA, X25519, X448) with this algorithm ID
            /// and OID.
            fn single_from_oid(id: u8, oid: &[u8]) -> Option<Algorithm> {
                $(
                    #[cfg(feature = $single_feature)]
                    if id == $id && (oid == [$($oid),*] $(|| oid == [$($other_oid),*])*) {
                        return Some(Algorithm::$single);
                    }
                )*
                let _ = (id, oid);
                None
            }

            /// The algorithm ID and OID of ECC attributes; `None` for RSA.
            fn ecc_attributes(&self) -> Option<(u8, &'static [u8])> {
                match *self {
                    #[cfg(feature = "rsa")]
                    Algorithm::Rsa { .. } => None,
                    Algorithm::Ecdsa(curve) => Some((ECDSA, curve.oid())),
                    Algorithm::Ecdh(curve) => Some((ECDH, curve.oid())),
                    $(
                        #[cfg(feature = $single_feature)]
                        Algorithm::$single => Some(($id, &[$($oid),*])),
                    )*
                }
            }
        }
    };
}

families!(algorithms);

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
            RSA => Self::parse_rsa(rest),
            ECDH | ECDSA | EDDSA => {
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
        if let Some(single) = Self::single_from_oid(id, oid) {
            return Some(single);
        }
        match id {
            ECDSA => Curve::from_oid(oid).map(Algorithm::Ecdsa),
            ECDH => Curve::from_oid(oid).map(Algorithm::Ecdh),
            _ => None,
        }
    }

    /// Writes the canonical attributes (the value of C1/C2/C3 and of the entries of FA):
    /// RSA `01 nnnn 0020 fmt`, ECC `id OID` without the trailing `FF`.
    pub fn write_attributes<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
        match self.ecc_attributes() {
            Some((id, oid)) => {
                out.put(&[id])?;
                out.put(oid)
            }
            None => self.write_rsa(out, RSA_E_BITS),
        }
    }

    /// RSA attributes `01 nnnn eeee fmt` with an exponent field of `e_bits`.
    fn write_rsa<O: Output + ?Sized>(&self, out: &mut O, e_bits: u16) -> Result<(), Error> {
        match *self {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { bits, format } => {
                let [n1, n2] = bits.to_be_bytes();
                let [e1, e2] = e_bits.to_be_bytes();
                out.put(&[RSA, n1, n2, e1, e2, format.byte()])
            }
            _ => {
                let _ = (out, e_bits);
                Err(Error::Internal)
            }
        }
    }

    /// Whether a key of this algorithm may live in `slot`: signature algorithms (RSA, ECDSA,
    /// EdDSA) in SIG and AUT, decryption algorithms (RSA, ECDH, X25519, X448) in DEC.
    pub fn fits_slot(&self, slot: Slot) -> bool {
        let signs = matches!(slot, Slot::Sig | Slot::Aut);
        match self.ecc_attributes() {
            None => true,
            Some((ECDH, _)) => !signs,
            Some(_) => signs,
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

    /// Writes the attribute value FA lists for this algorithm (the card layer puts it in its
    /// C1/C2/C3 tag): the canonical one, except RSA in the 17-bit exponent form
    /// `01 nnnn 0011 00` (YubiKey's), which yubikit looks for before it generates or imports
    /// RSA. C1-C3 accept both widths. One entry per algorithm: GnuPG 2.4 lists every FA entry
    /// by name in `key-attr`, so both widths would offer each RSA size twice.
    pub fn write_announced<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
        match self.ecc_attributes() {
            Some(_) => self.write_attributes(out),
            None => self.write_rsa(out, RSA_E_BITS_YUBIKEY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::{attributes, hex};
    use alloc::vec::Vec;

    const ECC_CASES: usize = 20;

    /// Every ECC algorithm's attributes as the spec and GnuPG write them, its `Debug` name,
    /// and whether this build has it (a build without a family refuses its attributes).
    fn ecc_cases() -> [(&'static str, &'static str, bool); ECC_CASES] {
        let p256 = cfg!(feature = "p256");
        let p384 = cfg!(feature = "p384");
        let k256 = cfg!(feature = "k256");
        let p521 = cfg!(feature = "p521");
        let brainpool = cfg!(feature = "brainpool");
        let ed448 = cfg!(feature = "ed448");
        [
            ("13 2A8648CE3D030107", "Ecdsa(P256)", p256),
            ("12 2A8648CE3D030107", "Ecdh(P256)", p256),
            ("13 2B81040022", "Ecdsa(P384)", p384),
            ("12 2B81040022", "Ecdh(P384)", p384),
            ("13 2B8104000A", "Ecdsa(Secp256k1)", k256),
            ("12 2B8104000A", "Ecdh(Secp256k1)", k256),
            ("13 2B81040023", "Ecdsa(P521)", p521),
            ("12 2B81040023", "Ecdh(P521)", p521),
            ("13 2B2403030208010107", "Ecdsa(BrainpoolP256r1)", brainpool),
            ("12 2B2403030208010107", "Ecdh(BrainpoolP256r1)", brainpool),
            ("13 2B240303020801010B", "Ecdsa(BrainpoolP384r1)", brainpool),
            ("12 2B240303020801010B", "Ecdh(BrainpoolP384r1)", brainpool),
            ("13 2B240303020801010D", "Ecdsa(BrainpoolP512r1)", brainpool),
            ("12 2B240303020801010D", "Ecdh(BrainpoolP512r1)", brainpool),
            (
                "16 2B06010401DA470F01",
                "Ed25519",
                cfg!(feature = "ed25519"),
            ),
            (
                "12 2B060104019755010501",
                "X25519",
                cfg!(feature = "x25519"),
            ),
            ("16 2B6571", "Ed448", ed448),
            ("12 2B656F", "X448", ed448),
            // RFC 8410's OIDs of the 25519 curves, accepted on input (written as OpenPGP's).
            ("16 2B6570", "Ed25519", cfg!(feature = "ed25519")),
            ("12 2B656E", "X25519", cfg!(feature = "x25519")),
        ]
    }

    #[test]
    fn ecc_attributes_round_trip() {
        for (i, (bytes, name, enabled)) in ecc_cases().into_iter().enumerate() {
            let bytes = hex(bytes);
            let parsed = Algorithm::parse(&bytes);
            if !enabled {
                assert_eq!(parsed, Err(Error::IncorrectData), "{name} is not built");
                continue;
            }
            let alg = parsed.unwrap();
            assert_eq!(alloc::format!("{alg:?}"), *name);
            // The last two are RFC 8410's OIDs: written back as OpenPGP's.
            if i < ECC_CASES - 2 {
                assert_eq!(attributes(&alg), bytes);
            }
            // The trailing FF (public key included on import) is accepted and dropped.
            let mut with_ff = bytes.clone();
            with_ff.push(0xFF);
            assert_eq!(Algorithm::parse(&with_ff), Ok(alg));
            assert!(alg.same_key_type(&Algorithm::parse(&with_ff).unwrap()));
        }
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
    }

    #[test]
    fn fits_slot_table() {
        for alg in Algorithm::supported() {
            // Signature algorithms in SIG and AUT, decryption algorithms in DEC, RSA in all.
            let name = alloc::format!("{alg:?}");
            let (sig, dec) = match name.split(['(', ' ']).next().unwrap_or_default() {
                "Rsa" => (true, true),
                "Ecdsa" | "Ed25519" | "Ed448" => (true, false),
                "Ecdh" | "X25519" | "X448" => (false, true),
                _ => panic!("unknown algorithm {name}"),
            };
            assert_eq!(alg.fits_slot(Slot::Sig), sig, "{alg:?}");
            assert_eq!(alg.fits_slot(Slot::Dec), dec, "{alg:?}");
            assert_eq!(alg.fits_slot(Slot::Aut), sig, "{alg:?}");
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

    /// RSA's attributes.
    #[cfg(feature = "rsa")]
    mod rsa {
        use super::*;

        #[test]
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
        fn same_key_type_ignores_the_rsa_import_format() {
            let a = Algorithm::parse(&hex("01 0800 0020 00")).unwrap();
            let b = Algorithm::parse(&hex("01 0800 0011 03")).unwrap();
            let c = Algorithm::parse(&hex("01 0C00 0020 00")).unwrap();
            assert!(a.same_key_type(&b));
            assert!(!a.same_key_type(&c));
            assert_ne!(a, b);
        }
    }
}
