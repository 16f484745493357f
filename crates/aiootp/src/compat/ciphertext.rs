//! The ciphertext value and its encodings (spec `cipher.md` §11.5, §12):
//! the dictionary JSON, the bytes form (`hmac ‖ salt ‖ blocks`), the
//! URL-safe ASCII form, and files.
//!
//! A [`Ciphertext`] is parsed once and then encrypted, decrypted or
//! re-encoded without loss: block integers of up to 2048 bits (617
//! decimal digits) are exact, whatever JSON parser the other side uses.

use std::path::Path;

use super::bignum::{be_to_decimal, decimal_to_be};
use super::{PyValue, pyjson};
use crate::error::DecodeError;
use crate::random::to_hex;

/// The URL-safe table of the reference's ASCII form (`-` is digit 0).
pub const URL_SAFE_TABLE: &[u8; 64] =
    b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
/// Bytes of the tag in the bytes form.
pub const HMAC_BYTES: usize = 32;
/// Bytes of the salt in the bytes form.
pub const SALT_BYTES: usize = 32;
/// Bytes of one ciphertext block.
pub const BLOCK_BYTES: usize = 256;

/// An aiootp 0.17.0 ciphertext: the blocks, the tag text and the salt
/// text, as in the reference's dictionary
/// `{"ciphertext": [int, ...], "hmac": "<64 hex>", "salt": "<salt>"}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Ciphertext {
    /// `n * 256` bytes: block `i` is the 256-byte big-endian form of
    /// `ciphertext[i]`.
    blocks: Vec<u8>,
    hmac: String,
    salt: String,
}

impl std::fmt::Debug for Ciphertext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ciphertext")
            .field("blocks", &(self.blocks.len() / BLOCK_BYTES))
            .field("hmac", &self.hmac)
            .field("salt", &self.salt)
            .finish()
    }
}

impl Ciphertext {
    pub(crate) fn from_parts(blocks: Vec<u8>, hmac: String, salt: String) -> Self {
        debug_assert_eq!(blocks.len() % BLOCK_BYTES, 0);
        Self { blocks, hmac, salt }
    }

    /// The tag text (`"hmac"`).
    #[must_use]
    pub fn hmac(&self) -> &str {
        &self.hmac
    }

    /// The salt text (`"salt"`), exactly as the encryption used it.
    #[must_use]
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// The number of 256-byte blocks.
    #[must_use]
    pub fn block_count(&self) -> usize {
        self.blocks.len() / BLOCK_BYTES
    }

    /// The blocks, 256 big-endian bytes each, concatenated.
    #[must_use]
    pub fn block_bytes(&self) -> &[u8] {
        &self.blocks
    }

