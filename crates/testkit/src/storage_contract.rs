//! The [`Storage`] contract, checked on a new implementation: what a firmware author runs
//! on the host against a simulation of their medium before trusting it with keys.
//!
//! The applet builds every multi-record update on three promises of its store (see
//! [`Storage`]): a write or removal is **atomic** (after a power loss the record is wholly old
//! or wholly new), a call that returned `Ok` is **durable**, and records up to
//! [`MAX_RECORD_LEN`] bytes round-trip. [`check`] tests them the only way that counts, by
//! losing power:
//!
//! 1. **semantics**: absent records, sizes 0 to [`MAX_RECORD_LEN`], overwrite with shorter
//!    data, removal, a buffer too small (an error, not a truncated read), durability across a
//!    clean power cycle;
//! 2. **every cut**: each scenario of [`power_loss::scenarios`] (PIN checks, PIN changes, key
//!    generation and import, PUT DATA, factory reset, ...) runs on a personalised card whose
//!    store loses power after 0, 1, 2, ... low-level operations of the medium (or every
//!    `every`-th one). The medium is then powered on again and every record must read as its
//!    value after the last call that returned `Ok`, or as the value of the one call in flight;
//! 3. **the card**: the applet on the recovered store answers SELECT and GET DATA 6E without
//!    a memory error (6581), and runs the scenario again without one. (Which old or new
//!    state the card then shows is the applet's business, proven by its own power-loss
//!    suite on an ideal store; this checker proves the store is one.)
//!
//! What the medium is and what an "operation" is belong to the implementation: a word write
//! or page erase of NOR flash, a sector write of an EEPROM, one call of a driver. The author
//! gives the checker a [`Medium`]: a cloneable image of the device's memory that can be
//! powered on with a budget of operations, after which every operation fails (the
//! microcontroller stopped) and nothing more reaches the medium. The simulation should apply
//! the operation that exhausts the budget in each of the ways the real part can leave it (not
//! at all, fully, torn); `flash-record-storage`'s tests show such a NOR flash.
//!
//! This does not replace a proof against the real part's physics; it catches the usual
//! mistakes (acknowledging before the data is programmed, updating in place, a commit marker
//! written before the data, recovery that trusts a half-written item) in seconds.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use openpgp_card_applet::platform::MAX_RECORD_LEN;
use openpgp_card_applet::{Config, RecordId, Storage};

use crate::client::Card;
use crate::power_loss::{self, Scenario};

/// A medium the checker can lose power on: an image of the device's persistent memory.
pub trait Medium: Clone {
    /// The store under test, opened on the medium.
    type Store: Storage;
    /// Power-on: the store opened on this image (recovering whatever a cut left, as the device
    /// does at boot). After `budget` low-level operations (`None`: no limit) power is lost:
    /// every further operation fails and changes nothing.
    fn power_on(self, budget: Option<u64>) -> Self::Store;
    /// Power-off: the image as the store left it.
    fn power_off(store: Self::Store) -> Self;
    /// How many low-level operations the store has performed since power-on.
    fn operations(store: &Self::Store) -> u64;
}

/// What [`check`] exercised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Report {
    /// Scenarios run.
    pub scenarios: usize,
    /// Power cuts made and judged.
    pub cut_points: u64,
}

/// One record change the applet asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Call {
    id: RecordId,
    /// The new content, or `None` for a removal.
    value: Option<Vec<u8>>,
    ok: bool,
}

/// The store under test, with every mutating call recorded.
struct Recorder<S> {
    inner: S,
    calls: Vec<Call>,
}

impl<S: Storage> Storage for Recorder<S> {
    type Error = S::Error;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        self.inner.read(id, buf)
    }

    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), Self::Error> {
        let result = self.inner.write(id, data);
        self.calls.push(Call {
            id,
            value: Some(data.to_vec()),
            ok: result.is_ok(),
        });
        result
    }

    fn remove(&mut self, id: RecordId) -> Result<(), Self::Error> {
        let result = self.inner.remove(id);
        self.calls.push(Call {
            id,
            value: None,
            ok: result.is_ok(),
        });
        result
    }
}

type Records = BTreeMap<RecordId, Vec<u8>>;

fn read_all<S: Storage>(store: &mut S, ids: &[RecordId]) -> Result<Records, String> {
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let mut records = Records::new();
    for &id in ids {
        match store.read(id, &mut buf) {
            Ok(Some(len)) => {
                let data = buf
                    .get(..len)
                    .ok_or(format!("record {id:?}: length {len}"))?;
                records.insert(id, data.to_vec());
            }
            Ok(None) => {}
            Err(error) => return Err(format!("record {id:?} unreadable: {error:?}")),
        }
    }
    Ok(records)
}

