//! A backend that the applet and the test hold together.

use alloc::rc::Rc;
use core::cell::{Ref, RefCell, RefMut};

use openpgp_card_applet::platform::{Clock, Presence, RecordId, Storage, UserPresence};

/// A cloneable handle on a backend: the applet is given one clone as its storage, clock or
/// user-presence device, and the test keeps another to look at or act on the same backend
/// between commands (damage a record, cut the power at a write, move the clock, script the
/// button). This is how the test kit's [`Card`](crate::Card) reaches the state of the
/// platform it built, without any test-only accessor on the applet.
///
/// Each call of the applet borrows the backend for the call's duration only; a borrow the test
/// still holds then panics ("already borrowed"), as any misuse of a `RefCell` does.
#[derive(Debug, Default)]
pub struct Shared<T>(Rc<RefCell<T>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared(Rc::clone(&self.0))
    }
}

impl<T> Shared<T> {
    /// A first handle on `backend`.
    pub fn new(backend: T) -> Shared<T> {
        Shared(Rc::new(RefCell::new(backend)))
    }

    /// The backend, to look at.
    pub fn borrow(&self) -> Ref<'_, T> {
        self.0.borrow()
    }

    /// The backend, to act on.
    pub fn borrow_mut(&self) -> RefMut<'_, T> {
        self.0.borrow_mut()
    }

    /// The backend itself, if this is its last handle; the handle back otherwise.
    pub fn try_into_inner(self) -> Result<T, Shared<T>> {
        Rc::try_unwrap(self.0)
            .map(RefCell::into_inner)
            .map_err(Shared)
    }
}

impl<T: Storage> Storage for Shared<T> {
    type Error = T::Error;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> Result<Option<usize>, T::Error> {
        self.0.borrow_mut().read(id, buf)
    }

    fn write(&mut self, id: RecordId, data: &[u8]) -> Result<(), T::Error> {
        self.0.borrow_mut().write(id, data)
    }

    fn remove(&mut self, id: RecordId) -> Result<(), T::Error> {
        self.0.borrow_mut().remove(id)
    }
}

impl<T: Clock> Clock for Shared<T> {
    type Error = T::Error;

    fn now_ms(&mut self) -> Result<u64, T::Error> {
        self.0.borrow_mut().now_ms()
    }
}

impl<T: UserPresence> UserPresence for Shared<T> {
    type Error = T::Error;

    fn confirm(&mut self, timeout_ms: u32) -> Result<Presence, T::Error> {
        self.0.borrow_mut().confirm(timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ManualClock, MemoryStorage};

    #[test]
    fn both_handles_see_one_backend() {
        let mut applet_side = Shared::new(MemoryStorage::new());
        let test_side = applet_side.clone();
        applet_side.write(RecordId(7), b"record").unwrap();
        assert_eq!(test_side.borrow().record(RecordId(7)), Some(&b"record"[..]));
        test_side.borrow_mut().set_raw(RecordId(7), b"damaged");
        let mut buf = [0u8; 16];
        assert_eq!(applet_side.read(RecordId(7), &mut buf), Ok(Some(7)));

        let mut clock = Shared::new(ManualClock::new());
        clock.clone().borrow_mut().advance(5);
        assert_eq!(clock.now_ms(), Ok(5));

        drop(applet_side);
        assert!(
            test_side.try_into_inner().is_ok(),
            "the last handle gives the backend back"
        );
    }
}
