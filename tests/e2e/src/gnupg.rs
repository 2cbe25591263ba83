//! Key flows through GnuPG 2.2 on the test card: algorithm attributes (`key-attr`), on-card
//! generation (`generate`), signing in the three modes and verification, encryption and
//! decryption on the card, and reading the result through `--with-colons`.
//!
//! Everything is checked through gpg's machine-readable output: status lines (`KEY_CREATED`,
//! `SIG_CREATED`, `VALIDSIG`, `DECRYPTION_OKAY` ...) and colon listings.

use std::path::Path;

use super::{CardStatus, Gpg, Session};

/// The factory PINs.
pub const PW1: &str = "123456";
pub const PW3: &str = "12345678";

/// Prompt keywords of gpg 2.2.
pub const PROMPT: &str = "cardedit.prompt";
pub const KEYEDIT: &str = "keyedit.prompt";
pub const PIN: &str = "passphrase.enter";
/// A PIN prompt that gpg skips when scdaemon still has that PIN verified.
pub const OPTIONAL_PIN: &str = "?passphrase.enter";

/// A key algorithm as gpg 2.2's `key-attr` offers it. One choice sets all three slots: RSA of
/// one size everywhere, or one curve (ECDSA for signing and authentication, ECDH for
/// decryption; Curve25519 gives Ed25519 and X25519).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algo {
    Rsa(u32),
    /// gpg's curve name: `nistp256`, `nistp384`, `nistp521`, `brainpoolP256r1`,
    /// `brainpoolP384r1`, `brainpoolP512r1`, `secp256k1`, `Curve25519`.
    Curve(&'static str),
}

impl Algo {
    pub const RSA2048: Algo = Algo::Rsa(2048);
    pub const RSA3072: Algo = Algo::Rsa(3072);
    pub const RSA4096: Algo = Algo::Rsa(4096);
    pub const NISTP256: Algo = Algo::Curve("nistp256");
    pub const NISTP384: Algo = Algo::Curve("nistp384");
    pub const SECP256K1: Algo = Algo::Curve("secp256k1");
    pub const NISTP521: Algo = Algo::Curve("nistp521");
    pub const BRAINPOOLP256R1: Algo = Algo::Curve("brainpoolP256r1");
    pub const BRAINPOOLP384R1: Algo = Algo::Curve("brainpoolP384r1");
    pub const BRAINPOOLP512R1: Algo = Algo::Curve("brainpoolP512r1");
    pub const CURVE25519: Algo = Algo::Curve("Curve25519");
    /// Ed448 (SIG, AUT) and X448 (DEC): GnuPG 2.4 only (2.2 has no Curve 448 for cards).
    pub const CURVE448: Algo = Algo::Curve("Curve448");

    /// A short name without punctuation (for user IDs and file names).
    pub fn label(self) -> String {
        match self {
            Algo::Rsa(bits) => format!("rsa{bits}"),
            Algo::Curve(curve) => curve.to_lowercase(),
        }
    }

    pub fn name(self) -> String {
        match self {
            Algo::Rsa(bits) => format!("rsa{bits}"),
            Algo::Curve("Curve25519") => "ed25519/cv25519".to_owned(),
            Algo::Curve("Curve448") => "ed448/cv448".to_owned(),
            Algo::Curve(curve) => curve.to_owned(),
        }
    }

    /// The three `keyattr:` lines of `gpg --card-status --with-colons` for this choice
    /// (OpenPGP algorithm ids: 1 RSA, 18 ECDH, 19 ECDSA, 22 EdDSA; gpg 2.2's curve names).
    pub fn keyattr_lines(self) -> [String; 3] {
        match self {
            Algo::Rsa(bits) => [1, 2, 3].map(|slot| format!("keyattr:{slot}:1:{bits}:")),
            Algo::Curve("Curve25519") => [
                "keyattr:1:22:Ed25519:".to_owned(),
                "keyattr:2:18:Curve25519:".to_owned(),
                "keyattr:3:22:Ed25519:".to_owned(),
            ],
            Algo::Curve("Curve448") => [
                "keyattr:1:22:Ed448:".to_owned(),
                "keyattr:2:18:X448:".to_owned(),
                "keyattr:3:22:Ed448:".to_owned(),
            ],
            Algo::Curve(curve) => {
                let shown = match curve {
                    "nistp256" => "NIST P-256",
                    "nistp384" => "NIST P-384",
                    "nistp521" => "NIST P-521",
                    other => other,
                };
                [
                    format!("keyattr:1:19:{shown}:"),
                    format!("keyattr:2:18:{shown}:"),
                    format!("keyattr:3:19:{shown}:"),
                ]
            }
        }
    }

