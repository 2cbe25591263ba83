//! Status words (ISO 7816-4 §5.1.3, OpenPGP card spec §7.1): what goes on the wire. The
//! application's errors become them in one place, `impl From<Error> for Status` in
//! [`error`](crate::error).

/// A status word as the card answers it.
///
/// Every response the applet produces ends with exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// `9000`: normal processing.
    Success,
    /// `61xx`: more response bytes are available with GET RESPONSE; `xx` is how many
    /// (`00` meaning 256 or more).
    BytesRemaining(u8),
    /// `6285`: the selected file (the application) is in the terminated state.
    Terminated,
    /// `63Cx`: verification failed, `x` tries remain.
    RemainingTries(u8),
    /// `6581`: memory failure (storage unreadable or unwritable).
    MemoryFailure,
    /// `6600`: security-related issue: user presence (touch) refused or timed out.
    UserPresenceFailed,
    /// `6700`: wrong length (Lc, Le or the data of the command).
    WrongLength,
    /// `6881`: logical channels are not supported.
    LogicalChannelNotSupported,
    /// `6882`: secure messaging is not supported.
    SecureMessagingNotSupported,
    /// `6883`: the last command of a chain was expected.
    LastCommandOfChainExpected,
    /// `6884`: command chaining is not supported for this command.
    CommandChainingNotSupported,
    /// `6982`: security status not satisfied (the PIN was not verified).
    SecurityStatusNotSatisfied,
    /// `6983`: authentication method blocked (retry counter at zero).
    AuthenticationMethodBlocked,
    /// `6985`: conditions of use not satisfied.
    ConditionsOfUseNotSatisfied,
    /// `6A80`: incorrect parameters in the command data field.
    IncorrectData,
    /// `6A82`: file or application not found.
    FileNotFound,
    /// `6A86`: incorrect parameters P1-P2.
    IncorrectP1P2,
    /// `6A88`: referenced data (a data object or a key) not found.
    ReferencedDataNotFound,
    /// `6B00`: wrong parameters P1-P2 (offset outside the data).
    WrongParameters,
    /// `6D00`: instruction code not supported.
    InstructionNotSupported,
    /// `6E00`: class not supported.
    ClassNotSupported,
    /// `6F00`: no precise diagnosis.
    Unknown,
}

impl Status {
    /// The two status bytes, SW1 and SW2.
    pub const fn to_bytes(self) -> [u8; 2] {
        self.to_u16().to_be_bytes()
    }

    /// The status word as a number, SW1 in the high byte.
    pub const fn to_u16(self) -> u16 {
        match self {
            Status::Success => 0x9000,
            Status::BytesRemaining(n) => 0x6100 | n as u16,
            Status::Terminated => 0x6285,
            Status::RemainingTries(n) => 0x63C0 | (n & 0x0F) as u16,
            Status::MemoryFailure => 0x6581,
            Status::UserPresenceFailed => 0x6600,
            Status::WrongLength => 0x6700,
            Status::LogicalChannelNotSupported => 0x6881,
            Status::SecureMessagingNotSupported => 0x6882,
            Status::LastCommandOfChainExpected => 0x6883,
            Status::CommandChainingNotSupported => 0x6884,
            Status::SecurityStatusNotSatisfied => 0x6982,
            Status::AuthenticationMethodBlocked => 0x6983,
            Status::ConditionsOfUseNotSatisfied => 0x6985,
            Status::IncorrectData => 0x6A80,
            Status::FileNotFound => 0x6A82,
            Status::IncorrectP1P2 => 0x6A86,
            Status::ReferencedDataNotFound => 0x6A88,
            Status::WrongParameters => 0x6B00,
            Status::InstructionNotSupported => 0x6D00,
            Status::ClassNotSupported => 0x6E00,
            Status::Unknown => 0x6F00,
        }
    }

    /// Decodes a status word; `None` for a word this applet never sends.
    pub const fn from_u16(sw: u16) -> Option<Status> {
        let [sw1, sw2] = sw.to_be_bytes();
        Some(match (sw1, sw2) {
            (0x90, 0x00) => Status::Success,
            (0x61, n) => Status::BytesRemaining(n),
            (0x62, 0x85) => Status::Terminated,
            (0x63, n) if n & 0xF0 == 0xC0 => Status::RemainingTries(n & 0x0F),
            (0x65, 0x81) => Status::MemoryFailure,
            (0x66, 0x00) => Status::UserPresenceFailed,
            (0x67, 0x00) => Status::WrongLength,
            (0x68, 0x81) => Status::LogicalChannelNotSupported,
            (0x68, 0x82) => Status::SecureMessagingNotSupported,
            (0x68, 0x83) => Status::LastCommandOfChainExpected,
            (0x68, 0x84) => Status::CommandChainingNotSupported,
            (0x69, 0x82) => Status::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Status::AuthenticationMethodBlocked,
            (0x69, 0x85) => Status::ConditionsOfUseNotSatisfied,
            (0x6A, 0x80) => Status::IncorrectData,
            (0x6A, 0x82) => Status::FileNotFound,
            (0x6A, 0x86) => Status::IncorrectP1P2,
            (0x6A, 0x88) => Status::ReferencedDataNotFound,
            (0x6B, 0x00) => Status::WrongParameters,
            (0x6D, 0x00) => Status::InstructionNotSupported,
            (0x6E, 0x00) => Status::ClassNotSupported,
            (0x6F, 0x00) => Status::Unknown,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for sw in 0..=u16::MAX {
            if let Some(status) = Status::from_u16(sw) {
                assert_eq!(status.to_u16(), sw, "{sw:04X}");
            }
        }
        assert_eq!(Status::RemainingTries(2).to_bytes(), [0x63, 0xC2]);
        assert_eq!(Status::BytesRemaining(0).to_bytes(), [0x61, 0x00]);
    }
}
