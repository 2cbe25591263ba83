//! The `session` target's oracles: what must hold after every command of a fuzzed session
//! (a known status word, a response that fits, no private key in it, no retry counter that
//! rises unasked, a factory reset that leaves nothing behind).

use std::collections::HashSet;
use std::sync::OnceLock;

use openpgp_card_applet::apdu::CommandApdu;
use openpgp_card_applet::{RecordId, Storage, Transport};
use openpgp_card_applet_testkit::{ecdh_cipher_do, keys, FaultyStorage, MemoryStorage};

use crate::card::{assert_status, build_apdu, card_on, send, FuzzCard, FuzzRng, PW1, PW3};
use crate::keys::{x25519_gnupg_order, OTHER_SCALARS};
use crate::snapshot::factory_medium;

/// Every 16-byte window of every private key of the session cards, with a 64 K-bit filter
/// on the first two bytes so that a response is checked with one bit test per byte.
struct Secrets {
    filter: Vec<u64>,
    windows: HashSet<[u8; 16]>,
}

/// How long a piece of private key a response must not contain.
const WINDOW: usize = 16;

impl Secrets {
    fn get() -> &'static Secrets {
        static SECRETS: OnceLock<Secrets> = OnceLock::new();
        SECRETS.get_or_init(|| {
            let x25519 = keys::X25519_SCALAR.to_vec();
            let keys = [
                keys::ED25519_SEED.to_vec(),
                x25519_gnupg_order(),
                x25519,
                keys::P256_SCALAR.to_vec(),
                keys::AES256_KEY.to_vec(),
                keys::RSA2048_P.to_vec(),
                keys::RSA2048_Q.to_vec(),
                keys::RSA2048_D.to_vec(),
                keys::RSA2048_D_PHI.to_vec(),
                keys::RSA2048_DP.to_vec(),
                keys::RSA2048_DQ.to_vec(),
                keys::RSA2048_QINV.to_vec(),
                keys::RSA2048_PINV.to_vec(),
            ];
            let keys = keys.into_iter().chain(OTHER_SCALARS.map(<[u8]>::to_vec));
            let mut secrets = Secrets {
                filter: vec![0; 1024],
                windows: HashSet::new(),
            };
            for key in keys {
                for window in key.windows(WINDOW) {
                    let index = usize::from(u16::from_be_bytes([window[0], window[1]]));
                    secrets.filter[index / 64] |= 1 << (index % 64);
                    secrets.windows.insert(window.try_into().expect("16 bytes"));
                }
            }
            secrets
        })
    }

    /// The offset of the first window of a private key in `bytes`.
    fn find(&self, bytes: &[u8]) -> Option<usize> {
        bytes.windows(WINDOW).position(|window| {
            let index = usize::from(u16::from_be_bytes([window[0], window[1]]));
            self.filter[index / 64] & (1 << (index % 64)) != 0
                && self
                    .windows
                    .contains(<&[u8; WINDOW]>::try_from(window).expect("16 bytes"))
        })
    }
}

/// Which retry counters (PW1, RC, PW3) a command refills, given its status word: a correct
/// PIN (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER; their 6700 after a correct old
/// value restores the counter too), a new Resetting Code (D3), a KDF-DO (F9, which resets the
/// PINs) and the factory reset (ACTIVATE FILE).
fn refills(ins: u8, p1: u8, p2: u8, sw: u16) -> [bool; 3] {
    let ok = sw == 0x9000;
    let ok_or_length = ok || sw == 0x6700;
    match (ins, p1, p2) {
        (0x20, _, 0x81 | 0x82) => [ok, false, false],
        (0x20, _, 0x83) => [false, false, ok],
        (0x24, _, 0x81) => [ok_or_length, false, false],
        (0x24, _, 0x83) => [false, false, ok_or_length],
        (0x2C, 0x00, _) => [ok, ok_or_length, false],
        (0x2C, _, _) => [ok, false, false],
        (0xDA, 0x00, 0xD3) => [false, ok, false],
        (0xDA, 0x00, 0xF9) | (0x44, _, _) => [ok; 3],
        _ => [false; 3],
    }
}

