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
    let mut current = Security::factory(&config);
    current.epochs.security = Some(1);
    let bytes = encode(|w| current.encode(w));
    // Cut just before the maxima (tag 05), the record is a format-1 record; just before the
    // epoch (tag 06), a format-2 record: they load.
    let legacy = [bytes.len() - 11, bytes.len() - 6];
    for cut in (0..bytes.len()).filter(|cut| !legacy.contains(cut)) {
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
    // An epoch without the maxima, or of the wrong length.
    let mut no_maxima = bytes[..legacy[0]].to_vec();
    no_maxima.extend_from_slice(&bytes[legacy[1]..]);
    let mut short = bytes[..legacy[1]].to_vec();
    short.extend_from_slice(&[0x06, 0x03, 0, 0, 1]);
    for bad in [no_maxima, short] {
        assert_eq!(
            Security::decode(Some(&bad), &config, None),
            Err(Error::Storage)
        );
    }
    assert_eq!(
        Security::decode(Some(&bytes), &config, None).map(|s| s.epochs.security),
        Ok(Some(1))
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

/// A security record with `epoch` and the factory PINs (PW1 and PW3 set, no Resetting Code),
/// and the counters record `stored` applied to it, as `Persistent::load` does.
fn with_counters(epoch: Option<u32>, stored: Option<(u32, [u8; 3])>) -> Result<Security, Error> {
    let config = Config::default();
    let mut security = Security::factory(&config);
    security.epochs.security = epoch;
    let bytes = encode(|w| security.encode(w));
    let decoded = Security::decode(Some(&bytes), &config, None)?;
    let stored = stored.map(|(epoch, tries)| {
        let mut payload = epoch.to_be_bytes().to_vec();
        payload.extend_from_slice(&tries);
        payload
    });
    let counters = RetryCounters::decode(stored.as_deref())?;
    RetryCounters::apply(counters, decoded)
}

fn tries(security: &Security) -> [u8; 3] {
    [
        security.pw1.tries(),
        security.rc.tries(),
        security.pw3.tries(),
    ]
}

#[test]
fn the_counters_of_the_last_write_count() {
    // The same epoch: the counters record was written after the security record.
    let s = with_counters(Some(7), Some((7, [1, 0, 2]))).unwrap();
    assert_eq!(tries(&s), [1, 0, 2]);
    assert_eq!(s.epochs.counters, Some(7));
    // A lower epoch: the security record was written after it, with the counters then.
    let s = with_counters(Some(7), Some((6, [1, 0, 2]))).unwrap();
    assert_eq!(tries(&s), [3, 0, 3]);
    assert_eq!(s.epochs.counters, Some(6));
    // No counters record, or a security record without an epoch (an earlier release's):
    // its own counters, and an orphan counters record never applies.
    assert_eq!(tries(&with_counters(Some(7), None).unwrap()), [3, 0, 3]);
    for orphan in [0, 1, 7, u32::MAX] {
        let s = with_counters(None, Some((orphan, [0, 0, 0]))).unwrap();
        assert_eq!(tries(&s), [3, 0, 3], "{orphan}");
        // The next security record's epoch is above the orphan's, so it never matches.
        assert!(s.epochs.next().map_or(true, |next| next > orphan));
    }
    assert_eq!(
        with_counters(None, Some((u32::MAX, [0; 3])))
            .unwrap()
            .epochs
            .next(),
        Err(Error::Storage)
    );
}

#[test]
fn counters_the_card_cannot_have_written_are_damage() {
    // An epoch above the security record's: no sequence of writes makes it.
    assert_eq!(
        with_counters(Some(7), Some((8, [1, 0, 1]))),
        Err(Error::Storage)
    );
    // Above the maximum, or tries on an unset Resetting Code.
    for bad in [[4, 0, 3], [3, 1, 3], [3, 0, 0xFF]] {
        assert_eq!(
            with_counters(Some(7), Some((7, bad))),
            Err(Error::Storage),
            "{bad:?}"
        );
    }
    // Not 7 bytes.
    for len in [0, 6, 8] {
        assert_eq!(
            RetryCounters::decode(Some(&alloc::vec![0; len])),
            Err(Error::Storage)
        );
    }
    assert_eq!(RetryCounters::decode(None), Ok(None));
}

#[test]
fn counters_record_round_trip() {
    let config = Config::default();
    let mut security = Security::factory(&config);
    // Never written without the security record's epoch.
    let mut buf = [0u8; 16];
    assert_eq!(
        security.encode_counters(&mut Writer::new(&mut buf)),
        Err(Error::Internal)
    );
    security.epochs.security = Some(0x0102_0304);
    let attempt = security.counters().begin_attempt(crate::spec::PinRef::Pw3);
    assert!(attempt.is_some());
    let mut w = Writer::new(&mut buf);
    security.encode_counters(&mut w).unwrap();
    let bytes = w.written().to_vec();
    assert_eq!(bytes, [1, 2, 3, 4, 3, 0, 2]);
    let stored = RetryCounters::decode(Some(&bytes)).unwrap();
    assert_eq!(
        stored,
        Some(RetryCounters {
            epoch: 0x0102_0304,
            tries: [3, 0, 2]
        })
    );
    // The security record with its epoch, and the counters record with it.
    let record = encode(|w| security.encode(w));
    assert!(record.ends_with(&[0x06, 0x04, 1, 2, 3, 4]));
    let decoded = Security::decode(Some(&record), &config, None).unwrap();
    let applied = RetryCounters::apply(stored, decoded).unwrap();
    assert_eq!(tries(&applied), [3, 0, 2]);
    // A restore fills the counter again.
    let mut security = applied;
    security.counters().restore(crate::spec::PinRef::Pw3);
    assert_eq!(tries(&security), [3, 0, 3]);
}
