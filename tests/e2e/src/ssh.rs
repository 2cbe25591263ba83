//! SSH through gpg-agent's `enable-ssh-support`: the OpenSSH tools (`ssh-add`, `ssh-keygen
//! -Y`) and a minimal ssh-agent protocol client (RFC draft-miller-ssh-agent) for requests the
//! tools cannot make, such as signing a blob of any size.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use super::Gpg;

const SSH_AGENTC_REQUEST_IDENTITIES: u8 = 11;
const SSH_AGENT_IDENTITIES_ANSWER: u8 = 12;
const SSH_AGENTC_SIGN_REQUEST: u8 = 13;
const SSH_AGENT_SIGN_RESPONSE: u8 = 14;
/// Sign-request flag: RSA with SHA-512 (`rsa-sha2-512`).
pub const SSH_AGENT_RSA_SHA2_512: u32 = 4;

/// gpg-agent's SSH socket for this GNUPGHOME; starts the agent so that the socket exists.
pub fn agent_socket(gpg: &Gpg) -> PathBuf {
    let out = gpg.run("gpg-connect-agent", &["/bye"]);
    assert!(out.success, "gpg-agent did not start: {}", out.stderr);
    let out = gpg.run("gpgconf", &["--list-dirs", "agent-ssh-socket"]);
    assert!(out.success, "gpgconf --list-dirs: {}", out.stderr);
    let path = PathBuf::from(out.stdout.trim());
    assert!(
        path.exists(),
        "no SSH socket at {} (enable-ssh-support)",
        path.display()
    );
    path
}

/// `ssh-keygen -Y sign -n file -f <public>` of `data` (the signature goes to `<data>.sig`)
/// through the agent at `socket`: the private-key operation goes to the card. Panics unless it
/// succeeds.
pub fn keygen_sign(
    gpg: &Gpg,
    socket: &std::path::Path,
    public: &std::path::Path,
    data: &std::path::Path,
) {
    let env = [("SSH_AUTH_SOCK", socket.to_str().expect("socket path"))];
    let signed = gpg.run_with(
        "ssh-keygen",
        &[
            "-Y",
            "sign",
            "-n",
            "file",
            "-f",
            public.to_str().unwrap(),
            data.to_str().unwrap(),
        ],
        &env,
        None,
    );
    assert!(signed.success, "ssh-keygen -Y sign: {}", signed.stderr);
}

/// One key the agent offers: the public key blob and its comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub blob: Vec<u8>,
    pub comment: String,
}

impl Identity {
    /// The key type, the blob's first string (`ssh-ed25519`, `ssh-rsa`, ...).
    pub fn key_type(&self) -> String {
        let mut r = &self.blob[..];
        String::from_utf8_lossy(&read_string(&mut r).unwrap_or_default()).into_owned()
    }
}

/// A connection to an ssh-agent socket.
pub struct Agent(UnixStream);

impl Agent {
    pub fn connect(socket: &std::path::Path) -> Agent {
        let stream = UnixStream::connect(socket).expect("connect to the agent's SSH socket");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        Agent(stream)
    }

    fn request(&mut self, message: &[u8]) -> Vec<u8> {
        let mut framed = (message.len() as u32).to_be_bytes().to_vec();
        framed.extend_from_slice(message);
        self.0.write_all(&framed).expect("write to the agent");
        let mut len = [0u8; 4];
        self.0.read_exact(&mut len).expect("agent answer length");
        let mut answer = vec![0u8; u32::from_be_bytes(len) as usize];
        self.0.read_exact(&mut answer).expect("agent answer");
        answer
    }

    /// SSH_AGENTC_REQUEST_IDENTITIES.
    pub fn identities(&mut self) -> Vec<Identity> {
        let answer = self.request(&[SSH_AGENTC_REQUEST_IDENTITIES]);
        let mut r = &answer[..];
        assert_eq!(
            take(&mut r, 1),
            [SSH_AGENT_IDENTITIES_ANSWER],
            "{answer:02X?}"
        );
        let count = u32::from_be_bytes(take(&mut r, 4).try_into().unwrap());
        (0..count)
            .map(|_| Identity {
                blob: read_string(&mut r).expect("key blob"),
                comment: String::from_utf8_lossy(&read_string(&mut r).expect("comment"))
                    .into_owned(),
            })
            .collect()
    }

    /// SSH_AGENTC_SIGN_REQUEST: the signature's algorithm name and raw signature bytes, or
    /// `None` when the agent answers SSH_AGENT_FAILURE.
    pub fn sign(&mut self, key_blob: &[u8], data: &[u8], flags: u32) -> Option<(String, Vec<u8>)> {
        let mut message = vec![SSH_AGENTC_SIGN_REQUEST];
        put_string(&mut message, key_blob);
        put_string(&mut message, data);
        message.extend_from_slice(&flags.to_be_bytes());
        let answer = self.request(&message);
        let mut r = &answer[..];
        if take(&mut r, 1) != [SSH_AGENT_SIGN_RESPONSE] {
            return None;
        }
        let signature = read_string(&mut r).expect("signature blob");
        let mut s = &signature[..];
        let algorithm = read_string(&mut s).expect("algorithm");
        let raw = read_string(&mut s).expect("signature");
        Some((String::from_utf8_lossy(&algorithm).into_owned(), raw))
    }
}

fn take<'a>(r: &mut &'a [u8], n: usize) -> &'a [u8] {
    assert!(r.len() >= n, "short agent message");
    let (head, tail) = r.split_at(n);
    *r = tail;
    head
}

/// Reads an SSH `string` (uint32 length, bytes).
pub fn read_string(r: &mut &[u8]) -> Option<Vec<u8>> {
    if r.len() < 4 {
        return None;
    }
    let len = u32::from_be_bytes(r[..4].try_into().ok()?) as usize;
    let value = r.get(4..4 + len)?.to_vec();
    *r = &r[4 + len..];
    Some(value)
}

pub fn put_string(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

/// The strings of an SSH public key blob (`ssh-rsa`: type, e, n; `ssh-ed25519`: type, key).
pub fn blob_fields(blob: &[u8]) -> Vec<Vec<u8>> {
    let mut r = blob;
    let mut fields = Vec::new();
    while let Some(field) = read_string(&mut r) {
        fields.push(field);
    }
    assert!(r.is_empty(), "trailing bytes in the key blob");
    fields
}

/// Base64 (standard alphabet, padded) of `bytes`: the middle field of an OpenSSH public key
/// line.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
