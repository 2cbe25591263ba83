//! ECDH on Curve25519, X25519 (RFC 7748): the curve's part of
//! [`montgomery`](super::montgomery), which holds the rest. Attributes
//! `12 <Curve25519 OID>` (spec §4.4.3.10).
//!
//! Byte order: RFC 7748 encodes scalars and u-coordinates little-endian. OpenPGP (and so GnuPG's
//! key import) sends the *private* scalar as a big-endian MPI, the reverse; public keys (ours in
//! 7F49, the host's in DECIPHER, the optional one on import) are in RFC 7748 order, optionally
//! behind OpenPGP's `40` prefix.

use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use super::copy_right_aligned;
use super::montgomery::{MontgomeryCurve, MontgomeryKey};

/// Curve25519 for ECDH.
pub(crate) enum X25519 {}

/// An X25519 key: the scalar (zeroized on drop by `StaticSecret`) and its public key.
pub(crate) type X25519Key = MontgomeryKey<X25519>;

impl MontgomeryCurve for X25519 {
    const LEN: usize = 32;
    type Bytes = [u8; 32];
    type Secret = StaticSecret;

    fn zero() -> [u8; 32] {
        [0; 32]
    }

    fn secret(native: &[u8; 32]) -> StaticSecret {
        StaticSecret::from(*native)
    }

    /// As imported or generated (unclamped).
    fn secret_bytes(secret: &StaticSecret) -> &[u8] {
        secret.as_bytes()
    }

    fn public(secret: &StaticSecret) -> [u8; 32] {
        public_key(secret)
    }

    fn diffie_hellman(secret: &StaticSecret, u: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
        let u: [u8; 32] = u.try_into().ok()?;
        Some(Zeroizing::new(scalar_mult(secret, u)))
    }

    /// GnuPG's order (big-endian, possibly with leading zeros stripped): left-pad to 32 bytes,
    /// then reverse into RFC 7748 order.
    fn import(scalar: &[u8], native: &mut [u8; 32]) -> bool {
        if !copy_right_aligned(scalar, native) {
            return false;
        }
        native.reverse();
        true
    }
}

pub(super) use ladder::scalar_mult;
use ladder::public_key;

/// X25519 through x25519-dalek's Montgomery ladder.
#[cfg(not(feature = "cortex-m4"))]
mod ladder {
    use x25519_dalek::{PublicKey, StaticSecret};

    /// X25519(k, u) of RFC 7748 §5.
    pub(in crate::crypto) fn scalar_mult(secret: &StaticSecret, u: [u8; 32]) -> [u8; 32] {
        secret.diffie_hellman(&PublicKey::from(u)).to_bytes()
    }

    /// X25519(k, 9), the public key (RFC 7748 §6.1).
    pub(super) fn public_key(secret: &StaticSecret) -> [u8; 32] {
        PublicKey::from(secret).to_bytes()
    }
}

/// X25519 through salty's Montgomery ladder (constant-time conditional swaps, `subtle`) over
/// Haase's Cortex-M4 field arithmetic (feature `cortex-m4`). salty takes the scalar by value:
/// the copy it clamps lives in its frames, as x25519-dalek's does in its own.
#[cfg(feature = "cortex-m4")]
mod ladder {
    use x25519_dalek::StaticSecret;

    /// X25519(k, u) of RFC 7748 §5.
    pub(in crate::crypto) fn scalar_mult(secret: &StaticSecret, u: [u8; 32]) -> [u8; 32] {
        salty::agreement::x25519(secret.to_bytes(), u)
    }

