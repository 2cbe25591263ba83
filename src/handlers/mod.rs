//! Command handlers, one module per group of spec commands, and the dispatcher with the single
//! life-cycle gate.
//!
//! Each handler is a method on [`Card`] that takes the parsed command's fields and, where the
//! command answers data, a [`Writer`] over the response buffer. Handlers are sans-IO: their
//! only side effects are on [`Card`]'s state and its storage.

#[cfg(feature = "attestation")]
mod attestation;
mod data_objects;
mod import;
mod kdf;
mod keys;
mod lifecycle;
mod pin_commands;
mod pso;
mod select;
mod user_presence;

use rand_core::TryCryptoRng;

use crate::apdu::Request;
use crate::applet::Card;
use crate::command::Command;
use crate::config::WrongPinStatus;
use crate::platform::{Clock, RecordId, Storage, UserPresence};
use crate::state::{loaded, usable, usable_mut, Lifecycle, Persisted, Security, Settings};
use crate::status::Error;
use crate::tlv::Writer;

impl<S: Storage, R: TryCryptoRng, C: Clock, U: UserPresence> Card<S, R, C, U> {
    /// Runs one complete command, with the one policy on top of the one mapping: how a wrong
    /// PIN is answered (`Config::wrong_pin_status`).
    pub(crate) fn dispatch(
        &mut self,
        request: Request<'_>,
        reply: &mut Writer<'_>,
    ) -> Result<(), Error> {
        match (self.run(request, reply), self.config.wrong_pin_status) {
            (Err(Error::WrongPin { .. }), WrongPinStatus::SecurityStatusNotSatisfied) => {
                Err(Error::NotAuthorized)
            }
            (result, _) => result,
        }
    }

    /// Parses and runs one command; each handler's result is the tail expression.
    ///
    /// Never inlined into `dispatch`: with the policy above in the same function, LLVM inlined
    /// nearly every handler into it (from b0a01ae on), and every command paid their frames:
    /// SELECT 6 KiB of stack instead of 0.4, RSA-4096 PSO:CDS 20.4 KiB instead of 14.7
    /// (BENCHMARKS.md, finding 5).
    ///
    /// The commands that run a private key operation, the deepest paths, are called from here
    /// and never inlined; every other one runs in [`run_other`](Self::run_other), whose frame
    /// holds what LLVM inlines of them (1.6 KiB), which the key operations then do not pay
    /// (BENCHMARKS.md, finding 6).
    #[inline(never)]
    fn run(&mut self, request: Request<'_>, reply: &mut Writer<'_>) -> Result<(), Error> {
        let command = Command::parse(&request)?;
        if !command.allowed_when_terminated() {
            match usable(&self.state.lifecycle)? {
                Lifecycle::Operational => {}
                Lifecycle::Terminated => return Err(Error::Terminated),
            }
        }
        match command {
            Command::GenerateAsymmetricKeyPair { generate, data } => {
                self.generate_asymmetric_key_pair(generate, data, reply)
            }
            Command::ComputeDigitalSignature { data } => {
                self.compute_digital_signature(data, reply)
            }
            Command::Decipher { data } => self.decipher(data, reply),
            Command::InternalAuthenticate { data } => self.internal_authenticate(data, reply),
            Command::ImportKey { data } => self.import_key(data),
            other => self.run_other(other, reply),
        }
    }

    /// The commands [`run`](Self::run) does not call itself.
    #[inline(never)]
    fn run_other(&mut self, command: Command<'_>, reply: &mut Writer<'_>) -> Result<(), Error> {
        match command {
            Command::Select { aid } => self.select(aid),
            Command::SelectOther => Err(Error::ApplicationNotFound),
            Command::SelectData { occurrence, data } => self.select_data(occurrence, data),
            Command::GetData { tag } => self.get_data(tag, reply),
            Command::GetNextData { tag } => self.get_next_data(tag, reply),
            Command::PutData { tag, data } => self.put_data(tag, data),
            Command::Verify {
                reference,
                reset,
                pin,
            } => self.verify(reference, reset, pin),
            Command::ChangeReferenceData { pin, data } => self.change_reference_data(pin, data),
            Command::ResetRetryCounter { mode, data } => self.reset_retry_counter(mode, data),
            Command::Encipher { data } => self.encipher(data, reply),
            Command::ManageSecurityEnvironment { template, data } => {
                self.manage_security_environment(template, data)
            }
            Command::GetChallenge { le } => self.get_challenge(le, reply),
            Command::TerminateDf => self.terminate_df(),
            Command::ActivateFile => self.activate_file(),
            Command::GetVersion => reply.raw(&self.config.firmware_version),
            Command::SetPinRetries { data } => self.set_pin_retries(data),
            #[cfg(feature = "attestation")]
            Command::GenerateAttestation { slot } => self.generate_attestation(slot),
            // Run by `run`; listed so that a new command cannot go unhandled.
            Command::GenerateAsymmetricKeyPair { .. }
            | Command::ComputeDigitalSignature { .. }
            | Command::Decipher { .. }
            | Command::InternalAuthenticate { .. }
            | Command::ImportKey { .. } => Err(Error::Internal),
        }
    }
}

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// Applies `change` to a copy of the PINs and KDF-DO, writes it, and only then makes it the
    /// state in RAM. On a storage error the write may or may not have reached the medium, so
    /// RAM reads the record back (an unreadable one answers 6581 until power-off): no PIN
    /// state in RAM outlives what storage holds, and nothing is compared after a failed write.
    pub(crate) fn update_security<T>(
        &mut self,
        change: impl FnOnce(&mut Security) -> Result<T, Error>,
    ) -> Result<(T, Persisted), Error> {
        let mut next = usable(&self.state.security)?.clone();
        let value = change(&mut next)?;
        match self.store.write(RecordId::SECURITY, |w| next.encode(w)) {
            Ok(proof) => {
                *usable_mut(&mut self.state.security)? = next;
                Ok((value, proof))
            }
            Err(error) => {
                let config = &self.config;
                let defaults = self.state.retry_defaults.as_ref().ok().copied();
                self.state.security = loaded(self.store.read(RecordId::SECURITY, |p| {
                    Security::decode(p, config, defaults)
                }));
                Err(error)
            }
        }
    }

    /// Writes the settings record from RAM (already changed by the caller). On a storage error
    /// RAM reads the record back, as [`update_security`](Self::update_security) does.
    pub(crate) fn save_settings(&mut self) -> Result<(), Error> {
        let settings = usable(&self.state.settings)?;
        let written = self
            .store
            .write(RecordId::SETTINGS, |w| settings.encode(w))
            .map(drop);
        if written.is_err() {
            self.state.settings = loaded(self.store.read(RecordId::SETTINGS, Settings::decode));
        }
        written
    }

    /// Requires PW3 to be verified in this session.
    pub(crate) fn require_pw3(&self) -> Result<(), Error> {
        if self.session.pw3 {
            Ok(())
        } else {
            Err(Error::NotAuthorized)
        }
    }

    /// Requires PW1 to be verified with reference 82 in this session.
    pub(crate) fn require_pw1_other(&self) -> Result<(), Error> {
        if self.session.pw1_other {
            Ok(())
        } else {
            Err(Error::NotAuthorized)
        }
    }
}
