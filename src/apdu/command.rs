//! A zero-copy view of a command APDU (ISO 7816-3 §12.1, ISO 7816-4 §5.1).
//!
//! [`CommandApdu::parse`] is total: it accepts any byte slice and either returns a view whose
//! accessors cannot panic, or an error. The four cases are recognised in short and extended form:
//!
//! | case | short                  | extended                          |
//! |------|------------------------|-----------------------------------|
//! | 1    | `H`                    | –                                 |
//! | 2    | `H Le`                 | `H 00 Le1 Le2`                    |
//! | 3    | `H Lc data`            | `H 00 Lc1 Lc2 data`               |
//! | 4    | `H Lc data Le`         | `H 00 Lc1 Lc2 data Le1 Le2`       |
//!
//! `H` is the four-byte header CLA INS P1 P2. A short Le of `00` means 256, an extended Le of
//! `00 00` means 65536. Anything else (a short Lc of 0, an extended Lc of 0, a body whose size
//! disagrees with Lc) is inconsistent and answered with 6700 by the applet.

use super::Error;

/// The CLA bit that announces command chaining (ISO 7816-4 §5.4.1).
pub const CLA_CHAINING: u8 = 0x10;

/// A parsed command APDU borrowing its data from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandApdu<'a> {
    /// Class byte as received.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// The command data field (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Expected response length Ne (1..=65536), `None` when Le is absent (cases 1 and 3).
    pub le: Option<u32>,
    /// Whether Lc/Le used the extended (three-byte / two-byte) form.
    pub extended: bool,
}

/// What the class byte says about the command (ISO 7816-4 §5.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Class {
    /// Bit 5: more blocks of this chain follow.
    pub chaining: bool,
    /// `80` (or `90` chained): the proprietary class of YubiKey's attestation command, the
    /// only one the applet has (the dispatcher refuses it for every other instruction).
    pub proprietary: bool,
}

/// The proprietary class byte the applet knows (`80`), without the chaining bit.
pub const CLA_PROPRIETARY: u8 = 0x80;

impl Class {
    /// Interprets a CLA byte. The first interindustry class without secure messaging and on
    /// the basic logical channel, `00` and `10`, and the proprietary `80` and `90`.
    pub fn parse(cla: u8) -> Result<Class, Error> {
        if cla & !CLA_CHAINING == CLA_PROPRIETARY {
            return Ok(Class {
                chaining: cla & CLA_CHAINING != 0,
                proprietary: true,
            });
        }
        if cla & 0x80 != 0 || cla & 0x20 != 0 {
            // Other proprietary classes (including FF, which ISO reserves for PPS) or reserved
            // for future use.
            return Err(Error::Class);
        }
        if cla & 0x40 != 0 || cla & 0x03 != 0 {
            // Further interindustry class (logical channels 4..19) or channels 1..3.
            return Err(Error::LogicalChannel);
        }
        if cla & 0x0C != 0 {
            return Err(Error::SecureMessaging);
        }
        Ok(Class {
            chaining: cla & CLA_CHAINING != 0,
            proprietary: false,
        })
    }
}