    /// The public key algorithm id of gpg's colon listings (field 4) for the signing key and
    /// the encryption subkey.
    pub fn pubkey_algos(self) -> (u32, u32) {
        match self {
            Algo::Rsa(_) => (1, 1),
            Algo::Curve("Curve25519") | Algo::Curve("Curve448") => (22, 18),
            Algo::Curve(_) => (19, 18),
        }
    }
}

/// Sets all three slots to `algo` with `gpg --card-edit` → `admin` → `key-attr` and checks the
/// result in `--card-status`. Changing a slot to what it already has is a no-op for gpg.
pub fn set_key_attributes(gpg: &Gpg, algo: Algo) {
    let (choice, detail) = match algo {
        Algo::Rsa(bits) => ("1", ("cardedit.genkeys.size", bits.to_string())),
        // gpg 2.2's curve menu names the NIST curves "NIST P-256" .. "NIST P-521" and the
        // brainpool ones "Brainpool P-256" .. "Brainpool P-512".
        Algo::Curve(curve) => (
            "2",
            (
                "keygen.curve",
                match curve {
                    "nistp256" => "NIST P-256".to_owned(),
                    "nistp384" => "NIST P-384".to_owned(),
                    "nistp521" => "NIST P-521".to_owned(),
                    "brainpoolP256r1" => "Brainpool P-256".to_owned(),
                    "brainpoolP384r1" => "Brainpool P-384".to_owned(),
                    "brainpoolP512r1" => "Brainpool P-512".to_owned(),
                    "Curve448" => "Curve 448".to_owned(),
                    other => other.to_owned(),
                },
            ),
        ),
    };
    let mut script: Vec<(&str, &str)> = vec![(PROMPT, "admin"), (PROMPT, "key-attr")];
    for _ in 0..3 {
        script.push((OPTIONAL_PIN, PW3));
        script.push(("cardedit.genkeys.algo", choice));
        script.push((detail.0, &detail.1));
    }
    script.push((OPTIONAL_PIN, PW3));
    script.push((PROMPT, "quit"));
    let status = gpg.card_edit(&script);
    assert!(
        !status.iter().any(|l| l.starts_with("SC_OP_FAILURE")),
        "key-attr failed: {status:#?}"
    );
    let card = gpg.card_status();
    assert_eq!(card.all("keyattr"), algo.keyattr_lines(), "after key-attr");
}

/// The keys `generate` made: the primary (signing) key's fingerprint from `KEY_CREATED`, and
/// the three fingerprints the card stores afterwards (SIG, DEC, AUT).
#[derive(Clone, Debug)]
pub struct CardKeys {
    pub primary: String,
    pub sig: String,
    pub dec: String,
    pub aut: String,
}

/// `gpg --card-edit` → `admin` → `generate` (no off-card backup), with user ID
/// `<name> <first.last@example.org>` and no expiry. Starts from a fresh scdaemon, so that gpg asks
/// the admin PIN and then the user PIN, as on a first use of the card.
pub fn generate(gpg: &Gpg, name: &str) -> CardKeys {
    generate_timed(gpg, name).0
}

/// [`generate`] for algorithms of which GnuPG 2.4 makes v5 keys (Ed448/X448): returns the
/// primary key's 32-byte fingerprint. The card's 20-byte fingerprint DOs (C7-C9) hold what
/// scdaemon computes for such keys, a v4-style fingerprint of the same key material, so they
/// are not the keys' fingerprints; this checks only that every slot has one.
pub fn generate_v5(gpg: &Gpg, name: &str) -> String {
    let (primary, _) = generate_session(gpg, name);
    assert_eq!(primary.len(), 64, "a v5 fingerprint: {primary}");
    let fpr = gpg.card_status().fields("fpr");
    assert!(
        fpr.len() >= 3 && fpr[..3].iter().all(|f| f.len() == 40),
        "a fingerprint in every slot: {fpr:?}"
    );
    primary
}

