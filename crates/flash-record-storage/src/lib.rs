//! The applet's [`Storage`] contract on internal (or any NOR) flash.
//!
//! [`FlashStorage`] keeps one `sequential-storage` map item per [`RecordId`] in a range of any
//! [`embedded_storage::nor_flash::NorFlash`] (the nRF52840's NVMC on the board, a simulated
//! flash that loses power in this crate's tests). What the contract needs, and where it comes
//! from:
//!
//! - **Atomic replace.** A write appends a new item (header with the data's CRC, then the data)
//!   and never touches the old one; a read returns the newest item whose CRCs check. A cut
//!   anywhere in the new item leaves it unreadable, so the old one is found. Page changes
//!   (close a page, copy the live items of the page about to be erased, erase it) are
//!   sequential-storage's power-fail-safe protocol, repaired on the next operation.
//! - **Atomic remove.** A removal appends a tombstone item (the value `None`) for the id: the
//!   same mechanism as a write. (sequential-storage's own `remove_item` marks every old item of
//!   the key erased one after the other, which needs a flash that allows writing a word twice
//!   and is not one atomic step.)
//! - **Durable on `Ok`.** Every flash operation is blocking and finished when the call
//!   returns; nothing is cached for writing.
//! - **Records up to [`MAX_RECORD_LEN`] bytes.** An item must fit in one erase page, so the
//!   adapter presents logical pages of as many physical pages as needed ([`LOGICAL_PAGE_MIN`];
//!   two 4 KiB pages on the nRF52840).
//!
//! sequential-storage 8 is `async`; the flash here is blocking, so [`Blocking`] wraps it as an
//! async flash whose futures are always ready, and each call is driven by a trivial
//! [`block_on`]. No executor, no interrupts, no allocation besides the one record buffer.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::future::Future;
use core::ops::Range;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use embedded_storage::nor_flash::{self as blocking, ErrorType};
use embedded_storage_async::nor_flash as nb;
use openpgp_card_applet::platform::MAX_RECORD_LEN;
use openpgp_card_applet::{RecordId, Storage};
use sequential_storage::cache::key_pointers::HeapKeyPointers;
use sequential_storage::cache::page_pointers::HeapPagePointers;
use sequential_storage::cache::page_states::HeapPageStates;
use sequential_storage::cache::Cache;
use sequential_storage::map::{MapConfig, MapStorage};

/// Room an item needs beyond its record: sequential-storage's item header and page markers,
/// the 2-byte key and the 1-byte present/removed tag, rounded generously.
const ITEM_OVERHEAD: usize = 64;

/// The smallest logical erase page: one item of [`MAX_RECORD_LEN`] bytes must fit in it.
pub const LOGICAL_PAGE_MIN: usize = MAX_RECORD_LEN + ITEM_OVERHEAD;

/// The key pointer cache holds this many ids (the applet uses 26: `RecordId::ALL` and
/// `RecordId::FIRMWARE`).
const CACHED_KEYS: usize = 32;

/// Runs a future to completion by polling it. The futures of this crate never wait (the flash
/// under them is blocking), so the first poll finishes them; the loop is for form's sake.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// A blocking [`NorFlash`](blocking::NorFlash) presented as the async flash sequential-storage
/// takes, with erase pages widened to at least [`LOGICAL_PAGE_MIN`] bytes: a logical page is
/// erased one physical page after the other (a cut in between leaves a half-erased page, which
/// sequential-storage detects and erases again).
#[derive(Debug)]
pub struct Blocking<F>(pub F);

impl<F: ErrorType> ErrorType for Blocking<F> {
    type Error = F::Error;
}

impl<F: blocking::ReadNorFlash> nb::ReadNorFlash for Blocking<F> {
    const READ_SIZE: usize = F::READ_SIZE;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        self.0.read(offset, bytes)
    }

    fn capacity(&self) -> usize {
        self.0.capacity()
    }
}

impl<F: blocking::NorFlash> nb::NorFlash for Blocking<F> {
    const WRITE_SIZE: usize = F::WRITE_SIZE;
    const ERASE_SIZE: usize = LOGICAL_PAGE_MIN.div_ceil(F::ERASE_SIZE) * F::ERASE_SIZE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        // Page by page, so that a simulated cut can fall between two physical pages, as it can
        // on the device (the NVMC erases one page per task anyway).
        let step = F::ERASE_SIZE as u32;
        let mut page = from;
        while page < to {
            self.0.erase(page, page + step)?;
            page += step;
        }
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        self.0.write(offset, bytes)
    }
}

