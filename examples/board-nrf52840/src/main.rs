//! The openpgp-card-applet on an nRF52840, as a USB CCID smart card.
//!
//! - **USB** runs in the USBD interrupt: `usb-device` with our CCID class (`ccid/`), which
//!   answers the host at once for everything but APDUs.
//! - **The applet** runs in the main loop: it takes a command from the class, processes it
//!   (for minutes, for an RSA-4096 key generation) and hands the response back. Meanwhile
//!   the USB interrupt keeps serving the bus.
//! - **Time extensions**: the RTC1 interrupt (every 125 ms) ticks the class, which sends the
//!   host a time-extension request every 500 ms while a command runs, so the host's CCID
//!   driver keeps waiting. The touch wait is an ordinary loop in the main context and needs
//!   nothing special.
//! - **Platform**: the record store on the NVMC (`storage/`), the RNG peripheral, RTC1 as the
//!   millisecond clock, a button and an LED as user presence, a 128 KiB heap.
//!
//! See README.md for wiring, flashing and the measured sizes.

#![no_std]
#![no_main]

extern crate alloc;

use core::cell::RefCell;
use core::convert::Infallible;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::NVIC;
use cortex_m_rt::entry;
use critical_section::Mutex;
use embedded_alloc::LlffHeap as Heap;
use embedded_hal::digital::{InputPin, OutputPin};
use flash_record_storage::FlashStorage;
use nrf52840_hal::clocks::{Clocks, ExternalOscillator, Internal, LfOscStarted};
use nrf52840_hal::gpio::{p0, p1, Input, Level, Output, PullUp, PushPull};
use nrf52840_hal::nvmc::Nvmc;
use nrf52840_hal::pac::{self, interrupt, Interrupt};
use nrf52840_hal::usbd::{UsbPeripheral, Usbd};
use openpgp_card_applet::{Applet, Clock, Config, Platform, Presence, Transport, UserPresence};
use openpgp_card_applet_usb_card::{self as usb_card, Atr, Class, Job, CCID_MESSAGE};
use rand_core::{TryCryptoRng, TryRng};
use usb_device::bus::UsbBusAllocator;
use usb_device::device::UsbDevice;

/// The heap: the applet's command and response buffers (8 KiB), the record store's buffer
/// (4 KiB), decoded keys (three RSA-4096 keys at most) and the big-number temporaries of an
/// RSA-4096 key generation.
const HEAP_SIZE: usize = 128 * 1024;
/// RTC1 ticks between two class ticks (32768 Hz: 125 ms).
const TICK: u32 = 4096;

#[global_allocator]
static HEAP: Heap = Heap::empty();

type Bus = Usbd<UsbPeripheral<'static>>;
type Usb = (UsbDevice<'static, Bus>, Class<'static, Bus>);

/// The USB device and class, shared by the USBD interrupt, the RTC1 interrupt and the main
/// loop (which takes commands and gives responses). A reference, so that the static is zero
/// (in .bss) and the 8 KiB of class buffers are not copied from flash at boot.
static USB: Mutex<RefCell<Option<&'static mut Usb>>> = Mutex::new(RefCell::new(None));
/// RTC1 overflows (every 512 s): the high bits of the millisecond clock.
static OVERFLOWS: AtomicU32 = AtomicU32::new(0);

extern "C" {
    static __storage_start: u8;
    static __storage_end: u8;
}

// Pins. nRF52840 Dongle (PCA10059): SW1 on P1.06 (to ground), LED1 (green) on P0.06 (active
// low). On another board, change these and the `Board` types below.
type ButtonPin = p1::P1_06<Input<PullUp>>;
type LedPin = p0::P0_06<Output<PushPull>>;

