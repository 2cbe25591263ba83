//! The applet's cost over the crypto crates it wraps, and the cost of the non-crypto APDUs.
//!
//! For each of the eight algorithms, one operation through [`Applet::process`] (a complete
//! command APDU in, response APDU out, on the in-memory backends) is timed next to the same
//! operation as a direct call of the underlying crate, and the ratio applet/raw is printed in a
//! table at the end (also written to `<target dir>/bench-summary.txt`). See BENCHMARKS.md for
//! the figures and how to reproduce them.
//!
//! ```text
//! cargo bench --bench applet                  # everything (about 8 minutes on 2 cores)
//! cargo bench --bench applet -- p256          # one group (criterion's filter)
//! cargo bench --bench applet --features p521,brainpool,ed448   # and the curves off by default
//! bash benches/callgrind.sh [group...]        # instruction counts and ratios (valgrind)
//! ```
//!
//! Harness: criterion rather than divan, because (1) its estimates are written as JSON files
//! that this bench reads back to compute the applet/raw ratio table from the same run, which
//! divan cannot give a program; (2) its per-group sampling settings (flat sampling with 10
//! samples) keep the multi-millisecond RSA operations within a few seconds each while the
//! microsecond APDUs get linear sampling; (3) its median and confidence interval are robust to
//! the outliers of a shared 2-core machine.
//!
//! What is held fixed:
//! - keys are imported once (PUT DATA `3F FF`) from the test kit's `keys` (crate `openpgp-card-applet-test-vectors`) before any timing,
//!   and the applet's answers are checked against the known answers there;
//! - PSO:CDS runs with C4 byte 1 = 01 (PW1 stays verified for several signatures), so VERIFY is
//!   not in the loop; VERIFY is measured on its own;
//! - every crypto APDU uses extended lengths, so the whole answer comes back in one call;
//! - RSA key generation is timed on fixed RNG seeds, the applet and the raw call on the same
//!   seeds (the applet's first use of its RNG is the generation), so both search the same
//!   primes: a prime search's length varies by seconds between seeds, which would swamp any
//!   comparison over different seeds.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use openpgp_card_applet::{Applet, Config, Platform, Presence, Transport};
use openpgp_card_applet_testkit::backends::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
use openpgp_card_applet_testkit::keys;

extern crate alloc;

#[path = "common/apdus.rs"]
mod apdus;

use apdus::{attributes_tag, extended};
use openpgp_card_applet_testkit::ecdh_cipher_do;

type Card = Applet<MemoryStorage, TestRng, ManualClock, ScriptedButton>;

const SW_OK: [u8; 2] = [0x90, 0x00];
/// Room for the largest answer (max_response_len 4096) and the status word.
const RESPONSE_LEN: usize = 4096 + 2;

const SIG: u8 = 0xB6;
const DEC: u8 = 0xB8;
const AUT: u8 = 0xA4;

const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
const OID_K256: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
const OID_ED25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01];
const OID_CV25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01];
#[cfg(feature = "p521")]
const OID_P521: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
#[cfg(feature = "brainpool")]
const OID_BP256: &[u8] = &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07];
#[cfg(feature = "brainpool")]
const OID_BP384: &[u8] = &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B];
#[cfg(feature = "brainpool")]
const OID_BP512: &[u8] = &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D];
#[cfg(feature = "ed448")]
const OID_ED448: &[u8] = &[0x2B, 0x65, 0x71];
#[cfg(feature = "ed448")]
const OID_X448: &[u8] = &[0x2B, 0x65, 0x6F];

// ---------------------------------------------------------------------------------------------
// APDUs

const SELECT: &[u8] = &[
    0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
];
/// GET DATA 6E with a short Le.
const GET_DATA_6E: &[u8] = &[0x00, 0xCA, 0x00, 0x6E, 0x00];
const GET_DATA_7F21: &[u8] = &[0x00, 0xCA, 0x7F, 0x21, 0x00];
const GET_RESPONSE: &[u8] = &[0x00, 0xC0, 0x00, 0x00, 0x00];
const VERIFY_81: &[u8] = b"\x00\x20\x00\x81\x06123456";
const VERIFY_82: &[u8] = b"\x00\x20\x00\x82\x06123456";
const VERIFY_83: &[u8] = b"\x00\x20\x00\x83\x0812345678";

fn new_card(seed: u64, storage: MemoryStorage) -> Card {
    let platform = Platform {
        storage,
        rng: TestRng::seed_from_u64(seed),
        clock: ManualClock::new(),
        user_presence: ScriptedButton::always(Presence::Confirmed),
    };
    let mut card = Applet::new(Config::default(), platform);
    card.power_on(Transport::Contact);
    card
}

/// Sends one APDU and any GET RESPONSE it needs; returns the data, asserting 9000.
fn send(card: &mut Card, apdu: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; RESPONSE_LEN];
    let mut data = Vec::new();
    let mut apdu = apdu.to_vec();
    loop {
        let n = card.process(&apdu, &mut out);
        assert!(n >= 2, "no status word");
        data.extend_from_slice(&out[..n - 2]);
        match [out[n - 2], out[n - 1]] {
            SW_OK => return data,
            [0x61, _] => apdu = GET_RESPONSE.to_vec(),
            sw => panic!("{:02X?} answered {sw:02X?}", &apdu[..4]),
        }
    }
}

fn put_data(card: &mut Card, tag: u16, data: &[u8]) {
    let [p1, p2] = tag.to_be_bytes();
    send(card, &extended(0xDA, p1, p2, data));
}

/// PUT DATA `DB 3F FF`: the key import of `components` into the slot of `crt`.
fn import(card: &mut Card, crt: u8, components: &[(u8, &[u8])]) {
    send(card, &apdus::import(crt, components));
}

/// Key components for an import: (tag, value).
type Components<'a> = Vec<(u8, &'a [u8])>;

