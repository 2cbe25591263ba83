//! End-to-end tests: GnuPG (and OpenSC) against the applet as a virtual card on PC/SC.
//!
//! Each test starts a fresh card (in memory) on vsmartcard's vpcd, a throw-away GNUPGHOME, and
//! drives `gpg` non-interactively through its status protocol, checking the machine-readable
//! output. Requirements and the exact command: `tests/e2e/ci.sh`, in short
//!
//! ```text
//! pcscd            # with vsmartcard-vpcd installed; as root
//! cargo test -p openpgp-card-applet-e2e --features e2e --test gnupg -- --test-threads=1
//! ```
//!
//! A failing test prints every tool transcript (gpg's status lines and stderr) and the card's
//! APDU log.

use openpgp_card_applet_e2e as e2e;

use e2e::{reader, Button, CardStatus, Fixture, SERIAL};
use openpgp_card_applet::{Config, Presence, WrongPinStatus};

const PW1: &str = "123456";
const PW3: &str = "12345678";

/// The prompt keywords of gpg 2.2's `--card-edit`.
const PROMPT: &str = "cardedit.prompt";
const PIN: &str = "passphrase.enter";
/// A PIN prompt that gpg skips when the card still has that PIN verified.
const OPTIONAL_PIN: &str = "?passphrase.enter";
const PIN_MENU: &str = "cardutil.change_pin.menu";

fn assert_fresh(status: &CardStatus) {
    assert_eq!(status.line("name"), "name:::");
    assert_eq!(status.line("lang"), "lang::");
    assert_eq!(status.line("url"), "url::");
    assert_eq!(status.line("login"), "login::");
    assert_eq!(status.line("pinretry"), "pinretry:3:0:3:");
    assert_eq!(status.line("forcepin"), "forcepin:1:::");
    assert_eq!(status.line("sigcount"), "sigcount:0:::");
    assert_eq!(status.line("kdf"), "kdf:off:");
    assert_eq!(
        status.all("keyattr"),
        [
            "keyattr:1:1:2048:",
            "keyattr:2:1:2048:",
            "keyattr:3:1:2048:"
        ]
    );
}

/// `SC_OP_SUCCESS` appears, `SC_OP_FAILURE` does not.
fn assert_success(status: &[String]) {
    assert!(
        status.iter().any(|l| l.starts_with("SC_OP_SUCCESS")),
        "no SC_OP_SUCCESS in {status:#?}"
    );
    assert!(
        !status.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
        "SC_OP_FAILURE in {status:#?}"
    );
}

#[test]
fn card_status_of_a_fresh_card() {
    let f = Fixture::new();
    let status = f.gpg.card_status();
    let (reader_name, _) = reader();
    let aid = format!("D276000124010304FFFF{SERIAL:08X}0000");
    assert_eq!(
        status.line("Reader"),
        format!("Reader:{reader_name}:AID:{aid}:openpgp-card:")
    );
    assert_eq!(status.line("version"), "version:0304:");
    assert_eq!(status.line("vendor"), "vendor:ffff:test card:");
    assert_eq!(status.line("serial"), format!("serial:{SERIAL:08X}:"));
    assert_eq!(status.line("maxpinlen"), "maxpinlen:64:64:64:");
    assert_fresh(&status);
    // 2.4 shows the UIF of each slot (the card has 7F74, a button); 2.2 has no such line.
    let uif: &[&str] = if e2e::gnupg_24() {
        &["uif:0:0:0:"]
    } else {
        &[]
    };
    assert_eq!(status.all("uif"), uif);
    // No keys yet.
    assert_eq!(status.line("fpr"), "fpr::::");
    assert_eq!(status.line("fprtime"), "fprtime:0:0:0:");
}

#[test]
fn admin_sets_cardholder_data() {
    let f = Fixture::new();
    let out = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "name"),
        ("keygen.smartcard.surname", "Doe"),
        ("keygen.smartcard.givenname", "Jane Q"),
        (PIN, PW3),
        (PROMPT, "lang"),
        ("cardedit.change_lang", "deen"),
        (PROMPT, "sex"),
        ("cardedit.change_sex", "f"),
        (PROMPT, "url"),
        ("cardedit.change_url", "https://example.org/jane.asc"),
        (PROMPT, "login"),
        ("cardedit.change_login", "jane@example.org"),
        (PROMPT, "quit"),
    ]);
    assert_success(&out);
    let status = f.gpg.card_status();
    assert_eq!(status.fields("name")[..2], ["Jane Q", "Doe"]);
    assert_eq!(status.fields("lang")[0], "deen");
    assert_eq!(status.line("sex"), "sex:f:");
    assert_eq!(status.fields("url")[0], "https://example.org/jane.asc");
    assert_eq!(status.fields("login")[0], "jane@example.org");
    // The card, not scdaemon's cache: a new agent and scdaemon read it again.
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    assert_eq!(f.gpg.card_status().fields("name")[..2], ["Jane Q", "Doe"]);
}

