//! GnuPG operations on the emulated Cortex-M4: what each real operation costs the applet when
//! it runs as firmware (`examples/qemu-mps2-an386` under QEMU, `-icount shift=0`, through
//! `crates/qemu-bridge`). For each operation (one gpg, ssh or gpg-connect-agent run, or one
//! APDU where it says so) it prints the APDUs the card answered, the instructions they took on
//! the device, the time that implies at 64 MHz **as a lower bound** (a Cortex-M4 needs at
//! least one cycle per instruction; flash wait states and multi-cycle instructions add more),
//! the deepest stack of any of them and the largest heap one of them held.
//!
//! Needs what the end-to-end tests need, plus the firmware image and qemu-system-arm:
//!
//! ```text
//! E2E_FIRMWARE=$(bash examples/qemu-mps2-an386/ci.sh) \
//!     cargo bench -p openpgp-card-applet-e2e --features e2e --bench firmware_gnupg
//! ```
//!
//! The firmware's DRBG seed is fixed (the e2e cards'), so a run repeats exactly; RSA
//! generation depends on it (issue 23 takes medians over seeds). `E2E_VPCD_PORT` selects the
//! reader as for the tests.

use openpgp_card_applet_e2e as e2e;

use e2e::gnupg::{self, Algo, CardKeys, PW1};
use e2e::{Card, Fixture};
use openpgp_card_applet_qemu_bridge::CommandCost;

struct Row {
    operation: String,
    costs: Vec<CommandCost>,
}

fn row(rows: &mut Vec<Row>, card: &Card, operation: impl Into<String>) {
    let costs = card.take_costs();
    assert!(!costs.is_empty(), "an operation without APDUs");
    rows.push(Row {
        operation: operation.into(),
        costs,
    });
}

/// One APDU's row, picked out of what an operation sent (`ins`, the first of them).
fn apdu_row(rows: &mut Vec<Row>, costs: &[CommandCost], ins: u8, operation: &str) {
    if let Some(cost) = costs.iter().find(|c| c.header[1] == ins) {
        rows.push(Row {
            operation: operation.into(),
            costs: vec![cost.clone()],
        });
    }
}

/// Key generation, signature, decryption and SSH authentication with `algo`.
fn keys(rows: &mut Vec<Row>, algo: Algo) {
    let f = Fixture::new();
    let name = algo.name();
    f.card.take_costs();
    if algo != Algo::RSA2048 {
        gnupg::set_key_attributes(&f.gpg, algo);
        row(rows, &f.card, format!("{name}: key-attr (3 slots)"));
    }
    let keys = gnupg::generate(&f.gpg, &format!("Bench {}", algo.label()));
    let costs = f.card.take_costs();
    let generations: Vec<&CommandCost> = costs
        .iter()
        .filter(|c| c.header[1] == 0x47 && c.header[2] == 0x80)
        .collect();
    // GnuPG 2.2 generates the signature key, then the authentication key, then the encryption
    // key (its keygen.c makes the card's auth key before the encryption subkey): with
    // `cortex-m4`, the third GENERATE of ed25519/cv25519 is the one at X25519's cost.
    for (slot, cost) in ["SIG", "AUT", "DEC"].iter().zip(&generations) {
        rows.push(Row {
            operation: format!("{name}: GENERATE {slot} (one APDU)"),
            costs: vec![(*cost).clone()],
        });
    }
    rows.push(Row {
        operation: format!("{name}: `--card-edit` generate (3 keys, certify)"),
        costs,
    });

    let data = gnupg::message(&f.gpg, "bench.txt", 4096);
    let out = f.gpg.file("bench.sig");
    gnupg::sign(&f.gpg, &keys, "--detach-sign", &data, &out);
    let costs = f.card.take_costs();
    apdu_row(rows, &costs, 0x2A, &format!("{name}: PSO:CDS (one APDU)"));
    rows.push(Row {
        operation: format!("{name}: `gpg --detach-sign` (4 KiB)"),
        costs,
    });
    let encrypted = gnupg::encrypt(&f.gpg, &keys, &data);
    f.card.take_costs();
    gnupg::decrypt(
        &f.gpg,
        &keys,
        &encrypted,
        &data,
        &mut gnupg::pin_responder(PW1),
    );
    let costs = f.card.take_costs();
    apdu_row(
        rows,
        &costs,
        0x2A,
        &format!("{name}: PSO:DECIPHER (one APDU)"),
    );
    rows.push(Row {
        operation: format!("{name}: `gpg --decrypt`"),
        costs,
    });
    if matches!(algo, Algo::CURVE25519 | Algo::RSA2048 | Algo::NISTP256) {
        ssh_sign(rows, &f, name);
    }
}

