//! Fuzz target `session`: a structured sequence of operations ([`Session`]) against a
//! personalised card, with the oracles of [`oracles`](crate::oracles) after each.

use std::sync::OnceLock;

use openpgp_card_applet::apdu::CommandApdu;
use openpgp_card_applet::spec::Slot;
use openpgp_card_applet::tlv::Reader;
use openpgp_card_applet::{Config, Transport};
use openpgp_card_applet_testkit::power_loss::{counters, observe, Seen};
use openpgp_card_applet_testkit::{
    ecdh_cipher_do, keys, Card, Cut, Failure, FaultyStorage, MemoryStorage,
};

use crate::card::{
    build_apdu, card_with_rng, expect_ok, expect_put, FuzzCard, FuzzRng, PW1, PW3, RESETTING_CODE,
};
use crate::grammar::{
    decode_session, out_len, Apdu, Op, PinRef, RngFault, Session, ALGORITHMS, FULL_OUT, MAX_OPS,
};
use crate::keys::{ed25519_key, key_profiles, p256_ecdsa_key, x25519_key, KnownKey};
use crate::oracles::{Oracle, Permit};
use crate::snapshot::{personalise, Snapshot};

/// The personalised session cards (P-256 AUT, RSA-2048 AUT).
fn session_snapshot(rsa: bool) -> &'static Snapshot {
    static SNAPSHOTS: [OnceLock<Snapshot>; 2] = [const { OnceLock::new() }; 2];
    SNAPSHOTS[usize::from(rsa)].get_or_init(|| {
        let aut = if rsa {
            KnownKey::rsa(0)
        } else {
            p256_ecdsa_key()
        };
        personalise(&[ed25519_key(), x25519_key(), aut], |card| {
            expect_ok(card, 0xDA, 0x00, 0xD3, RESETTING_CODE);
            expect_ok(card, 0xDA, 0x00, 0xD5, keys::AES256_KEY);
            expect_ok(card, 0xDA, 0x00, 0x5B, b"Fuzz<<Session");
            expect_ok(card, 0x20, 0x00, 0x82, PW1);
            expect_ok(card, 0xDA, 0x01, 0x01, b"private use 1");
            for slot in Slot::ALL {
                let i = slot.index() as u8;
                expect_put(card, slot.fingerprint_tag(), &[0xF0 + i; 20]);
                expect_put(card, slot.generation_time_tag(), &[0x66, 0x00, 0x00, i]);
            }
        })
    })
}

/// Fuzz target `session` (through [`decode_session`]): the operations run against a
/// personalised card (see the module documentation) and after each:
///
/// - every response ends with a valid status word and fits the buffer (a buffer under two bytes
///   gets nothing);
/// - no response contains a 16-byte window of a private key (Ed25519 seed, X25519 scalar in
///   both byte orders, P-256 scalar, the RSA primes, exponents and CRT values, the AES key,
///   the scalars of every other curve a session can import), unless the fuzzer itself sent
///   those bytes;
/// - no retry counter (C4) rises without a command that may raise it (see `refills`), as the
///   running applet answers it and as a fresh applet reads it from storage: a right PIN, a new
///   PIN, the factory reset, or SET PIN RETRIES on a counter that has lost no try since its
///   last refill (never one that has); power cycles and deselection never raise one;
/// - after every ACTIVATE FILE that reset the card, the card answers a fixed probe (data
///   objects, public keys, PIN status, factory PINs, every key operation) exactly as a
///   factory-fresh applet does: no RAM state outlives the factory reset;
/// - after a power cut ([`Op::Cut`]) and a power-on, everything a host reads without a PIN
///   is what it was before the interrupted command or what a clean run of the same command
///   on a copy of the card left, object by object; no retry counter is above both, nor more
///   than one try below either; a PIN command whose cut run answered "wrong PIN" left a try
///   consumed; then the session goes on with the card the cut left;
/// - while the random source fails ([`Op::Rng`]): a command refused with 6F00 changed no
///   record, no GET CHALLENGE carries the source's stuck or cycling bytes, and the card asks
///   the failing source for at most [`MAX_BAD_BYTES`] bad bytes between power-ons.
pub fn session(input: &Session) {
    session_factory_resets(input);
}

