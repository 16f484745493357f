#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The cipher steps of `aiootp::iter` and their validator:
//! * `bytes_encipher` over padded plaintext plus its tag is exactly the
//!   compat `bytes_encrypt` ciphertext, and `bytes_decipher` reads it;
//! * `map_encipher` reproduces the reference's key-ordered hash map
//!   (`tests/data/cipher.json`, section `map`) and `map_decipher` reads
//!   it back;
//! * every tamper (a flipped bit in any block, a dropped, added or
//!   reordered block, a wrong key, salt, pid or tag) yields exactly one
//!   `Authentication` error and no plaintext.

mod common;

use aiootp::compat::cipher::{self, depad_range, pad_bytes, padding_key};
use aiootp::compat::hashmap::{self, MapPids};
use aiootp::compat::{EncryptOptions, Key, PyValue, Salt};
use aiootp::error::CipherError;
use aiootp::iter::{AsyncComprende, Block, ByteOrder, Comprende};
use common::typed::{field, from_hex, items, load_data, text, typed};

const TIME: u64 = 1_612_400_000;

fn key() -> Key {
    Key::new(&"8b7c".repeat(32))
}

fn salt() -> Salt {
    Salt::parse(&"5e17".repeat(16)).unwrap()
}

fn padded(data: &[u8], pid: &PyValue) -> Vec<u8> {
    pad_bytes(data, &padding_key(&key(), &salt(), pid).unwrap(), TIME)
}

/// Deciphers `blocks` with `hmac`: the plaintext blocks, or the errors.
fn decipher(
    blocks: &[Vec<u8>],
    key: &Key,
    salt: &Salt,
    pid: &PyValue,
    hmac: &str,
) -> Vec<Result<Block, CipherError>> {
    blocks
        .iter()
        .bytes_decipher(key, salt, pid.clone(), hmac)
        .unwrap()
        .list()
}

#[test]
fn encipher_plus_tag_is_bytes_encrypt() {
    for (len, pid) in [
        (0, PyValue::from(0u8)),
        (300, PyValue::from("pid")),
        (1000, PyValue::from(7u8)),
    ] {
        let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let reference = cipher::bytes_encrypt(
            &data,
            &key(),
            &EncryptOptions::new()
                .salt(salt())
                .pid(pid.clone())
                .time(TIME),
        )
        .unwrap();
        let padded = padded(&data, &pid);
        let mut enc = padded
            .chunks(256)
            .bytes_encipher(&key(), &salt(), pid.clone())
            .unwrap();
        let blocks: Vec<Block> = enc.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(blocks.concat(), reference.block_bytes());
        assert_eq!(enc.finalize().as_deref(), Some(reference.hmac()));

        // And back, through the validator.
        let ct: Vec<Vec<u8>> = reference
            .block_bytes()
            .chunks(256)
            .map(<[u8]>::to_vec)
            .collect();
        let plain: Vec<Block> = decipher(&ct, &key(), &salt(), &pid, reference.hmac())
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        let plain = plain.concat();
        let pk = padding_key(&key(), &salt(), &pid).unwrap();
        let range = depad_range(&plain, &pk, 0, TIME).unwrap();
        assert_eq!(&plain[range], &data[..]);
    }
}

#[test]
fn no_tag_before_the_end_or_after_an_error() {
    let blocks = [vec![1u8; 256], vec![2u8; 256]];
    let mut enc = blocks.iter().bytes_encipher(&key(), &salt(), 0u8).unwrap();
    assert!(enc.next().is_some());
    assert_eq!(enc.finalize(), None, "not at the end yet");

    // A 257-byte item with a non-zero first byte is too large; it ends the output.
    let blocks = [vec![1u8; 256], vec![1u8; 257], vec![3u8; 256]];
    let mut enc = blocks.iter().bytes_encipher(&key(), &salt(), 0u8).unwrap();
    let out: Vec<_> = enc.by_ref().collect();
    assert_eq!(out.len(), 2);
    assert!(out[0].is_ok());
    assert_eq!(out[1], Err(CipherError::BlockTooLarge));
    assert_eq!(enc.finalize(), None);

    assert_eq!(
        blocks
            .iter()
            .bytes_encipher(&Key::new(""), &salt(), 0u8)
            .err(),
        Some(CipherError::MissingKey)
    );
    assert_eq!(
        blocks.iter().bytes_decipher(&key(), &salt(), 0u8, "").err(),
        Some(CipherError::MissingHmac)
    );
}

