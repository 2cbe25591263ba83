//! AES through PSO:DECIPHER/ENCIPHER (spec §7.2.11–7.2.12) and MANAGE SECURITY ENVIRONMENT
//! (§7.2.18).

mod common;
use common::*;

/// NIST SP 800-38A F.2.1 (CBC-AES128) and F.2.5 (CBC-AES256) with the IV folded into the
/// first block, so that the card's zero IV gives the published ciphertext.
fn vectors() -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let plain = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
    let iv = hex("000102030405060708090a0b0c0d0e0f");
    let mut folded = plain;
    for (p, v) in folded.iter_mut().zip(&iv) {
        *p ^= v;
    }
    vec![
        (hex("2b7e151628aed2a6abf7158809cf4f3c"), folded.clone(), hex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7")),
        (hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"), folded, hex("f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b")),
    ]
}

#[test]
fn aes_known_answers_through_pso() {
    for (key, plain, cipher) in vectors() {
        let mut card = Card::new();
        card.select();
        card.verify_admin();
        assert_sw(&card.put_data(0xD5, &key), 0x9000);
        assert_sw(&card.get_data(0xD5), 0x6A88);
        card.power_cycle();
        card.select();
        assert_sw(&card.cmd(0, 0x2A, 0x86, 0x80, &plain), 0x6982);
        card.verify(0x82, b"123456");
        let enc = card.cmd(0, 0x2A, 0x86, 0x80, &plain);
        assert_sw(&enc, 0x9000);
        assert_eq!(enc.data[0], 0x02);
        assert_eq!(enc.data[1..], cipher[..]);
        let mut data = vec![0x02];
        data.extend_from_slice(&cipher);
        let dec = card.cmd(0, 0x2A, 0x80, 0x86, &data);
        assert_sw(&dec, 0x9000);
        assert_eq!(dec.data, plain);
        assert_sw(
            &card.cmd(0, 0x2A, 0x80, 0x86, &data[..data.len() - 1]),
            0x6700,
        );
        assert_sw(&card.cmd(0, 0x2A, 0x86, 0x80, &plain[..15]), 0x6700);
    }
}

#[test]
fn aes_key_rules() {
    let mut card = Card::new();
    card.select();
    card.verify(0x82, b"123456");
    assert_sw(&card.cmd(0, 0x2A, 0x86, 0x80, &[0; 16]), 0x6A88);
    assert_sw(&card.cmd(0, 0x2A, 0x80, 0x86, &[0x02; 17]), 0x6A88);
    assert_sw(&card.put_data(0xD5, &[0; 16]), 0x6982);
    card.verify_admin();
    assert_sw(&card.put_data(0xD5, &[0; 15]), 0x6700);
    assert_sw(&card.put_data(0xD5, &[0; 24]), 0x6700);
    assert_sw(&card.put_data(0xD5, &[0; 32]), 0x9000);
    assert_eq!(card.get_data(0xC0).data[0] & 0x02, 0x02, "AES announced");
    // Factory reset removes it.
    for _ in 0..3 {
        card.verify(0x83, b"00000000");
    }
    card.send("00E60000");
    card.send("00440000");
    card.select();
    card.verify(0x82, b"123456");
    assert_sw(&card.cmd(0, 0x2A, 0x86, 0x80, &[0; 16]), 0x6A88);
}

#[test]
fn mse_swaps_keys_until_select_or_power_off() {
    let mut card = Card::with_rsa_dec_and_aut();
    let dec = card.rsa_public_key(0xB8);
    let aut = card.rsa_public_key(0xA4);
    let info = hex("3031300d0609608648016503040201050004200000000000000000000000000000000000000000000000000000000000000000");
    card.verify(0x82, b"123456");
    let scheme = || rsa::Pkcs1v15Sign::new_unprefixed();

    // Default: INTERNAL AUTHENTICATE uses AUT.
    let sig = card.cmd_all(0x88, 0, 0, &info).data;
    aut.verify(scheme(), &info, &sig).expect("AUT key");
    // Bind the DEC key to authentication.
    assert_sw(&card.send("0022 41A4 03 830102"), 0x9000);
    let sig = card.cmd_all(0x88, 0, 0, &info).data;
    dec.verify(scheme(), &info, &sig)
        .expect("DEC key after MSE");
    // Bind the AUT key to deciphering.
    assert_sw(&card.send("0022 41B8 03 830103"), 0x9000);
    let mut rng = openpgp_card_applet_testkit::backends::TestRng::seed_from_u64(3);
    let c = aut
        .encrypt(&mut rng, rsa::Pkcs1v15Encrypt, b"secret")
        .unwrap();
    let mut data = vec![0x00];
    data.extend_from_slice(&c);
    assert_eq!(card.cmd_all(0x2A, 0x80, 0x86, &data).data, b"secret");
    // SELECT resets both bindings; the PIN stays verified.
    card.select();
    let sig = card.cmd_all(0x88, 0, 0, &info).data;
    aut.verify(scheme(), &info, &sig)
        .expect("AUT again after SELECT");
    assert_sw(&card.cmd_all(0x2A, 0x80, 0x86, &data), 0x6A80);
    // Power-off resets them too.
    assert_sw(&card.send("0022 41A4 03 830102"), 0x9000);
    card.power_cycle();
    card.select();
    card.verify(0x82, b"123456");
    let sig = card.cmd_all(0x88, 0, 0, &info).data;
    aut.verify(scheme(), &info, &sig)
        .expect("AUT after power cycle");
    assert_eq!(card.get_data(0xC0).data[9], 0x01, "MSE announced");
}

#[test]
fn mse_refuses_what_the_algorithm_cannot_do() {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    card.put_data(0xC2, &hex("122B060104019755010501")); // X25519 in DEC
    card.put_data(0xC3, &hex("162B06010401DA470F01")); // Ed25519 in AUT
    assert_sw(&card.send("0022 41A4 03 830102"), 0x6985);
    assert_sw(&card.send("0022 41B8 03 830103"), 0x6985);
    assert_sw(&card.send("0022 41B8 03 830101"), 0x6A80);
    assert_sw(&card.send("0022 41B8 04 83020202"), 0x6A80);
    assert_sw(&card.send("0022 41B6 03 830102"), 0x6A86);
    assert_sw(&card.send("0022 81A4 03 830102"), 0x6A86);
}
