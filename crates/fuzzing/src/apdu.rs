//! Fuzz target `apdu`: the command APDU parser, its encoder and the exchange layer.

use openpgp_card_applet::apdu::{from_fn, Class, CommandApdu, Exchange};

use crate::card::assert_status;

/// Fuzz target `apdu`: [`CommandApdu::parse`] is total, a parsed APDU is encodable and
/// [`CommandApdu::emit`] writes exactly the input back (and refuses a buffer one byte short);
/// the same bytes through an [`Exchange`] (and a GET RESPONSE after them) always answer a
/// known status word.
pub fn apdu(data: &[u8]) {
    match CommandApdu::parse(data) {
        Ok(apdu) => {
            assert!(apdu.is_encodable(), "parsed but not encodable: {apdu:02X?}");
            assert_eq!(apdu.buffer_len(), data.len(), "buffer_len of {apdu:02X?}");
            let mut out = vec![0u8; data.len()];
            assert_eq!(apdu.emit(&mut out), Some(data.len()), "emit of {apdu:02X?}");
            assert_eq!(out, data, "emit does not reproduce the input");
            if let Some(short) = out.get_mut(..data.len() - 1) {
                assert_eq!(apdu.emit(short), None, "emit into a buffer one byte short");
            }
            if let Some(le) = apdu.le {
                assert!((1..=65536).contains(&le), "Le {le}");
            }
            let _ = Class::parse(apdu.cla);
        }
        Err(error) => assert_eq!(
            error,
            openpgp_card_applet::apdu::Error::WrongLength,
            "parse error"
        ),
    }
    let mut exchange = Exchange::new(256, 512);
    let mut out = [0u8; 300];
    for command in [data, &[0x00, 0xC0, 0x00, 0x00, 0x00][..]] {
        let n = exchange.process(
            command,
            &mut out,
            &mut from_fn(|request, w| {
                // Echo the data twice: long answers exercise GET RESPONSE.
                w.raw(request.data)?;
                w.raw(request.data)
            }),
        );
        assert!((2..=out.len()).contains(&n), "response length {n}");
        assert_status(&out[..n]);
    }
}
