//! The contract checker judges stores rightly: an atomic, durable store passes; a store that
//! updates in two steps, one that acknowledges before the data is on the medium, and one
//! that truncates reads each fail, with a message that says why.

use std::collections::BTreeMap;

use openpgp_card_applet::{RecordId, Storage};
use openpgp_card_applet_testkit::power_loss::scenarios;
use openpgp_card_applet_testkit::storage_contract::{check, check_scenarios, Medium};

#[derive(Debug)]
struct PowerLost;

/// How a test store misbehaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flaw {
    None,
    /// A write first stores half of the new data, then the rest: two operations.
    TwoSteps,
    /// A write returns `Ok` at once and reaches the medium with the next operation.
    EarlyAck,
    /// A record longer than the buffer is read as much as fits.
    Truncates,
}

/// The medium: records in a map, one operation per change (two for `TwoSteps`).
#[derive(Clone, Debug)]
struct Image {
    records: BTreeMap<u16, Vec<u8>>,
    flaw: Flaw,
}

struct Store {
    image: Image,
    budget: Option<u64>,
    done: u64,
    pending: Option<(u16, Vec<u8>)>,
}

impl Store {
    /// One low-level operation, if power lasts.
    fn op(&mut self, apply: impl FnOnce(&mut BTreeMap<u16, Vec<u8>>)) -> Result<(), PowerLost> {
        if self.budget.is_some_and(|b| self.done >= b) {
            return Err(PowerLost);
        }
        self.done += 1;
        apply(&mut self.image.records);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), PowerLost> {
        if let Some((id, data)) = self.pending.take() {
            self.op(|r| {
                r.insert(id, data);
            })?;
        }
        Ok(())
    }
}

impl Storage for Store {
    type Error = PowerLost;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, PowerLost> {
        if self.budget.is_some_and(|b| self.done >= b) {
            return Err(PowerLost);
        }
        let value = match &self.pending {
            Some((pid, data)) if *pid == id.0 => Some(data.clone()),
            _ => self.image.records.get(&id.0).cloned(),
        };
        match value {
            None => Ok(None),
            Some(v) if v.len() <= buf.len() => {
                buf[..v.len()].copy_from_slice(&v);
                Ok(Some(v.len()))
            }
            Some(v) if self.image.flaw == Flaw::Truncates => {
                let n = buf.len();
                buf.copy_from_slice(&v[..n]);
                Ok(Some(n))
            }
            Some(_) => Err(PowerLost),
        }
    }

    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), PowerLost> {
        self.flush()?;
        match self.image.flaw {
            Flaw::TwoSteps => {
                let half = data[..data.len() / 2].to_vec();
                self.op(|r| {
                    r.insert(id.0, half);
                })?;
                self.op(|r| {
                    r.insert(id.0, data.to_vec());
                })
            }
            Flaw::EarlyAck => {
                self.pending = Some((id.0, data.to_vec()));
                Ok(())
            }
            Flaw::None | Flaw::Truncates => self.op(|r| {
                r.insert(id.0, data.to_vec());
            }),
        }
    }

    fn remove(&mut self, id: RecordId) -> Result<(), PowerLost> {
        self.flush()?;
        self.op(|r| {
            r.remove(&id.0);
        })
    }
}

impl Medium for Image {
    type Store = Store;
    fn power_on(self, budget: Option<u64>) -> Store {
        Store {
            image: self,
            budget,
            done: 0,
            pending: None,
        }
    }
    fn power_off(mut store: Store) -> Image {
        // A clean shutdown writes what was only acknowledged; after a cut that write fails
        // and the data is lost with the RAM it sat in.
        let _ = store.flush();
        store.image
    }
    fn operations(store: &Store) -> u64 {
        store.done
    }
}

fn blank(flaw: Flaw) -> Image {
    Image {
        records: BTreeMap::new(),
        flaw,
    }
}

#[test]
fn an_atomic_durable_store_passes_at_every_cut() {
    let report = check(&blank(Flaw::None), 1).expect("the contract holds");
    assert_eq!(report.scenarios, scenarios().len());
    assert!(
        report.cut_points > 2 * report.scenarios as u64,
        "{report:?}: every scenario writes"
    );
    println!("storage contract: {report:?}");
}

#[test]
fn a_store_that_writes_in_two_steps_fails() {
    let why = check(&blank(Flaw::TwoSteps), 1).expect_err("not atomic");
    assert!(
        why.contains("reads") && why.contains("expected one of"),
        "{why}"
    );
}

#[test]
fn a_store_that_acknowledges_too_early_fails() {
    // Every write is acknowledged before it reaches the medium, and flushed at a clean
    // shutdown: the semantics hold, but a scenario's acknowledged write is nowhere yet.
    let why = check(&blank(Flaw::EarlyAck), 1).expect_err("not durable");
    assert!(why.contains("not durable if power is lost now"), "{why}");
}

#[test]
fn a_store_that_truncates_reads_fails() {
    let why = check(&blank(Flaw::Truncates), 1).expect_err("truncates");
    assert!(why.contains("longer than the caller's buffer"), "{why}");
}

#[test]
fn sampling_cuts_fewer_points() {
    let some = &scenarios()[..3];
    let all = check_scenarios(&blank(Flaw::None), some, 1).expect("holds");
    let sampled = check_scenarios(&blank(Flaw::None), some, 2).expect("holds");
    assert_eq!(sampled.scenarios, 3);
    assert!(
        sampled.cut_points < all.cut_points,
        "{sampled:?} vs {all:?}"
    );
}
