//! `digits`, `non_0_digits` and `bytes_digits` of the reference's
//! `randoms` (spec `utilities.md` §3.2).

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

use crate::compat::Key;
use crate::compat::bignum::be_to_decimal;
use crate::compat::hash::sha3_512_hex;
use crate::compat::pyvalue::{repr_bytes, repr_str};
use crate::error::KeygenError;
use crate::keccak::Sha3_512;

/// Which of the reference's three streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Decimal,
    NonZero,
    Bytes,
}

/// The reference's deterministic digit streams of a key: `digits`,
/// `non_0_digits` and `bytes_digits`. Endless iterators of `u8`.
///
/// ```text
/// seed = sha_512(key);  stream = ""
/// repeat:
///     h = sha_512(seed, key, stream)
///     digits:        stream = int(h, 16);     yield the decimal digits of stream from the 9th on
///     non_0_digits:  stream = int(h, 16);     the same with the 0 digits removed first
///     bytes_digits:  stream = bytes.fromhex(h); yield its bytes from the 5th on
/// ```
///
/// ```
/// use aiootp::compat::Key;
/// use aiootp::keygen::DigitStream;
///
/// let digits: Vec<u8> = DigitStream::digits(&Key::new("k"))?.take(8).collect();
/// assert_eq!(digits, [1, 9, 7, 7, 4, 0, 6, 2]);
/// assert!(DigitStream::non_zero_digits(&Key::new("k"))?.take(100).all(|d| (1..=9).contains(&d)));
/// # Ok::<(), aiootp::error::KeygenError>(())
/// ```
///
/// # Security
/// The streams are keyed hashes of the key, with no salt: the same key
/// always gives the same digits. Decimal digits of a 512-bit number are
/// not uniform in their first places, which is why the reference skips 8
/// of them; the later ones have a tiny bias. For random PINs use
/// [`crate::random::below`].
pub struct DigitStream {
    kind: Kind,
    /// `repr(key)`.
    key_repr: Zeroizing<String>,
    /// `sha_512(key)`, 128 hex characters.
    seed: Zeroizing<String>,
    /// `repr(stream)` for the next hash: `''` at first, then the decimal
    /// integer or the bytes literal.
    stream_repr: Zeroizing<String>,
    /// The digits (or bytes) still to hand out, and the position.
    pending: Zeroizing<Vec<u8>>,
    pos: usize,
}

impl fmt::Debug for DigitStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigitStream")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl DigitStream {
    fn new(key: &Key, kind: Kind) -> Result<Self, KeygenError> {
        if key.is_empty() {
            return Err(KeygenError::MissingKey);
        }
        let mut text = Zeroizing::new(String::with_capacity(key.repr().len() + 3));
        text.push('(');
        text.push_str(key.repr());
        text.push_str(",)");
        Ok(Self {
            kind,
            key_repr: Zeroizing::new(key.repr().to_owned()),
            seed: Zeroizing::new(sha3_512_hex(text.as_bytes())),
            // Capacities that the largest block needs (a 259-character
            // bytes literal, 155 digits): no reallocation leaves copies.
            stream_repr: Zeroizing::new({
                let mut s = String::with_capacity(260);
                s.push_str("''");
                s
            }),
            pending: Zeroizing::new(Vec::with_capacity(160)),
            pos: 0,
        })
    }

    /// The reference's `digits(key)`: decimal digits 0–9.
    ///
    /// # Errors
    /// [`KeygenError::MissingKey`] for an empty key (the reference draws a
    /// random key instead).
    pub fn digits(key: &Key) -> Result<Self, KeygenError> {
        Self::new(key, Kind::Decimal)
    }

    /// The reference's `non_0_digits(key)`: decimal digits 1–9.
    ///
    /// # Errors
    /// As [`DigitStream::digits`].
    pub fn non_zero_digits(key: &Key) -> Result<Self, KeygenError> {
        Self::new(key, Kind::NonZero)
    }

    /// The reference's `bytes_digits(key)`: byte values 0–255.
    ///
    /// # Errors
    /// As [`DigitStream::digits`].
    pub fn bytes(key: &Key) -> Result<Self, KeygenError> {
        Self::new(key, Kind::Bytes)
    }

    /// Hashes the next block and refills `pending`.
    fn refill(&mut self) {
        let mut text = Zeroizing::new(String::with_capacity(
            self.seed.len() + self.key_repr.len() + self.stream_repr.len() + 10,
        ));
        text.push('(');
        repr_str(&self.seed, &mut text);
        text.push_str(", ");
        text.push_str(&self.key_repr);
        text.push_str(", ");
        text.push_str(&self.stream_repr);
        text.push(')');
        let mut digest: [u8; 64] = Sha3_512::digest(text.as_bytes());
        self.pending.clear();
        self.stream_repr.clear();
        match self.kind {
            Kind::Bytes => {
                repr_bytes(&digest, &mut self.stream_repr);
                self.pending.extend_from_slice(&digest[4..]);
            }
            Kind::Decimal | Kind::NonZero => {
                let mut decimal = Zeroizing::new(Vec::with_capacity(160));
                be_to_decimal(&digest, &mut decimal);
                self.stream_repr
                    .extend(decimal.iter().map(|&d| char::from(d)));
                let kept = decimal
                    .iter()
                    .filter(|&&d| self.kind == Kind::Decimal || d != b'0')
                    .skip(8)
                    .map(|&d| d - b'0');
                self.pending.extend(kept);
            }
        }
        digest.zeroize();
        self.pos = 0;
    }
}

impl Iterator for DigitStream {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        // A block always holds more than 8 digits, so one refill suffices
        // in practice; the loop only guards the (theoretical) empty block.
        loop {
            if let Some(&d) = self.pending.get(self.pos) {
                self.pos += 1;
                return Some(d);
            }
            self.refill();
        }
    }
}
