//! The APDU layer: command parsing, command chaining, and response delivery with GET RESPONSE.
//!
//! [`Exchange`] is sans-IO: it takes one command APDU and a response buffer, reassembles
//! chains, calls a [`Handler`] with the complete command, and serves the handler's answer in pieces
//! as the Le of each command (and the size of the caller's buffer) allows. It knows nothing of
//! OpenPGP; the card is the handler below it.
//!
//! Rules (ISO 7816-4 §5.1.1.1 chaining, §7.6.1 GET RESPONSE):
//! - A block with CLA bit 0x10 starts or continues a chain and is answered 9000. The chain is
//!   reassembled up to `max_command_len` bytes; beyond that it is dropped and answered 6700.
//! - A continuation whose INS/P1/P2 differ from the chain's first block: if it is itself
//!   chained, the chain is dropped and the block answered 6883; if it is a plain command, the
//!   chain is dropped and the command processed on its own (another command "in the middle of a
//!   chain aborts the chain").
//! - A response longer than Le, or than the caller's buffer, is delivered in parts: each part
//!   ends with 61xx (xx = bytes left, 00 for 256 or more) and the rest is fetched with GET
//!   RESPONSE (`00 C0 00 00 Le`). Any other command discards what is left.
//! - Without Le the applet assumes a short Le (256).

mod command;
mod error;

pub use command::{Class, CommandApdu, CLA_CHAINING};
pub use error::Error;

use alloc::boxed::Box;
use alloc::vec;
use core::marker::PhantomData;
use zeroize::Zeroize;

use crate::status::Status;
use crate::tlv::Writer;

/// INS of GET RESPONSE.
pub const INS_GET_RESPONSE: u8 = 0xC0;

/// A complete command as the handler sees it, after chaining.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// The data field, reassembled if it was chained.
    pub data: &'a [u8],
    /// Ne of the last block (`None` when absent).
    pub le: Option<u32>,
    /// The class was the proprietary `80` (see [`Class::proprietary`]).
    pub proprietary: bool,
}

impl<'a> Request<'a> {
    /// The request of `apdu`'s header and Le with `data` (its own, or a reassembled chain).
    fn of(apdu: &CommandApdu<'_>, data: &'a [u8]) -> Request<'a> {
        Request {
            ins: apdu.ins,
            p1: apdu.p1,
            p2: apdu.p2,
            data,
            le: apdu.le,
            proprietary: apdu.cla & !CLA_CHAINING == command::CLA_PROPRIETARY,
        }
    }
}

/// What runs a complete command: the application below the exchange. It writes its answer's
/// data into `reply`; an error becomes the response's status word through the application's
/// own mapping, and so do the exchange's errors, converted into the application's first.
pub trait Handler {
    /// The application's error: the exchange's [`Error`]s convert into it, and it into a
    /// [`Status`].
    type Error: From<Error> + Into<Status>;

    /// Runs one complete command (after chaining).
    fn handle(&mut self, request: Request<'_>, reply: &mut Writer<'_>) -> Result<(), Self::Error>;
}

/// A [`Handler`] made of a closure (as `core::iter::from_fn` makes an iterator of one), whose
/// error type `E` is the application's: for tests, fuzzing and a caller without an application
/// type of its own.
pub fn from_fn<F, E>(handle: F) -> FromFn<F, E>
where
    F: FnMut(Request<'_>, &mut Writer<'_>) -> Result<(), E>,
    E: From<Error> + Into<Status>,
{
    FromFn(handle, PhantomData)
}

/// The handler [`from_fn`] makes.
#[derive(Clone, Debug)]
pub struct FromFn<F, E>(F, PhantomData<fn() -> E>);

impl<F, E> Handler for FromFn<F, E>
where
    F: FnMut(Request<'_>, &mut Writer<'_>) -> Result<(), E>,
    E: From<Error> + Into<Status>,
{
    type Error = E;

    fn handle(&mut self, request: Request<'_>, reply: &mut Writer<'_>) -> Result<(), E> {
        (self.0)(request, reply)
    }
}

/// Chaining and response state between APDUs.
pub struct Exchange {
    chain: Box<[u8]>,
    chain_len: usize,
    /// INS, P1, P2 and the class's proprietary bit of the chain's first block.
    chain_header: Option<[u8; 4]>,
    reply: Box<[u8]>,
    reply_len: usize,
    reply_sent: usize,
}

