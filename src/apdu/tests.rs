//! Unit tests of the APDU layer with a fake handler: chaining, GET RESPONSE, misuse, classes.

use super::*;
use crate::Error as AppError;
use alloc::vec::Vec;
use proptest::prelude::*;

/// A handler that records what it saw and answers `reply_len` bytes counting up from 0.
fn echo(reply_len: usize, seen: &mut Vec<(u8, u8, u8, Vec<u8>)>) -> impl Handler + '_ {
    from_fn(move |request, w| {
        seen.push((request.ins, request.p1, request.p2, request.data.to_vec()));
        for i in 0..reply_len {
            w.raw(&[i as u8])?;
        }
        Ok::<(), AppError>(())
    })
}

fn run(
    ex: &mut Exchange,
    apdu: &[u8],
    reply_len: usize,
    seen: &mut Vec<(u8, u8, u8, Vec<u8>)>,
) -> Vec<u8> {
    let mut out = [0xEEu8; 70000];
    let n = ex.process(apdu, &mut out, &mut echo(reply_len, seen));
    out[..n].to_vec()
}

fn sw(response: &[u8]) -> u16 {
    let n = response.len();
    u16::from_be_bytes([response[n - 2], response[n - 1]])
}

#[test]
fn simple_command_reaches_the_handler() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    let rsp = run(&mut ex, &[0x00, 0xCA, 0x00, 0x6E, 0x00], 3, &mut seen);
    assert_eq!(rsp, [0, 1, 2, 0x90, 0x00]);
    assert_eq!(seen, [(0xCA, 0x00, 0x6E, Vec::new())]);
}

#[test]
fn chained_command_is_reassembled() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    assert_eq!(
        run(&mut ex, &[0x10, 0xDA, 0x00, 0x5E, 2, 1, 2], 0, &mut seen),
        [0x90, 0x00]
    );
    assert!(ex.in_chain());
    assert_eq!(
        run(&mut ex, &[0x10, 0xDA, 0x00, 0x5E, 1, 3], 0, &mut seen),
        [0x90, 0x00]
    );
    assert_eq!(
        run(&mut ex, &[0x00, 0xDA, 0x00, 0x5E, 2, 4, 5], 0, &mut seen),
        [0x90, 0x00]
    );
    assert_eq!(seen, [(0xDA, 0x00, 0x5E, alloc::vec![1, 2, 3, 4, 5])]);
    assert!(!ex.in_chain());
}

#[test]
fn chain_overflow_is_6700_and_dropped() {
    let mut ex = Exchange::new(4, 1024);
    let mut seen = Vec::new();
    assert_eq!(
        sw(&run(
            &mut ex,
            &[0x10, 0xDA, 0, 0x5E, 3, 1, 2, 3],
            0,
            &mut seen
        )),
        0x9000
    );
    assert_eq!(
        sw(&run(&mut ex, &[0x10, 0xDA, 0, 0x5E, 2, 4, 5], 0, &mut seen)),
        0x6700
    );
    assert!(!ex.in_chain());
    // The last block alone is now a fresh command, not the end of the dropped chain.
    assert_eq!(
        sw(&run(&mut ex, &[0x00, 0xDA, 0, 0x5E, 1, 6], 0, &mut seen)),
        0x9000
    );
    assert_eq!(seen, [(0xDA, 0, 0x5E, alloc::vec![6])]);
    // A single block over the limit.
    assert_eq!(
        sw(&run(
            &mut ex,
            &[0x00, 0xDA, 0, 0x5E, 5, 1, 2, 3, 4, 5],
            0,
            &mut seen
        )),
        0x6700
    );
}

#[test]
fn chain_with_changed_header_is_6883() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    run(&mut ex, &[0x10, 0xDA, 0, 0x5E, 1, 1], 0, &mut seen);
    assert_eq!(
        sw(&run(&mut ex, &[0x10, 0xDA, 0, 0x5F, 1, 2], 0, &mut seen)),
        0x6883
    );
    assert!(!ex.in_chain());
    run(&mut ex, &[0x10, 0xDA, 0, 0x5E, 1, 1], 0, &mut seen);
    assert_eq!(
        sw(&run(&mut ex, &[0x10, 0xDB, 0, 0x5E, 1, 2], 0, &mut seen)),
        0x6883
    );
    // A proprietary-class chain (90) cannot go on, or end, as an interindustry one (10, 00).
    run(&mut ex, &[0x90, 0xDB, 0x3F, 0xFF, 1, 1], 0, &mut seen);
    assert_eq!(
        sw(&run(&mut ex, &[0x10, 0xDB, 0x3F, 0xFF, 1, 2], 0, &mut seen)),
        0x6883
    );
    run(&mut ex, &[0x90, 0xDB, 0x3F, 0xFF, 1, 1], 0, &mut seen);
    run(&mut ex, &[0x00, 0xDB, 0x3F, 0xFF, 1, 2], 0, &mut seen);
    assert_eq!(seen.len(), 1, "the last block ran alone");
    assert_eq!(seen[0].3, [2], "without the proprietary chain's data");
}

