//! Password profiles against the reference's `profile` vector database
//! (`tests/data/database/profile`, described in `manifest.json`): the
//! tokens, the salt file's name, the login key, the database read back,
//! and the whole directory (salt file included) reproduced byte for byte
//! from the reference's counter generator; then the error cases and the
//! async API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod db_support;

use std::path::Path;
use std::sync::Arc;

use aiootp::compat::PyValue;
use aiootp::compat::passcrypt::{Passcrypt, Password};
use aiootp::db::profile::{PROFILE_PASSWORD_DEPTH, SECURE_DIR, salt_filename};
use aiootp::db::{
    AsyncDatabase, Database, MemoryStore, OpenOptions, ProfileOptions, ProfileTokens, Store,
};
use aiootp::error::DbError;
use common::typed::typed;
use db_support::*;

fn small() -> Passcrypt {
    Passcrypt::new(256, 2, 256).unwrap()
}

/// The profile vector's credentials and its token settings.
fn vector_tokens() -> ProfileTokens {
    let v = vector("profile");
    let p = field(&v, "profile");
    let credentials: Vec<PyValue> = list(field(p, "credentials")).iter().map(typed).collect();
    let settings = Passcrypt::new(
        int(field(p, "kb")),
        int(field(p, "cpu")),
        int(field(p, "hardness")),
    )
    .unwrap();
    Database::generate_profile_tokens(
        &credentials,
        typed(field(p, "username")),
        &Password::new(text(field(p, "password"))),
        Some(typed(field(p, "salt"))),
        settings,
    )
    .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A copy of the vector directory, `secure/` included.
fn vector_copy() -> tempfile::TempDir {
    let src = data_dir().join("profile");
    let dir = copy_to_temp(&src);
    let secure = dir.path().join(SECURE_DIR);
    std::fs::create_dir(&secure).unwrap();
    for (name, data) in read_dir(&src.join(SECURE_DIR)) {
        std::fs::write(secure.join(name), data).unwrap();
    }
    dir
}

fn small_tokens(username: &str, password: &str) -> ProfileTokens {
    Database::generate_profile_tokens(
        &[PyValue::from("server_url")],
        username,
        &Password::new(password),
        None,
        small(),
    )
    .unwrap()
}

#[test]
fn tokens_salt_name_and_login_key_match_the_reference() {
    let v = vector("profile");
    let d = field(field(&v, "derived"), "profile");
    let tokens = vector_tokens();
    assert_eq!(tokens.uuid().expose_secret(), text(field(d, "uuid")));
    assert_eq!(
        hex(tokens.bytes_key().expose_secret_bytes()),
        text(field(d, "bytes_key_hex"))
    );
    assert_eq!(salt_filename(&tokens), text(field(d, "salt_filename")));
    let salt = text(field(d, "salt"));
    assert_eq!(
        tokens.login_key(salt).unwrap().expose_secret(),
        text(field(field(&v, "derived"), "login_key"))
    );
    // The salt file holds the salt's bytes.
    let file = data_dir()
        .join("profile")
        .join(SECURE_DIR)
        .join(salt_filename(&tokens));
    assert_eq!(hex(&std::fs::read(file).unwrap()), salt);
}

#[test]
fn the_vector_profile_loads_and_dumps_as_recorded() {
    let v = vector("profile");
    let dir = vector_copy();
    let tokens = vector_tokens();
    assert!(Database::profile_exists(dir.path(), &tokens).unwrap());
    let before = read_dir(dir.path());
    let mut db = ProfileOptions::new()
        .open_options(OpenOptions::new().read_only(true))
        .load(dir.path(), &tokens)
        .unwrap();
    assert_eq!(dump(&mut db), typed_dump(field(&v, "dump")));
    assert_eq!(
        db.root_filename(),
        text(field(field(&v, "derived"), "root_filename"))
    );
    drop(db);
    // Loading does not re-save (unlike the reference's load_profile).
    let mut db = Database::load_profile(dir.path(), &tokens).unwrap();
    assert_eq!(dump(&mut db), typed_dump(field(&v, "dump")));
    drop(db);
    assert_eq!(read_dir(dir.path()), before);
    // Generating an existing profile opens it (and saves it).
    let mut db = Database::generate_profile(dir.path(), &tokens).unwrap();
    assert_eq!(dump(&mut db), typed_dump(field(&v, "dump")));
}

#[test]
fn the_vector_directory_is_reproduced_from_the_counter_generator() {
    let v = vector("profile");
    let tokens = vector_tokens();
    for journal in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let options = ProfileOptions::new().open_options(
            OpenOptions::new()
                .journal(journal)
                .insecure_deterministic_rng(text(field(&v, "rng")))
                .fixed_time(int(field(&v, "time"))),
        );
        let mut db = options.generate(dir.path(), &tokens).unwrap();
        fill(&mut db, field(&v, "expected"));
        db.save().unwrap();
        drop(db);
        let src = data_dir().join("profile");
        assert_eq!(read_dir(dir.path()), read_dir(&src), "journal {journal}");
        assert_eq!(
            read_dir(&dir.path().join(SECURE_DIR)),
            read_dir(&src.join(SECURE_DIR))
        );
    }
}

