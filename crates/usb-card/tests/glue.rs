//! The glue on the test kit's backends: the ATR the board and the host USB device send, and
//! the main loop's step.

use openpgp_card_applet::{Applet, Config, Platform, Presence};
use openpgp_card_applet_testkit::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
use openpgp_card_applet_usb_card::{serial_hex, Atr};

fn applet() -> Applet<MemoryStorage, TestRng, ManualClock, ScriptedButton> {
    Applet::new(
        Config::default(),
        Platform {
            storage: MemoryStorage::new(),
            rng: TestRng::seed_from_u64(1),
            clock: ManualClock::new(),
            user_presence: ScriptedButton::always(Presence::Confirmed),
        },
    )
}

#[test]
fn the_atr_is_t1_with_the_historical_bytes_and_a_right_tck() {
    let applet = applet();
    let atr = Atr::of(&applet);
    let bytes = atr.bytes();
    let historical = applet.historical_bytes();
    // ISO 7816-3 §8.2: TS direct, T0 with K historical bytes and TD1, TD1 = T=1, TCK.
    assert_eq!(&bytes[..3], &[0x3B, 0x80 | historical.len() as u8, 0x01]);
    assert_eq!(&bytes[3..3 + historical.len()], &historical);
    assert_eq!(bytes.len(), 3 + historical.len() + 1);
    // §8.2.5: the XOR of T0 to TCK is zero.
    assert_eq!(bytes[1..].iter().fold(0, |x, b| x ^ b), 0);
}

#[test]
fn the_serial_string_is_eight_hex_digits() {
    assert_eq!(&serial_hex(0x1234_ABCD), b"1234ABCD");
    assert_eq!(&serial_hex(0), b"00000000");
}
