//! GET CHALLENGE (§7.2.15).

use rand_core::TryCryptoRng;

use crate::error::Error;
use crate::tlv::Writer;

use super::Card;

impl<S, R: TryCryptoRng, C, U> Card<S, R, C, U> {
    /// GET CHALLENGE, spec §7.2.15: Le fresh random bytes, at most the maximum announced in C0
    /// bytes 3-4 (6700 beyond it, or without Le). Bytes that passed the health tests, or 6F00
    /// when the source has failed them since power-on.
    pub(crate) fn get_challenge(
        &mut self,
        le: Option<u32>,
        w: &mut Writer<'_>,
    ) -> Result<(), Error> {
        let len = le.ok_or(Error::WrongLength)? as usize;
        if len > usize::from(self.config.max_challenge_len) {
            return Err(Error::WrongLength);
        }
        let bytes = w.reserve(len)?;
        self.rng.fill(bytes)
    }
}
