//! Command APDUs both benchmarks send (`benches/applet.rs` on the host, the footprint image
//! on Cortex-M): `no_std` + `alloc`, built with the applet's own encoder and the test kit's
//! import template (PSO:DECIPHER's ECDH input is the test kit's `ecdh_cipher_do`).

use alloc::vec::Vec;

use openpgp_card_applet::apdu::CommandApdu;
use openpgp_card_applet::spec::Slot;

/// Case 2 or 4 with extended lengths and Le = 0000 (the whole answer at once).
pub fn extended(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let apdu = CommandApdu {
        cla: 0x00,
        ins,
        p1,
        p2,
        data,
        le: Some(65536),
        extended: true,
    };
    openpgp_card_applet_testkit::client::encode(&apdu).unwrap_or_default()
}

/// PUT DATA `DB 3F FF` of `components` into the slot of `crt`, as one extended APDU.
pub fn import(crt: u8, components: &[(u8, &[u8])]) -> Vec<u8> {
    let template = openpgp_card_applet_testkit::import_template(crt, components);
    extended(0xDB, 0x3F, 0xFF, &template)
}

/// The algorithm attributes DO of the slot of `crt` (B6, B8, A4).
pub fn attributes_tag(crt: u8) -> u16 {
    Slot::from_crt_tag(crt)
        .unwrap_or(Slot::Aut)
        .attributes_tag()
}
