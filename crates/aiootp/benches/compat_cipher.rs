//! Benchmarks of the compat cipher.
//!
//! `cargo bench -p aiootp --bench compat_cipher`; `bash interop/bench.sh`
//! times the Python reference on the same inputs (same sizes, same JSON
//! object). The `keccak` group measures the raw permutation rate through
//! SHA3-512 so that the cipher can be compared with its bound (about 23
//! permutations per 256-byte block).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use aiootp::compat::{Ciphertext, DecryptOptions, EncryptOptions, Key, PyValue, cipher, pyjson};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sha3::{Digest, Sha3_512};

const KEY: &str = "1391ad59ea4017e3ca20373a6a9b224fc1545871a3ed5911a81f11d3b23165be3534111ab01d1faed6e47a2c692e8f21fd78440953c310933823a593de0c9d8b";

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + 3) as u8).collect()
}

/// The ~1 KiB JSON object of the benchmarks (the reference script builds
/// the same one).
fn json_object() -> PyValue {
    let text = format!(
        "{{\"id\": 1234, \"name\": \"queen b\", \"tags\": [\"a\", \"b\", \"c\"], \"score\": 13000.5, \"nested\": {{\"x\": [1, 2, 3], \"y\": null, \"z\": true}}, \"blob\": \"{}\"}}",
        "x".repeat(880)
    );
    pyjson::loads(&text).expect("valid JSON")
}

fn bytes_cipher(c: &mut Criterion) {
    let key = Key::new(KEY);
    let mut g = c.benchmark_group("compat_bytes");
    g.sample_size(10);
    for &n in &[1usize << 10, 64 << 10, 1 << 20, 16 << 20] {
        let pt = data(n);
        g.throughput(Throughput::Bytes(n as u64));
        for &parallel in &[false, true] {
            let label = if parallel { "2threads" } else { "1thread" };
            if n < (64 << 10) && parallel {
                continue;
            }
            let eo = EncryptOptions::new().parallel(parallel);
            let doo = DecryptOptions::new().parallel(parallel);
            g.bench_with_input(
                BenchmarkId::new(format!("encrypt_{label}"), n),
                &pt,
                |b, pt| {
                    b.iter(|| cipher::bytes_encrypt(black_box(pt), &key, &eo).expect("encrypt"));
                },
            );
            let ct = cipher::bytes_encrypt(&pt, &key, &eo).expect("encrypt");
            g.bench_with_input(
                BenchmarkId::new(format!("decrypt_{label}"), n),
                &ct,
                |b, ct| {
                    b.iter(|| cipher::bytes_decrypt(black_box(ct), &key, &doo).expect("decrypt"));
                },
            );
        }
    }
    g.finish();
}

fn json_cipher(c: &mut Criterion) {
    let key = Key::new(KEY);
    let value = json_object();
    let mut g = c.benchmark_group("compat_json");
    g.bench_function("encrypt_1KiB_object", |b| {
        b.iter(|| {
            cipher::json_encrypt_value(black_box(&value), &key, &EncryptOptions::new())
                .expect("encrypt")
        });
    });
    let ct = cipher::json_encrypt_value(&value, &key, &EncryptOptions::new()).expect("encrypt");
    let text = ct.to_json();
    g.bench_function("decrypt_1KiB_object_from_dict_json", |b| {
        b.iter(|| {
            let ct = Ciphertext::from_json(black_box(&text)).expect("parse");
            cipher::json_decrypt_value(&ct, &key, &DecryptOptions::new()).expect("decrypt")
        });
    });
    g.finish();
}

fn encodings(c: &mut Criterion) {
    let key = Key::new(KEY);
    let mut g = c.benchmark_group("compat_encodings");
    g.sample_size(10);
    for &n in &[64usize << 10, 1 << 20] {
        let ct = cipher::bytes_encrypt(&data(n), &key, &EncryptOptions::new()).expect("encrypt");
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_with_input(BenchmarkId::new("json_to_ascii", n), &ct, |b, ct| {
            b.iter(|| ct.to_ascii().expect("ascii"));
        });
        let ascii = ct.to_ascii().expect("ascii");
        g.bench_with_input(BenchmarkId::new("ascii_to_json", n), &ascii, |b, a| {
            b.iter(|| Ciphertext::from_ascii(black_box(a)));
        });
        g.bench_with_input(BenchmarkId::new("to_dict_json", n), &ct, |b, ct| {
            b.iter(|| ct.to_json());
        });
        let text = ct.to_json();
        g.bench_with_input(BenchmarkId::new("from_dict_json", n), &text, |b, t| {
            b.iter(|| Ciphertext::from_json(black_box(t)).expect("parse"));
        });
    }
    g.finish();
}

fn keccak(c: &mut Criterion) {
    // 72 KiB through SHA3-512 = 1024 permutations (rate 72 bytes).
    let buf = vec![0x5au8; 72 * 1024];
    let mut g = c.benchmark_group("keccak");
    g.throughput(Throughput::Elements(1024));
    g.bench_function("sha3_512_1024_permutations", |b| {
        b.iter(|| Sha3_512::digest(black_box(&buf)));
    });
    g.finish();
}

criterion_group!(benches, bytes_cipher, json_cipher, encodings, keccak);
criterion_main!(benches);