/// `ssh-keygen -Y sign` through gpg-agent's SSH agent: INTERNAL AUTHENTICATE with AUT.
fn ssh_sign(rows: &mut Vec<Row>, f: &Fixture, name: String) {
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let socket = e2e::ssh::agent_socket(&f.gpg);
    let env = [("SSH_AUTH_SOCK", socket.to_str().unwrap())];
    f.gpg.set_pinentry_pin(Some(PW1));
    let listed = f.gpg.run_with("ssh-add", &["-L"], &env, None);
    assert!(listed.success, "ssh-add -L: {}", listed.stderr);
    let public = f.gpg.file("card.pub");
    std::fs::write(&public, &listed.stdout).unwrap();
    let data = gnupg::message(&f.gpg, "ssh.txt", 100);
    f.card.take_costs();
    e2e::ssh::keygen_sign(&f.gpg, &socket, &public, &data);
    let costs = f.card.take_costs();
    apdu_row(
        rows,
        &costs,
        0x88,
        &format!("{name}: INTERNAL AUTHENTICATE (one APDU)"),
    );
    rows.push(Row {
        operation: format!("{name}: `ssh-keygen -Y sign` via gpg-agent"),
        costs,
    });
}

/// Card status, PIN change, keytocard and factory reset.
fn administration(rows: &mut Vec<Row>) {
    let f = Fixture::new();
    f.card.take_costs();
    f.gpg.card_status();
    row(rows, &f.card, "`gpg --card-status` (fresh card)");

    f.scd(&["SCD APDU 002400810C313233343536363534333231"]);
    let costs = f.card.take_costs();
    apdu_row(rows, &costs, 0x24, "CHANGE REFERENCE DATA PW1 (one APDU)");

    let host = gnupg::host_key(
        &f.gpg,
        "Host P256 <host.p256@example.org>",
        "nistp256",
        &[("nistp256", "encr")],
    );
    let keys = CardKeys {
        primary: host[0].fpr.clone(),
        sig: host[0].fpr.clone(),
        dec: host[1].fpr.clone(),
        aut: String::new(),
    };
    f.card.take_costs();
    gnupg::keytocard(&f.gpg, &keys.primary, &[(0, "1")]);
    let costs = f.card.take_costs();
    apdu_row(rows, &costs, 0xDB, "NIST P-256: key import (one APDU)");
    rows.push(Row {
        operation: "NIST P-256: `keytocard` (SIG)".into(),
        costs,
    });

    f.scd(&[
        "SCD APDU 00200083083837363534333231", // wrong PW3, three times: blocked
        "SCD APDU 00200083083837363534333231",
        "SCD APDU 00200083083837363534333231",
        "SCD APDU 00E60000", // TERMINATE DF
        "SCD APDU 00440000", // ACTIVATE FILE: factory reset
    ]);
    let costs = f.card.take_costs();
    apdu_row(
        rows,
        &costs,
        0x44,
        "ACTIVATE FILE: factory reset (one APDU)",
    );
}

/// On-card RSA-3072 and RSA-4096 generation of the SIG key (one APDU each).
fn big_rsa(rows: &mut Vec<Row>) {
    let f = Fixture::new();
    for (bits, attributes) in [(3072, "010C00001100"), (4096, "011000001100")] {
        f.card.take_costs();
        f.scd(&[
            "SCD APDU 00200083083132333435363738",
            &format!("SCD APDU 00DA00C106{attributes}"),
            "SCD APDU 0047800002B60000",
        ]);
        let costs = f.card.take_costs();
        apdu_row(
            rows,
            &costs,
            0x47,
            &format!("RSA-{bits}: GENERATE SIG (one APDU)"),
        );
    }
}

