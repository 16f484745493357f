//! Key helpers of aiootp 0.17.0: the `keygens` module (table keys,
//! mnemonics, key pairs) and the deterministic helpers of `randoms`,
//! `generics` and `paths` (spec `utilities.md` §3, §4, §8).
//!
//! Every function here gives the reference's bytes for the same inputs
//! (the tests replay vectors made by the reference). Keys are the compat
//! [`Key`] (a Python `str`, `int` or `bytes` key, hashed through its
//! `repr`); outputs that are key material come back as
//! [`SecretString`](crate::secret::SecretString).
//!
//! ```
//! use aiootp::compat::{Key, PyValue};
//! use aiootp::data::tables::ASCII_ALPHANUMERIC;
//! use aiootp::keygen::{DigitStream, table_key};
//!
//! let key = Key::new("correct horse battery staple");
//! // A 20-character alphanumeric password derived from the key.
//! let password = table_key(&key, ASCII_ALPHANUMERIC, 20)?;
//! assert_eq!(password.expose_secret().len(), 20);
//! // A 6-digit code from the same key.
//! let pin: String = DigitStream::digits(&key)?
//!     .take(6)
//!     .map(|d| char::from(b'0' + d))
//!     .collect();
//! assert_eq!(pin.len(), 6);
//! # Ok::<(), aiootp::error::KeygenError>(())
//! ```
//!
//! # The reference's helpers, and where they are
//!
//! | reference | here |
//! | --- | --- |
//! | `keygens.table_keystream(key, table)` | [`TableKeystream`] |
//! | `keygens.table_key(key, table, size)` | [`table_key`] |
//! | `mnemonic(key, salt, words)`, `amnemonic` | [`Mnemonic`] (`new`, `with_words`, `new_async`) |
//! | `keypair()` | [`keypair`] |
//! | `keys`, `bytes_keys`, `Keys`, `passcrypt` | [`crate::compat::ratchet`], [`crate::compat::Keys`], [`crate::compat::passcrypt`] |
//! | `randoms.make_uuid(size, salt)` | [`UuidMaker`] |
//! | `randoms.permute` / `shuffle` / `unshuffle` | [`permute`], [`shuffle`], [`unshuffle`] |
//! | `randoms.digits` / `non_0_digits` / `bytes_digits` | [`DigitStream`] |
//! | `generics.xi_mix(data, size)` | [`xi_mix`] |
//! | `paths.deniable_filename(key, size)` | [`deniable_filename`] |
//! | `csprng`, `csprbg`, `salt`, `random_256`, `random_512`, `token_bytes`, `token_hash`, `urandom` … | [`crate::random`] (`random::hex(64)` is `csprng()`'s form, `random::bytes::<64>()` `csprbg()`'s); [`crate::compat::Salt::generate`] |
//! | `debuggers.func_timer`, `gen_timer`, `afunc_timer`, `agen_timer` | [`crate::timing`] |
//! | `primes`, `WORD_LIST`, the tables, `PrimeGroups` | [`crate::data`] |
//!
//! # Not ported, and why
//! * **The entropy pool of `randoms`** (`seeder`, `bytes_seeder`,
//!   `random_number_generator`, `safe_symm_keypair`, `unique_integer`,
//!   `unique_hash`, `unique_big_int`, `salted_multiply`, `leaf`,
//!   `leaf_walk`, `template_unique_number`, the range-bound helpers): home
//!   grown layers over the OS generator that add no security (spec
//!   weakness U1) and produce no reproducible bytes. Every random value
//!   here comes straight from the OS ([`crate::random`]).
//! * **`uniform`, `random_range`, `random_range_gen`, `choice`,
//!   `random_sleep`**: non-cryptographic (Mersenne Twister) randomness
//!   does not belong in a crypto API (U1); use [`crate::random::below`].
//! * **`create_prime`, `random_prime`, `is_prime`, `next_prime`,
//!   `prev_prime`, `prime_table`**: thin wrappers over sympy, no format
//!   depends on them; use a big-integer crate.
//! * **`paths`' `DatabasePath`, `RootPath`, `PackagePath`, `CurrentPath`,
//!   `TorPath`**: directories of the Python package's installation, which
//!   have no meaning for a Rust library; databases take their directory
//!   explicitly.
//! * **`SecurePath` / `AsyncSecurePath`** (salt files of mode 000, U6):
//!   the database's password profiles keep their salt files themselves
//!   ([`crate::db::profile`]), in the same place and under the same name.
//! * **`Namespace`** (spec §7): a dict with attribute access; Rust has
//!   structs and maps. The reference's results that are Namespaces are
//!   typed structs here.
//!
//! # Differences from the reference
//! * An **empty key is an error** ([`KeygenError::MissingKey`](crate::error::KeygenError::MissingKey)) for
//!   [`table_key`], [`TableKeystream`] and [`DigitStream`]; the reference
//!   silently draws a random key. Pass [`Key::generate`] for that.
//! * Character tables need at least two characters
//!   ([`KeygenError::InvalidTable`](crate::error::KeygenError::InvalidTable)); the reference divides by zero or
//!   loops forever.
//! * The generators that take values sent in are methods that name the
//!   value ([`Mnemonic::send`], [`UuidMaker::uuid`]).
//!
//! # Security
//! Unaudited. These helpers reproduce the reference's designs, weak
//! points included (spec §10.2): [`table_key`] uses the key as its own
//! salt and does not stretch it (U4); [`permute`] runs on Mersenne Twister
//! (U2); [`deniable_filename`] folds the key to 8 bytes (U5). They are for
//! data and workflows shared with Python aiootp.

mod digits;
mod filename;
mod mnemonic;
mod shuffle;
mod table;
mod uuid;

pub use digits::DigitStream;
pub use filename::{deniable_filename, xi_mix};
pub use mnemonic::Mnemonic;
pub use shuffle::{permute, shuffle, unshuffle};
pub use table::{TableKeystream, table_key};
pub use uuid::UuidMaker;

use crate::compat::{Key, Salt};
use crate::error::Error;

/// The reference's `keypair()`: a fresh random key (128 hex characters,
/// `csprng()`'s form) and salt (64 hex characters, `salt()`'s form), both
/// from the operating system.
///
/// ```
/// let (key, salt) = aiootp::keygen::keypair()?;
/// assert_eq!(key.expose_secret().len(), 128);
/// assert_eq!(salt.as_str().len(), 64);
/// # Ok::<(), aiootp::Error>(())
/// ```
///
/// # Errors
/// [`Error::Random`] if the operating system's generator fails.
pub fn keypair() -> Result<(Key, Salt), Error> {
    Ok((Key::generate()?, Salt::generate()?))
}
