//! Round trips and damaged payloads of the record codecs.

use super::*;
use crate::config::Config;
use crate::spec::KeyStatus;
use crate::state::pin::Pin;
use crate::tlv::{Overflow, Writer};
use heapless::Vec as BoundedVec;

fn encode(f: impl FnOnce(&mut Writer<'_>) -> Result<(), Overflow>) -> alloc::vec::Vec<u8> {
    let mut buf = [0u8; 1024];
    let mut w = Writer::new(&mut buf);
    f(&mut w).unwrap();
    w.written().to_vec()
}

#[test]
fn records_round_trip() {
    let config = Config::default();
    let mut security = Security::factory(&config);
    security.rc = Pin::new(b"resetme!", 2).unwrap();
    security.kdf = BoundedVec::from_slice(&[0x81, 0x01, 0x00]).unwrap();
    let bytes = encode(|w| security.encode(w));
    assert_eq!(
        Security::decode(Some(&bytes), &config, None).unwrap(),
        security
    );

    let slot = KeySlot {
        status: KeyStatus::Absent,
        fingerprint: [7; 20],
        date: [1, 2, 3, 4],
        epoch: 9,
        ..KeySlot::default()
    };
    let bytes = encode(|w| slot.encode(w));
    assert_eq!(KeySlot::decode(Some(&bytes)).unwrap(), slot);

    let settings = Settings {
        pw1_multiple_signatures: true,
        uif: [1, 0, 2],
        uif_att: 4,
    };
    let bytes = encode(|w| settings.encode(w));
    assert_eq!(Settings::decode(Some(&bytes)).unwrap(), settings);

    let counter = SignatureCounter {
        epoch: 3,
        count: 17,
    };
    let bytes = encode(|w| counter.encode(w));
    assert_eq!(SignatureCounter::decode(Some(&bytes)).unwrap(), counter);
    assert_eq!(counter.value(3), 17);
    assert_eq!(counter.value(4), 0);

    let bytes = encode(|w| Lifecycle::Terminated.encode(w));
    assert_eq!(Lifecycle::decode(Some(&bytes)), Ok(Lifecycle::Terminated));
}

#[test]
fn damaged_payloads_are_storage_errors() {
    let config = Config::default();
    let bytes = encode(|w| Security::factory(&config).encode(w));
    // Cut just before the maxima (tag 05), the record is a format-1 record: it loads.
    let legacy = bytes.len() - 5;
    for cut in (0..bytes.len()).filter(|&cut| cut != legacy) {
        assert_eq!(
            Security::decode(Some(&bytes[..cut]), &config, None),
            Err(Error::Storage),
            "{cut}"
        );
    }
    let mut extra = bytes.clone();
    extra.extend_from_slice(&[0x05, 0x00]);
    assert_eq!(
        Security::decode(Some(&extra), &config, None),
        Err(Error::Storage)
    );
    // Maxima out of range, or a counter above its own maximum.
    for max in [[0, 3, 3], [3, 16, 3], [3, 3, 0xFF]] {
        let mut security = Security::factory(&config);
        security.max_tries = max;
        let bytes = encode(|w| security.encode(w));
        assert_eq!(
            Security::decode(Some(&bytes), &config, None),
            Err(Error::Storage)
        );
    }
    let mut security = Security::factory(&config);
    security.max_tries = [2, 3, 3];
    let bytes = encode(|w| security.encode(w)); // PW1 has 3 tries, above its maximum 2
    assert_eq!(
        Security::decode(Some(&bytes), &config, None),
        Err(Error::Storage)
    );
    security.pw1.set_tries(2);
    let bytes = encode(|w| security.encode(w));
    assert_eq!(Security::decode(Some(&bytes), &config, None), Ok(security));
    // A format-1 record (no maxima): Config::max_tries for each.
    let decoded = Security::decode(Some(&bytes[..bytes.len() - 5]), &config, None).unwrap();
    assert_eq!(decoded.max_tries, [3, 3, 3]);
    // No record: the retry defaults, or 6581 when their record is damaged.
    assert_eq!(
        Security::decode(None, &config, Some([5, 4, 6]))
            .unwrap()
            .max_tries,
        [5, 4, 6]
    );
    assert_eq!(Security::decode(None, &config, None), Err(Error::Storage));
    assert_eq!(
        Lifecycle::decode(Some(&[0x01, 0x01, 0x07])),
        Err(Error::Storage)
    );
    assert_eq!(
        Settings::decode(Some(&[0x01, 0x01, 0x02, 0x02, 0x03, 0, 0, 0])),
        Err(Error::Storage)
    );
}
