//! BER-TLV as the OpenPGP card uses it (ISO 7816-4 §5.2, spec §4.4).
//!
//! Tags are one or two bytes (a first byte with the low five bits all set announces a second
//! byte; OpenPGP never needs three). Lengths use the definite forms `0x00..=0x7F`, `81 xx` and
//! `82 xx xx`. [`Reader`] is a borrowing, total parser: every method returns `Option`/`Result`
//! and none can panic. [`Writer`] writes into a caller's buffer and back-patches the length of a
//! constructed object when it is closed, so nested templates are built in one pass.

/// Why TLV input did not decode: a codec error, kept apart from status words (as rustls keeps
/// its codec errors apart from alerts). Its one mapping to the wire is
/// `impl From<DecodeError> for Error` in [`error`](crate::error): 6A80 for command data.
/// Record decoders map it to a storage error instead, because there the bytes came from flash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A tag or length is cut short, uses a form OpenPGP does not (three-byte tag, `83`
    /// length), or announces more bytes than there are.
    Malformed,
    /// A TLV with another tag (or none at all) where `expected` had to come.
    UnexpectedTag {
        /// The tag the format requires here.
        expected: u16,
        /// The tag found; `None` when the input ended or was malformed.
        found: Option<u16>,
    },
    /// Bytes are left after the last TLV the format allows.
    TrailingBytes,
}

/// One TLV: its tag and a borrowed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag, one or two bytes, big-endian in a `u16` (`0x5F50`, `0xC4`).
    pub tag: u16,
    /// The value bytes.
    pub value: &'a [u8],
}

/// A borrowing reader over concatenated TLVs.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    /// Whether every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The bytes not yet read.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// Takes `n` raw bytes (named so as not to clash with `Iterator::take`).
    pub fn take_bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        let (first, tail) = self.rest.split_first()?;
        self.rest = tail;
        Some(*first)
    }

    /// Reads a tag.
    pub fn tag(&mut self) -> Option<u16> {
        let first = self.byte()?;
        if first & 0x1F != 0x1F {
            return Some(u16::from(first));
        }
        let second = self.byte()?;
        if second & 0x80 != 0 {
            return None; // a third tag byte: not used by OpenPGP
        }
        Some(u16::from_be_bytes([first, second]))
    }

    /// Reads a definite length of at most two bytes.
    pub fn length(&mut self) -> Option<usize> {
        match self.byte()? {
            n @ 0x00..=0x7F => Some(usize::from(n)),
            0x81 => {
                let n = self.byte()?;
                // DER would forbid 81 xx for xx < 0x80; GnuPG and others do send it, accept.
                Some(usize::from(n))
            }
            0x82 => {
                let hi = self.byte()?;
                let lo = self.byte()?;
                Some(usize::from(u16::from_be_bytes([hi, lo])))
            }
            _ => None,
        }
    }

    /// Reads one TLV.
    pub fn tlv(&mut self) -> Option<Tlv<'a>> {
        let saved = self.rest;
        let result = (|| {
            let tag = self.tag()?;
            let len = self.length()?;
            let value = self.take_bytes(len)?;
            Some(Tlv { tag, value })
        })();
        if result.is_none() {
            self.rest = saved;
        }
        result
    }

    /// Reads one TLV that must carry `tag`. On an error nothing is consumed.
    pub fn expect(&mut self, tag: u16) -> Result<&'a [u8], DecodeError> {
        let saved = self.rest;
        match self.tlv() {
            Some(tlv) if tlv.tag == tag => Ok(tlv.value),
            other => {
                self.rest = saved;
                Err(DecodeError::UnexpectedTag {
                    expected: tag,
                    found: other.map(|tlv| tlv.tag),
                })
            }
        }
    }

    /// Checks that nothing is left.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Tlv<'a>;

    /// Yields TLVs until the input ends or is malformed; check [`Reader::is_empty`] afterwards
    /// to tell the two apart.
    fn next(&mut self) -> Option<Tlv<'a>> {
        self.tlv()
    }
}

/// Finds the first top-level TLV with `tag` in `bytes`; `Err` if the bytes are not a clean
/// sequence of TLVs.
pub fn find(bytes: &[u8], tag: u16) -> Result<Option<&[u8]>, DecodeError> {
    let mut reader = Reader::new(bytes);
    let mut found = None;
    for tlv in reader.by_ref() {
        if tlv.tag == tag && found.is_none() {
            found = Some(tlv.value);
        }
    }
    reader.finish().map_err(|_| DecodeError::Malformed)?;
    Ok(found)
}

/// Number of bytes that encode `tag`.
pub const fn tag_len(tag: u16) -> usize {
    if tag > 0xFF {
        2
    } else {
        1
    }
}

/// Number of bytes that encode the length `len`.
pub const fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else if len <= 0xFF {
        2
    } else {
        3
    }
}

/// A write that does not fit the [`Writer`]'s buffer. What is written before it stays intact.
/// The application's `Error` takes it as an internal error (6F00): the applet sizes its
/// buffers for every answer it gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow;

/// Writes TLVs into a fixed buffer. A write that does not fit returns [`Overflow`] and
/// leaves what was written before it intact.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

