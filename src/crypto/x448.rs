//! ECDH on Curve448, X448 (RFC 7748 §5): the curve's part of
//! [`montgomery`](super::montgomery), which holds the rest. Attributes `12 <X448 OID>` (spec
//! §4.4.3.10, OID 1.3.101.111).
//!
//! Every value is in RFC 7748's (little-endian) encoding, with no prefix on output: the 56-byte
//! scalar on import and in storage, our public key in 7F49, and the shared secret (GnuPG 2.4
//! takes the 56 bytes as they are). The host's ephemeral key may come as 56 bytes or behind
//! OpenPGP's `40` prefix. GnuPG sends X448 secrets in RFC 7748 order (unlike X25519's, which
//! it reverses): checked end to end by keytocard and a decryption with GnuPG 2.4.

use x448::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::montgomery::{MontgomeryCurve, MontgomeryKey};

/// Length of scalars, u-coordinates and shared secrets (RFC 7748 §5).
const LEN: usize = 56;

/// Curve448 for ECDH.
pub(crate) enum X448 {}

/// An X448 key: the scalar (clamped, zeroized on drop by `StaticSecret`) and its public key.
pub(crate) type X448Key = MontgomeryKey<X448>;

impl MontgomeryCurve for X448 {
    const LEN: usize = LEN;
    type Bytes = [u8; LEN];
    type Secret = StaticSecret;

    fn zero() -> [u8; LEN] {
        [0; LEN]
    }

    fn secret(native: &[u8; LEN]) -> StaticSecret {
        StaticSecret::from(*native)
    }

    /// Clamped by the crate (RFC 7748 §5).
    fn secret_bytes(secret: &StaticSecret) -> &[u8] {
        secret.as_bytes()
    }

    fn public(secret: &StaticSecret) -> [u8; LEN] {
        *PublicKey::from(secret).as_bytes()
    }

    /// `from_bytes` refuses a wrong length and the known low-order points.
    fn diffie_hellman(secret: &StaticSecret, u: &[u8]) -> Option<Zeroizing<[u8; LEN]>> {
        let public = PublicKey::from_bytes(u)?;
        let shared = secret.diffie_hellman(&public);
        Some(Zeroizing::new(*shared.as_bytes()))
    }

    /// RFC 7748 order, exactly 56 bytes, as GnuPG sends it. (GnuPG strips leading zero bytes
    /// and pads the value back to the curve's length before it sends it.)
    fn import(scalar: &[u8], native: &mut [u8; LEN]) -> bool {
        match <&[u8; LEN]>::try_from(scalar) {
            Ok(scalar) => {
                *native = *scalar;
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{
        assert_storage_round_trip, decipher, hex, public_point, stored,
    };
    use super::super::{Algorithm, PrivateKey};
    use crate::error::Error;
    use openpgp_card_applet_testkit::TestRng;

    // RFC 7748 §6.2 (checked against OpenSSL 3 as well).
    const ALICE: &str = "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b";
    const ALICE_PUBLIC: &str = "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0";
    const BOB_PUBLIC: &str = "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609";
    const SHARED: &str = "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d";

    #[test]
    fn rfc7748_alice_and_bob() {
        let alg = Algorithm::X448;
        let key = PrivateKey::from_ec_scalar(&alg, &hex(ALICE), Some(&hex(ALICE_PUBLIC))).unwrap();
        assert_eq!(public_point(&key), hex(ALICE_PUBLIC));
        assert_eq!(decipher(&key, &hex(BOB_PUBLIC)).unwrap(), hex(SHARED));
        let prefixed = [&[0x40][..], &hex(BOB_PUBLIC)].concat();
        assert_eq!(decipher(&key, &prefixed).unwrap(), hex(SHARED));
        // The public key on import, with the prefix too; a wrong one is refused.
        let public = [&[0x40][..], &hex(ALICE_PUBLIC)].concat();
        assert!(PrivateKey::from_ec_scalar(&alg, &hex(ALICE), Some(&public)).is_ok());
        assert_eq!(
            PrivateKey::from_ec_scalar(&alg, &hex(ALICE), Some(&hex(BOB_PUBLIC))).err(),
            Some(Error::IncorrectData)
        );
        assert_storage_round_trip(&key);
    }

    #[test]
    fn scalars_of_the_wrong_length_are_refused() {
        let alg = Algorithm::X448;
        for bad in [
            hex(&ALICE[2..]),
            [hex(ALICE), alloc::vec![0]].concat(),
            alloc::vec![],
        ] {
            assert_eq!(
                PrivateKey::from_ec_scalar(&alg, &bad, None).err(),
                Some(Error::IncorrectData)
            );
            assert_eq!(
                PrivateKey::from_stored(&alg, &bad).err(),
                Some(Error::Storage)
            );
        }
    }

    #[test]
    fn low_order_and_malformed_points_are_refused() {
        let key = PrivateKey::from_ec_scalar(&Algorithm::X448, &hex(ALICE), None).unwrap();
        let mut one = alloc::vec![0u8; 56];
        one[0] = 1;
        // p - 1 (order 2), p (= 0) and p + 1 (= 1): every small-order u, in canonical and
        // non-canonical encodings, gives the all-zero secret.
        let p_minus_1 = hex("fefffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffffffffffffffffffffffffffffffffffffffffffffffffff");
        let p = hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffffffffffffffffffffffffffffffffffffffffffffffffff");
        let p_plus_1 = hex("00000000000000000000000000000000000000000000000000000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
        for bad in [
            alloc::vec![0u8; 56],
            one,
            p_minus_1,
            p,
            p_plus_1,
            hex(&BOB_PUBLIC[2..]),
            [hex(BOB_PUBLIC), alloc::vec![0]].concat(),
            [&[0x41][..], &hex(BOB_PUBLIC)].concat(),
            alloc::vec![],
        ] {
            assert_eq!(
                decipher(&key, &bad),
                Err(Error::IncorrectData),
                "{bad:02X?}"
            );
        }
    }

    #[test]
    fn generated_keys_agree_with_the_host() {
        let mut rng = TestRng::seed_from_u64(7748);
        let key = crate::crypto::tests::generate(&Algorithm::X448, &mut rng).unwrap();
        let card_public: [u8; 56] = public_point(&key).try_into().unwrap();
        let host = x448::StaticSecret::from([0x5Au8; 56]);
        let host_public = x448::PublicKey::from(&host);
        let theirs = host.diffie_hellman(&x448::PublicKey::from_bytes(&card_public).unwrap());
        let ours = decipher(&key, host_public.as_bytes()).unwrap();
        assert_eq!(&ours[..], &theirs.as_bytes()[..]);
        assert_eq!(stored(&key).len(), 56);
        assert_storage_round_trip(&key);
    }
}