#[test]
fn other_command_aborts_the_chain_and_runs_alone() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    run(&mut ex, &[0x10, 0xDA, 0, 0x5E, 1, 1], 0, &mut seen);
    assert_eq!(
        run(&mut ex, &[0x00, 0xCA, 0, 0x6E, 0], 1, &mut seen),
        [0, 0x90, 0x00]
    );
    assert!(!ex.in_chain());
    // The rest of the abandoned chain is now a new command.
    run(&mut ex, &[0x00, 0xDA, 0, 0x5E, 1, 9], 0, &mut seen);
    assert_eq!(
        seen,
        [(0xCA, 0, 0x6E, Vec::new()), (0xDA, 0, 0x5E, alloc::vec![9])]
    );
}

#[test]
fn long_response_with_short_le_goes_through_get_response() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    let first = run(&mut ex, &[0x00, 0xCA, 0x7F, 0x21, 0x00], 600, &mut seen);
    assert_eq!(first.len(), 258);
    assert_eq!(sw(&first), 0x6100); // 344 left: 256 or more
    let second = run(&mut ex, &[0x00, 0xC0, 0x00, 0x00, 0x00], 0, &mut seen);
    assert_eq!(second.len(), 258);
    assert_eq!(sw(&second), 0x6158); // 88 left
    let third = run(&mut ex, &[0x00, 0xC0, 0x00, 0x00, 0x58], 0, &mut seen);
    assert_eq!(sw(&third), 0x9000);
    let mut all = first[..256].to_vec();
    all.extend_from_slice(&second[..256]);
    all.extend_from_slice(&third[..88]);
    assert_eq!(all, (0..600).map(|i| i as u8).collect::<Vec<_>>());
    assert_eq!(seen.len(), 1);
    // Nothing left: GET RESPONSE is refused.
    assert_eq!(
        sw(&run(&mut ex, &[0x00, 0xC0, 0, 0, 0], 0, &mut seen)),
        0x6985
    );
}

#[test]
fn smaller_le_and_absent_le() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    let rsp = run(&mut ex, &[0x00, 0xCA, 0, 0x6E, 0x04], 10, &mut seen);
    assert_eq!(rsp, [0, 1, 2, 3, 0x61, 0x06]);
    let rsp = run(&mut ex, &[0x00, 0xC0, 0, 0, 0x02], 0, &mut seen);
    assert_eq!(rsp, [4, 5, 0x61, 0x04]);
    // Without Le, a short Le of 256 is assumed.
    let rsp = run(&mut ex, &[0x00, 0xCA, 0, 0x6E], 300, &mut seen);
    assert_eq!((rsp.len(), sw(&rsp)), (258, 0x612C));
}

#[test]
fn extended_le_is_answered_directly() {
    let mut ex = Exchange::new(64, 4096);
    let mut seen = Vec::new();
    let rsp = run(
        &mut ex,
        &[0x00, 0xCA, 0x7F, 0x21, 0x00, 0x00, 0x00],
        3000,
        &mut seen,
    );
    assert_eq!((rsp.len(), sw(&rsp)), (3002, 0x9000));
    let rsp = run(
        &mut ex,
        &[0x00, 0xCA, 0x7F, 0x21, 0x00, 0x02, 0x00],
        3000,
        &mut seen,
    );
    assert_eq!((rsp.len(), sw(&rsp)), (514, 0x6100));
}

#[test]
fn small_output_buffer_defers_to_get_response() {
    let mut ex = Exchange::new(64, 1024);
    let mut out = [0u8; 12];
    let n = ex.process(
        &[0x00, 0xCA, 0, 0x6E, 0x00],
        &mut out,
        &mut from_fn(|_, w| Ok::<(), AppError>(w.raw(&[7; 20])?)),
    );
    assert_eq!((n, &out[10..12]), (12, &[0x61, 0x0A][..]));
    assert_eq!(
        ex.process(
            &[0x00, 0xCA, 0, 0x6E, 0x00],
            &mut [0u8; 1],
            &mut from_fn(|_, _| Ok::<(), AppError>(()))
        ),
        0
    );
}

