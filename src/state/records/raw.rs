//! Records that hold raw bytes: the CA fingerprints (`RecordId::CA_FINGERPRINTS`, C6) and the
//! touch cache time (`RecordId::TOUCH_CACHE_TIME`, the firmware's).

use crate::error::Error;

/// Decodes the CA fingerprints record (60 bytes raw).
pub(crate) fn decode_ca_fingerprints(payload: Option<&[u8]>) -> Result<[u8; 60], Error> {
    match payload {
        None => Ok([0; 60]),
        Some(bytes) => bytes.try_into().map_err(|_| Error::Storage),
    }
}

/// Decodes the touch cache time record (one byte of seconds).
pub(crate) fn decode_touch_cache_time(payload: Option<&[u8]>) -> Result<u8, Error> {
    match payload {
        None => Ok(0),
        Some([seconds]) => Ok(*seconds),
        Some(_) => Err(Error::Storage),
    }
}