/// A constructed TLV opened with [`Writer::open`]; pass it to [`Writer::close`].
#[must_use = "a constructed TLV must be closed"]
#[derive(Debug)]
pub struct Open {
    /// Where the value starts (after a three-byte length placeholder).
    start: usize,
}

impl<'a> Writer<'a> {
    /// A writer that fills `buf` from the start.
    pub fn new(buf: &'a mut [u8]) -> Writer<'a> {
        Writer { buf, len: 0 }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Appends raw bytes.
    pub fn raw(&mut self, bytes: &[u8]) -> Result<(), Overflow> {
        let end = self.len.checked_add(bytes.len()).ok_or(Overflow)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(Overflow)?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Extends the written part by `n` bytes and returns them to be filled in place (crypto
    /// output goes straight into the response this way, without a copy).
    pub fn reserve(&mut self, n: usize) -> Result<&mut [u8], Overflow> {
        let start = self.len;
        let end = start.checked_add(n).ok_or(Overflow)?;
        let slice = self.buf.get_mut(start..end).ok_or(Overflow)?;
        self.len = end;
        Ok(slice)
    }

    /// Appends a tag.
    pub fn tag(&mut self, tag: u16) -> Result<(), Overflow> {
        if tag > 0xFF {
            self.raw(&tag.to_be_bytes())
        } else {
            self.raw(&[tag as u8])
        }
    }

    /// Appends a length in its shortest definite form.
    pub fn length(&mut self, len: usize) -> Result<(), Overflow> {
        if len < 0x80 {
            self.raw(&[len as u8])
        } else if len <= 0xFF {
            self.raw(&[0x81, len as u8])
        } else if len <= 0xFFFF {
            self.raw(&[0x82, (len >> 8) as u8, len as u8])
        } else {
            Err(Overflow)
        }
    }

    /// Appends a complete primitive TLV.
    pub fn put(&mut self, tag: u16, value: &[u8]) -> Result<(), Overflow> {
        self.tag(tag)?;
        self.length(value.len())?;
        self.raw(value)
    }

    /// Appends a TLV whose value `value` writes, with the shortest length. One length byte is
    /// reserved first: a value under 128 bytes (every simple DO of a template) moves nowhere;
    /// a longer one moves right once to make room for `81 xx` or `82 xx xx`.
    pub fn nested<E: From<Overflow>>(
        &mut self,
        tag: u16,
        value: impl FnOnce(&mut Self) -> Result<(), E>,
    ) -> Result<(), E> {
        self.tag(tag)?;
        let at = self.len;
        self.raw(&[0])?;
        value(self)?;
        let start = at.checked_add(1).ok_or(Overflow)?;
        let value_len = self.len.checked_sub(start).ok_or(Overflow)?;
        if value_len > 0xFFFF {
            return Err(Overflow.into());
        }
        if value_len < 0x80 {
            *self.buf.get_mut(at).ok_or(Overflow)? = value_len as u8;
            return Ok(());
        }
        let needed = length_len(value_len);
        {
            let end = self.len.checked_add(needed - 1).ok_or(Overflow)?;
            let region = self.buf.get_mut(at..end).ok_or(Overflow)?;
            region.copy_within(1..1 + value_len, needed);
            self.len = end;
        }
        let mut header = [0u8; 3];
        let mut tmp = Writer::new(&mut header);
        tmp.length(value_len)?;
        self.buf
            .get_mut(at..at + needed)
            .ok_or(Overflow)?
            .copy_from_slice(header.get(..needed).ok_or(Overflow)?);
        Ok(())
    }

    /// Starts a constructed TLV; its length is filled in by [`close`](Self::close).
    pub fn open(&mut self, tag: u16) -> Result<Open, Overflow> {
        self.tag(tag)?;
        self.raw(&[0, 0, 0])?;
        Ok(Open { start: self.len })
    }

    /// Finishes a constructed TLV: writes its length in the shortest form, moving the value
    /// left over the unused placeholder bytes.
    pub fn close(&mut self, open: Open) -> Result<(), Overflow> {
        let start = open.start;
        let value_len = self.len.checked_sub(start).ok_or(Overflow)?;
        let header_start = start.checked_sub(3).ok_or(Overflow)?;
        let needed = length_len(value_len);
        if value_len > 0xFFFF {
            return Err(Overflow);
        }
        let shift = 3 - needed;
        let region = self.buf.get_mut(header_start..self.len).ok_or(Overflow)?;
        region.copy_within(3..3 + value_len, needed);
        // Clear the bytes the shift vacated, so no stale copy is left past the end.
        if let Some(vacated) = region.get_mut(needed + value_len..) {
            vacated.fill(0);
        }
        let mut header = [0u8; 3];
        let mut tmp = Writer::new(&mut header);
        tmp.length(value_len)?;
        region
            .get_mut(..needed)
            .ok_or(Overflow)?
            .copy_from_slice(header.get(..needed).ok_or(Overflow)?);
        self.len -= shift;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    #[test]
    fn reads_one_and_two_byte_tags_and_long_lengths() {
        let bytes = [0x5F, 0x50, 0x02, b'a', b'b', 0xC4, 0x81, 0x01, 0x07];
        let mut r = Reader::new(&bytes);
        assert_eq!(
            r.tlv(),
            Some(Tlv {
                tag: 0x5F50,
                value: b"ab"
            })
        );
        assert_eq!(
            r.tlv(),
            Some(Tlv {
                tag: 0xC4,
                value: &[7]
            })
        );
        assert!(r.is_empty());
    }

    #[test]
    fn truncated_input_reads_nothing_and_keeps_position() {
        let bytes = [0x5B, 0x05, b'a'];
        let mut r = Reader::new(&bytes);
        assert_eq!(r.tlv(), None);
        assert_eq!(r.remaining(), &bytes);
        assert_eq!(find(&bytes, 0x5B), Err(DecodeError::Malformed));
        assert_eq!(
            Reader::new(&bytes).expect(0x5B),
            Err(DecodeError::UnexpectedTag {
                expected: 0x5B,
                found: None
            })
        );
        let mut r = Reader::new(&[0xC4, 0x00, 0x01]);
        assert_eq!(
            r.expect(0xC5),
            Err(DecodeError::UnexpectedTag {
                expected: 0xC5,
                found: Some(0xC4)
            })
        );
        assert_eq!(r.expect(0xC4), Ok(&[][..]));
        assert_eq!(r.finish(), Err(DecodeError::TrailingBytes));
        assert_eq!(
            crate::Error::from(DecodeError::TrailingBytes),
            crate::Error::IncorrectData
        );
        assert_eq!(Reader::new(&[0x1F, 0x81, 0x00]).tlv(), None); // three-byte tag
        assert_eq!(Reader::new(&[0xC1, 0x83, 0, 0, 1, 0]).tlv(), None); // 83 length form
    }

    #[test]
    fn nested_values_get_the_shortest_length() {
        for len in [0usize, 1, 127, 128, 255, 256, 1000] {
            let value = vec![0xA5u8; len];
            let mut a = vec![0u8; 1100];
            let mut b = vec![0u8; 1100];
            let mut wa = Writer::new(&mut a);
            let mut wb = Writer::new(&mut b);
            wa.nested(0x7F21, |w| w.raw(&value)).unwrap();
            wb.put(0x7F21, &value).unwrap();
            assert_eq!(wa.written(), wb.written(), "{len}");
        }
        // No room for the longer length: an error, not a panic.
        let mut small = [0u8; 130];
        let mut w = Writer::new(&mut small);
        assert_eq!(w.nested(0x5B, |w| w.raw(&[1; 128])), Err(Overflow));
    }

    #[test]
    fn nested_lengths_are_back_patched() {
        let mut buf = [0xEEu8; 300];
        let mut w = Writer::new(&mut buf);
        let outer = w.open(0x65).unwrap();
        w.put(0x5B, b"Doe<<John").unwrap();
        let inner = w.open(0x7F49).unwrap();
        w.put(0x81, &[0xAB; 200]).unwrap();
        w.close(inner).unwrap();
        w.close(outer).unwrap();
        let written = w.written().to_vec();
        assert_eq!(&written[..2], &[0x65, 0x81]);
        let value = find(&written, 0x65).unwrap().unwrap();
        assert_eq!(find(value, 0x5B).unwrap(), Some(&b"Doe<<John"[..]));
        let key = find(value, 0x7F49).unwrap().unwrap();
        assert_eq!(&key[..3], &[0x81, 0x81, 200]);
        // The bytes vacated by the shift are cleared; the rest was never written.
        assert_eq!(&buf[written.len()..written.len() + 2], &[0, 0]);
        assert_eq!(buf[written.len() + 4], 0xEE);
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        assert_eq!(w.put(0x5B, b"too long"), Err(Overflow));
        let mut w = Writer::new(&mut buf);
        assert!(w.open(0x7F49).is_err());
    }

    proptest! {
        #[test]
        fn reader_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut r = Reader::new(&bytes);
            let mut consumed = 0;
            while let Some(tlv) = r.tlv() {
                consumed += tag_len(tlv.tag) + length_len(tlv.value.len()) + tlv.value.len();
                prop_assert!(consumed <= bytes.len() + 2); // non-minimal lengths may be longer
            }
        }

        #[test]
        fn write_read_round_trip(
            items in proptest::collection::vec(
                (prop_oneof![0x01u16..0x1F, 0x5F01u16..0x5F7F], proptest::collection::vec(any::<u8>(), 0..300)),
                0..6)
        ) {
            let mut buf = vec![0u8; 4096];
            let mut w = Writer::new(&mut buf);
            let open = w.open(0x7F48).unwrap();
            for (tag, value) in &items {
                w.put(*tag, value).unwrap();
            }
            w.close(open).unwrap();
            let written = w.written().to_vec();
            let mut outer = Reader::new(&written);
            let inner = outer.expect(0x7F48).unwrap();
            prop_assert!(outer.finish().is_ok());
            let read: Vec<(u16, Vec<u8>)> = Reader::new(inner).map(|t| (t.tag, t.value.to_vec())).collect();
            prop_assert_eq!(read, items);
        }
    }
}
