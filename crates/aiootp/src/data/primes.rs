//! The reference's `primes` table, parsed from the embedded JSON once.

use std::fmt;
use std::sync::OnceLock;

use crate::compat::PyValue;
use crate::compat::pyjson;

/// The embedded table: `{"<bits>": ["<decimal>", ...], ...}`.
const PRIMES_JSON: &str = include_str!("../../data/primes.json");

/// One prime of the table: its size in bits, its decimal text and its
/// big-endian bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Prime {
    bits: u32,
    decimal: Box<str>,
    be: Box<[u8]>,
}

impl Prime {
    /// The bit length: `2^(bits-1) <= p < 2^bits`.
    #[must_use]
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// The decimal digits, as the reference's `str(p)` (and the data file)
    /// writes them.
    #[must_use]
    pub fn as_decimal(&self) -> &str {
        &self.decimal
    }

    /// The big-endian bytes, without leading zeros (`ceil(bits / 8)`
    /// bytes): Python's `p.to_bytes((p.bit_length() + 7) // 8, "big")`.
    #[must_use]
    pub fn to_be_bytes(&self) -> &[u8] {
        &self.be
    }

    /// The value as a `u64`, for primes of at most 64 bits.
    #[must_use]
    pub fn to_u64(&self) -> Option<u64> {
        if self.be.len() > 8 {
            return None;
        }
        Some(
            self.be
                .iter()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
        )
    }
}

impl fmt::Display for Prime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.decimal)
    }
}

impl fmt::Debug for Prime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prime({} bits, {})", self.bits, self.decimal)
    }
}

/// The parsed table, ascending by bit size.
type Table = Vec<(u32, Vec<Prime>)>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    // The embedded file parses (a test proves it); were it ever not to,
    // the table is empty rather than a panic.
    TABLE.get_or_init(|| parse(PRIMES_JSON).unwrap_or_default())
}

/// The primes with exactly `bits` bits: the reference's `primes[bits]`.
///
/// `[0]` is the smallest and `[1]` (`.last()`, Python's `[-1]`) the largest
/// prime of that size. The slice is empty for 0 and 1 bit and for sizes
/// the table lacks (the reference raises `KeyError` for those); see
/// [`prime_sizes`].
///
/// ```
/// use aiootp::data::primes;
///
/// assert_eq!(primes(2048)[1].to_be_bytes().len(), 256);
/// assert_eq!(primes(5)[0].to_u64(), Some(19)); // the reference's quirk: not 17
/// assert!(primes(300).is_empty());
/// ```
#[must_use]
pub fn primes(bits: u32) -> &'static [Prime] {
    let table = table();
    match table.binary_search_by_key(&bits, |(b, _)| *b) {
        Ok(i) => &table[i].1,
        Err(_) => &[],
    }
}

/// The 285 bit sizes of the table, ascending: 0 to 257, then 383–385,
/// 511–513, 1023–1025, 1535–1537, …, 4095–4097.
pub fn prime_sizes() -> impl Iterator<Item = u32> + 'static {
    table().iter().map(|(bits, _)| *bits)
}

/// Parses the JSON table; `None` if anything is off (a key that is not a
/// size, a value that is not a list of decimal strings, a prime whose
/// size does not match its key, sizes out of order or repeated).
fn parse(text: &str) -> Option<Table> {
    let PyValue::Dict(pairs) = pyjson::loads(text).ok()? else {
        return None;
    };
    let mut table = Table::with_capacity(pairs.len());
    for (key, value) in pairs {
        let PyValue::Str(key) = key else { return None };
        let bits: u32 = key.parse().ok()?;
        let PyValue::List(items) = value else {
            return None;
        };
        let mut list = Vec::with_capacity(items.len());
        for item in items {
            let PyValue::Str(decimal) = item else {
                return None;
            };
            let be = crate::compat::bignum::decimal_to_be_vec(&decimal)?;
            if bit_length(&be) != bits {
                return None;
            }
            list.push(Prime {
                bits,
                decimal: decimal.into_boxed_str(),
                be: be.into_boxed_slice(),
            });
        }
        if table.last().is_some_and(|(last, _)| *last >= bits) {
            return None;
        }
        table.push((bits, list));
    }
    Some(table)
}

/// The bit length of a big-endian number without leading zero bytes.
fn bit_length(be: &[u8]) -> u32 {
    match be.first() {
        None => 0,
        Some(&top) => {
            let len = u32::try_from(be.len()).unwrap_or(u32::MAX);
            len.saturating_sub(1).saturating_mul(8) + (8 - top.leading_zeros())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::bignum::decimal_to_be_vec as decimal_to_be;

    #[test]
    fn decimal_conversion() {
        assert_eq!(decimal_to_be("0"), Some(vec![]));
        assert_eq!(decimal_to_be("255"), Some(vec![255]));
        assert_eq!(decimal_to_be("256"), Some(vec![1, 0]));
        assert_eq!(
            decimal_to_be("18446744073709551616"),
            Some(vec![1, 0, 0, 0, 0, 0, 0, 0, 0])
        );
        assert_eq!(
            decimal_to_be("1000000000000000000"),
            Some(1_000_000_000_000_000_000u64.to_be_bytes().to_vec())
        );
        assert_eq!(decimal_to_be(""), None);
        assert_eq!(decimal_to_be("12a"), None);
        assert_eq!(decimal_to_be("-1"), None);
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[1]), 1);
        assert_eq!(bit_length(&[0x80]), 8);
        assert_eq!(bit_length(&[1, 0]), 9);
    }

    #[test]
    fn embedded_table_parses() {
        let table = parse(PRIMES_JSON).unwrap();
        assert_eq!(table.len(), 285);
        assert_eq!(primes(2)[0].to_u64(), Some(2));
    }

    #[test]
    fn malformed_tables_are_refused() {
        assert!(parse("[]").is_none());
        assert!(parse(r#"{"x": []}"#).is_none());
        // 8 has 4 bits, not 3.
        assert!(parse(r#"{"3": ["8"]}"#).is_none());
        assert!(parse(r#"{"3": [5]}"#).is_none());
        assert!(parse(r#"{"3": ["5"], "2": ["2"]}"#).is_none());
        assert!(parse(r#"{"2": ["2"], "3": ["5", "7"]}"#).is_some());
    }
}
