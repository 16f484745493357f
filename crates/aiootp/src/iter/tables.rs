//! The character tables of the reference (spec `utilities.md` §5.4), for
//! [`to_base`](super::Comprende::to_base) and
//! [`from_base`](super::Comprende::from_base): re-exported from
//! [`crate::data::tables`], where the datasets live.
//!
//! `ASCII_TABLE` (95 printable characters, `' '`…`'~'`) is the default
//! table of the reference's `to_base` / `from_base`, with base 95.

pub use crate::data::tables::{
    ASCII_ALPHANUMERIC, ASCII_TABLE, ASCII_TABLE_128, BASE_36_TABLE, BASE_64_TABLE,
    ONION_CHAR_TABLE, URL_SAFE_TABLE,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_as_specified() {
        assert!(ASCII_TABLE.chars().map(u32::from).eq(0x20..0x7f));
        assert!(ASCII_TABLE_128.chars().map(u32::from).eq(0..0x80));
        assert_eq!(
            ASCII_ALPHANUMERIC,
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        );
        assert_eq!(BASE_36_TABLE, "0123456789abcdefghijklmnopqrstuvwxyz");
        assert_eq!(
            BASE_64_TABLE,
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        );
        assert_eq!(
            URL_SAFE_TABLE,
            "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
        );
        assert_eq!(ONION_CHAR_TABLE, "234567abcdefghijklmnopqrstuvwxyz");
    }
}