/// What a command may do to the retry counters besides consuming tries.
#[derive(Clone, Copy, Default)]
pub(crate) struct Permit {
    /// Counters it refills (see [`refills`]).
    refill: [bool; 3],
    /// SET PIN RETRIES (F2) succeeded: it may move a counter that has lost no try since its
    /// last refill to a new maximum, up or down, and lower any other; it never gives a lost
    /// try back.
    retries: bool,
}

impl Permit {
    pub(crate) fn of(ins: u8, p1: u8, p2: u8, sw: u16) -> Permit {
        Permit {
            refill: refills(ins, p1, p2, sw),
            retries: (ins, p1, p2, sw) == (0xF2, 0x00, 0x00, 0x9000),
        }
    }
}

/// One view of the retry counters: the last values seen, what may have raised them since,
/// and which have lost tries since their last refill.
#[derive(Default)]
struct CounterView {
    last: Option<[u8; 3]>,
    permit: Permit,
    lost: [bool; 3],
}

impl CounterView {
    fn allow(&mut self, permit: Permit) {
        for (refill, more) in self.permit.refill.iter_mut().zip(permit.refill) {
            *refill |= more;
        }
        self.permit.retries |= permit.retries;
    }

    #[track_caller]
    fn observe(&mut self, now: Option<[u8; 3]>, view: &str, op: usize) {
        let Some(now) = now else {
            return; // terminated: counters are unreadable; permissions accumulate
        };
        if let Some(last) = self.last {
            for (i, name) in ["PW1", "RC", "PW3"].iter().enumerate() {
                let refilled = self.permit.refill[i];
                let retries = self.permit.retries;
                assert!(
                    now[i] <= last[i] || refilled || (retries && !self.lost[i]),
                    "{view} retry counter of {name} rose from {} to {} at op {op} without a \
                     command that may restore it (lost tries since its last refill: {})",
                    last[i],
                    now[i],
                    self.lost[i]
                );
                if refilled {
                    self.lost[i] = false;
                } else if now[i] < last[i] && !retries {
                    self.lost[i] = true;
                }
            }
        }
        self.last = Some(now);
        self.permit = Permit::default();
    }
}

/// Reads C4's retry counters with GET DATA (`None` when C4 is not answered, e.g. terminated).
pub(crate) fn read_counters<S: Storage>(card: &mut FuzzCard<S>) -> Option<[u8; 3]> {
    let mut out = [0u8; 16];
    let n = card
        .applet
        .process(&[0x00, 0xCA, 0x00, 0xC4, 0x00], &mut out);
    match out.get(..n)? {
        [_, _, _, _, pw1, rc, pw3, 0x90, 0x00] => Some([*pw1, *rc, *pw3]),
        _ => None,
    }
}

/// The probe of the factory-reset oracle: what a client reads and tries right after a reset
/// (GnuPG 2.4's card status reads every public key), each with an extended Le so that the
/// answer comes whole. In this order: the data objects, the public keys, the PIN status, the
/// factory PINs, then every key operation.
fn reset_probe() -> Vec<Vec<u8>> {
    let full = Some(65536);
    let mut probe = Vec::new();
    for tag in [
        0x006Eu16, 0x0065, 0x007A, 0x00C4, 0x00F9, 0x00D6, 0x00D7, 0x00D8, 0x7F21, 0x005E, 0x5F50,
        0x0101, 0x0103,
    ] {
        let [p1, p2] = tag.to_be_bytes();
        probe.push(build_apdu(0x00, 0xCA, p1, p2, &[], full));
    }
    // curDO: a pointer left from before the reset would answer GET NEXT DATA differently.
    probe.push(build_apdu(0x00, 0xCC, 0x7F, 0x21, &[], full));
    probe.push(build_apdu(0x00, 0xCA, 0x7F, 0x21, &[], full));
    for crt in [0xB6, 0xB8, 0xA4] {
        probe.push(build_apdu(0x00, 0x47, 0x81, 0x00, &[crt, 0x00], full));
    }
    for p2 in [0x81, 0x82, 0x83] {
        probe.push(build_apdu(0x00, 0x20, 0x00, p2, &[], None));
    }
    probe.push(build_apdu(0x00, 0x20, 0x00, 0x81, PW1, None));
    probe.push(build_apdu(0x00, 0x20, 0x00, 0x82, PW1, None));
    probe.push(build_apdu(0x00, 0x20, 0x00, 0x83, PW3, None));
    probe.push(build_apdu(0x00, 0x2A, 0x9E, 0x9A, keys::DIGEST_INFO, full));
    probe.push(build_apdu(0x00, 0x2A, 0x80, 0x86, &[0x00; 257], full));
    let mut point = vec![0x04];
    point.extend_from_slice(&[0x5A; 64]);
    probe.push(build_apdu(
        0x00,
        0x2A,
        0x80,
        0x86,
        &ecdh_cipher_do(&point),
        full,
    ));
    probe.push(build_apdu(0x00, 0x2A, 0x80, 0x86, &[0x02; 17], full));
    probe.push(build_apdu(0x00, 0x2A, 0x86, 0x80, &[0x5A; 16], full));
    probe.push(build_apdu(0x00, 0x88, 0x00, 0x00, b"challenge", full));
    probe.push(build_apdu(0x00, 0xCA, 0x01, 0x03, &[], full));
    probe
}

