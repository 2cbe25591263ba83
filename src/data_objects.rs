//! The data-object table of spec §4.4: every DO the applet answers with GET DATA or accepts
//! with PUT DATA, as data rather than code.
//!
//! Each [`DataObject`] names its tag, who may read and write it (spec §4.4.2's table), the
//! lengths PUT DATA accepts, whether it is simple or constructed (and then its children, in
//! order), and where its value lives. The handlers take from this table everything that is
//! not the value itself: GET DATA and PUT DATA look the tag up and check its access condition
//! and length here, the constructed DOs (6E, 65, 73, 7A) are assembled from their children
//! here, C0 and C4 announce the same [`Limit`]s PUT DATA enforces, and the fuzz grammar's data
//! objects are checked against it. Per-slot tags come from [`Slot`]'s methods.

use crate::platform::RecordId;
use crate::spec::{tag, PinRef, Slot, MAX_ATTRIBUTES_LEN, MAX_KDF_LEN, MAX_NAME_LEN};

/// Who may read or write a DO (spec §4.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No condition.
    Always,
    /// PW1 verified with reference 82.
    Pw1Other,
    /// PW3 verified.
    Pw3,
    /// Not possible with this command (GET DATA answers 6A88; PUT DATA asks for PW3 first, then
    /// answers 6A88, as for an unknown tag).
    Never,
}

/// A length that depends on the configuration, announced where the spec announces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// `Config::max_special_do_len`: private DOs, login data, URL (announced in C0).
    SpecialDo,
    /// `Config::max_certificate_len`: the cardholder certificate (announced in C0).
    Certificate,
    /// The length limits of a PIN's policy (maximum announced in C4).
    Pin(PinRef),
}

/// The value lengths PUT DATA accepts; any other is 6700. (Small on purpose: the table is in
/// every firmware's flash.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    /// Exactly this many bytes.
    Exactly(u16),
    /// One of these two lengths.
    Either(u16, u16),
    /// At most this many bytes.
    AtMost(u16),
    /// Empty, or within these bounds.
    EmptyOrWithin(u16, u16),
    /// At most the configured maximum.
    UpTo(Limit),
    /// Empty, or within the configured limits.
    EmptyOrFits(Limit),
    /// Not writable.
    None,
}

/// Simple or constructed (spec §4.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// A value; GET DATA answers it without tag and length.
    Simple,
    /// A template of the [`Children`]'s DOs, each with its tag and length, in order. GET DATA
    /// answers it with its own tag and length.
    Constructed(Children),
    /// A template whose inner TLVs are not DOs of their own (7F66's two lengths, 7F74's
    /// button). Answered with its tag and length, as [`Constructed`](Content::Constructed).
    Template,
}

/// The children of a constructed DO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Children {
    /// 6E, application related data.
    ApplicationRelated,
    /// 73, discretionary data objects.
    Discretionary,
    /// 65, cardholder related data.
    CardholderRelated,
    /// 7A, security support template.
    SecuritySupport,
}

impl Children {
    /// The child tags, in order.
    pub const fn tags(self) -> &'static [u16] {
        match self {
            Children::ApplicationRelated => &APPLICATION_RELATED,
            Children::Discretionary => &DISCRETIONARY,
            Children::CardholderRelated => &CARDHOLDER_RELATED,
            Children::SecuritySupport => &SECURITY_SUPPORT,
        }
    }

    /// The children's entries, in order (their positions in [`DATA_OBJECTS`] are found at
    /// compile time, so assembling a template searches nothing).
    pub fn objects(self) -> impl Iterator<Item = &'static DataObject> {
        let positions: &'static [u8] = match self {
            Children::ApplicationRelated => &APPLICATION_RELATED_AT,
            Children::Discretionary => &DISCRETIONARY_AT,
            Children::CardholderRelated => &CARDHOLDER_RELATED_AT,
            Children::SecuritySupport => &SECURITY_SUPPORT_AT,
        };
        positions
            .iter()
            .filter_map(|&at| DATA_OBJECTS.get(usize::from(at)))
    }
}

/// The positions of `tags` in [`DATA_OBJECTS`], at compile time.
///
/// # Panics
/// At compile time, if a tag is not in the table: it only runs in the constants below, so
/// its indexing cannot panic on a card.
#[allow(clippy::indexing_slicing)]
const fn positions<const N: usize>(tags: &[u16; N]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        let mut j = 0;
        while DATA_OBJECTS[j].tag != tags[i] {
            j += 1;
        }
        out[i] = j as u8;
        i += 1;
    }
    out
}

