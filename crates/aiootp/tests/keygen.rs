#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Properties and error paths of the key helpers (`aiootp::keygen`); the
//! reference's exact outputs are replayed by `keygen_vectors.rs`.

use aiootp::Error;
use aiootp::compat::passcrypt::Password;
use aiootp::compat::{Key, PyValue};
use aiootp::data::tables::{ASCII_TABLE, BASE_36_TABLE};
use aiootp::error::{CipherError, KeygenError, PasscryptError};
use aiootp::keygen::{
    DigitStream, Mnemonic, TableKeystream, UuidMaker, deniable_filename, keypair, permute, shuffle,
    table_key, unshuffle, xi_mix,
};
use proptest::prelude::*;

#[test]
fn table_key_refuses_empty_keys_and_tiny_tables() {
    assert_eq!(
        table_key(&Key::new(""), ASCII_TABLE, 10).unwrap_err(),
        KeygenError::MissingKey
    );
    assert_eq!(
        table_key(&Key::new("k"), "x", 10).unwrap_err(),
        KeygenError::InvalidTable { len: 1 }
    );
    assert_eq!(
        TableKeystream::new(&Key::new("k"), "").unwrap_err(),
        KeygenError::InvalidTable { len: 0 }
    );
    assert!(table_key(&Key::new("k"), "xy", 10).is_ok());
}

#[test]
fn table_keys_are_prefixes_of_the_keystream() {
    let key = Key::new("k");
    let stream: String = TableKeystream::new(&key, BASE_36_TABLE)
        .unwrap()
        .take(4)
        .map(|k| k.expose_secret().to_owned())
        .collect();
    for size in [0, 1, 63, 64, 150, 400] {
        let k = table_key(&key, BASE_36_TABLE, size).unwrap();
        assert_eq!(k.expose_secret(), &stream[..size]);
    }
    // Different keys and tables give different outputs.
    assert_ne!(
        table_key(&key, BASE_36_TABLE, 40).unwrap(),
        table_key(&Key::new("K"), BASE_36_TABLE, 40).unwrap()
    );
    // Multi-byte table characters count as one character each.
    let k = table_key(&key, "αβγδ", 33).unwrap();
    assert_eq!(k.expose_secret().chars().count(), 33);
    assert!(k.expose_secret().chars().all(|c| "αβγδ".contains(c)));
    assert!(!format!("{k:?}").contains('α'), "Debug is redacted");
}

#[test]
fn digit_streams() {
    let key = Key::new("k");
    assert!(
        DigitStream::digits(&key)
            .unwrap()
            .take(1000)
            .all(|d| d <= 9)
    );
    assert!(
        DigitStream::non_zero_digits(&key)
            .unwrap()
            .take(1000)
            .all(|d| (1..=9).contains(&d))
    );
    let bytes: Vec<u8> = DigitStream::bytes(&key).unwrap().take(600).collect();
    assert_eq!(bytes.len(), 600);
    assert!(bytes.iter().any(|&b| b > 9));
    assert_eq!(
        DigitStream::digits(&Key::new("")).unwrap_err(),
        KeygenError::MissingKey
    );
    // Deterministic.
    let a: Vec<u8> = DigitStream::bytes(&key).unwrap().take(100).collect();
    assert_eq!(a, bytes[..100]);
}

