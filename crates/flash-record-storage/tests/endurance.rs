//! Flash endurance: how many operations a card performs before the first erase page of its
//! record store reaches the flash's rated erase cycles (BENCHMARKS.md, "Flash endurance").
//!
//! The simulation has two halves:
//! 1. **What an operation writes.** The applet runs each workload on a worst-case card (three
//!    RSA-4096 keys, three certificates at their maximum length, every DO written, KDF on with
//!    SHA-512 and the longest salts) over a store that logs every record write and removal:
//!    the operation's *write pattern* (which records, how many bytes). The pattern is exactly
//!    what the applet does; only the values differ between repetitions, never the sizes.
//! 2. **What the flash does with it.** [`FlashStorage`] over a NOR flash in RAM that counts
//!    the erases of every physical page, holding the worst-case card's records, replays the
//!    pattern until the first page reaches [`RATED_CYCLES`] (or, in `cargo test`, a smaller
//!    milestone from which the steady-state rate is projected linearly: sequential-storage
//!    fills and erases the pages of its range in a ring, so past the first lap every lap costs
//!    the same).
//!
//! `cargo test` runs each workload to [`QUICK_MILESTONE`] erases of the first page; the whole
//! count runs with `ENDURANCE_FULL=1 cargo test --release -p flash-record-storage --test
//! endurance -- --nocapture` (a few minutes), which prints the table of BENCHMARKS.md.

use std::cell::RefCell;
use std::rc::Rc;

use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};
use flash_record_storage::FlashStorage;
use openpgp_card_applet::platform::MAX_RECORD_LEN;
use openpgp_card_applet::{Config, RecordId, Storage};
use openpgp_card_applet_testkit::{assert_sw, Card, MemoryStorage};

/// The erase cycles a page of internal NOR flash is rated for (the nRF52840's NVMC: 10,000).
const RATED_CYCLES: u32 = 10_000;
/// How far `cargo test` drives the first page before projecting.
const QUICK_MILESTONE: u32 = 20;
/// Physical erase page and write word of the nRF52840 (and of the QEMU firmware's flash).
const PAGE: usize = 4096;
const WORD: usize = 4;
/// The goal (issue 37): ten years at 1,000 signatures a day and at 5,000 SSH
/// authentications a day.
const SIGNATURES_PER_DAY: f64 = 1_000.0;
const AUTHENTICATIONS_PER_DAY: f64 = 5_000.0;

// ---------------------------------------------------------------------------------------------
// The flash

/// NOR flash in RAM that counts what wears it: erases per physical page, bytes programmed.
struct WearFlash {
    memory: Vec<u8>,
    erases: Vec<u32>,
    programmed: u64,
}

#[derive(Debug, Clone, Copy)]
struct WearError;

impl NorFlashError for WearError {
    fn kind(&self) -> NorFlashErrorKind {
        NorFlashErrorKind::Other
    }
}

impl WearFlash {
    fn new(capacity: usize) -> WearFlash {
        WearFlash {
            memory: vec![0xFF; capacity],
            erases: vec![0; capacity / PAGE],
            programmed: 0,
        }
    }
}

/// The flash is shared: the store owns one handle, the simulation reads the counters through
/// the other.
#[derive(Clone)]
struct Shared(Rc<RefCell<WearFlash>>);

impl ErrorType for Shared {
    type Error = WearError;
}

impl ReadNorFlash for Shared {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), WearError> {
        let flash = self.0.borrow();
        let start = offset as usize;
        let src = flash
            .memory
            .get(start..start + bytes.len())
            .ok_or(WearError)?;
        bytes.copy_from_slice(src);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.0.borrow().memory.len()
    }
}

