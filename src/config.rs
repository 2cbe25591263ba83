//! Build-time configuration of one applet instance.

use crate::spec::{PinRef, MAX_PIN_LEN};

/// Length limits and default value of one PIN (spec §4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinPolicy {
    /// The value after a factory reset (`None`: not set, as for the Resetting Code).
    pub default: Option<&'static [u8]>,
    /// Shortest value accepted when the PIN is set or changed.
    pub min_len: u8,
    /// Longest value accepted; also announced in C4. At most [`MAX_PIN_LEN`].
    pub max_len: u8,
}

/// Everything a firmware decides about its card.
///
/// `Config::default()` gives the product defaults: PW1 `123456` (6..64), PW3 `12345678` (8..64),
/// no Resetting Code (8..64), three tries each, a test-range manufacturer id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Manufacturer id in the AID (bytes 9-10). `0xFFFF` is the spec's "test card";
    /// real products use their id from the OpenPGP card manufacturer list.
    pub manufacturer: u16,
    /// Serial number in the AID (bytes 11-14); unique per manufacturer.
    pub serial: u32,
    /// User PIN (PW1).
    pub pw1: PinPolicy,
    /// Admin PIN (PW3).
    pub pw3: PinPolicy,
    /// Resetting Code.
    pub resetting_code: PinPolicy,
    /// Retry counter value after a successful verification or a reset (spec: 3). A stored
    /// counter above it is a damaged record (6581), so a firmware update must not lower it below
    /// counters already stored.
    pub max_tries: u8,
    /// Largest command data accepted, after chaining is reassembled (announced in 7F66).
    pub max_command_len: u16,
    /// Largest response data the applet produces (announced in 7F66). Longer answers do not
    /// exist: every response body of this applet fits.
    pub max_response_len: u16,
    /// Largest cardholder certificate 7F21 (announced in C0).
    pub max_certificate_len: u16,
    /// Largest private-use DO (0101-0104), login data 5E and URL 5F50 (announced in C0).
    pub max_special_do_len: u16,
    /// How long to wait for a touch, in milliseconds.
    pub touch_timeout_ms: u32,
    /// Largest GET CHALLENGE answer (announced in C0 bytes 3-4).
    pub max_challenge_len: u16,
    /// The status word of a wrong PIN, Resetting Code or old PIN (VERIFY, CHANGE REFERENCE
    /// DATA, RESET RETRY COUNTER). The status query (VERIFY with no data) always answers 63Cx.
    pub wrong_pin_status: WrongPinStatus,
    /// What GET VERSION (`00 F1 00 00`, YubiKey's) answers: major, minor, patch. yubikit opens
    /// a session only on a card that answers it, and enables features by it.
    pub firmware_version: [u8; 3],
}

/// How a wrong PIN is answered.
///
/// The spec's status table (§7.9 of 3.4.1) gives 6982 for "PW wrong" and 63Cx for "password
/// not checked, x tries left"; §7.2.2 says 63Cx for the status query. YubiKey, CanoKey and
/// Gnuk answer a wrong PIN with 6982, and yubikit recognises a wrong PIN only by 6982 (its
/// factory reset stops after one try otherwise). GnuPG, OpenSC and the openpgp-card crates
/// take either and read the tries left from C4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WrongPinStatus {
    /// `6982`, as YubiKey, CanoKey and Gnuk answer (the default).
    #[default]
    SecurityStatusNotSatisfied,
    /// `63Cx` with the tries left, as the spec's VERIFY section can be read.
    RemainingTries,
}

/// The default of [`Config::firmware_version`], in BCD as yubikit reads it: 5.6.1, the first
/// version past every version check of yubikit 5.9 (its Curve25519 fix-up of FA below 5.6.1
/// would fail on a card that is not a YubiKey; `unverify_pin` needs 5.6.0, the plain SELECT
/// DATA form more than 5.4.3, attestation and EC generation 5.2.0, cached touch 5.2.1, SET
/// PIN RETRIES 4.3.1, and from 4.0.0 a wrong PIN is 6982). The README says what yubikit then
/// assumes.
pub const FIRMWARE_VERSION: [u8; 3] = [0x05, 0x06, 0x01];

impl Config {
    /// The length limits of the PIN `which`.
    pub fn policy(&self, which: PinRef) -> &PinPolicy {
        match which {
            PinRef::Pw1 => &self.pw1,
            PinRef::ResettingCode => &self.resetting_code,
            PinRef::Pw3 => &self.pw3,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            manufacturer: 0xFFFF,
            serial: 0x0000_0001,
            pw1: PinPolicy {
                default: Some(b"123456"),
                min_len: 6,
                max_len: 64,
            },
            pw3: PinPolicy {
                default: Some(b"12345678"),
                min_len: 8,
                max_len: 64,
            },
            resetting_code: PinPolicy {
                default: None,
                min_len: 8,
                max_len: 64,
            },
            max_tries: 3,
            max_command_len: 4096,
            max_response_len: 4096,
            max_certificate_len: 3072,
            max_special_do_len: 255,
            touch_timeout_ms: 15_000,
            max_challenge_len: 255,
            wrong_pin_status: WrongPinStatus::SecurityStatusNotSatisfied,
            firmware_version: FIRMWARE_VERSION,
        }
    }
}

impl Config {
    /// Brings out-of-range values back into what the applet supports, so that a mistaken
    /// configuration cannot make a handler misbehave: PIN lengths within 1..=64 and min ≤ max,
    /// defaults that fit their policy, 1..=15 tries, buffers large enough for the fixed objects
    /// and chained certificates.
    pub(crate) fn sanitised(mut self) -> Config {
        for policy in [&mut self.pw1, &mut self.pw3, &mut self.resetting_code] {
            policy.max_len = policy.max_len.clamp(1, MAX_PIN_LEN as u8);
            policy.min_len = policy.min_len.clamp(1, policy.max_len);
            if let Some(default) = policy.default {
                if default.len() > usize::from(policy.max_len) {
                    policy.default = default.get(..usize::from(policy.max_len));
                }
            }
        }
        self.max_tries = self.max_tries.clamp(1, 15);
        self.max_response_len = self
            .max_response_len
            .max(512)
            .max(self.max_certificate_len.min(crate::spec::MAX_CERT_LEN))
            .max(self.max_challenge_len);
        self.max_certificate_len = self.max_certificate_len.min(crate::spec::MAX_CERT_LEN);
        self.max_special_do_len = self.max_special_do_len.min(crate::spec::MAX_SPECIAL_DO_LEN);
        self.max_command_len = self
            .max_command_len
            .max(512)
            .max(self.max_certificate_len.saturating_add(16));
        self
    }
}
