//! Implementations of the platform traits for tests, simulators and virtual cards.
//!
//! Everything here is `no_std` + `alloc` except [`FileStorage`] (feature `std`). A firmware's
//! own test suite can run the applet on these without any hardware.

mod button;
mod clock;
#[cfg(feature = "std")]
mod file;
mod memory;
mod rng;

pub use button::ScriptedButton;
pub use clock::ManualClock;
#[cfg(feature = "std")]
pub use file::FileStorage;
pub use memory::{MemoryError, MemoryStorage};
pub use rng::TestRng;
