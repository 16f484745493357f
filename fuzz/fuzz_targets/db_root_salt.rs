//! Root salt file decoding: the fixture database ([`aiootp_fuzz::db`])
//! with its root salt file replaced by the input, opened. Input: a flags
//! byte (bit 0: the rest is the plaintext, sealed under the real root
//! salt key, else the file's bytes; bit 1: preload; bit 2: read-only),
//! then the body.
//!
//! * The database opens exactly when the file is authentic JSON holding
//!   a string ([`aiootp_fuzz::db::model_file`]), with that string as its
//!   root salt; otherwise the error is [`DbError::Corrupt`] naming the
//!   root salt file.
//! * Reading every tag and child (under keys derived from that salt)
//!   gives typed errors only.
//! * As the writer: the saved files reopen with the same salt, tags,
//!   values and children.
#![no_main]

use aiootp::compat::PyValue;
use aiootp::error::{DbError, FileKind};
use aiootp_fuzz::db::{
    Flags, Seal, check_open_error, check_save, dump, fixture, model_file, store_of,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, body)) = Flags::split(data) else {
        return;
    };
    let fx = fixture();
    let root = fx.root();
    let file = fx.file(flags.sealed, body, &Seal::Key(root.root_salt_key()));
    let mut files = fx.files.clone();
    files.insert(fx.root_salt.clone(), file.clone());
    let store = store_of(files);
    let opened = fx.open(&store, flags.preload, flags.read_only);

    let model = match model_file(&file, |_| root.root_salt_key()) {
        Some(PyValue::Str(salt)) => Some(salt),
        _ => None,
    };
    let mut db = match (opened, model) {
        (Ok(db), Some(salt)) => {
            assert_eq!(
                db.derived_keys().expose_root_salt(),
                salt,
                "another root salt"
            );
            db
        }
        (Err(e), None) => {
            check_open_error(&e);
            assert!(
                matches!(&e, DbError::Corrupt { kind: FileKind::RootSalt, file, .. } if *file == fx.root_salt),
                "a bad root salt file gave {e:?}"
            );
            return;
        }
        (Ok(_), None) => panic!("opened a root salt file the format refuses"),
        (Err(e), Some(_)) => panic!("refused a valid root salt file: {e:?}"),
    };

    let before = dump(&mut db);
    if !flags.read_only {
        let again = check_save(&mut db, &store, &before);
        assert_eq!(
            again.derived_keys().expose_root_salt(),
            db.derived_keys().expose_root_salt(),
            "the save changed the root salt"
        );
    }
});
