//! The CCID protocol of one slot with a built-in card, without USB: bulk-out packets in,
//! bulk-in packets out, commands to the application and its responses back.
//!
//! The application runs elsewhere (the board's main loop) and may take minutes; the slot keeps
//! answering the host meanwhile, from the USB interrupt: time extensions while the command
//! runs, "slot busy" to anything else.

/// Bytes in a CCID message header.
pub const HEADER: usize = 10;
/// Full-speed bulk packet size.
pub const PACKET: usize = 64;
/// Milliseconds between two time-extension requests while a command runs.
pub const WTX_INTERVAL_MS: u64 = 500;

// Message types (CCID 1.1 §6.1, §6.2).
const PC_TO_RDR_SET_PARAMETERS: u8 = 0x61;
const PC_TO_RDR_ICC_POWER_ON: u8 = 0x62;
const PC_TO_RDR_ICC_POWER_OFF: u8 = 0x63;
const PC_TO_RDR_GET_SLOT_STATUS: u8 = 0x65;
const PC_TO_RDR_ESCAPE: u8 = 0x6B;
const PC_TO_RDR_GET_PARAMETERS: u8 = 0x6C;
const PC_TO_RDR_RESET_PARAMETERS: u8 = 0x6D;
const PC_TO_RDR_XFR_BLOCK: u8 = 0x6F;
const PC_TO_RDR_ABORT: u8 = 0x72;
const PC_TO_RDR_SET_DATA_RATE: u8 = 0x73;
const RDR_TO_PC_DATA_BLOCK: u8 = 0x80;
const RDR_TO_PC_SLOT_STATUS: u8 = 0x81;
const RDR_TO_PC_PARAMETERS: u8 = 0x82;
const RDR_TO_PC_ESCAPE: u8 = 0x83;
const RDR_TO_PC_DATA_RATE: u8 = 0x84;

// bStatus: bmICCStatus (bits 0-1) and bmCommandStatus (bits 6-7).
const ICC_ACTIVE: u8 = 0;
const ICC_INACTIVE: u8 = 1;
const ICC_ABSENT: u8 = 2;
const FAILED: u8 = 1 << 6;
const TIME_EXTENSION: u8 = 2 << 6;

// bError.
const CMD_NOT_SUPPORTED: u8 = 0x00;
const CMD_SLOT_BUSY: u8 = 0xE0;
const HW_ERROR: u8 = 0xFB;
const ICC_MUTE: u8 = 0xFE;
/// A bad parameter is reported by its offset in the message.
const BAD_LENGTH: u8 = 1;
const BAD_SLOT: u8 = 5;
const BAD_LEVEL_PARAMETER: u8 = 8;

/// T=1 protocol data for RDR_to_PC_Parameters: Fi/Di 1/1, LRC, guard time 0, BWI 1 / CWI 5,
/// no clock stop, IFSC 254, NAD 0.
const T1_PARAMETERS: [u8; 7] = [0x11, 0x10, 0x00, 0x15, 0x00, 0xFE, 0x00];
/// The nominal clock (kHz) and data rate (bps) a USB-ICC reports (ICCD §4.2).
pub const CLOCK_KHZ: u32 = 3580;
/// See [`CLOCK_KHZ`].
pub const DATA_RATE_BPS: u32 = 9600;

/// Longest short message the slot sends (a data block with an ATR of up to 33 bytes).
const SHORT: usize = HEADER + 33;
/// Short messages waiting to be sent (an answer and a time extension at most, in practice).
const QUEUE: usize = 3;

/// Where the command of the slot is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Command {
    /// None.
    Idle,
    /// Received, waiting for the application to take it.
    Ready,
    /// Taken by the application; `since` is the time of the last message to the host about
    /// it (set by the first tick).
    Running { since: Option<u64> },
    /// Answered: the response is in `io`, being sent.
    Answered,
}