#[test]
fn pins_resetting_code_blocking_unblocking_and_forcesig() {
    let f = Fixture::new();
    let new_pw1 = "246810";
    let newer_pw1 = "135790";
    let new_pw3 = "87654321";
    let reset_code = "resetcode1";
    let out = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "passwd"),
        (PIN_MENU, "1"),
        (PIN, PW1),
        (PIN, new_pw1),
        (PIN, new_pw1),
        (PIN_MENU, "3"),
        (PIN, PW3),
        (PIN, new_pw3),
        (PIN, new_pw3),
        (PIN_MENU, "4"),
        (PIN, new_pw3),
        (PIN, reset_code),
        (PIN, reset_code),
        (PIN_MENU, "q"),
        (PROMPT, "quit"),
    ]);
    assert_eq!(
        out.iter()
            .filter(|l| l.starts_with("SC_OP_SUCCESS"))
            .count(),
        3,
        "{out:#?}"
    );
    assert_eq!(f.gpg.card_status().line("pinretry"), "pinretry:3:3:3:");

    // The old PIN is wrong now: each try costs one, down to blocked.
    for left in [2, 1, 0] {
        let out = f
            .gpg
            .card_edit(&[(PROMPT, "verify"), (PIN, PW1), (PROMPT, "quit")]);
        assert!(
            out.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
            "{out:#?}"
        );
        assert_eq!(
            f.gpg.card_status().line("pinretry"),
            format!("pinretry:{left}:3:3:")
        );
    }

    // Unblock with the Resetting Code.
    let out = f.gpg.card_edit(&[
        (PROMPT, "unblock"),
        (PIN, reset_code),
        (PIN, newer_pw1),
        (PIN, newer_pw1),
        (PROMPT, "quit"),
    ]);
    assert_success(&out);
    assert_eq!(f.gpg.card_status().line("pinretry"), "pinretry:3:3:3:");
    let out = f
        .gpg
        .card_edit(&[(PROMPT, "verify"), (PIN, newer_pw1), (PROMPT, "quit")]);
    assert!(
        !out.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
        "{out:#?}"
    );

    // forcesig flips C4 byte 1. (The card keeps PW3 verified since menu 4 while scdaemon holds
    // it, so gpg may not ask for the admin PIN.)
    for expected in ["forcepin:0:::", "forcepin:1:::"] {
        let out = f.gpg.card_edit(&[
            (PROMPT, "admin"),
            (PROMPT, "forcesig"),
            (OPTIONAL_PIN, new_pw3),
            (PROMPT, "quit"),
        ]);
        assert!(
            !out.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
            "{out:#?}"
        );
        assert_eq!(f.gpg.card_status().line("forcepin"), expected);
    }
    let status = f.gpg.card_status();
    assert_eq!(status.line("forcepin"), "forcepin:1:::");
    assert_eq!(status.line("pinretry"), "pinretry:3:3:3:");
}

