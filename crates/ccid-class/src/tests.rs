//! The slot's protocol, driven like a host and an endpoint would.

extern crate std;

use std::vec;
use std::vec::Vec;

use crate::slot::{Slot, HEADER, PACKET, WTX_INTERVAL_MS};

const N: usize = 4096 + 32;
const ATR: [u8; 5] = [0x3B, 0x81, 0x01, 0x00, 0x80];

fn slot() -> Slot<N> {
    let mut slot = Slot::new();
    slot.set_atr(&ATR);
    slot
}

/// A PC_to_RDR message.
fn msg(kind: u8, seq: u8, data: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&(data.len() as u32).to_le_bytes());
    m.extend_from_slice(&[0, seq, 0, 0, 0]);
    m.extend_from_slice(data);
    m
}

/// Sends a message in 64-byte packets.
fn send(slot: &mut Slot<N>, message: &[u8]) {
    for packet in message.chunks(PACKET) {
        slot.receive(packet);
    }
}

/// Drains bulk-in: returns the messages (split at the packet that ends each) and how many
/// zero-length packets were sent.
fn drain(slot: &mut Slot<N>) -> (Vec<Vec<u8>>, usize) {
    let mut messages = Vec::new();
    let mut current = Vec::new();
    let mut zlps = 0;
    while let Some(packet) = slot.next_packet() {
        let packet = packet.to_vec();
        slot.packet_written(packet.len());
        slot.in_complete();
        if packet.is_empty() {
            zlps += 1;
        }
        current.extend_from_slice(&packet);
        if packet.len() < PACKET {
            messages.push(core::mem::take(&mut current));
        }
    }
    assert!(
        current.is_empty(),
        "a message ended on a full packet without a ZLP"
    );
    (messages, zlps)
}

fn one(slot: &mut Slot<N>) -> Vec<u8> {
    let (mut messages, _) = drain(slot);
    assert_eq!(messages.len(), 1, "{messages:02X?}");
    messages.pop().unwrap()
}

#[test]
fn power_on_answers_the_atr_and_reports_a_reset() {
    let mut s = slot();
    assert!(s.take_reset(), "a new slot starts with a reset");
    assert!(!s.take_reset());
    send(&mut s, &msg(0x62, 7, &[]));
    let answer = one(&mut s);
    assert_eq!(answer[0], 0x80);
    assert_eq!(answer[6], 7);
    assert_eq!(answer[7], 0x00, "active, no error");
    assert_eq!(&answer[HEADER..], &ATR);
    assert!(s.take_reset());
    send(&mut s, &msg(0x65, 8, &[]));
    assert_eq!(one(&mut s)[..10], [0x81, 0, 0, 0, 0, 0, 8, 0x00, 0, 0]);
    send(&mut s, &msg(0x63, 9, &[]));
    assert_eq!(one(&mut s)[..10], [0x81, 0, 0, 0, 0, 0, 9, 0x01, 0, 0]);
    assert!(s.take_reset(), "power-off is a reset too");
}

#[test]
fn an_apdu_goes_to_the_application_and_the_response_back() {
    let mut s = slot();
    send(&mut s, &msg(0x62, 0, &[]));
    drain(&mut s);
    let apdu: Vec<u8> = (0..300u16).map(|i| i as u8).collect();
    send(&mut s, &msg(0x6F, 1, &apdu));
    assert!(s.is_busy());
    assert_eq!(
        drain(&mut s).0.len(),
        0,
        "nothing to send while the card works"
    );
    let mut buf = vec![0u8; N];
    let (n, token) = s.take_command(&mut buf).unwrap();
    assert_eq!(&buf[..n], &apdu[..]);
    assert!(s.take_command(&mut buf).is_none());
    s.respond(token, &[0x90, 0x00]);
    let answer = one(&mut s);
    assert_eq!(answer, [0x80, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0x90, 0x00]);
    assert!(!s.is_busy());
}

