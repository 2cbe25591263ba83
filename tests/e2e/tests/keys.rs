//! End-to-end tests of the key functions with real clients, each on a fresh virtual card and a
//! throw-away GNUPGHOME (see `tests/e2e/src/lib.rs`):
//!
//! - GnuPG 2.2 for every algorithm: `key-attr`, on-card `generate`, `--sign`,
//!   `--detach-sign`, `--clear-sign` verified by `gpg --verify`, encryption and decryption on
//!   the card;
//! - GnuPG `keytocard` of host-generated keys and `addcardkey`;
//! - SSH authentication with the card's AUT key through gpg-agent (`ssh-add`, `ssh-keygen -Y`,
//!   and the agent protocol directly for a blob larger than a short APDU);
//! - the `openpgp-card` Rust client: status, generation, signing, decryption, authentication,
//!   PIN change, touch policy and factory reset;
//! - OpenSC: `openpgp-tool` lists generated keys, and OpenSC probing the card between GnuPG
//!   operations leaves the verified PIN in place.
//!
//! Results are checked through machine-readable output (gpg's status lines and colon
//! listings, the agent protocol, typed client results), and signatures also on the host with
//! the RustCrypto crates. Run: `bash tests/e2e/ci.sh` (or `cargo test -p openpgp-card-applet-e2e --features e2e --test
//! keys -- --test-threads=1`).

use openpgp_card_applet_e2e as e2e;

use e2e::gnupg::{self, Algo, CardKeys, SecretKey, KEYEDIT, OPTIONAL_PIN, PW1, PW3};
use e2e::{commands, reader, ssh, Button, Fixture, Gpg, SERIAL};
use openpgp_card_applet::Presence;

/// Refuses every prompt: for operations that must not ask for anything (no PIN).
fn no_prompt(kind: &str, keyword: &str) -> Result<String, String> {
    Err(format!("gpg asked {kind} {keyword}, expected no prompt"))
}

// ---------------------------------------------------------------------------------------------
// 1. GnuPG: key-attr, generate, sign/verify in three modes, encrypt/decrypt, per algorithm.

/// The algorithm id, size and curve gpg lists for each key (`gpg -K --with-colons`), and each
/// key's usage.
fn check_algorithms(listed: &[SecretKey], keys: &CardKeys, algo: Algo) {
    let bits = |curve: &str| match curve {
        "nistp384" | "brainpoolP384r1" => 384,
        "nistp521" => 521,
        "brainpoolP512r1" => 512,
        _ => 256,
    };
    for key in listed {
        let (slot, usage) = if key.fpr == keys.sig {
            ("sig", "sc")
        } else if key.fpr == keys.dec {
            ("dec", "e")
        } else {
            ("aut", "a")
        };
        let expected = match (algo, slot) {
            (Algo::Rsa(n), _) => (1, n, String::new()),
            (Algo::Curve("Curve25519"), "dec") => (18, 255, "cv25519".to_owned()),
            (Algo::Curve("Curve25519"), _) => (22, 255, "ed25519".to_owned()),
            (Algo::Curve("Curve448"), "dec") => (18, 448, "cv448".to_owned()),
            (Algo::Curve("Curve448"), _) => (22, 456, "ed448".to_owned()),
            (Algo::Curve(curve), "dec") => (18, bits(curve), curve.to_owned()),
            (Algo::Curve(curve), _) => (19, bits(curve), curve.to_owned()),
        };
        assert_eq!(
            (key.algo, key.bits, key.curve.clone()),
            expected,
            "{slot} key: {key:?}"
        );
        assert!(key.usage.starts_with(usage), "{slot} key usage: {key:?}");
    }
}

fn gnupg_generate_sign_decrypt(algo: Algo) {
    let f = Fixture::new();
    gnupg::set_key_attributes(&f.gpg, algo);
    let keys = gnupg::generate(&f.gpg, &format!("Card {}", algo.label()));
    let listed = gnupg::check_key_listing(&f.gpg, &keys);
    check_algorithms(&listed, &keys, algo);

    let data = gnupg::message(&f.gpg, "message.txt", 5000);
    let before = gnupg::sigcount(&f.gpg);
    let prompts = gnupg::sign_and_verify(&f.gpg, &keys, &data);
    // The signature PIN is forced (C4 byte 1 = 00): one PIN entry per signature.
    assert_eq!(prompts, 3, "PIN prompts for three signatures");
    assert_eq!(gnupg::sigcount(&f.gpg), before + 3, "signature counter");

    // Decryption asks the PIN once (PW1 82); it stays verified while the card is powered.
    let first = gnupg::encrypt_decrypt(&f.gpg, &keys, &data, &mut gnupg::pin_responder(PW1));
    assert_eq!(
        first.pin_prompts(),
        1,
        "PIN prompts for the first decryption"
    );
    let second = gnupg::encrypt_decrypt(&f.gpg, &keys, &data, &mut no_prompt);
    assert_eq!(second.pin_prompts(), 0);
}

#[test]
fn gnupg_rsa2048_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::RSA2048);
}

#[test]
fn gnupg_rsa3072_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::RSA3072);
}

/// The suite's only RSA-4096 generation.
#[test]
fn gnupg_rsa4096_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::RSA4096);
}

#[test]
fn gnupg_nistp256_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::NISTP256);
}

#[test]
fn gnupg_nistp384_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::NISTP384);
}

#[test]
fn gnupg_secp256k1_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::SECP256K1);
}

#[test]
fn gnupg_nistp521_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::NISTP521);
}

#[test]
fn gnupg_brainpoolp256r1_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::BRAINPOOLP256R1);
}

#[test]
fn gnupg_brainpoolp384r1_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::BRAINPOOLP384R1);
}

#[test]
fn gnupg_brainpoolp512r1_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::BRAINPOOLP512R1);
}

#[test]
fn gnupg_ed25519_cv25519_generate_sign_verify_decrypt() {
    gnupg_generate_sign_decrypt(Algo::CURVE25519);
}

// ---------------------------------------------------------------------------------------------
// 2. GnuPG: keytocard of host-generated keys, addcardkey.

/// Sign in three modes and verify; encrypt and decrypt. Starts from a fresh gpg-agent and
/// scdaemon, which know of no verified PIN.
fn use_keys(gpg: &Gpg, keys: &CardKeys) {
    drop(gpg.run("gpgconf", &["--kill", "all"]));
    let data = gnupg::message(gpg, "message.txt", 2000);
    assert_eq!(gnupg::sign_and_verify(gpg, keys, &data), 3);
    let session = gnupg::encrypt_decrypt(gpg, keys, &data, &mut gnupg::pin_responder(PW1));
    assert_eq!(session.pin_prompts(), 1);
}

