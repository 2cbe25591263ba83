//! The known keys and answers of the `openpgp-card-applet` workspace, as data only: one set,
//! used by the core's unit tests, the test kit (which re-exports it as
//! `openpgp_card_applet_testkit::keys`), the fuzz crate, `benches/applet.rs` and the Cortex-M
//! image in `benches/footprint/`.
//!
//! A crate of its own, depending on nothing, because its users sit on both sides of the core:
//! the core's unit tests take it as a dev-dependency without the dependency cycle that the
//! test kit (which depends on the core) would bring, and the `no_std` footprint image links
//! it without `alloc`.
//!
//! The keys and answers in `src/generated.rs` come from OpenSSL through
//! pyca/cryptography (`gen_keys.py`, here), so that no expected value comes from the code under
//! test; running the script again draws new keys. Test keys only: they are public.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod generated;

pub use generated::*;

/// Decodes `N` bytes of hex at compile time (every constant here is written with it).
const fn hex<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("bad hex digit"),
        }
    }
    let s = s.as_bytes();
    assert!(s.len() == 2 * N, "hex length");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

// Written by hand, not by `gen_keys.py`, so that they stay as they are when the generated keys
// are drawn again: a symmetric key, and a second RSA key whose bytes the fuzz targets' seed
// corpus (fuzz/corpus/import) holds.

/// AES-256 key (DO D5): PSO:ENCIPHER and DECIPHER with it, by the fuzz crate's session card.
pub const AES256_KEY: &[u8] =
    &hex::<32>("a90da3ea042ccd3d28eea040a6891113c614013a107e072f5837c82338087a0f");

/// The second RSA-2048 key, for imports that replace the first (no known answers): first
/// prime.
pub const RSA2048_OTHER_P: &[u8] = &hex::<128>(concat!(
    "bf0158e9629fbb5ad7cc56ba70f722cfc57feb4efcdb9eb6a92dfe1062cd19a5c8d57e6fc43e4ffbad45e1034a697ab9",
    "c42679141d96c5bc036f70b94b0e587313963782128452793e5550cd49159939d064a435ceb45aa8a6b50819cc00e6f9",
    "b2713369bd9e019b9b9327f388eee26db504c279dee082e6ef601acb14eebe15",
));
/// The second RSA-2048 key: second prime.
pub const RSA2048_OTHER_Q: &[u8] = &hex::<128>(concat!(
    "ba4baae011571167e4d29b97891c3eedf1d97656d5b5bf16b9a29c4ac70537d60a7c27aaffee080082e97c617db2b021",
    "dad0403b0c06f31cc65a004f4d2d51e7a4952e1f94df4f5a4bc03d61f42735de85507d9996c28720af0f73684bcc8de7",
    "5477cc35758e23caea8e55a156add953a6f0d2b0658b68c3c3848430f5fcd239",
));
/// The second RSA-2048 key: modulus.
pub const RSA2048_OTHER_N: &[u8] = &hex::<256>(concat!(
    "8aff6f7cb130c7f9949fae3a0d3661e1547776235c57c5dcf922b84500a397719c4172321da949b06d0380c288ce2db8",
    "f77155ae2b9c2ebd2abe09b9f1873e12d2fdf7d3e76dfe6b99f7c9d0951a02488f0e81ba889f63a7e867495b04bf6c3a",
    "c9a0bd0d2c6bd671ef0173c9bdf99269e7ddaec2f917ea67882f3c13a1b5811e92acd0c0ebb48bf0c5b09809618aad00",
    "6c097a6fb77cee2cc67728aa3708d31b779e5507ad41d6bb288bbd8cc2e4cae8ad9e4f9c89030ec8abb9a21e0f0242c6",
    "2065b21113c77f42fbf7308a05cab60cb2bd54ffcd769bf147ffbc28b80212c1637810ed84833ecfbf8d2b69e0b3af8d",
    "573a293108c1e6c8e5ec1d40b6c18cad",
));
/// The second RSA-2048 key: d mod (p - 1).
pub const RSA2048_OTHER_DP: &[u8] = &hex::<128>(concat!(
    "5acb582970d13f2d3aa18ea487a862aae3562053e6ccbb1057315eb109563797dff4e46a5a9dc84579a35b07c66a8785",
    "20a1ad328bb22d02679ba4b8dfddccdbbef6cc220f8d48eb0b5f60ce84ac38af0bc99b695c7dcd0e98583ba68f9bea2f",
    "cdcc13c572f6560b5313cb8cef8da6a2c1c6a66f6a2bcceddbe2123a7113dfd5",
));
/// The second RSA-2048 key: d mod (q - 1).
pub const RSA2048_OTHER_DQ: &[u8] = &hex::<128>(concat!(
    "230327993709131760950873016cd292ebba40186fcfd99b0ec675f343d6423932fd448349d8559eaafbf0c96dd35070",
    "fc6bd9367fbb2aa3c4cf93715402e97acc9ed0ed5490679c83d21c773568cd2206122b98db11b24dbd38fd2aa3dc4ceb",
    "261fe1bc465cb1736883d9aa19dd5093fd331395dd6fc6ffcbd632f5f4b55059",
));
/// The second RSA-2048 key: 1/q mod p.
pub const RSA2048_OTHER_QINV: &[u8] = &hex::<128>(concat!(
    "1d7b7fbde1223e662fe7f5b5af9de6f8aa229707bccc09fd874ce17d7270d6e6573b4e193a8ca6984ca022069d4f19f2",
    "fccc69973b6d3df809c7b7773221fdd306a1430333739bba5bf3e33d728c3f3bd2e7f4c2a0b0ce2fcaef49f7ae9a3913",
    "b3dbbe70010df403ae2e9e0334d968a2ad8a2ae98735cc7fa23beb7f624b9f3a",
));
