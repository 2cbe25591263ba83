use crate::card::Card;

/// The step of [`first_exchange`] that was answered wrongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrong {
    /// SELECT of the OpenPGP application.
    Select,
    /// GET DATA 6E, the application related data: must hold the AID with the serial number.
    ApplicationData,
    /// GET DATA 5F52, the historical bytes: must be those of the ATR.
    HistoricalBytes,
    /// GET DATA C4, the PW status bytes: three tries for PW1 and PW3, no Resetting Code.
    PinStatus,
}

/// What a host sends first: SELECT, then GET DATA 6E, 5F52 and C4, each answer checked.
/// `response` takes any answer in one piece (`Config::max_response_len` + 2 bytes).
pub fn first_exchange(card: &mut Card, response: &mut [u8]) -> Result<(), Wrong> {
    const SELECT: [u8; 11] = [
        0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01,
    ];
    check(answer(card, &SELECT, response) == Some(&[]), Wrong::Select)?;

    // 6E { 4F 10 <AID> ... }: the AID, with the serial number from `Config`, inside.
    let aid = card.aid();
    let data = answer(card, &get_data(0x6E), response).unwrap_or_default();
    let holds_aid = data
        .windows(2 + aid.len())
        .any(|w| w.starts_with(&[0x4F, 0x10]) && w.ends_with(&aid));
    check(
        data.first() == Some(&0x6E) && holds_aid,
        Wrong::ApplicationData,
    )?;

    let historical = card.historical_bytes();
    let data = answer(card, &get_data(0x5F52), response);
    check(data == Some(&historical[..]), Wrong::HistoricalBytes)?;

    // C4: PW1 valid for one signature, three length limits, then the counters PW1, RC, PW3.
    let data = answer(card, &get_data(0xC4), response);
    check(
        data.and_then(|data| data.get(4..7)) == Some(&[3, 0, 3]),
        Wrong::PinStatus,
    )
}

/// GET DATA `tag` with an extended Le of 65,536 (`00 00 00`): the whole answer at once,
/// without 61xx and GET RESPONSE (6E is longer than a short Le's 256 bytes).
fn get_data(tag: u16) -> [u8; 7] {
    let [p1, p2] = tag.to_be_bytes();
    [0x00, 0xCA, p1, p2, 0x00, 0x00, 0x00]
}

/// The data of the answer to `command` when its status word is 9000.
fn answer<'r>(card: &mut Card, command: &[u8], response: &'r mut [u8]) -> Option<&'r [u8]> {
    let n = card.process(command, response);
    match response.get(..n)? {
        [data @ .., 0x90, 0x00] => Some(data),
        _ => None,
    }
}

fn check(ok: bool, otherwise: Wrong) -> Result<(), Wrong> {
    if ok {
        Ok(())
    } else {
        Err(otherwise)
    }
}
