//! Benchmarks of the encrypted database on a directory ([`LocalStore`]).
//!
//! `cargo bench -p aiootp --bench database`; `interop/bench_db.py` times
//! the Python reference on the very same workload and
//! `interop/compare_db_speed.sh` prints the ratios from one sitting.
//!
//! Workload, per size n (1,000 and 10,000 tags; 100,000 as the opt-in
//! group `db_100000`, with `AIOOTP_BENCH_DB_LARGE=1`):
//!
//! * key `"0123456789abcdef" * 8`, `password_depth` 0;
//! * tags `"tag-000000"` … (`"tag-%06d" % i`), each holding [`value`]`(i)`,
//!   a JSON object whose `json.dumps` text is about 1 KiB;
//! * `set_all`: every tag set on a freshly opened, empty database (each
//!   value cloned into it: the database owns its values, where Python
//!   stores a reference);
//! * `save`: saving the filled database (every value re-encrypted and
//!   rewritten, as the reference does), crash-safe (journal on, the
//!   default); `save_no_journal` the same with `.journal(false)`;
//! * `reopen_preload`: opening the saved database as a writer with
//!   preloading (every value read and decrypted);
//! * `read_all`: reading every tag of the preloaded database;
//! * `lazy_open_read_all`: opening without preloading, then reading every
//!   tag (one file read and decrypted per tag).
//!
//! Group `many_metatags` (child databases, empty, named `"m000000"` …):
//!
//! * `open/n`: opening (writer, preloading: every child's manifest read
//!   and decrypted) a saved database with n children, n = 1,000, 4,000,
//!   16,000;
//! * `create_save/n`: creating n children in a freshly opened database,
//!   then saving it (n + 2 files written), n = 1,000, 4,000.
//!
//! Both should grow linearly in n.
//!
//! The databases live on a tmpfs (`/dev/shm`) when there is one, else in
//! the system temporary directory (printed at start; set
//! `AIOOTP_BENCH_DB_DIR` to choose another, e.g. a disk, to include real
//! `fsync` costs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use aiootp::compat::hash::sha3_256_hex;
use aiootp::compat::{Key, PyValue, pyjson};
use aiootp::db::{Database, OpenOptions};
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};

/// The key of `interop/bench_reference.py` and `interop/bench_db.py`.
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// `"tag-%06d" % i`.
fn tag(i: usize) -> String {
    format!("tag-{i:06}")
}

/// `value(i)` of `interop/bench_db.py`: the ~1 KiB object of
/// `bench_reference.py` with `"id": i` (its `json.dumps` text).
fn value(i: usize) -> PyValue {
    let mut history = Vec::new();
    for j in 0..16u32 {
        // `j * 1.25` as Python's repr prints it (always with a decimal).
        let amount = f64::from(j) * 1.25;
        let amount = if amount.fract() == 0.0 {
            format!("{amount:.1}")
        } else {
            format!("{amount}")
        };
        history.push(format!(
            "{{\"ts\": {}, \"amount\": {amount}, \"note\": \"entry {j}\"}}",
            1_600_000_000 + 60 * j
        ));
    }
    let text = format!(
        "{{\"id\": {i}, \"name\": \"Zo\\u00eb \\ud83d\\ude80 \\u00f1\", \"titles\": [\"queen b\", \"sir\", \"dr\"], \
         \"active\": true, \"ratio\": 0.125, \"nothing\": null, \"history\": [{}]}}",
        history.join(", ")
    );
    pyjson::loads(&text).expect("valid JSON")
}

/// SHA3-256 (hex) of `tag(i) + "\t" + json.dumps(value(i)) + "\n"` for
/// i < 1000: printed by this bench and by `interop/bench_db.py`, and
/// compared by `interop/compare_db_speed.sh`.
fn workload_digest() -> String {
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&tag(i));
        text.push('\t');
        text.push_str(&pyjson::dumps(&value(i)).expect("JSON"));
        text.push('\n');
    }
    sha3_256_hex(text.as_bytes())
}

fn workload(n: usize) -> Vec<(PyValue, PyValue)> {
    (0..n).map(|i| (PyValue::from(tag(i)), value(i))).collect()
}

/// Where the databases go, and a label for it.
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

