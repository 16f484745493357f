//! Manifest decoding: the fixture database ([`aiootp_fuzz::db`]) with its
//! manifest replaced by the input, opened. Input: a flags byte (bit 0:
//! the rest is the manifest's plaintext, sealed under the real manifest
//! key, else the file's bytes; bit 1: preload; bit 2: read-only), then
//! the body.
//!
//! * The database opens exactly when the model of the reference's format
//!   accepts the file ([`aiootp_fuzz::db::model_file`],
//!   [`aiootp_fuzz::db::model_manifest`]): a JSON object with string keys
//!   whose metatag entry is missing, `null` or a list; otherwise the error
//!   is [`DbError::Corrupt`] naming the manifest.
//! * The tags and children are the model's, in order; reading every tag
//!   and child gives typed errors only.
//! * As the writer: a save re-encodes the manifest as the model's object
//!   (Python `dict` semantics, the metatag entry made a list), and the
//!   saved files reopen to the same tags, values and children.
#![no_main]

use aiootp::db::files::decrypt_file;
use aiootp::error::{DbError, FileKind};
use aiootp_fuzz::db::{
    Flags, Seal, check_open_error, check_save, dump, dumps, fixture, manifest_value, model_file,
    model_manifest, reprs, store_of,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, body)) = Flags::split(data) else {
        return;
    };
    let fx = fixture();
    let root = fx.root();
    let file = fx.file(
        flags.sealed,
        body,
        &Seal::Key(root.manifest_key(aiootp_fuzz::db::FILE_SALT)),
    );
    let mut files = fx.files.clone();
    files.insert(fx.manifest.clone(), file.clone());
    let store = store_of(files);
    let opened = fx.open(&store, flags.preload, flags.read_only);

    let model = model_file(&file, |salt| root.manifest_key(salt))
        .and_then(|value| model_manifest(value, fx.keys.metatags_filename()));
    let (mut db, entries) = match (opened, model) {
        (Ok(db), Some(entries)) => (db, entries),
        (Err(e), None) => {
            check_open_error(&e);
            assert!(
                matches!(&e, DbError::Corrupt { kind: FileKind::Manifest, file, .. } if *file == fx.manifest),
                "a bad manifest gave {e:?}"
            );
            return;
        }
        (Ok(_), None) => panic!("opened a manifest the format refuses"),
        (Err(e), Some(_)) => panic!("refused a valid manifest: {e:?}"),
    };

    let maintenance = |k: &str| k == fx.manifest || k == fx.keys.metatags_filename();
    let tags: Vec<_> = entries
        .iter()
        .filter(|(k, _)| !maintenance(k))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(
        reprs(db.tags()),
        reprs(tags),
        "the tags are not the manifest's"
    );
    let metatags = entries
        .iter()
        .find(|(k, _)| k == fx.keys.metatags_filename())
        .map(|(_, v)| v);
    let Some(aiootp::compat::PyValue::List(metatags)) = metatags else {
        unreachable!("the model makes the metatag entry a list");
    };
    assert_eq!(
        reprs(db.metatags()),
        reprs(metatags),
        "the children are not the manifest's"
    );

    let before = dump(&mut db);
    if flags.read_only {
        return;
    }
    let again = check_save(&mut db, &store, &before);
    let saved = store
        .snapshot()
        .expect("a memory store")
        .remove(&fx.manifest)
        .expect("the save wrote the manifest");
    let saved = decrypt_file(&saved, FileKind::Manifest, &fx.manifest, |s| {
        root.manifest_key(s)
    })
    .expect("the saved manifest decrypts");
    assert_eq!(
        dumps(&saved),
        dumps(&manifest_value(&entries)),
        "the save re-encoded the manifest differently"
    );
    assert_eq!(reprs(again.tags()), reprs(db.tags()));
    assert_eq!(reprs(again.metatags()), reprs(db.metatags()));
});
