//! Benchmarks of the streaming AOT2 adapters on one and two threads:
//! [`Sealer`] and [`Opener`] over 16 MiB in memory, written and read in
//! 64 KiB pieces (as the command-line tool does).
//!
//! `cargo bench -p aiootp --bench aot2_stream` (add a filter such as
//! `sealer`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::io::{Read, Write};
use std::time::Duration;

use aiootp::aot2::{self, Aot2Key, Opener, Options, Sealer};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// `bytes(i % 251 for i in range(n))`.
fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// The pieces the command-line tool reads and writes.
const PIECE: usize = 1 << 16;

fn stream(c: &mut Criterion) {
    let key = Aot2Key::from_slice(&[7u8; 64]).unwrap();
    let n = 16usize << 20;
    let plain = data(n);
    let sealed = aot2::seal(&key, &plain, &Options::new()).unwrap();
    let mut g = c.benchmark_group("stream");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Bytes(n as u64));
    for threads in [1usize, 2] {
        let options = Options::new().threads(threads);
        let id = format!("{n}/threads={threads}");
        g.bench_with_input(BenchmarkId::new("sealer", &id), &plain, |b, plain| {
            let mut out = Vec::with_capacity(sealed.len());
            b.iter(|| {
                out.clear();
                let mut s = Sealer::new(&mut out, &key, &options).unwrap();
                for piece in black_box(plain).chunks(PIECE) {
                    s.write_all(piece).unwrap();
                }
                s.finish().unwrap();
            });
        });
        g.bench_with_input(BenchmarkId::new("opener", &id), &sealed, |b, sealed| {
            let mut out = vec![0u8; PIECE];
            b.iter(|| {
                let mut o = Opener::new(black_box(&sealed[..]), &key, &options).unwrap();
                while o.read(&mut out).unwrap() > 0 {}
            });
        });
    }
    g.finish();
}

criterion_group!(benches, stream);
criterion_main!(benches);