    /// The dictionary as a [`PyValue`] (keys `ciphertext`, `hmac`, `salt`
    /// in this order).
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        let ints = self
            .blocks
            .chunks_exact(BLOCK_BYTES)
            .map(|b| {
                let mut digits = Vec::with_capacity(620);
                be_to_decimal(b, &mut digits);
                // be_to_decimal writes canonical ASCII digits.
                PyValue::Int(super::PyInt::from_canonical(
                    String::from_utf8(digits).unwrap_or_default(),
                ))
            })
            .collect();
        PyValue::Dict(vec![
            (PyValue::from("ciphertext"), PyValue::List(ints)),
            (PyValue::from("hmac"), PyValue::from(self.hmac.as_str())),
            (PyValue::from("salt"), PyValue::from(self.salt.as_str())),
        ])
    }

    /// The dictionary as Python's `json.dumps` writes it:
    /// `{"ciphertext": [...], "hmac": "...", "salt": "..."}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(self.blocks.len() / BLOCK_BYTES * 620 + 200);
        // Writing to a Vec cannot fail.
        let _ = self.write_json(&mut out);
        // Only ASCII digits, punctuation and json.dumps output were written.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Writes the dictionary JSON text (as [`Ciphertext::to_json`]) to
    /// `out` without building it in memory.
    ///
    /// # Errors
    /// The writer's errors.
    pub fn write_json<W: std::io::Write>(&self, mut out: W) -> std::io::Result<()> {
        let mut digits = Vec::with_capacity(256 * 620);
        out.write_all(b"{\"ciphertext\": [")?;
        for (i, chunk) in self.blocks.chunks(BLOCK_BYTES * 256).enumerate() {
            digits.clear();
            for (j, b) in chunk.chunks_exact(BLOCK_BYTES).enumerate() {
                if i > 0 || j > 0 {
                    digits.extend_from_slice(b", ");
                }
                be_to_decimal(b, &mut digits);
            }
            out.write_all(&digits)?;
        }
        out.write_all(b"], \"hmac\": ")?;
        out.write_all(json_str(&self.hmac).as_bytes())?;
        out.write_all(b", \"salt\": ")?;
        out.write_all(json_str(&self.salt).as_bytes())?;
        out.write_all(b"}")
    }

    /// Writes the bytes form (as [`Ciphertext::to_bytes`]) to `out`
    /// without copying the blocks.
    ///
    /// # Errors
    /// As [`Ciphertext::to_bytes`]; the writer's errors as
    /// [`DecodeError::Io`].
    pub fn write_bytes<W: std::io::Write>(&self, mut out: W) -> Result<(), DecodeError> {
        let header = self.header()?;
        out.write_all(&header)
            .and_then(|()| out.write_all(&self.blocks))
            .map_err(|e| DecodeError::Io(e.to_string()))
    }

    /// Parses the dictionary from JSON text (Python's `json.loads` rules;
    /// integers of any size). Extra fields are ignored.
    ///
    /// # Errors
    /// [`DecodeError::Json`] for text that is not JSON;
    /// the errors of [`Ciphertext::from_value`].
    pub fn from_json(text: &str) -> Result<Self, DecodeError> {
        Self::from_value(&pyjson::loads(text)?)
    }

    /// Reads the dictionary from a [`PyValue`].
    ///
    /// # Errors
    /// [`DecodeError::MissingField`] (checked in the reference's order
    /// `hmac`, `salt`, `ciphertext`), [`DecodeError::InvalidField`] for a
    /// field of the wrong type, [`DecodeError::NegativeInt`] and
    /// [`DecodeError::IntTooBig`] for block integers outside `0..2^2048`.
    pub fn from_value(value: &PyValue) -> Result<Self, DecodeError> {
        let PyValue::Dict(entries) = value else {
            return Err(DecodeError::InvalidField {
                field: "ciphertext",
                reason: "the message is not a JSON object".into(),
            });
        };
        let get = |name: &'static str| {
            entries
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
                .map(|(_, v)| v)
                .ok_or(DecodeError::MissingField(name))
        };
        let hmac = text_field(get("hmac")?, "hmac")?;
        let salt = text_field(get("salt")?, "salt")?;
        let PyValue::List(items) = get("ciphertext")? else {
            return Err(DecodeError::InvalidField {
                field: "ciphertext",
                reason: "expected a list of integers".into(),
            });
        };
        let mut blocks = vec![0u8; items.len() * BLOCK_BYTES];
        for (item, out) in items.iter().zip(blocks.chunks_exact_mut(BLOCK_BYTES)) {
            let PyValue::Int(n) = item else {
                return Err(DecodeError::InvalidField {
                    field: "ciphertext",
                    reason: "expected a list of integers".into(),
                });
            };
            let digits = n.as_str();
            if digits.starts_with('-') {
                return Err(DecodeError::NegativeInt);
            }
            let out: &mut [u8; BLOCK_BYTES] =
                out.try_into().map_err(|_| DecodeError::InvalidLength)?;
            decimal_to_be(digits.as_bytes(), out).map_err(|_| DecodeError::IntTooBig)?;
        }
        Ok(Self { blocks, hmac, salt })
    }

    /// The bytes form (`json_to_bytes`): the 32-byte tag, the 32-byte salt
    /// and the blocks. Tag and salt are decoded from their joined hex text
    /// as the reference does.
    ///
    /// # Errors
    /// [`DecodeError::InvalidField`] for an empty tag, salt or block list,
    /// [`DecodeError::NonHex`] for text that is not hexadecimal,
    /// [`DecodeError::InvalidLength`] when the tag and salt do not make 64
    /// bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, DecodeError> {
        let mut out = Vec::with_capacity(HMAC_BYTES + SALT_BYTES + self.blocks.len());
        out.extend_from_slice(&self.header()?);
        out.extend_from_slice(&self.blocks);
        Ok(out)
    }

    /// The 64-byte tag and salt of the bytes form.
    fn header(&self) -> Result<[u8; HMAC_BYTES + SALT_BYTES], DecodeError> {
        // The reference treats an empty block list as missing (a falsy
        // value) and refuses to encode it.
        if self.blocks.is_empty() {
            return Err(DecodeError::InvalidField {
                field: "ciphertext",
                reason: "empty".into(),
            });
        }
        for (field, text) in [("hmac", &self.hmac), ("salt", &self.salt)] {
            if text.is_empty() {
                return Err(DecodeError::InvalidField {
                    field,
                    reason: "empty".into(),
                });
            }
        }
        let joined = format!("{}{}", self.hmac, self.salt);
        python_fromhex(&joined)?
            .try_into()
            .map_err(|_| DecodeError::InvalidLength)
    }

    /// Reads the bytes form (`bytes_to_json`). The tag and salt come back as
    /// lowercase hex.
    ///
    /// # Errors
    /// [`DecodeError::InvalidLength`] unless the length is `64 + 256 * n`.
    pub fn from_bytes(data: &[u8]) -> Result<Self, DecodeError> {
        if data.len() < HMAC_BYTES + SALT_BYTES
            || !(data.len() - HMAC_BYTES - SALT_BYTES).is_multiple_of(BLOCK_BYTES)
        {
            return Err(DecodeError::InvalidLength);
        }
        Ok(Self {
            hmac: to_hex(&data[..HMAC_BYTES]),
            salt: to_hex(&data[HMAC_BYTES..HMAC_BYTES + SALT_BYTES]),
            blocks: data[HMAC_BYTES + SALT_BYTES..].to_vec(),
        })
    }

    /// The URL-safe ASCII form (`json_to_ascii`): the bytes form read as one
    /// big-endian number, written in base 64 over [`URL_SAFE_TABLE`].
    /// Linear time.
    ///
    /// # Errors
    /// As [`Ciphertext::to_bytes`].
    pub fn to_ascii(&self) -> Result<String, DecodeError> {
        Ok(bytes_to_urlsafe(&self.to_bytes()?))
    }

    /// Reads the URL-safe ASCII form (`ascii_to_json`). As in the
    /// reference, a message whose tag starts with a zero byte cannot be
    /// read back from this form (the number drops leading zero bytes).
    ///
    /// # Errors
    /// [`DecodeError::InvalidBase`] for a character outside the table;
    /// [`DecodeError::InvalidLength`] as [`Ciphertext::from_bytes`].
    pub fn from_ascii(text: &str) -> Result<Self, DecodeError> {
        Self::from_bytes(&urlsafe_to_bytes(text)?)
    }

    /// Writes the bytes form to `path` (created or truncated), as the
    /// reference's `OneTimePad.io.write`.
    ///
    /// # Errors
    /// As [`Ciphertext::to_bytes`], and [`DecodeError::Io`].
    pub fn write_file(&self, path: impl AsRef<Path>) -> Result<(), DecodeError> {
        self.header()?;
        let file = std::fs::File::create(path).map_err(|e| DecodeError::Io(e.to_string()))?;
        self.write_bytes(std::io::BufWriter::new(file))
    }

    /// Reads the bytes form from `path`, as the reference's
    /// `OneTimePad.io.read`.
    ///
    /// # Errors
    /// [`DecodeError::Io`], and as [`Ciphertext::from_bytes`].
    pub fn read_file(path: impl AsRef<Path>) -> Result<Self, DecodeError> {
        let bytes = std::fs::read(path).map_err(|e| DecodeError::Io(e.to_string()))?;
        Self::from_bytes(&bytes)
    }
}

