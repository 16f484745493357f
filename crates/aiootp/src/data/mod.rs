//! The static datasets of aiootp 0.17.0 (spec `utilities.md` §5): primes
//! by bit size, the mnemonic word list, the character tables and the prime
//! groups.
//!
//! The primes and the word list are the reference's own data, embedded in
//! the library (`data/primes.json`, `data/wordlist.txt`) and parsed once,
//! on first use. Everything else is a constant.
//!
//! ```
//! use aiootp::data::{primes, word_list, tables::ASCII_TABLE};
//!
//! // Python: aiootp.primes[513][0] == 2**512 + 75, the first 65-byte prime.
//! let p = &primes(513)[0];
//! assert_eq!(p.bits(), 513);
//! assert_eq!(p.to_be_bytes().len(), 65);
//! assert_eq!(p.to_be_bytes()[64], 75);
//! // [-1] is the largest prime of that size.
//! assert_eq!(primes(8).last().map(|p| p.to_u64()), Some(Some(251)));
//!
//! assert_eq!(word_list().len(), 2048);
//! assert_eq!(word_list()[0], "sausage");
//! assert_eq!(ASCII_TABLE.len(), 95);
//! ```
//!
//! # What is here
//! * [`primes`]: for each of 285 bit sizes (0–257 and 383–385, 511–513,
//!   1023–1025, …, 4095–4097) the smallest and the largest prime with
//!   exactly that many bits. `primes(0)` and `primes(1)` are empty, as is
//!   any size the table lacks. [`prime_sizes`] lists the sizes.
//! * [`word_list`]: the 2048 lowercase words of [`crate::keygen::Mnemonic`]
//!   (the BIP-39 English set, in the reference's own order, so mnemonics
//!   are **not** BIP-39 mnemonics).
//! * [`tables`]: `ASCII_TABLE`, `ASCII_TABLE_128`, `ASCII_ALPHANUMERIC`,
//!   `BASE_36_TABLE`, `BASE_64_TABLE`, `URL_SAFE_TABLE`,
//!   `ONION_CHAR_TABLE`, `BYTES_TABLE`, and [`tables::to_base`], the
//!   integer-to-table conversion of `table_key`.
//! * [`groups`]: the reference's `PrimeGroups` (moduli just below `2^n`
//!   with small generators, and the RFC 3526 4096-bit MODP group).
//!
//! # Not ported
//! * `bits` (`bits[k] == 2**k` for the same 285 sizes) and the constants
//!   `NUM = 2**512` / `NONE` of `commons`: Rust code writes `1 << k` or
//!   uses a big-integer crate; no byte format depends on the table.
//!
//! # Quirks kept (spec §10.1)
//! * `primes(5)` is `[19, 31]`: the reference skips 17, the smallest 5-bit
//!   prime. Every other entry is the first prime `≥ 2^(k-1)` and the last
//!   prime `< 2^k`; the tests check every entry with Miller–Rabin.
//!
//! # Security
//! The prime groups are the reference's; only the RFC 3526 group is a
//! standard Diffie–Hellman group. The small `MOD_n` moduli are fine for
//! hashing or mixing, not for discrete-log cryptography.

pub mod groups;
mod primes;
pub mod tables;
mod words;

pub use primes::{Prime, prime_sizes, primes};
pub use words::word_list;
