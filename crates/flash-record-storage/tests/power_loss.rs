//! The applet's power-loss scenarios on the flash adapter, cut at every flash operation.
//!
//! The applet's own suite (`tests/power_loss.rs` at the repository root) cuts power between and during
//! `Storage` calls on an ideal store and proves the applet safe *given* the storage contract.
//! This suite proves the board's store keeps that contract, on the flash it really has: a
//! simulated nRF52840 NVMC (4-byte words, 4 KiB pages, NOR physics) under
//! [`FlashStorage`], cut at every word write and page erase, each applied, not applied and
//! torn; the map is then rebuilt from what the flash holds, as the device does at the next
//! power-on. For every cut point:
//!
//! 1. **contract**: every record reads back as its value after the last `Storage` call that
//!    returned `Ok`, or (for the record of the call in flight) as that call's new value:
//!    atomic, and durable once `Ok`. The flash was never misused (a word programmed twice, a
//!    0→1 bit);
//! 2. **card**: the applet on the rebuilt records shows, object by object, the old or the new
//!    value (or the scenario's documented intermediate state), its PIN counters are old, new
//!    or one try consumed, it answers GET DATA 6E and can run the scenario again without a
//!    memory error;
//! 3. **no free guess**: once the write of the decremented counter of a wrong PIN has
//!    returned `Ok` (the applet compares only after that, which its own suite checks), every
//!    cut leaves the counter decremented;
//! 4. **the store still works**: writing the scenario's final records onto the rebuilt store
//!    reads them back;
//! 5. **double faults**: where the rebuild itself writes to flash (repairing what the cut
//!    left), power is cut again at every one of those operations and the contract checked
//!    after a second rebuild.
//!
//! Each scenario runs from a freshly written card and from "worn" flashes, aged until the
//! scenario's writes close a page, move live records out of the page to be erased and erase
//! it. The applet runs once per scenario on a recording store; its calls are then replayed on
//! the flash (the applet's behaviour does not depend on how a correct store lays out its
//! flash), and every cut image is rebuilt from the replay's operation log. A second test
//! checks the replay against real cuts with the applet running on the flash, and a third
//! shows the checks catch a store that acknowledges too early or is not atomic.

mod support;

use std::collections::HashMap;
use std::ops::Range;

use flash_record_storage::FlashStorage;
use openpgp_card_applet::{RecordId, Storage};
use support::card::{self, Call, Records, Scenario, Seen, Trace};
use support::sim::{Mode, Op, SimFlash};

/// The map's flash in these tests: 4 logical pages of 8 KiB (8 NVMC pages). Smaller than
/// the board's 128 KiB, so that the scenarios change pages and erase often.
const REGION: usize = 4 * 8192;

/// A store over the simulated flash (the adapter, or a deliberately broken one).
trait Medium: Storage + Sized {
    fn open(flash: SimFlash) -> Self;
}

impl Medium for FlashStorage<SimFlash> {
    fn open(flash: SimFlash) -> Self {
        FlashStorage::new(flash, 0..REGION as u32).expect("range")
    }
}

/// A flash holding `records`, written in id order on an erased medium.
fn image_of<M: Medium>(records: &Records) -> SimFlash {
    let flash = SimFlash::new(REGION);
    let mut store = M::open(flash.clone());
    for (id, value) in records {
        store.write(RecordId(*id), value).expect("initial write");
    }
    flash
}

/// Rewrites records with their own values `steps` times (cycling through them): the flash
/// fills and wraps, the records stay the same.
fn age<M: Medium>(flash: &SimFlash, records: &Records, steps: usize) {
    let mut store = M::open(flash.clone());
    for (id, value) in records.iter().cycle().take(steps) {
        store.write(RecordId(*id), value).expect("aging write");
    }
}

/// What a scenario must leave, from the card's point of view.
struct Expect {
    old: Seen,
    new: Seen,
    intermediate: Option<Seen>,
    old_counters: Option<[u8; 3]>,
    new_counters: Option<[u8; 3]>,
    /// Per call: the records after it (index 0: before the first call).
    durable: Vec<Records>,
    /// The first call of each APDU answered 6982 or 63Cx (a wrong PIN compared).
    wrong_pin_writes: Vec<usize>,
}