impl NorFlash for Shared {
    const WRITE_SIZE: usize = WORD;
    const ERASE_SIZE: usize = PAGE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), WearError> {
        let mut flash = self.0.borrow_mut();
        let (from, to) = (from as usize, to as usize);
        if !from.is_multiple_of(PAGE) || !to.is_multiple_of(PAGE) || to > flash.memory.len() {
            return Err(WearError);
        }
        flash.memory[from..to].fill(0xFF);
        for page in from / PAGE..to / PAGE {
            flash.erases[page] += 1;
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), WearError> {
        let mut flash = self.0.borrow_mut();
        let start = offset as usize;
        if !start.is_multiple_of(WORD) || !bytes.len().is_multiple_of(WORD) {
            return Err(WearError);
        }
        let dst = flash
            .memory
            .get_mut(start..start + bytes.len())
            .ok_or(WearError)?;
        // NOR physics: programming only clears bits, and a word is programmed once per erase.
        for (word, new) in dst.chunks_mut(WORD).zip(bytes.chunks(WORD)) {
            assert!(word.iter().all(|&b| b == 0xFF), "word programmed twice");
            word.copy_from_slice(new);
        }
        flash.programmed += bytes.len() as u64;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The applet's write patterns

/// One record change.
#[derive(Clone, Debug)]
enum Change {
    Write(RecordId, Vec<u8>),
    Remove(RecordId),
}

/// A store that logs every change it is asked for; shared, so that a power cycle (a new card on
/// the same store) keeps its records and its log.
#[derive(Clone, Default)]
struct Logging(Rc<RefCell<(MemoryStorage, Vec<Change>)>>);

impl Storage for Logging {
    type Error = <MemoryStorage as Storage>::Error;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        self.0.borrow_mut().0.read(id, buf)
    }

    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), Self::Error> {
        let mut inner = self.0.borrow_mut();
        inner.1.push(Change::Write(id, data.to_vec()));
        inner.0.write(id, data)
    }

    fn remove(&mut self, id: RecordId) -> Result<(), Self::Error> {
        let mut inner = self.0.borrow_mut();
        inner.1.push(Change::Remove(id));
        inner.0.remove(id)
    }
}

impl Logging {
    fn take_log(&self) -> Vec<Change> {
        std::mem::take(&mut self.0.borrow_mut().1)
    }

    fn records(&self) -> Vec<(RecordId, Vec<u8>)> {
        let inner = self.0.borrow();
        let store = &inner.0;
        store
            .ids()
            .filter_map(|id| store.record(id).map(|r| (id, r.to_vec())))
            .collect()
    }
}

/// The PW1 and PW3 values while KDF is on: the KDF-DO's initial hashes (87, 88), which the card
/// takes as the PINs (spec §4.3.2). The card compares bytes; it never computes the S2K.
const PW1_HASH: [u8; 64] = [0x11; 64];
const PW3_HASH: [u8; 64] = [0x33; 64];

/// The largest KDF-DO GnuPG writes: iterated-salted S2K with SHA-512, three 32-byte salts and
/// the two initial hashes (246 bytes, the PIN values 64 bytes each).
fn kdf_do() -> Vec<u8> {
    let mut body = vec![
        0x81, 0x01, 0x03, 0x82, 0x01, 0x0A, 0x83, 0x04, 0x03, 0xE0, 0x00, 0x00,
    ];
    for salt in [0x84, 0x85, 0x86] {
        body.extend_from_slice(&[salt, 32]);
        body.extend_from_slice(&[salt; 32]);
    }
    body.extend_from_slice(&[0x87, 64]);
    body.extend_from_slice(&PW1_HASH);
    body.extend_from_slice(&[0x88, 64]);
    body.extend_from_slice(&PW3_HASH);
    body
}

/// RSA-4096 with a 32-bit exponent field, standard import format.
const RSA4096: [u8; 6] = [0x01, 0x10, 0x00, 0x00, 0x20, 0x00];

