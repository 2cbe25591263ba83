//! VERIFY (§7.2.2), CHANGE REFERENCE DATA (§7.2.3), RESET RETRY COUNTER (§7.2.4).
//!
//! Every comparison follows the same order, enforced by [`Attempt`]'s types: take a try and
//! persist the decremented counter, compare in constant time, then restore the counter (in the
//! same write that stores any new value). A power cut at any point leaves the try consumed.

use crate::command::{ResetMode, VerifyRef};
use crate::config::PinPolicy;
use crate::error::Error;
use crate::platform::Storage;
use crate::spec::PinRef;
use crate::state::pin::Attempt;
use crate::state::{usable, Persisted};

use super::Card;

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// VERIFY, spec §7.2.2.
    ///
    /// - P1 = FF: the reference's status is reset to "not verified" (data must be empty).
    /// - Empty data: 9000 if verified in this session, else 63Cx with the tries left.
    /// - Otherwise the PIN is checked. A value outside the PIN's length limits (which C4 makes
    ///   public) is answered 6700 without consuming a try; every value within them is compared
    ///   and a wrong one consumes a try (GnuPG's factory reset sends 32 bytes of 0x40, which
    ///   is within the limits of all three PINs, so it does count).
    ///
    /// PW1 references 81 and 82 are independent verification states of the same PIN (GnuPG
    /// verifies 82, then 81 with the same value); P1 = FF with either ends both.
    pub(crate) fn verify(
        &mut self,
        reference: VerifyRef,
        reset: bool,
        candidate: &[u8],
    ) -> Result<(), Error> {
        let which = reference.pin();
        if reset {
            if !candidate.is_empty() {
                return Err(Error::WrongLength);
            }
            // "The addressed password" (§7.2.2): 81 and 82 both address PW1, so either ends
            // both of its states. yubikit's `unverify_pin` sends only FF 81 and expects the
            // PIN unverified for decipher too.
            self.forget_verification(which);
            return Ok(());
        }
        if candidate.is_empty() {
            if self.is_verified(reference) {
                return Ok(());
            }
            let tries = usable(&self.state.security)?.pin(which).tries();
            return Err(Error::NotVerified { remaining: tries });
        }
        if !fits(self.policy(which), candidate) {
            return Err(Error::WrongLength);
        }
        match self.check(which, candidate) {
            Ok(()) => {
                self.set_verified(reference, true);
                Ok(())
            }
            Err(error) => {
                self.set_verified(reference, false);
                Err(error)
            }
        }
    }

    /// CHANGE REFERENCE DATA, spec §7.2.3: data is old ‖ new, split at the stored length.
    /// A wrong old value consumes a try (63Cx); a right old value with a new value outside the
    /// length limits restores the counter and answers 6700.
    pub(crate) fn change_reference_data(
        &mut self,
        which: PinRef,
        data: &[u8],
    ) -> Result<(), Error> {
        let new = match self.check_prefix(which, data) {
            Ok(new) => new,
            Err(error) => {
                // As VERIFY does: a wrong PIN ends what that PIN verified.
                self.forget_verification(which);
                return Err(error);
            }
        };
        if !fits(self.policy(which), new) {
            self.update_security(|s| {
                s.restore(which);
                Ok(())
            })?;
            return Err(Error::WrongLength);
        }
        self.update_security(|s| {
            s.set_pin(which, new);
            Ok(())
        })?;
        Ok(())
    }

    /// RESET RETRY COUNTER, spec §7.2.4: P1 = 00 with Resetting Code ‖ new PW1, or P1 = 02 with
    /// the new PW1 after PW3 was verified. The new PW1 gets a full counter, and a verification
    /// of the old PW1 (81 or 82) ends with it.
    pub(crate) fn reset_retry_counter(
        &mut self,
        mode: ResetMode,
        data: &[u8],
    ) -> Result<(), Error> {
        match mode {
            ResetMode::AfterPw3 => {
                self.session.require_pw3()?;
                if !fits(&self.config.pw1, data) {
                    return Err(Error::WrongLength);
                }
                self.update_security(|s| {
                    s.set_pin(PinRef::Pw1, data);
                    Ok(())
                })?;
            }
            ResetMode::WithResettingCode => {
                let new = self.check_prefix(PinRef::ResettingCode, data)?;
                if !fits(&self.config.pw1, new) {
                    self.update_security(|s| {
                        s.restore(PinRef::ResettingCode);
                        Ok(())
                    })?;
                    return Err(Error::WrongLength);
                }
                self.update_security(|s| {
                    s.restore(PinRef::ResettingCode);
                    s.set_pin(PinRef::Pw1, new);
                    Ok(())
                })?;
            }
        }
        self.forget_verification(PinRef::Pw1);
        Ok(())
    }

    /// Ends every verification state of PIN `which` (PW1: 81 and 82).
    fn forget_verification(&mut self, which: PinRef) {
        match which {
            PinRef::Pw1 => {
                self.session.pw1_sign = false;
                self.session.pw1_other = false;
            }
            PinRef::Pw3 => self.session.pw3 = false,
            PinRef::ResettingCode => {}
        }
    }

    /// Checks a whole PIN value: one try taken and persisted, compared, counter restored.
    fn check(&mut self, which: PinRef, candidate: &[u8]) -> Result<(), Error> {
        let (attempt, proof) = self.begin_attempt(which)?;
        let matched = self.compare(which, attempt, candidate, proof)?;
        if !matched {
            return Err(self.wrong_pin(which));
        }
        self.update_security(|s| {
            s.restore(which);
            Ok(())
        })?;
        Ok(())
    }

    /// Checks that `data` starts with the PIN `which` and returns the rest. On a match the
    /// counter stays decremented: the caller restores it in the write that stores the change.
    fn check_prefix<'d>(&mut self, which: PinRef, data: &'d [u8]) -> Result<&'d [u8], Error> {
        let (attempt, proof) = self.begin_attempt(which)?;
        let stored_len = usable(&self.state.security)?.pin(which).len();
        let (old, new) = data.split_at(stored_len.min(data.len()));
        let matched = self.compare(which, attempt, old, proof)?;
        if !matched {
            return Err(self.wrong_pin(which));
        }
        Ok(new)
    }

    /// Takes one try and persists it. A blocked or unset PIN gives 6983.
    fn begin_attempt(&mut self, which: PinRef) -> Result<(Attempt, Persisted), Error> {
        let (attempt, proof) =
            self.update_security(|s| s.pin_mut(which).begin_attempt().ok_or(Error::Blocked))?;
        Ok((attempt, proof))
    }

    fn compare(
        &self,
        which: PinRef,
        attempt: Attempt,
        candidate: &[u8],
        proof: Persisted,
    ) -> Result<bool, Error> {
        let pin = usable(&self.state.security)?.pin(which);
        Ok(attempt.compare(pin, candidate, proof))
    }

    fn wrong_pin(&self, which: PinRef) -> Error {
        match usable(&self.state.security) {
            Ok(security) => Error::WrongPin {
                remaining: security.pin(which).tries(),
            },
            Err(error) => error,
        }
    }

    /// The length policy of a PIN.
    pub(crate) fn policy(&self, which: PinRef) -> &PinPolicy {
        self.config.policy(which)
    }

    fn is_verified(&self, reference: VerifyRef) -> bool {
        match reference {
            VerifyRef::Pw1Sign => self.session.pw1_sign,
            VerifyRef::Pw1Other => self.session.pw1_other,
            VerifyRef::Pw3 => self.session.pw3,
        }
    }

    fn set_verified(&mut self, reference: VerifyRef, verified: bool) {
        match reference {
            VerifyRef::Pw1Sign => self.session.pw1_sign = verified,
            VerifyRef::Pw1Other => self.session.pw1_other = verified,
            VerifyRef::Pw3 => self.session.pw3 = verified,
        }
    }
}

/// Whether `value` is within the policy's length limits.
pub(crate) fn fits(policy: &PinPolicy, value: &[u8]) -> bool {
    (usize::from(policy.min_len)..=usize::from(policy.max_len)).contains(&value.len())
}