/// keytocard of a host key (primary to SIG, then the subkeys to DEC and AUT): card status shows
/// `keyattr` and the fingerprints, and the keys work from the card.
fn keytocard_three(uid: &str, primary: &str, subkeys: &[(&str, &str)], keyattr: [&str; 3]) {
    let f = Fixture::new();
    let host = gnupg::host_key(&f.gpg, uid, primary, subkeys);
    let keys = CardKeys {
        primary: host[0].fpr.clone(),
        sig: host[0].fpr.clone(),
        dec: host[1].fpr.clone(),
        aut: host[2].fpr.clone(),
    };
    gnupg::keytocard(&f.gpg, &keys.primary, &[(0, "1"), (1, "2"), (2, "3")]);
    let status = f.gpg.card_status();
    assert_eq!(status.all("keyattr"), keyattr);
    assert!(gnupg::card_has(&status, &keys), "{:?}", status.line("fpr"));
    gnupg::check_key_listing(&f.gpg, &keys);
    use_keys(&f.gpg, &keys);
}

#[test]
fn gnupg_keytocard_rsa2048_and_nistp256() {
    keytocard_three(
        "Host Rsa <host.rsa@example.org>",
        "rsa2048",
        // gpg 2.2 makes a "nistp256" subkey ECDH unless told otherwise.
        &[("rsa2048", "encr"), ("nistp256/ecdsa", "auth")],
        [
            "keyattr:1:1:2048:",
            "keyattr:2:1:2048:",
            "keyattr:3:19:NIST P-256:",
        ],
    );
}

/// keytocard of brainpool and P-521 keys: GnuPG's import templates of 48-, 64- and 66-byte
/// scalars (it strips leading zero bytes), and the card's keys work after it.
#[test]
fn gnupg_keytocard_brainpool_and_nistp521() {
    keytocard_three(
        "Host Brainpool <host.brainpool@example.org>",
        "brainpoolP384r1",
        &[("brainpoolP512r1", "encr"), ("nistp521/ecdsa", "auth")],
        [
            "keyattr:1:19:brainpoolP384r1:",
            "keyattr:2:18:brainpoolP512r1:",
            "keyattr:3:19:NIST P-521:",
        ],
    );
}

#[test]
fn gnupg_keytocard_ed25519_cv25519_then_addcardkey() {
    let f = Fixture::new();
    let host = gnupg::host_key(
        &f.gpg,
        "Host Edwards <host.ed@example.org>",
        "ed25519",
        &[("cv25519", "encr")],
    );
    let primary = host[0].fpr.clone();
    gnupg::keytocard(&f.gpg, &primary, &[(0, "1"), (1, "2")]);
    let status = f.gpg.card_status();
    assert_eq!(
        status.all("keyattr"),
        [
            "keyattr:1:22:Ed25519:",
            "keyattr:2:18:Curve25519:",
            "keyattr:3:1:2048:"
        ]
    );
    assert_eq!(
        status.fields("fpr")[..2],
        [primary.clone(), host[1].fpr.clone()]
    );

    // addcardkey: a new authentication subkey generated on the card (RSA 2048, the slot's
    // attributes), bound by a signature of the primary key, which is on the card too.
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let session = f.gpg.scripted(
        &["--edit-key", &primary],
        &[
            (KEYEDIT, "addcardkey"),
            ("cardedit.genkeys.subkeytype", "3"),
            (OPTIONAL_PIN, PW3),
            (OPTIONAL_PIN, PW1),
            ("keygen.valid", "0"),
            (OPTIONAL_PIN, PW1),
            (OPTIONAL_PIN, PW1),
            (KEYEDIT, "save"),
        ],
    );
    assert!(
        session.success && !session.has("SC_OP_FAILURE") && !session.has("ERROR"),
        "addcardkey: {:#?}",
        session.status
    );
    let listed = gnupg::secret_keys(&f.gpg, &primary);
    let auth: Vec<&SecretKey> = listed.iter().filter(|k| k.usage == "a").collect();
    assert_eq!(auth.len(), 1, "{listed:#?}");
    assert_eq!((auth[0].algo, auth[0].bits), (1, 2048), "{listed:#?}");
    let keys = CardKeys {
        primary: primary.clone(),
        sig: primary,
        dec: host[1].fpr.clone(),
        aut: auth[0].fpr.clone(),
    };
    assert!(gnupg::card_has(&f.gpg.card_status(), &keys));
    gnupg::check_key_listing(&f.gpg, &keys);
    use_keys(&f.gpg, &keys);

    // The new AUT key is what gpg-agent offers SSH.
    let socket = ssh::agent_socket(&f.gpg);
    let mut agent = ssh::Agent::connect(&socket);
    let identities = agent.identities();
    assert_eq!(identities.len(), 1, "{identities:?}");
    let exported = export_ssh_key(&f.gpg, &keys.aut);
    assert_eq!(ssh::base64(&identities[0].blob), exported[1]);
    assert_eq!(identities[0].key_type(), "ssh-rsa");
}

// ---------------------------------------------------------------------------------------------
// 3. SSH with the AUT key through gpg-agent.

/// `gpg --export-ssh-key <fpr>!`: the OpenSSH public key line's fields.
fn export_ssh_key(gpg: &Gpg, fpr: &str) -> Vec<String> {
    let out = gpg.run("gpg", &["--batch", "--export-ssh-key", &format!("{fpr}!")]);
    assert!(out.success, "--export-ssh-key: {}", out.stderr);
    out.stdout.split_whitespace().map(str::to_owned).collect()
}

