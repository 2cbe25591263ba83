//! Fuzz target `import`: key-import templates against cards whose slots hold known keys.

use std::sync::OnceLock;

use openpgp_card_applet::crypto::Curve;
use openpgp_card_applet::tlv::Reader;
use openpgp_card_applet::{RecordId, Storage, Transport};
use openpgp_card_applet_testkit::{keys, MemoryStorage};

use crate::card::{build_apdu, card_on, command, expect_ok, send, FuzzCard, CRT, PW3};
use crate::keys::{attributes, ed25519_key, p256_ecdsa_key, x25519_key, Family, KnownKey};
use crate::snapshot::{assert_probe_works, personalise, probe, Snapshot};

/// How many attribute profiles [`import`] chooses from.
pub const IMPORT_PROFILES: usize = 12;

/// The keys (and attributes) of the slots SIG, DEC, AUT in each import profile.
fn import_keys(profile: usize) -> [KnownKey; 3] {
    let ec = |family, sign: &str, dh: &str, scalar: &[u8]| {
        [
            KnownKey::ec(family, sign, scalar),
            KnownKey::ec(Family::Ecdh, dh, scalar),
            KnownKey::ec(family, sign, scalar),
        ]
    };
    match profile {
        0 => [ed25519_key(), x25519_key(), ed25519_key()],
        1 => ec(
            Family::Ecdsa(Curve::P256),
            attributes::P256_ECDSA,
            attributes::P256_ECDH,
            keys::P256_SCALAR,
        ),
        2 => ec(
            Family::Ecdsa(Curve::P384),
            attributes::P384_ECDSA,
            attributes::P384_ECDH,
            keys::P384_SCALAR,
        ),
        3 => ec(
            Family::Ecdsa(Curve::Secp256k1),
            attributes::K256_ECDSA,
            attributes::K256_ECDH,
            keys::K256_SCALAR,
        ),
        4 => [KnownKey::rsa(0), KnownKey::rsa(1), KnownKey::rsa(2)],
        5 => [KnownKey::rsa(3), KnownKey::rsa(3), KnownKey::rsa(3)],
        7 => ec(
            Family::Ecdsa(Curve::P521),
            attributes::P521_ECDSA,
            attributes::P521_ECDH,
            keys::P521_SCALAR,
        ),
        8 => ec(
            Family::Ecdsa(Curve::BrainpoolP256r1),
            attributes::BP256_ECDSA,
            attributes::BP256_ECDH,
            keys::BP256_SCALAR,
        ),
        9 => ec(
            Family::Ecdsa(Curve::BrainpoolP384r1),
            attributes::BP384_ECDSA,
            attributes::BP384_ECDH,
            keys::BP384_SCALAR,
        ),
        10 => ec(
            Family::Ecdsa(Curve::BrainpoolP512r1),
            attributes::BP512_ECDSA,
            attributes::BP512_ECDH,
            keys::BP512_SCALAR,
        ),
        11 => [
            KnownKey::ec(Family::EdDsa, attributes::ED448, keys::ED448_SEED),
            KnownKey::ec(Family::Xdh, attributes::X448, keys::X448_SCALAR),
            KnownKey::ec(Family::EdDsa, attributes::ED448, keys::ED448_SEED),
        ],
        _ => [
            ed25519_key().with_public_key_flag(),
            x25519_key().with_public_key_flag(),
            p256_ecdsa_key().with_public_key_flag(),
        ],
    }
}

fn import_snapshot(profile: usize) -> &'static Snapshot {
    static SNAPSHOTS: [OnceLock<Snapshot>; IMPORT_PROFILES] =
        [const { OnceLock::new() }; IMPORT_PROFILES];
    SNAPSHOTS[profile % IMPORT_PROFILES].get_or_init(|| personalise(&import_keys(profile), |_| {}))
}

/// The slot an import template names (what the applet parses first), if any.
fn template_slot(template: &[u8]) -> Option<usize> {
    let mut outer = Reader::new(template);
    let body = outer.expect(0x4D).ok()?;
    outer.finish().ok()?;
    let crt = Reader::new(body).tlv()?;
    CRT.iter().position(|&c| u16::from(c) == crt.tag)
}

