//! The applet: the front end a firmware talks to. It owns the APDU exchange (chaining, GET
//! RESPONSE) and the [`Card`](crate::card) below it, and answers power-on and deselection;
//! every command goes down to the card's dispatcher.

use rand_core::TryCryptoRng;

use crate::apdu::Exchange;
use crate::card::Card;
use crate::config::Config;
use crate::platform::{Clock, Storage, Transport, UserPresence};

/// The parts of the device the applet runs on.
#[derive(Debug)]
pub struct Platform<S, R, C, U> {
    /// Persistent storage.
    pub storage: S,
    /// Cryptographically secure random numbers: any [`rand_core::TryCryptoRng`] (every
    /// `CryptoRng` is one). The applet runs health tests on its output and refuses what needs
    /// randomness after an error or a failed test, until the next power-on (see the embedding
    /// guide).
    pub rng: R,
    /// Monotonic milliseconds.
    pub clock: C,
    /// The button (or other user-presence check).
    pub user_presence: U,
}

/// An OpenPGP card application instance.
///
/// Feed it command APDUs with [`process`](Applet::process); tell it about power-on/reset with
/// [`power_on`](Applet::power_on) and about the selection of another application with
/// [`deselect`](Applet::deselect).
pub struct Applet<S, R, C, U> {
    io: Exchange,
    card: Card<S, R, C, U>,
}

impl<S, R, C, U> Applet<S, R, C, U>
where
    S: Storage,
    R: TryCryptoRng,
    C: Clock,
    U: UserPresence,
{
    /// Builds the applet. Nothing is read from storage until power-on; the command and
    /// response buffers are allocated here, once.
    pub fn new(config: Config, platform: Platform<S, R, C, U>) -> Applet<S, R, C, U> {
        let config = config.sanitised();
        let io = Exchange::new(
            usize::from(config.max_command_len),
            usize::from(config.max_response_len),
        );
        let card = Card::new(
            config,
            platform.storage,
            platform.rng,
            platform.clock,
            platform.user_presence,
        );
        Applet { io, card }
    }

    /// Power-on or card reset: forgets every volatile state (verified PINs, chains, pending
    /// responses, selections) and reads the persistent state from storage, exactly as a power
    /// cycle does.
    pub fn power_on(&mut self, transport: Transport) {
        self.io.reset();
        self.card.power_on(transport);
    }

    /// Another application was selected (spec §4.3): the PIN verification status is reset.
    /// (A SELECT of this application's own AID keeps it.)
    pub fn deselect(&mut self) {
        self.io.reset();
        self.card.session.clear_access();
        self.card.session.reset_selection();
    }

    /// Processes one command APDU and writes the response APDU (data, then SW1 SW2) into
    /// `response`. Returns the number of bytes written.
    ///
    /// If [`power_on`](Applet::power_on) was never called, the first command powers the card
    /// on as [`Transport::Contact`].
    ///
    /// # Panics
    /// Never, for any input. A `response` shorter than 2 bytes receives nothing and 0 is
    /// returned; a short `response` otherwise only makes more of the answer wait for GET
    /// RESPONSE.
    pub fn process(&mut self, command: &[u8], response: &mut [u8]) -> usize {
        self.card.ensure_powered();
        self.io.process(command, response, &mut self.card)
    }

    /// Processes one **complete** command, below the applet's own command chaining and GET
    /// RESPONSE: for a firmware whose dispatcher reassembles chains and serves long answers
    /// itself (the `apdu-app` adapter, `openpgp-card-applet-apdu-app`, is one). Returns the whole
    /// response data, for status word 9000, or the status word of the refusal.
    ///
    /// It runs the same handlers and the same error-to-status mapping as
    /// [`process`](Self::process), which is this function plus ISO 7816-4 chaining and GET
    /// RESPONSE. The answer is not cut to Le: the caller delivers it. It lives in the applet's
    /// response buffer (at most `Config::max_response_len` bytes) and is wiped by the next
    /// command, [`deselect`](Self::deselect) or [`power_on`](Self::power_on); copy it out.
    ///
    /// The class byte is checked as for `process` (6881, 6882, 6E00); a CLA still announcing
    /// chaining gets 6884, and data longer than `Config::max_command_len` 6700. Like
    /// `process`, the first command powers the card on as [`Transport::Contact`] if
    /// [`power_on`](Self::power_on) was never called.
    ///
    /// # Panics
    /// Never, for any input.
    pub fn process_command(
        &mut self,
        command: &crate::apdu::CommandApdu<'_>,
    ) -> Result<&[u8], crate::Status> {
        self.card.ensure_powered();
        self.io
            .respond(command, &mut self.card)
            .map_err(crate::Status::from)
    }

    /// The application identifier (spec §4.2.1): `D2 76 00 01 24 01`, version 03 04, the
    /// manufacturer and serial number from [`Config`], RFU `00 00`. SELECT accepts any prefix of
    /// it of at least the first six bytes (RID and application).
    pub fn aid(&self) -> [u8; 16] {
        self.card.aid()
    }

    /// Sets the touch cache time, 0..=255 seconds (0, the default: every operation with UIF on
    /// asks). Persisted; meant for the firmware's management interface, since the product
    /// configures it outside the OpenPGP application, and so not cleared by the OpenPGP factory
    /// reset. Only the cached UIF modes (03, 04) use it.
    pub fn set_touch_cache_time(&mut self, seconds: u8) -> Result<(), crate::Status> {
        self.card.ensure_powered();
        self.card
            .set_touch_cache_time(seconds)
            .map_err(crate::Status::from)
    }

    /// Sets the PIN retry defaults at manufacturing: the retry counter maxima of PW1, the
    /// Resetting Code and PW3 (each 1..=15) that a factory-fresh card and every OpenPGP factory
    /// reset give the PINs (`Config::max_tries` for each until this is called). Persisted in a
    /// record of the firmware's, which the OpenPGP factory reset keeps; on a card whose PINs
    /// were never written, they apply at once. The user changes the current maxima with SET
    /// PIN RETRIES (`00 F2`, PW3). Errors: 6A80 for a value out of range, 6581 for storage.
    pub fn set_retry_defaults(&mut self, defaults: [u8; 3]) -> Result<(), crate::Status> {
        self.card.ensure_powered();
        self.card
            .set_retry_defaults(defaults)
            .map_err(crate::Status::from)
    }

    /// The touch cache time in seconds (`None` if its record is unreadable).
    pub fn touch_cache_time(&self) -> Option<u8> {
        self.card.state.touch_cache_time.ok()
    }

    /// The historical bytes (spec §6, DO 5F52) as GET DATA 5F52 answers them, for the firmware
    /// to put in its answer to reset. Unlike GET DATA this also works on a terminated card,
    /// whose ATR then says LCS 03. Read after [`power_on`](Self::power_on).
    pub fn historical_bytes(&self) -> [u8; 10] {
        self.card.historical_bytes()
    }

    /// The configuration in force (after sanitising).
    pub fn config(&self) -> &Config {
        &self.card.config
    }

    /// Gives the platform parts back, e.g. to rebuild the applet from the same storage as a
    /// power cycle would.
    pub fn into_platform(self) -> Platform<S, R, C, U> {
        Platform {
            storage: self.card.store.into_inner(),
            rng: self.card.rng.into_inner(),
            clock: self.card.clock,
            user_presence: self.card.user_presence,
        }
    }
}

