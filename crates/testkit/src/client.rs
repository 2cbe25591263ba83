//! The one test client: sends commands to an [`Applet`] in process, as a host would over a
//! reader, and collects answers (GET RESPONSE included).
//!
//! Every command is encoded by the applet's own [`CommandApdu::emit`], so the client and the
//! parser cannot drift apart; short form is used whenever the data and Le fit, extended
//! otherwise, as GnuPG does.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::{Ref, RefMut};
use openpgp_card_applet::apdu::CommandApdu;
use openpgp_card_applet::{
    Applet, Clock, Config, Platform, Presence, Storage, Transport, UserPresence,
};
use rand_core::TryCryptoRng;

use crate::backends::{ManualClock, MemoryStorage, ScriptedButton, Shared, TestRng};

/// The seed of [`Card::new`]'s generator: every test card generates the same keys.
pub const SEED: u64 = 42;

/// A card on the in-memory backends (the default type parameters) or on any platform.
///
/// The applet runs on [`Shared`] handles of the storage, clock and user-presence device; the
/// card keeps the other handles, so that a test reaches the platform's state through
/// [`storage`](Card::storage), [`storage_mut`](Card::storage_mut), [`clock`](Card::clock) and
/// [`user_presence`](Card::user_presence), as a test bench reaches a device's flash, timer and
/// button, and never through the applet.
pub struct Card<S = MemoryStorage, R = TestRng, C = ManualClock, U = ScriptedButton> {
    /// The applet under test.
    pub applet: Applet<Shared<S>, R, Shared<C>, Shared<U>>,
    /// The configuration it was built with.
    pub config: Config,
    /// The transport it is powered on with.
    pub transport: Transport,
    storage: Shared<S>,
    clock: Shared<C>,
    user_presence: Shared<U>,
    /// The generator, clock and button as the card was built, for [`Card::power_cycle`].
    built: (R, C, U),
}

/// One answer: the response data and the status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rsp {
    /// Response data (without the status word).
    pub data: Vec<u8>,
    /// SW1-SW2.
    pub sw: u16,
}

/// The platform of a test card: `storage`, [`TestRng`] seeded with [`SEED`], a
/// [`ManualClock`] at zero and a button that always confirms.
pub fn test_platform<S>(storage: S) -> Platform<S, TestRng, ManualClock, ScriptedButton> {
    Platform {
        storage,
        rng: TestRng::seed_from_u64(SEED),
        clock: ManualClock::new(),
        user_presence: ScriptedButton::always(Presence::Confirmed),
    }
}

impl Card {
    /// A factory-fresh card with the default configuration, powered on over contact.
    pub fn new() -> Card {
        Card::with_config(Config::default())
    }

    /// A factory-fresh card with `config`.
    pub fn with_config(config: Config) -> Card {
        Card::from_storage(config, MemoryStorage::new())
    }
}

impl Default for Card {
    fn default() -> Card {
        Card::new()
    }
}

impl<S: Storage> Card<S> {
    /// A card on `storage` and the other test backends, powered on over contact.
    pub fn from_storage(config: Config, storage: S) -> Card<S> {
        Card::from_platform(config, test_platform(storage), Transport::Contact)
    }
}

impl<S, R, C, U> Card<S, R, C, U> {
    /// The storage, to look at (records, write counts, a pending power cut).
    pub fn storage(&self) -> Ref<'_, S> {
        self.storage.borrow()
    }

    /// The storage, to act on: damage a record, cut the power at a write.
    pub fn storage_mut(&mut self) -> RefMut<'_, S> {
        self.storage.borrow_mut()
    }

    /// The clock, to move it.
    pub fn clock(&mut self) -> RefMut<'_, C> {
        self.clock.borrow_mut()
    }

    /// The user-presence device, to script its answers or read what it was asked.
    pub fn user_presence(&mut self) -> RefMut<'_, U> {
        self.user_presence.borrow_mut()
    }

    /// The storage, the applet gone: what a power cut leaves, to build another card on.
    pub fn into_storage(self) -> S {
        let Card {
            applet, storage, ..
        } = self;
        drop(applet);
        match storage.try_into_inner() {
            Ok(storage) => storage,
            Err(_) => unreachable!("the card and its applet hold the only handles"),
        }
    }
}

