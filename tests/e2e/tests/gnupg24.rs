//! End-to-end flows that only GnuPG 2.4 has: `gpg-card`, the UIF commands, key attributes
//! from the card's algorithm information (FA, read as scdaemon's `KEY-ATTR-INFO`), the
//! host-driven KDF set-up followed by PIN changes, and `factory-reset` followed at once (no power
//! cycle) by card status and a new key.
//!
//! `tests/e2e/ci.sh` runs this target only inside the Debian 13 root (`tests/e2e/gnupg24/root.sh`);
//! every test fails at once under an older GnuPG rather than passing vacuously.

use openpgp_card_applet_e2e as e2e;

use e2e::gnupg::{self, Algo, OPTIONAL_PIN, PIN, PROMPT, PW1, PW3};

const PIN_MENU: &str = "cardutil.change_pin.menu";
use e2e::{commands, gnupg_24, gnupg_version, Button, CardStatus, Fixture, Gpg};
use openpgp_card_applet::Presence;

fn fixture() -> Fixture {
    assert!(
        gnupg_24(),
        "this suite needs GnuPG 2.4, found {:?}: run it through tests/e2e/ci.sh",
        gnupg_version()
    );
    Fixture::new()
}

fn assert_no_failure(status: &[String]) {
    assert!(
        !status.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
        "SC_OP_FAILURE in {status:#?}"
    );
}

/// The algorithms scdaemon 2.4 reads from the card's DO FA, per key reference
/// (`SCD GETATTR KEY-ATTR-INFO`): `[(OPENPGP.n, name)]`.
fn key_attr_info(gpg: &Gpg) -> Vec<(String, String)> {
    let out = gpg.run("gpg-connect-agent", &["SCD GETATTR KEY-ATTR-INFO", "/bye"]);
    assert!(out.success, "gpg-connect-agent: {}", out.stderr);
    out.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("S KEY-ATTR-INFO "))
        .filter_map(|l| l.split_once(' '))
        .map(|(slot, algo)| (slot.to_owned(), algo.to_owned()))
        .collect()
}

/// The names scdaemon gives the choice `algo` in the three slots (SIG, DEC, AUT).
fn info_names(algo: Algo) -> [String; 3] {
    match algo {
        Algo::Rsa(bits) => [0; 3].map(|_| format!("rsa{bits}")),
        Algo::Curve("Curve25519") => ["ed25519", "cv25519", "ed25519"].map(str::to_owned),
        Algo::Curve("Curve448") => ["ed448", "cv448", "ed448"].map(str::to_owned),
        Algo::Curve(curve) => [0; 3].map(|_| curve.to_owned()),
    }
}

/// 2.4 reads FA and offers what it lists; every algorithm listed there (and only those) can be
/// set through `key-attr`, and card status shows it.
#[test]
fn key_attr_for_every_algorithm_the_card_announces() {
    let f = fixture();
    let announced = key_attr_info(&f.gpg);
    let choices = [
        Algo::RSA2048,
        Algo::RSA3072,
        Algo::RSA4096,
        Algo::NISTP256,
        Algo::NISTP384,
        Algo::SECP256K1,
        Algo::NISTP521,
        Algo::BRAINPOOLP256R1,
        Algo::BRAINPOOLP384R1,
        Algo::BRAINPOOLP512R1,
        // Curve 448 before Curve 25519: from Ed448/X448 (4-byte attributes) straight to RSA,
        // scdaemon 2.4 fails ("Card error", its change_rsa_keyattr wants at least 6 bytes of
        // current attributes); from another curve it works.
        Algo::CURVE448,
        Algo::CURVE25519,
    ];
    let mut covered = Vec::new();
    for algo in choices {
        for (slot, name) in ["OPENPGP.1", "OPENPGP.2", "OPENPGP.3"]
            .iter()
            .zip(info_names(algo))
        {
            covered.push((slot.to_string(), name));
        }
    }
    let mut sorted_announced = announced.clone();
    sorted_announced.sort();
    let mut sorted_covered = covered.clone();
    sorted_covered.sort();
    assert_eq!(
        sorted_announced, sorted_covered,
        "FA (as scdaemon 2.4 reads it) and the choices tested here differ"
    );
    // RSA 2048 is the factory setting: change away from it first so that setting it is a change.
    for algo in choices.iter().skip(1).chain([&Algo::RSA2048]) {
        gnupg::set_key_attributes(&f.gpg, *algo);
    }
}