/// Personalises the worst-case card: three RSA-4096 keys generated on the card, three
/// certificates of `Config::max_certificate_len` bytes, every writable DO at its longest, a
/// Resetting Code, UIF on, KDF on (which resets the PINs to the KDF-DO's hashes). Returns the
/// store and the configuration.
fn worst_case_card() -> (Logging, Config) {
    let config = Config::default();
    let store = Logging::default();
    let mut card = Card::from_storage(config.clone(), store.clone());
    card.select();
    card.verify_admin();
    let crts = [(0xC1, 0xB6), (0xC2, 0xB8), (0xC3, 0xA4)];
    for (attributes, crt) in crts {
        assert_sw(&card.put_data(attributes, &RSA4096), 0x9000);
        assert_sw(&card.generate(crt), 0x9000);
    }
    for (fingerprint, ca, date) in [(0xC7, 0xCA, 0xCE), (0xC8, 0xCB, 0xCF), (0xC9, 0xCC, 0xD0)] {
        assert_sw(&card.put_data(fingerprint, &[0xF1; 20]), 0x9000);
        assert_sw(&card.put_data(ca, &[0xCA; 20]), 0x9000);
        assert_sw(&card.put_data(date, &[0x65, 0x00, 0x00, 0x00]), 0x9000);
    }
    let certificate = vec![0x30; usize::from(config.max_certificate_len)];
    for occurrence in 0..3u8 {
        // SELECT DATA the occurrence (AUT, DEC, SIG), then PUT DATA 7F21.
        let select = [0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21];
        assert_sw(&card.cmd(0x00, 0xA5, occurrence, 0x04, &select), 0x9000);
        assert_sw(&card.cmd_all(0xDA, 0x7F, 0x21, &certificate), 0x9000);
    }
    let special = vec![0x55; usize::from(config.max_special_do_len)];
    for tag in [0x005E, 0x5F50, 0x0102, 0x0104] {
        assert_sw(&card.put_data(tag, &special), 0x9000);
    }
    assert_sw(&card.put_data(0x5B, &[b'N'; 39]), 0x9000);
    assert_sw(&card.put_data(0x5F2D, b"deenfrit"), 0x9000);
    assert_sw(&card.put_data(0x5F35, b"9"), 0x9000);
    for uif in [0xD6, 0xD7, 0xD8] {
        assert_sw(&card.put_data(uif, &[0x01, 0x20]), 0x9000);
    }
    assert_sw(&card.put_data(0xD3, &[0x52; 64]), 0x9000);
    assert_sw(&card.put_data(0xF9, &kdf_do()), 0x9000);
    // 0101 and 0103 need PW1 (82): with KDF on, its hash.
    assert_sw(&card.verify(0x82, &PW1_HASH), 0x9000);
    assert_sw(&card.put_data(0x0101, &special), 0x9000);
    assert_sw(&card.put_data(0x0103, &special), 0x9000);
    // The Resetting Code as a KDF card holds it (a hash), set again after KDF.
    assert_sw(&card.verify(0x83, &PW3_HASH), 0x9000);
    assert_sw(&card.put_data(0xD3, &[0x52; 64]), 0x9000);
    store.take_log();
    (store, config)
}

/// A workload: what one operation sends, on a card powered on for it or not.
struct Workload {
    name: &'static str,
    /// Operations a day the goal is stated for, if any.
    per_day: Option<f64>,
    /// Runs one operation (asserting its answers).
    run: fn(&mut Card<Logging>),
    /// Whether each operation starts with a power-on (SSH: the key plugged in for it).
    power_on: bool,
}

fn sign(card: &mut Card<Logging>) {
    // Signature PIN forced (the default): VERIFY 81 before every signature.
    assert_sw(&card.verify(0x81, &PW1_HASH), 0x9000);
    assert_sw(&card.cmd_all(0x2A, 0x9E, 0x9A, &digest_info()), 0x9000);
}

fn decipher(card: &mut Card<Logging>) {
    assert_sw(&card.verify(0x82, &PW1_HASH), 0x9000);
    let mut cryptogram = vec![0x00];
    cryptogram.extend_from_slice(&[0x01; 512]);
    // A cryptogram that does not decrypt to PKCS#1: the applet answers an error, as it writes
    // nothing either way.
    let _ = card.cmd_all(0x2A, 0x80, 0x86, &cryptogram);
}

fn authenticate(card: &mut Card<Logging>) {
    assert_sw(&card.verify(0x82, &PW1_HASH), 0x9000);
    assert_sw(&card.cmd_all(0x88, 0x00, 0x00, &digest_info()), 0x9000);
}