/// [`session`], returning how many factory resets the reset oracle compared with a fresh card
/// (for tests that must know the oracle ran).
pub fn session_factory_resets(input: &Session) -> usize {
    let ops = input.ops.len().min(MAX_OPS);
    Runner::run(input, ops, &mut Vec::new(), true).oracle.resets
}

/// [`session`], returning how many power cuts were judged against a clean run.
pub fn session_power_cuts(input: &Session) -> usize {
    let ops = input.ops.len().min(MAX_OPS);
    Runner::run(input, ops, &mut Vec::new(), true).judged_cuts
}

/// [`session`] over raw fuzzer bytes, decoded as `libfuzzer-sys` decodes them.
pub fn session_bytes(data: &[u8]) {
    if let Some(input) = decode_session(data) {
        session(&input);
    }
}

/// How many power cuts of one session are judged against a clean run (each replays the
/// session up to the cut on a copy of the card); later cuts still cut, and the card must
/// still come up and keep the other oracles.
const JUDGED_CUTS: usize = 16;

/// Bad bytes the card may ask of a failing source between two power-ons: the start-up test
/// (1,024), the adaptive proportion test's window (512) and the blocks held ahead, with room
/// to spare. Past that, something draws in a loop.
pub const MAX_BAD_BYTES: u64 = 4096;

/// A session in progress: the card, its oracles, and the power cuts decided so far.
struct Runner {
    card: FuzzCard<FaultyStorage>,
    oracle: Oracle,
    rng: FuzzRng,
    out: Vec<u8>,
    judged_cuts: usize,
    /// Bad bytes drawn from the failing source at the last power-on.
    bad_at_power_on: u64,
    /// Whether the last [`Runner::cut`] lost power, and its command's status word.
    power_cut_happened: bool,
    cut_answer: u16,
}

fn transport(contactless: bool) -> Transport {
    if contactless {
        Transport::Contactless
    } else {
        Transport::Contact
    }
}

impl Runner {
    /// Runs the first `ops` operations of `input`. `cuts` holds the write each earlier
    /// [`Op::Cut`] was cut at (in order; a replay takes them from there, the judged run
    /// appends); with `judge`, cuts are judged against a replay.
    fn run(input: &Session, ops: usize, cuts: &mut Vec<Option<Cut>>, judge: bool) -> Runner {
        let snapshot = session_snapshot(input.rsa);
        let rng = FuzzRng::new();
        let storage = FaultyStorage::new(snapshot.storage.clone());
        let mut card = card_with_rng(storage, transport(input.contactless), rng.clone());
        let oracle = Oracle::new(&mut card, transport(input.contactless), rng.clone());
        let mut runner = Runner {
            card,
            oracle,
            rng,
            out: vec![0u8; FULL_OUT],
            judged_cuts: 0,
            bad_at_power_on: 0,
            power_cut_happened: false,
            cut_answer: 0,
        };
        let mut cut_index = 0;
        for (i, op) in input.ops.iter().take(ops).enumerate() {
            runner.step(input, i, op, cuts, &mut cut_index, judge);
        }
        runner
    }