/// An algorithm that GnuPG 2.4 offers and the card does not announce (RSA 1024: every curve of
/// 2.4's menu is now on the card): the card refuses the attribute (6A80) and keeps RSA 2048.
/// GnuPG 2.4 says nothing about it (no SC_OP_FAILURE, no message): a user who went on to
/// `generate` would get RSA 2048 keys. FA is what the card can do; 2.4's menu is not filtered
/// by it.
#[test]
fn key_attr_refused_by_the_card_keeps_the_attributes() {
    let f = fixture();
    let status = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "key-attr"),
        ("cardedit.genkeys.algo", "1"),
        ("cardedit.genkeys.size", "1024"),
        (PIN, PW3),
        ("cardedit.genkeys.algo", "1"),
        ("cardedit.genkeys.size", "2048"),
        ("cardedit.genkeys.algo", "1"),
        ("cardedit.genkeys.size", "2048"),
        (PROMPT, "quit"),
    ]);
    let attempts = commands(&f.card.log.exchanges(), &[0xDA, 0x00, 0xC1]);
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0].1, 0x6A80, "the card refuses RSA 1024");
    assert_eq!(
        f.gpg.card_status().all("keyattr"),
        Algo::RSA2048.keyattr_lines(),
        "{status:#?}"
    );
}

/// `gpg --card-edit` → `factory-reset`, then at once (no power cycle: the card sees none)
/// `--card-status`, which in 2.4 reads every public key, and a new key generation, whose
/// signatures verify under the new key. Before the fix of the decoded-key lifetimes, the card
/// answered the status's 47 81 with the old key and 2.4 failed with "Card error".
#[test]
fn factory_reset_then_card_status_and_generation_without_power_cycle() {
    let f = fixture();
    gnupg::set_key_attributes(&f.gpg, Algo::CURVE25519);
    let old = gnupg::generate(&f.gpg, "Old Owner");
    let data = gnupg::message(&f.gpg, "before", 100);
    gnupg::sign_and_verify(&f.gpg, &old, &data);
    let power_events = f.card.log.power_events();

    let status = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "factory-reset"),
        ("cardedit.factory-reset.proceed", "y"),
        ("cardedit.factory-reset.really", "yes"),
        (PROMPT, "quit"),
    ]);
    assert_no_failure(&status);
    let card = f.gpg.card_status();
    assert_eq!(card.line("fpr"), "fpr::::");
    assert_eq!(card.all("keyattr"), Algo::RSA2048.keyattr_lines());
    assert_eq!(card.line("pinretry"), "pinretry:3:0:3:");
    let reads = commands(&f.card.log.exchanges(), &[0x47, 0x81]);
    assert!(
        reads.iter().rev().take(3).all(|(_, sw, _)| *sw == 0x6A88),
        "2.4 reads the public keys after the reset: {reads:?}"
    );

    gnupg::set_key_attributes(&f.gpg, Algo::CURVE25519);
    let new = gnupg::generate(&f.gpg, "New Owner");
    assert_ne!(new.sig, old.sig);
    let data = gnupg::message(&f.gpg, "after", 100);
    gnupg::sign_and_verify(&f.gpg, &new, &data);
    assert_eq!(
        f.card.log.power_events(),
        power_events,
        "the card was power-cycled, which would hide a lifetime bug"
    );
}

