//! The record store: storage plus a wiped scratch buffer, and the proof that a write is
//! durable.

use alloc::boxed::Box;
use alloc::vec;
use zeroize::Zeroize;

use crate::error::Error;
use crate::platform::{RecordId, Storage, MAX_RECORD_LEN};
use crate::state::records::envelope as record;
use crate::tlv::Writer;

/// Proof that a record write completed: what [`Attempt::compare`](crate::state::pin::Attempt::compare)
/// needs before it compares a PIN.
///
/// Only [`Store::write`] makes one (the field is private to this module), so no code path can
/// compare a PIN before its decremented counter is durable:
///
/// ```compile_fail
/// let forged = openpgp_card_applet::state::Persisted(());
/// ```
#[derive(Debug)]
pub struct Persisted(());

/// Storage plus a scratch buffer for encoding and decoding records.
///
/// Every record passes through the scratch buffer, which is wiped after each use because
/// records hold PINs and keys.
pub struct Store<S> {
    storage: S,
    scratch: Box<[u8]>,
}

impl<S: Storage> Store<S> {
    /// Wraps `storage`; allocates the scratch buffer once.
    pub fn new(storage: S) -> Store<S> {
        Store {
            storage,
            scratch: vec![0u8; MAX_RECORD_LEN].into_boxed_slice(),
        }
    }

    /// Gives the storage back.
    pub fn into_inner(self) -> S {
        self.storage
    }

    /// Reads record `id`, checks it, and passes its payload (or `None` if absent) to `f`.
    pub fn read<T>(
        &mut self,
        id: RecordId,
        f: impl FnOnce(Option<&[u8]>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (result, used) = match self.storage.read(id, &mut self.scratch) {
            Ok(None) => (f(None), 0),
            Ok(Some(len)) => match self.scratch.get(..len) {
                Some(bytes) => (
                    record::open(bytes, kind(id)).and_then(|payload| f(Some(payload))),
                    len,
                ),
                None => (Err(Error::Storage), self.scratch.len()),
            },
            // A failed read may have written anywhere in the buffer.
            Err(_) => (Err(Error::Storage), self.scratch.len()),
        };
        self.wipe(used);
        result
    }

    /// Wipes the first `used` bytes of the scratch buffer (what the last record occupied):
    /// records hold PINs and keys, and wiping only what was used keeps short records cheap.
    fn wipe(&mut self, used: usize) {
        let end = used.min(self.scratch.len());
        if let Some(bytes) = self.scratch.get_mut(..end) {
            bytes.zeroize();
        }
    }

    /// Encodes a record with `f` and writes it. Returns the proof that it is durable.
    pub fn write(
        &mut self,
        id: RecordId,
        f: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>,
    ) -> Result<Persisted, Error> {
        let mut used = self.scratch.len();
        let result = (|| {
            let mut w = record::begin(&mut self.scratch, kind(id))?;
            f(&mut w)?;
            let len = record::end(w)?;
            used = len;
            let bytes = self.scratch.get(..len).ok_or(Error::Internal)?;
            self.storage.write(id, bytes).map_err(|_| Error::Storage)
        })();
        self.wipe(used);
        result?;
        Ok(Persisted(()))
    }

    /// Removes record `id`.
    pub fn remove(&mut self, id: RecordId) -> Result<(), Error> {
        self.storage.remove(id).map_err(|_| Error::Storage)
    }
}

/// The kind byte stored in a record: the low byte of its id, so a record copied to the wrong
/// id is detected.
fn kind(id: RecordId) -> u8 {
    id.0 as u8
}
