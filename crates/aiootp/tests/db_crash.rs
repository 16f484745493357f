//! Real crash tests: a child process saves a database on a directory in a
//! loop while this process kills it with `SIGKILL` at random moments, then
//! opens the database and checks what survived.
//!
//! The child (this test binary re-run with [`CHILD_DIR`] set) opens the
//! database as a writer and, forever, moves it from generation `g` (the
//! value of the tag `generation`) to [`state`]`(g + 1)`: tags changed,
//! added and deleted, values of 0 to 6,000 characters, the child database
//! `kid` changed, created or deleted; it saves, then appends
//! `committed <g + 1>` to a side file (flushed and `fsync`ed). The states
//! are a pure function of the generation, so the parent knows every
//! committed state. After each kill the parent opens the database
//! read-only (which reads through a leftover journal without changing
//! anything) and, three times in four, as a writer (which replays the
//! journal; the fourth time the next child does it, and may be killed
//! while replaying), loads every file strictly and checks:
//!
//! * **journaled saves** (the default): the database is exactly the state
//!   of the last save reported committed, or of the save after it (killed
//!   after its commit point); never a mix, never an unreadable file, and
//!   no file left over that the database does not own;
//! * **`.journal(false)`**: every file is old or new, never torn; the
//!   database always opens and every file it lists reads; each database
//!   (the root and `kid`) lists its old or its new set of tags, and `kid`
//!   is listed as the root's old or new manifest says; each tag holds its
//!   old or its new value — but different tags may mix old and new
//!   values, and files of added or deleted tags may be left over
//!   (unlisted). The test counts how often each happens.
//!
//! Defaults: 200 kills with the journal, 100 without (about a minute in
//! all in a debug build on two cores); `AIOOTP_DB_CRASH_KILLS=<n>` sets
//! the count of each, `AIOOTP_DB_CRASH_SEED=<u64>` the random delays.
//! Process crashes only: what a power loss leaves depends on `fsync`s,
//! which a kill cannot test.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aiootp::compat::{Key, PyValue};
use aiootp::db::names::is_database_file_name;
use aiootp::db::{Database, OpenOptions};

const CHILD_DIR: &str = "AIOOTP_DB_CRASH_CHILD_DIR";
const CHILD_JOURNAL: &str = "AIOOTP_DB_CRASH_CHILD_JOURNAL";
const KILLS: &str = "AIOOTP_DB_CRASH_KILLS";
const SEED: &str = "AIOOTP_DB_CRASH_SEED";
const READY: &str = "CRASH CHILD READY";
const SIDE_FILE: &str = "committed.txt";
const KID: &str = "kid";

fn key() -> Key {
    Key::new("a key for the crash tests")
}

// ------------------------------------------------------------ states

/// SplitMix64: the states' and the delays' random numbers.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

type Tags = BTreeMap<String, PyValue>;

/// One database state: the root's tags and, if present, `kid`'s.
#[derive(Clone, Debug, PartialEq)]
struct State {
    root: Tags,
    kid: Option<Tags>,
}

impl State {
    fn generation(&self) -> u64 {
        match self.root.get("generation") {
            Some(PyValue::Int(n)) => n.to_u64().unwrap(),
            other => panic!("generation tag: {other:?}"),
        }
    }
}

/// A value of varied type and size (0 to 6,000 characters of text).
fn value(rng: &mut Rng, g: u64) -> PyValue {
    const SIZES: [usize; 8] = [0, 1, 40, 255, 256, 700, 2000, 6000];
    let text = |rng: &mut Rng| {
        let n = SIZES[rng.below(SIZES.len() as u64) as usize];
        let seed = rng.next();
        (0..n)
            .map(|i| char::from(b'a' + ((seed >> (i % 60)) as u8 ^ i as u8) % 26))
            .collect::<String>()
    };
    match rng.below(5) {
        0 => PyValue::from(text(rng)),
        1 => PyValue::from(rng.next() as i64 >> rng.below(64)),
        2 => PyValue::List(
            (0..rng.below(40))
                .map(|_| PyValue::from(rng.below(1000) as i64))
                .collect(),
        ),
        3 => PyValue::Float(rng.below(1 << 20) as f64 / 8.0),
        _ => PyValue::dict([
            (PyValue::from("generation"), PyValue::from(g as i64)),
            (PyValue::from("text"), PyValue::from(text(rng))),
            (PyValue::from("flag"), PyValue::Bool(rng.below(2) == 0)),
        ]),
    }
}

