//! Crate-internal test suites that need test-only instrumentation (scenario tests that use only
//! the public API live in `tests/`).

#[cfg(all(feature = "rsa", feature = "ed25519", feature = "p256"))]
mod power_loss;