/// A command handed to the application: answer it with the same token. A token goes stale
/// when the host aborts the command or the bus resets, and a stale answer is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token(u32);

/// One slot, with message buffers of `N` bytes (header included): the longest command APDU
/// and response APDU are `N - HEADER` bytes.
pub struct Slot<const N: usize> {
    rx: [u8; N],
    rx_len: usize,
    /// Bytes of the message being received beyond the buffer (too long: answered with an error).
    rx_dropped: usize,
    /// The command for the application, then the response message.
    io: [u8; N],
    io_len: usize,
    seq: u8,
    command: Command,
    generation: u32,
    powered: bool,
    reset_pending: bool,
    atr: [u8; 33],
    atr_len: usize,
    queue: [([u8; SHORT], usize); QUEUE],
    queued: usize,
    tx: Tx,
}

/// The message being sent on bulk-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tx {
    Idle,
    /// The first short message of the queue, `sent` bytes handed to the endpoint.
    Short {
        sent: usize,
        in_flight: bool,
    },
    /// The response in `io`.
    Io {
        sent: usize,
        in_flight: bool,
    },
}

impl<const N: usize> Default for Slot<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Slot<N> {
    /// A slot whose card is powered off, with an empty ATR (set one with [`set_atr`](Self::set_atr)).
    pub const fn new() -> Self {
        Slot {
            rx: [0; N],
            rx_len: 0,
            rx_dropped: 0,
            io: [0; N],
            io_len: 0,
            seq: 0,
            command: Command::Idle,
            generation: 0,
            powered: false,
            reset_pending: true,
            atr: [0; 33],
            atr_len: 0,
            queue: [([0; SHORT], 0); QUEUE],
            queued: 0,
            tx: Tx::Idle,
        }
    }

    /// Sets the Answer-to-Reset sent at power-on (at most 33 bytes; longer is cut).
    pub fn set_atr(&mut self, atr: &[u8]) {
        self.atr_len = atr.len().min(self.atr.len());
        self.atr[..self.atr_len].copy_from_slice(&atr[..self.atr_len]);
    }

    /// Whether the card was powered on, off, or the bus reset since the last call: the
    /// application then resets its volatile state before it takes the next command.
    pub fn take_reset(&mut self) -> bool {
        core::mem::take(&mut self.reset_pending)
    }

    /// Copies the waiting command APDU into `out` and returns its length and the token to
    /// answer it with. `None` when there is none (or `out` is too short: the host gets an
    /// error).
    pub fn take_command(&mut self, out: &mut [u8]) -> Option<(usize, Token)> {
        if self.command != Command::Ready {
            return None;
        }
        let Some(dst) = out.get_mut(..self.io_len) else {
            self.command = Command::Running { since: None };
            self.fail_command(HW_ERROR);
            return None;
        };
        dst.copy_from_slice(&self.io[..self.io_len]);
        self.command = Command::Running { since: None };
        Some((self.io_len, Token(self.generation)))
    }

    /// Whether the host has powered the card (IccPowerOn, and no IccPowerOff or bus reset
    /// since).
    pub fn is_powered(&self) -> bool {
        self.powered
    }

    /// Whether a command is waiting for, or being worked on by, the application.
    pub fn is_busy(&self) -> bool {
        matches!(self.command, Command::Ready | Command::Running { .. })
    }

    /// The application's response APDU to the command of `token`. Dropped if the token is
    /// stale; a response longer than the buffer becomes an error for the host.
    pub fn respond(&mut self, token: Token, response: &[u8]) {
        if token != Token(self.generation) || !matches!(self.command, Command::Running { .. }) {
            return;
        }
        if response.len() > N - HEADER {
            self.fail_command(HW_ERROR);
            return;
        }
        let status = self.icc();
        header(
            &mut self.io,
            RDR_TO_PC_DATA_BLOCK,
            response.len(),
            self.seq,
            status,
            0,
            0,
        );
        self.io[HEADER..HEADER + response.len()].copy_from_slice(response);
        self.io_len = HEADER + response.len();
        self.command = Command::Answered;
    }

