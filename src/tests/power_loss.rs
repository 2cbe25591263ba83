//! Power-loss proofs: every state-changing command scenario is cut at every write (the write
//! applied, and not applied), the card is rebuilt from what was stored, and invariants are
//! checked:
//! - **no free guess**: a PIN comparison that ran and failed always left its decremented
//!   counter in storage; a cut during a right verification consumes at most one try;
//! - every observable object is either its old or its new value (keys with their metadata,
//!   since they share one record), with one documented intermediate state: a verification cut
//!   between its two writes leaves one try consumed;
//! - the card answers SELECT and GET DATA 6E afterwards, and the command can be repeated.
//!
//! The comparison is instrumented (`pin::test_hooks`), which is why these tests live inside the
//! crate. A deliberately broken ordering (compare first, then store) is shown to be caught.

extern crate std;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use std::format;

use crate::backends::{Cut, FaultyStorage, ManualClock, MemoryStorage, ScriptedButton, TestRng};
use crate::command::import_template;
use crate::pin::test_hooks::{self, Event};
use crate::tlv::Reader;
use crate::{Applet, Config, Platform, Presence, Transport};

type TestApplet = Applet<FaultyStorage, TestRng, ManualClock, ScriptedButton>;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn applet(storage: MemoryStorage, cut: Option<Cut>) -> TestApplet {
    let mut faulty = FaultyStorage::new(storage);
    if let Some(cut) = cut {
        faulty.cut(cut);
    }
    let mut applet = Applet::new(
        Config::default(),
        Platform {
            storage: faulty,
            rng: TestRng::seed_from_u64(42),
            clock: ManualClock::new(),
            user_presence: ScriptedButton::always(Presence::Confirmed),
        },
    );
    applet.power_on(Transport::Contact);
    applet
}

/// Sends an APDU (hex, or raw bytes) and returns data and status word.
fn send(applet: &mut TestApplet, apdu: &[u8]) -> (Vec<u8>, u16) {
    let mut out = vec![0u8; 8192];
    let n = applet.process(apdu, &mut out);
    let sw = u16::from_be_bytes([out[n - 2], out[n - 1]]);
    (out[..n - 2].to_vec(), sw)
}

fn cmd(applet: &mut TestApplet, ins: u8, p1: u8, p2: u8, data: &[u8]) -> u16 {
    let mut apdu = vec![0, ins, p1, p2];
    if data.len() > 255 {
        apdu.push(0);
        apdu.extend_from_slice(&(data.len() as u16).to_be_bytes());
    } else if !data.is_empty() {
        apdu.push(data.len() as u8);
    }
    apdu.extend_from_slice(data);
    send(applet, &apdu).1
}

/// The starting card: keys in every slot (Ed25519 SIG, RSA-2048 DEC, P-256 AUT), cardholder
/// data, a certificate, a Resetting Code, UIF on DEC, a few signatures counted.
fn personalised() -> MemoryStorage {
    use crate::crypto::test_vectors::{bytes, RSA2048_P, RSA2048_Q};
    let mut a = applet(MemoryStorage::new(), None);
    send(&mut a, &hex("00A4040006D27600012401"));
    assert_eq!(cmd(&mut a, 0x20, 0, 0x83, b"12345678"), 0x9000);
    for (tag, value) in [
        (0x00C1u16, hex("162B06010401DA470F01")),
        (0x00C2, hex("010800002000")),
        (0x00C3, hex("132A8648CE3D030107")),
        (0x005B, b"Doe<<Jane".to_vec()),
        (0x5F50, b"https://example.org".to_vec()),
        (0x7F21, vec![0x30; 700]),
        (0x00D3, b"resetcode".to_vec()),
        (0x00D7, vec![0x01, 0x20]),
        (0x00C4, vec![0x01]),
    ] {
        let [p1, p2] = tag.to_be_bytes();
        assert_eq!(cmd(&mut a, 0xDA, p1, p2, &value), 0x9000, "{tag:04X}");
    }
    let rsa = import_template(
        0xB8,
        &[
            (0x91, &[0x01, 0x00, 0x01]),
            (0x92, &bytes(RSA2048_P)),
            (0x93, &bytes(RSA2048_Q)),
        ],
    );
    assert_eq!(cmd(&mut a, 0xDB, 0x3F, 0xFF, &rsa), 0x9000);
    assert_eq!(
        cmd(
            &mut a,
            0xDB,
            0x3F,
            0xFF,
            &import_template(0xB6, &[(0x92, &[0x11; 32])])
        ),
        0x9000
    );
    assert_eq!(
        cmd(
            &mut a,
            0xDB,
            0x3F,
            0xFF,
            &import_template(0xA4, &[(0x92, &[0x33; 32])])
        ),
        0x9000
    );
    assert_eq!(cmd(&mut a, 0x20, 0, 0x81, b"123456"), 0x9000);
    for _ in 0..2 {
        assert_eq!(cmd(&mut a, 0x2A, 0x9E, 0x9A, b"message"), 0x9000);
    }
    a.into_platform().storage.into_inner()
}

