//! Command APDUs both benchmarks send (`benches/applet.rs` on the host, the footprint image
//! on Cortex-M): `no_std` + `alloc`, built with the applet's own encoder and the test kit's
//! import template.

use alloc::vec;
use alloc::vec::Vec;

use openpgp_card_applet::apdu::CommandApdu;
use openpgp_card_applet::spec::Slot;
use openpgp_card_applet::tlv::Writer;

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

/// PSO:DECIPHER's ECDH input: `A6 { 7F49 { 86 point } }`.
pub fn ecdh_template(point: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; point.len() + 16];
    let mut w = Writer::new(&mut out);
    let built = (|| {
        let a6 = w.open(0xA6)?;
        let key = w.open(0x7F49)?;
        w.put(0x86, point)?;
        w.close(key)?;
        w.close(a6)
    })();
    let n = if built.is_ok() { w.len() } else { 0 };
    out.truncate(n);
    out
}
