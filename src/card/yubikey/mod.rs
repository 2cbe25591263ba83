//! YubiKey's extensions of the OpenPGP application, which yubikit and `ykman openpgp` use:
//! GET VERSION (`F1`), SET PIN RETRIES (`F2`) with the firmware's retry defaults, and
//! attestation (`FB`, in [`attestation`]).

#[cfg(feature = "attestation")]
mod attestation;

use crate::error::Error;
use crate::platform::{RecordId, Storage};
use crate::spec::PinRef;
use crate::state::{decode_retry_defaults, loaded, valid_max_tries};
use crate::tlv::Writer;

use super::Card;

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// GET VERSION (`00 F1 00 00`, YubiKey's): the firmware version of
    /// [`Config::firmware_version`](crate::Config::firmware_version), three BCD bytes.
    pub(crate) fn get_version(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        Ok(w.raw(&self.config.firmware_version)?)
    }

    /// SET PIN RETRIES (YubiKey's INS F2; not in the spec): with PW3 verified, the data is the
    /// new retry maximum of PW1, the Resetting Code and PW3, each 1..=[`MAX_TRIES`](crate::spec::MAX_TRIES) (6A80
    /// otherwise: VERIFY's status query answers 63Cx, whose x has four bits; ykman allows up
    /// to 99).
    ///
    /// Never a try given back: a counter goes up only through its right PIN, RESET RETRY
    /// COUNTER or the factory reset. A counter that is full (it has lost no try since its
    /// PIN was last proven or set) moves to its new maximum, as on a YubiKey. One that has
    /// lost tries keeps what it has, and at most the new maximum less one, so that it stays
    /// recognisably short of full: "lower the maximum to the tries left, then raise it"
    /// would otherwise make it look full and refill it (a maximum of 1 therefore blocks a PIN
    /// that has lost tries; PW3 can still set a new PW1 with RESET RETRY COUNTER). The next
    /// right PIN fills it up to the new maximum. An unset Resetting Code stays at 0. One
    /// write of the security record: a power cut leaves the old maxima and counters or the
    /// new ones. The PINs and what they verified stay. The OpenPGP factory reset returns to
    /// the retry defaults ([`Applet::set_retry_defaults`](crate::Applet::set_retry_defaults)).
    pub(crate) fn set_pin_retries(&mut self, data: &[u8]) -> Result<(), Error> {
        self.session.require_pw3()?;
        let max = <[u8; 3]>::try_from(data).map_err(|_| Error::WrongLength)?;
        if !valid_max_tries(&max) {
            return Err(Error::IncorrectData);
        }
        self.update_security(|s| {
            for which in [PinRef::Pw1, PinRef::ResettingCode, PinRef::Pw3] {
                let old_max = s.max_tries(which);
                let new_max = max
                    .get(crate::state::pin_index(which))
                    .copied()
                    .unwrap_or(1);
                let next = retries_after_new_maximum(s.pin(which).tries(), old_max, new_max);
                s.pin_mut(which).set_tries(next);
            }
            s.max_tries = max;
            Ok(())
        })?;
        Ok(())
    }

    /// The firmware's retry defaults (what a factory reset gives the PINs): persisted in the
    /// firmware's record, kept by the OpenPGP factory reset. On a card whose PINs were never
    /// written they apply at once.
    pub(crate) fn set_retry_defaults(&mut self, defaults: [u8; 3]) -> Result<(), Error> {
        if !valid_max_tries(&defaults) {
            return Err(Error::IncorrectData);
        }
        let written = self
            .store
            .write(RecordId::RETRY_DEFAULTS, |w| w.raw(&defaults));
        // Whatever the outcome, RAM holds what storage holds.
        let config = &self.config;
        self.state.retry_defaults = loaded(self.store.read(RecordId::RETRY_DEFAULTS, |p| {
            decode_retry_defaults(p, config)
        }));
        self.reload_security();
        written.map(drop)
    }
}

/// A counter's tries after SET PIN RETRIES changes its maximum from `old_max` to `new_max`:
/// a full counter (`tries == old_max`) takes the new maximum; one that has lost tries never
/// gains any and stays below its new maximum, so that no later SET PIN RETRIES takes it for a
/// full one.
fn retries_after_new_maximum(tries: u8, old_max: u8, new_max: u8) -> u8 {
    if tries == old_max {
        new_max
    } else {
        tries.min(new_max.saturating_sub(1))
    }
}
