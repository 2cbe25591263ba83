//! A reference model of the PIN state machine (spec §4.3, §7.2.2–7.2.4) run against the applet
//! on random command sequences: every status word and every retry counter must agree.

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
    PowerCycle,
}

fn op() -> impl Strategy<Value = Op> {
    let pin = 0..PINS.len();
    prop_oneof![
        4 => (prop_oneof![Just(0x81u8), Just(0x82), Just(0x83)], pin.clone()).prop_map(|(r, p)| Op::Verify(r, p)),
        2 => (prop_oneof![Just(0x81u8), Just(0x83)], pin.clone(), pin.clone()).prop_map(|(r, o, n)| Op::Change(r, o, n)),
        1 => (pin.clone(), pin.clone()).prop_map(|(c, n)| Op::ResetWithCode(c, n)),
        1 => pin.clone().prop_map(Op::ResetByAdmin),
        1 => proptest::option::of(pin).prop_map(Op::SetResettingCode),
        1 => prop_oneof![Just(0x81u8), Just(0x82), Just(0x83)].prop_map(Op::ClearStatus),
        1 => Just(Op::PowerCycle),
    ]
}

#[derive(Clone, Debug)]
struct Secret {
    value: Option<Vec<u8>>,
    tries: u8,
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
            },
            rc: Secret {
                value: None,
                tries: 0,
            },
            pw3: Secret {
                value: Some(b"12345678".to_vec()),
                tries: 3,
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
                        secret.tries = 3;
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
                        secret.tries = 3;
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
                        self.rc.tries = 3;
                        if ok_len(rest, 6) {
                            self.pw1 = Secret {
                                value: Some(rest.to_vec()),
                                tries: 3,
                            };
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
                self.pw1 = Secret {
                    value: Some(PINS[new].to_vec()),
                    tries: 3,
                };
                (self.v81, self.v82) = (false, false);
                0x9000
            }
            Op::SetResettingCode(code) => {
                if !self.v83 {
                    return 0x6982;
                }
                match code {
                    None => {
                        self.rc = Secret {
                            value: None,
                            tries: 0,
                        };
                        0x9000
                    }
                    Some(c) if ok_len(PINS[c], 8) => {
                        self.rc = Secret {
                            value: Some(PINS[c].to_vec()),
                            tries: 3,
                        };
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
        Op::PowerCycle => {
            card.power_cycle();
            card.select().sw
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn applet_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let mut card = Card::new();
        card.select();
        let mut model = Model::new();
        for (i, op) in ops.iter().enumerate() {
            let expected = model.apply(op);
            let got = run(&mut card, op);
            prop_assert_eq!(got, expected, "step {} {:?}", i, op);
            prop_assert_eq!(card.tries(), [model.pw1.tries, model.rc.tries, model.pw3.tries], "step {} {:?}", i, op);
            for (reference, verified) in [(0x81u8, model.v81), (0x82, model.v82), (0x83, model.v83)] {
                let status = card.cmd(0, 0x20, 0, reference, &[]).sw;
                prop_assert_eq!(status == 0x9000, verified, "status of {:02X} after step {} {:?}", reference, i, op);
            }
        }
    }
}
