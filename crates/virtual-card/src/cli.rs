//! What the two card programs share on their command line: `virtual-card` (this crate's
//! binary) and `qemu-card` (`crates/qemu-bridge`, the firmware under QEMU) take the same
//! options for the same things.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

use openpgp_card_applet::Presence;

/// Runs a program's `main`: `parse` the arguments (`Ok(None)` for `--help`, which prints
/// `usage`), then `run`; errors are printed after `program:`.
pub fn main<A>(
    program: &str,
    usage: &str,
    parse: impl FnOnce() -> Result<Option<A>, String>,
    run: impl FnOnce(A) -> Result<(), String>,
) -> ExitCode {
    let args = match parse() {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{usage}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{program}: {message}\n\n{usage}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{program}: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The command line as `(flag, value)` steps: `--name value` and `--name=value` alike.
pub struct Flags {
    args: std::vec::IntoIter<String>,
}

impl Flags {
    /// The process's arguments after the program name.
    pub fn from_env() -> Flags {
        Flags {
            args: std::env::args().skip(1).collect::<Vec<_>>().into_iter(),
        }
    }

    /// The next flag's name, and its inline value if it had one (`--name=value`). `None` at
    /// the end.
    pub fn next_flag(&mut self) -> Option<(String, Option<String>)> {
        let flag = self.args.next()?;
        Some(match flag.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (flag, None),
        })
    }

    /// The value of flag `name`: its inline value, or the next argument.
    pub fn value(&mut self, name: &str, inline: Option<String>) -> Result<String, String> {
        inline
            .or_else(|| self.args.next())
            .ok_or_else(|| format!("{name} needs a value"))
    }
}

/// `--serial HEX`: up to 8 hex digits, with or without `0x`.
pub fn parse_serial(value: &str) -> Result<u32, String> {
    let digits = value.trim_start_matches("0x");
    u32::from_str_radix(digits, 16)
        .ok()
        .filter(|_| !digits.is_empty() && digits.len() <= 8)
        .ok_or_else(|| format!("bad --serial {value:?}: up to 8 hex digits"))
}

/// `$XDG_DATA_HOME/openpgp-card-applet/<leaf>`, else `~/.local/share/openpgp-card-applet/<leaf>`.
pub fn default_storage_dir(leaf: &str) -> Result<PathBuf, String> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|home| PathBuf::from(home).join(".local/share"))
            .ok_or("neither XDG_DATA_HOME nor HOME is set: pass --storage-dir")?,
    };
    Ok(base.join("openpgp-card-applet").join(leaf))
}

/// `--button MODE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonMode {
    /// Every touch request is confirmed.
    Confirm,
    /// Every touch request is refused.
    Deny,
    /// Asked on the terminal (y/n), with the applet's timeout.
    Ask,
}

impl ButtonMode {
    /// Parses `confirm`, `deny` or `ask`.
    pub fn parse(value: &str) -> Result<ButtonMode, String> {
        match value {
            "confirm" => Ok(ButtonMode::Confirm),
            "deny" => Ok(ButtonMode::Deny),
            "ask" => Ok(ButtonMode::Ask),
            other => Err(format!("bad --button {other:?}: confirm, deny or ask")),
        }
    }
}

/// The touch button of a card program: a fixed answer, or a y/n question on the terminal.
pub struct TerminalButton {
    program: &'static str,
    mode: ButtonMode,
    /// Lines typed on stdin, read by a thread so that a request can time out.
    lines: Option<Mutex<Receiver<String>>>,
}

impl TerminalButton {
    /// A button answering as `mode` says; `program` prefixes its messages.
    pub fn new(program: &'static str, mode: ButtonMode) -> TerminalButton {
        let lines = (mode == ButtonMode::Ask).then(|| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for line in io::stdin().lock().lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            Mutex::new(rx)
        });
        TerminalButton {
            program,
            mode,
            lines,
        }
    }

    /// One touch request with the applet's timeout.
    pub fn ask(&self, timeout_ms: u32) -> Presence {
        let program = self.program;
        let answer = match self.mode {
            ButtonMode::Confirm => Presence::Confirmed,
            ButtonMode::Deny => Presence::Denied,
            ButtonMode::Ask => {
                let Some(lines) = self.lines.as_ref() else {
                    return Presence::Denied;
                };
                let lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                // Forget anything typed before the question.
                while lines.try_recv().is_ok() {}
                eprint!(
                    "{program}: touch requested. Confirm? [y/N] ({} s) ",
                    timeout_ms / 1000
                );
                let _ = io::stderr().flush();
                match lines.recv_timeout(Duration::from_millis(u64::from(timeout_ms))) {
                    Ok(line) if line.trim().eq_ignore_ascii_case("y") => Presence::Confirmed,
                    Ok(_) | Err(RecvTimeoutError::Disconnected) => Presence::Denied,
                    Err(RecvTimeoutError::Timeout) => {
                        eprintln!("(timed out)");
                        Presence::TimedOut
                    }
                }
            }
        };
        eprintln!("{program}: touch {answer:?}");
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_and_button_modes_parse_or_are_refused() {
        assert_eq!(parse_serial("0x1234ABCD"), Ok(0x1234_ABCD));
        assert_eq!(parse_serial("1"), Ok(1));
        assert!(parse_serial("").is_err());
        assert!(parse_serial("123456789").is_err());
        assert_eq!(ButtonMode::parse("ask"), Ok(ButtonMode::Ask));
        assert!(ButtonMode::parse("maybe").is_err());
    }

    #[test]
    fn fixed_buttons_answer_without_a_terminal() {
        assert_eq!(
            TerminalButton::new("t", ButtonMode::Confirm).ask(10),
            Presence::Confirmed
        );
        assert_eq!(
            TerminalButton::new("t", ButtonMode::Deny).ask(10),
            Presence::Denied
        );
    }
}