/// `gpg-card`, 2.4's card tool: list, name, uif, generate, passwd (user PIN, Reset Code,
/// admin PIN), unblock and factory-reset, each checked in `gpg --card-status`.
#[test]
fn gpg_card_manages_the_card() {
    let f = fixture();
    let gpg = &f.gpg;
    let list = gpg.gpg_card(&["list"], &[]);
    assert!(list.success, "{}", list.stderr);
    for line in [
        "Manufacturer .....: test card (ffff)",
        "UIF setting ......: Sign=off Decrypt=off Auth=off",
        "PIN retry counter : 3 0 3",
        // gpg-card says "on" whenever the card has a readable KDF-DO, whatever it holds
        // (tools/card-call-scd.c); `gpg --card-status` reads the algorithm and says off.
        "KDF setting ......: on",
    ] {
        assert!(list.stdout.contains(line), "{line:?} in\n{}", list.stdout);
    }
    assert_eq!(gpg.card_status().line("kdf"), "kdf:off:");

    gpg.set_pinentry_pin(Some(PW3));
    let name = gpg.gpg_card(
        &["name"],
        &[("surname: ", "Card"), ("given name: ", "Gina")],
    );
    assert!(name.success, "{}", name.stderr);
    assert_eq!(gpg.card_status().fields("name")[..2], ["Gina", "Card"]);

    let uif = gpg.gpg_card(&["uif", "1", "on"], &[]);
    assert!(uif.success, "{}", uif.stderr);
    assert_eq!(gpg.card_status().line("uif"), "uif:1:0:0:");
    let uif = gpg.gpg_card(&["uif", "1", "off"], &[]);
    assert!(uif.success, "{}", uif.stderr);

    let generate = gpg.gpg_card(&["generate", "--algo=ed25519", "OPENPGP.1"], &[]);
    assert!(generate.success, "{}", generate.stderr);
    let status = gpg.card_status();
    assert_eq!(status.all("keyattr")[0], "keyattr:1:22:Ed25519:");
    assert_eq!(
        status.fields("fpr")[0].len(),
        40,
        "{:?}",
        status.fields("fpr")
    );

    // PIN changes go through the agent's pinentry: old PIN, new PIN, repeated.
    gpg.queue_pinentry_pins(&[PW1, "246810", "246810"]);
    assert!(gpg.gpg_card(&["passwd", "OPENPGP.1"], &[]).success);
    // gpg-card cannot set a first Resetting Code ("No reset code"): `--card-edit` does.
    let status = gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "passwd"),
        (PIN_MENU, "4"),
        (OPTIONAL_PIN, PW3),
        (PIN, "resetcode1"),
        (PIN, "resetcode1"),
        (PIN_MENU, "q"),
        (PROMPT, "quit"),
    ]);
    assert_no_failure(&status);
    gpg.queue_pinentry_pins(&[PW3, "87654321", "87654321"]);
    assert!(gpg.gpg_card(&["passwd", "OPENPGP.3"], &[]).success);
    assert_eq!(gpg.card_status().line("pinretry"), "pinretry:3:3:3:");

    // Block the user PIN, then unblock it with the Resetting Code.
    drop(gpg.run("gpgconf", &["--kill", "all"]));
    // (gpg-card's `verify` answers "Invalid ID" for OPENPGP.1 in 2.4.7: block with --card-edit.)
    for left in [2, 1, 0] {
        gpg.card_edit(&[(PROMPT, "verify"), (PIN, "999999"), (PROMPT, "quit")]);
        assert_eq!(
            gpg.card_status().line("pinretry"),
            format!("pinretry:{left}:3:3:")
        );
    }
    gpg.queue_pinentry_pins(&["resetcode1", "135790", "135790"]);
    let unblock = gpg.gpg_card(&["unblock"], &[]);
    assert!(unblock.success, "{}", unblock.stderr);
    assert_eq!(gpg.card_status().line("pinretry"), "pinretry:3:3:3:");
    assert_no_failure(&gpg.card_edit(&[(PROMPT, "verify"), (PIN, "135790"), (PROMPT, "quit")]));

    gpg.set_pinentry_pin(Some("87654321"));
    let kdf = gpg.gpg_card(&["kdf-setup"], &[]);
    assert!(kdf.success, "{}", kdf.stderr);
    assert_eq!(gpg.card_status().line("kdf"), "kdf:on:");

    let reset = gpg.gpg_card(
        &["factory-reset"],
        &[(r"\(y/N\)", "y"), (r#"enter "yes"\)"#, "yes")],
    );
    assert!(reset.success, "{}", reset.stderr);
    let status = gpg.card_status();
    assert_eq!(status.line("name"), "name:::");
    assert_eq!(status.line("fpr"), "fpr::::");
    assert_eq!(status.line("pinretry"), "pinretry:3:0:3:");
    assert_eq!(status.line("kdf"), "kdf:off:");
}

/// 2.4's KDF set-up (one admin PIN prompt; the host hashes the default PINs and sets them
/// itself, then writes F9), then PIN changes, a Resetting Code, blocking and `unblock` through
/// 2.4's `--card-edit`: every PIN crosses to the card as its 32-byte hash, never in clear.
#[test]
fn kdf_setup_then_passwd_and_unblock() {
    let f = fixture();
    let gpg = &f.gpg;
    let status = gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "kdf-setup"),
        (PIN, PW3),
        (PROMPT, "quit"),
    ]);
    assert_no_failure(&status);
    assert_eq!(gpg.card_status().line("kdf"), "kdf:on:");
    let before = f.card.log.exchanges().len();

    let reset_code = "resetcode1";
    let status = gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "passwd"),
        (PIN_MENU, "1"),
        (PIN, PW1),
        (PIN, "246810"),
        (PIN, "246810"),
        (PIN_MENU, "4"),
        (PIN, PW3),
        (PIN, reset_code),
        (PIN, reset_code),
        (PIN_MENU, "q"),
        (PROMPT, "quit"),
    ]);
    assert_no_failure(&status);
    assert_eq!(gpg.card_status().line("pinretry"), "pinretry:3:3:3:");
    drop(gpg.run("gpgconf", &["--kill", "all"]));
    for left in [2, 1, 0] {
        gpg.card_edit(&[(PROMPT, "verify"), (PIN, PW1), (PROMPT, "quit")]);
        assert_eq!(
            gpg.card_status().line("pinretry"),
            format!("pinretry:{left}:3:3:")
        );
    }
    let status = gpg.card_edit(&[
        (PROMPT, "unblock"),
        (PIN, reset_code),
        (PIN, "135790"),
        (PIN, "135790"),
        (PROMPT, "quit"),
    ]);
    assert_no_failure(&status);
    let status = gpg.card_edit(&[(PROMPT, "verify"), (PIN, "135790"), (PROMPT, "quit")]);
    assert_no_failure(&status);
    assert_eq!(gpg.card_status().line("pinretry"), "pinretry:3:3:3:");

    // Every PIN-carrying command since the set-up: VERIFY and CHANGE REFERENCE DATA carry one
    // or two 32-byte hashes, RESET RETRY COUNTER with the Resetting Code two, PUT DATA D3 one.
    let exchanges = f.card.log.exchanges();
    let pins: Vec<_> = exchanges[before..]
        .iter()
        .filter(|e| {
            matches!(e.ins(), 0x20 | 0x24 | 0x2C)
                || e.command.get(1..4) == Some(&[0xDA, 0x00, 0xD3])
        })
        .filter(|e| !e.data().is_empty())
        .collect();
    assert!(pins.len() >= 6, "{} PIN commands", pins.len());
    for e in pins {
        let len = e.data().len();
        assert!(
            len == 32 || len == 64,
            "a PIN of {len} bytes: {:02X?}",
            e.command
        );
        for plain in [PW1, PW3, reset_code, "246810", "135790"] {
            assert!(
                !e.data().windows(plain.len()).any(|w| w == plain.as_bytes()),
                "{plain} in clear"
            );
        }
    }
}