/// SHA-512 DigestInfo prefix (RFC 8017 §9.2 note 1).
const SHA512_PREFIX: [u8; 19] = [
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// Checks an SSH signature from the agent on the host: Ed25519 over the data itself, RSA
/// PKCS#1 v1.5 with SHA-512 (`rsa-sha2-512`).
fn verify_ssh_signature(key_blob: &[u8], data: &[u8], algorithm: &str, signature: &[u8]) {
    let fields = ssh::blob_fields(key_blob);
    match algorithm {
        "ssh-ed25519" => {
            use ed25519_dalek::{Signature, Verifier, VerifyingKey};
            let key = VerifyingKey::from_bytes(&fields[1][..].try_into().expect("32 bytes"))
                .expect("Ed25519 key");
            let signature = Signature::from_bytes(signature.try_into().expect("64 bytes"));
            key.verify(data, &signature).expect("Ed25519 signature");
        }
        "rsa-sha2-512" => {
            use rsa::BoxedUint;
            use sha2::Digest;
            let key = rsa::PublicKey::new(
                BoxedUint::from_be_slice_vartime(&fields[2]),
                BoxedUint::from_be_slice_vartime(&fields[1]),
            )
            .expect("RSA key");
            let mut info = SHA512_PREFIX.to_vec();
            info.extend_from_slice(&sha2::Sha512::digest(data));
            key.verify(rsa::Pkcs1v15Sign::new_unprefixed(), &info, signature)
                .expect("RSA signature");
        }
        other => panic!("unexpected signature algorithm {other}"),
    }
}

fn ssh_authenticate(algo: Algo) {
    let f = Fixture::new();
    if algo != Algo::RSA2048 {
        gnupg::set_key_attributes(&f.gpg, algo);
    }
    let keys = gnupg::generate(&f.gpg, &format!("Ssh {}", algo.label()));
    let key_type = if algo == Algo::CURVE25519 {
        "ssh-ed25519"
    } else {
        "ssh-rsa"
    };
    // A fresh agent and scdaemon: the PIN is not verified yet; the agent's pinentry gives it.
    drop(f.gpg.run("gpgconf", &["--kill", "all"]));
    let socket = ssh::agent_socket(&f.gpg);
    let socket_str = socket.to_str().expect("socket path");
    let env = [("SSH_AUTH_SOCK", socket_str)];
    f.gpg.set_pinentry_pin(Some(PW1));

    // ssh-add -L lists the card's AUT key, the same key gpg exports for SSH.
    let listed = f.gpg.run_with("ssh-add", &["-L"], &env, None);
    assert!(listed.success, "ssh-add -L: {}", listed.stderr);
    let lines: Vec<&str> = listed.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", listed.stdout);
    let fields: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(fields[0], key_type, "{}", lines[0]);
    // gpg-agent's comment: the card's serial number as gpg displays it; 2.2 separates the
    // manufacturer and the serial with a space, 2.4 with an underscore.
    let serial = format!("{SERIAL:08X}");
    let comment: Vec<String> = if e2e::gnupg_24() {
        vec![format!("cardno:FFFF_{serial}")]
    } else {
        vec!["cardno:FFFF".to_owned(), serial]
    };
    assert_eq!(fields[2..], comment, "{}", lines[0]);
    let exported = export_ssh_key(&f.gpg, &keys.aut);
    assert_eq!(
        exported[..2],
        [fields[0], fields[1]],
        "gpg --export-ssh-key"
    );

    // ssh-keygen -Y sign with the public key file: the private key operation goes to the agent.
    let public = f.gpg.file("card.pub");
    std::fs::write(&public, format!("{}\n", lines[0])).expect("write card.pub");
    let data = gnupg::message(&f.gpg, "ssh-data.txt", 1000);
    let signature = f.gpg.file("ssh-data.txt.sig");
    ssh::keygen_sign(&f.gpg, &socket, &public, &data);
    let armored = std::fs::read_to_string(&signature).expect("signature file");
    assert!(
        armored.starts_with("-----BEGIN SSH SIGNATURE-----"),
        "{armored}"
    );

    // ... and verifies against an allowed_signers file, and without one.
    let allowed = f.gpg.file("allowed_signers");
    std::fs::write(
        &allowed,
        format!("card@example.org {} {}\n", fields[0], fields[1]),
    )
    .expect("write allowed_signers");
    let verify = |message: &std::path::Path| {
        f.gpg.run_with(
            "ssh-keygen",
            &[
                "-Y",
                "verify",
                "-f",
                allowed.to_str().unwrap(),
                "-I",
                "card@example.org",
                "-n",
                "file",
                "-s",
                signature.to_str().unwrap(),
            ],
            &[],
            Some(message),
        )
    };
    let verified = verify(&data);
    assert!(
        verified.success
            && verified
                .stdout
                .starts_with("Good \"file\" signature for card@example.org with "),
        "ssh-keygen -Y verify: {}{}",
        verified.stdout,
        verified.stderr
    );
    let unvalidated = f.gpg.run_with(
        "ssh-keygen",
        &[
            "-Y",
            "check-novalidate",
            "-n",
            "file",
            "-s",
            signature.to_str().unwrap(),
        ],
        &[],
        Some(&data),
    );
    assert!(
        unvalidated.success
            && unvalidated
                .stdout
                .starts_with("Good \"file\" signature with "),
        "ssh-keygen -Y check-novalidate: {}{}",
        unvalidated.stdout,
        unvalidated.stderr
    );
    let tampered = f.gpg.file("ssh-tampered.txt");
    let mut changed = std::fs::read(&data).expect("data");
    changed[10] ^= 0x01;
    std::fs::write(&tampered, changed).expect("write tampered data");
    let refused = verify(&tampered);
    assert!(
        !refused.success && !refused.stdout.contains("Good"),
        "a signature over other data verified: {}",
        refused.stdout
    );

    // The agent protocol directly: a 400-byte blob, beyond a short APDU for Ed25519 (which
    // signs the whole blob through INTERNAL AUTHENTICATE); RSA signs its SHA-512 DigestInfo.
    // (gpg-agent 2.2 hands the data to scdaemon hex-encoded in one Assuan line of at most
    // 1000 characters: it refused a 1 KiB blob here before any card was involved.)
    let mut agent = ssh::Agent::connect(&socket);
    let identities = agent.identities();
    assert_eq!(identities.len(), 1, "{identities:?}");
    assert_eq!(ssh::base64(&identities[0].blob), fields[1]);
    let blob: Vec<u8> = (0..400u32).map(|i| (i * 31 + 7) as u8).collect();
    let flags = if algo == Algo::CURVE25519 {
        0
    } else {
        ssh::SSH_AGENT_RSA_SHA2_512
    };
    let (algorithm, raw) = agent
        .sign(&identities[0].blob, &blob, flags)
        .expect("the agent signs");
    verify_ssh_signature(&identities[0].blob, &blob, &algorithm, &raw);

    // Through the card: one PIN entry (PW1 82, asked by the agent's pinentry) for everything,
    // and every signature an INTERNAL AUTHENTICATE.
    let pinentry = f.gpg.pinentry_log();
    assert_eq!(pinentry.len(), 1, "pinentry requests: {pinentry:#?}");
    let exchanges = f.card.log.exchanges();
    let auth = commands(&exchanges, &[0x88]);
    assert_eq!(auth.len(), 2, "INTERNAL AUTHENTICATE commands: {auth:02X?}");
    assert!(auth.iter().all(|(_, sw, _)| *sw == 0x9000), "{auth:02X?}");
    let expected_len = if algo == Algo::CURVE25519 {
        blob.len()
    } else {
        SHA512_PREFIX.len() + 64
    };
    assert_eq!(
        auth[1].0.len(),
        expected_len,
        "data of the last INTERNAL AUTHENTICATE"
    );
}

#[test]
fn ssh_ed25519_through_gpg_agent() {
    ssh_authenticate(Algo::CURVE25519);
}

#[test]
fn ssh_rsa2048_through_gpg_agent() {
    ssh_authenticate(Algo::RSA2048);
}

// ---------------------------------------------------------------------------------------------
// 4. The openpgp-card client crate.

mod openpgp_card_client {
    use super::*;
    use e2e::pcsc_backend::PcscBackend;
    use openpgp_card::ocard::algorithm::{AlgoSimple, AlgorithmAttributes, Curve, EccAttributes};
    use openpgp_card::ocard::crypto::{
        Cryptogram, EccType, HashAlgo, PublicKeyMaterial, SigningAlgo,
    };
    use openpgp_card::ocard::data::{Fingerprint, KeyGenerationTime, KeyStatus, TouchPolicy};
    use openpgp_card::ocard::{KeyType, StatusBytes};
    use openpgp_card::state::Transaction;
    use openpgp_card::{Card, Error};
    use secrecy::SecretString;
    use sha2::Digest;

    fn pin(text: &str) -> SecretString {
        SecretString::from(text)
    }

    /// The fingerprint the test stores for a generated key: not an OpenPGP v4 fingerprint
    /// (the card stores any 20 bytes), a hash of the public key and time.
    fn fingerprint(
        public: &PublicKeyMaterial,
        time: KeyGenerationTime,
        _: KeyType,
    ) -> Result<Fingerprint, Error> {
        let mut hash = sha2::Sha256::new();
        match public {
            PublicKeyMaterial::R(rsa) => {
                hash.update(rsa.n());
                hash.update(rsa.v());
            }
            PublicKeyMaterial::E(ecc) => hash.update(ecc.data()),
        }
        hash.update(time.get().to_be_bytes());
        let digest = hash.finalize();
        let mut fpr = [0u8; 20];
        fpr.copy_from_slice(&digest[..20]);
        Ok(Fingerprint::from(fpr))
    }

    fn generate(
        tx: &mut Card<Transaction<'_>>,
        key_type: KeyType,
        attributes: AlgorithmAttributes,
    ) -> PublicKeyMaterial {
        tx.verify_admin_pin(pin(PW3)).expect("admin PIN");
        let mut admin = tx.as_admin_card(None::<SecretString>).expect("admin");
        admin
            .set_algorithm_attributes(key_type, &attributes)
            .expect("algorithm attributes");
        let (public, time) = admin.generate_key(fingerprint, key_type).expect("generate");
        let expected = fingerprint(&public, time, key_type).unwrap();
        tx.invalidate_cache().unwrap();
        assert_eq!(tx.fingerprint(key_type).unwrap(), Some(expected));
        assert_eq!(
            tx.public_key_material(key_type).unwrap().to_string(),
            public.to_string(),
            "47 81 reads the generated key"
        );
        public
    }

    fn ecc(ecc_type: EccType, curve: Curve) -> AlgorithmAttributes {
        AlgorithmAttributes::Ecc(EccAttributes::new(ecc_type, curve, None))
    }

    fn rsa2048(tx: &mut Card<Transaction<'_>>, key_type: KeyType) -> AlgorithmAttributes {
        AlgoSimple::RSA2k
            .matching_algorithm_attributes(tx.card(), key_type)
            .expect("RSA 2048 attributes")
    }

    /// A signature (PSO:CDS, PW1 81 verified first) checked on the host.
    fn sign_and_check(tx: &mut Card<Transaction<'_>>, public: &PublicKeyMaterial) {
        let hash: [u8; 32] = sha2::Sha256::digest(b"signed by the openpgp-card client").into();
        tx.verify_user_signing_pin(pin(PW1)).expect("PW1 81");
        let algo = match public {
            PublicKeyMaterial::R(_) => SigningAlgo::RSA(HashAlgo::SHA256),
            _ => SigningAlgo::ECC,
        };
        let signature = tx.card().signature_for_hash(algo, &hash).expect("PSO:CDS");
        check_signature(public, &hash, &signature);
    }

    /// An INTERNAL AUTHENTICATE (PW1 82 verified first) checked on the host.
    fn authenticate_and_check(tx: &mut Card<Transaction<'_>>, public: &PublicKeyMaterial) {
        let hash: [u8; 32] = sha2::Sha256::digest(b"authenticated by openpgp-card").into();
        tx.verify_user_pin(pin(PW1)).expect("PW1 82");
        let algo = match public {
            PublicKeyMaterial::R(_) => SigningAlgo::RSA(HashAlgo::SHA256),
            _ => SigningAlgo::ECC,
        };
        let signature = tx
            .card()
            .authenticate_for_hash(algo, &hash)
            .expect("INTERNAL AUTHENTICATE");
        check_signature(public, &hash, &signature);
    }

    /// SHA-256 DigestInfo prefix.
    const SHA256_PREFIX: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];

    fn rsa_key(public: &PublicKeyMaterial) -> rsa::PublicKey {
        let PublicKeyMaterial::R(key) = public else {
            panic!("not RSA")
        };
        rsa::PublicKey::new(
            rsa::BoxedUint::from_be_slice_vartime(key.n()),
            rsa::BoxedUint::from_be_slice_vartime(key.v()),
        )
        .expect("RSA public key")
    }

    fn check_signature(public: &PublicKeyMaterial, hash: &[u8; 32], signature: &[u8]) {
        let ecc = match public {
            PublicKeyMaterial::R(_) => {
                let mut info = SHA256_PREFIX.to_vec();
                info.extend_from_slice(hash);
                rsa_key(public)
                    .verify(rsa::Pkcs1v15Sign::new_unprefixed(), &info, signature)
                    .expect("RSA signature verifies");
                return;
            }
            PublicKeyMaterial::E(ecc) => ecc,
        };
        let AlgorithmAttributes::Ecc(attributes) = ecc.algo() else {
            panic!("ECC key without ECC attributes")
        };
        macro_rules! ecdsa {
            ($curve:ident) => {{
                use $curve::ecdsa::signature::hazmat::PrehashVerifier;
                let key = $curve::ecdsa::VerifyingKey::from_sec1_bytes(ecc.data())
                    .expect("point on the curve");
                let signature = $curve::ecdsa::Signature::from_slice(signature).expect("raw r||s");
                key.verify_prehash(hash, &signature)
                    .expect("ECDSA signature verifies");
            }};
        }
        match attributes.curve() {
            Curve::Ed25519 => {
                use ed25519_dalek::{Signature, Verifier, VerifyingKey};
                let key = VerifyingKey::from_bytes(ecc.data().try_into().expect("32 bytes"))
                    .expect("Ed25519 key");
                let signature = Signature::from_bytes(signature.try_into().expect("64 bytes"));
                key.verify(hash, &signature)
                    .expect("EdDSA signature verifies");
            }
            Curve::NistP256r1 => ecdsa!(p256),
            Curve::NistP384r1 => ecdsa!(p384),
            Curve::Secp256k1 => ecdsa!(k256),
            other => panic!("unexpected curve {other:?}"),
        }
    }

    /// PSO:DECIPHER of a value encrypted (RSA) or agreed (ECDH) on the host to `public`.
    fn decrypt_and_check(tx: &mut Card<Transaction<'_>>, public: &PublicKeyMaterial) {
        tx.verify_user_pin(pin(PW1)).expect("PW1 82");
        let ecc = match public {
            PublicKeyMaterial::R(_) => {
                let secret = b"a 32-byte session key, wrapped!!";
                let mut rng = openpgp_card_applet_testkit::TestRng::seed_from_u64(9);
                let c = rsa_key(public)
                    .encrypt(&mut rng, rsa::Pkcs1v15Encrypt, secret)
                    .expect("RSA encryption");
                let plain = tx.card().decipher(Cryptogram::RSA(&c)).expect("decipher");
                assert_eq!(plain, secret);
                return;
            }
            PublicKeyMaterial::E(ecc) => ecc,
        };
        let AlgorithmAttributes::Ecc(attributes) = ecc.algo() else {
            panic!("ECC key without ECC attributes")
        };
        macro_rules! ecdh {
            ($curve:ident, $len:expr) => {{
                use $curve::elliptic_curve::sec1::ToSec1Point;
                let card = $curve::PublicKey::from_sec1_bytes(ecc.data()).expect("card point");
                let host = $curve::SecretKey::from_slice(&[0x42u8; $len]).unwrap();
                let ephemeral = host.public_key().to_sec1_point(false);
                let shared =
                    $curve::ecdh::diffie_hellman(host.to_nonzero_scalar(), card.as_affine());
                let secret = tx
                    .card()
                    .decipher(Cryptogram::ECDH(ephemeral.as_bytes()))
                    .expect("ECDH decipher");
                assert_eq!(secret, shared.raw_secret_bytes().to_vec());
            }};
        }
        match attributes.curve() {
            Curve::Curve25519 => {
                let card: [u8; 32] = ecc.data().try_into().expect("32 bytes");
                let host = x25519_dalek::StaticSecret::from([0x24u8; 32]);
                let ephemeral = x25519_dalek::PublicKey::from(&host);
                let shared = host.diffie_hellman(&x25519_dalek::PublicKey::from(card));
                let secret = tx
                    .card()
                    .decipher(Cryptogram::ECDH(ephemeral.as_bytes()))
                    .expect("X25519 decipher");
                assert_eq!(secret, shared.as_bytes());
            }
            Curve::NistP256r1 => ecdh!(p256, 32),
            Curve::NistP384r1 => ecdh!(p384, 48),
            Curve::Secp256k1 => ecdh!(k256, 32),
            other => panic!("unexpected curve {other:?}"),
        }
    }

    #[test]
    fn openpgp_card_reads_the_application_related_data() {
        let _f = Fixture::new();
        let mut card = PcscBackend::client();
        let mut tx = card.transaction().expect("transaction");

        let aid = tx.application_identifier().unwrap();
        assert_eq!(aid.version(), 0x0304);
        assert_eq!(aid.manufacturer(), 0xFFFF);
        assert_eq!(aid.serial(), SERIAL);
        assert_eq!(aid.ident(), format!("FFFF:{SERIAL:08X}"));

        let historical = tx.historical_bytes().unwrap();
        let caps = historical.card_capabilities().expect("card capabilities");
        assert!(caps.command_chaining() && caps.extended_lc_le());
        let extended = tx.extended_capabilities().unwrap();
        assert!(extended.key_import());
        assert!(extended.pw_status_change());
        assert!(extended.private_use_dos());
        assert!(extended.algo_attrs_changeable());
        assert!(extended.kdf_do());
        assert!(!extended.secure_messaging());
        assert_eq!(extended.mse_command_support(), Some(true));
        let lengths = tx
            .extended_length_information()
            .unwrap()
            .expect("7F66 (extended length information)");
        assert!(lengths.max_command_bytes() >= 1024 && lengths.max_response_bytes() >= 1024);

        let pw = tx.pw_status_bytes().unwrap();
        assert!(pw.pw1_cds_valid_once());
        assert_eq!(
            (pw.pw1_max_len(), pw.rc_max_len(), pw.pw3_max_len()),
            (64, 64, 64)
        );
        assert_eq!(
            (pw.err_count_pw1(), pw.err_count_rc(), pw.err_count_pw3()),
            (3, 0, 3)
        );

        for key_type in [
            KeyType::Signing,
            KeyType::Decryption,
            KeyType::Authentication,
        ] {
            let AlgorithmAttributes::Rsa(rsa) = tx.algorithm_attributes(key_type).unwrap() else {
                panic!("factory attributes are RSA");
            };
            assert_eq!(rsa.len_n(), 2048);
            assert_eq!(tx.fingerprint(key_type).unwrap(), None);
        }
        let info = tx.key_information().unwrap().expect("DE (key information)");
        assert_eq!(
            [info.sig_status(), info.dec_status(), info.aut_status()],
            [KeyStatus::NotPresent; 3]
        );
        for key_type in [
            KeyType::Signing,
            KeyType::Decryption,
            KeyType::Authentication,
        ] {
            let uif = tx.user_interaction_flag(key_type).unwrap().expect("UIF");
            assert_eq!(uif.touch_policy(), TouchPolicy::Off);
        }
        assert_eq!(tx.digital_signature_count().unwrap(), 0);
        assert!(tx
            .cardholder_related_data()
            .unwrap()
            .name()
            .unwrap_or_default()
            .is_empty());

        // FA lists every supported algorithm per slot.
        let algorithms = tx
            .algorithm_information()
            .unwrap()
            .expect("FA (algorithm information)");
        let listed = |key_type| format!("{:?}", algorithms.for_keytype(key_type));
        for key_type in [KeyType::Signing, KeyType::Authentication] {
            let text = listed(key_type);
            for name in [
                "2048",
                "3072",
                "4096",
                "NistP256r1",
                "NistP384r1",
                "Secp256k1",
                "Ed25519",
            ] {
                assert!(text.contains(name), "{key_type:?} lacks {name}: {text}");
            }
        }
        let text = listed(KeyType::Decryption);
        for name in [
            "4096",
            "NistP256r1",
            "NistP384r1",
            "Secp256k1",
            "Curve25519",
        ] {
            assert!(text.contains(name), "Decryption lacks {name}: {text}");
        }
    }

    #[test]
    fn openpgp_card_generates_signs_decrypts_and_authenticates() {
        let _f = Fixture::new();
        let mut card = PcscBackend::client();
        let mut tx = card.transaction().expect("transaction");

        let rounds = [
            // Ed25519 / X25519 / Ed25519
            [
                ecc(EccType::EdDSA, Curve::Ed25519),
                ecc(EccType::ECDH, Curve::Curve25519),
                ecc(EccType::EdDSA, Curve::Ed25519),
            ],
            // NIST P-256 / P-384 / secp256k1
            [
                ecc(EccType::ECDSA, Curve::NistP256r1),
                ecc(EccType::ECDH, Curve::NistP384r1),
                ecc(EccType::ECDSA, Curve::Secp256k1),
            ],
            // secp256k1 / P-256 / P-384
            [
                ecc(EccType::ECDSA, Curve::Secp256k1),
                ecc(EccType::ECDH, Curve::NistP256r1),
                ecc(EccType::ECDSA, Curve::NistP384r1),
            ],
        ];
        for [sig, dec, aut] in rounds {
            let public_sig = generate(&mut tx, KeyType::Signing, sig);
            let public_dec = generate(&mut tx, KeyType::Decryption, dec);
            let public_aut = generate(&mut tx, KeyType::Authentication, aut);
            sign_and_check(&mut tx, &public_sig);
            decrypt_and_check(&mut tx, &public_dec);
            authenticate_and_check(&mut tx, &public_aut);
        }
        // RSA 2048 in every slot.
        for key_type in [
            KeyType::Signing,
            KeyType::Decryption,
            KeyType::Authentication,
        ] {
            let attributes = rsa2048(&mut tx, key_type);
            let public = generate(&mut tx, key_type, attributes);
            match key_type {
                KeyType::Signing => sign_and_check(&mut tx, &public),
                KeyType::Decryption => decrypt_and_check(&mut tx, &public),
                _ => authenticate_and_check(&mut tx, &public),
            }
        }
        let info = tx.key_information().unwrap().expect("key information");
        assert_eq!(
            [info.sig_status(), info.dec_status(), info.aut_status()],
            [KeyStatus::Generated; 3]
        );
        // A new SIG key restarts the signature counter: only the RSA signature counts.
        assert_eq!(tx.digital_signature_count().unwrap(), 1);
    }

    /// `oct attestation generate`, `cert` and `statement`, as the openpgp-card crate does them
    /// (VERIFY 81, `80 FB 01 00`, GET DATA FC, SELECT DATA + GET DATA 7F21): the statement is
    /// signed by the attestation key, whose certificate (FC) chains to the development CA the
    /// test card was provisioned by, and certifies the key just generated.
    #[test]
    fn openpgp_card_attests_keys_as_oct_does() {
        use p256::ecdsa::signature::Verifier;
        use x509_cert::der::{Decode, Encode};
        use x509_cert::Certificate;
        fn issued_by(certificate: &Certificate, issuer: &Certificate) -> bool {
            let spki = issuer.tbs_certificate().subject_public_key_info();
            let key =
                p256::ecdsa::VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes())
                    .expect("P-256 key");
            let signature =
                p256::ecdsa::DerSignature::from_bytes(certificate.signature().raw_bytes())
                    .expect("DER signature");
            certificate.tbs_certificate().issuer() == issuer.tbs_certificate().subject()
                && key
                    .verify(&certificate.tbs_certificate().to_der().unwrap(), &signature)
                    .is_ok()
        }
        let _f = Fixture::new();
        let mut card = PcscBackend::client();
        let mut tx = card.transaction().expect("transaction");
        let public = generate(
            &mut tx,
            KeyType::Signing,
            ecc(EccType::EdDSA, Curve::Ed25519),
        );
        tx.as_signing_card(pin(PW1))
            .expect("PW1 81")
            .generate_attestation(KeyType::Signing, &|| {})
            .expect("attestation");
        let root = Certificate::from_der(e2e::attestation_ca().certificate()).unwrap();
        let authority = Certificate::from_der(&tx.attestation_certificate().expect("FC")).unwrap();
        assert!(
            issued_by(&authority, &root),
            "FC chains to the development CA"
        );
        tx.select_data(2, &[0x7F, 0x21]).expect("SELECT DATA");
        let statement = Certificate::from_der(&tx.cardholder_certificate().expect("7F21")).unwrap();
        assert!(
            issued_by(&statement, &authority),
            "signed by the attestation key"
        );
        let PublicKeyMaterial::E(ecc) = public else {
            panic!("an Ed25519 key")
        };
        assert_eq!(
            statement
                .tbs_certificate()
                .subject_public_key_info()
                .subject_public_key
                .raw_bytes(),
            ecc.data(),
            "the key just generated"
        );
        assert_eq!(
            tx.firmware_version().unwrap(),
            [5, 6, 1],
            "GET VERSION, as `oct info` shows it"
        );
    }

    /// A wrong PIN answered 6982 (the default) or 63Cx: the openpgp-card client reports it
    /// as the status word it got and reads the tries left from C4 either way.
    #[test]
    fn openpgp_card_takes_a_wrong_pin_answered_either_way() {
        use openpgp_card_applet::{Config, WrongPinStatus};
        for (status, expected) in [
            (
                WrongPinStatus::SecurityStatusNotSatisfied,
                StatusBytes::SecurityStatusNotSatisfied,
            ),
            (
                WrongPinStatus::RemainingTries,
                StatusBytes::PasswordNotChecked(2),
            ),
        ] {
            let config = Config {
                wrong_pin_status: status,
                ..Config::default()
            };
            let _f = Fixture::with_config(Button::new(Presence::Confirmed), config);
            let mut card = PcscBackend::client();
            let mut tx = card.transaction().expect("transaction");
            match tx.verify_user_pin(pin("000000")) {
                Err(Error::CardStatus(got)) => assert_eq!(got, expected, "{status:?}"),
                other => panic!("{status:?}: a wrong PIN gave {other:?}"),
            }
            // (The client caches the application related data: read C4 afresh.)
            tx.invalidate_cache().unwrap();
            assert_eq!(tx.pw_status_bytes().unwrap().err_count_pw1(), 2);
            tx.verify_user_pin(pin(PW1)).expect("the right PIN");
            tx.invalidate_cache().unwrap();
            assert_eq!(tx.pw_status_bytes().unwrap().err_count_pw1(), 3);
            assert!(tx.verify_admin_pin(pin("00000000")).is_err());
            tx.invalidate_cache().unwrap();
            assert_eq!(tx.pw_status_bytes().unwrap().err_count_pw3(), 2);
        }
    }

    #[test]
    fn openpgp_card_changes_pins_and_factory_resets() {
        let _f = Fixture::new();
        let mut card = PcscBackend::client();
        let mut tx = card.transaction().expect("transaction");

        // A key and some data to be wiped.
        let public = generate(
            &mut tx,
            KeyType::Signing,
            ecc(EccType::EdDSA, Curve::Ed25519),
        );
        tx.verify_admin_pin(pin(PW3)).unwrap();
        let mut admin = tx.as_admin_card(None::<SecretString>).unwrap();
        admin.set_cardholder_name("Reset<<Rita").unwrap();
        admin.set_resetting_code(pin("resetting1")).unwrap();

        // User PIN: change, old refused (one try used), new accepted.
        tx.change_user_pin(pin(PW1), pin("654321"))
            .expect("change PW1");
        match tx.verify_user_pin(pin(PW1)) {
            Err(Error::CardStatus(StatusBytes::SecurityStatusNotSatisfied))
            | Err(Error::CardStatus(StatusBytes::PasswordNotChecked(2))) => {}
            other => panic!("old PIN: {other:?}"),
        }
        tx.verify_user_pin(pin("654321")).expect("new PIN");
        assert_eq!(tx.pw_status_bytes().unwrap().err_count_pw1(), 3);
        // Admin PIN.
        tx.change_admin_pin(pin(PW3), pin("87654321"))
            .expect("change PW3");
        assert!(tx.verify_admin_pin(pin(PW3)).is_err());
        tx.verify_admin_pin(pin("87654321")).expect("new admin PIN");
        // Resetting Code: sets a new user PIN.
        tx.reset_user_pin(pin("resetting1"), pin("112233"))
            .expect("reset PW1 with the Resetting Code");
        tx.verify_user_signing_pin(pin("112233"))
            .expect("reset PIN");
        let status = tx.pw_status_bytes().unwrap();
        // (The wrong admin PIN cost a try; the right one restored the counter.)
        assert_eq!(
            (
                status.err_count_pw1(),
                status.err_count_rc(),
                status.err_count_pw3()
            ),
            (3, 3, 3)
        );
        sign_and_check_with(&mut tx, &public, "112233");

        tx.factory_reset().expect("factory reset");
        drop(tx);
        // A new transaction re-reads everything.
        let mut tx = card.transaction().expect("transaction");
        let pw = tx.pw_status_bytes().unwrap();
        assert_eq!(
            (pw.err_count_pw1(), pw.err_count_rc(), pw.err_count_pw3()),
            (3, 0, 3)
        );
        assert!(pw.pw1_cds_valid_once());
        assert_eq!(tx.fingerprint(KeyType::Signing).unwrap(), None);
        let info = tx.key_information().unwrap().expect("key information");
        assert_eq!(info.sig_status(), KeyStatus::NotPresent);
        assert!(matches!(
            tx.algorithm_attributes(KeyType::Signing).unwrap(),
            AlgorithmAttributes::Rsa(_)
        ));
        assert!(tx
            .cardholder_related_data()
            .unwrap()
            .name()
            .unwrap_or_default()
            .is_empty());
        assert_eq!(tx.digital_signature_count().unwrap(), 0);
        tx.verify_user_pin(pin(PW1)).expect("factory user PIN");
        tx.verify_admin_pin(pin(PW3)).expect("factory admin PIN");
    }

    fn sign_and_check_with(tx: &mut Card<Transaction<'_>>, public: &PublicKeyMaterial, pw1: &str) {
        let hash: [u8; 32] = sha2::Sha256::digest(b"after the reset code").into();
        tx.verify_user_signing_pin(pin(pw1)).expect("PW1 81");
        let signature = tx
            .card()
            .signature_for_hash(SigningAlgo::ECC, &hash)
            .expect("PSO:CDS");
        check_signature(public, &hash, &signature);
    }

    /// Touch policy (UIF) set through the client; the card asks its button before a signature:
    /// denied gives 6600 and no signature, confirmed signs.
    #[test]
    fn openpgp_card_touch_policy_denied_then_confirmed() {
        let button = Button::new(Presence::Denied);
        let f = Fixture::with_button(button.clone());
        let mut card = PcscBackend::client();
        let mut tx = card.transaction().expect("transaction");
        let public = generate(
            &mut tx,
            KeyType::Signing,
            ecc(EccType::EdDSA, Curve::Ed25519),
        );
        tx.verify_admin_pin(pin(PW3)).unwrap();
        let mut admin = tx.as_admin_card(None::<SecretString>).unwrap();
        admin
            .set_touch_policy(KeyType::Signing, TouchPolicy::On)
            .expect("set UIF (D6)");
        tx.invalidate_cache().unwrap();
        let uif = tx.user_interaction_flag(KeyType::Signing).unwrap().unwrap();
        assert_eq!(uif.touch_policy(), TouchPolicy::On);
        assert_eq!(button.requests(), 0, "no touch asked for by the set-up");

        // Denied: 6600, the counter unchanged.
        let hash = [0x5Au8; 32];
        tx.verify_user_signing_pin(pin(PW1)).unwrap();
        let denied = tx.card().signature_for_hash(SigningAlgo::ECC, &hash);
        assert!(
            matches!(
                denied,
                Err(Error::CardStatus(StatusBytes::SecurityRelatedIssues))
            ),
            "a signature with the touch denied: {denied:?}"
        );
        assert_eq!(button.requests(), 1, "the card asked the button");
        assert_eq!(tx.digital_signature_count().unwrap(), 0);
        let last = f.card.log.exchanges();
        let cds = commands(&last, &[0x2A, 0x9E, 0x9A]);
        assert_eq!(cds.last().map(|c| c.1), Some(0x6600), "{cds:02X?}");

        // Confirmed: a valid signature.
        button.set(Presence::Confirmed);
        sign_and_check_with(&mut tx, &public, PW1);
        assert_eq!(button.requests(), 2);
        assert_eq!(tx.digital_signature_count().unwrap(), 1);

        // Off again: no more touch.
        tx.verify_admin_pin(pin(PW3)).unwrap();
        let mut admin = tx.as_admin_card(None::<SecretString>).unwrap();
        admin
            .set_touch_policy(KeyType::Signing, TouchPolicy::Off)
            .unwrap();
        button.set(Presence::Denied);
        sign_and_check_with(&mut tx, &public, PW1);
        assert_eq!(button.requests(), 2);
    }
}

