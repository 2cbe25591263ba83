//! Stored records that fail to decode: 6581 where the record is needed, never a panic, never a
//! silent return to default PINs, and a documented recovery (TERMINATE DF + ACTIVATE FILE).

mod common;
use common::*;
use openpgp_card_applet::RecordId;

fn personalised() -> Card {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    card.put_data(0x5B, b"Doe<<Jane");
    card.put_data(0xC7, &[7; 20]);
    card.put_data(0xC4, &[1]);
    card.cmd(0, 0x24, 0, 0x81, b"123456changed");
    card
}

fn damage(card: &mut Card, id: RecordId, f: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = card.storage().record(id).expect("record exists").to_vec();
    f(&mut bytes);
    card.storage_mut().set_raw(id, &bytes);
    card.power_cycle();
}

#[test]
fn bit_flip_in_the_pin_record_is_6581_not_default_pins() {
    let mut card = personalised();
    damage(&mut card, RecordId::SECURITY, |b| b[5] ^= 0x01);
    assert_sw(&card.select(), 0x9000);
    assert_sw(&card.verify(0x81, b"123456"), 0x6581);
    assert_sw(&card.verify(0x81, b"changed"), 0x6581);
    assert_sw(&card.get_data(0xC4), 0x6581);
    // Unrelated objects still work.
    assert_eq!(card.get_data(0x5B).data, b"Doe<<Jane");
    assert_eq!(card.get_data(0x4F).sw, 0x9000);
    // Recovery: PW3 is unusable, so TERMINATE needs no PIN; ACTIVATE resets everything.
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    card.select();
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    assert_eq!(card.get_data(0x5B).data, b"");
}

#[test]
fn truncated_and_unknown_version_records() {
    for id in [
        RecordId::SECURITY,
        RecordId::SETTINGS,
        RecordId::KEY[0],
        RecordId::CARDHOLDER,
    ] {
        let mut card = personalised();
        damage(&mut card, id, |b| b.truncate(b.len() / 2));
        card.select();
        let mut card2 = personalised();
        damage(&mut card2, id, |b| b[0] = 0x7F);
        card2.select();
        for card in [&mut card, &mut card2] {
            // Whatever fails, it fails with 6581, and the AID still reads.
            for tag in [0x6E, 0x65, 0xC4, 0x5F52, 0x7A, 0xC5] {
                let rsp = card.get_data(tag);
                assert!(
                    rsp.sw == 0x9000 || rsp.sw == 0x6581,
                    "{id:?} {tag:04X}: {:04X}",
                    rsp.sw
                );
            }
            assert_sw(&card.get_data(0x4F), 0x9000);
        }
    }
}

#[test]
fn corrupt_life_cycle_record_needs_terminate_first() {
    let mut card = personalised();
    card.send("00E60000");
    damage(&mut card, RecordId::LIFECYCLE, |b| b[3] ^= 0xFF);
    assert_sw(&card.select(), 0x9000);
    assert_sw(&card.get_data(0x6E), 0x6581);
    assert_sw(&card.send("00440000"), 0x6581);
    // VERIFY is refused while the life cycle is unknown, so PW3 counts as "not usable":
    // TERMINATE needs no PIN, and rewrites the record; ACTIVATE then resets the card.
    assert_sw(&card.verify(0x83, b"12345678"), 0x6581);
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    card.power_cycle();
    card.select();
    assert_sw(&card.get_data(0x6E), 0x9000);
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
}

/// Rewrites a record's payload with `f` and gives it a valid CRC again: damage the CRC cannot
/// catch (a bug, or a deliberate write to the flash).
fn rewrite(card: &mut Card, id: RecordId, f: impl FnOnce(&mut Vec<u8>)) {
    damage(card, id, |bytes| {
        bytes.truncate(bytes.len() - 4);
        f(bytes);
        let crc = openpgp_card_applet::state::records::envelope::crc32(bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
    });
}

/// A stored retry counter the card could never have written (above `Config::max_tries`, or
/// tries on an unset Resetting Code) is a damaged record (6581), not extra guesses.
#[test]
fn retry_counters_out_of_range_are_a_damaged_record() {
    // Payload: 01 L { tries ‖ PW1 }, 02 L { tries ‖ RC }, 03 L { tries ‖ PW3 }, 04 L { KDF }.
    const PW1_TRIES: usize = 2 + 2; // version, kind, tag 01, length
    fn set_unset_rc(b: &mut [u8]) {
        let rc = PW1_TRIES + usize::from(b[PW1_TRIES - 1]) + 2;
        assert_eq!(b[rc - 2..rc], [0x02, 0x01], "RC unset: its tries byte only");
        b[rc] = 1;
    }
    type Edit = fn(&mut [u8]);
    let cases: [(&str, Edit); 3] = [
        ("PW1 at 4 of 3", |b| b[PW1_TRIES] = 4),
        ("PW1 at 255", |b| b[PW1_TRIES] = 0xFF),
        ("tries on an unset Resetting Code", set_unset_rc),
    ];
    for (what, edit) in cases {
        let mut card = personalised();
        rewrite(&mut card, RecordId::SECURITY, |b| edit(b));
        card.select();
        assert_eq!(card.verify(0x81, b"changed").sw, 0x6581, "{what}");
        assert_eq!(card.get_data(0xC4).sw, 0x6581, "{what}");
    }
    // The same rewrite with the counter in range is accepted (the rewrite itself is sound).
    let mut card = personalised();
    rewrite(&mut card, RecordId::SECURITY, |b| b[PW1_TRIES] = 2);
    card.select();
    assert_eq!(card.tries(), [2, 0, 3]);
    assert_sw(&card.verify(0x81, b"changed"), 0x9000);
}
