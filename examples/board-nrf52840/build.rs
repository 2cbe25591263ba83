//! Puts the memory layout for the chosen bootloader where cortex-m-rt's `link.x` finds it.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let layout = if env::var_os("CARGO_FEATURE_NO_BOOTLOADER").is_some() {
        "memory-no-bootloader.x"
    } else {
        "memory-dongle.x"
    };
    fs::copy(layout, out.join("memory.x")).expect("memory layout");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={layout}");
    println!("cargo:rerun-if-changed=build.rs");
}
