//! The card's asymmetric keys: algorithm attributes, key generation and import, the compact
//! storage form, public keys and the private-key operations.
//!
//! One private module per algorithm family, each behind its cargo feature so that a firmware can
//! leave families out: RSA (feature `rsa`), ECDSA/ECDH on the short-Weierstrass curves P-256,
//! P-384 and secp256k1 (`p256`, `p384`, `k256`), P-521 (`p521`) and the brainpool curves
//! (`brainpool`), Ed25519 (`ed25519`), X25519 (`x25519`), and Ed448 with X448 (`ed448`).
//! Only the enabled algorithms exist as [`Algorithm`] and [`Curve`] values. The curves are
//! declared once, in the table of `families.rs`, from which the types and the dispatch below
//! are built; the code shared by the curves of a kind is written once, generic over a small
//! trait: `ecc/weierstrass.rs` (ECDSA and ECDH), `edwards.rs` (EdDSA), `montgomery.rs`
//! (X25519 and X448). This module holds the spec-level types and dispatches to the families:
//!
//! - [`Algorithm`] (file `algorithm.rs`): the algorithm attributes DO (C1/C2/C3, spec
//!   §4.4.3.9–§4.4.3.11) and the list for the algorithm information DO FA (§4.4.3.11).
//! - [`PrivateKey`]: a decoded key, ready for use. The caller decodes a key once (from storage or
//!   an import) and caches it; every secret it holds is zeroized on drop, and no method returns
//!   private key bytes except [`PrivateKey::write_stored`], which feeds the card's own storage.
//! - [`PublicKey`]: a key's public part as values (the modulus and exponent, or the point);
//!   the card layer encodes it (DO 7F49).
//! - [`Output`]: where results are written, as bytes. This module knows no wire format: no tag,
//!   no length, no template.
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
//!   The exponentiation therefore never runs on a value the host chose. With the feature
//!   `cortex-m4` the private operation runs on the workspace's Montgomery kernel instead
//!   (`rsa_crt`, `crates/montgomery`): base and exponent blinding as above, the moduli not
//!   blinded (`rsa_crt` says why), a fixed-window exponentiation that reads every table entry.
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
//! What remains: the big-integer code is as constant-time as `crypto-bigint` (and, with
//! `cortex-m4`, `crates/montgomery`) makes it, and the
//! length of a correctly decrypted message is public (it is the response length).

// Without any short-Weierstrass curve compiled in, `Curve` has no values, so the ECDSA and ECDH
// arms of every dispatch are (correctly) unreachable.
#![cfg_attr(not(feature = "_weierstrass"), allow(unreachable_code))]

use core::fmt;

use rand_core::{CryptoRng, TryCryptoRng};

use crate::entropy::Entropy;
use crate::error::Error;

#[cfg(feature = "aes")]
pub mod aes;
mod algorithm;
mod ecc;
#[cfg(feature = "_eddsa")]
mod edwards;
mod families;
#[cfg(feature = "_montgomery")]
mod montgomery;
#[cfg(feature = "rsa")]
mod rsa;
#[cfg(all(feature = "rsa", feature = "cortex-m4"))]
mod rsa_crt;
#[cfg(feature = "rsa")]
mod rsa_prime;
/// The acceptance test of on-card RSA prime generation, and what generation computes from the
/// two primes (n = p·q and the distance check), alone: for the constant-time checks
/// (`benches/footprint/ct_check.sh`), not an API.
#[cfg(feature = "rsa")]
#[doc(hidden)]
pub use {
    rsa::modulus_from_primes as rsa_modulus_from_primes, rsa_prime::accepts as rsa_prime_accepted,
};
#[cfg(all(test, feature = "rsa"))]
pub(crate) mod test_vectors;
// The modules of the CFRG curves (`ed25519`, `x25519`, `ed448`, `x448`) are declared from the
// table, below.

pub use algorithm::{Algorithm, Curve, RsaImportFormat};
use families::families;

/// The largest [`PrivateKey::write_stored`] output: two 2048-bit primes of an RSA-4096 key.
pub const MAX_STORED_LEN: usize = 512;
/// The largest output of [`PrivateKey::sign`] and [`PrivateKey::decipher`]: an RSA-4096
/// signature.
pub const MAX_OUTPUT_LEN: usize = 512;

