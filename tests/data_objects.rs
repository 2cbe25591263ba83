//! GET DATA / PUT DATA scenarios (spec §4.4, §7.2.5–7.2.8): access conditions, lengths,
//! constructed DOs, certificates and their occurrences, persistence.

mod common;
use common::*;

#[test]
fn cardholder_related_data_always_has_three_children() {
    let mut card = Card::new();
    card.select();
    assert_eq!(to_hex(&card.get_data(0x65).data), "65085B005F2D005F3500");
    card.verify_admin();
    assert_sw(&card.put_data(0x5B, b"Doe<<John"), 0x9000);
    assert_sw(&card.put_data(0x5F2D, b"deen"), 0x9000);
    assert_sw(&card.put_data(0x5F35, b"1"), 0x9000);
    let expected = format!(
        "6516 5B09{} 5F2D04{} 5F350131",
        to_hex(b"Doe<<John"),
        to_hex(b"deen")
    );
    assert_eq!(to_hex(&card.get_data(0x65).data), to_hex(&hex(&expected)));
    assert_eq!(card.get_data(0x5B).data, b"Doe<<John");
    assert_eq!(card.get_data(0x5F2D).data, b"deen");
    assert_eq!(card.get_data(0x5F35).data, b"1");
    card.power_cycle();
    card.select();
    assert_eq!(to_hex(&card.get_data(0x65).data), to_hex(&hex(&expected)));
}

#[test]
fn cardholder_field_limits() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.put_data(0x5B, b"Doe"), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0x5B, &[b'a'; 40]), 0x6700);
    assert_sw(&card.put_data(0x5B, &[b'a'; 39]), 0x9000);
    assert_sw(&card.put_data(0x5F2D, b"d"), 0x6700);
    assert_sw(&card.put_data(0x5F2D, b"dedeendefr"), 0x6700);
    assert_sw(&card.put_data(0x5F35, b"3"), 0x6A80);
    assert_sw(&card.put_data(0x5F35, b"12"), 0x6700);
    assert_sw(&card.put_data(0x5F35, b"9"), 0x9000);
    assert_sw(&card.put_data(0x5B, &[]), 0x9000);
    assert_eq!(to_hex(&card.get_data(0x65).data), "65095B005F2D005F350139");
}

#[test]
fn url_login_and_private_dos() {
    let mut card = Card::new();
    card.select();
    for tag in [0x5E, 0x5F50, 0x0101, 0x0102] {
        let rsp = card.get_data(tag);
        assert_sw(&rsp, 0x9000);
        assert!(rsp.data.is_empty(), "{tag:04X} empty by default");
    }
    // Private DO access (spec §4.4.2 table).
    assert_sw(&card.get_data(0x0103), 0x6982);
    assert_sw(&card.get_data(0x0104), 0x6982);
    assert_sw(&card.put_data(0x0101, b"one"), 0x6982);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_sw(&card.put_data(0x0101, b"one"), 0x9000);
    assert_sw(&card.put_data(0x0103, b"three"), 0x9000);
    assert_sw(&card.put_data(0x0102, b"two"), 0x6982);
    assert_sw(&card.put_data(0x5E, b"login"), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0x0102, b"two"), 0x9000);
    assert_sw(&card.put_data(0x0104, b"four"), 0x9000);
    assert_sw(&card.put_data(0x5E, b"jdoe"), 0x9000);
    assert_sw(&card.put_data(0x5F50, b"https://example.org"), 0x9000);
    assert_sw(&card.put_data(0x5F50, &[b'u'; 256]), 0x6700);
    card.power_cycle();
    card.select();
    assert_eq!(card.get_data(0x0101).data, b"one");
    assert_eq!(card.get_data(0x0102).data, b"two");
    assert_sw(&card.get_data(0x0104), 0x6982);
    card.verify(0x82, b"123456");
    assert_eq!(card.get_data(0x0103).data, b"three");
    card.verify_admin();
    assert_eq!(card.get_data(0x0104).data, b"four");
    assert_eq!(card.get_data(0x5E).data, b"jdoe");
    // An empty PUT DATA clears a variable-length DO.
    assert_sw(&card.put_data(0x5F50, &[]), 0x9000);
    assert_eq!(card.get_data(0x5F50).data, Vec::<u8>::new());
    assert_sw(&card.put_data(0x5F50, &[b'u'; 255]), 0x9000);
    assert_eq!(card.get_data(0x5F50).data.len(), 255);
}

