//! The reference's `WORD_LIST`, split from the embedded text once.

use std::sync::OnceLock;

/// One word a line, in the reference's order.
const WORDS_TXT: &str = include_str!("../../data/wordlist.txt");

/// The 2048-word list of the reference's `mnemonic` (`WORD_LIST`), index
/// 0 = `sausage`.
///
/// The set is the BIP-39 English word set, in a different order, so the
/// reference's mnemonics are not BIP-39 mnemonics. Every word is 3 to 8
/// lowercase ASCII letters; the words are unique (a test checks).
#[must_use]
pub fn word_list() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        WORDS_TXT
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect()
    })
}
