//! Records in a `BTreeMap`: atomic by construction, cloneable to snapshot a card.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use openpgp_card_applet::platform::{RecordId, Storage, MAX_RECORD_LEN};

/// In-memory storage. Cloning it copies every record, which is how tests simulate "the same
/// flash after a power cycle".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStorage {
    records: BTreeMap<u16, Vec<u8>>,
    writes: u64,
}

/// Why [`MemoryStorage`] refused a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryError {
    /// The caller's buffer is shorter than the record.
    BufferTooSmall,
    /// The record is longer than [`MAX_RECORD_LEN`].
    RecordTooLarge,
}

impl MemoryStorage {
    /// Empty storage: a factory-fresh card.
    pub fn new() -> MemoryStorage {
        MemoryStorage::default()
    }

    /// The raw bytes of a record (to inspect or damage it in tests).
    pub fn record(&self, id: RecordId) -> Option<&[u8]> {
        self.records.get(&id.0).map(Vec::as_slice)
    }

    /// Replaces the raw bytes of a record without any check (to simulate corruption).
    pub fn set_raw(&mut self, id: RecordId, bytes: &[u8]) {
        self.records.insert(id.0, bytes.to_vec());
    }

    /// The ids of the stored records.
    pub fn ids(&self) -> impl Iterator<Item = RecordId> + '_ {
        self.records.keys().map(|id| RecordId(*id))
    }

    /// How many writes and removals were made (a wear indicator for tests).
    pub fn write_count(&self) -> u64 {
        self.writes
    }
}

impl Storage for MemoryStorage {
    type Error = MemoryError;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, MemoryError> {
        let Some(record) = self.records.get(&id.0) else {
            return Ok(None);
        };
        let dst = buf
            .get_mut(..record.len())
            .ok_or(MemoryError::BufferTooSmall)?;
        dst.copy_from_slice(record);
        Ok(Some(record.len()))
    }

    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), MemoryError> {
        if data.len() > MAX_RECORD_LEN {
            return Err(MemoryError::RecordTooLarge);
        }
        self.writes += 1;
        self.records.insert(id.0, data.to_vec());
        Ok(())
    }

    fn remove(&mut self, id: RecordId) -> Result<(), MemoryError> {
        if self.records.remove(&id.0).is_some() {
            self.writes += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_write_remove() {
        let mut storage = MemoryStorage::new();
        let mut buf = [0u8; 8];
        assert_eq!(storage.read(RecordId(1), &mut buf), Ok(None));
        storage.write(RecordId(1), b"abc").unwrap();
        assert_eq!(storage.read(RecordId(1), &mut buf), Ok(Some(3)));
        assert_eq!(&buf[..3], b"abc");
        assert_eq!(
            storage.read(RecordId(1), &mut buf[..2]),
            Err(MemoryError::BufferTooSmall)
        );
        storage.remove(RecordId(1)).unwrap();
        storage.remove(RecordId(1)).unwrap();
        assert_eq!(storage.read(RecordId(1), &mut buf), Ok(None));
        assert_eq!(storage.write_count(), 2);
        assert_eq!(
            storage.write(RecordId(2), &[0; MAX_RECORD_LEN + 1]),
            Err(MemoryError::RecordTooLarge)
        );
    }
}
