//! The OpenPGP card applet as an [`apdu_app::App`], for firmware built on `apdu-dispatch`
//! (the Nitrokey 3 / Solo 2 family and others of the trussed ecosystem).
//!
//! Such a dispatcher owns the transport side of ISO 7816: it routes SELECT among its
//! applications by AID, reassembles command chains, and serves long answers with 61xx and GET
//! RESPONSE. [`OpenPgpApp`] therefore enters the applet below the applet's own chaining and GET
//! RESPONSE layer, through [`Applet::process_command`]: the same handlers and the same
//! error-to-status mapping as [`Applet::process`], one complete command in, the whole answer
//! out.
//!
//! | dispatcher | applet |
//! |---|---|
//! | [`iso7816::App::aid`] | the full AID of [`Applet::aid`] (serial number included), selectable by any prefix of at least 6 bytes (`D2 76 00 01 24 01`, spec §4.2.1) |
//! | `select` | SELECT by DF name (spec §7.2.1); a re-SELECT of this application keeps the PIN state |
//! | `deselect` (another application was selected) | [`Applet::deselect`]: PIN state and pending answers are gone (spec §4.3) |
//! | `call` | every other command |
//! | [`Interface::Contact`] / [`Interface::Contactless`] | [`Transport::Contact`] / [`Transport::Contactless`] (no touch asked) |
//!
//! apdu-dispatch 0.4 compares AIDs as the SELECT spelled them: a re-SELECT of this application
//! by a *different* prefix (first `D2 76 00 01 24 01`, then the full AID) makes it deselect the
//! application it had selected, which is this one. The PIN state is then reset: stricter than
//! spec §4.3, never weaker, and no client does it (GnuPG, OpenSC and yubikit select with the
//! same bytes every time). The adapter does not try to undo it, since telling that deselect
//! from a real one would need knowledge of the dispatcher's internals. A re-SELECT with the
//! same bytes keeps the PIN state.
//!
//! # Power-on and reset
//! The dispatcher has no notion of power. Call [`OpenPgpApp::power_on`] at every power-on or
//! reset of the card interface (CCID `PC_to_RDR_IccPowerOn`, USB reset, NFC field on / RATS):
//! it forgets every volatile state and re-reads storage, as a power cycle does. If the
//! firmware never does, the first command (or the first on the *other* interface, which the
//! dispatcher only accepts after a reset of its own) powers the applet on with the interface
//! it arrived on, so a PIN verified over USB is never usable over NFC.
//!
//! # Why a crate of its own
//! The core crate stays free of the trussed ecosystem's version churn (`apdu-app`, `iso7816`,
//! their `heapless`): a firmware on another dispatcher, or on none, links none of it, and a
//! future `apdu-app` 0.3 gets an adapter release without a release of the applet. The orphan
//! rule makes [`OpenPgpApp`] a wrapper; [`applet`](OpenPgpApp::applet) and
//! [`applet_mut`](OpenPgpApp::applet_mut) reach the applet for the firmware's management
//! functions (touch cache time, historical bytes for the ATR).
//!
//! # Example
//! ```
//! use apdu_app::App as _;
//! use openpgp_card_applet::{Applet, Config};
//! use openpgp_card_applet_apdu_app::OpenPgpApp;
//! use openpgp_card_applet_testkit::{test_platform, MemoryStorage};
//!
//! let applet = Applet::new(Config::default(), test_platform(MemoryStorage::new()));
//! let mut app = OpenPgpApp::new(applet);
//! // apps: &mut [&mut dyn apdu_app::App] for ApduDispatch::poll
//! let apps: [&mut dyn apdu_app::App; 1] = [&mut app];
//! assert!(iso7816::App::aid(&*apps[0]).matches(&[0xD2, 0x76, 0x00, 0x01, 0x24, 0x01]));
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

use apdu_app::{CommandView, Interface, VecView};
use iso7816::{Aid, Status};
use openpgp_card_applet::apdu::CommandApdu;
use openpgp_card_applet::{Applet, Clock, Storage, Transport, UserPresence};
use rand_core::CryptoRng;

/// RID and application (`D2 76 00 01 24 01`): the shortest prefix SELECT accepts.
pub const TRUNCATED_AID_LEN: usize = 6;