#[entry]
fn main() -> ! {
    // SAFETY: called once, before any allocation, with memory nothing else uses.
    unsafe {
        static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
        HEAP.init(core::ptr::addr_of_mut!(HEAP_MEM) as usize, HEAP_SIZE);
    }
    let p = pac::Peripherals::take().expect("peripherals");
    set_regout0_3v3(&p.UICR, &p.NVMC);

    // 64 MHz crystal for USB; the 32 kHz RC oscillator for the RTC.
    let clocks = Clocks::new(p.CLOCK)
        .enable_ext_hfosc()
        .set_lfclk_src_rc()
        .start_lfclk();
    let clocks: &'static Clocks<ExternalOscillator, Internal, LfOscStarted> =
        cortex_m::singleton!(: Clocks<ExternalOscillator, Internal, LfOscStarted> = clocks)
            .expect("clocks");
    start_rtc(&p.RTC1);

    let port0 = p0::Parts::new(p.P0);
    let port1 = p1::Parts::new(p.P1);
    let mut button = Button {
        pin: port1.p1_06.into_pullup_input(),
        led: port0.p0_06.into_push_pull_output(Level::High),
    };

    // The record store: the STORAGE region of memory.x, through the NVMC.
    // SAFETY: the linker keeps code and data out of this region; the NVMC driver is its only
    // user from here on.
    let storage_region: &'static mut [u8] = unsafe {
        let start = core::ptr::addr_of!(__storage_start) as usize;
        let end = core::ptr::addr_of!(__storage_end) as usize;
        core::slice::from_raw_parts_mut(start as *mut u8, end - start)
    };
    let len = storage_region.len() as u32;
    let mut storage =
        FlashStorage::new(Nvmc::new(p.NVMC, storage_region), 0..len).expect("storage range");
    // The button held at power-up for 3 s (LED on) erases the record store: a factory-fresh
    // card. This is the way out of a region that held something else before the first flash,
    // or of damage the store cannot repair; every key is lost.
    if button.held_at_boot(3_000) {
        storage.erase_all().ok();
        let _ = button.led.set_high();
    }

    // The unique device id as the card's serial number (and the USB serial string).
    let device_id = p.FICR.deviceid[0].read().bits();
    let config = Config {
        serial: device_id,
        ..Config::default()
    };
    let mut applet = Applet::new(
        config,
        Platform {
            storage,
            rng: HardwareRng(nrf52840_hal::Rng::new(p.RNG)),
            clock: RtcClock,
            user_presence: button,
        },
    );
    applet.power_on(Transport::Contact);
    let atr = Atr::of(&applet);

    // USB: allocator and device live for the program's life.
    // USB events are served from the start-of-frame interrupt (every 1 ms while the bus is
    // active; usb-device's poll handles and clears every pending event), as nrf-hal's own
    // examples do: nrf-usbd enables no interrupt itself.
    p.USBD.intenset.write(|w| w.sof().set());
    let bus: &'static UsbBusAllocator<Bus> = cortex_m::singleton!(
        : UsbBusAllocator<Bus> = UsbBusAllocator::new(Usbd::new(UsbPeripheral::new(p.USBD, clocks)))
    )
    .expect("usb bus");
    // The USB device and class as crates/usb-card builds them (the host USB device of
    // crates/usb-socket runs the same code under pcscd and libccid).
    let serial: &'static str = {
        let hex =
            cortex_m::singleton!(: [u8; 8] = usb_card::serial_hex(device_id)).expect("serial");
        core::str::from_utf8(hex).unwrap_or("0")
    };
    let ccid = usb_card::class(bus, &atr);
    let device = usb_card::device(bus, "OpenPGP card (nRF52840)", serial).expect("usb device");
    let usb: &'static mut Usb = cortex_m::singleton!(: Usb = (device, ccid)).expect("usb");
    critical_section::with(|cs| USB.borrow_ref_mut(cs).replace(usb));
    // SAFETY: the handlers only touch state behind `USB`'s mutex and atomics.
    unsafe {
        NVIC::unmask(Interrupt::USBD);
        NVIC::unmask(Interrupt::RTC1);
    }

    let command = cortex_m::singleton!(: [u8; CCID_MESSAGE] = [0; CCID_MESSAGE]).expect("buf");
    let response = cortex_m::singleton!(: [u8; CCID_MESSAGE] = [0; CCID_MESSAGE]).expect("buf");
    loop {
        // Take what the USB interrupt left, or sleep until an interrupt: WFI inside the
        // critical section wakes on a pending interrupt, which then runs once the section
        // ends, so nothing is missed between the check and the sleep.
        let job = critical_section::with(|cs| {
            let mut usb = USB.borrow_ref_mut(cs);
            let Some((_, ccid)) = usb.as_mut() else {
                return Job {
                    reset: false,
                    command: None,
                };
            };
            let job = Job::take(ccid, &mut command[..]);
            if job.is_idle() {
                cortex_m::asm::wfi();
            }
            job
        });
        // IccPowerOn/IccPowerOff or a bus reset is a card reset for the applet; a command runs
        // here, outside the critical section, for as long as it takes.
        if let Some(answer) = usb_card::serve(&mut applet, job, &command[..], &mut response[..]) {
            critical_section::with(|cs| {
                if let Some((_, ccid)) = USB.borrow_ref_mut(cs).as_mut() {
                    answer.give(ccid, &response[..]);
                }
            });
        }
    }
}

#[interrupt]
fn USBD() {
    critical_section::with(|cs| {
        if let Some((device, ccid)) = USB.borrow_ref_mut(cs).as_mut() {
            device.poll(&mut [ccid]);
        }
    });
}

#[interrupt]
fn RTC1() {
    // SAFETY: RTC1 belongs to this handler and `RtcClock` (which only reads).
    let rtc = unsafe { &*pac::RTC1::ptr() };
    if rtc.events_ovrflw.read().bits() != 0 {
        rtc.events_ovrflw.write(|w| unsafe { w.bits(0) });
        OVERFLOWS.fetch_add(1, Ordering::SeqCst);
    }
    if rtc.events_compare[0].read().bits() != 0 {
        rtc.events_compare[0].write(|w| unsafe { w.bits(0) });
        let next = rtc.counter.read().bits().wrapping_add(TICK) & 0x00FF_FFFF;
        rtc.cc[0].write(|w| unsafe { w.bits(next) });
        let now = now_ms();
        critical_section::with(|cs| {
            if let Some((_, ccid)) = USB.borrow_ref_mut(cs).as_mut() {
                ccid.tick(now);
            }
        });
    }
}

