//! Replays every entry of `tests/data/passcrypt.json` (known answers of
//! Python aiootp 0.17.0's `passcrypt`, spec `passcrypt.md` §10): the result,
//! the cache width, the hashed argument text, the recorded intermediates
//! and every rejected input with its exact message; then the keyed
//! variants, the profile tokens (answers taken from the reference), the
//! async twin, and the cases the file does not hold (Python's `TypeError`
//! for non-numbers, memory the machine cannot have).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aiootp::compat::passcrypt::{
    AsyncPasscrypt, Passcrypt, PasscryptHash, Password, check_inputs, passcrypt, passcrypt_trace,
    passcrypt_values, profile_tokens,
};
use aiootp::compat::{Key, PyValue};
use aiootp::error::PasscryptError;
use common::typed::{field, get, items, load_data, text, to_hex, typed};

fn int(v: &PyValue) -> u64 {
    match v {
        PyValue::Int(n) => n.to_u64().expect("u64"),
        other => panic!("expected an int, got {other:?}"),
    }
}

/// The password, salt and settings of an entry.
fn inputs(entry: &PyValue) -> (Password, PyValue, Passcrypt) {
    let password = Password::from_value(&typed(field(entry, "password")));
    let salt = typed(field(entry, "salt"));
    let settings = Passcrypt::new(
        int(field(entry, "kb")),
        int(field(entry, "cpu")),
        int(field(entry, "hardness")),
    )
    .unwrap();
    (password, salt, settings)
}

#[test]
fn every_known_answer() {
    let data = load_data("passcrypt.json");
    let vectors = items(field(&data, "vectors"));
    assert_eq!(vectors.len(), 11);
    for (i, entry) in vectors.iter().enumerate() {
        let (password, salt, settings) = inputs(entry);
        let expected = text(field(entry, "result"));
        assert_eq!(
            settings.cache_width(),
            u128::from(int(field(entry, "cache_width"))),
            "vector {i} cache_width"
        );
        let got = settings.hash(&password, &salt).unwrap();
        assert_eq!(got.expose_secret(), expected, "vector {i} result");
        // The typed constructors make the same password as the value.
        match typed(field(entry, "password")) {
            PyValue::Str(s) => assert_eq!(Password::new(&s), password, "vector {i}"),
            PyValue::Bytes(b) => assert_eq!(Password::from_bytes(&b), password, "vector {i}"),
            _ => {}
        }
        assert_eq!(
            to_hex(got.expose_secret_bytes()),
            expected,
            "vector {i} bytes"
        );
        if settings.kb() > 512 {
            // The defaults vector: its trace is checked in
            // `recorded_intermediates` (debug builds hash slowly).
            continue;
        }
        // The reference's function, with its own argument order and checks.
        let again = passcrypt(
            &password,
            &salt,
            settings.kb(),
            settings.cpu(),
            settings.hardness(),
        )
        .unwrap();
        assert_eq!(again, got, "vector {i} passcrypt()");
        let trace = passcrypt_trace(&password, &salt, settings).unwrap();
        assert_eq!(
            trace.args_preimage,
            text(field(entry, "args_preimage")),
            "vector {i} args_preimage"
        );
        assert_eq!(trace.result, expected, "vector {i} traced result");
        assert_eq!(trace.summaries.len() as u64, settings.hardness());
        if let Some(private) = get(entry, "private_async_Passcrypt._apasscrypt_result") {
            // The reference's unused `_apasscrypt` hashes lists, not tuples
            // (spec §7); only the public form is implemented.
            assert_ne!(text(private), expected);
        }
    }
}

