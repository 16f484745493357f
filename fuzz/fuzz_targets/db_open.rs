//! A whole database from fuzzed files: a memory store built from the
//! input, opened with the fixture's key ([`aiootp_fuzz::db`]). Input: a
//! flags byte (bit 1: preload; bit 2: read-only), then records, each
//!
//! * a selector byte: its low 7 bits pick one of the fixture's file names
//!   ([`aiootp_fuzz::db::Fixture::slots`]: manifest, root salt file,
//!   journal, the child's manifest and tag file, the tag files), or, past
//!   the table, an extra file whose name follows (a length byte, modulo
//!   64, then the name; a name the store refuses drops the record); bit 7
//!   seals the content under the named file's real key (the journal: adds
//!   its checksum);
//! * a little-endian `u16` length and that many bytes of content (fewer
//!   at the end of the input).
//!
//! Checks:
//! * opening (as given by the flags) and opening a copy as the writer with
//!   the other preload setting fail alike, with typed errors, or show the
//!   same tags, values and children (reading every one, errors typed);
//!   a reader refused for a missing database is matched by a writer that
//!   starts an empty one;
//! * the writer's database saves, and the saved files, copied to a fresh
//!   store, reopen to the same tags, values and children.
#![no_main]

use std::collections::BTreeMap;

use aiootp::db::storage::check_name;
use aiootp::error::DbError;
use aiootp_fuzz::db::{Fixture, Flags, check_open_error, check_save, dump, fixture, store_of};
use libfuzzer_sys::fuzz_target;

/// The store's files from the records.
fn files(fx: &Fixture, mut data: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut take = |n: usize| {
        let (head, tail) = data.split_at(n.min(data.len()));
        data = tail;
        head
    };
    let mut files = BTreeMap::new();
    while let Some(&selector) = take(1).first() {
        let slot = fx.slots.get(usize::from(selector & 0x7f));
        let name = match slot {
            Some(slot) => Some(slot.name.clone()),
            None => {
                let n = take(1).first().map_or(0, |&n| usize::from(n % 64));
                std::str::from_utf8(take(n))
                    .ok()
                    .filter(|name| check_name(name).is_ok())
                    .map(str::to_owned)
            }
        };
        let len = match *take(2) {
            [a, b] => usize::from(u16::from_le_bytes([a, b])),
            _ => 0,
        };
        let content = take(len);
        let Some(name) = name else {
            continue;
        };
        let file = match slot {
            Some(slot) => fx.file(selector & 0x80 != 0, content, &slot.seal),
            None => content.to_vec(),
        };
        files.insert(name, file);
    }
    files
}

fuzz_target!(|data: &[u8]| {
    let Some((flags, records)) = Flags::split(data) else {
        return;
    };
    let fx = fixture();
    let files = files(fx, records);
    let exists = files.contains_key(&fx.manifest) || files.contains_key(&fx.journal);
    let first_store = store_of(files.clone());
    let first = fx.open(&first_store, flags.preload, flags.read_only);
    let writer_store = store_of(files);
    let writer = fx.open(&writer_store, !flags.preload, false);

    match (first, writer) {
        (Ok(mut first), Ok(mut writer)) => {
            let before = dump(&mut writer);
            assert_eq!(
                dump(&mut first),
                before,
                "preloading or read-only opening changed the database"
            );
            check_save(&mut writer, &writer_store, &before);
        }
        (Err(a), Err(b)) => {
            check_open_error(&a);
            check_open_error(&b);
            assert_eq!(
                a.to_string(),
                b.to_string(),
                "the two opens failed differently"
            );
        }
        (Err(DbError::NotFound { other_files: 0 }), Ok(mut writer))
            if flags.read_only && !exists =>
        {
            let before = dump(&mut writer);
            assert!(
                before.tags.is_empty() && before.children.is_empty(),
                "a new database is not empty"
            );
            check_save(&mut writer, &writer_store, &before);
        }
        (a, b) => panic!(
            "one open failed: {:?} / writer {:?}",
            a.map(|_| ()),
            b.map(|_| ())
        ),
    }
});
