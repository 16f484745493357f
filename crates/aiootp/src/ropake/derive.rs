//! **Hazmat**: the derivations of spec `ropake.md` §2, exposed for test
//! vectors and interoperability tools. The protocol state machines
//! ([`ClientRegistration`](super::ClientRegistration), …) are the API.
//!
//! Every hash is aiootp's `sha_512`: SHA3-512 of the UTF-8 Python `repr`
//! text of the argument tuple, as 128 lowercase hex characters. The Python
//! types are part of the hashed text: salts and keys are `str`
//! (`'…'`), the X25519 shared key is `bytes` (`b'…'`, Python's escapes and
//! quote choice) and the password term is an `int` (decimal digits).
//!
//! ```text
//! id(x)                 = sha_512_hmac(x, key=x)
//! sha_512_hmac(d, key=k) = sha_512(sha_512(d, k), k)
//! commit(root_key, s)   = int16(id((root_key, s))) ⊕ int16(id(s))
//! ```
//!
//! Results that are secrets come back in [`Zeroizing`] strings; the texts
//! hashed on the way are zeroized too.

use zeroize::Zeroizing;

use super::keys::{KeyedPassword, SessionKeys};
use crate::compat::Key;
use crate::compat::hash::sha3_512_hex;
use crate::compat::pyvalue::{repr_bytes, repr_str};
use crate::error::RopakeError;

