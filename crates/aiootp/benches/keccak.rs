//! Benchmarks of the AOT2 primitives: Keccak-p\[1600, 12\] in 1, 4 and 8
//! lanes, KT256 and the counter-mode TurboSHAKE256 keystream on every lane
//! back end.
//!
//! `cargo bench -p aiootp --bench keccak` (add a filter such as `kt256`).
//! `Backend::X8` runs AVX-512 code on CPUs with AVX-512F and portable code
//! elsewhere; `Backend::detected()` is what the library uses (the
//! environment variable `AIOOTP_KECCAK_BACKEND=scalar|x4|x8` overrides
//! it). The group `short` is the Keccak work of a 1 KiB AOT2 message: the
//! KDF, the tag and the keystream of one small chunk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use aiootp::keccak::{
    Backend, kt256_with, p1600, p1600_x4, p1600_x8, turboshake256, turboshake256_xor_keystream_with,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// `bytes(i % 251 for i in range(n))`.
fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn label(b: Backend) -> &'static str {
    match b {
        Backend::Scalar => "scalar",
        Backend::X4 => "x4",
        Backend::X8 => "x8",
        _ => "other",
    }
}

fn permutations(c: &mut Criterion) {
    println!("keccak: Backend::detected() = {:?}", Backend::detected());
    let mut g = c.benchmark_group("keccak_p1600_12");
    g.measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(1));
    let mut s1 = [1u64; 25];
    g.bench_function("scalar", |b| b.iter(|| p1600(black_box(&mut s1), 12)));
    let mut s4 = [[1u64; 4]; 25];
    g.throughput(Throughput::Elements(4));
    g.bench_function("x4", |b| b.iter(|| p1600_x4(black_box(&mut s4), 12)));
    let mut s8 = [[1u64; 8]; 25];
    g.throughput(Throughput::Elements(8));
    g.bench_function("x8", |b| b.iter(|| p1600_x8(black_box(&mut s8), 12)));
    g.finish();
}

fn kt256(c: &mut Criterion) {
    let mut g = c.benchmark_group("kt256");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    for &n in &[64usize << 10, 16 << 20] {
        let msg = data(n);
        g.throughput(Throughput::Bytes(n as u64));
        for backend in Backend::ALL {
            g.bench_with_input(BenchmarkId::new(label(backend), n), &msg, |b, msg| {
                let mut out = [0u8; 32];
                b.iter(|| kt256_with(backend, black_box(msg), b"aiootp aot2 tag", &mut out));
            });
        }
        // The sequential baseline: one TurboSHAKE256 over the same bytes.
        g.bench_with_input(BenchmarkId::new("turboshake256", n), &msg, |b, msg| {
            let mut out = [0u8; 32];
            b.iter(|| turboshake256(black_box(msg), 0x1F, &mut out));
        });
    }
    g.finish();
}

fn keystream(c: &mut Criterion) {
    let mut g = c.benchmark_group("keystream_xor");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    // AOT2's prefix: a length-prefixed 64-byte key and a 32-byte tag.
    let prefix = data(8 + 64 + 32);
    let block = NonZeroUsize::new(8192).unwrap();
    for &n in &[64usize << 10, 16 << 20] {
        let mut buf = data(n);
        g.throughput(Throughput::Bytes(n as u64));
        for backend in Backend::ALL {
            g.bench_function(BenchmarkId::new(label(backend), n), |b| {
                b.iter(|| {
                    turboshake256_xor_keystream_with(backend, &prefix, 0x0C, 0, block, &mut buf);
                });
            });
        }
    }
    g.finish();
}

/// The three Keccak calls of a 1 KiB AOT2 message (21 permutations in
/// all): the KDF (143 bytes in, 128 out), the tag (KT256 of 1297 bytes,
/// single node) and the keystream of the 1216-byte chunk.
fn short(c: &mut Criterion) {
    use aiootp::keccak::{kt256, turboshake256_xor_keystream};
    let mut g = c.benchmark_group("short");
    g.measurement_time(Duration::from_secs(3));
    let kdf_in = data(143);
    g.bench_function("kdf_143_to_128", |b| {
        let mut out = [0u8; 128];
        b.iter(|| turboshake256(black_box(&kdf_in), 0x41, &mut out));
    });
    let tag_in = data(1297);
    g.bench_function("kt256_1297_to_32", |b| {
        let mut out = [0u8; 32];
        b.iter(|| kt256(black_box(&tag_in), b"aiootp aot2 tag", &mut out));
    });
    let prefix = data(104);
    let block = NonZeroUsize::new(8192).unwrap();
    let mut chunk = data(1216);
    g.bench_function("keystream_xor_1216", |b| {
        b.iter(|| turboshake256_xor_keystream(&prefix, 0x42, 0, block, black_box(&mut chunk)));
    });
    g.finish();
}

criterion_group!(benches, permutations, kt256, keystream, short);
criterion_main!(benches);
