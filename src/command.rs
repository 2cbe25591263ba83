//! Typed commands: one `match` on (INS, P1, P2) turns a [`Request`] into a [`Command`]
//! (spec §7.2). Data fields are checked by the handlers, which know the state.

use crate::apdu::{self, Request};
use crate::error::Error;
use crate::spec::PinRef;
#[cfg(feature = "attestation")]
use crate::spec::Slot;

/// What VERIFY refers to (spec §7.2.2, P2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyRef {
    /// 81: PW1 for PSO:CDS.
    Pw1Sign,
    /// 82: PW1 for the other commands (decipher, authenticate, private DOs).
    Pw1Other,
    /// 83: PW3.
    Pw3,
}

impl VerifyRef {
    /// The physical PIN behind the reference.
    pub fn pin(self) -> PinRef {
        match self {
            VerifyRef::Pw1Sign | VerifyRef::Pw1Other => PinRef::Pw1,
            VerifyRef::Pw3 => PinRef::Pw3,
        }
    }
}

/// RESET RETRY COUNTER modes (spec §7.2.4, P1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetMode {
    /// P1 = 00: data is Resetting Code ‖ new PW1.
    WithResettingCode,
    /// P1 = 02: data is the new PW1; PW3 must be verified.
    AfterPw3,
}

/// A command of the OpenPGP application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// SELECT by DF name (§7.2.1).
    Select {
        /// The (possibly partial) AID.
        aid: &'a [u8],
    },
    /// SELECT of anything but a DF name (GnuPG tries the MF first): not found.
    SelectOther,
    /// SELECT DATA (§7.2.5).
    SelectData {
        /// Occurrence number (P1).
        occurrence: u8,
        /// The tag list.
        data: &'a [u8],
    },
    /// GET DATA (§7.2.6).
    GetData {
        /// P1 ‖ P2.
        tag: u16,
    },
    /// GET NEXT DATA (§7.2.7).
    GetNextData {
        /// P1 ‖ P2.
        tag: u16,
    },
    /// VERIFY (§7.2.2).
    Verify {
        /// P2.
        reference: VerifyRef,
        /// P1 = FF: reset the verification status instead.
        reset: bool,
        /// The PIN, or nothing to query the status.
        pin: &'a [u8],
    },
    /// CHANGE REFERENCE DATA (§7.2.3).
    ChangeReferenceData {
        /// PW1 (81) or PW3 (83).
        pin: PinRef,
        /// Old ‖ new.
        data: &'a [u8],
    },
    /// RESET RETRY COUNTER (§7.2.4).
    ResetRetryCounter {
        /// P1.
        mode: ResetMode,
        /// Resetting Code ‖ new PW1, or new PW1.
        data: &'a [u8],
    },
    /// PUT DATA (§7.2.8).
    PutData {
        /// P1 ‖ P2.
        tag: u16,
        /// The new value.
        data: &'a [u8],
    },
    /// GENERATE ASYMMETRIC KEY PAIR (§7.2.14).
    GenerateAsymmetricKeyPair {
        /// P1 = 80: generate; P1 = 81: read the public key.
        generate: bool,
        /// The control reference template (`B6 00`, `B8 00`, `A4 00`, or with `84 01 kr`).
        data: &'a [u8],
    },
    /// PSO: COMPUTE DIGITAL SIGNATURE (§7.2.10).
    ComputeDigitalSignature {
        /// DigestInfo (RSA), hash (ECDSA) or message (EdDSA).
        data: &'a [u8],
    },
    /// PSO: DECIPHER (§7.2.11).
    Decipher {
        /// Padding indicator ‖ cryptogram, or the `A6` template for ECDH.
        data: &'a [u8],
    },
    /// PSO: ENCIPHER (§7.2.12), AES only.
    Encipher {
        /// The plaintext, whole AES blocks.
        data: &'a [u8],
    },
    /// INTERNAL AUTHENTICATE (§7.2.13).
    InternalAuthenticate {
        /// The authentication input.
        data: &'a [u8],
    },
    /// PUT DATA with odd INS and P1-P2 3FFF: key import (§4.4.3.12).
    ImportKey {
        /// The extended header list (4D).
        data: &'a [u8],
    },
    /// MANAGE SECURITY ENVIRONMENT (§7.2.18).
    ManageSecurityEnvironment {
        /// P2: A4 (authentication template) or B8 (confidentiality template).
        template: u8,
        /// `83 01 kr`.
        data: &'a [u8],
    },
    /// GET CHALLENGE (§7.2.15).
    GetChallenge {
        /// How many random bytes (Ne).
        le: Option<u32>,
    },
    /// TERMINATE DF (§7.2.16).
    TerminateDf,
    /// ACTIVATE FILE (§7.2.17).
    ActivateFile,
    /// GET VERSION (`00 F1 00 00`): not in the spec; YubiKey's, which yubikit needs.
    GetVersion,
    /// SET PIN RETRIES (`00 F2 00 00 03 pw1 rc pw3`): not in the spec; YubiKey's.
    SetPinRetries {
        /// The three new maxima.
        data: &'a [u8],
    },
    /// GENERATE ATTESTATION (`80 FB 0n 00`): not in the spec; YubiKey's. P1 01/02/03 names
    /// SIG, DEC, AUT.
    #[cfg(feature = "attestation")]
    GenerateAttestation {
        /// The slot whose key is attested.
        slot: Slot,
    },
}