#[test]
fn fingerprints_dates_and_ca_fingerprints() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.put_data(0xC7, &[1; 20]), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0xC7, &[1; 20]), 0x9000);
    assert_sw(&card.put_data(0xC8, &[2; 20]), 0x9000);
    assert_sw(&card.put_data(0xC9, &[3; 20]), 0x9000);
    assert_sw(&card.put_data(0xC9, &[3; 19]), 0x6700);
    assert_sw(&card.put_data(0xCE, &[0x60, 0, 0, 1]), 0x9000);
    assert_sw(&card.put_data(0xD0, &[0x60, 0, 0, 3]), 0x9000);
    assert_sw(&card.put_data(0xCF, &[0x60, 0, 0]), 0x6700);
    assert_sw(&card.put_data(0xCB, &[0xCB; 20]), 0x9000);
    card.power_cycle();
    card.select();
    let mut fps = vec![1u8; 20];
    fps.extend_from_slice(&[2; 20]);
    fps.extend_from_slice(&[3; 20]);
    assert_eq!(card.get_data(0xC5).data, fps);
    assert_eq!(
        to_hex(&card.get_data(0xCD).data),
        "600000010000000060000003"
    );
    let mut cas = vec![0u8; 20];
    cas.extend_from_slice(&[0xCB; 20]);
    cas.extend_from_slice(&[0; 20]);
    assert_eq!(card.get_data(0xC6).data, cas);
    let ard = to_hex(&card.get_data(0x6E).data);
    assert!(ard.contains(&format!("C53C{}", to_hex(&fps))));
    assert!(ard.contains(&format!("C63C{}", to_hex(&cas))));
}

#[test]
fn pw_status_byte_c4() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.put_data(0xC4, &[1]), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0xC4, &[1]), 0x9000);
    assert_eq!(card.get_data(0xC4).data[0], 1);
    assert_sw(&card.put_data(0xC4, &[0, 0x40, 0x40, 0x40]), 0x9000);
    assert_eq!(card.get_data(0xC4).data[0], 0);
    assert_sw(&card.put_data(0xC4, &[1, 0x20, 0x40, 0x40]), 0x6A80);
    assert_sw(&card.put_data(0xC4, &[2]), 0x6A80);
    assert_sw(&card.put_data(0xC4, &[1, 1]), 0x6700);
    assert_sw(&card.put_data(0xC4, &[1]), 0x9000);
    card.power_cycle();
    card.select();
    assert_eq!(card.get_data(0xC4).data, [1, 0x40, 0x40, 0x40, 3, 0, 3]);
}

#[test]
fn uif_bytes_are_stored_and_permanent_modes_lock() {
    let mut card = Card::new();
    card.select();
    assert_eq!(card.get_data(0xD6).data, [0x00, 0x20]);
    card.verify_admin();
    assert_sw(&card.put_data(0xD6, &[0x01, 0x20]), 0x9000);
    assert_sw(&card.put_data(0xD7, &[0x05, 0x20]), 0x6A80);
    assert_sw(&card.put_data(0xD7, &[0x01]), 0x6700);
    assert_sw(&card.put_data(0xD8, &[0x02, 0x20]), 0x9000);
    assert_sw(&card.put_data(0xD8, &[0x00, 0x20]), 0x6985);
    card.power_cycle();
    card.select();
    assert_eq!(card.get_data(0xD6).data, [0x01, 0x20]);
    assert_eq!(card.get_data(0xD8).data, [0x02, 0x20]);
    card.verify_admin();
    assert_sw(&card.put_data(0xD8, &[0x01, 0x20]), 0x6985);
}