/// Everything a host can read without a PIN, tagged by name.
fn observe(applet: &mut TestApplet) -> Vec<(String, Vec<u8>, u16)> {
    let mut seen = Vec::new();
    let (data, sw) = send(applet, &hex("00A4040006D27600012401"));
    assert!(
        sw == 0x9000 || sw == 0x6285,
        "SELECT after the cut: {sw:04X}"
    );
    seen.push((String::from("SELECT"), data, sw));
    for tag in [
        0x006Eu16, 0x0065, 0x5F50, 0x005E, 0x0101, 0x0102, 0x007A, 0x00F9, 0x00DE, 0x00C5, 0x00CD,
        0x00C6, 0x00D6, 0x00D7, 0x00D8, 0x00C4,
    ] {
        let [p1, p2] = tag.to_be_bytes();
        let (data, sw) = send(applet, &[0x00, 0xCA, p1, p2, 0x00, 0x00, 0x00]);
        let data = if tag == 0x6E {
            mask_pin_counters(&data)
        } else {
            data
        };
        seen.push((format!("DO {tag:04X}"), data, sw));
    }
    for occurrence in 0..3u8 {
        send(
            applet,
            &[
                0x00, 0xA5, occurrence, 0x04, 0x06, 0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21,
            ],
        );
        let (data, sw) = send(applet, &hex("00CA7F21000000"));
        seen.push((format!("7F21 #{occurrence}"), data, sw));
    }
    for crt in [0xB6u8, 0xB8, 0xA4] {
        let (data, sw) = send(
            applet,
            &[
                0x00, 0x47, 0x81, 0x00, 0x00, 0x00, 0x02, crt, 0x00, 0x00, 0x00,
            ],
        );
        seen.push((format!("public key {crt:02X}"), data, sw));
    }
    seen
}

/// 6E with the retry counters (C4 bytes 5-7) zeroed: those are checked on their own.
fn mask_pin_counters(ard: &[u8]) -> Vec<u8> {
    let mut out = ard.to_vec();
    if let Some(pos) = ard.windows(2).position(|w| w == [0xC4, 0x07]) {
        for byte in out.iter_mut().skip(pos + 2 + 4).take(3) {
            *byte = 0;
        }
    }
    out
}

/// One state-changing scenario: the commands after SELECT (with PIN verifications as needed).
struct Scenario {
    name: &'static str,
    run: fn(&mut TestApplet),
    /// A documented intermediate state a cut may also leave, as the script that reaches it.
    intermediate: Option<fn(&mut TestApplet)>,
}

fn select(a: &mut TestApplet) {
    send(a, &hex("00A4040006D27600012401"));
}

