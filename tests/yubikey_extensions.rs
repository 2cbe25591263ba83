//! What yubikit (Yubico's OpenPGP client library) needs beyond the spec, as YubiKeys answer
//! it: GET VERSION, the 17-bit RSA exponent form in FA, 6982 for a wrong PIN, VERIFY FF
//! resetting both PW1 states.

mod common;

use common::*;
use openpgp_card_applet::{Config, Storage, WrongPinStatus};

#[test]
fn get_version_answers_the_configured_version_in_every_life_cycle_state() {
    let mut card = Card::new();
    let rsp = card.send("00F1000000");
    assert_sw(&rsp, 0x9000);
    assert_eq!(rsp.data, Config::default().firmware_version);
    // yubikit reads the three bytes as BCD: 5.6.1 is past every version check it has.
    assert_eq!(rsp.data, [0x05, 0x06, 0x01]);
    let mut custom = Card::with_config(Config {
        firmware_version: [0x05, 0x07, 0x04],
        ..Config::default()
    });
    assert_eq!(custom.send("00F10000").data, [0x05, 0x07, 0x04]);
    // yubikit opens its session (SELECT, ACTIVATE if 6285, SELECT, GET VERSION) on a
    // terminated card to reset it: GET VERSION works there, and reveals nothing else.
    card.select();
    card.verify_admin();
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.select(), 0x6285);
    assert_sw(&card.send("00F10000"), 0x9000);
    assert_sw(&card.get_data(0x6E), 0x6285);
    assert_sw(&card.send("00440000"), 0x9000);
}

#[test]
fn get_version_with_bad_parameters_or_data_is_refused() {
    let mut card = Card::new();
    assert_sw(&card.send("00F1010000"), 0x6A86);
    assert_sw(&card.send("00F1000100"), 0x6A86);
    assert_sw(&card.send("00F100000100"), 0x6700);
}

/// The RSA entries of FA for one slot.
fn rsa_entries(fa: &[u8], tag: u8) -> Vec<Vec<u8>> {
    let mut outer = openpgp_card_applet::tlv::Reader::new(fa);
    let body = outer.expect(0xFA).expect("FA");
    openpgp_card_applet::tlv::Reader::new(body)
        .filter(|t| t.tag == u16::from(tag) && t.value.first() == Some(&0x01))
        .map(|t| t.value.to_vec())
        .collect()
}

#[test]
fn fa_announces_rsa_in_the_17_bit_form_and_both_widths_are_accepted() {
    let mut card = Card::new();
    card.select();
    let fa = card.get_data(0xFA);
    assert_sw(&fa, 0x9000);
    for tag in [0xC1, 0xC2, 0xC3] {
        let entries = rsa_entries(&fa.data, tag);
        let want: Vec<Vec<u8>> = ["0800", "0C00", "1000"]
            .iter()
            .map(|bits| hex(&format!("01{bits}001100")))
            .collect();
        // One entry per size: GnuPG 2.4 would list a second width as a second "rsa2048".
        assert_eq!(entries, want, "{tag:02X}");
    }
    // yubikit writes the 17-bit form and generates; GnuPG keeps the 32-bit one.
    card.verify_admin();
    assert_sw(&card.put_data(0xC1, &hex("010800001100")), 0x9000);
    assert_eq!(card.get_data(0xC1).data, hex("010800001100"));
    assert_sw(&card.generate(0xB6), 0x9000);
    assert_sw(&card.put_data(0xC2, &hex("010C00002000")), 0x9000);
    assert_eq!(card.get_data(0xC2).data, hex("010C00002000"));
}

#[test]
fn a_wrong_pin_answers_6982_by_default_and_63cx_when_configured() {
    for (status, wrong) in [
        (
            WrongPinStatus::SecurityStatusNotSatisfied,
            [0x6982, 0x6982, 0x6982, 0x6982],
        ),
        (
            WrongPinStatus::RemainingTries,
            [0x63C2, 0x63C1, 0x63C2, 0x63C0],
        ),
    ] {
        let mut card = Card::with_config(Config {
            wrong_pin_status: status,
            ..Config::default()
        });
        card.select();
        // VERIFY, CHANGE REFERENCE DATA (wrong old PIN), RESET RETRY COUNTER (wrong code).
        assert_sw(&card.verify(0x81, b"000000"), wrong[0]);
        assert_sw(&card.cmd(0, 0x24, 0, 0x81, b"000000654321"), wrong[1]);
        assert_eq!(card.tries(), [1, 0, 3], "{status:?}");
        // The status query is 63Cx with either setting (§7.2.2).
        assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C1);
        card.verify_admin();
        assert_sw(&card.put_data(0xD3, b"resetcode"), 0x9000);
        assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"resetcoxnewpin"), wrong[2]);
        assert_eq!(card.tries(), [1, 2, 3], "{status:?}");
        // Blocked is 6983 either way.
        assert_sw(&card.verify(0x81, b"000000"), wrong[3]);
        assert_sw(&card.verify(0x81, b"123456"), 0x6983);
    }
}

