//! The key slot records (`RecordId::KEY`): a slot's attributes, DE status, fingerprint, date,
//! epoch and private key, in one record so that a key never pairs with another key's metadata.

use heapless::Vec as BoundedVec;

use crate::error::Error;
use crate::spec::{KeyStatus, MAX_ATTRIBUTES_LEN};
use crate::tlv::{Overflow, Reader, Writer};

use super::finish;

/// The field of a key slot record that holds the private key, after the metadata.
pub(crate) const KEY_FIELD: u16 = 0x06;

/// The factory algorithm attributes of every slot: RSA 2048, e of 32 bits, standard import
/// format (what GnuPG shows for a new card).
pub const DEFAULT_ATTRIBUTES: [u8; 6] = [0x01, 0x08, 0x00, 0x00, 0x20, 0x00];

/// A key slot's metadata. The record also holds the private key (see
/// `KeySlot::decode_with_key`); RAM keeps only this metadata and, once used, the decoded key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySlot {
    /// Algorithm attributes (C1/C2/C3 value).
    pub attributes: BoundedVec<u8, MAX_ATTRIBUTES_LEN>,
    /// DE status.
    pub status: KeyStatus,
    /// Fingerprint (C7/C8/C9), zeros when not set.
    pub fingerprint: [u8; 20],
    /// Generation date (CE/CF/D0), zeros when not set.
    pub date: [u8; 4],
    /// Increases every time a new key is put in the slot (the signature counter belongs to
    /// one epoch of the SIG slot).
    pub epoch: u32,
}

impl Default for KeySlot {
    fn default() -> KeySlot {
        KeySlot {
            attributes: BoundedVec::from_slice(&DEFAULT_ATTRIBUTES).unwrap_or_default(),
            status: KeyStatus::Absent,
            fingerprint: [0; 20],
            date: [0; 4],
            epoch: 0,
        }
    }
}

impl KeySlot {
    /// The metadata of a new key in this slot (generated or imported): its status, no
    /// fingerprint or date yet (the host writes them, as GnuPG does), and the next epoch, so
    /// nothing tied to the old key (the signature counter, a decoded key) carries over.
    pub fn for_new_key(&self, status: KeyStatus) -> KeySlot {
        KeySlot {
            status,
            fingerprint: [0; 20],
            date: [0; 4],
            epoch: self.epoch.wrapping_add(1),
            ..self.clone()
        }
    }

    /// Encodes the metadata fields; the caller appends the key (tag 06) if there is one.
    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        w.put(0x01, &self.attributes)?;
        w.put(0x02, &[self.status.byte()])?;
        w.put(0x03, &self.fingerprint)?;
        w.put(0x04, &self.date)?;
        w.put(0x05, &self.epoch.to_be_bytes())
    }

    /// Decodes the metadata only (what is kept in RAM).
    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<KeySlot, Error> {
        match payload {
            None => Ok(KeySlot::default()),
            Some(payload) => KeySlot::decode_with_key(payload).map(|(slot, _)| slot),
        }
    }

    /// Decodes the metadata and borrows the stored private key (tag 06), which is present
    /// exactly when the status says a key is there.
    pub(crate) fn decode_with_key(payload: &[u8]) -> Result<(KeySlot, Option<&[u8]>), Error> {
        let mut r = Reader::new(payload);
        let mut field = |tag| r.expect(tag).map_err(|_| Error::Storage);
        let attributes = BoundedVec::from_slice(field(0x01)?).map_err(|_| Error::Storage)?;
        let status = match field(0x02)? {
            [byte] => KeyStatus::from_byte(*byte).ok_or(Error::Storage)?,
            _ => return Err(Error::Storage),
        };
        let fingerprint = field(0x03)?.try_into().map_err(|_| Error::Storage)?;
        let date = field(0x04)?.try_into().map_err(|_| Error::Storage)?;
        let epoch = u32::from_be_bytes(field(0x05)?.try_into().map_err(|_| Error::Storage)?);
        let key = if r.is_empty() {
            None
        } else {
            Some(r.expect(KEY_FIELD).map_err(|_| Error::Storage)?)
        };
        finish(&r)?;
        if key.is_some() != (status != KeyStatus::Absent) {
            return Err(Error::Storage);
        }
        let slot = KeySlot {
            attributes,
            status,
            fingerprint,
            date,
            epoch,
        };
        Ok((slot, key))
    }
}
