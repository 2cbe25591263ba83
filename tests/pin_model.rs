//! A reference model of the PIN state machine (spec §4.3, §7.2.2–7.2.4, and YubiKey's SET PIN
//! RETRIES) run against the applet on random command sequences: every status word and every
//! retry counter must agree. A second oracle, independent of the model's arithmetic, checks the
//! rule an attacker holding the card cares about: a counter rises only through a right PIN, a
//! PIN newly set, or SET PIN RETRIES on a counter that has lost no try since its last refill.

mod common;
use common::*;
use proptest::prelude::*;

const PINS: [&[u8]; 7] = [
    b"123456",
    b"12345678",
    b"654321",
    b"abcdefgh",
    b"12345",
    b"resetcode",
    b"a-very-long-but-valid-passphrase",
];

#[derive(Clone, Debug)]
enum Op {
    Verify(u8, usize),
    Change(u8, usize, usize),
    ResetWithCode(usize, usize),
    ResetByAdmin(usize),
    SetResettingCode(Option<usize>),
    ClearStatus(u8),
    /// SET PIN RETRIES (F2) with these maxima (0 and 16 are out of range).
    SetRetries([u8; 3]),
    PowerCycle,
}

fn op() -> impl Strategy<Value = Op> {
    let pin = 0..PINS.len();
    prop_oneof![
        4 => (prop_oneof![Just(0x81u8), Just(0x82), Just(0x83)], pin.clone()).prop_map(|(r, p)| Op::Verify(r, p)),
        // The right Admin PIN, often: SET PIN RETRIES, RESET RETRY COUNTER's admin mode and D3
        // need it.
        1 => Just(Op::Verify(0x83, 1)),
        2 => (prop_oneof![Just(0x81u8), Just(0x83)], pin.clone(), pin.clone()).prop_map(|(r, o, n)| Op::Change(r, o, n)),
        1 => (pin.clone(), pin.clone()).prop_map(|(c, n)| Op::ResetWithCode(c, n)),
        1 => pin.clone().prop_map(Op::ResetByAdmin),
        1 => proptest::option::of(pin).prop_map(Op::SetResettingCode),
        1 => prop_oneof![Just(0x81u8), Just(0x82), Just(0x83)].prop_map(Op::ClearStatus),
        2 => proptest::array::uniform3(prop_oneof![4 => 1u8..=4, 1 => 5u8..=15, 1 => Just(0u8), 1 => Just(16u8)]).prop_map(Op::SetRetries),
        1 => Just(Op::PowerCycle),
    ]
}

#[derive(Clone, Debug)]
struct Secret {
    value: Option<Vec<u8>>,
    tries: u8,
    max: u8,
}

struct Model {
    pw1: Secret,
    rc: Secret,
    pw3: Secret,
    v81: bool,
    v82: bool,
    v83: bool,
}

fn ok_len(pin: &[u8], min: usize) -> bool {
    (min..=64).contains(&pin.len())
}

impl Model {
    fn new() -> Model {
        Model {
            pw1: Secret {
                value: Some(b"123456".to_vec()),
                tries: 3,
                max: 3,
            },
            rc: Secret {
                value: None,
                tries: 0,
                max: 3,
            },
            pw3: Secret {
                value: Some(b"12345678".to_vec()),
                tries: 3,
                max: 3,
            },
            v81: false,
            v82: false,
            v83: false,
        }
    }