impl<'a> Command<'a> {
    /// Recognises the command. Unknown instructions give 6D00, known ones with impossible
    /// P1/P2 give 6A86.
    pub fn parse(request: &Request<'a>) -> Result<Command<'a>, Error> {
        let Request {
            ins,
            p1,
            p2,
            data,
            le,
            proprietary,
        } = *request;
        if proprietary {
            // YubiKey's attestation is the one command of class 80.
            return match ins {
                #[cfg(feature = "attestation")]
                0xFB => Command::generate_attestation(p1, p2, data),
                _ => Err(apdu::Error::Class.into()),
            };
        }
        let tag = u16::from_be_bytes([p1, p2]);
        Ok(match (ins, p1, p2) {
            (0xA4, 0x04, 0x00 | 0x0C) => Command::Select { aid: data },
            (0xA4, 0x04, _) => return Err(Error::P1P2),
            (0xA4, _, _) => Command::SelectOther,
            (0xA5, occurrence, 0x04) => Command::SelectData { occurrence, data },
            (0xA5, _, _) => return Err(Error::P1P2),
            (0xCA, _, _) => Command::GetData { tag },
            (0xCC, _, _) => Command::GetNextData { tag },
            (0x20, 0x00 | 0xFF, 0x81..=0x83) => Command::Verify {
                reference: match p2 {
                    0x81 => VerifyRef::Pw1Sign,
                    0x82 => VerifyRef::Pw1Other,
                    _ => VerifyRef::Pw3,
                },
                reset: p1 == 0xFF,
                pin: data,
            },
            (0x20, _, _) => return Err(Error::P1P2),
            (0x24, 0x00, 0x81) => Command::ChangeReferenceData {
                pin: PinRef::Pw1,
                data,
            },
            (0x24, 0x00, 0x83) => Command::ChangeReferenceData {
                pin: PinRef::Pw3,
                data,
            },
            (0x24, _, _) => return Err(Error::P1P2),
            (0x2C, 0x00, 0x81) => Command::ResetRetryCounter {
                mode: ResetMode::WithResettingCode,
                data,
            },
            (0x2C, 0x02, 0x81) => Command::ResetRetryCounter {
                mode: ResetMode::AfterPw3,
                data,
            },
            (0x2C, _, _) => return Err(Error::P1P2),
            (0xDA, _, _) => Command::PutData { tag, data },
            (0xDB, 0x3F, 0xFF) => Command::ImportKey { data },
            (0xDB, _, _) => return Err(Error::P1P2),
            (0x22, 0x41, 0xA4 | 0xB8) => Command::ManageSecurityEnvironment { template: p2, data },
            (0x22, _, _) => return Err(Error::P1P2),
            (0x47, 0x80 | 0x81, 0x00) => Command::GenerateAsymmetricKeyPair {
                generate: p1 == 0x80,
                data,
            },
            (0x47, _, _) => return Err(Error::P1P2),
            (0x2A, 0x9E, 0x9A) => Command::ComputeDigitalSignature { data },
            (0x2A, 0x80, 0x86) => Command::Decipher { data },
            (0x2A, 0x86, 0x80) => Command::Encipher { data },
            (0x2A, _, _) => return Err(Error::P1P2),
            (0x88, 0x00, 0x00) => Command::InternalAuthenticate { data },
            (0x88, _, _) => return Err(Error::P1P2),
            (0x84, 0x00, 0x00) if data.is_empty() => Command::GetChallenge { le },
            (0x84, 0x00, 0x00) => return Err(Error::WrongLength),
            (0x84, _, _) => return Err(Error::P1P2),
            (0xE6, 0x00, 0x00) => Command::TerminateDf,
            (0xE6, _, _) => return Err(Error::P1P2),
            (0x44, 0x00, 0x00) => Command::ActivateFile,
            (0x44, _, _) => return Err(Error::P1P2),
            (0xF1, 0x00, 0x00) if data.is_empty() => Command::GetVersion,
            (0xF1, 0x00, 0x00) => return Err(Error::WrongLength),
            (0xF1, _, _) => return Err(Error::P1P2),
            (0xF2, 0x00, 0x00) => Command::SetPinRetries { data },
            (0xF2, _, _) => return Err(Error::P1P2),
            _ => return Err(Error::Instruction),
        })
    }

    /// Whether the command is allowed while the application is terminated (spec §7.2.16:
    /// only SELECT, ACTIVATE FILE and TERMINATE DF; and GET VERSION, which reveals nothing of
    /// the application's state and without which yubikit cannot open the session it would
    /// send ACTIVATE FILE in).
    pub fn allowed_when_terminated(&self) -> bool {
        matches!(
            self,
            Command::Select { .. }
                | Command::SelectOther
                | Command::TerminateDf
                | Command::ActivateFile
                | Command::GetVersion
        )
    }
}

/// YubiKey's GENERATE ATTESTATION (`80 FB 0n 00`): P1 01/02/03 names SIG, DEC, AUT; no data.
#[cfg(feature = "attestation")]
impl<'a> Command<'a> {
    fn generate_attestation(p1: u8, p2: u8, data: &[u8]) -> Result<Command<'a>, Error> {
        let slot = match (p1, p2) {
            (0x01, 0x00) => Slot::Sig,
            (0x02, 0x00) => Slot::Dec,
            (0x03, 0x00) => Slot::Aut,
            _ => return Err(Error::P1P2),
        };
        if !data.is_empty() {
            return Err(Error::WrongLength);
        }
        Ok(Command::GenerateAttestation { slot })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(ins: u8, p1: u8, p2: u8) -> Result<Command<'static>, Error> {
        Command::parse(&Request {
            ins,
            p1,
            p2,
            data: &[],
            le: None,
            proprietary: false,
        })
    }

