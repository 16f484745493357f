//! The async pad produces exactly the bytes of the synchronous one and
//! runs on tokio's blocking pool.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aiootp::compat::{AsyncOneTimePad, DecryptOptions, EncryptOptions, Key, OneTimePad, Salt};
use aiootp::error::CipherError;

const SALT: &str = "2751ecdbe5031595c6334be6bf7751d8964c31053c3ae3a38b9e1991538a3f29";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_and_sync_make_the_same_bytes() {
    let key = Key::new("the async key");
    let sync = OneTimePad::new(key.clone());
    let pad = AsyncOneTimePad::new(key);
    let opts = || {
        EncryptOptions::new()
            .salt(Salt::parse(SALT).unwrap())
            .pid("p")
            .time(1_612_400_000)
    };
    let data: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let a = pad.bytes_encrypt_with(data.clone(), opts()).await.unwrap();
    let b = sync.bytes_encrypt_with(&data, &opts()).unwrap();
    assert_eq!(a, b);
    let back = pad
        .bytes_decrypt_with(a, DecryptOptions::new().pid("p"))
        .await
        .unwrap();
    assert_eq!(back, data);

    let value = serde_json::json!({"id": 1234, "payload": ["message", 2.5, null]});
    let ja = pad.json_encrypt_with(&value, opts()).await.unwrap();
    let jb = sync.json_encrypt_with(&value, &opts()).unwrap();
    assert_eq!(ja.to_json(), jb.to_json());
    let back: serde_json::Value = pad
        .json_decrypt_with(ja, DecryptOptions::new().pid("p"))
        .await
        .unwrap();
    assert_eq!(back, value);
}

#[tokio::test(flavor = "current_thread")]
async fn async_errors_are_the_sync_errors() {
    let pad = AsyncOneTimePad::generate().unwrap();
    let other = AsyncOneTimePad::generate().unwrap();
    let ct = pad.bytes_encrypt(b"x".to_vec()).await.unwrap();
    let err = other.bytes_decrypt(ct).await.unwrap_err();
    assert!(
        matches!(err, aiootp::Error::Cipher(CipherError::Authentication)),
        "{err:?}"
    );
}
