//! ECDSA and ECDH on NIST P-256, P-384, P-521, secp256k1 and brainpoolP256r1, P384r1 and
//! P512r1: attributes `13 OID` / `12 OID`
//! (spec §4.4.3.10), signatures for PSO:CDS and INTERNAL AUTHENTICATE (§7.2.10, §7.2.13),
//! ECDH for PSO:DECIPHER (§7.2.11), private scalar import (§4.4.3.12).
//!
//! [`EcKey`] dispatches over the curves compiled in (built from the table in `families.rs`);
//! the code itself is written once in `weierstrass`, generic over the `elliptic_curve` traits,
//! and for P-256 on the Cortex-M4 in `p256_m4`. What both share (the hash as ECDSA's input, the
//! form of the host's point) is written here once, over [`WeierstrassKey`].

// Without any curve compiled in, `EcKey` and `Curve` are empty and the arguments unused.
#![cfg_attr(not(feature = "_weierstrass"), allow(unused_variables, dead_code))]

use rand_core::CryptoRng;

use super::families::families;
use super::{Curve, EcPoint, Output};
use crate::error::Error;

// The generic code, for every curve (P-256 on the Cortex-M4 has `p256_m4` instead).
#[cfg(feature = "_weierstrass")]
mod weierstrass;

/// P-256 on the Cortex-M4's assembly arithmetic (feature `cortex-m4`).
#[cfg(all(feature = "p256", feature = "cortex-m4", target_arch = "arm"))]
mod p256_m4;
#[cfg(all(feature = "p256", feature = "cortex-m4", target_arch = "arm"))]
use p256_m4::P256Key;
/// P-256 through the generic code (RustCrypto's `p256` arithmetic).
#[cfg(all(feature = "p256", not(all(feature = "cortex-m4", target_arch = "arm"))))]
type P256Key = weierstrass::CurveKey<p256::NistP256>;

/// Draws of a secret scalar by rejection sampling at most (ECC key generation): each is refused
/// with a probability below ½ (below 2⁻³² on the NIST curves and secp256k1), so a healthy source
/// runs out with a probability below 2⁻⁶⁴, and a stuck one ends in an error, never in a loop
/// without end.
pub(crate) const SCALAR_ATTEMPTS: usize = 64;

/// SEC 1 tag of an uncompressed point.
const UNCOMPRESSED: u8 = 0x04;

/// What each curve's key type (the `weierstrass` rows of the table) provides; [`EcKey`]
/// dispatches to it, through [`sign`] and [`agree`] where the curves share a rule.
pub(crate) trait WeierstrassKey: Sized {
    /// Length of a field element and of the scalar, in bytes.
    const FIELD_LEN: usize;
    /// A field-length byte string: the scalar, ECDSA's input z.
    type FieldBytes: Default + AsRef<[u8]> + AsMut<[u8]>;

    /// A uniformly random key (scalar in [1, n-1]), by rejection sampling: at most
    /// [`SCALAR_ATTEMPTS`] draws, then [`Error::RandomFailure`].
    fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error>;

    /// A big-endian scalar, left-padded if short; [`Error::IncorrectData`] unless in [1, n-1].
    fn from_scalar(scalar: &[u8]) -> Result<Self, Error>;

    /// The scalar, big-endian, field length (the storage form).
    fn write_scalar<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error>;

    /// The public point, SEC 1 uncompressed: `04 ‖ X ‖ Y`.
    fn public_point(&self) -> Result<EcPoint, Error>;

    /// Whether `public` is this key's point, uncompressed.
    fn public_matches(&self, public: &[u8]) -> bool;

    /// ECDSA over the field-length `z` with a hedged RFC 6979 nonce (§3.6: fresh random bytes
    /// from `rng` as the additional data), so that a hash signed twice gets two nonces and a
    /// fault injected during one of them reveals nothing, while a broken RNG still never
    /// reuses a nonce across hashes; with `verify-signatures`, the signature is released only
    /// if it verifies. Appends `r ‖ s`.
    fn sign_prehash<R: CryptoRng + ?Sized, O: Output + ?Sized>(
        &self,
        rng: &mut R,
        z: &Self::FieldBytes,
        out: &mut O,
    ) -> Result<(), Error>;

