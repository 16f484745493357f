//! Benchmarks of passcrypt, with Argon2id at the same memory for scale.
//!
//! `cargo bench -p aiootp --bench passcrypt`; `interop/.venv/bin/python
//! interop/bench_passcrypt.py` times the Python reference on the same
//! inputs (password `"password"`, salt `"salt"`) and settings:
//!
//! * `256/2/256`: the smallest legal setting (256 KiB);
//! * `1024/3/1024`: the reference's defaults (1 MiB), also the profiles'
//!   login key;
//! * `32768/3/1024`: the profile tokens' defaults (32 MiB).
//!
//! Argon2id (RustCrypto `argon2`, one lane) runs at the same memory in KiB
//! with `t_cost` = the passcrypt `cpu`, 32-byte output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use aiootp::compat::PyValue;
use aiootp::compat::passcrypt::{Passcrypt, Password};
use argon2::{Algorithm, Argon2, Params, Version};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// (kb, cpu, hardness) of the Python script too.
const SETTINGS: [(u64, u64, u64); 3] = [(256, 2, 256), (1024, 3, 1024), (32768, 3, 1024)];

fn label(kb: u64, cpu: u64, hardness: u64) -> String {
    format!("{kb}/{cpu}/{hardness}")
}

fn passcrypt(c: &mut Criterion) {
    let password = Password::new("password");
    let salt = PyValue::from("salt");
    let mut g = c.benchmark_group("passcrypt");
    g.sample_size(10);
    for (kb, cpu, hardness) in SETTINGS {
        let settings = Passcrypt::new(kb, cpu, hardness).unwrap();
        if kb >= 32768 {
            g.measurement_time(Duration::from_secs(30));
        } else {
            g.measurement_time(Duration::from_secs(5));
        }
        g.bench_with_input(
            BenchmarkId::from_parameter(label(kb, cpu, hardness)),
            &settings,
            |b, settings| b.iter(|| settings.hash(black_box(&password), &salt).unwrap()),
        );
    }
    g.finish();
}

fn argon2id(c: &mut Criterion) {
    let mut g = c.benchmark_group("argon2id");
    g.sample_size(10);
    for (kb, cpu, hardness) in SETTINGS {
        let params = Params::new(
            u32::try_from(kb).unwrap(),
            u32::try_from(cpu).unwrap(),
            1,
            Some(32),
        )
        .unwrap();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        if kb >= 32768 {
            g.measurement_time(Duration::from_secs(15));
        } else {
            g.measurement_time(Duration::from_secs(5));
        }
        g.bench_function(
            BenchmarkId::from_parameter(format!(
                "m={kb}KiB,t={cpu},p=1 (vs {})",
                label(kb, cpu, hardness)
            )),
            |b| {
                b.iter(|| {
                    let mut out = [0u8; 32];
                    argon
                        .hash_password_into(black_box(b"password"), b"saltsalt", &mut out)
                        .unwrap();
                    out
                });
            },
        );
    }
    g.finish();
}

criterion_group!(benches, passcrypt, argon2id);
criterion_main!(benches);