type RecordCache = Cache<HeapPageStates, HeapPagePointers, HeapKeyPointers<u16>, u16>;

/// The applet's records in a range of NOR flash. See the crate documentation.
pub struct FlashStorage<F: blocking::NorFlash> {
    map: MapStorage<u16, Blocking<F>, RecordCache>,
    /// Serialisation buffer: key, tag and the largest record, rounded up to the write size.
    buffer: Vec<u8>,
    /// Which ids below 128 hold a record (bit `id`), from one scan of the whole map at the
    /// first call, then kept up to date by every successful write and removal; dropped on
    /// any error. A read of an absent record is then answered without a scan: a map lookup of
    /// a key it does not hold reads and CRC-checks every item in the range (tens of ms on
    /// the device), and the applet reads all its records at every power-on.
    presence: Option<u128>,
}

/// Why a [`FlashStorage`] call failed. The applet turns every one into status 6581.
#[derive(Debug)]
pub enum FlashStorageError<E> {
    /// The map (or the flash under it) failed.
    Map(sequential_storage::Error<E>),
    /// The caller's buffer is shorter than the record.
    BufferTooSmall,
    /// The record is longer than [`MAX_RECORD_LEN`].
    RecordTooLarge,
}

/// Why [`FlashStorage::new`] refused a range: the rule it breaks, checked in this order, with
/// the numbers that break it. Offsets are within the flash, as `new` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    /// The start or the end is not a multiple of the logical page,
    /// [`FlashStorage::PAGE_SIZE`] (whole physical erase pages, together at least
    /// [`LOGICAL_PAGE_MIN`] bytes: 8 KiB on a flash with 4 KiB pages).
    Misaligned {
        /// The range given.
        start: u32,
        /// The range given.
        end: u32,
        /// The logical page both must be multiples of.
        page_size: usize,
    },
    /// Fewer than two logical pages: the map always keeps one erased page to move live items
    /// into.
    TooSmall {
        /// The whole pages in the range (0 for an empty or backward range).
        pages: usize,
    },
    /// The range ends past the flash's capacity (`ReadNorFlash::capacity`).
    PastTheEnd {
        /// The range's end.
        end: u32,
        /// The flash's capacity in bytes.
        capacity: usize,
    },
    /// The flash's word (its larger of read and write size) is wider than sequential-storage
    /// takes (32 bytes): no range suits it.
    WordTooWide,
}

impl core::fmt::Display for RangeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            RangeError::Misaligned {
                start,
                end,
                page_size,
            } => write!(
                f,
                "record range {start:#x}..{end:#x} is not aligned to the logical page of {page_size} bytes"
            ),
            RangeError::TooSmall { pages } => write!(
                f,
                "record range holds {pages} logical pages; it needs at least 2"
            ),
            RangeError::PastTheEnd { end, capacity } => write!(
                f,
                "record range ends at {end:#x}, past the flash's capacity of {capacity:#x} bytes"
            ),
            RangeError::WordTooWide => {
                write!(f, "the flash's word is wider than sequential-storage's 32 bytes")
            }
        }
    }
}

impl<E> From<sequential_storage::Error<E>> for FlashStorageError<E> {
    fn from(e: sequential_storage::Error<E>) -> Self {
        FlashStorageError::Map(e)
    }
}

impl<F: blocking::NorFlash> FlashStorage<F> {
    /// The logical erase page size on this flash (a multiple of the physical one).
    pub const PAGE_SIZE: usize = <Blocking<F> as nb::NorFlash>::ERASE_SIZE;

    /// Opens the map in `range` (offsets within `flash`), as it is: nothing is read or written
    /// until the first call, which also repairs what an earlier power cut left half done.
    ///
    /// The range must start and end on a multiple of [`PAGE_SIZE`](Self::PAGE_SIZE), hold
    /// at least two such pages and end within the flash's capacity; [`RangeError`] names the
    /// rule a refused range breaks. For the applet, give it room for about twice the live data
    /// (the embedding guide, "Storage on flash").
    pub fn new(flash: F, range: Range<u32>) -> Result<Self, RangeError> {
        let pages = check_range(range.clone(), Self::PAGE_SIZE, flash.capacity())?;
        let config =
            MapConfig::<Blocking<F>>::try_new(range).map_err(|_| RangeError::WordTooWide)?;
        let cache = Cache::new(
            HeapPageStates::new(pages),
            HeapPagePointers::new(pages),
            HeapKeyPointers::new(CACHED_KEYS),
        );
        let len = (2 + 1 + MAX_RECORD_LEN).next_multiple_of(F::WRITE_SIZE.max(4));
        Ok(FlashStorage {
            map: MapStorage::new(Blocking(flash), config, cache),
            buffer: vec![0; len],
            presence: None,
        })
    }

