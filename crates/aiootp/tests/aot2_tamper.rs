//! Negative tests of AOT2, through one shared runner: every tampering of a
//! message — any flipped bit, a cut at or inside any record, reordered,
//! duplicated, dropped or appended records, a wrong key, password or ctx —
//! fails with the single [`Aot2Error::Authentication`], and a wrong ttl
//! (or clock) with [`Aot2Error::Expired`] / [`Aot2Error::FromTheFuture`],
//! on every opener: one-shot on 1 and 3 threads, tokens, the streaming
//! [`Opener`] on 1, 2 and all threads and [`AsyncOpener`] on 1 and 2. No
//! unverified byte is released: the
//! one-shot openers return nothing, the streaming ones at most the data of
//! the chunks before the first one changed.
//!
//! Also: a salt reused by force leaks only which chunks are equal, and
//! records of two messages under the same salt, key and ctx cannot be
//! spliced together (the last tag binds the chain of all earlier tags).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;

use aiootp::aot2::{
    self, Aot2Key, Aot2Password, AsyncOpener, CHUNK_LEN, Opener, Options, RECORD_LEN, SALT_LEN,
    TAG_LEN, hazmat,
};
use aiootp::compat::passcrypt::Passcrypt;
use aiootp::error::Aot2Error;
use tokio::io::AsyncReadExt;

const NOW: u64 = 1_700_000_000;

fn key() -> Aot2Key {
    Aot2Key::from_slice(&[0x5a; 64]).unwrap()
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 + 7) as u8).collect()
}

fn options() -> Options {
    Options::new().ctx("tamper").now(NOW)
}

/// A message of `n` bytes of data under [`key`] and [`options`].
fn sealed(n: usize) -> (Vec<u8>, Vec<u8>) {
    let d = data(n);
    let m = hazmat::seal_with_salt(&key(), &[7; SALT_LEN], &d, &options()).unwrap();
    (m, d)
}

/// The thread counts the streaming openers run on (0: all).
const STREAM_THREADS: [usize; 3] = [1, 2, 0];

/// What a streaming opener gave before it stopped: the released bytes and
/// the result.
fn stream_open(
    key: &Aot2Key,
    message: &[u8],
    options: &Options,
) -> (Vec<u8>, Result<(), Aot2Error>) {
    let mut out = Vec::new();
    let mut opener = match Opener::new(message, key, options) {
        Ok(o) => o,
        Err(aiootp::Error::Aot2(e)) => return (out, Err(e)),
        Err(e) => panic!("{e}"),
    };
    let mut buf = vec![0u8; 4096];
    loop {
        match opener.read(&mut buf) {
            Ok(0) => return (out, Ok(())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => {
                let e = e
                    .get_ref()
                    .and_then(|e| e.downcast_ref::<Aot2Error>())
                    .cloned();
                return (out, Err(e.expect("an Aot2Error inside the io::Error")));
            }
        }
    }
}

fn async_open(
    key: &Aot2Key,
    message: &[u8],
    options: &Options,
) -> (Vec<u8>, Result<(), Aot2Error>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut out = Vec::new();
        let mut opener = match AsyncOpener::new(message, key, options).await {
            Ok(o) => o,
            Err(aiootp::Error::Aot2(e)) => return (out, Err(e)),
            Err(e) => panic!("{e}"),
        };
        let mut buf = vec![0u8; 3000];
        loop {
            match opener.read(&mut buf).await {
                Ok(0) => return (out, Ok(())),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => {
                    let e = e
                        .get_ref()
                        .and_then(|e| e.downcast_ref::<Aot2Error>())
                        .cloned();
                    return (out, Err(e.unwrap()));
                }
            }
        }
    })
}