/// Checks the contract on `blank` (an erased medium, as a device leaves the factory): the
/// semantics, then every scenario of [`power_loss::scenarios`] cut after every `every`-th
/// operation (1: all of them). Returns what was exercised, or the first violation found.
pub fn check<M: Medium>(blank: &M, every: u64) -> Result<Report, String> {
    check_scenarios(blank, &power_loss::scenarios(), every)
}

/// [`check`] with a chosen list of scenarios (a subset, to keep a slow simulation quick).
pub fn check_scenarios<M: Medium>(
    blank: &M,
    scenarios: &[Scenario],
    every: u64,
) -> Result<Report, String> {
    semantics(blank)?;
    let mut report = Report::default();
    let start = personalised(blank)?;
    for scenario in scenarios {
        report.cut_points += cut_everywhere(&start, scenario, every.max(1))
            .map_err(|why| format!("{}: {why}", scenario.name))?;
        report.scenarios += 1;
    }
    Ok(report)
}

/// The store on its own: what every correct store does without a power cut.
fn semantics<M: Medium>(blank: &M) -> Result<(), String> {
    let a = RecordId(0x7001);
    let b = RecordId(0x7002);
    let mut store = blank.clone().power_on(None);
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let expect = |store: &mut M::Store, id, want: Option<&[u8]>, what: &str| {
        let mut buf = vec![0u8; MAX_RECORD_LEN];
        let got = store
            .read(id, &mut buf)
            .map_err(|e| format!("{what}: read failed: {e:?}"))?;
        let got = got.map(|len| buf.get(..len).unwrap_or(&[]).to_vec());
        if got.as_deref() == want {
            Ok(())
        } else {
            Err(format!("{what}: read {got:?}, expected {want:?}"))
        }
    };
    expect(&mut store, a, None, "a blank medium")?;
    let full: Vec<u8> = (0..MAX_RECORD_LEN).map(|i| (i * 31 + 7) as u8).collect();
    for (value, what) in [
        (&[][..], "an empty record"),
        (&[0x42][..], "a 1-byte record"),
        (&full[..], "a record of MAX_RECORD_LEN bytes"),
        (&full[..100], "overwritten with a shorter record"),
    ] {
        store
            .write(a, value)
            .map_err(|e| format!("{what}: write failed: {e:?}"))?;
        expect(&mut store, a, Some(value), what)?;
    }
    store
        .write(b, b"other")
        .map_err(|e| format!("a second record: {e:?}"))?;
    expect(
        &mut store,
        a,
        Some(&full[..100]),
        "a record next to another",
    )?;
    if store.read(a, &mut buf[..99]).is_ok() {
        return Err(String::from(
            "a record longer than the caller's buffer must be an error, not a truncated read",
        ));
    }
    store.remove(a).map_err(|e| format!("remove: {e:?}"))?;
    expect(&mut store, a, None, "a removed record")?;
    store
        .remove(a)
        .map_err(|e| format!("removing an absent record must succeed: {e:?}"))?;
    store
        .write(a, b"durable")
        .map_err(|e| format!("write: {e:?}"))?;
    let mut store = M::power_off(store).power_on(None);
    expect(&mut store, a, Some(b"durable"), "after a clean power cycle")?;
    expect(&mut store, b, Some(b"other"), "after a clean power cycle")?;
    Ok(())
}

/// A blank medium with the power-loss proofs' personalisation on it.
fn personalised<M: Medium>(blank: &M) -> Result<M, String> {
    let store = Recorder {
        inner: blank.clone().power_on(None),
        calls: Vec::new(),
    };
    let mut card = Card::from_storage(Config::default(), store);
    power_loss::personalise(&mut card);
    let store = card.into_storage();
    if let Some(call) = store.calls.iter().find(|call| !call.ok) {
        return Err(format!(
            "personalisation: a call failed without a cut: {call:?}"
        ));
    }
    Ok(M::power_off(store.inner))
}

/// Runs `apdus` on a card over `store`; returns the store and the status words.
fn run<S: Storage>(store: S, apdus: &[Vec<u8>]) -> (S, Vec<u16>) {
    let mut card = Card::from_storage(Config::default(), store);
    let answers = apdus.iter().map(|apdu| card.raw(apdu).sw).collect();
    (card.into_storage(), answers)
}

