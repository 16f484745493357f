//! `Ciphertext::from_ascii` on arbitrary text: no panic, linear time; an
//! accepted text is the minimal number form of its bytes (so `to_ascii`
//! gives it back less leading `-` zero digits, unless there are no
//! blocks, which the reference refuses to encode), and every encoding
//! round-trips ([`aiootp_fuzz::check_ciphertext`]).
#![no_main]

use aiootp::compat::{Ciphertext, URL_SAFE_TABLE, bytes_to_urlsafe, urlsafe_to_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let in_table = text.bytes().all(|b| URL_SAFE_TABLE.contains(&b));
    match urlsafe_to_bytes(text) {
        Ok(bytes) => {
            assert!(in_table, "urlsafe_to_bytes accepted {text:?}");
            let minimal = text.trim_start_matches('-');
            let expected = if minimal.is_empty() { "-" } else { minimal };
            assert_eq!(
                bytes_to_urlsafe(&bytes),
                expected,
                "number form is not canonical"
            );
        }
        Err(_) => assert!(!in_table, "urlsafe_to_bytes refused {text:?}"),
    }
    if let Ok(ct) = Ciphertext::from_ascii(text) {
        if ct.block_count() > 0 {
            assert_eq!(
                ct.to_ascii().as_deref(),
                Ok(text.trim_start_matches('-')),
                "to_ascii(from_ascii(t)) != t"
            );
        } else {
            // The reference refuses to encode an empty block list.
            assert!(ct.to_ascii().is_err(), "to_ascii encoded no blocks");
        }
        aiootp_fuzz::check_ciphertext(&ct);
    }
});
