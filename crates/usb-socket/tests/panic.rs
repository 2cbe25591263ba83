//! A panic in any of the device's contexts ends [`run`] instead of hanging it: the other
//! threads stop when one of them unwinds (as a firmware's panic handler resets the chip).

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::thread;
use std::time::{Duration, Instant};

use openpgp_card_applet::{Applet, Config, Platform, Presence, RecordId, Storage};
use openpgp_card_applet_testkit::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
use openpgp_card_applet_usb_socket::wire::{Kind, Request};
use openpgp_card_applet_usb_socket::{run, Handle, Options};

/// Storage whose writes panic: the first PIN verification (which writes its retry counter
/// first) panics in the main loop.
struct PanickingStorage(MemoryStorage);

impl Storage for PanickingStorage {
    type Error = <MemoryStorage as Storage>::Error;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        self.0.read(id, buf)
    }

    fn write(&mut self, _: RecordId, _: &[u8]) -> Result<(), Self::Error> {
        panic!("storage write (deliberate)");
    }

    fn remove(&mut self, id: RecordId) -> Result<(), Self::Error> {
        self.0.remove(id)
    }
}

fn request(stream: &mut UnixStream, request: Request, out: &[u8]) -> Option<(i32, Vec<u8>)> {
    stream.write_all(&request.emit()).ok()?;
    stream.write_all(out).ok()?;
    let mut header = [0u8; 8];
    stream.read_exact(&mut header).ok()?;
    let status = i32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let n = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
    let mut data = vec![0u8; n];
    if request.is_in() {
        stream.read_exact(&mut data).ok()?;
    }
    Some((status, data))
}

fn control(stream: &mut UnixStream, setup: [u8; 8]) -> i32 {
    let length = usize::from(u16::from_le_bytes([setup[6], setup[7]]));
    let r = Request {
        kind: Kind::Control,
        endpoint: 0,
        length,
        timeout_ms: 1000,
        setup,
    };
    request(stream, r, &[]).expect("control").0
}

fn bulk_out(stream: &mut UnixStream, bytes: &[u8]) {
    let r = Request {
        kind: Kind::Data,
        endpoint: 0x01,
        length: bytes.len(),
        timeout_ms: 1000,
        setup: [0; 8],
    };
    assert_eq!(request(stream, r, bytes).expect("bulk out").0, 0);
}

fn bulk_in(stream: &mut UnixStream) -> Option<(i32, Vec<u8>)> {
    let r = Request {
        kind: Kind::Data,
        endpoint: 0x81,
        length: 65_536,
        timeout_ms: 1000,
        setup: [0; 8],
    };
    request(stream, r, &[])
}

#[test]
fn a_panic_in_the_main_loop_ends_run_instead_of_hanging() {
    let path = std::env::temp_dir().join(format!("usb-panic-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).expect("bind");
    let handle = Handle::new();
    let h = handle.clone();
    let device = thread::spawn(move || {
        let platform = Platform {
            storage: PanickingStorage(MemoryStorage::new()),
            rng: TestRng::seed_from_u64(36),
            clock: ManualClock::new(),
            user_presence: ScriptedButton::always(Presence::Confirmed),
        };
        let mut applet = Applet::new(Config::default(), platform);
        run(&mut applet, &listener, &h, Options::default())
    });

    let mut stream = UnixStream::connect(&path).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    assert_eq!(control(&mut stream, [0x00, 5, 1, 0, 0, 0, 0, 0]), 0);
    assert_eq!(control(&mut stream, [0x00, 9, 1, 0, 0, 0, 0, 0]), 0);
    // IccPowerOn, then VERIFY PW1 "123456".
    bulk_out(&mut stream, &[0x62, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(bulk_in(&mut stream).expect("ATR").0, 0);
    let verify = [
        0x6F, 11, 0, 0, 0, 0, 2, 0, 0, 0, 0x00, 0x20, 0x00, 0x81, 0x06, b'1', b'2', b'3', b'4',
        b'5', b'6',
    ];
    bulk_out(&mut stream, &verify);
    // The host waits for the answer; the device may end the connection or the transfer.
    let _ = bulk_in(&mut stream);

    let deadline = Instant::now() + Duration::from_secs(10);
    while !device.is_finished() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let finished = device.is_finished();
    // Let a hung device go (the test process ends with it).
    handle.stop();
    let _ = std::fs::remove_file(&path);
    assert!(
        finished,
        "run() still running 10 s after its main loop panicked"
    );
    assert!(
        device.join().is_err(),
        "the main loop's panic reaches run()'s caller"
    );
}
