//! Where Ropake's randomness and clock come from: the [`Entropy`] trait,
//! [`OsEntropy`] (the default) and [`FixedEntropy`] (deterministic, for
//! tests and vector replay only).
//!
//! Draw order (spec §16.1 item 10), which [`FixedEntropy`] replays:
//!
//! | role | draws |
//! | --- | --- |
//! | client registration | `salt` (password salt), `salt` (protocol), `salt` (session), `x25519` |
//! | client login | `salt` (next password salt), `salt`, `salt`, `x25519`, then `message_salt` for the hello |
//! | server registration | `salt`, `salt`, `x25519` |
//! | server login | `salt`, `salt`, `x25519` (after the record lookup), then `message_salt` for the response |
//!
//! `now()` is read for the login hello's timestamp (client start), the
//! server's age check and the response's timestamp, and the client's age
//! check of the response (client finish).

use std::collections::VecDeque;

use zeroize::Zeroizing;

use crate::compat::PyValue;
use crate::compat::hash::{sha3_256_hex, sha3_512_hex};
use crate::compat::pyjson;
use crate::error::RopakeError;
use crate::keccak::Sha3_256;
use crate::random;

/// The randomness and clock of a Ropake run.
///
/// [`OsEntropy`] is the one to use. Another implementation must return
/// uniformly random values from a CSPRNG: the security of every session
/// rests on them.
pub trait Entropy {
    /// A fresh X25519 secret (32 random bytes; clamped when used).
    ///
    /// # Errors
    /// [`RopakeError::Random`] when the generator fails.
    fn x25519_secret(&mut self) -> Result<Zeroizing<[u8; 32]>, RopakeError>;

    /// A fresh Ropake salt: 128 lowercase hex characters (512 bits; the
    /// reference's `csprng()`). Used for password salts (secret) and the
    /// protocol and session salts (public).
    ///
    /// # Errors
    /// [`RopakeError::Random`] when the generator fails.
    fn salt(&mut self) -> Result<Zeroizing<String>, RopakeError>;

    /// A fresh message salt for the encryption of a login message: 64
    /// lowercase hex characters (256 bits; the reference's
    /// `csprng()[:64]`).
    ///
    /// # Errors
    /// [`RopakeError::Random`] when the generator fails.
    fn message_salt(&mut self) -> Result<String, RopakeError>;

    /// Whole seconds since the Unix epoch.
    fn now(&mut self) -> u64;
}

/// The operating system's CSPRNG and clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsEntropy;

fn random_error(e: crate::Error) -> RopakeError {
    RopakeError::Random(e.to_string())
}

impl Entropy for OsEntropy {
    fn x25519_secret(&mut self) -> Result<Zeroizing<[u8; 32]>, RopakeError> {
        let mut secret = Zeroizing::new([0u8; 32]);
        random::fill(&mut *secret).map_err(random_error)?;
        Ok(secret)
    }

    fn salt(&mut self) -> Result<Zeroizing<String>, RopakeError> {
        random::hex(64).map(Zeroizing::new).map_err(random_error)
    }

    fn message_salt(&mut self) -> Result<String, RopakeError> {
        random::hex(32).map_err(random_error)
    }

    fn now(&mut self) -> u64 {
        crate::compat::cipher::now_seconds()
    }
}

/// The values a [`FixedEntropy`] handed out, in order (the oracle's
/// `fixed_used`): X25519 secrets as hex, salts, message salts. Contains
/// secrets (password salts, X25519 secrets).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixedUsed {
    /// X25519 secrets (64 hex characters each).
    pub x25519: Vec<String>,
    /// Ed25519 secrets (never drawn by Ropake; kept for the oracle's
    /// format).
    pub ed25519: Vec<String>,
    /// Ropake salts.
    pub salt: Vec<String>,
    /// Message salts.
    pub message_salt: Vec<String>,
}

impl FixedUsed {
    /// The oracle's `fixed_used` object:
    /// `{"x25519": [...], "ed25519": [...], "salt": [...], "message_salt": [...]}`.
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        let list =
            |v: &[String]| PyValue::List(v.iter().map(|s| PyValue::from(s.as_str())).collect());
        PyValue::Dict(vec![
            (PyValue::from("x25519"), list(&self.x25519)),
            (PyValue::from("ed25519"), list(&self.ed25519)),
            (PyValue::from("salt"), list(&self.salt)),
            (PyValue::from("message_salt"), list(&self.message_salt)),
        ])
    }
}

