//! Benchmarks of the AOT2 format: one-shot seal and open on one and two
//! threads, the streaming adapters, and small messages.
//!
//! `cargo bench -p aiootp --bench aot2` (add a filter such as `seal`).
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

fn one_shot(c: &mut Criterion) {
    let key = Aot2Key::from_slice(&[7u8; 64]).unwrap();
    let mut g = c.benchmark_group("aot2");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    for &(n, threads) in &[(16usize << 20, 1usize), (16 << 20, 2), (64 << 10, 1)] {
        let plain = data(n);
        let options = Options::new().threads(threads);
        let sealed = aot2::seal(&key, &plain, &options).unwrap();
        g.throughput(Throughput::Bytes(n as u64));
        let id = format!("{n}/threads={threads}");
        g.bench_with_input(BenchmarkId::new("seal", &id), &plain, |b, plain| {
            b.iter(|| aot2::seal(&key, black_box(plain), &options).unwrap());
        });
        g.bench_with_input(BenchmarkId::new("open", &id), &sealed, |b, sealed| {
            b.iter(|| aot2::open(&key, black_box(sealed), &options).unwrap());
        });
    }
    g.finish();
}

fn small(c: &mut Criterion) {
    let key = Aot2Key::from_slice(&[7u8; 64]).unwrap();
    let options = Options::new();
    let mut g = c.benchmark_group("aot2_small");
    g.measurement_time(Duration::from_secs(3));
    for &n in &[64usize, 1024] {
        let plain = data(n);
        let sealed = aot2::seal(&key, &plain, &options).unwrap();
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_with_input(BenchmarkId::new("seal", n), &plain, |b, plain| {
            b.iter(|| aot2::seal(&key, black_box(plain), &options).unwrap());
        });
        g.bench_with_input(BenchmarkId::new("open", n), &sealed, |b, sealed| {
            b.iter(|| aot2::open(&key, black_box(sealed), &options).unwrap());
        });
    }
    g.finish();
}

fn streaming(c: &mut Criterion) {
    let key = Aot2Key::from_slice(&[7u8; 64]).unwrap();
    let options = Options::new();
    let n = 16usize << 20;
    let plain = data(n);
    let sealed = aot2::seal(&key, &plain, &options).unwrap();
    let mut g = c.benchmark_group("aot2_stream");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Bytes(n as u64));
    g.bench_with_input(BenchmarkId::new("sealer", n), &plain, |b, plain| {
        let mut out = Vec::with_capacity(sealed.len());
        b.iter(|| {
            out.clear();
            let mut s = Sealer::new(&mut out, &key, &options).unwrap();
            for piece in plain.chunks(1 << 20) {
                s.write_all(piece).unwrap();
            }
            s.finish().unwrap();
        });
    });
    g.bench_with_input(BenchmarkId::new("opener", n), &sealed, |b, sealed| {
        let mut out = vec![0u8; 1 << 20];
        b.iter(|| {
            let mut o = Opener::new(&sealed[..], &key, &options).unwrap();
            while o.read(&mut out).unwrap() > 0 {}
        });
    });
    g.finish();
}

/// AOT2 against `ring`'s ChaCha20-Poly1305 and the compat format, same
/// inputs, one thread, in one run: `cargo bench -p aiootp --bench aot2 -- versus`
/// (`AIOOTP_KECCAK_BACKEND=scalar` in front measures AOT2's scalar path).
fn versus(c: &mut Criterion) {
    use aiootp::compat::{DecryptOptions, EncryptOptions, Key, cipher};
    use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};

    println!(
        "versus: keccak Backend::detected() = {:?}",
        aiootp::keccak::Backend::detected()
    );

    let key = Aot2Key::from_slice(&[7u8; 64]).unwrap();
    let options = Options::new();
    let chacha = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &[7u8; 32]).unwrap());
    let compat_key = Key::new(&"ab".repeat(64));
    let mut g = c.benchmark_group("versus");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    for &n in &[1usize << 10, 64 << 10, 1 << 20, 16 << 20] {
        let plain = data(n);
        g.throughput(Throughput::Bytes(n as u64));
        let sealed = aot2::seal(&key, &plain, &options).unwrap();
        g.bench_with_input(BenchmarkId::new("aot2_seal", n), &plain, |b, plain| {
            b.iter(|| aot2::seal(&key, black_box(plain), &options).unwrap());
        });
        g.bench_with_input(BenchmarkId::new("aot2_open", n), &sealed, |b, sealed| {
            b.iter(|| aot2::open(&key, black_box(sealed), &options).unwrap());
        });
        let mut boxed = plain.clone();
        chacha
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key([1; 12]),
                Aad::empty(),
                &mut boxed,
            )
            .unwrap();
        g.bench_with_input(
            BenchmarkId::new("chacha20poly1305_seal", n),
            &plain,
            |b, plain| {
                b.iter(|| {
                    let mut buf = Vec::with_capacity(plain.len() + 16);
                    buf.extend_from_slice(black_box(plain));
                    chacha
                        .seal_in_place_append_tag(
                            Nonce::assume_unique_for_key([1; 12]),
                            Aad::empty(),
                            &mut buf,
                        )
                        .unwrap();
                    buf
                });
            },
        );
        g.bench_with_input(
            BenchmarkId::new("chacha20poly1305_open", n),
            &boxed,
            |b, boxed| {
                b.iter(|| {
                    let mut buf = black_box(boxed).clone();
                    chacha
                        .open_in_place(
                            Nonce::assume_unique_for_key([1; 12]),
                            Aad::empty(),
                            &mut buf,
                        )
                        .unwrap()
                        .len()
                });
            },
        );
        if n <= 1 << 20 {
            let eo = EncryptOptions::new();
            let ct = cipher::bytes_encrypt(&plain, &compat_key, &eo).unwrap();
            g.bench_with_input(BenchmarkId::new("compat_encrypt", n), &plain, |b, plain| {
                b.iter(|| cipher::bytes_encrypt(black_box(plain), &compat_key, &eo).unwrap());
            });
            let doo = DecryptOptions::new();
            g.bench_with_input(BenchmarkId::new("compat_decrypt", n), &ct, |b, ct| {
                b.iter(|| cipher::bytes_decrypt(black_box(ct), &compat_key, &doo).unwrap());
            });
        }
    }
    g.finish();
}

criterion_group!(benches, one_shot, small, streaming, versus);
criterion_main!(benches);