const APPLICATION_RELATED_AT: [u8; 5] = positions(&APPLICATION_RELATED);
const DISCRETIONARY_AT: [u8; 12] = positions(&DISCRETIONARY);
const CARDHOLDER_RELATED_AT: [u8; 3] = positions(&CARDHOLDER_RELATED);
const SECURITY_SUPPORT_AT: [u8; 1] = positions(&SECURITY_SUPPORT);

/// Where a DO's value lives, and so which code reads and writes it: GET DATA and PUT DATA
/// dispatch on this alone, never on the tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backing {
    /// Computed from the configuration and the other records (read only).
    Computed(Computed),
    /// A constructed DO: nothing of its own, its children have it.
    Children,
    /// A record of its own, holding the raw value (absent: empty).
    Record(RecordId),
    /// One of the three certificate records, by the current occurrence (SELECT DATA).
    Certificate,
    /// A field of the cardholder record (5B, 5F2D, 5F35).
    Cardholder,
    /// The Resetting Code, in the security record (write only).
    ResettingCode,
    /// The KDF-DO, in the security record.
    Kdf,
    /// C4: its first byte in the settings record, the rest computed.
    PwStatus,
    /// The settings record: a slot's user interaction flag.
    Uif(Slot),
    /// A slot's algorithm attributes, in its key record.
    Attributes(Slot),
    /// A slot's fingerprint, in its key record (write only here; read through C5).
    Fingerprint(Slot),
    /// A slot's generation date, in its key record (write only here; read through CD).
    GenerationTime(Slot),
    /// A slot's CA fingerprint, in the CA fingerprints record (write only here; read through
    /// C6).
    CaFingerprint(Slot),
    /// The signature counter record.
    SignatureCounter,
    /// The AES key's record (write only).
    #[cfg(feature = "aes")]
    AesKey,
    /// The attestation DOs (YubiKey's).
    #[cfg(feature = "attestation")]
    Attestation(Attestation),
}

/// Where an attestation DO's value lives (YubiKey's attestation; key reference 81).
#[cfg(feature = "attestation")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attestation {
    /// The attestation key's record (DA, DB, DD; read-only).
    Key,
    /// D9, the attestation UIF, in the settings record.
    Uif,
    /// A value the firmware provisions and the user may override (DC, FC).
    Overridable(Overridable),
}

/// The DOs whose value the applet computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Computed {
    /// 4F: the AID.
    Aid,
    /// 5F52: the historical bytes.
    HistoricalBytes,
    /// 7F66: the extended length information.
    ExtendedLength,
    /// 7F74: the general feature management (a button).
    GeneralFeatureManagement,
    /// C0: the extended capabilities.
    ExtendedCapabilities,
    /// C5: the three fingerprints.
    Fingerprints,
    /// C6: the three CA fingerprints.
    CaFingerprints,
    /// CD: the three generation dates.
    GenerationTimes,
    /// DE: the key information.
    KeyInformation,
    /// FA: the algorithm information.
    AlgorithmInformation,
}

/// A DO with two records: the firmware's provisioned value, which no command writes, and the
/// user's override, which PUT DATA writes (an empty value removes it) and the factory reset
/// removes. GET DATA answers the override while it exists, else the provisioned value (else
/// nothing): PUT DATA can hide the provisioned value until the next factory reset, never
/// destroy it.
#[cfg(feature = "attestation")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overridable {
    /// FC (and the fourth 7F21 occurrence): the attestation certificate.
    AttestationCertificate,
    /// DC: the attestation CA fingerprint.
    AttestationCaFingerprint,
}

#[cfg(feature = "attestation")]
impl Overridable {
    /// The firmware's record ([`RecordId::FIRMWARE`]).
    pub const fn provisioned(self) -> RecordId {
        match self {
            Overridable::AttestationCertificate => RecordId::ATTESTATION_CERTIFICATE,
            Overridable::AttestationCaFingerprint => RecordId::ATTESTATION_CA_FINGERPRINT,
        }
    }

    /// The user's record (in [`RecordId::ALL`]).
    pub const fn user(self) -> RecordId {
        match self {
            Overridable::AttestationCertificate => RecordId::USER_ATTESTATION_CERTIFICATE,
            Overridable::AttestationCaFingerprint => RecordId::USER_ATTESTATION_CA_FINGERPRINT,
        }
    }
}

/// One data object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataObject {
    /// The tag, one or two bytes.
    pub tag: u16,
    /// GET DATA's access condition.
    pub read: Access,
    /// PUT DATA's access condition.
    pub write: Access,
    /// The lengths PUT DATA accepts.
    pub length: Length,
    /// Simple or constructed.
    pub content: Content,
    /// Where the value lives.
    pub backing: Backing,
}