#[test]
fn recorded_intermediates() {
    let data = load_data("passcrypt.json");
    let mut checked = 0;
    for (i, entry) in items(field(&data, "vectors")).iter().enumerate() {
        let Some(im) = get(entry, "intermediates") else {
            continue;
        };
        checked += 1;
        let (password, salt, settings) = inputs(entry);
        let t = passcrypt_trace(&password, &salt, settings).unwrap();
        let hex = |name: &str| text(field(im, name)).to_owned();
        assert_eq!(t.cache_width as u64, int(field(im, "cache_width")), "{i}");
        assert_eq!(t.args_preimage, hex("args_preimage"), "{i}");
        assert_eq!(t.args, hex("args"), "{i}");
        assert_eq!(
            to_hex(&t.first_cell_filled),
            hex("ram_first_before_hex"),
            "{i}"
        );
        assert_eq!(
            to_hex(&t.last_cell_filled),
            hex("ram_last_before_hex"),
            "{i}"
        );
        assert_eq!(
            to_hex(&t.initial_proof_digest),
            hex("initial_proof_digest_hex"),
            "{i}"
        );
        let calls: Vec<String> = items(field(im, "prove_call_digests_hex"))
            .iter()
            .map(|v| text(v).to_owned())
            .collect();
        assert_eq!(
            t.prove_call_digests.len(),
            t.cache_width,
            "{i}: one call per cell"
        );
        for (k, want) in calls.iter().enumerate() {
            assert_eq!(
                &to_hex(&t.prove_call_digests[k]),
                want,
                "{i} prove call {k}"
            );
        }
        assert_eq!(
            to_hex(&t.final_proof_digest),
            hex("final_proof_digest_hex"),
            "{i}"
        );
        // The last prove call returns the final digest.
        assert_eq!(
            t.prove_call_digests.last().map(|d| to_hex(d)),
            Some(hex("final_proof_digest_hex"))
        );
        let lengths: Vec<usize> = items(field(im, "ram_element_len_after"))
            .iter()
            .map(|v| int(v) as usize)
            .collect();
        assert_eq!(t.cell_lengths_proved, lengths, "{i}");
        assert_eq!(
            lengths,
            [128 * (1 + settings.cpu() as usize)],
            "{i}: spec §4, every cell grows to 128 * (1 + cpu)"
        );
        assert_eq!(
            to_hex(&t.first_cell_proved),
            hex("ram_first_after_hex"),
            "{i}"
        );
        assert_eq!(t.summary_seed, hex("summary_seed"), "{i}");
        let firsts: Vec<&str> = items(field(im, "summaries_first"))
            .iter()
            .map(text)
            .collect();
        assert_eq!(&t.summaries[..firsts.len()], &firsts[..], "{i}");
        assert_eq!(
            t.summaries.last().map(String::as_str),
            Some(text(field(im, "summaries_last")))
        );
        assert_eq!(t.summaries.len() as u64, int(field(im, "summaries_count")));
    }
    assert_eq!(checked, 2, "vectors 0 and 10 carry intermediates");
}

fn error_of(entry: &PyValue) -> PasscryptError {
    let password = Password::from_value(&typed(field(entry, "password")));
    passcrypt_values(
        &password,
        &typed(field(entry, "salt")),
        &typed(field(entry, "kb")),
        &typed(field(entry, "cpu")),
        &typed(field(entry, "hardness")),
    )
    .expect_err("the reference refuses this input")
}

#[test]
fn every_recorded_error() {
    let data = load_data("passcrypt.json");
    let errors = items(field(&data, "errors"));
    assert_eq!(errors.len(), 10);
    for (i, entry) in errors.iter().enumerate() {
        assert_eq!(text(field(entry, "error_type")), "ValueError", "{i}");
        let err = error_of(entry);
        assert_eq!(
            err.to_string(),
            text(field(entry, "error_message")),
            "error {i}"
        );
        // The umbrella error keeps the message.
        assert_eq!(
            aiootp::Error::from(err.clone()).to_string(),
            err.to_string()
        );
        // The typed API refuses the same settings with the same message
        // wherever they are representable.
        let (kb, cpu, hardness) = (
            typed(field(entry, "kb")),
            typed(field(entry, "cpu")),
            typed(field(entry, "hardness")),
        );
        if let (PyValue::Int(kb), PyValue::Int(cpu), PyValue::Int(hardness)) =
            (&kb, &cpu, &hardness)
        {
            let password = Password::from_value(&typed(field(entry, "password")));
            let typed_err = passcrypt(
                &password,
                &typed(field(entry, "salt")),
                kb.to_u64().unwrap(),
                cpu.to_u64().unwrap(),
                hardness.to_u64().unwrap(),
            )
            .unwrap_err();
            assert_eq!(typed_err, err, "error {i} typed");
        }
    }
}

