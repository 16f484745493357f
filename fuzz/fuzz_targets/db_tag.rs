//! Tag file decoding: the fixture database ([`aiootp_fuzz::db`]) with the
//! file of tag `"a"` (or, with flag bit 3, of tag `"c"` of the child
//! `"m"`) replaced by the input. Input: a flags byte (bit 0: the rest is
//! the plaintext, sealed under the tag file's real key, else the file's
//! bytes; bit 1: preload; bit 2: read-only; bit 3: the child's tag), then
//! the body.
//!
//! * A damaged tag file never stops the database (or the child) from
//!   opening, preloaded or not.
//! * Reading the tag gives the model's value
//!   ([`aiootp_fuzz::db::model_file`]: authentic, strict UTF-8, JSON), or
//!   [`DbError::Corrupt`] naming the tag file; `decrypt_file` agrees; the
//!   other tags read as in the fixture.
//! * As the writer, when the tag reads: the saved files reopen to the
//!   same tags, values and children.
#![no_main]

use aiootp::compat::PyValue;
use aiootp::db::files::decrypt_file;
use aiootp::error::{DbError, FileKind};
use aiootp_fuzz::db::{
    FILE_SALT, Flags, Seal, check_save, dump, dumps, fixture, model_file, store_of,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, body)) = Flags::split(data) else {
        return;
    };
    let fx = fixture();
    let (keys, name, tag) = if flags.extra {
        (&fx.child_keys, &fx.tag_c, "c")
    } else {
        (&fx.keys, &fx.tag_a, "a")
    };
    let key_for = |salt: &str| keys.encryption_key(&PyValue::from(name.as_str()), salt);
    let file = fx.file(flags.sealed, body, &Seal::Key(key_for(FILE_SALT)));
    let mut files = fx.files.clone();
    files.insert(name.clone(), file.clone());
    let store = store_of(files);
    let mut root = fx
        .open(&store, flags.preload, flags.read_only)
        .expect("a damaged tag file never stops the opening");
    let db = if flags.extra {
        root.metatag("m")
            .expect("a damaged tag file never stops a child from opening")
    } else {
        &mut root
    };

    let model = model_file(&file, key_for);
    let direct = decrypt_file(&file, FileKind::Tag, name, key_for);
    let read = db.get_value(tag);
    let valid = matches!(read, Ok(Some(_)));
    match (read, &model) {
        (Ok(Some(value)), Some(expected)) => {
            assert_eq!(dumps(value), dumps(expected), "the tag read differently");
            let direct = direct.expect("decrypt_file refused what the database read");
            assert_eq!(dumps(&direct), dumps(expected));
        }
        (Err(e), None) => {
            assert!(
                matches!(&e, DbError::Corrupt { kind: FileKind::Tag, file, .. } if file == name),
                "a bad tag file gave {e:?}"
            );
            let direct = direct.expect_err("decrypt_file accepted what the database refused");
            assert_eq!(direct.to_string(), e.to_string());
        }
        (got, _) => panic!("read {got:?} where the model has {model:?}"),
    }
    if !flags.extra {
        assert_eq!(
            db.get_value("b").ok().flatten(),
            Some(&PyValue::from("text")),
            "another tag changed"
        );
    }

    if valid && !flags.read_only {
        let before = dump(&mut root);
        check_save(&mut root, &store, &before);
    }
});
