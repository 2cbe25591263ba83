//! A card on the in-memory backends, driven through the public API only.
#![allow(dead_code)]

use openpgp_card_applet::backends::{ManualClock, MemoryStorage, ScriptedButton, TestRng};
use openpgp_card_applet::{Applet, Config, Platform, Presence, Transport};

pub type TestApplet = Applet<MemoryStorage, TestRng, ManualClock, ScriptedButton>;

/// A test card: the applet plus helpers to send hex APDUs.
pub struct Card {
    pub applet: TestApplet,
    pub config: Config,
}

/// A response: data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rsp {
    pub data: Vec<u8>,
    pub sw: u16,
}

pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(s.len().is_multiple_of(2), "odd hex: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

impl Card {
    pub fn new() -> Card {
        Card::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Card {
        Card::from_storage(config, MemoryStorage::new())
    }

    pub fn from_storage(config: Config, storage: MemoryStorage) -> Card {
        let platform = Platform {
            storage,
            rng: TestRng::seed_from_u64(42),
            clock: ManualClock::new(),
            user_presence: ScriptedButton::always(Presence::Confirmed),
        };
        let mut applet = Applet::new(config.clone(), platform);
        applet.power_on(Transport::Contact);
        Card { applet, config }
    }

    /// Sends raw APDU bytes; returns the full response.
    pub fn raw(&mut self, apdu: &[u8]) -> Rsp {
        let mut out = vec![0u8; 70_000];
        let n = self.applet.process(apdu, &mut out);
        assert!(n >= 2, "no status word");
        Rsp {
            data: out[..n - 2].to_vec(),
            sw: u16::from_be_bytes([out[n - 2], out[n - 1]]),
        }
    }

    /// Sends an APDU given in hex.
    pub fn send(&mut self, apdu_hex: &str) -> Rsp {
        self.raw(&hex(apdu_hex))
    }

    /// Sends a command with a data field (short or extended as needed, Le absent).
    pub fn cmd(&mut self, cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Rsp {
        let mut apdu = vec![cla, ins, p1, p2];
        if data.len() > 255 {
            apdu.push(0);
            apdu.extend_from_slice(&(data.len() as u16).to_be_bytes());
            apdu.extend_from_slice(data);
        } else if !data.is_empty() {
            apdu.push(data.len() as u8);
            apdu.extend_from_slice(data);
        }
        self.raw(&apdu)
    }

    /// Sends a command (short, or extended when the data needs it) and fetches the whole
    /// answer with GET RESPONSE.
    pub fn cmd_all(&mut self, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Rsp {
        let mut apdu = vec![0, ins, p1, p2];
        if data.len() > 255 {
            apdu.push(0);
            apdu.extend_from_slice(&(data.len() as u16).to_be_bytes());
            apdu.extend_from_slice(data);
            apdu.extend_from_slice(&[0, 0]);
        } else {
            if !data.is_empty() {
                apdu.push(data.len() as u8);
                apdu.extend_from_slice(data);
            }
            apdu.push(0);
        }
        let mut rsp = self.raw(&apdu);
        let mut data = std::mem::take(&mut rsp.data);
        while rsp.sw >> 8 == 0x61 {
            rsp = self.send("00C0000000");
            data.extend_from_slice(&rsp.data);
        }
        Rsp { data, sw: rsp.sw }
    }

    pub fn select(&mut self) -> Rsp {
        self.send("00A4040006D27600012401")
    }

    pub fn get_data(&mut self, tag: u16) -> Rsp {
        let [p1, p2] = tag.to_be_bytes();
        self.cmd_all(0xCA, p1, p2, &[])
    }

    pub fn put_data(&mut self, tag: u16, data: &[u8]) -> Rsp {
        let [p1, p2] = tag.to_be_bytes();
        self.cmd(0x00, 0xDA, p1, p2, data)
    }

    pub fn verify(&mut self, p2: u8, pin: &[u8]) -> Rsp {
        self.cmd(0x00, 0x20, 0x00, p2, pin)
    }

    pub fn verify_admin(&mut self) {
        assert_eq!(self.verify(0x83, b"12345678").sw, 0x9000);
    }

    /// A power cycle: the applet is rebuilt from a copy of its storage.
    pub fn power_cycle(&mut self) {
        let storage = self.applet.storage().clone();
        *self = Card::from_storage(self.config.clone(), storage);
    }

    /// A fresh card with RSA-2048 keys generated in DEC and AUT (the only keys that can do each
    /// other's job after MANAGE SECURITY ENVIRONMENT), PW3 verified.
    pub fn with_rsa_dec_and_aut() -> Card {
        let mut card = Card::new();
        card.select();
        card.verify_admin();
        for crt in [0xB8, 0xA4] {
            let rsp = card.cmd_all(0x47, 0x80, 0x00, &[crt, 0x00]);
            assert_eq!(rsp.sw, 0x9000, "generate {crt:02X}");
        }
        card
    }

    /// The RSA public key of a slot (CRT B6, B8 or A4), read with 47 81.
    pub fn rsa_public_key(&mut self, crt: u8) -> rsa::PublicKey {
        let rsp = self.cmd_all(0x47, 0x81, 0x00, &[crt, 0x00]);
        assert_eq!(rsp.sw, 0x9000, "public key of {crt:02X}");
        let mut outer = openpgp_card_applet::tlv::Reader::new(&rsp.data);
        let template = outer.expect(0x7F49).expect("7F49");
        let n = openpgp_card_applet::tlv::Reader::new(template)
            .find(|t| t.tag == 0x81)
            .expect("modulus")
            .value;
        rsa::PublicKey::new(
            rsa::BoxedUint::from_be_slice_vartime(n),
            rsa::BoxedUint::from(65537u32),
        )
        .expect("RSA public key")
    }

    /// PIN retry counters from C4 (PW1, RC, PW3).
    pub fn tries(&mut self) -> [u8; 3] {
        let c4 = self.get_data(0xC4);
        assert_eq!(c4.sw, 0x9000);
        [c4.data[4], c4.data[5], c4.data[6]]
    }
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
