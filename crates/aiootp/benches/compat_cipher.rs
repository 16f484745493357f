//! Benchmarks of the compat cipher.
//!
//! `cargo bench -p aiootp --bench compat_cipher`; `bash interop/bench.sh`
//! times the Python reference on the same inputs (same sizes, same JSON
//! object). The `keccak` group measures the raw permutation rate through
//! SHA3-512 so that the cipher can be compared with its bound (about 23
//! permutations per 256-byte block).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use aiootp::compat::{
    Ciphertext, DecryptOptions, EncryptOptions, Key, PyValue, Salt, cipher, pyjson,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sha3::{Digest, Sha3_512};

/// The inputs of `interop/bench_reference.py`, which times the Python
/// reference on the very same messages.
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SALT: &str = "89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567";
/// `json.dumps` of the reference script's `json_object()` (1,044 bytes).
const JSON_OBJECT: &str = "{\"account\": 3311149, \"name\": \"Zo\\u00eb \\ud83d\\ude80 \\u00f1\", \"titles\": [\"queen b\", \"sir\", \"dr\"], \"active\": true, \"ratio\": 0.125, \"nothing\": null, \"history\": [{\"ts\": 1600000000, \"amount\": 0.0, \"note\": \"entry 0\"}, {\"ts\": 1600000060, \"amount\": 1.25, \"note\": \"entry 1\"}, {\"ts\": 1600000120, \"amount\": 2.5, \"note\": \"entry 2\"}, {\"ts\": 1600000180, \"amount\": 3.75, \"note\": \"entry 3\"}, {\"ts\": 1600000240, \"amount\": 5.0, \"note\": \"entry 4\"}, {\"ts\": 1600000300, \"amount\": 6.25, \"note\": \"entry 5\"}, {\"ts\": 1600000360, \"amount\": 7.5, \"note\": \"entry 6\"}, {\"ts\": 1600000420, \"amount\": 8.75, \"note\": \"entry 7\"}, {\"ts\": 1600000480, \"amount\": 10.0, \"note\": \"entry 8\"}, {\"ts\": 1600000540, \"amount\": 11.25, \"note\": \"entry 9\"}, {\"ts\": 1600000600, \"amount\": 12.5, \"note\": \"entry 10\"}, {\"ts\": 1600000660, \"amount\": 13.75, \"note\": \"entry 11\"}, {\"ts\": 1600000720, \"amount\": 15.0, \"note\": \"entry 12\"}, {\"ts\": 1600000780, \"amount\": 16.25, \"note\": \"entry 13\"}, {\"ts\": 1600000840, \"amount\": 17.5, \"note\": \"entry 14\"}, {\"ts\": 1600000900, \"amount\": 18.75, \"note\": \"entry 15\"}]}";

/// `bytes(i % 251 for i in range(n))`, as the reference script's `message(n)`.
fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn json_object() -> PyValue {
    pyjson::loads(JSON_OBJECT).expect("valid JSON")
}

fn salted() -> EncryptOptions {
    EncryptOptions::new().salt(Salt::parse(SALT).expect("salt"))
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
            let eo = salted().parallel(parallel);
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
    g.throughput(Throughput::Bytes(JSON_OBJECT.len() as u64));
    g.bench_function("encrypt_1KiB_object", |b| {
        b.iter(|| cipher::json_encrypt_value(black_box(&value), &key, &salted()).expect("encrypt"));
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
