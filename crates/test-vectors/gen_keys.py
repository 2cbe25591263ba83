#!/usr/bin/env python3
"""Writes crates/test-vectors/src/generated.rs: the fixed test keys and known answers of the
workspace (the core's unit tests, the test kit, the fuzz crate, benches/applet.rs and the
firmware in benches/footprint/).

The values come from OpenSSL through pyca/cryptography, not from the code under test. The keys
are random: running this again gives other keys (and other figures for key-dependent timing).
Usage: python3 crates/test-vectors/gen_keys.py > crates/test-vectors/src/generated.rs
       rustfmt --edition 2021 crates/test-vectors/src/generated.rs
"""
import hashlib
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

MESSAGE = b"openpgp-card-applet benchmark input"
HASH32 = hashlib.sha256(MESSAGE).digest()
HASH48 = hashlib.sha384(MESSAGE).digest()
HASH64 = hashlib.sha512(MESSAGE).digest()
SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
DIGEST_INFO = SHA256_PREFIX + HASH32
# What an OpenPGP session key looks like inside PKCS#1 v1.5: algorithm, key, checksum.
SESSION_KEY = bytes([9]) + bytes(range(0x20, 0x40)) + bytes.fromhex("1234")

out = []


def const(name, value, doc):
    out.append(f"/// {doc}")
    lines = [value[i : i + 48].hex() for i in range(0, len(value), 48)] or [""]
    if len(lines) == 1:
        out.append(f'pub const {name}: &[u8] = &hex::<{len(value)}>("{lines[0]}");')
    else:
        out.append(f"pub const {name}: &[u8] = &hex::<{len(value)}>(concat!(")
        out.extend(f'    "{line}",' for line in lines)
        out.append("));")


def int_bytes(v, n):
    return v.to_bytes(n, "big")


const("DIGEST_INFO", DIGEST_INFO, "SHA-256 DigestInfo of the benchmark input (what GnuPG sends to PSO:CDS for RSA).")
const("HASH32", HASH32, "SHA-256 of the benchmark input (ECDSA on 256-bit curves, and the EdDSA message).")
const("HASH48", HASH48, "SHA-384 of the benchmark input (ECDSA on P-384).")
const("HASH64", HASH64, "SHA-512 of the benchmark input (ECDSA on P-521 and brainpoolP512r1).")
const("SESSION_KEY", SESSION_KEY, "The plaintext of every RSA cryptogram below.")