#[test]
fn any_other_command_discards_a_pending_response() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    run(&mut ex, &[0x00, 0xCA, 0, 0x6E, 0x01], 5, &mut seen);
    assert!(ex.has_pending_response());
    run(&mut ex, &[0x00, 0xCA, 0, 0x65, 0x00], 1, &mut seen);
    assert!(!ex.has_pending_response());
    assert_eq!(
        sw(&run(&mut ex, &[0x00, 0xC0, 0, 0, 0], 0, &mut seen)),
        0x6985
    );
}

#[test]
fn get_response_misuse() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    run(&mut ex, &[0x00, 0xCA, 0, 0x6E, 0x01], 5, &mut seen);
    assert_eq!(
        sw(&run(&mut ex, &[0x00, 0xC0, 1, 0, 0], 0, &mut seen)),
        0x6A86
    );
    assert!(!ex.has_pending_response());
    assert_eq!(
        sw(&run(&mut ex, &[0x10, 0xC0, 0, 0, 0], 0, &mut seen)),
        0x6884
    );
}

#[test]
fn handler_errors_become_status_words_and_leave_no_data() {
    let mut ex = Exchange::new(64, 1024);
    let mut out = [0u8; 64];
    let n = ex.process(
        &[0x00, 0x20, 0, 0x81, 1, 0x31],
        &mut out,
        &mut from_fn(|_, w| {
            w.raw(b"secret")?;
            Err(AppError::WrongPin { remaining: 2 })
        }),
    );
    assert_eq!(&out[..n], &[0x63, 0xC2]);
    assert!(!ex.has_pending_response());
}

#[test]
fn class_and_length_errors() {
    let mut ex = Exchange::new(64, 1024);
    let mut seen = Vec::new();
    for (apdu, expected) in [
        (&[0x0C, 0xCA, 0, 0x6E, 0][..], 0x6882),
        (&[0x1C, 0xCA, 0, 0x6E, 0], 0x6882),
        (&[0x01, 0xCA, 0, 0x6E, 0], 0x6881),
        (&[0x40, 0xCA, 0, 0x6E, 0], 0x6881),
        // (80 is YubiKey's attestation class: the applet's dispatcher refuses it for other
        // instructions; the exchange passes it on.)
        (&[0xA0, 0xCA, 0, 0x6E, 0], 0x6E00),
        (&[0xFF, 0xCA, 0, 0x6E, 0], 0x6E00),
        (&[0x00, 0xCA, 0], 0x6700),
        (&[0x00, 0xDA, 0, 0x5E, 3, 1], 0x6700),
    ] {
        assert_eq!(
            sw(&run(&mut ex, apdu, 0, &mut seen)),
            expected,
            "{apdu:02X?}"
        );
    }
    assert!(seen.is_empty());
}