/// Sends `00 DB 3F FF template`: one (short or extended) APDU, or chained in 200-byte
/// blocks. The status word of the last block sent.
fn send_import<S: Storage>(card: &mut FuzzCard<S>, template: &[u8], chained: bool) -> u16 {
    if !chained || template.len() <= 200 {
        return send(card, &build_apdu(0x00, 0xDB, 0x3F, 0xFF, template, None)).sw;
    }
    let blocks: Vec<&[u8]> = template.chunks(200).collect();
    for (i, block) in blocks.iter().enumerate() {
        let last = i + 1 == blocks.len();
        let cla = if last { 0x00 } else { 0x10 };
        let sw = send(card, &build_apdu(cla, 0xDB, 0x3F, 0xFF, block, None)).sw;
        if last || sw != 0x9000 {
            return sw;
        }
    }
    unreachable!("the last block returns")
}

fn key_record(storage: &MemoryStorage, slot: usize) -> Option<&[u8]> {
    storage.record(RecordId::KEY[slot])
}

/// Fuzz target `import`. The first byte chooses the attribute profile (low nibble, see
/// `import_keys`: Ed25519/X25519, P-256, P-384, secp256k1, RSA-2048 in all four import formats,
/// ECC attributes with the trailing FF, P-521, brainpoolP256r1, P384r1, P512r1, Ed448/X448),
/// whether the key is used before the import (bit 6) and
/// whether the template is chained (bit 7); the rest is the template, sent as `00 DB 3F FF` with
/// PW3 verified to a card whose three slots hold known keys. With bit 6 the slot the template
/// names (or one chosen by bits 4-5) is used before the import and probed after it; without,
/// only the cheap checks run unless the import was accepted (private-key operations dominate
/// the cost of an execution).
///
/// - Every response ends with a valid status word (checked by every exchange).
/// - Rejected: every key record is byte-identical (so the stored keys are the snapshot's, which
///   answered the probes), DE and 6E (attributes, fingerprints, dates, status in RAM) are
///   unchanged, and with bit 6 the key that was in use answers exactly as before.
/// - Accepted: only the named slot's record changed, DE says "imported", and the new key works,
///   answering the same before and after a power cycle (the stored form decodes to it).
pub fn import(data: &[u8]) {
    let Some((&selector, template)) = data.split_first() else {
        return;
    };
    let profile = usize::from(selector & 0x0F) % IMPORT_PROFILES;
    let chained = selector & 0x80 != 0;
    let snapshot = import_snapshot(profile);
    let named = template_slot(template);
    let target = named.unwrap_or(usize::from((selector >> 4) & 0x03) % 3);
    let family = snapshot.families[target];

    let mut card = card_on(snapshot.storage.clone(), Transport::Contact);
    expect_ok(&mut card, 0x20, 0x00, 0x83, PW3);
    let in_use = selector & 0x40 != 0;
    if in_use {
        // The key in use (decoded in RAM) before the import, as on a card in service.
        let before = probe(&mut card, target, family, &snapshot.dec_point);
        assert_eq!(before, snapshot.probes[target], "probe before the import");
    }

    let sw = send_import(&mut card, template, chained);
    let changed: Vec<usize> = (0..3)
        .filter(|&slot| key_record(&card.storage(), slot) != key_record(&snapshot.storage, slot))
        .collect();
    let (key_information, de_sw) = command(&mut card, 0xCA, 0x00, 0xDE, &[]);
    assert_eq!(de_sw, 0x9000, "GET DATA DE after the import");
    if sw == 0x9000 {
        assert_eq!(
            (named, &changed[..]),
            (Some(target), &[target][..]),
            "an accepted import changed other slots"
        );
        assert_eq!(
            key_information.get(2 * target + 1),
            Some(&0x02),
            "DE after an import: {key_information:02X?}"
        );
        let fresh = probe(&mut card, target, family, &snapshot.dec_point);
        assert_probe_works(&fresh, family, "the imported key");
        card.applet.power_on(Transport::Contact);
        let stored = probe(&mut card, target, family, &snapshot.dec_point);
        assert_eq!(
            stored, fresh,
            "the imported key changed across a power cycle"
        );
    } else {
        // The stored keys are the snapshot's, which answered the probes: they still work.
        assert!(
            changed.is_empty(),
            "a rejected import ({sw:04X}) changed the key records of slots {changed:?}"
        );
        assert_eq!(
            key_information, snapshot.key_information,
            "a rejected import ({sw:04X}) changed DE"
        );
        let (application_data, _) = command(&mut card, 0xCA, 0x00, 0x6E, &[]);
        assert_eq!(
            application_data, snapshot.application_data,
            "a rejected import ({sw:04X}) changed the slot metadata in RAM (6E)"
        );
        if in_use {
            // And the key decoded in RAM before the import still answers the same.
            let after = probe(&mut card, target, family, &snapshot.dec_point);
            assert_eq!(
                after, snapshot.probes[target],
                "the key of slot {target} no longer works after a rejected import ({sw:04X})"
            );
        }
    }
}
