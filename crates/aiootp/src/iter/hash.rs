//! The hash steps: `sha_256`, `sha_512`, their `_hmac` forms and the
//! running `sum_sha_*` hashes (spec `utilities.md` §2.9, `cipher.md` §3).
//!
//! Each hashes the UTF-8 bytes of a Python `repr` text with SHA3 and
//! yields lowercase hex, exactly as the reference.

use zeroize::Zeroizing;

use super::adapter::Step;
use super::value::PyRepr;
use crate::compat::hash::{sha3_256_hex, sha3_512_hex};
use crate::compat::pyvalue::repr_str;
use crate::compat::{Key, PyValue};

/// SHA3-256 or SHA3-512.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    Sha256,
    Sha512,
}

impl Alg {
    fn hex(self, text: &str) -> String {
        match self {
            Alg::Sha256 => sha3_256_hex(text.as_bytes()),
            Alg::Sha512 => sha3_512_hex(text.as_bytes()),
        }
    }
}

/// The `repr` of a salt argument, `None` when the reference ignores it
/// (a falsy salt).
fn salt_repr(salt: PyValue) -> Option<String> {
    salt.is_truthy().then(|| salt.repr())
}

/// The step of `sha_256` / `sha_512`: `sha(item)` or `sha(item, salt)`.
#[derive(Debug, Clone)]
pub struct HashStep {
    alg: Alg,
    salt: Option<String>,
}

impl HashStep {
    pub(crate) fn sha_256(salt: PyValue) -> Self {
        Self {
            alg: Alg::Sha256,
            salt: salt_repr(salt),
        }
    }

    pub(crate) fn sha_512(salt: PyValue) -> Self {
        Self {
            alg: Alg::Sha512,
            salt: salt_repr(salt),
        }
    }
}

impl<T: PyRepr> Step<T> for HashStep {
    type Out = String;

    fn apply(&mut self, item: T) -> String {
        let mut text = String::from("(");
        item.write_repr(&mut text);
        match &self.salt {
            Some(s) => {
                text.push_str(", ");
                text.push_str(s);
                text.push(')');
            }
            None => text.push_str(",)"),
        }
        self.alg.hex(&text)
    }
}

/// The step of `sha_256_hmac` / `sha_512_hmac`: the reference's nested
/// hash `sha(sha(data, key), key)` with `data` the item, or the tuple
/// `(item, salt)` when a truthy salt is given. (A nested hash, not
/// RFC 2104 HMAC.)
#[derive(Clone)]
pub struct HmacStep {
    alg: Alg,
    key: Key,
    salt: Option<String>,
}

impl std::fmt::Debug for HmacStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacStep")
            .field("alg", &self.alg)
            .field("salt", &self.salt)
            .finish_non_exhaustive()
    }
}

impl HmacStep {
    pub(crate) fn sha_256(key: &Key, salt: PyValue) -> Self {
        Self {
            alg: Alg::Sha256,
            key: key.clone(),
            salt: salt_repr(salt),
        }
    }

    pub(crate) fn sha_512(key: &Key, salt: PyValue) -> Self {
        Self {
            alg: Alg::Sha512,
            key: key.clone(),
            salt: salt_repr(salt),
        }
    }
}

impl<T: PyRepr> Step<T> for HmacStep {
    type Out = String;

    fn apply(&mut self, item: T) -> String {
        let key = self.key.repr();
        let mut text = Zeroizing::new(String::from("("));
        match &self.salt {
            Some(s) => {
                text.push('(');
                item.write_repr(&mut text);
                text.push_str(", ");
                text.push_str(s);
                text.push(')');
            }
            None => item.write_repr(&mut text),
        }
        text.push_str(", ");
        text.push_str(key);
        text.push(')');
        let inner = self.alg.hex(&text);
        text.clear();
        text.push('(');
        repr_str(&inner, &mut text);
        text.push_str(", ");
        text.push_str(key);
        text.push(')');
        self.alg.hex(&text)
    }
}

/// The step of `sum_sha_256` / `sum_sha_512`: a running hash,
/// `h = sha(salt)` first, then `h = sha(item, h)` per item.
#[derive(Debug, Clone)]
pub struct SumStep {
    alg: Alg,
    sum: String,
}

impl SumStep {
    pub(crate) fn sha_256(salt: &PyValue) -> Self {
        Self::new(Alg::Sha256, salt)
    }

    pub(crate) fn sha_512(salt: &PyValue) -> Self {
        Self::new(Alg::Sha512, salt)
    }

    fn new(alg: Alg, salt: &PyValue) -> Self {
        let mut text = String::from("(");
        salt.write_repr(&mut text);
        text.push_str(",)");
        Self {
            alg,
            sum: alg.hex(&text),
        }
    }
}

impl<T: PyRepr> Step<T> for SumStep {
    type Out = String;

    fn apply(&mut self, item: T) -> String {
        let mut text = String::from("(");
        item.write_repr(&mut text);
        text.push_str(", '");
        text.push_str(&self.sum);
        text.push_str("')");
        self.sum = self.alg.hex(&text);
        self.sum.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::hash;

    #[test]
    fn matches_the_compat_helpers() {
        let item = PyValue::from("ab");
        let salt = PyValue::from("salt");
        assert_eq!(
            HashStep::sha_256(PyValue::None).apply(&item),
            hash::sha_256(std::slice::from_ref(&item))
        );
        assert_eq!(
            HashStep::sha_512(salt.clone()).apply(&item),
            hash::sha_512(&[item.clone(), salt.clone()])
        );
        // A falsy salt is ignored, as in the reference.
        assert_eq!(
            HashStep::sha_256(PyValue::from("")).apply(&item),
            hash::sha_256(std::slice::from_ref(&item))
        );
        let key = Key::new("k");
        assert_eq!(
            HmacStep::sha_256(&key, PyValue::None).apply(&item),
            hash::sha_256_hmac(&item, &PyValue::from("k"))
        );
        assert_eq!(
            HmacStep::sha_512(&key, salt.clone()).apply(&item),
            hash::sha_512_hmac(
                &PyValue::tuple([item.clone(), salt.clone()]),
                &PyValue::from("k")
            )
        );
        let mut sum = SumStep::sha_256(&PyValue::None);
        let h0 = hash::sha_256(&[PyValue::None]);
        let h1 = hash::sha_256(&[item.clone(), PyValue::Str(h0)]);
        assert_eq!(sum.apply(&item), h1);
    }
}