#[test]
fn responses_of_every_length_arrive_whole_with_a_zlp_on_full_packets() {
    let mut s = slot();
    send(&mut s, &msg(0x62, 0, &[]));
    drain(&mut s);
    let mut buf = vec![0u8; N];
    for len in [0usize, 1, 53, 54, 55, 118, 1000, N - HEADER] {
        send(&mut s, &msg(0x6F, 3, &[0x00, 0xCA, 0x00, 0x6E]));
        let (_, token) = s.take_command(&mut buf).unwrap();
        let response: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        s.respond(token, &response);
        let (messages, zlps) = drain(&mut s);
        assert_eq!(messages.len(), 1);
        assert_eq!(&messages[0][HEADER..], &response[..], "{len}");
        assert_eq!(
            zlps,
            usize::from((HEADER + len).is_multiple_of(PACKET)),
            "{len}"
        );
    }
}

#[test]
fn a_long_command_gets_time_extensions_until_it_is_answered() {
    let mut s = slot();
    send(&mut s, &msg(0x62, 0, &[]));
    drain(&mut s);
    send(
        &mut s,
        &msg(0x6F, 5, &[0x00, 0x47, 0x80, 0x00, 0x02, 0xB8, 0x00]),
    );
    let mut buf = vec![0u8; N];
    // Not yet taken: the first tick starts the clock.
    s.tick(1_000);
    let (_, token) = s.take_command(&mut buf).unwrap();
    let mut extensions = 0;
    for t in (0..20).map(|i| 1_000 + i * 100) {
        s.tick(t);
        for m in drain(&mut s).0 {
            assert_eq!(
                m,
                [0x80, 0, 0, 0, 0, 0, 5, 0x80, 0x01, 0],
                "time extension, seq 5"
            );
            extensions += 1;
        }
    }
    assert!(
        extensions >= (1_900 / WTX_INTERVAL_MS as usize) - 1,
        "{extensions}"
    );
    // A time extension in flight when the answer comes: the answer follows it.
    s.tick(10_000);
    let packet = s.next_packet().unwrap().to_vec();
    s.packet_written(packet.len());
    s.respond(token, &[0x61, 0x00]);
    s.in_complete();
    let answer = one(&mut s);
    assert_eq!(&answer[HEADER..], &[0x61, 0x00]);
    s.tick(20_000);
    assert!(
        drain(&mut s).0.is_empty(),
        "no time extension once answered"
    );
}

#[test]
fn commands_while_busy_are_refused_and_abort_drops_the_answer() {
    let mut s = slot();
    send(&mut s, &msg(0x62, 0, &[]));
    drain(&mut s);
    send(&mut s, &msg(0x6F, 1, &[0x00, 0x20, 0x00, 0x81]));
    let mut buf = vec![0u8; N];
    let (_, token) = s.take_command(&mut buf).unwrap();
    send(&mut s, &msg(0x6F, 2, &[0x00, 0xCA, 0x00, 0x6E]));
    let busy = one(&mut s);
    assert_eq!((busy[0], busy[6], busy[7], busy[8]), (0x80, 2, 0x40, 0xE0));
    send(&mut s, &msg(0x62, 3, &[]));
    assert_eq!(
        one(&mut s)[8],
        0xE0,
        "no power cycle under a running command"
    );
    send(&mut s, &msg(0x72, 4, &[]));
    assert_eq!(one(&mut s)[..8], [0x81, 0, 0, 0, 0, 0, 4, 0x00]);
    s.respond(token, &[0x90, 0x00]);
    assert!(
        drain(&mut s).0.is_empty(),
        "the aborted command's answer is dropped"
    );
    send(&mut s, &msg(0x6F, 5, &[0x00, 0xCA, 0x00, 0x6E]));
    let (_, token) = s.take_command(&mut buf).unwrap();
    s.respond(token, &[0x6A, 0x88]);
    assert_eq!(one(&mut s)[6], 5);
}