    fn step(
        &mut self,
        input: &Session,
        i: usize,
        op: &Op,
        cuts: &mut Vec<Option<Cut>>,
        cut_index: &mut usize,
        judge: bool,
    ) {
        let index = i + 1;
        match op {
            Op::Raw { out: size, bytes } => {
                self.send(&bytes.0, out_len(*size), index);
            }
            Op::Apdu(apdu) => {
                self.send(&apdu.encode(), out_len(apdu.out), index);
            }
            Op::Verify(reference) => self.verify(*reference, index),
            Op::PowerCycle { contactless } => {
                self.oracle.transport = transport(*contactless);
                self.card.applet.power_on(self.oracle.transport);
                self.oracle.busy = false;
                self.bad_at_power_on = self.rng.bad_bytes_drawn().unwrap_or(0);
            }
            Op::Deselect => {
                self.card.applet.deselect();
                self.oracle.busy = false;
            }
            Op::Button(answer) => self.card.user_presence().push((*answer).into()),
            Op::Clock { ms } => self.card.clock().advance(u64::from(*ms)),
            Op::Cut { at, applied, apdu } => {
                let decided = cuts.get(*cut_index).copied();
                *cut_index += 1;
                match decided {
                    Some(cut) => self.cut(cut, apdu, index),
                    None if judge && self.judged_cuts < JUDGED_CUTS => {
                        let cut = self.judged_cut(input, i, *at, *applied, apdu, cuts);
                        cuts.push(cut);
                    }
                    None => {
                        let cut = Some(cut_at(u64::from(*at % 8) + 1, *applied));
                        cuts.push(cut);
                        self.cut(cut, apdu, index);
                    }
                }
            }
            Op::Rng(fault) => {
                self.rng.fail(failure(fault));
                self.bad_at_power_on = self.rng.bad_bytes_drawn().unwrap_or(0);
            }
            Op::Attributes { slot, algorithm } => {
                self.verify(PinRef::Pw3, index);
                let attributes = ALGORITHMS[usize::from(*algorithm) % ALGORITHMS.len()];
                let tag = Slot::ALL[usize::from(*slot) % 3].attributes_tag();
                let [p1, p2] = tag.to_be_bytes();
                self.send(
                    &build_apdu(0, 0xDA, p1, p2, attributes, None),
                    FULL_OUT,
                    index,
                );
            }
            Op::Import { slot, key } => {
                let profiles = key_profiles();
                let key = &profiles[usize::from(*key) % profiles.len()];
                let slot = Slot::ALL[usize::from(*slot) % 3];
                self.verify(PinRef::Pw3, index);
                let [p1, p2] = slot.attributes_tag().to_be_bytes();
                self.send(
                    &build_apdu(0, 0xDA, p1, p2, &key.attributes, None),
                    FULL_OUT,
                    index,
                );
                let template = key.template(slot.crt_tag());
                self.send(
                    &build_apdu(0, 0xDB, 0x3F, 0xFF, &template, None),
                    FULL_OUT,
                    index,
                );
            }
            Op::Use { slot, input } => self.use_key(usize::from(*slot) % 3, *input, index),
        }
        self.oracle.look(&mut self.card, index);
        if let Some(bad) = self.rng.bad_bytes_drawn() {
            let since = bad.saturating_sub(self.bad_at_power_on);
            assert!(
                since <= MAX_BAD_BYTES,
                "op {index}: {since} bad bytes asked of a failing source since power-on"
            );
        }
    }

    /// One command through the oracle; the response (data and status word).
    fn send(&mut self, command: &[u8], len: usize, index: usize) -> Vec<u8> {
        let n = self
            .oracle
            .exchange(&mut self.card, command, &mut self.out[..len], index);
        self.out[..n].to_vec()
    }

    fn verify(&mut self, reference: PinRef, index: usize) {
        let (p2, pin) = match reference {
            PinRef::Pw1Sign => (0x81, PW1),
            PinRef::Pw1Other => (0x82, PW1),
            PinRef::Pw3 => (0x83, PW3),
        };
        self.send(
            &build_apdu(0x00, 0x20, 0x00, p2, pin, None),
            FULL_OUT,
            index,
        );
    }

