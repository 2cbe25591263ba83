use core::convert::Infallible;
use rand_core::{TryCryptoRng, TryRng};

use crate::hal::Trng;

/// The TRNG peripheral as the applet's generator.
pub struct HardwareRng(pub Trng);

impl TryRng for HardwareRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.0.random_u32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(u64::from(self.0.random_u32()) << 32 | u64::from(self.0.random_u32()))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let word = self.0.random_u32().to_le_bytes();
            for (out, byte) in chunk.iter_mut().zip(word) {
                *out = byte;
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for HardwareRng {}
