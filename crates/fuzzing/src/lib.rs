//! Fuzzing entry points and their oracles.
//!
//! Each function takes what a fuzzer produces and panics on a broken invariant, so that the
//! cargo-fuzz targets in `fuzz/` are one-liners and `tests/corpus.rs` here runs the very same
//! functions over the checked-in corpus with plain `cargo test`:
//!
//! - [`apdu`](fn@apdu): arbitrary bytes into `CommandApdu::parse`; a parsed APDU is emitted back to
//!   exactly the input, and the bytes go once through an `Exchange`;
//! - [`tlv`](fn@tlv): `Reader` over arbitrary bytes, then a `Writer` round trip of what was read
//!   (nested templates re-encoded with `open`/`close`) that must read back equal;
//! - [`import`](fn@import): arbitrary key-import templates (`00 DB 3F FF`) for every slot under several
//!   algorithm attributes, on a card whose slots hold known keys: the response always ends with
//!   a valid status word, and a rejected import leaves every key record byte-identical and the
//!   targeted key still answering exactly as before;
//! - [`session`](fn@session): a structured sequence of operations ([`Session`], decoded with `arbitrary`)
//!   against a personalised card (Ed25519 SIG, X25519 DEC, P-256 or RSA-2048 AUT, AES key,
//!   Resetting Code, all from known values), with cheap oracles after every operation: a valid
//!   status word, a response that fits the buffer, no 16-byte window of any private key in any
//!   response, and no PIN retry counter that grows without a command allowed to restore it
//!   (SET PIN RETRIES never gives back a lost try).
//!
//! One module per target (`apdu`, `tlv`, `import`, `session`); the session's input grammar
//! (`grammar`) and its oracles (`oracles`) apart. The cards are the test kit's
//! [`Card`](openpgp_card_applet_testkit::Card) on its in-memory backends, driven through its
//! client, and hold the workspace's known keys (the test kit's `keys`).
//!
//! The crate needs the applet's default algorithm features.

mod apdu;
mod card;
mod grammar;
mod import;
mod keys;
mod oracles;
mod session;
mod snapshot;
mod tlv;

pub use apdu::apdu;
pub use card::{build_apdu, CRT, PW1, PW3, RESETTING_CODE};
pub use grammar::{
    class_of, decode_session, encode_session, out_len, Answer, Apdu, Bytes, Header, Ins, Le, Op,
    PinRef, RngFault, Session, ALGORITHMS, INS_ATTESTATION, KNOWN_HEADERS, MAX_OPS,
};
pub use import::{import, IMPORT_PROFILES};
pub use keys::attributes;
pub use session::{
    session, session_bytes, session_factory_resets, session_power_cuts, MAX_BAD_BYTES,
};
pub use tlv::tlv;

/// Decodes hex (test constants only): the test kit's.
pub use openpgp_card_applet_testkit::hex;
/// A key-import template as GnuPG builds it (re-exported for the fuzz targets' seeds).
pub use openpgp_card_applet_testkit::import_template;