/// Ed448 and X448 (GnuPG 2.2 puts neither on a card, and the firmware runs under 2.2): key
/// attributes, generation, an Ed448 PSO:CDS and INTERNAL AUTHENTICATE over a SHA-512 hash,
/// and an X448 PSO:DECIPHER (RFC 7748's Bob as the host), as raw APDUs through scdaemon.
fn curve448(rows: &mut Vec<Row>) {
    let f = Fixture::new();
    let hash = "5A".repeat(64);
    let bob = "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609";
    f.card.take_costs();
    f.scd(&[
        "SCD APDU 00200083083132333435363738",
        "SCD APDU 00DA00C104162B6571",
        "SCD APDU 00DA00C204122B656F",
        "SCD APDU 00DA00C304162B6571",
    ]);
    row(rows, &f.card, "Ed448/X448: PUT DATA C1-C3 (+ VERIFY PW3)");
    for (slot, crt) in [("SIG", "B6"), ("DEC", "B8"), ("AUT", "A4")] {
        f.scd(&[&format!("SCD APDU 0047800002{crt}0000")]);
        let costs = f.card.take_costs();
        apdu_row(
            rows,
            &costs,
            0x47,
            &format!("Ed448/X448: GENERATE {slot} (one APDU)"),
        );
    }
    f.scd(&[
        "SCD APDU 0020008106313233343536",
        &format!("SCD APDU 002A9E9A40{hash}00"),
    ]);
    let costs = f.card.take_costs();
    apdu_row(rows, &costs, 0x2A, "Ed448: PSO:CDS (one APDU)");
    f.scd(&[
        "SCD APDU 0020008206313233343536",
        &format!("SCD APDU 0088000040{hash}00"),
        &format!("SCD APDU 002A80863FA63D7F493A8638{bob}00"),
    ]);
    let costs = f.card.take_costs();
    apdu_row(
        rows,
        &costs,
        0x88,
        "Ed448: INTERNAL AUTHENTICATE (one APDU)",
    );
    apdu_row(rows, &costs, 0x2A, "X448: PSO:DECIPHER (one APDU)");
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn main() {
    assert!(
        e2e::firmware().is_some(),
        "E2E_FIRMWARE must name the firmware image (E2E_FIRMWARE=$(bash examples/qemu-mps2-an386/ci.sh))"
    );
    // FIRMWARE_BENCH_ONLY=<labels>: only those algorithms (`algo.label()`, `curve448`), e.g.
    // `nistp521,brainpoolp512r1,curve448`; without it, everything.
    let only = std::env::var("FIRMWARE_BENCH_ONLY").ok();
    let wanted = |label: &str| {
        only.as_deref()
            .is_none_or(|only| only.split(',').any(|l| l == label))
    };
    let mut rows = Vec::new();
    if only.is_none() {
        administration(&mut rows);
    }
    for algo in [
        Algo::CURVE25519,
        Algo::NISTP256,
        Algo::NISTP384,
        Algo::SECP256K1,
        Algo::NISTP521,
        Algo::BRAINPOOLP256R1,
        Algo::BRAINPOOLP384R1,
        Algo::BRAINPOOLP512R1,
        Algo::RSA2048,
    ] {
        if wanted(&algo.label()) {
            keys(&mut rows, algo);
        }
    }
    if wanted("curve448") {
        curve448(&mut rows);
    }
    if only.is_none() {
        big_rsa(&mut rows);
    }

    println!();
    println!("| operation | APDUs | instructions | at 64 MHz (lower bound) | worst stack | largest heap |");
    println!("|---|---:|---:|---:|---:|---:|");
    for row in &rows {
        let insns: u64 = row.costs.iter().map(|c| c.costs.insns).sum();
        let stack = row.costs.iter().map(|c| c.costs.stack).max().unwrap_or(0);
        let heap = row.costs.iter().map(|c| c.costs.heap).max().unwrap_or(0);
        let seconds = insns as f64 / 64e6;
        let time = if seconds >= 1.0 {
            format!("{seconds:.1} s")
        } else {
            format!("{:.1} ms", seconds * 1e3)
        };
        println!(
            "| {} | {} | {} | {} | {} B | {} B |",
            row.operation,
            row.costs.len(),
            thousands(insns),
            time,
            thousands(u64::from(stack)),
            thousands(u64::from(heap)),
        );
    }
}