/// [`generate`], also returning how long gpg's `generate` (the `--card-edit` run) took.
pub fn generate_timed(gpg: &Gpg, name: &str) -> (CardKeys, std::time::Duration) {
    let (primary, elapsed) = generate_session(gpg, name);
    let card = gpg.card_status();
    let fpr = card.fields("fpr");
    let [sig, dec, aut] = [0, 1, 2].map(|i| fpr.get(i).cloned().unwrap_or_default());
    assert_eq!(sig, primary, "the card's SIG key is the primary key");
    for f in [&dec, &aut] {
        assert_eq!(f.len(), 40, "a fingerprint in every slot: {fpr:?}");
    }
    let keys = CardKeys {
        primary,
        sig,
        dec,
        aut,
    };
    check_key_listing(gpg, &keys);
    (keys, elapsed)
}

/// The `--card-edit` → `generate` session: the primary key's fingerprint (from `KEY_CREATED`)
/// and how long it took.
fn generate_session(gpg: &Gpg, name: &str) -> (String, std::time::Duration) {
    drop(gpg.run("gpgconf", &["--kill", "all"]));
    let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
    let started = std::time::Instant::now();
    let session = gpg.scripted(
        &["--card-edit"],
        &[
            (PROMPT, "admin"),
            (PROMPT, "generate"),
            ("?cardedit.genkeys.backup_enc", "n"),
            ("?cardedit.genkeys.replace_keys", "y"),
            (PIN, PW3),
            (PIN, PW1),
            ("keygen.valid", "0"),
            ("keygen.name", name),
            ("keygen.email", &email),
            ("?keygen.comment", ""),
            ("?keygen.userid.cmd", "O"),
            (OPTIONAL_PIN, PW1),
            (PROMPT, "quit"),
        ],
    );
    let elapsed = started.elapsed();
    assert!(
        !session.has("SC_OP_FAILURE"),
        "generate failed: {:#?}",
        session.status
    );
    let created = session.lines("KEY_CREATED");
    assert_eq!(created.len(), 1, "one KEY_CREATED: {:#?}", session.status);
    let mut words = created[0].split_whitespace();
    assert_eq!(words.next(), Some("B"), "a primary key and subkeys");
    let primary = words.next().expect("fingerprint").to_owned();
    (primary, elapsed)
}

/// One `sec`/`ssb` record of `gpg -K --with-colons`.
#[derive(Clone, Debug)]
pub struct SecretKey {
    pub record: String,
    /// OpenPGP public key algorithm id (field 4).
    pub algo: u32,
    /// Key length in bits (field 3).
    pub bits: u32,
    /// Key capabilities (field 12).
    pub usage: String,
    /// Field 15: the card serial number for a key on a card, `+` for a local secret key.
    pub token: String,
    /// Field 17: the curve name of an ECC key.
    pub curve: String,
    pub fpr: String,
}

/// `gpg -K --with-colons` of `key`, its secret keys in order.
pub fn secret_keys(gpg: &Gpg, key: &str) -> Vec<SecretKey> {
    let out = gpg.run(
        "gpg",
        &["--batch", "--with-colons", "--with-fingerprint", "-K", key],
    );
    assert!(out.success, "gpg -K failed:\n{}", out.stderr);
    let lines: Vec<Vec<&str>> = out.stdout.lines().map(|l| l.split(':').collect()).collect();
    let field = |fields: &[&str], i: usize| fields.get(i).copied().unwrap_or_default().to_owned();
    let mut keys = Vec::new();
    for (i, fields) in lines.iter().enumerate() {
        if !matches!(fields[0], "sec" | "ssb") {
            continue;
        }
        let fpr = lines
            .get(i + 1)
            .filter(|next| next[0] == "fpr")
            .map(|next| field(next, 9))
            .expect("fpr line after sec/ssb");
        keys.push(SecretKey {
            record: field(fields, 0),
            algo: field(fields, 3).parse().unwrap_or(0),
            bits: field(fields, 2).parse().unwrap_or(0),
            usage: field(fields, 11),
            token: field(fields, 14),
            curve: field(fields, 16),
            fpr,
        });
    }
    keys
}

/// The card's AID as gpg's colon listings show it (`-K` field 15 of keys on the card).
pub fn card_token() -> String {
    format!("D276000124010304FFFF{:08X}0000", super::SERIAL)
}