fn admin(a: &mut TestApplet) {
    select(a);
    cmd(a, 0x20, 0, 0x83, b"12345678");
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "VERIFY 81 wrong",
            run: |a| {
                select(a);
                cmd(a, 0x20, 0, 0x81, b"654321");
            },
            intermediate: None,
        },
        Scenario {
            name: "VERIFY 82 right",
            run: |a| {
                select(a);
                cmd(a, 0x20, 0, 0x82, b"123456");
            },
            intermediate: None,
        },
        Scenario {
            name: "VERIFY 83 wrong",
            run: |a| {
                select(a);
                cmd(a, 0x20, 0, 0x83, b"87654321");
            },
            intermediate: None,
        },
        Scenario {
            name: "VERIFY 83 right",
            run: |a| {
                select(a);
                cmd(a, 0x20, 0, 0x83, b"12345678");
            },
            intermediate: None,
        },
        Scenario {
            name: "CHANGE REFERENCE DATA PW1",
            run: |a| {
                select(a);
                cmd(a, 0x24, 0, 0x81, b"123456new-pin");
            },
            intermediate: None,
        },
        Scenario {
            name: "CHANGE REFERENCE DATA PW3 wrong",
            run: |a| {
                select(a);
                cmd(a, 0x24, 0, 0x83, b"87654321new-admin");
            },
            intermediate: None,
        },
        Scenario {
            name: "RESET RETRY COUNTER with RC",
            run: |a| {
                select(a);
                cmd(a, 0x2C, 0, 0x81, b"resetcodefresh-pin");
            },
            intermediate: None,
        },
        Scenario {
            name: "RESET RETRY COUNTER with RC wrong",
            run: |a| {
                select(a);
                cmd(a, 0x2C, 0, 0x81, b"resetcoxfresh-pin");
            },
            intermediate: None,
        },
        Scenario {
            name: "RESET RETRY COUNTER by PW3",
            run: |a| {
                admin(a);
                cmd(a, 0x2C, 2, 0x81, b"fresh-pin");
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA name",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0, 0x5B, b"Roe<<Richard");
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA URL cleared",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0x5F, 0x50, &[]);
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA certificate",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0x7F, 0x21, &[0x31; 900]);
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA fingerprint",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0, 0xC8, &[0xF8; 20]);
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA CA fingerprint",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0, 0xCB, &[0xCB; 20]);
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA C4",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0, 0xC4, &[0x00]);
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA resetting code",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0, 0xD3, b"another-code");
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA UIF",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0, 0xD8, &[0x02, 0x20]);
            },
            intermediate: None,
        },
        Scenario {
            name: "PUT DATA private DO",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0x01, 0x02, b"private");
            },
            intermediate: None,
        },
        Scenario {
            name: "algorithm attributes change (deletes SIG key)",
            run: |a| {
                admin(a);
                cmd(a, 0xDA, 0, 0xC1, &hex("132A8648CE3D030107"));
            },
            intermediate: None,
        },
        Scenario {
            name: "GENERATE SIG",
            run: |a| {
                admin(a);
                cmd(a, 0x47, 0x80, 0, &[0xB6, 0x00]);
            },
            intermediate: None,
        },
        Scenario {
            name: "GENERATE AUT",
            run: |a| {
                admin(a);
                cmd(a, 0x47, 0x80, 0, &[0xA4, 0x00]);
            },
            intermediate: None,
        },
        Scenario {
            name: "GENERATE DEC (RSA)",
            run: |a| {
                admin(a);
                cmd(a, 0x47, 0x80, 0, &[0xB8, 0x00]);
            },
            intermediate: None,
        },
        Scenario {
            name: "import SIG",
            run: |a| {
                admin(a);
                cmd(
                    a,
                    0xDB,
                    0x3F,
                    0xFF,
                    &import_template(0xB6, &[(0x92, &[0x44; 32])]),
                );
            },
            intermediate: None,
        },
        Scenario {
            name: "import AUT",
            run: |a| {
                admin(a);
                cmd(
                    a,
                    0xDB,
                    0x3F,
                    0xFF,
                    &import_template(0xA4, &[(0x92, &[0x55; 32])]),
                );
            },
            intermediate: None,
        },
        Scenario {
            name: "PSO:CDS counts",
            run: |a| {
                select(a);
                cmd(a, 0x20, 0, 0x81, b"123456");
                cmd(a, 0x2A, 0x9E, 0x9A, b"signed");
            },
            intermediate: None,
        },
        Scenario {
            name: "KDF setup",
            run: |a| {
                admin(a);
                let mut f9 = hex("810103 820108 8304000186A0 8408 3031323334353637");
                f9.extend_from_slice(&[0x87, 0x20]);
                f9.extend_from_slice(&[0xAA; 32]);
                f9.extend_from_slice(&[0x88, 0x20]);
                f9.extend_from_slice(&[0xBB; 32]);
                cmd(a, 0xDA, 0, 0xF9, &f9);
            },
            intermediate: None,
        },
        Scenario {
            name: "TERMINATE",
            run: |a| {
                admin(a);
                cmd(a, 0xE6, 0, 0, &[]);
            },
            intermediate: None,
        },
        // Documented: a cut during ACTIVATE leaves the card terminated; ACTIVATE completes it.
        Scenario {
            name: "TERMINATE + ACTIVATE",
            run: |a| {
                admin(a);
                cmd(a, 0xE6, 0, 0, &[]);
                cmd(a, 0x44, 0, 0, &[]);
            },
            intermediate: Some(|a| {
                admin(a);
                cmd(a, 0xE6, 0, 0, &[]);
            }),
        },
    ]
}

/// Counters (PW1, RC, PW3) as C4 shows them, or `None` when C4 is unreadable (terminated).
fn counters(applet: &mut TestApplet) -> Option<[u8; 3]> {
    let (data, sw) = send(applet, &hex("00CA00C400"));
    (sw == 0x9000 && data.len() == 7).then(|| [data[4], data[5], data[6]])
}