/// Attestation provisioning (YubiKey's attestation, the `attestation` feature): the firmware's
/// API for the device's attestation identity.
#[cfg(feature = "attestation")]
impl<S, R, C, U> Applet<S, R, C, U>
where
    S: Storage,
    R: TryCryptoRng,
    C: Clock,
    U: UserPresence,
{
    /// Attestation provisioning, at manufacturing: generates a new attestation key (P-256, key
    /// reference 81) on the card, dated `date` (DO DD, seconds since 1970 big-endian, as the
    /// other generation dates), and returns its public key as a DER SubjectPublicKeyInfo for
    /// the manufacturer's CA to certify. Any previous attestation key is replaced, and what
    /// certified it is removed: the provisioned certificate and CA fingerprint and the user's
    /// (PUT DATA FC, DC); store the new certificate with
    /// [`set_attestation_certificate`](Self::set_attestation_certificate). Kept in records of
    /// the firmware's: the OpenPGP factory reset does not remove them. See the `attestation`
    /// feature.
    pub fn generate_attestation_key(
        &mut self,
        date: [u8; 4],
    ) -> Result<alloc::vec::Vec<u8>, crate::Status> {
        self.card.ensure_powered();
        self.card
            .generate_attestation_key(date)
            .map_err(crate::Status::from)
    }

    /// The attestation key's public key (DER SubjectPublicKeyInfo); `None` before
    /// [`generate_attestation_key`](Self::generate_attestation_key).
    pub fn attestation_public_key(&mut self) -> Result<Option<alloc::vec::Vec<u8>>, crate::Status> {
        self.card.ensure_powered();
        self.card
            .attestation_public_key()
            .map_err(crate::Status::from)
    }

    /// Attestation provisioning: stores the attestation certificate (DER, DO FC), which must
    /// certify the attestation key's public key (6A80 otherwise; 6A88 without a key; 6985 for
    /// empty data). Its subject becomes the issuer of every attestation the card makes, and
    /// its validity theirs.
    ///
    /// This is the provisioned certificate, in a record of the firmware's that no command
    /// writes: PUT DATA FC installs a user certificate in its place (which must certify the
    /// same key), and the OpenPGP factory reset removes that one, so this one shows again.
    pub fn set_attestation_certificate(&mut self, der: &[u8]) -> Result<(), crate::Status> {
        self.card.ensure_powered();
        self.card
            .set_attestation_certificate(der)
            .map_err(crate::Status::from)
    }

    /// Attestation provisioning: stores the attestation CA fingerprint (DO DC, 20 bytes), as
    /// the manufacturer gives it. Like the certificate, a record of the firmware's that no
    /// command writes: PUT DATA DC installs a user fingerprint in its place, which the OpenPGP
    /// factory reset removes. A new attestation key
    /// ([`generate_attestation_key`](Self::generate_attestation_key)) removes it.
    pub fn set_attestation_ca_fingerprint(
        &mut self,
        fingerprint: &[u8; 20],
    ) -> Result<(), crate::Status> {
        self.card.ensure_powered();
        self.card
            .set_attestation_ca_fingerprint(fingerprint)
            .map_err(crate::Status::from)
    }
}
