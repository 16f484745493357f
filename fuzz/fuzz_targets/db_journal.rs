//! The save journal reader: the input as the journal
//! (`<manifest name>.journal`) beside the fixture database's files
//! ([`aiootp_fuzz::db`]). Input: a flags byte (bit 0: the target appends
//! the SHA3-256 checksum to the rest, else the rest is the file; bit 1:
//! preload), then the body.
//!
//! * A journal that parses re-encodes to the same bytes (the format has
//!   one encoding).
//! * A writer opening the database replays it: the store then holds the
//!   fixture's files with the journal's writes, in order, then its
//!   deletions, and no journal; an unreadable journal is removed and
//!   changes nothing.
//! * A reader opening the database reads through it without changing the
//!   store, and sees what the writer sees: the same error, or the same
//!   tags, values and children (errors typed).
#![no_main]

use aiootp::db::fuzzing::{decode_journal, encode_journal};
use aiootp_fuzz::db::{Flags, Seal, check_open_error, dump, fixture, store_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, body)) = Flags::split(data) else {
        return;
    };
    let fx = fixture();
    let journal = fx.file(flags.sealed, body, &Seal::Journal);
    let decoded = decode_journal(&journal);

    let mut replayed = fx.files.clone();
    if let Some((puts, deletes)) = decoded {
        assert_eq!(
            encode_journal(puts.clone(), deletes.clone()),
            journal,
            "the journal does not re-encode to its bytes"
        );
        for (name, bytes) in puts {
            replayed.insert(name, bytes);
        }
        for name in deletes {
            replayed.remove(&name);
        }
    }

    let mut files = fx.files.clone();
    files.insert(fx.journal.clone(), journal);
    let writer_store = store_of(files.clone());
    let writer = fx.open(&writer_store, flags.preload, false);
    assert_eq!(
        writer_store.snapshot().expect("a memory store"),
        replayed,
        "the writer did not replay the journal"
    );
    let reader_store = store_of(files.clone());
    let reader = fx.open(&reader_store, flags.preload, true);
    assert_eq!(
        reader_store.snapshot().expect("a memory store"),
        files,
        "a reader changed the store"
    );

    match (writer, reader) {
        (Ok(mut w), Ok(mut r)) => assert_eq!(
            dump(&mut w),
            dump(&mut r),
            "the reader sees another database than the writer"
        ),
        (Err(w), Err(r)) => {
            check_open_error(&w);
            assert_eq!(w.to_string(), r.to_string());
        }
        (w, r) => panic!(
            "the writer got {:?} and the reader {:?}",
            w.map(|_| ()),
            r.map(|_| ())
        ),
    }
});
