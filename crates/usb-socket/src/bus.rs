//! A `usb-device` bus whose endpoints are buffers that the host controller emulation
//! ([`crate::controller`]) fills and empties: one packet per endpoint and direction, as a
//! device controller's endpoint buffers hold (USB 2.0 §8.4, §8.5).

use std::sync::{Arc, Mutex, MutexGuard};

use usb_device::bus::{PollResult, UsbBus};
use usb_device::endpoint::{EndpointAddress, EndpointType};
use usb_device::{Result, UsbDirection, UsbError};

/// Endpoint numbers the bus has (0 to 7).
pub const ENDPOINTS: usize = 8;

/// One endpoint number, both directions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Endpoint {
    pub out_allocated: bool,
    pub in_allocated: bool,
    pub out_max: usize,
    pub in_max: usize,
    /// The packet the host sent, not yet read by the device; `true` for a SETUP packet.
    pub out: Option<(Vec<u8>, bool)>,
    /// The packet the device wrote, not yet taken by the host.
    pub in_: Option<Vec<u8>>,
    /// The host took the IN packet: the device has not yet been told.
    pub in_complete: bool,
    pub out_stalled: bool,
    pub in_stalled: bool,
}

/// The bus state, shared with the controller.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub endpoints: [Endpoint; ENDPOINTS],
    pub reset_pending: bool,
    pub address: u8,
}

/// The `UsbBus` the device's `usb-device` stack runs on. Cheap to clone: the controller holds
/// the other handle.
#[derive(Clone, Debug, Default)]
pub struct SocketBus {
    state: Arc<Mutex<State>>,
}

impl SocketBus {
    /// A bus with no endpoint allocated.
    pub fn new() -> SocketBus {
        SocketBus::default()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl UsbBus for SocketBus {
    fn alloc_ep(
        &mut self,
        ep_dir: UsbDirection,
        ep_addr: Option<EndpointAddress>,
        _ep_type: EndpointType,
        max_packet_size: u16,
        _interval: u8,
    ) -> Result<EndpointAddress> {
        let mut state = self.state();
        let free = |e: &Endpoint| match ep_dir {
            UsbDirection::Out => !e.out_allocated,
            UsbDirection::In => !e.in_allocated,
        };
        let index = match ep_addr {
            Some(addr) => {
                let i = addr.index();
                match state.endpoints.get(i) {
                    Some(e) if free(e) => i,
                    Some(_) => return Err(UsbError::InvalidEndpoint),
                    None => return Err(UsbError::InvalidEndpoint),
                }
            }
            None => (1..ENDPOINTS)
                .find(|&i| free(&state.endpoints[i]))
                .ok_or(UsbError::EndpointOverflow)?,
        };
        let endpoint = &mut state.endpoints[index];
        match ep_dir {
            UsbDirection::Out => {
                endpoint.out_allocated = true;
                endpoint.out_max = usize::from(max_packet_size);
            }
            UsbDirection::In => {
                endpoint.in_allocated = true;
                endpoint.in_max = usize::from(max_packet_size);
            }
        }
        Ok(EndpointAddress::from_parts(index, ep_dir))
    }

    fn enable(&mut self) {}

    fn reset(&self) {
        let mut state = self.state();
        for e in state.endpoints.iter_mut() {
            e.out = None;
            e.in_ = None;
            e.in_complete = false;
            e.out_stalled = false;
            e.in_stalled = false;
        }
        state.address = 0;
    }

    fn set_device_address(&self, addr: u8) {
        self.state().address = addr;
    }

    fn write(&self, ep_addr: EndpointAddress, buf: &[u8]) -> Result<usize> {
        let mut state = self.state();
        let e = state
            .endpoints
            .get_mut(ep_addr.index())
            .filter(|e| e.in_allocated)
            .ok_or(UsbError::InvalidEndpoint)?;
        if e.in_.is_some() {
            return Err(UsbError::WouldBlock);
        }
        if buf.len() > e.in_max {
            return Err(UsbError::BufferOverflow);
        }
        e.in_ = Some(buf.to_vec());
        Ok(buf.len())
    }

    fn read(&self, ep_addr: EndpointAddress, buf: &mut [u8]) -> Result<usize> {
        let mut state = self.state();
        let e = state
            .endpoints
            .get_mut(ep_addr.index())
            .filter(|e| e.out_allocated)
            .ok_or(UsbError::InvalidEndpoint)?;
        let Some((packet, _)) = &e.out else {
            return Err(UsbError::WouldBlock);
        };
        let n = packet.len();
        let dst = buf.get_mut(..n).ok_or(UsbError::BufferOverflow)?;
        dst.copy_from_slice(packet);
        e.out = None;
        Ok(n)
    }

    fn set_stalled(&self, ep_addr: EndpointAddress, stalled: bool) {
        let mut state = self.state();
        if let Some(e) = state.endpoints.get_mut(ep_addr.index()) {
            match ep_addr.direction() {
                UsbDirection::Out => e.out_stalled = stalled,
                UsbDirection::In => e.in_stalled = stalled,
            }
        }
    }

    fn is_stalled(&self, ep_addr: EndpointAddress) -> bool {
        let state = self.state();
        state
            .endpoints
            .get(ep_addr.index())
            .is_some_and(|e| match ep_addr.direction() {
                UsbDirection::Out => e.out_stalled,
                UsbDirection::In => e.in_stalled,
            })
    }

    fn suspend(&self) {}

    fn resume(&self) {}

    fn poll(&self) -> PollResult {
        let mut state = self.state();
        if std::mem::take(&mut state.reset_pending) {
            return PollResult::Reset;
        }
        let (mut ep_out, mut ep_in_complete, mut ep_setup) = (0u16, 0u16, 0u16);
        for (i, e) in state.endpoints.iter_mut().enumerate() {
            match e.out {
                Some((_, true)) => ep_setup |= 1 << i,
                Some((_, false)) => ep_out |= 1 << i,
                None => {}
            }
            if std::mem::take(&mut e.in_complete) {
                ep_in_complete |= 1 << i;
            }
        }
        if ep_out | ep_in_complete | ep_setup == 0 {
            PollResult::None
        } else {
            PollResult::Data {
                ep_out,
                ep_in_complete,
                ep_setup,
            }
        }
    }
}
