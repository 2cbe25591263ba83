//! The application's errors, and the one place where they become status words.
//!
//! Handlers return [`Error`], which says *why* something failed in the applet's own terms.
//! [`Status`] is what goes on the wire. The only conversion between the two is
//! `impl From<Error> for Status` below, so the mapping can be read (and reviewed) in one screen.
//! The codecs' errors enter it through `From` as well: the APDU layer's
//! ([`apdu::Error`]) and BER-TLV's ([`DecodeError`]).

use crate::apdu;
use crate::status::Status;
use crate::tlv::{DecodeError, Overflow};

/// Why a command failed, in the applet's terms. Converted to a [`Status`] in exactly one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The APDU's length fields disagree with its size, or a data field has the wrong length.
    WrongLength,
    /// What the APDU layer found wrong with the command APDU or the exchange.
    Apdu(apdu::Error),
    /// The instruction is unknown or not implemented.
    Instruction,
    /// P1/P2 do not name a valid variant of the instruction.
    P1P2,
    /// The data field is malformed or has a value the command does not accept.
    IncorrectData,
    /// The AID is not ours.
    ApplicationNotFound,
    /// The data object or key does not exist.
    NotFound,
    /// The required PIN has not been verified in this session.
    NotAuthorized,
    /// The PIN (or resetting code) was wrong; this many tries remain. Answered 63Cx, or
    /// 6982 by `Config::wrong_pin_status` (the dispatcher applies it).
    WrongPin {
        /// Tries remaining after this failure.
        remaining: u8,
    },
    /// VERIFY's status query: the PIN is not verified, this many tries remain (63Cx).
    NotVerified {
        /// Tries remaining.
        remaining: u8,
    },
    /// The PIN (or resetting code) is blocked or not set.
    Blocked,
    /// The command is valid but not allowed in the current state.
    ConditionsOfUse,
    /// The application is terminated.
    Terminated,
    /// Persistent storage failed, or a stored record did not decode.
    Storage,
    /// User presence was refused or timed out.
    UserPresence,
    /// An internal limit that is not the caller's fault (e.g. the response buffer is too small).
    Internal,
    /// The random number source failed its health tests (or reported an error) since
    /// power-on: nothing that needs randomness is done until the next power-on (6F00).
    RandomFailure,
}

impl From<Error> for Status {
    fn from(error: Error) -> Status {
        match error {
            Error::WrongLength => Status::WrongLength,
            Error::Apdu(error) => match error {
                apdu::Error::WrongLength => Status::WrongLength,
                apdu::Error::LogicalChannel => Status::LogicalChannelNotSupported,
                apdu::Error::SecureMessaging => Status::SecureMessagingNotSupported,
                apdu::Error::Class => Status::ClassNotSupported,
                apdu::Error::ChainMismatch => Status::LastCommandOfChainExpected,
                apdu::Error::ChainingNotSupported => Status::CommandChainingNotSupported,
                apdu::Error::GetResponseP1P2 => Status::IncorrectP1P2,
                apdu::Error::NoResponsePending => Status::ConditionsOfUseNotSatisfied,
            },
            Error::Instruction => Status::InstructionNotSupported,
            Error::P1P2 => Status::IncorrectP1P2,
            Error::IncorrectData => Status::IncorrectData,
            Error::ApplicationNotFound => Status::FileNotFound,
            Error::NotFound => Status::ReferencedDataNotFound,
            Error::NotAuthorized => Status::SecurityStatusNotSatisfied,
            Error::WrongPin { remaining } | Error::NotVerified { remaining } => {
                Status::RemainingTries(remaining)
            }
            Error::Blocked => Status::AuthenticationMethodBlocked,
            Error::ConditionsOfUse => Status::ConditionsOfUseNotSatisfied,
            Error::Terminated => Status::Terminated,
            Error::Storage => Status::MemoryFailure,
            Error::UserPresence => Status::UserPresenceFailed,
            Error::Internal | Error::RandomFailure => Status::Unknown,
        }
    }
}

/// The APDU layer's errors enter the application's as they are; [`Status::from`] maps them.
impl From<apdu::Error> for Error {
    fn from(error: apdu::Error) -> Error {
        Error::Apdu(error)
    }
}

/// A response or record that does not fit its buffer: the applet's own limit (6F00).
impl From<Overflow> for Error {
    fn from(_: Overflow) -> Error {
        Error::Internal
    }
}

/// Malformed TLV in command data is incorrect data (6A80, spec §7.1). Decoders of stored
/// records map a [`DecodeError`] to [`Error::Storage`] themselves.
impl From<DecodeError> for Error {
    fn from(_: DecodeError) -> Error {
        Error::IncorrectData
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_spec_words() {
        assert_eq!(
            Status::from(Error::WrongPin { remaining: 1 }).to_u16(),
            0x63C1
        );
        assert_eq!(Status::from(Error::NotFound).to_u16(), 0x6A88);
        assert_eq!(Status::from(Error::Storage).to_u16(), 0x6581);
        assert_eq!(
            Status::from(Error::from(apdu::Error::ChainMismatch)).to_u16(),
            0x6883
        );
        assert_eq!(Status::from(Error::RandomFailure).to_u16(), 0x6F00);
    }
}
