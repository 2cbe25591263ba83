//! A scripted OpenPGP card session on a Cortex-M4 (QEMU mps2-an386), measuring for every
//! command the stack high-water mark (the stack below `main` is painted before each command and
//! scanned after it) and the heap peak (a counting wrapper around the global allocator).
//! Every answer is checked against the known answers of `benches/common/keys.rs`; any mismatch
//! or panic ends QEMU with a failure exit code. At the end, the same is measured for direct
//! calls of the crates (`raw ...` lines), to tell the applet's share from theirs.
//!
//! Printed per command:
//! - `stack`: bytes of stack the applet used at its deepest point, below the stack pointer of
//!   the `Applet::process` call (what the applet adds to the firmware's own frames);
//! - `total`: the same depth measured from the top of RAM (with the reset handler's, `main`'s
//!   and this harness's frames);
//! - `heap+`: the largest amount of heap the command held on top of what was in use before it
//!   (its transient need);
//! - `heap`: the largest total heap in use during the command (the applet's fixed buffers,
//!   its in-RAM storage backend and key cache, and the command's transient need);
//! - `insns`: instructions executed, read from SysTick under `-icount shift=0` (1 instruction =
//!   1 ns of virtual time; SysTick at 25 MHz counts 40 instructions a tick). A real Cortex-M4
//!   takes at least one cycle per instruction: a lower bound on cycles, not a timing.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;

use openpgp_card_applet::{Applet, Config, Platform, Presence, Transport};
use openpgp_card_applet_testkit::backends::{ManualClock, MemoryStorage, ScriptedButton, TestRng};

#[path = "../../../common/apdus.rs"]
mod apdus;
#[path = "../../../common/keys.rs"]
mod keys;
#[path = "../../../common/cortex_m_meter.rs"]
mod meter;

use apdus::{attributes_tag, ecdh_template, extended};
use meter::{CountingHeap, StackWindow};

// ---------------------------------------------------------------------------------------------
// Heap and stack (benches/common/cortex_m_meter.rs, shared with the emulated firmware)

#[global_allocator]
static HEAP: CountingHeap = CountingHeap::new();

/// The heap arena, right after .bss (cortex-m-rt's `__sheap`).
const HEAP_SIZE: usize = 256 * 1024;

/// How much of the stack is painted and scanned (it is measured from the top of RAM).
const STACK: StackWindow = StackWindow { bytes: 128 * 1024 };

fn stack_low_water() -> usize {
    STACK
        .low_water()
        .unwrap_or_else(|| fail("the stack went past the measured window: raise STACK"))
}

/// The measured call, never inlined, so that the stack pointer before it separates the
/// measured code's stack from the harness's.
#[inline(never)]
fn call(f: &mut dyn FnMut()) {
    f()
}

// ---------------------------------------------------------------------------------------------
// Instruction count: SysTick under QEMU's -icount shift=0.

static SYSTICK_WRAPS: AtomicU32 = AtomicU32::new(0);
const SYSTICK_RELOAD: u32 = 0x00FF_FFFF;
/// Instructions per SysTick tick: 1 ns per instruction, SysTick clocked at 25 MHz.
const INSNS_PER_TICK: u64 = 40;

#[exception]
fn SysTick() {
    SYSTICK_WRAPS.fetch_add(1, Ordering::Relaxed);
}