/// `gpg -K --with-colons`: the primary key and both subkeys are stubs on this card (field 15
/// holds the card's serial number), with the fingerprints the card stores. Returns the keys.
pub fn check_key_listing(gpg: &Gpg, keys: &CardKeys) -> Vec<SecretKey> {
    let listed = secret_keys(gpg, &keys.primary);
    for key in &listed {
        assert_eq!(
            key.token,
            card_token(),
            "key {} is on the card: {listed:#?}",
            key.fpr
        );
    }
    let mut found: Vec<&str> = listed.iter().map(|k| k.fpr.as_str()).collect();
    found.sort_unstable();
    let mut expected = vec![keys.sig.as_str(), keys.dec.as_str(), keys.aut.as_str()];
    expected.sort_unstable();
    assert_eq!(found, expected, "{listed:#?}");
    listed
}

/// Answers every PIN prompt with `pin` and refuses everything else.
pub fn pin_responder(pin: &str) -> impl FnMut(&str, &str) -> Result<String, String> + '_ {
    move |_kind, keyword| match keyword {
        "passphrase.enter" => Ok(pin.to_owned()),
        other => Err(format!("unexpected prompt {other:?}")),
    }
}

/// gpg `mode` (`--sign`, `--detach-sign`, `--clear-sign`) of `data` into `out` with the card's
/// signing key, answering `pin` to the PIN prompt; the session as it went (nothing checked).
pub fn sign_with_pin(
    gpg: &Gpg,
    keys: &CardKeys,
    mode: &str,
    data: &Path,
    out: &Path,
    pin: &str,
) -> Session {
    let user = format!("{}!", keys.primary);
    gpg.interact(
        &[
            "--yes",
            "--local-user",
            &user,
            "--output",
            out.to_str().unwrap(),
            mode,
            data.to_str().unwrap(),
        ],
        &mut pin_responder(pin),
    )
}

/// Signs `data` with the card's signing key in the three modes (`--sign`, `--detach-sign`,
/// `--clear-sign`) and verifies each with `gpg --verify` (`VALIDSIG` of `keys.sig`, with the
/// primary key `keys.primary`). Returns the number of PIN prompts.
pub fn sign_and_verify(gpg: &Gpg, keys: &CardKeys, data: &Path) -> usize {
    let mut prompts = 0;
    for (mode, suffix) in [
        ("--sign", "gpg"),
        ("--detach-sign", "sig"),
        ("--clear-sign", "asc"),
    ] {
        let out = gpg.file(&format!("signed.{suffix}"));
        let session = sign(gpg, keys, mode, data, &out);
        prompts += session.pin_prompts();
        let verify_args: Vec<&str> = match mode {
            "--detach-sign" => vec![out.to_str().unwrap(), data.to_str().unwrap()],
            _ => vec![out.to_str().unwrap()],
        };
        verify(gpg, keys, &verify_args);
    }
    prompts
}

/// One signature in `mode` to `out`; asserts `SIG_CREATED` (class and key).
pub fn sign(gpg: &Gpg, keys: &CardKeys, mode: &str, data: &Path, out: &Path) -> Session {
    let session = sign_with_pin(gpg, keys, mode, data, out, PW1);
    let created = session.lines("SIG_CREATED");
    assert!(
        session.success && created.len() == 1,
        "gpg {mode}: no SIG_CREATED: {:#?}",
        session.status
    );
    // SIG_CREATED <type> <pk_algo> <hash_algo> <class> <timestamp> <key-fpr>
    let fields: Vec<&str> = created[0].split_whitespace().collect();
    let (kind, class) = match mode {
        "--detach-sign" => ("D", "00"),
        "--clear-sign" => ("C", "01"),
        _ => ("S", "00"),
    };
    assert_eq!(fields[0], kind, "{created:?}");
    assert_eq!(fields[3], class, "{created:?}");
    assert_eq!(fields[5], keys.sig, "{created:?}");
    session
}

