//! The known keys the fuzzed cards hold: the workspace's one set (the test kit's `keys`), with
//! the algorithm attributes and import templates that put them on a card.

use openpgp_card_applet::crypto::Curve;
use openpgp_card_applet_testkit::{hex, import_template, keys};

/// Algorithm attributes used by the fuzzers.
pub mod attributes {
    /// Ed25519 (EdDSA).
    pub const ED25519: &str = "162B06010401DA470F01";
    /// X25519 (ECDH on Curve25519).
    pub const X25519: &str = "122B060104019755010501";
    /// ECDSA on P-256.
    pub const P256_ECDSA: &str = "132A8648CE3D030107";
    /// ECDH on P-256.
    pub const P256_ECDH: &str = "122A8648CE3D030107";
    /// ECDSA on P-384.
    pub const P384_ECDSA: &str = "132B81040022";
    /// ECDH on P-384.
    pub const P384_ECDH: &str = "122B81040022";
    /// ECDSA on secp256k1.
    pub const K256_ECDSA: &str = "132B8104000A";
    /// ECDH on secp256k1.
    pub const K256_ECDH: &str = "122B8104000A";
    /// ECDSA on P-521.
    pub const P521_ECDSA: &str = "132B81040023";
    /// ECDH on P-521.
    pub const P521_ECDH: &str = "122B81040023";
    /// ECDSA on brainpoolP256r1.
    pub const BP256_ECDSA: &str = "132B2403030208010107";
    /// ECDH on brainpoolP256r1.
    pub const BP256_ECDH: &str = "122B2403030208010107";
    /// ECDSA on brainpoolP384r1.
    pub const BP384_ECDSA: &str = "132B240303020801010B";
    /// ECDH on brainpoolP384r1.
    pub const BP384_ECDH: &str = "122B240303020801010B";
    /// ECDSA on brainpoolP512r1.
    pub const BP512_ECDSA: &str = "132B240303020801010D";
    /// ECDH on brainpoolP512r1.
    pub const BP512_ECDH: &str = "122B240303020801010D";
    /// Ed448 (EdDSA).
    pub const ED448: &str = "162B6571";
    /// X448 (ECDH on Curve448).
    pub const X448: &str = "122B656F";
    /// RSA-2048, e of 32 bits, import format 00 (the last byte is the format).
    pub const RSA2048: &str = "010800002000";
}

/// The kind of key in a slot, for the probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// Ed25519 or Ed448 (deterministic signatures).
    EdDsa,
    /// X25519 or X448.
    Xdh,
    Ecdsa(Curve),
    Ecdh,
    Rsa,
}

/// A known private key and the template that imports it.
pub(crate) struct KnownKey {
    pub(crate) family: Family,
    pub(crate) attributes: Vec<u8>,
    parts: Vec<(u8, Vec<u8>)>,
}

impl KnownKey {
    /// The import template (PUT DATA `3F FF`) of the key into the slot of `crt`.
    pub(crate) fn template(&self, crt: u8) -> Vec<u8> {
        let parts: Vec<(u8, &[u8])> = self.parts.iter().map(|(t, v)| (*t, &v[..])).collect();
        import_template(crt, &parts)
    }

    /// An elliptic-curve key: its private scalar (or seed) under `attributes`.
    pub(crate) fn ec(family: Family, attributes: &str, scalar: &[u8]) -> KnownKey {
        KnownKey {
            family,
            attributes: hex(attributes),
            parts: vec![(0x92, scalar.to_vec())],
        }
    }

    /// The known RSA-2048 key in import format `format` (00..03).
    pub(crate) fn rsa(format: u8) -> KnownKey {
        let mut attributes = hex(attributes::RSA2048);
        if let Some(last) = attributes.last_mut() {
            *last = format;
        }
        let mut parts = vec![
            (0x91, vec![0x01, 0x00, 0x01]),
            (0x92, keys::RSA2048_P.to_vec()),
            (0x93, keys::RSA2048_Q.to_vec()),
        ];
        if format >= 2 {
            parts.push((0x94, keys::RSA2048_QINV.to_vec()));
            parts.push((0x95, keys::RSA2048_DP.to_vec()));
            parts.push((0x96, keys::RSA2048_DQ.to_vec()));
        }
        if format == 1 || format == 3 {
            parts.push((0x97, keys::RSA2048_N.to_vec()));
        }
        KnownKey {
            family: Family::Rsa,
            attributes,
            parts,
        }
    }

