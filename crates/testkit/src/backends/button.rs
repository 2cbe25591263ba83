//! A user-presence check that answers from a script.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::convert::Infallible;

use openpgp_card_applet::platform::{Presence, UserPresence};

/// Answers each request with the next scripted [`Presence`], then with a default.
/// It records every timeout it was asked with.
#[derive(Clone, Debug)]
pub struct ScriptedButton {
    script: VecDeque<Presence>,
    default: Presence,
    requests: Vec<u32>,
}

impl ScriptedButton {
    /// Always answers `answer`.
    pub fn always(answer: Presence) -> ScriptedButton {
        ScriptedButton {
            script: VecDeque::new(),
            default: answer,
            requests: Vec::new(),
        }
    }

    /// Queues one answer for the next request.
    pub fn push(&mut self, answer: Presence) {
        self.script.push_back(answer);
    }

    /// Changes the answer given once the script is used up.
    pub fn set_default(&mut self, answer: Presence) {
        self.default = answer;
    }

    /// The timeouts of all requests so far, in order.
    pub fn requests(&self) -> &[u32] {
        &self.requests
    }
}

impl UserPresence for ScriptedButton {
    type Error = Infallible;

    fn confirm(&mut self, timeout_ms: u32) -> Result<Presence, Infallible> {
        self.requests.push(timeout_ms);
        Ok(self.script.pop_front().unwrap_or(self.default))
    }
}
