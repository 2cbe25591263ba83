//! The cardholder record (`RecordId::CARDHOLDER`): DO 65's name (5B), language (5F2D) and sex
//! (5F35), stored as their TLVs in that order.

use crate::error::Error;
use crate::spec::MAX_NAME_LEN;
use crate::tlv::{Overflow, Reader, Writer};

use super::finish;

/// The cardholder record's three fields, borrowed from the stored payload.
pub(crate) struct Cardholder<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) language: &'a [u8],
    pub(crate) sex: &'a [u8],
}

/// The same, owned (for PUT DATA), in fixed-size buffers.
pub(crate) struct CardholderOwned {
    name: heapless::Vec<u8, MAX_NAME_LEN>,
    language: heapless::Vec<u8, 8>,
    sex: heapless::Vec<u8, 1>,
}

impl<'a> Cardholder<'a> {
    pub(crate) fn decode(payload: Option<&'a [u8]>) -> Result<Cardholder<'a>, Error> {
        let Some(payload) = payload else {
            return Ok(Cardholder {
                name: &[],
                language: &[],
                sex: &[],
            });
        };
        let mut r = Reader::new(payload);
        let mut field = |tag| r.expect(tag).map_err(|_| Error::Storage);
        let fields = Cardholder {
            name: field(0x5B)?,
            language: field(0x5F2D)?,
            sex: field(0x5F35)?,
        };
        finish(&r)?;
        Ok(fields)
    }

    pub(crate) fn get(&self, tag: u16) -> &'a [u8] {
        match tag {
            0x5B => self.name,
            0x5F2D => self.language,
            _ => self.sex,
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        w.put(0x5B, self.name)?;
        w.put(0x5F2D, self.language)?;
        w.put(0x5F35, self.sex)
    }

    pub(crate) fn to_owned(&self) -> Result<CardholderOwned, Error> {
        let stored = |_| Error::Storage;
        Ok(CardholderOwned {
            name: heapless::Vec::from_slice(self.name).map_err(stored)?,
            language: heapless::Vec::from_slice(self.language).map_err(stored)?,
            sex: heapless::Vec::from_slice(self.sex).map_err(stored)?,
        })
    }
}

impl CardholderOwned {
    pub(crate) fn set(&mut self, tag: u16, value: &[u8]) -> Result<(), Error> {
        let too_long = |_| Error::WrongLength;
        match tag {
            0x5B => self.name = heapless::Vec::from_slice(value).map_err(too_long)?,
            0x5F2D => self.language = heapless::Vec::from_slice(value).map_err(too_long)?,
            _ => self.sex = heapless::Vec::from_slice(value).map_err(too_long)?,
        }
        Ok(())
    }

    pub(crate) fn as_ref(&self) -> Cardholder<'_> {
        Cardholder {
            name: &self.name,
            language: &self.language,
            sex: &self.sex,
        }
    }
}
