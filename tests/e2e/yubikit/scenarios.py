"""yubikit (Yubico's OpenPGP client library, PyPI yubikey-manager 5.9) against the applet.

Run by tests/e2e/tests/yubikit.rs, one scenario per test, while the virtual card is on vpcd:

    python scenarios.py READER-NAME SCENARIO

Every scenario opens an OpenPgpSession over pyscard, as ykman does for a YubiKey, and checks
what the card answers with Python `cryptography` (signatures verified, decryptions and ECDH
agreed on the host, certificates parsed). A failed check raises; the process exits non-zero
and the Rust test prints the card's APDU log.
"""

import datetime
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, x25519
from cryptography.x509.oid import NameOID
from smartcard.System import readers
from ykman.pcsc import ScardSmartCardConnection
from yubikit.core import InvalidPinError
from yubikit.core.smartcard import ApduError
from yubikit.openpgp import (
    DO,
    KEY_REF,
    OID,
    PIN_POLICY,
    PW,
    RSA_SIZE,
    UIF,
    EXTENDED_CAPABILITY_FLAGS,
    KdfIterSaltedS2k,
    KdfNone,
    OpenPgpSession,
)

PIN = "123456"
ADMIN = "12345678"
MESSAGE = b"yubikit talks to the openpgp-card-applet"
SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__] = f
    return f


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def refused(call, sw=None):
    """`call` raises an APDU error (with status word `sw`, if given)."""
    try:
        call()
    except ApduError as e:
        check(sw is None or e.sw == sw, f"expected {sw:04X}, got {e.sw:04X}")
        return
    raise AssertionError("the card accepted it")


# -- Keys and how to use them ------------------------------------------------------------------

CURVES = {
    OID.SECP256R1: (ec.SECP256R1(), hashes.SHA256()),
    OID.SECP384R1: (ec.SECP384R1(), hashes.SHA384()),
    OID.SECP256K1: (ec.SECP256K1(), hashes.SHA256()),
    # Off by default in the applet; the virtual card has them. OpenSSL (through `cryptography`)
    # verifies the signatures and agrees on the ECDH secrets independently of RustCrypto.
    OID.SECP521R1: (ec.SECP521R1(), hashes.SHA512()),
    OID.BrainpoolP256R1: (ec.BrainpoolP256R1(), hashes.SHA256()),
    OID.BrainpoolP384R1: (ec.BrainpoolP384R1(), hashes.SHA384()),
    OID.BrainpoolP512R1: (ec.BrainpoolP512R1(), hashes.SHA512()),
}


def verify(public, signature, message=MESSAGE, hash_algorithm=hashes.SHA256()):
    if isinstance(public, rsa.RSAPublicKey):
        public.verify(signature, message, padding.PKCS1v15(), hash_algorithm)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(signature, message, ec.ECDSA(hash_algorithm))
    elif isinstance(public, ed25519.Ed25519PublicKey):
        public.verify(signature, message)
    else:
        raise AssertionError(f"cannot verify with {public}")


def hash_for(public):
    if isinstance(public, ec.EllipticCurvePublicKey):
        for curve, hash_algorithm in CURVES.values():
            if curve.name == public.curve.name:
                return hash_algorithm
    return hashes.SHA256()


def use_sig(s, public):
    s.verify_pin(PIN)
    h = hash_for(public)
    verify(public, s.sign(MESSAGE, h), hash_algorithm=h)


def use_aut(s, public):
    s.verify_pin(PIN, extended=True)
    h = hash_for(public)
    verify(public, s.authenticate(MESSAGE, h), hash_algorithm=h)


def use_dec(s, public):
    s.verify_pin(PIN, extended=True)
    if isinstance(public, rsa.RSAPublicKey):
        secret = os.urandom(32)
        cryptogram = public.encrypt(secret, padding.PKCS1v15())
        check(s.decrypt(cryptogram) == secret, "RSA decipher gives the plaintext")
    elif isinstance(public, ec.EllipticCurvePublicKey):
        peer = ec.generate_private_key(public.curve)
        shared = s.decrypt(peer.public_key())
        check(shared == peer.exchange(ec.ECDH(), public), "ECDH agrees with the host")
    elif isinstance(public, x25519.X25519PublicKey):
        peer = x25519.X25519PrivateKey.generate()
        shared = s.decrypt(peer.public_key())
        check(shared == peer.exchange(public), "X25519 agrees with the host")
    else:
        raise AssertionError(f"cannot decrypt with {public}")


