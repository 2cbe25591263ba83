//! User presence: UIF D6–D8 per operation (spec §4.4.3.6), the touch cache time, contact-only
//! touch, and GET CHALLENGE (§7.2.15).

mod common;
use common::*;

use openpgp_card_applet::{Presence, Transport};

const SIG_KEY: [u8; 32] = [0x11; 32];
const AUT_KEY: [u8; 32] = [0x33; 32];
const DEC_KEY: [u8; 32] = [0x22; 32];

fn import(card: &mut Card, crt: u8, scalar: &[u8; 32]) {
    let data = openpgp_card_applet_testkit::import_template(crt, &[(0x92, scalar)]);
    assert_sw(&card.cmd(0, 0xDB, 0x3F, 0xFF, &data), 0x9000);
}

/// A card with Ed25519 SIG/AUT keys, an X25519 DEC key, an AES key, PW1 verified for all
/// operations and C4 byte 1 = 01 (so one VERIFY 81 serves every signature).
fn personalised() -> Card {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    card.put_data(0xC1, &hex("162B06010401DA470F01"));
    card.put_data(0xC3, &hex("162B06010401DA470F01"));
    card.put_data(0xC2, &hex("122B060104019755010501"));
    import(&mut card, 0xB6, &SIG_KEY);
    import(&mut card, 0xA4, &AUT_KEY);
    import(&mut card, 0xB8, &DEC_KEY);
    card.put_data(0xD5, &[0x42; 16]);
    card.put_data(0xC4, &[0x01]);
    card.verify(0x81, b"123456");
    card.verify(0x82, b"123456");
    card
}

fn set_uif(card: &mut Card, tag: u16, mode: u8) {
    card.verify_admin();
    assert_sw(&card.put_data(tag, &[mode, 0x20]), 0x9000);
}

/// The operation guarded by each UIF DO; returns its status word.
fn operate(card: &mut Card, tag: u16) -> u16 {
    match tag {
        0xD6 => card.cmd_all(0x2A, 0x9E, 0x9A, b"message").sw,
        0xD7 => {
            let mut data = hex("A6257F49228620");
            data.extend_from_slice(&[0x09; 32]);
            card.cmd_all(0x2A, 0x80, 0x86, &data).sw
        }
        _ => card.cmd_all(0x88, 0x00, 0x00, b"challenge").sw,
    }
}

fn asks(card: &mut Card) -> usize {
    card.user_presence().requests().len()
}

#[test]
fn uif_off_never_asks() {
    let mut card = personalised();
    for tag in [0xD6, 0xD7, 0xD8] {
        assert_eq!(operate(&mut card, tag), 0x9000);
    }
    assert_eq!(asks(&mut card), 0);
}

#[test]
fn uif_on_and_permanent_ask_every_time() {
    for mode in [0x01, 0x02] {
        for tag in [0xD6u16, 0xD7, 0xD8] {
            let mut card = personalised();
            set_uif(&mut card, tag, mode);
            let before = asks(&mut card);
            assert_eq!(operate(&mut card, tag), 0x9000);
            assert_eq!(operate(&mut card, tag), 0x9000);
            assert_eq!(asks(&mut card) - before, 2, "mode {mode:02X} tag {tag:X}");
            // The other operations are not affected.
            for other in [0xD6u16, 0xD7, 0xD8].into_iter().filter(|t| *t != tag) {
                assert_eq!(operate(&mut card, other), 0x9000);
            }
            assert_eq!(asks(&mut card) - before, 2);
            let timeout = card.applet.config().touch_timeout_ms;
            assert_eq!(card.user_presence().requests()[0], timeout);
        }
    }
}

#[test]
fn deny_and_timeout_give_6600_and_change_nothing() {
    for answer in [Presence::Denied, Presence::TimedOut] {
        let mut card = personalised();
        set_uif(&mut card, 0xD6, 0x01);
        set_uif(&mut card, 0xD7, 0x01);
        set_uif(&mut card, 0xD8, 0x01);
        card.user_presence().set_default(answer);
        for tag in [0xD6, 0xD7, 0xD8] {
            assert_eq!(operate(&mut card, tag), 0x6600);
        }
        assert_sw(&card.cmd(0, 0x2A, 0x86, 0x80, &[0; 16]), 0x6600);
        assert_eq!(
            card.get_data(0x93).data,
            [0, 0, 0],
            "no signature was counted"
        );
        // The PIN status is untouched: with the button confirming, it all works.
        card.user_presence().set_default(Presence::Confirmed);
        for tag in [0xD6, 0xD7, 0xD8] {
            assert_eq!(operate(&mut card, tag), 0x9000);
        }
        assert_eq!(card.get_data(0x93).data, [0, 0, 1]);
    }
}

