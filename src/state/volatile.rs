//! Volatile state: what a power cycle forgets (spec §4.3 access status, §7.2.5 curDO).

use crate::error::Error;
use crate::platform::Transport;
use crate::spec::Slot;

/// Security status and pointers of one power-on session.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// The key INTERNAL AUTHENTICATE uses (AUT, or DEC after MANAGE SECURITY ENVIRONMENT).
    pub authentication_key: Slot,
    /// The key PSO:DECIPHER uses (DEC, or AUT after MANAGE SECURITY ENVIRONMENT).
    pub decipher_key: Slot,
    /// When the user last confirmed presence for each operation (SIG, DEC, AUT), in the
    /// clock's milliseconds; used by the cached UIF modes.
    pub last_touch: [Option<u64>; 3],
}

impl Default for Session {
    fn default() -> Session {
        Session {
            transport: Transport::default(),
            pw1_sign: false,
            pw1_other: false,
            pw3: false,
            certificate: 0,
            authentication_key: Slot::Aut,
            decipher_key: Slot::Dec,
            last_touch: [None; 3],
        }
    }
}

impl Session {
    /// A fresh session on `transport`: nothing verified.
    pub fn new(transport: Transport) -> Session {
        Session {
            transport,
            ..Session::default()
        }
    }

    /// What SELECT resets (spec §7.2.1, §7.2.18): the curDO pointer and the key bindings of
    /// MANAGE SECURITY ENVIRONMENT. Verified PINs stay.
    pub fn reset_selection(&mut self) {
        self.certificate = 0;
        self.authentication_key = Slot::Aut;
        self.decipher_key = Slot::Dec;
    }

    /// The key of `slot` is replaced or deleted: its touch cache ends, and an MSE binding that
    /// lent it to the other operation returns to the default (the new key may not be able to
    /// do that operation).
    pub fn forget_key(&mut self, slot: Slot) {
        if let Some(last) = self.last_touch.get_mut(slot.index()) {
            *last = None;
        }
        if self.authentication_key == slot {
            self.authentication_key = Slot::Aut;
        }
        if self.decipher_key == slot {
            self.decipher_key = Slot::Dec;
        }
    }

    /// Forgets every verified PIN (deselection, factory reset, KDF change).
    pub fn clear_access(&mut self) {
        self.pw1_sign = false;
        self.pw1_other = false;
        self.pw3 = false;
    }

    /// Requires PW3 to be verified in this session (6982 otherwise).
    pub(crate) fn require_pw3(&self) -> Result<(), Error> {
        if self.pw3 {
            Ok(())
        } else {
            Err(Error::NotAuthorized)
        }
    }

    /// Requires PW1 to be verified with reference 82 in this session (6982 otherwise).
    pub(crate) fn require_pw1_other(&self) -> Result<(), Error> {
        if self.pw1_other {
            Ok(())
        } else {
            Err(Error::NotAuthorized)
        }
    }
}