/// A card with the given attributes per slot and the given imports, PW3 verified.
fn card_with(attributes: &[(u8, Vec<u8>)], imports: &[(u8, Components<'_>)]) -> Card {
    let mut card = new_card(1, MemoryStorage::new());
    send(&mut card, VERIFY_83);
    for (crt, attributes) in attributes {
        put_data(&mut card, attributes_tag(*crt), attributes);
    }
    for (crt, components) in imports {
        import(&mut card, *crt, components);
    }
    card
}

/// PW1 for several signatures (C4 byte 1 = 01), then VERIFY 81 and 82.
fn unlock(card: &mut Card) {
    put_data(card, 0xC4, &[0x01]);
    send(card, VERIFY_81);
    send(card, VERIFY_82);
}

/// DECIPHER's ECDH template: `A6 { 7F49 { 86 point } }`.
/// The value of `tag` inside the 7F49 public key template.
fn public_part(template: &[u8], tag: u8) -> Vec<u8> {
    use openpgp_card_applet::tlv::find;
    let inner = find(template, 0x7F49).unwrap().unwrap();
    find(inner, u16::from(tag)).unwrap().unwrap().to_vec()
}

// ---------------------------------------------------------------------------------------------
// Running: criterion, or under callgrind

/// How the benchmarks are run.
enum Runner {
    /// Statistics with criterion, then an interleaved comparison of each pair.
    Criterion(Box<Criterion>),
    /// `APPLET_BENCH_CALLGRIND=pattern`: only the benchmarks whose id starts with `pattern`
    /// (a group, `group/applet`, `group/raw_sign`..., or `all`), each `iterations` times (a
    /// twentieth of that for the RSA private-key operations, at least 2) inside [`measured`],
    /// for `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=applet::measured
    /// --dump-after=applet::measured` (one dump each; benches/callgrind.sh).
    Callgrind { pattern: String, iterations: u64 },
}

/// The ids of the benchmarks that ran in this process (criterion skips filtered ones).
static RAN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn ran(id: &str) -> bool {
    RAN.lock().unwrap().contains(id)
}

/// The loop callgrind counts (its inclusive cost is the measured cost).
#[inline(never)]
fn measured(f: &mut dyn FnMut(), iterations: u64) {
    for _ in 0..iterations {
        f();
    }
}

/// Cost class of a benchmark: slow ones (RSA private operations) get flat sampling.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cost {
    Micro,
    Milli,
}

/// What a pair compares: the applet benchmark, the raw one, and the table's words for them.
struct PairSpec<'a> {
    group: &'a str,
    operation: &'a str,
    applet: &'a str,
    raw: &'a str,
    raw_call: &'a str,
    cost: Cost,
    /// Whether the ≤ 1.05 target applies (sign, decipher, authenticate; not generation).
    target: bool,
}

impl Runner {
    /// Runs one benchmark (once per process: a raw call shared by several pairs runs once).
    fn run(&mut self, group: &str, id: &str, cost: Cost, f: &mut dyn FnMut()) {
        let full = format!("{group}/{id}");
        if ran(&full) {
            return;
        }
        match self {
            Runner::Criterion(c) => {
                let mut g = c.benchmark_group(group);
                if cost == Cost::Milli {
                    g.sampling_mode(SamplingMode::Flat).sample_size(10);
                }
                g.bench_function(id, |b| {
                    RAN.lock().unwrap().insert(full.clone());
                    b.iter(&mut *f)
                });
                g.finish();
            }
            Runner::Callgrind {
                pattern,
                iterations,
            } => {
                if pattern == "all" || full.starts_with(pattern.as_str()) {
                    let iterations = match cost {
                        Cost::Micro => *iterations,
                        Cost::Milli => (*iterations / 20).max(2),
                    };
                    f(); // what the first call caches, as in criterion's warm-up
                    measured(f, iterations);
                    // One line per dump of `--dump-after=applet::measured`, in order.
                    println!("measured {full} {iterations}");
                    RAN.lock().unwrap().insert(full);
                }
            }
        }
    }

    /// Runs an applet benchmark and its raw counterpart and records the pair for the table;
    /// with criterion, also times them interleaved (see [`interleaved_ratio`]).
    fn pair(
        &mut self,
        table: &mut Table,
        spec: PairSpec<'_>,
        applet: &mut dyn FnMut(),
        raw: &mut dyn FnMut(),
    ) {
        let group = spec.group;
        self.run(group, spec.applet, spec.cost, applet);
        self.run(group, spec.raw, spec.cost, raw);
        let applet_id = format!("{group}/{}", spec.applet);
        let raw_id = format!("{group}/{}", spec.raw);
        if !(ran(&applet_id) && ran(&raw_id)) {
            return;
        }
        let interleaved = match self {
            Runner::Criterion(_) if !quick() => Some(interleaved_ratio(applet, raw)),
            _ => None,
        };
        table.pairs.push(Pair {
            operation: spec.operation.to_string(),
            applet: applet_id,
            raw: raw_id,
            raw_call: spec.raw_call.to_string(),
            target: spec.target,
            interleaved,
        });
    }

    /// Whether a group is wanted at all (its setup, e.g. RSA imports, is skipped otherwise).
    fn wants(&self, group: &str) -> bool {
        match self {
            Runner::Criterion(_) => {
                filter().is_none_or(|f| group.contains(&f) || f.contains(group))
            }
            Runner::Callgrind { pattern, .. } => {
                pattern == "all" || pattern.split('/').next() == Some(group)
            }
        }
    }
}

/// Rounds of the interleaved comparison.
const ROUNDS: usize = 41;

/// The applet/raw ratio from interleaved batches: in each of [`ROUNDS`] rounds a batch of the
/// applet operation and a batch of the raw call (alternating which goes first), each batch
/// ≥ 5 ms; the median of the rounds' ratios. Load that comes and goes on a shared machine hits
/// both sides of a round alike, where criterion's separate runs, seconds apart, can differ.
fn interleaved_ratio(applet: &mut dyn FnMut(), raw: &mut dyn FnMut()) -> f64 {
    let time = |f: &mut dyn FnMut(), n: u32| {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        start.elapsed().as_secs_f64()
    };
    let mut batch = 1u32;
    while time(raw, batch) < 0.005 && batch < 1 << 20 {
        batch *= 2;
    }
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let a = time(applet, batch);
                a / time(raw, batch)
            } else {
                let r = time(raw, batch);
                time(applet, batch) / r
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}

