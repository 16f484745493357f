//! AOT2 streaming and parallelism: [`Sealer`] and [`AsyncSealer`] write
//! the one-shot bytes whatever the pieces and the number of threads,
//! [`Opener`] and [`AsyncOpener`] read them back through short reads on
//! any number of threads, both work in memory bounded by a few chunks
//! (records go out before the input ends, the workers hold at most four
//! records each), and one-shot sealing on any number of threads gives the
//! same bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{self, Read, Write};

use aiootp::aot2::{
    self, Aot2Key, AsyncOpener, AsyncSealer, CHUNK_LEN, Opener, Options, RECORD_LEN, SALT_LEN,
    Sealer, hazmat,
};
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SALT: [u8; SALT_LEN] = [3; SALT_LEN];

fn key() -> Aot2Key {
    Aot2Key::from_slice(b"a key of at least thirty-two bytes, for streams").unwrap()
}

fn options() -> Options {
    Options::new().ctx("stream").now(1_700_000_000)
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// Data lengths around every boundary: chunk ends, the padding that
/// spills into the previous chunk, the largest padding, full last chunks.
fn boundary_lengths() -> Vec<usize> {
    let c = CHUNK_LEN;
    let mut v = vec![0, 1, 175, 176, 177, 1000];
    for base in [c - 16, c - 8, c, 2 * c - 16, 6 * c - 16, 7 * c - 16] {
        for off in [-300isize, -256, -232, -231, -200, -1, 0, 1, 8] {
            v.push((base as isize + off) as usize);
        }
    }
    v
}

fn seal_in_pieces(d: &[u8], pieces: &[usize]) -> Vec<u8> {
    seal_in_pieces_on(d, pieces, 1)
}

fn seal_in_pieces_on(d: &[u8], pieces: &[usize], threads: usize) -> Vec<u8> {
    let o = options().threads(threads);
    let mut s = hazmat::sealer_with_salt(Vec::new(), &key(), &SALT, &o).unwrap();
    let mut rest = d;
    let mut i = 0;
    while !rest.is_empty() {
        let n = pieces[i % pieces.len()].clamp(1, rest.len());
        s.write_all(&rest[..n]).unwrap();
        if i % 3 == 0 {
            s.flush().unwrap();
        }
        rest = &rest[n..];
        i += 1;
    }
    s.finish().unwrap()
}

/// A reader that returns at most `step` bytes per call and counts how far
/// it has been read.
struct Trickle<'a> {
    data: &'a [u8],
    pos: usize,
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = out.len().min(self.step).min(self.data.len() - self.pos);
        out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn sealer_writes_the_one_shot_bytes_and_opener_reads_them() {
    for n in boundary_lengths() {
        let d = data(n);
        let one_shot = hazmat::seal_with_salt(&key(), &SALT, &d, &options()).unwrap();
        assert_eq!(one_shot.len() as u64, aot2::message_len(n as u64).unwrap());
        for pieces in [&[n.max(1)][..], &[1, 4095, 70_000], &[65_536], &[65_535, 2]] {
            assert_eq!(
                seal_in_pieces(&d, pieces),
                one_shot,
                "n={n} pieces={pieces:?}"
            );
        }
        for step in [1usize << 20, 65_569, 4097] {
            let mut o = Opener::new(
                Trickle {
                    data: &one_shot,
                    pos: 0,
                    step,
                },
                &key(),
                &options(),
            )
            .unwrap();
            let mut back = Vec::new();
            o.read_to_end(&mut back).unwrap();
            assert_eq!(back, d, "n={n} step={step}");
            assert_eq!(o.timestamp(), Some(1_700_000_000));
        }
    }
}

#[test]
fn byte_by_byte_reads_and_writes() {
    let d = data(CHUNK_LEN + 300);
    let one_shot = hazmat::seal_with_salt(&key(), &SALT, &d, &options()).unwrap();
    let mut s = hazmat::sealer_with_salt(Vec::new(), &key(), &SALT, &options()).unwrap();
    for b in &d {
        s.write_all(std::slice::from_ref(b)).unwrap();
    }
    assert_eq!(s.finish().unwrap(), one_shot);
    let mut o = Opener::new(
        Trickle {
            data: &one_shot,
            pos: 0,
            step: 1,
        },
        &key(),
        &options(),
    )
    .unwrap();
    let mut back = Vec::new();
    let mut b = [0u8; 1];
    while o.read(&mut b).unwrap() == 1 {
        back.push(b[0]);
    }
    assert_eq!(back, d);
}

#[test]
fn opener_releases_data_before_the_message_ends() {
    // Ten chunks: the first data comes out after the opener has read no
    // more than the salt, two records and a byte.
    let d = data(10 * CHUNK_LEN);
    let m = aot2::seal(&key(), &d, &options()).unwrap();
    let mut t = Trickle {
        data: &m,
        pos: 0,
        step: 1 << 30,
    };
    let mut o = Opener::new(&mut t, &key(), &options()).unwrap();
    let mut first = [0u8; 100];
    o.read_exact(&mut first).unwrap();
    assert_eq!(first[..], d[..100]);
    drop(o);
    assert!(
        t.pos <= SALT_LEN + 2 * RECORD_LEN + 1,
        "read {} bytes",
        t.pos
    );
}

/// A writer that records how much it was given.
#[derive(Default)]
struct Counting(usize);

impl Write for Counting {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn sealer_writes_records_as_they_fill() {
    let mut s = Sealer::new(Counting::default(), &key(), &options()).unwrap();
    let piece = vec![1u8; 1000];
    for _ in 0..(5 * CHUNK_LEN / 1000) {
        s.write_all(&piece).unwrap();
    }
    // 327 680 bytes in: at least four records out already.
    assert!(s.get_ref().0 >= SALT_LEN + 4 * RECORD_LEN);
    let total = s.finish().unwrap().0;
    assert_eq!(
        total as u64,
        aot2::message_len(5 * CHUNK_LEN as u64 / 1000 * 1000).unwrap()
    );
}

#[test]
fn unfinished_sealers_leave_messages_that_do_not_open() {
    let d = data(3 * CHUNK_LEN);
    let mut out = Vec::new();
    {
        let mut s = Sealer::new(&mut out, &key(), &options()).unwrap();
        s.write_all(&d).unwrap();
        s.flush().unwrap();
    }
    assert!(!out.is_empty());
    assert!(aot2::open(&key(), &out, &options()).is_err());
    let mut o = Opener::new(&out[..], &key(), &options()).unwrap();
    assert!(o.read_to_end(&mut Vec::new()).is_err());
}

#[test]
fn threads_give_the_same_bytes() {
    for n in [
        0,
        1000,
        CHUNK_LEN - 8,
        2 * CHUNK_LEN + 5,
        9 * CHUNK_LEN + 77,
    ] {
        let d = data(n);
        let one = hazmat::seal_with_salt(&key(), &SALT, &d, &options()).unwrap();
        for threads in [0, 2, 3, 4, 7, 16] {
            let o = options().threads(threads);
            assert_eq!(
                hazmat::seal_with_salt(&key(), &SALT, &d, &o).unwrap(),
                one,
                "n={n} x{threads}"
            );
            assert_eq!(aot2::open(&key(), &one, &o).unwrap(), d, "n={n} x{threads}");
        }
    }
}

/// Opens `message` through a [`Trickle`] of `step` bytes on `threads`.
fn open_on(message: &[u8], step: usize, threads: usize) -> Vec<u8> {
    let reader = Trickle {
        data: message,
        pos: 0,
        step,
    };
    let mut o = Opener::new(reader, &key(), &options().threads(threads)).unwrap();
    let mut back = Vec::new();
    o.read_to_end(&mut back).unwrap();
    assert_eq!(o.timestamp(), Some(1_700_000_000));
    back
}

#[test]
fn threaded_streams_write_and_read_the_one_shot_bytes() {
    for n in boundary_lengths() {
        let d = data(n);
        let one_shot = hazmat::seal_with_salt(&key(), &SALT, &d, &options()).unwrap();
        for threads in [2, 3, 0] {
            for pieces in [&[n.max(1)][..], &[1, 4095, 70_000], &[65_536], &[65_535, 2]] {
                assert_eq!(
                    seal_in_pieces_on(&d, pieces, threads),
                    one_shot,
                    "n={n} pieces={pieces:?} x{threads}"
                );
            }
            for step in [1usize << 20, 65_569, 4097] {
                assert_eq!(
                    open_on(&one_shot, step, threads),
                    d,
                    "n={n} step={step} x{threads}"
                );
            }
        }
    }
}

#[test]
fn threaded_byte_by_byte_reads_and_writes() {
    for n in [0, 1, 177, CHUNK_LEN - 8, CHUNK_LEN, 3 * CHUNK_LEN + 300] {
        let d = data(n);
        let one_shot = hazmat::seal_with_salt(&key(), &SALT, &d, &options()).unwrap();
        for threads in [2, 0] {
            let o = options().threads(threads);
            let mut s = hazmat::sealer_with_salt(Vec::new(), &key(), &SALT, &o).unwrap();
            for b in &d {
                s.write_all(std::slice::from_ref(b)).unwrap();
            }
            assert_eq!(s.finish().unwrap(), one_shot, "n={n} x{threads}");
            let reader = Trickle {
                data: &one_shot,
                pos: 0,
                step: 1,
            };
            let mut opener = Opener::new(reader, &key(), &o).unwrap();
            let mut back = Vec::new();
            let mut b = [0u8; 1];
            while opener.read(&mut b).unwrap() == 1 {
                back.push(b[0]);
            }
            assert_eq!(back, d, "n={n} x{threads}");
        }
    }
}

#[test]
fn threaded_sealers_hold_at_most_four_records_per_worker() {
    // Twenty chunks in 1000-byte writes: the workers hold at most 4 x
    // threads records and one full chunk may wait for them, so all the
    // others are out when `write` returns; `flush` writes them all.
    let chunks = 20;
    for threads in [2usize, 3] {
        let o = options().threads(threads);
        let mut s = Sealer::new(Counting::default(), &key(), &o).unwrap();
        let piece = vec![1u8; 1000];
        for _ in 0..(chunks * CHUNK_LEN / 1000) {
            s.write_all(&piece).unwrap();
        }
        let fed = chunks * CHUNK_LEN / 1000 * 1000;
        let full = fed / CHUNK_LEN;
        assert!(
            s.get_ref().0 >= SALT_LEN + (full - 1 - 4 * threads) * RECORD_LEN,
            "x{threads}: {} bytes out",
            s.get_ref().0
        );
        s.flush().unwrap();
        assert_eq!(s.get_ref().0, SALT_LEN + full * RECORD_LEN, "x{threads}");
        let total = s.finish().unwrap().0;
        assert_eq!(total as u64, aot2::message_len(fed as u64).unwrap());
    }
}

#[test]
fn threaded_openers_read_ahead_at_most_four_records_per_worker() {
    let d = data(20 * CHUNK_LEN);
    let m = hazmat::seal_with_salt(&key(), &SALT, &d, &options()).unwrap();
    for threads in [2usize, 3] {
        let mut t = Trickle {
            data: &m,
            pos: 0,
            step: 1 << 30,
        };
        let mut o = Opener::new(&mut t, &key(), &options().threads(threads)).unwrap();
        let mut first = [0u8; 100];
        o.read_exact(&mut first).unwrap();
        assert_eq!(first[..], d[..100]);
        drop(o);
        // In flight, a complete record waiting for room, the record being
        // read.
        assert!(
            t.pos <= SALT_LEN + (4 * threads + 2) * RECORD_LEN,
            "x{threads}: read {} bytes",
            t.pos
        );
    }
}

#[test]
fn threaded_unfinished_sealers_leave_messages_that_do_not_open() {
    let d = data(5 * CHUNK_LEN);
    let mut out = Vec::new();
    {
        let mut s = Sealer::new(&mut out, &key(), &options().threads(2)).unwrap();
        s.write_all(&d).unwrap();
        s.flush().unwrap();
    }
    assert_eq!(out.len(), SALT_LEN + 5 * RECORD_LEN);
    assert!(aot2::open(&key(), &out, &options()).is_err());
    let mut o = Opener::new(&out[..], &key(), &options().threads(2)).unwrap();
    assert!(o.read_to_end(&mut Vec::new()).is_err());
}

#[tokio::test]
async fn async_adapters_match_the_sync_ones() {
    async_adapters_on(1).await;
}

#[tokio::test]
async fn threaded_async_adapters_match_the_sync_ones() {
    async_adapters_on(2).await;
    async_adapters_on(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threaded_async_adapters_on_a_multi_threaded_runtime() {
    async_adapters_on(3).await;
}

async fn async_adapters_on(threads: usize) {
    let options = move || options().threads(threads);
    for n in [
        0,
        5000,
        2 * CHUNK_LEN - 100,
        3 * CHUNK_LEN + 1,
        9 * CHUNK_LEN + 7,
    ] {
        let d = data(n);
        let mut s = AsyncSealer::new(Vec::new(), &key(), &options())
            .await
            .unwrap();
        for piece in d.chunks(10_000) {
            s.write_all(piece).await.unwrap();
        }
        s.flush().await.unwrap();
        s.shutdown().await.unwrap();
        let m = s.into_inner();
        assert_eq!(aot2::open(&key(), &m, &options()).unwrap(), d);
        // Through a small duplex pipe: the sealer and the opener run
        // concurrently with at most 4 KiB in flight.
        let (a, b) = tokio::io::duplex(4096);
        let d2 = d.clone();
        let writer = tokio::spawn(async move {
            let mut s = AsyncSealer::new(a, &key(), &options()).await.unwrap();
            s.write_all(&d2).await.unwrap();
            s.shutdown().await.unwrap();
        });
        let mut o = AsyncOpener::new(b, &key(), &options()).await.unwrap();
        let mut back = Vec::new();
        o.read_to_end(&mut back).await.unwrap();
        writer.await.unwrap();
        assert_eq!(back, d);
        assert_eq!(o.timestamp(), Some(1_700_000_000));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn round_trips(
        d in proptest::collection::vec(any::<u8>(), 0..3000),
        ctx in proptest::collection::vec(any::<u8>(), 0..40),
        pieces in proptest::collection::vec(1usize..500, 1..5),
    ) {
        let o = Options::new().ctx(ctx).now(5);
        let one = hazmat::seal_with_salt(&key(), &SALT, &d, &o).unwrap();
        prop_assert_eq!(aot2::open(&key(), &one, &o).unwrap(), d.clone());
        let mut s = hazmat::sealer_with_salt(Vec::new(), &key(), &SALT, &o).unwrap();
        let mut rest = &d[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = pieces[i % pieces.len()].min(rest.len());
            s.write_all(&rest[..n]).unwrap();
            rest = &rest[n..];
            i += 1;
        }
        prop_assert_eq!(s.finish().unwrap(), one);
    }

    #[test]
    fn threaded_round_trips(
        n in 0usize..5 * CHUNK_LEN,
        pieces in proptest::collection::vec(1usize..100_000, 1..5),
        threads in 0usize..5,
        step in 1usize..200_000,
    ) {
        let d = data(n);
        let one = hazmat::seal_with_salt(&key(), &SALT, &d, &options()).unwrap();
        prop_assert_eq!(seal_in_pieces_on(&d, &pieces, threads), one.clone());
        prop_assert_eq!(open_on(&one, step, threads), d);
    }
}