// ---------------------------------------------------------------------------------------------
// 5. OpenSC alongside GnuPG.

fn reader_index() -> String {
    reader().1.to_string()
}

#[test]
fn opensc_openpgp_tool_lists_generated_keys() {
    let f = Fixture::new();
    gnupg::set_key_attributes(&f.gpg, Algo::NISTP256);
    let keys = gnupg::generate(&f.gpg, "Card Opensc");
    let index = reader_index();
    // scdaemon keeps its shared connection: OpenSC reads the card beside it.
    let out = f.run("openpgp-tool", &["--reader", &index, "--key-info"]);
    assert!(out.success, "openpgp-tool --key-info: {}", out.stderr);
    let text = out.stdout;
    assert_eq!(
        text.matches("Algorithm:   ECDSA").count() + text.matches("Algorithm:   ECDH").count(),
        3,
        "{text}"
    );
    // "Sig Fingerprint: 80:c9:6f:...": the fingerprints gpg wrote after generation.
    let normalized = text.to_uppercase().replace(':', "");
    for (slot, fpr) in [("SIG", &keys.sig), ("DEC", &keys.dec), ("AUT", &keys.aut)] {
        assert!(
            normalized.contains(&format!("{slot} FINGERPRINT {fpr}")),
            "{slot} fingerprint {fpr} not listed:\n{text}"
        );
    }
}

