//! The card: the OpenPGP application's state and its commands, below the [`Applet`] front end
//! (which only reassembles APDUs, answers power-on and deselection, and calls down into here).
//!
//! [`Card`] holds the platform parts, the records in RAM and the session; [`Card::dispatch`]
//! parses one complete command and runs its handler. Each handler is a method on `Card`,
//! documented with its spec section, in the module of its spec chapter or command group:
//!
//! | command (INS) | spec | module |
//! |---|---|---|
//! | SELECT (A4), SELECT DATA (A5) | §7.2.1, §7.2.5 | [`select`] |
//! | VERIFY (20), CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C) | §7.2.2–§7.2.4 | [`pin_commands`] |
//! | GET DATA (CA), GET NEXT DATA (CC), PUT DATA (DA) | §7.2.6–§7.2.8 | [`data_objects`] |
//! | PUT DATA (DB) key import | §4.4.3.12, §7.2.8 | [`import`] |
//! | PSO: CDS, DECIPHER, ENCIPHER (2A); INTERNAL AUTHENTICATE (88) | §7.2.10–§7.2.13 | [`pso`] |
//! | GENERATE ASYMMETRIC KEY PAIR (47) | §7.2.14 | [`generate`] |
//! | GET CHALLENGE (84) | §7.2.15 | [`challenge`] |
//! | TERMINATE DF (E6), ACTIVATE FILE (44) | §7.2.16, §7.2.17 | [`lifecycle`] |
//! | MANAGE SECURITY ENVIRONMENT (22) | §7.2.18 | [`mse`] |
//! | GET VERSION (F1), SET PIN RETRIES (F2), GENERATE ATTESTATION (FB) | YubiKey's | [`yubikey`] |
//!
//! Shared by the handlers: the key slots (records of keys and their metadata, the algorithm
//! attributes and FA) in [`key_slots`], the wire form of crypto's values (the public key DO
//! 7F49) in [`encode`], the KDF-DO in [`kdf`], user presence (UIF) in
//! [`user_presence`], and the writes that keep RAM and storage in step in [`write_through`].
//!
//! Handlers are sans-IO: their only side effects are on `Card`'s state and its storage. They
//! call down (into `state`, `crypto`, `tlv`, `command`), never up into the applet.

mod challenge;
mod data_objects;
mod encode;
mod generate;
mod import;
mod kdf;
mod key_slots;
mod lifecycle;
mod mse;
mod pin_commands;
mod pso;
mod select;
mod user_presence;
mod write_through;
mod yubikey;

use rand_core::TryCryptoRng;

use crate::apdu::{Handler, Request};
use crate::command::Command;
use crate::config::{Config, WrongPinStatus};
use crate::entropy::Entropy;
use crate::error::Error;
use crate::platform::{Clock, Storage, Transport, UserPresence};
use crate::state::{usable, Lifecycle, Persistent, Session, Store};
use crate::tlv::Writer;

/// The OpenPGP application: everything the command handlers work on.
pub(crate) struct Card<S, R, C, U> {
    pub(crate) config: Config,
    pub(crate) store: Store<S>,
    /// The platform RNG behind the health tests.
    pub(crate) rng: Entropy<R>,
    pub(crate) clock: C,
    pub(crate) user_presence: U,
    /// The records in RAM, with the keys decoded from them: replaced as a whole at power-on
    /// and by ACTIVATE FILE, so nothing decoded outlives the records it came from.
    pub(crate) state: Persistent,
    pub(crate) session: Session,
    pub(crate) powered: bool,
}

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// A card on these platform parts, not yet powered: nothing is read from storage until
    /// [`power_on`](Self::power_on).
    pub(crate) fn new(config: Config, storage: S, rng: R, clock: C, user_presence: U) -> Self {
        let state = Persistent::factory(&config);
        Card {
            config,
            store: Store::new(storage),
            rng: Entropy::new(rng),
            clock,
            user_presence,
            state,
            session: Session::default(),
            powered: false,
        }
    }

    /// Power-on or card reset: a new session, the records read from storage, the random
    /// source's start-up tests due again.
    pub(crate) fn power_on(&mut self, transport: Transport) {
        self.session = Session::new(transport);
        self.state = Persistent::load(&mut self.store, &self.config);
        self.rng.power_on();
        self.powered = true;
    }

    /// Powers the card on as [`Transport::Contact`] if nothing did yet (the applet's entry
    /// points call this first).
    pub(crate) fn ensure_powered(&mut self) {
        if !self.powered {
            self.power_on(Transport::Contact);
        }
    }
}

impl<S: Storage, R: TryCryptoRng, C: Clock, U: UserPresence> Handler for Card<S, R, C, U> {
    type Error = Error;

    fn handle(&mut self, request: Request<'_>, reply: &mut Writer<'_>) -> Result<(), Error> {
        self.dispatch(request, reply)
    }
}

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
            Command::GetVersion => self.get_version(reply),
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