/// 2.4's `uif` command of `--card-edit` (offered because the card has 7F74), the `uif:` line of
/// card status and the "UIF setting" of `gpg-card list`; with UIF on, a signature asks the
/// card's button, and a refused touch fails the signature.
#[test]
fn uif_through_card_edit_asks_for_touch() {
    let button = Button::new(Presence::Confirmed);
    assert!(gnupg_24(), "needs GnuPG 2.4, found {:?}", gnupg_version());
    let f = Fixture::with_button(button.clone());
    gnupg::set_key_attributes(&f.gpg, Algo::CURVE25519);
    let keys = gnupg::generate(&f.gpg, "Touch Tester");
    let status = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "uif 1 on"),
        (OPTIONAL_PIN, PW3),
        (PROMPT, "uif 3 permanent"),
        (OPTIONAL_PIN, PW3),
        (PROMPT, "quit"),
    ]);
    assert_no_failure(&status);
    let exchanges = f.card.log.exchanges();
    for (tag, mode) in [(0xD6, 0x01), (0xD8, 0x02)] {
        let writes = commands(&exchanges, &[0xDA, 0x00, tag]);
        assert_eq!(
            writes
                .iter()
                .map(|w| (w.0.clone(), w.1))
                .collect::<Vec<_>>(),
            [(vec![mode, 0x20], 0x9000)],
            "PUT DATA {tag:02X}"
        );
    }
    // gpg's colon listing shows every UIF other than off as 1, permanent too.
    let card: CardStatus = f.gpg.card_status();
    assert_eq!(card.line("uif"), "uif:1:0:1:");
    let list = f.gpg.gpg_card(&["list"], &[]);
    assert!(
        list.stdout
            .contains("UIF setting ......: Sign=on Decrypt=off Auth=on"),
        "{}",
        list.stdout
    );
    // Permanent cannot be turned off again.
    let status = f.gpg.card_edit(&[
        (PROMPT, "admin"),
        (PROMPT, "uif 3 off"),
        (OPTIONAL_PIN, PW3),
        (PROMPT, "quit"),
    ]);
    let writes = commands(&f.card.log.exchanges(), &[0xDA, 0x00, 0xD8]);
    assert_eq!(writes.last().map(|w| w.1), Some(0x6985), "{status:#?}");
    assert_eq!(f.gpg.card_status().line("uif"), "uif:1:0:1:");

    let data = gnupg::message(&f.gpg, "touched", 100);
    let asked = button.requests();
    gnupg::sign_and_verify(&f.gpg, &keys, &data);
    assert_eq!(
        button.requests(),
        asked + 3,
        "one touch per signature (three modes)"
    );
    button.set(Presence::Denied);
    let out = f.gpg.file("denied.sig");
    let session = gnupg::sign_with_pin(&f.gpg, &keys, "--detach-sign", &data, &out, PW1);
    assert!(
        !session.success && !session.has("SIG_CREATED"),
        "{:#?}",
        session.status
    );
    let cds = commands(&f.card.log.exchanges(), &[0x2A, 0x9E, 0x9A]);
    assert_eq!(cds.last().map(|c| c.1), Some(0x6600));
}