#[test]
fn verify_ff_with_either_pw1_reference_ends_both_pw1_states() {
    for reset in ["0020FF81", "0020FF82"] {
        let mut card = Card::new();
        card.select();
        assert_sw(&card.verify(0x82, b"123456"), 0x9000);
        assert_sw(&card.verify(0x81, b"123456"), 0x9000);
        assert_sw(&card.send(reset), 0x9000);
        assert_sw(&card.cmd(0, 0x20, 0, 0x81, &[]), 0x63C3);
        assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x63C3);
        // PSO:CDS and a PIN-protected DO read now need a new VERIFY.
        assert_sw(&card.send("002A9E9A0100"), 0x6982);
        assert_sw(&card.get_data(0x0103), 0x6982);
    }
}

#[test]
fn set_pin_retries_needs_pw3_and_three_values_in_range() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.cmd(0, 0xF2, 0, 0, &[5, 4, 6]), 0x6982);
    card.verify_admin();
    assert_sw(&card.cmd(0, 0xF2, 0, 0, &[5, 4]), 0x6700);
    assert_sw(&card.cmd(0, 0xF2, 0, 0, &[5, 4, 6, 7]), 0x6700);
    for bad in [[0, 3, 3], [3, 0, 3], [3, 3, 0], [16, 3, 3], [3, 3, 99]] {
        assert_sw(&card.cmd(0, 0xF2, 0, 0, &bad), 0x6A80);
    }
    assert_sw(&card.cmd(0, 0xF2, 1, 0, &[5, 4, 6]), 0x6A86);
    assert_eq!(card.tries(), [3, 0, 3], "nothing changed");
}

#[test]
fn set_pin_retries_sets_the_maxima_and_never_refills_a_used_counter() {
    let mut card = Card::new();
    card.select();
    for _ in 0..2 {
        assert_sw(&card.verify(0x81, b"000000"), 0x6982);
    }
    assert_eq!(card.tries(), [1, 0, 3]);
    card.verify_admin();
    assert_sw(&card.cmd(0, 0xF2, 0, 0, &[5, 4, 15]), 0x9000);
    // Full counters (PW3, just verified) take the new maximum; PW1, which has lost two
    // tries, keeps its one: PW3 cannot refill a PIN it is guessing. An unset Resetting Code
    // stays at 0. PW3 stays verified.
    assert_eq!(card.tries(), [1, 0, 15]);
    assert_sw(&card.cmd(0, 0x20, 0, 0x83, &[]), 0x9000);
    assert_sw(&card.put_data(0xD3, b"resetcode"), 0x9000);
    assert_eq!(card.tries(), [1, 4, 15]);
    // The next right PIN fills it up to its new maximum.
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_eq!(card.tries(), [5, 4, 15]);
    // A wrong PIN costs one of five; the status query shows it; a right one restores five.
    assert_sw(&card.verify(0x82, b"000000"), 0x6982);
    assert_sw(&card.cmd(0, 0x20, 0, 0x82, &[]), 0x63C4);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_eq!(card.tries(), [5, 4, 15]);
    // "Guess, SET PIN RETRIES, guess again" gains nothing; a lower maximum lowers counters.
    assert_sw(&card.verify(0x82, b"000000"), 0x6982);
    assert_sw(&card.cmd(0, 0xF2, 0, 0, &[5, 2, 15]), 0x9000);
    assert_eq!(card.tries(), [4, 2, 15]);
    // New PINs start with the new maximum.
    assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"resetcoxwrong!"), 0x6982);
    assert_sw(&card.cmd(0, 0x2C, 0, 0x81, b"resetcodefresh-pin"), 0x9000);
    assert_eq!(card.tries(), [5, 2, 15]);
    // PW3 blocks after fifteen wrong tries, not three.
    for _ in 0..14 {
        assert_sw(&card.verify(0x83, b"00000000"), 0x6982);
    }
    assert_sw(&card.cmd(0, 0x20, 0, 0x83, &[]), 0x63C1);
    assert_sw(&card.verify(0x83, b"12345678"), 0x9000);
    // Kept across power cycles.
    card.power_cycle();
    card.select();
    assert_eq!(card.tries(), [5, 2, 15]);
}

