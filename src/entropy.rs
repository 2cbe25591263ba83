//! The platform's random numbers, checked before use: NIST SP 800-90B §4.4's continuous health
//! tests (the repetition count test and the adaptive proportion test) and a lag test for short
//! cycles (a developer-defined test in the sense of §4.5) on every byte, a start-up test of
//! 1,024 bytes (§4.3) at the first use after power-on, and a look-ahead of a whole block, so
//! that a source that gets stuck or starts repeating a cycle of up to 26 bytes is caught before
//! any of its stuck or repeating bytes is used.
//!
//! A failure latches until the next power-on: GET CHALLENGE, key generation and every
//! randomised operation (ECDSA's hedged nonces, RSA blinding, attestation serial numbers) then
//! refuse with an error, store nothing and leave every key in place. The platform source is
//! not read again until then.
//!
//! Crates that take an infallible [`CryptoRng`] (the curve and RSA crates) get this type
//! itself, inside [`Entropy::guard`]. Once the source has failed it can no longer give them
//! good bytes, and some of them loop until a draw is acceptable (a scalar below the group
//! order, an invertible blinding factor): it then feeds them a fixed, public filler stream,
//! which ends such loops at once, and `guard` discards whatever was computed while filler was
//! served. Operations that draw nothing (Ed25519 signatures, X25519) keep working.
//!
//! # What the tests assume, and what they can see
//! The source is taken for what [`rand_core`]'s `CryptoRng` promises: full-entropy
//! (conditioned) output, 8 bits of min-entropy per byte. The cut-offs give a false alarm with
//! probability 2⁻⁴⁰ per byte at that entropy (§4.4.1, §4.4.2; the lag test's 25 lags 2⁻⁴³).
//! They catch a source stuck at any value (6 equal bytes in a row), one that dies (stuck from
//! some byte on), and one that repeats a cycle of up to 26 bytes (6 bytes in a row each equal
//! to the one a cycle length before it: at most 32 bytes into the cycle, inside the block held
//! ahead, even when the source had been healthy until then; the adaptive proportion test, whose
//! window starts every 512 bytes, alone let up to 500 bytes of such a cycle through, which the
//! session fuzzer found). A longer cycle, or a deterministic generator with a known seed, looks
//! random to any test of this size: the firmware must seed and check its own DRBG (the
//! embedding guide says what it keeps doing itself).

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeLess};
use zeroize::{Zeroize, Zeroizing};

use crate::error::Error;

/// Bytes tested and held ahead of what is served: every byte served was followed, in the
/// source's output, by a whole block that passed the tests.
const BLOCK: usize = 64;
/// SP 800-90B §4.3: the start-up tests run on at least 1,024 consecutive samples.
const STARTUP_BYTES: usize = 1024;
/// §4.4.1, repetition count test: C = 1 + ⌈−log₂(α) / H⌉ with α = 2⁻⁴⁰, H = 8.
const RCT_CUTOFF: u8 = 6;
/// §4.4.2, adaptive proportion test, non-binary samples: the window.
const APT_WINDOW: u16 = 512;
/// §4.4.2: C = 1 + CRITBINOM(512, 2⁻⁸, 1 − 2⁻⁴⁰) = 19.
const APT_CUTOFF: u16 = 19;
/// The lag test: the longest cycle it catches (lags 2..=26; lag 1 is the repetition count
/// test's).
const MAX_CYCLE: usize = 26;
/// The lag test fails at this many bytes in a row each equal to the byte `lag` before it: at
/// H = 8 a healthy source does so with probability 2⁻⁴⁸ per lag, 25 lags under 2⁻⁴³.
const LAG_CUTOFF: u8 = 6;

/// SP 800-90B §4.4's two continuous tests, over a stream of bytes.
///
/// Branch-free in the bytes: they become secrets (an RSA prime is made of them), so whether
/// two of them are equal must not show in the control flow (`benches/footprint/ct_check.sh`
/// saw it when the comparison was a branch). Only the window's position, which counts bytes,
/// and the verdict, which is public, are branched on.
#[derive(Default)]
struct HealthTests {
    /// The last byte (once there is one) and how many times it has come in a row.
    last: u8,
    started: bool,
    run: u8,
    /// The adaptive proportion test's window: its first byte, how many times that byte has
    /// come in it, and how many bytes of the window have been seen.
    first: u8,
    count: u16,
    seen: u16,
    /// The lag test: the last [`HISTORY`] bytes (a ring; `next` is where the next byte goes,
    /// `filled` how many are real, up to [`MAX_CYCLE`]), and the match masks of the last
    /// [`LAG_CUTOFF`] − 1 bytes (bit `lag` set when that byte equalled the byte `lag` before it).
    history: [u8; HISTORY],
    next: usize,
    filled: usize,
    recent: [u32; LAG_CUTOFF as usize - 1],
}

