//! Property tests: every adapter against a plain implementation (the
//! standard library, `num-bigint`, or a few obvious lines).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use num_bigint::{BigInt, BigUint};
use proptest::prelude::*;

use super::*;
use crate::compat::{PyInt, PyValue, hash};

fn big(n: &PyInt) -> BigInt {
    n.as_str().parse().unwrap()
}

/// Plain base64: bit by bit.
fn plain_base64(data: &[u8]) -> String {
    let bits: Vec<u8> = data
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1))
        .collect();
    let mut out: String = bits
        .chunks(6)
        .map(|c| {
            let v = c
                .iter()
                .chain(std::iter::repeat(&0))
                .take(6)
                .fold(0usize, |a, &b| a * 2 + usize::from(b));
            char::from(BASE_64_TABLE.as_bytes()[v])
        })
        .collect();
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

/// `delimit_resize` on one whole text, written the obvious way.
fn plain_delimit_resize(text: &str, delim: &str) -> Vec<String> {
    let set: Vec<char> = delim.chars().collect();
    let mut rest = text.trim_start_matches(|c| set.contains(&c));
    let mut out = Vec::new();
    while let Some(i) = rest.find(delim) {
        out.push(rest[..i].to_owned());
        rest = rest[i..].trim_start_matches(|c| set.contains(&c));
    }
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

/// Splits `text` into consecutive chunks at the given cut points.
fn chunk(text: &str, cuts: &[usize]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (chars.len() + 1)).collect();
    points.push(0);
    points.push(chars.len());
    points.sort_unstable();
    points
        .windows(2)
        .map(|w| chars[w[0]..w[1]].iter().collect())
        .collect()
}

