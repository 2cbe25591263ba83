//! The fuzz targets' cards: the test kit's [`Card`] on its in-memory backends, and the few
//! things the targets add to its client (a status word checked on every answer, the fuzzers'
//! APDU encoding, set-up commands that must succeed).

use std::cell::RefCell;
use std::rc::Rc;

use openpgp_card_applet::spec::Slot;
use openpgp_card_applet::{Config, Platform, Presence, Status, Storage, Transport};
use openpgp_card_applet_testkit::client::{command as command_apdu, encode};
use openpgp_card_applet_testkit::{
    Card, FailingRng, Failure, ManualClock, ScriptedButton, SourceDead, TestRng,
};
use rand_core::{TryCryptoRng, TryRng};

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
pub(crate) type FuzzCard<S> = Card<S, FuzzRng, ManualClock, ScriptedButton>;

/// The fuzzed cards' random source: a [`TestRng`] of the fuzz crate's own seed while healthy,
/// or, once a session says so ([`FuzzRng::fail`]), the test kit's [`FailingRng`]. Clones share
/// the failure (the card's power cycles keep a hardware fault), not the healthy stream.
#[derive(Clone, Debug)]
pub(crate) struct FuzzRng {
    healthy: TestRng,
    failing: Rc<RefCell<Option<FailingRng>>>,
}

impl FuzzRng {
    /// A healthy source (seed 5EED, so that the corpus runs as it always has).
    pub(crate) fn new() -> FuzzRng {
        FuzzRng {
            healthy: TestRng::seed_from_u64(0x5EED),
            failing: Rc::new(RefCell::new(None)),
        }
    }

    /// From the next byte on, fails as `failure` says (`None`: healthy again).
    pub(crate) fn fail(&self, failure: Option<Failure>) {
        *self.failing.borrow_mut() = failure.map(FailingRng::new);
    }

    /// How many bad bytes the failing source has been asked for (the good bytes a
    /// [`Failure::DiesAfter`] or [`Failure::ErrorsAfter`] gives first not counted); `None`
    /// while healthy.
    pub(crate) fn bad_bytes_drawn(&self) -> Option<u64> {
        let failing = self.failing.borrow();
        let source = failing.as_ref()?;
        let good = match source.failure() {
            Failure::DiesAfter { good, .. } | Failure::ErrorsAfter { good, .. } => *good,
            _ => 0,
        };
        Some(source.drawn().get().saturating_sub(good))
    }

    /// The period of the bad bytes the failing source gives (1 for stuck and dead sources,
    /// the cycle's length; `None` while healthy or for a source that reports errors).
    pub(crate) fn bad_period(&self) -> Option<usize> {
        match self.failing.borrow().as_ref()?.failure() {
            Failure::Stuck(_) | Failure::DiesAfter { .. } => Some(1),
            Failure::Cycle(pattern) => Some(pattern.len().max(1)),
            Failure::ErrorsAfter { .. } => None,
        }
    }
}

impl TryRng for FuzzRng {
    type Error = SourceDead;

    fn try_next_u32(&mut self) -> Result<u32, SourceDead> {
        match self.failing.borrow_mut().as_mut() {
            Some(source) => source.try_next_u32(),
            None => Ok(rand_core::Rng::next_u32(&mut self.healthy)),
        }
    }

    fn try_next_u64(&mut self) -> Result<u64, SourceDead> {
        match self.failing.borrow_mut().as_mut() {
            Some(source) => source.try_next_u64(),
            None => Ok(rand_core::Rng::next_u64(&mut self.healthy)),
        }
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), SourceDead> {
        match self.failing.borrow_mut().as_mut() {
            Some(source) => source.try_fill_bytes(dst),
            None => {
                rand_core::Rng::fill_bytes(&mut self.healthy, dst);
                Ok(())
            }
        }
    }
}

impl TryCryptoRng for FuzzRng {}

/// A card on `storage`, powered on over `transport`, with a healthy [`FuzzRng`].
pub(crate) fn card_on<S: Storage>(storage: S, transport: Transport) -> FuzzCard<S> {
    card_with_rng(storage, transport, FuzzRng::new())
}

/// A card on `storage` and `rng`, powered on over `transport`.
pub(crate) fn card_with_rng<S: Storage>(
    storage: S,
    transport: Transport,
    rng: FuzzRng,
) -> FuzzCard<S> {
    let platform = Platform {
        storage,
        rng,
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
