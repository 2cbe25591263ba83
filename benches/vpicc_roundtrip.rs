//! One APDU round trip through pcscd and vpcd to the applet, with and without the transport
//! fixes of the virtual card's vpcd client (crates/virtual-card): TCP_NODELAY, and TCP_QUICKACK
//! before every read.
//!
//! Needs a running pcscd with vsmartcard-vpcd, and nothing else on the vpcd port:
//!
//! ```text
//! cargo bench -p openpgp-card-applet-e2e --features e2e --bench vpicc_roundtrip
//! ```
//!
//! `VPICC_BENCH_ITERATIONS` (default 2000) sets the number of round trips with the fixes; the
//! slow variants (~45 ms each) run a twentieth of that (at least 20). `E2E_VPCD_PORT` selects
//! the vpcd port (default 35963, reader "Virtual PCD 00 00").

use std::ffi::CString;
use std::thread;
use std::time::{Duration, Instant};

use openpgp_card_applet::{Applet, Config};
use openpgp_card_applet_testkit::{test_platform, MemoryStorage};

const SELECT: [u8; 11] = [
    0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
];
/// GET DATA 4F (the AID): a short answer, so that the transport dominates.
const GET_AID: [u8; 5] = [0x00, 0xCA, 0x00, 0x4F, 0x00];

struct Variant {
    name: &'static str,
    nodelay: bool,
    quickack: bool,
    slow: bool,
}

struct Stats {
    mean: Duration,
    median: Duration,
    p99: Duration,
    n: usize,
}

fn main() {
    let port: u16 = std::env::var("E2E_VPCD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(openpgp_card_applet_virtual_card::DEFAULT_PORT);
    let reader = format!(
        "Virtual PCD 00 {:02}",
        port.saturating_sub(openpgp_card_applet_virtual_card::DEFAULT_PORT)
    );
    let fast: usize = std::env::var("VPICC_BENCH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let slow = (fast / 20).max(20);

    let variants = [
        Variant {
            name: "TCP_NODELAY + TCP_QUICKACK (default)",
            nodelay: true,
            quickack: true,
            slow: false,
        },
        Variant {
            name: "TCP_NODELAY only (quickack off)",
            nodelay: true,
            quickack: false,
            slow: true,
        },
        Variant {
            name: "neither (as the vpicc crate)",
            nodelay: false,
            quickack: false,
            slow: true,
        },
    ];
    println!("APDU round trip (GET DATA 4F) through pcscd + vpcd, reader {reader:?}, port {port}");
    let mut results = Vec::new();
    for variant in &variants {
        let n = if variant.slow { slow } else { fast };
        let stats = measure(port, &reader, variant, n);
        println!(
            "{:<40} n={:>5}  mean {:>9.3} ms  median {:>9.3} ms  p99 {:>9.3} ms",
            variant.name,
            stats.n,
            ms(stats.mean),
            ms(stats.median),
            ms(stats.p99)
        );
        results.push(stats);
    }
    if let [fixed, no_quickack, neither] = results.as_slice() {
        println!(
            "quickack off / default: {:.0}x slower by mean, {:.0}x by median",
            ms(no_quickack.mean) / ms(fixed.mean),
            ms(no_quickack.median) / ms(fixed.median)
        );
        println!(
            "neither / default:      {:.0}x slower by mean, {:.0}x by median",
            ms(neither.mean) / ms(fixed.mean),
            ms(neither.median) / ms(fixed.median)
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn measure(port: u16, reader: &str, variant: &Variant, n: usize) -> Stats {
    let mut options = openpgp_card_applet_virtual_card::Options::default()
        .port(port)
        .quickack(variant.quickack);
    options.nodelay = variant.nodelay;
    let handle = options.handle();
    let card = thread::spawn(move || {
        let platform = test_platform(MemoryStorage::new());
        openpgp_card_applet_virtual_card::run(
            &mut Applet::new(Config::default(), platform),
            options,
        )
    });
    assert!(
        handle.wait_powered(Duration::from_secs(20)),
        "pcscd did not power the virtual card on port {port}: is pcscd running with \
         vsmartcard-vpcd, and is the port free?"
    );

    let ctx = pcsc::Context::establish(pcsc::Scope::User).expect("connect to pcscd");
    let name = CString::new(reader).expect("reader name");
    let card_handle = connect(&ctx, &name);
    let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
    let rsp = card_handle.transmit(&SELECT, &mut buf).expect("SELECT");
    assert_eq!(rsp, [0x90, 0x00], "SELECT");
    // Warm up.
    for _ in 0..5 {
        card_handle.transmit(&GET_AID, &mut buf).expect("GET DATA");
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let rsp = card_handle.transmit(&GET_AID, &mut buf).expect("GET DATA");
        times.push(start.elapsed());
        assert_eq!(rsp.len(), 18, "GET DATA 4F answer {rsp:02X?}");
    }
    drop(card_handle.disconnect(pcsc::Disposition::LeaveCard));
    handle.stop();
    card.join().expect("card thread").expect("card");

    times.sort();
    let total: Duration = times.iter().sum();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Stats {
        mean: total / n as u32,
        median: at(0.5),
        p99: at(0.99),
        n,
    }
}

/// Connects, retrying briefly while pcscd still reports the previous card's removal.
fn connect(ctx: &pcsc::Context, reader: &CString) -> pcsc::Card {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match ctx.connect(reader, pcsc::ShareMode::Shared, pcsc::Protocols::ANY) {
            Ok(card) => return card,
            Err(e) if Instant::now() < deadline => {
                eprintln!("(connect: {e}; retrying)");
                thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("cannot connect to {reader:?}: {e}"),
        }
    }
}