    /// Called regularly (every 100–250 ms) with a monotonic time: while a command runs,
    /// requests a time extension from the host every [`WTX_INTERVAL_MS`], so that its driver
    /// keeps waiting however long the command takes.
    pub fn tick(&mut self, now_ms: u64) {
        let Command::Running { since } = self.command else {
            return;
        };
        match since {
            None => {
                self.command = Command::Running {
                    since: Some(now_ms),
                }
            }
            Some(t) if now_ms.saturating_sub(t) >= WTX_INTERVAL_MS => {
                // bError of a time extension: the multiplier of the waiting time.
                let status = TIME_EXTENSION | self.icc();
                self.push_short(RDR_TO_PC_DATA_BLOCK, &[], self.seq, status, 1, 0);
                self.command = Command::Running {
                    since: Some(now_ms),
                };
            }
            Some(_) => {}
        }
    }

    /// A USB bus reset (or the configuration going away): everything is forgotten, the card is
    /// powered off, a running command's answer will be dropped.
    pub fn usb_reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.rx_len = 0;
        self.rx_dropped = 0;
        self.command = Command::Idle;
        self.powered = false;
        self.reset_pending = true;
        self.queued = 0;
        self.tx = Tx::Idle;
    }

    fn icc(&self) -> u8 {
        if self.powered {
            ICC_ACTIVE
        } else {
            ICC_INACTIVE
        }
    }

    /// One bulk-out packet from the host.
    pub fn receive(&mut self, packet: &[u8]) {
        if self.rx_len == 0 && self.rx_dropped == 0 && packet.len() < HEADER {
            return; // not a message: ignored (CCID hosts send whole headers)
        }
        let room = N - self.rx_len;
        let take = packet.len().min(room);
        self.rx[self.rx_len..self.rx_len + take].copy_from_slice(&packet[..take]);
        self.rx_len += take;
        self.rx_dropped += packet.len() - take;
        let declared =
            u32::from_le_bytes([self.rx[1], self.rx[2], self.rx[3], self.rx[4]]) as usize;
        let expected = HEADER.saturating_add(declared);
        let received = self.rx_len + self.rx_dropped;
        let short = packet.len() < PACKET;
        if received < expected && !short {
            return; // more packets to come
        }
        self.rx_len = 0;
        self.rx_dropped = 0;
        if received < expected || expected > N {
            let status = FAILED | self.icc();
            self.push_short(
                answer_type(self.rx[0]),
                &[],
                self.rx[6],
                status,
                BAD_LENGTH,
                0,
            );
            return;
        }
        self.handle(expected);
    }

    fn handle(&mut self, len: usize) {
        let kind = self.rx[0];
        let seq = self.rx[6];
        let answer = answer_type(kind);
        if self.rx[5] != 0 {
            self.push_short(answer, &[], seq, FAILED | ICC_ABSENT, BAD_SLOT, 0);
            return;
        }
        if kind == PC_TO_RDR_ABORT {
            // Whatever runs is abandoned: its answer, when it comes, is dropped.
            if self.is_busy() || self.command == Command::Answered {
                self.generation = self.generation.wrapping_add(1);
                self.command = Command::Idle;
                if matches!(self.tx, Tx::Io { .. }) {
                    self.tx = Tx::Idle;
                }
            }
            self.push_short(RDR_TO_PC_SLOT_STATUS, &[], seq, self.icc(), 0, 0);
            return;
        }
        if self.command == Command::Answered {
            if let Tx::Io {
                sent,
                in_flight: true,
            } = self.tx
            {
                if finished(sent, self.io_len) {
                    // The host has the whole response (it sends its next command only then);
                    // the endpoint's completion event is merely still pending.
                    self.command = Command::Idle;
                    self.tx = Tx::Idle;
                }
            }
        }
        if self.command != Command::Idle {
            // One command at a time: the host must wait for the answer (or abort).
            let status = FAILED | self.icc();
            self.push_short(answer, &[], seq, status, CMD_SLOT_BUSY, 0);
            return;
        }
        let icc = self.icc();
        match kind {
            PC_TO_RDR_ICC_POWER_ON => {
                self.powered = true;
                self.reset_pending = true;
                let (atr, n) = (self.atr, self.atr_len);
                self.push_short(RDR_TO_PC_DATA_BLOCK, &atr[..n], seq, ICC_ACTIVE, 0, 0);
            }
            PC_TO_RDR_ICC_POWER_OFF => {
                self.powered = false;
                self.reset_pending = true;
                self.push_short(RDR_TO_PC_SLOT_STATUS, &[], seq, ICC_INACTIVE, 0, 0);
            }
            PC_TO_RDR_GET_SLOT_STATUS => {
                self.push_short(RDR_TO_PC_SLOT_STATUS, &[], seq, icc, 0, 0);
            }
            PC_TO_RDR_XFR_BLOCK => {
                let level = u16::from_le_bytes([self.rx[8], self.rx[9]]);
                if !self.powered {
                    let status = FAILED | ICC_INACTIVE;
                    self.push_short(RDR_TO_PC_DATA_BLOCK, &[], seq, status, ICC_MUTE, 0);
                } else if level != 0 {
                    // APDU chaining at the CCID level is not needed: dwMaxCCIDMsgLen holds the
                    // longest APDU.
                    let status = FAILED | icc;
                    self.push_short(
                        RDR_TO_PC_DATA_BLOCK,
                        &[],
                        seq,
                        status,
                        BAD_LEVEL_PARAMETER,
                        0,
                    );
                } else {
                    let apdu = len - HEADER;
                    self.io[..apdu].copy_from_slice(&self.rx[HEADER..len]);
                    self.io_len = apdu;
                    self.seq = seq;
                    self.generation = self.generation.wrapping_add(1);
                    self.command = Command::Ready;
                }
            }
            PC_TO_RDR_GET_PARAMETERS | PC_TO_RDR_RESET_PARAMETERS | PC_TO_RDR_SET_PARAMETERS => {
                // Always T=1 (bProtocolNum in the header's last byte).
                self.push_short(RDR_TO_PC_PARAMETERS, &T1_PARAMETERS, seq, icc, 0, 1);
            }
            PC_TO_RDR_SET_DATA_RATE => {
                let mut data = [0u8; 8];
                data[..4].copy_from_slice(&CLOCK_KHZ.to_le_bytes());
                data[4..].copy_from_slice(&DATA_RATE_BPS.to_le_bytes());
                self.push_short(RDR_TO_PC_DATA_RATE, &data, seq, icc, 0, 0);
            }
            _ => {
                self.push_short(answer, &[], seq, FAILED | icc, CMD_NOT_SUPPORTED, 0);
            }
        }
    }

    /// Answers the running command with an error instead of a response.
    fn fail_command(&mut self, error: u8) {
        let status = FAILED | self.icc();
        header(
            &mut self.io,
            RDR_TO_PC_DATA_BLOCK,
            0,
            self.seq,
            status,
            error,
            0,
        );
        self.io_len = HEADER;
        self.command = Command::Answered;
    }

    #[allow(clippy::too_many_arguments)]
    fn push_short(&mut self, kind: u8, data: &[u8], seq: u8, status: u8, error: u8, last: u8) {
        if self.queued == QUEUE {
            return; // a host that floods the slot loses answers
        }
        let (buf, len) = &mut self.queue[self.queued];
        header(buf, kind, data.len(), seq, status, error, last);
        buf[HEADER..HEADER + data.len()].copy_from_slice(data);
        *len = HEADER + data.len();
        self.queued += 1;
    }

    /// The next bulk-in packet to write, if the endpoint is free and something is to be sent
    /// (an empty packet ends a message whose length is a multiple of [`PACKET`]).
    pub fn next_packet(&mut self) -> Option<&[u8]> {
        if self.tx == Tx::Idle {
            if self.queued > 0 {
                self.tx = Tx::Short {
                    sent: 0,
                    in_flight: false,
                };
            } else if self.command == Command::Answered {
                self.tx = Tx::Io {
                    sent: 0,
                    in_flight: false,
                };
            } else {
                return None;
            }
        }
        let (message, sent) = match self.tx {
            Tx::Short {
                in_flight: true, ..
            }
            | Tx::Io {
                in_flight: true, ..
            }
            | Tx::Idle => return None,
            Tx::Short { sent, .. } => (&self.queue[0].0[..self.queue[0].1], sent),
            Tx::Io { sent, .. } => (&self.io[..self.io_len], sent),
        };
        let end = (sent + PACKET).min(message.len());
        Some(&message[sent..end])
    }

    /// The packet from [`next_packet`](Self::next_packet) was handed to the endpoint.
    pub fn packet_written(&mut self, n: usize) {
        match &mut self.tx {
            Tx::Short { sent, in_flight } | Tx::Io { sent, in_flight } => {
                *sent += n;
                *in_flight = true;
                if n == 0 {
                    // The zero-length packet: mark it by a sent count past the end.
                    *sent += 1;
                }
            }
            Tx::Idle => {}
        }
    }

    /// The endpoint finished sending the last packet.
    pub fn in_complete(&mut self) {
        let (len, sent) = match self.tx {
            Tx::Short { sent, .. } => (self.queue[0].1, sent),
            Tx::Io { sent, .. } => (self.io_len, sent),
            Tx::Idle => return,
        };
        let done = finished(sent, len);
        match &mut self.tx {
            Tx::Short { in_flight, .. } | Tx::Io { in_flight, .. } => *in_flight = false,
            Tx::Idle => {}
        }
        if !done {
            return;
        }
        if matches!(self.tx, Tx::Short { .. }) {
            self.queue.copy_within(1.., 0);
            self.queued -= 1;
        } else {
            self.command = Command::Idle;
        }
        self.tx = Tx::Idle;
    }
}

