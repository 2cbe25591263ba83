//! The device side against a host that breaks the rules, without pcscd: a test host speaks
//! the socket's framing (`src/wire.rs`) to [`run`] and sends what libccid never would.
//! CCID 1.1 §6.1 and §6.2: every command message gets exactly one answer with its bSeq, a
//! failed command reports bmCommandStatus 1 and the offending field's offset in bError; the
//! device never hangs and never panics.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use openpgp_card_applet::{Applet, Config, Platform, Presence};
use openpgp_card_applet_testkit::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
use openpgp_card_applet_usb_socket::wire::{Kind, Request};
use openpgp_card_applet_usb_socket::{run, Handle, Options};

const OUT: u8 = 0x01;
const IN: u8 = 0x81;

/// A device running on its own socket, stopped on drop.
struct Device {
    handle: Handle,
    path: PathBuf,
    thread: Option<thread::JoinHandle<std::io::Result<()>>>,
}

impl Device {
    fn start(name: &str) -> Device {
        let path = std::env::temp_dir().join(format!("usb-{name}-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).expect("bind");
        let handle = Handle::new();
        let h = handle.clone();
        let thread = thread::spawn(move || {
            let platform = Platform {
                storage: MemoryStorage::new(),
                rng: TestRng::seed_from_u64(36),
                clock: ManualClock::new(),
                user_presence: ScriptedButton::always(Presence::Confirmed),
            };
            let mut applet = Applet::new(Config::default(), platform);
            run(&mut applet, &listener, &h, Options::default())
        });
        Device {
            handle,
            path,
            thread: Some(thread),
        }
    }

    fn host(&self) -> Host {
        let stream = UnixStream::connect(&self.path).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut host = Host { stream };
        host.enumerate();
        host
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        self.handle.stop();
        if let Some(thread) = self.thread.take() {
            let result = thread.join();
            if !thread::panicking() {
                assert!(
                    matches!(result, Ok(Ok(()))),
                    "the device failed: {result:?}"
                );
            }
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

struct Host {
    stream: UnixStream,
}

impl Host {
    fn request(&mut self, request: Request, out: &[u8]) -> (i32, Vec<u8>) {
        self.stream.write_all(&request.emit()).expect("write");
        self.stream.write_all(out).expect("write");
        let mut header = [0u8; 8];
        self.stream.read_exact(&mut header).expect("reply");
        let status = i32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let n = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let mut data = vec![0u8; n];
        self.stream.read_exact(&mut data).expect("reply data");
        (status, data)
    }

    fn control(&mut self, setup: [u8; 8], out: &[u8]) -> (i32, Vec<u8>) {
        let request = Request {
            kind: Kind::Control,
            endpoint: 0,
            length: if setup[0] & 0x80 != 0 {
                usize::from(u16::from_le_bytes([setup[6], setup[7]]))
            } else {
                out.len()
            },
            timeout_ms: 1000,
            setup,
        };
        self.request(request, out)
    }

    fn enumerate(&mut self) {
        let (status, device) = self.control([0x80, 6, 0, 1, 0, 0, 18, 0], &[]);
        assert_eq!((status, device.len()), (0, 18));
        assert_eq!(&device[8..12], &[0x09, 0x12, 0x01, 0x00], "1209:0001");
        assert_eq!(self.control([0x00, 5, 1, 0, 0, 0, 0, 0], &[]).0, 0);
        assert_eq!(self.control([0x00, 9, 1, 0, 0, 0, 0, 0], &[]).0, 0);
    }

    /// Sends bytes on bulk-out as one transfer (packets of 64, a short one last).
    fn send(&mut self, bytes: &[u8]) {
        let request = Request {
            kind: Kind::Data,
            endpoint: OUT,
            length: bytes.len(),
            timeout_ms: 1000,
            setup: [0; 8],
        };
        assert_eq!(self.request(request, bytes).0, 0);
    }

    /// One bulk-in transfer: a message (or a timeout, status -7).
    fn receive(&mut self, timeout_ms: u32) -> (i32, Vec<u8>) {
        let request = Request {
            kind: Kind::Data,
            endpoint: IN,
            length: 65_536,
            timeout_ms,
            setup: [0; 8],
        };
        self.request(request, &[])
    }

    /// The next answer that is not a time extension.
    fn answer(&mut self) -> Vec<u8> {
        loop {
            let (status, message) = self.receive(30_000);
            assert_eq!(status, 0, "an answer within 30 s");
            if message.get(7).is_some_and(|s| s >> 6 == 2) {
                continue; // time extension
            }
            return message;
        }
    }
}

/// A PC_to_RDR message: type, data, slot, sequence, three parameter bytes.
fn message(kind: u8, data: &[u8], slot: u8, seq: u8, params: [u8; 3]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&(data.len() as u32).to_le_bytes());
    m.extend_from_slice(&[slot, seq]);
    m.extend_from_slice(&params);
    m.extend_from_slice(data);
    m
}

const SELECT: [u8; 11] = [
    0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
];

fn power_on(host: &mut Host) {
    host.send(&message(0x62, &[], 0, 1, [0; 3]));
    let atr = host.answer();
    assert_eq!((atr[0], atr[6], atr[7]), (0x80, 1, 0x00), "{atr:02X?}");
}

fn select_works(host: &mut Host, seq: u8) {
    host.send(&message(0x6F, &SELECT, 0, seq, [0; 3]));
    let answer = host.answer();
    assert_eq!(answer[0], 0x80);
    assert_eq!(answer[6], seq);
    assert_eq!(&answer[10..], &[0x90, 0x00]);
}

#[test]
fn malformed_and_truncated_messages_are_answered_and_the_device_keeps_working() {
    let device = Device::start("malformed");
    let mut host = device.host();
    power_on(&mut host);

    // Truncated: dwLength says 100, the transfer ends after 20 bytes (a short packet).
    let mut truncated = message(0x6F, &[0u8; 100], 0, 2, [0; 3]);
    truncated.truncate(20);
    host.send(&truncated);
    let answer = host.answer();
    assert_eq!(answer[0], 0x80, "the answer type of XfrBlock");
    assert_eq!(
        (answer[6], answer[7], answer[8]),
        (2, 0x40, 1),
        "failed, bError: dwLength"
    );

    // dwLength beyond dwMaxCCIDMessageLength, with packets that keep coming.
    let mut huge = message(0x6F, &[0xAA; 150], 0, 3, [0; 3]);
    huge[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
    host.send(&huge);
    let answer = host.answer();
    assert_eq!(
        (answer[6], answer[7], answer[8]),
        (3, 0x40, 1),
        "{answer:02X?}"
    );

    // A slot that does not exist: bError 5 (bSlot), ICC absent.
    host.send(&message(0x65, &[], 1, 4, [0; 3]));
    let answer = host.answer();
    assert_eq!(
        (answer[0], answer[6], answer[7], answer[8]),
        (0x81, 4, 0x42, 5)
    );

    // An unknown message type: command not supported (bError 0), failed.
    host.send(&message(0x99, &[], 0, 5, [0; 3]));
    let answer = host.answer();
    assert_eq!(
        (answer[0], answer[6], answer[7], answer[8]),
        (0x81, 5, 0x40, 0)
    );

    // APDU chaining at the CCID level (wLevelParameter): not needed, refused (bError 8).
    host.send(&message(0x6F, &SELECT, 0, 6, [0, 1, 0]));
    let answer = host.answer();
    assert_eq!((answer[6], answer[7], answer[8]), (6, 0x40, 8));

    // Fewer bytes than a header: no bSeq to answer with, ignored.
    host.send(&[0x6F, 1, 0]);
    assert_eq!(host.receive(300).0, -7, "nothing to answer");

    // An empty transfer (a zero-length packet).
    host.send(&[]);
    assert_eq!(host.receive(300).0, -7);

    select_works(&mut host, 7);
    // XfrBlock before IccPowerOn on a fresh connection: the card is mute (bError FE).
    drop(host);
    let mut host = device.host();
    host.send(&message(0x6F, &SELECT, 0, 8, [0; 3]));
    let answer = host.answer();
    assert_eq!(
        (answer[6], answer[7], answer[8]),
        (8, 0x41, 0xFE),
        "{answer:02X?}"
    );
    power_on(&mut host);
    select_works(&mut host, 9);
}

#[test]
fn the_abort_request_drops_the_running_command() {
    let device = Device::start("abort");
    let mut host = device.host();
    power_on(&mut host);
    select_works(&mut host, 2);
    let verify = [
        0x00, 0x20, 0x00, 0x83, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
    ];
    host.send(&message(0x6F, &verify, 0, 3, [0; 3]));
    assert_eq!(&host.answer()[10..], &[0x90, 0x00]);
    // An RSA-2048 generation (seconds), then the abort (CCID 1.1 §5.3.1 and §6.1.13): the
    // class request ABORT with the slot and sequence, then PC_to_RDR_Abort.
    let generate = [
        0x00, 0x47, 0x80, 0x00, 0x00, 0x00, 0x02, 0xB6, 0x00, 0x00, 0x00,
    ];
    host.send(&message(0x6F, &generate, 0, 4, [0; 3]));
    let (status, _) = host.control([0x21, 0x01, 0x00, 4, 0, 0, 0, 0], &[]);
    assert_eq!(status, 0, "ABORT accepted");
    host.send(&message(0x72, &[], 0, 4, [0; 3]));
    let answer = host.answer();
    assert_eq!(
        (answer[0], answer[6], answer[7], answer[8]),
        (0x81, 4, 0x00, 0)
    );
    // The next command is answered, not the aborted one.
    select_works(&mut host, 5);
    // A class request the class does not know stalls endpoint 0 (libusb: PIPE).
    assert_eq!(host.control([0xA1, 0x7F, 0, 0, 0, 0, 4, 0], &[]).0, -9);
    assert_eq!(
        host.control([0xA1, 0x03, 0, 0, 0, 0, 4, 0], &[]),
        (0, 9600u32.to_le_bytes().to_vec())
    );
    select_works(&mut host, 6);
}

#[test]
fn a_host_that_breaks_the_framing_loses_its_connection_not_the_device() {
    let device = Device::start("framing");
    let mut host = device.host();
    let mut bad = [0u8; 20];
    bad[0] = 9; // no such kind
    host.stream.write_all(&bad).expect("write");
    let mut rest = Vec::new();
    let _ = host.stream.read_to_end(&mut rest);
    assert!(rest.is_empty(), "closed without a reply");
    // Transfers on endpoints the device does not have are refused, the connection kept.
    let mut host = device.host();
    let request = Request {
        kind: Kind::Data,
        endpoint: 0x85,
        length: 64,
        timeout_ms: 100,
        setup: [0; 8],
    };
    assert_eq!(host.request(request, &[]).0, -2);
    power_on(&mut host);
    select_works(&mut host, 2);
}
