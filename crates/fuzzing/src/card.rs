//! The fuzz targets' cards: the test kit's [`Card`] on its in-memory backends, and the few
//! things the targets add to its client (a status word checked on every answer, the fuzzers'
//! APDU encoding, set-up commands that must succeed).

use openpgp_card_applet::spec::Slot;
use openpgp_card_applet::{Config, Platform, Presence, Status, Storage, Transport};
use openpgp_card_applet_testkit::client::{command as command_apdu, encode};
use openpgp_card_applet_testkit::{Card, ManualClock, ScriptedButton, TestRng};

/// The card's default user PIN (PW1).
pub const PW1: &[u8] = b"123456";
/// The card's default admin PIN (PW3).
pub const PW3: &[u8] = b"12345678";
/// The Resetting Code the personalised session card is given.
pub const RESETTING_CODE: &[u8] = b"resetcode1";

/// The control reference templates of the three slots (SIG, DEC, AUT).
pub const CRT: [u8; 3] = [
    Slot::Sig.crt_tag(),
    Slot::Dec.crt_tag(),
    Slot::Aut.crt_tag(),
];

/// A fuzzed card: the test kit's [`Card`] on `S` and its in-memory backends.
pub(crate) type FuzzCard<S> = Card<S, TestRng, ManualClock, ScriptedButton>;

/// A card on `storage`, powered on over `transport`. Its generator has a seed of its own
/// (not the test kit's), so that the corpus runs as it always has.
pub(crate) fn card_on<S: Storage>(storage: S, transport: Transport) -> FuzzCard<S> {
    let platform = Platform {
        storage,
        rng: TestRng::seed_from_u64(0x5EED),
        clock: ManualClock::new(),
        user_presence: ScriptedButton::always(Presence::Confirmed),
    };
    Card::from_platform(Config::default(), platform, transport)
}

/// Panics unless `response` ends with a status word the applet may send.
pub(crate) fn assert_status(response: &[u8]) -> u16 {
    let [.., sw1, sw2] = *response else {
        panic!("response without a status word: {response:02X?}");
    };
    assert_sw_known(u16::from_be_bytes([sw1, sw2]), response)
}

/// Panics unless `sw` is a status word the applet may send.
fn assert_sw_known(sw: u16, context: &[u8]) -> u16 {
    assert!(
        Status::from_u16(sw).is_some(),
        "unknown status word {sw:04X} in {context:02X?}"
    );
    sw
}

/// Builds an APDU with the test kit's encoder: short when it fits, extended otherwise.
pub fn build_apdu(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], le: Option<u32>) -> Vec<u8> {
    build_apdu_form(cla, ins, p1, p2, data, le, false)
}

/// [`build_apdu`], extended also when short fields would do if `extended`; at most 65535
/// bytes of data are sent.
pub(crate) fn build_apdu_form(
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &[u8],
    le: Option<u32>,
    extended: bool,
) -> Vec<u8> {
    let data = data.get(..data.len().min(65535)).unwrap_or(&[]);
    let mut apdu = command_apdu(cla, ins, p1, p2, data, le);
    apdu.extended |= extended;
    // Extended without data or Le cannot be said: four zero bytes, as the corpus has it.
    encode(&apdu).unwrap_or_else(|| vec![0; 4])
}

/// One exchange through the test client; its status word is one the applet may send.
pub(crate) fn send<S: Storage>(
    card: &mut FuzzCard<S>,
    apdu: &[u8],
) -> openpgp_card_applet_testkit::Rsp {
    let rsp = card.raw(apdu);
    assert_sw_known(rsp.sw, &rsp.data);
    rsp
}

/// Sends a command (Le 256) and fetches the whole answer with GET RESPONSE; data and status
/// word.
pub(crate) fn command<S: Storage>(
    card: &mut FuzzCard<S>,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &[u8],
) -> (Vec<u8>, u16) {
    let first = send(card, &build_apdu(0, ins, p1, p2, data, Some(256)));
    let rsp = card.collect(first);
    (rsp.data, assert_sw_known(rsp.sw, &[]))
}

/// A set-up command; must answer 9000.
#[track_caller]
pub(crate) fn expect_ok<S: Storage>(card: &mut FuzzCard<S>, ins: u8, p1: u8, p2: u8, data: &[u8]) {
    let (_, sw) = command(card, ins, p1, p2, data);
    assert_eq!(sw, 0x9000, "set-up command {ins:02X} {p1:02X} {p2:02X}");
}

/// PUT DATA `tag` during set-up; must answer 9000.
pub(crate) fn expect_put<S: Storage>(card: &mut FuzzCard<S>, tag: u16, data: &[u8]) {
    let [p1, p2] = tag.to_be_bytes();
    expect_ok(card, 0xDA, p1, p2, data);
}