#[test]
fn certificates_and_their_occurrences() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    let certs: Vec<Vec<u8>> = (0..3u8)
        .map(|i| (0..2100).map(|j| (j as u8) ^ i).collect())
        .collect();
    // Default occurrence after SELECT is the first (AUT); writes go where SELECT DATA points.
    for (occurrence, cert) in certs.iter().enumerate() {
        assert_sw(
            &card.cmd(0, 0xA5, occurrence as u8, 0x04, &hex("60045C027F21")),
            0x9000,
        );
        assert_sw(&card.put_data(0x7F21, cert), 0x9000);
    }
    card.power_cycle();
    card.select();
    // The walk: GET DATA, then GET NEXT DATA twice, then 6A88.
    assert_eq!(card.get_data(0x7F21).data, certs[0]);
    assert_eq!(card.cmd_all(0xCC, 0x7F, 0x21, &[]).data, certs[1]);
    assert_eq!(card.cmd_all(0xCC, 0x7F, 0x21, &[]).data, certs[2]);
    let last = if cfg!(feature = "attestation") {
        // The fourth occurrence: the attestation certificate FC (none provisioned here), as
        // Yubico documents ("GET NEXT DATA three times").
        let fc = card.cmd_all(0xCC, 0x7F, 0x21, &[]);
        assert_sw(&fc, 0x9000);
        fc.data
    } else {
        certs[2].clone()
    };
    assert_sw(&card.cmd_all(0xCC, 0x7F, 0x21, &[]), 0x6A88);
    assert_eq!(
        card.get_data(0x7F21).data,
        last,
        "the pointer stays on the last"
    );
    // SELECT resets the pointer to the first occurrence.
    card.select();
    assert_eq!(card.get_data(0x7F21).data, certs[0]);
    // The YubiKey form of SELECT DATA, with an extra length byte.
    assert_sw(
        &card.cmd(0, 0xA5, 0x02, 0x04, &hex("0660045C027F21")),
        0x9000,
    );
    assert_eq!(card.get_data(0x7F21).data, certs[2]);
    // Extended Le answers in one piece.
    let whole = card.send("00CA7F21000000");
    assert_sw(&whole, 0x9000);
    assert_eq!(whole.data, certs[2]);
}

#[test]
fn certificate_limits_and_select_data_errors() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.put_data(0x7F21, b"cert"), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0x7F21, &vec![0; 3073]), 0x6700);
    assert_sw(&card.put_data(0x7F21, &vec![0; 3072]), 0x9000);
    // Chained PUT DATA in 254-byte pieces, as GnuPG does without extended lengths.
    let cert: Vec<u8> = (0..1000).map(|i| i as u8).collect();
    let chunks: Vec<&[u8]> = cert.chunks(254).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let cla = if i + 1 < chunks.len() { 0x10 } else { 0x00 };
        assert_sw(&card.cmd(cla, 0xDA, 0x7F, 0x21, chunk), 0x9000);
    }
    assert_eq!(card.get_data(0x7F21).data, cert);
    let beyond = if cfg!(feature = "attestation") {
        0x04
    } else {
        0x03
    };
    assert_sw(
        &card.cmd(0, 0xA5, beyond, 0x04, &hex("60045C027F21")),
        0x6A86,
    );
    assert_sw(&card.cmd(0, 0xA5, 0x00, 0x05, &hex("60045C027F21")), 0x6A86);
    assert_sw(&card.cmd(0, 0xA5, 0x00, 0x04, &hex("60035C027F")), 0x6A80);
    assert_sw(&card.cmd(0, 0xA5, 0x00, 0x04, &hex("61045C027F21")), 0x6A80);
    assert_sw(
        &card.cmd(0, 0xA5, 0x00, 0x04, &hex("60045C027F2100")),
        0x6A80,
    );
    assert_sw(&card.cmd(0, 0xA5, 0x01, 0x04, &hex("60035C015E")), 0x6A88);
    assert_sw(&card.cmd(0, 0xA5, 0x00, 0x04, &hex("60035C015E")), 0x9000);
    assert_sw(&card.cmd_all(0xCC, 0x00, 0x5E, &[]), 0x6A88);
}

#[test]
fn read_only_and_unknown_tags() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    for tag in [
        0x4F, 0x6E, 0x65, 0xC0, 0xC5, 0x5F52, 0x7F74, 0xDE, 0x93, 0x1234,
    ] {
        assert_sw(&card.put_data(tag, &[0]), 0x6A88);
    }
    assert_sw(&card.get_data(0xD3), 0x6A88);
    assert_eq!(
        to_hex(&card.get_data(0x7A).data),
        "7A0593030000 00".replace(' ', "")
    );
    assert_eq!(card.get_data(0x93).data, [0, 0, 0]);
    assert_eq!(card.get_data(0xDE).data, [1, 0, 2, 0, 3, 0]);
    assert_eq!(card.get_data(0xC1).data, [1, 8, 0, 0, 0x20, 0]);
}
