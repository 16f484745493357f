//! The AOT2 decoder on arbitrary input, in three modes chosen by the
//! first byte:
//!
//! * `0`: the rest is a message under a fixed key: one-shot opening (on
//!   one and two threads) and the streaming `Opener` must agree — both
//!   fail with `Authentication` (or both give the same data; a random
//!   input never authenticates), with no panic;
//! * `1`: `[flip: u16 BE][repeat: u8][data]`: the data, repeated
//!   `1 + repeat % 32` times (up to several chunks), is sealed with a fixed
//!   salt and clock and must open again (one-shot and streamed); one bit
//!   flipped (chosen by `flip`) and a cut (at `flip` modulo the length)
//!   must fail with `Authentication`;
//! * `2`: the rest as token text: `decode_token` refuses it or gives
//!   bytes whose `encode_token` is the text back (without surrounding
//!   white space); `open_token` never panics.
#![no_main]

use std::io::Read;

use aiootp::aot2::{self, Aot2Key, Opener, Options, hazmat};
use aiootp::error::Aot2Error;
use libfuzzer_sys::fuzz_target;

const TIME: u64 = 1_700_000_000;

fn key() -> Aot2Key {
    Aot2Key::from_slice(&[0x42; 32]).expect("a 32-byte key")
}

fn options() -> Options {
    Options::new().ctx("fuzz").now(TIME)
}

/// Opens `message` with the streaming opener: the data, or the error.
fn stream_open(message: &[u8]) -> Result<Vec<u8>, Aot2Error> {
    let mut opener = match Opener::new(message, &key(), &options()) {
        Ok(o) => o,
        Err(aiootp::Error::Aot2(e)) => return Err(e),
        Err(e) => panic!("unexpected opener error {e}"),
    };
    let mut out = Vec::new();
    match opener.read_to_end(&mut out) {
        Ok(_) => Ok(out),
        Err(e) => Err(e
            .get_ref()
            .and_then(|e| e.downcast_ref::<Aot2Error>())
            .cloned()
            .expect("an Aot2Error inside the io::Error")),
    }
}

fn open_everywhere(message: &[u8]) -> Result<Vec<u8>, Aot2Error> {
    let one = aot2::open(&key(), message, &options());
    let two = aot2::open(&key(), message, &options().threads(2));
    assert_eq!(one, two, "one and two threads disagree");
    assert_eq!(one, stream_open(message), "one-shot and streaming disagree");
    one
}

fuzz_target!(|input: &[u8]| {
    match input {
        [0, message @ ..] => {
            // The seeds hold real messages: those open, anything else fails
            // with the one error.
            if let Err(e) = open_everywhere(message) {
                assert_eq!(e, Aot2Error::Authentication);
            }
        }
        [1, f0, f1, repeat, data @ ..] => {
            let plain = data.repeat(1 + usize::from(*repeat % 32));
            let salt = [9u8; aot2::SALT_LEN];
            let message = hazmat::seal_with_salt(&key(), &salt, &plain, &options())
                .expect("sealing with a fixed salt");
            assert_eq!(message.len() % 256, 0);
            assert_eq!(open_everywhere(&message).as_deref(), Ok(&plain[..]));
            let flip = usize::from(u16::from_be_bytes([*f0, *f1]));
            let mut t = message.clone();
            t[(flip / 8) % message.len()] ^= 1 << (flip % 8);
            assert_eq!(open_everywhere(&t), Err(Aot2Error::Authentication), "flip {flip}");
            let cut = flip % message.len();
            assert_eq!(open_everywhere(&message[..cut]), Err(Aot2Error::Authentication), "cut {cut}");
        }
        [2, text @ ..] => {
            let Ok(text) = std::str::from_utf8(text) else {
                return;
            };
            if let Ok(bytes) = aot2::decode_token(text) {
                assert_eq!(aot2::encode_token(&bytes), text.trim(), "token round trip");
            }
            let _ = aot2::open_token(&key(), text, &options());
        }
        _ => {}
    }
});
