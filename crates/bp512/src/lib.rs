//! brainpoolP512r1 (RFC 5639 §3.7), for which no curve crate is published: the curve type
//! [`BrainpoolP512r1`] for RustCrypto's `elliptic-curve` and `ecdsa` crates.
//!
//! Defined the way RustCrypto's `bp256` and `bp384` define their curves, on the same generic
//! crates and with none of our own arithmetic:
//! - the base field and the scalar field are `primefield` Montgomery field elements over
//!   `crypto-bigint`'s `U512` (its generic constant-time backend; `bp256`/`bp384` use
//!   fiat-crypto's generated code for theirs, which does not exist for this modulus);
//! - the group is `primeorder`'s, with its complete addition formulas for a generic `a`
//!   (Renes–Costello–Batina) and its constant-time windowed scalar multiplication;
//! - ECDSA is the `ecdsa` crate's, with SHA-512 for RFC 6979's HMAC.
//!
//! What is ours is the constants, copied from RFC 5639 §3.7 and checked by the tests below: p
//! and n are prime, the generator is on the curve and has order n, the OID's curve in OpenSSL
//! gives the same public keys, shared secrets and signatures (vectors made with OpenSSL 3,
//! through Python's `cryptography`).
//!
//! `no_std`, no heap. The core uses it under its feature `brainpool`; its tests use it as the
//! host side.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use elliptic_curve::bigint::{Odd, U512};
use elliptic_curve::consts::U64;
use elliptic_curve::hazmat::FieldArithmetic;
use elliptic_curve::{CurveArithmetic, PrimeCurveArithmetic};
use primeorder::{mul_backend, point_arithmetic, PrimeCurveParams};

/// The prime p of the base field (RFC 5639 §3.7).
const MODULUS_HEX: &str = "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3";
/// The order n of the generator (RFC 5639 §3.7; the cofactor is 1).
const ORDER_HEX: &str = "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069";
const ORDER: Odd<U512> = Odd::<U512>::from_be_hex(ORDER_HEX);

/// The base field, integers modulo p.
//
// primefield 0.14's `monty_field_params!` calls crypto-bigint's `Uint::bits`, deprecated since.
#[allow(deprecated)]
mod field {
    use elliptic_curve::bigint::U512;
    use elliptic_curve::ff::PrimeField;
    use elliptic_curve::ops::BatchInvert;
    use elliptic_curve::subtle::{Choice, ConstantTimeEq, CtOption};

    // The multiplicative generator must be a quadratic non-residue: 2 is the smallest (p ≡ 3
    // mod 4, so square roots do not use it).
    primefield::monty_field_params! {
        name: FieldParams,
        modulus: super::MODULUS_HEX,
        uint: U512,
        byte_order: primefield::ByteOrder::BigEndian,
        multiplicative_generator: 2,
        doc: "Montgomery parameters of brainpoolP512r1's base field modulus"
    }

    primefield::monty_field_element! {
        name: FieldElement,
        params: FieldParams,
        uint: U512,
        doc: "Element of brainpoolP512r1's base field, modulo p"
    }

    primefield::monty_field_arithmetic! {
        name: FieldElement,
        params: FieldParams,
        uint: U512
    }

    impl BatchInvert for FieldElement {}

    #[cfg(test)]
    mod tests {
        use super::FieldElement;
        use elliptic_curve::bigint::U512;

        primefield::test_primefield!(FieldElement, U512);
    }
}

/// The scalar field, integers modulo n.
//
// primefield 0.14's `monty_field_params!` calls crypto-bigint's `Uint::bits`, deprecated since.
#[allow(deprecated)]
mod scalar {
    use super::{BrainpoolP512r1, ORDER};
    use elliptic_curve::bigint::U512;
    use elliptic_curve::ff::PrimeField;
    use elliptic_curve::scalar::{FromUintUnchecked, IsHigh};
    use elliptic_curve::subtle::{Choice, ConstantTimeEq, ConstantTimeGreater, CtOption};

    // 7 is the smallest quadratic non-residue modulo n (n ≡ 1 mod 8: S = 3).
    primefield::monty_field_params! {
        name: ScalarParams,
        modulus: super::ORDER_HEX,
        uint: U512,
        byte_order: primefield::ByteOrder::BigEndian,
        multiplicative_generator: 7,
        doc: "Montgomery parameters of brainpoolP512r1's scalar modulus"
    }

    primefield::monty_field_element! {
        name: Scalar,
        params: ScalarParams,
        uint: U512,
        doc: "Element of brainpoolP512r1's scalar field, modulo n"
    }

    primefield::monty_field_arithmetic! {
        name: Scalar,
        params: ScalarParams,
        uint: U512
    }

    primefield::monty_field_reduce! {
        name: Scalar,
        params: ScalarParams,
        uint: U512,
    }