#[test]
fn wrong_credentials_and_missing_profiles() {
    let dir = vector_copy();
    let wrong = small_tokens("alice", "not the password");
    assert!(!Database::profile_exists(dir.path(), &wrong).unwrap());
    let err = Database::load_profile(dir.path(), &wrong).unwrap_err();
    assert!(matches!(err, DbError::ProfileNotFound));
    assert_eq!(err.to_string(), "Profile doesn't exist or is corrupt.");
    assert!(matches!(
        Database::delete_profile(dir.path(), &wrong),
        Err(DbError::ProfileNotFound)
    ));
    // Read-only generation of a missing profile creates nothing.
    let before = std::fs::read_dir(dir.path().join(SECURE_DIR))
        .unwrap()
        .count();
    assert!(matches!(
        ProfileOptions::new()
            .open_options(OpenOptions::new().read_only(true))
            .generate(dir.path(), &wrong),
        Err(DbError::ProfileNotFound)
    ));
    let after = std::fs::read_dir(dir.path().join(SECURE_DIR))
        .unwrap()
        .count();
    assert_eq!(before, after);
    // A salt file whose database is gone is a corrupt profile.
    let tokens = vector_tokens();
    let mut db = Database::load_profile(dir.path(), &tokens).unwrap();
    let root = db.root_filename().to_owned();
    db.metatag("settings").unwrap();
    drop(db);
    std::fs::remove_file(dir.path().join(&root)).unwrap();
    assert!(matches!(
        Database::load_profile(dir.path(), &tokens),
        Err(DbError::ProfileNotFound)
    ));
}

#[test]
fn short_salt_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = small_tokens("carol", "pw");
    let options = ProfileOptions::new();
    let path = options.salt_path(dir.path(), &tokens);
    std::fs::create_dir(dir.path().join(SECURE_DIR)).unwrap();
    std::fs::write(&path, [1u8; 31]).unwrap();
    let err = Database::load_profile(dir.path(), &tokens).unwrap_err();
    assert!(matches!(err, DbError::ProfileSaltCorrupt));
    assert_eq!(err.to_string(), "The salt file is empty or corrupt!");
    assert!(matches!(
        Database::generate_profile(dir.path(), &tokens),
        Err(DbError::ProfileSaltCorrupt)
    ));
    // A longer salt file is used whole (its hex is the salt).
    std::fs::write(&path, [2u8; 40]).unwrap();
    let db = Database::generate_profile(dir.path(), &tokens).unwrap();
    let key = tokens.login_key(&"02".repeat(40)).unwrap();
    let expected = aiootp::db::names::RootKeys::derive(
        &aiootp::compat::Key::new(key.expose_secret()),
        PROFILE_PASSWORD_DEPTH,
    )
    .unwrap();
    assert_eq!(db.root_filename(), expected.root_filename());
}

#[test]
fn generate_load_delete_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    // Another database in the same directory does not stop a new profile.
    let mut other = Database::open(dir.path(), &aiootp::compat::Key::new("other"), 0).unwrap();
    other.set("x", &1).unwrap();
    other.save().unwrap();
    drop(other);
    let tokens = small_tokens("dave", "weak password");
    assert!(!Database::profile_exists(dir.path(), &tokens).unwrap());
    let mut db = Database::generate_profile(dir.path(), &tokens).unwrap();
    // Saved at once: the profile exists on disk before any value is set.
    assert!(Database::profile_exists(dir.path(), &tokens).unwrap());
    db.set("email", &"dave@example.com").unwrap();
    db.metatag("settings")
        .unwrap()
        .set("theme", &"dark")
        .unwrap();
    db.save().unwrap();
    drop(db);
    let salt_path = ProfileOptions::new().salt_path(dir.path(), &tokens);
    assert_eq!(std::fs::read(&salt_path).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&salt_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let files_with_profile = read_dir(dir.path()).len();
    let mut db = Database::load_profile(dir.path(), &tokens).unwrap();
    assert_eq!(
        db.get::<String>("email").unwrap().as_deref(),
        Some("dave@example.com")
    );
    assert_eq!(
        db.metatag("settings")
            .unwrap()
            .get::<String>("theme")
            .unwrap()
            .as_deref(),
        Some("dark")
    );
    drop(db);
    Database::delete_profile(dir.path(), &tokens).unwrap();
    assert!(!Database::profile_exists(dir.path(), &tokens).unwrap());
    assert!(!salt_path.exists());
    // Root salt file, manifest, tag, child manifest, child tag: 5 files.
    assert_eq!(read_dir(dir.path()).len(), files_with_profile - 5);
    // The other database is untouched.
    let mut other = OpenOptions::new()
        .read_only(true)
        .open(dir.path(), &aiootp::compat::Key::new("other"))
        .unwrap();
    assert_eq!(other.get::<i32>("x").unwrap(), Some(1));
}