/// The keys of the v5 key `primary` (GnuPG 2.4 makes Ed448/X448 keys v5), from `gpg -K`: the
/// primary key and both subkeys are stubs on this card, Ed448 (sign), X448 (encrypt) and Ed448
/// (authenticate). Their fingerprints are the v5 ones gpg reports in its status lines.
fn curve448_keys(gpg: &Gpg, primary: &str) -> gnupg::CardKeys {
    let listed = gnupg::secret_keys(gpg, primary);
    assert_eq!(listed.len(), 3, "{listed:#?}");
    let token = gnupg::card_token();
    let find = |record: &str, usage: char, algo: u32, curve: &str| {
        listed
            .iter()
            .find(|k| k.record == record && k.usage.contains(usage))
            .filter(|k| k.algo == algo && k.curve == curve && k.token == token)
            .map(|k| k.fpr.clone())
            .unwrap_or_else(|| panic!("{record} {usage} {curve} on the card: {listed:#?}"))
    };
    gnupg::CardKeys {
        primary: primary.to_owned(),
        sig: find("sec", 's', 22, "ed448"),
        dec: find("ssb", 'e', 18, "cv448"),
        aut: find("ssb", 'a', 22, "ed448"),
    }
}

/// Ed448 and X448, which only GnuPG 2.3+ puts on a card (2.2's `key-attr` has no Curve 448):
/// `key-attr` (Curve 448), `generate`, three signatures verified by GnuPG, and encrypt/decrypt
/// through the X448 key (a 56-byte shared secret without a prefix).
#[test]
fn curve448_generate_sign_verify_decrypt() {
    let f = fixture();
    gnupg::set_key_attributes(&f.gpg, Algo::CURVE448);
    let primary = gnupg::generate_v5(&f.gpg, "Card Curve448");
    let keys = curve448_keys(&f.gpg, &primary);
    let data = gnupg::message(&f.gpg, "message.txt", 5000);
    assert_eq!(gnupg::sign_and_verify(&f.gpg, &keys, &data), 3);
    let session = gnupg::encrypt_decrypt(&f.gpg, &keys, &data, &mut gnupg::pin_responder(PW1));
    assert_eq!(session.pin_prompts(), 1);
}

/// keytocard of a host Ed448 key with X448 and Ed448 subkeys: GnuPG's Ed448 seed and X448
/// scalar templates (the X448 scalar in RFC 7748 order), then the keys work from the card.
#[test]
fn keytocard_ed448_and_x448() {
    let f = fixture();
    let host = gnupg::host_key(
        &f.gpg,
        "Host Curve448 <host.curve448@example.org>",
        "ed448",
        &[("cv448", "encr"), ("ed448", "auth")],
    );
    let primary = host[0].fpr.clone();
    gnupg::keytocard(&f.gpg, &primary, &[(0, "1"), (1, "2"), (2, "3")]);
    let status = f.gpg.card_status();
    assert_eq!(status.all("keyattr"), Algo::CURVE448.keyattr_lines());
    let fpr = status.fields("fpr");
    assert!(
        fpr.len() >= 3 && fpr[..3].iter().all(|f| f.len() == 40),
        "{fpr:?}"
    );
    let keys = curve448_keys(&f.gpg, &primary);
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let data = gnupg::message(&f.gpg, "message.txt", 2000);
    assert_eq!(gnupg::sign_and_verify(&f.gpg, &keys, &data), 3);
    let session = gnupg::encrypt_decrypt(&f.gpg, &keys, &data, &mut gnupg::pin_responder(PW1));
    assert_eq!(session.pin_prompts(), 1);
}
