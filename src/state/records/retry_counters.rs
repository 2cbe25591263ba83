//! The retry counters record (`RecordId::RETRY_COUNTERS`): the three retry counters, kept apart
//! from the security record so that VERIFY's two writes (the decrement before the comparison,
//! the restore after a right PIN) are 13 bytes each instead of the whole security record (PIN
//! values, maxima and a KDF-DO of up to several hundred bytes). See BENCHMARKS.md, "Flash
//! endurance".
//!
//! # Format
//!
//! ```text
//! payload = epoch (4 bytes, big-endian) ‖ PW1 tries ‖ Resetting Code tries ‖ PW3 tries
//! ```
//!
//! A fixed layout rather than TLVs: it is the record written most often, and the four bytes
//! of tags and lengths would cost one more flash word per write.
//!
//! # How it relates to the security record
//!
//! The security record keeps its own counters (as before: one byte per PIN, written with
//! every change of it) and, since this record exists, an *epoch* (tag 06). The counters the
//! card holds are:
//!
//! 1. this record's, if its epoch equals the security record's (each checked as the security
//!    record's own: at most the PIN's maximum, 0 for a PIN that is not set; otherwise the
//!    records are damaged, 6581);
//! 2. the security record's own, if this record is absent, or older (a lower epoch), or the
//!    security record has no epoch (written by an earlier release, or absent: the factory
//!    state);
//! 3. none (6581 for every PIN command, as a damaged security record) if this record is
//!    unreadable, or its epoch is *above* the security record's, a state no sequence of
//!    writes produces (below).
//!
//! The writes that keep this true (`update_security` and `update_counters` in
//! `card/write_through.rs`, the only writers of the two records):
//! - **Every write of the security record takes a new epoch**, above both epochs stored
//!   (its own and this record's, even one that matches no security record), and carries the
//!   counters the card holds at that moment, with the change applied. It is one atomic
//!   write: a power cut leaves the old security record (with which this record still
//!   matches, or not, as before) or the new one (with which no stored counters record can
//!   match, since its epoch is new), so the counters are the old ones or the new ones.
//! - **A write of this record carries the epoch of the security record in storage** (RAM
//!   holds what storage holds: after a failed write both records are read back), and changes
//!   only counters ([`Counters`]: take a try, or restore a PIN's maximum). If the security
//!   record has no epoch yet, it is first rewritten unchanged with one (once per card, at
//!   the first verification after an update from an earlier release, or on a factory-fresh
//!   card).
//!
//! So an epoch match means this record was written after the security record, and carries
//! its counters as they are now; a lower epoch means the security record was written after
//! this record, carrying the counters this record held then. Either way the counters the card
//! uses are those of the *last* write, as if they lived in one record: every power-cut state
//! of every command is one the single-record design had, and the power-loss proofs
//! (`tests/power_loss.rs`, `crates/flash-record-storage/tests/power_loss.rs`) judge it the
//! same way. In particular:
//! - **no try is given back**: the decrement is this record's write, and the comparison
//!   needs its [`Persisted`](crate::state::Persisted) proof; an older counters record can
//!   only be superseded by a security record that carries what it held;
//! - **a counter is never paired with the wrong PIN value**: a new PIN value is a write of the
//!   security record, with a new epoch, so the counters stored for the old value never match
//!   it;
//! - an epoch above the security record's cannot come from these writes (epochs only grow,
//!   and the security record's is never lowered except by removing it, which also ends the
//!   match): the card cannot decide, and holds no PIN usable rather than guess;
//! - the orphan this record leaves when the security record is gone (a cut inside the factory
//!   reset, which removes the security record first; or an earlier release that knows no
//!   counters record and removed only the security record) never matches: an absent or
//!   earlier-release security record has no epoch, and the next one written takes an epoch
//!   above the orphan's.
//!
//! Why not "the lower of the two records' counters" on every load: the security record's own
//! counters are those of its last write, and a right PIN since then may have restored its
//! counter in this record only; the lower value would take that restore back, and after a
//! new PIN value, a full counter would show the old value's tries. The epoch says which
//! write came last, so no guess is needed.
//!
//! **Downgrade.** A security record with an epoch does not decode on an earlier release (its
//! decoder refuses unknown fields): the PIN commands answer 6581 there, rather than showing the
//! security record's older counters, which would give back the tries this record took.
//!
//! The epoch is 32 bits and grows by one per write of the security record (PIN changes, KDF,
//! SET PIN RETRIES, the Resetting Code); at its end the write is refused (6581), never
//! wrapped: flash that endures 10,000 erase cycles per page cannot take 2³² writes of it.

