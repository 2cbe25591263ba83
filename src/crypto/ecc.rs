//! ECDSA and ECDH on NIST P-256, P-384, P-521, secp256k1 and brainpoolP256r1, P384r1 and
//! P512r1: attributes `13 OID` / `12 OID`
//! (spec §4.4.3.10), signatures for PSO:CDS and INTERNAL AUTHENTICATE (§7.2.10, §7.2.13),
//! ECDH for PSO:DECIPHER (§7.2.11), private scalar import (§4.4.3.12).
//!
//! [`EcKey`] dispatches over the curves compiled in; the code itself is written once in
//! `weierstrass`, generic over the `elliptic_curve` traits.

use rand_core::CryptoRng;

use super::Curve;
use crate::error::Error;
use crate::tlv::Writer;

// The generic code, for every curve but P-256 on the Cortex-M4 (`p256_m4`).
#[cfg(any(
    all(feature = "p256", not(all(feature = "cortex-m4", target_arch = "arm"))),
    feature = "p384",
    feature = "k256",
    feature = "p521",
    feature = "brainpool"
))]
mod weierstrass;
#[cfg(any(
    all(feature = "p256", not(all(feature = "cortex-m4", target_arch = "arm"))),
    feature = "p384",
    feature = "k256",
    feature = "p521",
    feature = "brainpool"
))]
use weierstrass::CurveKey;

/// P-256 on the Cortex-M4's assembly arithmetic (feature `cortex-m4`).
#[cfg(all(feature = "p256", feature = "cortex-m4", target_arch = "arm"))]
mod p256_m4;
#[cfg(all(feature = "p256", feature = "cortex-m4", target_arch = "arm"))]
use p256_m4::P256Key;
/// P-256 through the generic code (RustCrypto's `p256` arithmetic).
#[cfg(all(feature = "p256", not(all(feature = "cortex-m4", target_arch = "arm"))))]
type P256Key = CurveKey<p256::NistP256>;

/// A private key on one of the enabled curves (the same key type serves ECDSA and ECDH).
pub(crate) enum EcKey {
    #[cfg(feature = "p256")]
    P256(P256Key),
    #[cfg(feature = "p384")]
    P384(CurveKey<p384::NistP384>),
    #[cfg(feature = "k256")]
    Secp256k1(CurveKey<k256::Secp256k1>),
    #[cfg(feature = "p521")]
    P521(CurveKey<p521::NistP521>),
    #[cfg(feature = "brainpool")]
    BrainpoolP256r1(CurveKey<bp256::BrainpoolP256r1>),
    #[cfg(feature = "brainpool")]
    BrainpoolP384r1(CurveKey<bp384::BrainpoolP384r1>),
    #[cfg(feature = "brainpool")]
    BrainpoolP512r1(CurveKey<bp512::BrainpoolP512r1>),
}

/// Runs `$body` with `$key` bound to the curve-specific key.
macro_rules! with_key {
    ($self:expr, $key:ident => $body:expr) => {
        match *$self {
            #[cfg(feature = "p256")]
            EcKey::P256(ref $key) => $body,
            #[cfg(feature = "p384")]
            EcKey::P384(ref $key) => $body,
            #[cfg(feature = "k256")]
            EcKey::Secp256k1(ref $key) => $body,
            #[cfg(feature = "p521")]
            EcKey::P521(ref $key) => $body,
            #[cfg(feature = "brainpool")]
            EcKey::BrainpoolP256r1(ref $key) => $body,
            #[cfg(feature = "brainpool")]
            EcKey::BrainpoolP384r1(ref $key) => $body,
            #[cfg(feature = "brainpool")]
            EcKey::BrainpoolP512r1(ref $key) => $body,
        }
    };
}

/// Evaluates `$make` (a constructor of the key type `$K`) for `$curve` and wraps it; `$K` is
/// `CurveKey<C>` for the curve, or P-256's own key type.
macro_rules! for_curve {
    ($curve:expr, $K:ident => $make:expr) => {
        match $curve {
            #[cfg(feature = "p256")]
            Curve::P256 => {
                type $K = P256Key;
                EcKey::P256($make)
            }
            #[cfg(feature = "p384")]
            Curve::P384 => {
                type $K = CurveKey<p384::NistP384>;
                EcKey::P384($make)
            }
            #[cfg(feature = "k256")]
            Curve::Secp256k1 => {
                type $K = CurveKey<k256::Secp256k1>;
                EcKey::Secp256k1($make)
            }
            #[cfg(feature = "p521")]
            Curve::P521 => {
                type $K = CurveKey<p521::NistP521>;
                EcKey::P521($make)
            }
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP256r1 => {
                type $K = CurveKey<bp256::BrainpoolP256r1>;
                EcKey::BrainpoolP256r1($make)
            }
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP384r1 => {
                type $K = CurveKey<bp384::BrainpoolP384r1>;
                EcKey::BrainpoolP384r1($make)
            }
            #[cfg(feature = "brainpool")]
            Curve::BrainpoolP512r1 => {
                type $K = CurveKey<bp512::BrainpoolP512r1>;
                EcKey::BrainpoolP512r1($make)
            }
        }
    };
}

