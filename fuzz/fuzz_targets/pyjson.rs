//! `pyjson::loads` / `pyjson::loads_bytes` on arbitrary input: no panic,
//! linear time; every parsed value dumps, and `dumps → loads → dumps` is
//! stable ([`aiootp_fuzz::check_json_value`]); both loaders agree on UTF-8
//! text; error positions are consistent with Python's line/column rules.
#![no_main]

use aiootp::compat::pyjson;
use aiootp::error::JsonError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let from_bytes = pyjson::loads_bytes(data);
    let dumped_bytes = from_bytes.as_ref().ok().map(aiootp_fuzz::check_json_value);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match pyjson::loads(text) {
        Ok(value) => {
            let dumped = aiootp_fuzz::check_json_value(&value);
            match (&from_bytes, dumped_bytes) {
                (Ok(_), Some(d)) => assert_eq!(d, dumped, "loads and loads_bytes disagree"),
                // Python guesses UTF-16/32 from zero bytes, which a str never meets.
                (Err(e), _) => assert!(
                    matches!(e, JsonError::Utf8(_)),
                    "loads accepted what loads_bytes refused: {e}"
                ),
                (Ok(_), None) => unreachable!(),
            }
        }
        Err(e) => aiootp_fuzz::check_json_error_position(text, &e),
    }
});
