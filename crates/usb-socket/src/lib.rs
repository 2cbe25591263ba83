//! The applet's USB transport on the host, driven by the unmodified pcscd and libccid.
//!
//! The chain: pcscd → libccid (the Debian package's driver) → libusb-1.0's API → **a test
//! libusb** (`libusb/libusb.c`, loaded into pcscd with `LD_LIBRARY_PATH`) → a Unix socket,
//! framed as [`wire`] says → **the device**: `usb-device` 0.3, `crates/ccid-class` and the
//! applet, glued by `crates/usb-card` as on the nRF52840 board, on [`SocketBus`], a `UsbBus`
//! whose endpoint buffers [`controller`] fills and empties as a host controller would.
//!
//! No kernel module (USB/IP needs `vhci-hcd`), no change to pcscd or libccid: a firmware's CCID
//! class meets the real driver. `run.sh` starts it all in namespaces of its own.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bus;
pub mod controller;
pub mod device;
pub mod wire;

pub use bus::SocketBus;
pub use device::{run, Handle, Options};