def same_public(a, b):
    raw = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if isinstance(a, x25519.X25519PublicKey):
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    return a.public_bytes(*raw) == b.public_bytes(*raw)


# -- Scenarios ---------------------------------------------------------------------------------


@scenario
def session_and_application_data(s, conn):
    check(tuple(s.version) == (5, 6, 1), f"GET VERSION: {s.version}")
    check(s.aid.startswith(bytes.fromhex("D27600012401")), "AID")
    ard = s.get_application_related_data()
    caps = ard.discretionary.extended_capabilities
    for flag in (
        EXTENDED_CAPABILITY_FLAGS.KDF,
        EXTENDED_CAPABILITY_FLAGS.ALGORITHM_ATTRIBUTES_CHANGEABLE,
        EXTENDED_CAPABILITY_FLAGS.PW_STATUS_CHANGEABLE,
        EXTENDED_CAPABILITY_FLAGS.KEY_IMPORT,
        EXTENDED_CAPABILITY_FLAGS.GET_CHALLENGE,
    ):
        check(flag in caps.flags, f"extended capability {flag!r}")
    status = s.get_pin_status()
    check(
        (status.attempts_user, status.attempts_reset, status.attempts_admin) == (3, 0, 3),
        f"retry counters {status}",
    )
    check(status.pin_policy_user == PIN_POLICY.ALWAYS, "signature PIN forced by default")
    info = s.get_algorithm_information()
    for key_ref in (KEY_REF.SIG, KEY_REF.DEC, KEY_REF.AUT):
        names = {str(a) for a in info[key_ref]}
        for size in (2048, 3072, 4096):
            check(
                any(f"{size}" in n for n in names), f"RSA {size} offered in {key_ref.name}: {names}"
            )
    check(s.get_signature_counter() == 0, "signature counter")
    # Cardholder data written by PUT DATA and read back through yubikit.
    s.verify_admin(ADMIN)
    s.put_data(DO.NAME, b"Yubi<<Kit")
    s.put_data(DO.URL, b"https://example.org/yubikit.asc")
    check(s.get_data(DO.NAME) == b"Yubi<<Kit", "name")
    check(s.get_data(DO.URL) == b"https://example.org/yubikit.asc", "URL")


@scenario
def pins_policy_and_retry_counters(s, conn):
    try:
        s.verify_pin("000000")
        raise AssertionError("a wrong PIN was accepted")
    except InvalidPinError as e:
        check(e.attempts_remaining == 2, f"tries left after a wrong PIN: {e.attempts_remaining}")
    s.verify_pin(PIN)
    s.change_pin(PIN, "654321")
    s.change_admin(ADMIN, "87654321")
    s.verify_admin("87654321")
    s.set_reset_code("resetcode")
    s.reset_pin("112233", "resetcode")
    s.verify_admin("87654321")
    s.reset_pin("445566")
    s.verify_pin("445566")
    # SET PIN RETRIES (F2): new maxima, counters restarted.
    s.verify_admin("87654321")
    s.set_pin_attempts(5, 4, 6)
    status = s.get_pin_status()
    check(
        (status.attempts_user, status.attempts_reset, status.attempts_admin) == (5, 4, 6),
        f"after set_pin_attempts: {status}",
    )
    try:
        s.verify_pin("000000")
    except InvalidPinError as e:
        check(e.attempts_remaining == 4, f"one of five used: {e.attempts_remaining}")
    s.verify_pin("445566")
    check(s.get_pin_status().attempts_user == 5, "a right PIN restores five")
    # Signature PIN policy (C4 byte 1), and unverify_pin (VERIFY FF 81) ending both states.
    s.verify_admin("87654321")
    s.set_signature_pin_policy(PIN_POLICY.ONCE)
    check(s.get_pin_status().pin_policy_user == PIN_POLICY.ONCE, "policy ONCE")
    s.verify_admin("87654321")
    s.generate_ec_key(KEY_REF.SIG, OID.Ed25519)
    s.generate_ec_key(KEY_REF.DEC, OID.X25519)
    s.verify_pin("445566", extended=True)
    s.verify_pin("445566")
    s.unverify_pin(PW.USER)
    refused(lambda: s.sign(MESSAGE, hashes.SHA256()), 0x6982)
    peer = x25519.X25519PrivateKey.generate()
    refused(lambda: s.decrypt(peer.public_key()), 0x6982)
    s.verify_pin("445566")
    s.sign(MESSAGE, hashes.SHA256())
    s.sign(MESSAGE, hashes.SHA256())  # ONCE: the PIN stays verified for signing


