//! The constant-time evidence for on-card RSA prime generation (`crypto::rsa_prime`), run by
//! `benches/footprint/prime_ct.sh` on the emulated Cortex-M4: the acceptance test of a prime
//! (trial division, then Miller–Rabin) on several different primes, each one measured call
//! (`harness::measure`), so that the script can compare the traces of the calls block by
//! block. The claim under test: for a prime, the acceptance path's control flow does not
//! depend on the prime's value, nor on the random bases.
//!
//! Each prime size has its own segments, in this order:
//! - several primes of the same size, each tested with the same random generator seed (the
//!   same Miller–Rabin bases): random ones, and the sparsest and densest primes of the shape
//!   the card draws (two top bits set, ≡ 3 mod 4, p mod 65537 ≠ 1);
//! - the first of them again with another seed (other bases).
//!
//! Every segment's label starts with its group (`p1024`, `p2048`): `prime_ct.sh` requires the
//! traces of one group to be identical. Each prime must be accepted, and a composite of the
//! same shape refused (outside the measured calls).
//!
//! The primes were drawn on the host (Python's `secrets`, checked prime by a Miller–Rabin of
//! 40 rounds, by sympy and by `openssl prime`); the sparse and dense ones are the first of
//! the shape from either end.

#![no_std]
#![no_main]

extern crate alloc;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use crypto_bigint::{Uint, U1024, U2048};
use panic_semihosting as _;

use openpgp_card_applet::crypto::rsa_prime_accepted;
use openpgp_card_applet_testkit::backends::TestRng;

#[path = "../../../common/apdus.rs"]
#[allow(dead_code)] // the harness's session helpers
mod apdus;
#[path = "../harness.rs"]
mod harness;
#[path = "../../../common/cortex_m_meter.rs"]
mod meter;

use harness::fail;

/// Miller–Rabin rounds per prime size, as the card runs them (`crypto::rsa_prime`).
const ROUNDS_1024: usize = 5;
const ROUNDS_2048: usize = 4;

/// The seeds of the random bases: the same one for every prime, then another one.
const SEED: u64 = 1;
const OTHER_SEED: u64 = 2;

/// The 2048-bit primes of RSA-4096 (eight times the work of a 1024-bit test): only when the
/// image is built with `PRIME_CT_2048` set.
const WITH_2048: bool = option_env!("PRIME_CT_2048").is_some();

/// A random 1024-bit prime (524 bits set).
const P1024_RANDOM_1: U1024 = U1024::from_be_hex(concat!(
    "EC94D93ED9AA7982D5C00A63E4EF59F78C0E21015EEA995B55BAFF4FFBBF9846",
    "54934A943F7B4632CA597C576E056A0F8FD5D0801E8F4CA91B9E54AD905E6C28",
    "5AAC01F0D165D9D2C1AA971E5259C21EC51699FDB6CE7881ECA90B7273E8D9C5",
    "89805FBDAD54DE720CA37B81A677D26B6DE62B38A7DE0F06D13AB9256C44789F",
));

/// Another (497 bits set).
const P1024_RANDOM_2: U1024 = U1024::from_be_hex(concat!(
    "E8541E65F056C77601A52AF7C900DE94AE71B22F30A783E5938DFC3813877EB6",
    "B2DA9D0C7631AFD13D13788750F69E00F4A2456A9D1150558825AF1DB540AD8C",
    "0672D4AD15250804ED00EC840F48BDBD05C16AE04D695D9D370D050F46A22BA1",
    "C06EA1DBB70FDA5BC75E71C79190FB6924A696FE37FBE780B92406B6D03C25CF",
));

/// The least of the shape: 3·2^1022 + 0x827 (7 bits set).
const P1024_SPARSE: U1024 = U1024::from_be_hex(concat!(
    "C000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000827",
));

/// The greatest of the shape: 2^1024 − 0x69 (1,021 bits set).
const P1024_DENSE: U1024 = U1024::from_be_hex(concat!(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF97",
));