    #[test]
    fn recognises_instructions_and_parameters() {
        assert_eq!(parse(0xCA, 0x00, 0x6E), Ok(Command::GetData { tag: 0x6E }));
        assert_eq!(
            parse(0xCA, 0x7F, 0x21),
            Ok(Command::GetData { tag: 0x7F21 })
        );
        assert!(matches!(
            parse(0x20, 0xFF, 0x82),
            Ok(Command::Verify {
                reference: VerifyRef::Pw1Other,
                reset: true,
                ..
            })
        ));
        assert_eq!(parse(0x20, 0x01, 0x81), Err(Error::P1P2));
        assert_eq!(parse(0x20, 0x00, 0x84), Err(Error::P1P2));
        assert_eq!(parse(0x24, 0x00, 0x82), Err(Error::P1P2));
        assert_eq!(parse(0x2C, 0x01, 0x81), Err(Error::P1P2));
        assert_eq!(parse(0xA4, 0x00, 0x0C), Ok(Command::SelectOther));
        assert_eq!(parse(0xA4, 0x04, 0x01), Err(Error::P1P2));
        assert_eq!(parse(0xE6, 0x00, 0x01), Err(Error::P1P2));
        assert_eq!(parse(0xFE, 0x00, 0x00), Err(Error::Instruction));
        assert_eq!(parse(0x00, 0x00, 0x00), Err(Error::Instruction));
    }
}
