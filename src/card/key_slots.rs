//! Key slots: the slot record with its key, algorithm attributes C1–C3 (§4.4.3.9–4.4.3.11)
//! and algorithm information FA (§4.4.3.11).
//!
//! A slot's record holds its attributes, DE status, fingerprint, date, epoch and private key
//! together, so one atomic write changes all of them: a key never pairs with another key's
//! metadata. RAM keeps the metadata and, from first use, the decoded key inside the same
//! [`KeySlotState`]: a key is decoded once per record, and dies with the RAM copy of the
//! record it came from (a rewrite, a failed write, ACTIVATE FILE, power-off).

use zeroize::Zeroizing;

use crate::crypto::{Algorithm, PrivateKey};
use crate::error::Error;
use crate::platform::{RecordId, Storage};
use crate::spec::{tag, KeyStatus, Slot};
use crate::state::{loaded, KeySlot, KeySlotState, KEY_FIELD};
use crate::tlv::Writer;

use super::Card;

/// What happens to a slot's private key when its record is rewritten.
// Lives on the stack for one command; boxing the key would leave the moved-from heap copy
// unwiped when the key moves into the slot state.
#[allow(clippy::large_enum_variant)]
pub(crate) enum KeyChange {
    /// Keep the stored key (metadata-only change).
    Keep,
    /// Remove the key.
    Delete,
    /// Store this new key (and keep it decoded in RAM once it is durable).
    New(PrivateKey),
}

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// Writes a slot's record with `meta` and the key as `change` says, then makes `meta` (and
    /// the key the record now holds, if decoded) the slot's state in RAM.
    ///
    /// The decoded key of the old record is taken out before the write: only a successful
    /// write of the same key ([`KeyChange::Keep`]) puts it back. On a storage error the slot's
    /// metadata is read back from storage (the write may or may not have reached it) and no
    /// key stays decoded.
    pub(crate) fn store_key_slot(
        &mut self,
        slot: Slot,
        meta: KeySlot,
        change: KeyChange,
    ) -> Result<(), Error> {
        let id = RecordId::key(slot);
        let decoded = self.slot_state_mut(slot)?.take_key();
        if !matches!(change, KeyChange::Keep) {
            // A touch confirmed for the old key, and an MSE binding checked against its
            // algorithm, end with it.
            self.session.forget_key(slot);
        }
        let result = self.write_key_record(id, &meta, &change);
        let state = self.slot_state_mut(slot)?;
        match result {
            Ok(()) => {
                let key = match change {
                    KeyChange::Keep => decoded,
                    KeyChange::Delete => None,
                    KeyChange::New(key) => Some(key),
                };
                state.replace(Ok(meta), key);
                Ok(())
            }
            Err(error) => {
                drop(decoded);
                let stored = loaded(self.store.read(id, KeySlot::decode));
                self.slot_state_mut(slot)?.replace(stored, None);
                Err(error)
            }
        }
    }

    /// Encodes and writes a slot record: `meta`, then the key `change` asks for.
    fn write_key_record(
        &mut self,
        id: RecordId,
        meta: &KeySlot,
        change: &KeyChange,
    ) -> Result<(), Error> {
        let kept: Option<Zeroizing<alloc::vec::Vec<u8>>> = match change {
            KeyChange::Keep => self.store.read(id, |payload| {
                Ok(match payload {
                    Some(payload) => KeySlot::decode_with_key(payload)?
                        .1
                        .map(|key| Zeroizing::new(key.to_vec())),
                    None => None,
                })
            })?,
            _ => None,
        };
        self.store.write(id, |w| {
            meta.encode(w)?;
            match (change, &kept) {
                (KeyChange::Keep, Some(key)) => w.put(KEY_FIELD, key),
                (KeyChange::New(key), _) => {
                    let open = w.open(KEY_FIELD)?;
                    key.write_stored(w)?;
                    w.close(open)
                }
                _ => Ok(()),
            }
        })?;
        Ok(())
    }

    /// The slot's metadata as RAM holds it (6581 when its record is unreadable).
    pub(crate) fn key_slot(&self, slot: Slot) -> Result<&KeySlot, Error> {
        self.state
            .keys
            .get(slot.index())
            .ok_or(Error::Internal)?
            .meta()
            .map_err(|_| Error::Storage)
    }

    /// Changes a slot's metadata (fingerprint, date), keeping its key.
    pub(crate) fn update_key_slot(
        &mut self,
        slot: Slot,
        change: impl FnOnce(&mut KeySlot),
    ) -> Result<(), Error> {
        let mut meta = self.key_slot(slot)?.clone();
        change(&mut meta);
        self.store_key_slot(slot, meta, KeyChange::Keep)
    }

    fn slot_state_mut(&mut self, slot: Slot) -> Result<&mut KeySlotState, Error> {
        self.state.keys.get_mut(slot.index()).ok_or(Error::Internal)
    }

    /// The slot's key, decoded from its record (on first use since the record was loaded or
    /// written); 6A88 when the slot has no key, 6581 when the record cannot be read.
    pub(crate) fn slot_key(&mut self, slot: Slot) -> Result<&PrivateKey, Error> {
        let id = RecordId::key(slot);
        let state = self.state.keys.get(slot.index()).ok_or(Error::Internal)?;
        if state.key().is_none() {
            let meta = state.meta().map_err(|_| Error::Storage)?;
            if meta.status == KeyStatus::Absent {
                return Err(Error::NotFound);
            }
            let algorithm = Algorithm::parse(&meta.attributes).map_err(|_| Error::Storage)?;
            let key = self.store.read(id, |payload| {
                let payload = payload.ok_or(Error::Storage)?;
                let (stored, key) = KeySlot::decode_with_key(payload)?;
                // The key must come from the record RAM describes (the same epoch and type).
                if stored.epoch != meta.epoch || stored.attributes != meta.attributes {
                    return Err(Error::Storage);
                }
                PrivateKey::from_stored(&algorithm, key.ok_or(Error::Storage)?)
            })?;
            self.slot_state_mut(slot)?.remember(key);
        }
        self.state
            .keys
            .get(slot.index())
            .and_then(KeySlotState::key)
            .ok_or(Error::Internal)
    }

    /// PUT DATA C1/C2/C3 (PW3 checked by the caller): validates the attributes for the slot.
    /// A key of the same type (e.g. only the RSA import format changed) is kept; any other
    /// change deletes the stored key, its fingerprint and date.
    pub(crate) fn put_algorithm_attributes(
        &mut self,
        slot: Slot,
        data: &[u8],
    ) -> Result<(), Error> {
        // The table limits the length to MAX_ATTRIBUTES_LEN.
        let new = Algorithm::parse(data)?;
        if !new.fits_slot(slot) {
            return Err(Error::IncorrectData);
        }
        let current = self.key_slot(slot)?.clone();
        let attributes = heapless::Vec::from_slice(data).map_err(|_| Error::WrongLength)?;
        let keeps_key = current.status == KeyStatus::Absent
            || Algorithm::parse(&current.attributes).is_ok_and(|old| old.same_key_type(&new));
        if keeps_key {
            let meta = KeySlot {
                attributes,
                ..current
            };
            return self.store_key_slot(slot, meta, KeyChange::Keep);
        }
        let meta = KeySlot {
            attributes,
            status: KeyStatus::Absent,
            fingerprint: [0; 20],
            date: [0; 4],
            epoch: current.epoch.wrapping_add(1),
        };
        self.store_key_slot(slot, meta, KeyChange::Delete)
    }

    /// Algorithm information (FA), spec §4.4.3.11: every supported attribute for every slot
    /// it fits, as complete C1/C2/C3 TLVs; RSA in the 17-bit exponent form yubikit needs
    /// (see [`Algorithm::write_announced`]).
    pub(crate) fn write_algorithm_information(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let open = w.open(tag::ALGORITHM_INFORMATION)?;
        for slot in Slot::ALL {
            for algorithm in Algorithm::supported().filter(|a| a.fits_slot(slot)) {
                let entry = w.open(slot.attributes_tag())?;
                algorithm.write_announced(w)?;
                w.close(entry)?;
            }
        }
        w.close(open)
    }
}