/// A random 2048-bit prime (1,024 bits set).
const P2048_RANDOM_1: U2048 = U2048::from_be_hex(concat!(
    "E9384B72C7DF55AA10570068DE86516AAD8768A443650489C27F1F74FB526098",
    "641E35D581526D57BCB21C9FBA316BFB17DDA75BD6BDE085DE9A97001224D7F0",
    "0A7B596CE97136A34B90E2E1D76B3B98E66F0E1D104CBE884AD8FA91A75FADCB",
    "2475138E68B28AD56CE49814045F8F308B7CCC495A0AD43F44FEF6DEA948E660",
    "5CDE6937283334576D4B7683359448142683A3797CD81D00D5DD606FF5B6D4AF",
    "4507A0FBF521F638A1493646FC1F1B7B37A354347555BFE42D4D022F618927EC",
    "BB48B8D676D5F165D0E40658DAE1699F6C530C72B84D03AEAC30CC90DE681FDD",
    "90FC095B1F609588C379A7F74C755144FE5916A36E13BD064B58E9E69A44A04F",
));

/// Another (1,027 bits set).
const P2048_RANDOM_2: U2048 = U2048::from_be_hex(concat!(
    "F1893E9FBE10BA9E99F1A9632A4961876D16C41B242BFCBE6DBD9EA37D54BB63",
    "A29856FB9AE947B8664C1417D98A7F1E08FF02EC2A7ACC8D17FA24F013391C2A",
    "23CC0A5397B5D7CE90DC9B5A5970D811E5883A8E48EFA4E80766C1C37BFCB011",
    "E15DA60FB35698A97156B49D9887FFF37131EA624DA4020FDC307C352B469E7E",
    "39A80BA0DC519DE081B1D486FEAE16CCB8CF461CE1A5703B523A6C13A237D207",
    "D28F31127926CAA3B96716D11BDDED592E2223E32AC35CCEDA1768B193AC5F5C",
    "0F4A2855C819F77A240DB048ECA69F76E1870F811026215DC8A31C6DBF367463",
    "FB3384F0347E9D6C2DD88C795A38196B04F3EF940A7AE8556709C5992EF5EB67",
));

/// Tests `prime` in one measured call, fails unless it is accepted. SysTick is restarted
/// first: its interrupt stays out of a 1024-bit call, and falls at the same instruction of
/// each 2048-bit one (745 M instructions, longer than a wrap).
fn accepted<const L: usize>(label: &str, prime: &Uint<L>, rounds: usize, seed: u64) {
    let mut rng = Some(TestRng::seed_from_u64(seed));
    let mut accepted = false;
    harness::restart_counter();
    harness::measure(label, &mut || {
        if let Some(rng) = rng.take() {
            accepted = rsa_prime_accepted(prime, rounds, rng);
        }
    });
    if !accepted {
        hprintln!("{}: refused", label);
        fail("a prime was refused");
    }
}

/// Fails unless `n` (a composite) is refused; not measured.
fn refused<const L: usize>(what: &str, n: &Uint<L>, rounds: usize) {
    if rsa_prime_accepted(n, rounds, TestRng::seed_from_u64(SEED)) {
        hprintln!("{} was accepted", what);
        fail("a composite was accepted");
    }
}

#[entry]
fn main() -> ! {
    harness::init();
    hprintln!("openpgp-card-applet RSA prime acceptance traces (Cortex-M4, QEMU mps2-an386)");

    for (label, prime, seed) in [
        ("p1024 random 1 (seed 1)", &P1024_RANDOM_1, SEED),
        ("p1024 random 2 (seed 1)", &P1024_RANDOM_2, SEED),
        ("p1024 sparse (seed 1)", &P1024_SPARSE, SEED),
        ("p1024 dense (seed 1)", &P1024_DENSE, SEED),
        ("p1024 random 1 (seed 2)", &P1024_RANDOM_1, OTHER_SEED),
    ] {
        accepted(label, prime, ROUNDS_1024, seed);
    }
    // A product of two of the primes has no small factor: only Miller–Rabin refuses it.
    let product: U2048 = P1024_RANDOM_1.concatenating_mul(&P1024_RANDOM_2);
    refused("p1024 random 1 · random 2", &product, ROUNDS_2048);
    let next = P1024_RANDOM_1.wrapping_add(&U1024::from_u8(4));
    refused("p1024 random 1 + 4", &next, ROUNDS_1024);

    if WITH_2048 {
        for (label, prime, seed) in [
            ("p2048 random 1 (seed 1)", &P2048_RANDOM_1, SEED),
            ("p2048 random 2 (seed 1)", &P2048_RANDOM_2, SEED),
            ("p2048 random 1 (seed 2)", &P2048_RANDOM_1, OTHER_SEED),
        ] {
            accepted(label, prime, ROUNDS_2048, seed);
        }
    }

    hprintln!("prime_ct OK");
    harness::exit_success()
}
