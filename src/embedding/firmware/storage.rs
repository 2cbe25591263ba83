use core::ops::Range;
use flash_record_storage::{FlashStorage, RangeError};

use crate::hal::RamFlash;

/// Where the records live, as offsets in the flash the driver covers. On a device: a range
/// the firmware image and the bootloader never touch, such as the last 64 KiB of a 1 MiB
/// flash (`0xF_0000..0x10_0000`). Here: all of the 32 KiB RAM flash, four logical pages.
pub const RECORDS: Range<u32> = 0..32 * 1024;

/// The applet's records on `flash`; a range that breaks a rule is refused here, with the rule.
pub fn open(flash: RamFlash) -> Result<FlashStorage<RamFlash>, RangeError> {
    FlashStorage::new(flash, RECORDS)
}
