// Puts memory.x where the linker finds it: cortex-m-rt's link.x includes it by name.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    // include_bytes! makes this script depend on memory.x: cargo rebuilds and reruns it when
    // the file changes.
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("memory.x written");
    println!("cargo:rustc-link-search={}", out.display());
}
