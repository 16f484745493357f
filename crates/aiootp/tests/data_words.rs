#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The embedded word list and the character tables (spec `utilities.md`
//! §5.3, §5.4).

use std::collections::HashSet;

use aiootp::data::tables::{
    ASCII_ALPHANUMERIC, ASCII_TABLE, ASCII_TABLE_128, BASE_36_TABLE, BASE_64_TABLE, BYTES_TABLE,
    ONION_CHAR_TABLE, URL_SAFE_TABLE, to_base,
};
use aiootp::data::word_list;
use num_bigint::BigUint;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

#[test]
fn word_list_shape() {
    let words = word_list();
    assert_eq!(words.len(), 2048);
    assert_eq!(words[0], "sausage");
    assert_eq!(words[2047], "relax");
    let unique: HashSet<&str> = words.iter().copied().collect();
    assert_eq!(unique.len(), 2048);
    for w in words {
        assert!((3..=8).contains(&w.len()), "{w:?}");
        assert!(w.bytes().all(|c| c.is_ascii_lowercase()), "{w:?}");
    }
    // The same slice every time (parsed once).
    assert!(std::ptr::eq(words, word_list()));
}

/// The set is the BIP-39 English list: the SHA-256 of its sorted lines is
/// that of `bip-0039/english.txt`. The order is the reference's own.
#[test]
fn word_list_is_the_bip39_english_set_in_another_order() {
    let mut sorted: Vec<&str> = word_list().to_vec();
    sorted.sort_unstable();
    let text: String = sorted.iter().map(|w| format!("{w}\n")).collect();
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
    );
    assert_ne!(sorted.as_slice(), word_list(), "not in BIP-39 order");
}

#[test]
fn character_tables() {
    let expect = |table: &str, ranges: &[std::ops::RangeInclusive<u8>]| {
        let want: Vec<u8> = ranges.iter().flat_map(|r| r.clone()).collect();
        assert_eq!(table.as_bytes(), want.as_slice(), "{table:?}");
    };
    expect(ASCII_TABLE, &[b' '..=b'~']);
    expect(ASCII_TABLE_128, &[0..=127]);
    expect(ASCII_ALPHANUMERIC, &[b'0'..=b'9', b'a'..=b'z', b'A'..=b'Z']);
    expect(BASE_36_TABLE, &[b'0'..=b'9', b'a'..=b'z']);
    expect(
        BASE_64_TABLE,
        &[
            b'A'..=b'Z',
            b'a'..=b'z',
            b'0'..=b'9',
            b'+'..=b'+',
            b'/'..=b'/',
        ],
    );
    expect(
        URL_SAFE_TABLE,
        &[
            b'-'..=b'-',
            b'0'..=b'9',
            b'A'..=b'Z',
            b'_'..=b'_',
            b'a'..=b'z',
        ],
    );
    expect(ONION_CHAR_TABLE, &[b'2'..=b'7', b'a'..=b'z']);
    assert!(BYTES_TABLE.iter().copied().eq(0..=255u8));
}

proptest! {
    /// `to_base` agrees with num-bigint's radix conversion for the digit
    /// tables num-bigint shares (`0-9a-z` prefixes).
    #[test]
    fn to_base_matches_num_bigint(bytes in proptest::collection::vec(any::<u8>(), 0..80), radix in 2u32..=36) {
        let table = &BASE_36_TABLE[..radix as usize];
        let got = to_base(&bytes, table).unwrap();
        prop_assert_eq!(got, BigUint::from_bytes_be(&bytes).to_str_radix(radix));
    }

    /// Decoding the digits over the table gives the number back.
    #[test]
    fn to_base_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let digits = to_base(&bytes, ASCII_TABLE).unwrap();
        let mut n = BigUint::ZERO;
        for c in digits.bytes() {
            n = n * 95u32 + u32::from(c - b' ');
        }
        prop_assert_eq!(n, BigUint::from_bytes_be(&bytes));
    }
}
