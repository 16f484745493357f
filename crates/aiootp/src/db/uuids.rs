//! [`Uuids`]: hashed tags for one category (the reference's `uuids`
//! coroutine, spec `database.md` §6.2).

use std::fmt;

use crate::compat::PyValue;
use crate::compat::hash::{sha_256, sha_512};

/// Makes hashed tags (`uuids`) for one category of a database: the same
/// input, category and salt always give the same tag, which reveals
/// nothing about the input without the database's keys.
///
/// Made by [`Database::uuids`](super::Database::uuids). The salt is random
/// unless given; keep it (typically as a tag of the database) to make the
/// same tags again later: [`Uuids::finish`] hands it back, as the
/// reference's `result(exit=True)`.
///
/// ```
/// # use aiootp::{compat::Key, db::{Database, MemoryStore, OpenOptions}};
/// # let mut db = OpenOptions::new().open_store(MemoryStore::new(), &Key::new("k"))?;
/// let emails = db.uuids("emails", 64, None)?;
/// let tag = emails.uuid("brittany@email.com");
/// db.set(tag.as_str(), &"client account data")?;
/// db.set("emails salt", &emails.finish())?;
/// # Ok::<(), aiootp::error::DbError>(())
/// ```
#[derive(Clone)]
pub struct Uuids {
    name: String,
    salt: PyValue,
    size: usize,
}

impl fmt::Debug for Uuids {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Uuids")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Uuids {
    /// `name` is the category's file name in the database.
    pub(crate) fn new(name: String, salt: PyValue, size: usize) -> Self {
        Self { name, salt, size }
    }

    /// The hashed tag of `input`: the first `size` characters of `T0 ‖ T1
    /// ‖ …` with `stamp = sha_256(name, salt, input)` and `T(k+1) =
    /// sha_512(T0‖…‖Tk, stamp, name)`.
    #[must_use]
    pub fn uuid(&self, input: impl Into<PyValue>) -> String {
        let name = PyValue::from(self.name.as_str());
        let stamp = PyValue::from(sha_256(&[name.clone(), self.salt.clone(), input.into()]));
        let mut out = String::with_capacity(self.size + 128);
        while out.len() < self.size {
            let next = sha_512(&[PyValue::from(out.as_str()), stamp.clone(), name.clone()]);
            out.push_str(&next);
        }
        out.truncate(self.size);
        out
    }

    /// The salt in use.
    #[must_use]
    pub fn salt(&self) -> &PyValue {
        &self.salt
    }

    /// Ends the generator and returns its salt (`result(exit=True)`).
    #[must_use]
    pub fn finish(self) -> PyValue {
        self.salt
    }
}