    /// ECDH with the host's point, `04 ‖ X ‖ Y` of the right length (checked by [`agree`]),
    /// which must be on the curve; appends the x-coordinate of the shared point.
    fn diffie_hellman<O: Output + ?Sized>(&self, point: &[u8], out: &mut O) -> Result<(), Error>;
}

/// ECDSA over a hash: left-padded with zeros if shorter than the field, its leftmost
/// field-length bytes if longer, which the curve's signer then truncates to the order's bit
/// length: bits2int of SEC 1 §4.1.3 (for P-521, whose order has 521 bits, a 66-byte hash loses
/// its last 7 bits as a host verifier's does). An empty hash is [`Error::WrongLength`].
// Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
// not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
#[inline(never)]
fn sign<K: WeierstrassKey, R: CryptoRng + ?Sized, O: Output + ?Sized>(
    key: &K,
    rng: &mut R,
    hash: &[u8],
    out: &mut O,
) -> Result<(), Error> {
    if hash.is_empty() {
        return Err(Error::WrongLength);
    }
    let mut z = K::FieldBytes::default();
    let z_bytes = z.as_mut();
    let leftmost = hash.get(..z_bytes.len()).unwrap_or(hash);
    let start = z_bytes.len() - leftmost.len();
    z_bytes
        .get_mut(start..)
        .ok_or(Error::Internal)?
        .copy_from_slice(leftmost);
    key.sign_prehash(rng, &z, out)
}

/// ECDH with the host's point `04 ‖ X ‖ Y`, which must be on the curve; appends the
/// x-coordinate of the shared point.
// Not inlined: each algorithm's frame stays its own, so the deepest path (RSA-4096) does
// not pay for the others' locals on a 16 KiB stack (measured in BENCHMARKS.md).
#[inline(never)]
fn agree<K: WeierstrassKey, O: Output + ?Sized>(
    key: &K,
    point: &[u8],
    out: &mut O,
) -> Result<(), Error> {
    if point.first() != Some(&UNCOMPRESSED) || point.len() != 1 + 2 * K::FIELD_LEN {
        return Err(Error::IncorrectData);
    }
    key.diffie_hellman(point, out)
}