// Without any curve compiled in, `EcKey` and `Curve` are empty and the arguments unused.
#[cfg_attr(
    not(any(
        feature = "p256",
        feature = "p384",
        feature = "k256",
        feature = "p521",
        feature = "brainpool"
    )),
    allow(unused_variables)
)]
impl EcKey {
    /// A fresh random key.
    // Not inlined: each algorithm's generation keeps its own frame, so that GENERATE's frame does
    // not hold every algorithm's locals at once (RSA-4096 generation needed 20,536 B of stack;
    // BENCHMARKS.md, finding 6).
    #[inline(never)]
    pub(crate) fn generate<R: CryptoRng + ?Sized>(
        curve: Curve,
        rng: &mut R,
    ) -> Result<EcKey, Error> {
        Ok(for_curve!(curve, K => K::generate(rng)?))
    }

    /// A key from its big-endian scalar, possibly shorter than the field (left-padded); must
    /// be in [1, n-1]. [`Error::IncorrectData`] otherwise.
    pub(crate) fn from_scalar(curve: Curve, scalar: &[u8]) -> Result<EcKey, Error> {
        Ok(for_curve!(curve, K => K::from_scalar(scalar)?))
    }

    /// The key's curve.
    pub(crate) fn curve(&self) -> Curve {
        match *self {
            #[cfg(feature = "p256")]
            EcKey::P256(_) => Curve::P256,
            #[cfg(feature = "p384")]
            EcKey::P384(_) => Curve::P384,
            #[cfg(feature = "k256")]
            EcKey::Secp256k1(_) => Curve::Secp256k1,
            #[cfg(feature = "p521")]
            EcKey::P521(_) => Curve::P521,
            #[cfg(feature = "brainpool")]
            EcKey::BrainpoolP256r1(_) => Curve::BrainpoolP256r1,
            #[cfg(feature = "brainpool")]
            EcKey::BrainpoolP384r1(_) => Curve::BrainpoolP384r1,
            #[cfg(feature = "brainpool")]
            EcKey::BrainpoolP512r1(_) => Curve::BrainpoolP512r1,
        }
    }

    /// Storage form: the scalar, big-endian, field length.
    pub(crate) fn write_scalar(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        with_key!(self, key => key.write_scalar(w))
    }

    /// The content of 7F49: `86 04 ‖ X ‖ Y`.
    pub(crate) fn write_public(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        with_key!(self, key => key.write_public(w))
    }

    /// Whether `public` (as imported with tag 99) is this key's `04 ‖ X ‖ Y`.
    pub(crate) fn public_matches(&self, public: &[u8]) -> bool {
        with_key!(self, key => key.public_matches(public))
    }

    /// ECDSA over a hash with a hedged nonce; appends `r ‖ s`.
    pub(crate) fn sign<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        hash: &[u8],
        out: &mut Writer<'_>,
    ) -> Result<(), Error> {
        with_key!(self, key => key.sign(rng, hash, out))
    }

    /// ECDH with the host's point `04 ‖ X ‖ Y`; appends the shared x-coordinate.
    pub(crate) fn agree(&self, point: &[u8], out: &mut Writer<'_>) -> Result<(), Error> {
        with_key!(self, key => key.agree(point, out))
    }
}

/// The hash as ECDSA's field-length input `z`: left-padded with zeros if shorter than the
/// field, its leftmost field-length bytes if longer (the curve's signer then truncates to the
/// order's bit length: bits2int of SEC 1 §4.1.3). An empty hash is [`Error::WrongLength`].
#[cfg(any(
    feature = "p256",
    feature = "p384",
    feature = "k256",
    feature = "p521",
    feature = "brainpool"
))]
fn hash_to_field(hash: &[u8], z: &mut [u8]) -> Result<(), Error> {
    if hash.is_empty() {
        return Err(Error::WrongLength);
    }
    let leftmost = hash.get(..z.len()).unwrap_or(hash);
    let start = z.len() - leftmost.len();
    z.get_mut(start..)
        .ok_or(Error::Internal)?
        .copy_from_slice(leftmost);
    Ok(())
}