    /// Gives the flash back (the tests take the simulated medium out after a power cut).
    pub fn into_flash(self) -> F {
        self.map.destroy().0 .0
    }

    /// Erases the whole range: a factory-fresh store.
    pub fn erase_all(&mut self) -> Result<(), FlashStorageError<F::Error>> {
        Ok(block_on(self.map.erase_all())?)
    }

    fn store(
        &mut self,
        id: RecordId,
        value: Option<&[u8]>,
    ) -> Result<(), FlashStorageError<F::Error>> {
        let result = block_on(self.map.store_item(&mut self.buffer, &id.0, &value));
        match (&result, &mut self.presence) {
            (Ok(()), Some(bits)) if id.0 < 128 => {
                let bit = 1u128 << id.0;
                *bits = if value.is_some() {
                    *bits | bit
                } else {
                    *bits & !bit
                };
            }
            (Ok(()), _) => {}
            (Err(_), presence) => *presence = None,
        }
        Ok(result?)
    }

    /// Whether `id` may hold a record: `false` only when the presence index says it does not.
    fn may_hold(&mut self, id: RecordId) -> bool {
        if self.presence.is_none() {
            self.presence = self.scan().ok();
        }
        match self.presence {
            Some(bits) if id.0 < 128 => bits & (1 << id.0) != 0,
            _ => true,
        }
    }

    /// One pass over every item, oldest first: the last item of a key is its current value.
    /// On an error (a cut left something sequential-storage repairs only in its per-key
    /// lookups) there is no index, and the per-key lookup does the repair.
    fn scan(&mut self) -> Result<u128, FlashStorageError<F::Error>> {
        let mut bits = 0u128;
        let mut items = block_on(self.map.fetch_all_items(&mut self.buffer))?;
        while let Some((key, value)) = block_on(items.next::<Option<&[u8]>>(&mut self.buffer))? {
            if key < 128 {
                let bit = 1u128 << key;
                bits = if value.is_some() {
                    bits | bit
                } else {
                    bits & !bit
                };
            }
        }
        Ok(bits)
    }

    /// The stored value of `id`: `Some(None)` for a tombstone, `None` when never written.
    fn fetch(
        &mut self,
        id: RecordId,
    ) -> Result<Option<Option<&[u8]>>, FlashStorageError<F::Error>> {
        if !self.may_hold(id) {
            return Ok(None);
        }
        match block_on(
            self.map
                .fetch_item::<Option<&[u8]>>(&mut self.buffer, &id.0),
        ) {
            Ok(value) => Ok(value),
            Err(e) => {
                self.presence = None;
                Err(e.into())
            }
        }
    }
}

/// The rules of [`FlashStorage::new`] on `range`, in [`RangeError`]'s order; the number of
/// logical pages when it keeps them.
fn check_range(range: Range<u32>, page_size: usize, capacity: usize) -> Result<usize, RangeError> {
    let aligned = |offset: u32| (offset as usize).is_multiple_of(page_size);
    if !aligned(range.start) || !aligned(range.end) {
        return Err(RangeError::Misaligned {
            start: range.start,
            end: range.end,
            page_size,
        });
    }
    let pages = range.len() / page_size;
    if pages < 2 {
        return Err(RangeError::TooSmall { pages });
    }
    if range.end as usize > capacity {
        return Err(RangeError::PastTheEnd {
            end: range.end,
            capacity,
        });
    }
    Ok(pages)
}

