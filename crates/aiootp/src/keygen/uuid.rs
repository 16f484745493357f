//! `make_uuid` of the reference's `randoms` (spec `utilities.md` §3.1).

use std::fmt;

use crate::compat::PyValue;
use crate::compat::hash::sha_512;
use crate::error::Error;
use crate::random;

/// The reference's `make_uuid(size, salt)`: deterministic identifiers of
/// `size` hex characters from a salt and a stamp.
///
/// ```text
/// u = ""
/// while len(u) < size:
///     u = u + sha_512(u, stamp, salt)
/// uuid = u[:size]
/// ```
///
/// The reference's generator computes its first output with `stamp =
/// None` and each later one with the value sent in; here each call names
/// its stamp ([`uuid`](Self::uuid), [`first`](Self::first)).
///
/// ```
/// use aiootp::compat::PyValue;
/// use aiootp::keygen::UuidMaker;
///
/// let maker = UuidMaker::new(20, Some(PyValue::from("s")))?;
/// assert_eq!(maker.first(), "1a981879aa7a431ef2cc");
/// assert_eq!(maker.uuid(&PyValue::from("x")), "91770b4fd2c09118efcf");
/// # Ok::<(), aiootp::Error>(())
/// ```
///
/// The outputs are not RFC 4122 UUIDs; the salt is what keeps them
/// unlinkable to their stamps, so keep it secret where that matters.
#[derive(Clone)]
pub struct UuidMaker {
    size: usize,
    salt: PyValue,
}

impl fmt::Debug for UuidMaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UuidMaker")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl UuidMaker {
    /// Identifiers of `size` characters under `salt`; a missing or falsy
    /// salt is drawn at random (128 hex characters, the reference's
    /// `csprng()`).
    ///
    /// # Errors
    /// [`Error::Random`] if a salt cannot be drawn.
    pub fn new(size: usize, salt: Option<PyValue>) -> Result<Self, Error> {
        let salt = match salt {
            Some(s) if s.is_truthy() => s,
            _ => PyValue::Str(random::hex(64)?),
        };
        Ok(Self { size, salt })
    }

    /// The identifier of `stamp` (any Python value; its `repr` is hashed).
    #[must_use]
    pub fn uuid(&self, stamp: &PyValue) -> String {
        let mut out = String::with_capacity(self.size.saturating_add(128));
        while out.len() < self.size {
            let next = sha_512(&[PyValue::Str(out.clone()), stamp.clone(), self.salt.clone()]);
            out.push_str(&next);
        }
        out.truncate(self.size);
        out
    }

    /// The reference generator's first output: [`uuid`](Self::uuid) of
    /// `None`.
    #[must_use]
    pub fn first(&self) -> String {
        self.uuid(&PyValue::None)
    }

    /// The identifier size in characters.
    #[must_use]
    pub fn size(&self) -> usize {
        self.size
    }

    /// The salt (the reference's `result(exit=True)`).
    #[must_use]
    pub fn salt(&self) -> &PyValue {
        &self.salt
    }
}