/// The oracles' state across one session.
pub(crate) struct Oracle {
    /// Counters as the running applet answers them (read only when that is invisible to it).
    ram: CounterView,
    /// Counters as a fresh applet reads them from storage (after every op that wrote).
    stored: CounterView,
    /// The storage's write count at the last stored look.
    writes: u64,
    /// A chain is being reassembled or a response waits for GET RESPONSE: a GET DATA of our
    /// own would change what the fuzzer's next command does.
    pub(crate) busy: bool,
    /// Every command and every command data field sent, to tell an echo from a leak.
    sent: Vec<u8>,
    /// The interface the card was last powered on with (the fresh card of the reset oracle
    /// is powered on the same way).
    pub(crate) transport: Transport,
    /// How many factory resets the reset oracle compared (for the corpus tests).
    pub(crate) resets: usize,
    /// The card's random source (shares its failure).
    rng: FuzzRng,
}

impl Oracle {
    pub(crate) fn new(
        card: &mut FuzzCard<FaultyStorage>,
        transport: Transport,
        rng: FuzzRng,
    ) -> Oracle {
        let mut oracle = Oracle {
            ram: CounterView::default(),
            stored: CounterView::default(),
            writes: card.storage().inner().write_count(),
            busy: false,
            sent: Vec::new(),
            transport,
            resets: 0,
            rng,
        };
        oracle.ram.observe(read_counters(card), "RAM", 0);
        oracle.stored.observe(read_counters(card), "stored", 0);
        oracle
    }

    /// Permits a rise of the counters as `permit` says (a command the oracle did not see
    /// answered, such as one a power cut interrupted).
    pub(crate) fn allow(&mut self, permit: Permit) {
        self.ram.allow(permit);
        self.stored.allow(permit);
    }

    /// One command through the applet, with every per-response oracle; the response's length.
    pub(crate) fn exchange(
        &mut self,
        card: &mut FuzzCard<FaultyStorage>,
        command: &[u8],
        out: &mut [u8],
        op: usize,
    ) -> usize {
        let parsed = CommandApdu::parse(command).ok();
        // ACTIVATE FILE resets the card only in the terminated state, which is exactly when the
        // life-cycle record exists (TERMINATE DF writes it, ACTIVATE FILE removes it last).
        let resets = parsed.is_some_and(|a| a.ins == 0x44 && a.cla & 0x10 == 0)
            && card.storage().inner().record(RecordId::LIFECYCLE).is_some();
        let failing = self.rng.bad_bytes_drawn().is_some();
        let records_before = failing.then(|| records(card.storage().inner()));
        let n = card.applet.process(command, out);
        if out.len() < 2 {
            assert_eq!(n, 0, "a response in a buffer of {} bytes", out.len());
            return 0;
        }
        assert!(
            (2..=out.len()).contains(&n),
            "response length {n} for a buffer of {}",
            out.len()
        );
        let response = &out[..n];
        let sw = assert_status(response);
        self.sent.extend_from_slice(command);
        if let Some(apdu) = parsed {
            self.sent.extend_from_slice(apdu.data);
        }
        let data = &response[..n - 2];
        if let Some(at) = Secrets::get().find(data) {
            let window = &data[at..at + WINDOW];
            assert!(
                self.sent.windows(WINDOW).any(|sent| sent == window),
                "op {op}: response bytes {at}..{} are private key material: {window:02X?}",
                at + WINDOW
            );
        }
        let chaining = parsed.is_some_and(|a| a.cla & 0x10 != 0) && sw == 0x9000;
        self.busy = chaining || sw >> 8 == 0x61;
        // A chained block only stores data; the command runs with the chain's last block.
        if let Some(apdu) = parsed.filter(|a| a.cla & 0x10 == 0) {
            let permit = Permit::of(apdu.ins, apdu.p1, apdu.p2, sw);
            self.ram.allow(permit);
            self.stored.allow(permit);
        }
        if let Some(before) = records_before {
            // A failing random source: a command refused with 6F00 stored nothing, and no
            // challenge carries the source's bad bytes.
            if sw == 0x6F00 {
                assert!(
                    records(card.storage().inner()) == before,
                    "op {op}: a command refused with 6F00 while the random source fails \
                     changed the stored records"
                );
            }
            if parsed.is_some_and(|a| a.ins == 0x84) && sw == 0x9000 {
                if let Some(period) = self.rng.bad_period() {
                    assert!(
                        !has_period(data, period, period + 8),
                        "op {op}: GET CHALLENGE released bytes of a failing source (period \
                         {period}): {data:02X?}"
                    );
                }
            }
        }
        if resets && sw == 0x9000 && !card.storage().is_lost() {
            self.compare_with_factory_card(card, op);
        }
        n
    }

