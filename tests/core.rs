//! Scenario tests for the core crate: SELECT, the fixed data objects byte for byte, unknown
//! AIDs and instructions, power reset. Public API and in-memory backends only.

mod common;
use common::*;
use openpgp_card_applet::Config;

const AID: &str = "D2760001240103 04 FFFF 00000001 0000";
const HISTORICAL: &str = "0031C073C001C0059000";

#[test]
fn select_by_prefix_and_by_full_aid() {
    let mut card = Card::new();
    assert_sw(&card.select(), 0x9000);
    assert_eq!(card.select().data, Vec::<u8>::new());
    let full = hex(AID);
    assert_sw(&card.cmd(0, 0xA4, 0x04, 0x00, &full), 0x9000);
    assert_sw(&card.cmd(0, 0xA4, 0x04, 0x0C, &full[..8]), 0x9000);
}

#[test]
fn unknown_aids_are_6a82_and_change_nothing() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    for aid in [
        "A000000308",
        "D27600012402",
        "D276000124",
        "D2760001240103040000000000010000",
    ] {
        assert_sw(&card.cmd(0, 0xA4, 0x04, 0x00, &hex(aid)), 0x6A82);
    }
    // GnuPG's first probe: SELECT of the MF by file id.
    assert_sw(&card.send("00A4000C023F00"), 0x6A82);
    // The PIN state survived the failed selections.
    assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x9000);
}

#[test]
fn fixed_objects_have_exact_bytes() {
    let mut card = Card::new();
    card.select();
    let expect = |card: &mut Card, tag: u16, hex_value: &str| {
        let rsp = card.get_data(tag);
        assert_sw(&rsp, 0x9000);
        assert_eq!(to_hex(&rsp.data), to_hex(&hex(hex_value)), "tag {tag:04X}");
    };
    expect(&mut card, 0x004F, AID);
    expect(&mut card, 0x5F52, HISTORICAL);
    expect(&mut card, 0x7F66, "7F66 08 0202 1000 0202 1000");
    expect(&mut card, 0x7F74, "7F74 03 810120");
    expect(&mut card, 0x00C0, "7F 00 00FF 0C00 00FF 00 01");
    expect(&mut card, 0x00C4, "00 40 40 40 03 00 03");
}

#[test]
fn configuration_reaches_the_aid_and_capabilities() {
    let config = Config {
        manufacturer: 0xF1D0,
        serial: 0xCAFE_0042,
        max_certificate_len: 2048,
        max_command_len: 3000,
        ..Config::default()
    };
    let mut card = Card::with_config(config);
    card.select();
    assert_eq!(
        to_hex(&card.get_data(0x4F).data),
        "D276000124010304F1D0CAFE00420000"
    );
    let c0 = card.get_data(0xC0).data;
    assert_eq!(&c0[4..6], &[0x08, 0x00]);
    assert_eq!(
        to_hex(&card.get_data(0x7F66).data),
        "7F660802020BB802021000"
    );
}

#[test]
fn application_related_data_contains_everything() {
    let mut card = Card::new();
    card.select();
    let rsp = card.get_data(0x6E);
    assert_sw(&rsp, 0x9000);
    let d = rsp.data;
    let mut reader = openpgp_card_applet::tlv::Reader::new(&d);
    let outer = reader.tlv().expect("6E is one TLV");
    assert_eq!(outer.tag, 0x6E);
    assert!(reader.is_empty(), "nothing after 6E");
    let h = to_hex(&d);
    for part in [
        format!("4F10{}", to_hex(&hex(AID))),
        format!("5F520A{HISTORICAL}"),
        "7F66080202100002021000".into(),
        "7F7403810120".into(),
        "C00A7F0000FF".into(),
        "C106010800002000".into(),
        "C206010800002000".into(),
        "C306010800002000".into(),
        "C40700404040030003".into(),
        format!("C53C{}", "00".repeat(60)),
        format!("C63C{}", "00".repeat(60)),
        format!("CD0C{}", "00".repeat(12)),
        "DE06010002000300".into(),
        "D6020020D7020020D8020020".into(),
    ] {
        assert!(h.contains(&part), "6E lacks {part}: {h}");
    }
    // 73 is a constructed DO inside 6E with its own tag.
    assert!(h.contains("7381"), "{h}");
}

#[test]
fn get_data_is_served_with_get_response_for_short_le() {
    let mut card = Card::new();
    card.select();
    let first = card.send("00CA006E00");
    assert_eq!(first.sw >> 8, 0x61);
    assert_eq!(first.data.len(), 256);
    let extended = card.send("00CA006E000000");
    assert_sw(&extended, 0x9000);
    let rest = card.cmd_all(0xCA, 0, 0x6E, &[]);
    assert_eq!(rest.data, extended.data);
}

#[test]
fn unknown_instruction_and_unknown_do() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.send("00FE000000"), 0x6D00);
    assert_sw(&card.send("0050000000"), 0x6D00);
    assert_sw(&card.send("00CA012300"), 0x6A88);
    assert_eq!(card.send("00CA00F900").data, [0x81, 0x01, 0x00]); // KDF-DO: none yet
    assert_sw(&card.send("80CA006E00"), 0x6E00);
    assert_sw(&card.send("0CCA006E00"), 0x6882);
    assert_sw(&card.send("01CA006E00"), 0x6881);
}

#[test]
fn power_reset_clears_volatile_state_only() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.verify(0x83, b"12345678"), 0x9000);
    assert_sw(
        &card.put_data(0x5F50, b"https://example.org/key.asc"),
        0x9000,
    );
    // A response waiting for GET RESPONSE and a chain in progress.
    assert_eq!(card.send("00CA006E01").sw >> 8, 0x61);
    assert_sw(&card.send("10DA005E0161"), 0x9000);
    card.applet
        .power_on(openpgp_card_applet::Transport::Contact);
    assert_sw(&card.send("00C0000000"), 0x6985);
    // The chain was forgotten: this block is a command of its own.
    assert_sw(&card.send("00DA005E0162"), 0x6982); // and PW3 is no longer verified
    assert_sw(&card.cmd(0, 0x20, 0, 0x83, &[]), 0x63C3);
    assert_eq!(card.get_data(0x5F50).data, b"https://example.org/key.asc");
}

#[test]
fn deselect_clears_pin_status() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    card.applet.deselect();
    card.select();
    assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x63C3);
}

#[test]
fn every_response_fits_and_ends_with_a_status_word() {
    let mut card = Card::new();
    let mut out = [0u8; 2];
    // Only room for the status word: data waits for GET RESPONSE.
    let n = card.applet.process(&hex("00CA004F00"), &mut out);
    assert_eq!((n, out), (2, [0x61, 0x10]));
    let mut none = [0u8; 1];
    assert_eq!(card.applet.process(&hex("00CA004F00"), &mut none), 0);
}