impl<S, R, C, U> Card<S, R, C, U>
where
    S: Storage,
    R: TryCryptoRng + Clone,
    C: Clock + Clone,
    U: UserPresence + Clone,
{
    /// A card on `platform`, powered on over `transport`.
    pub fn from_platform(
        config: Config,
        platform: Platform<S, R, C, U>,
        transport: Transport,
    ) -> Card<S, R, C, U> {
        let Platform {
            storage,
            rng,
            clock,
            user_presence,
        } = platform;
        let built = (rng.clone(), clock.clone(), user_presence.clone());
        let (storage, clock, user_presence) = (
            Shared::new(storage),
            Shared::new(clock),
            Shared::new(user_presence),
        );
        let applet = Card::applet_on(&config, &storage, rng, &clock, &user_presence, transport);
        Card {
            applet,
            config,
            transport,
            storage,
            clock,
            user_presence,
            built,
        }
    }

    /// A power cycle: the applet is rebuilt on the same storage, so nothing held in RAM
    /// survives, and powered on over the card's transport. The generator, the clock and the
    /// button start again as the card was built: a [`TestRng`] from its seed ([`SEED`] for
    /// [`Card::new`]), so every power cycle replays the same random stream; the clock at its
    /// first reading; the button with its first script and no requests.
    pub fn power_cycle(&mut self) {
        let (rng, clock, user_presence) = self.built.clone();
        self.clock = Shared::new(clock);
        self.user_presence = Shared::new(user_presence);
        self.applet = Card::applet_on(
            &self.config,
            &self.storage,
            rng,
            &self.clock,
            &self.user_presence,
            self.transport,
        );
    }

    fn applet_on(
        config: &Config,
        storage: &Shared<S>,
        rng: R,
        clock: &Shared<C>,
        user_presence: &Shared<U>,
        transport: Transport,
    ) -> Applet<Shared<S>, R, Shared<C>, Shared<U>> {
        let platform = Platform {
            storage: storage.clone(),
            rng,
            clock: clock.clone(),
            user_presence: user_presence.clone(),
        };
        let mut applet = Applet::new(config.clone(), platform);
        applet.power_on(transport);
        applet
    }
}

impl<S, R, C, U> Card<S, R, C, U>
where
    S: Storage,
    R: TryCryptoRng,
    C: Clock,
    U: UserPresence,
{
    /// Sends raw APDU bytes; returns the whole response of this one exchange.
    ///
    /// # Panics
    /// If the applet answers fewer than two bytes (it must always give a status word).
    pub fn raw(&mut self, apdu: &[u8]) -> Rsp {
        let mut out = vec![0u8; 70_000];
        let n = self.applet.process(apdu, &mut out);
        assert!((2..=out.len()).contains(&n), "no status word ({n} bytes)");
        out.truncate(n);
        let sw = u16::from_be_bytes([out[n - 2], out[n - 1]]);
        out.truncate(n - 2);
        Rsp { data: out, sw }
    }

    /// Sends an APDU given in hex (spaces allowed).
    pub fn send(&mut self, apdu_hex: &str) -> Rsp {
        self.raw(&hex(apdu_hex))
    }

    /// Sends `apdu`, encoded with [`CommandApdu::emit`].
    ///
    /// # Panics
    /// If the fields cannot be encoded (see [`CommandApdu::is_encodable`]).
    pub fn apdu(&mut self, apdu: &CommandApdu<'_>) -> Rsp {
        let bytes = encode(apdu).expect("encodable command APDU");
        self.raw(&bytes)
    }

    /// Sends a command with a data field and no Le (short, or extended when the data needs
    /// it).
    pub fn cmd(&mut self, cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Rsp {
        self.apdu(&command(cla, ins, p1, p2, data, None))
    }

    /// Sends a command with Le = maximum and fetches the whole answer with GET RESPONSE.
    pub fn cmd_all(&mut self, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Rsp {
        let extended = data.len() > 255;
        let le = if extended { 65536 } else { 256 };
        let first = self.apdu(&command(0x00, ins, p1, p2, data, Some(le)));
        self.collect(first)
    }

    /// Appends what GET RESPONSE still has to `first` (as long as the card answers 61xx).
    pub fn collect(&mut self, first: Rsp) -> Rsp {
        let mut rsp = first;
        let mut data = core::mem::take(&mut rsp.data);
        while rsp.sw >> 8 == 0x61 {
            rsp = self.send("00C0000000");
            data.extend_from_slice(&rsp.data);
        }
        Rsp { data, sw: rsp.sw }
    }

    /// SELECT the OpenPGP application by its 6-byte RID+PIX prefix.
    pub fn select(&mut self) -> Rsp {
        self.send("00A4040006D27600012401")
    }

    /// GET DATA `tag`, whole answer.
    pub fn get_data(&mut self, tag: u16) -> Rsp {
        let [p1, p2] = tag.to_be_bytes();
        self.cmd_all(0xCA, p1, p2, &[])
    }

    /// PUT DATA `tag` (INS DA).
    pub fn put_data(&mut self, tag: u16, data: &[u8]) -> Rsp {
        let [p1, p2] = tag.to_be_bytes();
        self.cmd(0x00, 0xDA, p1, p2, data)
    }

    /// VERIFY with reference `p2` (81, 82, 83).
    pub fn verify(&mut self, p2: u8, pin: &[u8]) -> Rsp {
        self.cmd(0x00, 0x20, 0x00, p2, pin)
    }

    /// VERIFY PW3 with the factory Admin PIN.
    ///
    /// # Panics
    /// If the card does not answer 9000.
    pub fn verify_admin(&mut self) {
        assert_sw(&self.verify(0x83, b"12345678"), 0x9000);
    }

    /// GENERATE ASYMMETRIC KEY PAIR (47 80) in the slot of `crt` (B6, B8, A4); the public key
    /// template 7F49.
    pub fn generate(&mut self, crt: u8) -> Rsp {
        self.cmd_all(0x47, 0x80, 0x00, &[crt, 0x00])
    }

    /// The retry counters of C4: PW1, Resetting Code, PW3.
    ///
    /// # Panics
    /// If C4 cannot be read.
    pub fn tries(&mut self) -> [u8; 3] {
        let c4 = self.get_data(0xC4);
        assert_sw(&c4, 0x9000);
        [c4.data[4], c4.data[5], c4.data[6]]
    }
}

/// A command APDU with `data` and `le`, extended only when one of them needs it.
pub fn command<'a>(
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &'a [u8],
    le: Option<u32>,
) -> CommandApdu<'a> {
    let extended = data.len() > 255 || le.is_some_and(|le| le > 256);
    CommandApdu {
        cla,
        ins,
        p1,
        p2,
        data,
        le,
        extended,
    }
}

