//! The applet side of the power-loss tests: the personalised starting card, the
//! state-changing scenarios and what a host can observe. The scenarios and observations are
//! those of the applet's own suite (`tests/power_loss.rs` in the core crate), driven
//! through the public API only; the observer and the personalisation are the test kit's.

use std::collections::BTreeMap;

use openpgp_card_applet::{Config, RecordId, Storage};
pub use openpgp_card_applet_testkit::power_loss::{scenarios, Scenario, Seen};
pub use openpgp_card_applet_testkit::{hex, Card};
use openpgp_card_applet_testkit::{power_loss, MemoryStorage};

/// Records by id: what a store holds, as the applet sees it.
pub type Records = BTreeMap<u16, Vec<u8>>;

/// Every id the applet uses (and so every id a check reads back).
pub fn ids() -> impl Iterator<Item = RecordId> {
    RecordId::ALL.into_iter().chain(RecordId::FIRMWARE)
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

/// The starting card of the core suite: the test kit's personalisation (Ed25519 SIG, RSA-2048
/// DEC generated on the card, P-256 AUT, cardholder data, a URL, a certificate, a Resetting
/// Code, UIF on DEC, two signatures counted).
pub fn personalised() -> Records {
    let mut card = applet(MemoryStorage::new());
    power_loss::personalise(&mut card);
    let mut storage = card.into_storage();
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

/// Runs APDUs; returns their status words.
/// Whether `sw`, the answer to `apdu`, tells the host a PIN was wrong: 6982 (the default
/// `Config::wrong_pin_status`) or 63Cx, from a PIN command (VERIFY, CHANGE REFERENCE DATA,
/// RESET RETRY COUNTER; 6982 means something else for the others).
pub fn wrong_pin(apdu: &[u8], sw: u16) -> bool {
    matches!(apdu.get(1), Some(0x20 | 0x24 | 0x2C)) && (sw == 0x6982 || sw & 0xFFF0 == 0x63C0)
}

pub fn run<S: Storage>(card: &mut Card<S>, apdus: &[Vec<u8>]) -> Vec<u16> {
    apdus.iter().map(|a| send(card, a).1).collect()
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
        card.storage_mut().apdu = i;
        responses.push(send(&mut card, a).1);
    }
    let mut storage = card.into_storage();
    let end = read_all(&mut storage.inner).expect("memory reads");
    Trace {
        calls: storage.calls,
        responses,
        end,
    }
}
