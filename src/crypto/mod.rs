//! The card's asymmetric keys: algorithm attributes, key generation and import, the compact
//! storage form, public keys and the private-key operations.
//!
//! One private module per algorithm family, each behind its cargo feature so that a firmware can
//! leave families out: RSA (feature `rsa`), ECDSA/ECDH on the short-Weierstrass curves P-256,
//! P-384 and secp256k1 (`p256`, `p384`, `k256`), Ed25519 (`ed25519`) and X25519 (`x25519`).
//! Only the enabled algorithms exist as [`Algorithm`] and [`Curve`] values. This module holds
//! the spec-level types and dispatches to the families:
//!
//! - [`Algorithm`]: the algorithm attributes DO (C1/C2/C3, spec §4.4.3.9–§4.4.3.11) and the list
//!   for the algorithm information DO FA (§4.4.3.11).
//! - [`PrivateKey`]: a decoded key, ready for use. The caller decodes a key once (from storage or
//!   an import) and caches it; every secret it holds is zeroized on drop, and no method returns
//!   private key bytes except [`PrivateKey::write_stored`], which feeds the card's own storage.
//!
//! The operations follow spec §7.2.10 (PSO:COMPUTE DIGITAL SIGNATURE), §7.2.11 (PSO:DECIPHER),
//! §7.2.13 (INTERNAL AUTHENTICATE), §7.2.14 (GENERATE ASYMMETRIC KEY PAIR, public key DO 7F49)
//! and §4.4.3.12 (key import).
//!
//! # RSA and RUSTSEC-2023-0071 (Marvin)
//! The `rsa` crate carries advisory RUSTSEC-2023-0071: its big-integer arithmetic has not been
//! shown to be constant-time, so the timing of a private-key operation may leak information
//! about the operand (the Marvin attack, a timing variant of Bleichenbacher's padding oracle
//! against PKCS#1 v1.5 decryption). There is no fixed release. What this module does about it:
//! - Every private-key operation is blinded with the platform RNG: signing through
//!   `sign_with_rng`, decryption through `hazmat::rsa_decrypt_and_check` with an RNG, which in
//!   `rsa` 0.10 blinds the base, the CRT exponents and the moduli with fresh randomness each time.
//!   The exponentiation therefore never runs on a value the host chose.
//! - The PKCS#1 v1.5 type 2 padding is checked without branches or indexes that depend on the
//!   decrypted bytes (`subtle`); the only secret-dependent branch is the final verdict, which the
//!   spec (§7.2.11) makes visible anyway: bad padding answers 6A80. (The crate's own
//!   `Pkcs1v15Encrypt` decryption uses implicit rejection and never reports bad padding, which
//!   the spec's status word cannot express; that is why the raw operation is used.)
//! - That 6A80 is a perfect padding oracle, but only for a session in which PW1 (82) was verified
//!   (PSO:DECIPHER requires it), and such a session can simply ask the card to decrypt the
//!   target cryptogram. A timing attacker needs the same access.
//! - Signatures are verified with the public key before they are released, and decryption
//!   checks `m^e = c`: a fault in one CRT half would otherwise reveal a prime factor (Bellcore).
//!
//! What remains: the big-integer code is as constant-time as `crypto-bigint` makes it, and the
//! length of a correctly decrypted message is public (it is the response length).

// Without any short-Weierstrass curve compiled in, `Curve` has no values, so the ECDSA and ECDH
// arms of every dispatch are (correctly) unreachable.
#![cfg_attr(
    not(any(feature = "p256", feature = "p384", feature = "k256")),
    allow(unreachable_code)
)]

#[cfg(feature = "rsa")]
use alloc::boxed::Box;
use core::fmt;

use rand_core::CryptoRng;

use crate::state::Slot;
use crate::status::Error;
use crate::tlv::Writer;