proptest! {
    #[test]
    fn to_and_from_base_match_num_bigint(
        bytes in proptest::collection::vec(any::<u8>(), 0..80),
        base in 2usize..=36,
    ) {
        let n = BigUint::from_bytes_be(&bytes);
        let digits = [bytes.clone()]
            .into_iter()
            .bytes_to_int(ByteOrder::Big)
            .to_base(base, BASE_36_TABLE)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        prop_assert_eq!(&digits, &n.to_str_radix(u32::try_from(base).unwrap()));
        let back = [digits].iter().from_base(base, BASE_36_TABLE).unwrap().next().unwrap().unwrap();
        prop_assert_eq!(big(&back), BigInt::from(n));
    }

    #[test]
    fn ascii_table_round_trip(n in any::<u128>()) {
        let text = [n].into_iter().to_base(95, ASCII_TABLE).unwrap().next().unwrap().unwrap();
        prop_assert!(text.chars().all(|c| ASCII_TABLE.contains(c)));
        let back = [text].iter().from_base(95, ASCII_TABLE).unwrap().next().unwrap().unwrap();
        prop_assert_eq!(back.to_u128(), Some(n));
    }

    #[test]
    fn ints_and_bytes_match_num_bigint(n in any::<i128>(), size in 0usize..20) {
        let got = [n].into_iter().int_to_bytes(size, ByteOrder::Big).next().unwrap();
        let want = if n < 0 {
            Err(IterError::NegativeInt)
        } else {
            let b = BigUint::from(n.unsigned_abs()).to_bytes_be();
            let b = if n == 0 { Vec::new() } else { b };
            if b.len() > size {
                Err(IterError::IntTooBig)
            } else {
                let mut v = vec![0u8; size - b.len()];
                v.extend(b);
                Ok(v)
            }
        };
        prop_assert_eq!(&got, &want);
        let little = [n].into_iter().int_to_bytes(size, ByteOrder::Little).next().unwrap();
        prop_assert_eq!(little, want.map(|mut v| { v.reverse(); v }));
        let hex = [n].into_iter().hex_prefixed().next().unwrap();
        let plain = if n < 0 { format!("-0x{:x}", n.unsigned_abs()) } else { format!("0x{n:x}") };
        prop_assert_eq!(&hex, &plain);
        prop_assert_eq!([n].into_iter().hex().next().unwrap(), plain[2..].to_owned());
    }

    #[test]
    fn bytes_to_int_and_ascii_match_num_bigint(bytes in proptest::collection::vec(any::<u8>(), 0..300), text in ".*") {
        let n = [&bytes].into_iter().bytes_to_int(ByteOrder::Big).next().unwrap();
        prop_assert_eq!(big(&n), BigInt::from(BigUint::from_bytes_be(&bytes)));
        let n = [&bytes].into_iter().bytes_to_int(ByteOrder::Little).next().unwrap();
        prop_assert_eq!(big(&n), BigInt::from(BigUint::from_bytes_le(&bytes)));
        let n = [&text].into_iter().ascii_to_int().next().unwrap();
        prop_assert_eq!(big(&n), BigInt::from(BigUint::from_bytes_be(text.as_bytes())));
        // Back, unless the text starts with NUL (the minimal bytes drop it).
        if !text.starts_with('\0') {
            prop_assert_eq!([n].into_iter().int_to_ascii().next().unwrap(), Ok(text));
        }
    }

    #[test]
    fn hex_and_base64(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
        let hex = [&bytes].into_iter().bytes_to_hex().next().unwrap();
        let plain: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        prop_assert_eq!(&hex, &plain);
        prop_assert_eq!([hex.to_uppercase()].iter().hex_to_bytes().next().unwrap(), Ok(bytes.clone()));
        let b64 = [&bytes].into_iter().to_base64().next().unwrap();
        prop_assert_eq!(&b64, &plain_base64(&bytes));
        prop_assert_eq!([b64].iter().from_base64().next().unwrap(), Ok(bytes));
    }

    #[test]
    fn resize_is_concat_then_chunks(text in "\\PC{0,40}", cuts in proptest::collection::vec(any::<usize>(), 0..6), size in 1usize..9) {
        let got = chunk(&text, &cuts).into_iter().resize(size).unwrap().list();
        let chars: Vec<char> = text.chars().collect();
        let want: Vec<String> = chars.chunks(size).map(|c| c.iter().collect()).collect();
        prop_assert_eq!(got, want);
        let bytes = text.as_bytes();
        let got = chunk(&text, &cuts).into_iter().map(String::into_bytes).resize(size).unwrap().list();
        prop_assert_eq!(got, bytes.chunks(size).map(<[u8]>::to_vec).collect::<Vec<_>>());
    }

    #[test]
    fn delimit_resize_is_the_whole_text_rule(
        text in "[ab, ]{0,30}",
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        delim in prop::sample::select(vec![" ", ", ", ",", "ab"]),
    ) {
        let got = chunk(&text, &cuts).into_iter().delimit_resize(delim).unwrap().list();
        prop_assert_eq!(got, plain_delimit_resize(&text, delim));
    }

    #[test]
    fn str_methods_match_std(text in "[a-c,+-]{0,12}", sep in "[a-c,]{1,2}", width in 0usize..16) {
        let one = || [text.clone()].into_iter();
        let split = one().split(sep.as_str()).unwrap().next().unwrap();
        prop_assert_eq!(split, text.split(sep.as_str()).map(String::from).collect::<Vec<_>>());
        let ws = [text.replace(',', " \t")].into_iter().split_whitespace().next().unwrap();
        prop_assert_eq!(ws, text.replace(',', " \t").split_whitespace().map(String::from).collect::<Vec<_>>());
        prop_assert_eq!(one().replace(sep.as_str(), "X").next().unwrap(), text.replace(sep.as_str(), "X"));
        prop_assert_eq!(one().delimit(&sep).next().unwrap(), format!("{text}{sep}"));
        let z = one().zfill(width).next().unwrap();
        let plain = match text.strip_prefix(['+', '-']) {
            Some(rest) => format!("{}{:0>w$}", &text[..1], rest, w = width.saturating_sub(1)),
            None => format!("{text:0>width$}"),
        };
        prop_assert_eq!(z, plain);
    }

    #[test]
    fn slice_and_index_match_plain(text in "\\PC{0,12}", a in -15isize..15, b in -15isize..15) {
        let chars: Vec<char> = text.chars().collect();
        let len = chars.len() as isize;
        let norm = |v: isize| if v < 0 { (v + len).max(0) } else { v.min(len) } as usize;
        let (lo, hi) = (norm(a), norm(b));
        let want: String = if lo < hi { chars[lo..hi].iter().collect() } else { String::new() };
        prop_assert_eq!([text.clone()].into_iter().slice(PySlice::new(Some(a), Some(b), None).unwrap()).next().unwrap(), want);
        let rev: String = chars.iter().rev().collect();
        let all_rev = PySlice::new(None, None, Some(-1)).unwrap();
        prop_assert_eq!([text.clone()].into_iter().slice(all_rev).next().unwrap(), rev);
        let i = if a < 0 { a + len } else { a };
        let want = usize::try_from(i).ok().and_then(|i| chars.get(i).copied());
        prop_assert_eq!([text].into_iter().index(a).next().unwrap().ok(), want);
    }

    #[test]
    fn control_steps_match_std(v in proptest::collection::vec(0u8..6, 0..20), s in 0u8..6) {
        prop_assert_eq!(v.clone().into_iter().halt(s).list(), v.iter().copied().take_while(|&x| x != s).collect::<Vec<_>>());
        prop_assert_eq!(v.clone().into_iter().tag().list(), v.iter().copied().enumerate().collect::<Vec<_>>());
        prop_assert_eq!(v.iter().exhaust(), v.last());
        prop_assert_eq!(v.iter().map(|x| x.to_string()).join(","), v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(","));
    }

    #[test]
    fn hashes_match_the_compat_helpers(items in proptest::collection::vec("\\PC{0,8}", 0..5), salt in "\\PC{0,4}") {
        let values: Vec<PyValue> = items.iter().map(|s| PyValue::from(s.as_str())).collect();
        let mut h = hash::sha_512(&[PyValue::from(salt.as_str())]);
        let mut running = Vec::new();
        for v in &values {
            h = hash::sha_512(&[v.clone(), PyValue::Str(h)]);
            running.push(h.clone());
        }
        prop_assert_eq!(items.iter().sum_sha_512(salt.as_str()).list(), running);
        let key = crate::compat::Key::new(&salt);
        let want: Vec<String> = values.iter().map(|v| hash::sha_256_hmac(v, &PyValue::from(salt.as_str()))).collect();
        prop_assert_eq!(items.iter().sha_256_hmac(&key).list(), want);
        let want: Vec<String> = values
            .iter()
            .map(|v| if salt.is_empty() { hash::sha_256(std::slice::from_ref(v)) } else { hash::sha_256(&[v.clone(), PyValue::from(salt.as_str())]) })
            .collect();
        prop_assert_eq!(items.iter().sha_256_salted(salt.as_str()).list(), want);
    }

    #[test]
    fn json_round_trip(items in proptest::collection::vec("\\PC{0,8}", 0..5)) {
        let texts = items.iter().json_dumps().map(Result::unwrap).list();
        let back = texts.iter().json_loads_into::<String>().map(Result::unwrap).list();
        prop_assert_eq!(back, items);
    }
}