const fn read_only(tag: u16, backing: Backing) -> DataObject {
    DataObject {
        tag,
        read: Access::Always,
        write: Access::Never,
        length: Length::None,
        content: Content::Simple,
        backing,
    }
}

const fn computed(tag: u16, value: Computed) -> DataObject {
    read_only(tag, Backing::Computed(value))
}

const fn constructed(tag: u16, children: Children) -> DataObject {
    DataObject {
        content: Content::Constructed(children),
        ..read_only(tag, Backing::Children)
    }
}

const fn template(tag: u16, value: Computed) -> DataObject {
    DataObject {
        content: Content::Template,
        ..computed(tag, value)
    }
}

const fn admin(tag: u16, read: Access, length: Length, backing: Backing) -> DataObject {
    DataObject {
        tag,
        read,
        write: Access::Pw3,
        length,
        content: Content::Simple,
        backing,
    }
}

/// A per-slot DO written by the administrator.
const fn slot_do(tag: u16, read: Access, length: Length, backing: Backing) -> DataObject {
    admin(tag, read, length, backing)
}

const fn attributes(slot: Slot) -> DataObject {
    slot_do(
        slot.attributes_tag(),
        Access::Always,
        Length::AtMost(MAX_ATTRIBUTES_LEN as u16),
        Backing::Attributes(slot),
    )
}

const fn fingerprint(slot: Slot) -> DataObject {
    slot_do(
        slot.fingerprint_tag(),
        Access::Never,
        Length::Exactly(20),
        Backing::Fingerprint(slot),
    )
}

const fn ca_fingerprint(slot: Slot) -> DataObject {
    slot_do(
        slot.ca_fingerprint_tag(),
        Access::Never,
        Length::Exactly(20),
        Backing::CaFingerprint(slot),
    )
}

const fn generation_time(slot: Slot) -> DataObject {
    slot_do(
        slot.generation_time_tag(),
        Access::Never,
        Length::Exactly(4),
        Backing::GenerationTime(slot),
    )
}

const fn uif(slot: Slot) -> DataObject {
    slot_do(
        slot.uif_tag(),
        Access::Always,
        Length::Exactly(2),
        Backing::Uif(slot),
    )
}

const fn private(tag: u16, read: Access, write: Access, record: RecordId) -> DataObject {
    DataObject {
        tag,
        read,
        write,
        length: Length::UpTo(Limit::SpecialDo),
        content: Content::Simple,
        backing: Backing::Record(record),
    }
}

/// Children of the application related data 6E (spec §4.4.1).
const APPLICATION_RELATED: [u16; 5] = [
    tag::AID,
    tag::HISTORICAL_BYTES,
    tag::EXTENDED_LENGTH,
    tag::GENERAL_FEATURE_MANAGEMENT,
    tag::DISCRETIONARY,
];
/// Children of the discretionary data objects 73.
const DISCRETIONARY: [u16; 12] = [
    tag::EXTENDED_CAPABILITIES,
    Slot::Sig.attributes_tag(),
    Slot::Dec.attributes_tag(),
    Slot::Aut.attributes_tag(),
    tag::PW_STATUS,
    tag::FINGERPRINTS,
    tag::CA_FINGERPRINTS,
    tag::GENERATION_TIMES,
    tag::KEY_INFORMATION,
    Slot::Sig.uif_tag(),
    Slot::Dec.uif_tag(),
    Slot::Aut.uif_tag(),
];
/// Children of the cardholder related data 65: all three are always present (empty when
/// unset), because `gpg --card-status` aborts on an error for any of them.
const CARDHOLDER_RELATED: [u16; 3] = [tag::NAME, tag::LANGUAGE, tag::SEX];
/// Children of the security support template 7A.
const SECURITY_SUPPORT: [u16; 1] = [tag::SIGNATURE_COUNTER];