/// `--test` (`cargo test --benches`, criterion's one-iteration check) or `--list`.
fn quick() -> bool {
    std::env::args().any(|a| a == "--test" || a == "--list")
}

/// Criterion's positional filter argument, if any.
fn filter() -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // Flags of criterion's command line that take a value.
            "--save-baseline"
            | "--baseline"
            | "--baseline-lenient"
            | "--load-baseline"
            | "--sample-size"
            | "--warm-up-time"
            | "--measurement-time"
            | "--nresamples"
            | "--noise-threshold"
            | "--confidence-level"
            | "--significance-level"
            | "--profile-time"
            | "--plotting-backend"
            | "--output-format"
            | "--color"
            | "-c"
            | "--format" => {
                args.next();
            }
            a if a.starts_with('-') => {}
            a => return Some(a.to_string()),
        }
    }
    None
}

/// One APDU sent to the card (it must answer 9000 with everything at once), as a benchmark
/// routine.
fn apdu_op<'a>(card: &'a mut Card, apdu: &'a [u8]) -> impl FnMut() + 'a {
    let mut out = vec![0u8; RESPONSE_LEN];
    move || {
        let n = card.process(black_box(apdu), &mut out);
        assert_eq!(out[n - 2..n], SW_OK);
        black_box(&out[..n]);
    }
}

// ---------------------------------------------------------------------------------------------
// The table

/// One line of the summary: an applet benchmark and the raw call it is compared with.
struct Pair {
    operation: String,
    applet: String,
    raw: String,
    raw_call: String,
    target: bool,
    /// The median ratio of interleaved batches.
    interleaved: Option<f64>,
}

/// A line for an APDU without a raw counterpart: `apdus` APDUs per iteration.
struct Plain {
    operation: String,
    id: String,
    apdus: u32,
}

/// A paired RSA key generation measurement (fixed seeds, same primes).
struct Keygen {
    bits: u16,
    seeds: usize,
    applet: Duration,
    raw: Duration,
}

#[derive(Default)]
struct Table {
    pairs: Vec<Pair>,
    plain: Vec<Plain>,
    keygen: Vec<Keygen>,
}

// ---------------------------------------------------------------------------------------------
// RSA

fn rsa_attributes(bits: u16) -> Vec<u8> {
    let [hi, lo] = bits.to_be_bytes();
    vec![0x01, hi, lo, 0x00, 0x20, 0x00]
}

struct RsaVector {
    p: &'static [u8],
    q: &'static [u8],
    n: &'static [u8],
    signature: &'static [u8],
    ciphertext: &'static [u8],
}

fn rsa_vector(bits: u16) -> RsaVector {
    use keys::*;
    match bits {
        2048 => RsaVector {
            p: RSA2048_P,
            q: RSA2048_Q,
            n: RSA2048_N,
            signature: RSA2048_SIGNATURE,
            ciphertext: RSA2048_CIPHERTEXT,
        },
        3072 => RsaVector {
            p: RSA3072_P,
            q: RSA3072_Q,
            n: RSA3072_N,
            signature: RSA3072_SIGNATURE,
            ciphertext: RSA3072_CIPHERTEXT,
        },
        _ => RsaVector {
            p: RSA4096_P,
            q: RSA4096_Q,
            n: RSA4096_N,
            signature: RSA4096_SIGNATURE,
            ciphertext: RSA4096_CIPHERTEXT,
        },
    }
}

fn rsa(runner: &mut Runner, table: &mut Table, bits: u16) {
    use rsa::{BoxedUint, Pkcs1v15Encrypt, Pkcs1v15Sign};

    let group = format!("rsa{bits}");
    let group = group.as_str();
    if !runner.wants(group) {
        return;
    }
    let v = rsa_vector(bits);
    let e: &[u8] = &[0x01, 0x00, 0x01];
    let components = vec![(0x91, e), (0x92, v.p), (0x93, v.q)];
    let mut card = card_with(
        &[SIG, DEC, AUT].map(|crt| (crt, rsa_attributes(bits))),
        &[SIG, DEC, AUT].map(|crt| (crt, components.clone())),
    );
    unlock(&mut card);
    let cds = extended(0x2A, 0x9E, 0x9A, keys::DIGEST_INFO);
    let auth = extended(0x88, 0x00, 0x00, keys::DIGEST_INFO);
    let decipher = extended(0x2A, 0x80, 0x86, &[&[0x00], v.ciphertext].concat());
    assert_eq!(send(&mut card, &cds), v.signature);
    assert_eq!(send(&mut card, &auth), v.signature);
    assert_eq!(send(&mut card, &decipher), keys::SESSION_KEY);

    let half = u32::from(bits / 2);
    let key = rsa::PrivateKey::from_p_q(
        BoxedUint::from_be_slice(v.p, half).unwrap(),
        BoxedUint::from_be_slice(v.q, half).unwrap(),
        BoxedUint::from(65_537u64),
    )
    .unwrap();
    let public = key.as_public_key().clone();
    assert_eq!(&*rsa::traits::PublicKeyParts::n_bytes(&public), v.n);
    let mut rng = TestRng::seed_from_u64(2);
    let scheme = Pkcs1v15Sign::new_unprefixed;
    let signature = key.sign_with_rng(&mut rng, scheme(), keys::DIGEST_INFO);
    assert_eq!(signature.unwrap(), v.signature);
    let message = key.decrypt_blinded(&mut rng, Pkcs1v15Encrypt, v.ciphertext);
    assert_eq!(message.unwrap(), keys::SESSION_KEY);

    // What the applet does for PSO:CDS and INTERNAL AUTHENTICATE (src/crypto/rsa.rs): the
    // blinded signature, then a verification through the public key before it is released.
    let sign = |rng: &mut TestRng| {
        let s = key.sign_with_rng(rng, scheme(), black_box(keys::DIGEST_INFO));
        black_box(s.unwrap());
    };
    let sign_verify = |rng: &mut TestRng| {
        let s = key.sign_with_rng(rng, scheme(), black_box(keys::DIGEST_INFO));
        let s = s.unwrap();
        public.verify(scheme(), keys::DIGEST_INFO, &s).unwrap();
        black_box(s);
    };
    let sv = "rsa PrivateKey::sign_with_rng + PublicKey::verify (PKCS#1 v1.5)";
    let so = "rsa PrivateKey::sign_with_rng alone";
    for (operation, applet, apdu) in [
        ("PSO:CDS", "applet_pso_cds", &cds),
        ("INTERNAL AUTHENTICATE", "applet_internal_auth", &auth),
    ] {
        let spec = |raw, raw_call| PairSpec {
            group,
            operation,
            applet,
            raw,
            raw_call,
            cost: Cost::Milli,
            target: true,
        };
        runner.pair(
            table,
            spec("raw_sign_verify", sv),
            &mut apdu_op(&mut card, apdu),
            &mut || sign_verify(&mut rng),
        );
        runner.pair(
            table,
            spec("raw_sign", so),
            &mut apdu_op(&mut card, apdu),
            &mut || sign(&mut rng),
        );
    }
    runner.pair(
        table,
        PairSpec {
            group,
            operation: "PSO:DECIPHER",
            applet: "applet_pso_decipher",
            raw: "raw_decrypt",
            raw_call: "rsa PrivateKey::decrypt_blinded (Pkcs1v15Encrypt)",
            cost: Cost::Milli,
            target: true,
        },
        &mut apdu_op(&mut card, &decipher),
        &mut || {
            let m = key.decrypt_blinded(&mut rng, Pkcs1v15Encrypt, black_box(v.ciphertext));
            black_box(m.unwrap());
        },
    );
}