/// The shared runner: opening `message` with `key` and `options` must
/// fail with `want` on every opener. `intact_chunks`: how many leading
/// chunks of `message` verify, which bounds what a streaming opener may
/// release (their data, a prefix of `original`).
fn assert_rejected(
    what: &str,
    key: &Aot2Key,
    message: &[u8],
    options: &Options,
    want: &Aot2Error,
    original: &[u8],
    intact_chunks: usize,
) {
    for threads in [1, 3] {
        assert_eq!(
            aot2::open(key, message, &options.clone().threads(threads)).as_ref(),
            Err(want),
            "{what}: one-shot x{threads}"
        );
    }
    assert_eq!(
        aot2::open_token(key, &aot2::encode_token(message), options).as_ref(),
        Err(want),
        "{what}: token"
    );
    let limit = (intact_chunks * CHUNK_LEN).saturating_sub(8);
    for threads in STREAM_THREADS {
        let options = options.clone().threads(threads);
        let (streamed, result) = stream_open(key, message, &options);
        assert_eq!(result.as_ref(), Err(want), "{what}: Opener x{threads}");
        assert!(
            streamed.len() <= limit,
            "{what}: Opener x{threads} released {} bytes",
            streamed.len()
        );
        assert_eq!(
            streamed,
            original[..streamed.len()],
            "{what}: Opener x{threads} released other bytes"
        );
    }
    for threads in [1, 2] {
        let options = options.clone().threads(threads);
        let (streamed, result) = async_open(key, message, &options);
        assert_eq!(result.as_ref(), Err(want), "{what}: AsyncOpener x{threads}");
        assert!(
            streamed.len() <= limit,
            "{what}: AsyncOpener x{threads} released {} bytes",
            streamed.len()
        );
        assert_eq!(
            streamed,
            original[..streamed.len()],
            "{what}: AsyncOpener x{threads} released other bytes"
        );
    }
}

/// The index of the chunk byte `pos` of a message belongs to (the salt
/// belongs to every chunk).
fn chunk_of(pos: usize) -> usize {
    if pos < SALT_LEN {
        0
    } else {
        (pos - SALT_LEN) / RECORD_LEN
    }
}

#[test]
fn the_untampered_messages_open() {
    for n in [0, 1000, 2 * CHUNK_LEN + 1000, 5 * CHUNK_LEN] {
        let (m, d) = sealed(n);
        assert_eq!(aot2::open(&key(), &m, &options()).unwrap(), d);
        for threads in STREAM_THREADS {
            let o = options().threads(threads);
            assert_eq!(
                stream_open(&key(), &m, &o),
                (d.clone(), Ok(())),
                "x{threads}"
            );
            assert_eq!(
                async_open(&key(), &m, &o),
                (d.clone(), Ok(())),
                "x{threads}"
            );
        }
    }
}

#[test]
fn every_bit_flip_of_a_small_message_fails() {
    let (m, d) = sealed(300);
    assert_eq!(m.len(), 512);
    let auth = Aot2Error::Authentication;
    for pos in 0..m.len() {
        for bit in 0..8 {
            let mut t = m.clone();
            t[pos] ^= 1 << bit;
            for threads in [1, 2] {
                assert_eq!(
                    aot2::open(&key(), &t, &options().threads(threads)),
                    Err(auth.clone()),
                    "byte {pos} bit {bit}"
                );
            }
            for threads in STREAM_THREADS {
                let (released, result) = stream_open(&key(), &t, &options().threads(threads));
                assert_eq!(
                    (released.len(), result),
                    (0, Err(auth.clone())),
                    "byte {pos} bit {bit} x{threads}"
                );
            }
        }
    }
    // A sample of them through every opener.
    for pos in [0, 31, 32, 63, 64, 200, 511] {
        let mut t = m.clone();
        t[pos] ^= 0x80;
        assert_rejected(&format!("flip {pos}"), &key(), &t, &options(), &auth, &d, 0);
    }
}

#[test]
fn bit_flips_in_every_part_of_a_long_message_fail() {
    let (m, d) = sealed(2 * CHUNK_LEN + 1000);
    assert_eq!(chunk_of(m.len() - 1), 2);
    let auth = Aot2Error::Authentication;
    let mut positions: Vec<usize> = (0..SALT_LEN).step_by(5).collect();
    for r in 0..3 {
        let start = SALT_LEN + r * RECORD_LEN;
        // The tag, the chunk's first and last bytes, a spread through it.
        positions.extend([start, start + 17, start + TAG_LEN - 1, start + TAG_LEN]);
        positions.extend((start + TAG_LEN..(start + RECORD_LEN).min(m.len())).step_by(6007));
        positions.push((start + RECORD_LEN).min(m.len()) - 1);
    }
    // The last chunk's padding and length field.
    positions.extend(m.len() - 300..m.len());
    for pos in positions {
        let mut t = m.clone();
        t[pos] ^= 1 << (pos % 8);
        let intact = if pos < SALT_LEN { 0 } else { chunk_of(pos) };
        assert_rejected(
            &format!("flip {pos}"),
            &key(),
            &t,
            &options(),
            &auth,
            &d,
            intact,
        );
    }
}

