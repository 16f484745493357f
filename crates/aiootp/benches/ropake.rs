//! Benchmarks of one Ropake round, client and server together.
//!
//! `cargo bench -p aiootp --bench ropake`; `interop/bench_ropake.py` times
//! the Python reference on the same rounds and
//! `interop/compare_ropake_speed.sh` prints the ratios from one sitting.
//!
//! * `ropake/registration_round`: on a freshly opened, empty client
//!   database (opened outside the timing), `ClientRegistration::start`,
//!   `server_registration` into [`MemoryRecords`], `finish` (which saves
//!   the client database);
//! * `ropake/login_round`: on a registered client database,
//!   `ClientLogin::start`, `server_login`, `finish` (saves); the state
//!   ratchets from one iteration to the next, as in real use;
//! * `ropake/login_round_memory_db`: the same with the client database on
//!   a [`MemoryStore`] (no files): the protocol's own share of a round
//!   (no counterpart in the reference; the crash-safe save of the files,
//!   with its journal and `fsync`s, is most of the rest).
//!
//! Messages are handed over as values (the reference's dicts), not JSON.
//! Client key `"0123456789abcdef" * 8`, password depth 0, [`OsEntropy`].
//! The client databases live on a tmpfs (`/dev/shm`) when there is one,
//! else in the system temporary directory (`AIOOTP_BENCH_DB_DIR` chooses
//! another, e.g. a disk, to include real `fsync` costs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use aiootp::compat::Key;
use aiootp::db::{Database, MemoryStore, OpenOptions};
use aiootp::ropake::{
    ClientLogin, ClientRegistration, MemoryRecords, OsEntropy, server_login, server_registration,
};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

/// The key of `interop/bench_ropake.py`.
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn base_dir() -> (PathBuf, &'static str) {
    if let Some(dir) = std::env::var_os("AIOOTP_BENCH_DB_DIR") {
        return (PathBuf::from(dir), "AIOOTP_BENCH_DB_DIR");
    }
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() {
        (shm, "tmpfs")
    } else {
        (std::env::temp_dir(), "temporary directory")
    }
}

fn fresh() -> (tempfile::TempDir, Database) {
    let dir = tempfile::Builder::new()
        .prefix("aiootp-ropake-bench-")
        .tempdir_in(base_dir().0)
        .expect("temporary directory");
    let db = OpenOptions::new()
        .create(true)
        .open(dir.path(), &Key::new(KEY))
        .expect("open");
    (dir, db)
}

fn register(db: &mut Database, records: &mut MemoryRecords) {
    let (client, hello) = ClientRegistration::start(db, &mut OsEntropy).unwrap();
    let (response, _) = server_registration(&hello, records, &mut OsEntropy).unwrap();
    black_box(client.finish(db, &response).unwrap());
}

fn login(db: &mut Database, records: &mut MemoryRecords) {
    let (client, hello) = ClientLogin::start(db, 0, &mut OsEntropy).unwrap();
    let (response, _) = server_login(&hello, records, 0, &mut OsEntropy).unwrap();
    black_box(client.finish(db, &response, &mut OsEntropy).unwrap());
}

fn bench(c: &mut Criterion) {
    let (base, label) = base_dir();
    eprintln!("client databases in {} ({label})", base.display());
    let mut g = c.benchmark_group("ropake");
    g.sample_size(50);
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("registration_round", |b| {
        b.iter_batched(
            || {
                let (dir, db) = fresh();
                (dir, db, MemoryRecords::new())
            },
            |(dir, mut db, mut records)| {
                register(&mut db, &mut records);
                (db, dir)
            },
            BatchSize::PerIteration,
        );
    });
    let (_dir, mut db) = fresh();
    let mut records = MemoryRecords::new();
    register(&mut db, &mut records);
    g.bench_function("login_round", |b| {
        b.iter(|| login(&mut db, &mut records));
    });
    assert_eq!(records.len(), 1);
    let mut db = OpenOptions::new()
        .open_store(MemoryStore::new(), &Key::new(KEY))
        .expect("open");
    let mut records = MemoryRecords::new();
    register(&mut db, &mut records);
    g.bench_function("login_round_memory_db", |b| {
        b.iter(|| login(&mut db, &mut records));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