/// Where this module writes what it computes (signatures, shared secrets, decrypted messages,
/// stored keys, attributes): plain bytes, appended. The card layer implements it for its
/// response and record writers.
pub trait Output {
    /// Appends `bytes`; an error (and nothing appended) when they do not fit.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;
    /// Appends `len` bytes for the caller to fill in, and returns them.
    fn reserve(&mut self, len: usize) -> Result<&mut [u8], Error>;
}

/// A key's public part, as values; the card layer encodes it (DO 7F49, spec §4.4.3.12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey<'a> {
    /// RSA: the modulus n (big-endian, exactly `bits / 8` bytes) and the public exponent e
    /// (big-endian, `01 00 01`).
    Rsa {
        /// n.
        modulus: &'a [u8],
        /// e.
        exponent: &'a [u8],
    },
    /// An elliptic-curve key's public point in its curve's own encoding: SEC 1 uncompressed
    /// `04 ‖ X ‖ Y` on the short-Weierstrass curves, RFC 8032's public key (Ed25519, Ed448),
    /// RFC 7748's u-coordinate (X25519, X448); never with OpenPGP's `40` prefix.
    Ec(EcPoint),
}

/// An elliptic-curve public point, held by value (at most [`MAX_POINT_LEN`] bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct EcPoint {
    len: usize,
    bytes: [u8; MAX_POINT_LEN],
}

// Without an elliptic curve, no key has a point.
#[cfg_attr(not(feature = "_ecc"), allow(dead_code))]
impl EcPoint {
    /// A copy of `point` ([`Error::Internal`] if it is longer than any enabled curve's).
    pub(crate) fn new(point: &[u8]) -> Result<EcPoint, Error> {
        let mut bytes = [0u8; MAX_POINT_LEN];
        bytes
            .get_mut(..point.len())
            .ok_or(Error::Internal)?
            .copy_from_slice(point);
        Ok(EcPoint {
            len: point.len(),
            bytes,
        })
    }
}

impl AsRef<[u8]> for EcPoint {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl fmt::Debug for EcPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EcPoint(")?;
        for byte in self.as_ref() {
            write!(f, "{byte:02X}")?;
        }
        write!(f, ")")
    }
}

/// The larger of the lengths in `lengths` (0 if there are none).
const fn max(mut lengths: &[usize]) -> usize {
    let mut max = 0;
    while let [first, rest @ ..] = lengths {
        if *first > max {
            max = *first;
        }
        lengths = rest;
    }
    max
}

/// What the key type of an algorithm on a CFRG curve provides (the `cfrg` rows of the table in
/// `families.rs`): EdDSA keys (`edwards.rs`) sign, X25519 and X448 keys
/// (`montgomery.rs`) agree.
#[cfg(feature = "_cfrg")]
trait CfrgKey: Sized {
    /// Length of the stored private key and of the public key.
    const LEN: usize;

    /// A fresh random key.
    fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self;

    /// Decodes the storage form, [`LEN`](Self::LEN) bytes (the caller checks the length).
    fn from_stored(bytes: &[u8]) -> Result<Self, Error>;

    /// The private key as the host imports it (spec §4.4.3.12, tag 92); see
    /// [`PrivateKey::from_ec_scalar`].
    fn from_import(scalar: &[u8]) -> Result<Self, Error>;

    /// Writes the storage form.
    fn write_stored<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error>;

    /// The public key.
    fn public_point(&self) -> Result<EcPoint, Error>;

    /// Whether `public` (as imported with tag 99: the key, or `40 ‖ key`) is this key's public
    /// key.
    fn public_matches(&self, public: &[u8]) -> bool {
        self.public_point()
            .is_ok_and(|own| without_prefix(public, Self::LEN) == own.as_ref())
    }

    /// Signs `message` (PSO:CDS, INTERNAL AUTHENTICATE); [`Error::ConditionsOfUse`] for a key
    /// that does not sign.
    fn sign<O: Output + ?Sized>(&self, message: &[u8], out: &mut O) -> Result<(), Error> {
        let _ = (message, out);
        Err(Error::ConditionsOfUse)
    }

    /// Agrees on a shared secret with the host's public key (PSO:DECIPHER);
    /// [`Error::ConditionsOfUse`] for a key that does not agree.
    fn agree<O: Output + ?Sized>(&self, public: &[u8], out: &mut O) -> Result<(), Error> {
        let _ = (public, out);
        Err(Error::ConditionsOfUse)
    }
}

