//! The serial link between the applet running as firmware on an emulated Cortex-M4
//! (`examples/qemu-mps2-an386`) and the host bridge that shows it to pcscd
//! (`crates/qemu-bridge`). Both sides use this crate, so the wire format has one definition.
//!
//! # Frames
//! Every message in either direction is one frame:
//!
//! ```text
//! A5 | kind | length (2 bytes, big-endian) | payload (length bytes)
//! ```
//!
//! The line is QEMU's emulated UART on a host socket: lossless and ordered, so there is no
//! checksum. The sync byte only catches a framing bug (a receiver that sees anything else where
//! a frame starts reports [`DecodeError::Sync`] rather than guess).
//!
//! # The conversation
//! | from | kind | payload | meaning |
//! |---|---|---|---|
//! | device | [`HELLO`] | version (1 byte), largest command payload (2 bytes) | booted, waits for [`START`] |
//! | host | [`START`] | [`Start`] (37 bytes) | seed the DRBG, set the serial, mount the flash, power on |
//! | device | [`POWERED`] | historical bytes | answer to [`START`] and [`POWER_ON`] |
//! | host | [`POWER_ON`] | transport (1 byte: 0 contact, 1 contactless) | a power cycle of the card (reader power off/on, reset) |
//! | host | [`COMMAND`] | command APDU | one APDU for the applet |
//! | device | [`KEEP_ALIVE`] | none | still working on the command (sent every [`KEEP_ALIVE_INSNS`] instructions or so) |
//! | device | [`PRESENCE`] | timeout in ms (4 bytes) | the applet asks for the button |
//! | host | [`BUTTON`] | 0 confirmed, 1 denied, 2 timed out | the answer to [`PRESENCE`] |
//! | device | [`RESPONSE`] | [`Costs`] (16 bytes), then the response APDU | the command's answer |
//! | device | [`ERROR`] | UTF-8 text | a protocol error or a panic; the device stops after a panic |
//!
//! A command is answered by exactly one [`RESPONSE`] (or an [`ERROR`]), with any number of
//! [`KEEP_ALIVE`] and [`PRESENCE`]/[`BUTTON`] exchanges before it. The host sends nothing else
//! while a command runs, except the [`BUTTON`] a [`PRESENCE`] asked for.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The first byte of every frame.
pub const SYNC: u8 = 0xA5;
/// The protocol version in [`HELLO`].
pub const VERSION: u8 = 1;
/// Sync, kind and length.
pub const HEADER_LEN: usize = 4;

/// Device → host: booted (payload: [`VERSION`], then the largest command payload it takes, u16).
pub const HELLO: u8 = b'H';
/// Host → device: start the card ([`Start`]).
pub const START: u8 = b'S';
/// Device → host: powered on (payload: the historical bytes of this power cycle).
pub const POWERED: u8 = b'O';
/// Host → device: power cycle (payload: the transport byte).
pub const POWER_ON: u8 = b'P';
/// Host → device: a command APDU.
pub const COMMAND: u8 = b'C';
/// Device → host: the command is still running.
pub const KEEP_ALIVE: u8 = b'K';
/// Device → host: the applet asks for user presence (payload: its timeout in ms, u32).
pub const PRESENCE: u8 = b'U';
/// Host → device: the button's answer (payload: one byte, see [`button`]).
pub const BUTTON: u8 = b'B';
/// Device → host: [`Costs`] then the response APDU.
pub const RESPONSE: u8 = b'R';
/// Device → host: an error message (UTF-8).
pub const ERROR: u8 = b'E';

/// The device sends a keep-alive about every this many instructions while a command runs
/// (2^20 SysTick ticks of 40 instructions under QEMU's `-icount shift=0`).
pub const KEEP_ALIVE_INSNS: u64 = 40 << 20;

/// The payload byte of [`BUTTON`].
pub mod button {
    /// The user confirmed.
    pub const CONFIRMED: u8 = 0;
    /// The user refused.
    pub const DENIED: u8 = 1;
    /// Nobody answered in time.
    pub const TIMED_OUT: u8 = 2;
}

/// The transport byte of [`POWER_ON`].
pub mod transport {
    /// Contact (USB): touch policies apply.
    pub const CONTACT: u8 = 0;
    /// Contactless (NFC): touch is never asked.
    pub const CONTACTLESS: u8 = 1;
}

/// The header of a frame of `kind` with `len` bytes of payload.
pub fn header(kind: u8, len: u16) -> [u8; HEADER_LEN] {
    let [hi, lo] = len.to_be_bytes();
    [SYNC, kind, hi, lo]
}

