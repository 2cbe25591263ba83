//! A storage that loses power: it counts the mutating calls and, at a chosen one, cuts.

use crate::backends::{MemoryError, MemoryStorage};
use openpgp_card_applet::platform::{RecordId, Storage};

/// What the cut write does before power is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// The N-th write (or removal) reaches the medium completely, then power is lost.
    AfterWrite(u64),
    /// Power is lost during the N-th write: it does not reach the medium (the storage contract
    /// says a write is atomic, so "not at all" is the only other outcome).
    BeforeWrite(u64),
}

/// Why a [`FaultyStorage`] call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultyError {
    /// Power was lost: every call fails until the storage is taken out and the card rebuilt.
    PowerLost,
    /// The inner storage refused.
    Memory(MemoryError),
}

/// [`MemoryStorage`] with fault injection, for power-loss tests. Writes and removals are
/// numbered from 1; with a [`Cut`] set, the chosen one is applied completely or not at all and
/// then every further call (reads too) fails with [`FaultyError::PowerLost`], as the
/// microcontroller would have stopped. Take the medium out with
/// [`into_inner`](Self::into_inner) and build a new applet on it: that is the power cycle.
#[derive(Clone, Debug, Default)]
pub struct FaultyStorage {
    inner: MemoryStorage,
    mutations: u64,
    cut: Option<Cut>,
    lost: bool,
}

impl FaultyStorage {
    /// Wraps `inner`, with no cut planned.
    pub fn new(inner: MemoryStorage) -> FaultyStorage {
        FaultyStorage {
            inner,
            ..FaultyStorage::default()
        }
    }

    /// Plans a cut (counting from the next mutating call as 1).
    pub fn cut(&mut self, cut: Cut) {
        self.cut = Some(cut);
        self.mutations = 0;
    }

    /// How many writes and removals were attempted since creation or the last [`cut`](Self::cut).
    pub fn mutations(&self) -> u64 {
        self.mutations
    }

    /// Whether power has been lost.
    pub fn is_lost(&self) -> bool {
        self.lost
    }

    /// The medium, as the next power-on finds it.
    pub fn into_inner(self) -> MemoryStorage {
        self.inner
    }

    /// The medium, by reference.
    pub fn inner(&self) -> &MemoryStorage {
        &self.inner
    }

    /// Counts a mutating call and decides whether it reaches the medium.
    fn mutation(&mut self) -> Result<bool, FaultyError> {
        if self.lost {
            return Err(FaultyError::PowerLost);
        }
        self.mutations += 1;
        match self.cut {
            Some(Cut::AfterWrite(n)) if n == self.mutations => {
                self.lost = true;
                Ok(true)
            }
            Some(Cut::BeforeWrite(n)) if n == self.mutations => {
                self.lost = true;
                Ok(false)
            }
            _ => Ok(true),
        }
    }
}

impl Storage for FaultyStorage {
    type Error = FaultyError;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, FaultyError> {
        if self.lost {
            return Err(FaultyError::PowerLost);
        }
        self.inner.read(id, buf).map_err(FaultyError::Memory)
    }

    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), FaultyError> {
        let applied = self.mutation()?;
        if applied {
            self.inner.write(id, data).map_err(FaultyError::Memory)?;
        }
        if self.lost {
            Err(FaultyError::PowerLost)
        } else {
            Ok(())
        }
    }

    fn remove(&mut self, id: RecordId) -> Result<(), FaultyError> {
        let applied = self.mutation()?;
        if applied {
            self.inner.remove(id).map_err(FaultyError::Memory)?;
        }
        if self.lost {
            Err(FaultyError::PowerLost)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_apply_or_drop_the_chosen_write_then_everything_fails() {
        for (cut, expect_second) in [(Cut::AfterWrite(2), true), (Cut::BeforeWrite(2), false)] {
            let mut storage = FaultyStorage::new(MemoryStorage::new());
            storage.cut(cut);
            storage.write(RecordId(1), b"one").unwrap();
            assert_eq!(
                storage.write(RecordId(2), b"two"),
                Err(FaultyError::PowerLost)
            );
            assert_eq!(
                storage.write(RecordId(3), b"three"),
                Err(FaultyError::PowerLost)
            );
            let mut buf = [0u8; 8];
            assert_eq!(
                storage.read(RecordId(1), &mut buf),
                Err(FaultyError::PowerLost)
            );
            let medium = storage.into_inner();
            assert!(medium.record(RecordId(1)).is_some());
            assert_eq!(medium.record(RecordId(2)).is_some(), expect_second);
            assert!(medium.record(RecordId(3)).is_none());
        }
    }
}
