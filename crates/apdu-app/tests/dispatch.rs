//! The adapter behind the real `apdu-dispatch` 0.4 dispatcher, run on the host with its
//! `interchange` channels exactly as a Nitrokey 3 style firmware wires it: SELECT routing
//! between the applet and a second application, chaining and GET RESPONSE done by the
//! dispatcher, the contactless interface, and the same answers as through `Applet::process`.

use apdu_app::{App, CommandView, Interface, VecView};
use apdu_dispatch::dispatch::ApduDispatch;
use apdu_dispatch::interchanges::{Channel, Data, Requester};
use iso7816::{Aid, Status};
use openpgp_card_applet::{Applet, Config, Platform, Presence};
use openpgp_card_applet_apdu_app::OpenPgpApp;
use openpgp_card_applet_testkit::backends::{
    ManualClock, MemoryStorage, ScriptedButton, Shared, TestRng,
};
use openpgp_card_applet_testkit::representative;
use openpgp_card_applet_testkit::{assert_sw, hex, test_platform, to_hex, Card, Rsp};

type TestApp = OpenPgpApp<MemoryStorage, TestRng, ManualClock, Shared<ScriptedButton>>;

/// The applet behind the adapter, and a handle on its button.
fn openpgp_with_button() -> (TestApp, Shared<ScriptedButton>) {
    let platform = test_platform(MemoryStorage::new());
    let button = Shared::new(platform.user_presence);
    let platform = Platform {
        storage: platform.storage,
        rng: platform.rng,
        clock: platform.clock,
        user_presence: button.clone(),
    };
    (
        OpenPgpApp::new(Applet::new(Config::default(), platform)),
        button,
    )
}

fn openpgp() -> TestApp {
    openpgp_with_button().0
}

/// A second application: answers INS 10 with its data, everything else 6D00, and counts its
/// deselections.
#[derive(Default)]
struct Echo {
    deselected: usize,
}

const ECHO_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];

impl iso7816::App for Echo {
    fn aid(&self) -> Aid {
        Aid::new(&ECHO_AID)
    }
}

impl App for Echo {
    fn select(
        &mut self,
        _: Interface,
        _: CommandView<'_>,
        _: &mut VecView<u8>,
    ) -> apdu_app::Result {
        Ok(())
    }
    fn deselect(&mut self) {
        self.deselected += 1;
    }
    fn call(
        &mut self,
        _: Interface,
        apdu: CommandView<'_>,
        reply: &mut VecView<u8>,
    ) -> apdu_app::Result {
        match u8::from(apdu.instruction()) {
            0x10 => reply
                .extend_from_slice(apdu.data())
                .map_err(|_| Status::WrongLength),
            _ => Err(Status::InstructionNotSupportedOrInvalid),
        }
    }
}

/// The reader side: the CCID (contact) and NFC (contactless) ends of the dispatcher's
/// channels.
struct Reader<'p> {
    contact: Requester<'p>,
    contactless: Requester<'p>,
    dispatch: ApduDispatch<'p>,
}

impl<'p> Reader<'p> {
    fn new(contact: &'p Channel, contactless: &'p Channel) -> Reader<'p> {
        let (contact, contact_responder) = contact.split().expect("contact channel");
        let (contactless, contactless_responder) = contactless.split().expect("NFC channel");
        Reader {
            contact,
            contactless,
            dispatch: ApduDispatch::new(contact_responder, contactless_responder),
        }
    }

    /// One APDU on `interface`; one answer, as the reader would see it.
    fn transmit(&mut self, interface: Interface, apdu: &[u8], apps: &mut [&mut dyn App]) -> Rsp {
        let requester = match interface {
            Interface::Contact => &mut self.contact,
            Interface::Contactless => &mut self.contactless,
        };
        requester
            .request(Data::from_slice(apdu).expect("an APDU fits the interchange"))
            .expect("channel idle");
        self.dispatch.poll(apps);
        let requester = match interface {
            Interface::Contact => &mut self.contact,
            Interface::Contactless => &mut self.contactless,
        };
        let mut response = requester
            .take_response()
            .expect("the dispatcher answered")
            .to_vec();
        assert!(response.len() >= 2, "a status word");
        let sw = response.split_off(response.len() - 2);
        Rsp {
            data: response,
            sw: u16::from_be_bytes([sw[0], sw[1]]),
        }
    }

    /// One APDU, and GET RESPONSE as long as the answer says 61xx.
    fn exchange(&mut self, interface: Interface, apdu: &[u8], apps: &mut [&mut dyn App]) -> Rsp {
        let mut rsp = self.transmit(interface, apdu, apps);
        let mut data = std::mem::take(&mut rsp.data);
        while rsp.sw >> 8 == 0x61 {
            rsp = self.transmit(interface, &hex("00C0000000"), apps);
            data.extend_from_slice(&rsp.data);
        }
        Rsp { data, sw: rsp.sw }
    }
}

