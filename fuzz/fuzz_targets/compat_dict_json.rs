//! `Ciphertext::from_json` on arbitrary text: no panic, linear time, and
//! every ciphertext it accepts survives all re-encodings
//! ([`aiootp_fuzz::check_ciphertext`]).
#![no_main]

use aiootp::compat::{Ciphertext, pyjson};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Ciphertext::from_json(text);
    // from_json is loads + from_value: the two paths must agree.
    let via_value = pyjson::loads(text)
        .map_err(aiootp::error::DecodeError::from)
        .and_then(|v| Ciphertext::from_value(&v));
    assert_eq!(
        parsed, via_value,
        "from_json and loads + from_value disagree"
    );
    if let Ok(ct) = parsed {
        aiootp_fuzz::check_ciphertext(&ct);
    }
});