/// `gpg --verify <args>`: `GOODSIG` and `VALIDSIG` of the card's signing key.
pub fn verify(gpg: &Gpg, keys: &CardKeys, args: &[&str]) {
    let mut all = vec!["--batch", "--status-fd", "1", "--verify"];
    all.extend_from_slice(args);
    let out = gpg.run("gpg", &all);
    let status = status_lines(&out.stdout);
    let valid: Vec<&str> = status
        .iter()
        .filter_map(|l| l.strip_prefix("VALIDSIG "))
        .collect();
    assert!(
        out.success && valid.len() == 1 && status.iter().any(|l| l.starts_with("GOODSIG ")),
        "gpg --verify {args:?}: {status:#?}\n{}",
        out.stderr
    );
    // VALIDSIG <fpr> <date> <timestamp> <expire> <version> <reserved> <pk_algo> <hash_algo>
    //          <class> <primary-fpr>
    let fields: Vec<&str> = valid[0].split_whitespace().collect();
    assert_eq!(fields[0], keys.sig, "{valid:?}");
    assert_eq!(fields.last().copied(), Some(keys.primary.as_str()));
    assert!(
        !status.iter().any(|l| l.starts_with("BADSIG")),
        "{status:#?}"
    );
}

/// Encrypts `data` to the key (public-key operation on the host, `END_ENCRYPTION`), then
/// decrypts it on the card: `DECRYPTION_OKAY`, `ENC_TO` the card's decryption key, and the
/// same bytes back. `responder` answers the prompts (the PIN); returns the decryption session.
pub fn encrypt_decrypt(
    gpg: &Gpg,
    keys: &CardKeys,
    data: &Path,
    respond: &mut super::Responder<'_>,
) -> Session {
    let encrypted = encrypt(gpg, keys, data);
    decrypt(gpg, keys, &encrypted, data, respond)
}

/// `gpg --encrypt` to `keys.primary`; returns the file.
pub fn encrypt(gpg: &Gpg, keys: &CardKeys, data: &Path) -> std::path::PathBuf {
    let encrypted = gpg.file("encrypted.gpg");
    let out = gpg.run(
        "gpg",
        &[
            "--batch",
            "--yes",
            "--status-fd",
            "1",
            "--trust-model",
            "always",
            "--recipient",
            &keys.primary,
            "--output",
            encrypted.to_str().unwrap(),
            "--encrypt",
            data.to_str().unwrap(),
        ],
    );
    let status = status_lines(&out.stdout);
    assert!(
        out.success && status.iter().any(|l| l.starts_with("END_ENCRYPTION")),
        "gpg --encrypt: {status:#?}\n{}",
        out.stderr
    );
    encrypted
}

/// `gpg --decrypt` of `encrypted` on the card; checks the plaintext against `expected`.
pub fn decrypt(
    gpg: &Gpg,
    keys: &CardKeys,
    encrypted: &Path,
    expected: &Path,
    respond: &mut super::Responder<'_>,
) -> Session {
    let decrypted = gpg.file("decrypted.txt");
    let _ = std::fs::remove_file(&decrypted);
    let session = gpg.interact(
        &[
            "--yes",
            "--output",
            decrypted.to_str().unwrap(),
            "--decrypt",
            encrypted.to_str().unwrap(),
        ],
        respond,
    );
    assert!(
        session.success && session.has("DECRYPTION_OKAY") && session.has("END_DECRYPTION"),
        "gpg --decrypt: {:#?}",
        session.status
    );
    assert!(
        !session.has("DECRYPTION_FAILED"),
        "gpg --decrypt: {:#?}",
        session.status
    );
    // ENC_TO <long keyid> <pk_algo> <len>: the card's decryption key.
    let enc_to = session.lines("ENC_TO");
    assert_eq!(enc_to.len(), 1, "{:#?}", session.status);
    let keyid = enc_to[0].split_whitespace().next().unwrap_or_default();
    // A v4 key ID is the fingerprint's last 8 bytes, a v5 key ID (Ed448/X448 keys) its first 8.
    let v5 = keys.dec.len() == 64;
    assert!(
        (!v5 && keys.dec.ends_with(keyid)) || (v5 && keys.dec.starts_with(keyid)),
        "encrypted to {keyid}, the card's DEC key is {}",
        keys.dec
    );
    assert_eq!(
        std::fs::read(&decrypted).expect("decrypted file"),
        std::fs::read(expected).expect("plaintext"),
        "decrypted text"
    );
    session
}

/// The `[GNUPG:] ` lines of a `--status-fd 1` run, without the prefix.
pub fn status_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("[GNUPG:] "))
        .map(str::to_owned)
        .collect()
}

