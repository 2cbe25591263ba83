//! Stack and heap measurement on a Cortex-M, shared by the footprint session
//! (benches/footprint) and the emulated firmware (examples/qemu-mps2-an386), so that both
//! report the same quantities the same way:
//! - [`CountingHeap`]: the global allocator, counting what is in use and its peak;
//! - [`StackWindow`]: the free stack below the caller is painted before the measured code, and
//!   the lowest overwritten word found after it.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{addr_of, read_volatile, write_volatile};
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// A linked-list heap that counts the bytes in use and their peak.
pub struct CountingHeap {
    heap: LlffHeap,
    in_use: AtomicUsize,
    peak: AtomicUsize,
}

impl CountingHeap {
    /// An empty heap; [`CountingHeap::init`] gives it its arena.
    pub const fn new() -> CountingHeap {
        CountingHeap {
            heap: LlffHeap::empty(),
            in_use: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// # Safety
    /// Once, before any allocation, with an arena of RAM nothing else uses.
    pub unsafe fn init(&self, start: usize, size: usize) {
        unsafe { self.heap.init(start, size) }
    }

    /// Bytes allocated now.
    pub fn in_use(&self) -> usize {
        self.in_use.load(Ordering::Relaxed)
    }

    /// Starts a new peak from what is in use now; returns that amount.
    pub fn reset_peak(&self) -> usize {
        let now = self.in_use();
        self.peak.store(now, Ordering::Relaxed);
        now
    }

    /// The most bytes allocated at once since [`CountingHeap::reset_peak`].
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { self.heap.alloc(layout) };
        if !ptr.is_null() {
            let now = self.in_use.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.heap.dealloc(ptr, layout) };
        self.in_use.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    // `realloc` stays the default (alloc, copy, dealloc), so a moved block counts twice while
    // both copies exist, as it does in RAM.
}

const PAINT: u32 = 0xC5C5_C5C5;

extern "C" {
    /// The initial stack pointer: the top of RAM (cortex-m-rt's link.x).
    static _stack_start: u32;
}

/// The `bytes` of stack below the top of RAM that are painted and scanned.
pub struct StackWindow {
    /// Size of the window.
    pub bytes: usize,
}

impl StackWindow {
    /// The top of the stack (the reset value of the stack pointer).
    pub fn top(&self) -> usize {
        // Only the symbol's address is taken.
        addr_of!(_stack_start) as usize
    }

    /// The lowest address of the window; the heap must end below it.
    pub fn bottom(&self) -> usize {
        self.top() - self.bytes
    }

    /// Paints the free stack of the window below the caller's frame.
    #[inline(never)]
    pub fn paint(&self) {
        let sp = cortex_m::register::msp::read() as usize;
        let mut address = self.bottom();
        // 64 bytes of margin below this function's own frame.
        while address < sp - 64 {
            // SAFETY: [bottom, sp - 64) is free stack below this frame (the images check that
            // their heap ends below the window).
            unsafe { write_volatile(address as *mut u32, PAINT) };
            address += 4;
        }
    }

    /// The lowest stack address written since [`StackWindow::paint`]; `None` if the stack
    /// went past the window (then the measure is meaningless: widen the window).
    #[inline(never)]
    pub fn low_water(&self) -> Option<usize> {
        let mut address = self.bottom();
        // SAFETY: reads of the stack window, which is RAM.
        while address < self.top() && unsafe { read_volatile(address as *const u32) } == PAINT {
            address += 4;
        }
        (address != self.bottom()).then_some(address)
    }
}