fn observe(records: &Records) -> (Seen, Option<[u8; 3]>) {
    let mut card = card::applet(card::memory(records));
    let seen = card::observe(&mut card);
    let counters = card::counters(&mut card);
    (seen, counters)
}

fn expectations(start: &Records, scenario: &Scenario, trace: &Trace) -> Expect {
    let (old, old_counters) = observe(start);
    let (new, new_counters) = observe(&trace.end);
    let intermediate = scenario
        .intermediate
        .as_ref()
        .map(|apdus| observe(&card::record(start, apdus).end).0);
    let mut durable = vec![start.clone()];
    for (call, _) in &trace.calls {
        let mut next = durable.last().expect("start").clone();
        match call {
            Call::Write(id, data) => {
                next.insert(*id, data.clone());
            }
            Call::Remove(id) => {
                next.remove(id);
            }
        }
        durable.push(next);
    }
    let wrong_pin_writes = trace
        .responses
        .iter()
        .enumerate()
        .filter(|(apdu, sw)| {
            scenario
                .apdus
                .get(*apdu)
                .is_some_and(|a| card::wrong_pin(a, **sw))
        })
        .filter_map(|(apdu, _)| trace.calls.iter().position(|(_, a)| *a == apdu))
        .collect();
    Expect {
        old,
        new,
        intermediate,
        old_counters,
        new_counters,
        durable,
        wrong_pin_writes,
    }
}

/// The card-level verdict on one set of records (memoised: many cut points leave the same).
#[derive(Clone)]
struct Verdict {
    violations: Vec<String>,
    counters: Option<[u8; 3]>,
}

fn judge(records: &Records, scenario: &Scenario, expect: &Expect) -> Verdict {
    let mut violations = Vec::new();
    let (seen, counters) = observe(records);
    let documented = expect.intermediate.as_ref() == Some(&seen);
    for ((name, value, sw), ((_, old_v, old_sw), (_, new_v, new_sw))) in
        seen.iter().zip(expect.old.iter().zip(expect.new.iter()))
    {
        let is_old = value == old_v && sw == old_sw;
        let is_new = value == new_v && sw == new_sw;
        if !is_old && !is_new && !documented && name != "DO 00C4" {
            violations.push(format!("{name} is neither old nor new (SW {sw:04X})"));
        }
    }
    if let (Some(now), Some(before)) = (counters, expect.old_counters) {
        for i in 0..3 {
            let allowed = [
                Some(before[i]),
                expect.new_counters.map(|c| c[i]),
                before[i].checked_sub(1),
            ];
            if !allowed.contains(&Some(now[i])) {
                violations.push(format!("counter {i} is {} (was {})", now[i], before[i]));
            }
        }
    }
    let mut card = card::applet(card::memory(records));
    let (_, sw) = card::send(&mut card, &card::hex("00CA006E00"));
    if sw != 0x9000 && sw != 0x6285 && sw >> 8 != 0x61 {
        violations.push(format!("GET DATA 6E answers {sw:04X}"));
    }
    let again = card::run(&mut card, &scenario.apdus);
    if again.contains(&0x6581) {
        violations.push(format!("the scenario again answers {again:04X?}"));
    }
    Verdict {
        violations,
        counters,
    }
}

/// The outcome of one scenario's cuts.
#[derive(Default)]
struct Report {
    cut_points: usize,
    double_cut_points: usize,
    violations: Vec<String>,
}

