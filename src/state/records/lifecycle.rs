//! The life cycle record (`RecordId::LIFECYCLE`): operational or terminated (spec §7.2.16,
//! §7.2.17).

use crate::error::Error;
use crate::tlv::{Overflow, Reader, Writer};

use super::finish;

/// The application's life cycle status (spec §7.2.16, §7.2.17; LCS in the historical bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// LCS 05.
    Operational,
    /// LCS 03: only SELECT, TERMINATE DF and ACTIVATE FILE work.
    Terminated,
}

impl Lifecycle {
    /// The LCS byte of the historical bytes.
    pub fn lcs(self) -> u8 {
        match self {
            Lifecycle::Operational => 0x05,
            Lifecycle::Terminated => 0x03,
        }
    }

    pub(crate) fn encode(self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        w.put(0x01, &[self.lcs()])
    }

    pub(crate) fn decode(payload: Option<&[u8]>) -> Result<Lifecycle, Error> {
        let Some(payload) = payload else {
            return Ok(Lifecycle::Operational);
        };
        let mut r = Reader::new(payload);
        let state = match r.expect(0x01).map_err(|_| Error::Storage)? {
            [0x05] => Lifecycle::Operational,
            [0x03] => Lifecycle::Terminated,
            _ => return Err(Error::Storage),
        };
        finish(&r)?;
        Ok(state)
    }
}