    /// [`Op::Use`]: the slot's operation, PW1 verified first, with an input of a shape the
    /// slot's key may take (chosen by `input`).
    fn use_key(&mut self, slot: usize, input: u8, index: usize) {
        let full = Some(65536);
        let sign_input = || match input % 6 {
            0 => keys::DIGEST_INFO.to_vec(),
            1 => vec![0x5A; 32],
            2 => vec![0x5A; 48],
            3 => vec![0x5A; 64],
            4 => vec![0x5A; 66],
            _ => b"message".to_vec(),
        };
        match slot {
            0 => {
                self.verify(PinRef::Pw1Sign, index);
                let command = build_apdu(0, 0x2A, 0x9E, 0x9A, &sign_input(), full);
                self.send(&command, FULL_OUT, index);
            }
            1 => {
                self.verify(PinRef::Pw1Other, index);
                let cryptogram = match input % 3 {
                    0 => {
                        // The DEC key's own public point: ECDH with itself.
                        let public = build_apdu(0, 0x47, 0x81, 0x00, &[0xB8, 0x00], full);
                        let answer = self.send(&public, FULL_OUT, index);
                        let data = answer.get(..answer.len().saturating_sub(2)).unwrap_or(&[]);
                        ecdh_cipher_do(&public_point(data))
                    }
                    1 => [&[0x02][..], &[0x5A; 32]].concat(),
                    _ => [&[0x00][..], keys::RSA2048_CIPHERTEXT].concat(),
                };
                let command = build_apdu(0, 0x2A, 0x80, 0x86, &cryptogram, full);
                self.send(&command, FULL_OUT, index);
            }
            _ => {
                self.verify(PinRef::Pw1Other, index);
                let command = build_apdu(0, 0x88, 0x00, 0x00, &sign_input(), full);
                self.send(&command, FULL_OUT, index);
            }
        }
    }

    /// A judged [`Op::Cut`] at op `i`: a clean run of the command on a replay of the session
    /// so far counts its writes and gives the card after it; the cut card is then judged
    /// against the card before and after. Returns the cut made.
    fn judged_cut(
        &mut self,
        input: &Session,
        i: usize,
        at: u8,
        applied: bool,
        apdu: &Apdu,
        cuts: &mut Vec<Option<Cut>>,
    ) -> Option<Cut> {
        let index = i + 1;
        let command = apdu.encode();
        let len = out_len(apdu.out);
        let mut clean = Runner::run(input, i, cuts, false);
        let before = self.card.storage().inner().clone();
        assert!(
            clean.card.storage().inner() == &before,
            "op {index}: the replay of the session is not the session"
        );
        let writes_before = clean.card.storage().mutations();
        let clean_answer = clean.send(&command, len, index);
        let writes = clean.card.storage().mutations() - writes_before;
        if writes == 0 {
            // Nothing to cut: the command runs as it is.
            self.cut(None, apdu, index);
            return None;
        }
        let cut = cut_at(u64::from(at) % writes + 1, applied);
        self.cut(Some(cut), apdu, index);
        assert!(
            self.power_cut_happened,
            "op {index}: the command did not reach write {cut:?} of its clean run's {writes}"
        );
        self.judged_cuts += 1;
        let after = clean.card.storage().inner().clone();
        let now = self.card.storage().inner().clone();
        let clean_sw = status_word(&clean_answer);
        judge_power_cut(
            &before,
            &after,
            &now,
            &command,
            clean_sw,
            self.cut_answer,
            index,
        );
        Some(cut)
    }

    /// Runs `apdu` with power lost at `cut` (if the command gets that far); after a cut the
    /// card is powered on again over the medium the cut left.
    fn cut(&mut self, cut: Option<Cut>, apdu: &Apdu, index: usize) {
        let command = apdu.encode();
        let len = out_len(apdu.out);
        if let Some(cut) = cut {
            self.card.storage_mut().cut(cut);
        }
        let answer = self.send(&command, len, index);
        self.cut_answer = status_word(&answer);
        self.power_cut_happened = self.card.storage().is_lost();
        if !self.power_cut_happened {
            // The command wrote less: no cut planned for later commands.
            self.card.storage_mut().cut(Cut::BeforeWrite(u64::MAX));
            return;
        }
        let medium = self.card.storage().inner().clone();
        *self.card.storage_mut() = FaultyStorage::new(medium);
        self.card.transport = self.oracle.transport;
        self.card.power_cycle();
        self.oracle.busy = false;
        self.bad_at_power_on = self.rng.bad_bytes_drawn().unwrap_or(0);
        // What the command would have done had it completed: a right PIN's refill may be on
        // the medium (the cut came after it).
        if let Ok(parsed) = CommandApdu::parse(&command) {
            if parsed.cla & 0x10 == 0 {
                self.oracle
                    .allow(Permit::of(parsed.ins, parsed.p1, parsed.p2, 0x9000));
            }
        }
    }
}

