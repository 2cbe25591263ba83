//! The security record (`RecordId::SECURITY`): PW1, the Resetting Code, PW3 with their
//! counters and maxima, and the KDF-DO, in one record so that a change to several is atomic.
//! Its counters are those of its last write: a verification since then writes only the
//! retry counters record, which the epoch (tag 06) ties to this record (`retry_counters.rs`).
//!
//! ```text
//! payload = 01 { PW1 tries ‖ PW1 } 02 { RC tries ‖ RC } 03 { PW3 tries ‖ PW3 } 04 { KDF-DO }
//!           [05 { three maxima } [06 { epoch, 4 bytes big-endian }]]
//! ```
//!
//! Without 05 (format 1) the maxima are `Config::max_tries`; without 06 (formats 1 and 2)
//! the record has no epoch, and its counters are the card's.

use heapless::Vec as BoundedVec;

use crate::config::Config;
use crate::error::Error;
use crate::spec::{PinRef, MAX_KDF_LEN, MAX_TRIES};
use crate::state::pin::Pin;
use crate::tlv::{Overflow, Reader, Writer};

use super::finish;
use super::retry_counters::Epochs;

/// The PINs and the KDF-DO, stored together so that changes to several of them are atomic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Security {
    /// PW1.
    pub pw1: Pin,
    /// Resetting Code.
    pub rc: Pin,
    /// PW3.
    pub pw3: Pin,
    /// The KDF-DO F9 body, without its outer tag (empty: no KDF-DO written).
    pub kdf: BoundedVec<u8, MAX_KDF_LEN>,
    /// The retry counter maxima of PW1, the Resetting Code and PW3 (1..=[`MAX_TRIES`]): what
    /// a right PIN restores, what a new PIN starts with. Set by SET PIN RETRIES.
    pub max_tries: [u8; 3],
    /// The epochs of the security and retry counters records as stored: which of them holds
    /// the counters above.
    pub(crate) epochs: Epochs,
}

/// The position of a PIN in [`Security::max_tries`] and in C4's counters.
pub(crate) const fn pin_index(which: PinRef) -> usize {
    match which {
        PinRef::Pw1 => 0,
        PinRef::ResettingCode => 1,
        PinRef::Pw3 => 2,
    }
}

/// Whether every maximum is one the card could have set.
pub(crate) fn valid_max_tries(max: &[u8; 3]) -> bool {
    max.iter().all(|&n| (1..=MAX_TRIES).contains(&n))
}

impl Security {
    /// Factory state from the configuration, with `Config::max_tries` for every PIN.
    pub fn factory(config: &Config) -> Security {
        Security::factory_with(config, [config.max_tries; 3])
    }

    /// Factory state from the configuration and the retry maxima `max_tries`.
    pub fn factory_with(config: &Config, max_tries: [u8; 3]) -> Security {
        let pin = |value: Option<&[u8]>, max| {
            value.and_then(|v| Pin::new(v, max)).unwrap_or(Pin::unset())
        };
        let [pw1_max, rc_max, pw3_max] = max_tries;
        Security {
            pw1: pin(config.pw1.default, pw1_max),
            rc: pin(config.resetting_code.default, rc_max),
            pw3: pin(config.pw3.default, pw3_max),
            kdf: BoundedVec::new(),
            max_tries,
            epochs: Epochs::default(),
        }
    }

    /// The retry counter maximum of PIN `which`.
    pub fn max_tries(&self, which: PinRef) -> u8 {
        self.max_tries.get(pin_index(which)).copied().unwrap_or(1)
    }

    /// Gives PIN `which` a full counter (a right PIN was presented).
    pub fn restore(&mut self, which: PinRef) {
        let max = self.max_tries(which);
        self.pin_mut(which).set_tries(max);
    }

    /// Sets PIN `which` to `value` with a full counter (empty: not set). `false` when the
    /// value is too long.
    pub fn set_pin(&mut self, which: PinRef, value: &[u8]) -> bool {
        let max = self.max_tries(which);
        self.pin_mut(which).set(value, max)
    }