/// Checks the records a rebuilt store shows against the contract: each is its value after
/// the last completed call (`done` calls completed), or for the call in flight its new value.
fn contract(records: &Records, expect: &Expect, trace: &Trace, done: usize) -> Vec<String> {
    let durable = &expect.durable[done];
    let pending = trace.calls.get(done).map(|(call, _)| call);
    let mut ids: Vec<u16> = durable.keys().chain(records.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut violations = Vec::new();
    for id in ids {
        let got = records.get(&id).map(Vec::as_slice);
        if got == durable.get(&id).map(Vec::as_slice) {
            continue;
        }
        if pending.is_some_and(|call| call.id() == id && call.value() == got) {
            continue;
        }
        violations.push(format!(
            "record {id:#04x} is neither its durable value nor the one being written \
             ({} completed calls; got {:?} bytes, durable {:?})",
            done,
            got.map(<[u8]>::len),
            durable.get(&id).map(Vec::len)
        ));
    }
    violations
}

/// Rebuilds the store from `flash` (a power-on) and reads every record.
fn rebuild<M: Medium>(flash: &SimFlash) -> (M, Result<Records, String>) {
    let mut store = M::open(flash.clone());
    let records = card::read_all(&mut store);
    (store, records)
}

struct Run<'a> {
    scenario: &'a Scenario,
    trace: &'a Trace,
    expect: &'a Expect,
    verdicts: HashMap<Records, Verdict>,
}

impl Run<'_> {
    /// Every check on one image, `done` calls completed.
    fn check<M: Medium>(
        &mut self,
        image: &SimFlash,
        done: usize,
        label: &str,
        report: &mut Report,
    ) {
        let pre = image.fork();
        image.record();
        let (mut store, records) = rebuild::<M>(image);
        let repairs = image.log();
        let mut fail = |what: String| report.violations.push(format!("{label}: {what}"));
        for misuse in image.violations() {
            fail(format!("flash misuse: {misuse}"));
        }
        let records = match records {
            Ok(records) => records,
            Err(e) => {
                fail(format!("rebuild failed: {e}"));
                return;
            }
        };
        for v in contract(&records, self.expect, self.trace, done) {
            fail(v);
        }
        let verdict = self
            .verdicts
            .entry(records.clone())
            .or_insert_with(|| judge(&records, self.scenario, self.expect))
            .clone();
        for v in verdict.violations {
            fail(v);
        }
        // No free guess: the wrong PIN's decrement, once acknowledged, is on the flash.
        if let (Some(now), Some(before), Some(new)) = (
            verdict.counters,
            self.expect.old_counters,
            self.expect.new_counters,
        ) {
            for &write in &self.expect.wrong_pin_writes {
                if done > write {
                    for i in (0..3).filter(|&i| new[i] < before[i] && now[i] >= before[i]) {
                        fail(format!(
                            "free guess: a wrong PIN was compared but counter {i} is still {}",
                            now[i]
                        ));
                    }
                }
            }
        }
        // The store still works: bring it to the scenario's end state.
        let end = &self.trace.end;
        let result = (|| -> Result<Records, String> {
            for id in records.keys().chain(end.keys()) {
                match end.get(id) {
                    Some(v) if records.get(id) != Some(v) => store.write(RecordId(*id), v),
                    None if records.contains_key(id) => store.remove(RecordId(*id)),
                    _ => Ok(()),
                }
                .map_err(|e| format!("{e:?}"))?;
            }
            card::read_all(&mut store)
        })();
        match result {
            Ok(r) if &r == end => {}
            Ok(_) => fail(String::from(
                "after writing the end state the records differ",
            )),
            Err(e) => fail(format!("writing after the rebuild failed: {e}")),
        }
        // Double faults: cut the repair itself.
        for (r, _) in repairs.iter().enumerate() {
            for mode in Mode::ALL {
                report.double_cut_points += 1;
                let second = pre.fork();
                second.arm(r, mode);
                let _ = rebuild::<M>(&second);
                let (_, records) = rebuild::<M>(&second.fork());
                match records {
                    Ok(records) => {
                        for v in contract(&records, self.expect, self.trace, done) {
                            report
                                .violations
                                .push(format!("{label} + repair op {r} {mode:?}: {v}"));
                        }
                    }
                    Err(e) => report.violations.push(format!(
                        "{label} + repair op {r} {mode:?}: rebuild failed: {e}"
                    )),
                }
            }
        }
    }
}