    /// Checks `data` starting with the secret; returns the remainder on a match.
    fn check_prefix<'d>(secret: &mut Secret, data: &'d [u8]) -> Result<&'d [u8], u16> {
        let Some(value) = secret.value.clone() else {
            return Err(0x6983);
        };
        if secret.tries == 0 {
            return Err(0x6983);
        }
        secret.tries -= 1;
        if data.len() >= value.len() && data[..value.len()] == value[..] {
            Ok(&data[value.len()..])
        } else {
            // A wrong PIN: 6982 (Config::wrong_pin_status's default).
            Err(0x6982)
        }
    }

    fn apply(&mut self, op: &Op) -> u16 {
        match *op {
            Op::Verify(reference, p) => {
                let pin = PINS[p];
                let (secret, min) = if reference == 0x83 {
                    (&mut self.pw3, 8)
                } else {
                    (&mut self.pw1, 6)
                };
                if !ok_len(pin, min) {
                    return 0x6700;
                }
                let result = match Self::check_prefix(secret, pin) {
                    Ok([]) => {
                        secret.tries = secret.max;
                        0x9000
                    }
                    Ok(_) => 0x6982, // longer than the stored PIN: wrong
                    Err(sw) => sw,
                };
                let verified = result == 0x9000;
                match reference {
                    0x81 => self.v81 = verified,
                    0x82 => self.v82 = verified,
                    _ => self.v83 = verified,
                }
                result
            }
            Op::Change(reference, old, new) => {
                let mut data = PINS[old].to_vec();
                data.extend_from_slice(PINS[new]);
                let (secret, min) = if reference == 0x83 {
                    (&mut self.pw3, 8)
                } else {
                    (&mut self.pw1, 6)
                };
                match Self::check_prefix(secret, &data) {
                    Ok(rest) => {
                        secret.tries = secret.max;
                        if ok_len(rest, min) {
                            secret.value = Some(rest.to_vec());
                            0x9000
                        } else {
                            0x6700
                        }
                    }
                    // A wrong old value ends what that PIN verified, as in VERIFY.
                    Err(sw) => {
                        if reference == 0x83 {
                            self.v83 = false;
                        } else {
                            (self.v81, self.v82) = (false, false);
                        }
                        sw
                    }
                }
            }
            Op::ResetWithCode(code, new) => {
                let mut data = PINS[code].to_vec();
                data.extend_from_slice(PINS[new]);
                match Self::check_prefix(&mut self.rc, &data) {
                    Ok(rest) => {
                        self.rc.tries = self.rc.max;
                        if ok_len(rest, 6) {
                            self.pw1.value = Some(rest.to_vec());
                            self.pw1.tries = self.pw1.max;
                            // The old PW1's verification ends with it.
                            (self.v81, self.v82) = (false, false);
                            0x9000
                        } else {
                            0x6700
                        }
                    }
                    Err(sw) => sw,
                }
            }
            Op::ResetByAdmin(new) => {
                if !self.v83 {
                    return 0x6982;
                }
                if !ok_len(PINS[new], 6) {
                    return 0x6700;
                }
                self.pw1.value = Some(PINS[new].to_vec());
                self.pw1.tries = self.pw1.max;
                (self.v81, self.v82) = (false, false);
                0x9000
            }
            Op::SetResettingCode(code) => {
                if !self.v83 {
                    return 0x6982;
                }
                match code {
                    None => {
                        self.rc.value = None;
                        self.rc.tries = 0;
                        0x9000
                    }
                    Some(c) if ok_len(PINS[c], 8) => {
                        self.rc.value = Some(PINS[c].to_vec());
                        self.rc.tries = self.rc.max;
                        0x9000
                    }
                    Some(_) => 0x6700,
                }
            }
            Op::ClearStatus(reference) => {
                // FF 81 and FF 82 both address PW1: both of its states end.
                match reference {
                    0x81 | 0x82 => {
                        self.v81 = false;
                        self.v82 = false;
                    }
                    _ => self.v83 = false,
                }
                0x9000
            }
            Op::SetRetries(max) => {
                if !self.v83 {
                    return 0x6982;
                }
                if max.iter().any(|m| !(1..=15).contains(m)) {
                    return 0x6A80;
                }
                for (secret, new_max) in [&mut self.pw1, &mut self.rc, &mut self.pw3]
                    .into_iter()
                    .zip(max)
                {
                    // Full: the new maximum. Short of full: never more, and below the new
                    // maximum, so that it never looks full.
                    secret.tries = if secret.tries == secret.max {
                        new_max
                    } else {
                        secret.tries.min(new_max - 1)
                    };
                    secret.max = new_max;
                }
                0x9000
            }
            Op::PowerCycle => {
                self.v81 = false;
                self.v82 = false;
                self.v83 = false;
                0x9000
            }
        }
    }
}

fn run(card: &mut Card, op: &Op) -> u16 {
    match *op {
        Op::Verify(reference, p) => card.verify(reference, PINS[p]).sw,
        Op::Change(reference, old, new) => {
            let mut data = PINS[old].to_vec();
            data.extend_from_slice(PINS[new]);
            card.cmd(0, 0x24, 0, reference, &data).sw
        }
        Op::ResetWithCode(code, new) => {
            let mut data = PINS[code].to_vec();
            data.extend_from_slice(PINS[new]);
            card.cmd(0, 0x2C, 0, 0x81, &data).sw
        }
        Op::ResetByAdmin(new) => card.cmd(0, 0x2C, 2, 0x81, PINS[new]).sw,
        Op::SetResettingCode(code) => card.put_data(0xD3, code.map_or(&[][..], |c| PINS[c])).sw,
        Op::ClearStatus(reference) => card.cmd(0, 0x20, 0xFF, reference, &[]).sw,
        Op::SetRetries(max) => card.cmd(0, 0xF2, 0, 0, &max).sw,
        Op::PowerCycle => {
            card.power_cycle();
            card.select().sw
        }
    }
}