#[test]
fn the_next_command_may_arrive_before_the_last_packet_completes() {
    let mut s = slot();
    send(&mut s, &msg(0x62, 0, &[]));
    drain(&mut s);
    let mut buf = vec![0u8; N];
    send(&mut s, &msg(0x6F, 1, &[0x00, 0xCA, 0x00, 0x6E]));
    let (_, token) = s.take_command(&mut buf).unwrap();
    s.respond(token, &[0x90, 0x00]);
    let packet = s.next_packet().unwrap().to_vec();
    s.packet_written(packet.len());
    // The host has the answer and sends again before the device saw the IN completion.
    send(&mut s, &msg(0x6F, 2, &[0x00, 0xCA, 0x00, 0x65]));
    s.in_complete();
    assert!(
        s.take_command(&mut buf).is_some(),
        "taken as a new command, not refused as busy"
    );
}

#[test]
fn malformed_messages_get_errors_not_confusion() {
    let mut s = slot();
    // XfrBlock before power-on: ICC mute.
    send(&mut s, &msg(0x6F, 1, &[0x00, 0xCA, 0x00, 0x6E]));
    let a = one(&mut s);
    assert_eq!((a[0], a[7], a[8]), (0x80, 0x41, 0xFE));
    send(&mut s, &msg(0x62, 2, &[]));
    drain(&mut s);
    // Longer than the buffer: drained, then answered with a length error.
    let big = vec![0u8; N];
    send(&mut s, &msg(0x6F, 3, &big));
    let a = one(&mut s);
    assert_eq!((a[6], a[7], a[8]), (3, 0x40, 1));
    // Another slot.
    let mut m = msg(0x65, 4, &[]);
    m[5] = 1;
    send(&mut s, &m);
    let a = one(&mut s);
    assert_eq!((a[0], a[6], a[7], a[8]), (0x81, 4, 0x42, 5));
    // CCID-level chaining is not used.
    let mut m = msg(0x6F, 5, &[0x00]);
    m[8] = 1;
    send(&mut s, &m);
    assert_eq!(one(&mut s)[8], 8);
    // Unknown and unsupported commands.
    send(&mut s, &msg(0x6B, 6, &[]));
    let a = one(&mut s);
    assert_eq!((a[0], a[7], a[8]), (0x83, 0x40, 0x00));
    send(&mut s, &msg(0x6C, 7, &[]));
    let a = one(&mut s);
    assert_eq!((a[0], a[1], a[9]), (0x82, 7, 1), "T=1 parameters");
    // A stray short packet outside a message is ignored, and the slot still works.
    s.receive(&[]);
    s.receive(&[0x65, 0]);
    assert!(drain(&mut s).0.is_empty());
    send(&mut s, &msg(0x65, 8, &[]));
    assert_eq!(one(&mut s)[6], 8);
}

#[test]
fn a_bus_reset_forgets_everything() {
    let mut s = slot();
    send(&mut s, &msg(0x62, 0, &[]));
    drain(&mut s);
    s.take_reset();
    send(&mut s, &msg(0x6F, 1, &[0x00, 0xCA, 0x00, 0x6E]));
    let mut buf = vec![0u8; N];
    let (_, token) = s.take_command(&mut buf).unwrap();
    s.usb_reset();
    assert!(s.take_reset());
    s.respond(token, &[0x90, 0x00]);
    assert!(drain(&mut s).0.is_empty());
    send(&mut s, &msg(0x6F, 2, &[0x00, 0xCA, 0x00, 0x6E]));
    assert_eq!(one(&mut s)[8], 0xFE, "powered off by the reset");
}