    /// The PIN named by `which`.
    pub fn pin(&self, which: PinRef) -> &Pin {
        match which {
            PinRef::Pw1 => &self.pw1,
            PinRef::ResettingCode => &self.rc,
            PinRef::Pw3 => &self.pw3,
        }
    }

    /// The PIN named by `which`, mutably.
    pub fn pin_mut(&mut self, which: PinRef) -> &mut Pin {
        match which {
            PinRef::Pw1 => &mut self.pw1,
            PinRef::ResettingCode => &mut self.rc,
            PinRef::Pw3 => &mut self.pw3,
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        for (tag, pin) in [(0x01, &self.pw1), (0x02, &self.rc), (0x03, &self.pw3)] {
            let open = w.open(tag)?;
            w.raw(&[pin.tries()])?;
            w.raw(pin.value())?;
            w.close(open)?;
        }
        w.put(0x04, &self.kdf)?;
        w.put(0x05, &self.max_tries)?;
        match self.epochs.security {
            Some(epoch) => w.put(0x06, &epoch.to_be_bytes()),
            None => Ok(()),
        }
    }

    /// Decodes the record; `None` means it does not exist, and the factory state is built
    /// with `defaults` (the retry defaults record; `None` when that one is damaged, 6581).
    /// A record without the maxima (written before SET PIN RETRIES existed) has
    /// `Config::max_tries` for every PIN; one without the epoch (written before the retry
    /// counters record existed) has none. The counters are the record's own: the retry
    /// counters record is applied after ([`RetryCounters::apply`](super::retry_counters::RetryCounters::apply)).
    pub(crate) fn decode(
        payload: Option<&[u8]>,
        config: &Config,
        defaults: Option<[u8; 3]>,
    ) -> Result<Security, Error> {
        let Some(payload) = payload else {
            return defaults
                .map(|max| Security::factory_with(config, max))
                .ok_or(Error::Storage);
        };
        let mut r = Reader::new(payload);
        let mut fields = [None, None, None];
        for (tag, field) in [0x01, 0x02, 0x03].into_iter().zip(&mut fields) {
            let value = r.expect(tag).map_err(|_| Error::Storage)?;
            *field = Some(value);
        }
        let kdf = r.expect(0x04).map_err(|_| Error::Storage)?;
        let kdf = BoundedVec::from_slice(kdf).map_err(|_| Error::Storage)?;
        let max_tries = if r.is_empty() {
            [config.max_tries; 3]
        } else {
            let max = r.expect(0x05).map_err(|_| Error::Storage)?;
            <[u8; 3]>::try_from(max).map_err(|_| Error::Storage)?
        };
        let epoch = if r.is_empty() {
            None
        } else {
            let epoch = r.expect(0x06).map_err(|_| Error::Storage)?;
            let epoch = <[u8; 4]>::try_from(epoch).map_err(|_| Error::Storage)?;
            Some(u32::from_be_bytes(epoch))
        };
        finish(&r)?;
        if !valid_max_tries(&max_tries) {
            return Err(Error::Storage);
        }
        let [pw1, rc, pw3] = fields;
        let [pw1_max, rc_max, pw3_max] = max_tries;
        Ok(Security {
            pw1: decode_pin(pw1, pw1_max)?,
            rc: decode_pin(rc, rc_max)?,
            pw3: decode_pin(pw3, pw3_max)?,
            kdf,
            max_tries,
            epochs: Epochs {
                security: epoch,
                counters: None,
            },
        })
    }
}

/// One PIN field of the security record: the counter, then the value.
fn decode_pin(field: Option<&[u8]>, max_tries: u8) -> Result<Pin, Error> {
    let field = field.ok_or(Error::Storage)?;
    let (&tries, value) = field.split_first().ok_or(Error::Storage)?;
    // A counter the card could never have written (above the PIN's maximum, or tries left on
    // an unset PIN) means a damaged record, not extra guesses.
    if tries > max_tries {
        return Err(Error::Storage);
    }
    if value.is_empty() {
        return if tries == 0 {
            Ok(Pin::unset())
        } else {
            Err(Error::Storage)
        };
    }
    Pin::new(value, tries).ok_or(Error::Storage)
}