#[cfg(feature = "aes")]
pub mod aes;
mod ecc;
#[cfg(feature = "ed25519")]
mod ed25519;
#[cfg(feature = "rsa")]
mod rsa;
#[cfg(all(test, feature = "rsa"))]
pub(crate) mod test_vectors;
#[cfg(feature = "x25519")]
mod x25519;

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

/// P-256 (1.2.840.10045.3.1.7).
#[cfg(feature = "p256")]
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
/// P-384 (1.3.132.0.34).
#[cfg(feature = "p384")]
const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
/// secp256k1 (1.3.132.0.10).
#[cfg(feature = "k256")]
const OID_SECP256K1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
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

/// The largest [`PrivateKey::write_stored`] output: two 2048-bit primes of an RSA-4096 key.
pub const MAX_STORED_LEN: usize = 512;
/// The largest [`PrivateKey::write_public_key`] output: `7F49 82 0209 { 81 82 0200 n, 82 03 e }`
/// of an RSA-4096 key.
pub const MAX_PUBLIC_KEY_LEN: usize = 2 + 3 + (4 + 512) + 5;
/// The largest output of [`PrivateKey::sign`] and [`PrivateKey::decipher`]: an RSA-4096
/// signature.
pub const MAX_OUTPUT_LEN: usize = 512;

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
    #[cfg(feature = "ed25519")]
    Algorithm::Ed25519,
    #[cfg(feature = "x25519")]
    Algorithm::X25519,
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
                Curve::from_oid(oid).map(Algorithm::Ecdh)
            }
            #[cfg(feature = "ed25519")]
            ALGORITHM_EDDSA if oid == OID_ED25519 || oid == OID_ED25519_RFC8410 => {
                Some(Algorithm::Ed25519)
            }
            _ => None,
        }
    }

    /// Writes the canonical attributes (the value of C1/C2/C3 and of the entries of FA):
    /// RSA `01 nnnn 0020 fmt`, ECC `id OID` without the trailing `FF`.
    pub fn write_attributes(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        match *self {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { bits, format } => {
                let [n1, n2] = bits.to_be_bytes();
                let [e1, e2] = RSA_E_BITS.to_be_bytes();
                w.raw(&[ALGORITHM_RSA, n1, n2, e1, e2, format.byte()])
            }
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
}

/// A decoded private key, ready for use.
///
/// Decode it once (with [`generate`](Self::generate), [`from_stored`](Self::from_stored) or an
/// import constructor) and cache it: RSA decoding recomputes the private exponent and the CRT
/// values. Every secret is zeroized on drop. The only method that reveals private key material
/// is [`write_stored`](Self::write_stored), for the card's own storage.
pub struct PrivateKey {
    key: Key,
}

/// The family-specific key. Each family type zeroizes itself on drop.
enum Key {
    /// Boxed: the key is large (the CRT values and Montgomery parameters), the others small.
    #[cfg(feature = "rsa")]
    Rsa(Box<rsa::RsaKey>),
    Ecdsa(ecc::EcKey),
    Ecdh(ecc::EcKey),
    #[cfg(feature = "ed25519")]
    Ed25519(ed25519::Ed25519Key),
    #[cfg(feature = "x25519")]
    X25519(x25519::X25519Key),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    fn new(key: Key) -> PrivateKey {
        PrivateKey { key }
    }

    /// Generates a key pair on the card (GENERATE ASYMMETRIC KEY PAIR, spec §7.2.14).
    pub fn generate<R: CryptoRng + ?Sized>(
        alg: &Algorithm,
        rng: &mut R,
    ) -> Result<PrivateKey, Error> {
        Ok(PrivateKey::new(match *alg {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { bits, format } => {
                Key::Rsa(Box::new(rsa::RsaKey::generate(bits, format, rng)?))
            }
            Algorithm::Ecdsa(curve) => Key::Ecdsa(ecc::EcKey::generate(curve, rng)),
            Algorithm::Ecdh(curve) => Key::Ecdh(ecc::EcKey::generate(curve, rng)),
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => Key::Ed25519(ed25519::Ed25519Key::generate(rng)),
            #[cfg(feature = "x25519")]
            Algorithm::X25519 => Key::X25519(x25519::X25519Key::generate(rng)),
        }))
    }

    /// Writes the compact storage form, raw bytes without a header (the algorithm is stored
    /// beside it, as the slot's attributes):
    /// - RSA: p ‖ q, big-endian, each exactly `bits / 16` bytes (e is always 65537);
    /// - ECDSA/ECDH: the private scalar, big-endian, field length;
    /// - Ed25519: the 32-byte seed;
    /// - X25519: the 32-byte scalar in RFC 7748 (little-endian) order, unclamped.
    ///
    /// The output is secret: the caller zeroizes the buffer behind `w` after use. At most
    /// [`MAX_STORED_LEN`] bytes.
    pub fn write_stored(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        match self.key {
            #[cfg(feature = "rsa")]
            Key::Rsa(ref key) => key.write_stored(w),
            Key::Ecdsa(ref key) | Key::Ecdh(ref key) => key.write_scalar(w),
            #[cfg(feature = "ed25519")]
            Key::Ed25519(ref key) => key.write_seed(w),
            #[cfg(feature = "x25519")]
            Key::X25519(ref key) => key.write_scalar(w),
        }
    }

    /// Decodes the output of [`write_stored`](Self::write_stored) for a slot with attributes
    /// `alg`. Bytes that do not decode to a valid key of `alg`, or have the wrong length, are
    /// [`Error::Storage`].
    pub fn from_stored(alg: &Algorithm, bytes: &[u8]) -> Result<PrivateKey, Error> {
        // Exact lengths (the import paths also accept short, left-padded values): a truncated
        // record must not decode to another key.
        let exact = match *alg {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { .. } => true, // checked by `RsaKey::from_stored`
            Algorithm::Ecdsa(curve) | Algorithm::Ecdh(curve) => bytes.len() == curve.field_len(),
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => bytes.len() == 32,
            #[cfg(feature = "x25519")]
            Algorithm::X25519 => true, // checked by `X25519Key::from_native`
        };
        if !exact {
            return Err(Error::Storage);
        }
        let key = match *alg {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { bits, format } => {
                rsa::RsaKey::from_stored(bits, format, bytes).map(|key| Key::Rsa(Box::new(key)))
            }
            Algorithm::Ecdsa(curve) => ecc::EcKey::from_scalar(curve, bytes).map(Key::Ecdsa),
            Algorithm::Ecdh(curve) => ecc::EcKey::from_scalar(curve, bytes).map(Key::Ecdh),
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => ed25519::Ed25519Key::from_seed(bytes).map(Key::Ed25519),
            #[cfg(feature = "x25519")]
            Algorithm::X25519 => x25519::X25519Key::from_native(bytes).map(Key::X25519),
        };
        key.map(PrivateKey::new).map_err(|_| Error::Storage)
    }

    /// Imports an RSA key from its big-endian components (spec §4.4.3.12, tags 91, 92, 93 and
    /// optionally 97; the CRT values 94–96 are recomputed, not needed). Leading zero bytes are
    /// allowed everywhere. Checks: `bits` is 2048, 3072 or 4096; p and q fit in `bits / 2` bits
    /// and the modulus has exactly `bits` bits; e is 65537; n, if given, equals p·q; and a test
    /// signature verifies. Any failure is [`Error::IncorrectData`].
    #[cfg(feature = "rsa")]
    pub fn from_rsa_components(
        bits: u16,
        e: &[u8],
        p: &[u8],
        q: &[u8],
        n: Option<&[u8]>,
    ) -> Result<PrivateKey, Error> {
        rsa::RsaKey::from_components(bits, RsaImportFormat::Standard, e, p, q, n)
            .map(|key| PrivateKey::new(Key::Rsa(Box::new(key))))
    }

    /// Without the `rsa` feature there are no RSA keys to import.
    #[cfg(not(feature = "rsa"))]
    pub fn from_rsa_components(
        _bits: u16,
        _e: &[u8],
        _p: &[u8],
        _q: &[u8],
        _n: Option<&[u8]>,
    ) -> Result<PrivateKey, Error> {
        Err(Error::IncorrectData)
    }

    /// Imports an elliptic-curve key (spec §4.4.3.12, tag 92 and optionally 99):
    /// - ECDSA/ECDH: `scalar` big-endian, possibly shorter than the field (GnuPG strips leading
    ///   zeros; it is left-padded), and in [1, n-1]; `public`, if given, is `04 ‖ X ‖ Y`.
    /// - Ed25519: the 32-byte seed (left-padded if shorter); `public` is 32 bytes or `40 ‖ A`.
    /// - X25519: the scalar in GnuPG's byte order, big-endian, i.e. reversed relative to
    ///   RFC 7748 (left-padded, then reversed); `public` is 32 bytes or `40 ‖ X`, RFC 7748 order.
    ///
    /// A public key that does not match the private one, a wrong length or an RSA `alg` is
    /// [`Error::IncorrectData`].
    pub fn from_ec_scalar(
        alg: &Algorithm,
        scalar: &[u8],
        public: Option<&[u8]>,
    ) -> Result<PrivateKey, Error> {
        let (key, matches) = match *alg {
            #[cfg(feature = "rsa")]
            Algorithm::Rsa { .. } => return Err(Error::IncorrectData),
            Algorithm::Ecdsa(curve) | Algorithm::Ecdh(curve) => {
                let key = ecc::EcKey::from_scalar(curve, scalar)?;
                let matches = public.is_none_or(|public| key.public_matches(public));
                let key = match alg {
                    Algorithm::Ecdsa(_) => Key::Ecdsa(key),
                    _ => Key::Ecdh(key),
                };
                (key, matches)
            }
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => {
                let key = ed25519::Ed25519Key::from_seed(scalar)?;
                let matches = public.is_none_or(|public| key.public_matches(public));
                (Key::Ed25519(key), matches)
            }
            #[cfg(feature = "x25519")]
            Algorithm::X25519 => {
                let key = x25519::X25519Key::from_gnupg(scalar)?;
                let matches = public.is_none_or(|public| key.public_matches(public));
                (Key::X25519(key), matches)
            }
        };
        if matches {
            Ok(PrivateKey::new(key))
        } else {
            Err(Error::IncorrectData)
        }
    }

    /// The key's algorithm (for RSA, with the import format the key was created under; ECC
    /// attributes never carry the trailing `FF`).
    pub fn algorithm(&self) -> Algorithm {
        match self.key {
            #[cfg(feature = "rsa")]
            Key::Rsa(ref key) => key.algorithm(),
            Key::Ecdsa(ref key) => Algorithm::Ecdsa(key.curve()),
            Key::Ecdh(ref key) => Algorithm::Ecdh(key.curve()),
            #[cfg(feature = "ed25519")]
            Key::Ed25519(_) => Algorithm::Ed25519,
            #[cfg(feature = "x25519")]
            Key::X25519(_) => Algorithm::X25519,
        }
    }

    /// Writes the public key DO, outer tag included (spec §4.4.3.12 and §7.2.14): RSA
    /// `7F49 { 81 n, 82 e }`; P-256/P-384/secp256k1 `7F49 { 86 04 ‖ X ‖ Y }`; Ed25519 and
    /// X25519 `7F49 { 86 <32 bytes> }`. At most [`MAX_PUBLIC_KEY_LEN`] bytes.
    pub fn write_public_key(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let open = w.open(0x7F49)?;
        match self.key {
            #[cfg(feature = "rsa")]
            Key::Rsa(ref key) => key.write_public(w)?,
            Key::Ecdsa(ref key) | Key::Ecdh(ref key) => key.write_public(w)?,
            #[cfg(feature = "ed25519")]
            Key::Ed25519(ref key) => key.write_public(w)?,
            #[cfg(feature = "x25519")]
            Key::X25519(ref key) => key.write_public(w)?,
        }
        w.close(open)
    }

    /// Computes a signature for PSO:COMPUTE DIGITAL SIGNATURE (spec §7.2.10) or INTERNAL
    /// AUTHENTICATE (§7.2.13) and appends it to `out`:
    /// - RSA: PKCS#1 v1.5 type 1 over `input` (a DigestInfo, or any authentication input),
    ///   blinded with `rng`, verified with the public key before it is released. Input longer
    ///   than 40% of the modulus is [`Error::WrongLength`].
    /// - ECDSA: `input` is the hash, left-padded with zeros if shorter than the field and
    ///   truncated to its leftmost field-length bytes if longer (bits2int, as the host's
    ///   verifier does); RFC 6979 deterministic nonce; output `r ‖ s`, each field length.
    ///   Empty input is [`Error::WrongLength`].
    /// - Ed25519: PureEdDSA over `input` as given, any length; 64-byte output.
    /// - ECDH and X25519 keys: [`Error::ConditionsOfUse`].
    pub fn sign<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        input: &[u8],
        out: &mut Writer<'_>,
    ) -> Result<(), Error> {
        let _ = &rng; // only RSA uses it
        match self.key {
            #[cfg(feature = "rsa")]
            Key::Rsa(ref key) => key.sign(rng, input, out),
            Key::Ecdsa(ref key) => key.sign(input, out),
            #[cfg(feature = "ed25519")]
            Key::Ed25519(ref key) => key.sign(input, out),
            Key::Ecdh(_) => Err(Error::ConditionsOfUse),
            #[cfg(feature = "x25519")]
            Key::X25519(_) => Err(Error::ConditionsOfUse),
        }
    }

    /// PSO:DECIPHER (spec §7.2.11); appends the result to `out`:
    /// - RSA: `input` is the cryptogram without the padding-indicator byte, possibly shorter
    ///   than the modulus (left-padded with zeros). Blinded RSADP, then the PKCS#1 v1.5 type 2
    ///   padding is checked branch-free; bad padding, or a cryptogram not below the modulus, is
    ///   [`Error::IncorrectData`]. Empty input or input longer than the modulus is
    ///   [`Error::WrongLength`].
    /// - ECDH: `input` is the host's public point `04 ‖ X ‖ Y`, checked to be on the curve
    ///   ([`Error::IncorrectData`] otherwise); the output is the x-coordinate of the shared
    ///   point.
    /// - X25519: `input` is 32 bytes or `40 ‖ X`; the output is the 32-byte shared secret. A
    ///   low-order point (all-zero secret) is [`Error::IncorrectData`].
    /// - ECDSA and Ed25519 keys: [`Error::ConditionsOfUse`].
    ///
    /// The output is secret (a session key or shared secret): the caller zeroizes the buffer
    /// behind `out` once it is sent.
    pub fn decipher<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        input: &[u8],
        out: &mut Writer<'_>,
    ) -> Result<(), Error> {
        let _ = &rng; // only RSA uses it
        match self.key {
            #[cfg(feature = "rsa")]
            Key::Rsa(ref key) => key.decipher(rng, input, out),
            Key::Ecdh(ref key) => key.agree(input, out),
            #[cfg(feature = "x25519")]
            Key::X25519(ref key) => key.agree(input, out),
            Key::Ecdsa(_) => Err(Error::ConditionsOfUse),
            #[cfg(feature = "ed25519")]
            Key::Ed25519(_) => Err(Error::ConditionsOfUse),
        }
    }
}