/// **For tests and vector replay only: not random.** The oracle's
/// deterministic mode (spec §14, `"fixed"`): lists of values returned in
/// order, a fixed clock, and a labelled fallback once a list runs out.
///
/// For draw `n` (counted per kind, from 0) after its list is empty:
///
/// * with an `rng` label: X25519 secret `SHA3_256("<rng>:x25519:<n>")`,
///   salt `hex(SHA3_512("<rng>:salt:<n>"))`, message salt
///   `hex(SHA3_256("<rng>:message_salt:<n>"))`;
/// * without one: the operating system's generator.
///
/// Without a `time` the clock is the system's. Every value handed out is
/// recorded ([`FixedEntropy::fixed_used`]).
///
/// ```
/// use aiootp::ropake::{Entropy, FixedEntropy};
///
/// let mut e = FixedEntropy::new().salts(["ab".repeat(64)]).rng("label").time(1_612_400_000);
/// assert_eq!(e.salt()?.as_str(), "ab".repeat(64));
/// assert_eq!(e.salt()?.len(), 128); // hex(SHA3_512("label:salt:0"))
/// assert_eq!(e.now(), 1_612_400_000);
/// assert_eq!(e.fixed_used().salt.len(), 2);
/// # Ok::<(), aiootp::error::RopakeError>(())
/// ```
#[derive(Clone, Default)]
pub struct FixedEntropy {
    rng: Option<String>,
    x25519: VecDeque<Zeroizing<[u8; 32]>>,
    salts: VecDeque<String>,
    message_salts: VecDeque<String>,
    counters: [u64; 3],
    time: Option<u64>,
    used: FixedUsed,
}

impl std::fmt::Debug for FixedEntropy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixedEntropy")
            .field("rng", &self.rng)
            .field("time", &self.time)
            .finish_non_exhaustive()
    }
}

fn malformed(reason: impl Into<String>) -> RopakeError {
    RopakeError::Malformed {
        what: "fixed entropy specification",
        reason: reason.into(),
    }
}

