//! The retry defaults record (`RecordId::RETRY_DEFAULTS`, the firmware's): the maxima a factory
//! reset gives PW1, the Resetting Code and PW3.

use crate::config::Config;
use crate::error::Error;

use super::valid_max_tries;

/// Decodes the retry defaults record (three maxima); absent: `Config::max_tries` for each.
pub(crate) fn decode_retry_defaults(
    payload: Option<&[u8]>,
    config: &Config,
) -> Result<[u8; 3], Error> {
    let defaults = match payload {
        None => return Ok([config.max_tries; 3]),
        Some(bytes) => <[u8; 3]>::try_from(bytes).map_err(|_| Error::Storage)?,
    };
    if valid_max_tries(&defaults) {
        Ok(defaults)
    } else {
        Err(Error::Storage)
    }
}
