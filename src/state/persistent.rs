//! The records kept in RAM between power-on and power-off, and how a damaged one is held.

use super::records::{Lifecycle, Security, Settings, SignatureCounter};
use crate::error::Error;

/// What an operation found wrong with a record at power-on: the record could not be read or
/// decoded. Commands that need it answer 6581 until a factory reset rewrites it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Corrupt;

/// The records kept in RAM between power-on and power-off, with what was decoded from them
/// (each [`KeySlotState`](super::KeySlotState) holds its decoded key): replacing a
/// `Persistent` drops every decoded key with it.
#[derive(Debug)]
pub struct Persistent {
    /// Life cycle status.
    pub lifecycle: Result<Lifecycle, Corrupt>,
    /// PINs and KDF-DO.
    pub security: Result<Security, Corrupt>,
    /// C4 byte 1 and UIF.
    pub settings: Result<Settings, Corrupt>,
    /// SIG, DEC, AUT: metadata, and the key decoded from the same record.
    pub keys: [super::KeySlotState; 3],
    /// DO 93.
    pub signature_counter: Result<SignatureCounter, Corrupt>,
    /// C6 (CA fingerprints for the three slots, 20 bytes each).
    pub ca_fingerprints: Result<[u8; 60], Corrupt>,
    /// Seconds a touch is honoured for the cached UIF modes (0: every operation asks).
    pub touch_cache_time: Result<u8, Corrupt>,
    /// The retry maxima a factory reset gives the PINs (the firmware's record).
    pub retry_defaults: Result<[u8; 3], Corrupt>,
    /// The AES key (D5), read from its record on first use.
    pub aes_key: super::AesKeyState,
}

/// Turns a stored record's failure into the value stored in [`Persistent`].
pub(crate) fn loaded<T>(result: Result<T, Error>) -> Result<T, Corrupt> {
    result.map_err(|_| Corrupt)
}

/// Gives access to a loaded record, or 6581 if it was corrupt.
pub(crate) fn usable<T>(record: &Result<T, Corrupt>) -> Result<&T, Error> {
    record.as_ref().map_err(|_| Error::Storage)
}

/// Gives mutable access to a loaded record, or 6581 if it was corrupt.
pub(crate) fn usable_mut<T>(record: &mut Result<T, Corrupt>) -> Result<&mut T, Error> {
    record.as_mut().map_err(|_| Error::Storage)
}
