//! The test kit of `openpgp-card-applet`: everything a host needs to run the applet in
//! process, and nothing a firmware should ever link.
//!
//! - [`backends`]: the platform traits in memory ([`MemoryStorage`]), on power-losing storage
//!   ([`FaultyStorage`]), in files ([`FileStorage`]), with a seeded **insecure** generator
//!   ([`TestRng`]), a [`ManualClock`] and a [`ScriptedButton`], and [`Shared`] handles on them;
//! - [`client`]: the one test client ([`Card`]), built on the applet's own
//!   `CommandApdu::emit`, with GET RESPONSE handled; the card keeps a [`Shared`] handle on its
//!   storage, clock and button, so that a test damages records, moves the clock or scripts the
//!   button through the platform it built ([`Card::storage_mut`], [`Card::clock`],
//!   [`Card::user_presence`]), and power-cycles any card ([`Card::power_cycle`]);
//! - [`commands`]: the common commands as [`Card`] methods (algorithm attributes from an
//!   `Algorithm`, GENERATE, PSO:CDS and DECIPHER, INTERNAL AUTHENTICATE, PIN changes and
//!   resets);
//! - [`import_template`]: key import templates as a host builds them;
//! - [`power_loss`]: what a host can observe of a card, to judge a card after a power cut;
//! - [`representative`]: a session that compares two ways into the applet;
//! - [`storage_contract`]: the `Storage` contract checked on a new implementation, by losing
//!   power at every operation of its medium;
//! - [`keys`]: the workspace's one set of known keys, with answers computed by OpenSSL (the
//!   crate `openpgp-card-applet-test-vectors`).
//!
//! `no_std` + `alloc` apart from [`FileStorage`] (feature `std`, on by default), so that an
//! image for a board without flash or TRNG, such as the footprint image under QEMU, can use
//! the in-memory backends too.
//!
//! ```
//! use openpgp_card_applet_testkit::{assert_sw, Card};
//!
//! let mut card = Card::new(); // in-memory storage, seeded RNG, a button that confirms
//! assert_sw(&card.select(), 0x9000);
//! assert_sw(&card.verify(0x81, b"123456"), 0x9000);
//! assert_eq!(card.tries(), [3, 0, 3]);
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "attestation")]
pub mod attestation_ca;
pub mod backends;
pub mod client;
pub mod commands;
mod import;
/// The known keys and answers of the workspace: the crate `openpgp-card-applet-test-vectors`
/// (generated with OpenSSL), shared with the core's unit tests, the fuzz crate, the benchmarks
/// and the footprint image. Public test keys only.
pub use openpgp_card_applet_test_vectors as keys;
pub mod power_loss;
pub mod representative;
pub mod storage_contract;

pub use backends::{
    Cut, FailingRng, Failure, FaultyError, FaultyStorage, ManualClock, MemoryError, MemoryStorage,
    ScriptedButton, Shared, SourceDead, TestRng,
};
#[cfg(feature = "std")]
pub use backends::{FileStorage, InstantClock};
pub use client::{assert_sw, hex, test_platform, to_hex, Card, Rsp};
pub use commands::{attributes, first_slot, public_key_part};
pub use import::{ecdh_cipher_do, import_template};