impl<F: blocking::NorFlash> Storage for FlashStorage<F>
where
    F::Error: core::fmt::Debug,
{
    type Error = FlashStorageError<F::Error>;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        match self.fetch(id)? {
            Some(Some(record)) => {
                let dst = buf
                    .get_mut(..record.len())
                    .ok_or(FlashStorageError::BufferTooSmall)?;
                dst.copy_from_slice(record);
                Ok(Some(record.len()))
            }
            Some(None) | None => Ok(None),
        }
    }

    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), Self::Error> {
        if data.len() > MAX_RECORD_LEN {
            return Err(FlashStorageError::RecordTooLarge);
        }
        self.store(id, Some(data))
    }

    fn remove(&mut self, id: RecordId) -> Result<(), Self::Error> {
        // Removing what is not there writes nothing (ACTIVATE FILE removes every record).
        match self.fetch(id)? {
            Some(Some(_)) => self.store(id, None),
            Some(None) | None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_storage::nor_flash::{NorFlash, NorFlashErrorKind, ReadNorFlash};

    /// A NOR flash of 4 KiB pages in RAM, as small as the range rules need.
    struct Ram(Vec<u8>);

    impl ErrorType for Ram {
        type Error = NorFlashErrorKind;
    }

    impl ReadNorFlash for Ram {
        const READ_SIZE: usize = 4;
        fn read(&mut self, at: u32, out: &mut [u8]) -> Result<(), NorFlashErrorKind> {
            let from = at as usize;
            let bytes = self
                .0
                .get(from..from + out.len())
                .ok_or(NorFlashErrorKind::OutOfBounds)?;
            out.copy_from_slice(bytes);
            Ok(())
        }
        fn capacity(&self) -> usize {
            self.0.len()
        }
    }

    impl NorFlash for Ram {
        const WRITE_SIZE: usize = 4;
        const ERASE_SIZE: usize = 4096;
        fn erase(&mut self, from: u32, to: u32) -> Result<(), NorFlashErrorKind> {
            let bytes = self
                .0
                .get_mut(from as usize..to as usize)
                .ok_or(NorFlashErrorKind::OutOfBounds)?;
            bytes.fill(0xFF);
            Ok(())
        }
        fn write(&mut self, at: u32, data: &[u8]) -> Result<(), NorFlashErrorKind> {
            let from = at as usize;
            let bytes = self
                .0
                .get_mut(from..from + data.len())
                .ok_or(NorFlashErrorKind::OutOfBounds)?;
            for (old, new) in bytes.iter_mut().zip(data) {
                *old &= new;
            }
            Ok(())
        }
    }

    const KIB: u32 = 1024;

    fn open(capacity: u32, range: Range<u32>) -> Result<FlashStorage<Ram>, RangeError> {
        FlashStorage::new(Ram(vec![0xFF; capacity as usize]), range)
    }

    #[test]
    fn the_logical_page_is_two_4_kib_pages() {
        assert_eq!(FlashStorage::<Ram>::PAGE_SIZE, 8192);
    }

    #[test]
    fn a_range_of_whole_4_kib_pages_is_misaligned_to_the_8_kib_logical_page() {
        // The embedding guide's first attempt (issue 39): 4096..20480 on 4 KiB pages.
        let err = open(64 * KIB, 4 * KIB..20 * KIB).err();
        assert_eq!(
            err,
            Some(RangeError::Misaligned {
                start: 4096,
                end: 20480,
                page_size: 8192
            })
        );
        let end = open(64 * KIB, 0..20 * KIB).err();
        assert!(
            matches!(end, Some(RangeError::Misaligned { .. })),
            "{end:?}"
        );
    }

    #[test]
    fn fewer_than_two_logical_pages_is_too_small() {
        assert_eq!(
            open(64 * KIB, 8 * KIB..16 * KIB).err(),
            Some(RangeError::TooSmall { pages: 1 })
        );
        assert_eq!(
            open(64 * KIB, 16 * KIB..16 * KIB).err(),
            Some(RangeError::TooSmall { pages: 0 })
        );
        #[allow(clippy::reversed_empty_ranges)]
        let backward = 32 * KIB..16 * KIB;
        assert_eq!(
            open(64 * KIB, backward).err(),
            Some(RangeError::TooSmall { pages: 0 })
        );
    }

    #[test]
    fn a_range_past_the_flash_is_refused_before_any_write() {
        // Before, this range passed `new` and failed at the first write
        // (`Map(Storage { value: OutOfBounds })`).
        assert_eq!(
            open(64 * KIB, 48 * KIB..80 * KIB).err(),
            Some(RangeError::PastTheEnd {
                end: 80 * KIB,
                capacity: 64 * 1024
            })
        );
    }

    #[test]
    fn a_range_that_keeps_every_rule_stores_records() {
        let mut store = open(64 * KIB, 48 * KIB..64 * KIB).expect("the last 16 KiB");
        store.write(RecordId(7), b"record").expect("write");
        let mut buf = [0u8; 8];
        assert_eq!(store.read(RecordId(7), &mut buf).expect("read"), Some(6));
        assert_eq!(&buf[..6], b"record");
    }

    #[test]
    fn each_refusal_says_which_rule_it_breaks() {
        let text = |e: RangeError| alloc::format!("{e}");
        assert!(text(open(64 * KIB, 4 * KIB..20 * KIB).err().unwrap()).contains("not aligned"));
        assert!(text(open(64 * KIB, 0..8 * KIB).err().unwrap()).contains("at least 2"));
        assert!(text(open(64 * KIB, 0..80 * KIB).err().unwrap()).contains("past the flash"));
    }
}