fn parse_secret(hex: &str) -> Option<Zeroizing<[u8; 32]>> {
    let mut out = Zeroizing::new([0u8; 32]);
    if hex.len() != 64 {
        return None;
    }
    for (o, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        let hi = char::from(pair[0]).to_digit(16)?;
        let lo = char::from(pair[1]).to_digit(16)?;
        *o = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

impl FixedEntropy {
    /// No lists, no label, the system clock: every draw comes from the
    /// operating system and is recorded.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// X25519 secrets to return first, in order.
    #[must_use]
    pub fn x25519(mut self, secrets: impl IntoIterator<Item = [u8; 32]>) -> Self {
        self.x25519.extend(secrets.into_iter().map(Zeroizing::new));
        self
    }

    /// Ropake salts to return first, in order (any text; normally 128
    /// lowercase hex characters).
    #[must_use]
    pub fn salts<S: Into<String>>(mut self, salts: impl IntoIterator<Item = S>) -> Self {
        self.salts.extend(salts.into_iter().map(Into::into));
        self
    }

    /// Message salts to return first, in order (64 hex characters).
    #[must_use]
    pub fn message_salts<S: Into<String>>(mut self, salts: impl IntoIterator<Item = S>) -> Self {
        self.message_salts.extend(salts.into_iter().map(Into::into));
        self
    }

    /// Fixes the clock.
    #[must_use]
    pub fn time(mut self, seconds: u64) -> Self {
        self.time = Some(seconds);
        self
    }

    /// Derives values from `label` once a list runs out.
    #[must_use]
    pub fn rng(mut self, label: impl Into<String>) -> Self {
        self.rng = Some(label.into());
        self
    }

    /// Changes the fixed clock.
    pub fn set_time(&mut self, seconds: u64) {
        self.time = Some(seconds);
    }

    /// The values handed out so far.
    #[must_use]
    pub fn fixed_used(&self) -> &FixedUsed {
        &self.used
    }

    /// Reads the oracle's `"fixed"` object: `x25519` (list of 64-hex
    /// secrets), `ed25519` (ignored: Ropake draws none), `salts`,
    /// `message_salts` (lists of text), `time` (integer), `rng` (text).
    /// Unknown keys are ignored.
    ///
    /// # Errors
    /// [`RopakeError::Malformed`] for a field of the wrong type.
    pub fn from_value(spec: &PyValue) -> Result<Self, RopakeError> {
        let PyValue::Dict(pairs) = spec else {
            return Err(malformed("not an object"));
        };
        let get = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
                .map(|(_, v)| v)
        };
        let texts = |name: &str| -> Result<Vec<String>, RopakeError> {
            match get(name) {
                None | Some(PyValue::None) => Ok(Vec::new()),
                Some(PyValue::List(items)) => items
                    .iter()
                    .map(|v| match v {
                        PyValue::Str(s) => Ok(s.clone()),
                        _ => Err(malformed(format!(
                            "'{name}' holds a value that is not text"
                        ))),
                    })
                    .collect(),
                Some(_) => Err(malformed(format!("'{name}' is not a list"))),
            }
        };
        let mut out = Self::new();
        for hex in texts("x25519")? {
            let secret =
                parse_secret(&hex).ok_or_else(|| malformed("an 'x25519' secret is not 64 hex"))?;
            out.x25519.push_back(secret);
        }
        texts("ed25519")?;
        out.salts.extend(texts("salts")?);
        out.message_salts.extend(texts("message_salts")?);
        match get("time") {
            None | Some(PyValue::None) => {}
            Some(PyValue::Int(n)) => {
                out.time = Some(
                    n.to_u64()
                        .ok_or_else(|| malformed("'time' is out of range"))?,
                );
            }
            Some(_) => return Err(malformed("'time' is not an integer")),
        }
        match get("rng") {
            None | Some(PyValue::None) => {}
            Some(v) => out.rng = Some(v.str_text()),
        }
        Ok(out)
    }

    /// [`FixedEntropy::from_value`] of JSON text.
    ///
    /// # Errors
    /// As [`FixedEntropy::from_value`], and [`RopakeError::Malformed`] for
    /// text that is not JSON.
    pub fn from_json(text: &str) -> Result<Self, RopakeError> {
        Self::from_value(&pyjson::loads(text).map_err(|e| malformed(e.to_string()))?)
    }

    /// The label of draw `kind` number `n`, or `None` without a label.
    fn label(&mut self, kind: usize, name: &str) -> Option<String> {
        let rng = self.rng.as_ref()?;
        let n = self.counters[kind];
        self.counters[kind] += 1;
        Some(format!("{rng}:{name}:{n}"))
    }
}

impl Entropy for FixedEntropy {
    fn x25519_secret(&mut self) -> Result<Zeroizing<[u8; 32]>, RopakeError> {
        let secret = match self.x25519.pop_front() {
            Some(s) => s,
            None => match self.label(0, "x25519") {
                Some(label) => Zeroizing::new(Sha3_256::digest(label.as_bytes())),
                None => OsEntropy.x25519_secret()?,
            },
        };
        self.used.x25519.push(crate::random::to_hex(&*secret));
        Ok(secret)
    }

    fn salt(&mut self) -> Result<Zeroizing<String>, RopakeError> {
        let salt = match self.salts.pop_front() {
            Some(s) => Zeroizing::new(s),
            None => match self.label(1, "salt") {
                Some(label) => Zeroizing::new(sha3_512_hex(label.as_bytes())),
                None => OsEntropy.salt()?,
            },
        };
        self.used.salt.push(salt.to_string());
        Ok(salt)
    }

    fn message_salt(&mut self) -> Result<String, RopakeError> {
        let salt = match self.message_salts.pop_front() {
            Some(s) => s,
            None => match self.label(2, "message_salt") {
                Some(label) => sha3_256_hex(label.as_bytes()),
                None => OsEntropy.message_salt()?,
            },
        };
        self.used.message_salt.push(salt.clone());
        Ok(salt)
    }

    fn now(&mut self) -> u64 {
        self.time.unwrap_or_else(crate::compat::cipher::now_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_then_labels_then_records() {
        let mut e = FixedEntropy::new()
            .x25519([[7u8; 32]])
            .message_salts(["m"])
            .rng("r")
            .time(5);
        assert_eq!(*e.x25519_secret().unwrap(), [7u8; 32]);
        assert_eq!(*e.x25519_secret().unwrap(), Sha3_256::digest(b"r:x25519:0"));
        assert_eq!(e.message_salt().unwrap(), "m");
        assert_eq!(e.message_salt().unwrap(), sha3_256_hex(b"r:message_salt:0"));
        assert_eq!(e.salt().unwrap().as_str(), sha3_512_hex(b"r:salt:0"));
        assert_eq!(e.now(), 5);
        let used = e.fixed_used();
        assert_eq!(used.x25519[0], "07".repeat(32));
        assert_eq!(used.message_salt.len(), 2);
        assert_eq!(
            pyjson::dumps(&used.to_value()).unwrap().split('"').nth(1),
            Some("x25519")
        );
    }

    #[test]
    fn spec_objects() {
        let e = FixedEntropy::from_json(r#"{"x25519": ["00"], "time": 1}"#);
        assert!(matches!(e, Err(RopakeError::Malformed { .. })));
        let mut e =
            FixedEntropy::from_json(r#"{"salts": ["s"], "time": 9, "rng": "x", "ed25519": []}"#)
                .unwrap();
        assert_eq!(e.salt().unwrap().as_str(), "s");
        assert_eq!(e.now(), 9);
        assert!(FixedEntropy::from_json(r#"{"time": "9"}"#).is_err());
        assert!(FixedEntropy::from_json("[]").is_err());
        let mut os = FixedEntropy::new();
        assert_eq!(os.salt().unwrap().len(), 128);
        assert_eq!(os.message_salt().unwrap().len(), 64);
    }
}