    elliptic_curve::scalar_impls!(BrainpoolP512r1, Scalar);
    primeorder::wnaf::impl_wnaf_size_for_scalar!(Scalar);

    impl AsRef<Scalar> for Scalar {
        fn as_ref(&self) -> &Scalar {
            self
        }
    }

    impl FromUintUnchecked for Scalar {
        type Uint = U512;

        fn from_uint_unchecked(uint: Self::Uint) -> Self {
            Self::from_uint_unchecked(uint)
        }
    }

    impl IsHigh for Scalar {
        fn is_high(&self) -> Choice {
            const HALF_ORDER: U512 = ORDER.as_ref().shr_vartime(1);
            self.to_canonical().ct_gt(&HALF_ORDER)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::Scalar;
        use elliptic_curve::bigint::U512;

        primefield::test_primefield!(Scalar, U512);
    }
}

pub use field::FieldElement;
pub use scalar::Scalar;

/// An affine point of brainpoolP512r1.
pub type AffinePoint = primeorder::AffinePoint<BrainpoolP512r1>;
/// A projective point of brainpoolP512r1.
pub type ProjectivePoint = primeorder::ProjectivePoint<BrainpoolP512r1>;

/// brainpoolP512r1: y² = x³ + ax + b over the 512-bit prime field of RFC 5639 §3.7.
#[derive(Copy, Clone, Debug, Default, Eq, PartialEq, PartialOrd, Ord)]
pub struct BrainpoolP512r1;

impl elliptic_curve::Curve for BrainpoolP512r1 {
    type FieldBytesSize = U64;
    type Uint = U512;
    const ORDER: Odd<U512> = ORDER;
}

impl elliptic_curve::PrimeCurve for BrainpoolP512r1 {}

impl elliptic_curve::point::PointCompression for BrainpoolP512r1 {
    const COMPRESS_POINTS: bool = false;
}

impl CurveArithmetic for BrainpoolP512r1 {
    type AffinePoint = AffinePoint;
    type ProjectivePoint = ProjectivePoint;
    type Scalar = Scalar;
}

impl FieldArithmetic for BrainpoolP512r1 {
    type FieldElement = FieldElement;
}

impl PrimeCurveArithmetic for BrainpoolP512r1 {
    type CurveGroup = ProjectivePoint;
}

impl PrimeCurveParams for BrainpoolP512r1 {
    type PointArithmetic = point_arithmetic::EquationAIsGeneric;
    type Backend = mul_backend::VariableOnly;

    const EQUATION_A: FieldElement = FieldElement::from_hex_vartime(
        "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
    );
    const EQUATION_B: FieldElement = FieldElement::from_hex_vartime(
        "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
    );
    const GENERATOR: (FieldElement, FieldElement) = (
        FieldElement::from_hex_vartime(
            "81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822",
        ),
        FieldElement::from_hex_vartime(
            "7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
        ),
    );
}

impl ecdsa::EcdsaCurve for BrainpoolP512r1 {
    // ECDSA over brainpool curves (RFC 5639, BSI TR-03111) has no low-s rule.
    const NORMALIZE_S: bool = false;
}

impl ecdsa::DigestAlgorithm for BrainpoolP512r1 {
    type Digest = sha2::Sha512;
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::{BrainpoolP512r1, FieldElement, Scalar, MODULUS_HEX, ORDER_HEX};
    use elliptic_curve::ff::PrimeField;
    use elliptic_curve::group::Group;
    use elliptic_curve::point::AffineCoordinates;
    use elliptic_curve::sec1::ToSec1Point;
    use elliptic_curve::CurveArithmetic;
    use primeorder::PrimeCurveParams;

    type ProjectivePoint = <BrainpoolP512r1 as CurveArithmetic>::ProjectivePoint;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn the_constants_are_rfc_5639s() {
        // The moduli the field types were made from are the RFC's p and n.
        assert_eq!(FieldElement::MODULUS, MODULUS_HEX);
        assert_eq!(Scalar::MODULUS, ORDER_HEX);
        // The generator is on the curve: y² = x³ + ax + b.
        let (x, y) = BrainpoolP512r1::GENERATOR;
        let a = BrainpoolP512r1::EQUATION_A;
        let b = BrainpoolP512r1::EQUATION_B;
        assert_eq!(y.square(), x.square() * x + a * x + b);
        // It has order n: nG = O, and (n - 1)G = -G, not O.
        let g = ProjectivePoint::generator();
        let minus_one = -Scalar::ONE;
        assert_eq!(g * minus_one, -g);
        assert!(bool::from((g * minus_one + g).is_identity()));
        assert!(!bool::from((g * minus_one).is_identity()));
        // b is not a square root of anything suspicious: the curve is not singular,
        // 4a³ + 27b² ≠ 0.
        let four = FieldElement::from_u64(4);
        let twenty_seven = FieldElement::from_u64(27);
        assert!(!bool::from(
            (four * a.square() * a + twenty_seven * b.square()).is_zero()
        ));
    }