fn fresh_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("aiootp-db-bench-")
        .tempdir_in(base_dir().0)
        .expect("temporary directory")
}

fn open(dir: &tempfile::TempDir, preload: bool) -> Database {
    OpenOptions::new()
        .create(true)
        .preload(preload)
        .open(dir.path(), &Key::new(KEY))
        .expect("open")
}

fn read_all(db: &mut Database, tags: &[(PyValue, PyValue)]) {
    for (t, _) in tags {
        black_box(db.get_value(t.clone()).expect("get").expect("present"));
    }
}

fn size(g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, n: usize) {
    let tags = workload(n);
    g.bench_function("set_all", |b| {
        b.iter_batched(
            || {
                let dir = fresh_dir();
                let db = open(&dir, true);
                (dir, db)
            },
            |(dir, mut db)| {
                for (t, v) in &tags {
                    db.set_value(t.clone(), v.clone()).expect("set");
                }
                (db, dir)
            },
            BatchSize::PerIteration,
        );
    });
    let dir = fresh_dir();
    for journal in [true, false] {
        let name = if journal { "save" } else { "save_no_journal" };
        let mut db = OpenOptions::new()
            .journal(journal)
            .create(true)
            .open(dir.path(), &Key::new(KEY))
            .expect("open");
        for (t, v) in &tags {
            db.set_value(t.clone(), v.clone()).expect("set");
        }
        // Saved once outside the measurement, so that the benches below
        // find the database even when a filter skips this one.
        db.save().expect("save");
        g.bench_function(name, |b| b.iter(|| db.save().expect("save")));
    }
    g.bench_function("reopen_preload", |b| {
        b.iter_batched(|| (), |()| open(&dir, true), BatchSize::PerIteration);
    });
    {
        let mut db = open(&dir, true);
        assert_eq!(db.len(), n);
        g.bench_function("read_all", |b| b.iter(|| read_all(&mut db, &tags)));
    }
    g.bench_function("lazy_open_read_all", |b| {
        b.iter_batched(
            || (),
            |()| {
                let mut db = open(&dir, false);
                read_all(&mut db, &tags);
                db
            },
            BatchSize::PerIteration,
        );
    });
}

/// `"m%06d" % i`: a child's name.
fn child(i: usize) -> PyValue {
    PyValue::from(format!("m{i:06}"))
}

/// Creates `n` children in `db` and saves it.
fn create_children(db: &mut Database, n: usize) {
    for i in 0..n {
        db.metatag(child(i)).expect("metatag");
    }
    db.save().expect("save");
}

fn many_metatags(c: &mut Criterion) {
    let mut g = c.benchmark_group("many_metatags");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    for n in [1_000, 4_000, 16_000] {
        let dir = fresh_dir();
        create_children(&mut open(&dir, false), n);
        g.bench_function(format!("open/{n}"), |b| {
            b.iter_batched(
                || (),
                |()| {
                    let db = open(&dir, true);
                    assert_eq!(db.metatags().len(), n);
                    db
                },
                BatchSize::PerIteration,
            );
        });
    }
    for n in [1_000, 4_000] {
        g.bench_function(format!("create_save/{n}"), |b| {
            b.iter_batched(
                || {
                    let dir = fresh_dir();
                    let db = open(&dir, true);
                    (dir, db)
                },
                |(dir, mut db)| {
                    create_children(&mut db, n);
                    (db, dir)
                },
                BatchSize::PerIteration,
            );
        });
    }
    g.finish();
}

fn database(c: &mut Criterion) {
    let (dir, label) = base_dir();
    eprintln!("database benches in {} ({label})", dir.display());
    eprintln!("workload digest {}", workload_digest());
    let mut sizes = vec![1_000, 10_000];
    if std::env::var_os("AIOOTP_BENCH_DB_LARGE").is_some() {
        sizes.push(100_000);
    }
    for n in sizes {
        let mut g = c.benchmark_group(format!("db_{n}"));
        g.sample_size(10);
        if n >= 10_000 {
            g.warm_up_time(Duration::from_secs(1));
        }
        size(&mut g, n);
        g.finish();
    }
}

criterion_group!(benches, database, many_metatags);
criterion_main!(benches);
