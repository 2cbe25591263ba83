//! No secret left in freed heap memory by key generation: a global allocator that keeps every
//! block freed while it watches (it never hands it out again), then a search of those blocks
//! for any 8-byte window of the private key that GENERATE made: for RSA p, q and d (computed
//! here, on the host, from p and q), for the other algorithms the stored scalar or seed.
//!
//! The firmware's allocator may be any: what the applet frees must already be wiped. (What the
//! `rsa` crate leaves when it builds an RSA key at its first use is another matter, documented
//! in the embedding guide, "What stays in memory".)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

mod common;
use common::{assert_sw, attributes, first_slot, Card};
use openpgp_card_applet::crypto::Algorithm;

/// How many freed blocks one watch can keep.
const KEPT: usize = 1 << 20;

/// The global allocator of this test binary: the system's, except that while [`WATCHING`] a
/// freed block is recorded and kept (never freed, so never reused), for [`freed_blocks`].
struct KeepFreed;

static WATCHING: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicUsize = AtomicUsize::new(0);
static BLOCKS: [(AtomicUsize, AtomicUsize); KEPT] =
    [const { (AtomicUsize::new(0), AtomicUsize::new(0)) }; KEPT];

// SAFETY: every call is forwarded to `System`, except that a block freed while watching is
// not freed at all (a leak, which is always sound); recording it writes only atomics.
unsafe impl GlobalAlloc for KeepFreed {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::SeqCst) {
            let at = COUNT.fetch_add(1, Ordering::SeqCst);
            if let Some((address, size)) = BLOCKS.get(at) {
                address.store(ptr as usize, Ordering::SeqCst);
                size.store(layout.size(), Ordering::SeqCst);
                return;
            }
        }
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: KeepFreed = KeepFreed;

/// Runs `f` while watching; returns copies of the blocks it freed.
fn freed_blocks(f: impl FnOnce()) -> Vec<Vec<u8>> {
    COUNT.store(0, Ordering::SeqCst);
    WATCHING.store(true, Ordering::SeqCst);
    f();
    WATCHING.store(false, Ordering::SeqCst);
    let count = COUNT.load(Ordering::SeqCst);
    assert!(
        count <= KEPT,
        "{count} blocks freed: more than this test keeps"
    );
    (0..count)
        .filter_map(|i| BLOCKS.get(i))
        .map(|(address, size)| {
            let (address, size) = (address.load(Ordering::SeqCst), size.load(Ordering::SeqCst));
            // SAFETY: the block was allocated with this size and never freed (kept above),
            // so it is still ours to read.
            unsafe { std::slice::from_raw_parts(address as *const u8, size) }.to_vec()
        })
        .collect()
}

/// Where any 8-byte window of `secret` stands in `blocks`: (block, offset). Both byte orders:
/// big-endian as stored, and little-endian as an integer's limbs lie in memory here.
fn windows_in(blocks: &[Vec<u8>], secret: &[u8]) -> Vec<(usize, usize)> {
    let reversed: Vec<u8> = secret.iter().rev().copied().collect();
    // A window of zeros is in every freed block that was wiped: not a secret.
    let windows: std::collections::HashSet<&[u8]> = secret
        .windows(8)
        .chain(reversed.windows(8))
        .filter(|w| w.iter().any(|&b| b != 0))
        .collect();
    let mut found = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        for (offset, window) in block.windows(8).enumerate() {
            if windows.contains(window) {
                found.push((b, offset));
            }
        }
    }
    found
}

/// The private key bytes in a slot record (the value of its tag 06).
fn stored_key(record: &[u8], len: usize) -> Vec<u8> {
    let header: &[&[u8]] = &[
        &[0x06, len as u8],
        &[0x06, 0x81, len as u8],
        &[0x06, 0x82, (len >> 8) as u8, len as u8],
    ];
    for h in header {
        if let Some(at) = record.windows(h.len()).position(|w| w == *h) {
            if let Some(key) = record.get(at + h.len()..at + h.len() + len) {
                return key.to_vec();
            }
        }
    }
    panic!("no key of {len} bytes in the record");
}

/// d = e⁻¹ mod λ(n), as a host computes it, big-endian.
fn rsa_d(p: &[u8], q: &[u8]) -> Vec<u8> {
    use rsa::traits::PrivateKeyParts;
    let bits = (p.len() * 8) as u32;
    let p = rsa::BoxedUint::from_be_slice(p, bits).unwrap();
    let q = rsa::BoxedUint::from_be_slice(q, bits).unwrap();
    let key = rsa::PrivateKey::from_p_q(p, q, rsa::BoxedUint::from(65_537u64)).unwrap();
    key.d().to_be_bytes().to_vec()
}

#[test]
fn generate_leaves_no_private_key_in_freed_heap_memory() {
    for algorithm in Algorithm::supported() {
        let (slot, crt, tag) = first_slot(&algorithm);
        let mut card = Card::new();
        card.select();
        card.verify_admin();
        assert_sw(&card.put_data(tag, &attributes(&algorithm)), 0x9000);
        // The request is built before watching: only the card's own work is watched.
        let request = [
            0x00, 0x47, 0x80, 0x00, 0x00, 0x00, 0x02, crt, 0x00, 0x00, 0x00,
        ];
        let mut response = vec![0u8; 4096];
        let mut sw = 0;
        let blocks = freed_blocks(|| {
            let n = card.applet.process(&request, &mut response);
            sw = u16::from_be_bytes([response[n - 2], response[n - 1]]);
        });
        assert_eq!(sw, 0x9000, "{algorithm:?}");
        let record = card
            .storage()
            .record(openpgp_card_applet::RecordId::key(slot))
            .unwrap()
            .to_vec();
        let mut secrets = Vec::new();
        match algorithm.rsa_bits() {
            Some(bits) => {
                let half = usize::from(bits / 16);
                let primes = stored_key(&record, 2 * half);
                let (p, q) = primes.split_at(half);
                secrets.push(("p", p.to_vec()));
                secrets.push(("q", q.to_vec()));
                secrets.push(("d", rsa_d(p, q)));
            }
            None => {
                let len = match algorithm {
                    Algorithm::Ecdsa(curve) | Algorithm::Ecdh(curve) => curve.field_len(),
                    Algorithm::Ed25519 | Algorithm::X25519 => 32,
                    // Ed448's seed, X448's scalar (features off by default).
                    _ if format!("{algorithm:?}") == "X448" => 56,
                    _ => 57,
                };
                secrets.push(("the private key", stored_key(&record, len)));
            }
        }
        for (name, secret) in &secrets {
            let found = windows_in(&blocks, secret);
            assert!(
                found.is_empty(),
                "{algorithm:?}: {} freed blocks hold 8-byte windows of {name} (block, offset): {:?}",
                found.len(),
                &found[..found.len().min(10)]
            );
        }
        assert!(
            !blocks.is_empty() || algorithm.rsa_bits().is_none(),
            "the watch saw nothing"
        );
    }
}