impl<'a> CommandApdu<'a> {
    /// Parses `bytes` as one command APDU. Never panics.
    pub fn parse(bytes: &'a [u8]) -> Result<CommandApdu<'a>, Error> {
        let (header, body) = match bytes.split_first_chunk::<4>() {
            Some(split) => split,
            None => return Err(Error::WrongLength),
        };
        let [cla, ins, p1, p2] = *header;
        let mut apdu = CommandApdu {
            cla,
            ins,
            p1,
            p2,
            data: &[],
            le: None,
            extended: false,
        };
        match body {
            // Case 1.
            [] => {}
            // Case 2 short.
            [le] => apdu.le = Some(short_le(*le)),
            // Extended forms start with a zero byte.
            [0, rest @ ..] => {
                apdu.extended = true;
                match rest {
                    // Case 2 extended.
                    [hi, lo] => apdu.le = Some(extended_le(*hi, *lo)),
                    [hi, lo, tail @ ..] => {
                        let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                        if lc == 0 {
                            return Err(Error::WrongLength);
                        }
                        if tail.len() == lc {
                            apdu.data = tail; // case 3 extended
                        } else if tail.len() == lc + 2 {
                            let (data, le) = tail.split_at(lc);
                            apdu.data = data; // case 4 extended
                            apdu.le = match le {
                                [hi, lo] => Some(extended_le(*hi, *lo)),
                                _ => return Err(Error::WrongLength),
                            };
                        } else {
                            return Err(Error::WrongLength);
                        }
                    }
                    _ => return Err(Error::WrongLength),
                }
            }
            [lc, tail @ ..] => {
                let lc = usize::from(*lc);
                if tail.len() == lc {
                    apdu.data = tail; // case 3 short
                } else if tail.len() == lc + 1 {
                    let (data, le) = tail.split_at(lc);
                    apdu.data = data; // case 4 short
                    apdu.le = le.first().map(|le| short_le(*le));
                } else {
                    return Err(Error::WrongLength);
                }
            }
        }
        Ok(apdu)
    }

    /// The number of bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        let lc = if self.data.is_empty() {
            0
        } else if self.extended {
            3
        } else {
            1
        };
        let le = match (self.le, self.extended, self.data.is_empty()) {
            (None, _, _) => 0,
            (Some(_), false, _) => 1,
            (Some(_), true, true) => 3,
            (Some(_), true, false) => 2,
        };
        4 + lc + self.data.len() + le
    }

    /// Whether the fields can be encoded: data and Le within the limits of the chosen form.
    pub fn is_encodable(&self) -> bool {
        let (max_data, max_le) = if self.extended {
            (65535, 65536)
        } else {
            (255, 256)
        };
        self.data.len() <= max_data
            && self.le.is_none_or(|le| (1..=max_le).contains(&le))
            && (!self.extended || !self.data.is_empty() || self.le.is_some())
    }

    /// Writes the APDU into `out` and returns the number of bytes written, or `None` if `out` is
    /// too small or the fields are not [encodable](Self::is_encodable).
    pub fn emit(&self, out: &mut [u8]) -> Option<usize> {
        if !self.is_encodable() {
            return None;
        }
        let len = self.buffer_len();
        let out = out.get_mut(..len)?;
        let mut w = 0;
        let mut put = |bytes: &[u8]| {
            if let Some(dst) = out.get_mut(w..w + bytes.len()) {
                dst.copy_from_slice(bytes);
            }
            w += bytes.len();
        };
        put(&[self.cla, self.ins, self.p1, self.p2]);
        if self.extended {
            put(&[0]);
            if !self.data.is_empty() {
                put(&(self.data.len() as u16).to_be_bytes());
                put(self.data);
            }
            if let Some(le) = self.le {
                put(&((le & 0xFFFF) as u16).to_be_bytes());
            }
        } else {
            if !self.data.is_empty() {
                put(&[self.data.len() as u8]);
                put(self.data);
            }
            if let Some(le) = self.le {
                put(&[(le & 0xFF) as u8]);
            }
        }
        Some(w)
    }
}

fn short_le(le: u8) -> u32 {
    if le == 0 {
        256
    } else {
        u32::from(le)
    }
}