    /// The same key with the attributes' trailing FF (public key included in imports).
    pub(crate) fn with_public_key_flag(mut self) -> KnownKey {
        self.attributes.push(0xFF);
        self
    }
}

/// The X25519 scalar as GnuPG imports it: RFC 7748's byte order reversed.
pub(crate) fn x25519_gnupg_order() -> Vec<u8> {
    keys::X25519_SCALAR.iter().rev().copied().collect()
}

pub(crate) fn ed25519_key() -> KnownKey {
    KnownKey::ec(Family::EdDsa, attributes::ED25519, keys::ED25519_SEED)
}

pub(crate) fn x25519_key() -> KnownKey {
    KnownKey::ec(Family::Xdh, attributes::X25519, &x25519_gnupg_order())
}

pub(crate) fn p256_ecdsa_key() -> KnownKey {
    KnownKey::ec(
        Family::Ecdsa(Curve::P256),
        attributes::P256_ECDSA,
        keys::P256_SCALAR,
    )
}

/// The private scalars (or seeds) of [`key_profiles`] beyond those of the session card: the
/// test kit's known keys of the other curves, so that the leak oracle knows every key a
/// session can import.
pub(crate) const OTHER_SCALARS: [&[u8]; 8] = [
    keys::P384_SCALAR,
    keys::K256_SCALAR,
    keys::P521_SCALAR,
    keys::BP256_SCALAR,
    keys::BP384_SCALAR,
    keys::BP512_SCALAR,
    keys::ED448_SEED,
    keys::X448_SCALAR,
];

/// The known keys `Op::Import` puts in a slot: one of every algorithm and curve, with its
/// attributes (ECDSA and ECDH on every Weierstrass curve, RSA-2048 in its four import
/// formats, one with the trailing FF). A key in a slot it does not fit (X25519 in SIG) is
/// refused by the applet.
pub(crate) fn key_profiles() -> &'static [KnownKey] {
    static PROFILES: std::sync::OnceLock<Vec<KnownKey>> = std::sync::OnceLock::new();
    PROFILES.get_or_init(build_key_profiles)
}

fn build_key_profiles() -> Vec<KnownKey> {
    use attributes as a;
    let [p384, k256, p521, bp256, bp384, bp512, ed448, x448] = OTHER_SCALARS;
    vec![
        ed25519_key(),
        x25519_key(),
        p256_ecdsa_key(),
        KnownKey::ec(Family::Ecdh, a::P256_ECDH, keys::P256_SCALAR),
        KnownKey::ec(Family::Ecdsa(Curve::P384), a::P384_ECDSA, p384),
        KnownKey::ec(Family::Ecdh, a::P384_ECDH, p384),
        KnownKey::ec(Family::Ecdsa(Curve::Secp256k1), a::K256_ECDSA, k256),
        KnownKey::ec(Family::Ecdh, a::K256_ECDH, k256),
        KnownKey::ec(Family::Ecdsa(Curve::P521), a::P521_ECDSA, p521),
        KnownKey::ec(Family::Ecdh, a::P521_ECDH, p521),
        KnownKey::ec(Family::Ecdsa(Curve::BrainpoolP256r1), a::BP256_ECDSA, bp256),
        KnownKey::ec(Family::Ecdh, a::BP256_ECDH, bp256),
        KnownKey::ec(Family::Ecdsa(Curve::BrainpoolP384r1), a::BP384_ECDSA, bp384),
        KnownKey::ec(Family::Ecdh, a::BP384_ECDH, bp384),
        KnownKey::ec(Family::Ecdsa(Curve::BrainpoolP512r1), a::BP512_ECDSA, bp512),
        KnownKey::ec(Family::Ecdh, a::BP512_ECDH, bp512),
        KnownKey::ec(Family::EdDsa, a::ED448, ed448),
        KnownKey::ec(Family::Xdh, a::X448, x448),
        KnownKey::rsa(0),
        KnownKey::rsa(1),
        KnownKey::rsa(2),
        KnownKey::rsa(3),
        p256_ecdsa_key().with_public_key_flag(),
    ]
}
