//! Key import templates as a host builds them (PUT DATA `DB 3F FF`, spec §4.4.3.12).

use alloc::vec;
use alloc::vec::Vec;
use openpgp_card_applet::tlv::{length_len, Writer};

/// The extended header list of a key import: `4D { crt 00, 7F48 { tag len ... }, 5F48 {
/// value ‖ value ... } }`. `crt` is B6, B8 or A4; `parts` are the component tags (91–99) and
/// values in order. The applet itself never builds one: this is for tests, simulators and
/// provisioning tools.
///
/// # Panics
/// Never for inputs whose total size fits a `usize`: the buffer is sized from them.
pub fn import_template(crt: u8, parts: &[(u8, &[u8])]) -> Vec<u8> {
    let values: usize = parts.iter().map(|(_, v)| v.len()).sum();
    let header: usize = parts.iter().map(|(_, v)| 1 + length_len(v.len())).sum();
    // Each constructed TLV reserves a three-byte length while it is open.
    let capacity = 3 * 4 + 2 + 2 + header + 2 + values;
    let mut buf = vec![0u8; capacity];
    let mut w = Writer::new(&mut buf);
    let outer = w.open(0x4D).expect("sized");
    w.put(u16::from(crt), &[]).expect("sized");
    let list = w.open(0x7F48).expect("sized");
    for (tag, value) in parts {
        w.tag(u16::from(*tag)).expect("sized");
        w.length(value.len()).expect("sized");
    }
    w.close(list).expect("sized");
    let data = w.open(0x5F48).expect("sized");
    for (_, value) in parts {
        w.raw(value).expect("sized");
    }
    w.close(data).expect("sized");
    w.close(outer).expect("sized");
    let len = w.len();
    buf.truncate(len);
    buf
}

/// The cipher DO of an ECDH PSO:DECIPHER as GnuPG sends it (spec §7.2.11): `A6 { 7F49 { 86
/// point } }`, with long-form lengths where the point needs them (P-521's 133 bytes).
///
/// # Panics
/// Never: the buffer is sized from the point.
pub fn ecdh_cipher_do(point: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; point.len() + 3 * 4 + 4];
    let mut w = Writer::new(&mut buf);
    let outer = w.open(0xA6).expect("sized");
    let public = w.open(0x7F49).expect("sized");
    w.put(0x86, point).expect("sized");
    w.close(public).expect("sized");
    w.close(outer).expect("sized");
    let len = w.len();
    buf.truncate(len);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdh_cipher_dos_have_gnupg_layout() {
        let short = ecdh_cipher_do(&[4; 65]);
        assert_eq!(&short[..7], &[0xA6, 0x46, 0x7F, 0x49, 0x43, 0x86, 0x41]);
        assert_eq!(short.len(), 7 + 65);
        let long = ecdh_cipher_do(&[4; 133]);
        assert_eq!(
            &long[..10],
            &[0xA6, 0x81, 0x8C, 0x7F, 0x49, 0x81, 0x88, 0x86, 0x81, 0x85]
        );
        assert_eq!(long.len(), 10 + 133);
    }

    #[test]
    fn import_templates_have_gnupg_layout() {
        let t = import_template(0xB6, &[(0x92, &[7; 32])]);
        let mut expected = vec![0x4D, 0x2A, 0xB6, 0x00, 0x7F, 0x48, 0x02, 0x92, 0x20];
        expected.extend_from_slice(&[0x5F, 0x48, 0x20]);
        expected.extend_from_slice(&[7; 32]);
        assert_eq!(t, expected);
        let big = import_template(
            0xB8,
            &[(0x91, &[1, 0, 1]), (0x92, &[1; 256]), (0x93, &[2; 256])],
        );
        assert_eq!(&big[..2], &[0x4D, 0x82]);
        assert_eq!(
            &big[6..14],
            &[0x7F, 0x48, 0x0A, 0x91, 0x03, 0x92, 0x82, 0x01]
        );
    }
}
