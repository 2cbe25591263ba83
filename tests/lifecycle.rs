//! TERMINATE DF / ACTIVATE FILE (spec §7.2.16–7.2.17) and GnuPG's factory-reset sequence.

mod common;
use common::*;

/// Personalises every kind of state so a reset can be checked to clear it all.
fn personalise(card: &mut Card) {
    card.select();
    card.verify_admin();
    for (tag, value) in [
        (0x5B, &b"Doe<<Jane"[..]),
        (0x5F50, b"https://example.org"),
        (0x5E, b"jane"),
        (0x0102, b"private"),
        (0xC4, &[1]),
        (0xC7, &[7; 20]),
        (0xCA, &[9; 20]),
        (0xCE, &[1, 2, 3, 4]),
        (0xD6, &[1, 0x20]),
        (0x7F21, b"certificate"),
        (0xD3, b"resetcode"),
    ] {
        assert_sw(&card.put_data(tag, value), 0x9000);
    }
    assert_sw(&card.cmd(0, 0x24, 0, 0x81, b"123456other-pin"), 0x9000);
    assert_sw(&card.cmd(0, 0x24, 0, 0x83, b"12345678other-admin"), 0x9000);
}

fn assert_factory_fresh(card: &mut Card) {
    let fresh = &mut Card::new();
    fresh.select();
    card.select();
    for tag in [
        0x6E, 0x65, 0x5F50, 0x5E, 0x0101, 0x0102, 0x7F21, 0xC4, 0x7A, 0xF9, 0xD6, 0x5F52,
    ] {
        assert_eq!(card.get_data(tag), fresh.get_data(tag), "tag {tag:04X}");
    }
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    assert_sw(&card.verify(0x83, b"12345678"), 0x9000);
    assert_eq!(card.tries(), [3, 0, 3]);
}

#[test]
fn terminate_needs_pw3_unless_blocked() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.send("00E60000"), 0x6982);
    card.verify_admin();
    assert_sw(&card.send("00E60000"), 0x9000);
    let mut card = Card::new();
    card.select();
    for _ in 0..3 {
        card.verify(0x83, b"00000000");
    }
    assert_sw(&card.send("00E60000"), 0x9000);
}

#[test]
fn terminated_state_allows_only_select_activate_terminate() {
    let mut card = Card::new();
    personalise(&mut card);
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_eq!(card.get_data(0x5F52).sw, 0x6285);
    assert_sw(&card.select(), 0x6285);
    for apdu in [
        "00CA006E00",
        "0020008106313233343536",
        "00DA005B0141",
        "0044000100",
        "00FE0000",
    ] {
        let rsp = card.send(apdu);
        assert!(
            rsp.sw == 0x6285 || rsp.sw == 0x6A86 || rsp.sw == 0x6D00,
            "{apdu}: {:04X}",
            rsp.sw
        );
    }
    assert_sw(&card.send("00CA006E00"), 0x6285);
    // Survives a power cycle, then TERMINATE again is fine.
    card.power_cycle();
    assert_sw(&card.select(), 0x6285);
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    assert_factory_fresh(&mut card);
    assert_eq!(card.get_data(0x5F52).data[7], 0x05);
}

#[test]
fn activate_in_operational_state_changes_nothing() {
    let mut card = Card::new();
    personalise(&mut card);
    assert_sw(&card.send("00440000"), 0x9000);
    card.select();
    assert_eq!(card.get_data(0x5B).data, b"Doe<<Jane");
    assert_sw(&card.verify(0x83, b"other-admin"), 0x9000);
}

#[test]
fn gnupg_factory_reset_sequence() {
    let mut card = Card::new();
    personalise(&mut card);
    card.power_cycle();
    assert_sw(&card.select(), 0x9000);
    // What scdaemon sends (gpg --edit-card, factory-reset), status words ignored.
    for _ in 0..4 {
        card.cmd(0, 0x20, 0, 0x81, &[0x40; 32]);
    }
    for _ in 0..4 {
        card.cmd(0, 0x20, 0, 0x83, &[0x40; 32]);
    }
    assert_eq!(card.tries(), [0, 3, 0]);
    assert_sw(&card.send("00e60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    assert!(card.storage().ids().next().is_none(), "no record left");
    card.power_cycle();
    assert_factory_fresh(&mut card);
}

#[test]
fn historical_bytes_show_the_life_cycle() {
    let mut card = Card::new();
    card.select();
    assert_eq!(card.get_data(0x5F52).data[7], 0x05);
    card.verify_admin();
    card.send("00E60000");
    // In the terminated state only SELECT answers (6285); the LCS is 03 in the ATR's
    // historical bytes, which the firmware reads through the same function.
    assert_sw(&card.select(), 0x6285);
}

#[test]
fn a_cut_during_activate_leaves_the_card_terminated_and_activate_completes() {
    use openpgp_card_applet::{RecordId, Storage};
    let mut card = Card::new();
    personalise(&mut card);
    card.power_cycle();
    card.select();
    assert_sw(&card.verify(0x83, b"other-admin"), 0x9000);
    assert_sw(&card.send("00E60000"), 0x9000);
    // ACTIVATE removes the records one by one, the life-cycle record last. Cut after each
    // prefix of those removals: the card must still be terminated, and ACTIVATE must finish.
    let ids: Vec<RecordId> = RecordId::ALL
        .iter()
        .copied()
        .filter(|id| *id != RecordId::LIFECYCLE)
        .collect();
    for cut in 0..=ids.len() {
        let mut storage = card.storage().clone();
        for id in &ids[..cut] {
            storage.remove(*id).unwrap();
        }
        let mut after = Card::from_storage(card.config.clone(), storage);
        assert_sw(&after.select(), 0x6285);
        assert_sw(&after.verify(0x81, b"123456"), 0x6285);
        assert_sw(&after.send("00440000"), 0x9000);
        assert_factory_fresh(&mut after);
    }
}