proptest! {
    /// Chaining a command in any split gives the handler the same data as sending it whole.
    #[test]
    fn chaining_reassembles_to_the_unchained_command(
        data in proptest::collection::vec(any::<u8>(), 1..600),
        cuts in proptest::collection::vec(1usize..255, 1..8),
    ) {
        let mut ex = Exchange::new(1024, 1024);
        let mut seen = Vec::new();
        let mut rest = &data[..];
        let mut cuts = cuts.into_iter().cycle();
        while rest.len() > 255 || (rest.len() > 1 && cuts.size_hint().0 > 0 && rest.len() > 100) {
            let n = cuts.next().unwrap_or(1).min(rest.len() - 1).min(255);
            let mut apdu = alloc::vec![0x10, 0xDA, 0x01, 0x01, n as u8];
            apdu.extend_from_slice(&rest[..n]);
            prop_assert_eq!(sw(&run(&mut ex, &apdu, 0, &mut seen)), 0x9000);
            rest = &rest[n..];
        }
        let mut apdu = alloc::vec![0x00, 0xDA, 0x01, 0x01, rest.len() as u8];
        apdu.extend_from_slice(rest);
        prop_assert_eq!(sw(&run(&mut ex, &apdu, 0, &mut seen)), 0x9000);
        prop_assert_eq!(seen, alloc::vec![(0xDA, 0x01, 0x01, data)]);
    }

    /// For every Le, GET RESPONSE reassembles the full response.
    #[test]
    fn response_chaining_reassembles(len in 0usize..3000, le in 1u32..=256, extended_first in any::<bool>()) {
        let mut ex = Exchange::new(64, 4096);
        let mut seen = Vec::new();
        let first = if extended_first {
            let [hi, lo] = (le as u16).to_be_bytes();
            alloc::vec![0x00, 0xCA, 0x7F, 0x21, 0x00, hi, lo]
        } else {
            alloc::vec![0x00, 0xCA, 0x7F, 0x21, le as u8]
        };
        let mut rsp = run(&mut ex, &first, len, &mut seen);
        let mut all = Vec::new();
        let mut rounds = 0;
        loop {
            let status = sw(&rsp);
            all.extend_from_slice(&rsp[..rsp.len() - 2]);
            if status == 0x9000 { break; }
            prop_assert_eq!(status >> 8, 0x61);
            let left = len - all.len();
            prop_assert_eq!(status & 0xFF, if left >= 256 { 0 } else { left as u16 });
            rsp = run(&mut ex, &[0x00, 0xC0, 0, 0, le as u8], 0, &mut seen);
            rounds += 1;
            prop_assert!(rounds <= 3000);
        }
        prop_assert_eq!(all, (0..len).map(|i| i as u8).collect::<Vec<_>>());
    }

    /// No input makes the exchange panic or answer without a status word.
    #[test]
    fn exchange_is_total(apdus in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..10)) {
        let mut ex = Exchange::new(256, 512);
        let mut seen = Vec::new();
        for apdu in apdus {
            let rsp = run(&mut ex, &apdu, apdu.len(), &mut seen);
            prop_assert!(rsp.len() >= 2);
            prop_assert!(Status::from_u16(sw(&rsp)).is_some());
        }
    }
}

#[test]
fn respond_returns_the_whole_answer_and_wipes_it_at_the_next_command() {
    let mut io = Exchange::new(16, 300);
    let command = CommandApdu::parse(&[0x00, 0x10, 0x00, 0x00, 0x01, 0xAB, 0x05]).unwrap();
    let answer = io
        .respond(
            &command,
            &mut from_fn(|request, w| {
                assert_eq!(request.le, Some(5));
                Ok::<(), AppError>(w.raw(&[0x5A; 200])?)
            }),
        )
        .unwrap()
        .to_vec();
    assert_eq!(
        answer, [0x5A; 200],
        "not cut to Le: the dispatcher does that"
    );
    assert!(!io.has_pending_response(), "nothing for GET RESPONSE");
    let next = CommandApdu::parse(&[0x00, 0x10, 0x00, 0x00]).unwrap();
    assert_eq!(
        io.respond(&next, &mut from_fn(|_, _| Ok::<(), AppError>(())))
            .unwrap(),
        &[] as &[u8]
    );
    assert!(io.reply.iter().all(|&b| b == 0), "the old answer is wiped");
}

#[test]
fn respond_wipes_a_partial_answer_of_a_failing_handler() {
    let mut io = Exchange::new(16, 64);
    let command = CommandApdu::parse(&[0x00, 0x10, 0x00, 0x00]).unwrap();
    let result = io.respond(
        &command,
        &mut from_fn(|_, w| {
            w.raw(&[0x77; 32])?;
            Err(AppError::NotAuthorized)
        }),
    );
    assert_eq!(result, Err(AppError::NotAuthorized));
    assert!(io.reply.iter().all(|&b| b == 0));
}

#[test]
fn respond_refuses_what_a_dispatcher_should_not_pass() {
    let mut io = Exchange::new(4, 64);
    let mut handler = from_fn(|_, _| Ok::<(), AppError>(()));
    let chained = CommandApdu::parse(&[0x10, 0x10, 0x00, 0x00, 0x01, 0x00]).unwrap();
    assert_eq!(
        io.respond(&chained, &mut handler),
        Err(Error::ChainingNotSupported.into())
    );
    let long = CommandApdu::parse(&[0x00, 0x10, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5]).unwrap();
    assert_eq!(
        io.respond(&long, &mut handler),
        Err(Error::WrongLength.into())
    );
    let secure = CommandApdu::parse(&[0x0C, 0x10, 0x00, 0x00]).unwrap();
    assert_eq!(
        io.respond(&secure, &mut handler),
        Err(Error::SecureMessaging.into())
    );
}