impl Exchange {
    /// Allocates the chaining buffer (`max_command_len`) and the response buffer
    /// (`max_response_len`) once; nothing is allocated per APDU.
    pub fn new(max_command_len: usize, max_response_len: usize) -> Exchange {
        Exchange {
            chain: vec![0u8; max_command_len].into_boxed_slice(),
            chain_len: 0,
            chain_header: None,
            reply: vec![0u8; max_response_len].into_boxed_slice(),
            reply_len: 0,
            reply_sent: 0,
        }
    }

    /// Forgets any chain in progress and any response not yet fetched, wiping both buffers.
    pub fn reset(&mut self) {
        self.drop_chain();
        self.drop_reply();
    }

    /// Whether a chain is being reassembled.
    pub fn in_chain(&self) -> bool {
        self.chain_header.is_some()
    }

    /// Whether part of a response waits for GET RESPONSE.
    pub fn has_pending_response(&self) -> bool {
        self.reply_sent < self.reply_len
    }

    fn drop_chain(&mut self) {
        if let Some(used) = self.chain.get_mut(..self.chain_len) {
            used.zeroize();
        }
        self.chain_len = 0;
        self.chain_header = None;
    }

    fn drop_reply(&mut self) {
        if let Some(used) = self.reply.get_mut(..self.reply_len) {
            used.zeroize();
        }
        self.reply_len = 0;
        self.reply_sent = 0;
    }

    /// Processes one command APDU, writing the response APDU (data and SW1 SW2) into `output`
    /// and returning its length.
    ///
    /// # Panics
    /// Never. If `output` is shorter than two bytes nothing is written and 0 is returned.
    pub fn process<H: Handler>(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        handler: &mut H,
    ) -> usize {
        if output.len() < 2 {
            return 0;
        }
        match self.exchange(input, output, handler) {
            Ok(len) => len,
            Err(error) => write_status(output, 0, error.into()),
        }
    }

    fn exchange<H: Handler>(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        handler: &mut H,
    ) -> Result<usize, H::Error> {
        let apdu = match CommandApdu::parse(input) {
            Ok(apdu) => apdu,
            Err(error) => {
                self.reset();
                return Err(error.into());
            }
        };
        let class = match Class::parse(apdu.cla) {
            Ok(class) => class,
            Err(error) => {
                self.reset();
                return Err(error.into());
            }
        };

        if apdu.ins == INS_GET_RESPONSE && !class.chaining && !class.proprietary && !self.in_chain()
        {
            return self.get_response(&apdu, output).map_err(H::Error::from);
        }
        self.drop_reply();

        // A chain continues only with the same instruction, parameters and class kind: a
        // proprietary (80) chain cannot end as an interindustry command, nor the reverse.
        let header = [apdu.ins, apdu.p1, apdu.p2, u8::from(class.proprietary)];
        if let Some(chain_header) = self.chain_header {
            if chain_header != header {
                self.drop_chain();
                if class.chaining {
                    return Err(Error::ChainMismatch.into());
                }
                // Fall through: a plain command after an abandoned chain.
            } else {
                self.append(apdu.data)?;
                if class.chaining {
                    return Ok(write_status(output, 0, Status::Success));
                }
                let result = {
                    let data = self.chain.get(..self.chain_len).unwrap_or(&[]);
                    run(handler, Request::of(&apdu, data), &mut self.reply)
                };
                self.drop_chain();
                return self.finish(result, apdu.le, output);
            }
        }

        if class.chaining {
            if apdu.ins == INS_GET_RESPONSE {
                return Err(Error::ChainingNotSupported.into());
            }
            self.chain_header = Some(header);
            self.append(apdu.data)?;
            return Ok(write_status(output, 0, Status::Success));
        }
        if apdu.data.len() > self.chain.len() {
            return Err(Error::WrongLength.into());
        }
        let result = run(handler, Request::of(&apdu, apdu.data), &mut self.reply);
        self.finish(result, apdu.le, output)
    }

