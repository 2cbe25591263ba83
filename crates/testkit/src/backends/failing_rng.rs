//! Random sources that fail as hardware fails: stuck at zero or at another value, repeating a
//! short cycle, dying (stuck at zero, or reporting errors) after some good bytes. For the tests
//! that every command needing randomness then fails closed, within a bounded number of draws.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

use rand_core::{TryCryptoRng, TryRng};

use super::TestRng;

/// How a [`FailingRng`] fails.
#[derive(Clone, Debug)]
pub enum Failure {
    /// Every byte is this value (a TRNG whose output register is stuck).
    Stuck(u8),
    /// These bytes again and again (a DRBG whose state stopped changing after a fault).
    Cycle(Vec<u8>),
    /// Good bytes (a [`TestRng`] of this seed) for `good` bytes, then zeros.
    DiesAfter {
        /// The seed of the good bytes.
        seed: u64,
        /// How many good bytes come first.
        good: u64,
    },
    /// Good bytes for `good` bytes, then every draw reports an error.
    ErrorsAfter {
        /// The seed of the good bytes.
        seed: u64,
        /// How many good bytes come first.
        good: u64,
    },
}

/// The error of [`Failure::ErrorsAfter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceDead;

impl fmt::Display for SourceDead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the random source reports an error")
    }
}

impl core::error::Error for SourceDead {}

/// A random source that fails as [`Failure`] says, and counts the bytes asked of it (shared
/// with [`FailingRng::drawn`], readable after the applet took the source).
///
/// **Not secure**, like [`TestRng`]: for tests only.
#[derive(Clone, Debug)]
pub struct FailingRng {
    failure: Failure,
    good: TestRng,
    drawn: Rc<Cell<u64>>,
}

impl FailingRng {
    /// A source that fails as `failure` says.
    pub fn new(failure: Failure) -> FailingRng {
        let seed = match failure {
            Failure::DiesAfter { seed, .. } | Failure::ErrorsAfter { seed, .. } => seed,
            _ => 0,
        };
        FailingRng {
            failure,
            good: TestRng::seed_from_u64(seed),
            drawn: Rc::new(Cell::new(0)),
        }
    }

    /// Every byte is `value`.
    pub fn stuck(value: u8) -> FailingRng {
        FailingRng::new(Failure::Stuck(value))
    }

    /// One of each way to fail, as the tests of every algorithm run them: stuck at zero, stuck
    /// at 0xA5, a 4-byte and a 26-byte cycle, dead (zeros) after 1,100 good bytes (past the
    /// applet's start-up test of 1,024 bytes, within the bytes it holds ahead), and reporting
    /// errors after 1,100.
    pub fn every_failure() -> Vec<FailingRng> {
        let cycle26: Vec<u8> = (0..26u8)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect();
        [
            Failure::Stuck(0),
            Failure::Stuck(0xA5),
            Failure::Cycle(alloc::vec![0x12, 0x34, 0x56, 0x78]),
            Failure::Cycle(cycle26),
            Failure::DiesAfter {
                seed: 1,
                good: 1100,
            },
            Failure::ErrorsAfter {
                seed: 2,
                good: 1100,
            },
        ]
        .into_iter()
        .map(FailingRng::new)
        .collect()
    }

    /// How it fails.
    pub fn failure(&self) -> &Failure {
        &self.failure
    }

    /// The count of bytes asked of this source (and of its clones), shared.
    pub fn drawn(&self) -> Rc<Cell<u64>> {
        self.drawn.clone()
    }
}

impl TryRng for FailingRng {
    type Error = SourceDead;

    fn try_next_u32(&mut self) -> Result<u32, SourceDead> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, SourceDead> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), SourceDead> {
        let before = self.drawn.get();
        self.drawn.set(before + dst.len() as u64);
        match &self.failure {
            Failure::Stuck(value) => dst.fill(*value),
            Failure::Cycle(pattern) => {
                for (i, byte) in dst.iter_mut().enumerate() {
                    let at = (before + i as u64) % pattern.len().max(1) as u64;
                    *byte = pattern.get(at as usize).copied().unwrap_or(0);
                }
            }
            Failure::DiesAfter { good, .. } => {
                for (i, byte) in dst.iter_mut().enumerate() {
                    *byte = if before + (i as u64) < *good {
                        rand_core::Rng::next_u32(&mut self.good) as u8
                    } else {
                        0
                    };
                }
            }
            Failure::ErrorsAfter { good, .. } => {
                if before + dst.len() as u64 > *good {
                    return Err(SourceDead);
                }
                rand_core::Rng::fill_bytes(&mut self.good, dst);
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for FailingRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_does_what_it_says_and_counts() {
        let mut rng = FailingRng::stuck(7);
        let drawn = rng.drawn();
        let mut buf = [0u8; 10];
        rng.try_fill_bytes(&mut buf).unwrap();
        assert_eq!(buf, [7; 10]);
        assert_eq!(drawn.get(), 10);

        let mut rng = FailingRng::new(Failure::Cycle(alloc::vec![1, 2, 3]));
        let mut a = [0u8; 4];
        let mut b = [0u8; 4];
        rng.try_fill_bytes(&mut a).unwrap();
        rng.try_fill_bytes(&mut b).unwrap();
        assert_eq!([a, b].concat(), [1, 2, 3, 1, 2, 3, 1, 2]);

        let mut rng = FailingRng::new(Failure::DiesAfter { seed: 1, good: 6 });
        let mut buf = [0u8; 10];
        rng.try_fill_bytes(&mut buf).unwrap();
        assert!(buf[..6].iter().any(|&b| b != 0));
        assert_eq!(buf[6..], [0; 4]);

        let mut rng = FailingRng::new(Failure::ErrorsAfter { seed: 1, good: 6 });
        assert!(rng.try_fill_bytes(&mut [0u8; 6]).is_ok());
        assert_eq!(rng.try_fill_bytes(&mut [0u8; 1]), Err(SourceDead));
    }
}
