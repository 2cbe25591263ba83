//! The vocabulary of the OpenPGP Card specification 3.4.1 that every layer shares: key slots
//! and their per-slot tags, PIN references, key status, and the size limits.
//!
//! This module depends on nothing else in the crate, so `config`, `pin`, `state` and the
//! handlers can all use it without depending on one another.

use crate::platform::RecordId;

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

    /// The record that holds this slot's key and metadata.
    pub const fn key_record(self) -> RecordId {
        match self {
            Slot::Sig => RecordId(0x31),
            Slot::Dec => RecordId(0x32),
            Slot::Aut => RecordId(0x33),
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
