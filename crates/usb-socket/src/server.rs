//! The USB interrupt's side of a host connection: one request of the socket's framing
//! ([`crate::wire`]) at a time, carried out by the [`Controller`] and answered, until the host
//! closes the connection or the device stops, is reset or re-plugged.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::controller::Controller;
use crate::device::Shared;
use crate::wire::{self, status, Kind, Request, REQUEST_HEADER};

/// Serves one host connection: request, transfer, reply, until it closes or the device
/// stops.
pub(crate) fn serve<P: FnMut()>(
    controller: &mut Controller<'_, P>,
    mut stream: UnixStream,
    shared: &Shared,
) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    let mut data = Vec::new();
    loop {
        let mut header = [0u8; REQUEST_HEADER];
        // Wait for the first byte a little at a time, to notice a stop.
        stream.set_read_timeout(Some(Duration::from_millis(50)))?;
        loop {
            if shared.stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            if shared.replugs.load(Ordering::SeqCst) > 0 {
                shared.replugs.fetch_sub(1, Ordering::SeqCst);
                shared.events.fetch_sub(1, Ordering::SeqCst);
                return Ok(());
            }
            if shared.resets.load(Ordering::SeqCst) > 0 {
                shared.resets.fetch_sub(1, Ordering::SeqCst);
                shared.events.fetch_sub(1, Ordering::SeqCst);
                controller.bus_reset();
                controller.enumerate();
            }
            match stream.read(&mut header[..1]) {
                Ok(0) => return Ok(()),
                Ok(_) => break,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.read_exact(&mut header[1..])?;
        let request = Request::parse(&header)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{e:?}")))?;
        data.resize(request.out_length(), 0);
        stream.read_exact(&mut data)?;
        // The reply's length: IN, the bytes that follow; OUT, the bytes the device took.
        let (code, reply, moved) = match request.kind {
            Kind::Data if !request.is_in() => {
                let (code, sent) = controller.data_out(request.endpoint, &data, request.timeout_ms);
                (code, Vec::new(), sent)
            }
            kind => {
                let (code, reply) = match kind {
                    Kind::Reset => controller.bus_reset(),
                    Kind::Control => controller.control(request.setup, &data, request.timeout_ms),
                    _ => controller.data_in(request.endpoint, request.length, request.timeout_ms),
                };
                if request.is_in() {
                    let n = reply.len();
                    (code, reply, n)
                } else {
                    let n = if code == status::OK { data.len() } else { 0 };
                    (code, Vec::new(), n)
                }
            }
        };
        if request.kind == Kind::Data && is_time_extension(&reply) {
            shared.time_extensions.fetch_add(1, Ordering::SeqCst);
        }
        let code = if shared.stop.load(Ordering::SeqCst) && code == status::TIMEOUT {
            status::NO_DEVICE
        } else {
            code
        };
        stream.write_all(&wire::reply_header(code, moved))?;
        stream.write_all(&reply)?;
    }
}

/// Whether a bulk-in message is a time extension request: RDR_to_PC_DataBlock whose
/// bmCommandStatus (bStatus bits 6-7) is 2 (CCID 1.1 §6.2.6).
fn is_time_extension(message: &[u8]) -> bool {
    matches!(message, [0x80, _, _, _, _, _, _, status, ..] if status >> 6 == 2)
}