/// The refill of the security read of decf928: guess PW1 until one try is left, lower its
/// maximum to 1, raise it to 15. The counter must never gain a try through SET PIN RETRIES;
/// only the right PIN (or RESET RETRY COUNTER, or the factory reset) refills it.
#[test]
fn set_pin_retries_never_refills_a_counter_by_lowering_then_raising_its_maximum() {
    let mut card = Card::new();
    card.select();
    for _ in 0..2 {
        assert_sw(&card.verify(0x82, b"000000"), 0x6982);
    }
    assert_eq!(card.tries(), [1, 0, 3]);
    card.verify_admin();
    assert_sw(&card.send("00F2000003010303"), 0x9000);
    // Lowered below what it had lost: PW1 is blocked, not made to look full.
    assert_eq!(card.tries(), [0, 0, 3]);
    assert_sw(&card.send("00F20000030F0303"), 0x9000);
    assert_eq!(card.tries(), [0, 0, 3], "no try given back");
    assert_sw(&card.verify(0x82, b"123456"), 0x6983);

    // A counter that lost one try of three, taken down to two and up again, never gains it.
    let mut card = Card::new();
    card.select();
    assert_sw(&card.verify(0x82, b"000000"), 0x6982);
    card.verify_admin();
    for max in [2u8, 15, 3, 2, 15] {
        assert_sw(&card.cmd(0, 0xF2, 0, 0, &[max, 3, 3]), 0x9000);
        assert_eq!(card.tries()[0], 1, "after a maximum of {max}");
    }
    card.power_cycle();
    card.select();
    assert_eq!(card.tries()[0], 1);
    // The right PIN refills it, to the maximum in force.
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_eq!(card.tries()[0], 15);
}

/// GnuPG's, OpenSC's and yubikit's factory reset: block PW3 (wrong tries, as many as it has),
/// TERMINATE, ACTIVATE.
fn factory_reset(card: &mut Card) {
    card.select();
    let tries = card.tries()[2];
    for _ in 0..tries {
        assert_sw(&card.verify(0x83, b"00000000"), 0x6982);
    }
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    card.select();
}

#[test]
fn the_factory_reset_returns_to_the_retry_defaults() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    assert_sw(&card.cmd(0, 0xF2, 0, 0, &[7, 7, 7]), 0x9000);
    factory_reset(&mut card);
    assert_eq!(card.tries(), [3, 0, 3], "Config::max_tries for each");

    // The firmware's manufacturing step: other defaults, applied at once on a fresh card...
    let mut card = Card::new();
    assert_eq!(card.applet.set_retry_defaults([5, 4, 8]), Ok(()));
    card.select();
    assert_eq!(card.tries(), [5, 0, 8]);
    card.verify_admin();
    assert_sw(&card.put_data(0xD3, b"resetcode"), 0x9000);
    assert_eq!(card.tries(), [5, 4, 8]);
    assert_sw(&card.cmd(0, 0xF2, 0, 0, &[2, 2, 2]), 0x9000);
    // ...and what every factory reset returns to: the firmware's record survives it.
    factory_reset(&mut card);
    assert_eq!(card.tries(), [5, 0, 8]);
    card.power_cycle();
    card.select();
    assert_eq!(card.tries(), [5, 0, 8]);
    // On a card whose PINs were written, new defaults wait for the next factory reset.
    card.verify_admin();
    assert_eq!(card.applet.set_retry_defaults([9, 9, 9]), Ok(()));
    assert_eq!(card.tries(), [5, 0, 8]);
    factory_reset(&mut card);
    assert_eq!(card.tries(), [9, 0, 9]);
    // Out of range: refused, nothing changed.
    for bad in [[0, 3, 3], [3, 16, 3]] {
        assert_eq!(
            card.applet.set_retry_defaults(bad),
            Err(openpgp_card_applet::Status::IncorrectData)
        );
    }
    factory_reset(&mut card);
    assert_eq!(card.tries(), [9, 0, 9]);
}

#[test]
fn a_damaged_retry_defaults_record_is_6581_only_where_it_is_needed() {
    let mut card = Card::new();
    card.select();
    card.verify_admin(); // writes the security record
    let mut storage = card.storage().clone();
    storage.set_raw(openpgp_card_applet::RecordId::RETRY_DEFAULTS, &[1, 2]);
    let mut card = Card::from_storage(Config::default(), storage.clone());
    card.select();
    assert_eq!(card.tries(), [3, 0, 3], "the PINs have their own record");
    // A card with no security record needs the defaults: 6581 for the PIN commands.
    storage
        .remove(openpgp_card_applet::RecordId::SECURITY)
        .unwrap();
    let mut card = Card::from_storage(Config::default(), storage);
    card.select();
    assert_sw(&card.verify(0x81, b"123456"), 0x6581);
}
