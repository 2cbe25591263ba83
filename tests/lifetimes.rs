//! Lifetimes of RAM state: nothing the card holds in RAM may outlive the persistent state it was
//! derived from. The tests check what *survives* a command, not what the command does: decoded
//! keys (SIG, DEC, AUT and the AES key D5) across the factory reset (TERMINATE DF §7.2.16 +
//! ACTIVATE FILE §7.2.17) without a power cycle, and the other volatile states (verified PINs,
//! MSE bindings, the touch cache, a pending GET RESPONSE, a half-sent chain).

mod common;
use common::*;

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use openpgp_card_applet::Presence;

const ED25519: &str = "162B06010401DA470F01";
const X25519: &str = "122B060104019755010501";
const OWNER_PW1: &[u8] = b"owner-user-pin";
const OWNER_PW3: &[u8] = b"owner-admin-pin";
const AES_KEY: [u8; 16] = [0x42; 16];

/// The slots, as (CRT tag for 47 and import, VERIFY reference its operation needs).
const SLOTS: [(u8, u8); 3] = [(0xB6, 0x81), (0xB8, 0x82), (0xA4, 0x82)];

/// A card as its owner left it: keys generated on the card in every slot, an AES key, the
/// owner's own PINs, UIF permanently on for SIG (so no signature without a touch), and every
/// key used once (so each one is decoded in RAM).
fn owners_card() -> Card {
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    assert_sw(&card.put_data(0xC1, &hex(ED25519)), 0x9000);
    assert_sw(&card.put_data(0xC2, &hex(X25519)), 0x9000);
    assert_sw(&card.put_data(0xC3, &hex(ED25519)), 0x9000);
    for (crt, _) in SLOTS {
        assert_sw(&card.cmd_all(0x47, 0x80, 0x00, &[crt, 0x00]), 0x9000);
    }
    assert_sw(&card.put_data(0xD5, &AES_KEY), 0x9000);
    assert_sw(&card.put_data(0xD6, &[0x02, 0x20]), 0x9000);
    let mut change = b"123456".to_vec();
    change.extend_from_slice(OWNER_PW1);
    assert_sw(&card.cmd(0, 0x24, 0x00, 0x81, &change), 0x9000);
    let mut change = b"12345678".to_vec();
    change.extend_from_slice(OWNER_PW3);
    assert_sw(&card.cmd(0, 0x24, 0x00, 0x83, &change), 0x9000);
    assert_sw(&card.verify(0x81, OWNER_PW1), 0x9000);
    assert_sw(&card.verify(0x82, OWNER_PW1), 0x9000);
    for crt in [0xB6, 0xB8, 0xA4] {
        assert_sw(&operate(&mut card, crt), 0x9000);
    }
    assert_sw(&encipher(&mut card), 0x9000);
    card
}

/// The operation of a slot: PSO:CDS (SIG), PSO:DECIPHER with an X25519 point (DEC), INTERNAL
/// AUTHENTICATE (AUT).
fn operate(card: &mut Card, crt: u8) -> Rsp {
    match crt {
        0xB6 => card.cmd_all(0x2A, 0x9E, 0x9A, b"message"),
        0xB8 => {
            let point = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from([7; 32]));
            let mut template = hex("A6257F49228620");
            template.extend_from_slice(point.as_bytes());
            card.cmd_all(0x2A, 0x80, 0x86, &template)
        }
        _ => card.cmd_all(0x88, 0x00, 0x00, b"challenge"),
    }
}

fn encipher(card: &mut Card) -> Rsp {
    card.cmd_all(0x2A, 0x86, 0x80, &[0x5A; 16])
}

fn read_public(card: &mut Card, crt: u8) -> Rsp {
    card.cmd_all(0x47, 0x81, 0x00, &[crt, 0x00])
}

/// Blocks PW3 with wrong VERIFYs (no PIN needed), then TERMINATE DF and ACTIVATE FILE: what
/// anybody holding the powered card can do.
fn reset_without_pins(card: &mut Card) {
    for _ in 0..3 {
        assert_sw(&card.verify(0x83, b"00000000"), 0x6982);
    }
    assert_eq!(card.tries()[2], 0);
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
}