/// Refusals checked against the reference by hand (CPython 3.8, aiootp
/// 0.17.0): Python's `TypeError` for non-numbers, `str()` of odd numbers.
#[test]
fn refusals_beyond_the_file() {
    let pw = Password::new("pw");
    let s = PyValue::from("s");
    let run = |kb: PyValue, cpu: PyValue, hardness: PyValue| {
        passcrypt_values(&pw, &s, &kb, &cpu, &hardness)
            .unwrap_err()
            .to_string()
    };
    let n = |v: i64| PyValue::from(v);
    let cases: Vec<(PyValue, PyValue, PyValue, &str)> = vec![
        (
            "256".into(),
            n(2),
            n(256),
            "'<' not supported between instances of 'str' and 'int'",
        ),
        (
            n(256),
            PyValue::None,
            n(256),
            "'<=' not supported between instances of 'NoneType' and 'int'",
        ),
        (
            n(256),
            n(2),
            PyValue::bytes(*b"x"),
            "'<' not supported between instances of 'bytes' and 'int'",
        ),
        (
            PyValue::list([n(1)]),
            n(2),
            n(256),
            "'<' not supported between instances of 'list' and 'int'",
        ),
        (
            n(256),
            PyValue::tuple([n(2)]),
            n(256),
            "'<=' not supported between instances of 'tuple' and 'int'",
        ),
        (
            PyValue::dict([]),
            n(2),
            n(256),
            "'<' not supported between instances of 'dict' and 'int'",
        ),
        (n(256), n(2), n(-5), "hardness:-5 must be int >= 256"),
        (n(-3), n(2), n(256), "kb:-3 must be int >= hardness:256"),
        (n(256), false.into(), n(256), "cpu:False must be int >= 2"),
        (
            false.into(),
            n(2),
            n(256),
            "kb:False must be int >= hardness:256",
        ),
        (
            n(256),
            n(2),
            true.into(),
            "hardness:True must be int >= 256",
        ),
        (
            n(256),
            n(2),
            f64::NAN.into(),
            "hardness:nan must be int >= 256",
        ),
        (
            f64::INFINITY.into(),
            n(2),
            n(256),
            "kb:inf must be int >= hardness:256",
        ),
    ];
    for (kb, cpu, hardness, message) in cases {
        assert_eq!(run(kb, cpu, hardness), message);
    }
    // Falsy passwords and salts of every type, checked before the settings.
    for (password, salt) in [
        (PyValue::from(0), PyValue::from("s")),
        (PyValue::list([]), PyValue::from("s")),
        (PyValue::from(0.0), PyValue::from("s")),
        (PyValue::dict([]), PyValue::from("s")),
        (PyValue::from("pw"), PyValue::bytes(*b"")),
        (PyValue::from("pw"), PyValue::None),
        (PyValue::from("pw"), PyValue::from(0.0)),
        (PyValue::from("pw"), PyValue::tuple([])),
    ] {
        let err = passcrypt_values(
            &Password::from_value(&password),
            &salt,
            &"bad".into(),
            &"bad".into(),
            &"bad".into(),
        )
        .unwrap_err();
        let want = if password.is_truthy() {
            PasscryptError::MissingSalt
        } else {
            PasscryptError::MissingPassword
        };
        assert_eq!(err, want, "{password:?} {salt:?}");
    }
    assert_eq!(
        check_inputs(&Password::from_bytes(b""), &s),
        Err(PasscryptError::MissingPassword)
    );
    assert!(Password::new("").is_empty() && !Password::from_bytes(b"\0").is_empty());
}