/// Why a byte stream is not a frame sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A frame started with this byte instead of [`SYNC`].
    Sync(u8),
    /// A frame announced a payload longer than the receiver's buffer.
    TooLong(u16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Sync,
    Kind,
    LenHi { kind: u8 },
    LenLo { kind: u8, hi: u8 },
    Payload { kind: u8, len: usize, got: usize },
}

/// A frame decoder fed one byte at a time, into a buffer of the caller's (a static array on the
/// device, a `Vec` on the host). It never panics and never allocates.
#[derive(Debug)]
pub struct Decoder<B> {
    buffer: B,
    state: State,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> Decoder<B> {
    /// A decoder whose frames carry at most `buffer.len()` bytes of payload.
    pub fn new(buffer: B) -> Self {
        Decoder {
            buffer,
            state: State::Sync,
        }
    }

    /// Takes the next byte. Returns the frame's kind and payload length when it completes the
    /// frame (the payload is then [`Decoder::payload`] until the next call). After an error the
    /// decoder waits for the next sync byte.
    pub fn push(&mut self, byte: u8) -> Result<Option<(u8, usize)>, DecodeError> {
        let (next, done) = match self.state {
            State::Sync if byte == SYNC => (State::Kind, None),
            State::Sync => return Err(DecodeError::Sync(byte)),
            State::Kind => (State::LenHi { kind: byte }, None),
            State::LenHi { kind } => (State::LenLo { kind, hi: byte }, None),
            State::LenLo { kind, hi } => {
                let len = u16::from_be_bytes([hi, byte]);
                if usize::from(len) > self.buffer.as_ref().len() {
                    self.state = State::Sync;
                    return Err(DecodeError::TooLong(len));
                }
                if len == 0 {
                    (State::Sync, Some((kind, 0)))
                } else {
                    let len = usize::from(len);
                    (State::Payload { kind, len, got: 0 }, None)
                }
            }
            State::Payload { kind, len, got } => {
                if let Some(slot) = self.buffer.as_mut().get_mut(got) {
                    *slot = byte;
                }
                if got + 1 == len {
                    (State::Sync, Some((kind, len)))
                } else {
                    (
                        State::Payload {
                            kind,
                            len,
                            got: got + 1,
                        },
                        None,
                    )
                }
            }
        };
        self.state = next;
        Ok(done)
    }

    /// The payload of the frame [`Decoder::push`] just completed (`len` as it returned).
    pub fn payload(&self, len: usize) -> &[u8] {
        let buffer = self.buffer.as_ref();
        buffer.get(..len).unwrap_or(buffer)
    }

    /// The payload buffer, for wiping (it may have carried a PIN).
    pub fn buffer_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Whether the decoder is between frames.
    pub fn is_idle(&self) -> bool {
        self.state == State::Sync
    }
}

/// The payload of [`START`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Start {
    /// The seed of the device's DRBG (an emulator has no entropy source of its own).
    pub seed: [u8; 32],
    /// The card's serial number (AID bytes 10..14).
    pub serial: u32,
    /// [`Start::WRONG_PIN_REMAINING_TRIES`], or 0.
    pub flags: u8,
}

impl Start {
    /// The encoded length.
    pub const LEN: usize = 37;
    /// A wrong PIN answers 63Cx (`WrongPinStatus::RemainingTries`) instead of 6982.
    pub const WRONG_PIN_REMAINING_TRIES: u8 = 1;

    /// The wire form.
    pub fn encode(&self) -> [u8; Start::LEN] {
        let mut out = [0u8; Start::LEN];
        let (seed, rest) = out.split_at_mut(32);
        seed.copy_from_slice(&self.seed);
        let (serial, flags) = rest.split_at_mut(4);
        serial.copy_from_slice(&self.serial.to_be_bytes());
        if let Some(byte) = flags.first_mut() {
            *byte = self.flags;
        }
        out
    }

    /// Parses the wire form; `None` unless it is exactly [`Start::LEN`] bytes.
    pub fn decode(bytes: &[u8]) -> Option<Start> {
        let bytes: &[u8; Start::LEN] = bytes.try_into().ok()?;
        let (seed, rest) = bytes.split_at(32);
        let (serial, flags) = rest.split_at(4);
        Some(Start {
            seed: seed.try_into().ok()?,
            serial: u32::from_be_bytes(serial.try_into().ok()?),
            flags: *flags.first()?,
        })
    }
}

/// What one command cost on the device, at the head of every [`RESPONSE`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Costs {
    /// Instructions executed by the applet for the command (QEMU `-icount shift=0`, to within
    /// one SysTick tick of 40 instructions). A Cortex-M4 needs at least one cycle for each.
    pub insns: u64,
    /// Deepest stack use of the command, in bytes below the stack pointer of the call.
    pub stack: u32,
    /// Largest heap held during the command on top of what was in use before it, in bytes.
    pub heap: u32,
}