/// The state of generation `g` (a pure function of `g`): the tag
/// `generation`, about 60 % of the tags `t00` … `t19`, and, in three
/// generations out of four, the child `kid` with some of `k0` … `k5`.
fn state(g: u64) -> State {
    let mut rng = Rng(g.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5eed);
    let mut root = Tags::new();
    root.insert("generation".into(), PyValue::from(g as i64));
    for i in 0..20 {
        if rng.below(10) < 6 {
            root.insert(format!("t{i:02}"), value(&mut rng, g));
        }
    }
    let kid = (rng.below(4) != 0).then(|| {
        let mut tags = Tags::new();
        for i in 0..6 {
            if rng.below(2) == 0 {
                tags.insert(format!("k{i}"), value(&mut rng, g));
            }
        }
        tags
    });
    State { root, kid }
}

fn tag_names(db: &Database) -> Vec<String> {
    db.tags()
        .map(|t| match t {
            PyValue::Str(s) => s.clone(),
            other => panic!("tag {other:?}"),
        })
        .collect()
}

fn has_kid(db: &Database) -> bool {
    db.metatags().iter().any(|n| *n == PyValue::from(KID))
}

/// Makes `db` (whatever it holds) hold `tags`.
fn apply_tags(db: &mut Database, tags: &Tags) {
    for name in tag_names(db) {
        if !tags.contains_key(&name) {
            db.delete(name.as_str()).unwrap();
        }
    }
    for (name, value) in tags {
        db.set_value(name.as_str(), value.clone()).unwrap();
    }
}

/// Makes `db` hold `target` (in memory; saved by the caller).
fn apply(db: &mut Database, target: &State) {
    apply_tags(db, &target.root);
    match (&target.kid, has_kid(db)) {
        (Some(tags), _) => apply_tags(db.metatag(KID).unwrap(), tags),
        (None, true) => db.delete_metatag(KID).unwrap(),
        (None, false) => {}
    }
}

fn observe_tags(db: &mut Database) -> Tags {
    let mut tags = Tags::new();
    for name in tag_names(db) {
        let value = db.get_value(name.as_str()).unwrap().unwrap().clone();
        tags.insert(name, value);
    }
    tags
}

/// What `db` holds, after loading every file strictly (a listed file
/// that is missing or does not decrypt fails the test).
fn observe(db: &mut Database) -> State {
    db.load().unwrap();
    let root = observe_tags(db);
    assert!(db.metatags().iter().all(|n| *n == PyValue::from(KID)));
    let kid = has_kid(db).then(|| observe_tags(db.metatag(KID).unwrap()));
    State { root, kid }
}

/// The database files `db` owns (manifests, root salt, tag files).
fn owned_files(db: &mut Database) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    files.insert(db.root_filename().to_owned());
    files.insert(db.derived_keys().root().root_salt_filename());
    for name in tag_names(db) {
        files.insert(db.filename(name.as_str()));
    }
    if has_kid(db) {
        let kid = db.metatag(KID).unwrap();
        files.insert(kid.root_filename().to_owned());
        for name in tag_names(kid) {
            files.insert(kid.filename(name.as_str()));
        }
    }
    files
}

fn listing(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

// ------------------------------------------------------------ the child

/// The child process: saves generation after generation until killed.
/// Does nothing in a normal test run.
#[test]
fn crash_child_helper() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let journal = std::env::var(CHILD_JOURNAL).as_deref() == Ok("1");
    let parent = std::os::unix::process::parent_id();
    let mut side = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(Path::new(&dir).join(SIDE_FILE))
        .unwrap();
    // Printed before opening: kills may land in the open (and its replay).
    println!("{READY}");
    std::io::stdout().flush().unwrap();
    let mut db = OpenOptions::new()
        .journal(journal)
        .must_exist(true)
        .open(&dir, &key())
        .unwrap();
    // Stops if the parent is gone (it would have killed us).
    while std::os::unix::process::parent_id() == parent {
        let g = match db.get_value("generation").unwrap() {
            Some(PyValue::Int(n)) => n.to_u64().unwrap(),
            other => panic!("generation tag: {other:?}"),
        };
        apply(&mut db, &state(g + 1));
        db.save().unwrap();
        // One `write` call: a kill cannot leave half a line.
        side.write_all(format!("committed {}\n", g + 1).as_bytes())
            .unwrap();
        side.sync_data().unwrap();
    }
}

fn spawn_child(dir: &Path, journal: bool) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child_helper",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_JOURNAL, if journal { "1" } else { "0" })
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for the child's ready line.
fn wait_ready(child: &mut Child) {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the child ended before it was ready: {err}");
        }
        if line.contains(READY) {
            return;
        }
    }
}

