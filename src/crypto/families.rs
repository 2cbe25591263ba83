//! The elliptic-curve families, declared once.
//!
//! [`families!`] is the table: every curve the card can hold a key on, with its cargo feature,
//! its OID, its lengths and the type that implements it. The table hands its rows to another
//! macro, which builds one piece from them:
//! - `algorithm.rs`: [`Curve`](super::Curve) with its OIDs and field lengths, the variants of
//!   [`Algorithm`](super::Algorithm), parsing and writing the attributes (C1-C3) and the list the
//!   algorithm information DO FA announces;
//! - `ecc.rs`: the key on a short-Weierstrass curve and its dispatch (generation, import,
//!   storage, ECDSA, ECDH);
//! - `mod.rs`: the key of the algorithms that are one curve each (EdDSA, X25519, X448) and its
//!   dispatch, and the longest public point.
//!
//! RSA stands apart (one family, three sizes, its own module). Adding a curve is a row here,
//! the code of its key type (a module of its own for a CFRG curve; one `weierstrass_curve!` line
//! in `ecc/weierstrass.rs` for a short-Weierstrass curve of RustCrypto's) and its cargo feature
//! in `Cargo.toml`, which turns on the internal feature of its kind; nothing else changes.
//!
//! The rows, in the order DO FA lists the algorithms:
//! - `weierstrass`: the short-Weierstrass curves, each for ECDSA (attributes `13 OID`) and ECDH
//!   (`12 OID`): variant of [`Curve`](super::Curve), cargo feature, OID (DER content bytes),
//!   length of a field element and of the private scalar, key type (a path from `ecc.rs`, each
//!   implementing `ecc::WeierstrassKey`).
//! - `cfrg`: the algorithms on the CFRG curves (RFC 7748, RFC 8032), one curve each: variant of
//!   [`Algorithm`](super::Algorithm), cargo feature, algorithm ID of the attributes (`EDDSA` or
//!   `ECDH`), the OID the card writes, the other OIDs it accepts, length of the private key as
//!   stored and of the public key, key type (`module::Type`: the module, under `crypto`, is
//!   declared from here; the type implements `CfrgKey`).

/// The table of curves (see the [module documentation](self)): `families!(then)` expands to
/// `then! { weierstrass { rows } cfrg { rows } }`.
macro_rules! families {
    ($then:ident) => {
        $then! {
            weierstrass {
                /// NIST P-256 (secp256r1), 1.2.840.10045.3.1.7.
                P256 = "p256",
                    oid [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07], field 32, key P256Key;
                /// NIST P-384 (secp384r1), 1.3.132.0.34.
                P384 = "p384",
                    oid [0x2B, 0x81, 0x04, 0x00, 0x22], field 48,
                    key weierstrass::CurveKey<p384::NistP384>;
                /// secp256k1, 1.3.132.0.10.
                Secp256k1 = "k256",
                    oid [0x2B, 0x81, 0x04, 0x00, 0x0A], field 32,
                    key weierstrass::CurveKey<k256::Secp256k1>;
                /// NIST P-521 (secp521r1), 1.3.132.0.35.
                P521 = "p521",
                    oid [0x2B, 0x81, 0x04, 0x00, 0x23], field 66,
                    key weierstrass::CurveKey<p521::NistP521>;
                /// brainpoolP256r1 (RFC 5639), 1.3.36.3.3.2.8.1.1.7.
                BrainpoolP256r1 = "brainpool",
                    oid [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07], field 32,
                    key weierstrass::CurveKey<bp256::BrainpoolP256r1>;
                /// brainpoolP384r1 (RFC 5639), 1.3.36.3.3.2.8.1.1.11.
                BrainpoolP384r1 = "brainpool",
                    oid [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B], field 48,
                    key weierstrass::CurveKey<bp384::BrainpoolP384r1>;
                /// brainpoolP512r1 (RFC 5639), 1.3.36.3.3.2.8.1.1.13.
                BrainpoolP512r1 = "brainpool",
                    oid [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D], field 64,
                    key weierstrass::CurveKey<bp512::BrainpoolP512r1>;
            }
            cfrg {
                /// EdDSA on Ed25519 (attributes `16 | OID`): OpenPGP's and GnuPG's OID
                /// 1.3.6.1.4.1.11591.15.1; RFC 8410's 1.3.101.112 accepted on input.
                Ed25519 = "ed25519", EDDSA,
                    oid [0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01]
                    also [[0x2B, 0x65, 0x70]], len 32, key ed25519::Ed25519Key;
                /// ECDH on Curve25519, X25519 (attributes `12 | OID`): OpenPGP's and GnuPG's
                /// OID of Curve25519 1.3.6.1.4.1.3029.1.5.1; RFC 8410's 1.3.101.110 accepted on
                /// input.
                X25519 = "x25519", ECDH,
                    oid [0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01]
                    also [[0x2B, 0x65, 0x6E]], len 32, key x25519::X25519Key;
                /// EdDSA on Ed448 (attributes `16 | OID`): 1.3.101.113 (RFC 8410), as GnuPG
                /// names it too.
                Ed448 = "ed448", EDDSA,
                    oid [0x2B, 0x65, 0x71] also [], len 57, key ed448::Ed448Key;
                /// ECDH on Curve448, X448 (attributes `12 | OID`): 1.3.101.111 (RFC 8410), as
                /// GnuPG names it too.
                X448 = "ed448", ECDH,
                    oid [0x2B, 0x65, 0x6F] also [], len 56, key x448::X448Key;
            }
        }
    };
}

pub(crate) use families;