/// Replays the trace's calls on `flash`; returns the operation log and each call's range in it.
fn replay<M: Medium>(
    flash: &SimFlash,
    trace: &Trace,
) -> Result<(Vec<Op>, Vec<Range<usize>>), String> {
    flash.record();
    let mut store = M::open(flash.clone());
    let mut ranges = Vec::new();
    for (call, _) in &trace.calls {
        let before = flash.logged();
        call.apply(&mut store)
            .map_err(|e| format!("{call:?}: {e:?}"))?;
        ranges.push(before..flash.logged());
    }
    Ok((flash.log(), ranges))
}

/// Cuts one scenario at every operation of its replay from `start`.
fn cut_everywhere<M: Medium>(
    scenario: &Scenario,
    trace: &Trace,
    expect: &Expect,
    start: &SimFlash,
    image_name: &str,
    report: &mut Report,
) {
    let mut run = Run {
        scenario,
        trace,
        expect,
        verdicts: HashMap::new(),
    };
    let replayed = start.fork();
    let (ops, ranges) = match replay::<M>(&replayed, trace) {
        Ok(x) => x,
        Err(e) => {
            report.violations.push(format!(
                "{} [{image_name}]: replay failed: {e}",
                scenario.name
            ));
            return;
        }
    };
    // The end state: every call completed.
    let end_label = format!("{} [{image_name}] / end", scenario.name);
    run.check::<M>(&replayed.fork(), trace.calls.len(), &end_label, report);

    let running = start.fork();
    for (j, op) in ops.iter().enumerate() {
        let call = ranges
            .iter()
            .position(|r| r.contains(&j))
            .expect("every operation belongs to a call");
        for &mode in Mode::for_op(op) {
            report.cut_points += 1;
            let image = running.fork();
            image.apply(op, mode);
            let label = format!(
                "{} [{image_name}] / op {j} of {} ({}) {mode:?}",
                scenario.name,
                ops.len(),
                match op {
                    Op::Write { offset, .. } => format!("write {offset:#x}"),
                    Op::Erase { offset } => format!("erase {offset:#x}"),
                }
            );
            run.check::<M>(&image, call, &label, report);
        }
        running.apply(op, Mode::Applied);
    }
}

/// Starting flashes for a scenario: the card freshly written, and aged flashes on which the
/// scenario's writes erase a page (one per call that can be made to hit the erase).
fn starts<M: Medium>(records: &Records, trace: &Trace) -> Vec<(String, SimFlash)> {
    let fresh = image_of::<M>(records);
    let mut starts = vec![(String::from("fresh"), fresh.clone())];
    let aged = fresh.fork();
    let mut hit_calls = Vec::new();
    for step in 1..=1500 {
        age::<M>(&aged, records, 1);
        let probe = aged.fork();
        let Ok((ops, ranges)) = replay::<M>(&probe, trace) else {
            continue;
        };
        let Some(first_erase) = ops.iter().position(|op| matches!(op, Op::Erase { .. })) else {
            continue;
        };
        let call = ranges
            .iter()
            .position(|r| r.contains(&first_erase))
            .expect("call");
        if !hit_calls.contains(&call) {
            hit_calls.push(call);
            starts.push((format!("aged {step}, erase in call {call}"), aged.fork()));
            if hit_calls.len() == 2 {
                break;
            }
        }
    }
    starts
}

fn run_all<M: Medium>(scenarios: &[Scenario]) -> Report {
    let start = card::personalised();
    let mut report = Report::default();
    for scenario in scenarios {
        let trace = card::record(&start, &scenario.apdus);
        let expect = expectations(&start, scenario, &trace);
        let before = report.cut_points;
        for (name, image) in starts::<M>(&start, &trace) {
            cut_everywhere::<M>(scenario, &trace, &expect, &image, &name, &mut report);
        }
        eprintln!(
            "{:<48} {:>3} calls {:>6} cut points",
            scenario.name,
            trace.calls.len(),
            report.cut_points - before
        );
    }
    report
}

/// The scenarios of one part of the suite (split in two so that both cores work), optionally
/// filtered by a substring of their name in `POWER_LOSS_FILTER`.
fn part(index: usize) -> Vec<Scenario> {
    let filter = std::env::var("POWER_LOSS_FILTER").unwrap_or_default();
    card::scenarios()
        .into_iter()
        .enumerate()
        .filter(|(i, s)| i % 2 == index && s.name.contains(filter.as_str()))
        .map(|(_, s)| s)
        .collect()
}