/// Spec §7.2.2 and C4: with C4 byte 1 = 00, PW1 (81) is valid for one PSO:CDS. Once the
/// access check has passed, it is used up whatever the outcome: a refused or timed-out touch,
/// no key, a wrong length. Otherwise malware could ask for touch after touch on one PIN entry.
#[test]
fn a_forced_pin_is_used_up_by_every_pso_cds_that_passed_the_access_check() {
    for answer in [Presence::Denied, Presence::TimedOut] {
        let mut card = personalised();
        card.put_data(0xC4, &[0x00]);
        set_uif(&mut card, 0xD6, 0x01);
        card.verify(0x81, b"123456");
        card.user_presence().push(answer);
        assert_eq!(operate(&mut card, 0xD6), 0x6600);
        let before = asks(&mut card);
        assert_eq!(operate(&mut card, 0xD6), 0x6982, "{answer:?} kept the PIN");
        assert_eq!(asks(&mut card), before, "touch asked without a PIN");
        card.verify(0x81, b"123456");
        assert_eq!(operate(&mut card, 0xD6), 0x9000);
        assert_eq!(operate(&mut card, 0xD6), 0x6982);
    }
    // No key in SIG (6A88), then a P-256 key and an empty hash (6700).
    let mut card = Card::new();
    card.select();
    card.verify(0x81, b"123456");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[0x01; 32]), 0x6A88);
    card.verify_admin();
    assert_sw(&card.put_data(0xC1, &hex("132A8648CE3D030107")), 0x9000);
    import(&mut card, 0xB6, &SIG_KEY);
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[0x01; 32]), 0x6982);
    card.verify(0x81, b"123456");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[]), 0x6700);
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[0x01; 32]), 0x6982);
    // With C4 byte 1 = 01 the verification stays.
    card.verify_admin();
    card.put_data(0xC4, &[0x01]);
    card.verify(0x81, b"123456");
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[]), 0x6700);
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[0x01; 32]), 0x9000);
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &[0x01; 32]), 0x9000);
}

/// MSE (spec §7.2.18) swaps keys between DECIPHER and INTERNAL AUTHENTICATE; the stricter of
/// the operation's UIF and the UIF of the slot whose key is used applies, so that MSE cannot
/// sidestep a key's touch policy. Every pair of modes, both directions.
#[test]
fn mse_uses_the_stricter_of_the_two_uifs() {
    // An RSA key in DEC and in AUT, made once.
    let mut card = Card::with_rsa_dec_and_aut();
    let aut = card.rsa_public_key(0xA4);
    let mut rng = openpgp_card_applet_testkit::backends::TestRng::seed_from_u64(5);
    let mut cryptogram = vec![0x00];
    cryptogram.extend(
        aut.encrypt(&mut rng, rsa::Pkcs1v15Encrypt, b"secret")
            .unwrap(),
    );
    let storage = card.storage().clone();

    let needs = |mode: u8| mode != 0;
    let fresh = |mode: u8| mode == 0x01 || mode == 0x02;
    // (MSE data, the operation's UIF tag, the used key's UIF tag, the operation)
    let swaps: [(&str, u16, u16, bool); 2] = [
        ("002241B803830103", 0xD7, 0xD8, true), // DECIPHER with the AUT key
        ("002241A403830102", 0xD8, 0xD7, false), // INTERNAL AUTHENTICATE with the DEC key
    ];
    for (mse, operation_tag, key_tag, decipher) in swaps {
        for operation_mode in 0..=4u8 {
            for key_mode in 0..=4u8 {
                let mut card = Card::from_storage(Default::default(), storage.clone());
                card.select();
                assert_eq!(card.applet.set_touch_cache_time(15), Ok(()));
                card.verify_admin();
                assert_sw(
                    &card.put_data(operation_tag, &[operation_mode, 0x20]),
                    0x9000,
                );
                assert_sw(&card.put_data(key_tag, &[key_mode, 0x20]), 0x9000);
                card.verify(0x82, b"123456");
                assert_sw(&card.send(mse), 0x9000);
                let run = |card: &mut Card| {
                    if decipher {
                        card.cmd_all(0x2A, 0x80, 0x86, &cryptogram).sw
                    } else {
                        card.cmd_all(0x88, 0x00, 0x00, b"challenge").sw
                    }
                };
                let what =
                    format!("{mse}: operation UIF {operation_mode:02X}, key UIF {key_mode:02X}");
                let expected = if !needs(operation_mode) && !needs(key_mode) {
                    0
                } else if fresh(operation_mode) || fresh(key_mode) {
                    2
                } else {
                    1 // both asking modes cached: the second use is within the cache time
                };
                assert_eq!(run(&mut card), 0x9000, "{what}");
                assert_eq!(run(&mut card), 0x9000, "{what}");
                assert_eq!(asks(&mut card), expected, "{what}");
                // A refused touch refuses the operation whenever either UIF asks.
                card.clock().advance(15_000);
                card.user_presence().set_default(Presence::Denied);
                let refused = if expected == 0 { 0x9000 } else { 0x6600 };
                assert_eq!(run(&mut card), refused, "{what}, denied");
            }
        }
    }
}