/// Every data object of the applet, sorted by tag (so that [`find`] is a binary search).
pub const DATA_OBJECTS: &[DataObject] = &[
    computed(tag::AID, Computed::Aid),
    admin(
        tag::NAME,
        Access::Always,
        Length::AtMost(MAX_NAME_LEN as u16),
        Backing::Cardholder,
    ),
    admin(
        tag::LOGIN_DATA,
        Access::Always,
        Length::UpTo(Limit::SpecialDo),
        Backing::Record(RecordId::LOGIN),
    ),
    constructed(tag::CARDHOLDER_RELATED, Children::CardholderRelated),
    constructed(tag::APPLICATION_RELATED, Children::ApplicationRelated),
    DataObject {
        read: Access::Never,
        ..constructed(tag::DISCRETIONARY, Children::Discretionary)
    },
    constructed(tag::SECURITY_SUPPORT, Children::SecuritySupport),
    read_only(tag::SIGNATURE_COUNTER, Backing::SignatureCounter),
    computed(tag::EXTENDED_CAPABILITIES, Computed::ExtendedCapabilities),
    attributes(Slot::Sig),
    attributes(Slot::Dec),
    attributes(Slot::Aut),
    // C4 is computed, and its first byte writable.
    DataObject {
        write: Access::Pw3,
        length: Length::Either(1, 4),
        ..read_only(tag::PW_STATUS, Backing::PwStatus)
    },
    computed(tag::FINGERPRINTS, Computed::Fingerprints),
    computed(tag::CA_FINGERPRINTS, Computed::CaFingerprints),
    fingerprint(Slot::Sig),
    fingerprint(Slot::Dec),
    fingerprint(Slot::Aut),
    ca_fingerprint(Slot::Sig),
    ca_fingerprint(Slot::Dec),
    ca_fingerprint(Slot::Aut),
    computed(tag::GENERATION_TIMES, Computed::GenerationTimes),
    generation_time(Slot::Sig),
    generation_time(Slot::Dec),
    generation_time(Slot::Aut),
    admin(
        tag::RESETTING_CODE,
        Access::Never,
        Length::EmptyOrFits(Limit::Pin(PinRef::ResettingCode)),
        Backing::ResettingCode,
    ),
    #[cfg(feature = "aes")]
    admin(
        tag::AES_KEY,
        Access::Never,
        Length::Either(16, 32),
        Backing::AesKey,
    ),
    uif(Slot::Sig),
    uif(Slot::Dec),
    uif(Slot::Aut),
    // The attestation key's DOs (YubiKey's; key reference 81).
    #[cfg(feature = "attestation")]
    admin(
        tag::ATTESTATION_UIF,
        Access::Always,
        Length::Exactly(2),
        Backing::Attestation(Attestation::Uif),
    ),
    #[cfg(feature = "attestation")]
    read_only(
        tag::ATTESTATION_ATTRIBUTES,
        Backing::Attestation(Attestation::Key),
    ),
    #[cfg(feature = "attestation")]
    read_only(
        tag::ATTESTATION_FINGERPRINT,
        Backing::Attestation(Attestation::Key),
    ),
    // The attestation CA fingerprint: PUT DATA overrides the provisioned one (empty: removes
    // the override).
    #[cfg(feature = "attestation")]
    admin(
        tag::ATTESTATION_CA_FINGERPRINT,
        Access::Always,
        Length::EmptyOrWithin(20, 20),
        Backing::Attestation(Attestation::Overridable(
            Overridable::AttestationCaFingerprint,
        )),
    ),
    #[cfg(feature = "attestation")]
    read_only(
        tag::ATTESTATION_GENERATION_TIME,
        Backing::Attestation(Attestation::Key),
    ),
    computed(tag::KEY_INFORMATION, Computed::KeyInformation),
    admin(
        tag::KDF,
        Access::Always,
        Length::AtMost(MAX_KDF_LEN as u16),
        Backing::Kdf,
    ),
    computed(tag::ALGORITHM_INFORMATION, Computed::AlgorithmInformation),
    // The attestation certificate (YubiKey's), also the fourth occurrence of 7F21: PUT DATA
    // overrides the provisioned one (empty: removes the override).
    #[cfg(feature = "attestation")]
    admin(
        tag::ATTESTATION_CERTIFICATE,
        Access::Always,
        Length::UpTo(Limit::Certificate),
        Backing::Attestation(Attestation::Overridable(
            Overridable::AttestationCertificate,
        )),
    ),
    private(
        tag::PRIVATE_USE[0],
        Access::Always,
        Access::Pw1Other,
        RecordId::PRIVATE[0],
    ),
    private(
        tag::PRIVATE_USE[1],
        Access::Always,
        Access::Pw3,
        RecordId::PRIVATE[1],
    ),
    private(
        tag::PRIVATE_USE[2],
        Access::Pw1Other,
        Access::Pw1Other,
        RecordId::PRIVATE[2],
    ),
    private(
        tag::PRIVATE_USE[3],
        Access::Pw3,
        Access::Pw3,
        RecordId::PRIVATE[3],
    ),
    admin(
        tag::LANGUAGE,
        Access::Always,
        Length::EmptyOrWithin(2, 8),
        Backing::Cardholder,
    ),
    admin(
        tag::SEX,
        Access::Always,
        Length::AtMost(1),
        Backing::Cardholder,
    ),
    admin(
        tag::URL,
        Access::Always,
        Length::UpTo(Limit::SpecialDo),
        Backing::Record(RecordId::URL),
    ),
    computed(tag::HISTORICAL_BYTES, Computed::HistoricalBytes),
    admin(
        tag::CARDHOLDER_CERTIFICATE,
        Access::Always,
        Length::UpTo(Limit::Certificate),
        Backing::Certificate,
    ),
    template(tag::EXTENDED_LENGTH, Computed::ExtendedLength),
    template(
        tag::GENERAL_FEATURE_MANAGEMENT,
        Computed::GeneralFeatureManagement,
    ),
];

