//! The vocabulary of the OpenPGP Card specification 3.4.1 that every layer shares: key slots
//! and their per-slot tags, PIN references, key status, and the size limits.
//!
//! This module depends on nothing else in the crate, so `config`, `pin`, `state` and the
//! handlers can all use it without depending on one another.

/// The longest PIN the applet can store (and announce in C4: bits 1-7 of bytes 2-4).
pub const MAX_PIN_LEN: usize = 64;
/// The largest retry counter (`Config::max_tries`, SET PIN RETRIES): VERIFY's status query
/// answers 63Cx, whose x has four bits (§7.2.2).
pub const MAX_TRIES: u8 = 15;
/// Largest cardholder certificate the record format can hold.
pub const MAX_CERT_LEN: u16 = 3072;
/// Largest private-use DO, login data or URL the record format can hold.
pub const MAX_SPECIAL_DO_LEN: u16 = 1024;
/// Largest KDF-DO body accepted (the spec's full form with SHA-512 hashes is 174 bytes).
pub const MAX_KDF_LEN: usize = 256;
/// Largest algorithm attributes value (the longest OID form plus format byte).
pub const MAX_ATTRIBUTES_LEN: usize = 16;
/// The largest value DO 93 (digital signature counter) can show: three bytes.
pub const SIGNATURE_COUNTER_MAX: u32 = 0x00FF_FFFF;
/// Longest name (5B), spec §4.4.1.
pub const MAX_NAME_LEN: usize = 39;