#[test]
fn cached_modes_honour_a_touch_until_exactly_the_cache_time() {
    for mode in [0x03, 0x04] {
        for tag in [0xD6u16, 0xD7, 0xD8] {
            let mut card = personalised();
            assert_eq!(card.applet.set_touch_cache_time(15), Ok(()));
            set_uif(&mut card, tag, mode);
            let base = asks(&mut card);
            assert_eq!(operate(&mut card, tag), 0x9000);
            assert_eq!(asks(&mut card) - base, 1);
            card.clock().advance(14_999);
            assert_eq!(operate(&mut card, tag), 0x9000);
            assert_eq!(asks(&mut card) - base, 1, "cached at 14.999 s ({tag:X})");
            card.clock().advance(1);
            // The cache counts from the touch, not from the last use: at 15 s it has expired.
            assert_eq!(operate(&mut card, tag), 0x9000);
            assert_eq!(
                asks(&mut card) - base,
                2,
                "expired at exactly 15 s ({tag:X})"
            );
            // A refused touch is never cached.
            card.clock().advance(20_000);
            card.user_presence().push(Presence::Denied);
            assert_eq!(operate(&mut card, tag), 0x6600);
            assert_eq!(operate(&mut card, tag), 0x9000);
            assert_eq!(asks(&mut card) - base, 4);
        }
    }
}

#[test]
fn cache_time_zero_means_every_operation_asks_and_survives_power_cycles() {
    let mut card = personalised();
    set_uif(&mut card, 0xD8, 0x03);
    assert_eq!(card.applet.touch_cache_time(), Some(0));
    let base = asks(&mut card);
    operate(&mut card, 0xD8);
    operate(&mut card, 0xD8);
    assert_eq!(asks(&mut card) - base, 2);
    card.applet.set_touch_cache_time(255).unwrap();
    card.power_cycle();
    assert_eq!(card.applet.touch_cache_time(), Some(255));
    assert_eq!(
        card.get_data(0xD8).data,
        [0x03, 0x20],
        "UIF survives power cycles"
    );
    // A touch before a power cycle is not remembered after it.
    card.select();
    card.verify(0x82, b"123456");
    operate(&mut card, 0xD8);
    operate(&mut card, 0xD8);
    assert_eq!(asks(&mut card), 1);
}

#[test]
fn contactless_never_asks() {
    let mut card = personalised();
    for tag in [0xD6, 0xD7, 0xD8] {
        set_uif(&mut card, tag, 0x02);
    }
    card.user_presence().set_default(Presence::Denied);
    card.applet.power_on(Transport::Contactless);
    card.select();
    card.verify(0x81, b"123456");
    card.verify(0x82, b"123456");
    for tag in [0xD6, 0xD7, 0xD8] {
        assert_eq!(operate(&mut card, tag), 0x9000);
    }
    assert_eq!(asks(&mut card), 0);
    card.applet.power_on(Transport::Contact);
    card.select();
    card.verify(0x82, b"123456");
    assert_eq!(operate(&mut card, 0xD8), 0x6600);
}

#[test]
fn factory_reset_clears_uif_but_not_the_cache_time() {
    let mut card = personalised();
    set_uif(&mut card, 0xD6, 0x02);
    card.applet.set_touch_cache_time(30).unwrap();
    for _ in 0..3 {
        card.verify(0x83, b"00000000");
    }
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    card.select();
    assert_eq!(card.get_data(0xD6).data, [0x00, 0x20]);
    card.verify_admin();
    assert_sw(&card.put_data(0xD6, &[0x01, 0x20]), 0x9000);
    assert_eq!(card.applet.touch_cache_time(), Some(30));
}

#[test]
fn get_challenge() {
    let mut card = Card::new();
    card.select();
    let a = card.send("0084000010");
    let b = card.send("0084000010");
    assert_sw(&a, 0x9000);
    assert_eq!(a.data.len(), 16);
    assert_ne!(a.data, b.data, "fresh bytes each time");
    assert_eq!(card.send("00840000FF").data.len(), 255);
    assert_sw(&card.send("0084000000"), 0x6700); // 256 > the announced 255
    assert_sw(&card.send("0084000000FF00"), 0x6700);
    assert_sw(&card.send("00840000"), 0x6700);
    assert_sw(&card.send("0084000101FF"), 0x6A86);
    let c0 = card.get_data(0xC0).data;
    assert_eq!(c0[0] & 0x40, 0x40);
    assert_eq!(&c0[2..4], &[0x00, 0xFF]);
}
