//! AES for PSO:DECIPHER and PSO:ENCIPHER (spec §7.2.11, §7.2.12): AES-128 or AES-256 in CBC
//! mode with a zero IV, on whole blocks only (the host pads).

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};

use crate::error::Error;

/// AES block size.
pub const BLOCK: usize = 16;

/// Whether `len` bytes is a valid AES key length for DO D5 (AES-128 or AES-256).
pub fn valid_key_len(len: usize) -> bool {
    len == 16 || len == 32
}

/// Decrypts `input` (a non-empty multiple of 16 bytes, see [`check_input`]) with `key` into
/// `dst`, of the input's length.
pub fn decrypt(key: &[u8], input: &[u8], dst: &mut [u8]) -> Result<(), Error> {
    check_input(input)?;
    let iv = [0u8; BLOCK];
    let result = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, &iv)
            .map_err(|_| Error::Internal)?
            .decrypt_padded_b2b::<NoPadding>(input, dst)
            .map(drop),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, &iv)
            .map_err(|_| Error::Internal)?
            .decrypt_padded_b2b::<NoPadding>(input, dst)
            .map(drop),
        _ => return Err(Error::Storage),
    };
    result.map_err(|_| Error::WrongLength)
}

/// Encrypts `input` (a non-empty multiple of 16 bytes, see [`check_input`]) with `key` into
/// `dst`, of the input's length.
pub fn encrypt(key: &[u8], input: &[u8], dst: &mut [u8]) -> Result<(), Error> {
    check_input(input)?;
    let iv = [0u8; BLOCK];
    let result = match key.len() {
        16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(key, &iv)
            .map_err(|_| Error::Internal)?
            .encrypt_padded_b2b::<NoPadding>(input, dst)
            .map(drop),
        32 => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &iv)
            .map_err(|_| Error::Internal)?
            .encrypt_padded_b2b::<NoPadding>(input, dst)
            .map(drop),
        _ => return Err(Error::Storage),
    };
    result.map_err(|_| Error::WrongLength)
}

/// Whether `input` is whole blocks, at least one: [`Error::WrongLength`] otherwise.
pub fn check_input(input: &[u8]) -> Result<(), Error> {
    if input.is_empty() || !input.len().is_multiple_of(BLOCK) {
        return Err(Error::WrongLength);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expanded key schedules (and the CBC state around them) wipe themselves when
    /// dropped: `aes` only does so with its `zeroize` feature, which this test needs.
    #[test]
    fn key_schedules_are_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<aes::Aes128>();
        wiped_on_drop::<aes::Aes256>();
        wiped_on_drop::<cbc::Encryptor<aes::Aes128>>();
        wiped_on_drop::<cbc::Decryptor<aes::Aes256>>();
    }

    use alloc::vec;
    use openpgp_card_applet_testkit::hex;

    /// NIST SP 800-38A F.2.1/F.2.2 (CBC-AES128) and F.2.5/F.2.6 (CBC-AES256), with the IV
    /// folded into the first plaintext block so that the card's zero IV applies.
    #[test]
    fn sp800_38a_vectors() {
        let plain = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        let iv = hex("000102030405060708090a0b0c0d0e0f");
        let cases = [
            ("2b7e151628aed2a6abf7158809cf4f3c", "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"),
            ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"),
        ];
        for (key, cipher) in cases {
            let key = hex(key);
            let cipher = hex(cipher);
            // CBC with IV v over P equals CBC with a zero IV over P with v XORed into block 1.
            let mut folded = plain.clone();
            for (p, v) in folded.iter_mut().zip(&iv) {
                *p ^= v;
            }
            let mut out = vec![0u8; 64];
            encrypt(&key, &folded, &mut out).unwrap();
            assert_eq!(out, cipher);
            decrypt(&key, &cipher, &mut out).unwrap();
            assert_eq!(out, folded);
        }
    }

    #[test]
    fn partial_blocks_are_refused() {
        let mut out = [0xEE; 15];
        assert_eq!(
            decrypt(&[0; 16], &[0; 15], &mut out),
            Err(Error::WrongLength)
        );
        assert_eq!(encrypt(&[0; 32], &[], &mut []), Err(Error::WrongLength));
        assert_eq!(out, [0xEE; 15]);
    }
}
