//! The applet as Cortex-M4 firmware under QEMU (`examples/qemu-mps2-an386`, through
//! `crates/qemu-bridge`): what only a device has. The GnuPG, SSH, OpenSC and openpgp-card
//! suites run against the same firmware in `tests/e2e/ci.sh` (with `E2E_FIRMWARE`); this file
//! adds
//! - the same answers as the applet on the host, for the representative session;
//! - costs on every answer (instructions, stack, heap);
//! - a power cycle (QEMU stopped and started on the same flash image) keeps every key, PIN,
//!   retry counter and DO; a power cut in the middle of a key generation loses nothing else;
//! - the watchdog takes a silent firmware for hung, and the keep-alive carries an RSA key
//!   generation far past that watchdog.
//!
//! ```text
//! E2E_FIRMWARE=$(bash examples/qemu-mps2-an386/ci.sh) \
//!     cargo test -p openpgp-card-applet-e2e --features e2e --test firmware -- --test-threads=1
//! ```

use openpgp_card_applet_e2e as e2e;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use e2e::gnupg::{self, Algo, PW1};
use e2e::{Button, Card, Fixture, TempDir};
use openpgp_card_applet::{Config, Presence};
use openpgp_card_applet_qemu_bridge::Firmware;
use openpgp_card_applet_testkit::client::Rsp;
use openpgp_card_applet_testkit::representative;

fn elf() -> PathBuf {
    e2e::firmware().expect(
        "E2E_FIRMWARE must name the firmware image (E2E_FIRMWARE=$(bash \
         examples/qemu-mps2-an386/ci.sh))",
    )
}

/// The bridge alone (no vpcd) on a fresh flash image in `dir`.
fn bridge(dir: &TempDir, watchdog: Duration) -> Firmware {
    let mut options =
        openpgp_card_applet_qemu_bridge::Options::new(elf(), dir.path().join("flash.img"));
    options.seed = Some([0x5E; 32]);
    options.watchdog = watchdog;
    Firmware::start(options).expect("the firmware starts")
}

/// One command with its 61xx answers collected by GET RESPONSE, as a reader's client does.
fn exchange(firmware: &mut Firmware, apdu: &[u8]) -> Rsp {
    let mut data = Vec::new();
    let mut apdu = apdu.to_vec();
    loop {
        let (answer, _) = firmware.transmit(&apdu).expect("an answer");
        let (body, sw) = answer.split_at(answer.len() - 2);
        data.extend_from_slice(body);
        match sw {
            [0x61, le] => apdu = vec![0x00, 0xC0, 0x00, 0x00, *le],
            _ => {
                return Rsp {
                    data,
                    sw: u16::from_be_bytes([sw[0], sw[1]]),
                }
            }
        }
    }
}

/// The representative session (card status, PINs, PUT DATA, Ed25519 generation and
/// signature, RSA-2048 import and decipher) gives the answers it must on the firmware, and
/// byte for byte the host applet's, except what comes of the generated key (another RNG).
#[test]
fn the_firmware_answers_the_representative_session_as_the_host_applet_does() {
    let dir = TempDir::new("fw-representative");
    let mut firmware = bridge(&dir, Duration::from_secs(60));
    let steps = representative::session();
    let answers: Vec<Rsp> = steps
        .iter()
        .map(|step| exchange(&mut firmware, &step.apdu))
        .collect();
    representative::check(&steps, &answers);
    let (public, message, signature) =
        representative::ed25519_signature(&steps, &answers).expect("the Ed25519 steps");
    let key = ed25519_dalek::VerifyingKey::from_bytes(public.try_into().unwrap()).unwrap();
    let signature = ed25519_dalek::Signature::from_slice(signature).unwrap();
    key.verify_strict(message, &signature)
        .expect("the firmware's Ed25519 signature verifies");

    let host = representative::through_process(&steps);
    for ((step, device), host) in steps.iter().zip(&answers).zip(&host) {
        if matches!(
            step.name,
            "GENERATE SIG" | "READ SIG public key" | "PSO:CDS Ed25519"
        ) || step.name.starts_with("GET DATA 6E")
        {
            // The generated key, and 6E, which carries its fingerprint and date.
            assert_eq!(device.sw, host.sw, "{}", step.name);
            continue;
        }
        assert_eq!(
            device, host,
            "{}: the firmware and the host applet",
            step.name
        );
    }
}

