//! A PC/SC backend for the `openpgp-card` client crate, on the `pcsc` crate (the `e2e`
//! feature's optional dependency).
//!
//! The published backend `card-backend-pcsc` does the same (shared connection, one PC/SC
//! transaction per `openpgp-card` transaction, re-SELECT after a card reset) plus pinpad
//! readers, which vpcd is not. It is not used because, as a dev-dependency, it would make every
//! plain `cargo test` link libpcsclite (see the `pcsc` entry in Cargo.toml).

use std::ffi::CString;

use card_backend::{CardBackend, CardCaps, CardTransaction, PinType, SmartcardError};

use super::reader;

/// A shared PC/SC connection to the test reader.
pub struct PcscBackend {
    card: pcsc::Card,
}

impl PcscBackend {
    /// Connects to the test card's reader ([`reader`]) in shared mode.
    pub fn open() -> Result<PcscBackend, SmartcardError> {
        let context = pcsc::Context::establish(pcsc::Scope::User)
            .map_err(|e| SmartcardError::ContextError(format!("{e:?}")))?;
        let name = CString::new(reader().0).expect("reader name");
        let card = context
            .connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
            .map_err(|e| SmartcardError::SmartCardConnectionError(format!("{e:?}")))?;
        Ok(PcscBackend { card })
    }

    /// The `openpgp-card` client on the test card (SELECTs the OpenPGP application).
    pub fn client() -> openpgp_card::Card<openpgp_card::state::Open> {
        let backend = PcscBackend::open().expect("connect to the test reader through PC/SC");
        openpgp_card::Card::new(backend).expect("openpgp-card opens the card")
    }
}

impl From<PcscBackend> for Box<dyn CardBackend + Send + Sync> {
    fn from(backend: PcscBackend) -> Box<dyn CardBackend + Send + Sync> {
        Box::new(backend)
    }
}

struct PcscTransaction<'a> {
    tx: pcsc::Transaction<'a>,
    was_reset: bool,
}

impl CardBackend for PcscBackend {
    fn limit_card_caps(&self, card_caps: CardCaps) -> CardCaps {
        card_caps
    }

    fn transaction(
        &mut self,
        reselect_application: Option<&[u8]>,
    ) -> Result<Box<dyn CardTransaction + Send + Sync + '_>, SmartcardError> {
        // A card reset by another client (scdaemon, OpenSC) shows up here: reconnect once, and
        // SELECT the application again if the caller had one selected.
        let was_reset = matches!(self.card.transaction2(), Err((_, pcsc::Error::ResetCard)));
        if was_reset {
            self.card
                .reconnect(
                    pcsc::ShareMode::Shared,
                    pcsc::Protocols::ANY,
                    pcsc::Disposition::LeaveCard,
                )
                .map_err(|e| SmartcardError::Error(format!("reconnect: {e:?}")))?;
        }
        let tx = self
            .card
            .transaction()
            .map_err(|e| SmartcardError::Error(format!("transaction: {e:?}")))?;
        let mut transaction = PcscTransaction { tx, was_reset };
        if was_reset {
            if let Some(aid) = reselect_application {
                let response = transaction.select(aid)?;
                if !response.ends_with(&[0x90, 0x00]) {
                    return Err(SmartcardError::Error(format!(
                        "re-SELECT after a reset: {response:02X?}"
                    )));
                }
            }
        }
        Ok(Box::new(transaction))
    }
}

impl CardTransaction for PcscTransaction<'_> {
    fn transmit(&mut self, cmd: &[u8], buf_size: usize) -> Result<Vec<u8>, SmartcardError> {
        let mut buffer = vec![0u8; buf_size.max(2)];
        self.tx
            .transmit(cmd, &mut buffer)
            .map(<[u8]>::to_vec)
            .map_err(|e| match e {
                pcsc::Error::NotTransacted => SmartcardError::NotTransacted,
                e => SmartcardError::Error(format!("transmit: {e:?}")),
            })
    }

    fn feature_pinpad_verify(&self) -> bool {
        false
    }

    fn feature_pinpad_modify(&self) -> bool {
        false
    }

    fn pinpad_verify(
        &mut self,
        _pin: PinType,
        _card_caps: &Option<CardCaps>,
    ) -> Result<Vec<u8>, SmartcardError> {
        Err(SmartcardError::Error("vpcd has no pinpad".into()))
    }

    fn pinpad_modify(
        &mut self,
        _pin: PinType,
        _card_caps: &Option<CardCaps>,
    ) -> Result<Vec<u8>, SmartcardError> {
        Err(SmartcardError::Error("vpcd has no pinpad".into()))
    }

    fn was_reset(&self) -> bool {
        self.was_reset
    }
}