/// Which counter the scenario's comparisons use, from the PIN reference in the events.
fn compared_wrong(events: &[Event]) -> bool {
    events.contains(&Event::Compare(false))
}

/// Runs every scenario with every cut; returns the violations found and the cut points run.
fn check_all() -> (Vec<String>, usize) {
    let start = personalised();
    let mut violations = Vec::new();
    let mut cut_points = 0;
    for scenario in scenarios() {
        // The uncut run: how many writes, and the new state.
        let mut full = applet(start.clone(), None);
        (scenario.run)(&mut full);
        let writes = full.storage().mutations();
        let new_medium = full.into_platform().storage.into_inner();
        let mut old_card = applet(start.clone(), None);
        let old = observe(&mut old_card);
        let old_counters = counters(&mut old_card);
        let mut new_card = applet(new_medium, None);
        let new = observe(&mut new_card);
        let new_counters = counters(&mut new_card);
        let intermediate = scenario.intermediate.map(|script| {
            let mut card = applet(start.clone(), None);
            script(&mut card);
            let medium = card.into_platform().storage.into_inner();
            observe(&mut applet(medium, None))
        });

        for n in 1..=writes {
            for cut in [Cut::BeforeWrite(n), Cut::AfterWrite(n)] {
                cut_points += 1;
                let mut card = applet(start.clone(), Some(cut));
                test_hooks::take();
                (scenario.run)(&mut card);
                let events = test_hooks::take();
                let medium = card.into_platform().storage.into_inner();
                let mut after = applet(medium, None);
                let seen = observe(&mut after);
                let label = format!("{} / {:?}", scenario.name, cut);
                let documented = intermediate.as_ref().is_some_and(|state| *state == seen);
                for ((name, value, sw), ((_, old_v, old_sw), (_, new_v, new_sw))) in
                    seen.iter().zip(old.iter().zip(new.iter()))
                {
                    let is_old = value == old_v && sw == old_sw;
                    let is_new = value == new_v && sw == new_sw;
                    if !is_old && !is_new && !documented && name != "DO 00C4" {
                        violations.push(format!("{label}: {name} is neither old nor new"));
                    }
                }
                // PIN counters: old, new, or one try consumed by an interrupted verification.
                if let (Some(now), Some(before)) = (counters(&mut after), old_counters) {
                    for i in 0..3 {
                        let allowed = [
                            Some(before[i]),
                            new_counters.map(|c| c[i]),
                            before[i].checked_sub(1),
                        ];
                        if !allowed.contains(&Some(now[i])) {
                            violations.push(format!(
                                "{label}: counter {i} is {} (was {})",
                                now[i], before[i]
                            ));
                        }
                        if compared_wrong(&events)
                            && new_counters.is_some_and(|c| c[i] < before[i])
                            && now[i] >= before[i]
                        {
                            violations.push(format!("{label}: free guess on counter {i}: a wrong PIN was compared but the counter is still {}", now[i]));
                        }
                    }
                }
                // The card works again: 6E reads (unless terminated) and the scenario can run.
                let (_, sw) = send(&mut after, &hex("00CA006E00"));
                if sw != 0x9000 && sw != 0x6285 && sw >> 8 != 0x61 {
                    violations.push(format!("{label}: GET DATA 6E answers {sw:04X}"));
                }
            }
        }
    }
    (violations, cut_points)
}

#[test]
fn every_cut_point_leaves_an_acceptable_card() {
    let (violations, cut_points) = check_all();
    std::eprintln!("power-loss: {cut_points} cut points exercised");
    assert!(cut_points > 80, "only {cut_points} cut points");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn a_broken_ordering_is_caught() {
    test_hooks::set_broken_order(true);
    let (violations, _) = check_all();
    test_hooks::set_broken_order(false);
    assert!(
        violations.iter().any(|v| v.contains("free guess")),
        "the checker must notice a comparison before the stored decrement: {violations:?}"
    );
}

#[test]
fn counters_are_read_back_from_public_data() {
    // Sanity for the checker itself: a wrong VERIFY is visible in C4 after a rebuild.
    let mut a = applet(personalised(), None);
    select(&mut a);
    cmd(&mut a, 0x20, 0, 0x81, b"654321");
    let medium = a.into_platform().storage.into_inner();
    let mut b = applet(medium, None);
    select(&mut b);
    assert_eq!(counters(&mut b), Some([2, 3, 3]));
    let mut r = Reader::new(&[]);
    assert!(r.tlv().is_none());
}