#[test]
fn the_representative_session_answers_as_through_process() {
    let steps = representative::session();
    let (contact, contactless) = (Channel::new(), Channel::new());
    let mut reader = Reader::new(&contact, &contactless);
    let (mut app, mut echo) = (openpgp(), Echo::default());
    let through_dispatcher: Vec<Rsp> = steps
        .iter()
        .map(|step| reader.exchange(Interface::Contact, &step.apdu, &mut [&mut echo, &mut app]))
        .collect();
    representative::check(&steps, &through_dispatcher);
    let (public, message, signature) =
        representative::ed25519_signature(&steps, &through_dispatcher).expect("signed");
    let key = ed25519_dalek::VerifyingKey::from_bytes(public.try_into().expect("32 bytes"))
        .expect("public key");
    key.verify_strict(
        message,
        &ed25519_dalek::Signature::from_slice(signature).expect("64"),
    )
    .expect("the signature verifies");
    let direct = representative::through_process(&steps);
    for ((step, a), b) in steps.iter().zip(&direct).zip(&through_dispatcher) {
        assert_eq!(a, b, "{}", step.name);
    }
    assert_eq!(echo.deselected, 0, "the echo app was never selected");
}

const SELECT_OPENPGP: &str = "00A4040006D27600012401";

/// Contact APDU `apdu` (hex), whole answer.
fn run(reader: &mut Reader<'_>, apps: &mut [&mut dyn App], apdu: &str) -> Rsp {
    reader.exchange(Interface::Contact, &hex(apdu), apps)
}

#[test]
fn selecting_another_application_forgets_the_pin_and_reselecting_keeps_it() {
    let (contact, contactless) = (Channel::new(), Channel::new());
    let mut reader = Reader::new(&contact, &contactless);
    let (mut app, mut echo) = (openpgp(), Echo::default());
    let r = &mut reader;
    assert_sw(&run(r, &mut [&mut echo, &mut app], SELECT_OPENPGP), 0x9000);
    assert_sw(
        &run(r, &mut [&mut echo, &mut app], "0020008206313233343536"),
        0x9000,
    );
    assert_sw(&run(r, &mut [&mut echo, &mut app], "0020008200"), 0x9000);
    // A SELECT of the applet itself, spelled as before, is no deselection.
    assert_sw(&run(r, &mut [&mut echo, &mut app], SELECT_OPENPGP), 0x9000);
    assert_sw(&run(r, &mut [&mut echo, &mut app], "0020008200"), 0x9000);
    // Spelled differently (the full AID), apdu-dispatch 0.4 deselects the application it had
    // selected under the old spelling: itself. The PIN is reset, stricter than spec §4.3 and
    // never weaker. This pins the dispatcher's behaviour the crate documentation describes.
    let full = format!("00A4040010{}", to_hex(&app.applet().aid()));
    assert_sw(&run(r, &mut [&mut echo, &mut app], &full), 0x9000);
    assert_sw(&run(r, &mut [&mut echo, &mut app], "0020008200"), 0x63C3);
    assert_sw(
        &run(r, &mut [&mut echo, &mut app], "0020008206313233343536"),
        0x9000,
    );
    // The other application: its commands reach it, not the applet.
    assert_sw(
        &run(r, &mut [&mut echo, &mut app], "00A4040007A0000005272101"),
        0x9000,
    );
    let echoed = run(r, &mut [&mut echo, &mut app], "0010000003616263");
    assert_sw(&echoed, 0x9000);
    assert_eq!(echoed.data, b"abc");
    assert_sw(&run(r, &mut [&mut echo, &mut app], "00CA006E00"), 0x6D00);
    // Back to the applet: the PIN has to be verified again (spec §4.3).
    assert_sw(&run(r, &mut [&mut echo, &mut app], SELECT_OPENPGP), 0x9000);
    assert_sw(&run(r, &mut [&mut echo, &mut app], "0020008200"), 0x63C3);
    assert_sw(&run(r, &mut [&mut echo, &mut app], "002A9E9A0100"), 0x6982);
    // A prefix shorter than RID + application selects nothing.
    assert_sw(
        &run(r, &mut [&mut echo, &mut app], "00A4040005D276000124"),
        0x6A82,
    );
    assert_eq!(echo.deselected, 1);
}