#[test]
fn truncation_at_and_inside_every_record_fails() {
    let (m, d) = sealed(2 * CHUNK_LEN + 1000);
    let auth = Aot2Error::Authentication;
    let mut cuts: Vec<usize> = (0..m.len()).step_by(256).collect();
    for r in 0..3 {
        let start = SALT_LEN + r * RECORD_LEN;
        cuts.extend([
            start,
            start + 1,
            start + TAG_LEN,
            start + TAG_LEN + 8,
            start + RECORD_LEN - 1,
        ]);
    }
    cuts.extend([1, 31, m.len() - 1, m.len() - 8, m.len() - 9]);
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts.into_iter().filter(|&c| c < m.len()) {
        // The last (partial, or complete but tagged as not last) record
        // fails: only the records before it verify.
        let intact = cut
            .saturating_sub(SALT_LEN)
            .div_ceil(RECORD_LEN)
            .saturating_sub(1);
        assert_rejected(
            &format!("cut at {cut}"),
            &key(),
            &m[..cut],
            &options(),
            &auth,
            &d,
            intact,
        );
    }
}

/// The records of a message (after the salt).
fn records(m: &[u8]) -> Vec<&[u8]> {
    m[SALT_LEN..].chunks(RECORD_LEN).collect()
}

fn join(salt: &[u8], records: &[&[u8]]) -> Vec<u8> {
    let mut out = salt.to_vec();
    for r in records {
        out.extend_from_slice(r);
    }
    out
}

#[test]
fn reordered_duplicated_dropped_and_appended_records_fail() {
    let (m, d) = sealed(3 * CHUNK_LEN + 1000);
    let (salt, r) = (&m[..SALT_LEN], records(&m));
    assert_eq!(r.len(), 4);
    let auth = Aot2Error::Authentication;
    let (other, _) = {
        let d2 = data(3 * CHUNK_LEN + 1000);
        let m2 = hazmat::seal_with_salt(&key(), &[8; SALT_LEN], &d2, &options()).unwrap();
        (m2, d2)
    };
    let o = records(&other);
    let cases: Vec<(&str, Vec<u8>, usize)> = vec![
        ("swap 0 and 1", join(salt, &[r[1], r[0], r[2], r[3]]), 0),
        ("swap 1 and 2", join(salt, &[r[0], r[2], r[1], r[3]]), 1),
        ("swap 2 and 3", join(salt, &[r[0], r[1], r[3], r[2]]), 2),
        (
            "duplicate 0",
            join(salt, &[r[0], r[0], r[1], r[2], r[3]]),
            1,
        ),
        (
            "duplicate 2",
            join(salt, &[r[0], r[1], r[2], r[2], r[3]]),
            3,
        ),
        (
            "duplicate the last",
            join(salt, &[r[0], r[1], r[2], r[3], r[3]]),
            3,
        ),
        ("drop 0", join(salt, &[r[1], r[2], r[3]]), 0),
        ("drop 1", join(salt, &[r[0], r[2], r[3]]), 1),
        ("drop 2", join(salt, &[r[0], r[1], r[3]]), 2),
        ("drop the last", join(salt, &[r[0], r[1], r[2]]), 2),
        (
            "append a record",
            join(salt, &[r[0], r[1], r[2], r[3], r[1]]),
            3,
        ),
        ("append 256 zeros", [&m[..], &[0u8; 256]].concat(), 3),
        ("append a message", [&m[..], &m[..]].concat(), 3),
        (
            "another message's record",
            join(salt, &[r[0], o[1], r[2], r[3]]),
            1,
        ),
        ("another message's salt", join(&other[..SALT_LEN], &r), 0),
    ];
    for (what, t, intact) in cases {
        assert_rejected(what, &key(), &t, &options(), &auth, &d, intact);
    }
}

