//! A random source that fails as hardware fails (stuck at zero or at another value, a short
//! cycle, dead after some good bytes, reporting errors): every command that needs randomness
//! fails closed (6F00) after a bounded number of draws, stores nothing and changes nothing,
//! and no stuck byte ever leaves the card. The health tests behind this are `src/entropy.rs`'s
//! (NIST SP 800-90B §4.3, §4.4).

mod common;
use common::{
    assert_sw, attributes, first_slot, import_template, Card, ManualClock, MemoryStorage,
    ScriptedButton,
};
use openpgp_card_applet::crypto::Algorithm;
use openpgp_card_applet::{Config, Platform, Presence, RecordId, Transport};
use openpgp_card_applet_testkit::{FailingRng, Failure};

type FailingCard = Card<MemoryStorage, FailingRng>;

/// Bytes a failing source may be asked for before the card stops asking: the start-up test
/// (1,024) and the two blocks held ahead (64 each), at most.
const MAX_DRAWN: u64 = 1024 + 2 * 64;

fn card_on(storage: MemoryStorage, rng: FailingRng) -> FailingCard {
    let platform = Platform {
        storage,
        rng,
        clock: ManualClock::new(),
        user_presence: ScriptedButton::always(Presence::Confirmed),
    };
    let mut card = Card::from_platform(Config::default(), platform, Transport::Contact);
    assert_sw(&card.select(), 0x9000);
    card
}

/// The ways to fail of the test kit, and a source that dies (or errors) within the start-up
/// test.
fn failures() -> Vec<FailingRng> {
    let mut all = FailingRng::every_failure();
    all.push(FailingRng::new(Failure::DiesAfter { seed: 3, good: 500 }));
    all.push(FailingRng::new(Failure::ErrorsAfter { seed: 4, good: 500 }));
    all
}

/// Every record's bytes (what a power cycle would find), without the write count.
fn records(storage: &MemoryStorage) -> Vec<(RecordId, Vec<u8>)> {
    storage
        .ids()
        .map(|id| (id, storage.record(id).unwrap_or_default().to_vec()))
        .collect()
}

#[test]
fn generate_of_every_algorithm_fails_closed_on_every_failing_source() {
    for algorithm in Algorithm::supported() {
        let (_, crt, tag) = first_slot(&algorithm);
        for rng in failures() {
            let what = format!("{algorithm:?} on {:?}", rng.failure());
            let drawn = rng.drawn();
            let mut card = card_on(MemoryStorage::new(), rng);
            card.verify_admin();
            assert_sw(&card.put_data(tag, &attributes(&algorithm)), 0x9000);
            let before = card.storage().clone();
            let answer = card.generate(crt);
            assert_eq!(answer.sw, 0x6F00, "{what}");
            assert!(answer.data.is_empty(), "{what}");
            assert_eq!(&*card.storage(), &before, "{what}: nothing stored");
            assert_sw(&card.cmd(0, 0x47, 0x81, 0, &[crt, 0]), 0x6A88);
            // Latched until power-off: the next try fails the same way without a draw.
            let asked = drawn.get();
            assert!(asked <= MAX_DRAWN, "{what}: {asked} bytes asked");
            assert_eq!(card.generate(crt).sw, 0x6F00, "{what}");
            assert_eq!(drawn.get(), asked, "{what}: asked again after the failure");
        }
    }
}

#[test]
fn get_challenge_fails_closed_on_every_failing_source() {
    for rng in failures() {
        let what = format!("{:?}", rng.failure());
        let drawn = rng.drawn();
        let mut card = card_on(MemoryStorage::new(), rng);
        for le in [1u8, 8, 32] {
            let answer = card.raw(&[0x00, 0x84, 0x00, 0x00, le]);
            assert_eq!(answer.sw, 0x6F00, "{what}, Le {le}");
            assert!(answer.data.is_empty(), "{what}");
        }
        assert!(drawn.get() <= MAX_DRAWN, "{what}: {} bytes", drawn.get());
    }
}

/// A source that dies in the middle of a session: every challenge released before the failure
/// is made of good bytes only (the look-ahead catches the dead bytes before they are served),
/// everything after it is 6F00 until a power cycle, and a power cycle tests the source again.
#[test]
fn a_source_that_dies_in_use_never_releases_its_stuck_bytes() {
    let rng = FailingRng::new(Failure::DiesAfter {
        seed: 9,
        good: 5000,
    });
    let mut card = card_on(MemoryStorage::new(), rng);
    let mut released = Vec::new();
    let mut failed = false;
    for _ in 0..200 {
        let answer = card.raw(&[0x00, 0x84, 0x00, 0x00, 32]);
        match answer.sw {
            0x9000 => {
                assert!(!failed, "a challenge after the failure");
                released.extend_from_slice(&answer.data);
            }
            0x6F00 => failed = true,
            sw => panic!("{sw:04X}"),
        }
    }
    assert!(failed);
    // The good bytes (5,000, less the start-up test's 1,024 and the block held ahead) were
    // served; none of the zeros that followed.
    assert!(released.len() >= 5000 - 1024 - 2 * 64, "{}", released.len());
    assert!(
        released.windows(6).all(|w| w != [0; 6]),
        "stuck bytes released"
    );
    let storage = card.storage().clone();
    let mut card = card_on(storage, FailingRng::new(Failure::Stuck(0)));
    assert_sw(&card.raw(&[0x00, 0x84, 0x00, 0x00, 8]), 0x6F00);
}

