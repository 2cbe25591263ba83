//! The settings record (`RecordId::SETTINGS`): C4 byte 1 and the UIF bytes D6–D9.

use crate::error::Error;
use crate::tlv::{Overflow, Reader, Writer};

use super::finish;

/// Small settings: C4 byte 1 and the UIF bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Settings {
    /// C4 byte 1 = 01: a verified PW1-81 stays valid for several signatures. `false` (the
    /// default, byte 00) means the PIN is asked for every signature.
    pub pw1_multiple_signatures: bool,
    /// First byte of D6, D7, D8 (SIG, DEC, AUT).
    pub uif: [u8; 3],
    /// First byte of D9 (attestation).
    pub uif_att: u8,
}

impl Settings {
    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        w.put(0x01, &[u8::from(self.pw1_multiple_signatures)])?;
        w.put(0x02, &self.uif)?;
        w.put(0x03, &[self.uif_att])
    }

    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<Settings, Error> {
        let Some(payload) = payload else {
            return Ok(Settings::default());
        };
        let mut r = Reader::new(payload);
        let multiple = match r.expect(0x01).map_err(|_| Error::Storage)? {
            [0] => false,
            [1] => true,
            _ => return Err(Error::Storage),
        };
        let uif = r.expect(0x02).map_err(|_| Error::Storage)?;
        let uif = <[u8; 3]>::try_from(uif).map_err(|_| Error::Storage)?;
        // Record format 1 has no attestation UIF: off.
        let uif_att = if r.is_empty() {
            0
        } else {
            match r.expect(0x03).map_err(|_| Error::Storage)? {
                [mode] => *mode,
                _ => return Err(Error::Storage),
            }
        };
        finish(&r)?;
        Ok(Settings {
            pw1_multiple_signatures: multiple,
            uif,
            uif_att,
        })
    }
}