/// The tags of the data objects and templates the applet reads or writes, named as in the
/// spec (§4.4.1, §4.4.3; §7.2 for the command templates). Per-slot tags come from [`Slot`]'s
/// methods.
pub mod tag {
    /// Application identifier (AID), §4.2.1.
    pub const AID: u16 = 0x004F;
    /// Name (of the cardholder), §4.4.3.3.
    pub const NAME: u16 = 0x005B;
    /// Login data.
    pub const LOGIN_DATA: u16 = 0x005E;
    /// Cardholder related data (template of 5B, 5F2D, 5F35).
    pub const CARDHOLDER_RELATED: u16 = 0x0065;
    /// Application related data (template).
    pub const APPLICATION_RELATED: u16 = 0x006E;
    /// Discretionary data objects (template inside 6E).
    pub const DISCRETIONARY: u16 = 0x0073;
    /// Security support template (of 93).
    pub const SECURITY_SUPPORT: u16 = 0x007A;
    /// Digital signature counter.
    pub const SIGNATURE_COUNTER: u16 = 0x0093;
    /// Extended capabilities, §4.4.3.7.
    pub const EXTENDED_CAPABILITIES: u16 = 0x00C0;
    /// PW status bytes, §4.4.3.8.
    pub const PW_STATUS: u16 = 0x00C4;
    /// Fingerprints of the three keys.
    pub const FINGERPRINTS: u16 = 0x00C5;
    /// CA fingerprints of the three slots.
    pub const CA_FINGERPRINTS: u16 = 0x00C6;
    /// Generation dates of the three keys.
    pub const GENERATION_TIMES: u16 = 0x00CD;
    /// Resetting Code (write only), §4.3.4.
    pub const RESETTING_CODE: u16 = 0x00D3;
    /// AES key for PSO:DECIPHER/ENCIPHER (write only).
    pub const AES_KEY: u16 = 0x00D5;
    /// User interaction flag of the attestation key (YubiKey's).
    pub const ATTESTATION_UIF: u16 = 0x00D9;
    /// Attestation key's algorithm attributes (YubiKey's).
    pub const ATTESTATION_ATTRIBUTES: u16 = 0x00DA;
    /// Attestation key's fingerprint (YubiKey's).
    pub const ATTESTATION_FINGERPRINT: u16 = 0x00DB;
    /// Attestation CA fingerprint (YubiKey's).
    pub const ATTESTATION_CA_FINGERPRINT: u16 = 0x00DC;
    /// Attestation key's generation date (YubiKey's).
    pub const ATTESTATION_GENERATION_TIME: u16 = 0x00DD;
    /// Key information, §4.4.3.13.
    pub const KEY_INFORMATION: u16 = 0x00DE;
    /// KDF-DO, §4.3.2.
    pub const KDF: u16 = 0x00F9;
    /// Algorithm information, §4.4.3.11.
    pub const ALGORITHM_INFORMATION: u16 = 0x00FA;
    /// Attestation certificate (YubiKey's; also the fourth occurrence of 7F21).
    pub const ATTESTATION_CERTIFICATE: u16 = 0x00FC;
    /// Private use DOs 1–4.
    pub const PRIVATE_USE: [u16; 4] = [0x0101, 0x0102, 0x0103, 0x0104];
    /// Language preference.
    pub const LANGUAGE: u16 = 0x5F2D;
    /// Sex (ISO 5218).
    pub const SEX: u16 = 0x5F35;
    /// URL (public keys).
    pub const URL: u16 = 0x5F50;
    /// Historical bytes, §6.
    pub const HISTORICAL_BYTES: u16 = 0x5F52;
    /// Cardholder certificate (three occurrences, §7.2.5).
    pub const CARDHOLDER_CERTIFICATE: u16 = 0x7F21;
    /// Extended length information, §4.1.3.1.
    pub const EXTENDED_LENGTH: u16 = 0x7F66;
    /// General feature management, §4.1.3.2.
    pub const GENERAL_FEATURE_MANAGEMENT: u16 = 0x7F74;
    /// Public key template (GENERATE's answer, ECDH's input), §7.2.14.
    pub const PUBLIC_KEY: u16 = 0x7F49;
    /// RSA's modulus in the public key template, §7.2.14.
    pub const MODULUS: u16 = 0x0081;
    /// RSA's public exponent in the public key template, §7.2.14.
    pub const PUBLIC_EXPONENT: u16 = 0x0082;
    /// An elliptic-curve public key in the public key template, §7.2.14 (the tag of
    /// [`EXTERNAL_PUBLIC_KEY`] too).
    pub const EC_PUBLIC_KEY: u16 = 0x0086;
    /// Extended header list (key import), §4.4.3.12.
    pub const EXTENDED_HEADER_LIST: u16 = 0x004D;
    /// Cardholder private key template (key import), §4.4.3.12.
    pub const PRIVATE_KEY_TEMPLATE: u16 = 0x7F48;
    /// Concatenation of the private key parts (key import), §4.4.3.12.
    pub const PRIVATE_KEY_DATA: u16 = 0x5F48;
    /// Key reference inside a control reference template, §7.2.14 and §7.2.18.
    pub const KEY_REFERENCE: u16 = 0x0084;
    /// Key reference of MANAGE SECURITY ENVIRONMENT's data, §7.2.18.
    pub const MSE_KEY_REFERENCE: u16 = 0x0083;
    /// Cipher DO of PSO:DECIPHER for ECDH, §7.2.11.
    pub const CIPHER: u16 = 0x00A6;
    /// External public key (the point in 7F49), §7.2.11.
    pub const EXTERNAL_PUBLIC_KEY: u16 = 0x0086;
    /// Tag list of SELECT DATA, §7.2.5.
    pub const TAG_LIST: u16 = 0x005C;
    /// Template of SELECT DATA's tag list, §7.2.5.
    pub const SELECT_DATA: u16 = 0x0060;
}

/// A key slot (spec §4.4.3.9 ff.).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Signature key (B6, C1, C7, CE).
    Sig,
    /// Decryption key (B8, C2, C8, CF).
    Dec,
    /// Authentication key (A4, C3, C9, D0).
    Aut,
}

impl Slot {
    /// All slots in the spec's order.
    pub const ALL: [Slot; 3] = [Slot::Sig, Slot::Dec, Slot::Aut];

    /// Position in SIG, DEC, AUT order.
    pub const fn index(self) -> usize {
        match self {
            Slot::Sig => 0,
            Slot::Dec => 1,
            Slot::Aut => 2,
        }
    }

    /// The key reference of the slot in a control reference template (`84 01 kr`, spec
    /// §7.2.14) and in DE: 01, 02, 03.
    pub const fn key_reference(self) -> u8 {
        match self {
            Slot::Sig => 0x01,
            Slot::Dec => 0x02,
            Slot::Aut => 0x03,
        }
    }

    /// Key reference number in DE (01, 02, 03).
    pub const fn key_ref(self) -> u8 {
        self.index() as u8 + 1
    }

    /// The control reference template of the slot (B6, B8, A4), spec §7.2.14 and §4.4.3.12.
    pub const fn crt_tag(self) -> u8 {
        match self {
            Slot::Sig => 0xB6,
            Slot::Dec => 0xB8,
            Slot::Aut => 0xA4,
        }
    }

