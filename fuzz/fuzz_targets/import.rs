#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| openpgp_card_applet_fuzzing::import(data));