#[test]
fn filenames_and_folding() {
    assert_eq!(xi_mix(b"abc", 0).unwrap_err(), KeygenError::ZeroSize);
    assert_eq!(xi_mix(b"", 4).unwrap(), [0, 0, 0, 0]);
    // Pieces [1, 2] and [3]: the short piece is right-aligned.
    assert_eq!(xi_mix(&[1, 2, 3], 2).unwrap(), [1, 2 ^ 3]);
    assert_eq!(
        deniable_filename(b"key", 17).unwrap_err(),
        KeygenError::FilenameSize
    );
    assert_eq!(
        KeygenError::FilenameSize.to_string(),
        "Choose a ``size`` <= 16 bytes."
    );
    assert_eq!(
        deniable_filename(b"key", 0).unwrap_err(),
        KeygenError::ZeroSize
    );
    let name = deniable_filename(b"key", 8).unwrap();
    assert_eq!(name.len(), 60);
    assert!(
        name.bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    // Keys that fold alike share a name (spec weakness U5).
    assert_eq!(
        deniable_filename(&[1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0], 8).unwrap(),
        deniable_filename(&[1, 2, 3, 4, 5, 6, 7, 8], 8).unwrap()
    );
}

#[test]
fn uuid_maker() {
    let maker = UuidMaker::new(40, None).unwrap();
    match maker.salt() {
        PyValue::Str(s) => {
            assert_eq!(s.len(), 128);
            assert!(s.bytes().all(|c| c.is_ascii_hexdigit()));
        }
        other => panic!("salt {other:?}"),
    }
    // A falsy salt is replaced by a random one, as in the reference.
    let other = UuidMaker::new(40, Some(PyValue::from(""))).unwrap();
    assert_ne!(maker.salt(), other.salt());
    assert_ne!(maker.first(), other.first());
    assert_eq!(maker.first().len(), 40);
    assert_eq!(maker.uuid(&PyValue::None), maker.first());
    assert_ne!(
        maker.uuid(&PyValue::from("a")),
        maker.uuid(&PyValue::from("b"))
    );
    assert_eq!(maker.size(), 40);
}

#[test]
fn keypairs_are_fresh() {
    let (k1, s1) = keypair().unwrap();
    let (k2, s2) = keypair().unwrap();
    assert_eq!(k1.expose_secret().len(), 128);
    assert_eq!(s1.as_str().len(), 64);
    assert_ne!(k1, k2);
    assert_ne!(s1, s2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn unshuffle_inverts_shuffle(items in proptest::collection::vec(any::<u16>(), 0..200), key in "\\PC{0,20}", salt in any::<i64>()) {
        let (key, salt) = (Key::new(&key), PyValue::from(salt));
        let mixed = shuffle(items.clone(), &key, &salt).unwrap();
        let mut sorted_mixed = mixed.clone();
        sorted_mixed.sort_unstable();
        let mut sorted = items.clone();
        sorted.sort_unstable();
        prop_assert_eq!(sorted_mixed, sorted);
        prop_assert_eq!(unshuffle(mixed, &key, &salt).unwrap(), items.clone());
        let order = permute(items.len(), &key, &salt).unwrap();
        let by_order: Vec<u16> = order.iter().map(|&i| items[i]).collect();
        prop_assert_eq!(shuffle(items, &key, &salt).unwrap(), by_order);
    }

    #[test]
    fn xi_mix_is_xor_of_right_aligned_pieces(data in proptest::collection::vec(any::<u8>(), 0..100), size in 1usize..20) {
        let folded = xi_mix(&data, size).unwrap();
        prop_assert_eq!(folded.len(), size);
        // XOR is its own inverse: folding the data followed by its fold
        // (as one more piece, when the data fills whole pieces) gives zeros.
        if data.len() % size == 0 {
            let mut twice = data.clone();
            twice.extend_from_slice(&folded);
            prop_assert_eq!(xi_mix(&twice, size).unwrap(), vec![0u8; size]);
        }
    }
}

#[test]
fn mnemonic_words_and_sends() {
    let password = Password::new("password");
    let salt = "a".repeat(64);
    let mut words = Mnemonic::new(&password, Some(&salt)).unwrap();
    assert_eq!(words.salt(), salt);
    // The spec's examples.
    let first: Vec<&str> = words.by_ref().take(5).collect();
    assert_eq!(first, ["sadness", "public", "excuse", "dinosaur", "shrug"]);
    let mut sent = Mnemonic::new(&password, Some(&salt)).unwrap();
    assert_eq!(
        sent.send(&PyValue::from("x")).unwrap_err(),
        CipherError::SendBeforeStart
    );
    assert_eq!(sent.send(&PyValue::None).unwrap(), "sadness");
    assert_eq!(sent.send(&PyValue::from("entropy")).unwrap(), "hint");
    assert_eq!(sent.next_word(), "alarm");
    // A falsy value mixes nothing.
    let mut falsy = Mnemonic::new(&password, Some(&salt)).unwrap();
    falsy.next_word();
    assert_eq!(falsy.send(&PyValue::from("")).unwrap(), "public");
    assert_eq!(falsy.send(&PyValue::from(0)).unwrap(), "excuse");
    // A phrase of the next words.
    let mut again = Mnemonic::new(&password, Some(&salt)).unwrap();
    assert_eq!(again.phrase(3).expose_secret(), "sadness public excuse");

    // Custom word lists, and their errors.
    let list = ["zero", "one", "two"];
    let small = Mnemonic::with_words(&password, Some(&salt), &list).unwrap();
    assert!(small.take(20).all(|w| list.contains(&w)));
    assert!(matches!(
        Mnemonic::with_words(&password, Some(&salt), &[]),
        Err(Error::Keygen(KeygenError::EmptyWordList))
    ));
    assert!(matches!(
        Mnemonic::new(&Password::new(""), Some(&salt)),
        Err(Error::Passcrypt(PasscryptError::MissingPassword))
    ));

    // No salt: a random 128-hex one, reported for later use.
    let random = Mnemonic::new(&password, None).unwrap();
    assert_eq!(random.salt().len(), 128);
    let mut replay = Mnemonic::new(&password, Some(random.salt())).unwrap();
    let a: Vec<&str> = random.take(4).collect();
    let b: Vec<&str> = replay.by_ref().take(4).collect();
    assert_eq!(a, b);
    assert!(!format!("{replay:?}").contains("sadness"));
}

#[cfg(feature = "tokio")]
#[tokio::test]
async fn mnemonic_async_matches_sync() {
    let password = Password::new("password");
    let salt = "a".repeat(64);
    let words = Mnemonic::new_async(&password, Some(&salt)).await.unwrap();
    let got: Vec<&str> = words.take(5).collect();
    assert_eq!(got, ["sadness", "public", "excuse", "dinosaur", "shrug"]);
}