fn sealed(n_blocks: usize) -> (Vec<Vec<u8>>, String) {
    let data: Vec<u8> = (0..n_blocks * 256 - 8).map(|i| i as u8).collect();
    let padded = padded(&data, &PyValue::from(0u8));
    let mut enc = padded
        .chunks(256)
        .bytes_encipher(&key(), &salt(), 0u8)
        .unwrap();
    let blocks: Vec<Vec<u8>> = enc.by_ref().map(|b| b.unwrap().to_vec()).collect();
    (blocks, enc.finalize().unwrap())
}

fn assert_refused(out: Vec<Result<Block, CipherError>>, what: &str) {
    assert_eq!(out, vec![Err(CipherError::Authentication)], "{what}");
}

#[test]
fn every_tamper_is_refused_without_plaintext() {
    let (blocks, tag) = sealed(3);
    let zero = PyValue::from(0u8);
    assert_eq!(decipher(&blocks, &key(), &salt(), &zero, &tag).len(), 3);
    for b in 0..blocks.len() {
        for byte in [0, 1, 128, 255] {
            for bit in [0, 3, 7] {
                let mut t = blocks.clone();
                t[b][byte] ^= 1 << bit;
                assert_refused(decipher(&t, &key(), &salt(), &zero, &tag), "bit flip");
            }
        }
    }
    let mut dropped = blocks.clone();
    dropped.pop();
    assert_refused(
        decipher(&dropped, &key(), &salt(), &zero, &tag),
        "dropped block",
    );
    let mut added = blocks.clone();
    added.push(blocks[0].clone());
    assert_refused(
        decipher(&added, &key(), &salt(), &zero, &tag),
        "added block",
    );
    let mut swapped = blocks.clone();
    swapped.swap(0, 1);
    assert_refused(
        decipher(&swapped, &key(), &salt(), &zero, &tag),
        "reordered",
    );
    assert_refused(decipher(&[], &key(), &salt(), &zero, &tag), "empty");
    assert_refused(
        decipher(&blocks, &Key::new("other"), &salt(), &zero, &tag),
        "wrong key",
    );
    let other_salt = Salt::parse(&"5e18".repeat(16)).unwrap();
    assert_refused(
        decipher(&blocks, &key(), &other_salt, &zero, &tag),
        "wrong salt",
    );
    assert_refused(
        decipher(&blocks, &key(), &salt(), &PyValue::from(1u8), &tag),
        "wrong pid",
    );
    assert_refused(
        decipher(&blocks, &key(), &salt(), &zero, &tag.to_uppercase()),
        "upper-case tag",
    );
    let mut bad = tag.clone().into_bytes();
    bad[63] ^= 1;
    let bad = String::from_utf8(bad).unwrap();
    assert_refused(decipher(&blocks, &key(), &salt(), &zero, &bad), "wrong tag");
    // A block that is too large is refused before anything else.
    let mut big = blocks.clone();
    big[1] = vec![1u8; 300];
    assert_eq!(
        decipher(&big, &key(), &salt(), &zero, &tag),
        vec![Err(CipherError::BlockTooLarge)]
    );
}