#[test]
fn kdf_setup_then_pins_still_work() {
    let f = Fixture::new();
    let out = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "kdf-setup"),
        (PIN, PW3),
        (PROMPT, "quit"),
    ]);
    // gpg 2.2 reports no SC_OP_SUCCESS for kdf-setup.
    assert!(
        !out.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
        "{out:#?}"
    );
    // The two versions set KDF up differently (the card supports both, README "KDF-DO"):
    // 2.2 verifies the plain admin PIN and writes an F9 holding the initial hashes (87, 88),
    // from which the card sets the PINs; 2.4 (for cards it does not know as YubiKey or Gnuk)
    // changes PW3 to its hash itself, verifies it, resets PW1 to its hash with the admin
    // right, and only then writes F9. Both: one admin PIN prompt, every step 9000.
    let steps: Vec<(Vec<u8>, u16)> = f
        .card
        .log
        .exchanges()
        .iter()
        .filter(|e| {
            matches!(
                e.command.get(1..4),
                Some(
                    [0x24, 0x00, 0x83]
                        | [0x20, 0x00, 0x83]
                        | [0x2C, 0x02, 0x81]
                        | [0xDA, 0x00, 0xF9 | 0xD3]
                )
            )
        })
        .map(|e| (e.command[1..4].to_vec(), e.sw()))
        .collect();
    let expected: &[[u8; 3]] = if e2e::gnupg_24() {
        &[
            [0x24, 0x00, 0x83],
            [0x20, 0x00, 0x83],
            [0x2C, 0x02, 0x81],
            [0xDA, 0x00, 0xF9],
        ]
    } else {
        &[[0x20, 0x00, 0x83], [0xDA, 0x00, 0xF9]]
    };
    assert_eq!(
        steps,
        expected
            .iter()
            .map(|h| (h.to_vec(), 0x9000))
            .collect::<Vec<_>>(),
        "kdf-setup under GnuPG {:?}",
        e2e::gnupg_version()
    );
    let status = f.gpg.card_status();
    assert_eq!(status.line("kdf"), "kdf:on:");
    assert_eq!(status.line("pinretry"), "pinretry:3:0:3:");

    // gpg now sends the S2K hash of the default PINs: the admin PIN must still open PUT DATA,
    // and the user PIN must still change.
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let out = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "name"),
        ("keygen.smartcard.surname", "Kdf"),
        ("keygen.smartcard.givenname", "Karl"),
        (PIN, PW3),
        (PROMPT, "passwd"),
        (PIN_MENU, "1"),
        (PIN, PW1),
        (PIN, "654321"),
        (PIN, "654321"),
        (PIN_MENU, "q"),
        (PROMPT, "quit"),
    ]);
    assert_eq!(
        out.iter()
            .filter(|l| l.starts_with("SC_OP_SUCCESS"))
            .count(),
        2,
        "{out:#?}"
    );
    let status = f.gpg.card_status();
    assert_eq!(status.fields("name")[..2], ["Karl", "Kdf"]);
    assert_eq!(status.line("kdf"), "kdf:on:");
    assert_eq!(status.line("pinretry"), "pinretry:3:0:3:");
    let out = f
        .gpg
        .card_edit(&[(PROMPT, "verify"), (PIN, "654321"), (PROMPT, "quit")]);
    assert!(
        !out.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
        "{out:#?}"
    );
}

#[test]
fn factory_reset_gives_a_fresh_card() {
    let f = Fixture::new();
    let out = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "name"),
        ("keygen.smartcard.surname", "Old"),
        ("keygen.smartcard.givenname", "Owner"),
        (PIN, PW3),
        (PROMPT, "url"),
        ("cardedit.change_url", "https://example.org/old.asc"),
        (PROMPT, "forcesig"),
        (PROMPT, "passwd"),
        (PIN_MENU, "4"),
        (PIN, PW3),
        (PIN, "resetcode1"),
        (PIN, "resetcode1"),
        (PIN_MENU, "q"),
        (PROMPT, "quit"),
    ]);
    assert_success(&out);
    let status = f.gpg.card_status();
    assert_eq!(status.fields("name")[..2], ["Owner", "Old"]);
    assert_eq!(status.line("forcepin"), "forcepin:0:::");
    assert_eq!(status.line("pinretry"), "pinretry:3:3:3:");

    let out = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "factory-reset"),
        ("cardedit.factory-reset.proceed", "y"),
        ("cardedit.factory-reset.really", "yes"),
        (PROMPT, "quit"),
    ]);
    assert!(
        !out.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
        "{out:#?}"
    );
    let status = f.gpg.card_status();
    assert_fresh(&status);
    assert_eq!(status.line("serial"), format!("serial:{SERIAL:08X}:"));
    // The default PINs work again.
    let out = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "name"),
        ("keygen.smartcard.surname", "New"),
        ("keygen.smartcard.givenname", "Owner"),
        (PIN, PW3),
        (PROMPT, "quit"),
    ]);
    assert_success(&out);
}

/// A wrong PIN answers 6982 by default (as YubiKey, CanoKey and Gnuk do, and as yubikit
/// needs) or 63Cx (`Config::wrong_pin_status`): GnuPG and OpenSC refuse it either way, and
/// both see the try it cost. (The openpgp-card client: `keys.rs`.)
#[test]
fn gnupg_and_opensc_take_a_wrong_pin_answered_either_way() {
    for status in [
        WrongPinStatus::SecurityStatusNotSatisfied,
        WrongPinStatus::RemainingTries,
    ] {
        let config = Config {
            wrong_pin_status: status,
            ..Config::default()
        };
        let f = Fixture::with_config(Button::new(Presence::Confirmed), config);
        let out = f
            .gpg
            .card_edit(&[(PROMPT, "verify"), (PIN, "000000"), (PROMPT, "quit")]);
        assert!(
            out.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
            "{status:?}: {out:#?}"
        );
        assert_eq!(
            f.gpg.card_status().line("pinretry"),
            "pinretry:2:0:3:",
            "{status:?}"
        );
        // The right PIN still works and restores the counter.
        let out = f
            .gpg
            .card_edit(&[(PROMPT, "verify"), (PIN, PW1), (PROMPT, "quit")]);
        assert!(
            !out.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
            "{status:?}: {out:#?}"
        );
        assert_eq!(
            f.gpg.card_status().line("pinretry"),
            "pinretry:3:0:3:",
            "{status:?}"
        );

        drop(f.gpg.run("gpgconf", &["--kill", "all"]));
        let (_, index) = reader();
        let index = index.to_string();
        let out = f.run(
            "openpgp-tool",
            &["--reader", &index, "--verify", "CHV3", "--pin", "00000000"],
        );
        assert!(
            !out.success,
            "{status:?}: a wrong PIN was accepted:\n{}",
            out.stdout
        );
        let out = f.run(
            "openpgp-tool",
            &["--reader", &index, "--verify", "CHV3", "--pin", PW3],
        );
        assert!(
            out.success,
            "{status:?}: the right PIN was refused:\n{}",
            out.stderr
        );
        let out = f.run(
            "openpgp-tool",
            &["--reader", &index, "--verify", "CHV3", "--pin", "00000000"],
        );
        assert!(!out.success, "{status:?}");
        assert_eq!(
            f.gpg.card_status().line("pinretry"),
            "pinretry:3:0:2:",
            "{status:?}"
        );
    }
}

