//! The applet side of the power-loss tests: the personalised starting card, the
//! state-changing scenarios and what a host can observe. The scenarios and observations are
//! those of the applet's own suite (`tests/power_loss.rs` in the core crate), driven
//! through the public API only; the observer and the personalisation are the test kit's.

use std::collections::BTreeMap;

use openpgp_card_applet::{Config, RecordId, Storage};
pub use openpgp_card_applet_testkit::power_loss::Seen;
use openpgp_card_applet_testkit::{client, import_template, power_loss, MemoryStorage};
pub use openpgp_card_applet_testkit::{hex, Card};

/// Records by id: what a store holds, as the applet sees it.
pub type Records = BTreeMap<u16, Vec<u8>>;

/// Every id the applet uses (and so every id a check reads back).
pub fn ids() -> impl Iterator<Item = RecordId> {
    RecordId::ALL
        .into_iter()
        .chain([RecordId::TOUCH_CACHE_TIME])
}

/// Reads every record of `storage`. `Err` carries the first failure.
pub fn read_all<S: Storage>(storage: &mut S) -> Result<Records, String> {
    let mut records = Records::new();
    let mut buf = vec![0u8; openpgp_card_applet::platform::MAX_RECORD_LEN];
    for id in ids() {
        match storage.read(id, &mut buf) {
            Ok(Some(n)) => {
                records.insert(id.0, buf[..n].to_vec());
            }
            Ok(None) => {}
            Err(e) => return Err(format!("reading record {:#04x}: {e:?}", id.0)),
        }
    }
    Ok(records)
}

/// A store holding exactly `records`.
pub fn memory(records: &Records) -> MemoryStorage {
    let mut storage = MemoryStorage::new();
    for (id, value) in records {
        storage.set_raw(RecordId(*id), value);
    }
    storage
}

/// A card over `storage`, powered on (contact, every touch confirmed): the test kit's.
pub fn applet<S: Storage>(storage: S) -> Card<S> {
    Card::from_storage(Config::default(), storage)
}

/// Sends an APDU; returns data and status word.
pub fn send<S: Storage>(card: &mut Card<S>, apdu: &[u8]) -> (Vec<u8>, u16) {
    let rsp = card.raw(apdu);
    (rsp.data, rsp.sw)
}

/// A case 1/3 command APDU (short or extended Lc), encoded by the applet's own emitter.
pub fn apdu(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let command = client::command(0, ins, p1, p2, data, None);
    let mut bytes = vec![0u8; command.buffer_len()];
    let n = command.emit(&mut bytes).expect("encodable APDU");
    bytes.truncate(n);
    bytes
}

/// The starting card of the core suite: the test kit's personalisation (Ed25519 SIG, RSA-2048
/// DEC generated on the card, P-256 AUT, cardholder data, a URL, a certificate, a Resetting
/// Code, UIF on DEC, two signatures counted).
pub fn personalised() -> Records {
    let mut card = applet(MemoryStorage::new());
    power_loss::personalise(&mut card);
    let mut storage = card.applet.into_platform().storage;
    read_all(&mut storage).expect("memory storage reads")
}

/// Everything a host can read without a PIN (the core suite's observer).
pub fn observe<S: Storage>(card: &mut Card<S>) -> Seen {
    power_loss::observe(card)
}

/// PW1, Resetting Code and PW3 counters as C4 shows them (`None` when unreadable).
pub fn counters<S: Storage>(card: &mut Card<S>) -> Option<[u8; 3]> {
    power_loss::counters(card)
}

/// One state-changing scenario: the APDUs after power-on.
pub struct Scenario {
    pub name: &'static str,
    pub apdus: Vec<Vec<u8>>,
    /// A documented intermediate state a cut may also leave, as the APDUs that reach it.
    pub intermediate: Option<Vec<Vec<u8>>>,
}

/// Runs APDUs; returns their status words.
pub fn run<S: Storage>(card: &mut Card<S>, apdus: &[Vec<u8>]) -> Vec<u16> {
    apdus.iter().map(|a| send(card, a).1).collect()
}

fn select() -> Vec<u8> {
    hex("00A4040006D27600012401")
}