/// Kills the child and checks it was still running (not failed).
fn kill(mut child: Child) {
    child.kill().unwrap();
    let status = child.wait().unwrap();
    if status.signal() != Some(9) {
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        panic!("the child ended by itself ({status}): {err}");
    }
}

/// The generations reported committed, in order.
fn committed(dir: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(dir.join(SIDE_FILE)).unwrap_or_default();
    // A kill may cut the last line short: only whole lines count.
    let whole = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    whole
        .lines()
        .map(|l| l.strip_prefix("committed ").unwrap().parse().unwrap())
        .collect()
}

// ------------------------------------------------------------ the parent

#[derive(Debug, Default)]
struct Stats {
    kills: usize,
    /// The interrupted save left no trace (killed before its commit).
    old: usize,
    /// The interrupted save took effect (after its commit point).
    new: usize,
    /// Journals found after a kill (the save was past its commit point).
    journals: usize,
    /// Writer opens skipped, leaving the replay to the next child.
    replays_left_to_child: usize,
    /// Of those, children killed before their replay finished.
    killed_in_replay: usize,
    /// Without journal: states mixing old and new values.
    mixed: usize,
    /// Without journal: kills after which unlisted files were present.
    orphaned: usize,
    /// Without journal: the most unlisted files seen at once.
    most_orphans: usize,
    /// Saves completed by the children.
    saves: u64,
}

fn open_reader(dir: &Path) -> Database {
    OpenOptions::new()
        .read_only(true)
        .open(dir, &key())
        .unwrap()
}

fn open_writer(dir: &Path, journal: bool) -> Database {
    OpenOptions::new()
        .journal(journal)
        .must_exist(true)
        .open(dir, &key())
        .unwrap()
}

fn seed() -> u64 {
    match std::env::var(SEED) {
        Ok(s) => s.parse().unwrap(),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    }
}

fn kills(default: usize) -> usize {
    std::env::var(KILLS).map_or(default, |s| s.parse().unwrap())
}

/// Checks a state after a kill without journal: each database lists its
/// old or new tags, each tag holds its old or new value. Returns whether
/// it mixes old and new.
fn check_unjournaled(seen: &State, old: &State, new: &State) -> bool {
    fn node(seen: &Tags, old: Option<&Tags>, new: Option<&Tags>) {
        let names = |t: Option<&Tags>| t.map(|t| t.keys().cloned().collect::<Vec<_>>());
        let listed = Some(seen.keys().cloned().collect::<Vec<_>>());
        assert!(
            listed == names(old) || listed == names(new),
            "the tag list is neither old nor new: {listed:?} {:?} {:?}",
            names(old),
            names(new)
        );
        for (name, value) in seen {
            let was = old.and_then(|t| t.get(name));
            let will = new.and_then(|t| t.get(name));
            assert!(
                Some(value) == was || Some(value) == will,
                "tag {name}: {value:?} is neither {was:?} nor {will:?}"
            );
        }
    }
    node(&seen.root, Some(&old.root), Some(&new.root));
    // `kid` is listed in the root's manifest.
    let root_old = seen.root.keys().eq(old.root.keys());
    let root_new = seen.root.keys().eq(new.root.keys());
    assert!(
        (root_old && seen.kid.is_some() == old.kid.is_some())
            || (root_new && seen.kid.is_some() == new.kid.is_some()),
        "kid listed against the root's manifest"
    );
    if let Some(kid) = &seen.kid {
        node(kid, old.kid.as_ref(), new.kid.as_ref());
    }
    seen != old && seen != new
}

