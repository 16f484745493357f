//! Property checks shared by the fuzz targets in `fuzz_targets/`.
//!
//! Every check panics (so libFuzzer records a crash) when a property of
//! the compat decoders does not hold. The targets call them on whatever
//! the decoders accept; anything a decoder refuses only has to be refused
//! without a panic. The database targets' fixture and checks are in
//! [`db`].

pub mod db;

use aiootp::compat::{Ciphertext, PyValue, bytes_to_urlsafe, pyjson, urlsafe_to_bytes};
use aiootp::error::{DecodeError, JsonError};

/// Bytes of the tag and the salt at the front of the bytes form.
const HEADER_BYTES: usize = aiootp::compat::HMAC_BYTES + aiootp::compat::SALT_BYTES;

/// Checks every re-encoding of a ciphertext that some decoder accepted:
///
/// * `from_json(to_json(ct)) == ct`, and `to_json` is stable;
/// * `to_value` is the same dictionary: `dumps(to_value(ct)) == to_json(ct)`
///   and `from_value(to_value(ct)) == ct`;
/// * when the tag and salt are hex making 64 bytes and there is at least
///   one block (the reference refuses to encode an empty block list), the
///   bytes form holds the blocks unchanged and survives `from_bytes` →
///   `to_bytes`, and the ASCII form decodes to the same bytes less their
///   leading zero bytes (which the reference's number form drops);
/// * otherwise `to_ascii` fails as `to_bytes` does.
pub fn check_ciphertext(ct: &Ciphertext) {
    let json = ct.to_json();
    assert!(json.is_ascii(), "to_json wrote non-ASCII text");
    let back = Ciphertext::from_json(&json).expect("to_json output must parse");
    assert_eq!(&back, ct, "from_json(to_json(ct)) != ct");
    assert_eq!(back.to_json(), json, "to_json is not stable");

    let value = ct.to_value();
    assert_eq!(
        pyjson::dumps(&value).expect("to_value must dump"),
        json,
        "to_value and to_json disagree"
    );
    assert_eq!(
        Ciphertext::from_value(&value).as_ref(),
        Ok(ct),
        "from_value(to_value(ct)) != ct"
    );

    match ct.to_bytes() {
        Ok(bytes) => {
            assert!(ct.block_count() > 0, "to_bytes encoded an empty block list");
            assert_eq!(bytes.len(), HEADER_BYTES + ct.block_bytes().len());
            assert_eq!(&bytes[HEADER_BYTES..], ct.block_bytes());
            check_bytes_form(&bytes);
            let ascii = ct
                .to_ascii()
                .expect("to_ascii must work where to_bytes does");
            assert_eq!(ascii, bytes_to_urlsafe(&bytes));
            check_ascii_of_bytes(&bytes, &ascii);
        }
        Err(_) => assert!(
            ct.to_ascii().is_err(),
            "to_ascii worked where to_bytes failed"
        ),
    }
}

/// Checks a valid bytes form: it parses, re-encodes to itself (or, with
/// no blocks, is refused by `to_bytes` as the reference's `json_to_bytes`
/// refuses an empty list), and its tag and salt come back as 64 lowercase
/// hex characters each.
pub fn check_bytes_form(bytes: &[u8]) {
    let ct = Ciphertext::from_bytes(bytes).expect("a valid bytes form must parse");
    if bytes.len() == HEADER_BYTES {
        assert_eq!(ct.block_count(), 0);
        assert!(
            matches!(
                ct.to_bytes(),
                Err(DecodeError::InvalidField {
                    field: "ciphertext",
                    ..
                })
            ),
            "to_bytes encoded an empty block list"
        );
    } else {
        assert_eq!(
            ct.to_bytes().as_deref(),
            Ok(bytes),
            "from_bytes → to_bytes changed the bytes"
        );
    }
    for text in [ct.hmac(), ct.salt()] {
        assert_eq!(text.len(), 64);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "tag or salt is not lowercase hex: {text:?}"
        );
    }
    assert_eq!(ct.block_bytes(), &bytes[HEADER_BYTES..]);
    assert_eq!(
        ct.block_count() * aiootp::compat::BLOCK_BYTES,
        bytes.len() - HEADER_BYTES
    );
}

/// Checks that `ascii` (the number form of `bytes`) reads back as `bytes`
/// without its leading zero bytes, and that `from_ascii` reads it as
/// `from_bytes` reads those bytes.
pub fn check_ascii_of_bytes(bytes: &[u8], ascii: &str) {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let stripped = &bytes[first..];
    assert_eq!(
        urlsafe_to_bytes(ascii).as_deref(),
        Ok(stripped),
        "urlsafe_to_bytes(bytes_to_urlsafe(b)) != b without leading zeros"
    );
    assert_eq!(
        Ciphertext::from_ascii(ascii),
        Ciphertext::from_bytes(stripped),
        "from_ascii and from_bytes disagree"
    );
}

/// Checks a value that [`pyjson::loads`] or [`pyjson::loads_bytes`]
/// returned: it dumps (ASCII only, as `ensure_ascii`), and
/// `dumps → loads → dumps` gives the same text by both loaders.
/// Returns the `dumps` text.
pub fn check_json_value(value: &PyValue) -> String {
    let text = pyjson::dumps(value).expect("a parsed value must dump");
    assert!(text.is_ascii(), "dumps wrote non-ASCII text");
    let again = pyjson::loads(&text).expect("dumps output must load");
    assert_eq!(
        pyjson::dumps(&again).as_deref(),
        Ok(text.as_str()),
        "dumps → loads → dumps is not stable"
    );
    let again = pyjson::loads_bytes(text.as_bytes()).expect("dumps output must load as bytes");
    assert_eq!(
        pyjson::dumps(&again).as_deref(),
        Ok(text.as_str()),
        "loads_bytes of dumps output differs"
    );
    text
}

/// Checks the position of a `JSONDecodeError` message against `text`, as
/// Python computes it: `char N` is a code-point offset within the text,
/// `line` counts the newlines before it plus one, and `column` is
/// `N - text.rfind('\n', 0, N)` (so `N + 1` on the first line).
pub fn check_json_error_position(text: &str, err: &JsonError) {
    let JsonError::Syntax(msg) = err else {
        return;
    };
    let Some((line, column, pos)) = parse_position(msg) else {
        return;
    };
    let chars: Vec<char> = text.chars().collect();
    assert!(pos <= chars.len(), "error position past the end: {msg}");
    let before = &chars[..pos];
    let newlines = before.iter().filter(|&&c| c == '\n').count();
    let expected_column = match before.iter().rposition(|&c| c == '\n') {
        Some(nl) => pos - nl,
        None => pos + 1,
    };
    assert_eq!(
        (line, column),
        (newlines + 1, expected_column),
        "line/column disagree with the position: {msg}"
    );
}

/// Reads `...: line L column C (char N)` at the end of a message.
fn parse_position(msg: &str) -> Option<(usize, usize, usize)> {
    let rest = msg.strip_suffix(')')?;
    let (rest, pos) = rest.rsplit_once(" (char ")?;
    let (rest, column) = rest.rsplit_once(" column ")?;
    let (_, line) = rest.rsplit_once(": line ")?;
    Some((line.parse().ok()?, column.parse().ok()?, pos.parse().ok()?))
}