/// RTC1 at 32768 Hz with interrupts on overflow and on the class tick.
fn start_rtc(rtc: &pac::RTC1) {
    rtc.prescaler.write(|w| unsafe { w.prescaler().bits(0) });
    rtc.cc[0].write(|w| unsafe { w.bits(TICK) });
    rtc.evtenset.write(|w| w.ovrflw().set().compare0().set());
    rtc.intenset.write(|w| w.ovrflw().set().compare0().set());
    rtc.tasks_start.write(|w| unsafe { w.bits(1) });
}

/// Milliseconds since boot from RTC1's 24-bit counter and the overflow count.
fn now_ms() -> u64 {
    // SAFETY: reads only.
    let rtc = unsafe { &*pac::RTC1::ptr() };
    loop {
        let before = OVERFLOWS.load(Ordering::SeqCst);
        let counter = rtc.counter.read().bits();
        // An overflow not yet counted by the handler (we may be running with interrupts off).
        let pending = rtc.events_ovrflw.read().bits() != 0;
        let after = OVERFLOWS.load(Ordering::SeqCst);
        if before != after {
            continue;
        }
        let mut overflows = u64::from(before);
        if pending && counter < 0x0080_0000 {
            overflows += 1;
        }
        let ticks = (overflows << 24) | u64::from(counter);
        return ticks * 1000 / 32768;
    }
}

/// The RTC as the applet's clock.
struct RtcClock;

impl Clock for RtcClock {
    type Error = Infallible;
    fn now_ms(&mut self) -> Result<u64, Infallible> {
        Ok(now_ms())
    }
}

/// The RNG peripheral (bias correction on) as a `rand_core` 0.10 `CryptoRng`. The peripheral
/// cannot fail: every call blocks until the bytes are there (about 120 µs each).
struct HardwareRng(nrf52840_hal::Rng);

impl TryRng for HardwareRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.0.random_u32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.0.random_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.random(dst);
        Ok(())
    }
}

impl TryCryptoRng for HardwareRng {}

/// User presence: a press of the button within the timeout, with the LED blinking while the
/// card waits. A button already held when the request comes must be released first (a
/// stuck or taped-down button confirms nothing).
struct Button {
    pin: ButtonPin,
    led: LedPin,
}

impl Button {
    fn pressed(&mut self) -> bool {
        self.pin.is_low().unwrap_or(false)
    }

    /// Pressed for 20 ms in a row (debounced).
    fn held(&mut self, deadline: u64) -> bool {
        let start = now_ms();
        while now_ms() < deadline {
            if !self.pressed() {
                return false;
            }
            if now_ms() - start >= 20 {
                return true;
            }
        }
        false
    }
}

impl Button {
    /// Whether the button is held from power-up for `ms` (LED on meanwhile).
    fn held_at_boot(&mut self, ms: u64) -> bool {
        if !self.pressed() {
            return false;
        }
        let _ = self.led.set_low();
        let start = now_ms();
        while now_ms() - start < ms {
            if !self.pressed() {
                let _ = self.led.set_high();
                return false;
            }
        }
        true
    }
}

impl UserPresence for Button {
    type Error = Infallible;

    fn confirm(&mut self, timeout_ms: u32) -> Result<Presence, Infallible> {
        let start = now_ms();
        let deadline = start + u64::from(timeout_ms);
        let mut released = !self.pressed();
        let answer = loop {
            let now = now_ms();
            if now >= deadline {
                break Presence::TimedOut;
            }
            // 4 Hz blink: on for the first half of each 250 ms.
            let on = (now - start) % 250 < 125;
            let _ = if on {
                self.led.set_low()
            } else {
                self.led.set_high()
            };
            if !self.pressed() {
                released = true;
            } else if released && self.held(deadline) {
                break Presence::Confirmed;
            }
        };
        let _ = self.led.set_high();
        Ok(answer)
    }
}

/// The Dongle runs its GPIOs from the internal regulator, 1.8 V by default: too low for the
/// green LED. Set REGOUT0 to 3.3 V once (a UICR write, effective after a reset), as Nordic's
/// own Dongle examples do.
fn set_regout0_3v3(uicr: &pac::UICR, nvmc: &pac::NVMC) {
    if uicr.regout0.read().vout().is_default() {
        nvmc.config.write(|w| w.wen().wen());
        while nvmc.ready.read().ready().is_busy() {}
        uicr.regout0.write(|w| w.vout()._3v3());
        while nvmc.ready.read().ready().is_busy() {}
        nvmc.config.write(|w| w.wen().ren());
        while nvmc.ready.read().ready().is_busy() {}
        cortex_m::peripheral::SCB::sys_reset();
    }
}

/// The applet never panics on any input; anything else that does restarts the device (the
/// host sees the card go away and come back, with every volatile state reset).
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    cortex_m::peripheral::SCB::sys_reset()
}