/// The lag test's ring: a power of two above [`MAX_CYCLE`], so that a position is a mask of a
/// byte count.
const HISTORY: usize = 32;
const _: () = assert!(HISTORY.is_power_of_two() && HISTORY > MAX_CYCLE && MAX_CYCLE < 32);

/// The tests hold the source's last bytes, which are served (the last ones are still held
/// ahead): wiped when dropped (power-on replaces them).
impl Drop for HealthTests {
    fn drop(&mut self) {
        self.last.zeroize();
        self.first.zeroize();
        self.history.zeroize();
        self.recent.zeroize();
    }
}

impl HealthTests {
    /// Takes one sample; false (`Choice` 0) when a test fails.
    fn sample(&mut self, x: u8) -> Choice {
        let repeated = self.last.ct_eq(&x) & Choice::from(u8::from(self.started));
        self.run = u8::conditional_select(&1, &self.run.saturating_add(1), repeated);
        self.last = x;
        self.started = true;
        if self.seen == 0 || self.seen >= APT_WINDOW {
            self.first = x;
            self.count = 1;
            self.seen = 1;
        } else {
            self.seen += 1;
            self.count += u16::from(x.ct_eq(&self.first).unwrap_u8());
        }
        let lag_ok = self.lag_test(x);
        self.run.ct_lt(&RCT_CUTOFF) & self.count.ct_lt(&APT_CUTOFF) & lag_ok
    }

    /// The lag test for cycles of 2 to [`MAX_CYCLE`] bytes. Every lag is compared on every
    /// byte, by arithmetic alone (no comparison the compiler could turn into a branch), into a
    /// mask of the lags it matches; a lag matched by the last [`LAG_CUTOFF`] bytes fails. The
    /// ring's positions count bytes: neither the control flow nor an address depends on the
    /// bytes. About 10 instructions a lag on the Cortex-M4 (the `subtle` operations a lag it
    /// had before cost RSA-2048 generation 0.4 G instructions: it draws about 90 KiB).
    fn lag_test(&mut self, x: u8) -> Choice {
        let mut matches = 0u32;
        for lag in 2..=MAX_CYCLE {
            let earlier = self
                .history
                .get(self.next.wrapping_sub(lag) & (HISTORY - 1))
                .copied()
                .unwrap_or(0);
            // Below 2^8, so `differs − 1` has its top bit set exactly when `differs` is 0.
            let differs = u32::from(earlier ^ x);
            let equal = differs.wrapping_sub(1) >> 31;
            // Both below 2^31: the top bit of `filled − lag` is set exactly when
            // `filled < lag` (a count of bytes, public; arithmetic all the same).
            let real = ((self.filled as u32).wrapping_sub(lag as u32) >> 31) ^ 1;
            matches |= (equal & real) << lag;
        }
        let run = self.recent.iter().fold(matches, |run, &mask| run & mask);
        self.recent.rotate_right(1);
        if let Some(newest) = self.recent.first_mut() {
            *newest = matches;
        }
        if let Some(slot) = self.history.get_mut(self.next) {
            *slot = x;
        }
        self.next = (self.next + 1) & (HISTORY - 1);
        self.filled = (self.filled + 1).min(MAX_CYCLE);
        run.ct_eq(&0)
    }
}

/// The two blocks of tested bytes.
#[derive(Clone, Copy)]
enum Buffer {
    Current,
    Ahead,
}
use Buffer::{Ahead, Current};

/// Where the source stands since power-on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Condition {
    /// Not used since power-on: the start-up test runs at the first draw.
    Untested,
    Healthy,
    /// A test failed, or the source reported an error: nothing more until power-on.
    Failed,
}

/// The platform RNG `R` behind the health tests. See the module documentation.
pub(crate) struct Entropy<R> {
    source: R,
    tests: HealthTests,
    condition: Condition,
    /// Tested bytes: `current[served..]` are next, then all of `ahead` (wiped on drop).
    current: Zeroizing<[u8; BLOCK]>,
    ahead: Zeroizing<[u8; BLOCK]>,
    served: usize,
    /// The filler after a failure (SplitMix64's state): public, never released.
    filler: u64,
    /// Filler was served since the current [`Entropy::guard`] began.
    filler_served: bool,
}