fn text_field(v: &PyValue, field: &'static str) -> Result<String, DecodeError> {
    match v {
        PyValue::Str(s) => Ok(s.clone()),
        _ => Err(DecodeError::InvalidField {
            field,
            reason: "expected a string".into(),
        }),
    }
}

fn json_str(s: &str) -> String {
    pyjson::dumps(&PyValue::from(s)).unwrap_or_default()
}

/// Python's `bytes.fromhex`: pairs of hex digits, ASCII whitespace allowed
/// between pairs; the error names the character position.
fn python_fromhex(text: &str) -> Result<Vec<u8>, DecodeError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len() / 2);
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') {
            i += 1;
            continue;
        }
        let hi = chars[i]
            .to_digit(16)
            .ok_or(DecodeError::NonHex { position: i })?;
        let lo = chars
            .get(i + 1)
            .and_then(|c| c.to_digit(16))
            .ok_or(DecodeError::NonHex { position: i + 1 })?;
        // Both digits are below 16.
        out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
        i += 2;
    }
    Ok(out)
}

/// `bytes_to_urlsafe`: `data` as one big-endian number in base 64 over
/// [`URL_SAFE_TABLE`], most significant digit first; zero is `-`.
#[must_use]
pub fn bytes_to_urlsafe(data: &[u8]) -> String {
    let first = data.iter().position(|&b| b != 0);
    let Some(first) = first else {
        return "-".to_owned();
    };
    let data = &data[first..];
    let bits = data.len() * 8;
    let ndigits = bits.div_ceil(6);
    let mut out = String::with_capacity(ndigits);
    // Digit j (from the most significant) covers bits [bits - 6*(ndigits-j), +6).
    let bit = |pos: usize| -> u8 { (data[pos / 8] >> (7 - pos % 8)) & 1 };
    let lead = ndigits * 6 - bits; // virtual zero bits in front
    let mut started = false;
    for j in 0..ndigits {
        let mut d = 0u8;
        for k in 0..6 {
            let virt = j * 6 + k;
            d <<= 1;
            if virt >= lead {
                d |= bit(virt - lead);
            }
        }
        if d != 0 || started {
            started = true;
            out.push(char::from(URL_SAFE_TABLE[usize::from(d)]));
        }
    }
    out
}

