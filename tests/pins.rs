//! PIN scenarios (spec §4.3, §7.2.2–7.2.4): VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER,
//! the Resetting Code, 81/82 independence and persistence across power cycles.

mod common;
use common::*;

#[test]
fn verify_right_and_wrong_pins() {
    let mut card = Card::new();
    card.select();
    // A wrong PIN is 6982 (`Config::wrong_pin_status`'s default); C4 tells the tries left.
    assert_sw(&card.verify(0x81, b"654321"), 0x6982);
    assert_eq!(card.tries(), [2, 0, 3]);
    assert_sw(&card.verify(0x82, b"654321"), 0x6982);
    assert_eq!(card.tries(), [1, 0, 3]);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_eq!(card.tries(), [3, 0, 3], "a right PIN restores the counter");
    assert_sw(&card.verify(0x83, b"87654321"), 0x6982);
    assert_eq!(card.tries(), [3, 0, 2]);
    assert_sw(&card.verify(0x83, b"12345678"), 0x9000);
    assert_eq!(card.tries(), [3, 0, 3]);
}

#[test]
fn blocking_and_6983() {
    let mut card = Card::new();
    card.select();
    for left in [2, 1, 0] {
        assert_sw(&card.verify(0x81, b"000000"), 0x6982);
        assert_eq!(card.tries()[0], left);
    }
    assert_sw(&card.verify(0x81, b"123456"), 0x6983);
    assert_sw(&card.verify(0x82, b"123456"), 0x6983);
    assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x63C0);
    card.power_cycle();
    card.select();
    assert_sw(&card.verify(0x81, b"123456"), 0x6983);
    assert_eq!(card.tries(), [0, 0, 3]);
}

#[test]
fn pin_outside_the_length_limits_is_6700_and_costs_nothing() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.verify(0x81, b"12345"), 0x6700);
    assert_sw(&card.verify(0x83, b"1234567"), 0x6700);
    assert_sw(&card.verify(0x82, &[b'1'; 65]), 0x6700);
    assert_eq!(card.tries(), [3, 0, 3]);
    // GnuPG's factory reset sends 32 bytes of 0x40: within the limits, so it is a try.
    assert_sw(&card.verify(0x81, &[0x40; 32]), 0x6982);
    assert_sw(&card.verify(0x83, &[0x40; 32]), 0x6982);
    assert_eq!(card.tries(), [2, 0, 2]);
}

#[test]
fn status_query_and_reset_of_the_status() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C3);
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x9000);
    assert_sw(&card.send("0020FF81"), 0x9000);
    assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C3);
    // P1 = FF with data is malformed.
    assert_sw(&card.cmd(0, 0x20, 0xFF, 0x81, b"123456"), 0x6700);
    assert_sw(&card.send("0020008400"), 0x6A86);
}

#[test]
fn pw1_references_81_and_82_are_independent() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C3);
    assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x9000);
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    // VERIFY FF resets "the addressed password" (§7.2.2): 81 and 82 both address PW1, so
    // either ends both states (yubikit's `unverify_pin` sends only FF 81).
    assert_sw(&card.send("0020FF82"), 0x9000);
    assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C3);
    assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x63C3);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    assert_sw(&card.send("0020FF81"), 0x9000);
    assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C3);
    assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x63C3);
    // PW3 is another password: untouched.
    card.verify_admin();
    assert_sw(&card.send("0020FF81"), 0x9000);
    assert_sw(&card.cmd(0, 0x20, 0, 0x83, &[]), 0x9000);
    // A wrong VERIFY 81 clears 81 only.
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_sw(&card.verify(0x81, b"999999"), 0x6982);
    assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C2);
    assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x9000);
    // Access by 82: private DO 0103 is readable with 82, not with 81 alone.
    card.power_cycle();
    card.select();
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    assert_sw(&card.get_data(0x0103), 0x6982);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_sw(&card.get_data(0x0103), 0x9000);
}

#[test]
fn change_reference_data_pw1_and_pw3() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.cmd(0, 0x24, 0, 0x81, b"123456new-pin"), 0x9000);
    assert_sw(&card.verify(0x82, b"123456"), 0x6982);
    assert_sw(&card.verify(0x82, b"new-pin"), 0x9000);
    assert_sw(&card.cmd(0, 0x24, 0, 0x83, b"12345678admin-pin-2"), 0x9000);
    assert_sw(&card.verify(0x83, b"admin-pin-2"), 0x9000);
    card.power_cycle();
    card.select();
    assert_sw(&card.verify(0x81, b"new-pin"), 0x9000);
    assert_sw(&card.verify(0x83, b"admin-pin-2"), 0x9000);
}

