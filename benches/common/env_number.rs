//! A decimal number from a build-time environment variable (`option_env!`), for the emulated
//! images' counts (`FOOTPRINT_SEEDS`, `MONTGOMERY_PRODUCTS`): checked when compiled.

/// The value of the decimal digits `text`; a compile error (in a `const`) on anything else.
pub const fn parse(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut value = 0u64;
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii_digit(), "not a decimal number");
        value = value * 10 + (bytes[i] - b'0') as u64;
        i += 1;
    }
    value
}
