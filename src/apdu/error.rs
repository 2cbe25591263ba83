//! The APDU layer's own errors: what it finds wrong with a command APDU or with the order of
//! APDUs (ISO 7816-4), apart from the application's errors. The application converts them into
//! its own error type once (`From<apdu::Error>`), and from there into status words.

/// What is wrong with a command APDU, or with where it comes in an exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The APDU's length fields disagree with its size, its data does not fit the buffer, or a
    /// chain grows beyond it (6700).
    WrongLength,
    /// CLA announces a logical channel other than the basic one (6881).
    LogicalChannel,
    /// CLA announces secure messaging (6882).
    SecureMessaging,
    /// CLA is proprietary or reserved (6E00).
    Class,
    /// A chained block's INS/P1/P2 differ from the chain's first block (6883).
    ChainMismatch,
    /// This command cannot be chained here (6884).
    ChainingNotSupported,
    /// GET RESPONSE with P1-P2 other than 00 00 (6A86).
    GetResponseP1P2,
    /// GET RESPONSE with no response waiting (6985).
    NoResponsePending,
}
