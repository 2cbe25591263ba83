#![no_main]
use openpgp_card_applet_fuzzing::{session, Session};
libfuzzer_sys::fuzz_target!(|input: Session| session(&input));
