//! Volatile state: what a power cycle forgets (spec §4.3 access status, §7.2.5 curDO).

use crate::platform::Transport;

/// Security status and pointers of one power-on session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// How the card was powered on.
    pub transport: Transport,
    /// PW1 verified with reference 81 (for PSO:CDS).
    pub pw1_sign: bool,
    /// PW1 verified with reference 82 (decipher, authenticate, private DOs 0101/0103).
    pub pw1_other: bool,
    /// PW3 verified.
    pub pw3: bool,
    /// The current occurrence of DO 7F21 (0 AUT, 1 DEC, 2 SIG): the curDO pointer.
    pub certificate: u8,
}

impl Session {
    /// A fresh session on `transport`: nothing verified.
    pub fn new(transport: Transport) -> Session {
        Session {
            transport,
            ..Session::default()
        }
    }

    /// Forgets every verified PIN (deselection, factory reset, KDF change).
    pub fn clear_access(&mut self) {
        self.pw1_sign = false;
        self.pw1_other = false;
        self.pw3 = false;
    }
}
