//! A NOR flash in RAM that loses power: the nRF52840's NVMC geometry (4-byte words, 4 KiB
//! pages), NOR physics (a write can only clear bits; a word is programmed once between
//! erases, as `NorFlash` without `MultiwriteNorFlash` promises), an operation log, and a power
//! cut at the N-th word write or page erase, which is applied, not applied, or torn.

use std::cell::RefCell;
use std::rc::Rc;

use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

/// Physical erase page (the nRF52840's).
pub const PAGE: usize = 4096;
/// Physical write word (the nRF52840's).
pub const WORD: usize = 4;

/// What the operation that power is cut at does to the medium.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// It never reaches the medium.
    NotApplied,
    /// It completes, then power is lost.
    Applied,
    /// It is half done: a word gets only its first two bytes programmed; a page keeps its
    /// first half and has its second half erased (so the page's start marker survives and its
    /// end marker is gone: the state that looks most like a valid page).
    Torn,
}

impl Mode {
    /// Every mode, in the order the tests run them.
    pub const ALL: [Mode; 3] = [Mode::NotApplied, Mode::Applied, Mode::Torn];

    /// The modes worth cutting `op` with: all three for an erase and for the first and last
    /// word of a write (page markers and item headers are written alone, so those are all of
    /// them); applied and not for a word inside a longer write, where a torn word is one more
    /// way of leaving the item's data CRC wrong.
    pub fn for_op(op: &Op) -> &'static [Mode] {
        match op {
            Op::Write { edge: false, .. } => &Mode::ALL[..2],
            _ => &Mode::ALL,
        }
    }
}

/// One mutating flash operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Program one word at `offset`; `edge`: the first or last word of a `write` call.
    Write {
        offset: u32,
        word: [u8; WORD],
        edge: bool,
    },
    /// Erase the physical page at `offset`.
    Erase { offset: u32 },
}

/// Why a simulated flash call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimError {
    /// Power was lost: every call fails until the next power cycle.
    PowerLost,
    /// Outside the medium.
    OutOfBounds,
    /// Not aligned to the word or page size.
    NotAligned,
}

impl NorFlashError for SimError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            SimError::PowerLost => NorFlashErrorKind::Other,
            SimError::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            SimError::NotAligned => NorFlashErrorKind::NotAligned,
        }
    }
}

#[derive(Clone)]
struct State {
    mem: Vec<u8>,
    /// Per word: programmed (fully or partly) since its page was last erased.
    programmed: Vec<bool>,
    /// Mutating operations since the last `arm`/`power_cycle`, numbered from 0.
    ops: usize,
    cut: Option<(usize, Mode)>,
    lost: bool,
    log: Option<Vec<Op>>,
    erases: usize,
    /// Misuse of the medium by the code under test (double programming, 1-bits on 0-bits).
    violations: Vec<String>,
}

/// A shared handle to one simulated medium: the storage under test owns one handle, the test
/// keeps another to arm cuts, read the log and take images.
#[derive(Clone)]
pub struct SimFlash(Rc<RefCell<State>>);

impl SimFlash {
    /// An erased medium of `len` bytes (a multiple of [`PAGE`]).
    pub fn new(len: usize) -> SimFlash {
        assert_eq!(len % PAGE, 0);
        SimFlash(Rc::new(RefCell::new(State {
            mem: vec![0xFF; len],
            programmed: vec![false; len / WORD],
            ops: 0,
            cut: None,
            lost: false,
            log: None,
            erases: 0,
            violations: Vec::new(),
        })))
    }

    /// An independent copy of the medium as it is now (power on, no cut, no log).
    pub fn fork(&self) -> SimFlash {
        let mut state = self.0.borrow().clone();
        state.ops = 0;
        state.cut = None;
        state.lost = false;
        state.log = None;
        state.violations = Vec::new();
        SimFlash(Rc::new(RefCell::new(state)))
    }

    /// Plans a cut at the `n`-th mutating operation from now (0-based).
    pub fn arm(&self, n: usize, mode: Mode) {
        let mut s = self.0.borrow_mut();
        s.ops = 0;
        s.cut = Some((n, mode));
    }

    /// Starts (or restarts) recording the mutating operations.
    pub fn record(&self) {
        self.0.borrow_mut().log = Some(Vec::new());
    }

    /// The recorded operations.
    pub fn log(&self) -> Vec<Op> {
        self.0.borrow().log.clone().unwrap_or_default()
    }

    /// How many operations were recorded so far.
    pub fn logged(&self) -> usize {
        self.0.borrow().log.as_ref().map_or(0, Vec::len)
    }

    /// Page erases since creation (forks inherit the count).
    pub fn erases(&self) -> usize {
        self.0.borrow().erases
    }

    /// Whether power has been lost.
    pub fn is_lost(&self) -> bool {
        self.0.borrow().lost
    }

    /// Misuse found so far.
    pub fn violations(&self) -> Vec<String> {
        self.0.borrow().violations.clone()
    }

    /// The raw bytes.
    pub fn image(&self) -> Vec<u8> {
        self.0.borrow().mem.clone()
    }

    /// Applies one operation with the given outcome (the physics; no counting, no cut).
    pub fn apply(&self, op: &Op, mode: Mode) {
        self.0.borrow_mut().apply(op, mode);
    }
}

