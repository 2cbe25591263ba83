//! The signature counter record (`RecordId::SIGNATURE_COUNTER`, DO 93), tied to one epoch of
//! the SIG slot.

use crate::error::Error;
use crate::spec::SIGNATURE_COUNTER_MAX;
use crate::tlv::{Overflow, Reader, Writer};

use super::finish;

/// The digital signature counter, tied to one epoch of the SIG slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SignatureCounter {
    /// The SIG slot epoch this count belongs to.
    pub epoch: u32,
    /// Signatures made with that key; saturates at `0xFF_FFFF` (three bytes in DO 93).
    pub count: u32,
}

impl SignatureCounter {
    /// The count as DO 93 shows it for the current SIG key.
    pub fn value(&self, sig_epoch: u32) -> u32 {
        if self.epoch == sig_epoch {
            self.count.min(SIGNATURE_COUNTER_MAX)
        } else {
            0
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        w.put(0x01, &self.epoch.to_be_bytes())?;
        w.put(0x02, &self.count.to_be_bytes())
    }

    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<SignatureCounter, Error> {
        let Some(payload) = payload else {
            return Ok(SignatureCounter::default());
        };
        let mut r = Reader::new(payload);
        let mut word = |tag| -> Result<u32, Error> {
            let bytes = r.expect(tag).map_err(|_| Error::Storage)?;
            Ok(u32::from_be_bytes(
                bytes.try_into().map_err(|_| Error::Storage)?,
            ))
        };
        let epoch = word(0x01)?;
        let count = word(0x02)?;
        finish(&r)?;
        Ok(SignatureCounter { epoch, count })
    }
}