/// The OpenPGP AID with the all-zero serial number: only used if the applet's own AID could
/// not be represented, which a 16-byte AID always can.
const FALLBACK_AID: Aid = Aid::new_truncatable(
    &[
        0xD2, 0x76, 0x00, 0x01, 0x24, 0x01, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0,
    ],
    TRUNCATED_AID_LEN,
);

/// The applet as an `apdu_app::App` + `iso7816::App`.
pub struct OpenPgpApp<S, R, C, U> {
    applet: Applet<S, R, C, U>,
    aid: Aid,
    /// The interface the applet was last powered on for (`None`: not yet).
    powered: Option<Transport>,
}

/// The applet's transport kind for a dispatcher interface.
pub fn transport(interface: Interface) -> Transport {
    match interface {
        Interface::Contact => Transport::Contact,
        Interface::Contactless => Transport::Contactless,
    }
}

impl<S, R, C, U> OpenPgpApp<S, R, C, U>
where
    S: Storage,
    R: CryptoRng,
    C: Clock,
    U: UserPresence,
{
    /// Wraps `applet`. Its AID (from its `Config`: manufacturer and serial) is taken now.
    pub fn new(applet: Applet<S, R, C, U>) -> Self {
        let aid =
            Aid::try_new_truncatable(&applet.aid(), TRUNCATED_AID_LEN).unwrap_or(FALLBACK_AID);
        OpenPgpApp {
            applet,
            aid,
            powered: None,
        }
    }

    /// Power-on or reset of the card interface: see the crate documentation.
    pub fn power_on(&mut self, interface: Interface) {
        let transport = transport(interface);
        self.applet.power_on(transport);
        self.powered = Some(transport);
    }

    /// The applet.
    pub fn applet(&self) -> &Applet<S, R, C, U> {
        &self.applet
    }

    /// The applet, mutably (for the firmware's management functions).
    pub fn applet_mut(&mut self) -> &mut Applet<S, R, C, U> {
        &mut self.applet
    }

    /// Gives the applet back.
    pub fn into_applet(self) -> Applet<S, R, C, U> {
        self.applet
    }

    fn respond(
        &mut self,
        interface: Interface,
        apdu: CommandView<'_>,
        reply: &mut VecView<u8>,
    ) -> apdu_app::Result {
        if self.powered != Some(transport(interface)) {
            self.power_on(interface);
        }
        let le = apdu.expected();
        let command = CommandApdu {
            cla: apdu.class().into_inner(),
            ins: apdu.instruction().into(),
            p1: apdu.p1,
            p2: apdu.p2,
            data: apdu.data(),
            // iso7816 gives 0 for an absent Le, 256 or 65536 for "all".
            le: (le != 0).then(|| u32::try_from(le).unwrap_or(u32::MAX)),
            extended: apdu.extended,
        };
        match self.applet.process_command(&command) {
            Ok(data) => reply
                .extend_from_slice(data)
                // The dispatcher's buffer is smaller than the answer: ISO 7816-4's "wrong
                // length; no further indication". Size it per the embedding guide.
                .map_err(|_| Status::WrongLength),
            Err(status) => Err(Status::from(status.to_u16())),
        }
    }
}

impl<S, R, C, U> iso7816::App for OpenPgpApp<S, R, C, U> {
    /// The full AID, matched by any prefix of at least [`TRUNCATED_AID_LEN`] bytes.
    fn aid(&self) -> Aid {
        self.aid
    }
}

impl<S, R, C, U> apdu_app::App for OpenPgpApp<S, R, C, U>
where
    S: Storage,
    R: CryptoRng,
    C: Clock,
    U: UserPresence,
{
    /// SELECT by DF name (spec §7.2.1), passed to the applet as it came.
    fn select(
        &mut self,
        interface: Interface,
        apdu: CommandView<'_>,
        reply: &mut VecView<u8>,
    ) -> apdu_app::Result {
        self.respond(interface, apdu, reply)
    }

    /// Another application was selected: spec §4.3, the PIN status is reset.
    fn deselect(&mut self) {
        self.applet.deselect();
    }

    /// Every command but SELECT by DF name and GET RESPONSE.
    fn call(
        &mut self,
        interface: Interface,
        apdu: CommandView<'_>,
        reply: &mut VecView<u8>,
    ) -> apdu_app::Result {
        self.respond(interface, apdu, reply)
    }
}