    #[test]
    fn public_keys_and_ecdh_match_openssl() {
        let point = |d: &str| {
            let d = Scalar::from_repr(hex(d).as_slice().try_into().unwrap()).unwrap();
            (ProjectivePoint::generator() * d).to_affine()
        };
        let g2 = ProjectivePoint::generator().double().to_affine();
        assert_eq!(g2.to_sec1_point(false).as_bytes(), &hex(OPENSSL_2G)[..]);
        assert_eq!(point(D).to_sec1_point(false).as_bytes(), &hex(Q)[..]);
        let peer = point(PEER_D);
        assert_eq!(peer.to_sec1_point(false).as_bytes(), &hex(PEER_Q)[..]);
        let d = Scalar::from_repr(hex(D).as_slice().try_into().unwrap()).unwrap();
        let shared = (ProjectivePoint::from(peer) * d).to_affine();
        assert_eq!(&shared.x()[..], &hex(SHARED)[..]);
    }

    #[test]
    fn an_openssl_signature_verifies() {
        use ecdsa::signature::hazmat::PrehashVerifier;
        let key = ecdsa::VerifyingKey::<BrainpoolP512r1>::from_sec1_bytes(&hex(Q)).unwrap();
        let signature = ecdsa::Signature::<BrainpoolP512r1>::from_slice(&hex(SIGNATURE)).unwrap();
        assert!(key.verify_prehash(&hex(HASH), &signature).is_ok());
        let mut other = hex(HASH);
        other[0] ^= 1;
        assert!(key.verify_prehash(&other, &signature).is_err());
    }

    // Vectors made with OpenSSL 3.x through Python `cryptography` (`ec.BrainpoolP512R1()`):
    // `derive_private_key`, `exchange(ECDH)` and `sign(ECDSA(Prehashed(SHA512)))`.
    /// 2G.
    const OPENSSL_2G: &str = "049f4945f680edf9800a63285758f399b3d18d8141b8a18064a30d3035f4cb6581957877f3a8f0f72597116e702915a4f4f698f404089a4cc5080447def02f48506d6b4b188b699c5649826b716292f29d149ce1238d3f1e0f5a2c366b03e5d1b2fdf99bb1709c700fa5c3b602b0960cbf63a42e4181fd929ce269ad21be592e71";
    /// A private scalar (SHA-512 of a label, mod n) and its public point.
    const D: &str = "113fb69dd558a15d42955f6837162fed9159399794a9099f1a721b4679b3de4c694736200dfec21e6467639380ea3b26360c759279b7e41b7e9d4d4f9b18cf2c";
    const Q: &str = "04449782f4a8d9ec1f57a5b5860d790847900c21a997019cd1332a1287fa38841442a01deea1e79448f0c2f1027cdd57bcacca2abc457bf7b03ba4a0d1c5eca4663c110ca395efb4b97d9b47f2f2466c56081d714b6c1e6a613fd90b6283946b0853807ef85575c484f932f7c1c986aecfc19a1cc442a55ccf7e9979f79e62ab99";
    /// The peer's scalar and point, and the x-coordinate of D·PEER_Q.
    const PEER_D: &str = "3030d75b4eeb35859e31ddfb68e95ada2d24823c13585f819de8b771610e0519d8f03a47be0d9372042b48c6ad474fa8063dc917463ced47e11468f61b29ff9b";
    const PEER_Q: &str = "048950e02f7a7310f231343bd890159a6dc2ad5f0e0c832213d100136c573ced8ec3bd48ca1aa177ec78fb6510842fe5f1d32729ce03d4597a96bc7aa6b8de00f43ac27b78eff26f8b80eabc9d5a1424c62dfa2f6b5dce8c7effd1b909b597696c38d03d11ff4436ffbfa5dcc1fd7194c159fc8837f4faee0392d2090ceb30506b";
    const SHARED: &str = "20e87f48b1eb7ec3249e243ef5f7b01aa0fe07ddd2b4f98aada43bdb0bd7134b892560a830846476414f564d88cc8cfc0f778b2252e26434fe3ce715b29ad2e7";
    /// SHA-512("sample") and OpenSSL's signature `r ‖ s` of it under D.
    const HASH: &str = "39a5e04aaff7455d9850c605364f514c11324ce64016960d23d5dc57d3ffd8f49a739468ab8049bf18eef820cdb1ad6c9015f838556bc7fad4138b23fdf986c7";
    const SIGNATURE: &str = "9d9a973afa85cc14285746fc0fbc8926bd21db79a1b476f9c7f73b129c9a7af2f7c1f65313c2b1bf8aae00c718506d4b4ff9f939a1a517f1dd50057744ea39103a8d9f70174887e06a81ef455c7e98dd99a4f8ce08d43bd501cc2d9d97a39334ba76a689237539d8d592a5a2806d4c32d6e234652166137deb173035156dcf9f";
}