/// `urlsafe_to_bytes`: the inverse of [`bytes_to_urlsafe`], giving the
/// number's minimal big-endian bytes (zero gives no bytes).
///
/// # Errors
/// [`DecodeError::InvalidBase`] for a character outside the table.
pub fn urlsafe_to_bytes(text: &str) -> Result<Vec<u8>, DecodeError> {
    let mut digits = Vec::with_capacity(text.len());
    for c in text.bytes() {
        let d = URL_SAFE_TABLE
            .iter()
            .position(|&t| t == c)
            .ok_or(DecodeError::InvalidBase)?;
        digits.push(d as u8);
    }
    if text.chars().count() != text.len() {
        return Err(DecodeError::InvalidBase);
    }
    // Bits, most significant first; then drop leading zero bits.
    let total_bits = digits.len() * 6;
    let mut bytes = vec![0u8; total_bits.div_ceil(8)];
    let pad = bytes.len() * 8 - total_bits;
    for (j, &d) in digits.iter().enumerate() {
        for k in 0..6 {
            if (d >> (5 - k)) & 1 == 1 {
                let pos = pad + j * 6 + k;
                bytes[pos / 8] |= 1 << (7 - pos % 8);
            }
        }
    }
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.drain(..first);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fromhex_matches_python_positions() {
        assert_eq!(python_fromhex("ab cd").unwrap(), vec![0xab, 0xcd]);
        assert_eq!(python_fromhex(" ab\t").unwrap(), vec![0xab]);
        assert_eq!(
            python_fromhex("a"),
            Err(DecodeError::NonHex { position: 1 })
        );
        assert_eq!(
            python_fromhex("zz"),
            Err(DecodeError::NonHex { position: 0 })
        );
        assert_eq!(
            python_fromhex("a b"),
            Err(DecodeError::NonHex { position: 1 })
        );
        assert_eq!(
            python_fromhex("abc"),
            Err(DecodeError::NonHex { position: 3 })
        );
        assert_eq!(
            python_fromhex("éa"),
            Err(DecodeError::NonHex { position: 0 })
        );
    }

    #[test]
    fn urlsafe_round_trips_numbers() {
        assert_eq!(bytes_to_urlsafe(&[]), "-");
        assert_eq!(bytes_to_urlsafe(&[0, 0]), "-");
        assert_eq!(bytes_to_urlsafe(&[1]), "0");
        assert_eq!(bytes_to_urlsafe(&[64]), "0-");
        assert_eq!(urlsafe_to_bytes("-").unwrap(), Vec::<u8>::new());
        for data in [
            vec![1u8, 2, 3],
            vec![255; 37],
            vec![0, 0, 9, 200],
            vec![7; 320],
        ] {
            let text = bytes_to_urlsafe(&data);
            let back = urlsafe_to_bytes(&text).unwrap();
            let first = data.iter().position(|&b| b != 0).unwrap();
            assert_eq!(back, data[first..]);
        }
        assert_eq!(urlsafe_to_bytes("a+b"), Err(DecodeError::InvalidBase));
    }
}