/// RSA GENERATE next to `rsa::PrivateKey::new` on the same RNG seeds (see the module docs).
fn rsa_keygen(bits: u16, seeds: usize) -> Keygen {
    let base = {
        let card = card_with(&[(SIG, rsa_attributes(bits))], &[]);
        card.into_platform().storage
    };
    let generate = extended(0x47, 0x80, 0x00, &[SIG, 0x00]);
    let mut out = vec![0u8; RESPONSE_LEN];
    let (mut applet, mut raw) = (Duration::ZERO, Duration::ZERO);
    for seed in 0..seeds as u64 {
        let seed = 1000 + seed;
        let mut card = new_card(seed, base.clone());
        send(&mut card, VERIFY_83);
        let start = Instant::now();
        let n = card.process(&generate, &mut out);
        applet += start.elapsed();
        assert_eq!(out[n - 2..n], SW_OK);
        let modulus = public_part(&out[..n - 2], 0x81);

        let start = Instant::now();
        let key = rsa::PrivateKey::new(&mut TestRng::seed_from_u64(seed), usize::from(bits));
        raw += start.elapsed();
        use rsa::traits::PublicKeyParts;
        assert_eq!(
            &*key.unwrap().n_bytes(),
            &modulus[..],
            "the applet and the raw call found different primes for seed {seed}"
        );
    }
    Keygen {
        bits,
        seeds,
        applet,
        raw,
    }
}

// ---------------------------------------------------------------------------------------------
// ECDSA and ECDH on the Weierstrass curves

macro_rules! weierstrass {
    ($fn_name:ident, $C:ty, $krate:literal, $group:literal, $oid:expr, $scalar:expr,
     $public:expr, $hash:expr, $signature:expr, $host:expr, $shared:expr) => {
        fn $fn_name(runner: &mut Runner, table: &mut Table) {
            use ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
            use elliptic_curve::Generate;
            type Signature = ecdsa::Signature<$C>;
            type SigningKey = ecdsa::SigningKey<$C>;
            type VerifyingKey = ecdsa::VerifyingKey<$C>;

            let group = $group;
            if !runner.wants(group) {
                return;
            }
            let ecdsa = [&[0x13], $oid].concat();
            let ecdh = [&[0x12], $oid].concat();
            let scalar: Vec<(u8, &[u8])> = vec![(0x92, $scalar)];
            let mut card = card_with(
                &[
                    (SIG, ecdsa.clone()),
                    (DEC, ecdh.clone()),
                    (AUT, ecdsa.clone()),
                ],
                &[(SIG, scalar.clone()), (DEC, scalar.clone()), (AUT, scalar)],
            );
            unlock(&mut card);
            let cds = extended(0x2A, 0x9E, 0x9A, $hash);
            let auth = extended(0x88, 0x00, 0x00, $hash);
            let decipher = extended(0x2A, 0x80, 0x86, &ecdh_cipher_do($host));
            // The card's nonces are hedged (RFC 6979 + random bytes), so its signatures are
            // checked by verification; RFC 6979's own signature verifies under the same point.
            let verifying_key = VerifyingKey::from_sec1_bytes($public).unwrap();
            let verifies = |signature: &[u8]| {
                let signature = Signature::from_slice(signature).unwrap();
                verifying_key.verify_prehash($hash, &signature).is_ok()
            };
            assert!(verifies($signature));
            assert!(verifies(&send(&mut card, &cds)));
            assert!(verifies(&send(&mut card, &auth)));
            assert_eq!(send(&mut card, &decipher), $shared);
            let mut generator = card_with(&[(SIG, ecdsa)], &[]);
            let generate = extended(0x47, 0x80, 0x00, &[SIG, 0x00]);

            let key = SigningKey::from_slice($scalar).unwrap();
            let mut sign_rng = TestRng::seed_from_u64(4);
            let signature: Signature = key.sign_prehash_with_rng(&mut sign_rng, $hash).unwrap();
            assert!(verifies(&signature.to_bytes()));
            let mut rng = TestRng::seed_from_u64(3);

            let sign_call = concat!($krate, " SigningKey::sign_prehash_with_rng (hedged)");
            for (operation, applet, apdu) in [
                ("PSO:CDS", "applet_pso_cds", &cds),
                ("INTERNAL AUTHENTICATE", "applet_internal_auth", &auth),
            ] {
                let spec = PairSpec {
                    group,
                    operation,
                    applet,
                    raw: "raw_sign",
                    raw_call: sign_call,
                    cost: Cost::Micro,
                    target: true,
                };
                let mut sign = || {
                    let s: Signature = key
                        .sign_prehash_with_rng(&mut sign_rng, black_box($hash))
                        .unwrap();
                    black_box(s);
                };
                runner.pair(table, spec, &mut apdu_op(&mut card, apdu), &mut sign);
            }
            let spec = PairSpec {
                group,
                operation: "PSO:DECIPHER (ECDH)",
                applet: "applet_pso_decipher",
                raw: "raw_ecdh",
                raw_call: concat!($krate, " PublicKey::from_sec1_bytes + ecdh::diffie_hellman"),
                cost: Cost::Micro,
                target: true,
            };
            runner.pair(table, spec, &mut apdu_op(&mut card, &decipher), &mut || {
                let point =
                    elliptic_curve::PublicKey::<$C>::from_sec1_bytes(black_box($host)).unwrap();
                let shared = elliptic_curve::ecdh::diffie_hellman(
                    key.as_nonzero_scalar(),
                    point.as_affine(),
                );
                black_box(shared.raw_secret_bytes());
            });
            let spec = PairSpec {
                group,
                operation: "GENERATE",
                applet: "applet_generate",
                raw: "raw_generate",
                raw_call: concat!($krate, " SigningKey::generate_from_rng"),
                cost: Cost::Micro,
                target: false,
            };
            runner.pair(
                table,
                spec,
                &mut apdu_op(&mut generator, &generate),
                &mut || {
                    black_box(SigningKey::generate_from_rng(&mut rng));
                },
            );
        }
    };
}

