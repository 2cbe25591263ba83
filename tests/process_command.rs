//! `Applet::process_command`, the entry point below chaining and GET RESPONSE: the same
//! handlers and status words as `Applet::process`, whole answers, and no state shared with
//! the byte-level layer that could leak from one to the other.

mod common;

use common::*;
use openpgp_card_applet::apdu::CommandApdu;
use openpgp_card_applet::{Config, Status};
use openpgp_card_applet_testkit::representative::{self, Step};

fn answer(result: Result<&[u8], Status>) -> Rsp {
    match result {
        Ok(data) => Rsp {
            data: data.to_vec(),
            sw: 0x9000,
        },
        Err(status) => Rsp {
            data: Vec::new(),
            sw: status.to_u16(),
        },
    }
}

/// The session through `process_command`, each APDU parsed as a dispatcher would.
fn through_process_command(steps: &[Step]) -> Vec<Rsp> {
    let mut card = Card::new();
    steps
        .iter()
        .map(|step| {
            let command = CommandApdu::parse(&step.apdu).expect("well-formed step");
            answer(card.applet.process_command(&command))
        })
        .collect()
}

fn verify_ed25519(steps: &[Step], answers: &[Rsp]) {
    let (public, message, signature) =
        representative::ed25519_signature(steps, answers).expect("the session signs");
    let key = ed25519_dalek::VerifyingKey::from_bytes(public.try_into().expect("32 bytes"))
        .expect("a valid Ed25519 public key");
    let signature = ed25519_dalek::Signature::from_slice(signature).expect("64 bytes");
    key.verify_strict(message, &signature)
        .expect("the card's signature verifies on the host");
}

#[test]
fn the_representative_session_answers_the_same_through_both_entry_points() {
    let steps = representative::session();
    let by_bytes = representative::through_process(&steps);
    let by_command = through_process_command(&steps);
    representative::check(&steps, &by_bytes);
    representative::check(&steps, &by_command);
    verify_ed25519(&steps, &by_command);
    for ((step, a), b) in steps.iter().zip(&by_bytes).zip(&by_command) {
        assert_eq!(a, b, "{}", step.name);
    }
}

fn cmd(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], le: Option<u32>) -> CommandApdu<'_> {
    openpgp_card_applet_testkit::client::command(cla, ins, p1, p2, data, le)
}

#[test]
fn the_whole_answer_comes_back_whatever_le_says() {
    let mut card = Card::new();
    card.select();
    let whole = card.get_data(0x6E);
    assert_sw(&whole, 0x9000);
    assert!(whole.data.len() > 16);
    let short = card
        .applet
        .process_command(&cmd(0x00, 0xCA, 0x00, 0x6E, &[], Some(16)))
        .expect("6E")
        .to_vec();
    assert_eq!(
        short, whole.data,
        "the dispatcher, not the applet, cuts to Le"
    );
}

#[test]
fn the_class_byte_is_checked_as_process_checks_it() {
    let mut card = Card::new();
    let select = [0xD2, 0x76, 0x00, 0x01, 0x24, 0x01];
    for (cla, sw) in [
        (0x10u8, 0x6884u16), // still announcing chaining: the dispatcher should have joined it
        (0x0C, 0x6882),      // secure messaging
        (0x01, 0x6881),      // logical channel 1
        (0x80, 0x6E00),      // proprietary class
    ] {
        let rsp = answer(
            card.applet
                .process_command(&cmd(cla, 0xA4, 0x04, 0x00, &select, None)),
        );
        assert_sw(&rsp, sw);
    }
    let ok = answer(
        card.applet
            .process_command(&cmd(0x00, 0xA4, 0x04, 0x00, &select, None)),
    );
    assert_sw(&ok, 0x9000);
}

#[test]
fn data_longer_than_the_command_buffer_is_6700_and_changes_nothing() {
    let config = Config::default();
    let long = vec![0x41u8; usize::from(config.max_command_len) + 1];
    let mut card = Card::with_config(config);
    card.select();
    card.verify_admin();
    let rsp = answer(
        card.applet
            .process_command(&cmd(0x00, 0xDA, 0x01, 0x01, &long, None)),
    );
    assert_sw(&rsp, 0x6700);
    assert_sw(&card.get_data(0x0101), 0x9000);
    assert!(card.get_data(0x0101).data.is_empty(), "nothing was stored");
}

#[test]
fn a_whole_command_ends_what_the_byte_level_layer_had_pending() {
    let mut card = Card::new();
    card.select();
    // A long answer left half-fetched by `process`...
    let first = card.send("00CA006E10");
    assert_eq!(first.sw >> 8, 0x61);
    // ...is dropped by a command through `process_command`...
    let c4 = answer(
        card.applet
            .process_command(&cmd(0x00, 0xCA, 0x00, 0xC4, &[], None)),
    );
    assert_sw(&c4, 0x9000);
    // ...and GET RESPONSE then has nothing: neither the old answer nor the new one.
    assert_sw(&card.send("00C0000000"), 0x6985);

    // A chain begun with `process` is abandoned as well: its last block alone is a new command.
    // (PW3 first: a VERIFY in between would end the chain by itself.)
    card.verify_admin();
    assert_sw(&card.send("10DA005B03446F65"), 0x9000);
    let mid = answer(
        card.applet
            .process_command(&cmd(0x00, 0xCA, 0x00, 0x65, &[], None)),
    );
    assert_sw(&mid, 0x9000);
    assert_sw(&card.send("00DA005B023C3C"), 0x9000);
    assert_eq!(
        card.get_data(0x5B).data,
        b"<<",
        "no part of the old chain was kept (it would read Doe<<)"
    );
}

#[test]
fn refusals_carry_no_data_and_the_same_status_as_process() {
    let mut by_bytes = Card::new();
    let mut by_command = Card::new();
    for (apdu, sw) in [
        ("00A4040006D27600012401", 0x9000), // SELECT
        ("002A9E9A0100", 0x6982),           // PSO:CDS before VERIFY
        ("0020008106313233343536", 0x9000), // VERIFY 81
        ("002A9E9A0100", 0x6A88),           // PSO:CDS with no key in SIG
        ("00CA0000", 0x6A88),               // GET DATA of no DO
        ("00FF000000", 0x6D00),             // unknown INS
        ("0047800002B700", 0x6A80),         // GENERATE with no such CRT
        ("0020008402313233", 0x6A86),       // VERIFY of no such reference
    ] {
        let bytes = hex(apdu);
        let a = by_bytes.raw(&bytes);
        let command = CommandApdu::parse(&bytes).expect("well-formed");
        let b = answer(by_command.applet.process_command(&command));
        assert_sw(&b, sw);
        assert_eq!(a, b, "{apdu}");
    }
}