#[test]
fn the_abort_request_clears_a_half_received_message() {
    // CCID 1.1 §5.3.1: the first packet of a 210-byte XfrBlock (bSeq 2), then the host
    // aborts: ABORT (bSeq 3) on the control pipe, PC_to_RDR_Abort (bSeq 3) on bulk-out.
    let mut s = slot();
    send(&mut s, &msg(0x62, 1, &[]));
    one(&mut s);
    let long = msg(0x6F, 2, &[0x55; 200]);
    s.receive(&long[..PACKET]);
    s.abort_request(3);
    send(&mut s, &msg(0x72, 3, &[]));
    assert_eq!(one(&mut s)[..10], [0x81, 0, 0, 0, 0, 0, 3, 0x00, 0, 0]);
    send(&mut s, &msg(0x6F, 4, &[0x00, 0xA4, 0x04, 0x00]));
    let mut buf = [0u8; N];
    assert_eq!(s.take_command(&mut buf).map(|(n, _)| n), Some(4));
}

#[test]
fn a_pc_to_rdr_abort_of_the_aborted_sequence_starts_a_fresh_message() {
    // The rest of the old message's first packet arrives after the ABORT request (the two
    // pipes are independent): the PC_to_RDR_Abort with the aborted bSeq is still a message
    // of its own.
    let mut s = slot();
    send(&mut s, &msg(0x62, 1, &[]));
    one(&mut s);
    s.abort_request(3);
    let long = msg(0x6F, 2, &[0x55; 200]);
    s.receive(&long[..PACKET]);
    send(&mut s, &msg(0x72, 3, &[]));
    assert_eq!(one(&mut s)[..10], [0x81, 0, 0, 0, 0, 0, 3, 0x00, 0, 0]);
}

#[test]
fn an_abort_during_a_multi_packet_answer_keeps_messages_whole() {
    let mut s = slot();
    send(&mut s, &msg(0x62, 1, &[]));
    one(&mut s);
    send(&mut s, &msg(0x6F, 2, &[0x00, 0x84, 0x00, 0x00, 0xC8]));
    let mut buf = [0u8; N];
    let (_, token) = s.take_command(&mut buf).unwrap();
    s.respond(token, &[0xAB; 202]);
    // The first of four packets is in the endpoint when the abort comes.
    let first = s.next_packet().unwrap().len();
    assert_eq!(first, PACKET);
    s.packet_written(first);
    s.abort_request(3);
    send(&mut s, &msg(0x72, 3, &[]));
    s.in_complete();
    let (messages, _) = drain(&mut s);
    assert_eq!(messages.len(), 2, "{messages:02X?}");
    assert_eq!(
        messages[0].len() + PACKET,
        HEADER + 202,
        "the rest of the answer"
    );
    assert_eq!(messages[1][..10], [0x81, 0, 0, 0, 0, 0, 3, 0x00, 0, 0]);
    send(&mut s, &msg(0x6F, 4, &[0x00, 0xA4, 0x04, 0x00]));
    assert!(
        s.take_command(&mut buf).is_some(),
        "the slot takes commands again"
    );
}

#[test]
fn commands_between_the_abort_request_and_its_pc_to_rdr_abort_fail_as_aborted() {
    // CCID 1.1 §5.3.1: bmCommandStatus failed, bError CMD_ABORTED (FF) until the
    // PC_to_RDR_Abort with the ABORT request's bSeq arrives.
    let mut s = slot();
    send(&mut s, &msg(0x62, 1, &[]));
    one(&mut s);
    s.abort_request(5);
    send(&mut s, &msg(0x6F, 6, &[0x00, 0xA4, 0x04, 0x00]));
    assert_eq!(one(&mut s)[..10], [0x80, 0, 0, 0, 0, 0, 6, 0x40, 0xFF, 0]);
    send(&mut s, &msg(0x72, 4, &[]));
    assert_eq!(one(&mut s)[..10], [0x81, 0, 0, 0, 0, 0, 4, 0x40, 0xFF, 0]);
    send(&mut s, &msg(0x72, 5, &[]));
    assert_eq!(one(&mut s)[..10], [0x81, 0, 0, 0, 0, 0, 5, 0x00, 0, 0]);
    send(&mut s, &msg(0x6F, 7, &[0x00, 0xA4, 0x04, 0x00]));
    let mut buf = [0u8; N];
    assert!(s.take_command(&mut buf).is_some());
}