weierstrass!(
    p256,
    p256::NistP256,
    "p256",
    "p256",
    OID_P256,
    keys::P256_SCALAR,
    keys::P256_PUBLIC,
    keys::HASH32,
    keys::P256_SIGNATURE,
    keys::P256_HOST_PUBLIC,
    keys::P256_SHARED
);
weierstrass!(
    p384,
    p384::NistP384,
    "p384",
    "p384",
    OID_P384,
    keys::P384_SCALAR,
    keys::P384_PUBLIC,
    keys::HASH48,
    keys::P384_SIGNATURE,
    keys::P384_HOST_PUBLIC,
    keys::P384_SHARED
);
weierstrass!(
    k256,
    k256::Secp256k1,
    "k256",
    "k256",
    OID_K256,
    keys::K256_SCALAR,
    keys::K256_PUBLIC,
    keys::HASH32,
    keys::K256_SIGNATURE,
    keys::K256_HOST_PUBLIC,
    keys::K256_SHARED
);
#[cfg(feature = "p521")]
weierstrass!(
    p521,
    p521::NistP521,
    "p521",
    "p521",
    OID_P521,
    keys::P521_SCALAR,
    keys::P521_PUBLIC,
    keys::HASH64,
    keys::P521_SIGNATURE,
    keys::P521_HOST_PUBLIC,
    keys::P521_SHARED
);
#[cfg(feature = "brainpool")]
weierstrass!(
    bp256,
    bp256::BrainpoolP256r1,
    "bp256",
    "bp256",
    OID_BP256,
    keys::BP256_SCALAR,
    keys::BP256_PUBLIC,
    keys::HASH32,
    keys::BP256_SIGNATURE,
    keys::BP256_HOST_PUBLIC,
    keys::BP256_SHARED
);
#[cfg(feature = "brainpool")]
weierstrass!(
    bp384,
    bp384::BrainpoolP384r1,
    "bp384",
    "bp384",
    OID_BP384,
    keys::BP384_SCALAR,
    keys::BP384_PUBLIC,
    keys::HASH48,
    keys::BP384_SIGNATURE,
    keys::BP384_HOST_PUBLIC,
    keys::BP384_SHARED
);
#[cfg(feature = "brainpool")]
weierstrass!(
    bp512,
    bp512::BrainpoolP512r1,
    "bp512 (crates/bp512)",
    "bp512",
    OID_BP512,
    keys::BP512_SCALAR,
    keys::BP512_PUBLIC,
    keys::HASH64,
    keys::BP512_SIGNATURE,
    keys::BP512_HOST_PUBLIC,
    keys::BP512_SHARED
);

// ---------------------------------------------------------------------------------------------
// Ed25519 and X25519

/// An EdDSA family on the card: the signing key imported in SIG and AUT, a slot to generate in.
struct Eddsa<'a> {
    group: &'static str,
    oid: &'a [u8],
    seed: &'a [u8],
    /// The message signed, and the signature the card must answer.
    message: &'a [u8],
    signature: &'a [u8],
    /// The raw calls, as the table names them.
    sign_call: &'static str,
    generate_call: &'static str,
}

