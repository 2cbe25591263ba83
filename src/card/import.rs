//! Key import: PUT DATA with odd INS `00 DB 3F FF` and an extended header list (spec
//! §4.4.3.12, §7.2.8).
//!
//! ```text
//! 4D L { B6|B8|A4 (00 | 03 84 01 kr),
//!        7F48 L { tag len, tag len, ... },     -- what 5F48 holds, in order
//!        5F48 L { value ‖ value ‖ ... } }
//! ```
//! RSA tags: 91 e, 92 p, 93 q, 94 1/q mod p, 95 dp, 96 dq, 97 n (any of GnuPG's four formats;
//! the card derives what it needs from e, p, q and checks n when given). EC tags: 92 private
//! scalar, 99 public key (optional, checked when given). The template is validated completely
//! and the key proven to work before anything is stored: a malformed import leaves the slot as
//! it was.

use rand_core::TryCryptoRng;

use super::generate::control_reference_slot;
use super::key_slots::KeyChange;
use crate::crypto::{Algorithm, PrivateKey};
use crate::error::Error;
use crate::platform::Storage;
use crate::spec::{tag, KeyStatus, Slot};
use crate::tlv::Reader;

use super::Card;

/// The tags of the private key components in 7F48 (spec §4.4.3.12).
mod component {
    /// The first component tag: 91, the RSA public exponent e.
    pub const FIRST: u8 = E;
    /// RSA public exponent.
    pub const E: u8 = 0x91;
    /// RSA prime p, or the ECC private scalar.
    pub const P: u8 = 0x92;
    /// RSA prime q.
    pub const Q: u8 = 0x93;
    /// RSA 1/q mod p (PQ).
    pub const PQ: u8 = 0x94;
    /// RSA d mod (p−1) (DP1).
    pub const DP1: u8 = 0x95;
    /// RSA d mod (q−1) (DQ1).
    pub const DQ1: u8 = 0x96;
    /// RSA modulus n.
    pub const N: u8 = 0x97;
    /// ECC public key.
    pub const PUBLIC_KEY: u8 = 0x99;
    /// The ECC private scalar (the tag of RSA's p).
    pub const SCALAR: u8 = P;
}

/// The components of an import, borrowed from the command.
#[derive(Default)]
struct Components<'a> {
    /// Values by tag 0x91..=0x99 (index tag - 0x91).
    values: [Option<&'a [u8]>; 9],
}

impl<'a> Components<'a> {
    fn get(&self, tag: u8) -> Option<&'a [u8]> {
        let index = usize::from(tag.checked_sub(component::FIRST)?);
        self.values.get(index).copied().flatten()
    }
}

/// A parsed extended header list.
struct Import<'a> {
    slot: Slot,
    components: Components<'a>,
}

/// Parses the extended header list; every inconsistency is 6A80 (wrong structure) or 6700
/// (lengths that do not add up).
fn parse(data: &[u8]) -> Result<Import<'_>, Error> {
    let mut outer = Reader::new(data);
    let template = outer.expect(tag::EXTENDED_HEADER_LIST)?;
    outer.finish()?;
    let mut r = Reader::new(template);
    let crt = r.tlv().ok_or(Error::IncorrectData)?;
    let slot = control_reference_slot(crt.tag, crt.value)?;
    let header = r.expect(tag::PRIVATE_KEY_TEMPLATE)?;
    let values = r.expect(tag::PRIVATE_KEY_DATA)?;
    r.finish()?;

    let mut components = Components::default();
    let mut list = Reader::new(header);
    let mut rest = Reader::new(values);
    while !list.is_empty() {
        let tag = list.tag().ok_or(Error::IncorrectData)?;
        let len = list.length().ok_or(Error::IncorrectData)?;
        let slot_for_tag = u8::try_from(tag)
            .ok()
            .and_then(|t| t.checked_sub(component::FIRST))
            .and_then(|i| components.values.get_mut(usize::from(i)))
            .ok_or(Error::IncorrectData)?;
        if slot_for_tag.is_some() {
            return Err(Error::IncorrectData);
        }
        *slot_for_tag = Some(rest.take_bytes(len).ok_or(Error::WrongLength)?);
    }
    if !rest.is_empty() {
        return Err(Error::WrongLength);
    }
    Ok(Import { slot, components })
}