fn every_cut(index: usize) {
    let scenarios = part(index);
    let t = std::time::Instant::now();
    let report = run_all::<FlashStorage<SimFlash>>(&scenarios);
    eprintln!(
        "flash power-loss (part {index}): {} scenarios, {} cut points, {} double-fault cut points, {:.1} s",
        scenarios.len(),
        report.cut_points,
        report.double_cut_points,
        t.elapsed().as_secs_f64()
    );
    if std::env::var_os("POWER_LOSS_FILTER").is_none() {
        assert!(
            report.cut_points > 10_000,
            "only {} cut points",
            report.cut_points
        );
    }
    assert!(
        report.violations.is_empty(),
        "{} violations:\n{}",
        report.violations.len(),
        report.violations[..report.violations.len().min(40)].join("\n")
    );
}

#[test]
fn every_flash_cut_leaves_an_acceptable_card_part_0() {
    every_cut(0);
}

#[test]
fn every_flash_cut_leaves_an_acceptable_card_part_1() {
    every_cut(1);
}

/// The replay is what really happens: the applet running on the flash with a real cut at every
/// operation leaves the same bytes as the replayed cut, and no wrong PIN is ever answered
/// (6982 or 63Cx) without its decrement surviving the cut.
#[test]
fn real_cuts_match_the_replay_and_never_answer_a_wrong_pin_for_free() {
    let start = card::personalised();
    let mut checked = 0;
    let mut violations = Vec::new();
    // The PIN commands whose comparison a host sees (wrong and right), and those that write
    // both the retry counters record and the security record; the others' calls are replayed
    // the same way, and running them for real costs minutes of crypto.
    let pin_scenarios = card::scenarios().into_iter().filter(|s| {
        [
            "VERIFY 81 wrong",
            "VERIFY 83 right",
            "CHANGE REFERENCE DATA PW3 wrong",
            "RESET RETRY COUNTER with RC wrong",
            "CHANGE REFERENCE DATA PW1",
            "RESET RETRY COUNTER with RC",
            "SET PIN RETRIES",
        ]
        .contains(&s.name)
    });
    for scenario in pin_scenarios {
        let trace = card::record(&start, &scenario.apdus);
        let expect = expectations(&start, &scenario, &trace);
        for (name, image) in starts::<FlashStorage<SimFlash>>(&start, &trace) {
            let replayed = image.fork();
            let (ops, _) = replay::<FlashStorage<SimFlash>>(&replayed, &trace).expect("replay");
            // Uncut, the applet on the flash ends where the replay ends.
            let flash = image.fork();
            let mut applet = card::applet(FlashStorage::open(flash.clone()));
            card::run(&mut applet, &scenario.apdus);
            drop(applet);
            assert!(
                flash.image() == replayed.image(),
                "{} [{name}]: uncut run",
                scenario.name
            );
            let running = image.fork();
            for (j, op) in ops.iter().enumerate() {
                for &mode in Mode::for_op(op) {
                    checked += 1;
                    let label = format!("{} [{name}] / op {j} {mode:?}", scenario.name);
                    let flash = image.fork();
                    flash.arm(j, mode);
                    let mut applet = card::applet(FlashStorage::open(flash.clone()));
                    let responses = card::run(&mut applet, &scenario.apdus);
                    drop(applet);
                    let expected = running.fork();
                    expected.apply(op, mode);
                    if flash.image() != expected.image() {
                        violations.push(format!("{label}: the real cut differs from the replay"));
                    }
                    let (_, records) = rebuild::<FlashStorage<SimFlash>>(&flash.fork());
                    let Ok(records) = records else {
                        violations.push(format!("{label}: rebuild failed"));
                        continue;
                    };
                    let (_, now) = observe(&records);
                    let answered_wrong = scenario
                        .apdus
                        .iter()
                        .zip(&responses)
                        .any(|(apdu, &sw)| card::wrong_pin(apdu, sw));
                    if let (true, Some(now), Some(before), Some(new)) = (
                        answered_wrong,
                        now,
                        expect.old_counters,
                        expect.new_counters,
                    ) {
                        for i in (0..3).filter(|&i| new[i] < before[i] && now[i] >= before[i]) {
                            violations.push(format!(
                                "{label}: answered a wrong PIN but counter {i} is still {}",
                                now[i]
                            ));
                        }
                    }
                }
                running.apply(op, Mode::Applied);
            }
        }
    }
    eprintln!("real cuts: {checked} cut points compared with the replay");
    assert!(checked > 1_000, "only {checked}");
    assert!(
        violations.is_empty(),
        "{}",
        violations[..violations.len().min(40)].join("\n")
    );
}

