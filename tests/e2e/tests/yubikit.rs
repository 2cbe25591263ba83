//! yubikit, Yubico's OpenPGP client library (PyPI `yubikey-manager` 5.9.2, the library behind
//! `ykman openpgp`), against the applet on vpcd: one test per scenario of
//! `tests/e2e/yubikit/scenarios.py`, which checks every answer with Python `cryptography`.
//!
//! ```text
//! python=$(bash tests/e2e/yubikit/venv.sh)   # once: a venv with yubikit, pyscard, cryptography
//! E2E_YUBIKIT_PYTHON=$python cargo test -p openpgp-card-applet-e2e --features e2e --test yubikit -- --test-threads=1
//! ```
//! (`tests/e2e/ci.sh` does both.) A failing scenario prints yubikit's traceback and the
//! card's APDU log.

use openpgp_card_applet_e2e as e2e;

use e2e::{reader, Fixture};

fn python() -> String {
    std::env::var("E2E_YUBIKIT_PYTHON").unwrap_or_else(|_| {
        let venv = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/yubikit-venv/bin/python"
        );
        venv.to_string()
    })
}

fn scenario(name: &str) {
    let f = Fixture::new();
    // Let pyscard have the reader to itself.
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/yubikit/scenarios.py");
    let (reader, _) = reader();
    // The development CA the test card was provisioned by, for the attestation chain.
    let ca = f.gpg.file("attestation-ca.der");
    std::fs::write(&ca, e2e::attestation_ca().certificate()).expect("CA certificate");
    let ca = ca.to_string_lossy().into_owned();
    let out = f.gpg.run_with(
        &python(),
        &[script, &reader, name],
        &[("E2E_ATTESTATION_CA", &ca)],
        None,
    );
    assert!(
        out.success,
        "yubikit scenario {name} failed (is the venv there? bash tests/e2e/yubikit/venv.sh):\n{}\n{}",
        out.stdout, out.stderr
    );
}

#[test]
fn yubikit_opens_a_session_and_reads_the_application_data() {
    scenario("session_and_application_data");
}

#[test]
fn yubikit_changes_pins_policy_and_retry_counters() {
    scenario("pins_policy_and_retry_counters");
}

#[test]
fn yubikit_generates_and_uses_rsa_2048() {
    scenario("generate_rsa2048");
}

#[test]
fn yubikit_generates_and_uses_nist_p256() {
    scenario("generate_nistp256");
}

#[test]
fn yubikit_generates_and_uses_the_other_curves() {
    scenario("generate_other_curves");
}

#[test]
fn yubikit_generates_and_uses_ed25519_and_x25519() {
    scenario("generate_curve25519");
}

#[test]
fn yubikit_generates_rsa_3072_and_4096() {
    scenario("generate_large_rsa");
}

#[test]
fn yubikit_imports_and_uses_every_algorithm() {
    scenario("import_every_algorithm");
}

#[test]
fn yubikit_stores_certificates() {
    scenario("certificates");
}

#[test]
fn yubikit_sets_touch_policies() {
    scenario("touch_policies");
}

#[test]
fn yubikit_sets_up_kdf() {
    scenario("kdf");
}

#[test]
fn yubikit_gets_challenges() {
    scenario("get_challenge");
}

#[test]
fn yubikit_factory_resets_the_card() {
    scenario("factory_reset");
}

#[test]
fn yubikit_attests_every_slot_with_a_verified_chain() {
    scenario("attestation");
}
