// Stand-ins for what a board's HAL gives, on QEMU's mps2-an386 (which has no TRNG, no button
// and no flash controller). The embedding guide's blocks use them where your HAL's types go;
// its doc tests include this file as they are, on the host. Nothing here is for a device.

use alloc::vec;
use alloc::vec::Vec;
use embedded_storage::nor_flash::{
    check_erase, check_read, check_write, ErrorType, NorFlash, NorFlashErrorKind, ReadNorFlash,
};

/// Stands for your HAL's TRNG (the nRF52840's `Rng`, an STM32's `RNG`, ...).
///
/// **Not random**: a xorshift generator from a fixed seed, because the emulated machine has no
/// entropy source. A device reads its TRNG here.
pub struct Trng {
    state: u32,
}

impl Trng {
    /// The generator from `seed` (0 is taken as 1: xorshift stays at zero).
    pub fn new(seed: u32) -> Trng {
        Trng { state: seed.max(1) }
    }

    /// The next 32 bits.
    pub fn random_u32(&mut self) -> u32 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.state = x;
        x
    }
}

/// Stands for your HAL's input pin of the button: pressed from its 30th to its 80th read, as
/// if a user touched it a little after the applet asked.
#[derive(Default)]
pub struct Pin {
    reads: u32,
}

impl Pin {
    /// Whether the button is down now.
    pub fn is_pressed(&mut self) -> bool {
        self.reads = self.reads.saturating_add(1);
        (30..80).contains(&self.reads)
    }
}

/// Stands for your HAL's flash driver (the nRF52840's `Nvmc`, an STM32's `Flash`, ...): a NOR
/// flash in RAM that behaves as one. Erased bytes read FF, an erase is of whole 4 KiB pages, a
/// write is of aligned 32-bit words and only clears bits.
pub struct RamFlash {
    bytes: Vec<u8>,
}

impl RamFlash {
    /// An erased flash of `capacity` bytes (on the heap).
    pub fn new(capacity: usize) -> RamFlash {
        RamFlash {
            bytes: vec![0xFF; capacity],
        }
    }

    fn region(&mut self, from: u32, len: usize) -> Result<&mut [u8], NorFlashErrorKind> {
        let from = from as usize;
        self.bytes
            .get_mut(from..from.saturating_add(len))
            .ok_or(NorFlashErrorKind::OutOfBounds)
    }
}

/// A misaligned or out-of-range access is its `NorFlashErrorKind`.
impl ErrorType for RamFlash {
    type Error = NorFlashErrorKind;
}

impl ReadNorFlash for RamFlash {
    const READ_SIZE: usize = 4;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), NorFlashErrorKind> {
        check_read(self, offset, bytes.len())?;
        bytes.copy_from_slice(self.region(offset, bytes.len())?);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.bytes.len()
    }
}

impl NorFlash for RamFlash {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = 4096;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), NorFlashErrorKind> {
        check_erase(self, from, to)?;
        self.region(from, (to - from) as usize)?.fill(0xFF);
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), NorFlashErrorKind> {
        check_write(self, offset, bytes.len())?;
        for (cell, new) in self.region(offset, bytes.len())?.iter_mut().zip(bytes) {
            *cell &= new;
        }
        Ok(())
    }
}
