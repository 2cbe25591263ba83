//! How the values of `crypto` go on the wire: the crypto layer writes plain bytes into an
//! [`Output`], and this layer owns the tags around them. The public key DO 7F49 (spec
//! §4.4.3.12, answered by GENERATE ASYMMETRIC KEY PAIR §7.2.14) is written here, from the typed
//! [`PublicKey`], and nowhere else.

use crate::crypto::{Output, PrivateKey, PublicKey, MAX_POINT_LEN};
use crate::error::Error;
use crate::spec::tag;
use crate::tlv::Writer;

/// The largest public key DO: `7F49 82 0209 { 81 82 0200 n, 82 03 e }` of an RSA-4096 key (an
/// EC point, at most [`MAX_POINT_LEN`] bytes, is far shorter).
pub(crate) const MAX_PUBLIC_KEY_LEN: usize = 2 + 3 + (4 + 512) + 5;
const _: () = assert!(MAX_POINT_LEN + 2 + 3 + 3 <= MAX_PUBLIC_KEY_LEN);

impl Output for Writer<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.raw(bytes)
    }

    fn reserve(&mut self, len: usize) -> Result<&mut [u8], Error> {
        Writer::reserve(self, len)
    }
}

/// Writes `key`'s public key DO (see [`write_public_key_do`]).
// Not inlined: the point the public key holds stays out of the frames of the commands that call
// it (GENERATE's frame is a key generation's).
#[inline(never)]
pub(crate) fn write_public_key(w: &mut Writer<'_>, key: &PrivateKey) -> Result<(), Error> {
    write_public_key_do(w, &key.public_key()?)
}

/// Writes the public key DO, outer tag included (spec §4.4.3.12 and §7.2.14): RSA
/// `7F49 { 81 n, 82 e }`, an elliptic curve `7F49 { 86 point }` (`04 ‖ X ‖ Y` on the
/// short-Weierstrass curves, the 32, 56 or 57 bytes of X25519, X448, Ed25519 and Ed448). At
/// most [`MAX_PUBLIC_KEY_LEN`] bytes.
fn write_public_key_do(w: &mut Writer<'_>, public: &PublicKey<'_>) -> Result<(), Error> {
    let open = w.open(tag::PUBLIC_KEY)?;
    match public {
        PublicKey::Rsa { modulus, exponent } => {
            w.put(tag::MODULUS, modulus)?;
            w.put(tag::PUBLIC_EXPONENT, exponent)?;
        }
        PublicKey::Ec(point) => w.put(tag::EC_PUBLIC_KEY, point.as_ref())?,
    }
    w.close(open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::EcPoint;

    fn encoded(public: &PublicKey<'_>) -> alloc::vec::Vec<u8> {
        let mut buf = [0xEEu8; MAX_PUBLIC_KEY_LEN];
        let mut w = Writer::new(&mut buf);
        write_public_key_do(&mut w, public).unwrap();
        w.written().to_vec()
    }

    #[test]
    fn rsa_and_ec_templates() {
        let modulus = [0xC5u8; 256];
        let rsa = encoded(&PublicKey::Rsa {
            modulus: &modulus,
            exponent: &[0x01, 0x00, 0x01],
        });
        assert_eq!(
            rsa[..9],
            [0x7F, 0x49, 0x82, 0x01, 0x09, 0x81, 0x82, 0x01, 0x00]
        );
        assert_eq!(rsa[9..265], modulus);
        assert_eq!(rsa[265..], [0x82, 0x03, 0x01, 0x00, 0x01]);
        if MAX_POINT_LEN >= 32 {
            let point = [0x5Au8; 32];
            let ec = encoded(&PublicKey::Ec(EcPoint::new(&point).unwrap()));
            assert_eq!(ec[..5], [0x7F, 0x49, 0x22, 0x86, 0x20]);
            assert_eq!(ec[5..], point);
        }
    }
}