for bits in (2048, 3072, 4096):
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    nums = key.private_numbers()
    k = bits // 8
    p, q = nums.p, nums.q
    n = nums.public_numbers.n
    # Prehashed(SHA-256) signs the DigestInfo of the hash: exactly the bytes of DIGEST_INFO.
    sig = key.sign(HASH32, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    # Drawn until the cryptogram starts with 00: GnuPG may send it without that byte, and
    # the core's tests check both forms.
    ct = key.public_key().encrypt(SESSION_KEY, padding.PKCS1v15())
    while ct[0] != 0:
        ct = key.public_key().encrypt(SESSION_KEY, padding.PKCS1v15())
    const(f"RSA{bits}_P", int_bytes(p, k // 2), f"RSA-{bits}, e = 65537: first prime.")
    const(f"RSA{bits}_Q", int_bytes(q, k // 2), f"RSA-{bits}: second prime.")
    const(f"RSA{bits}_N", int_bytes(n, k), f"RSA-{bits}: modulus.")
    const(f"RSA{bits}_SIGNATURE", sig, f"RSA-{bits}: PKCS#1 v1.5 signature over `DIGEST_INFO`.")
    const(f"RSA{bits}_CIPHERTEXT", ct, f"RSA-{bits}: PKCS#1 v1.5 encryption of `SESSION_KEY`, drawn until its first byte is 00 (GnuPG may send the cryptogram without that byte).")
    if bits == 2048:
        # The private exponents and CRT values: imported in every format by the fuzz crate,
        # and looked for in every response by its secret-leak oracle.
        d = nums.d
        phi = (p - 1) * (q - 1)
        const("RSA2048_D", int_bytes(d, k), "RSA-2048: d = 1/e mod λ(n), as OpenSSL computes it.")
        const("RSA2048_D_PHI", int_bytes(pow(65537, -1, phi), k), "RSA-2048: 1/e mod φ(n), the other d that a client may send.")
        const("RSA2048_DP", int_bytes(nums.dmp1, k // 2), "RSA-2048: d mod (p - 1).")
        const("RSA2048_DQ", int_bytes(nums.dmq1, k // 2), "RSA-2048: d mod (q - 1).")
        const("RSA2048_QINV", int_bytes(nums.iqmp, k // 2), "RSA-2048: 1/q mod p.")
        const("RSA2048_PINV", int_bytes(pow(p, -1, q), k // 2), "RSA-2048: 1/p mod q.")

for name, curve, hash_alg, digest, low_s in (
    ("P256", ec.SECP256R1(), hashes.SHA256(), HASH32, False),
    ("P384", ec.SECP384R1(), hashes.SHA384(), HASH48, False),
    ("K256", ec.SECP256K1(), hashes.SHA256(), HASH32, True),
    ("P521", ec.SECP521R1(), hashes.SHA512(), HASH64, False),
    ("BP256", ec.BrainpoolP256R1(), hashes.SHA256(), HASH32, False),
    ("BP384", ec.BrainpoolP384R1(), hashes.SHA384(), HASH48, False),
    ("BP512", ec.BrainpoolP512R1(), hashes.SHA512(), HASH64, False),
):
    size = (curve.key_size + 7) // 8
    key = ec.generate_private_key(curve)
    host = ec.generate_private_key(curve)
    der = key.sign(digest, ec.ECDSA(Prehashed(hash_alg), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    # Only secp256k1 normalises s (its signer is low-s); the other orders are not needed.
    order = {
        "K256": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
    }.get(name, 0)
    if low_s and s > order // 2:
        s = order - s
    pub = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    host_pub = host.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    shared = key.exchange(ec.ECDH(), host.public_key())
    const(f"{name}_SCALAR", int_bytes(key.private_numbers().private_value, size), f"{name}: private scalar, big-endian.")
    const(f"{name}_PUBLIC", pub, f"{name}: public point 04 ‖ X ‖ Y.")
    const(f"{name}_SIGNATURE", int_bytes(r, size) + int_bytes(s, size), f"{name}: RFC 6979 ECDSA r ‖ s over the hash of its size{' (low s)' if low_s else ''}.")
    const(f"{name}_HOST_PUBLIC", host_pub, f"{name}: the host's ECDH point 04 ‖ X ‖ Y.")
    const(f"{name}_SHARED", shared, f"{name}: the ECDH shared x-coordinate.")

seed = os.urandom(32)
ed = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
const("ED25519_SEED", seed, "Ed25519: the private seed.")
const("ED25519_PUBLIC", ed.public_key().public_bytes_raw(), "Ed25519: the public key.")
const("ED25519_SIGNATURE", ed.sign(HASH32), "Ed25519: PureEdDSA signature over `HASH32`.")

scalar = os.urandom(32)
xk = x25519.X25519PrivateKey.from_private_bytes(scalar)
xh = x25519.X25519PrivateKey.generate()
const("X25519_SCALAR", scalar, "X25519: the private scalar in RFC 7748 (little-endian) order; GnuPG imports it reversed.")
const("X25519_PUBLIC", xk.public_key().public_bytes_raw(), "X25519: the public key.")
const("X25519_HOST_PUBLIC", xh.public_key().public_bytes_raw(), "X25519: the host's public key.")
const("X25519_SHARED", xk.exchange(xh.public_key()), "X25519: the shared secret.")

seed = os.urandom(57)
ed4 = ed448.Ed448PrivateKey.from_private_bytes(seed)
const("ED448_SEED", seed, "Ed448: the private seed.")
const("ED448_PUBLIC", ed4.public_key().public_bytes_raw(), "Ed448: the public key.")
const("ED448_SIGNATURE", ed4.sign(HASH64), "Ed448: PureEdDSA signature (empty context) over `HASH64`.")

scalar = os.urandom(56)
x4 = x448.X448PrivateKey.from_private_bytes(scalar)
x4h = x448.X448PrivateKey.generate()
const("X448_SCALAR", scalar, "X448: the private scalar in RFC 7748 order, as GnuPG imports it.")
const("X448_PUBLIC", x4.public_key().public_bytes_raw(), "X448: the public key.")
const("X448_HOST_PUBLIC", x4h.public_key().public_bytes_raw(), "X448: the host's public key.")
const("X448_SHARED", x4.exchange(x4h.public_key()), "X448: the shared secret.")

print("""//! Written by `gen_keys.py` (see the crate documentation); do not edit by hand.

use crate::hex;
""")
print("\n".join(out))
