//! End-to-end tests of the device's own USB transport: the applet behind `usb-device` and the
//! CCID class (`crates/usb-card`, as the nRF52840 board runs them) on a socket, reached by the
//! unmodified pcscd and libccid through the test libusb (`crates/usb-socket`). Run by
//! `tests/e2e/usb.sh` (with `E2E_USB`); without it (the vpcd runs) every test here returns at
//! once, since vpcd skips CCID.
//!
//! What only this path shows: CCID messages of many USB packets and near
//! dwMaxCCIDMessageLength, time extensions while a long command runs, IccPowerOff/IccPowerOn,
//! a bus reset and a re-plug in mid-session, OpenSC's `pkcs15-tool` through libccid. (Two
//! clients sharing the reader, scdaemon with `pcsc-shared` and OpenSC, is
//! `opensc_probing_between_gnupg_operations_keeps_the_pin_verified` of `tests/keys.rs`, which
//! `usb.sh` runs too.)

use std::ffi::CString;
use std::time::{Duration, Instant};

use openpgp_card_applet_e2e as e2e;

use e2e::{gnupg, reader, Button, Fixture};
use openpgp_card_applet::{Config, Presence};

/// The USB device's handle, or `None` outside the USB runs.
fn usb(f: &Fixture) -> Option<&openpgp_card_applet_usb_socket::Handle> {
    e2e::usb()?;
    f.card.usb.as_ref()
}

fn connect() -> pcsc::Card {
    let context = pcsc::Context::establish(pcsc::Scope::User).expect("PC/SC context");
    let name = CString::new(reader().0).expect("reader name");
    // The card may just have been reset or re-plugged: pcscd sees it again within a few polls.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match context.connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY) {
            Ok(card) => return card,
            Err(e) if Instant::now() < deadline => {
                eprintln!("connect: {e:?}, again");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("connect to {}: {e:?}", reader().0),
        }
    }
}

/// Connects and SELECTs once pcscd has the card back (after a reset or a re-plug, within a
/// few of its polls).
fn select_again() -> pcsc::Card {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let card = connect();
        match transmit(&card, &SELECT) {
            Ok((_, 0x9000)) => return card,
            other if Instant::now() < deadline => {
                eprintln!("SELECT: {other:02X?}, again");
                std::thread::sleep(Duration::from_millis(200));
            }
            other => panic!("SELECT after the card came back: {other:02X?}"),
        }
    }
}

/// Sends `apdu`; returns the response's data and status word.
fn transmit(card: &pcsc::Card, apdu: &[u8]) -> Result<(Vec<u8>, u16), pcsc::Error> {
    let mut buffer = vec![0u8; 66_000];
    let response = card.transmit(apdu, &mut buffer)?;
    let (data, sw) = response.split_at(response.len().saturating_sub(2));
    let sw = match sw {
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    };
    Ok((data.to_vec(), sw))
}

fn sw(card: &pcsc::Card, apdu: &[u8]) -> u16 {
    transmit(card, apdu)
        .unwrap_or_else(|e| panic!("{apdu:02X?}: {e:?}"))
        .1
}

const SELECT: [u8; 11] = [
    0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
];
const VERIFY_PW1: [u8; 11] = [
    0x00, 0x20, 0x00, 0x82, 0x06, b'1', b'2', b'3', b'4', b'5', b'6',
];
const VERIFY_PW1_STATUS: [u8; 4] = [0x00, 0x20, 0x00, 0x82];
const VERIFY_PW3: [u8; 13] = [
    0x00, 0x20, 0x00, 0x83, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
];

/// An extended-length APDU (ISO 7816-4 §5.1): `CLA INS P1 P2 00 [Lc(2) data] [Le(2)]`.
fn extended(header: [u8; 4], data: &[u8], le: Option<u16>) -> Vec<u8> {
    let mut apdu = header.to_vec();
    apdu.push(0);
    if !data.is_empty() {
        apdu.extend_from_slice(&(data.len() as u16).to_be_bytes());
        apdu.extend_from_slice(data);
    }
    if let Some(le) = le {
        apdu.extend_from_slice(&le.to_be_bytes());
    }
    apdu
}