#[test]
fn tampering_past_the_workers_window_fails() {
    // Fourteen chunks: more than the streaming opener's workers hold at once
    // on two threads (eight in flight, one waiting), so the tampered record
    // is read while earlier ones are still with the workers.
    let (m, d) = sealed(13 * CHUNK_LEN + 3000);
    let (salt, r) = (&m[..SALT_LEN], records(&m));
    assert_eq!(r.len(), 14);
    let auth = Aot2Error::Authentication;
    for chunk in [0, 3, 9, 12, 13] {
        for offset in [0, TAG_LEN + 100, RECORD_LEN - 1] {
            let pos = (SALT_LEN + chunk * RECORD_LEN + offset).min(m.len() - 1);
            let mut t = m.clone();
            t[pos] ^= 4;
            let what = format!("flip in chunk {chunk} at {offset}");
            assert_rejected(&what, &key(), &t, &options(), &auth, &d, chunk);
        }
    }
    let mut swapped = r.clone();
    swapped.swap(10, 11);
    let mut dropped = r.clone();
    dropped.remove(9);
    let cut = SALT_LEN + 12 * RECORD_LEN;
    for (what, t, intact) in [
        ("swap 10 and 11", join(salt, &swapped), 10),
        ("drop 9", join(salt, &dropped), 9),
        ("cut after 12 records", m[..cut].to_vec(), 11),
        ("cut inside record 12", m[..cut + 1000].to_vec(), 12),
    ] {
        assert_rejected(what, &key(), &t, &options(), &auth, &d, intact);
    }
    // A ttl passed: the first chunk says so, before any data comes out.
    let late = options().ttl(10).now(NOW + 11);
    let expired = Aot2Error::Expired { seconds: 1 };
    assert_rejected("expired", &key(), &m, &late, &expired, &d, 0);
}

#[test]
fn wrong_key_password_ctx_and_ttl() {
    let (m, d) = sealed(CHUNK_LEN + 5000);
    let auth = Aot2Error::Authentication;
    let other_key = Aot2Key::from_slice(&[0x5b; 64]).unwrap();
    assert_rejected("wrong key", &other_key, &m, &options(), &auth, &d, 0);
    let short_key = Aot2Key::from_slice(&[0x5a; 32]).unwrap();
    assert_rejected("key prefix", &short_key, &m, &options(), &auth, &d, 0);
    for ctx in [&b""[..], b"tamper ", b"Tamper", b"tampe"] {
        let o = Options::new().ctx(ctx).now(NOW);
        assert_rejected(&format!("ctx {ctx:?}"), &key(), &m, &o, &auth, &d, 0);
    }
    // Time: a ttl passed by one second, and a clock 61 s behind.
    let late = options().ttl(100).now(NOW + 101);
    assert_rejected(
        "expired",
        &key(),
        &m,
        &late,
        &Aot2Error::Expired { seconds: 1 },
        &d,
        0,
    );
    let early = options().ttl(100).now(NOW - 61);
    let future = Aot2Error::FromTheFuture { seconds: 61 };
    assert_rejected("from the future", &key(), &m, &early, &future, &d, 0);
    // At the limits it opens; without a ttl the time is not checked.
    for o in [
        options().ttl(100).now(NOW + 100),
        options().ttl(100).now(NOW - 60),
        options().now(0),
    ] {
        assert_eq!(aot2::open(&key(), &m, &o).unwrap(), d);
    }
    // A password: a wrong one, or other settings, is an authentication
    // failure like a wrong key.
    let cheap = Passcrypt::new(256, 2, 256).unwrap();
    let pw = Aot2Password::new(b"pw".to_vec())
        .unwrap()
        .with_settings(cheap);
    let pm = aot2::seal(&pw, &d, &options()).unwrap();
    assert_eq!(aot2::open(&pw, &pm, &options()).unwrap(), d);
    let wrong = Aot2Password::new(b"pW".to_vec())
        .unwrap()
        .with_settings(cheap);
    assert_eq!(aot2::open(&wrong, &pm, &options()), Err(auth.clone()));
    let other_settings = pw
        .clone()
        .with_settings(Passcrypt::new(256, 3, 256).unwrap());
    assert_eq!(aot2::open(&other_settings, &pm, &options()), Err(auth));
}