/// Whether a message of `len` bytes is completely handed over after `sent`: after its last
/// short packet, or after the zero-length packet that follows a message ending on a full
/// packet (counted as one byte past the end).
fn finished(sent: usize, len: usize) -> bool {
    sent > len || (sent == len && !len.is_multiple_of(PACKET))
}

/// The message type of the answer to a command of type `kind`.
fn answer_type(kind: u8) -> u8 {
    match kind {
        PC_TO_RDR_ICC_POWER_ON | PC_TO_RDR_XFR_BLOCK => RDR_TO_PC_DATA_BLOCK,
        PC_TO_RDR_GET_PARAMETERS | PC_TO_RDR_RESET_PARAMETERS | PC_TO_RDR_SET_PARAMETERS => {
            RDR_TO_PC_PARAMETERS
        }
        PC_TO_RDR_ESCAPE => RDR_TO_PC_ESCAPE,
        PC_TO_RDR_SET_DATA_RATE => RDR_TO_PC_DATA_RATE,
        _ => RDR_TO_PC_SLOT_STATUS,
    }
}

/// Writes a bulk-in message header: type, length, slot 0, sequence, status, error and the
/// type-specific last byte (chain parameter, clock status or protocol number).
fn header(buf: &mut [u8], kind: u8, len: usize, seq: u8, status: u8, error: u8, last: u8) {
    buf[0] = kind;
    buf[1..5].copy_from_slice(&(len as u32).to_le_bytes());
    buf[5] = 0;
    buf[6] = seq;
    buf[7] = status;
    buf[8] = error;
    buf[9] = last;
}