#[test]
fn change_reference_data_errors() {
    let mut card = Card::new();
    card.select();
    // Wrong old PIN costs a try.
    assert_sw(&card.cmd(0, 0x24, 0, 0x81, b"654321abcdefg"), 0x6982);
    // Data shorter than the stored PIN is a wrong PIN too.
    assert_sw(&card.cmd(0, 0x24, 0, 0x81, b"1234"), 0x6982);
    assert_eq!(card.tries(), [1, 0, 3]);
    // Right old PIN, new PIN too short: 6700, counter restored, PIN unchanged.
    assert_sw(&card.cmd(0, 0x24, 0, 0x81, b"12345612345"), 0x6700);
    assert_eq!(card.tries(), [3, 0, 3]);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    let mut too_long = b"12345678".to_vec();
    too_long.extend_from_slice(&[b'x'; 65]);
    assert_sw(&card.cmd(0, 0x24, 0, 0x83, &too_long), 0x6700);
    assert_sw(&card.cmd(0, 0x24, 0, 0x82, b"123456abcdefg"), 0x6A86);
    assert_sw(&card.cmd(0, 0x24, 1, 0x81, b"123456abcdefg"), 0x6A86);
    // A blocked PIN cannot be changed.
    for _ in 0..3 {
        card.verify(0x83, b"00000000");
    }
    assert_sw(&card.cmd(0, 0x24, 0, 0x83, b"12345678abcdefgh"), 0x6983);
}

#[test]
fn resetting_code_set_use_delete() {
    let mut card = Card::new();
    card.select();
    // No Resetting Code: RRC with it is blocked; setting it needs PW3.
    assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"rc-code1newpin"), 0x6983);
    assert_sw(&card.put_data(0xD3, b"rc-code1"), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0xD3, b"short"), 0x6700);
    assert_sw(&card.put_data(0xD3, &[b'r'; 65]), 0x6700);
    assert_sw(&card.put_data(0xD3, b"rc-code1"), 0x9000);
    assert_eq!(card.tries(), [3, 3, 3]);
    assert_sw(&card.get_data(0xD3), 0x6A88); // write-only
                                             // Block PW1, then unblock with the code.
    card.power_cycle();
    card.select();
    for _ in 0..3 {
        card.verify(0x81, b"000000");
    }
    assert_eq!(card.tries(), [0, 3, 3]);
    assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"rc-wrongnewpin"), 0x6982);
    assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"rc-code1abc"), 0x6700);
    assert_eq!(
        card.tries(),
        [0, 3, 3],
        "right code, bad new PIN: code counter restored"
    );
    assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"rc-code1newpin"), 0x9000);
    assert_eq!(card.tries(), [3, 3, 3]);
    assert_sw(&card.verify(0x81, b"newpin"), 0x9000);
    // Delete it.
    card.verify_admin();
    assert_sw(&card.put_data(0xD3, &[]), 0x9000);
    assert_eq!(card.tries(), [3, 0, 3]);
    assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"rc-code1newpin"), 0x6983);
}

#[test]
fn resetting_code_blocks_after_three_wrong_tries() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    card.put_data(0xD3, b"rc-code1");
    for left in [2, 1, 0] {
        assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"rc-code2newpin"), 0x6982);
        assert_eq!(card.tries()[1], left);
    }
    assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"rc-code1newpin"), 0x6983);
    assert_eq!(card.tries(), [3, 0, 3]);
}

#[test]
fn reset_retry_counter_by_admin() {
    let mut card = Card::new();
    card.select();
    for _ in 0..3 {
        card.verify(0x82, b"000000");
    }
    assert_sw(&card.cmd(0, 0x2C, 2, 0x81, b"fresh-pin"), 0x6982);
    card.verify_admin();
    assert_sw(&card.cmd(0, 0x2C, 2, 0x81, b"12345"), 0x6700);
    assert_sw(&card.cmd(0, 0x2C, 2, 0x81, b"fresh-pin"), 0x9000);
    assert_eq!(card.tries(), [3, 0, 3]);
    assert_sw(&card.verify(0x82, b"fresh-pin"), 0x9000);
    assert_sw(&card.cmd(0, 0x2C, 3, 0x81, b"fresh-pin"), 0x6A86);
}

#[test]
fn kdf_hashed_pins_of_32_and_64_bytes_work() {
    let mut card = Card::new();
    card.select();
    let hashed = [0xA5u8; 32];
    let mut data = b"123456".to_vec();
    data.extend_from_slice(&hashed);
    assert_sw(&card.cmd(0, 0x24, 0, 0x81, &data), 0x9000);
    assert_sw(&card.verify(0x82, &hashed), 0x9000);
    let long = [0x5Au8; 64];
    let mut data = b"12345678".to_vec();
    data.extend_from_slice(&long);
    assert_sw(&card.cmd(0, 0x24, 0, 0x83, &data), 0x9000);
    assert_sw(&card.verify(0x83, &long), 0x9000);
}
