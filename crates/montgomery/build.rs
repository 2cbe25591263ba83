//! Selects the UMAAL kernel (`cfg(montgomery_umaal)`) for the targets whose cores have UMAAL.
//!
//! Stable Rust does not expose ARM's target features (`dsp`, `v7`) to `cfg`, so the target's
//! name decides: every thumbv7em core (Cortex-M4, M7) has the DSP extension; on thumbv8m.main
//! it is optional (Cortex-M33 in RP2350, nRF5340 and STM32U5 has it, some M33 and M35P do
//! not), so there the `v8m-dsp` feature asks for it.
use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(montgomery_umaal)");
    println!("cargo::rustc-check-cfg=cfg(montgomery_v8m)");
    let target = env::var("TARGET").unwrap_or_default();
    let v7em = target.starts_with("thumbv7em-");
    let v8m_main = target.starts_with("thumbv8m.main-");
    let v8m_dsp = env::var_os("CARGO_FEATURE_V8M_DSP").is_some();
    if v7em || (v8m_main && v8m_dsp) {
        println!("cargo::rustc-cfg=montgomery_umaal");
    }
    if v8m_main {
        println!("cargo::rustc-cfg=montgomery_v8m");
    }
    println!("cargo::rerun-if-changed=build.rs");
}
