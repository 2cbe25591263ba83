use flash_record_storage::{FlashStorage, RangeError};
use openpgp_card_applet::{Applet, Config, Platform, Transport};

use crate::button::Button;
use crate::clock::TickClock;
use crate::hal::{Pin, RamFlash, Trng};
use crate::rng::HardwareRng;

/// The applet on this board's platform.
pub type Card = Applet<FlashStorage<RamFlash>, HardwareRng, TickClock, Button<TickClock>>;

/// The applet, powered on over the contact interface.
pub fn start(
    flash: RamFlash,
    trng: Trng,
    pin: Pin,
    chip_unique_id: u32,
) -> Result<Card, RangeError> {
    let config = Config {
        manufacturer: 0xFFFF, // yours, from the manufacturer list
        serial: chip_unique_id,
        ..Config::default()
    };
    let platform = Platform {
        storage: crate::storage::open(flash)?,
        rng: HardwareRng(trng),
        clock: TickClock,
        user_presence: Button {
            pin,
            clock: TickClock,
        },
    };
    let mut applet = Applet::new(config, platform);
    // At every power-on or reset of the interface (CCID IccPowerOn, USB reset, NFC field on).
    applet.power_on(Transport::Contact);
    Ok(applet)
}