/// A cut at write `n`, applied or not.
fn cut_at(n: u64, applied: bool) -> Cut {
    if applied {
        Cut::AfterWrite(n)
    } else {
        Cut::BeforeWrite(n)
    }
}

/// The status word at the end of an answer (0 for none).
fn status_word(answer: &[u8]) -> u16 {
    match answer {
        [.., sw1, sw2] => u16::from_be_bytes([*sw1, *sw2]),
        _ => 0,
    }
}

/// The test kit's failure for a fuzzed [`RngFault`] (`None`: healthy).
fn failure(fault: &RngFault) -> Option<Failure> {
    const SEED: u64 = 0xFA11;
    Some(match fault {
        RngFault::Healthy => return None,
        RngFault::Stuck(value) => Failure::Stuck(*value),
        RngFault::Cycle(bytes) => {
            let mut pattern: Vec<u8> = bytes.0.iter().copied().take(26).collect();
            if pattern.is_empty() {
                pattern.push(0);
            }
            Failure::Cycle(pattern)
        }
        RngFault::DiesAfter { good } => Failure::DiesAfter {
            seed: SEED,
            good: u64::from(*good),
        },
        RngFault::ErrorsAfter { good } => Failure::ErrorsAfter {
            seed: SEED,
            good: u64::from(*good),
        },
    })
}

/// What a host reads of the card on `medium` without a PIN, and its retry counters.
fn observe_medium(medium: &MemoryStorage) -> (Seen, Option<[u8; 3]>) {
    let mut card = Card::from_storage(Config::default(), medium.clone());
    let seen = observe(&mut card);
    (seen, counters(&mut card))
}

/// The power-cut oracle: the card on `now` (after the cut) against the card on `before` and
/// on `after` (a clean run of `command`). Object by object old or new (the counters apart, in
/// 6E masked); each counter one of old, new, or one try below either, so never above both; a
/// PIN command whose cut run answered "wrong PIN" consumed a try.
fn judge_power_cut(
    before: &MemoryStorage,
    after: &MemoryStorage,
    now: &MemoryStorage,
    command: &[u8],
    clean_sw: u16,
    cut_sw: u16,
    op: usize,
) {
    let (old, old_counters) = observe_medium(before);
    let (new, new_counters) = observe_medium(after);
    let (seen, counters) = observe_medium(now);
    for ((name, value, sw), ((_, old_value, old_sw), (_, new_value, new_sw))) in
        seen.iter().zip(old.iter().zip(new.iter()))
    {
        if name == "DO 00C4" {
            continue;
        }
        let is_old = value == old_value && sw == old_sw;
        let is_new = value == new_value && sw == new_sw;
        assert!(
            is_old || is_new,
            "op {op}: after a power cut in {command:02X?} (clean run {clean_sw:04X}), {name} \
             is neither what it was nor what the clean run left: {value:02X?} {sw:04X}, \
             before {old_value:02X?} {old_sw:04X}, after {new_value:02X?} {new_sw:04X}"
        );
    }
    let (Some(now), Some(old)) = (counters, old_counters) else {
        return;
    };
    for i in 0..3 {
        let mut allowed = vec![Some(old[i]), old[i].checked_sub(1)];
        if let Some(new) = new_counters {
            allowed.extend([Some(new[i]), new[i].checked_sub(1)]);
        }
        assert!(
            allowed.contains(&Some(now[i])),
            "op {op}: after a power cut in {command:02X?} (clean run {clean_sw:04X}), retry \
             counter {i} is {} (before {}, after the clean run {:?})",
            now[i],
            old[i],
            new_counters
        );
    }
    let pin_command = matches!(command.get(1), Some(0x20 | 0x24 | 0x2C));
    let wrong_pin = cut_sw == 0x6982 || cut_sw & 0xFFF0 == 0x63C0;
    if pin_command && wrong_pin {
        assert!(
            (0..3).any(|i| now[i] < old[i]),
            "op {op}: a power cut in {command:02X?} answered a wrong PIN ({cut_sw:04X}) but \
             no try was consumed: counters {now:?}, before {old:?}"
        );
    }
}