fn wrong_pin(card: &mut Card<Logging>) {
    // A mistyped PIN, then the right one (which restores the counter).
    assert_sw(&card.verify(0x82, &[0x00; 64]), 0x6982);
    assert_sw(&card.verify(0x82, &PW1_HASH), 0x9000);
}

fn change_pin(card: &mut Card<Logging>) {
    let mut data = PW1_HASH.to_vec();
    data.extend_from_slice(&PW1_HASH);
    assert_sw(&card.cmd_all(0x24, 0x00, 0x81, &data), 0x9000);
}

/// A SHA-256 DigestInfo.
fn digest_info() -> Vec<u8> {
    let mut data = vec![
        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    data.extend_from_slice(&[0xAB; 32]);
    data
}

const WORKLOADS: [Workload; 5] = [
    Workload {
        name: "signature (forced PIN)",
        per_day: Some(SIGNATURES_PER_DAY),
        run: sign,
        power_on: false,
    },
    Workload {
        name: "decryption (power-on, VERIFY 82)",
        per_day: None,
        run: decipher,
        power_on: true,
    },
    Workload {
        name: "SSH authentication (power-on, VERIFY 82)",
        per_day: Some(AUTHENTICATIONS_PER_DAY),
        run: authenticate,
        power_on: true,
    },
    Workload {
        name: "wrong PIN, then the right one",
        per_day: None,
        run: wrong_pin,
        power_on: false,
    },
    Workload {
        name: "PIN change",
        per_day: None,
        run: change_pin,
        power_on: false,
    },
];

/// The changes one operation of `workload` makes, as the applet makes them (three runs, which
/// must agree in ids and sizes).
fn pattern(store: &Logging, config: &Config, workload: &Workload) -> Vec<Change> {
    let mut card = Card::from_storage(config.clone(), store.clone());
    card.select();
    let mut patterns = Vec::new();
    for _ in 0..3 {
        if workload.power_on {
            card = Card::from_storage(config.clone(), store.clone());
            card.select();
        }
        store.take_log();
        (workload.run)(&mut card);
        patterns.push(store.take_log());
    }
    let shape = |p: &[Change]| -> Vec<(u16, Option<usize>)> {
        p.iter()
            .map(|c| match c {
                Change::Write(id, data) => (id.0, Some(data.len())),
                Change::Remove(id) => (id.0, None),
            })
            .collect()
    };
    assert_eq!(
        shape(&patterns[0]),
        shape(&patterns[1]),
        "{}",
        workload.name
    );
    assert_eq!(
        shape(&patterns[1]),
        shape(&patterns[2]),
        "{}",
        workload.name
    );
    patterns.pop().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The replay

/// What a replay found.
struct Wear {
    /// Operations until the first page reached the target erase count.
    operations: u64,
    /// Record bytes the applet asked to write per operation.
    record_bytes: usize,
    /// Flash bytes programmed per operation, with sequential-storage's headers, alignment and
    /// the copying of live items when a page is recycled.
    flash_bytes: f64,
    /// Erases per physical page at the end: least, most.
    spread: (u32, u32),
}

/// Replays `changes` on a `capacity`-byte store holding `records` until the first page has
/// `target` erases; the steady-state rate (from the first lap's end) is projected to
/// [`RATED_CYCLES`].
fn replay(
    records: &[(RecordId, Vec<u8>)],
    changes: &[Change],
    capacity: usize,
    target: u32,
) -> Wear {
    let flash = Shared(Rc::new(RefCell::new(WearFlash::new(capacity))));
    let mut store = FlashStorage::new(flash.clone(), 0..capacity as u32).expect("range");
    for (id, value) in records {
        store.write(*id, value).expect("personalisation");
    }
    let most = |f: &Shared| f.0.borrow().erases.iter().copied().max().unwrap_or(0);
    // Past the first lap (every page erased at least once), the ring is in its steady state.
    let mut operations = 0u64;
    let mut lap_start = None;
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    loop {
        for change in changes {
            match change {
                Change::Write(id, data) => store.write(*id, data).expect("write"),
                Change::Remove(id) => store.remove(*id).expect("remove"),
            }
        }
        operations += 1;
        let erased = most(&flash);
        if lap_start.is_none() && erased >= 2 {
            let f = flash.0.borrow();
            lap_start = Some((operations, erased, f.programmed));
        }
        if erased >= target {
            break;
        }
    }
    // The records are all still there and whole.
    for (id, value) in records.iter().filter(|(id, _)| !changed(changes, *id)) {
        let n = store.read(*id, &mut buf).expect("read").expect("present");
        assert_eq!(&buf[..n], &value[..], "record {:#04x}", id.0);
    }
    let f = flash.0.borrow();
    let (start_ops, start_erases, start_programmed) = lap_start.unwrap_or((0, 0, 0));
    let lap_ops = operations - start_ops;
    let lap_erases = f64::from(most(&flash) - start_erases);
    let per_erase = lap_ops as f64 / lap_erases;
    let projected = start_ops as f64 + per_erase * f64::from(RATED_CYCLES - start_erases);
    Wear {
        operations: if target >= RATED_CYCLES {
            operations
        } else {
            projected as u64
        },
        record_bytes: changes
            .iter()
            .map(|c| match c {
                Change::Write(_, data) => data.len(),
                Change::Remove(_) => 0,
            })
            .sum(),
        flash_bytes: (f.programmed - start_programmed) as f64 / lap_ops as f64,
        spread: (
            f.erases.iter().copied().min().unwrap_or(0),
            f.erases.iter().copied().max().unwrap_or(0),
        ),
    }
}

fn changed(changes: &[Change], id: RecordId) -> bool {
    changes.iter().any(|c| match c {
        Change::Write(i, _) | Change::Remove(i) => *i == id,
    })
}

/// The storage ranges of the board crate (nRF52840: 128 KiB) and of the firmware under QEMU
/// (256 KiB), both of 4 KiB pages.
const RANGES: [(&str, usize); 2] = [
    ("nRF52840 board, 128 KiB", 128 * 1024),
    ("QEMU firmware, 256 KiB", 256 * 1024),
];

#[test]
fn endurance_of_every_workload() {
    let full = std::env::var_os("ENDURANCE_FULL").is_some();
    let target = if full { RATED_CYCLES } else { QUICK_MILESTONE };
    let (store, config) = worst_case_card();
    let records = store.records();
    let live: usize = records.iter().map(|(_, v)| v.len()).sum();
    println!(
        "worst-case card: {} records, {live} bytes of live data; first page to {target} erases{}",
        records.len(),
        if full { "" } else { " (projected to 10,000)" }
    );
    println!("| range | workload | record bytes per op | flash bytes per op | operations until 10,000 erases | years at 1,000 a day | years at the goal's rate | erases per page (min–max) |");
    println!("|---|---|---:|---:|---:|---:|---:|---|");
    for (range, capacity) in RANGES {
        for workload in &WORKLOADS {
            let changes = pattern(&store, &config, workload);
            assert!(!changes.is_empty(), "{} writes nothing", workload.name);
            let wear = replay(&records, &changes, capacity, target);
            let years = |per_day: f64| wear.operations as f64 / per_day / 365.0;
            let goal = match workload.per_day {
                Some(per_day) => format!("{:.1} at {per_day:.0} a day", years(per_day)),
                None => "–".to_owned(),
            };
            println!(
                "| {range} | {} | {} | {:.0} | {} | {:.1} | {goal} | {}–{} |",
                workload.name,
                wear.record_bytes,
                wear.flash_bytes,
                wear.operations,
                years(1_000.0),
                wear.spread.0,
                wear.spread.1,
            );
            // Wear leveling: no page is left far behind the first (sequential-storage recycles
            // its pages in a ring).
            assert!(
                wear.spread.1 - wear.spread.0 <= 2,
                "{range}, {}: erases {:?}",
                workload.name,
                wear.spread
            );
        }
    }
}