impl<S: Storage, R: TryCryptoRng, C, U> Card<S, R, C, U> {
    /// PUT DATA `DB 3F FF` (spec §4.4.3.12): imports a private key into the slot named by the
    /// control reference template, for the slot's current algorithm attributes. Needs PW3.
    /// On success DE shows 02, fingerprint and date are cleared (the host writes them), a SIG
    /// import starts a new signature count, and any decoded copy of the old key is dropped.
    // Never inlined: called from `Card::run`, which must not hold its frame for the other
    // commands (BENCHMARKS.md, finding 6).
    #[inline(never)]
    pub(crate) fn import_key(&mut self, data: &[u8]) -> Result<(), Error> {
        self.session.require_pw3()?;
        let import = parse(data)?;
        let slot = import.slot;
        let current = self.key_slot(slot)?.clone();
        let algorithm = Algorithm::parse(&current.attributes).map_err(|_| Error::Storage)?;
        let c = &import.components;
        let key = match algorithm.rsa_bits() {
            Some(bits) => {
                let (Some(e), Some(p), Some(q)) = (
                    c.get(component::E),
                    c.get(component::P),
                    c.get(component::Q),
                ) else {
                    return Err(Error::IncorrectData);
                };
                if c.get(component::PUBLIC_KEY).is_some() {
                    return Err(Error::IncorrectData);
                }
                PrivateKey::from_rsa_components(bits, e, p, q, c.get(component::N))?
            }
            None => {
                let scalar = c.get(component::SCALAR).ok_or(Error::IncorrectData)?;
                let rsa_only = [
                    component::E,
                    component::Q,
                    component::PQ,
                    component::DP1,
                    component::DQ1,
                    component::N,
                ];
                if rsa_only.iter().any(|tag| c.get(*tag).is_some()) {
                    return Err(Error::IncorrectData);
                }
                PrivateKey::from_ec_scalar(&algorithm, scalar, c.get(component::PUBLIC_KEY))?
            }
        };
        let meta = current.for_new_key(KeyStatus::Imported);
        self.store_key_slot(slot, meta, KeyChange::New(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gnupg_template() {
        // 4D { B6 00, 7F48 { 92 20 }, 5F48 { 32 bytes } }
        let mut data =
            alloc::vec![0x4D, 0x2A, 0xB6, 0x00, 0x7F, 0x48, 0x02, 0x92, 0x20, 0x5F, 0x48, 0x20];
        data.extend_from_slice(&[7; 32]);
        let import = parse(&data).unwrap();
        assert_eq!(import.slot, Slot::Sig);
        assert_eq!(import.components.get(0x92), Some(&[7; 32][..]));
        assert_eq!(import.components.get(0x99), None);
    }

    #[test]
    fn rejects_malformed_templates() {
        let good = {
            let mut d = alloc::vec![
                0x4D, 0x2D, 0xA4, 0x03, 0x84, 0x01, 0x03, 0x7F, 0x48, 0x02, 0x92, 0x20, 0x5F, 0x48,
                0x20
            ];
            d.extend_from_slice(&[7; 32]);
            d
        };
        assert!(parse(&good).is_ok());
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(parse(&trailing).err(), Some(Error::IncorrectData));
        let mut short_values = good.clone();
        short_values[1] -= 1;
        short_values[14] -= 1;
        short_values.pop();
        assert_eq!(parse(&short_values).err(), Some(Error::WrongLength));
        let mut long_values = good.clone();
        long_values[1] += 1;
        long_values[14] += 1;
        long_values.push(0);
        assert_eq!(parse(&long_values).err(), Some(Error::WrongLength));
        let mut unknown_tag = good.clone();
        unknown_tag[10] = 0x9A;
        assert_eq!(parse(&unknown_tag).err(), Some(Error::IncorrectData));
        let mut wrong_crt = good.clone();
        wrong_crt[2] = 0xB7;
        assert_eq!(parse(&wrong_crt).err(), Some(Error::IncorrectData));
        let duplicate = {
            let mut d = alloc::vec![
                0x4D, 0x0E, 0xB6, 0x00, 0x7F, 0x48, 0x04, 0x92, 0x01, 0x92, 0x01, 0x5F, 0x48, 0x02,
                1, 2
            ];
            d[1] = (d.len() - 2) as u8;
            d
        };
        assert_eq!(parse(&duplicate).err(), Some(Error::IncorrectData));
        assert_eq!(parse(&[]).err(), Some(Error::IncorrectData));
        assert_eq!(parse(&[0x4D, 0x00]).err(), Some(Error::IncorrectData));
    }
}
