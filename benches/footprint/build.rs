//! Puts the machine's memory map where the linker (cortex-m-rt's link.x) finds it: MPS2 AN386
//! (Cortex-M4) for thumbv7em, AN505 (Cortex-M33) for thumbv8m.main; and tells the harness
//! which core it counts on (`cfg(footprint_m33)`: SysTick's clock differs).
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let target = env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-check-cfg=cfg(footprint_m33)");
    let memory: &[u8] = if target.starts_with("thumbv8m.main-") {
        println!("cargo:rustc-cfg=footprint_m33");
        include_bytes!("memory-an505.x")
    } else {
        include_bytes!("memory-an386.x")
    };
    fs::write(out.join("memory.x"), memory).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory-an386.x");
    println!("cargo:rerun-if-changed=memory-an505.x");
}