fn run(journal: bool, kills_wanted: usize) -> Stats {
    let seed = seed();
    eprintln!("crash test (journal {journal}): {kills_wanted} kills, {SEED}={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    {
        let mut db = OpenOptions::new()
            .journal(journal)
            .open(dir, &key())
            .unwrap();
        apply(&mut db, &state(0));
        db.save().unwrap();
    }
    let mut stats = Stats::default();
    // The state the next child starts from.
    let mut start = state(0);
    // Calibration: the time of an open and of a save.
    let (open_time, save_time) = {
        let mut child = spawn_child(dir, journal);
        wait_ready(&mut child);
        let t = Instant::now();
        let mut first = None;
        loop {
            let n = committed(dir).len();
            if n >= 1 && first.is_none() {
                first = Some(t.elapsed());
            }
            if n >= 4 {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("the child ended by itself ({status}): {err}");
            }
            assert!(t.elapsed() < Duration::from_secs(120), "the child is stuck");
            std::thread::sleep(Duration::from_millis(2));
        }
        let first = first.unwrap();
        let save = (t.elapsed() - first) / 3;
        kill(child);
        stats.kills += 1;
        (first.saturating_sub(save), save)
    };
    eprintln!("  open ≈ {open_time:?}, save ≈ {save_time:?}");
    let mut seen_commits = 0;
    let mut total = 0;
    let mut left_to_child = false;
    loop {
        // ---- after a kill: what survived?
        let reports = committed(dir);
        let this_run = &reports[seen_commits..];
        seen_commits = reports.len();
        stats.saves += this_run.len() as u64;
        // The last state known whole: the last save reported, else the
        // state the child started from.
        let old = match this_run.last() {
            Some(&g) => state(g),
            None => start.clone(),
        };
        let new = state(old.generation() + 1);
        let journal_left = listing(dir).iter().any(|n| n.ends_with(".journal"));
        stats.journals += usize::from(journal_left);
        stats.killed_in_replay += usize::from(left_to_child && journal_left);
        let files_before: BTreeMap<String, Vec<u8>> = listing(dir)
            .into_iter()
            .filter(|n| !n.starts_with('.') && !n.ends_with(".lock"))
            .map(|n| {
                let data = std::fs::read(dir.join(&n)).unwrap();
                (n, data)
            })
            .collect();
        let mut reader = open_reader(dir);
        let seen = observe(&mut reader);
        drop(reader);
        // The reader changed nothing.
        for (name, data) in &files_before {
            assert_eq!(&std::fs::read(dir.join(name)).unwrap(), data, "{name}");
        }
        if journal {
            assert!(
                seen == old || seen == new,
                "after kill {total}: neither generation {} nor {}: {seen:?}",
                old.generation(),
                new.generation()
            );
        } else {
            stats.mixed += usize::from(check_unjournaled(&seen, &old, &new));
        }
        if seen == new {
            stats.new += 1;
        } else if seen == old {
            stats.old += 1;
        }
        left_to_child = total > 0 && journal_left && rng.below(4) == 0;
        if left_to_child {
            // The next child replays the journal (and may be killed then).
            stats.replays_left_to_child += 1;
        } else {
            let mut writer = open_writer(dir, journal);
            assert_eq!(
                observe(&mut writer),
                seen,
                "the writer sees what the reader saw"
            );
            assert!(!listing(dir).iter().any(|n| n.ends_with(".journal")));
            let owned = owned_files(&mut writer);
            let files: BTreeSet<String> = listing(dir)
                .into_iter()
                .filter(|n| is_database_file_name(n))
                .collect();
            assert!(owned.is_subset(&files), "a listed file is missing");
            if journal {
                assert_eq!(files, owned, "files left over after kill {total}");
            } else {
                let orphans = files.difference(&owned).count();
                stats.orphaned += usize::from(orphans > 0);
                stats.most_orphans = stats.most_orphans.max(orphans);
            }
        }
        start = seen;
        if total == kills_wanted {
            break;
        }
        // ---- the next child, killed at a random moment.
        let window = open_time + save_time * 3;
        let delay = window.mul_f64(rng.below(1_000_000) as f64 / 1e6);
        let mut child = spawn_child(dir, journal);
        wait_ready(&mut child);
        std::thread::sleep(delay);
        kill(child);
        total += 1;
        stats.kills += 1;
    }
    let temps = listing(dir).iter().filter(|n| n.starts_with('.')).count();
    eprintln!("  {stats:?}; temporary files left: {temps}");
    stats
}

#[test]
fn journaled_saves_survive_kills_whole() {
    let stats = run(true, kills(200));
    assert!(stats.saves > 0);
    // Kills landed both before and after commit points.
    if stats.kills >= 50 {
        assert!(stats.old > 0 && stats.new > 0, "{stats:?}");
        assert!(stats.journals > 0, "{stats:?}");
    }
}

#[test]
fn unjournaled_saves_survive_kills_readable() {
    let stats = run(false, kills(100));
    assert!(stats.saves > 0);
}

/// The generations' states differ in the ways the test needs.
#[test]
fn the_states_change_tags_and_the_child() {
    let mut added = false;
    let mut deleted = false;
    let mut kid_added = false;
    let mut kid_deleted = false;
    for g in 0..50 {
        let (a, b) = (state(g), state(g + 1));
        assert_eq!(a, state(g));
        assert_eq!(b.generation(), g + 1);
        added |= b.root.keys().any(|k| !a.root.contains_key(k));
        deleted |= a.root.keys().any(|k| !b.root.contains_key(k));
        kid_added |= a.kid.is_none() && b.kid.is_some();
        kid_deleted |= a.kid.is_some() && b.kid.is_none();
    }
    assert!(added && deleted && kid_added && kid_deleted);
}
