//! Implementations of the platform traits for tests, simulators and virtual cards.
//!
//! A firmware's own test suite can run the applet on these without any hardware.

mod button;
mod clock;
mod failing_rng;
mod faulty;
#[cfg(feature = "std")]
mod file;
mod memory;
mod rng;
mod shared;

pub use button::ScriptedButton;
#[cfg(feature = "std")]
pub use clock::InstantClock;
pub use clock::ManualClock;
pub use failing_rng::{FailingRng, Failure, SourceDead};
pub use faulty::{Cut, FaultyError, FaultyStorage};
#[cfg(feature = "std")]
pub use file::FileStorage;
pub use memory::{MemoryError, MemoryStorage};
pub use rng::TestRng;
pub use shared::Shared;
