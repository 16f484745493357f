//! Times each phase of the database bench workload once (profiling aid):
//! `cargo run --release --example prof_db -- [tags] [dir] [phase]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::time::Instant;

use aiootp::compat::{Key, PyValue, pyjson};
use aiootp::db::OpenOptions;

fn value(i: usize) -> PyValue {
    let history: Vec<String> = (0..16u32)
        .map(|j| {
            let a = f64::from(j) * 1.25;
            let a = if a.fract() == 0.0 {
                format!("{a:.1}")
            } else {
                format!("{a}")
            };
            format!(
                "{{\"ts\": {}, \"amount\": {a}, \"note\": \"entry {j}\"}}",
                1_600_000_000 + 60 * j
            )
        })
        .collect();
    pyjson::loads(&format!(
        "{{\"id\": {i}, \"name\": \"Zo\\u00eb \\ud83d\\ude80 \\u00f1\", \"titles\": [\"queen b\", \"sir\", \"dr\"], \"active\": true, \"ratio\": 0.125, \"nothing\": null, \"history\": [{}]}}",
        history.join(", ")
    ))
    .unwrap()
}

/// User + system CPU time of the process (all threads), in ms.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 (utime, stime) in 100 Hz ticks; `rest` starts at field 3.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) * 10.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(10_000, |s| s.parse().unwrap());
    let base = args.get(2).cloned().unwrap_or_else(|| "/dev/shm".into());
    let only = args.get(3).cloned().unwrap_or_default();
    let dir = tempfile::tempdir_in(base).unwrap();
    let key = Key::new(&"0123456789abcdef".repeat(8));
    let tags: Vec<(PyValue, PyValue)> = (0..n)
        .map(|i| (PyValue::from(format!("tag-{i:06}")), value(i)))
        .collect();
    let phase = |name: &str, f: &mut dyn FnMut()| {
        let reps = if only.is_empty() || only == name {
            1
        } else {
            0
        };
        let reps = if only == name { 5 } else { reps };
        for _ in 0..reps {
            let t = Instant::now();
            let c = cpu_ms();
            f();
            println!(
                "{name:20} {:10.1} ms wall {:10.1} ms cpu",
                t.elapsed().as_secs_f64() * 1e3,
                cpu_ms() - c
            );
        }
    };
    let mut db = OpenOptions::new()
        .create(true)
        .open(dir.path(), &key)
        .unwrap();
    phase("set_all", &mut || {
        for (t, v) in &tags {
            db.set_value(t.clone(), v.clone()).unwrap();
        }
    });
    if !only.is_empty() && only != "set_all" {
        for (t, v) in &tags {
            db.set_value(t.clone(), v.clone()).unwrap();
        }
    }
    db.save().unwrap();
    phase("save", &mut || db.save().unwrap());
    drop(db);
    let mut db = OpenOptions::new()
        .journal(false)
        .open(dir.path(), &key)
        .unwrap();
    phase("save_no_journal", &mut || db.save().unwrap());
    drop(db);
    phase("reopen_preload", &mut || {
        drop(OpenOptions::new().open(dir.path(), &key).unwrap())
    });
    let mut db = OpenOptions::new().open(dir.path(), &key).unwrap();
    phase("read_all", &mut || {
        for (t, _) in &tags {
            db.get_value(t.clone()).unwrap().unwrap();
        }
    });
    drop(db);
    phase("lazy_open_read_all", &mut || {
        let mut db = OpenOptions::new()
            .preload(false)
            .open(dir.path(), &key)
            .unwrap();
        for (t, _) in &tags {
            db.get_value(t.clone()).unwrap().unwrap();
        }
    });
}