/// One element of a hashed tuple, borrowed.
#[derive(Clone, Copy)]
enum Py<'a> {
    /// A Python `str`.
    Str(&'a str),
    /// A Python `bytes`.
    Bytes(&'a [u8]),
    /// A Python `int`, as canonical decimal text.
    Int(&'a str),
    /// A Python `tuple`.
    Tuple(&'a [Py<'a>]),
}

fn write(item: Py<'_>, out: &mut String) {
    match item {
        Py::Str(s) => repr_str(s, out),
        Py::Bytes(b) => repr_bytes(b, out),
        Py::Int(digits) => out.push_str(digits),
        Py::Tuple(items) => write_tuple(items, out),
    }
}

fn write_tuple(items: &[Py<'_>], out: &mut String) {
    out.push('(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write(*item, out);
    }
    if items.len() == 1 {
        out.push(',');
    }
    out.push(')');
}

/// `sha_512(*items)`.
fn sha_512(items: &[Py<'_>]) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(640));
    write_tuple(items, &mut text);
    Zeroizing::new(sha3_512_hex(text.as_bytes()))
}

/// `sha_512_hmac(data, key=key)`.
fn sha_512_hmac(data: Py<'_>, key: Py<'_>) -> Zeroizing<String> {
    let inner = sha_512(&[data, key]);
    sha_512(&[Py::Str(&inner), key])
}

/// `id(text)` = `sha_512_hmac(text, key=text)` of a `str`; e.g. the
/// `key_id` of a key, or the `password_salt` field (`id` of the password
/// salt).
#[must_use]
pub fn id(text: &str) -> Zeroizing<String> {
    sha_512_hmac(Py::Str(text), Py::Str(text))
}

/// `id((root_key, salt))` as an integer: the "password term" both sides
/// mix into a login's shared secret.
#[must_use]
pub fn password_term(root_key: &str, salt: &str) -> KeyedPassword {
    let pair = [Py::Str(root_key), Py::Str(salt)];
    hex_int(&sha_512_hmac(Py::Tuple(&pair), Py::Tuple(&pair)))
}

/// `commit(root_key, salt)` = `int16(id((root_key, salt))) ⊕ int16(id(salt))`:
/// the keyed password of the password salt `salt`.
#[must_use]
pub fn commit(root_key: &str, salt: &str) -> KeyedPassword {
    password_term(root_key, salt).xor(&hex_int(&id(salt)))
}

/// The server's side of the password term: `keyed_password ⊕
/// int16(password_salt)`, where `password_salt` is the `id` of the
/// client's password salt (hex text, 1 to 128 digits).
///
/// # Errors
/// [`RopakeError::Malformed`] when `password_salt` is not such hex text.
pub fn unmask(
    keyed_password: &KeyedPassword,
    password_salt: &str,
) -> Result<KeyedPassword, RopakeError> {
    let hashed = KeyedPassword::from_hex(password_salt).ok_or_else(|| RopakeError::Malformed {
        what: "login hello",
        reason: "field 'password_salt' is not 1 to 128 hexadecimal digits".into(),
    })?;
    Ok(keyed_password.xor(&hashed))
}

/// The 128 hex characters of a hash as an integer.
fn hex_int(hex: &str) -> KeyedPassword {
    // A SHA3-512 hex digest is 128 hex digits.
    KeyedPassword::from_hex(hex).unwrap_or_else(|| KeyedPassword::from_be_bytes([0; 64]))
}

fn message_key(role: &str, label: &str, key: &str) -> Result<Key, RopakeError> {
    if key.is_empty() {
        return Err(RopakeError::NotRegistered);
    }
    let triple = [Py::Str(role), Py::Str(label), Py::Str(key)];
    let hex = sha_512_hmac(Py::Tuple(&triple), Py::Tuple(&triple));
    Ok(Key::new(&hex))
}

/// `id(("client", "client_hello", key))`: the key of the login hello.
///
/// # Errors
/// [`RopakeError::NotRegistered`] for an empty key (the reference's
/// `ValueError`).
pub fn client_message_key(key: &str) -> Result<Key, RopakeError> {
    message_key("client", "client_hello", key)
}

/// `id(("server", "server_hello", key))`: the key of the login response.
///
/// # Errors
/// As [`client_message_key`].
pub fn server_message_key(key: &str) -> Result<Key, RopakeError> {
    message_key("server", "server_hello", key)
}

/// Registration's `finalize(client_salt, server_salt, shared)`:
/// `k1 = sha_512_hmac((client_salt, server_salt), key=shared)`,
/// `s1 = sha_512(k1, server_salt, shared)`. Returns `(k1, s1)`.
#[must_use]
pub fn finalize_registration(
    client_salt: &str,
    server_salt: &str,
    shared: &[u8; 32],
) -> (Zeroizing<String>, Zeroizing<String>) {
    let pair = [Py::Str(client_salt), Py::Str(server_salt)];
    let k1 = sha_512_hmac(Py::Tuple(&pair), Py::Bytes(shared));
    let s1 = sha_512(&[Py::Str(&k1), Py::Str(server_salt), Py::Bytes(shared)]);
    (k1, s1)
}

/// A login's shared secret: `sha_512(old_key, shared, client_salt,
/// server_salt, term)`, where `term` is the password term (an `int`).
#[must_use]
pub fn shared_secret(
    old_key: &str,
    shared: &[u8; 32],
    client_salt: &str,
    server_salt: &str,
    term: &KeyedPassword,
) -> Zeroizing<String> {
    let digits = term.to_decimal();
    sha_512(&[
        Py::Str(old_key),
        Py::Bytes(shared),
        Py::Str(client_salt),
        Py::Str(server_salt),
        Py::Int(&digits),
    ])
}

/// A login's `finalize(old_key, shared, secret)`:
/// `k1 = sha_512_hmac((old_key, shared), key=secret)`,
/// `s1 = sha_512(k1, shared, secret)`. Returns `(k1, s1)`.
#[must_use]
pub fn finalize_login(
    old_key: &str,
    shared: &[u8; 32],
    secret: &str,
) -> (Zeroizing<String>, Zeroizing<String>) {
    let pair = [Py::Str(old_key), Py::Bytes(shared)];
    let k1 = sha_512_hmac(Py::Tuple(&pair), Py::Str(secret));
    let s1 = sha_512(&[Py::Str(&k1), Py::Bytes(shared), Py::Str(secret)]);
    (k1, s1)
}

/// `integrate(k1, s1, client_session_salt, server_session_salt)`:
/// `S = sha_512(s1, css, sss)`, `key = sha_512(S, k1)`,
/// `session_key = sha_512(S, s1)`, `key_id = id(key)`.
#[must_use]
pub fn integrate(
    k1: &str,
    s1: &str,
    client_session_salt: &str,
    server_session_salt: &str,
) -> SessionKeys {
    let s = sha_512(&[
        Py::Str(s1),
        Py::Str(client_session_salt),
        Py::Str(server_session_salt),
    ]);
    let key = sha_512(&[Py::Str(&s), Py::Str(k1)]);
    let session_key = sha_512(&[Py::Str(&s), Py::Str(s1)]);
    let key_id = id(&key);
    SessionKeys::new(key.to_string(), key_id.to_string(), session_key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::PyValue;

    #[test]
    fn tuple_text_is_python_repr() {
        let shared = [b'\''; 2];
        let inner = [Py::Str("a"), Py::Bytes(&shared)];
        let items = [Py::Tuple(&inner), Py::Int("12"), Py::Tuple(&[Py::Str("x")])];
        let mut text = String::new();
        write_tuple(&items, &mut text);
        let expected = PyValue::tuple([
            PyValue::tuple([PyValue::from("a"), PyValue::bytes(shared.to_vec())]),
            PyValue::from(12),
            PyValue::tuple([PyValue::from("x")]),
        ]);
        assert_eq!(text, expected.repr());
        assert_eq!(text, r#"(('a', b"''"), 12, ('x',))"#);
    }

    #[test]
    fn empty_key_has_no_message_key() {
        assert!(matches!(
            client_message_key(""),
            Err(RopakeError::NotRegistered)
        ));
        assert!(matches!(
            server_message_key(""),
            Err(RopakeError::NotRegistered)
        ));
    }
}