#[test]
fn gnupg_and_pkcs15_tool_read_the_card_through_libccid() {
    let f = Fixture::new();
    let Some(_) = usb(&f) else { return };
    let status = f.gpg.card_status();
    assert_eq!(
        status.line("Reader").split(':').nth(1),
        Some(e2e::USB_READER),
        "{status:?}"
    );
    gnupg::set_key_attributes(&f.gpg, gnupg::Algo::NISTP256);
    gnupg::generate(&f.gpg, "Card Usb");
    let index = reader().1.to_string();
    let dump = f.run("pkcs15-tool", &["--reader", &index, "--dump"]);
    assert!(dump.success, "pkcs15-tool --dump: {}", dump.stderr);
    // OpenSC's emulation of the OpenPGP card: its application and the three keys gpg made.
    assert!(dump.stdout.contains("OpenPGP card"), "{}", dump.stdout);
    assert!(
        dump.stdout.matches("Private EC Key").count() >= 2,
        "{}",
        dump.stdout
    );
}

#[test]
fn extended_apdus_and_answers_of_many_packets_up_to_the_message_limit() {
    // GET CHALLENGE may answer as much as a response can hold: the longest answer.
    let config = Config {
        max_challenge_len: 4096,
        ..Config::default()
    };
    let f = Fixture::with_config(Button::new(Presence::Confirmed), config);
    let Some(_) = usb(&f) else { return };
    let card = connect();
    assert_eq!(sw(&card, &SELECT), 0x9000);
    assert_eq!(sw(&card, &VERIFY_PW3), 0x9000);
    // A 3072-byte certificate: a 3079-byte APDU, a CCID message of 49 packets.
    let certificate: Vec<u8> = (0..3072u32).map(|i| (i * 7 + 1) as u8).collect();
    assert_eq!(
        sw(
            &card,
            &extended([0x00, 0xDA, 0x7F, 0x21], &certificate, None)
        ),
        0x9000
    );
    let (data, status) =
        transmit(&card, &extended([0x00, 0xCA, 0x7F, 0x21], &[], Some(0))).expect("GET DATA");
    assert_eq!((status, data.len()), (0x9000, 3072));
    assert_eq!(data, certificate, "the certificate came back intact");
    // 4096 data bytes (the applet's longest command): a 4106-byte APDU, a message of 4116
    // bytes, 12 short of dwMaxCCIDMessageLength (4128). Too long for a certificate: 6700,
    // which the applet can only answer if the whole message arrived.
    let long: Vec<u8> = vec![0x5A; 4096];
    assert_eq!(
        sw(&card, &extended([0x00, 0xDA, 0x7F, 0x21], &long, None)),
        0x6700
    );
    // Beyond dwMaxCCIDMessageLength: libccid refuses to send it; the card stays usable.
    let too_long: Vec<u8> = vec![0x5A; 4200];
    let refused = transmit(&card, &extended([0x00, 0xDA, 0x7F, 0x21], &too_long, None));
    assert!(
        refused.is_err() || refused.as_ref().is_ok_and(|r| r.1 != 0x9000),
        "{refused:?}"
    );
    let card = connect();
    assert_eq!(sw(&card, &SELECT), 0x9000);
    let (data, status) =
        transmit(&card, &extended([0x00, 0xCA, 0x7F, 0x21], &[], Some(0))).expect("GET DATA");
    assert_eq!((status, data), (0x9000, certificate));
    // The longest answer: 4096 bytes and SW, a message of 4108 bytes (65 packets), 20 short
    // of dwMaxCCIDMessageLength.
    let (challenge, status) =
        transmit(&card, &[0x00, 0x84, 0x00, 0x00, 0x00, 0x10, 0x00]).expect("GET CHALLENGE");
    assert_eq!((status, challenge.len()), (0x9000, 4096));
    assert!(challenge.iter().any(|&b| b != challenge[0]), "random bytes");
    // Answers whose message ends exactly on a packet boundary need a zero-length packet:
    // GET CHALLENGE of every length from 40 to 200 crosses several boundaries.
    for n in 40u16..200 {
        let (data, status) =
            transmit(&card, &[0x00, 0x84, 0x00, 0x00, n as u8]).expect("GET CHALLENGE");
        assert_eq!((status, data.len()), (0x9000, usize::from(n)));
    }
}