/// The bytes of `apdu` ([`CommandApdu::emit`]); `None` if its fields cannot be encoded.
pub fn encode(apdu: &CommandApdu<'_>) -> Option<Vec<u8>> {
    let mut bytes = vec![0u8; apdu.buffer_len()];
    let n = apdu.emit(&mut bytes)?;
    bytes.truncate(n);
    Some(bytes)
}

/// Bytes from hex text; whitespace is ignored.
///
/// # Panics
/// On an odd number of digits or a character that is not a hex digit.
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex: {text}");
    digits
        .chunks(2)
        .map(|pair| {
            let pair = core::str::from_utf8(pair).expect("hex is ASCII");
            u8::from_str_radix(pair, 16).expect("hex digit")
        })
        .collect()
}

/// Upper-case hex of `bytes`, no separators.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Asserts a status word with a readable message.
#[track_caller]
pub fn assert_sw(rsp: &Rsp, sw: u16) {
    assert_eq!(
        rsp.sw,
        sw,
        "expected {sw:04X}, got {:04X} (data {})",
        rsp.sw,
        to_hex(&rsp.data)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_use_the_short_form_when_they_fit() {
        let mut out = [0u8; 300];
        let n = command(0, 0xCA, 0x00, 0x6E, &[], Some(256))
            .emit(&mut out)
            .unwrap();
        assert_eq!(&out[..n], &hex("00CA006E00"));
        let data = [7u8; 256];
        let n = command(0, 0xDA, 0x01, 0x01, &data, None)
            .emit(&mut out)
            .unwrap();
        assert_eq!(&out[..7], &hex("00DA0101000100"));
        assert_eq!(n, 7 + 256);
    }

    #[test]
    fn a_fresh_card_selects_and_verifies() {
        let mut card = Card::new();
        assert_sw(&card.select(), 0x9000);
        assert_eq!(card.tries(), [3, 0, 3]);
        assert_sw(&card.verify(0x81, b"123456"), 0x9000);
        card.power_cycle();
        // The verification did not survive the power cycle.
        assert_sw(&card.send("00200081"), 0x63C3);
    }
}