/// Copies big-endian `value` into `out`, right-aligned: left-pads a short value with zeros and
/// accepts a long one only if the excess leading bytes are zero. Returns `false` (leaving `out`
/// unchanged) if it does not fit.
///
/// Used on secrets: the only data-dependent timing is in the count of leading zero bytes of an
/// over-long input, which GnuPG never sends.
#[cfg(any(
    feature = "p256",
    feature = "p384",
    feature = "k256",
    feature = "ed25519",
    feature = "x25519"
))]
pub(crate) fn copy_right_aligned(value: &[u8], out: &mut [u8]) -> bool {
    let value = match value.len().checked_sub(out.len()) {
        Some(excess) => {
            let (zeros, tail) = value.split_at(excess);
            if zeros.iter().any(|&b| b != 0) {
                return false;
            }
            tail
        }
        None => value,
    };
    let Some(start) = out.len().checked_sub(value.len()) else {
        return false;
    };
    let (padding, dst) = out.split_at_mut(start);
    padding.fill(0);
    dst.copy_from_slice(value);
    true
}

/// Accepts a 32-byte public key of Ed25519 or X25519 with or without OpenPGP's `40` prefix
/// (native point encoding) and compares it with `own`.
#[cfg(any(feature = "ed25519", feature = "x25519"))]
pub(crate) fn public_25519_matches(public: &[u8], own: &[u8; 32]) -> bool {
    let raw = match public {
        [0x40, rest @ ..] if rest.len() == 32 => rest,
        _ => public,
    };
    raw == own
}