impl<R> Entropy<R> {
    pub(crate) fn new(source: R) -> Entropy<R> {
        Entropy {
            source,
            tests: HealthTests::default(),
            condition: Condition::Untested,
            current: Zeroizing::new([0; BLOCK]),
            ahead: Zeroizing::new([0; BLOCK]),
            served: BLOCK,
            filler: 0,
            filler_served: false,
        }
    }

    /// Power-on: the source is tested anew at its first use (a failure ends here).
    pub(crate) fn power_on(&mut self) {
        self.wipe();
        self.tests = HealthTests::default();
        self.condition = Condition::Untested;
    }

    /// `Ok` unless the source has failed since power-on.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match self.condition {
            Condition::Failed => Err(Error::RandomFailure),
            _ => Ok(()),
        }
    }

    /// Runs `operation`, which may hand this type to crates as their `CryptoRng`; its result
    /// is dropped (wiped, where it is a key) and [`Error::RandomFailure`] returned if any
    /// filler was served meanwhile. Every use of randomness by a crate goes through here.
    pub(crate) fn guard<T>(
        &mut self,
        operation: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.filler_served = false;
        let result = operation(self);
        if core::mem::take(&mut self.filler_served) {
            drop(result);
            return Err(Error::RandomFailure);
        }
        result
    }

    fn wipe(&mut self) {
        self.current.zeroize();
        self.ahead.zeroize();
        self.served = BLOCK;
    }

    /// Gives the platform RNG back (the tested bytes are wiped).
    pub(crate) fn into_inner(self) -> R {
        self.source
    }
}

impl<R: TryCryptoRng> Entropy<R> {
    /// Fills `dest` with tested random bytes, or fails (and keeps failing until power-on).
    pub(crate) fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        if self.condition == Condition::Untested {
            self.start()?;
        }
        for byte in dest.iter_mut() {
            if self.served >= BLOCK {
                self.check()?;
                *self.current = *self.ahead;
                self.served = 0;
                self.draw_block_into(Ahead)?;
            }
            // Served bytes leave the buffer: none stays in RAM once it is someone's secret.
            let slot = self.current.get_mut(self.served).ok_or(Error::Internal)?;
            *byte = core::mem::take(slot);
            self.served += 1;
        }
        self.check()
    }

    /// SP 800-90B §4.3's start-up test, then the first two blocks.
    fn start(&mut self) -> Result<(), Error> {
        for _ in 0..STARTUP_BYTES / BLOCK {
            self.draw_block_into(Current)?;
        }
        self.draw_block_into(Current)?;
        self.draw_block_into(Ahead)?;
        self.served = 0;
        self.condition = Condition::Healthy;
        Ok(())
    }

    /// One block from the source into `buffer`, every byte through the tests.
    fn draw_block_into(&mut self, buffer: Buffer) -> Result<(), Error> {
        let block = match buffer {
            Current => &mut *self.current,
            Ahead => &mut *self.ahead,
        };
        let drawn = self.source.try_fill_bytes(block).is_ok();
        let mut healthy = Choice::from(u8::from(drawn));
        for &x in block.iter() {
            healthy &= self.tests.sample(x);
        }
        // The verdict is public: a failed source is refused in the open.
        if bool::from(healthy) {
            Ok(())
        } else {
            self.fail();
            Err(Error::RandomFailure)
        }
    }

    fn fail(&mut self) {
        self.wipe();
        self.condition = Condition::Failed;
    }

    /// SplitMix64 (public constants, a public start): only ever used after a failure, to end
    /// the loops of crates that cannot take an error.
    fn filler(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            self.filler = self.filler.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.filler;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let bytes = z.to_le_bytes();
            chunk.copy_from_slice(bytes.get(..chunk.len()).unwrap_or(&bytes));
        }
    }
}

impl<R: TryCryptoRng> TryRng for Entropy<R> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    /// Tested bytes while the source is healthy; the public filler once it has failed (see
    /// the module documentation: the caller then discards the result).
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        if self.fill(dest).is_err() {
            self.filler(dest);
            self.filler_served = true;
        }
        Ok(())
    }
}