    /// The factory-reset oracle: after ACTIVATE FILE reset the card, it must answer
    /// [`reset_probe`] exactly as a factory-fresh applet over empty storage does. Nothing decoded,
    /// verified, selected or touched before the reset may show (no RNG-dependent byte can
    /// appear, since a fresh card has no key).
    fn compare_with_factory_card(&mut self, card: &mut FuzzCard<FaultyStorage>, op: usize) {
        let mut fresh = card_on(factory_medium().clone(), self.transport);
        for probe in reset_probe() {
            let reset = send(card, &probe);
            let factory = send(&mut fresh, &probe);
            assert_eq!(
                reset, factory,
                "op {op}: after ACTIVATE FILE the card (left) answers {probe:02X?} unlike a \
                 factory-fresh card (right)"
            );
        }
        self.resets += 1;
    }

    /// The retry-counter looks after an operation.
    pub(crate) fn look(&mut self, card: &mut FuzzCard<FaultyStorage>, op: usize) {
        if !self.busy {
            self.ram.observe(read_counters(card), "RAM", op);
        }
        let writes = card.storage().inner().write_count();
        if writes != self.writes {
            let counters = {
                let mut storage = card.storage_mut();
                read_counters(&mut card_on(&mut *storage, Transport::Contact))
            };
            assert_eq!(
                card.storage().inner().write_count(),
                writes,
                "the read-only look wrote to storage"
            );
            self.stored.observe(counters, "stored", op);
            self.writes = writes;
        }
    }
}

/// Every record's bytes (what a power-on would find), without the write count.
pub(crate) fn records(storage: &MemoryStorage) -> Vec<(RecordId, Vec<u8>)> {
    storage
        .ids()
        .map(|id| (id, storage.record(id).unwrap_or_default().to_vec()))
        .collect()
}

/// Whether `bytes` has a run of `span` bytes each equal to the byte `period` after it: what a
/// source stuck (period 1) or cycling shows, and a healthy one with probability 2^-(8·span)
/// per position.
fn has_period(bytes: &[u8], period: usize, span: usize) -> bool {
    let mut run = 0;
    for (a, b) in bytes.iter().zip(bytes.iter().skip(period)) {
        run = if a == b { run + 1 } else { 0 };
        if run >= span {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_period;

    #[test]
    fn periods_of_stuck_and_cycling_bytes() {
        assert!(has_period(&[7; 9], 1, 8));
        assert!(!has_period(&[7; 8], 1, 8));
        let cycle: Vec<u8> = [1u8, 2, 3, 4]
            .iter()
            .copied()
            .cycle()
            .take(4 + 12)
            .collect();
        assert!(has_period(&cycle, 4, 12));
        assert!(!has_period(&cycle, 3, 12));
        let mut broken = cycle.clone();
        broken[9] ^= 1;
        assert!(!has_period(&broken, 4, 12));
        assert!(!has_period(&[], 1, 1));
    }
}