/// The attack of the security issue, for each slot: the key is decoded in RAM (by the owner's
/// use, and again by a PIN-less public key read), the card is reset without any PIN, and the
/// factory PIN then must not reach the owner's key.
#[test]
fn a_factory_reset_without_power_cycle_leaves_no_key_usable() {
    for (crt, reference) in SLOTS {
        let mut card = owners_card();
        assert_sw(&read_public(&mut card, crt), 0x9000);
        let touches = asks(&mut card);
        reset_without_pins(&mut card);
        assert_sw(&read_public(&mut card, crt), 0x6A88);
        assert_sw(&card.verify(reference, b"123456"), 0x9000);
        let rsp = operate(&mut card, crt);
        assert_sw(&rsp, 0x6A88);
        assert!(rsp.data.is_empty());
        assert_eq!(
            asks(&mut card),
            touches,
            "slot {crt:02X}: the reset card asked for a touch"
        );
    }
}

#[test]
fn a_factory_reset_without_power_cycle_leaves_the_aes_key_unusable() {
    let mut card = owners_card();
    reset_without_pins(&mut card);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    assert_sw(&encipher(&mut card), 0x6A88);
    assert_sw(
        &card.cmd_all(0x2A, 0x80, 0x86, &[&[0x02][..], &[0; 16]].concat()),
        0x6A88,
    );
}

/// GnuPG's `factory-reset` (g10/card-util.c): PW1 and PW3 blocked with 32 bytes of 0x40,
/// TERMINATE DF, ACTIVATE FILE; then, with no power cycle, what `gpg --card-status` (2.4 reads
/// every public key) and a fresh key generation do.
#[test]
fn gnupg_factory_reset_then_card_status_and_generation_without_power_cycle() {
    let mut card = owners_card();
    let old_sig = read_public(&mut card, 0xB6);
    assert_sw(&old_sig, 0x9000);
    for _ in 0..4 {
        card.cmd(0, 0x20, 0, 0x81, &[0x40; 32]);
    }
    for _ in 0..4 {
        card.cmd(0, 0x20, 0, 0x83, &[0x40; 32]);
    }
    assert_sw(&card.send("00E60000"), 0x9000);
    assert_sw(&card.send("00440000"), 0x9000);
    card.select();
    assert_eq!(card.get_data(0xDE).data, hex("010002000300"));
    for (crt, _) in SLOTS {
        assert_sw(&read_public(&mut card, crt), 0x6A88);
    }
    assert_eq!(card.tries(), [3, 0, 3]);
    // A new key: ed25519 again, so the new slot record has the same type and epoch number as
    // the old one had; only the new key may answer.
    card.verify_admin();
    assert_sw(&card.put_data(0xC1, &hex(ED25519)), 0x9000);
    let new_sig = card.cmd_all(0x47, 0x80, 0x00, &[0xB6, 0x00]);
    assert_sw(&new_sig, 0x9000);
    assert_ne!(new_sig.data, old_sig.data);
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    let signature = card.cmd_all(0x2A, 0x9E, 0x9A, b"message");
    assert_sw(&signature, 0x9000);
    let public: [u8; 32] = new_sig.data[new_sig.data.len() - 32..].try_into().unwrap();
    let signature = Signature::from_slice(&signature.data).unwrap();
    VerifyingKey::from_bytes(&public)
        .unwrap()
        .verify(b"message", &signature)
        .expect("the signature is by the new key");
}