fn extended_le(hi: u8, lo: u8) -> u32 {
    match u16::from_be_bytes([hi, lo]) {
        0 => 65536,
        n => u32::from(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    fn parse(bytes: &[u8]) -> Result<CommandApdu<'_>, Error> {
        CommandApdu::parse(bytes)
    }

    #[test]
    fn case_1() {
        let apdu = parse(&[0x00, 0xE6, 0x00, 0x00]).unwrap();
        assert_eq!((apdu.ins, apdu.data, apdu.le), (0xE6, &[][..], None));
    }

    #[test]
    fn case_2_short() {
        assert_eq!(parse(&[0, 0xCA, 0, 0x6E, 0x00]).unwrap().le, Some(256));
        assert_eq!(parse(&[0, 0xCA, 0, 0x6E, 0x10]).unwrap().le, Some(16));
    }

    #[test]
    fn case_2_extended() {
        let apdu = parse(&[0, 0xCA, 0, 0x6E, 0, 0, 0]).unwrap();
        assert_eq!((apdu.le, apdu.extended), (Some(65536), true));
        assert_eq!(
            parse(&[0, 0xCA, 0, 0x6E, 0, 0x01, 0x00]).unwrap().le,
            Some(256)
        );
    }

    #[test]
    fn case_3_short_and_extended() {
        let apdu = parse(&[0, 0x20, 0, 0x81, 2, 0x31, 0x32]).unwrap();
        assert_eq!(
            (apdu.data, apdu.le, apdu.extended),
            (&[0x31, 0x32][..], None, false)
        );
        let apdu = parse(&[0, 0x20, 0, 0x81, 0, 0, 2, 0x31, 0x32]).unwrap();
        assert_eq!(
            (apdu.data, apdu.le, apdu.extended),
            (&[0x31, 0x32][..], None, true)
        );
    }

    #[test]
    fn case_4_short_and_extended() {
        let apdu = parse(&[0, 0x2A, 0x9E, 0x9A, 1, 0xAA, 0]).unwrap();
        assert_eq!((apdu.data, apdu.le), (&[0xAA][..], Some(256)));
        let apdu = parse(&[0, 0x2A, 0x9E, 0x9A, 0, 0, 1, 0xAA, 0, 0]).unwrap();
        assert_eq!(
            (apdu.data, apdu.le, apdu.extended),
            (&[0xAA][..], Some(65536), true)
        );
        let apdu = parse(&[0, 0x2A, 0x9E, 0x9A, 0, 0, 1, 0xAA, 0x02, 0x00]).unwrap();
        assert_eq!(apdu.le, Some(512));
    }

    #[test]
    fn inconsistent_lengths_are_rejected() {
        for bad in [
            &[][..],
            &[0, 0xA4, 4],
            &[0, 0xA4, 4, 0, 0, 0],          // short Lc = 0 with a byte after
            &[0, 0xA4, 4, 0, 2, 0xD2],       // Lc 2, one byte
            &[0, 0xA4, 4, 0, 1, 0xD2, 0, 0], // one byte too many
            &[0, 0xA4, 4, 0, 0, 0, 0, 0],    // extended Lc = 0
            &[0, 0xA4, 4, 0, 0, 0, 2, 0xD2], // extended Lc 2, one byte
            &[0, 0xA4, 4, 0, 0, 0, 1, 0xD2, 0], // extended Le needs two bytes
            &[0, 0xA4, 4, 0, 0, 1],          // truncated extended Le
        ] {
            assert_eq!(parse(bad), Err(Error::WrongLength), "{bad:02X?}");
        }
    }

    #[test]
    fn class_bytes() {
        let class = |chaining, proprietary| {
            Ok(Class {
                chaining,
                proprietary,
            })
        };
        assert_eq!(Class::parse(0x00), class(false, false));
        assert_eq!(Class::parse(0x10), class(true, false));
        // YubiKey's attestation class; the dispatcher refuses it for other instructions.
        assert_eq!(Class::parse(0x80), class(false, true));
        assert_eq!(Class::parse(0x90), class(true, true));
        assert_eq!(Class::parse(0x84), Err(Error::Class));
        assert_eq!(Class::parse(0x81), Err(Error::Class));
        assert_eq!(Class::parse(0x0C), Err(Error::SecureMessaging));
        assert_eq!(Class::parse(0x1C), Err(Error::SecureMessaging));
        assert_eq!(Class::parse(0x04), Err(Error::SecureMessaging));
        assert_eq!(Class::parse(0x01), Err(Error::LogicalChannel));
        assert_eq!(Class::parse(0x03), Err(Error::LogicalChannel));
        assert_eq!(Class::parse(0x40), Err(Error::LogicalChannel));
        assert_eq!(Class::parse(0x60), Err(Error::Class));
        assert_eq!(Class::parse(0xFF), Err(Error::Class));
        assert_eq!(Class::parse(0x20), Err(Error::Class));
    }

    #[test]
    fn emit_writes_exactly_what_was_parsed() {
        let bytes = [0, 0x2A, 0x9E, 0x9A, 0, 0, 1, 0xAA, 0x02, 0x00];
        let apdu = parse(&bytes).unwrap();
        let mut out = [0xEE; 16];
        assert_eq!(apdu.emit(&mut out), Some(bytes.len()));
        assert_eq!(&out[..bytes.len()], &bytes);
        assert_eq!(out[bytes.len()], 0xEE);
        assert_eq!(apdu.emit(&mut out[..4]), None);
    }

    proptest! {
        #[test]
        fn parse_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = CommandApdu::parse(&bytes);
        }

        #[test]
        fn parse_emit_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(apdu) = CommandApdu::parse(&bytes) {
                let mut out = vec![0; bytes.len() + 8];
                prop_assert_eq!(apdu.emit(&mut out), Some(bytes.len()));
                prop_assert_eq!(&out[..bytes.len()], &bytes[..]);
            }
        }

        #[test]
        fn emit_parse_round_trips(
            header in any::<[u8; 4]>(),
            data in proptest::collection::vec(any::<u8>(), 0..400),
            le in proptest::option::of(1u32..=65536),
            extended in any::<bool>(),
        ) {
            let apdu = CommandApdu {
                cla: header[0], ins: header[1], p1: header[2], p2: header[3],
                data: &data, le, extended,
            };
            let mut out = vec![0; apdu.buffer_len()];
            match apdu.emit(&mut out) {
                Some(n) => {
                    let parsed = CommandApdu::parse(&out[..n]).unwrap();
                    // A short case-1 APDU cannot say "extended"; everything else survives.
                    if data.is_empty() && le.is_none() {
                        prop_assert_eq!(parsed.extended, false);
                    } else {
                        prop_assert_eq!(parsed, apdu);
                    }
                }
                None => prop_assert!(!apdu.is_encodable()),
            }
        }
    }
}
