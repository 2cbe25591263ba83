//! The KDF-DO F9 (spec §4.3.2): PINs sent as iterated-salted S2K hashes.
//!
//! The card does not hash anything: the host does, with the parameters it reads from F9. What
//! the card must do is keep the PINs consistent with the F9 it stores, because the two GnuPG
//! generations set KDF up differently:
//! - GnuPG 2.2 (`kdf-setup`) verifies PW3, writes F9 with the initial hashes 87 (PW1) and 88
//!   (PW3) of the *default* PINs, and from then on sends hashes. So writing an F9 that carries
//!   87/88 sets PW1/PW3 to those hashes with full counters and deletes the Resetting Code
//!   (a plain one could never match a hash). This is what Gnuk does.
//! - Newer GnuPG changes PW3/PW1 to the hashed defaults itself, clears D3, then writes F9:
//!   the same end state.
//! - Writing F9 with algorithm 00 (KDF off) returns PW1 and PW3 to the plain factory PINs and
//!   deletes the Resetting Code (also Gnuk's behaviour).
//!
//! All of it is one write of the `SECURITY` record, so it is atomic. Every verified PIN is
//! forgotten afterwards.

use super::pin_commands::fits;
use crate::error::Error;
use crate::platform::Storage;
use crate::spec::PinRef;
use crate::state::pin::Pin;
use crate::tlv::Reader;

use super::Card;

/// KDF algorithm byte (tag 81).
const KDF_NONE: u8 = 0x00;
const KDF_ITERSALTED_S2K: u8 = 0x03;
/// Hash algorithm byte (tag 82) and digest length.
const HASH_SHA256: (u8, usize) = (0x08, 32);
const HASH_SHA512: (u8, usize) = (0x0A, 64);

/// A validated KDF-DO, borrowing the initial hashes.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Kdf<'a> {
    /// Whether PINs are hashed (algorithm 03).
    pub enabled: bool,
    /// 87: the hash of the default PW1.
    pub initial_pw1: Option<&'a [u8]>,
    /// 88: the hash of the default PW3.
    pub initial_pw3: Option<&'a [u8]>,
}