#[test]
fn map_encipher_matches_the_reference() {
    let data = load_data("cipher.json");
    for entry in items(field(&data, "map")) {
        let key = Key::from_value(&typed(field(entry, "key")));
        let salt = Salt::unchecked(text(field(entry, "salt")));
        let pids = MapPids {
            names: typed(field(entry, "names_pid")),
            keystream: Some(typed(field(entry, "pid"))),
            padding: typed(field(entry, "pad_pid")),
        };
        let padded = from_hex(text(field(entry, "padded_hex")));
        let mut enc = padded.chunks(256).map_encipher(&key, &salt, &pids).unwrap();
        let got: Vec<(String, Block)> = enc.by_ref().collect::<Result<_, _>>().unwrap();
        let want = items(field(entry, "entries"));
        assert_eq!(got.len(), want.len());
        let want_blocks = want
            .iter()
            .map(|w| typed(&items(w)[1]))
            .map(|v| match v {
                PyValue::Int(n) => n,
                other => panic!("{other:?}"),
            })
            .int_to_bytes(256, ByteOrder::Big)
            .map(Result::unwrap)
            .list();
        for (((name, block), w), wb) in got.iter().zip(want).zip(&want_blocks) {
            assert_eq!(name, text(&items(w)[0]));
            assert_eq!(&block[..], &wb[..]);
        }
        let tag = enc.finalize().unwrap();

        // The compat map gives the same entries.
        let plaintext = from_hex(text(field(entry, "plaintext_hex")));
        let time = match field(entry, "time") {
            PyValue::Int(n) => n.to_u64().unwrap(),
            other => text(other).parse().unwrap(),
        };
        let compat = hashmap::map_encipher(
            &key,
            &salt,
            &pids,
            &plaintext,
            &EncryptOptions::new().time(time),
        )
        .unwrap();
        assert_eq!(compat, got);

        // pick + map_decipher, through the validator.
        let mapping: std::collections::HashMap<String, Block> = got.into_iter().collect();
        let names = hashmap::names(&key, &salt, &pids.names).unwrap();
        let picked: Vec<&Block> = hashmap::pick(names, &mapping).collect();
        let plain: Vec<Block> = picked
            .iter()
            .map_decipher(&key, &salt, &pids, &tag)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(plain.concat(), padded);

        // Tampered: one block changed in the mapping.
        let mut forged = picked.iter().map(|b| **b).collect::<Vec<Block>>();
        forged[0][5] ^= 4;
        let out = forged
            .iter()
            .map_decipher(&key, &salt, &pids, &tag)
            .unwrap()
            .list();
        assert_refused(out, "forged map block");
    }
}

#[test]
fn map_default_pids() {
    let pids = MapPids::default();
    let data = padded(b"Some kinda message...", &PyValue::from(0u8));
    let mut enc = data
        .chunks(256)
        .map_encipher(&key(), &salt(), &pids)
        .unwrap();
    let got: Vec<(String, Block)> = enc.by_ref().collect::<Result<_, _>>().unwrap();
    let compat = hashmap::map_encipher(
        &key(),
        &salt(),
        &pids,
        b"Some kinda message...",
        &EncryptOptions::new().time(TIME),
    )
    .unwrap();
    assert_eq!(got, compat);
    let tag = enc.finalize().unwrap();
    let blocks: Vec<Block> = got.iter().map(|(_, b)| *b).collect();
    let back: Vec<Block> = blocks
        .iter()
        .map_decipher(&key(), &salt(), &pids, &tag)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back.concat(), data);
    assert_eq!(
        blocks
            .iter()
            .map_encipher(&key(), &Salt::unchecked(""), &pids)
            .err(),
        Some(CipherError::MissingSalt)
    );
}

#[tokio::test]
async fn stream_cipher_steps_match_the_iterator_ones() {
    use futures_util::stream;

    let data = padded(&[9u8; 600], &PyValue::from(0u8));
    let chunks: Vec<Vec<u8>> = data.chunks(256).map(<[u8]>::to_vec).collect();
    let mut it = chunks.iter().bytes_encipher(&key(), &salt(), 0u8).unwrap();
    let want: Vec<Block> = it.by_ref().map(Result::unwrap).collect();
    let want_tag = it.finalize().unwrap();

    let enc = stream::iter(chunks.clone())
        .bytes_encipher(&key(), &salt(), 0u8)
        .unwrap();
    let mut enc = std::pin::pin!(enc);
    let mut got = Vec::new();
    while let Some(b) =
        std::future::poll_fn(|cx| futures_util::Stream::poll_next(enc.as_mut(), cx)).await
    {
        got.push(b.unwrap());
    }
    assert_eq!(got, want);
    assert_eq!(enc.as_mut().finalize().as_deref(), Some(want_tag.as_str()));

    let plain = stream::iter(got)
        .bytes_decipher(&key(), &salt(), 0u8, &want_tag)
        .unwrap()
        .list()
        .await;
    let plain: Vec<Block> = plain.into_iter().map(Result::unwrap).collect();
    assert_eq!(plain.concat(), data);
}