/// Every answer carries what the command cost on the device, and the costs are those of the
/// work: a signature costs thousands of times a GET DATA, within the stack target.
#[test]
fn every_answer_carries_its_instructions_stack_and_heap() {
    let dir = TempDir::new("fw-costs");
    let mut firmware = bridge(&dir, Duration::from_secs(60));
    let steps = representative::session();
    let mut costs = Vec::new();
    for step in &steps {
        let (_, cost) = firmware.transmit(&step.apdu).expect("an answer");
        costs.push((step.name, cost));
    }
    let of = |name: &str| costs.iter().find(|(n, _)| *n == name).unwrap().1.clone();
    let get_data = of("GET DATA C4");
    let sign = of("PSO:CDS Ed25519");
    let decipher = of("PSO:DECIPHER RSA-2048");
    assert!(
        get_data.costs.insns > 0 && get_data.costs.stack > 0,
        "{get_data}"
    );
    assert!(get_data.costs.insns < 100_000, "{get_data}");
    assert!(
        sign.costs.insns > 1000 * get_data.costs.insns,
        "{sign} vs {get_data}"
    );
    // On the Montgomery kernel (issue 35) an RSA-2048 decipher is about 16 Ed25519 signatures.
    assert!(
        decipher.costs.insns > 10 * sign.costs.insns,
        "{decipher} vs {sign}"
    );
    for (name, cost) in &costs {
        assert!(cost.costs.stack < 16 * 1024, "{name}: {cost}");
    }
    // RSA works on the heap; GET DATA does not allocate.
    assert!(decipher.costs.heap > 1024, "{decipher}");
    assert_eq!(get_data.costs.heap, 0, "{get_data}");
}