/// Which counters (PW1, RC, PW3) `op`, answered `sw`, may refill: a right PIN (its 6700 for a
/// new value of a wrong length comes after the right old one) or a PIN newly set. Derived from
/// the commands alone, not from the model.
fn refills(op: &Op, sw: u16) -> [bool; 3] {
    let ok = sw == 0x9000;
    let proven = ok || sw == 0x6700;
    match *op {
        Op::Verify(0x83, _) => [false, false, ok],
        Op::Verify(..) => [ok, false, false],
        Op::Change(0x83, ..) => [false, false, proven],
        Op::Change(..) => [proven, false, false],
        Op::ResetWithCode(..) => [ok, proven, false],
        Op::ResetByAdmin(_) => [ok, false, false],
        Op::SetResettingCode(_) => [false, ok, false],
        _ => [false; 3],
    }
}

/// The attacker's oracle: tracks, for each counter, whether it has lost a try since its last
/// refill, and fails any step in which a counter rises without a refill, or through SET PIN
/// RETRIES after it lost a try.
#[derive(Default)]
struct NoTryGivenBack {
    lost: [bool; 3],
}

impl NoTryGivenBack {
    fn step(&mut self, op: &Op, sw: u16, before: [u8; 3], after: [u8; 3]) -> Result<(), String> {
        let refilled = refills(op, sw);
        let retries = matches!(op, Op::SetRetries(_)) && sw == 0x9000;
        for i in 0..3 {
            if refilled[i] {
                self.lost[i] = false;
            } else if after[i] > before[i] && (!retries || self.lost[i]) {
                return Err(format!(
                    "counter {i} rose from {} to {} through {op:?} ({sw:04X})",
                    before[i], after[i]
                ));
            } else if after[i] < before[i] && !retries {
                self.lost[i] = true;
            }
        }
        Ok(())
    }
}

/// Sequences around SET PIN RETRIES: wrong and right PINs, the Admin PIN, new maxima, power
/// cycles (what an attacker holding the card and PW3 would try to refill a PIN it guesses).
fn retries_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => prop_oneof![Just(0x81u8), Just(0x82), Just(0x83)].prop_map(|r| Op::Verify(r, 2)),
        2 => Just(Op::Verify(0x83, 1)),
        1 => Just(Op::Verify(0x82, 0)),
        1 => (0..PINS.len()).prop_map(|c| Op::ResetWithCode(c, 0)),
        1 => Just(Op::SetResettingCode(Some(5))),
        4 => proptest::array::uniform3(1u8..=5).prop_map(Op::SetRetries),
        1 => Just(Op::PowerCycle),
    ]
}

/// Runs `ops` against a fresh card and the model, with the attacker's oracle.
fn check(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut card = Card::new();
    card.select();
    let mut model = Model::new();
    let mut oracle = NoTryGivenBack::default();
    for (i, op) in ops.iter().enumerate() {
        let before = card.tries();
        let expected = model.apply(op);
        let got = run(&mut card, op);
        if let Err(broken) = oracle.step(op, got, before, card.tries()) {
            prop_assert!(false, "step {}: {}", i, broken);
        }
        prop_assert_eq!(got, expected, "step {} {:?}", i, op);
        prop_assert_eq!(
            card.tries(),
            [model.pw1.tries, model.rc.tries, model.pw3.tries],
            "step {} {:?}",
            i,
            op
        );
        for (reference, verified) in [(0x81u8, model.v81), (0x82, model.v82), (0x83, model.v83)] {
            let status = card.cmd(0, 0x20, 0, reference, &[]).sw;
            prop_assert_eq!(
                status == 0x9000,
                verified,
                "status of {:02X} after step {} {:?}",
                reference,
                i,
                op
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn applet_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        check(&ops)?;
    }

    #[test]
    fn set_pin_retries_never_gives_a_try_back(ops in proptest::collection::vec(retries_op(), 1..24)) {
        check(&ops)?;
    }
}