/// A store that acknowledges a write before it is on the flash (it writes it at the next
/// call): not durable on `Ok`.
struct Lazy {
    inner: FlashStorage<SimFlash>,
    pending: Option<Call>,
}

impl Medium for Lazy {
    fn open(flash: SimFlash) -> Self {
        Lazy {
            inner: FlashStorage::open(flash),
            pending: None,
        }
    }
}

impl Lazy {
    fn flush(&mut self) -> Result<(), String> {
        match self.pending.take() {
            Some(call) => call.apply(&mut self.inner).map_err(|e| format!("{e:?}")),
            None => Ok(()),
        }
    }
}

impl Storage for Lazy {
    type Error = String;
    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, String> {
        match &self.pending {
            Some(call) if call.id() == id.0 => Ok(call.value().map(|v| {
                buf[..v.len()].copy_from_slice(v);
                v.len()
            })),
            _ => self.inner.read(id, buf).map_err(|e| format!("{e:?}")),
        }
    }
    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), String> {
        self.flush()?;
        self.pending = Some(Call::Write(id.0, data.to_vec()));
        Ok(())
    }
    fn remove(&mut self, id: RecordId) -> Result<(), String> {
        self.flush()?;
        self.pending = Some(Call::Remove(id.0));
        Ok(())
    }
}

/// A store that keeps a record as two items (its halves): not atomic.
struct Split(FlashStorage<SimFlash>);

impl Medium for Split {
    fn open(flash: SimFlash) -> Self {
        Split(FlashStorage::open(flash))
    }
}

impl Storage for Split {
    type Error = String;
    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, String> {
        let e = |e| format!("{e:?}");
        let Some(a) = self.0.read(id, buf).map_err(e)? else {
            return Ok(None);
        };
        let b = self
            .0
            .read(RecordId(id.0 | 0x4000), &mut buf[a..])
            .map_err(e)?
            .unwrap_or(0);
        Ok(Some(a + b))
    }
    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), String> {
        let (a, b) = data.split_at(data.len() / 2);
        let e = |e| format!("{e:?}");
        self.0.write(id, a).map_err(e)?;
        self.0.write(RecordId(id.0 | 0x4000), b).map_err(e)
    }
    fn remove(&mut self, id: RecordId) -> Result<(), String> {
        let e = |e| format!("{e:?}");
        self.0.remove(id).map_err(e)?;
        self.0.remove(RecordId(id.0 | 0x4000)).map_err(e)
    }
}

/// The checks have teeth: a store that acknowledges early gives free PIN guesses, and one that
/// is not atomic leaves records that are neither old nor new.
#[test]
fn the_checks_catch_a_broken_store() {
    let named = |name: &str| {
        card::scenarios()
            .into_iter()
            .filter(|s| s.name == name)
            .collect::<Vec<_>>()
    };
    let lazy = run_all::<Lazy>(&named("VERIFY 81 wrong"));
    assert!(
        lazy.violations.iter().any(|v| v.contains("free guess")),
        "{:?}",
        &lazy.violations[..lazy.violations.len().min(5)]
    );
    let split = run_all::<Split>(&named("PUT DATA name"));
    assert!(
        split.violations.iter().any(|v| v.contains("neither")),
        "{:?}",
        &split.violations[..split.violations.len().min(5)]
    );
}
