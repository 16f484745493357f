//! Decryption of arbitrary parsed ciphertexts under the key `"k"`: the
//! first input byte picks the decoder (bytes form, dictionary JSON or
//! ASCII form), the rest is decoded, and whatever parses must be refused
//! by `bytes_decrypt` and `json_decrypt_value` with an authentication
//! error (or the missing-tag error for an empty tag). A forgery under a
//! key the fuzzer does not know is astronomically unlikely, so a success
//! here is a bug. The seeds are real ciphertexts under other keys.
#![no_main]

use aiootp::compat::cipher::{bytes_decrypt, json_decrypt_value};
use aiootp::compat::{Ciphertext, DecryptOptions, Key};
use aiootp::error::CipherError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let parsed = match selector % 3 {
        0 => Ciphertext::from_bytes(body),
        1 => match std::str::from_utf8(body) {
            Ok(text) => Ciphertext::from_json(text),
            Err(_) => return,
        },
        _ => match std::str::from_utf8(body) {
            Ok(text) => Ciphertext::from_ascii(text),
            Err(_) => return,
        },
    };
    let Ok(ct) = parsed else {
        return;
    };
    let key = Key::new("k");
    let options = DecryptOptions::new();
    let expected = if ct.hmac().is_empty() {
        CipherError::MissingHmac
    } else {
        CipherError::Authentication
    };
    assert_eq!(
        bytes_decrypt(&ct, &key, &options),
        Err(expected.clone()),
        "bytes_decrypt of a forged message did not fail authentication"
    );
    assert_eq!(
        json_decrypt_value(&ct, &key, &options),
        Err(expected),
        "json_decrypt_value of a forged message did not fail authentication"
    );
});