#[test]
fn the_salt_directory_and_the_store_are_parameters() {
    let salts = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let tokens = small_tokens("erin", "pw");
    let options = ProfileOptions::new();
    let mut db = options
        .generate_in(store.clone(), salts.path(), &tokens)
        .unwrap();
    db.set("a", &[1, 2]).unwrap();
    db.save().unwrap();
    drop(db);
    assert!(options.exists_in(salts.path(), &tokens).unwrap());
    assert!(salts.path().join(salt_filename(&tokens)).exists());
    let mut db = options
        .load_in(store.clone(), salts.path(), &tokens)
        .unwrap();
    assert_eq!(db.get::<Vec<u8>>("a").unwrap(), Some(vec![1, 2]));
    drop(db);
    options
        .delete_in(store.clone(), salts.path(), &tokens)
        .unwrap();
    assert!(store.list().unwrap().is_empty());
    assert!(!options.exists_in(salts.path(), &tokens).unwrap());

    // A directory with the salt file elsewhere.
    let dir = tempfile::tempdir().unwrap();
    let options = ProfileOptions::new().salt_dir(salts.path().join("nested"));
    options.generate(dir.path(), &tokens).unwrap();
    assert!(!dir.path().join(SECURE_DIR).exists());
    assert!(options.exists(dir.path(), &tokens).unwrap());
    assert!(!Database::profile_exists(dir.path(), &tokens).unwrap());
    assert!(options.load(dir.path(), &tokens).is_ok());
    assert!(Database::load_profile(dir.path(), &tokens).is_err());
}

#[test]
fn a_profile_has_one_writer() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = small_tokens("frank", "pw");
    let _writer = Database::generate_profile(dir.path(), &tokens).unwrap();
    assert!(matches!(
        Database::load_profile(dir.path(), &tokens),
        Err(DbError::Storage(_))
    ));
    let reader = ProfileOptions::new()
        .open_options(OpenOptions::new().read_only(true))
        .load(dir.path(), &tokens);
    assert!(reader.is_ok());
}

fn check_same_files(a: &Path, b: &Path) {
    assert_eq!(read_dir(a), read_dir(b));
    assert_eq!(read_dir(&a.join(SECURE_DIR)), read_dir(&b.join(SECURE_DIR)));
}

#[tokio::test]
async fn async_profiles_match_the_sync_ones() {
    let v = vector("profile");
    let p = field(&v, "profile");
    let credentials: Vec<PyValue> = list(field(p, "credentials")).iter().map(typed).collect();
    let tokens = AsyncDatabase::generate_profile_tokens(
        credentials,
        typed(field(p, "username")),
        Password::new(text(field(p, "password"))),
        Some(typed(field(p, "salt"))),
        small(),
    )
    .await
    .unwrap();
    assert_eq!(salt_filename(&tokens), salt_filename(&vector_tokens()));

    let dir = vector_copy();
    assert!(
        AsyncDatabase::profile_exists(dir.path(), &tokens)
            .await
            .unwrap()
    );
    let db = AsyncDatabase::load_profile(dir.path(), &tokens)
        .await
        .unwrap();
    assert_eq!(
        db.get::<String>("email").await.unwrap().as_deref(),
        Some("alice@example.com")
    );
    drop(db);

    // Deterministic generation through the async API gives the vector.
    let out = tempfile::tempdir().unwrap();
    let options = ProfileOptions::new().open_options(
        OpenOptions::new()
            .insecure_deterministic_rng(text(field(&v, "rng")))
            .fixed_time(int(field(&v, "time"))),
    );
    let db = AsyncDatabase::generate_profile_with(options, out.path(), &tokens)
        .await
        .unwrap();
    db.set("email", &"alice@example.com").await.unwrap();
    db.set("balance", &13000.5).await.unwrap();
    db.set("friends", &["bob", "carol"]).await.unwrap();
    db.metatag("settings")
        .await
        .unwrap()
        .set("theme", &"dark")
        .await
        .unwrap();
    db.save().await.unwrap();
    drop(db);
    check_same_files(out.path(), &data_dir().join("profile"));

    AsyncDatabase::delete_profile(out.path(), &tokens)
        .await
        .unwrap();
    assert!(read_dir(out.path()).is_empty());
    assert!(matches!(
        AsyncDatabase::load_profile(out.path(), &tokens).await,
        Err(DbError::ProfileNotFound)
    ));
    let fresh = small_tokens("gina", "pw");
    let db = AsyncDatabase::generate_profile(out.path(), &fresh)
        .await
        .unwrap();
    db.set("k", &1).await.unwrap();
    db.save().await.unwrap();
}