/// A firmware that stops sending anything (QEMU frozen with SIGSTOP) is taken for hung after
/// the watchdog's time: the command fails, it does not wait forever.
#[test]
fn a_silent_firmware_is_taken_for_hung_after_the_watchdog() {
    let dir = TempDir::new("fw-silent");
    let watchdog = Duration::from_secs(1);
    let mut firmware = bridge(&dir, watchdog);
    let select = [
        0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
    ];
    let (answer, _) = firmware.transmit(&select).expect("SELECT");
    assert_eq!(answer, [0x90, 0x00]);
    let stopped = Command::new("kill")
        .args(["-STOP", &firmware.pid().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    let started = Instant::now();
    let error = firmware
        .transmit(&select)
        .expect_err("a frozen firmware answers nothing");
    let waited = started.elapsed();
    assert!(error.to_string().contains("silent"), "{error}");
    assert!(waited >= watchdog && waited < 10 * watchdog, "{waited:?}");
}

/// The keep-alive: an on-card RSA-4096 generation through GnuPG's scdaemon (minutes of
/// emulated time at 64 MHz, seconds of QEMU's: 3.5 s on an idle machine since the Montgomery
/// kernel) takes many times the bridge's watchdog (500 ms; a keep-alive every 42 M
/// instructions, about 60 ms of QEMU's) and still completes, because the firmware keeps
/// sending keep-alives while it works.
#[test]
fn the_keep_alive_carries_an_rsa_generation_far_past_the_watchdog() {
    let watchdog = Duration::from_millis(500);
    let flash = TempDir::new("fw-keepalive");
    let f = Fixture::with_card(Button::new(Presence::Confirmed), |button| {
        Card::start_firmware(
            &elf(),
            button,
            Config::default(),
            flash.path(),
            Some(watchdog),
        )
    });
    f.card.take_costs();
    f.scd(&[
        "SCD APDU 00200083083132333435363738", // VERIFY PW3
        "SCD APDU 00DA00C106011000001100",     // SIG: RSA-4096
        "SCD APDU 0047800002B60000",           // GENERATE SIG
    ]);
    let costs = f.card.take_costs();
    let generate = costs
        .iter()
        .find(|c| c.header[1] == 0x47)
        .expect("the GENERATE command reached the firmware");
    // The public key comes whole (9000) or by GET RESPONSE (61xx).
    assert!(
        generate.sw == 0x9000 || generate.sw >> 8 == 0x61,
        "{generate}"
    );
    assert!(
        generate.wall >= 3 * watchdog,
        "the generation took {:?}: too quick to show the keep-alive at work",
        generate.wall
    );
    let silent_periods = generate.wall.as_secs_f64() / watchdog.as_secs_f64();
    assert!(
        f64::from(generate.keep_alives) >= silent_periods,
        "{generate}: fewer keep-alives than watchdog periods"
    );
}

const NEW_PW1: &str = "654321";

/// Signs a file with the card's signing key through gpg, entering `pin`, and verifies it.
fn sign_with(f: &Fixture, keys: &gnupg::CardKeys, pin: &str) {
    let data = gnupg::message(&f.gpg, "power-cycle.txt", 1000);
    let out = f.gpg.file("power-cycle.sig");
    let session = gnupg::sign_with_pin(&f.gpg, keys, "--detach-sign", &data, &out, pin);
    assert!(
        session.success && session.has("SIG_CREATED"),
        "gpg --detach-sign: {:#?}",
        session.status
    );
    gnupg::verify(
        &f.gpg,
        keys,
        &[out.to_str().unwrap(), data.to_str().unwrap()],
    );
}

fn status_fields(f: &Fixture) -> Vec<(String, Vec<String>)> {
    let status = f.gpg.card_status();
    [
        "fpr", "fprtime", "keyattr", "pinretry", "sigcount", "name", "lang", "url",
    ]
    .iter()
    .map(|key| (key.to_string(), status.fields(key)))
    .collect()
}

/// A power cycle of the device (QEMU stopped, started again on the same flash image) keeps
/// the keys, the changed PIN, a used-up retry, the cardholder's name and the signature count.
#[test]
fn a_power_cycle_of_the_device_keeps_every_key_and_pin() {
    let _ = elf();
    let mut f = Fixture::new();
    gnupg::set_key_attributes(&f.gpg, Algo::CURVE25519);
    let keys = gnupg::generate(&f.gpg, "Power Cycle");
    f.scd(&[
        "SCD APDU 00200083083132333435363738",         // VERIFY PW3
        "SCD APDU 00DA005B09446F653C3C4A616E65",       // name Doe<<Jane
        "SCD APDU 002400810C313233343536363534333231", // PW1 123456 -> 654321
        "SCD APDU 00200083083837363534333231",         // a wrong PW3: 2 tries left
    ]);
    let sws: Vec<u16> = f.card.log.exchanges().iter().map(|e| e.sw()).collect();
    assert!(
        sws.ends_with(&[0x9000, 0x9000, 0x9000, 0x6982]),
        "the personalisation's status words: {sws:04X?}"
    );
    // A fresh scdaemon: the one that sent the APDUs keeps what it read before them.
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let before = status_fields(&f);
    let field = |fields: &[(String, Vec<String>)], key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert!(
        field(&before, "pinretry").starts_with(&["3".into(), "0".into(), "2".into()]),
        "{before:?}"
    );
    assert!(
        field(&before, "name").concat().contains("Jane"),
        "{before:?}"
    );

    let old_pid = f.card.qemu_pid();
    f.card.restart_firmware();
    assert_ne!(
        f.card.qemu_pid(),
        old_pid,
        "a new QEMU: the device was power-cycled"
    );
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let after = status_fields(&f);
    assert_eq!(after, before, "the card after the power cycle");

    sign_with(&f, &keys, NEW_PW1);
    // The old PIN is gone for good: a VERIFY with it fails (and costs a try).
    f.scd(&["SCD APDU 0020008106313233343536"]);
    let exchanges = f.card.log.exchanges();
    let tail: Vec<(u8, u16)> = exchanges
        .iter()
        .rev()
        .take(6)
        .map(|e| (e.ins(), e.sw()))
        .collect();
    let last = exchanges.last().map(|e| (e.ins(), e.sw()));
    assert_eq!(
        last,
        Some((0x20, 0x6982)),
        "the old PW1 after the power cycle: {tail:02X?}"
    );
}

/// A power cut (QEMU killed) in the middle of an on-card RSA-4096 generation of the SIG key:
/// after the next power-on the card answers normally, the DEC and AUT keys are untouched and
/// decrypt, and a new generation works.
#[test]
fn a_power_cut_during_a_key_generation_loses_nothing_else() {
    let _ = elf();
    let mut f = Fixture::new();
    gnupg::set_key_attributes(&f.gpg, Algo::CURVE25519);
    let keys = gnupg::generate(&f.gpg, "Power Cut");
    let fingerprints = f.gpg.card_status().fields("fpr");

    let script = [
        "SCD SERIALNO",
        "SCD APDU 00200083083132333435363738", // VERIFY PW3
        "SCD APDU 00DA00C106011000001100",     // SIG: RSA-4096
        "SCD APDU 0047800002B60000",           // GENERATE SIG: cut below
        "/bye",
    ];
    const GENERATE_SIG: &str = "> 0047800002B600";
    let generations = |text: &str| text.lines().filter(|l| l.contains(GENERATE_SIG)).count();
    // gpg's own generation sent the same command before.
    let earlier = generations(&f.card.log.text());
    let Fixture { gpg, card, .. } = &mut f;
    std::thread::scope(|scope| {
        let agent = scope.spawn(|| gpg.run("gpg-connect-agent", &script));
        let deadline = Instant::now() + Duration::from_secs(60);
        while generations(&card.log.text()) == earlier {
            assert!(
                Instant::now() < deadline,
                "the GENERATE never reached the card"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Well inside the generation (seconds of QEMU's time).
        std::thread::sleep(Duration::from_millis(500));
        card.power_cut();
        drop(agent.join());
    });
    let log = f.card.log.text();
    let lines: Vec<&str> = log.lines().collect();
    let generate = lines.iter().rposition(|l| l.contains(GENERATE_SIG));
    let answered = generate
        .and_then(|i| lines.get(i + 1))
        .is_some_and(|l| l.contains("< "));
    assert!(
        !answered,
        "the cut came after the generation's answer:\n{log}"
    );

    f.card.restart_firmware();
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let status = f.gpg.card_status();
    let after = status.fields("fpr");
    assert_eq!(after.get(1..3), fingerprints.get(1..3), "DEC and AUT keys");
    let data = gnupg::message(&f.gpg, "power-cut.txt", 1000);
    let session = gnupg::encrypt_decrypt(&f.gpg, &keys, &data, &mut gnupg::pin_responder(PW1));
    assert!(
        session.success,
        "decrypt after the cut: {:#?}",
        session.status
    );

    // The slot the cut hit takes a new generation.
    f.scd(&[
        "SCD APDU 00200083083132333435363738",
        "SCD APDU 0047800002B60000",
    ]);
    let last = f.card.log.exchanges().last().map(|e| (e.ins(), e.sw()));
    // The RSA-4096 public key comes by GET RESPONSE (61xx) to a short Le.
    assert!(
        matches!(last, Some((0x47, sw)) if sw == 0x9000 || sw >> 8 == 0x61),
        "a new SIG generation after the cut: {last:04X?}"
    );
}