    /// X25519(k, 9), the public key (RFC 7748 §6.1), with the same ladder (one implementation
    /// of the multiplication in the image, not two).
    pub(super) fn public_key(secret: &StaticSecret) -> [u8; 32] {
        let mut nine = [0u8; 32];
        nine[0] = 9;
        salty::agreement::x25519(secret.to_bytes(), nine)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{
        assert_storage_round_trip, decipher, hex, public_key, public_point, stored,
    };
    use super::super::{Algorithm, PrivateKey};
    use crate::error::Error;
    use openpgp_card_applet_testkit::TestRng;

    const ALICE: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    const ALICE_PUBLIC: &str = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    const BOB_PUBLIC: &str = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    const SHARED: &str = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    /// Alice's RFC 7748 private key as GnuPG sends it: byte-reversed.
    fn alice_gnupg() -> alloc::vec::Vec<u8> {
        let mut scalar = hex(ALICE);
        scalar.reverse();
        scalar
    }

    #[test]
    fn construction_wipes_the_scalar_buffer() {
        let mut native = zeroize::Zeroizing::new([0x5A; 32]);
        let key = super::X25519Key::new(&mut native);
        assert_eq!(*native, [0; 32], "the caller's scalar buffer was not wiped");
        assert_eq!(key.secret.as_bytes(), &[0x5A; 32]);
    }

    #[test]
    fn rfc7748_section_6_1() {
        let public = hex(ALICE_PUBLIC);
        let key =
            PrivateKey::from_ec_scalar(&Algorithm::X25519, &alice_gnupg(), Some(&public)).unwrap();
        assert_eq!(public_point(&key), public);
        assert_eq!(decipher(&key, &hex(BOB_PUBLIC)).unwrap(), hex(SHARED));
        let prefixed = [&[0x40][..], &hex(BOB_PUBLIC)].concat();
        assert_eq!(decipher(&key, &prefixed).unwrap(), hex(SHARED));
        // Storage is in RFC 7748 order.
        assert_eq!(stored(&key), hex(ALICE));
        assert_storage_round_trip(&key);
    }

    #[test]
    fn import_checks_the_public_key_and_lengths() {
        let prefixed = [&[0x40][..], &hex(ALICE_PUBLIC)].concat();
        assert!(
            PrivateKey::from_ec_scalar(&Algorithm::X25519, &alice_gnupg(), Some(&prefixed)).is_ok()
        );
        // Not reversed: a different key, so the public key does not match.
        assert_eq!(
            PrivateKey::from_ec_scalar(&Algorithm::X25519, &hex(ALICE), Some(&prefixed)).err(),
            Some(Error::IncorrectData)
        );
        let long = [&[1u8][..], &alice_gnupg()].concat();
        assert_eq!(
            PrivateKey::from_ec_scalar(&Algorithm::X25519, &long, None).err(),
            Some(Error::IncorrectData)
        );
        assert_eq!(
            PrivateKey::from_stored(&Algorithm::X25519, &long).err(),
            Some(Error::Storage)
        );
        assert_eq!(
            PrivateKey::from_stored(&Algorithm::X25519, &[]).err(),
            Some(Error::Storage)
        );
        // A GnuPG scalar with its leading zero stripped (the last native byte is zero).
        let mut gnupg = alice_gnupg();
        gnupg[0] = 0;
        let short = PrivateKey::from_ec_scalar(&Algorithm::X25519, &gnupg[1..], None).unwrap();
        let full = PrivateKey::from_ec_scalar(&Algorithm::X25519, &gnupg, None).unwrap();
        assert_eq!(public_key(&short), public_key(&full));
    }

    #[test]
    fn agrees_with_an_ephemeral_host_key() {
        let mut rng = TestRng::seed_from_u64(7748);
        let key = crate::crypto::tests::generate(&Algorithm::X25519, &mut rng).unwrap();
        let card_public: [u8; 32] = public_point(&key).try_into().unwrap();
        let host = x25519_dalek::EphemeralSecret::random_from_rng(&mut rng);
        let host_public = x25519_dalek::PublicKey::from(&host);
        let ours = decipher(&key, host_public.as_bytes()).unwrap();
        let theirs = host.diffie_hellman(&x25519_dalek::PublicKey::from(card_public));
        assert_eq!(&ours[..], theirs.as_bytes());
        assert_storage_round_trip(&key);
    }

    #[test]
    fn rejects_bad_points() {
        let key = PrivateKey::from_ec_scalar(&Algorithm::X25519, &alice_gnupg(), None).unwrap();
        // Low-order points give an all-zero secret.
        let mut one = [0u8; 32];
        one[0] = 1;
        for bad in [
            alloc::vec![0u8; 32],
            one.to_vec(),
            alloc::vec![0u8; 31],
            alloc::vec![0x40; 34],
            [&[0x41][..], &hex(BOB_PUBLIC)].concat(),
            alloc::vec::Vec::new(),
        ] {
            assert_eq!(
                decipher(&key, &bad),
                Err(Error::IncorrectData),
                "{bad:02X?}"
            );
        }
    }

    /// salty's X25519 (feature `cortex-m4`) gives x25519-dalek's results: random scalars and
    /// u-coordinates, with the top bit set (masked, RFC 7748 §5) and non-canonical (≥ p).
    #[cfg(feature = "cortex-m4")]
    #[test]
    fn salty_agrees_with_x25519_dalek() {
        use rand_core::Rng;
        let mut rng = TestRng::seed_from_u64(0x5a17);
        for i in 0..64 {
            let mut scalar = [0u8; 32];
            let mut u = [0u8; 32];
            rng.fill_bytes(&mut scalar);
            rng.fill_bytes(&mut u);
            match i % 4 {
                1 => u[31] |= 0x80,
                // p + 1 .. 2^255 - 1: non-canonical encodings of 1 .. 18.
                2 => {
                    u = [0xFF; 32];
                    u[0] = 0xED + (i as u8 % 18);
                    u[31] = 0x7F;
                }
                _ => {}
            }
            let key = super::X25519Key::from_native(&scalar).unwrap();
            let dalek = x25519_dalek::StaticSecret::from(scalar)
                .diffie_hellman(&x25519_dalek::PublicKey::from(u));
            assert_eq!(
                super::scalar_mult(&key.secret, u),
                *dalek.as_bytes(),
                "{scalar:02X?} {u:02X?}"
            );
        }
    }
}