/// The acceptable contents of each record after a cut during `calls`: the value after the
/// last call that returned `Ok`, or the value of the first call that did not (in flight).
fn acceptable(start: &Records, calls: &[Call]) -> BTreeMap<RecordId, Vec<Option<Vec<u8>>>> {
    let mut state: BTreeMap<RecordId, Option<Vec<u8>>> =
        start.iter().map(|(id, v)| (*id, Some(v.clone()))).collect();
    let mut in_flight: Option<&Call> = None;
    for call in calls {
        if call.ok {
            state.insert(call.id, call.value.clone());
            if in_flight.is_some_and(|f| f.id == call.id) {
                in_flight = None;
            }
        } else if in_flight.is_none() {
            in_flight = Some(call);
        }
    }
    let mut out: BTreeMap<RecordId, Vec<Option<Vec<u8>>>> =
        state.into_iter().map(|(id, v)| (id, vec![v])).collect();
    if let Some(call) = in_flight {
        out.entry(call.id)
            .or_insert_with(|| vec![None])
            .push(call.value.clone());
    }
    out
}

fn cut_everywhere<M: Medium>(start: &M, scenario: &Scenario, every: u64) -> Result<u64, String> {
    // The uncut run: how many operations the scenario takes, and which records it touches.
    let ids = applet_ids();
    let initial = read_all(&mut start.clone().power_on(None), &ids)?;
    let store = start.clone().power_on(None);
    let (store, _) = run(
        Recorder {
            inner: store,
            calls: Vec::new(),
        },
        &scenario.apdus,
    );
    let total = M::operations(&store.inner);
    if store.calls.iter().any(|c| c.ok) && total == 0 {
        return Err(String::from(
            "calls returned Ok without any operation on the medium: not durable if power is \
             lost now (or the medium does not count its operations)",
        ));
    }
    if let Some(call) = store.calls.iter().find(|c| !ids.contains(&c.id)) {
        return Err(format!(
            "the applet wrote a record id the checker does not know: {:?}",
            call.id
        ));
    }
    let mut cuts = 0;
    let mut budget = 0;
    while budget < total {
        let (cut, _) = run(
            Recorder {
                inner: start.clone().power_on(Some(budget)),
                calls: Vec::new(),
            },
            &scenario.apdus,
        );
        let allowed = acceptable(&initial, &cut.calls);
        let mut recovered = M::power_off(cut.inner).power_on(None);
        let records = read_all(&mut recovered, &ids)
            .map_err(|why| format!("cut after {budget} operations: {why}"))?;
        for id in &ids {
            let got = records.get(id).cloned();
            let options = allowed.get(id).cloned().unwrap_or_else(|| vec![None]);
            if !options.contains(&got) {
                return Err(format!(
                    "cut after {budget} of {total} operations: record {id:?} reads {}, \
                     expected one of {}",
                    describe(&got),
                    options
                        .iter()
                        .map(describe)
                        .collect::<Vec<_>>()
                        .join(" or "),
                ));
            }
        }
        let mut card = Card::from_storage(Config::default(), recovered);
        for (what, sw) in [
            ("SELECT", card.select().sw),
            ("GET DATA 6E", card.get_data(0x6E).sw),
        ] {
            // 6285 (terminated) is a state a cut during TERMINATE may leave; 6581 is a
            // record the applet cannot read or decode.
            if sw == 0x6581 {
                return Err(format!(
                    "cut after {budget} operations: {what} answers 6581 on the recovered card"
                ));
            }
        }
        let store = card.into_storage();
        let (_, again) = run(store, &scenario.apdus);
        if again.contains(&0x6581) {
            return Err(format!(
                "cut after {budget} operations: the scenario run again meets 6581"
            ));
        }
        cuts += 1;
        budget += every;
    }
    Ok(cuts)
}

/// Every id the applet uses, and the semantics check's two.
fn applet_ids() -> Vec<RecordId> {
    RecordId::ALL
        .into_iter()
        .chain(RecordId::FIRMWARE)
        .chain([RecordId(0x7001), RecordId(0x7002)])
        .collect()
}

fn describe(value: &Option<Vec<u8>>) -> String {
    match value {
        None => String::from("absent"),
        Some(v) => format!(
            "{} bytes {:02X?}…",
            v.len(),
            v.get(..8.min(v.len())).unwrap_or(&[])
        ),
    }
}
