//! Shared by the host tests: the simulated flash and the applet scenarios.

#![allow(dead_code)]

pub mod card;
pub mod sim;