#[test]
fn opensc_probing_between_gnupg_operations_keeps_the_pin_verified() {
    let f = Fixture::new();
    let keys = gnupg::generate(&f.gpg, "Card Probe");
    let data = gnupg::message(&f.gpg, "message.txt", 1000);
    let encrypted = gnupg::encrypt(&f.gpg, &keys, &data);
    let first = gnupg::decrypt(
        &f.gpg,
        &keys,
        &encrypted,
        &data,
        &mut gnupg::pin_responder(PW1),
    );
    assert_eq!(first.pin_prompts(), 1);

    // OpenSC probes the card while scdaemon keeps its (shared) connection: card detection by
    // name, a SELECT of another application (PIV), and OpenSC's OpenPGP driver reading it.
    let index = reader_index();
    let before = f.card.log.exchanges().len();
    let power_events = f.card.log.power_events();
    let name = f.run("opensc-tool", &["--reader", &index, "--name"]);
    assert!(name.success, "opensc-tool --name: {}", name.stderr);
    assert!(name.stdout.contains("OpenPGP"), "{}", name.stdout);
    let piv = f.run(
        "opensc-tool",
        &["--reader", &index, "-s", "00A404000AA000000308000010000100"],
    );
    assert!(piv.success, "opensc-tool -s: {}", piv.stderr);
    assert!(
        piv.stdout.contains("SW1=0x6A, SW2=0x82"),
        "SELECT PIV: {}",
        piv.stdout
    );
    let info = f.run("openpgp-tool", &["--reader", &index, "--card-info"]);
    assert!(info.success, "openpgp-tool --card-info: {}", info.stderr);
    let exchanges = f.card.log.exchanges();
    let probe = &exchanges[before..];
    let selects: Vec<&e2e::Exchange> = probe
        .iter()
        .filter(|e| e.command.starts_with(&[0x00, 0xA4, 0x04]))
        .collect();
    let ours = |e: &&e2e::Exchange| e.data().starts_with(&[0xD2, 0x76, 0x00, 0x01, 0x24, 0x01]);
    assert!(
        selects.iter().any(|e| !ours(e) && e.sw() == 0x6A82),
        "OpenSC tried other applications: {selects:02X?}"
    );
    assert!(
        selects.iter().any(|e| ours(e) && e.sw() == 0x9000),
        "OpenSC re-selected the OpenPGP application: {selects:02X?}"
    );
    assert_eq!(
        f.card.log.power_events(),
        power_events,
        "OpenSC reset or powered the card"
    );

    // Decrypting again needs no PIN: PW1 (82) is still verified on the card, and gpg sends
    // no VERIFY.
    let before = f.card.log.exchanges().len();
    let second = gnupg::decrypt(&f.gpg, &keys, &encrypted, &data, &mut no_prompt);
    assert_eq!(second.pin_prompts(), 0);
    let exchanges = f.card.log.exchanges();
    let after = &exchanges[before..];
    assert!(
        !after
            .iter()
            .any(|e| e.ins() == 0x20 && !e.data().is_empty()),
        "a PIN was sent again: {after:02X?}"
    );
    let decipher = commands(after, &[0x2A, 0x80, 0x86]);
    assert!(
        decipher.len() == 1 && decipher[0].1 == 0x9000,
        "{decipher:02X?}"
    );
}