#[test]
fn time_extensions_keep_libccid_waiting_through_an_rsa4096_generation() {
    let f = Fixture::new();
    let Some(device) = usb(&f) else { return };
    let card = connect();
    assert_eq!(sw(&card, &SELECT), 0x9000);
    assert_eq!(sw(&card, &VERIFY_PW3), 0x9000);
    // C1: RSA-4096, e of 32 bits, standard format.
    assert_eq!(
        sw(
            &card,
            &[0x00, 0xDA, 0x00, 0xC1, 0x06, 0x01, 0x10, 0x00, 0x00, 0x20, 0x00]
        ),
        0x9000
    );
    let before = device.time_extensions();
    let start = Instant::now();
    let (data, status) = transmit(
        &card,
        &extended([0x00, 0x47, 0x80, 0x00], &[0xB6, 0x00], Some(0)),
    )
    .expect("GENERATE through libccid");
    let took = start.elapsed();
    assert_eq!(status, 0x9000, "GENERATE RSA-4096");
    assert_eq!(data.get(..2), Some(&[0x7F, 0x49][..]));
    // libccid waits 3 s for an answer unless the device asks for more time; every 500 ms of
    // work brings a request.
    let requests = device.time_extensions() - before;
    eprintln!("RSA-4096 generation: {took:?}, {requests} time extension requests");
    assert!(
        requests as u128 >= took.as_millis() / 1000,
        "{requests} time extensions in {took:?}"
    );
}

