//! The platform traits: what the applet needs from the device it runs on.
//!
//! Small blocking traits in the embedded-hal style, each with an associated error type, and
//! forwarding impls for `&mut T` so a firmware can lend its drivers instead of giving them away.
//! Randomness is not a trait of ours: the applet takes any [`rand_core::TryCryptoRng`] (every
//! `CryptoRng` is one) and runs NIST SP 800-90B health tests on its output.
//!
//! The applet knows nothing about USB, CCID, NFC or PC/SC. The only fact about the transport it
//! is told is its kind ([`Transport`]), at power-on, because touch confirmation applies to the
//! contact/USB interface only.

use core::fmt::Debug;

/// Identifies one persistent record. The applet owns the numbering; see [`RecordId`]'s
/// associated constants for the list. A backend treats ids as opaque keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(pub u16);

/// Persistent storage of records addressed by [`RecordId`].
///
/// # Contract
/// - [`write`](Storage::write) replaces one record **atomically**: after a power loss during the
///   call, a later [`read`](Storage::read) returns either the complete old content (or absence)
///   or the complete new content, never a mix. This is what littlefs, `sequential-storage` and a
///   write-temp-then-rename file store give. The applet builds every multi-record update on this
///   guarantee alone.
/// - [`remove`](Storage::remove) is atomic in the same sense.
/// - A call that returns `Ok` is durable: it survives a power loss that happens after it
///   returned.
/// - Records are at most [`MAX_RECORD_LEN`] bytes.
pub trait Storage {
    /// Backend error. Every storage error becomes status word 6581 (memory failure).
    type Error: Debug;

    /// Copies record `id` into the start of `buf` and returns its length, or `Ok(None)` when
    /// there is no such record. A record longer than `buf` is an error.
    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, Self::Error>;

    /// Atomically replaces (or creates) record `id` with `data`.
    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), Self::Error>;

    /// Atomically removes record `id`. Removing an absent record is not an error.
    fn remove(&mut self, id: RecordId) -> Result<(), Self::Error>;
}

/// The largest record the applet ever writes, in bytes.
pub const MAX_RECORD_LEN: usize = 4096;

/// A monotonic clock with millisecond resolution.
///
/// It needs no relation to wall time and may start anywhere; it must never go backwards while
/// the card is powered. It is used for the touch cache time.
pub trait Clock {
    /// Clock error. On error the applet behaves as if the touch cache had expired.
    type Error: Debug;

    /// Milliseconds since an arbitrary fixed origin.
    fn now_ms(&mut self) -> Result<u64, Self::Error>;
}

/// The answer to a request for user presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// The user confirmed (touched the button).
    Confirmed,
    /// The user actively refused (where the device can tell).
    Denied,
    /// Nobody confirmed within the timeout.
    TimedOut,
}

/// A user-presence check: a button, a touch sensor, a prompt on a virtual card.
pub trait UserPresence {
    /// Device error. On error the applet refuses the operation (status 6600).
    type Error: Debug;

    /// Blocks until the user confirms or refuses, or `timeout_ms` elapses.
    ///
    /// This is the only call in which the applet waits. A firmware that must keep its transport
    /// alive (CCID time extension) does so from inside this call.
    fn confirm(&mut self, timeout_ms: u32) -> Result<Presence, Self::Error>;
}

/// How the card is powered and reached. Told to the applet at power-on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Transport {
    /// Contact interface or USB: touch policies apply.
    #[default]
    Contact,
    /// Contactless (NFC): the card is held to the reader, touch is never asked for.
    Contactless,
}

impl<T: Storage + ?Sized> Storage for &mut T {
    type Error = T::Error;
    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        T::read(self, id, buf)
    }
    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), Self::Error> {
        T::write(self, id, data)
    }
    fn remove(&mut self, id: RecordId) -> Result<(), Self::Error> {
        T::remove(self, id)
    }
}

impl<T: Clock + ?Sized> Clock for &mut T {
    type Error = T::Error;
    fn now_ms(&mut self) -> Result<u64, Self::Error> {
        T::now_ms(self)
    }
}

impl<T: UserPresence + ?Sized> UserPresence for &mut T {
    type Error = T::Error;
    fn confirm(&mut self, timeout_ms: u32) -> Result<Presence, Self::Error> {
        T::confirm(self, timeout_ms)
    }
}