impl State {
    fn apply(&mut self, op: &Op, mode: Mode) {
        match *op {
            Op::Write { offset, word, .. } => {
                let at = offset as usize;
                let index = at / WORD;
                let bytes = match mode {
                    Mode::NotApplied => return,
                    Mode::Applied => WORD,
                    Mode::Torn => WORD / 2,
                };
                if self.programmed[index] {
                    self.violations
                        .push(format!("word at {at:#x} programmed twice without an erase"));
                }
                for (i, byte) in word.iter().enumerate().take(bytes) {
                    let old = self.mem[at + i];
                    if byte & !old != 0 {
                        self.violations.push(format!(
                            "write at {:#x} wants 0→1 bits ({old:02x} → {byte:02x})",
                            at + i
                        ));
                    }
                    self.mem[at + i] = old & byte;
                }
                self.programmed[index] = true;
            }
            Op::Erase { offset } => {
                let at = offset as usize;
                let range = match mode {
                    Mode::NotApplied => return,
                    Mode::Applied => at..at + PAGE,
                    Mode::Torn => at + PAGE / 2..at + PAGE,
                };
                self.erases += 1;
                self.mem[range.clone()].fill(0xFF);
                self.programmed[range.start / WORD..range.end / WORD].fill(false);
            }
        }
    }

    /// Counts one mutating operation; returns whether the caller may go on.
    fn step(&mut self, op: Op) -> Result<(), SimError> {
        if self.lost {
            return Err(SimError::PowerLost);
        }
        let n = self.ops;
        self.ops += 1;
        if let Some(log) = &mut self.log {
            log.push(op.clone());
        }
        match self.cut {
            Some((at, mode)) if at == n => {
                self.apply(&op, mode);
                self.lost = true;
                Err(SimError::PowerLost)
            }
            _ => {
                self.apply(&op, Mode::Applied);
                Ok(())
            }
        }
    }
}

impl ErrorType for SimFlash {
    type Error = SimError;
}

impl ReadNorFlash for SimFlash {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), SimError> {
        let s = self.0.borrow();
        if s.lost {
            return Err(SimError::PowerLost);
        }
        let at = offset as usize;
        let src = s
            .mem
            .get(at..at + bytes.len())
            .ok_or(SimError::OutOfBounds)?;
        bytes.copy_from_slice(src);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.0.borrow().mem.len()
    }
}

impl NorFlash for SimFlash {
    const WRITE_SIZE: usize = WORD;
    const ERASE_SIZE: usize = PAGE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), SimError> {
        let (from, to) = (from as usize, to as usize);
        if !from.is_multiple_of(PAGE) || !to.is_multiple_of(PAGE) {
            return Err(SimError::NotAligned);
        }
        if from > to || to > self.capacity() {
            return Err(SimError::OutOfBounds);
        }
        let mut s = self.0.borrow_mut();
        for page in (from..to).step_by(PAGE) {
            s.step(Op::Erase {
                offset: page as u32,
            })?;
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), SimError> {
        let at = offset as usize;
        if !at.is_multiple_of(WORD) || !bytes.len().is_multiple_of(WORD) {
            return Err(SimError::NotAligned);
        }
        if at + bytes.len() > self.capacity() {
            return Err(SimError::OutOfBounds);
        }
        let mut s = self.0.borrow_mut();
        let words = bytes.len() / WORD;
        for (i, chunk) in bytes.chunks_exact(WORD).enumerate() {
            s.step(Op::Write {
                offset: (at + i * WORD) as u32,
                word: chunk.try_into().expect("word"),
                edge: i == 0 || i + 1 == words,
            })?;
        }
        Ok(())
    }
}

#[test]
fn the_simulated_flash_behaves_like_nor_and_cuts() {
    let mut flash = SimFlash::new(2 * PAGE);
    flash.write(0, &[0x0F, 0xF0, 0x00, 0xFF]).unwrap();
    let mut buf = [0u8; 4];
    flash.read(0, &mut buf).unwrap();
    assert_eq!(buf, [0x0F, 0xF0, 0x00, 0xFF]);
    assert!(flash.violations().is_empty());
    flash.write(0, &[0xFF, 0xFF, 0xFF, 0x00]).unwrap();
    flash.read(0, &mut buf).unwrap();
    assert_eq!(buf, [0x0F, 0xF0, 0x00, 0x00], "NOR: bits only clear");
    let misuse = flash.violations();
    assert!(misuse[0].contains("programmed twice"), "{misuse:?}");
    assert!(misuse[1..].iter().all(|m| m.contains("0→1")), "{misuse:?}");

    let other = flash.fork();
    other.arm(1, Mode::Torn);
    let mut other2 = other.clone();
    other2.write(8, &[0x11; 8]).unwrap_err();
    assert!(other.is_lost());
    assert_eq!(other2.read(8, &mut buf), Err(SimError::PowerLost));
    let image = other.image();
    assert_eq!(
        &image[8..16],
        &[0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0xFF, 0xFF]
    );

    let erased = flash.fork();
    erased.arm(0, Mode::Torn);
    let mut handle = erased.clone();
    handle.erase(0, PAGE as u32).unwrap_err();
    let image = erased.image();
    assert_eq!(
        &image[0..4],
        &[0x0F, 0xF0, 0x00, 0x00],
        "a torn erase keeps the first half"
    );
    assert!(image[PAGE / 2..PAGE].iter().all(|b| *b == 0xFF));
}