#[cfg(test)]
pub(crate) mod tests {
    // A build without some families leaves some helpers and bindings unused; the full build
    // keeps every lint.
    #![cfg_attr(
        not(all(
            feature = "rsa",
            feature = "p256",
            feature = "p384",
            feature = "k256",
            feature = "ed25519",
            feature = "x25519"
        )),
        allow(unused_mut, unused_variables, dead_code)
    )]

    use super::*;
    use crate::backends::TestRng;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Decodes hex, ignoring whitespace; panics on bad input (test vectors only).
    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        assert!(digits.len().is_multiple_of(2), "odd hex length");
        digits
            .chunks(2)
            .map(|pair| {
                let text = core::str::from_utf8(pair).unwrap();
                u8::from_str_radix(text, 16).unwrap()
            })
            .collect()
    }

    /// Runs `f` with a writer over a fresh buffer and returns what it wrote.
    pub(crate) fn written(
        f: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>,
    ) -> Result<Vec<u8>, Error> {
        let mut buf = vec![0u8; 2048];
        let mut w = Writer::new(&mut buf);
        f(&mut w)?;
        Ok(w.written().to_vec())
    }

    pub(crate) fn attributes(alg: &Algorithm) -> Vec<u8> {
        written(|w| alg.write_attributes(w)).unwrap()
    }

    pub(crate) fn public_key(key: &PrivateKey) -> Vec<u8> {
        written(|w| key.write_public_key(w)).unwrap()
    }

    pub(crate) fn stored(key: &PrivateKey) -> Vec<u8> {
        written(|w| key.write_stored(w)).unwrap()
    }

    pub(crate) fn sign(key: &PrivateKey, input: &[u8]) -> Result<Vec<u8>, Error> {
        written(|w| key.sign(&mut TestRng::seed_from_u64(1), input, w))
    }

    pub(crate) fn decipher(key: &PrivateKey, input: &[u8]) -> Result<Vec<u8>, Error> {
        written(|w| key.decipher(&mut TestRng::seed_from_u64(2), input, w))
    }

    /// The value of the 86 (or 81) object inside a 7F49 public key DO.
    pub(crate) fn public_part(public_key_do: &[u8], tag: u16) -> Vec<u8> {
        let inner = crate::tlv::find(public_key_do, 0x7F49).unwrap().unwrap();
        crate::tlv::find(inner, tag).unwrap().unwrap().to_vec()
    }

    /// Storage round trip: the decoded key has the same algorithm and public key.
    pub(crate) fn assert_storage_round_trip(key: &PrivateKey) {
        let bytes = stored(key);
        assert!(bytes.len() <= MAX_STORED_LEN);
        let decoded = PrivateKey::from_stored(&key.algorithm(), &bytes).unwrap();
        assert_eq!(decoded.algorithm(), key.algorithm());
        assert_eq!(public_key(&decoded), public_key(key));
        assert!(public_key(key).len() <= MAX_PUBLIC_KEY_LEN);
        // A truncated or extended record is refused, not decoded to another key.
        let algorithm = key.algorithm();
        assert_eq!(
            PrivateKey::from_stored(&algorithm, &bytes[1..]).err(),
            Some(Error::Storage)
        );
        assert_eq!(
            PrivateKey::from_stored(&algorithm, &[&bytes[..], &[0]].concat()).err(),
            Some(Error::Storage)
        );
    }

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
        #[cfg(feature = "ed25519")]
        cases.push((hex("16 2B06010401DA470F01"), Algorithm::Ed25519));
        #[cfg(feature = "x25519")]
        cases.push((hex("12 2B060104019755010501"), Algorithm::X25519));
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
            hex("13 2B81040023"),             // P-521: not supported
            hex("13 2B2403030208010107"),     // brainpoolP256r1: not supported
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
            let (sig, dec, aut) = match alg {
                #[cfg(feature = "rsa")]
                Algorithm::Rsa { .. } => (true, true, true),
                Algorithm::Ecdsa(_) => (true, false, true),
                Algorithm::Ecdh(_) => (false, true, false),
                #[cfg(feature = "ed25519")]
                Algorithm::Ed25519 => (true, false, true),
                #[cfg(feature = "x25519")]
                Algorithm::X25519 => (false, true, false),
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
            + usize::from(cfg!(feature = "ed25519"))
            + usize::from(cfg!(feature = "x25519"));
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

    #[test]
    #[cfg(any(
        feature = "p256",
        feature = "p384",
        feature = "k256",
        feature = "ed25519",
        feature = "x25519"
    ))]
    fn right_alignment() {
        let mut out = [0xEE; 4];
        assert!(copy_right_aligned(&[1, 2], &mut out));
        assert_eq!(out, [0, 0, 1, 2]);
        assert!(copy_right_aligned(&[0, 0, 1, 2, 3, 4], &mut out));
        assert_eq!(out, [1, 2, 3, 4]);
        assert!(!copy_right_aligned(&[0, 9, 1, 2, 3, 4], &mut out));
        let mut out = [0xEE; 2];
        assert!(copy_right_aligned(&[], &mut out));
        assert_eq!(out, [0, 0]);
    }

    #[test]
    fn generated_keys_refuse_the_other_operation() {
        let mut rng = TestRng::seed_from_u64(9);
        for alg in Algorithm::supported() {
            // RSA does both (and its key generation is slow): see rsa.rs.
            #[cfg(feature = "rsa")]
            if matches!(alg, Algorithm::Rsa { .. }) {
                continue;
            }
            let key = PrivateKey::generate(&alg, &mut rng).unwrap();
            assert_eq!(key.algorithm(), alg);
            if !alg.fits_slot(Slot::Sig) {
                assert_eq!(
                    sign(&key, &[0x55; 32]),
                    Err(Error::ConditionsOfUse),
                    "{alg:?}"
                );
            }
            if !alg.fits_slot(Slot::Dec) {
                assert_eq!(
                    decipher(&key, &[0x40; 33]),
                    Err(Error::ConditionsOfUse),
                    "{alg:?}"
                );
            }
        }
    }

    #[test]
    fn debug_does_not_print_secrets() {
        #[cfg(feature = "ed25519")]
        {
            let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
            let key = PrivateKey::from_ec_scalar(&Algorithm::Ed25519, &seed, None).unwrap();
            let text = alloc::format!("{key:?}");
            assert_eq!(text, "PrivateKey { algorithm: Ed25519, .. }");
        }
    }
}
