//! A NOR flash on the machine's PSRAM (0x2100_0000, 16 MiB), which the bridge backs with a
//! host file (QEMU `memory-backend-file,share=on`): every store reaches the file at once, so a
//! killed QEMU (a power cut) leaves exactly the words written before it, and a restarted one
//! finds them.
//!
//! It behaves as NOR flash does, so that `flash-record-storage` runs on it as on a device:
//! erased bytes read FF, a page erase (4 KiB) sets a page to FF, a write is of whole aligned
//! 32-bit words and can only clear bits (the new word is ANDed into the old one).

use core::ptr::{read_volatile, write_volatile};

use embedded_storage::nor_flash::{
    check_erase, check_read, check_write, ErrorType, NorFlash, NorFlashError, NorFlashErrorKind,
    ReadNorFlash,
};

/// Where the region starts (the PSRAM of the AN386).
const BASE: usize = 0x2100_0000;
/// The part of the PSRAM used as flash: 64 pages of 4 KiB.
pub const CAPACITY: usize = 256 * 1024;
const PAGE: usize = 4096;

/// The flash region.
pub struct RamNor(());

impl RamNor {
    /// The one flash region (the firmware makes it once).
    pub fn take() -> RamNor {
        RamNor(())
    }
}

/// A misaligned or out-of-range access.
#[derive(Debug)]
pub struct FlashError(NorFlashErrorKind);

impl NorFlashError for FlashError {
    fn kind(&self) -> NorFlashErrorKind {
        self.0
    }
}

impl ErrorType for RamNor {
    type Error = FlashError;
}

fn word(address: usize) -> *mut u32 {
    (BASE + address) as *mut u32
}

impl ReadNorFlash for RamNor {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        check_read(self, offset, bytes.len()).map_err(FlashError)?;
        let start = offset as usize;
        for (i, byte) in bytes.iter_mut().enumerate() {
            // SAFETY: inside the region (checked above), which is RAM nothing else uses.
            *byte = unsafe { read_volatile((BASE + start + i) as *const u8) };
        }
        Ok(())
    }

    fn capacity(&self) -> usize {
        CAPACITY
    }
}

impl NorFlash for RamNor {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = PAGE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        check_erase(self, from, to).map_err(FlashError)?;
        for address in (from as usize..to as usize).step_by(4) {
            // SAFETY: aligned words inside the region (checked above).
            unsafe { write_volatile(word(address), u32::MAX) };
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        check_write(self, offset, bytes.len()).map_err(FlashError)?;
        for (i, chunk) in bytes.chunks_exact(4).enumerate() {
            let address = offset as usize + 4 * i;
            let new = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            // SAFETY: aligned words inside the region (checked above).
            unsafe {
                let old = read_volatile(word(address));
                write_volatile(word(address), old & new);
            }
        }
        Ok(())
    }
}