#[test]
fn memory_no_machine_has_is_an_error() {
    let pw = Password::new("pw");
    let s = PyValue::from("s");
    // Python accepts any size and then runs out of memory.
    let huge =
        PyValue::Int(aiootp::compat::PyInt::parse("1000000000000000000000000000000").unwrap());
    let err = passcrypt_values(&pw, &s, &huge, &PyValue::from(2), &PyValue::from(256)).unwrap_err();
    assert!(matches!(err, PasscryptError::OutOfMemory { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "cannot allocate the passcrypt memory for kb:1000000000000000000000000000000, cpu:2, hardness:256"
    );
    for (kb, cpu, hardness) in [
        (1u64 << 61, 3, 256),
        (u64::MAX, 2, 256),
        (1 << 40, u64::MAX - 1, 1 << 40),
    ] {
        let err = Passcrypt::new(kb, cpu, hardness)
            .unwrap()
            .hash(&pw, &s)
            .unwrap_err();
        assert!(matches!(err, PasscryptError::OutOfMemory { .. }), "{err}");
    }
}

/// `Passcrypt.cache_width` of the reference for settings no one can run:
/// the width comes from a correctly rounded float division.
#[test]
fn cache_width_of_huge_settings_matches_the_reference() {
    let cases: [(u64, u64, u64, u128); 12] = [
        (1 << 60, 2, 256, 3074457345618258432),
        ((1 << 61) + 12345, 4, 256, 3689348814741929984),
        (100000000000000001, 6, 256, 114285714285714288),
        (u64::MAX, 2, 256, 49191317529892134912),
        (u64::MAX, u64::MAX, 256, 256),
        (u64::MAX, 5, 256, 24595658764946067456),
        (1 << 53, 1 << 60, 256, 256),
        (1 << 63, 1024, 1 << 62, 4611686018427387904),
        ((1 << 50) + 3, 2, 256, 3002399751580338),
        (3 * (1 << 51) - 1, 2, 256, 18014398509481982),
        ((1 << 56) + 1, 6, 256, 82351536043346208),
        ((1 << 63) + 7, 1 << 32, 256, 17179869180),
    ];
    for (kb, cpu, hardness, width) in cases {
        let settings = Passcrypt::new(kb, cpu, hardness).unwrap();
        assert_eq!(settings.cache_width(), width, "{kb} {cpu} {hardness}");
    }
    assert_eq!(Passcrypt::default().memory_bytes(), Some(1 << 20));
    assert_eq!(Passcrypt::PROFILE.memory_bytes(), Some(32 << 20));
    // Spec §6: the width is raised to `hardness`, and the memory with it.
    let raised = Passcrypt::new(256, 20, 256).unwrap();
    assert_eq!(raised.cache_width(), 256);
    assert_eq!(raised.memory_bytes(), Some(256 * 2688));
}

/// Answers of the reference: `Keys(key="k" * 10).passcrypt(...)` and
/// `OneTimePad(key="k" * 10).passcrypt(...)`, kb=256, cpu=2, hardness=256.
#[test]
fn keyed_variant_of_keys_and_one_time_pad() {
    let settings = Passcrypt::new(256, 2, 256).unwrap();
    let key = Key::new(&"k".repeat(10));
    let got = settings
        .hash_keyed(&key, &Password::new("pw"), &"salt".into())
        .unwrap();
    assert_eq!(
        got.expose_secret(),
        "d9fb246dbb697f0a6947a8b42c17f6e5fa76d27bb31222ee7d33680db7d4d4a7d9ddb2f79e2fee79a572223d1d7a107f713976c1ee8b0b9087666ef76d5d9e9d"
    );
    let got = settings
        .hash_keyed(&key, &Password::from_bytes(b"pw"), &PyValue::from(7))
        .unwrap();
    assert_eq!(
        got.expose_secret(),
        "d079dd5719ee881d320663302b11b85317316f2bf9a31c389ebcff523a4939bd24116ea7f819a5070d442b55a12ba5a4cbbde518ae24ba874cbc8fb64a9ff432"
    );
    assert_eq!(
        settings
            .hash_keyed(&key, &Password::new(""), &"salt".into())
            .unwrap_err(),
        PasscryptError::MissingPassword
    );
}

/// Answers of the reference's `generate_profile_tokens` (through
/// `oracle/db_oracle.py profile`, op `tokens` and `generate`).
#[test]
fn profile_tokens_and_login_key() {
    let tokens = profile_tokens(
        &["server.url".into(), PyValue::bytes(*b"\x00\xff")],
        &"alice".into(),
        &Password::new("pässword"),
        &PyValue::None,
        Passcrypt::new(256, 2, 256).unwrap(),
    )
    .unwrap();
    assert_eq!(
        tokens.uuid().expose_secret(),
        "9051fd67ffabe5b77932296404c186c971f05c97586dd5b2ea5e1262d5f5467d896d124d8e6dd6c7598f95dd41f3a2b4eadef9b78d8dabf7d5ae4240563690eb"
    );
    assert_eq!(
        tokens.bytes_key().expose_secret(),
        "0fd5cc96a6a1c77e7dea7a0e08e37f078cefc607ef8b155d76bcce889bea81fc38fdbd021e53a1a1936a8389bd829d0bd8b86ae2e5a18b80793ccb770ae5a575"
    );

    let tokens = profile_tokens(
        &[],
        &"alice".into(),
        &Password::new("pässword"),
        &"pepper".into(),
        Passcrypt::new(300, 3, 256).unwrap(),
    )
    .unwrap();
    assert_eq!(
        tokens.uuid().expose_secret(),
        "6e1625e520f5ea8f2f19842740e90d9c25ac329a6c2092cc2ba6b2d53e8a729aff706751bcefffa061a8733d3d48e361d7ea9f749fd0e31faf42c4a7ef19b741"
    );
    assert_eq!(
        tokens.bytes_key().expose_secret(),
        "cf3a1df5fb76604539024157501b3f9d2a7168b334d2f55894b1041827cc69aaf6f84633ced1d1f09ea2c1ea0d290dcea6318b6249b01ea8409c6c13e2b42555"
    );
    let login = tokens
        .login_key("fe213580f2e8059e73f9db312280901febdae63aabcea76e68b6359d8fb59e65")
        .unwrap();
    assert_eq!(
        login.expose_secret(),
        "ac4b895ce7753472f097d7acd0da8ae37e1a864cb6a821e6d86809fd4d94d169c4a6fac0e7b879dae7daa95b30cdbadb31ccd4844932a99aca502007b4e3681c"
    );
    assert_eq!(
        tokens.login_key("").unwrap_err(),
        PasscryptError::MissingSalt
    );
    assert_eq!(format!("{tokens:?}"), "ProfileTokens(***)");
}

#[test]
fn secrets_are_redacted_and_compared_by_value() {
    let settings = Passcrypt::new(256, 2, 256).unwrap();
    let a = settings.hash(&Password::new("pw"), &"s".into()).unwrap();
    let b = settings.hash(&Password::new("pw"), &"t".into()).unwrap();
    assert_eq!(format!("{a:?}"), "PasscryptHash(***)");
    assert_eq!(format!("{:?}", Password::new("pw")), "Password(***)");
    assert_ne!(a, b);
    assert_eq!(a, a.clone());
    // Types matter: "pw", b"pw" and the int differ.
    let c = settings
        .hash(&Password::from_bytes(b"pw"), &"s".into())
        .unwrap();
    assert_ne!(a, c);
    assert_eq!(
        Password::from_bytes(b"pw"),
        Password::from_value(&PyValue::bytes(*b"pw"))
    );
    assert_eq!(Password::new("pw"), Password::from_value(&"pw".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_equals_sync() {
    let data = load_data("passcrypt.json");
    for (i, entry) in items(field(&data, "vectors")).iter().enumerate() {
        let (password, salt, settings) = inputs(entry);
        if settings.kb() > 512 {
            continue; // the defaults vector runs in `every_known_answer`
        }
        let sync: PasscryptHash = settings.hash(&password, &salt).unwrap();
        let r#async = AsyncPasscrypt::new(settings)
            .hash(&password, &salt)
            .await
            .unwrap();
        assert_eq!(r#async, sync, "vector {i}");
        assert_eq!(r#async.expose_secret(), text(field(entry, "result")));
    }
    // Vector 0 records `apasscrypt == passcrypt` in the reference.
    assert_eq!(
        field(&items(field(&data, "vectors"))[0], "apasscrypt_equal"),
        &PyValue::Bool(true)
    );

    // Errors and the keyed variant are the same too.
    let settings = Passcrypt::new(256, 2, 256).unwrap();
    let twin = AsyncPasscrypt::from(settings);
    assert_eq!(twin.settings(), settings);
    let err = twin
        .hash(&Password::new(""), &"s".into())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        aiootp::Error::Passcrypt(PasscryptError::MissingPassword)
    ));
    let err = twin
        .hash(&Password::new("pw"), &"".into())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "No ``salt`` was specified.");
    let key = Key::new("kkkkkkkkkk");
    assert_eq!(
        twin.hash_keyed(&key, &Password::new("pw"), &"salt".into())
            .await
            .unwrap(),
        settings
            .hash_keyed(&key, &Password::new("pw"), &"salt".into())
            .unwrap()
    );
}
