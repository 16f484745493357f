//! Benchmarks of the asymmetric tools: key generation, Ed25519 sign and
//! verify, the X25519 exchange, and whole 2DH / 3DH exchanges.
//!
//! `cargo bench -p aiootp --bench asymmetric`; `interop/bench_asymmetric.py`
//! times the Python reference on the same operations (same names), and
//! `interop/compare_asym_speed.sh` runs both and prints the ratios.
//!
//! * `*_keygen`: a fresh key from OS randomness, with its public key;
//! * `ed25519_*`: a 256-byte message, `i % 251` for byte `i`;
//! * `x25519_exchange`: one `X25519(secret, peer)`;
//! * `dh2_exchange`, `dh3_exchange`: one whole exchange, both sides
//!   (client hello, server response, client finish, server finish, both
//!   digests); identity keys exist beforehand, ephemeral keys are made
//!   inside.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use aiootp::asymmetric::{Dh2Client, Dh2Server, Dh3Client, Dh3Server, Ed25519, X25519};
use criterion::{Criterion, criterion_group, criterion_main};

fn message() -> Vec<u8> {
    (0..256u32).map(|i| (i % 251) as u8).collect()
}

fn asymmetric(c: &mut Criterion) {
    let msg = message();
    let ed = Ed25519::generate().unwrap();
    let sig = ed.sign(&msg);
    let public = *ed.public_key();
    let x = X25519::generate().unwrap();
    let peer = *X25519::generate().unwrap().public_key();
    let server2 = Dh2Server::new(X25519::generate().unwrap());
    let server3 = Dh3Server::new(X25519::generate().unwrap());
    let client_id = X25519::generate().unwrap();

    let mut g = c.benchmark_group("asymmetric");
    g.bench_function("x25519_keygen", |b| b.iter(|| X25519::generate().unwrap()));
    g.bench_function("ed25519_keygen", |b| {
        b.iter(|| Ed25519::generate().unwrap())
    });
    g.bench_function("ed25519_sign", |b| b.iter(|| ed.sign(black_box(&msg))));
    g.bench_function("ed25519_verify", |b| {
        b.iter(|| {
            public
                .verify(black_box(sig.as_bytes()), black_box(&msg))
                .unwrap()
        })
    });
    g.bench_function("ed25519_sign_verify", |b| {
        b.iter(|| {
            let s = ed.sign(black_box(&msg));
            public.verify(s.as_bytes(), &msg).unwrap();
        })
    });
    g.bench_function("x25519_exchange", |b| {
        b.iter(|| x.exchange(black_box(&peer)).unwrap())
    });
    g.bench_function("dh2_exchange", |b| {
        b.iter(|| {
            let client = Dh2Client::new().unwrap();
            let (response, pending) = server2.respond(&client.hello()).unwrap();
            let ck = client.finish(&response).unwrap();
            let sk = pending.finish().unwrap();
            assert_eq!(ck.digest(), sk.digest());
        })
    });
    g.bench_function("dh3_exchange", |b| {
        b.iter(|| {
            let client = Dh3Client::new(client_id.clone()).unwrap();
            let (response, pending) = server3.respond(&client.hello()).unwrap();
            let ck = client.finish(&response).unwrap();
            let sk = pending.finish().unwrap();
            assert_eq!(ck.digest(), sk.digest());
        })
    });
    g.finish();
}

criterion_group!(benches, asymmetric);
criterion_main!(benches);