impl Costs {
    /// The encoded length.
    pub const LEN: usize = 16;

    /// The wire form.
    pub fn encode(&self) -> [u8; Costs::LEN] {
        let mut out = [0u8; Costs::LEN];
        let (insns, rest) = out.split_at_mut(8);
        insns.copy_from_slice(&self.insns.to_be_bytes());
        let (stack, heap) = rest.split_at_mut(4);
        stack.copy_from_slice(&self.stack.to_be_bytes());
        heap.copy_from_slice(&self.heap.to_be_bytes());
        out
    }

    /// Splits a [`RESPONSE`] payload into its costs and the response APDU.
    pub fn split(payload: &[u8]) -> Option<(Costs, &[u8])> {
        let (costs, apdu) = payload.split_at_checked(Costs::LEN)?;
        let (insns, rest) = costs.split_at(8);
        let (stack, heap) = rest.split_at(4);
        Some((
            Costs {
                insns: u64::from_be_bytes(insns.try_into().ok()?),
                stack: u32::from_be_bytes(stack.try_into().ok()?),
                heap: u32::from_be_bytes(heap.try_into().ok()?),
            },
            apdu,
        ))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = header(kind, payload.len() as u16).to_vec();
        out.extend_from_slice(payload);
        out
    }

    fn decode_all(bytes: &[u8], capacity: usize) -> Result<Vec<(u8, Vec<u8>)>, DecodeError> {
        let mut decoder = Decoder::new(std::vec![0u8; capacity]);
        let mut frames = Vec::new();
        for &byte in bytes {
            if let Some((kind, len)) = decoder.push(byte)? {
                frames.push((kind, decoder.payload(len).to_vec()));
            }
        }
        Ok(frames)
    }

    #[test]
    fn frames_round_trip_including_empty_ones() {
        let mut bytes = frame(COMMAND, &[0x00, 0xA4, 0x04, 0x00]);
        bytes.extend(frame(KEEP_ALIVE, &[]));
        bytes.extend(frame(BUTTON, &[button::DENIED]));
        let frames = decode_all(&bytes, 16).unwrap();
        assert_eq!(
            frames,
            [
                (COMMAND, std::vec![0x00, 0xA4, 0x04, 0x00]),
                (KEEP_ALIVE, std::vec![]),
                (BUTTON, std::vec![button::DENIED]),
            ]
        );
    }

    #[test]
    fn a_frame_longer_than_the_buffer_is_refused_before_its_payload() {
        let mut decoder = Decoder::new([0u8; 4]);
        for byte in [SYNC, COMMAND, 0x00] {
            assert_eq!(decoder.push(byte), Ok(None));
        }
        assert_eq!(decoder.push(0x05), Err(DecodeError::TooLong(5)));
        assert!(decoder.is_idle());
    }

    #[test]
    fn a_missing_sync_byte_is_reported() {
        let mut decoder = Decoder::new([0u8; 4]);
        assert_eq!(decoder.push(b'C'), Err(DecodeError::Sync(b'C')));
        assert_eq!(decoder.push(SYNC), Ok(None));
    }

    #[test]
    fn start_and_costs_round_trip_and_reject_other_lengths() {
        let start = Start {
            seed: [7; 32],
            serial: 0x1234_5678,
            flags: Start::WRONG_PIN_REMAINING_TRIES,
        };
        assert_eq!(Start::decode(&start.encode()), Some(start.clone()));
        assert_eq!(Start::decode(&start.encode()[..36]), None);
        let costs = Costs {
            insns: 99_600_000,
            stack: 11_136,
            heap: 8_000,
        };
        let mut payload = costs.encode().to_vec();
        payload.extend_from_slice(&[0x90, 0x00]);
        assert_eq!(Costs::split(&payload), Some((costs, &[0x90, 0x00][..])));
        assert_eq!(Costs::split(&payload[..15]), None);
    }

    proptest! {
        /// Any frame sequence decodes to itself.
        #[test]
        fn any_frames_round_trip(frames in proptest::collection::vec(
            (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..300)), 0..8)) {
            let bytes: Vec<u8> = frames.iter().flat_map(|(k, p)| frame(*k, p)).collect();
            let decoded = decode_all(&bytes, 300).unwrap();
            prop_assert_eq!(decoded, frames);
        }

        /// Arbitrary bytes never panic the decoder, and every frame it reports fits its buffer.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut decoder = Decoder::new([0u8; 64]);
            for byte in bytes {
                if let Ok(Some((_, len))) = decoder.push(byte) {
                    prop_assert!(len <= 64);
                    prop_assert_eq!(decoder.payload(len).len(), len);
                }
            }
        }
    }
}