use crate::error::Error;
use crate::spec::PinRef;
use crate::state::pin::Attempt;
use crate::tlv::Writer;

use super::security::{pin_index, Security};

/// The payload's length: the epoch and three counters.
const LEN: usize = 4 + 3;

/// The epochs of the two records as stored (loaded at power-on, or written since): which of
/// them holds the counters, and what the next security record's epoch is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Epochs {
    /// The security record's epoch (`None`: written by an earlier release, or absent).
    pub(crate) security: Option<u32>,
    /// The stored counters record's epoch, whether it matches or not (`None`: absent).
    pub(crate) counters: Option<u32>,
}

impl Epochs {
    /// The epoch of the next security record: above every epoch stored in either record, so
    /// that no counters record already in storage can match it. `Error::Storage` (6581) at the
    /// end of the range.
    pub(crate) fn next(&self) -> Result<u32, Error> {
        let highest = self.security.unwrap_or(0).max(self.counters.unwrap_or(0));
        highest.checked_add(1).ok_or(Error::Storage)
    }
}

/// A decoded counters record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RetryCounters {
    /// The epoch of the security record these counters belong to.
    pub epoch: u32,
    /// PW1, Resetting Code, PW3.
    pub tries: [u8; 3],
}

impl RetryCounters {
    /// Decodes the record (`None`: absent).
    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<Option<RetryCounters>, Error> {
        let Some(payload) = payload else {
            return Ok(None);
        };
        let bytes = <[u8; LEN]>::try_from(payload).map_err(|_| Error::Storage)?;
        let [e0, e1, e2, e3, pw1, rc, pw3] = bytes;
        Ok(Some(RetryCounters {
            epoch: u32::from_be_bytes([e0, e1, e2, e3]),
            tries: [pw1, rc, pw3],
        }))
    }

    /// Applies a stored counters record to the security record decoded with it: the counters
    /// of whichever was written last (see the module documentation).
    pub(crate) fn apply(
        stored: Option<RetryCounters>,
        mut security: Security,
    ) -> Result<Security, Error> {
        let Some(stored) = stored else {
            return Ok(security);
        };
        security.epochs.counters = Some(stored.epoch);
        match security.epochs.security {
            Some(epoch) if stored.epoch == epoch => {
                for which in [PinRef::Pw1, PinRef::ResettingCode, PinRef::Pw3] {
                    let tries = stored
                        .tries
                        .get(pin_index(which))
                        .copied()
                        .ok_or(Error::Storage)?;
                    // As for the security record's own counters: a counter the card could
                    // never have written is damage, not extra guesses.
                    let pin = security.pin(which);
                    if tries > security.max_tries(which) || (!pin.is_set() && tries != 0) {
                        return Err(Error::Storage);
                    }
                    security.pin_mut(which).set_tries(tries);
                }
                Ok(security)
            }
            Some(epoch) if stored.epoch > epoch => Err(Error::Storage),
            _ => Ok(security),
        }
    }
}

impl Security {
    /// The retry counters, and nothing else of the PINs: what a write of the counters record
    /// may change.
    pub(crate) fn counters(&mut self) -> Counters<'_> {
        Counters(self)
    }

    /// Encodes the counters record: the card's counters, with the epoch of the security
    /// record in storage. `Error::Internal` if that record has no epoch (it must be written
    /// with one first).
    pub(crate) fn encode_counters(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let epoch = self.epochs.security.ok_or(Error::Internal)?;
        w.raw(&epoch.to_be_bytes())?;
        w.raw(&[self.pw1.tries(), self.rc.tries(), self.pw3.tries()])?;
        Ok(())
    }
}

/// The retry counters of a [`Security`], and nothing else of it: all that a write of the
/// counters record may change.
#[derive(Debug)]
pub(crate) struct Counters<'a>(&'a mut Security);

impl Counters<'_> {
    /// Takes one try from PIN `which`. `None` when it is blocked or not set.
    pub(crate) fn begin_attempt(&mut self, which: PinRef) -> Option<Attempt> {
        self.0.pin_mut(which).begin_attempt()
    }

    /// Gives PIN `which` a full counter (its right value was presented).
    pub(crate) fn restore(&mut self, which: PinRef) {
        self.0.restore(which);
    }
}