impl<'a> Kdf<'a> {
    /// Checks an F9 body: `81 01 alg`, and for S2K `82 01 hash`, `83 04 count`, `84 salt`, and
    /// optionally `85`/`86` salts and `87`/`88` hashes of the digest's length. Each tag at most
    /// once; nothing else.
    pub(crate) fn parse(body: &'a [u8]) -> Result<Kdf<'a>, Error> {
        let mut seen = [false; 8];
        let mut kdf = Kdf::default();
        let mut algorithm = None;
        let mut digest_len = None;
        let mut has_count = false;
        let mut has_salt = false;
        let mut r = Reader::new(body);
        while !r.is_empty() {
            let tlv = r.tlv().ok_or(Error::IncorrectData)?;
            let index = match tlv.tag {
                0x81..=0x88 => usize::from(tlv.tag - 0x81),
                _ => return Err(Error::IncorrectData),
            };
            let seen = seen.get_mut(index).ok_or(Error::IncorrectData)?;
            if *seen {
                return Err(Error::IncorrectData);
            }
            *seen = true;
            match (tlv.tag, tlv.value) {
                (0x81, [alg @ (KDF_NONE | KDF_ITERSALTED_S2K)]) => algorithm = Some(*alg),
                (0x82, [hash]) if *hash == HASH_SHA256.0 => digest_len = Some(HASH_SHA256.1),
                (0x82, [hash]) if *hash == HASH_SHA512.0 => digest_len = Some(HASH_SHA512.1),
                (0x83, [_, _, _, _]) => has_count = true,
                (0x84, salt) if (1..=32).contains(&salt.len()) => has_salt = true,
                (0x85 | 0x86, salt) if (1..=32).contains(&salt.len()) => {}
                (0x87, hash) => kdf.initial_pw1 = Some(hash),
                (0x88, hash) => kdf.initial_pw3 = Some(hash),
                _ => return Err(Error::IncorrectData),
            }
        }
        match algorithm {
            // Spec §4.3.2: with NONE "other tags may be present"; the PINs go back to plain.
            Some(KDF_NONE) => Ok(Kdf::default()),
            Some(KDF_ITERSALTED_S2K) => {
                let digest_len = digest_len.ok_or(Error::IncorrectData)?;
                if !has_count || !has_salt {
                    return Err(Error::IncorrectData);
                }
                for hash in [kdf.initial_pw1, kdf.initial_pw3].into_iter().flatten() {
                    if hash.len() != digest_len {
                        return Err(Error::IncorrectData);
                    }
                }
                kdf.enabled = true;
                Ok(kdf)
            }
            _ => Err(Error::IncorrectData),
        }
    }
}

impl<S: Storage, R, C, U> Card<S, R, C, U> {
    /// PUT DATA F9 (PW3 and the length, at most MAX_KDF_LEN, already checked from the table).
    pub(crate) fn put_kdf(&mut self, body: &[u8]) -> Result<(), Error> {
        let kdf = Kdf::parse(body)?;
        for (hash, policy) in [
            (kdf.initial_pw1, &self.config.pw1),
            (kdf.initial_pw3, &self.config.pw3),
        ] {
            if hash.is_some_and(|hash| !fits(policy, hash)) {
                return Err(Error::IncorrectData);
            }
        }
        let (plain_pw1, plain_pw3) = (self.config.pw1.default, self.config.pw3.default);
        // The verified PINs belong to the PINs this write replaces: they end first, whatever
        // the write's outcome.
        self.session.clear_access();
        self.update_security(|s| {
            s.kdf = heapless::Vec::from_slice(body).map_err(|_| Error::WrongLength)?;
            if !kdf.enabled {
                // The factory PINs, with the card's current retry maxima.
                s.set_pin(PinRef::Pw1, plain_pw1.unwrap_or_default());
                s.set_pin(PinRef::Pw3, plain_pw3.unwrap_or_default());
                s.rc = Pin::unset();
            } else if kdf.initial_pw1.is_some() || kdf.initial_pw3.is_some() {
                if let Some(hash) = kdf.initial_pw1 {
                    s.set_pin(PinRef::Pw1, hash);
                }
                if let Some(hash) = kdf.initial_pw3 {
                    s.set_pin(PinRef::Pw3, hash);
                }
                s.rc = Pin::unset();
            }
            Ok(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_gnupg_shapes_and_rejects_the_rest() {
        let mut body = alloc::vec![0x81, 0x01, 0x03, 0x82, 0x01, 0x08, 0x83, 0x04, 0, 0, 0x01, 0];
        body.extend_from_slice(&[0x84, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]);
        body.extend_from_slice(&[0x87, 0x20]);
        body.extend_from_slice(&[0xAA; 32]);
        body.extend_from_slice(&[0x88, 0x20]);
        body.extend_from_slice(&[0xBB; 32]);
        assert_eq!(body.len(), 90);
        let kdf = Kdf::parse(&body).unwrap();
        assert!(kdf.enabled);
        assert_eq!(kdf.initial_pw1, Some(&[0xAA; 32][..]));

        assert_eq!(Kdf::parse(&[0x81, 0x01, 0x00]).unwrap(), Kdf::default());
        for bad in [
            &[][..],
            &[0x81, 0x01, 0x01],
            &[0x81, 0x01, 0x03],                   // no hash, count, salt
            &[0x81, 0x01, 0x00, 0x81, 0x01, 0x00], // duplicate
            &[0x81, 0x01, 0x00, 0x89, 0x00],       // unknown tag
            &[0x82, 0x01, 0x08],                   // no algorithm
            &[0x81, 0x02, 0x00],                   // truncated
        ] {
            assert_eq!(Kdf::parse(bad), Err(Error::IncorrectData), "{bad:02X?}");
        }
        let mut wrong_hash = body.clone();
        wrong_hash[5] = 0x0A; // SHA-512 announced, 32-byte hashes given
        assert_eq!(Kdf::parse(&wrong_hash), Err(Error::IncorrectData));
    }
}