#[test]
fn lengths_that_no_message_has_fail_before_key_derivation() {
    // A password with settings that cannot be allocated: opening must
    // refuse these lengths without running passcrypt.
    let absurd = Passcrypt::new(u64::MAX / 2048, 2, 256).unwrap();
    let pw = Aot2Password::new(b"pw".to_vec())
        .unwrap()
        .with_settings(absurd);
    for n in [0usize, 1, 31, 32, 100, 255, 257, 511, 1000] {
        assert_eq!(
            aot2::open(&pw, &vec![0u8; n], &Options::new()),
            Err(Aot2Error::Authentication),
            "{n}"
        );
    }
}

#[test]
fn salt_reuse_leaks_only_chunk_equality() {
    let salt = [9u8; SALT_LEN];
    let o = options();
    // Chunk 1 equal, chunks 0 and 2 differ by one byte each.
    let a = data(2 * CHUNK_LEN + 100);
    let mut b = a.clone();
    b[100] ^= 1;
    b[2 * CHUNK_LEN + 50] ^= 1;
    let ma = hazmat::seal_with_salt(&key(), &salt, &a, &o).unwrap();
    let mb = hazmat::seal_with_salt(&key(), &salt, &b, &o).unwrap();
    let (ra, rb) = (records(&ma), records(&mb));
    assert_eq!(ra.len(), 3);
    // Equal chunks: equal records (that is the leak).
    assert_eq!(ra[1], rb[1]);
    for i in [0, 2] {
        // Different chunks: different tags, hence unrelated keystreams —
        // the XOR of the ciphertexts is not the XOR of the plaintexts, and
        // almost every byte differs although one plaintext byte does.
        assert_ne!(ra[i][..TAG_LEN], rb[i][..TAG_LEN]);
        let (ca, cb) = (&ra[i][TAG_LEN..], &rb[i][TAG_LEN..]);
        let same = ca.iter().zip(cb).filter(|(x, y)| x == y).count();
        assert!(same < ca.len() / 100, "chunk {i}: {same} equal bytes");
        let q_off = i * CHUNK_LEN;
        let pa = &a[q_off.saturating_sub(8)..];
        let pb = &b[q_off.saturating_sub(8)..];
        let x_ct: Vec<u8> = ca.iter().zip(cb).map(|(x, y)| x ^ y).take(64).collect();
        let x_pt: Vec<u8> = pa.iter().zip(pb).map(|(x, y)| x ^ y).take(64).collect();
        assert_ne!(x_ct, x_pt);
    }
    // The last records differ although one plaintext byte of chunk 2
    // does: their tags bind the chain of the earlier tags. With chunk 2
    // equal and only chunk 0 different, the last records still differ.
    let mut c = a.clone();
    c[100] ^= 1;
    let mc = hazmat::seal_with_salt(&key(), &salt, &c, &o).unwrap();
    let rc = records(&mc);
    assert_eq!(rc[1], ra[1]);
    assert_ne!(rc[2][..TAG_LEN], ra[2][..TAG_LEN]);
    // Records at the same index of two messages with the same salt, key
    // and ctx each verify on their own, but cannot be exchanged between
    // the messages (splicing_under_a_reused_salt_fails).
    let spliced = join(&ma[..SALT_LEN], &[rb[0], ra[1], ra[2]]);
    assert_eq!(
        aot2::open(&key(), &spliced, &o),
        Err(Aot2Error::Authentication)
    );
    // Same data, same salt, same second: identical messages (deterministic
    // given the salt); another second changes chunk 0, and the last record
    // through the chain, only.
    assert_eq!(ma, hazmat::seal_with_salt(&key(), &salt, &a, &o).unwrap());
    let later = hazmat::seal_with_salt(&key(), &salt, &a, &options().now(NOW + 1)).unwrap();
    let rl = records(&later);
    assert_ne!(rl[0], ra[0]);
    assert_eq!(rl[1], ra[1]);
    assert_ne!(rl[2], ra[2]);
    // Another ctx or key under the same salt shares nothing.
    for (k, ctx) in [
        (key(), "other"),
        (Aot2Key::from_slice(&[1; 32]).unwrap(), "tamper"),
    ] {
        let mc = hazmat::seal_with_salt(&k, &salt, &a, &Options::new().ctx(ctx).now(NOW)).unwrap();
        for (x, y) in records(&mc).iter().zip(&ra) {
            assert_ne!(x[..TAG_LEN], y[..TAG_LEN]);
        }
    }
    // Fresh salts (the API's default) make even equal data unrelated.
    let f1 = aot2::seal(&key(), &a, &o).unwrap();
    let f2 = aot2::seal(&key(), &a, &o).unwrap();
    assert_ne!(f1[..SALT_LEN], f2[..SALT_LEN]);
    assert!(records(&f1).iter().zip(records(&f2)).all(|(x, y)| x != &y));
}