#[test]
fn the_dispatcher_joins_chains_and_serves_long_answers() {
    let (contact, contactless) = (Channel::new(), Channel::new());
    let mut reader = Reader::new(&contact, &contactless);
    let mut app = openpgp();
    let r = &mut reader;
    let certificate: Vec<u8> = (0..1500u32).map(|i| (i * 7 + 3) as u8).collect();
    assert_sw(&run(r, &mut [&mut app], SELECT_OPENPGP), 0x9000);
    assert_sw(
        &run(r, &mut [&mut app], "00200083083132333435363738"),
        0x9000,
    );
    // PUT DATA 7F21 in short blocks with CLA 10 (ISO 7816-4 §5.1.1.1).
    let blocks: Vec<&[u8]> = certificate.chunks(255).collect();
    for (i, block) in blocks.iter().enumerate() {
        let cla = if i + 1 < blocks.len() { 0x10 } else { 0x00 };
        let mut apdu = vec![cla, 0xDA, 0x7F, 0x21, block.len() as u8];
        apdu.extend_from_slice(block);
        assert_sw(
            &r.transmit(Interface::Contact, &apdu, &mut [&mut app]),
            0x9000,
        );
    }
    // GET DATA with a short Le: 256 bytes at a time, 61xx, GET RESPONSE.
    let first = r.transmit(Interface::Contact, &hex("00CA7F2100"), &mut [&mut app]);
    assert_eq!(first.sw, 0x6100, "more than 255 bytes left");
    assert_eq!(first.data.len(), 256);
    let rest = run(r, &mut [&mut app], "00C0000000");
    assert_sw(&rest, 0x9000);
    assert_eq!([first.data, rest.data].concat(), certificate);
    // The same certificate through the applet's own layer.
    let mut card = Card::new();
    card.select();
    card.verify_admin();
    assert_sw(&card.put_data(0x7F21, &certificate), 0x9000);
    assert_eq!(card.get_data(0x7F21).data, certificate);
}

/// UIF on for SIG, a button that always refuses: over contact PSO:CDS asks and is refused;
/// over NFC the card is held to the reader and no touch is asked (the applet's Transport).
#[test]
fn contactless_never_asks_for_touch() {
    let (mut app, button) = openpgp_with_button();
    button.borrow_mut().set_default(Presence::Denied);
    let sign = "002A9E9A20000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F00";
    let (contact, contactless) = (Channel::new(), Channel::new());
    let mut reader = Reader::new(&contact, &contactless);
    let r = &mut reader;
    for (apdu, sw) in [
        (SELECT_OPENPGP, 0x9000),
        ("00200083083132333435363738", 0x9000),
        ("00DA00C10A162B06010401DA470F01", 0x9000),
        ("00DA00D6020120", 0x9000),
        ("0047800002B60000", 0x9000),
        ("0020008106313233343536", 0x9000),
        (sign, 0x6600),
    ] {
        assert_sw(&run(r, &mut [&mut app], apdu), sw);
    }
    assert_eq!(button.borrow().requests().len(), 1);

    // The phone: a new field, a new dispatcher session, the contactless interface.
    let (contact, contactless) = (Channel::new(), Channel::new());
    let mut reader = Reader::new(&contact, &contactless);
    let nfc = |reader: &mut Reader<'_>, app: &mut TestApp, apdu: &str| {
        reader.exchange(Interface::Contactless, &hex(apdu), &mut [app])
    };
    assert_sw(&nfc(&mut reader, &mut app, SELECT_OPENPGP), 0x9000);
    // The PIN verified over USB is not verified over NFC.
    assert_sw(&nfc(&mut reader, &mut app, sign), 0x6982);
    assert_sw(
        &nfc(&mut reader, &mut app, "0020008106313233343536"),
        0x9000,
    );
    let signature = nfc(&mut reader, &mut app, sign);
    assert_sw(&signature, 0x9000);
    assert_eq!(signature.data.len(), 64);
    assert_eq!(
        button.borrow().requests().len(),
        1,
        "no touch was asked over NFC"
    );
}

#[test]
fn power_on_forgets_what_was_verified() {
    let (contact, contactless) = (Channel::new(), Channel::new());
    let mut reader = Reader::new(&contact, &contactless);
    let mut app = openpgp();
    let c = Interface::Contact;
    assert_sw(
        &reader.exchange(c, &hex(SELECT_OPENPGP), &mut [&mut app]),
        0x9000,
    );
    assert_sw(
        &reader.exchange(c, &hex("0020008206313233343536"), &mut [&mut app]),
        0x9000,
    );
    assert_sw(
        &reader.exchange(c, &hex("0020008200"), &mut [&mut app]),
        0x9000,
    );
    app.power_on(Interface::Contact);
    assert_sw(
        &reader.exchange(c, &hex("0020008200"), &mut [&mut app]),
        0x63C3,
    );
}

#[test]
fn an_answer_larger_than_the_reply_buffer_is_refused_not_cut() {
    let mut app = openpgp();
    let select = hex(SELECT_OPENPGP);
    let mut small: heapless::Vec<u8, 16> = heapless::Vec::new();
    let view = CommandView::try_from(&select[..]).expect("SELECT");
    assert_eq!(app.select(Interface::Contact, view, &mut small), Ok(()));
    let get = hex("00CA006E00");
    let view = CommandView::try_from(&get[..]).expect("GET DATA");
    assert_eq!(
        app.call(Interface::Contact, view, &mut small),
        Err(Status::WrongLength)
    );
    assert!(small.is_empty(), "nothing half-written");
    let c4 = hex("00CA00C400");
    let view = CommandView::try_from(&c4[..]).expect("GET DATA");
    assert_eq!(app.call(Interface::Contact, view, &mut small), Ok(()));
    assert_eq!(small.len(), 7);
}