fn ticks() -> u64 {
    loop {
        let wraps = SYSTICK_WRAPS.load(Ordering::Relaxed);
        let current = cortex_m::peripheral::SYST::get_current();
        if wraps == SYSTICK_WRAPS.load(Ordering::Relaxed) {
            return u64::from(wraps) * (u64::from(SYSTICK_RELOAD) + 1)
                + u64::from(SYSTICK_RELOAD - current);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The session

type Card = Applet<MemoryStorage, TestRng, ManualClock, ScriptedButton>;

fn fail(message: &str) -> ! {
    hprintln!("FAILED: {}", message);
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}

struct Session {
    card: Option<Card>,
    response: Vec<u8>,
    worst_applet_stack: usize,
    worst_stack: usize,
}

impl Session {
    /// Runs `f` once, measured: paints the stack, resets the heap peak, and prints a line.
    /// Returns the stack used below the call, and from the top of RAM.
    fn measure(&mut self, label: &str, f: &mut dyn FnMut()) -> (usize, usize) {
        STACK.paint();
        let before = HEAP.reset_peak();
        let start = ticks();
        let sp = cortex_m::register::msp::read() as usize;
        call(f);
        let insns = (ticks() - start) * INSNS_PER_TICK;
        let low = stack_low_water();
        let peak = HEAP.peak();
        let (stack, total) = (sp - low, STACK.top() - low);
        hprintln!(
            "{:<30} stack {:>6} B  total {:>6} B  heap+ {:>6} B  heap {:>6} B  insns {:>10}",
            label,
            stack,
            total,
            peak - before,
            peak,
            insns
        );
        (stack, total)
    }

    /// Sends `apdu`, fails unless it answers 9000 (and `expected`, if given); with `label` the
    /// command is measured and a line printed. Returns the length of the response data, which
    /// stays in `self.response`.
    fn send(&mut self, label: Option<&str>, apdu: &[u8], expected: Option<&[u8]>) -> usize {
        let mut card = self.card.take().unwrap();
        let mut response = core::mem::take(&mut self.response);
        let mut n = 0;
        match label {
            None => n = card.process(apdu, &mut response),
            Some(label) => {
                let (stack, total) =
                    self.measure(label, &mut || n = card.process(apdu, &mut response));
                self.worst_applet_stack = self.worst_applet_stack.max(stack);
                self.worst_stack = self.worst_stack.max(total);
            }
        }
        if n < 2 || response[n - 2..n] != [0x90, 0x00] {
            hprintln!(
                "{:02X?} answered {:02X?}",
                &apdu[..4],
                &response[n.saturating_sub(2)..n]
            );
            fail("unexpected status word");
        }
        if let Some(expected) = expected {
            if &response[..n - 2] != expected {
                hprintln!("{:02X?}: wrong answer", &apdu[..4]);
                fail("wrong answer");
            }
        }
        self.card = Some(card);
        self.response = response;
        n - 2
    }

    fn put_data(&mut self, tag: u16, data: &[u8]) {
        let [p1, p2] = tag.to_be_bytes();
        self.send(None, &extended(0xDA, p1, p2, data), None);
    }

    /// PSO:CDS whose answer (a hedged ECDSA signature, different every time) must satisfy
    /// `verifies`.
    fn sign_verified(&mut self, label: &str, input: &[u8], verifies: &dyn Fn(&[u8]) -> bool) {
        self.send(None, VERIFY_81, None);
        let n = self.send(Some(label), &extended(0x2A, 0x9E, 0x9A, input), None);
        if !verifies(&self.response[..n]) {
            fail("the ECDSA signature does not verify");
        }
    }

    /// Sets the slot's attributes and imports a key: `4D { crt 00, 7F48 {..}, 5F48 {..} }`.
    fn import(&mut self, label: &str, crt: u8, attributes: &[u8], components: &[(u8, &[u8])]) {
        self.put_data(attributes_tag(crt), attributes);
        self.send(Some(label), &apdus::import(crt, components), None);
    }

    fn sign(&mut self, label: &str, input: &[u8], expected: &[u8]) {
        self.send(None, VERIFY_81, None);
        self.send(
            Some(label),
            &extended(0x2A, 0x9E, 0x9A, input),
            Some(expected),
        );
    }

    fn decipher(&mut self, label: &str, data: &[u8], expected: &[u8]) {
        self.send(
            Some(label),
            &extended(0x2A, 0x80, 0x86, data),
            Some(expected),
        );
    }
}

const SELECT: &[u8] = &[
    0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
];
const VERIFY_81: &[u8] = b"\x00\x20\x00\x81\x06123456";
const VERIFY_82: &[u8] = b"\x00\x20\x00\x82\x06123456";
const VERIFY_83: &[u8] = b"\x00\x20\x00\x83\x0812345678";
const GET_DATA_6E: &[u8] = &[0x00, 0xCA, 0x00, 0x6E, 0x00, 0x00, 0x00];

const SIG: u8 = 0xB6;
const DEC: u8 = 0xB8;
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
const OID_K256: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
const OID_ED25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01];
const OID_CV25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01];

#[entry]
fn main() -> ! {
    let heap_start = cortex_m_rt::heap_start() as usize;
    if heap_start + HEAP_SIZE > STACK.bottom() {
        fail("heap and stack window overlap");
    }
    // SAFETY: called once, before any allocation; the arena is unused RAM after .bss.
    unsafe { HEAP.init(heap_start, HEAP_SIZE) };

    let mut core = cortex_m::Peripherals::take().unwrap();
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(SYSTICK_RELOAD);
    core.SYST.clear_current();
    core.SYST.enable_interrupt();
    core.SYST.enable_counter();

    hprintln!("openpgp-card-applet footprint session (Cortex-M4, QEMU mps2-an386)");

    let platform = Platform {
        storage: MemoryStorage::new(),
        rng: TestRng::seed_from_u64(1), // a device passes its hardware RNG
        clock: ManualClock::new(),
        user_presence: ScriptedButton::always(Presence::Confirmed),
    };
    let before = HEAP.in_use();
    let mut card = Applet::new(Config::default(), platform);
    card.power_on(Transport::Contact);
    hprintln!(
        "Applet::new + power_on: {} B of heap (command, response and record buffers)",
        HEAP.in_use() - before
    );
    let mut s = Session {
        card: Some(card),
        response: vec![0u8; 4096 + 2],
        worst_applet_stack: 0,
        worst_stack: 0,
    };

    s.send(Some("SELECT"), SELECT, None);
    s.send(Some("VERIFY 81 (right PIN)"), VERIFY_81, None);
    s.send(Some("GET DATA 6E"), GET_DATA_6E, None);
    s.send(None, VERIFY_82, None);
    s.send(None, VERIFY_83, None);

    let e: &[u8] = &[0x01, 0x00, 0x01];
    for (bits, p, q, signature, ciphertext) in [
        (
            2048u16,
            keys::RSA2048_P,
            keys::RSA2048_Q,
            keys::RSA2048_SIGNATURE,
            keys::RSA2048_CIPHERTEXT,
        ),
        (
            3072,
            keys::RSA3072_P,
            keys::RSA3072_Q,
            keys::RSA3072_SIGNATURE,
            keys::RSA3072_CIPHERTEXT,
        ),
        (
            4096,
            keys::RSA4096_P,
            keys::RSA4096_Q,
            keys::RSA4096_SIGNATURE,
            keys::RSA4096_CIPHERTEXT,
        ),
    ] {
        let [hi, lo] = bits.to_be_bytes();
        let attributes = [0x01, hi, lo, 0x00, 0x20, 0x00];
        let components = [(0x91, e), (0x92, p), (0x93, q)];
        s.import(
            &format!("RSA-{bits} import (SIG)"),
            SIG,
            &attributes,
            &components,
        );
        s.sign(&format!("RSA-{bits} PSO:CDS"), keys::DIGEST_INFO, signature);
        if bits == 2048 {
            s.import("RSA-2048 import (DEC)", DEC, &attributes, &components);
            let cryptogram = [&[0x00], ciphertext].concat();
            s.decipher("RSA-2048 PSO:DECIPHER", &cryptogram, keys::SESSION_KEY);
        }
    }

    // A signature check of each curve: verification under the key's public point, which the
    // RFC 6979 known answer must pass too (the card's nonces are hedged, so its signatures
    // differ from RFC 6979's).
    macro_rules! ecdsa_verifier {
        ($krate:ident, $public:expr, $known:expr) => {
            &|hash: &[u8], signature: &[u8]| -> bool {
                use $krate::ecdsa::signature::hazmat::PrehashVerifier;
                let key = $krate::ecdsa::VerifyingKey::from_sec1_bytes($public);
                let known = $krate::ecdsa::Signature::from_slice($known);
                let signature = $krate::ecdsa::Signature::from_slice(signature);
                match (key, known, signature) {
                    (Ok(key), Ok(known), Ok(signature)) => {
                        key.verify_prehash(hash, &known).is_ok()
                            && key.verify_prehash(hash, &signature).is_ok()
                    }
                    _ => false,
                }
            }
        };
    }
    let curves: [(
        &str,
        &[u8],
        &[u8],
        &[u8],
        &dyn Fn(&[u8], &[u8]) -> bool,
        &[u8],
        &[u8],
    ); 3] = [
        (
            "P-256",
            OID_P256,
            keys::P256_SCALAR,
            keys::HASH32,
            ecdsa_verifier!(p256, keys::P256_PUBLIC, keys::P256_SIGNATURE),
            keys::P256_HOST_PUBLIC,
            keys::P256_SHARED,
        ),
        (
            "P-384",
            OID_P384,
            keys::P384_SCALAR,
            keys::HASH48,
            ecdsa_verifier!(p384, keys::P384_PUBLIC, keys::P384_SIGNATURE),
            keys::P384_HOST_PUBLIC,
            keys::P384_SHARED,
        ),
        (
            "secp256k1",
            OID_K256,
            keys::K256_SCALAR,
            keys::HASH32,
            ecdsa_verifier!(k256, keys::K256_PUBLIC, keys::K256_SIGNATURE),
            keys::K256_HOST_PUBLIC,
            keys::K256_SHARED,
        ),
    ];
    for (name, oid, scalar, hash, verifies, host, shared) in curves {
        let ecdsa = [&[0x13], oid].concat();
        let ecdh = [&[0x12], oid].concat();
        s.import(
            &[name, " import (SIG)"].concat(),
            SIG,
            &ecdsa,
            &[(0x92, scalar)],
        );
        s.sign_verified(&[name, " ECDSA PSO:CDS"].concat(), hash, &|signature| {
            verifies(hash, signature)
        });
        s.import(
            &[name, " import (DEC)"].concat(),
            DEC,
            &ecdh,
            &[(0x92, scalar)],
        );
        s.decipher(
            &[name, " ECDH PSO:DECIPHER"].concat(),
            &ecdh_template(host),
            shared,
        );
    }

    let ed25519 = [&[0x16], OID_ED25519].concat();
    s.import(
        "Ed25519 import (SIG)",
        SIG,
        &ed25519,
        &[(0x92, keys::ED25519_SEED)],
    );
    s.sign("Ed25519 PSO:CDS", keys::HASH32, keys::ED25519_SIGNATURE);

    let x25519 = [&[0x12], OID_CV25519].concat();
    let gnupg_order: Vec<u8> = keys::X25519_SCALAR.iter().rev().copied().collect();
    s.import("X25519 import (DEC)", DEC, &x25519, &[(0x92, &gnupg_order)]);
    let template = ecdh_template(keys::X25519_HOST_PUBLIC);
    s.decipher("X25519 PSO:DECIPHER", &template, keys::X25519_SHARED);

    // The crates alone, for comparison: what the applet does for an RSA PSO:CDS (blinded
    // signature, then verification before release) and for a secp256k1 one.
    for (bits, p, q, expected) in [
        (
            2048u32,
            keys::RSA2048_P,
            keys::RSA2048_Q,
            keys::RSA2048_SIGNATURE,
        ),
        (
            4096,
            keys::RSA4096_P,
            keys::RSA4096_Q,
            keys::RSA4096_SIGNATURE,
        ),
    ] {
        use rsa::{BoxedUint, Pkcs1v15Sign};
        let key = rsa::PrivateKey::from_p_q(
            BoxedUint::from_be_slice(p, bits / 2).unwrap(),
            BoxedUint::from_be_slice(q, bits / 2).unwrap(),
            BoxedUint::from(65_537u64),
        )
        .unwrap();
        let mut rng = TestRng::seed_from_u64(2);
        let mut ok = false;
        s.measure(&format!("raw rsa-{bits} sign+verify"), &mut || {
            let scheme = Pkcs1v15Sign::new_unprefixed;
            let signature = key.sign_with_rng(&mut rng, scheme(), keys::DIGEST_INFO);
            let signature = signature.unwrap();
            let verified = key
                .as_public_key()
                .verify(scheme(), keys::DIGEST_INFO, &signature);
            ok = verified.is_ok() && signature == expected;
        });
        if !ok {
            fail("raw RSA signature");
        }
    }
    {
        use k256::ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
        let key = k256::ecdsa::SigningKey::from_slice(keys::K256_SCALAR).unwrap();
        let mut rng = TestRng::seed_from_u64(3);
        let mut signature = None;
        s.measure("raw secp256k1 sign_prehash_with_rng", &mut || {
            signature = key.sign_prehash_with_rng(&mut rng, keys::HASH32).ok();
        });
        let ok = signature.is_some_and(|signature: k256::ecdsa::Signature| {
            key.verifying_key()
                .verify_prehash(keys::HASH32, &signature)
                .is_ok()
        });
        if !ok {
            fail("raw secp256k1 signature");
        }
    }

    {
        // What `Store` does after every record read or write: wipe its whole 4 KiB scratch.
        use zeroize::Zeroize;
        let mut scratch = vec![0x55u8; 4096];
        s.measure("raw zeroize 4096 bytes", &mut || scratch.zeroize());
    }

    // The answer of the first command again, after all of that: the state is consistent.
    s.send(Some("SELECT (again)"), SELECT, None);
    hprintln!(
        "worst stack {} B (applet), {} B (total); session OK",
        s.worst_applet_stack,
        s.worst_stack
    );
    debug::exit(debug::EXIT_SUCCESS);
    #[allow(clippy::empty_loop)]
    loop {}
}