#[test]
fn splicing_under_a_reused_salt_fails() {
    // Two messages under one forced salt, key and ctx, differing in one
    // byte of chunk 1 (and in the second case of another chunk too), of
    // 3 and of 4 chunks: every record of one verifies on its own with the
    // other's subkeys, yet no mix of the two opens.
    let salt = [11u8; SALT_LEN];
    let auth = Aot2Error::Authentication;
    let c = CHUNK_LEN;
    let mut tested = 0;
    for (chunks, flips) in [
        (3usize, vec![c + 1000]),
        (3, vec![c + 1000, 2 * c + 100]),
        (4, vec![c + 1000]),
        (4, vec![100, c + 1000]),
    ] {
        let a = data((chunks - 1) * CHUNK_LEN + 500);
        let mut b = a.clone();
        for &f in &flips {
            b[f] ^= 1;
        }
        let ma = hazmat::seal_with_salt(&key(), &salt, &a, &options()).unwrap();
        let mb = hazmat::seal_with_salt(&key(), &salt, &b, &options()).unwrap();
        let (ra, rb) = (records(&ma), records(&mb));
        assert_eq!(ra.len(), chunks);
        assert_eq!(aot2::open(&key(), &mb, &options()).unwrap(), b);
        let last = chunks - 1;
        // The last records differ even when the last chunks are equal.
        assert_ne!(ra[last], rb[last]);
        // Which records come from b.
        for from_b in [vec![1], vec![0, 1], vec![last], vec![1, last]] {
            let mixed: Vec<&[u8]> = (0..chunks)
                .map(|i| if from_b.contains(&i) { rb[i] } else { ra[i] })
                .collect();
            let spliced = join(&salt, &mixed);
            if spliced == ma || spliced == mb {
                // Records 1 and last of b, the rest equal: that is b.
                continue;
            }
            tested += 1;
            // The plaintext of the mix, chunk by chunk.
            let mut plain = Vec::new();
            for i in 0..chunks {
                let src = if from_b.contains(&i) { &b } else { &a };
                let start = (i * CHUNK_LEN).saturating_sub(8);
                let end = ((i + 1) * CHUNK_LEN - 8).min(src.len());
                plain.extend_from_slice(&src[start..end]);
            }
            let what = format!("{chunks} chunks, flips {flips:?}, records {from_b:?} of b");
            // One-shot (1 and 3 threads), token, Opener, AsyncOpener:
            // authentication fails, one-shot returns nothing, streaming
            // releases at most the verified chunks before the last.
            assert_rejected(&what, &key(), &spliced, &options(), &auth, &plain, last);
            for threads in [2, 4, 0] {
                assert_eq!(
                    aot2::open(&key(), &spliced, &options().threads(threads)),
                    Err(auth.clone()),
                    "{what}: one-shot x{threads}"
                );
            }
            // The streaming opener gets to the last record: the swapped
            // inner records verified on their own, only the chain catches
            // the splice.
            if !from_b.contains(&last) {
                for threads in STREAM_THREADS {
                    let o = options().threads(threads);
                    let (released, result) = stream_open(&key(), &spliced, &o);
                    assert_eq!(result, Err(auth.clone()), "{what} x{threads}");
                    let want = last * CHUNK_LEN - 8 - 256;
                    assert_eq!(released.len(), want, "{what} x{threads}");
                    assert_eq!(released, plain[..released.len()], "{what} x{threads}");
                }
            }
        }
    }
    assert_eq!(tested, 13);
}
