//! The test kit's generic contract checker (`storage_contract`, the one the embedding guide
//! gives firmware authors for their own store) run on this crate's store over the simulated
//! nRF52840 NVMC: what a new implementation is expected to pass, shown on one that does.
//! (`power_loss.rs` is this crate's stronger proof: every cut, every mode, double faults.)

#[allow(dead_code)]
#[path = "support/sim.rs"]
mod sim;

use flash_record_storage::FlashStorage;
use openpgp_card_applet::{RecordId, Storage};
use openpgp_card_applet_testkit::storage_contract::{check, Medium};
use sim::{Mode, SimFlash};

/// 4 logical pages of 8 KiB, as in `power_loss.rs`: small, so pages change and erase often.
const REGION: usize = 4 * 8192;

/// The flash image and what the cut operation does to it.
struct Nvmc {
    flash: SimFlash,
    mode: Mode,
}

impl Clone for Nvmc {
    fn clone(&self) -> Nvmc {
        Nvmc {
            flash: self.flash.fork(),
            mode: self.mode,
        }
    }
}

/// The store, with a handle on its flash to count operations.
struct Opened {
    store: FlashStorage<SimFlash>,
    flash: SimFlash,
    mode: Mode,
}

impl Storage for Opened {
    type Error = <FlashStorage<SimFlash> as Storage>::Error;
    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        self.store.read(id, buf)
    }
    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), Self::Error> {
        self.store.write(id, data)
    }
    fn remove(&mut self, id: RecordId) -> Result<(), Self::Error> {
        self.store.remove(id)
    }
}

impl Medium for Nvmc {
    type Store = Opened;
    fn power_on(self, budget: Option<u64>) -> Opened {
        let flash = self.flash.clone();
        flash.record();
        if let Some(budget) = budget {
            flash.arm(budget as usize, self.mode);
        }
        let store = FlashStorage::new(self.flash, 0..REGION as u32).expect("aligned range");
        Opened {
            store,
            flash,
            mode: self.mode,
        }
    }
    fn power_off(opened: Opened) -> Nvmc {
        Nvmc {
            // A power cycle: the image as it is, with power back.
            flash: opened.store.into_flash().fork(),
            mode: opened.mode,
        }
    }
    fn operations(opened: &Opened) -> u64 {
        opened.flash.logged() as u64
    }
}

#[test]
fn the_flash_store_passes_the_generic_contract_checker() {
    for mode in [Mode::NotApplied, Mode::Torn] {
        let blank = Nvmc {
            flash: SimFlash::new(REGION),
            mode,
        };
        // Every 7th word write or page erase (about 200 cuts per mode, 5 s): every cut, each
        // mode and double faults are `power_loss.rs`'s job.
        let report = check(&blank, 7).unwrap_or_else(|why| panic!("{mode:?}: {why}"));
        println!("generic contract checker, {mode:?}: {report:?}");
        assert!(report.cut_points > 100);
    }
}