/// Randomised key operations (ECDSA's hedged nonce, RSA blinding) refuse as well, and the
/// signature counter does not count a refused signature; Ed25519, which needs no randomness,
/// still signs.
#[test]
fn randomised_operations_fail_closed_and_deterministic_ones_work() {
    use openpgp_card_applet_testkit::keys;
    let healthy = {
        let mut card = Card::new();
        card.select();
        card.verify_admin();
        // P-256 in SIG, Ed25519 in AUT, RSA-2048 in DEC, from the test kit's known keys.
        let p256 = Algorithm::Ecdsa(openpgp_card_applet::crypto::Curve::P256);
        assert_sw(&card.put_data(0xC1, &attributes(&p256)), 0x9000);
        let scalar = keys::P256_SCALAR.to_vec();
        assert_sw(
            &card.cmd_all(0xDB, 0x3F, 0xFF, &import_template(0xB6, &[(0x92, &scalar)])),
            0x9000,
        );
        let ed = Algorithm::Ed25519;
        assert_sw(&card.put_data(0xC3, &attributes(&ed)), 0x9000);
        let seed = keys::ED25519_SEED.to_vec();
        assert_sw(
            &card.cmd_all(0xDB, 0x3F, 0xFF, &import_template(0xA4, &[(0x92, &seed)])),
            0x9000,
        );
        let p = keys::RSA2048_P.to_vec();
        let q = keys::RSA2048_Q.to_vec();
        let template = import_template(0xB8, &[(0x91, &[1, 0, 1]), (0x92, &p), (0x93, &q)]);
        assert_sw(&card.cmd_all(0xDB, 0x3F, 0xFF, &template), 0x9000);
        card.into_storage()
    };
    for rng in failures() {
        let what = format!("{:?}", rng.failure());
        let mut card = card_on(healthy.clone(), rng);
        assert_sw(&card.verify(0x81, b"123456"), 0x9000);
        assert_sw(&card.verify(0x82, b"123456"), 0x9000);
        let counter = card.get_data(0x93);
        assert_eq!(
            card.cmd(0, 0x2A, 0x9E, 0x9A, &[0x5A; 32]).sw,
            0x6F00,
            "{what}: ECDSA"
        );
        assert_eq!(card.get_data(0x93), counter, "{what}: no signature counted");
        // RSA decipher: blinding needs randomness. Any cryptogram will do: the failure comes
        // first.
        let mut cryptogram = vec![0u8; 257];
        cryptogram[1] = 0x01;
        assert_eq!(
            card.cmd_all(0x2A, 0x80, 0x86, &cryptogram).sw,
            0x6F00,
            "{what}: RSA"
        );
        // Ed25519 authentication is deterministic: it works.
        assert_sw(&card.cmd(0, 0x88, 0, 0, b"challenge"), 0x9000);
        assert_eq!(
            records(&card.storage()),
            records(&healthy),
            "{what}: records as they were"
        );
    }
}

/// A source that is healthy for `good` bytes, then repeats `pattern` for ever: a DRBG whose
/// state stopped changing while the card was in use (the source had passed the start-up test).
#[derive(Clone)]
struct CyclesAfter {
    good: common::TestRng,
    left: u64,
    pattern: Vec<u8>,
    at: usize,
}

impl rand_core::TryRng for CyclesAfter {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for byte in dst {
            if self.left > 0 {
                self.left -= 1;
                *byte = rand_core::Rng::next_u32(&mut self.good) as u8;
            } else {
                *byte = self.pattern[self.at % self.pattern.len()];
                self.at += 1;
            }
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for CyclesAfter {}

/// A source that starts repeating a cycle of 2 to 26 bytes after it passed the start-up test
/// and served challenges: no challenge ever carries the cycle (the lag test catches it inside
/// the block held ahead), and the card refuses from then on. The adaptive proportion test
/// alone, whose window starts every 512 bytes, let hundreds of the cycle's bytes out (found by
/// the session fuzzer; its seed `fuzz/corpus/session/rng-cycle-after-use`).
#[test]
fn a_source_that_starts_cycling_in_use_never_releases_its_cycle() {
    for length in 2..=26usize {
        let pattern: Vec<u8> = (0..length as u8)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect();
        let rng = CyclesAfter {
            good: common::TestRng::seed_from_u64(length as u64),
            left: 1024 + 2 * 64 + 300,
            pattern: pattern.clone(),
            at: 0,
        };
        let platform = Platform {
            storage: MemoryStorage::new(),
            rng,
            clock: ManualClock::new(),
            user_presence: ScriptedButton::always(Presence::Confirmed),
        };
        let mut card = Card::from_platform(Config::default(), platform, Transport::Contact);
        assert_sw(&card.select(), 0x9000);
        let mut released = Vec::new();
        let mut refused = false;
        for _ in 0..40 {
            let answer = card.raw(&[0x00, 0x84, 0x00, 0x00, 32]);
            match answer.sw {
                0x9000 => {
                    assert!(!refused, "cycle of {length}: a challenge after a refusal");
                    released.extend_from_slice(&answer.data);
                }
                0x6F00 => refused = true,
                sw => panic!("{sw:04X}"),
            }
        }
        assert!(refused, "cycle of {length}: never caught");
        // No run of the cycle: 8 bytes in a row each equal to the byte `length` before.
        let run = released
            .windows(length + 8)
            .any(|w| (length..w.len()).all(|i| w[i] == w[i - length]));
        assert!(!run, "cycle of {length}: released {released:02X?}");
        assert!(
            released.len() >= 300 - 64,
            "cycle of {length}: {}",
            released.len()
        );
    }
}