#[test]
fn time_extensions_keep_libccid_waiting_while_the_user_touches() {
    let f = Fixture::new();
    let Some(device) = usb(&f) else { return };
    let card = connect();
    assert_eq!(sw(&card, &SELECT), 0x9000);
    assert_eq!(sw(&card, &VERIFY_PW3), 0x9000);
    // A P-256 key in SIG, touch required for signing (UIF D6 = 01).
    let p256 = [0x13, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    let mut attributes = vec![0x00, 0xDA, 0x00, 0xC1, p256.len() as u8];
    attributes.extend_from_slice(&p256);
    assert_eq!(sw(&card, &attributes), 0x9000);
    assert_eq!(
        sw(&card, &[0x00, 0x47, 0x80, 0x00, 0x02, 0xB6, 0x00, 0x00]),
        0x9000
    );
    assert_eq!(
        sw(&card, &[0x00, 0xDA, 0x00, 0xD6, 0x02, 0x01, 0x20]),
        0x9000
    );
    assert_eq!(
        sw(
            &card,
            &[0x00, 0x20, 0x00, 0x81, 0x06, b'1', b'2', b'3', b'4', b'5', b'6']
        ),
        0x9000
    );
    // The user takes 2 s to touch: the card asks the host for more time meanwhile.
    f.button.set_delay(Duration::from_secs(2));
    let before = device.time_extensions();
    let mut sign = vec![0x00, 0x2A, 0x9E, 0x9A, 0x20];
    sign.extend_from_slice(&[0x11; 32]);
    sign.push(0x00);
    let (signature, status) = transmit(&card, &sign).expect("PSO:CDS through libccid");
    assert_eq!((status, signature.len()), (0x9000, 64));
    assert_eq!(f.button.requests(), 1);
    assert!(
        device.time_extensions() > before,
        "time extension requests while touching"
    );
}

#[test]
fn power_off_and_on_forget_the_verified_pin() {
    let f = Fixture::new();
    let Some(device) = usb(&f) else { return };
    let card = connect();
    assert_eq!(sw(&card, &SELECT), 0x9000);
    assert_eq!(sw(&card, &VERIFY_PW1), 0x9000);
    assert_eq!(sw(&card, &VERIFY_PW1_STATUS), 0x9000, "verified");
    // Unpowering on disconnect: pcscd sends IccPowerOff through libccid.
    card.disconnect(pcsc::Disposition::UnpowerCard)
        .map_err(|(_, e)| e)
        .expect("disconnect");
    let deadline = Instant::now() + Duration::from_secs(5);
    while device.is_powered() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let card = connect(); // IccPowerOn
    assert!(device.is_powered());
    assert_eq!(sw(&card, &SELECT), 0x9000);
    assert_eq!(
        sw(&card, &VERIFY_PW1_STATUS),
        0x63C3,
        "a power cycle forgets PW1"
    );
    assert!(f.card.log.power_events() >= 3, "{}", f.card.log.text());
}

#[test]
fn a_bus_reset_in_mid_session_is_a_card_reset() {
    let f = Fixture::new();
    let Some(device) = usb(&f) else { return };
    let card = connect();
    assert_eq!(sw(&card, &SELECT), 0x9000);
    assert_eq!(sw(&card, &VERIFY_PW1), 0x9000);
    device.bus_reset();
    // Nothing is sent meanwhile: the reset powers the card off, pcscd's next poll finds it
    // inactive (libccid: removed), the one after present, and pcscd powers it again.
    let deadline = Instant::now() + Duration::from_secs(5);
    while device.is_powered() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        device.wait_powered(Duration::from_secs(10)),
        "pcscd powers the card again"
    );
    // The old handle is told the card was reset or removed; it never hangs.
    match transmit(&card, &VERIFY_PW1_STATUS) {
        Err(pcsc::Error::RemovedCard | pcsc::Error::ResetCard | pcsc::Error::NotTransacted) => {}
        other => panic!("the old handle after a bus reset: {other:02X?}"),
    }
    let card = select_again();
    assert_eq!(
        sw(&card, &VERIFY_PW1_STATUS),
        0x63C3,
        "a bus reset forgets PW1"
    );
    assert_eq!(sw(&card, &VERIFY_PW1), 0x9000);
}

#[test]
fn a_replug_in_mid_session_is_enumerated_again() {
    let f = Fixture::new();
    let Some(device) = usb(&f) else { return };
    let card = connect();
    assert_eq!(sw(&card, &SELECT), 0x9000);
    assert_eq!(sw(&card, &VERIFY_PW3), 0x9000);
    // Something to find again: the card's storage survives, as flash does.
    assert_eq!(
        sw(&card, &[0x00, 0xDA, 0x5F, 0x50, 0x03, b'u', b's', b'b']),
        0x9000
    );
    let connections = device.connections();
    device.replug();
    // Nothing is sent meanwhile: pcscd's own polls find the device gone, enumerate it again,
    // find its card inactive (libccid: removed) and power it (inserted).
    let deadline = Instant::now() + Duration::from_secs(10);
    while device.connections() == connections && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(device.connections(), connections + 1, "enumerated again");
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        device.wait_powered(Duration::from_secs(10)),
        "pcscd powers the card again"
    );
    // The old handle is told the card went away; it never hangs.
    match transmit(&card, &SELECT) {
        Err(pcsc::Error::RemovedCard | pcsc::Error::ResetCard | pcsc::Error::NotTransacted) => {}
        other => panic!("the old handle after a re-plug: {other:02X?}"),
    }
    let card = select_again();
    let (url, status) = transmit(&card, &[0x00, 0xCA, 0x5F, 0x50, 0x00]).expect("GET DATA 5F50");
    assert_eq!((status, url.as_slice()), (0x9000, &b"usb"[..]));
    assert_eq!(
        sw(&card, &VERIFY_PW1_STATUS),
        0x63C3,
        "the re-plug forgot PW1"
    );
}
