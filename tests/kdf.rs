//! KDF-DO F9 (spec §4.3.2) and both GnuPG set-up flows.

mod common;
use common::*;
use sha2::{Digest, Sha256};

/// OpenPGP iterated+salted S2K (RFC 4880 §3.7.1.3) with SHA-256, as GnuPG computes it.
fn s2k(pin: &[u8], salt: &[u8], count: usize) -> Vec<u8> {
    let mut data = salt.to_vec();
    data.extend_from_slice(pin);
    let count = count.max(data.len());
    let mut hasher = Sha256::new();
    let mut left = count;
    while left > 0 {
        let n = left.min(data.len());
        hasher.update(&data[..n]);
        left -= n;
    }
    hasher.finalize().to_vec()
}

const SALT_PW1: [u8; 8] = *b"01234567";
const SALT_RC: [u8; 8] = [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17];
const SALT_PW3: [u8; 8] = *b"ABCDEFGH";
const COUNT: usize = 100_000;

/// The spec's example KDF-DO (without the outer F9 tag, as PUT DATA sends it).
fn spec_example() -> Vec<u8> {
    let mut body = hex("810103 820108 8304000186A0");
    body.extend_from_slice(&[0x84, 8]);
    body.extend_from_slice(&SALT_PW1);
    body.extend_from_slice(&[0x85, 8]);
    body.extend_from_slice(&SALT_RC);
    body.extend_from_slice(&[0x86, 8]);
    body.extend_from_slice(&SALT_PW3);
    body.extend_from_slice(&[0x87, 0x20]);
    body.extend_from_slice(&s2k(b"123456", &SALT_PW1, COUNT));
    body.extend_from_slice(&[0x88, 0x20]);
    body.extend_from_slice(&s2k(b"12345678", &SALT_PW3, COUNT));
    body
}

#[test]
fn spec_worked_example_hashes() {
    assert_eq!(
        to_hex(&s2k(b"123456", &SALT_PW1, COUNT)),
        "773784A602B6C81E3F092F4D7D00E17CC822D88F7360FCF2D2EF2D9D901F44B6"
    );
    assert_eq!(
        to_hex(&s2k(b"12345678", &SALT_PW3, COUNT)),
        "2675D6164A0D4827D1D00C7EEA620D015C00030A1CAB38B4D0DD600B27DC9630"
    );
    // The spec's header says "F9 5E", but its content adds up to 110 bytes: the same size as
    // the three-salt KDF-DO that GnuPG writes.
    assert_eq!(spec_example().len(), 110);
}

#[test]
fn gnupg_22_flow_writes_f9_and_then_sends_hashes() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.put_data(0xF9, &spec_example()), 0x6982);
    card.verify_admin();
    card.put_data(0xD3, b"resetcode");
    assert_sw(&card.put_data(0xF9, &spec_example()), 0x9000);
    // Read back bare (no outer F9 tag), as GnuPG expects.
    assert_eq!(card.get_data(0xF9).data, spec_example());
    // Every verification was forgotten; the Resetting Code could not match a hash any more.
    assert_sw(&card.cmd(0, 0x20, 0, 0x83, &[]), 0x63C3);
    assert_eq!(card.tries(), [3, 0, 3]);
    assert_sw(
        &card.verify(0x82, &s2k(b"123456", &SALT_PW1, COUNT)),
        0x9000,
    );
    assert_sw(
        &card.verify(0x83, &s2k(b"12345678", &SALT_PW3, COUNT)),
        0x9000,
    );
    // The plain PIN is now wrong.
    assert_sw(&card.verify(0x81, b"123456"), 0x6982);
    assert_eq!(card.tries(), [2, 0, 3]);
    // Changing the PIN keeps working with hashes.
    let mut data = s2k(b"123456", &SALT_PW1, COUNT);
    data.extend_from_slice(&s2k(b"654321", &SALT_PW1, COUNT));
    assert_sw(&card.cmd(0, 0x24, 0, 0x81, &data), 0x9000);
    card.power_cycle();
    card.select();
    assert_sw(
        &card.verify(0x81, &s2k(b"654321", &SALT_PW1, COUNT)),
        0x9000,
    );
    assert_eq!(card.get_data(0xF9).data, spec_example());
}

#[test]
fn newer_gnupg_flow_ends_in_the_same_state() {
    let mut card = Card::new();
    card.select();
    let pw1 = s2k(b"123456", &SALT_PW1, COUNT);
    let pw3 = s2k(b"12345678", &SALT_PW3, COUNT);
    let mut data = b"12345678".to_vec();
    data.extend_from_slice(&pw3);
    assert_sw(&card.cmd(0, 0x24, 0, 0x83, &data), 0x9000);
    let mut data = b"123456".to_vec();
    data.extend_from_slice(&pw1);
    assert_sw(&card.cmd(0, 0x24, 0, 0x81, &data), 0x9000);
    assert_sw(&card.verify(0x83, &pw3), 0x9000);
    assert_sw(&card.put_data(0xD3, &[]), 0x9000);
    assert_sw(&card.put_data(0xF9, &spec_example()), 0x9000);
    assert_eq!(card.tries(), [3, 0, 3]);
    assert_sw(&card.verify(0x82, &pw1), 0x9000);
    assert_sw(&card.verify(0x83, &pw3), 0x9000);
}

#[test]
fn kdf_off_returns_to_plain_factory_pins() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    card.put_data(0xF9, &spec_example());
    assert_sw(
        &card.verify(0x83, &s2k(b"12345678", &SALT_PW3, COUNT)),
        0x9000,
    );
    assert_sw(&card.put_data(0xF9, &hex("810100")), 0x9000);
    assert_eq!(card.get_data(0xF9).data, hex("810100"));
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_sw(&card.verify(0x83, b"12345678"), 0x9000);
}

#[test]
fn malformed_kdf_do_is_rejected_and_changes_nothing() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    let mut wrong_len_hash = spec_example();
    wrong_len_hash.truncate(wrong_len_hash.len() - 1);
    for bad in [
        hex("810105"),
        hex("8101"),
        hex("820108"),
        hex("810103820108"),
        wrong_len_hash,
        vec![0x81; 300],
    ] {
        let rsp = card.put_data(0xF9, &bad);
        assert!(
            rsp.sw == 0x6A80 || rsp.sw == 0x6700,
            "{}: {:04X}",
            to_hex(&bad),
            rsp.sw
        );
    }
    assert_eq!(card.get_data(0xF9).data, hex("810100"));
    assert_sw(&card.cmd(0, 0x20, 0, 0x83, &[]), 0x9000);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
}

#[test]
fn kdf_is_announced() {
    let mut card = Card::new();
    card.select();
    assert_eq!(card.get_data(0xC0).data[0] & 0x01, 0x01);
}