/// The generated key replaces the decoded one at once, for every way a slot's record changes:
/// generation, import, and an attribute change to another type.
#[test]
fn every_rewrite_of_a_slot_ends_the_decoded_key() {
    let mut card = owners_card();
    assert_sw(&card.verify(0x83, OWNER_PW3), 0x9000);
    // Attribute change to another key type: the key is gone.
    assert_sw(&card.put_data(0xC3, &hex("132A8648CE3D030107")), 0x9000);
    assert_sw(&read_public(&mut card, 0xA4), 0x6A88);
    assert_sw(&operate(&mut card, 0xA4), 0x6A88);
    // Import over a decoded key: the imported one answers.
    assert_sw(&card.put_data(0xC3, &hex(ED25519)), 0x9000);
    let seed = [0x33; 32];
    let template = openpgp_card_applet_testkit::import_template(0xA4, &[(0x92, &seed)]);
    assert_sw(&card.cmd(0, 0xDB, 0x3F, 0xFF, &template), 0x9000);
    let expected = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    let public = read_public(&mut card, 0xA4);
    assert!(public.data.ends_with(expected.as_bytes()));
    let signature = operate(&mut card, 0xA4);
    assert_sw(&signature, 0x9000);
    expected
        .verify(
            b"challenge",
            &Signature::from_slice(&signature.data).unwrap(),
        )
        .expect("the imported key signs");
    // Fingerprint and date writes keep the key (the record is rewritten with it).
    assert_sw(&card.put_data(0xC9, &[0xAB; 20]), 0x9000);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
}

/// The other volatile states die with the factory reset too: verified PINs and the touch
/// cache (the cache time itself is the firmware's and stays).
#[test]
fn verified_pins_and_the_touch_cache_end_with_the_factory_reset() {
    let mut card = owners_card();
    assert_eq!(card.applet.set_touch_cache_time(60), Ok(()));
    card.verify(0x83, OWNER_PW3);
    assert_sw(&card.put_data(0xD8, &[0x03, 0x20]), 0x9000);
    let before = asks(&mut card);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
    assert_eq!(asks(&mut card), before + 1);
    reset_without_pins(&mut card);
    // No PIN is verified: VERIFY's status query answers 63Cx.
    for reference in [0x81, 0x82, 0x83] {
        assert_sw(&card.cmd(0, 0x20, 0x00, reference, &[]), 0x63C3);
    }
    card.verify_admin();
    assert_sw(&card.put_data(0xC3, &hex(ED25519)), 0x9000);
    assert_sw(&card.cmd_all(0x47, 0x80, 0x00, &[0xA4, 0x00]), 0x9000);
    assert_sw(&card.put_data(0xD8, &[0x03, 0x20]), 0x9000);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    let before = asks(&mut card);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
    assert_eq!(
        asks(&mut card),
        before + 1,
        "a touch from before the reset was honoured"
    );
}

#[test]
fn a_pending_response_and_a_chain_do_not_cross_the_factory_reset() {
    let mut card = owners_card();
    // A long certificate read with a short Le: the rest waits for GET RESPONSE.
    card.verify(0x83, OWNER_PW3);
    let certificate = vec![0xC5; 1500];
    assert_sw(&card.put_data(0x7F21, &certificate), 0x9000);
    let first = card.send("00CA7F2100");
    assert_eq!(first.sw >> 8, 0x61);
    // A chain left half-sent.
    assert_sw(&card.cmd(0x10, 0xDA, 0x00, 0x5B, b"Mallory"), 0x9000);
    reset_without_pins(&mut card);
    let rest = card.send("00C0000000");
    assert!(
        rest.data.is_empty(),
        "old certificate bytes after the reset"
    );
    assert_ne!(rest.sw, 0x9000);
    assert_ne!(rest.sw >> 8, 0x61);
    // The half chain was abandoned: its last block alone does not complete it.
    card.verify_admin();
    assert_sw(&card.put_data(0x5B, b"<<"), 0x9000);
    let name = card.get_data(0x65).data;
    assert!(name.windows(2).any(|w| w == b"<<"));
    assert!(!name.windows(7).any(|w| w == b"Mallory"));
}

/// A refused touch on the reset card: after the reset, UIF is off again (it belongs to the old
/// key), and a touch request never reaches the button for a key that is gone.
#[test]
fn the_old_uif_ends_with_the_factory_reset() {
    let mut card = owners_card();
    card.user_presence().set_default(Presence::Denied);
    reset_without_pins(&mut card);
    assert_eq!(card.get_data(0xD6).data, [0x00, 0x20]);
    // UIF 02 could not be changed before the reset; now it can.
    card.verify_admin();
    assert_sw(&card.put_data(0xD6, &[0x01, 0x20]), 0x9000);
}

