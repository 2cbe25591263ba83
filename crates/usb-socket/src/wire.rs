//! The framing of USB transfers on the socket between the test libusb (`libusb/libusb.c`, in
//! pcscd) and the device. One request, then its reply; the host sends the next request only
//! after the reply. Little-endian throughout.
//!
//! Request, host to device: a 20-byte header, then `length` bytes of data for an OUT
//! transfer (none for IN: `length` is then the most the host takes).
//!
//! | offset | size | field |
//! |---:|---:|---|
//! | 0 | 1 | kind: 1 control, 2 bulk or interrupt, 3 bus reset |
//! | 1 | 1 | endpoint address (bit 7: IN) |
//! | 2 | 2 | zero |
//! | 4 | 4 | length |
//! | 8 | 4 | timeout in ms (0: none) |
//! | 12 | 8 | the SETUP packet (control; zero otherwise) |
//!
//! Reply, device to host: status (i32, a libusb error code: 0 done, -7 timed out, -9 stalled,
//! -4 no device), length (u32), then `length` bytes of IN data.

/// Bytes in a request header.
pub const REQUEST_HEADER: usize = 20;
/// Bytes in a reply header.
pub const REPLY_HEADER: usize = 8;
/// The longest transfer either side accepts (a CCID message is at most 4 KiB here; libccid's
/// read buffer is 65 KiB).
pub const MAX_TRANSFER: usize = 1 << 20;

/// libusb's status codes, as the reply carries them.
pub mod status {
    /// Done.
    pub const OK: i32 = 0;
    /// Input/output error.
    pub const IO: i32 = -1;
    /// Invalid parameter.
    pub const INVALID_PARAM: i32 = -2;
    /// The device is gone.
    pub const NO_DEVICE: i32 = -4;
    /// Timed out.
    pub const TIMEOUT: i32 = -7;
    /// The device sent more than asked for.
    pub const OVERFLOW: i32 = -8;
    /// The endpoint stalled (a control request refused).
    pub const PIPE: i32 = -9;
}

/// What a request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A control transfer on endpoint 0 (USB 2.0 §9.3).
    Control,
    /// A bulk or interrupt transfer on the endpoint.
    Data,
    /// A bus reset (USB 2.0 §7.1.7.5); the host enumerates again afterwards.
    Reset,
}

/// A request header, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// What it asks for.
    pub kind: Kind,
    /// The endpoint address.
    pub endpoint: u8,
    /// OUT: the data bytes that follow; IN: the most the host takes.
    pub length: usize,
    /// Milliseconds the host waits (0: no limit).
    pub timeout_ms: u32,
    /// The SETUP packet of a control transfer.
    pub setup: [u8; 8],
}

/// Why a request header is refused (the connection is then closed: the host is broken).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// An unknown kind.
    Kind(u8),
    /// A length above [`MAX_TRANSFER`].
    Length(u32),
}

impl Request {
    /// Parses a header.
    pub fn parse(header: &[u8; REQUEST_HEADER]) -> Result<Request, Malformed> {
        let [kind, endpoint, _, _, l0, l1, l2, l3, t0, t1, t2, t3, s @ ..] = *header;
        let kind = match kind {
            1 => Kind::Control,
            2 => Kind::Data,
            3 => Kind::Reset,
            other => return Err(Malformed::Kind(other)),
        };
        let length = u32::from_le_bytes([l0, l1, l2, l3]);
        if length as usize > MAX_TRANSFER {
            return Err(Malformed::Length(length));
        }
        Ok(Request {
            kind,
            endpoint,
            length: length as usize,
            timeout_ms: u32::from_le_bytes([t0, t1, t2, t3]),
            setup: s,
        })
    }

    /// Whether the transfer carries data from the device (control: by bmRequestType).
    pub fn is_in(&self) -> bool {
        match self.kind {
            Kind::Control => self.setup[0] & 0x80 != 0,
            Kind::Data => self.endpoint & 0x80 != 0,
            Kind::Reset => false,
        }
    }

    /// The OUT data bytes that follow the header.
    pub fn out_length(&self) -> usize {
        match self.kind {
            Kind::Control | Kind::Data if !self.is_in() => self.length,
            _ => 0,
        }
    }

    /// wLength of the SETUP packet.
    pub fn setup_length(&self) -> usize {
        usize::from(u16::from_le_bytes([self.setup[6], self.setup[7]]))
    }

    /// The header's bytes (the host's side; for tests).
    pub fn emit(&self) -> [u8; REQUEST_HEADER] {
        let mut out = [0u8; REQUEST_HEADER];
        out[0] = match self.kind {
            Kind::Control => 1,
            Kind::Data => 2,
            Kind::Reset => 3,
        };
        out[1] = self.endpoint;
        out[4..8].copy_from_slice(&(self.length as u32).to_le_bytes());
        out[8..12].copy_from_slice(&self.timeout_ms.to_le_bytes());
        out[12..].copy_from_slice(&self.setup);
        out
    }
}

/// A reply header.
pub fn reply_header(status: i32, length: usize) -> [u8; REPLY_HEADER] {
    let mut out = [0u8; REPLY_HEADER];
    out[..4].copy_from_slice(&status.to_le_bytes());
    out[4..].copy_from_slice(&(length as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_round_trips() {
        let request = Request {
            kind: Kind::Control,
            endpoint: 0,
            length: 18,
            timeout_ms: 1000,
            setup: [0x80, 6, 0, 1, 0, 0, 18, 0],
        };
        assert_eq!(Request::parse(&request.emit()), Ok(request));
        assert!(request.is_in());
        assert_eq!(request.out_length(), 0);
        assert_eq!(request.setup_length(), 18);
    }

    #[test]
    fn unknown_kinds_and_huge_lengths_are_refused() {
        let mut header = [0u8; REQUEST_HEADER];
        assert_eq!(Request::parse(&header), Err(Malformed::Kind(0)));
        header[0] = 2;
        header[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Request::parse(&header), Err(Malformed::Length(u32::MAX)));
    }

    #[test]
    fn a_control_out_carries_its_length() {
        let request = Request {
            kind: Kind::Control,
            endpoint: 0,
            length: 100,
            timeout_ms: 0,
            setup: [0x21, 1, 0, 0, 0, 0, 4, 0],
        };
        assert_eq!(request.out_length(), 100);
        assert_eq!(request.setup_length(), 4);
    }
}
