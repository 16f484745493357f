//! `Ciphertext::from_bytes` on arbitrary bytes: it accepts exactly the
//! lengths `64 + 256 * n`, `to_bytes` gives the input back (or refuses
//! an empty block list, as the reference does), and every
//! other encoding round-trips ([`aiootp_fuzz::check_ciphertext`]). Also
//! `bytes_to_urlsafe` / `urlsafe_to_bytes` on the same bytes.
#![no_main]

use aiootp::compat::{BLOCK_BYTES, Ciphertext, HMAC_BYTES, SALT_BYTES, bytes_to_urlsafe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let header = HMAC_BYTES + SALT_BYTES;
    let valid_length = data.len() >= header && (data.len() - header).is_multiple_of(BLOCK_BYTES);
    match Ciphertext::from_bytes(data) {
        Ok(ct) => {
            assert!(valid_length, "from_bytes accepted {} bytes", data.len());
            aiootp_fuzz::check_bytes_form(data);
            aiootp_fuzz::check_ciphertext(&ct);
        }
        Err(_) => assert!(!valid_length, "from_bytes refused {} bytes", data.len()),
    }
    // The number form of any bytes, valid ciphertext or not.
    let ascii = bytes_to_urlsafe(data);
    aiootp_fuzz::check_ascii_of_bytes(data, &ascii);
});
