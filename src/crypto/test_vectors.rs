//! The RSA keys and known answers of the tests: the workspace's one set, from the crate
//! `openpgp-card-applet-test-vectors` (generated with OpenSSL 3 through pyca/cryptography, so
//! the expected values do not come from the code under test).
//!
//! Key generation for 3072 and 4096 bits is too slow for every test run; these keys let the
//! tests exercise those sizes through [`PrivateKey::from_rsa_components`](super::PrivateKey).

use alloc::vec::Vec;

pub(crate) use openpgp_card_applet_test_vectors::{
    DIGEST_INFO, RSA2048_CIPHERTEXT, RSA2048_N, RSA2048_P, RSA2048_Q, RSA2048_SIGNATURE,
    RSA3072_CIPHERTEXT, RSA3072_N, RSA3072_P, RSA3072_Q, RSA3072_SIGNATURE, RSA4096_CIPHERTEXT,
    RSA4096_N, RSA4096_P, RSA4096_Q, RSA4096_SIGNATURE, SESSION_KEY as MESSAGE,
};

/// A vector's bytes, owned.
pub(crate) fn bytes(vector: &[u8]) -> Vec<u8> {
    vector.to_vec()
}