/// Builds the family-specific key type and its dispatch from the table ([`families!`]).
macro_rules! keys {
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
        /// The longest public point of the enabled curves (SEC 1 uncompressed on the
        /// short-Weierstrass curves).
        pub const MAX_POINT_LEN: usize = max(&[
            $( #[cfg(feature = $curve_feature)] (1 + 2 * $field), )*
            $( #[cfg(feature = $single_feature)] $len, )*
        ]);

        $( #[cfg(feature = $single_feature)] mod $module; )*

        // The table's lengths are the key types' own.
        $( #[cfg(feature = $single_feature)] const _: () = assert!(<$module::$key as CfrgKey>::LEN == $len); )*

        /// The family-specific key. Each key type zeroizes itself on drop.
        enum Key {
            /// Boxed: the key is large (the CRT values and Montgomery parameters), the others
            /// small.
            #[cfg(feature = "rsa")]
            Rsa(alloc::boxed::Box<rsa::RsaKey>),
            Ecdsa(ecc::EcKey),
            Ecdh(ecc::EcKey),
            $( $(#[$single_doc])* #[cfg(feature = $single_feature)] $single($module::$key), )*
        }

        impl Key {
            fn generate<R: TryCryptoRng>(
                alg: &Algorithm,
                rng: &mut Entropy<R>,
            ) -> Result<Key, Error> {
                Ok(match *alg {
                    #[cfg(feature = "rsa")]
                    Algorithm::Rsa { bits, format } => {
                        Key::Rsa(alloc::boxed::Box::new(rsa::RsaKey::generate(bits, format, rng)?))
                    }
                    Algorithm::Ecdsa(curve) => Key::Ecdsa(ecc::EcKey::generate(curve, rng)?),
                    Algorithm::Ecdh(curve) => Key::Ecdh(ecc::EcKey::generate(curve, rng)?),
                    $(
                        #[cfg(feature = $single_feature)]
                        Algorithm::$single => Key::$single(<$module::$key>::generate(rng)),
                    )*
                })
            }

            /// Exact lengths (the import paths also accept short, left-padded values): a
            /// truncated record must not decode to another key.
            fn from_stored(alg: &Algorithm, bytes: &[u8]) -> Result<Key, Error> {
                match *alg {
                    #[cfg(feature = "rsa")]
                    Algorithm::Rsa { bits, format } => rsa::RsaKey::from_stored(bits, format, bytes)
                        .map(|key| Key::Rsa(alloc::boxed::Box::new(key))),
                    Algorithm::Ecdsa(curve) => ecc::EcKey::from_stored(curve, bytes).map(Key::Ecdsa),
                    Algorithm::Ecdh(curve) => ecc::EcKey::from_stored(curve, bytes).map(Key::Ecdh),
                    $(
                        #[cfg(feature = $single_feature)]
                        Algorithm::$single if bytes.len() == $len => {
                            <$module::$key>::from_stored(bytes).map(Key::$single)
                        }
                    )*
                    #[allow(unreachable_patterns)]
                    _ => Err(Error::Storage),
                }
            }

            fn from_import(alg: &Algorithm, scalar: &[u8]) -> Result<Key, Error> {
                match *alg {
                    #[cfg(feature = "rsa")]
                    Algorithm::Rsa { .. } => Err(Error::IncorrectData),
                    Algorithm::Ecdsa(curve) => ecc::EcKey::from_scalar(curve, scalar).map(Key::Ecdsa),
                    Algorithm::Ecdh(curve) => ecc::EcKey::from_scalar(curve, scalar).map(Key::Ecdh),
                    $(
                        #[cfg(feature = $single_feature)]
                        Algorithm::$single => <$module::$key>::from_import(scalar).map(Key::$single),
                    )*
                }
            }

            fn algorithm(&self) -> Algorithm {
                match *self {
                    #[cfg(feature = "rsa")]
                    Key::Rsa(ref key) => key.algorithm(),
                    Key::Ecdsa(ref key) => Algorithm::Ecdsa(key.curve()),
                    Key::Ecdh(ref key) => Algorithm::Ecdh(key.curve()),
                    $( #[cfg(feature = $single_feature)] Key::$single(_) => Algorithm::$single, )*
                }
            }

            fn write_stored<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
                match *self {
                    #[cfg(feature = "rsa")]
                    Key::Rsa(ref key) => key.write_stored(out),
                    Key::Ecdsa(ref key) | Key::Ecdh(ref key) => key.write_scalar(out),
                    $(
                        #[cfg(feature = $single_feature)]
                        Key::$single(ref key) => key.write_stored(out),
                    )*
                }
            }

            fn public_key(&self) -> Result<PublicKey<'_>, Error> {
                match *self {
                    #[cfg(feature = "rsa")]
                    Key::Rsa(ref key) => Ok(key.public_key()),
                    Key::Ecdsa(ref key) | Key::Ecdh(ref key) => key.public_point().map(PublicKey::Ec),
                    $(
                        #[cfg(feature = $single_feature)]
                        Key::$single(ref key) => key.public_point().map(PublicKey::Ec),
                    )*
                }
            }

            fn public_matches(&self, public: &[u8]) -> bool {
                match *self {
                    #[cfg(feature = "rsa")]
                    Key::Rsa(_) => false,
                    Key::Ecdsa(ref key) | Key::Ecdh(ref key) => key.public_matches(public),
                    $(
                        #[cfg(feature = $single_feature)]
                        Key::$single(ref key) => key.public_matches(public),
                    )*
                }
            }

            fn sign<R: CryptoRng + ?Sized, O: Output + ?Sized>(
                &self,
                rng: &mut R,
                input: &[u8],
                out: &mut O,
            ) -> Result<(), Error> {
                let _ = &rng; // unused when only EdDSA and X25519 are built
                match *self {
                    #[cfg(feature = "rsa")]
                    Key::Rsa(ref key) => key.sign(rng, input, out),
                    Key::Ecdsa(ref key) => key.sign(rng, input, out),
                    Key::Ecdh(_) => Err(Error::ConditionsOfUse),
                    $(
                        #[cfg(feature = $single_feature)]
                        Key::$single(ref key) => key.sign(input, out),
                    )*
                }
            }

            fn decipher<R: CryptoRng + ?Sized, O: Output + ?Sized>(
                &self,
                rng: &mut R,
                input: &[u8],
                out: &mut O,
            ) -> Result<(), Error> {
                let _ = &rng; // only RSA uses it
                match *self {
                    #[cfg(feature = "rsa")]
                    Key::Rsa(ref key) => key.decipher(rng, input, out),
                    Key::Ecdh(ref key) => key.agree(input, out),
                    Key::Ecdsa(_) => Err(Error::ConditionsOfUse),
                    $(
                        #[cfg(feature = $single_feature)]
                        Key::$single(ref key) => key.agree(input, out),
                    )*
                }
            }
        }
    };
}

families!(keys);

/// A decoded private key, ready for use.
///
/// Decode it once (with [`from_stored`](Self::from_stored) or an import constructor; the card
/// also generates one) and cache it: RSA decoding recomputes the private exponent and the CRT
/// values. Every secret is zeroized on drop. The only method that reveals private key material
/// is [`write_stored`](Self::write_stored), for the card's own storage.
pub struct PrivateKey {
    key: Key,
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

    /// Generates a key pair on the card (GENERATE ASYMMETRIC KEY PAIR, spec §7.2.14), from the
    /// health-tested random source (the caller checks it before the key is used or stored).
    pub(crate) fn generate<R: TryCryptoRng>(
        alg: &Algorithm,
        rng: &mut Entropy<R>,
    ) -> Result<PrivateKey, Error> {
        Key::generate(alg, rng).map(PrivateKey::new)
    }

    /// Writes the compact storage form, raw bytes without a header (the algorithm is stored
    /// beside it, as the slot's attributes):
    /// - RSA: p ‖ q, big-endian, each exactly `bits / 16` bytes (e is always 65537);
    /// - ECDSA/ECDH: the private scalar, big-endian, field length;
    /// - Ed25519: the 32-byte seed;
    /// - X25519: the 32-byte scalar in RFC 7748 (little-endian) order, unclamped;
    /// - Ed448: the 57-byte seed;
    /// - X448: the 56-byte scalar in RFC 7748 order (clamped).
    ///
    /// The output is secret: the caller zeroizes the buffer behind `out` after use. At most
    /// [`MAX_STORED_LEN`] bytes.
    pub fn write_stored<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
        self.key.write_stored(out)
    }

    /// Decodes the output of [`write_stored`](Self::write_stored) for a slot with attributes
    /// `alg`. Bytes that do not decode to a valid key of `alg`, or have the wrong length, are
    /// [`Error::Storage`].
    pub fn from_stored(alg: &Algorithm, bytes: &[u8]) -> Result<PrivateKey, Error> {
        Key::from_stored(alg, bytes)
            .map(PrivateKey::new)
            .map_err(|_| Error::Storage)
    }

    /// Imports an RSA key from its big-endian components (spec §4.4.3.12, tags 91, 92, 93 and
    /// optionally 97; the CRT values 94–96 are recomputed, not needed). Leading zero bytes are
    /// allowed everywhere. Checks: `bits` is 2048, 3072 or 4096; p and q fit in `bits / 2` bits
    /// and the modulus has exactly `bits` bits; e is 65537; n, if given, equals p·q; and a test
    /// signature verifies. Any failure is [`Error::IncorrectData`]; so is every RSA key in a
    /// build without the `rsa` feature.
    pub fn from_rsa_components(
        bits: u16,
        e: &[u8],
        p: &[u8],
        q: &[u8],
        n: Option<&[u8]>,
    ) -> Result<PrivateKey, Error> {
        #[cfg(feature = "rsa")]
        return rsa::RsaKey::from_components(bits, RsaImportFormat::Standard, e, p, q, n)
            .map(|key| PrivateKey::new(Key::Rsa(alloc::boxed::Box::new(key))));
        #[cfg(not(feature = "rsa"))]
        {
            let _ = (bits, e, p, q, n);
            Err(Error::IncorrectData)
        }
    }

    /// Imports an elliptic-curve key (spec §4.4.3.12, tag 92 and optionally 99):
    /// - ECDSA/ECDH: `scalar` big-endian, possibly shorter than the field (GnuPG strips leading
    ///   zeros; it is left-padded), and in [1, n-1]; `public`, if given, is `04 ‖ X ‖ Y`.
    /// - Ed25519: the 32-byte seed (left-padded if shorter); `public` is 32 bytes or `40 ‖ A`.
    /// - X25519: the scalar in GnuPG's byte order, big-endian, i.e. reversed relative to
    ///   RFC 7748 (left-padded, then reversed); `public` is 32 bytes or `40 ‖ X`, RFC 7748 order.
    /// - Ed448: the 57-byte seed (left-padded if shorter); `public` is 57 bytes or `40 ‖ A`.
    /// - X448: the 56-byte scalar in RFC 7748 order, as GnuPG sends it; `public` is 56 bytes
    ///   or `40 ‖ X`.
    ///
    /// A public key that does not match the private one, a wrong length or an RSA `alg` is
    /// [`Error::IncorrectData`].
    pub fn from_ec_scalar(
        alg: &Algorithm,
        scalar: &[u8],
        public: Option<&[u8]>,
    ) -> Result<PrivateKey, Error> {
        let key = Key::from_import(alg, scalar)?;
        if public.is_none_or(|public| key.public_matches(public)) {
            Ok(PrivateKey::new(key))
        } else {
            Err(Error::IncorrectData)
        }
    }

    /// Makes the key ready for its private operations: an RSA key generated on the card is
    /// built by the `rsa` crate (d and the CRT values) at its first use, here, in the frame of
    /// the command that uses it (where a stored key is decoded), not deeper inside the
    /// operation. Nothing to do for the other algorithms.
    pub(crate) fn prepare(&self) -> Result<(), Error> {
        match self.key {
            #[cfg(feature = "rsa")]
            Key::Rsa(ref key) => key.prepare(),
            _ => Ok(()),
        }
    }

    /// The key's algorithm (for RSA, with the import format the key was created under; ECC
    /// attributes never carry the trailing `FF`).
    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    /// The public key (spec §4.4.3.12 and §7.2.14 say how the card layer encodes it): RSA's n
    /// and e, or the point.
    pub fn public_key(&self) -> Result<PublicKey<'_>, Error> {
        self.key.public_key()
    }

    /// Computes a signature for PSO:COMPUTE DIGITAL SIGNATURE (spec §7.2.10) or INTERNAL
    /// AUTHENTICATE (§7.2.13) and appends it to `out`:
    /// - RSA: PKCS#1 v1.5 type 1 over `input` (a DigestInfo, or any authentication input),
    ///   blinded with `rng`, verified with the public key before it is released. Input longer
    ///   than 40% of the modulus is [`Error::WrongLength`].
    /// - ECDSA: `input` is the hash, left-padded with zeros if shorter than the field and
    ///   truncated to its leftmost field-length bytes if longer (bits2int, as the host's
    ///   verifier does); RFC 6979 nonce hedged with random bytes from `rng` (RFC 6979 §3.6);
    ///   output `r ‖ s`, each field length.
    ///   Empty input is [`Error::WrongLength`].
    /// - Ed25519: PureEdDSA over `input` as given, any length; 64-byte output.
    /// - Ed448: PureEdDSA (empty context) over `input` as given, any length; 114-byte output.
    /// - ECDH, X25519 and X448 keys: [`Error::ConditionsOfUse`].
    pub fn sign<R: CryptoRng + ?Sized, O: Output + ?Sized>(
        &self,
        rng: &mut R,
        input: &[u8],
        out: &mut O,
    ) -> Result<(), Error> {
        self.key.sign(rng, input, out)
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
    /// - X448: the same with 56 bytes or `40 ‖ X`; the output is the 56-byte shared secret.
    /// - ECDSA, Ed25519 and Ed448 keys: [`Error::ConditionsOfUse`].
    ///
    /// The output is secret (a session key or shared secret): the caller zeroizes the buffer
    /// behind `out` once it is sent.
    pub fn decipher<R: CryptoRng + ?Sized, O: Output + ?Sized>(
        &self,
        rng: &mut R,
        input: &[u8],
        out: &mut O,
    ) -> Result<(), Error> {
        self.key.decipher(rng, input, out)
    }
}

/// Copies big-endian `value` into `out`, right-aligned: left-pads a short value with zeros and
/// accepts a long one only if the excess leading bytes are zero. Returns `false` (leaving `out`
/// unchanged) if it does not fit.
///
/// Used on secrets: the only data-dependent timing is in the count of leading zero bytes of an
/// over-long input, which GnuPG never sends.
#[cfg(feature = "_ecc")]
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

/// A public key or u-coordinate of `len` bytes as OpenPGP may write it for the curves of
/// RFC 7748 and RFC 8032: with the `40` prefix (native point encoding), `len + 1` bytes, it
/// loses the prefix; anything else is taken as it is.
#[cfg(feature = "_cfrg")]
pub(crate) fn without_prefix(value: &[u8], len: usize) -> &[u8] {
    match value {
        [0x40, rest @ ..] if rest.len() == len => rest,
        _ => value,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    // A build without some families leaves some helpers and bindings unused; the full build
    // keeps every lint.
    #![cfg_attr(
        not(all(
            feature = "rsa",
            feature = "_weierstrass",
            feature = "_eddsa",
            feature = "_montgomery"
        )),
        allow(unused_mut, unused_variables, dead_code)
    )]

    use super::*;
    use crate::spec::Slot;
    use alloc::vec::Vec;
    use openpgp_card_applet_testkit::TestRng;

    /// Decodes hex, ignoring whitespace (test vectors only): the test kit's.
    pub(crate) use openpgp_card_applet_testkit::hex;

    /// [`PrivateKey::generate`] from a test generator, through the health tests as on the card.
    pub(crate) fn generate(alg: &Algorithm, rng: &mut TestRng) -> Result<PrivateKey, Error> {
        PrivateKey::generate(alg, &mut Entropy::new(rng))
    }

    /// The tests' output: a vector.
    impl Output for Vec<u8> {
        fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
            self.extend_from_slice(bytes);
            Ok(())
        }

        fn reserve(&mut self, len: usize) -> Result<&mut [u8], Error> {
            let start = self.len();
            self.resize(start + len, 0);
            Ok(&mut self[start..])
        }
    }

    /// Runs `f` with an output and returns what it wrote.
    pub(crate) fn written(
        f: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
    ) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        f(&mut out)?;
        Ok(out)
    }

    pub(crate) fn attributes(alg: &Algorithm) -> Vec<u8> {
        written(|w| alg.write_attributes(w)).unwrap()
    }

    pub(crate) fn public_key(key: &PrivateKey) -> PublicKey<'_> {
        key.public_key().unwrap()
    }

    /// An elliptic-curve key's public point.
    pub(crate) fn public_point(key: &PrivateKey) -> Vec<u8> {
        match public_key(key) {
            PublicKey::Ec(point) => point.as_ref().to_vec(),
            other => panic!("not an elliptic-curve key: {other:?}"),
        }
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

    /// Storage round trip: the decoded key has the same algorithm and public key.
    pub(crate) fn assert_storage_round_trip(key: &PrivateKey) {
        let bytes = stored(key);
        assert!(bytes.len() <= MAX_STORED_LEN);
        let decoded = PrivateKey::from_stored(&key.algorithm(), &bytes).unwrap();
        assert_eq!(decoded.algorithm(), key.algorithm());
        assert_eq!(public_key(&decoded), public_key(key));
        if let PublicKey::Ec(point) = public_key(key) {
            assert!(point.as_ref().len() <= MAX_POINT_LEN);
        }
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
    #[cfg(feature = "_ecc")]
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
            let key = crate::crypto::tests::generate(&alg, &mut rng).unwrap();
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
