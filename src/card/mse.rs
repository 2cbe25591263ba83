//! MANAGE SECURITY ENVIRONMENT (§7.2.18): which key DECIPHER and INTERNAL AUTHENTICATE use.

use crate::crypto::Algorithm;
use crate::error::Error;
use crate::platform::Storage;
use crate::spec::{tag, Slot};
use crate::tlv::Reader;

use super::Card;

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// MANAGE SECURITY ENVIRONMENT, spec §7.2.18: `83 01 02` (the DEC key) or `83 01 03` (the
    /// AUT key) for INTERNAL AUTHENTICATE (P2 = A4) or DECIPHER (P2 = B8). The key's algorithm
    /// must be able to do it (an ECDH key cannot authenticate: 6985). SELECT and power-off reset
    /// the bindings.
    pub(crate) fn manage_security_environment(
        &mut self,
        template: u8,
        data: &[u8],
    ) -> Result<(), Error> {
        let mut r = Reader::new(data);
        let reference = r.expect(tag::MSE_KEY_REFERENCE)?;
        r.finish()?;
        let slot = match reference {
            [reference] if *reference == Slot::Dec.key_reference() => Slot::Dec,
            [reference] if *reference == Slot::Aut.key_reference() => Slot::Aut,
            _ => return Err(Error::IncorrectData),
        };
        let algorithm =
            Algorithm::parse(&self.key_slot(slot)?.attributes).map_err(|_| Error::Storage)?;
        let signs = algorithm.can_sign();
        let deciphers = algorithm.can_decipher();
        if template == Slot::Aut.crt_tag() {
            if !signs {
                return Err(Error::ConditionsOfUse);
            }
            self.session.authentication_key = slot;
        } else {
            if !deciphers {
                return Err(Error::ConditionsOfUse);
            }
            self.session.decipher_key = slot;
        }
        Ok(())
    }
}