def generate_and_use(s, cases):
    """Generates each (key_ref, oid, use) case's key on the card, reads it back (47 81) and
    uses it; the signature counter has counted the signatures."""
    for key_ref, oid, use in cases:
        s.verify_admin(ADMIN)
        if isinstance(oid, RSA_SIZE):
            public = s.generate_rsa_key(key_ref, oid)
            check(public.key_size == oid, "RSA size")
        else:
            public = s.generate_ec_key(key_ref, oid)
            if oid in CURVES:
                check(public.curve.name == CURVES[oid][0].name, f"curve {public.curve.name}")
        check(same_public(public, s.get_public_key(key_ref)), "47 81 reads the key")
        use(s, public)
    check(s.get_signature_counter() > 0, "signatures counted")


SLOTS = ((KEY_REF.SIG, use_sig), (KEY_REF.DEC, use_dec), (KEY_REF.AUT, use_aut))


@scenario
def generate_rsa2048(s, conn):
    """RSA-2048 in every slot (3072 and 4096: generate_large_rsa)."""
    generate_and_use(s, [(k, RSA_SIZE.RSA2048, u) for k, u in SLOTS])


@scenario
def generate_nistp256(s, conn):
    """ECDSA and ECDH on NIST P-256 in every slot."""
    generate_and_use(s, [(k, OID.SECP256R1, u) for k, u in SLOTS])


@scenario
def generate_other_curves(s, conn):
    """ECDSA and ECDH on every other curve, in every slot."""
    others = [oid for oid in CURVES if oid != OID.SECP256R1]
    generate_and_use(s, [(k, oid, u) for oid in others for k, u in SLOTS])


@scenario
def generate_curve25519(s, conn):
    """Ed25519 (SIG, AUT) and X25519 (DEC)."""
    cases = [(KEY_REF.SIG, OID.Ed25519, use_sig), (KEY_REF.AUT, OID.Ed25519, use_aut)]
    generate_and_use(s, cases + [(KEY_REF.DEC, OID.X25519, use_dec)])
    check(isinstance(s.get_public_key(KEY_REF.SIG), ed25519.Ed25519PublicKey), "Ed25519")
    check(isinstance(s.get_public_key(KEY_REF.DEC), x25519.X25519PublicKey), "X25519")


@scenario
def generate_large_rsa(s, conn):
    """On-card RSA-3072 (AUT) and RSA-4096 (DEC) generation, each key used."""
    for size, key_ref, use in ((RSA_SIZE.RSA3072, KEY_REF.AUT, use_aut), (RSA_SIZE.RSA4096, KEY_REF.DEC, use_dec)):
        s.verify_admin(ADMIN)
        public = s.generate_rsa_key(key_ref, size)
        check(public.key_size == size, "RSA size")
        check(same_public(public, s.get_public_key(key_ref)), "47 81 reads the key")
        use(s, public)