impl<R: TryCryptoRng> TryCryptoRng for Entropy<R> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(tests: &mut HealthTests, bytes: impl IntoIterator<Item = u8>) -> bool {
        bytes.into_iter().all(|x| bool::from(tests.sample(x)))
    }

    #[test]
    fn the_repetition_count_test_fails_at_six_equal_bytes_in_a_row() {
        let mut tests = HealthTests::default();
        assert!(run(&mut tests, [1, 7, 7, 7, 7, 7, 2]));
        assert!(!run(&mut tests, [9; 6]));
    }

    /// A healthy stream, then a cycle of every length 2..=26: caught at most 6 bytes after the
    /// cycle's first repeat (its length plus 6 bytes into it), so inside the block held ahead;
    /// 5 bytes in a row equal to the byte a cycle length before pass.
    #[test]
    fn the_lag_test_catches_every_cycle_up_to_26_bytes_within_32_bytes() {
        let healthy: alloc::vec::Vec<u8> = (0..600u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(run(&mut HealthTests::default(), healthy.iter().copied()));
        for length in 2..=MAX_CYCLE {
            let pattern: alloc::vec::Vec<u8> = (0..length as u8)
                .map(|i| i.wrapping_mul(37).wrapping_add(11))
                .collect();
            let mut tests = HealthTests::default();
            assert!(run(&mut tests, healthy.iter().copied()));
            let caught = pattern
                .iter()
                .cycle()
                .take(length + LAG_CUTOFF as usize)
                .position(|&x| !bool::from(tests.sample(x)));
            assert_eq!(caught, Some(length + 5), "cycle of {length}");
        }
        // Five in a row at lag 3, then a break: passes.
        let mut tests = HealthTests::default();
        assert!(run(&mut tests, [1, 2, 3, 1, 2, 3, 1, 2, 9, 4, 5, 6]));
    }

    /// The lag test's masks against the rule as written (a run counter per lag): the same
    /// verdict on every byte of streams of few symbols (many matches at every lag), with
    /// cycles of every length cut in, until the first failure.
    #[test]
    fn the_lag_test_agrees_with_a_counter_per_lag() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as u32
        };
        for stream in 0..2_000 {
            let symbols = 2 + stream % 5;
            let mut bytes: alloc::vec::Vec<u8> =
                (0..200).map(|_| (next() % symbols) as u8).collect();
            let length = 2 + (stream as usize % (MAX_CYCLE + 2));
            let at = next() as usize % 150;
            for i in at + length..(at + length + 7).min(bytes.len()) {
                bytes[i] = bytes[i - length];
            }
            let mut tests = HealthTests::default();
            let mut runs = [0u8; MAX_CYCLE + 1];
            for (i, &x) in bytes.iter().enumerate() {
                let mut expected = true;
                for lag in 2..=MAX_CYCLE {
                    let matched = i >= lag && bytes[i - lag] == x;
                    runs[lag] = if matched { runs[lag] + 1 } else { 0 };
                    expected &= runs[lag] < LAG_CUTOFF;
                }
                assert_eq!(
                    bool::from(tests.lag_test(x)),
                    expected,
                    "stream {stream}, byte {i}"
                );
                if !expected {
                    break;
                }
            }
        }
    }

    #[test]
    fn the_adaptive_proportion_test_fails_at_nineteen_of_a_window() {
        // A window of 512 bytes that starts with 0xAA and has it 19 times in all, never twice
        // in a row; the other bytes are 1..=100 in turn (never 0xAA).
        let window: alloc::vec::Vec<u8> = (0..512u16)
            .map(|i| {
                if i % 28 == 0 {
                    0xAA
                } else {
                    (i % 100) as u8 + 1
                }
            })
            .collect();
        assert_eq!(window.iter().filter(|&&b| b == 0xAA).count(), 19);
        assert!(!run(&mut HealthTests::default(), window.iter().copied()));
        // 18 times passes, and so does the next window (a count of its own).
        let mut passing = window.clone();
        if let Some(last) = passing.iter().rposition(|&b| b == 0xAA) {
            passing[last] = 0x55;
        }
        let mut tests = HealthTests::default();
        assert!(run(&mut tests, passing.iter().copied()));
        // The next window's other bytes shifted by 37 (the same window again would repeat
        // the first one's last bytes at lag 12, which the lag test rightly calls a cycle).
        let shifted = passing.iter().map(|&b| match b {
            0xAA | 0x55 => b,
            _ => (b + 36) % 100 + 1,
        });
        assert!(run(&mut tests, shifted));
    }
}