/// Writes a test message of `len` bytes (text, so that `--clear-sign` keeps it) to GNUPGHOME.
pub fn message(gpg: &Gpg, name: &str, len: usize) -> std::path::PathBuf {
    let mut text = String::with_capacity(len);
    let mut i = 0usize;
    while text.len() < len {
        text.push_str(&format!(
            "line {i}: the quick brown fox jumps over the lazy dog\n"
        ));
        i += 1;
    }
    let path = gpg.file(name);
    std::fs::write(&path, text).expect("write message");
    path
}

/// Whether `status` (lines of a card status) shows the three fingerprints of `keys`.
pub fn card_has(status: &CardStatus, keys: &CardKeys) -> bool {
    status.fields("fpr")[..3] == [keys.sig.clone(), keys.dec.clone(), keys.aut.clone()]
}

/// Creates a key on the host without a passphrase: a `primary` key (`sign,cert`) with user ID
/// `uid` and the `subkeys` (algorithm, usage) in order (`gpg --quick-gen-key`,
/// `--quick-add-key`, each checked by its `KEY_CREATED`). Returns `gpg -K` of it.
pub fn host_key(gpg: &Gpg, uid: &str, primary: &str, subkeys: &[(&str, &str)]) -> Vec<SecretKey> {
    let mut base = vec![
        "--batch",
        "--status-fd",
        "1",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
    ];
    // GnuPG 2.4 makes Ed448 and Curve448 keys only under --compliance=gnupg ("Cannot create
    // Ed448 or Curve448 key without --compliance=gnupg").
    if primary.contains("448") || subkeys.iter().any(|(algo, _)| algo.contains("448")) {
        base.push("--compliance=gnupg");
    }
    let mut args = base.clone();
    args.extend_from_slice(&["--quick-gen-key", uid, primary, "sign,cert", "never"]);
    let out = gpg.run("gpg", &args);
    let status = status_lines(&out.stdout);
    let fpr = status
        .iter()
        .find_map(|l| l.strip_prefix("KEY_CREATED P "))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .unwrap_or_else(|| panic!("--quick-gen-key: {status:#?}\n{}", out.stderr));
    for (algo, usage) in subkeys {
        let mut args = base.clone();
        args.extend_from_slice(&["--quick-add-key", &fpr, algo, usage, "never"]);
        let out = gpg.run("gpg", &args);
        assert!(
            status_lines(&out.stdout)
                .iter()
                .any(|l| l.starts_with("KEY_CREATED S ")),
            "--quick-add-key {algo} {usage}: {}",
            out.stderr
        );
    }
    let keys = secret_keys(gpg, &fpr);
    assert_eq!(keys.len(), 1 + subkeys.len(), "{keys:#?}");
    for key in &keys {
        assert_eq!(key.token, "+", "a local secret key: {key:?}");
    }
    keys
}

/// The current signature counter of the card (`sigcount:` of `--card-status`).
pub fn sigcount(gpg: &Gpg) -> u32 {
    gpg.card_status().fields("sigcount")[0]
        .parse()
        .expect("sigcount")
}

/// `gpg --edit-key <fpr>`: moves each `(key index, card slot)` to the card (`key N`,
/// `keytocard`; index 0 is the primary key; slots as gpg numbers them: 1 signature,
/// 2 encryption, 3 authentication), then `save`.
pub fn keytocard(gpg: &Gpg, fpr: &str, moves: &[(usize, &str)]) -> Session {
    let mut script: Vec<(String, String)> = Vec::new();
    let mut step = |keyword: &str, answer: &str| script.push((keyword.into(), answer.into()));
    let mut selected = 0;
    for &(index, slot) in moves {
        if selected != 0 {
            step(KEYEDIT, &format!("key {selected}")); // deselect
        }
        if index != 0 {
            step(KEYEDIT, &format!("key {index}"));
        }
        selected = index;
        step(KEYEDIT, "keytocard");
        if index == 0 {
            step("keyedit.keytocard.use_primary", "y");
        }
        step("?cardedit.genkeys.storekeytype", slot);
        step(OPTIONAL_PIN, PW3);
        step(OPTIONAL_PIN, PW3);
    }
    step(KEYEDIT, "save");
    let script: Vec<(&str, &str)> = script
        .iter()
        .map(|(k, a)| (k.as_str(), a.as_str()))
        .collect();
    let session = gpg.scripted(&["--edit-key", fpr], &script);
    assert!(
        session.success && !session.has("SC_OP_FAILURE") && !session.has("ERROR"),
        "keytocard: {:#?}",
        session.status
    );
    session
}