/// Builds [`EcKey`] and its dispatch from the table ([`families!`]).
macro_rules! ec_key {
    (
        weierstrass { $(
            $(#[$curve_doc:meta])*
            $curve:ident = $curve_feature:literal,
                oid [$($curve_oid:literal),*], field $field:literal, key $key:ty;
        )* }
        cfrg { $($cfrg:tt)* }
    ) => {
        // The table's lengths are the key types' own.
        $(
            #[cfg(feature = $curve_feature)]
            const _: () = assert!(<$key as WeierstrassKey>::FIELD_LEN == $field);
        )*

        /// A private key on one of the enabled curves (the same key type serves ECDSA and
        /// ECDH).
        pub(crate) enum EcKey {
            $( #[cfg(feature = $curve_feature)] $curve($key), )*
        }

        impl EcKey {
            /// A fresh random key.
            // Not inlined: each algorithm's generation keeps its own frame, so that GENERATE's
            // frame does not hold every algorithm's locals at once (RSA-4096 generation needed
            // 20,536 B of stack; BENCHMARKS.md, finding 6).
            #[inline(never)]
            pub(crate) fn generate<R: CryptoRng + ?Sized>(
                curve: Curve,
                rng: &mut R,
            ) -> Result<EcKey, Error> {
                Ok(match curve {
                    $(
                        #[cfg(feature = $curve_feature)]
                        Curve::$curve => EcKey::$curve(<$key>::generate(rng)?),
                    )*
                })
            }

            /// A key from its big-endian scalar, possibly shorter than the field (left-padded);
            /// must be in [1, n-1]. [`Error::IncorrectData`] otherwise.
            pub(crate) fn from_scalar(curve: Curve, scalar: &[u8]) -> Result<EcKey, Error> {
                Ok(match curve {
                    $(
                        #[cfg(feature = $curve_feature)]
                        Curve::$curve => EcKey::$curve(<$key>::from_scalar(scalar)?),
                    )*
                })
            }

            /// The key's curve.
            pub(crate) fn curve(&self) -> Curve {
                match *self {
                    $( #[cfg(feature = $curve_feature)] EcKey::$curve(_) => Curve::$curve, )*
                }
            }

            /// Storage form: the scalar, big-endian, field length.
            pub(crate) fn write_scalar<O: Output + ?Sized>(&self, out: &mut O) -> Result<(), Error> {
                match *self {
                    $(
                        #[cfg(feature = $curve_feature)]
                        EcKey::$curve(ref key) => key.write_scalar(out),
                    )*
                }
            }

            /// The public point `04 ‖ X ‖ Y`.
            pub(crate) fn public_point(&self) -> Result<EcPoint, Error> {
                match *self {
                    $( #[cfg(feature = $curve_feature)] EcKey::$curve(ref key) => key.public_point(), )*
                }
            }

            /// Whether `public` (as imported with tag 99) is this key's `04 ‖ X ‖ Y`.
            pub(crate) fn public_matches(&self, public: &[u8]) -> bool {
                match *self {
                    $(
                        #[cfg(feature = $curve_feature)]
                        EcKey::$curve(ref key) => key.public_matches(public),
                    )*
                }
            }

            /// ECDSA over a hash with a hedged nonce; appends `r ‖ s`.
            pub(crate) fn sign<R: CryptoRng + ?Sized, O: Output + ?Sized>(
                &self,
                rng: &mut R,
                hash: &[u8],
                out: &mut O,
            ) -> Result<(), Error> {
                match *self {
                    $(
                        #[cfg(feature = $curve_feature)]
                        EcKey::$curve(ref key) => sign(key, rng, hash, out),
                    )*
                }
            }

            /// ECDH with the host's point `04 ‖ X ‖ Y`; appends the shared x-coordinate.
            pub(crate) fn agree<O: Output + ?Sized>(
                &self,
                point: &[u8],
                out: &mut O,
            ) -> Result<(), Error> {
                match *self {
                    $( #[cfg(feature = $curve_feature)] EcKey::$curve(ref key) => agree(key, point, out), )*
                }
            }
        }
    };
}

families!(ec_key);

impl EcKey {
    /// The storage form of a key on `curve`: its scalar, exactly field length.
    pub(crate) fn from_stored(curve: Curve, bytes: &[u8]) -> Result<EcKey, Error> {
        if bytes.len() != curve.field_len() {
            return Err(Error::Storage);
        }
        EcKey::from_scalar(curve, bytes)
    }
}

#[cfg(all(test, feature = "_weierstrass"))]
mod tests {
    use super::super::tests::{
        assert_storage_round_trip, decipher, hex, public_key, public_point, sign, stored, written,
    };
    use super::super::{Algorithm, Curve, PrivateKey};
    use crate::error::Error;
    use openpgp_card_applet_testkit::TestRng;

    /// The tests every curve runs, against the host side of the generic `ecdsa` and
    /// `elliptic_curve` crates on the curve crate's arithmetic (`$C`).
    macro_rules! curve_tests {
        ($name:ident, $C:ty, $curve:expr, $order:expr) => {
            mod $name {
                use super::*;
                use alloc::vec::Vec;
                use ecdsa::signature::hazmat::PrehashVerifier;
                use elliptic_curve::sec1::ToSec1Point;
                use elliptic_curve::Generate;

                const CURVE: Curve = $curve;

                fn verifying_key(key: &PrivateKey) -> ecdsa::VerifyingKey<$C> {
                    let point = public_point(key);
                    ecdsa::VerifyingKey::<$C>::from_sec1_bytes(&point).unwrap()
                }

                fn verify(key: &PrivateKey, hash: &[u8], signature: &[u8]) {
                    let signature = ecdsa::Signature::<$C>::from_slice(signature).unwrap();
                    verifying_key(key).verify_prehash(hash, &signature).unwrap();
                }

                #[test]
                #[cfg(feature = "verify-signatures")]
                fn faulted_signatures_are_not_released() {
                    crate::crypto::ecc::weierstrass::tests::faulted_signatures_are_not_released::<$C>();
                }

                #[test]
                fn generate_sign_verify_and_store() {
                    let mut rng = TestRng::seed_from_u64(256);
                    let key = crate::crypto::tests::generate(&Algorithm::Ecdsa(CURVE), &mut rng).unwrap();
                    let n = CURVE.field_len();
                    // The hash lengths GnuPG sends (SHA-256/384/512), a short one, and 66
                    // bytes: longer than every field but P-521's, which it fills, and then
                    // has 7 bits more than P-521's order (the verifier drops them too).
                    for len in [20, 32, 48, 64, 66] {
                        let hash: Vec<u8> = (0..len).map(|i| i as u8 ^ 0xA5).collect();
                        let signature = sign(&key, &hash).unwrap();
                        assert_eq!(signature.len(), 2 * n);
                        verify(&key, &hash, &signature);
                        // Hedged: the same hash signed again with other random bytes gets
                        // another nonce (r differs), and that signature verifies too.
                        let other = written(|w| {
                            key.sign(&mut TestRng::seed_from_u64(len as u64), &hash, w)
                        })
                        .unwrap();
                        assert_ne!(other[..n], signature[..n], "nonce reused");
                        verify(&key, &hash, &other);
                    }
                    let point = public_point(&key);
                    assert_eq!(point.len(), 1 + 2 * n);
                    assert_eq!(point[0], 0x04);
                    assert_eq!(stored(&key).len(), n);
                    assert_storage_round_trip(&key);
                    assert_eq!(sign(&key, &[]), Err(Error::WrongLength));
                }

                #[test]
                fn ecdh_agrees_with_the_host() {
                    let mut rng = TestRng::seed_from_u64(257);
                    let key = crate::crypto::tests::generate(&Algorithm::Ecdh(CURVE), &mut rng).unwrap();
                    let card_point = public_point(&key);
                    let card_public =
                        elliptic_curve::PublicKey::<$C>::from_sec1_bytes(&card_point).unwrap();
                    for _ in 0..3 {
                        let host = elliptic_curve::SecretKey::<$C>::generate_from_rng(&mut rng);
                        let host_point = host.public_key().to_sec1_point(false);
                        let ours = decipher(&key, host_point.as_bytes()).unwrap();
                        let theirs = elliptic_curve::ecdh::diffie_hellman(
                            host.to_nonzero_scalar(),
                            card_public.as_affine(),
                        );
                        assert_eq!(&ours[..], &theirs.raw_secret_bytes()[..]);
                    }
                    assert_storage_round_trip(&key);
                }

                #[test]
                fn ecdh_rejects_points_off_the_curve() {
                    let mut rng = TestRng::seed_from_u64(258);
                    let key = crate::crypto::tests::generate(&Algorithm::Ecdh(CURVE), &mut rng).unwrap();
                    let host = elliptic_curve::SecretKey::<$C>::generate_from_rng(&mut rng);
                    let good = host.public_key().to_sec1_point(false).as_bytes().to_vec();
                    assert!(decipher(&key, &good).is_ok());
                    let mut off_curve = good.clone();
                    *off_curve.last_mut().unwrap() ^= 1;
                    let compressed = host.public_key().to_sec1_point(true).as_bytes().to_vec();
                    let mut zeros = alloc::vec![0u8; good.len()];
                    zeros[0] = 0x04;
                    for bad in [
                        off_curve,
                        compressed,
                        zeros,
                        good[..good.len() - 1].to_vec(),
                        [&good[..], &[0]].concat(),
                        [&[0x02], &good[1..]].concat(),
                        alloc::vec![0x00], // the identity's SEC 1 encoding
                        Vec::new(),
                    ] {
                        assert_eq!(decipher(&key, &bad), Err(Error::IncorrectData), "{bad:02X?}");
                    }
                }

                #[test]
                fn scalar_range_is_checked_on_import() {
                    let alg = Algorithm::Ecdsa(CURVE);
                    let n = CURVE.field_len();
                    let order = hex($order);
                    assert_eq!(order.len(), n);
                    let mut below = order.clone();
                    *below.last_mut().unwrap() -= 1;
                    assert!(PrivateKey::from_ec_scalar(&alg, &below, None).is_ok());
                    assert!(PrivateKey::from_ec_scalar(&alg, &[1], None).is_ok());
                    let mut above = order.clone();
                    *above.last_mut().unwrap() += 1;
                    for bad in [
                        alloc::vec![0u8; n],
                        Vec::new(),
                        order.clone(),
                        above,
                        alloc::vec![0xFF; n],
                        [&[1u8][..], &below].concat(), // too long
                    ] {
                        assert_eq!(
                            PrivateKey::from_ec_scalar(&alg, &bad, None).err(),
                            Some(Error::IncorrectData),
                            "{bad:02X?}"
                        );
                        assert_eq!(
                            PrivateKey::from_stored(&alg, &bad).err(),
                            Some(Error::Storage)
                        );
                    }
                    // Extra leading zero bytes are tolerated.
                    let padded = [&[0u8, 0][..], &below].concat();
                    let a = PrivateKey::from_ec_scalar(&alg, &padded, None).unwrap();
                    let b = PrivateKey::from_ec_scalar(&alg, &below, None).unwrap();
                    assert_eq!(public_key(&a), public_key(&b));
                }

                #[test]
                fn import_checks_the_public_key() {
                    let mut rng = TestRng::seed_from_u64(259);
                    for alg in [Algorithm::Ecdsa(CURVE), Algorithm::Ecdh(CURVE)] {
                        let key = crate::crypto::tests::generate(&alg, &mut rng).unwrap();
                        let scalar = stored(&key);
                        let point = public_point(&key);
                        let imported = PrivateKey::from_ec_scalar(&alg, &scalar, Some(&point)).unwrap();
                        assert_eq!(imported.algorithm(), alg);
                        assert_eq!(public_key(&imported), public_key(&key));
                        let other = crate::crypto::tests::generate(&alg, &mut rng).unwrap();
                        let wrong = public_point(&other);
                        assert_eq!(
                            PrivateKey::from_ec_scalar(&alg, &scalar, Some(&wrong)).err(),
                            Some(Error::IncorrectData)
                        );
                        assert_eq!(
                            PrivateKey::from_ec_scalar(&alg, &scalar, Some(&point[1..])).err(),
                            Some(Error::IncorrectData)
                        );
                    }
                }
            }
        };
    }

    #[cfg(feature = "p256")]
    curve_tests!(
        p256_curve,
        p256::NistP256,
        Curve::P256,
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"
    );
    #[cfg(feature = "p384")]
    curve_tests!(
        p384_curve,
        p384::NistP384,
        Curve::P384,
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973"
    );
    #[cfg(feature = "k256")]
    curve_tests!(
        secp256k1_curve,
        k256::Secp256k1,
        Curve::Secp256k1,
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
    );
    #[cfg(feature = "p521")]
    curve_tests!(
        p521_curve,
        p521::NistP521,
        Curve::P521,
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409"
    );
    /// The brainpool curves (RFC 5639), one feature.
    #[cfg(feature = "brainpool")]
    mod brainpool {
        use super::*;

        curve_tests!(
            brainpool_p256r1_curve,
            bp256::BrainpoolP256r1,
            Curve::BrainpoolP256r1,
            "A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"
        );
        curve_tests!(
            brainpool_p384r1_curve,
            bp384::BrainpoolP384r1,
            Curve::BrainpoolP384r1,
            "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565"
        );
        curve_tests!(
            brainpool_p512r1_curve,
            bp512::BrainpoolP512r1,
            Curve::BrainpoolP512r1,
            "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069"
        );
    }

    #[test]
    #[cfg(feature = "p384")]
    fn p384_hash_shorter_than_the_field_is_left_padded() {
        use p384::ecdsa::signature::hazmat::PrehashVerifier;
        use sha2::Digest;
        // RFC 6979 A.2.6 key.
        let x = hex("6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5");
        let key = PrivateKey::from_ec_scalar(&Algorithm::Ecdsa(Curve::P384), &x, None).unwrap();
        let point = public_point(&key);
        let verifying_key = p384::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
        // RFC 6979 A.2.6's signature (SHA-384, "sample") verifies under the derived point.
        let rfc6979 = p384::ecdsa::Signature::from_slice(&hex(
            "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46
             99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8",
        ))
        .unwrap();
        let sample = sha2::Sha384::digest(b"sample");
        assert!(verifying_key.verify_prehash(&sample, &rfc6979).is_ok());
        // SHA-256 with P-384: the card pads the hash on the left, as the verifier does.
        let short = sha2::Sha256::digest(b"test");
        let signature = p384::ecdsa::Signature::from_slice(&sign(&key, &short).unwrap()).unwrap();
        assert!(verifying_key.verify_prehash(&short, &signature).is_ok());
        let mut padded = [0u8; 48];
        padded[16..].copy_from_slice(&short);
        assert!(verifying_key.verify_prehash(&padded, &signature).is_ok());
    }

    /// P-256's known answers (RFC 6979) and GnuPG's short scalars.
    #[cfg(feature = "p256")]
    mod p256_vectors {
        use super::*;

        /// RFC 6979 A.2.5 key.
        const P256_X: &str = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";

        /// Whether `signature` (`r ‖ s`) verifies under `key`'s public point for `hash`, by the
        /// curve crate's own verifier, which applies bits2int to a hash of any length as hosts do.
        fn p256_verifies(key: &PrivateKey, hash: &[u8], signature: &[u8]) -> bool {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let point = public_point(key);
            let verifying_key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
            let signature = p256::ecdsa::Signature::from_slice(signature).unwrap();
            verifying_key.verify_prehash(hash, &signature).is_ok()
        }

        #[test]
        fn p256_known_answers() {
            use sha2::Digest;
            let key =
                PrivateKey::from_ec_scalar(&Algorithm::Ecdsa(Curve::P256), &hex(P256_X), None)
                    .unwrap();
            assert_eq!(
                public_point(&key),
                hex(
                    "04 60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6
                        7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"
                )
            );
            let sample = sha2::Sha256::digest(b"sample");
            // RFC 6979 A.2.5's deterministic signature (SHA-256, "sample") verifies under the key.
            let rfc6979 = hex(
                "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716
                 F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
            );
            assert!(p256_verifies(&key, &sample, &rfc6979));
            // The card's signature is hedged, so not RFC 6979's, and verifies too. It is exactly
            // the crate's hedged RFC 6979 (§3.6) with the same random bytes as k': the nonce is
            // derived from the key and the hash, not only drawn from the RNG.
            let signature = sign(&key, &sample).unwrap();
            assert_ne!(signature, rfc6979);
            assert!(p256_verifies(&key, &sample, &signature));
            let hedged = |z: &[u8]| {
                use p256::ecdsa::signature::hazmat::RandomizedPrehashSigner;
                let crate_key = p256::ecdsa::SigningKey::from_slice(&hex(P256_X)).unwrap();
                let signature: p256::ecdsa::Signature = crate_key
                    .sign_prehash_with_rng(&mut TestRng::seed_from_u64(1), z)
                    .unwrap();
                signature.to_bytes().to_vec()
            };
            assert_eq!(signature, hedged(&sample));
            assert!(!p256_verifies(
                &key,
                &sha2::Sha256::digest(b"test"),
                &signature
            ));
            // A hash longer than the field (SHA-384 with P-256): its leftmost 32 bytes are signed,
            // which is what the host's verifier checks against the whole hash.
            let long = sha2::Sha384::digest(b"test");
            let signature = sign(&key, &long).unwrap();
            assert!(p256_verifies(&key, &long, &signature));
            assert_eq!(signature, hedged(&long[..32]));
        }

        #[test]
        fn p256_scalar_with_a_leading_zero_byte_is_accepted() {
            // GnuPG strips leading zeros from the scalar: 31 bytes for about 1 key in 256.
            let full = hex("00afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
            let alg = Algorithm::Ecdsa(Curve::P256);
            let short = PrivateKey::from_ec_scalar(&alg, &full[1..], None).unwrap();
            let long = PrivateKey::from_ec_scalar(&alg, &full, None).unwrap();
            assert_eq!(public_key(&short), public_key(&long));
            assert_eq!(stored(&short), full);
            let point = public_point(&long);
            assert!(PrivateKey::from_ec_scalar(&alg, &full[1..], Some(&point)).is_ok());
        }
    }
}
