//! The scenario tests' helpers: the test kit's client and backends, plus RSA helpers that
//! need the host-side `rsa` crate.
#![allow(dead_code, unused_imports)]

pub use openpgp_card_applet_testkit::backends::{
    ManualClock, MemoryStorage, ScriptedButton, TestRng,
};
pub use openpgp_card_applet_testkit::{assert_sw, hex, import_template, to_hex, Card, Rsp};

/// An algorithm's attributes (C1-C3), as the applet writes them.
pub use openpgp_card_applet_testkit::attributes;

/// The first slot (SIG, DEC, AUT) that takes `algorithm`, with its control reference template
/// tag (B6, B8, A4) and its attributes DO (C1, C2, C3).
pub fn first_slot(
    algorithm: &openpgp_card_applet::crypto::Algorithm,
) -> (openpgp_card_applet::spec::Slot, u8, u16) {
    let slot = openpgp_card_applet_testkit::first_slot(algorithm);
    (slot, slot.crt_tag(), slot.attributes_tag())
}

/// The applet of a test card on the in-memory backends.
pub type TestApplet =
    openpgp_card_applet::Applet<MemoryStorage, TestRng, ManualClock, ScriptedButton>;

/// RSA helpers for test cards.
pub trait RsaCard: Sized {
    /// A fresh card with RSA-2048 keys generated in DEC and AUT (the only keys that can do each
    /// other's job after MANAGE SECURITY ENVIRONMENT), PW3 verified.
    fn with_rsa_dec_and_aut() -> Self;
    /// The RSA public key of a slot (CRT B6, B8 or A4), read with 47 81.
    fn rsa_public_key(&mut self, crt: u8) -> rsa::PublicKey;
}

impl RsaCard for Card {
    fn with_rsa_dec_and_aut() -> Card {
        let mut card = Card::new();
        card.select();
        card.verify_admin();
        for crt in [0xB8, 0xA4] {
            let rsp = card.cmd_all(0x47, 0x80, 0x00, &[crt, 0x00]);
            assert_eq!(rsp.sw, 0x9000, "generate {crt:02X}");
        }
        card
    }

    fn rsa_public_key(&mut self, crt: u8) -> rsa::PublicKey {
        let rsp = self.cmd_all(0x47, 0x81, 0x00, &[crt, 0x00]);
        assert_eq!(rsp.sw, 0x9000, "public key of {crt:02X}");
        let mut outer = openpgp_card_applet::tlv::Reader::new(&rsp.data);
        let template = outer.expect(0x7F49).expect("7F49");
        let n = openpgp_card_applet::tlv::Reader::new(template)
            .find(|t| t.tag == 0x81)
            .expect("modulus")
            .value;
        rsa::PublicKey::new(
            rsa::BoxedUint::from_be_slice_vartime(n),
            rsa::BoxedUint::from(65537u32),
        )
        .expect("RSA public key")
    }
}
