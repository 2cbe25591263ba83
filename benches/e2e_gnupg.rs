//! GnuPG 2.2 through the virtual card, timed: on-card key generation (`gpg --card-edit` →
//! `generate`), `gpg --detach-sign` and `gpg --decrypt`, for Ed25519/Cv25519, NIST P-256 and
//! RSA-2048. Prints a table: the wall time of each gpg run (what a user waits for) and the
//! card's share of it (from the card's APDU log: the time between the command and its
//! response, measured in the card thread).
//!
//! Needs what the end-to-end tests need (pcscd with vsmartcard-vpcd, scdaemon; see
//! `tests/e2e/ci.sh`) and nothing else on the vpcd port:
//!
//! ```text
//! cargo bench -p openpgp-card-applet-e2e --features e2e --bench e2e_gnupg
//! ```
//!
//! `E2E_BENCH_ITERATIONS` (default 10) sets the number of signatures and decryptions per
//! algorithm; `E2E_VPCD_PORT` selects the reader as for the tests.

use openpgp_card_applet_e2e as e2e;

use std::time::{Duration, Instant};

use e2e::gnupg::{self, Algo};
use e2e::{commands, Fixture};

struct Row {
    algo: Algo,
    generate: Duration,
    generate_card: Vec<f64>,
    sign: Vec<Duration>,
    sign_card: Vec<f64>,
    decrypt: Vec<Duration>,
    decrypt_card: Vec<f64>,
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

fn ms(durations: &[Duration]) -> Vec<f64> {
    durations.iter().map(|d| d.as_secs_f64() * 1e3).collect()
}

fn measure(algo: Algo, iterations: usize) -> Row {
    let f = Fixture::new();
    if algo != Algo::RSA2048 {
        gnupg::set_key_attributes(&f.gpg, algo);
    }
    let (keys, generate) = gnupg::generate_timed(&f.gpg, &format!("Bench {}", algo.label()));
    let generate_card: Vec<f64> = commands(&f.card.log.exchanges(), &[0x47, 0x80])
        .iter()
        .map(|c| c.2)
        .collect();

    let data = gnupg::message(&f.gpg, "bench.txt", 4096);
    let out = f.gpg.file("bench.sig");
    let mut sign = Vec::new();
    let before = f.card.log.exchanges().len();
    for _ in 0..iterations {
        let started = Instant::now();
        gnupg::sign(&f.gpg, &keys, "--detach-sign", &data, &out);
        sign.push(started.elapsed());
    }
    gnupg::verify(
        &f.gpg,
        &keys,
        &[out.to_str().unwrap(), data.to_str().unwrap()],
    );
    let sign_card: Vec<f64> = commands(&f.card.log.exchanges()[before..], &[0x2A, 0x9E, 0x9A])
        .iter()
        .map(|c| c.2)
        .collect();

    let encrypted = gnupg::encrypt(&f.gpg, &keys, &data);
    let mut decrypt = Vec::new();
    let before = f.card.log.exchanges().len();
    for _ in 0..iterations {
        let started = Instant::now();
        gnupg::decrypt(
            &f.gpg,
            &keys,
            &encrypted,
            &data,
            &mut gnupg::pin_responder(gnupg::PW1),
        );
        decrypt.push(started.elapsed());
    }
    let decrypt_card: Vec<f64> = commands(&f.card.log.exchanges()[before..], &[0x2A, 0x80, 0x86])
        .iter()
        .map(|c| c.2)
        .collect();
    Row {
        algo,
        generate,
        generate_card,
        sign,
        sign_card,
        decrypt,
        decrypt_card,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let iterations: usize = std::env::var("E2E_BENCH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10)
        .max(1);
    let (reader, _) = e2e::reader();
    println!(
        "GnuPG {} through the virtual card in {reader:?}; {iterations} signatures and \
         decryptions per algorithm; times in ms (median; card = the card's own share)",
        gpg_version()
    );
    let rows: Vec<Row> = [Algo::CURVE25519, Algo::NISTP256, Algo::RSA2048]
        .into_iter()
        .map(|algo| measure(algo, iterations))
        .collect();
    println!();
    println!(
        "| algorithm       | generate 3 keys (gpg) | card: 3 × GENERATE | detach-sign (gpg) | card: PSO:CDS | decrypt (gpg) | card: PSO:DECIPHER |"
    );
    println!(
        "|-----------------|----------------------:|-------------------:|------------------:|--------------:|--------------:|-------------------:|"
    );
    for mut row in rows {
        let generate_card: f64 = row.generate_card.iter().sum();
        println!(
            "| {:<15} | {:>21.1} | {:>18.1} | {:>17.1} | {:>13.2} | {:>13.1} | {:>18.2} |",
            row.algo.name(),
            row.generate.as_secs_f64() * 1e3,
            generate_card,
            median(&mut ms(&row.sign)),
            median(&mut row.sign_card),
            median(&mut ms(&row.decrypt)),
            median(&mut row.decrypt_card),
        );
    }
}

fn gpg_version() -> String {
    std::process::Command::new("gpg")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().last().map(str::to_owned))
        })
        .unwrap_or_else(|| "?".to_owned())
}