    /// Runs `handler` on one complete command, for a caller that does chaining and GET RESPONSE
    /// itself (an ISO 7816 dispatcher): the answer is returned whole, whatever Le says, and stays
    /// in the response buffer until the next call, [`reset`](Self::reset) or drop wipes it.
    ///
    /// Any chain or pending response of [`process`](Self::process) is dropped first. The class
    /// byte is checked as `process` checks it; a command that still announces chaining (CLA bit
    /// 0x10) is refused with 6884, and a data field longer than `max_command_len` with 6700.
    ///
    /// # Panics
    /// Never.
    pub fn respond<H: Handler>(
        &mut self,
        command: &CommandApdu<'_>,
        handler: &mut H,
    ) -> Result<&[u8], H::Error> {
        self.reset();
        if Class::parse(command.cla)?.chaining {
            return Err(Error::ChainingNotSupported.into());
        }
        if command.data.len() > self.chain.len() {
            return Err(Error::WrongLength.into());
        }
        match run(handler, Request::of(command, command.data), &mut self.reply) {
            Ok(len) => {
                // Delivered at once: nothing is left for a GET RESPONSE through `process`.
                self.reply_len = len;
                self.reply_sent = len;
                Ok(self.reply.get(..len).unwrap_or(&[]))
            }
            Err(error) => {
                self.drop_reply_after_error();
                Err(error)
            }
        }
    }

    fn append(&mut self, data: &[u8]) -> Result<(), Error> {
        let end = self.chain_len.saturating_add(data.len());
        match self.chain.get_mut(self.chain_len..end) {
            Some(dst) => {
                dst.copy_from_slice(data);
                self.chain_len = end;
                Ok(())
            }
            None => {
                self.drop_chain();
                Err(Error::WrongLength)
            }
        }
    }

    fn finish<E>(
        &mut self,
        result: Result<usize, E>,
        le: Option<u32>,
        output: &mut [u8],
    ) -> Result<usize, E> {
        match result {
            Ok(len) => {
                self.reply_len = len;
                self.reply_sent = 0;
                Ok(self.deliver(le, output))
            }
            Err(error) => {
                self.drop_reply_after_error();
                Err(error)
            }
        }
    }

    fn drop_reply_after_error(&mut self) {
        // The handler may have written part of an answer before failing: wipe all of it.
        self.reply.zeroize();
        self.reply_len = 0;
        self.reply_sent = 0;
    }

    fn get_response(&mut self, apdu: &CommandApdu<'_>, output: &mut [u8]) -> Result<usize, Error> {
        if (apdu.p1, apdu.p2) != (0, 0) {
            self.drop_reply();
            return Err(Error::GetResponseP1P2);
        }
        if !apdu.data.is_empty() {
            self.drop_reply();
            return Err(Error::WrongLength);
        }
        if !self.has_pending_response() {
            return Err(Error::NoResponsePending);
        }
        Ok(self.deliver(apdu.le, output))
    }

    /// Copies the next part of the pending response into `output` and appends the status word.
    fn deliver(&mut self, le: Option<u32>, output: &mut [u8]) -> usize {
        let le = le.map_or(256, |le| le as usize);
        let available = self.reply_len.saturating_sub(self.reply_sent);
        let room = output.len().saturating_sub(2);
        let n = available.min(le).min(room);
        let start = self.reply_sent;
        if let (Some(dst), Some(src)) = (output.get_mut(..n), self.reply.get(start..start + n)) {
            dst.copy_from_slice(src);
        }
        self.reply_sent += n;
        let left = available - n;
        if left == 0 {
            self.drop_reply();
            write_status(output, n, Status::Success)
        } else {
            let xx = if left >= 256 { 0 } else { left as u8 };
            write_status(output, n, Status::BytesRemaining(xx))
        }
    }
}

fn run<H: Handler>(
    handler: &mut H,
    request: Request<'_>,
    reply: &mut [u8],
) -> Result<usize, H::Error> {
    let mut w = Writer::new(reply);
    handler.handle(request, &mut w)?;
    Ok(w.len())
}

/// Writes `status` after `len` data bytes; returns the total length. `output` has room for it
/// by construction (callers keep `len <= output.len() - 2`).
fn write_status(output: &mut [u8], len: usize, status: Status) -> usize {
    if let Some(sw) = output.get_mut(len..len + 2) {
        sw.copy_from_slice(&status.to_bytes());
        len + 2
    } else {
        0
    }
}

#[cfg(test)]
mod tests;