/// The entry for `tag`.
pub fn find(tag: u16) -> Option<&'static DataObject> {
    let index = DATA_OBJECTS
        .binary_search_by_key(&tag, |object| object.tag)
        .ok()?;
    DATA_OBJECTS.get(index)
}

impl Length {
    /// Whether `len` is accepted, given how long `limit` allows.
    pub fn accepts(self, len: usize, limit: impl Fn(Limit) -> (usize, usize)) -> bool {
        let n = |bound: u16| usize::from(bound);
        match self {
            Length::Exactly(exact) => len == n(exact),
            Length::Either(a, b) => len == n(a) || len == n(b),
            Length::AtMost(max) => len <= n(max),
            Length::EmptyOrWithin(min, max) => len == 0 || (n(min)..=n(max)).contains(&len),
            Length::UpTo(which) => len <= limit(which).1,
            Length::EmptyOrFits(which) => {
                let (min, max) = limit(which);
                len == 0 || (min..=max).contains(&len)
            }
            Length::None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn tags_are_sorted_unique_and_children_exist() {
        for pair in DATA_OBJECTS.windows(2) {
            assert!(
                pair[0].tag < pair[1].tag,
                "{:04X} then {:04X}",
                pair[0].tag,
                pair[1].tag
            );
        }
        for object in DATA_OBJECTS {
            assert_eq!(find(object.tag), Some(object));
            if let Content::Constructed(children) = object.content {
                let tags: Vec<u16> = children.objects().map(|o| o.tag).collect();
                assert_eq!(tags, children.tags());
                for child in children.tags() {
                    let child = find(*child).unwrap();
                    assert_ne!(child.read, Access::Pw1Other);
                    assert_ne!(child.read, Access::Pw3);
                }
            }
            let writable = object.write != Access::Never;
            assert_eq!(
                writable,
                object.length != Length::None,
                "{:04X}",
                object.tag
            );
        }
    }

    /// No PUT DATA writes a firmware record: those are the device's (the attestation
    /// identity, the retry defaults), which the default PW3 after a factory reset must not
    /// reach. The overridable DOs write their user record, which the factory reset removes.
    #[test]
    fn no_data_object_writes_a_firmware_record() {
        for object in DATA_OBJECTS.iter().filter(|o| o.write != Access::Never) {
            let written = match object.backing {
                Backing::Record(id) => Some(id),
                #[cfg(feature = "attestation")]
                Backing::Attestation(Attestation::Overridable(value)) => {
                    assert!(RecordId::FIRMWARE.contains(&value.provisioned()));
                    Some(value.user())
                }
                _ => None,
            };
            if let Some(id) = written {
                assert!(!RecordId::FIRMWARE.contains(&id), "{:04X}", object.tag);
                assert!(RecordId::ALL.contains(&id), "{:04X}", object.tag);
            }
        }
    }

    /// The table is in every firmware's flash: an entry stays small.
    #[test]
    fn an_entry_fits_in_sixteen_bytes() {
        assert!(core::mem::size_of::<DataObject>() <= 16);
    }

    #[test]
    fn lengths() {
        let limit = |_| (8, 64);
        assert!(Length::EmptyOrFits(Limit::Certificate).accepts(0, limit));
        assert!(!Length::EmptyOrFits(Limit::Certificate).accepts(7, limit));
        assert!(Length::EmptyOrFits(Limit::Certificate).accepts(64, limit));
        assert!(!Length::UpTo(Limit::SpecialDo).accepts(65, limit));
        assert!(Length::EmptyOrWithin(2, 8).accepts(0, limit));
        assert!(!Length::EmptyOrWithin(2, 8).accepts(1, limit));
        assert!(Length::Either(1, 4).accepts(4, limit));
        assert!(!Length::Either(1, 4).accepts(2, limit));
        assert!(!Length::None.accepts(0, limit));
    }
}