/// The owner's card with UIF `mode` on AUT, a 60 s touch cache and PW3 verified.
fn owners_card_with_aut_uif(mode: u8) -> Card {
    let mut card = owners_card();
    assert_sw(&card.verify(0x83, OWNER_PW3), 0x9000);
    assert_sw(&card.put_data(0xD8, &[mode, 0x20]), 0x9000);
    assert_eq!(card.applet.set_touch_cache_time(60), Ok(()));
    card
}

/// How many times the card asked for a touch so far.
fn asks(card: &mut Card) -> usize {
    card.user_presence().requests().len()
}

/// A cached touch was for the key it confirmed: a new key in the slot asks again.
#[test]
fn the_touch_cache_ends_with_the_key_it_was_for() {
    let mut card = owners_card_with_aut_uif(0x03);
    let before = asks(&mut card);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
    assert_eq!(asks(&mut card), before + 1, "cached");
    let template = openpgp_card_applet_testkit::import_template(0xA4, &[(0x92, &[0x44; 32])]);
    assert_sw(&card.cmd(0, 0xDB, 0x3F, 0xFF, &template), 0x9000);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
    assert_eq!(
        asks(&mut card),
        before + 2,
        "the new key was used on the old key's touch"
    );
}

/// A touch confirmed under one UIF mode does not count under the next one.
#[test]
fn the_touch_cache_ends_with_a_uif_change() {
    let mut card = owners_card_with_aut_uif(0x01);
    let before = asks(&mut card);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
    assert_sw(&card.put_data(0xD8, &[0x03, 0x20]), 0x9000);
    assert_sw(&operate(&mut card, 0xA4), 0x9000);
    assert_eq!(asks(&mut card), before + 2);
}

/// A PIN verification belongs to the PIN value it proved: RESET RETRY COUNTER (a new PW1) and a
/// wrong old value in CHANGE REFERENCE DATA end it, as a wrong VERIFY does.
#[test]
fn pin_verification_ends_with_the_pin_it_proved() {
    let mut card = Card::new();
    card.select();
    assert_sw(&card.verify(0x81, b"123456"), 0x9000);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    card.verify_admin();
    assert_sw(&card.cmd(0, 0x2C, 0x02, 0x81, b"654321"), 0x9000);
    for reference in [0x81, 0x82] {
        assert_sw(&card.cmd(0, 0x20, 0x00, reference, &[]), 0x63C3);
    }
    assert_sw(&card.verify(0x82, b"654321"), 0x9000);
    assert_sw(&card.cmd(0, 0x24, 0x00, 0x81, b"000000111111"), 0x6982);
    assert_sw(&card.cmd(0, 0x20, 0x00, 0x82, &[]), 0x63C2);
    // PW3 too.
    assert_sw(&card.cmd(0, 0x24, 0x00, 0x83, b"0000000011111111"), 0x6982);
    assert_sw(&card.cmd(0, 0x20, 0x00, 0x83, &[]), 0x63C2);
}

/// MSE lends a key to the other operation after checking its algorithm; a new key in that slot
/// ends the loan (the binding returns to the operation's own slot).
#[test]
fn an_mse_binding_ends_with_the_key_it_lent() {
    let mut card = Card::with_rsa_dec_and_aut();
    let aut = card.rsa_public_key(0xA4);
    assert_sw(&card.send("002241A4 03 830102"), 0x9000);
    // The DEC slot gets an X25519 key, which cannot authenticate.
    assert_sw(&card.put_data(0xC2, &hex(X25519)), 0x9000);
    assert_sw(&card.cmd_all(0x47, 0x80, 0x00, &[0xB8, 0x00]), 0x9000);
    assert_sw(&card.verify(0x82, b"123456"), 0x9000);
    let info = hex("3031300d060960864801650304020105000420")
        .into_iter()
        .chain([0x11; 32])
        .collect::<Vec<_>>();
    let signature = card.cmd_all(0x88, 0x00, 0x00, &info);
    assert_sw(&signature, 0x9000);
    aut.verify(rsa::Pkcs1v15Sign::new_unprefixed(), &info, &signature.data)
        .expect("INTERNAL AUTHENTICATE is back on the AUT key");
}