@scenario
def import_every_algorithm(s, conn):
    keys = [rsa.generate_private_key(65537, size) for size in (2048, 3072, 4096)]
    keys += [ec.generate_private_key(curve) for curve, _ in CURVES.values()]
    for private in keys:
        for key_ref, use in ((KEY_REF.SIG, use_sig), (KEY_REF.DEC, use_dec), (KEY_REF.AUT, use_aut)):
            s.verify_admin(ADMIN)
            s.put_key(key_ref, private)
            check(same_public(private.public_key(), s.get_public_key(key_ref)), "public key")
            use(s, private.public_key())
    for key_ref, use in ((KEY_REF.SIG, use_sig), (KEY_REF.AUT, use_aut)):
        private = ed25519.Ed25519PrivateKey.generate()
        s.verify_admin(ADMIN)
        s.put_key(key_ref, private)
        check(same_public(private.public_key(), s.get_public_key(key_ref)), "Ed25519 public key")
        use(s, private.public_key())
    private = x25519.X25519PrivateKey.generate()
    s.verify_admin(ADMIN)
    s.put_key(KEY_REF.DEC, private)
    check(same_public(private.public_key(), s.get_public_key(KEY_REF.DEC)), "X25519 public key")
    use_dec(s, private.public_key())
    # delete_key: RSA-4096 attributes then RSA-2048 (how yubikit empties a slot).
    s.verify_admin(ADMIN)
    s.delete_key(KEY_REF.SIG)
    refused(lambda: s.get_public_key(KEY_REF.SIG), 0x6A88)