fn user(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<Vec<u8>> {
    vec![select(), apdu(ins, p1, p2, data)]
}

fn admin(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<Vec<u8>> {
    vec![
        select(),
        apdu(0x20, 0, 0x83, b"12345678"),
        apdu(ins, p1, p2, data),
    ]
}

fn plain(name: &'static str, apdus: Vec<Vec<u8>>) -> Scenario {
    Scenario {
        name,
        apdus,
        intermediate: None,
    }
}

/// The applet suite's state-changing scenarios.
pub fn scenarios() -> Vec<Scenario> {
    let mut kdf = hex("810103 820108 8304000186A0 8408 3031323334353637");
    kdf.extend_from_slice(&[0x87, 0x20]);
    kdf.extend_from_slice(&[0xAA; 32]);
    kdf.extend_from_slice(&[0x88, 0x20]);
    kdf.extend_from_slice(&[0xBB; 32]);
    let terminate = admin(0xE6, 0, 0, &[]);
    let mut reset = terminate.clone();
    reset.push(apdu(0x44, 0, 0, &[]));
    vec![
        plain("VERIFY 81 wrong", user(0x20, 0, 0x81, b"654321")),
        plain("VERIFY 82 right", user(0x20, 0, 0x82, b"123456")),
        plain("VERIFY 83 wrong", user(0x20, 0, 0x83, b"87654321")),
        plain("VERIFY 83 right", user(0x20, 0, 0x83, b"12345678")),
        plain(
            "CHANGE REFERENCE DATA PW1",
            user(0x24, 0, 0x81, b"123456new-pin"),
        ),
        plain(
            "CHANGE REFERENCE DATA PW3 wrong",
            user(0x24, 0, 0x83, b"87654321new-admin"),
        ),
        plain(
            "RESET RETRY COUNTER with RC",
            user(0x2C, 0, 0x81, b"resetcodefresh-pin"),
        ),
        plain(
            "RESET RETRY COUNTER with RC wrong",
            user(0x2C, 0, 0x81, b"resetcoxfresh-pin"),
        ),
        plain(
            "RESET RETRY COUNTER by PW3",
            admin(0x2C, 2, 0x81, b"fresh-pin"),
        ),
        plain("PUT DATA name", admin(0xDA, 0, 0x5B, b"Roe<<Richard")),
        plain("PUT DATA URL cleared", admin(0xDA, 0x5F, 0x50, &[])),
        plain(
            "PUT DATA certificate",
            admin(0xDA, 0x7F, 0x21, &[0x31; 900]),
        ),
        plain("PUT DATA fingerprint", admin(0xDA, 0, 0xC8, &[0xF8; 20])),
        plain("PUT DATA CA fingerprint", admin(0xDA, 0, 0xCB, &[0xCB; 20])),
        plain("PUT DATA C4", admin(0xDA, 0, 0xC4, &[0x00])),
        plain(
            "PUT DATA resetting code",
            admin(0xDA, 0, 0xD3, b"another-code"),
        ),
        plain("PUT DATA UIF", admin(0xDA, 0, 0xD8, &[0x02, 0x20])),
        plain("PUT DATA private DO", admin(0xDA, 0x01, 0x02, b"private")),
        plain(
            "algorithm attributes change (deletes SIG key)",
            admin(0xDA, 0, 0xC1, &hex("132A8648CE3D030107")),
        ),
        plain("GENERATE SIG", admin(0x47, 0x80, 0, &[0xB6, 0x00])),
        plain("GENERATE AUT", admin(0x47, 0x80, 0, &[0xA4, 0x00])),
        plain("GENERATE DEC (RSA)", admin(0x47, 0x80, 0, &[0xB8, 0x00])),
        plain(
            "import SIG",
            admin(
                0xDB,
                0x3F,
                0xFF,
                &import_template(0xB6, &[(0x92, &[0x44; 32])]),
            ),
        ),
        plain(
            "import AUT",
            admin(
                0xDB,
                0x3F,
                0xFF,
                &import_template(0xA4, &[(0x92, &[0x55; 32])]),
            ),
        ),
        plain(
            "PSO:CDS counts",
            vec![
                select(),
                apdu(0x20, 0, 0x81, b"123456"),
                apdu(0x2A, 0x9E, 0x9A, b"signed"),
            ],
        ),
        plain("KDF setup", admin(0xDA, 0, 0xF9, &kdf)),
        plain("TERMINATE", terminate.clone()),
        // Documented: a cut during ACTIVATE leaves the card terminated; ACTIVATE completes it.
        Scenario {
            name: "TERMINATE + ACTIVATE",
            apdus: reset,
            intermediate: Some(terminate),
        },
    ]
}

/// A storage call a scenario made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Write(u16, Vec<u8>),
    Remove(u16),
}

impl Call {
    pub fn id(&self) -> u16 {
        match self {
            Call::Write(id, _) | Call::Remove(id) => *id,
        }
    }

    /// The record after the call (`None`: absent).
    pub fn value(&self) -> Option<&[u8]> {
        match self {
            Call::Write(_, data) => Some(data),
            Call::Remove(_) => None,
        }
    }

    /// Applies the call to `storage`.
    pub fn apply<S: Storage>(&self, storage: &mut S) -> Result<(), S::Error> {
        match self {
            Call::Write(id, data) => storage.write(RecordId(*id), data),
            Call::Remove(id) => storage.remove(RecordId(*id)),
        }
    }
}

/// A [`MemoryStorage`] that records the mutating calls and the APDU each belongs to.
pub struct Recorder {
    inner: MemoryStorage,
    calls: Vec<(Call, usize)>,
    apdu: usize,
}

impl Storage for Recorder {
    type Error = <MemoryStorage as Storage>::Error;
    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        self.inner.read(id, buf)
    }
    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), Self::Error> {
        self.calls
            .push((Call::Write(id.0, data.to_vec()), self.apdu));
        self.inner.write(id, data)
    }
    fn remove(&mut self, id: RecordId) -> Result<(), Self::Error> {
        self.calls.push((Call::Remove(id.0), self.apdu));
        self.inner.remove(id)
    }
}

/// A scenario's run on a correct store: its storage calls (with the index of the APDU that
/// made each), the status word of each APDU, and the records it leaves.
pub struct Trace {
    pub calls: Vec<(Call, usize)>,
    pub responses: Vec<u16>,
    pub end: Records,
}

/// Runs `apdus` from `start` on a recording store.
pub fn record(start: &Records, apdus: &[Vec<u8>]) -> Trace {
    let mut card = applet(Recorder {
        inner: memory(start),
        calls: Vec::new(),
        apdu: 0,
    });
    let mut responses = Vec::new();
    for (i, a) in apdus.iter().enumerate() {
        card.applet.storage_mut().apdu = i;
        responses.push(send(&mut card, a).1);
    }
    let mut storage = card.applet.into_platform().storage;
    let end = read_all(&mut storage.inner).expect("memory reads");
    Trace {
        calls: storage.calls,
        responses,
        end,
    }
}
