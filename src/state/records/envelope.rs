//! The on-storage format of one record.
//!
//! ```text
//! record  = version (1 byte) ‖ kind (1 byte) ‖ payload ‖ crc32 (4 bytes, little-endian)
//! payload = BER-TLV fields, defined per record kind in `state::records`
//! ```
//!
//! The CRC (IEEE 802.3, over version ‖ kind ‖ payload) catches bit flips and truncation that the
//! storage layer did not; the version lets a later release migrate old records (each released
//! format has golden files under `tests/`). A record that fails any check is reported as
//! [`Error::Storage`], which the applet answers with 6581: it never panics and never falls
//! back to defaults on its own.

use crate::error::Error;
use crate::tlv::Writer;

/// The record format this release writes.
pub const FORMAT_VERSION: u8 = 1;

/// Header (version, kind) and trailer (CRC) bytes around a payload.
pub const OVERHEAD: usize = 2 + 4;

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), nibble-table variant: small in
/// flash and fast enough for records of a few KiB.
// The table is built at compile time (an out-of-range index there is a compile error), and
// every lookup is masked to 0..=15 of its 16 entries.
#[allow(clippy::indexing_slicing)]
pub fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 16] = {
        let mut table = [0u32; 16];
        let mut i = 0;
        while i < 16 {
            let mut crc = i as u32;
            let mut bit = 0;
            while bit < 4 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
                bit += 1;
            }
            table[i] = crc;
            i += 1;
        }
        table
    };
    let mut crc = !0u32;
    for &byte in bytes {
        crc = (crc >> 4) ^ TABLE[((crc ^ u32::from(byte)) & 0x0F) as usize];
        crc = (crc >> 4) ^ TABLE[((crc ^ (u32::from(byte) >> 4)) & 0x0F) as usize];
    }
    !crc
}

/// Builds a record in `buf`: the header is written by [`begin`], the payload through the
/// returned writer, and the CRC by [`end`].
pub fn begin(buf: &mut [u8], kind: u8) -> Result<Writer<'_>, Error> {
    let mut w = Writer::new(buf);
    w.raw(&[FORMAT_VERSION, kind])?;
    Ok(w)
}

/// Appends the CRC and returns the record's length.
pub fn end(mut w: Writer<'_>) -> Result<usize, Error> {
    let crc = crc32(w.written());
    w.raw(&crc.to_le_bytes())?;
    Ok(w.len())
}

/// Checks version, kind and CRC, and returns the payload.
pub fn open(record: &[u8], kind: u8) -> Result<&[u8], Error> {
    let (body, crc) = record.split_last_chunk::<4>().ok_or(Error::Storage)?;
    if crc32(body) != u32::from_le_bytes(*crc) {
        return Err(Error::Storage);
    }
    match body {
        [FORMAT_VERSION, k, payload @ ..] if *k == kind => Ok(payload),
        _ => Err(Error::Storage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn round_trip_and_every_single_bit_flip_is_caught() {
        let mut buf = [0u8; 32];
        let mut w = begin(&mut buf, 7).unwrap();
        w.put(0x01, b"payload").unwrap();
        let len = end(w).unwrap();
        let record = buf[..len].to_vec();
        assert_eq!(
            open(&record, 7).unwrap(),
            &[0x01, 7, b'p', b'a', b'y', b'l', b'o', b'a', b'd']
        );
        assert_eq!(open(&record, 8), Err(Error::Storage));
        for bit in 0..record.len() * 8 {
            let mut flipped = record.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(open(&flipped, 7), Err(Error::Storage), "bit {bit}");
        }
        for cut in 0..record.len() {
            assert_eq!(open(&record[..cut], 7), Err(Error::Storage), "cut {cut}");
        }
    }
}