def self_signed(name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


@scenario
def certificates(s, conn):
    certs = {k: self_signed(f"yubikit {k.name}") for k in (KEY_REF.SIG, KEY_REF.DEC, KEY_REF.AUT)}
    for key_ref, cert in certs.items():
        s.verify_admin(ADMIN)
        s.put_certificate(key_ref, cert)
    for key_ref, cert in certs.items():
        check(s.get_certificate(key_ref) == cert, f"certificate of {key_ref.name}")
    s.verify_admin(ADMIN)
    s.delete_certificate(KEY_REF.DEC)
    try:
        s.get_certificate(KEY_REF.DEC)
        raise AssertionError("a deleted certificate was read")
    except ValueError:
        pass
    check(s.get_certificate(KEY_REF.AUT) == certs[KEY_REF.AUT], "the others stay")


@scenario
def touch_policies(s, conn):
    for key_ref in (KEY_REF.SIG, KEY_REF.DEC, KEY_REF.AUT):
        check(s.get_uif(key_ref) == UIF.OFF, "UIF off by default")
    s.verify_admin(ADMIN)
    s.generate_ec_key(KEY_REF.SIG, OID.SECP256R1)
    for uif in (UIF.ON, UIF.CACHED, UIF.OFF, UIF.FIXED):
        s.verify_admin(ADMIN)
        s.set_uif(KEY_REF.SIG, uif)
        check(s.get_uif(KEY_REF.SIG) == uif, f"UIF {uif!r}")
        use_sig(s, s.get_public_key(KEY_REF.SIG))  # the virtual card's button confirms
    # FIXED can only be left by a factory reset: the card refuses (yubikit refuses first).
    s.verify_admin(ADMIN)
    refused(lambda: s.put_data(DO.UIF_SIG, bytes([UIF.OFF, 0x20])), 0x6985)
    s.verify_admin(ADMIN)
    s.set_uif(KEY_REF.AUT, UIF.CACHED_FIXED)
    check(s.get_uif(KEY_REF.AUT) == UIF.CACHED_FIXED, "UIF cached-fixed")


@scenario
def kdf(s, conn):
    check(isinstance(s.get_kdf(), KdfNone), "no KDF by default")
    s.verify_admin(ADMIN)
    s.set_kdf(KdfIterSaltedS2k.create(iteration_count=0x10000))
    check(isinstance(s.get_kdf(), KdfIterSaltedS2k), "KDF on")
    # yubikit hashes every PIN from now on; the card compares the hashes.
    s.verify_pin(PIN)
    s.verify_admin(ADMIN)
    s.change_pin(PIN, "654321")
    s.verify_pin("654321")
    try:
        s.verify_pin(PIN)
        raise AssertionError("the old PIN was accepted")
    except InvalidPinError:
        pass
    s.verify_admin(ADMIN)
    s.set_kdf(KdfNone())
    check(isinstance(s.get_kdf(), KdfNone), "KDF off")
    s.verify_pin(PIN)  # KDF off returns to the factory PINs


@scenario
def get_challenge(s, conn):
    a, b = s.get_challenge(32), s.get_challenge(32)
    check(len(a) == 32 and len(b) == 32 and a != b, "32 random bytes, different each time")
    check(len(s.get_challenge(1)) == 1, "one byte")


@scenario
def factory_reset(s, conn):
    s.verify_admin(ADMIN)
    s.put_data(DO.NAME, b"Gone<<Soon")
    s.generate_ec_key(KEY_REF.SIG, OID.Ed25519)
    s.set_reset_code("resetcode")
    s.set_pin_attempts(5, 5, 5)
    s.change_pin(PIN, "999999")
    s.reset()
    status = s.get_pin_status()
    check(
        (status.attempts_user, status.attempts_reset, status.attempts_admin) == (3, 0, 3),
        f"fresh counters: {status}",
    )
    check(s.get_data(DO.NAME) == b"", "name gone")
    refused(lambda: s.get_public_key(KEY_REF.SIG), 0x6A88)
    s.verify_pin(PIN)
    s.verify_admin(ADMIN)


ARC = "1.3.6.1.4.1.41482.5"


def yubico_extension(cert, n):
    oid = x509.ObjectIdentifier(f"{ARC}.{n}")
    return cert.extensions.get_extension_for_oid(oid).value.value


@scenario
def attestation(s, conn):
    """attest_key for every slot, the chain verified: statement -> attestation certificate
    (DO FC) -> the development CA the test card was provisioned by (E2E_ATTESTATION_CA)."""
    with open(os.environ["E2E_ATTESTATION_CA"], "rb") as f:
        root = x509.load_der_x509_certificate(f.read())
    authority = s.get_certificate(KEY_REF.ATT)
    authority.verify_directly_issued_by(root)
    s.verify_admin(ADMIN)
    s.put_data(DO.NAME, b"Atte<<Station")
    publics = {
        KEY_REF.SIG: s.generate_ec_key(KEY_REF.SIG, OID.SECP256R1),
        KEY_REF.DEC: s.generate_ec_key(KEY_REF.DEC, OID.X25519),
    }
    s.verify_admin(ADMIN)
    imported = rsa.generate_private_key(65537, 2048)
    s.put_key(KEY_REF.AUT, imported)
    publics[KEY_REF.AUT] = imported.public_key()
    s.verify_pin(PIN)  # yubikit's CLI verifies the user PIN, then attests
    # An imported key is not attested (6985), as on a YubiKey.
    refused(lambda: s.attest_key(KEY_REF.AUT), 0x6985)
    del publics[KEY_REF.AUT]
    for key_ref, public in publics.items():
        statement = s.attest_key(key_ref)
        statement.verify_directly_issued_by(authority)
        check(same_public(statement.public_key(), public), f"{key_ref.name}: the slot's key")
        check(
            statement.subject.rfc4514_string() == f"CN=OpenPGP card attestation {key_ref.name}",
            statement.subject.rfc4514_string(),
        )
        check(statement.not_valid_after_utc == authority.not_valid_after_utc, "validity")
        source = yubico_extension(statement, 2)
        check(source == b"\x02\x01\x01", f"{key_ref.name}: key source {source.hex()}")
        check(yubico_extension(statement, 1) == b"\x0c\x0dAtte<<Station", "cardholder name")
        check(yubico_extension(statement, 3) == b"\x04\x03\x05\x06\x01", "firmware version")
        # yubikit reads it back from the slot's certificate: the same certificate.
        check(s.get_certificate(key_ref) == statement, "written into the slot's 7F21")
    # Touch for attestation (D9): the virtual card's button confirms.
    s.verify_admin(ADMIN)
    s.set_uif(KEY_REF.ATT, UIF.ON)
    check(s.get_uif(KEY_REF.ATT) == UIF.ON, "D9")
    s.verify_pin(PIN)
    s.attest_key(KEY_REF.SIG).verify_directly_issued_by(authority)


def main():
    reader_name, name = sys.argv[1], sys.argv[2]
    reader = next((r for r in readers() if str(r) == reader_name), None)
    if reader is None:
        raise SystemExit(f"no reader {reader_name!r} among {[str(r) for r in readers()]}")
    conn = ScardSmartCardConnection(reader.createConnection())
    try:
        SCENARIOS[name](OpenPgpSession(conn), conn)
    finally:
        conn.close()
    print(f"yubikit: {name} passed")


if __name__ == "__main__":
    main()