/// PSO:CDS and INTERNAL AUTHENTICATE next to the raw signature, GENERATE next to the raw key
/// generation, for an EdDSA family (each answer checked first).
fn eddsa_pairs(
    runner: &mut Runner,
    table: &mut Table,
    family: &Eddsa<'_>,
    sign: &mut dyn FnMut(),
    generate: &mut dyn FnMut(),
) {
    let attributes = [&[0x16], family.oid].concat();
    let seed: Vec<(u8, &[u8])> = vec![(0x92, family.seed)];
    let mut card = card_with(
        &[(SIG, attributes.clone()), (AUT, attributes.clone())],
        &[(SIG, seed.clone()), (AUT, seed)],
    );
    unlock(&mut card);
    let cds = extended(0x2A, 0x9E, 0x9A, family.message);
    let auth = extended(0x88, 0x00, 0x00, family.message);
    assert_eq!(send(&mut card, &cds), family.signature);
    assert_eq!(send(&mut card, &auth), family.signature);
    for (operation, applet, apdu) in [
        ("PSO:CDS", "applet_pso_cds", &cds),
        ("INTERNAL AUTHENTICATE", "applet_internal_auth", &auth),
    ] {
        let spec = PairSpec {
            group: family.group,
            operation,
            applet,
            raw: "raw_sign",
            raw_call: family.sign_call,
            cost: Cost::Micro,
            target: true,
        };
        runner.pair(table, spec, &mut apdu_op(&mut card, apdu), sign);
    }
    let mut generator = card_with(&[(SIG, attributes)], &[]);
    generate_pair(
        runner,
        table,
        family.group,
        SIG,
        &mut generator,
        family.generate_call,
        generate,
    );
}

/// GENERATE in `slot` next to the raw key generation.
fn generate_pair(
    runner: &mut Runner,
    table: &mut Table,
    group: &'static str,
    slot: u8,
    generator: &mut Card,
    raw_call: &'static str,
    generate: &mut dyn FnMut(),
) {
    let apdu = extended(0x47, 0x80, 0x00, &[slot, 0x00]);
    let spec = PairSpec {
        group,
        operation: "GENERATE",
        applet: "applet_generate",
        raw: "raw_generate",
        raw_call,
        cost: Cost::Micro,
        target: false,
    };
    runner.pair(table, spec, &mut apdu_op(generator, &apdu), generate);
}

/// An ECDH family on a CFRG curve: the scalar as the import sends it, the host's point, the
/// shared secret the card must answer.
struct CfrgEcdh<'a> {
    group: &'static str,
    operation: &'static str,
    oid: &'a [u8],
    scalar: &'a [u8],
    host_public: &'a [u8],
    shared: &'a [u8],
    dh_call: &'static str,
    generate_call: &'static str,
}

/// PSO:DECIPHER next to the raw Diffie-Hellman, GENERATE next to the raw key generation.
fn cfrg_ecdh_pairs(
    runner: &mut Runner,
    table: &mut Table,
    family: &CfrgEcdh<'_>,
    dh: &mut dyn FnMut(),
    generate: &mut dyn FnMut(),
) {
    let attributes = [&[0x12], family.oid].concat();
    let mut card = card_with(
        &[(DEC, attributes.clone())],
        &[(DEC, vec![(0x92, family.scalar)])],
    );
    unlock(&mut card);
    let decipher = extended(0x2A, 0x80, 0x86, &ecdh_cipher_do(family.host_public));
    assert_eq!(send(&mut card, &decipher), family.shared);
    let spec = PairSpec {
        group: family.group,
        operation: family.operation,
        applet: "applet_pso_decipher",
        raw: "raw_dh",
        raw_call: family.dh_call,
        cost: Cost::Micro,
        target: true,
    };
    runner.pair(table, spec, &mut apdu_op(&mut card, &decipher), dh);
    let mut generator = card_with(&[(DEC, attributes)], &[]);
    generate_pair(
        runner,
        table,
        family.group,
        DEC,
        &mut generator,
        family.generate_call,
        generate,
    );
}

fn ed25519(runner: &mut Runner, table: &mut Table) {
    use ed25519_dalek::{Signer, SigningKey};
    use rand_core::Rng;

    if !runner.wants("ed25519") {
        return;
    }
    let key = SigningKey::from_bytes(keys::ED25519_SEED.try_into().unwrap());
    assert_eq!(key.sign(keys::HASH32).to_bytes(), keys::ED25519_SIGNATURE);
    let mut rng = TestRng::seed_from_u64(4);
    let family = Eddsa {
        group: "ed25519",
        oid: OID_ED25519,
        seed: keys::ED25519_SEED,
        message: keys::HASH32,
        signature: keys::ED25519_SIGNATURE,
        sign_call: "ed25519-dalek SigningKey::sign",
        generate_call: "rng.fill_bytes + ed25519-dalek SigningKey::from_bytes",
    };
    eddsa_pairs(
        runner,
        table,
        &family,
        &mut || {
            black_box(key.sign(black_box(keys::HASH32)));
        },
        &mut || {
            let mut seed = [0u8; 32];
            rng.fill_bytes(&mut seed);
            black_box(SigningKey::from_bytes(&seed));
        },
    );
}

fn x25519(runner: &mut Runner, table: &mut Table) {
    use x25519_dalek::{PublicKey, StaticSecret};

    if !runner.wants("x25519") {
        return;
    }
    let secret = StaticSecret::from(<[u8; 32]>::try_from(keys::X25519_SCALAR).unwrap());
    let host: [u8; 32] = keys::X25519_HOST_PUBLIC.try_into().unwrap();
    let shared = secret.diffie_hellman(&PublicKey::from(host));
    assert_eq!(shared.as_bytes(), keys::X25519_SHARED);
    let mut rng = TestRng::seed_from_u64(5);
    // GnuPG sends the scalar big-endian: the reverse of RFC 7748's order.
    let gnupg: Vec<u8> = keys::X25519_SCALAR.iter().rev().copied().collect();
    let family = CfrgEcdh {
        group: "x25519",
        operation: "PSO:DECIPHER (X25519)",
        oid: OID_CV25519,
        scalar: &gnupg,
        host_public: keys::X25519_HOST_PUBLIC,
        shared: keys::X25519_SHARED,
        dh_call: "x25519-dalek StaticSecret::diffie_hellman",
        generate_call: "x25519-dalek StaticSecret::random_from_rng + PublicKey::from",
    };
    cfrg_ecdh_pairs(
        runner,
        table,
        &family,
        &mut || {
            let host = PublicKey::from(black_box(host));
            black_box(secret.diffie_hellman(&host));
        },
        &mut || {
            let secret = StaticSecret::random_from_rng(&mut rng);
            black_box(PublicKey::from(&secret));
        },
    );
}

