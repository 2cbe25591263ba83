//! An OpenPGP Card application (spec version 3.4.1) for security keys, as a `no_std` library.
//!
//! The applet is pure logic: a command APDU goes in, a response APDU comes out. It runs on any
//! device that gives it the small [platform traits](platform): persistent [`Storage`], a
//! cryptographic RNG (any [`rand_core::TryCryptoRng`], health-tested before use), a monotonic
//! [`Clock`] and a [`UserPresence`] check. It knows nothing of USB, CCID, NFC or PC/SC; the
//! firmware tells it the [`Transport`] kind at power-on, because touch confirmation applies on
//! contact/USB only.
//!
//! ```
//! use openpgp_card_applet::{Applet, Config, Platform, Presence, Transport};
//! // Host backends from the test kit; a firmware passes its flash, hardware RNG, timer and
//! // button instead (the test kit's generator is seeded and insecure).
//! use openpgp_card_applet_testkit::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
//!
//! let platform = Platform {
//!     storage: MemoryStorage::new(),
//!     rng: TestRng::seed_from_u64(1),
//!     clock: ManualClock::new(),
//!     user_presence: ScriptedButton::always(Presence::Confirmed),
//! };
//! let mut applet = Applet::new(Config::default(), platform);
//! applet.power_on(Transport::Contact);
//!
//! let mut response = [0u8; 1024];
//! // SELECT the OpenPGP application.
//! let n = applet.process(&[0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01], &mut response);
//! assert_eq!(&response[..n], &[0x90, 0x00]);
//! // VERIFY the user PIN for signing.
//! let n = applet.process(b"\x00\x20\x00\x81\x06123456", &mut response);
//! assert_eq!(&response[..n], &[0x90, 0x00]);
//! ```
//!
//! # Layers
//! - [`apdu`]: command APDU parsing (short and extended), command chaining, GET RESPONSE.
//! - [`tlv`]: BER-TLV reader and writer.
//! - [`command`]: the typed commands of the OpenPGP application.
//! - [`data_objects`]: the data-object table (tags, access, lengths, templates).
//! - `card` (crate-private): the OpenPGP application's state and commands, one module per
//!   spec chapter or command group, below the applet front end.
//! - [`state`]: the persistent records and the volatile session state.
//! - [`spec`]: the shared vocabulary of the specification (slots and their tags, PIN
//!   references, key status, limits).
//! - [`platform`]: the traits a device implements.
//! - [`status`]: status words (the wire's).
//! - [`error`]: the application's errors, and the one mapping from them to status words.
//!
//! [`embedding`] is the guide for firmware authors: the platform traits on real hardware, the
//! transport, routing among applications, sizing and the storage contract.
//!
//! Host-only parts live in crates of their own: the test kit (`openpgp-card-applet-testkit`:
//! in-memory backends, the test client), the fuzz entry points, the virtual card, and the
//! promoted firmware parts `flash-record-storage` and `ccid-class`. This crate's dependencies
//! are all `no_std`.
//!
//! # Panic contract
//! No input reaches a panic: parsers are total functions, indexing is checked, and every
//! failure is a status word. `#![forbid(unsafe_code)]` holds for the whole crate. The compiler
//! enforces it: outside tests, clippy's `indexing_slicing`, `unwrap_used`, `expect_used` and
//! `panic` are denied in the whole crate.

#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]
#![warn(missing_docs)]
// A build without any algorithm family has uninhabited key types: the code that would use a
// key is then statically unreachable, which is what we want.
#![cfg_attr(
    not(any(feature = "rsa", feature = "_ecc")),
    allow(unreachable_code, unused_variables)
)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod apdu;
mod applet;
#[cfg(feature = "attestation")]
pub(crate) mod attestation;
mod card;
pub mod command;
pub mod config;
pub mod crypto;
pub mod data_objects;
pub mod embedding;
mod entropy;
pub mod error;
pub mod platform;
pub mod spec;
pub mod state;
pub mod status;
pub mod tlv;

pub use applet::{Applet, Platform};
pub use config::{Config, PinPolicy, WrongPinStatus};
pub use error::Error;
pub use platform::{Clock, Presence, RecordId, Storage, Transport, UserPresence};
pub use status::Status;

/// The README's code samples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