#[test]
fn opensc_openpgp_tool_reads_and_erases_the_card() {
    let f = Fixture::new();
    let out = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "name"),
        ("keygen.smartcard.surname", "Tool"),
        ("keygen.smartcard.givenname", "Tess"),
        (PIN, PW3),
        (PROMPT, "quit"),
    ]);
    assert_success(&out);
    // Let OpenSC have the reader to itself.
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));

    let (_, index) = reader();
    let index = index.to_string();
    let tool = |args: &[&str]| {
        let mut all = vec!["--reader", index.as_str()];
        all.extend_from_slice(args);
        let out = f.run("openpgp-tool", &all);
        assert!(out.success, "openpgp-tool {args:?} failed:\n{}", out.stderr);
        assert!(
            !out.stderr.contains("rror"),
            "openpgp-tool {args:?}:\n{}",
            out.stderr
        );
        out.stdout
    };
    let card = tool(&["--card-info"]);
    assert!(card.contains("Version:         3.4"), "{card}");
    assert!(card.contains("Manufacturer:    test card"), "{card}");
    assert!(
        card.contains(&format!("Serial number:   {SERIAL:08x}")),
        "{card}"
    );
    let aid = tool(&["--raw", "--card-info"]);
    assert!(
        aid.contains("D2 76 00 01 24 01 03 04 FF FF 12 34 56 78 00 00"),
        "{aid}"
    );
    let user = tool(&["--user-info"]);
    assert!(
        user.contains("Tool Tess") || user.contains("Tess Tool"),
        "{user}"
    );
    let keys = tool(&["--key-info"]);
    assert_eq!(keys.matches("Algorithm:   RSA2048").count(), 3, "{keys}");
    tool(&["--verify", "CHV3", "--pin", PW3]);

    // A wrong admin PIN through OpenSC costs a try that gpg then sees.
    let out = f.run(
        "openpgp-tool",
        &["--reader", &index, "--verify", "CHV3", "--pin", "00000000"],
    );
    assert!(!out.success, "a wrong PIN was accepted:\n{}", out.stdout);
    assert_eq!(f.gpg.card_status().line("pinretry"), "pinretry:3:0:2:");

    // OpenSC's factory reset (block both PINs, TERMINATE DF, ACTIVATE FILE).
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    tool(&["--erase"]);
    let status = f.gpg.card_status();
    assert_fresh(&status);
    assert_eq!(status.line("serial"), format!("serial:{SERIAL:08X}:"));
}

/// A panic in the card's thread fails the test even when every assertion passed: here the
/// button panics when a signature asks for touch (UIF on), through raw APDUs from scdaemon.
#[test]
#[should_panic(expected = "the card thread panicked")]
fn a_panic_in_the_card_thread_fails_the_test() {
    let f = Fixture::with_button(Button::panicking());
    let hash = "01".repeat(32);
    let sign = format!("SCD APDU 002A9E9A20{hash}00");
    let out = f.run(
        "gpg-connect-agent",
        &[
            "SCD SERIALNO",
            "SCD APDU 00200083083132333435363738", // VERIFY PW3
            "SCD APDU 00DA00C10A162B06010401DA470F01", // C1: Ed25519
            "SCD APDU 00DA00D6020120",             // UIF on for signing
            "SCD APDU 0047800002B60000",           // GENERATE
            "SCD APDU 0020008106313233343536",     // VERIFY PW1 (81)
            &sign,                                 // PSO:CDS: asks the button
            "/bye",
        ],
    );
    // The test itself checks nothing that fails: scdaemon waits for the answer the dead
    // card never sends until the step timeout ends gpg-connect-agent. Only the card thread's
    // panic, found when the fixture drops, may fail the test.
    drop(out);
}
