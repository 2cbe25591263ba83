//! PIN values, their retry counters and the constant-time comparison (spec §4.3).
//!
//! The order of a verification is fixed by the types: [`Pin::begin_attempt`] consumes one try
//! and returns an [`Attempt`] token; the caller must persist the decremented counter and only
//! then can it call [`Attempt::compare`], which needs a [`Persisted`] proof that only
//! `state::Store` hands out after a successful write. So no code path can compare before the
//! decrement is durable, and a power cut at any point never grants a free guess.

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::spec::MAX_PIN_LEN;
use crate::state::Persisted;

/// A stored PIN (PW1, PW3 or the Resetting Code) and its retry counter.
///
/// The value lives in a fixed 64-byte array padded with zeros, so comparing it takes the same
/// time whatever its length.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Pin {
    value: [u8; MAX_PIN_LEN],
    len: u8,
    tries: u8,
}

impl core::fmt::Debug for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pin")
            .field("set", &self.is_set())
            .field("tries", &self.tries)
            .finish_non_exhaustive()
    }
}

/// One verification in progress: a try has been taken from the counter.
#[must_use = "an attempt must be compared after the counter is persisted"]
#[derive(Debug)]
pub struct Attempt(());

impl Pin {
    /// A PIN with `value` and a full counter. `None` if the value is longer than
    /// [`MAX_PIN_LEN`].
    pub fn new(value: &[u8], tries: u8) -> Option<Pin> {
        let mut pin = Pin::unset();
        pin.set(value, tries).then_some(pin)
    }

    /// A PIN that is not set (the Resetting Code by default): it never matches, and reports
    /// zero tries.
    pub const fn unset() -> Pin {
        Pin {
            value: [0; MAX_PIN_LEN],
            len: 0,
            tries: 0,
        }
    }

    /// Replaces the value and resets the counter. Returns `false` (changing nothing) when the
    /// value is longer than [`MAX_PIN_LEN`].
    pub fn set(&mut self, value: &[u8], tries: u8) -> bool {
        if value.len() > MAX_PIN_LEN {
            return false;
        }
        self.value.zeroize();
        if let Some(dst) = self.value.get_mut(..value.len()) {
            dst.copy_from_slice(value);
        }
        self.len = value.len() as u8;
        self.tries = if value.is_empty() { 0 } else { tries };
        true
    }

    /// Whether a value is set.
    pub fn is_set(&self) -> bool {
        self.len != 0
    }

    /// The stored length (needed to split CHANGE REFERENCE DATA's old‖new).
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the stored value is empty (not set).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Remaining tries; 0 means blocked (or not set).
    pub fn tries(&self) -> u8 {
        self.tries
    }

    /// Whether no try is left (or the PIN is not set).
    pub fn is_blocked(&self) -> bool {
        self.tries == 0 || !self.is_set()
    }

    /// Sets the counter (used to restore it after a match).
    pub fn set_tries(&mut self, tries: u8) {
        self.tries = if self.is_set() { tries } else { 0 };
    }

    /// Takes one try. `None` when the PIN is blocked or not set.
    pub fn begin_attempt(&mut self) -> Option<Attempt> {
        if self.is_blocked() {
            return None;
        }
        self.tries -= 1;
        Some(Attempt(()))
    }

    /// The stored bytes, for encoding into the persistent record.
    pub(crate) fn value(&self) -> &[u8] {
        self.value.get(..self.len()).unwrap_or(&[])
    }
}

impl Attempt {
    /// Compares `candidate` with `pin` in constant time (independent of where they differ and
    /// of the stored length). Requires proof that the decremented counter is durable.
    pub fn compare(self, pin: &Pin, candidate: &[u8], _proof: Persisted) -> bool {
        Self::constant_time_eq(pin, candidate)
    }

    fn constant_time_eq(pin: &Pin, candidate: &[u8]) -> bool {
        let mut padded = [0u8; MAX_PIN_LEN];
        let fits = candidate.len() <= MAX_PIN_LEN;
        if let Some(dst) = padded.get_mut(..candidate.len()) {
            dst.copy_from_slice(candidate);
        }
        let same_len = (candidate.len().min(usize::from(u8::MAX)) as u8).ct_eq(&pin.len);
        let same_value = padded.ct_eq(&pin.value);
        padded.zeroize();
        fits && bool::from(same_len & same_value & !pin.len.ct_eq(&0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_exact_value() {
        let pin = Pin::new(b"123456", 3).unwrap();
        for candidate in [
            &b"123456"[..],
            b"12345",
            b"1234567",
            b"123457",
            b"",
            &[0; 64],
        ] {
            let ok = Attempt::constant_time_eq(&pin, candidate);
            assert_eq!(ok, candidate == b"123456", "{candidate:?}");
        }
        // Trailing zero bytes must not match a shorter stored PIN.
        assert!(!Attempt::constant_time_eq(&pin, b"123456\0"));
        assert!(!Attempt::constant_time_eq(&pin, &[b'1'; 65]));
        assert!(!Attempt::constant_time_eq(&Pin::unset(), b""));
    }

    #[test]
    fn attempts_consume_tries_until_blocked() {
        let mut pin = Pin::new(b"12345678", 3).unwrap();
        assert!(pin.begin_attempt().is_some());
        assert!(pin.begin_attempt().is_some());
        assert!(pin.begin_attempt().is_some());
        assert_eq!(pin.tries(), 0);
        assert!(pin.is_blocked());
        assert!(pin.begin_attempt().is_none());
    }

    #[test]
    fn an_unset_pin_never_matches() {
        let mut pin = Pin::unset();
        assert!(pin.begin_attempt().is_none());
        assert_eq!(pin.tries(), 0);
        pin.set_tries(3);
        assert_eq!(pin.tries(), 0);
        assert!(Pin::new(&[0; 65], 3).is_none());
    }
}