#[cfg(feature = "ed448")]
fn ed448(runner: &mut Runner, table: &mut Table) {
    use ed448_goldilocks::{SecretKey, SigningKey};
    use rand_core::Rng;

    if !runner.wants("ed448") {
        return;
    }
    let secret = SecretKey::try_from(keys::ED448_SEED).unwrap();
    let key = SigningKey::from(&secret);
    assert_eq!(
        &key.sign_raw(keys::HASH64).to_bytes()[..],
        keys::ED448_SIGNATURE
    );
    let mut rng = TestRng::seed_from_u64(6);
    let family = Eddsa {
        group: "ed448",
        oid: OID_ED448,
        seed: keys::ED448_SEED,
        message: keys::HASH64,
        signature: keys::ED448_SIGNATURE,
        sign_call: "ed448-goldilocks SigningKey::sign_raw",
        generate_call: "rng.fill_bytes + ed448-goldilocks SigningKey::from",
    };
    eddsa_pairs(
        runner,
        table,
        &family,
        &mut || {
            black_box(key.sign_raw(black_box(keys::HASH64)));
        },
        &mut || {
            let mut seed = SecretKey::default();
            rng.fill_bytes(&mut seed);
            black_box(SigningKey::from(&seed));
        },
    );
}

#[cfg(feature = "ed448")]
fn x448(runner: &mut Runner, table: &mut Table) {
    use x448::{PublicKey, StaticSecret};

    if !runner.wants("x448") {
        return;
    }
    let secret = StaticSecret::from(<[u8; 56]>::try_from(keys::X448_SCALAR).unwrap());
    let host = PublicKey::from_bytes(keys::X448_HOST_PUBLIC).unwrap();
    assert_eq!(secret.diffie_hellman(&host).as_bytes(), keys::X448_SHARED);
    let mut rng = TestRng::seed_from_u64(7);
    let family = CfrgEcdh {
        group: "x448",
        operation: "PSO:DECIPHER (X448)",
        oid: OID_X448,
        scalar: keys::X448_SCALAR,
        host_public: keys::X448_HOST_PUBLIC,
        shared: keys::X448_SHARED,
        dh_call: "x448 PublicKey::from_bytes + StaticSecret::diffie_hellman",
        generate_call: "x448 StaticSecret::random_from_rng + PublicKey::from",
    };
    cfrg_ecdh_pairs(
        runner,
        table,
        &family,
        &mut || {
            let host = PublicKey::from_bytes(black_box(keys::X448_HOST_PUBLIC)).unwrap();
            black_box(secret.diffie_hellman(&host));
        },
        &mut || {
            let secret = StaticSecret::random_from_rng(&mut rng);
            black_box(PublicKey::from(&secret));
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Non-crypto APDUs

/// A certificate of 2 KiB, read with short Le: GET DATA 7F21 then GET RESPONSE until 9000.
const CERTIFICATE_LEN: usize = 2048;

/// Times a read with a short Le (the 256-byte answer buffer of a CCID reader): the GET DATA
/// and every GET RESPONSE until 9000. Returns (bytes read, APDUs sent).
fn read_bench(
    runner: &mut Runner,
    group: &str,
    id: &str,
    card: &mut Card,
    get_data: &[u8],
) -> (usize, usize) {
    let mut out = [0u8; 258];
    let mut read = |card: &mut Card| {
        let mut n = card.process(black_box(get_data), &mut out);
        let (mut bytes, mut apdus) = (n - 2, 1);
        while out[n - 2] == 0x61 {
            n = card.process(black_box(GET_RESPONSE), &mut out);
            bytes += n - 2;
            apdus += 1;
        }
        assert_eq!(out[n - 2..n], SW_OK);
        (bytes, apdus)
    };
    let shape = read(card);
    runner.run(group, id, Cost::Micro, &mut || {
        black_box(read(card));
    });
    shape
}

fn plain_apdus(runner: &mut Runner, table: &mut Table) {
    let group = "apdu";
    // APDUs per read, as found (GET DATA 6E: 1 or 2 with short Le, depending on its size).
    let mut apdus = std::collections::BTreeMap::new();
    if runner.wants(group) {
        let mut card = card_with(&[], &[]);
        let certificate: Vec<u8> = (0..CERTIFICATE_LEN).map(|i| i as u8).collect();
        put_data(&mut card, 0x7F21, &certificate);
        assert_eq!(send(&mut card, GET_DATA_7F21), certificate);
        runner.run(
            group,
            "select",
            Cost::Micro,
            &mut apdu_op(&mut card, SELECT),
        );
        let verify = VERIFY_81;
        runner.run(
            group,
            "verify_pw1_81",
            Cost::Micro,
            &mut apdu_op(&mut card, verify),
        );
        let six_e = read_bench(runner, group, "get_data_6e", &mut card, GET_DATA_6E);
        let certificate = read_bench(runner, group, "certificate_2k", &mut card, GET_DATA_7F21);
        assert_eq!(certificate, (CERTIFICATE_LEN, CERTIFICATE_LEN / 256));
        apdus.insert("get_data_6e", six_e);
    }
    let six_e = apdus.get("get_data_6e").copied().unwrap_or((0, 1));
    let six_e_label = format!("GET DATA 6E ({} bytes, short Le: + GET RESPONSE)", six_e.0);
    let plain = [
        ("SELECT (OpenPGP AID)".to_string(), "select", 1),
        ("VERIFY 81 (right PIN)".to_string(), "verify_pw1_81", 1),
        (six_e_label, "get_data_6e", six_e.1),
        (
            "2 KiB certificate: GET DATA 7F21 + 7 GET RESPONSE".to_string(),
            "certificate_2k",
            CERTIFICATE_LEN / 256,
        ),
    ];
    for (operation, id, apdus) in plain {
        table.plain.push(Plain {
            operation,
            id: format!("{group}/{id}"),
            apdus: apdus as u32,
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Summary

/// The target directory: `$CARGO_TARGET_DIR`, else three levels above this executable
/// (`<target>/release/deps/applet-<hash>`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .nth(3)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
}

fn criterion_dir() -> PathBuf {
    std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("criterion"))
}

/// Criterion's median estimate of a benchmark that ran in this process, in nanoseconds.
fn median_ns(id: &str) -> Option<f64> {
    if !RAN.lock().unwrap().contains(id) {
        return None;
    }
    let path = criterion_dir().join(id).join("new").join("estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn format_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} µs", ns / 1e3)
    }
}

fn summary(table: &Table) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## applet/raw\n\n\
         applet, raw: criterion medians. ratio: of the medians. interleaved: median over {ROUNDS} \
         rounds of\nalternating batches (robust to load that changes between benchmarks). The \
         verdict (target:\napplet <= 1.05 x raw for sign, decipher and authenticate) is on the \
         interleaved ratio.\n"
    );
    let _ = writeln!(
        s,
        "| algorithm | operation | applet | raw call | raw | ratio | interleaved | target |"
    );
    let _ = writeln!(s, "|---|---|---:|---|---:|---:|---:|---|");
    for pair in &table.pairs {
        let (Some(applet), Some(raw)) = (median_ns(&pair.applet), median_ns(&pair.raw)) else {
            continue;
        };
        let ratio = applet / raw;
        let judged = pair.interleaved.unwrap_or(ratio);
        let verdict = match (pair.target, judged <= 1.05) {
            (false, _) => "-",
            (true, true) => "met",
            (true, false) => "MISSED",
        };
        let interleaved = pair
            .interleaved
            .map_or_else(|| "-".to_string(), |r| format!("{r:.3}"));
        let group = pair.applet.split('/').next().unwrap_or_default();
        let _ = writeln!(
            s,
            "| {group} | {} | {} | {} | {} | {ratio:.3} | {interleaved} | {verdict} |",
            pair.operation,
            format_ns(applet),
            pair.raw_call,
            format_ns(raw),
        );
    }
    if !table.keygen.is_empty() {
        let _ = writeln!(
            s,
            "\n## RSA GENERATE (the applet and rsa PrivateKey::new on the same fixed seeds: same \
             primes)\n"
        );
        let _ = writeln!(
            s,
            "| algorithm | seeds | applet (mean) | raw (mean) | ratio |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    }
    for k in &table.keygen {
        let applet = k.applet.as_nanos() as f64 / k.seeds as f64;
        let raw = k.raw.as_nanos() as f64 / k.seeds as f64;
        let _ = writeln!(
            s,
            "| rsa{} | {} | {} | {} | {:.3} |",
            k.bits,
            k.seeds,
            format_ns(applet),
            format_ns(raw),
            applet / raw,
        );
    }
    let _ = writeln!(
        s,
        "\n## non-crypto APDUs (criterion medians; target: <= 20 µs per APDU)\n"
    );
    let _ = writeln!(s, "| operation | APDUs | total | per APDU | target |");
    let _ = writeln!(s, "|---|---:|---:|---:|---|");
    for p in &table.plain {
        let Some(total) = median_ns(&p.id) else {
            continue;
        };
        let per = total / f64::from(p.apdus);
        let verdict = if per <= 20_000.0 { "met" } else { "MISSED" };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {verdict} |",
            p.operation,
            p.apdus,
            format_ns(total),
            format_ns(per),
        );
    }
    s
}

/// `APPLET_BENCH_RSA_KEYGEN_SEEDS=2048:20,3072:8,4096:4` (the default): seeds per size; 0 skips.
fn keygen_seeds() -> Vec<(u16, usize)> {
    let spec = std::env::var("APPLET_BENCH_RSA_KEYGEN_SEEDS")
        .unwrap_or_else(|_| "2048:20,3072:8,4096:4".to_string());
    spec.split(',')
        .filter_map(|item| {
            let (bits, seeds) = item.split_once(':')?;
            Some((bits.trim().parse().ok()?, seeds.trim().parse().ok()?))
        })
        .filter(|&(bits, seeds)| matches!(bits, 2048 | 3072 | 4096) && seeds > 0)
        .collect()
}

fn main() {
    let mut runner = match std::env::var("APPLET_BENCH_CALLGRIND") {
        Ok(pattern) => Runner::Callgrind {
            pattern,
            iterations: std::env::var("APPLET_BENCH_ITERATIONS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(100),
        },
        Err(_) => Runner::Criterion(Box::new(
            Criterion::default()
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3))
                .sample_size(30)
                .output_directory(&criterion_dir())
                .configure_from_args(),
        )),
    };
    let mut table = Table::default();
    plain_apdus(&mut runner, &mut table);
    ed25519(&mut runner, &mut table);
    x25519(&mut runner, &mut table);
    p256(&mut runner, &mut table);
    p384(&mut runner, &mut table);
    k256(&mut runner, &mut table);
    #[cfg(feature = "p521")]
    p521(&mut runner, &mut table);
    #[cfg(feature = "brainpool")]
    {
        bp256(&mut runner, &mut table);
        bp384(&mut runner, &mut table);
        bp512(&mut runner, &mut table);
    }
    #[cfg(feature = "ed448")]
    {
        ed448(&mut runner, &mut table);
        x448(&mut runner, &mut table);
    }
    for bits in [2048, 3072, 4096] {
        rsa(&mut runner, &mut table, bits);
    }

    let Runner::Criterion(criterion) = runner else {
        return;
    };
    criterion.final_summary();
    if quick() {
        return;
    }
    for (bits, seeds) in keygen_seeds() {
        let id = format!("rsa{bits}/generate_paired");
        if filter().is_some_and(|f| !id.contains(&f)) {
            continue;
        }
        println!("{id}: {seeds} fixed seeds, the applet and the raw call on each");
        table.keygen.push(rsa_keygen(bits, seeds));
    }
    let text = summary(&table);
    println!("\n{text}");
    let path = target_dir().join("bench-summary.txt");
    match std::fs::write(&path, &text) {
        Ok(()) => println!("written to {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}
