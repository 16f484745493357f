//! `aiootp demo`: a tour of what the library does.

use aiootp::compat::{
    Ciphertext, DecryptOptions, EncryptOptions, Key, OneTimePad, PyValue, hashmap,
};

use crate::error::CliError;

fn say(title: &str, detail: impl std::fmt::Display) {
    println!("== {title}\n   {detail}");
}

/// Runs the tour (everything in memory and in a temporary directory).
pub fn run() -> Result<(), CliError> {
    let dir = std::env::temp_dir().join(format!("aiootp-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| CliError::File {
        path: dir.display().to_string(),
        source,
    })?;
    let result = tour(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn tour(dir: &std::path::Path) -> Result<(), CliError> {
    let key = Key::generate()?;
    say(
        "keygen",
        format!(
            "a fresh 512-bit key as 128 hex characters: {}…",
            &key.expose_secret()[..16]
        ),
    );
    let pad = OneTimePad::new(key);
    aot2_tour()?;

    let value = PyValue::Dict(vec![
        (PyValue::from("account"), PyValue::from(3_311_149i64)),
        (
            PyValue::from("titles"),
            PyValue::List(vec![PyValue::from("queen b")]),
        ),
    ]);
    let opts = EncryptOptions::new().pid("demo");
    let ct = aiootp::compat::cipher::json_encrypt_value(&value, pad.key(), &opts)?;
    let json = ct.to_json();
    say(
        "json_encrypt (pid \"demo\")",
        format!(
            "{} blocks; dict JSON of {} bytes, tag {}",
            ct.block_count(),
            json.len(),
            ct.hmac()
        ),
    );
    let back = aiootp::compat::cipher::json_decrypt_value(
        &Ciphertext::from_json(&json)?,
        pad.key(),
        &DecryptOptions::new().pid("demo").ttl(60),
    )?;
    say(
        "json_decrypt with ttl=60",
        aiootp::compat::pyjson::dumps(&back)?,
    );

    let wrong = pad.bytes_decrypt(&ct);
    say(
        "decrypt with the wrong pid",
        wrong
            .err()
            .map_or_else(|| "accepted?!".to_owned(), |e| e.to_string()),
    );

    let old = pad.bytes_encrypt_with(b"old news", &EncryptOptions::new().time(1_600_000_000))?;
    let expired = pad.bytes_decrypt_with(&old, &DecryptOptions::new().ttl(3600));
    say(
        "a message from 2020 read with ttl=3600",
        expired
            .err()
            .map_or_else(|| "accepted?!".to_owned(), |e| e.to_string()),
    );

    let bytes = ct.to_bytes()?;
    let ascii = ct.to_ascii()?;
    say(
        "encodings",
        format!(
            "bytes form {} bytes; URL-safe ASCII form {} characters",
            bytes.len(),
            ascii.len()
        ),
    );
    let file = dir.join("message.bin");
    ct.write_file(&file)?;
    let read = Ciphertext::read_file(&file)?;
    say(
        "file write/read",
        format!(
            "round trip equal: {}",
            read == Ciphertext::from_bytes(&bytes)?
        ),
    );

    let salt = aiootp::compat::Salt::generate()?;
    let entries = hashmap::map_encipher(
        pad.key(),
        &salt,
        &hashmap::MapPids::default(),
        &b"Some kinda message...".repeat(100),
        &EncryptOptions::new(),
    )?;
    let mapping = entries.iter().cloned().collect();
    let plain = hashmap::map_decipher(
        pad.key(),
        &salt,
        &hashmap::MapPids::default(),
        &mapping,
        &DecryptOptions::new(),
    )?;
    say(
        "key-ordered hash map",
        format!(
            "{} blocks stored under names like {}…; deciphered {} bytes",
            entries.len(),
            entries.first().map_or("", |(n, _)| &n[..32]),
            plain.len()
        ),
    );

    let tag = pad.hmac(&value);
    say(
        "hmac / test_hmac",
        format!("{tag}: {}", pad.test_hmac(&value, &tag).is_ok()),
    );
    database(dir, &value)?;
    asymmetric()?;
    ropake(dir)?;
    toolkit()?;
    Ok(())
}

/// AOT2, the default format for new data: bytes, JSON and a token.
fn aot2_tour() -> Result<(), CliError> {
    use aiootp::aot2::{self, Aot2Key, Options};

    let key = Aot2Key::generate().map_err(lib)?;
    let options = Options::new().ctx("demo").ttl(60);
    let message = aot2::seal(&key, b"account 3311149", &options).map_err(lib)?;
    say(
        "aot2 seal (ctx \"demo\", the default format for new data)",
        format!(
            "{} bytes: a 32-byte salt and one record, no header",
            message.len()
        ),
    );
    let back = aot2::open(&key, &message, &options).map_err(lib)?;
    say("aot2 open with ttl=60", String::from_utf8_lossy(&back));
    let wrong = aot2::open(&key, &message, &Options::new().ctx("other"));
    say(
        "aot2 open with the wrong ctx",
        wrong
            .err()
            .map_or_else(|| "accepted?!".to_owned(), |e| e.to_string()),
    );
    let value = serde_json::json!({"account": 3_311_149, "titles": ["queen b"]});
    let token = aot2::seal_token(
        &key,
        &serde_json::to_vec(&value).map_err(|e| CliError::Usage(e.to_string()))?,
        &options,
    )
    .map_err(lib)?;
    let opened = aot2::open_token(&key, &token, &options).map_err(lib)?;
    say(
        "aot2 token (URL-safe text)",
        format!(
            "{}… ({} characters) opens to {}",
            &token[..24],
            token.len(),
            String::from_utf8_lossy(&opened)
        ),
    );
    Ok(())
}

fn lib(e: impl Into<aiootp::Error>) -> CliError {
    CliError::Lib(e.into())
}

fn asymmetric() -> Result<(), CliError> {
    use aiootp::asymmetric::{Dh3Client, Dh3Server, Ed25519, X25519};

    let lib = |e: aiootp::error::AsymmetricError| CliError::Lib(e.into());
    let signer = Ed25519::generate().map_err(lib)?;
    let signature = signer.sign(b"a message");
    let valid = signer
        .public_key()
        .verify(signature.as_bytes(), b"a message")
        .is_ok();
    let forged = signer
        .public_key()
        .verify(signature.as_bytes(), b"a messagE")
        .is_ok();
    say(
        "Ed25519",
        format!(
            "public key {}…, signature {}…: valid {valid}, altered message valid {forged}",
            &signer.public_key().to_hex()[..16],
            &signature.to_hex()[..16]
        ),
    );

    let server = Dh3Server::new(X25519::generate().map_err(lib)?);
    let client = Dh3Client::new(X25519::generate().map_err(lib)?).map_err(lib)?;
    let hello = client.hello(); // (B, D) -> server
    let (response, pending) = server.respond(&hello).map_err(lib)?; // (A, C) -> client
    let client_kdf = client.finish(&response).map_err(lib)?;
    let server_kdf = pending.finish().map_err(lib)?;
    say(
        "X25519 3DH (client B, D; server A, C)",
        format!(
            "both sides' SHA3-512 kdf digests equal: {} ({}…)",
            client_kdf.digest() == server_kdf.digest(),
            &client_kdf.hexdigest()[..16]
        ),
    );
    Ok(())
}

fn ropake(dir: &std::path::Path) -> Result<(), CliError> {
    use aiootp::db::OpenOptions;
    use aiootp::ropake::{
        ClientLogin, ClientRegistration, MemoryRecords, OsEntropy, server_login,
        server_registration,
    };

    let lib = |e: aiootp::error::RopakeError| CliError::Lib(e.into());
    let client_dir = dir.join("ropake-client");
    std::fs::create_dir_all(&client_dir).map_err(|source| CliError::File {
        path: client_dir.display().to_string(),
        source,
    })?;
    let mut db = OpenOptions::new()
        .create(true)
        .open(&client_dir, &Key::new("the user's password"))?;
    let mut records = MemoryRecords::new();
    let mut rng = OsEntropy;
    let (client, hello) = ClientRegistration::start(&mut db, &mut rng).map_err(lib)?;
    let (response, server_keys) =
        server_registration(&hello, &mut records, &mut rng).map_err(lib)?;
    let client_keys = client.finish(&mut db, &response).map_err(lib)?;
    say(
        "Ropake registration",
        format!(
            "both sides hold key_id {}…: {}",
            &client_keys.key_id()[..16],
            client_keys == server_keys
        ),
    );
    for round in 1..=2 {
        let (client, hello) = ClientLogin::start(&mut db, 60, &mut rng).map_err(lib)?;
        let (response, server_keys) =
            server_login(&hello, &mut records, 60, &mut rng).map_err(lib)?;
        let client_keys = client.finish(&mut db, &response, &mut rng).map_err(lib)?;
        say(
            &format!("Ropake login {round}"),
            format!(
                "session keys equal: {}; the record ratcheted to key_id {}…",
                client_keys.expose_session_key() == server_keys.expose_session_key(),
                &server_keys.key_id()[..16]
            ),
        );
    }
    Ok(())
}

fn toolkit() -> Result<(), CliError> {
    use aiootp::compat::passcrypt::Password;
    use aiootp::iter::Comprende;
    use aiootp::keygen::{Mnemonic, table_key};

    let digests = ["first", "second"].into_iter().sha_256().list();
    let pieces = ["abcd", "ef", "ghijk"]
        .map(String::from)
        .into_iter()
        .resize(3)
        .map_err(|e| CliError::Usage(e.to_string()))?
        .list();
    say(
        "generator toolkit",
        format!(
            "sha_256 of each item: {}…; resize(3): {pieces:?}",
            &digests[0][..16]
        ),
    );
    let first = aiootp::data::primes(513).first();
    let decimal = first.map_or("", |p| p.as_decimal());
    say(
        "primes",
        format!(
            "primes(513)[0] = {}… ({} bits; {} sizes in the table)",
            decimal.get(..20).unwrap_or(decimal),
            first.map_or(0, |p| p.bits()),
            aiootp::data::prime_sizes().count()
        ),
    );
    let mut words = Mnemonic::new(&Password::new("a passphrase"), None)?;
    let phrase = words.phrase(6);
    let key = Key::generate()?;
    let table = table_key(&key, aiootp::data::tables::ASCII_TABLE, 24)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    say(
        "mnemonic and table key",
        format!(
            "6 words from a passphrase: {} …; a 24-character key over printable ASCII: {}…",
            phrase.expose_secret().split(' ').next().unwrap_or(""),
            &table.expose_secret()[..4]
        ),
    );
    Ok(())
}

fn database(dir: &std::path::Path, value: &PyValue) -> Result<(), CliError> {
    use aiootp::compat::passcrypt::{Passcrypt, Password};
    use aiootp::db::Database;

    let key = Key::generate()?;
    let mut db = Database::open(dir, &key, 0).or_else(|_| {
        aiootp::db::OpenOptions::new()
            .password_depth(0)
            .create(true)
            .open(dir, &key)
    })?;
    db.set("lawyer", value)?;
    db.set("safehouses", &["Dublin Forgery", "NY Insurrection"])?;
    let molly = db.metatag("child")?;
    molly.set("hobbies", &["skipping", "punching", "reading"])?;
    let uuids = db.uuids("emails", 64, None)?;
    let hashed = uuids.uuid("brittany@email.com");
    db.set(hashed.as_str(), "client account data")?;
    db.set("clients salt", &uuids.finish())?;
    let tag = db.hmac(std::slice::from_ref(value));
    let verified = db.test_hmac(std::slice::from_ref(value), &tag).is_ok();
    db.save()?;
    let files = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| !e.file_name().to_string_lossy().contains('.'))
                .count()
        })
        .unwrap_or(0);
    say(
        "database",
        format!(
            "{} tags and metatag {:?} saved as {files} encrypted files; hashed tag {}…; hmac verified: {verified}",
            db.len(),
            "child",
            &hashed[..16]
        ),
    );
    drop(db); // releases the writer lock
    let mut reopened = Database::open(dir, &key, 0)?;
    let hobbies: Option<Vec<String>> = reopened.metatag("child")?.get("hobbies")?;
    say(
        "reopened with the key",
        format!("child hobbies: {hobbies:?}"),
    );

    let mirror_dir = dir.join("mirror");
    std::fs::create_dir_all(&mirror_dir).map_err(|source| CliError::File {
        path: mirror_dir.display().to_string(),
        source,
    })?;
    let mut mirror = aiootp::db::OpenOptions::new()
        .password_depth(0)
        .create(true)
        .open(&mirror_dir, &Key::generate()?)?;
    mirror.mirror_from(&mut reopened)?;
    mirror.save()?;
    say(
        "mirror_from",
        format!("a copy under another key holds {} tags", mirror.len()),
    );

    let password = Password::new("correct horse battery staple");
    let settings = Passcrypt::new(256, 2, 256)?;
    let hash = settings.hash(&password, &PyValue::from("a public salt"))?;
    say(
        "passcrypt (kb=256, cpu=2, hardness=256)",
        format!("{}…", &hash.expose_secret()[..32]),
    );
    let tokens = Database::generate_profile_tokens(
        &[PyValue::from("server_url")],
        "username",
        &password,
        Some(PyValue::from("optional_salt")),
        settings,
    )?;
    let profile_dir = dir.join("profiles");
    std::fs::create_dir_all(&profile_dir).map_err(|source| CliError::File {
        path: profile_dir.display().to_string(),
        source,
    })?;
    let mut profile = Database::generate_profile(&profile_dir, &tokens)?;
    profile.set("note", "opened by username and password")?;
    profile.save()?;
    drop(profile);
    let mut again = Database::load_profile(&profile_dir, &tokens)?;
    let note: Option<String> = again.get("note")?;
    say("password profile", format!("reloaded: {note:?}"));
    Ok(())
}