/// The value of `86` (the EC point) in a public key template `7F49`; empty if there is none.
fn public_point(public: &[u8]) -> Vec<u8> {
    Reader::new(public)
        .expect(0x7F49)
        .ok()
        .and_then(|inner| Reader::new(inner).find(|t| t.tag == 0x86))
        .map(|t| t.value.to_vec())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::panic::{catch_unwind, AssertUnwindSafe};

    use super::*;
    use crate::grammar::Bytes;
    use openpgp_card_applet::RecordId;

    /// The personalised card after `ops`, and the runner (to send more).
    fn runner(ops: Vec<Op>) -> Runner {
        let input = Session {
            rsa: false,
            contactless: false,
            ops,
        };
        Runner::run(&input, input.ops.len(), &mut Vec::new(), true)
    }

    fn raw(bytes: &[u8]) -> Op {
        Op::Raw {
            out: 0,
            bytes: Bytes(bytes.to_vec()),
        }
    }

    fn medium(runner: &Runner) -> MemoryStorage {
        runner.card.storage().inner().clone()
    }

    /// PUT DATA 5B on the personalised card: the media before and after.
    fn name_written() -> (MemoryStorage, MemoryStorage) {
        let mut card = runner(vec![Op::Verify(PinRef::Pw3)]);
        let before = medium(&card);
        let answer = card.send(
            &build_apdu(0, 0xDA, 0x00, 0x5B, b"New<<Name", None),
            4098,
            1,
        );
        assert_eq!(status_word(&answer), 0x9000);
        (before, medium(&card))
    }

    fn judge_fails(before: &MemoryStorage, after: &MemoryStorage, now: &MemoryStorage) -> bool {
        let command = build_apdu(0, 0xDA, 0x00, 0x5B, b"New<<Name", None);
        catch_unwind(AssertUnwindSafe(|| {
            judge_power_cut(before, after, now, &command, 0x9000, 0x6581, 1)
        }))
        .is_err()
    }

    #[test]
    fn the_power_cut_oracle_takes_the_old_and_the_new_card() {
        let (before, after) = name_written();
        assert!(!judge_fails(&before, &after, &before));
        assert!(!judge_fails(&before, &after, &after));
    }

    /// A record half written (its bytes cut short, so its CRC fails) reads neither as the old
    /// value nor as the new one.
    #[test]
    fn the_power_cut_oracle_sees_a_half_written_record() {
        let (before, after) = name_written();
        let changed: Vec<_> = after
            .ids()
            .filter(|&id| before.record(id) != after.record(id))
            .collect();
        assert!(!changed.is_empty());
        for id in changed {
            let mut torn = after.clone();
            let record = after.record(id).unwrap_or_default();
            torn.set_raw(id, &record[..record.len() / 2]);
            assert!(judge_fails(&before, &after, &torn), "{id:?} torn");
        }
    }

    /// A cut that leaves a retry counter above both the card before and after (a wrong PIN
    /// given back) is caught, and so is a wrong-PIN answer that consumed no try.
    #[test]
    fn the_power_cut_oracle_sees_a_try_given_back() {
        let mut card = runner(vec![raw(&build_apdu(0, 0x20, 0x00, 0x81, b"999999", None))]);
        let lost = medium(&card);
        let full = session_snapshot(false).storage.clone();
        assert!(judge_fails(&lost, &lost, &full));
        let command = build_apdu(0, 0x20, 0x00, 0x81, b"999999", None);
        let answer = card.send(&command, 4098, 2);
        assert_eq!(status_word(&answer), 0x6982);
        let after = medium(&card);
        let given_back = catch_unwind(AssertUnwindSafe(|| {
            judge_power_cut(&lost, &after, &lost, &command, 0x6982, 0x6982, 2)
        }));
        assert!(given_back.is_err(), "a wrong PIN answered, no try consumed");
        judge_power_cut(&lost, &after, &after, &command, 0x6982, 0x6982, 2);
    }

    /// A source stuck from the next byte on: GET CHALLENGE and a P-256 signature (hedged
    /// nonce) are refused, Ed25519 still signs, nothing stored changes; a power cycle with the
    /// source healed brings challenges back.
    #[test]
    fn a_failing_source_fails_closed_in_a_session() {
        let mut card = runner(vec![Op::Rng(RngFault::Stuck(0))]);
        let before = medium(&card);
        let challenge = card.send(&[0x00, 0x84, 0x00, 0x00, 0x20], 4098, 1);
        assert_eq!(challenge, [0x6F, 0x00]);
        card.verify(PinRef::Pw1Other, 2);
        let signed = card.send(&build_apdu(0, 0x88, 0, 0, &[0x5A; 32], Some(256)), 4098, 3);
        assert_eq!(signed, [0x6F, 0x00], "ECDSA with a stuck source");
        card.verify(PinRef::Pw1Sign, 4);
        let signed = card.send(&build_apdu(0, 0x2A, 0x9E, 0x9A, b"m", Some(256)), 4098, 5);
        assert_eq!(status_word(&signed), 0x9000, "Ed25519 draws nothing");
        let after = medium(&card);
        let changed: Vec<_> = before
            .ids()
            .chain(after.ids())
            .filter(|&id| before.record(id) != after.record(id))
            .collect();
        // The Ed25519 signature was counted; nothing else changed (the PIN verifications
        // restored their counters).
        assert_eq!(changed, [RecordId::SIGNATURE_COUNTER]);
        card.rng.fail(None);
        let still = card.send(&[0x00, 0x84, 0x00, 0x00, 0x20], 4098, 6);
        assert_eq!(still, [0x6F, 0x00], "latched until power-off");
        card.card.applet.power_on(Transport::Contact);
        let healed = card.send(&[0x00, 0x84, 0x00, 0x00, 0x20], 4098, 7);
        assert_eq!(healed.len(), 34);
    }

    /// The session card is provisioned: attestation of a key generated on the card answers a
    /// certificate (an imported key is refused, 6985, as a YubiKey does).
    #[test]
    fn attestation_answers_on_the_session_card() {
        let mut card = runner(vec![Op::Verify(PinRef::Pw1Other)]);
        let command = build_apdu(0x80, 0xFB, 0x01, 0x00, &[], Some(65536));
        assert_eq!(card.send(&command, 4098, 1), [0x69, 0x85], "imported");
        card.verify(PinRef::Pw3, 2);
        let generate = build_apdu(0, 0x47, 0x80, 0x00, &[0xB6, 0x00], Some(65536));
        assert_eq!(status_word(&card.send(&generate, 4098, 3)), 0x9000);
        let command = build_apdu(0x80, 0xFB, 0x01, 0x00, &[], Some(65536));
        let answer = card.send(&command, 4098, 1);
        assert_eq!(answer, [0x90, 0x00]);
        // The attestation certificate is the fourth occurrence of 7F21.
        let select = [
            0x00, 0xA5, 0x03, 0x04, 0x06, 0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21,
        ];
        assert_eq!(card.send(&select, 4098, 4), [0x90, 0x00]);
        let certificate = card.send(&build_apdu(0, 0xCA, 0x7F, 0x21, &[], Some(65536)), 4098, 5);
        assert_eq!(status_word(&certificate), 0x9000);
        assert_eq!(certificate.first(), Some(&0x30), "a DER certificate");
    }
}
