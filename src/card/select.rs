//! SELECT (§7.2.1) and SELECT DATA (§7.2.5).

use crate::error::Error;
use crate::platform::Storage;
use crate::spec::tag;
use crate::tlv::Reader;

use super::Card;

/// The registered application identifier prefix (RID D276000124, PIX 01).
pub const AID_PREFIX: [u8; 6] = [0xD2, 0x76, 0x00, 0x01, 0x24, 0x01];

/// The number of 7F21 occurrences (AUT, DEC, SIG; and the attestation certificate FC).
pub const CERTIFICATE_OCCURRENCES: u8 = if cfg!(feature = "attestation") { 4 } else { 3 };

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// SELECT by DF name, spec §7.2.1: the 6-byte prefix or any longer prefix of our full AID
    /// selects the application. Anything else is 6A82 and changes nothing (spec §4.3: only the
    /// selection of *another* application resets the access status, and a name we do not know
    /// selects nothing). Re-selecting keeps the verified PINs; it resets the curDO pointer.
    /// In the terminated state the answer is 6285 (spec §7.2.16).
    pub(crate) fn select(&mut self, aid: &[u8]) -> Result<(), Error> {
        let full = self.aid();
        if aid.len() < AID_PREFIX.len() || !full.starts_with(aid) {
            return Err(Error::ApplicationNotFound);
        }
        self.session.reset_selection();
        match self.state.lifecycle {
            Ok(crate::state::Lifecycle::Terminated) => Err(Error::Terminated),
            _ => Ok(()),
        }
    }

    /// SELECT DATA, spec §7.2.5: `60 { 5C { tag } }`, also in the YubiKey form with one extra
    /// leading length byte (`06 60 04 5C 02 7F 21`, sent by GnuPG 2.3+ for compatibility).
    /// Only 7F21 has several occurrences (P1 00..02); occurrence 00 of any other tag is
    /// accepted as the spec asks and changes nothing.
    pub(crate) fn select_data(&mut self, occurrence: u8, data: &[u8]) -> Result<(), Error> {
        let data = match data {
            [len, rest @ ..]
                if usize::from(*len) == rest.len()
                    && rest.first() == Some(&(tag::SELECT_DATA as u8)) =>
            {
                rest
            }
            _ => data,
        };
        let mut outer = Reader::new(data);
        let reference = outer.expect(tag::SELECT_DATA)?;
        outer.finish()?;
        let mut inner = Reader::new(reference);
        let tag = match inner.expect(tag::TAG_LIST)? {
            [one] => u16::from(*one),
            [hi, lo] => u16::from_be_bytes([*hi, *lo]),
            _ => return Err(Error::IncorrectData),
        };
        inner.finish()?;
        match tag {
            tag::CARDHOLDER_CERTIFICATE if occurrence < CERTIFICATE_OCCURRENCES => {
                self.session.certificate = occurrence;
                Ok(())
            }
            tag::CARDHOLDER_CERTIFICATE => Err(Error::P1P2),
            _ if occurrence == 0 => Ok(()),
            _ => Err(Error::NotFound),
        }
    }

    /// The full AID (DO 4F): prefix, version 3.4, manufacturer, serial, RFU.
    pub(crate) fn aid(&self) -> [u8; 16] {
        let mut aid = [0u8; 16];
        let m = self.config.manufacturer.to_be_bytes();
        let s = self.config.serial.to_be_bytes();
        let parts: [&[u8]; 5] = [&AID_PREFIX, &[0x03, 0x04], &m, &s, &[0, 0]];
        let mut at = 0;
        for part in parts {
            if let Some(dst) = aid.get_mut(at..at + part.len()) {
                dst.copy_from_slice(part);
            }
            at += part.len();
        }
        aid
    }
}