    /// The slot whose control reference template is `tag`.
    pub const fn from_crt_tag(tag: u8) -> Option<Slot> {
        match tag {
            0xB6 => Some(Slot::Sig),
            0xB8 => Some(Slot::Dec),
            0xA4 => Some(Slot::Aut),
            _ => None,
        }
    }

    /// Algorithm attributes DO (C1, C2, C3), spec §4.4.3.10.
    pub const fn attributes_tag(self) -> u16 {
        match self {
            Slot::Sig => 0xC1,
            Slot::Dec => 0xC2,
            Slot::Aut => 0xC3,
        }
    }

    /// Fingerprint DO (C7, C8, C9), spec §4.4.2.
    pub const fn fingerprint_tag(self) -> u16 {
        match self {
            Slot::Sig => 0xC7,
            Slot::Dec => 0xC8,
            Slot::Aut => 0xC9,
        }
    }

    /// CA fingerprint DO (CA, CB, CC), spec §4.4.2.
    pub const fn ca_fingerprint_tag(self) -> u16 {
        match self {
            Slot::Sig => 0xCA,
            Slot::Dec => 0xCB,
            Slot::Aut => 0xCC,
        }
    }

    /// Generation date/time DO (CE, CF, D0), spec §4.4.2.
    pub const fn generation_time_tag(self) -> u16 {
        match self {
            Slot::Sig => 0xCE,
            Slot::Dec => 0xCF,
            Slot::Aut => 0xD0,
        }
    }

    /// User interaction flag DO (D6, D7, D8), spec §4.1.3.2.
    pub const fn uif_tag(self) -> u16 {
        match self {
            Slot::Sig => 0xD6,
            Slot::Dec => 0xD7,
            Slot::Aut => 0xD8,
        }
    }

    /// The slot whose per-slot DO `tag` is, with `of` naming the family (for instance
    /// `Slot::attributes_tag`).
    pub fn of_tag(tag: u16, of: fn(Slot) -> u16) -> Option<Slot> {
        Slot::ALL.into_iter().find(|&slot| of(slot) == tag)
    }
}

/// Which PIN a command refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinRef {
    /// PW1, the user PIN (references 81 and 82).
    Pw1,
    /// The Resetting Code.
    ResettingCode,
    /// PW3, the admin PIN (reference 83).
    Pw3,
}

/// Where a key came from (DE status byte, spec §4.4.3.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyStatus {
    /// 00: no key.
    Absent,
    /// 01: generated on the card.
    Generated,
    /// 02: imported.
    Imported,
}

impl KeyStatus {
    /// The DE status byte.
    pub const fn byte(self) -> u8 {
        match self {
            KeyStatus::Absent => 0,
            KeyStatus::Generated => 1,
            KeyStatus::Imported => 2,
        }
    }

    /// The status a DE byte names.
    pub const fn from_byte(byte: u8) -> Option<KeyStatus> {
        Some(match byte {
            0 => KeyStatus::Absent,
            1 => KeyStatus::Generated,
            2 => KeyStatus::Imported,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_slot_tags_follow_the_spec_order() {
        type Family = fn(Slot) -> u16;
        let families: [(Family, u16); 5] = [
            (Slot::attributes_tag, 0xC1),
            (Slot::fingerprint_tag, 0xC7),
            (Slot::ca_fingerprint_tag, 0xCA),
            (Slot::generation_time_tag, 0xCE),
            (Slot::uif_tag, 0xD6),
        ];
        for (family, first) in families {
            for (i, slot) in Slot::ALL.into_iter().enumerate() {
                assert_eq!(family(slot), first + i as u16);
                assert_eq!(Slot::of_tag(first + i as u16, family), Some(slot));
            }
            assert_eq!(Slot::of_tag(first + 3, family), None);
        }
        for slot in Slot::ALL {
            assert_eq!(Slot::from_crt_tag(slot.crt_tag()), Some(slot));
        }
        assert_eq!(Slot::from_crt_tag(0xB7), None);
    }

    #[test]
    fn key_status_bytes_round_trip() {
        for status in [KeyStatus::Absent, KeyStatus::Generated, KeyStatus::Imported] {
            assert_eq!(KeyStatus::from_byte(status.byte()), Some(status));
        }
        assert_eq!(KeyStatus::from_byte(3), None);
    }
}