#[cfg(all(
    test,
    any(
        feature = "p256",
        feature = "p384",
        feature = "k256",
        feature = "p521",
        feature = "brainpool"
    )
))]
mod tests {
    use super::super::tests::{
        assert_storage_round_trip, decipher, hex, public_key, public_part, sign, stored, written,
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
                    let point = public_part(&public_key(key), 0x86);
                    ecdsa::VerifyingKey::<$C>::from_sec1_bytes(&point).unwrap()
                }

                fn verify(key: &PrivateKey, hash: &[u8], signature: &[u8]) {
                    let signature = ecdsa::Signature::<$C>::from_slice(signature).unwrap();
                    verifying_key(key).verify_prehash(hash, &signature).unwrap();
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
                    let point = public_part(&public_key(&key), 0x86);
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
                    let card_point = public_part(&public_key(&key), 0x86);
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
                        let point = public_part(&public_key(&key), 0x86);
                        let imported = PrivateKey::from_ec_scalar(&alg, &scalar, Some(&point)).unwrap();
                        assert_eq!(imported.algorithm(), alg);
                        assert_eq!(public_key(&imported), public_key(&key));
                        let other = crate::crypto::tests::generate(&alg, &mut rng).unwrap();
                        let wrong = public_part(&public_key(&other), 0x86);
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
    #[cfg(feature = "brainpool")]
    curve_tests!(
        brainpool_p256r1_curve,
        bp256::BrainpoolP256r1,
        Curve::BrainpoolP256r1,
        "A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"
    );
    #[cfg(feature = "brainpool")]
    curve_tests!(
        brainpool_p384r1_curve,
        bp384::BrainpoolP384r1,
        Curve::BrainpoolP384r1,
        "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565"
    );
    #[cfg(feature = "brainpool")]
    curve_tests!(
        brainpool_p512r1_curve,
        bp512::BrainpoolP512r1,
        Curve::BrainpoolP512r1,
        "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069"
    );

    /// RFC 6979 A.2.5 key.
    #[cfg(feature = "p256")]
    const P256_X: &str = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";

    /// Whether `signature` (`r ‖ s`) verifies under `key`'s public point for `hash`, by the
    /// curve crate's own verifier, which applies bits2int to a hash of any length as hosts do.
    #[cfg(feature = "p256")]
    fn p256_verifies(key: &PrivateKey, hash: &[u8], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        let point = public_part(&public_key(key), 0x86);
        let verifying_key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
        let signature = p256::ecdsa::Signature::from_slice(signature).unwrap();
        verifying_key.verify_prehash(hash, &signature).is_ok()
    }

    #[test]
    #[cfg(feature = "p256")]
    fn p256_known_answers() {
        use sha2::Digest;
        let key =
            PrivateKey::from_ec_scalar(&Algorithm::Ecdsa(Curve::P256), &hex(P256_X), None).unwrap();
        assert_eq!(
            public_part(&public_key(&key), 0x86),
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
    #[cfg(feature = "p384")]
    fn p384_hash_shorter_than_the_field_is_left_padded() {
        use p384::ecdsa::signature::hazmat::PrehashVerifier;
        use sha2::Digest;
        // RFC 6979 A.2.6 key.
        let x = hex("6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5");
        let key = PrivateKey::from_ec_scalar(&Algorithm::Ecdsa(Curve::P384), &x, None).unwrap();
        let point = public_part(&public_key(&key), 0x86);
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

    #[test]
    #[cfg(feature = "p256")]
    fn p256_scalar_with_a_leading_zero_byte_is_accepted() {
        // GnuPG strips leading zeros from the scalar: 31 bytes for about 1 key in 256.
        let full = hex("00afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
        let alg = Algorithm::Ecdsa(Curve::P256);
        let short = PrivateKey::from_ec_scalar(&alg, &full[1..], None).unwrap();
        let long = PrivateKey::from_ec_scalar(&alg, &full, None).unwrap();
        assert_eq!(public_key(&short), public_key(&long));
        assert_eq!(stored(&short), full);
        let point = public_part(&public_key(&long), 0x86);
        assert!(PrivateKey::from_ec_scalar(&alg, &full[1..], Some(&point)).is_ok());
    }
}
