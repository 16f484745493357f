//! Big-endian unsigned integers as decimal text, fast.
//!
//! The compat cipher hashes its ciphertext as Python text: every 256-byte
//! block is written as the decimal digits of its big-endian value (up to
//! 617 digits, spec `cipher.md` §11.1), and a parsed ciphertext turns
//! those digits back into 256 bytes. Both directions run once per block,
//! so they are on the hot path of encryption and decryption.
//!
//! * [`be_to_decimal`] divides the number by 10^19 repeatedly. 10^19 has
//!   its top bit set, so each two-limb-by-one-limb step uses the
//!   Möller–Granlund division with a precomputed reciprocal (two
//!   multiplications, no hardware or `u128` division), and four
//!   divisions are interleaved in one sweep over the limbs so that four
//!   independent remainder chains keep the multiplier busy.
//! * [`decimal_to_be`] parses 19-digit chunks (eight digits at a time in a
//!   `u64`) and multiply-adds them into 64-bit limbs.
//!
//! No function here panics; inputs of any length are accepted.

/// 10^19: the largest power of ten below 2^64. Its top bit is set, so it
/// is already normalised for [`div_step`].
const TEN19: u64 = 10_000_000_000_000_000_000;

/// Möller–Granlund reciprocal of [`TEN19`]: `floor((2^128 - 1) / d) - 2^64`.
const TEN19_INV: u64 = (u128::MAX / TEN19 as u128 - (1u128 << 64)) as u64;

/// Limbs kept on the stack: enough for 1024 bytes.
const STACK_LIMBS: usize = 128;

/// Decimal chunks kept on the stack for [`STACK_LIMBS`] limbs (see
/// [`chunks_for`]).
const STACK_CHUNKS: usize = chunks_for(STACK_LIMBS);

/// How many 19-digit chunks [`to_decimal_in`] may write for `limbs`
/// limbs: one sweep writes four chunks and removes 4 × 63.1 = 252.5 bits,
/// so `64 n` bits take at most `64 n / 252.5 + 1` sweeps, and
/// `4 (64 n / 252.5 + 1) < n + n / 64 + 8`.
const fn chunks_for(limbs: usize) -> usize {
    limbs + limbs / 64 + 8
}

/// The value ≥ 2^2048, or the text holds a byte that is not an ASCII
/// decimal digit, or the text is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overflow;

/// Divides `hi * 2^64 + lo` by [`TEN19`]; requires `hi < TEN19`.
/// Returns `(quotient, remainder)`.
#[inline(always)]
fn div_step(hi: u64, lo: u64) -> (u64, u64) {
    let p = u128::from(TEN19_INV) * u128::from(hi);
    // hi < TEN19 < 2^64, so hi + 1 does not overflow.
    let p = p.wrapping_add((u128::from(hi + 1) << 64) | u128::from(lo));
    let mut q = (p >> 64) as u64;
    let q0 = p as u64;
    let mut r = lo.wrapping_sub(q.wrapping_mul(TEN19));
    // Branch-free first correction (taken about half the time).
    let mask = 0u64.wrapping_sub(u64::from(r > q0));
    q = q.wrapping_add(mask);
    r = r.wrapping_add(mask & TEN19);
    // Second correction: about 3 times in 100 000.
    if r >= TEN19 {
        core::hint::cold_path();
        q = q.wrapping_add(1);
        r -= TEN19;
    }
    (q, r)
}

/// Appends the decimal digits of the big-endian unsigned integer `block`
/// to `out`: no sign, no leading zeros, `0` for zero (and for an empty
/// slice). Python: `str(int.from_bytes(block, "big"))`.
///
/// Any length works; up to 1024 bytes the work space is on the stack.
pub(crate) fn be_to_decimal(block: &[u8], out: &mut Vec<u8>) {
    let start = block.iter().position(|&b| b != 0).unwrap_or(block.len());
    let block = &block[start..];
    if block.is_empty() {
        out.push(b'0');
        return;
    }
    let n_limbs = block.len().div_ceil(8);
    let n_chunks = chunks_for(n_limbs);
    if n_limbs <= STACK_LIMBS {
        let mut limbs = [0u64; STACK_LIMBS];
        let mut chunks = [0u64; STACK_CHUNKS];
        to_decimal_in(block, &mut limbs[..n_limbs], &mut chunks[..n_chunks], out);
    } else {
        let mut limbs = vec![0u64; n_limbs];
        let mut chunks = vec![0u64; n_chunks];
        to_decimal_in(block, &mut limbs, &mut chunks, out);
    }
}

/// [`be_to_decimal`] with caller-provided work space: `limbs` holds
/// exactly `ceil(block.len() / 8)` limbs, `chunks` at least
/// [`chunks_for`] of that.
fn to_decimal_in(block: &[u8], limbs: &mut [u64], chunks: &mut [u64], out: &mut Vec<u8>) {
    // Little-endian limbs from the big-endian bytes.
    for (limb, bytes) in limbs.iter_mut().zip(block.rchunks(8)) {
        let mut buf = [0u8; 8];
        buf[8 - bytes.len()..].copy_from_slice(bytes);
        *limb = u64::from_be_bytes(buf);
    }
    let mut n = limbs.len();
    let mut n_chunks = 0;
    while n > 0 {
        // Four chained divisions by 10^19 in one sweep, most significant
        // limb first: pass k+1 consumes pass k's quotient limbs as soon
        // as they are produced.
        let (mut r1, mut r2, mut r3, mut r4) = (0u64, 0u64, 0u64, 0u64);
        for limb in limbs[..n].iter_mut().rev() {
            let (q1, nr1) = div_step(r1, *limb);
            let (q2, nr2) = div_step(r2, q1);
            let (q3, nr3) = div_step(r3, q2);
            let (q4, nr4) = div_step(r4, q3);
            (r1, r2, r3, r4) = (nr1, nr2, nr3, nr4);
            *limb = q4;
        }
        for r in [r1, r2, r3, r4] {
            if let Some(slot) = chunks.get_mut(n_chunks) {
                *slot = r;
                n_chunks += 1;
            }
        }
        while n > 0 && limbs[n - 1] == 0 {
            n -= 1;
        }
    }
    let chunks = &chunks[..n_chunks];
    let top = chunks.iter().rposition(|&c| c != 0).unwrap_or(0);
    let mut head = [0u8; 19];
    render19(chunks[top], &mut head);
    let first = head.iter().position(|&b| b != b'0').unwrap_or(18);
    let start = out.len();
    let head_len = head.len() - first;
    out.resize(start + head_len + 19 * top, 0);
    let (dst_head, dst_rest) = out[start..].split_at_mut(head_len);
    dst_head.copy_from_slice(&head[first..]);
    for (slot, &chunk) in dst_rest
        .chunks_exact_mut(19)
        .zip(chunks[..top].iter().rev())
    {
        render19(chunk, slot);
    }
}

/// Writes `v < 10^8` as exactly eight ASCII digits, SWAR style: the two
/// four-digit halves in the two 32-bit lanes, then hundreds and units in
/// 16-bit lanes, then tens and units in bytes (every product stays inside
/// its lane).
#[inline(always)]
fn render8(v: u32) -> [u8; 8] {
    let x = u64::from(v / 10_000) | (u64::from(v % 10_000) << 32);
    // n / 100 == (n * 5243) >> 19 for n < 10^4.
    let hundreds = ((x * 5243) >> 19) & 0x0000_007F_0000_007F;
    let pairs = hundreds | ((x - hundreds * 100) << 16);
    // n / 10 == (n * 103) >> 10 for n < 100.
    let tens = ((pairs * 103) >> 10) & 0x000F_000F_000F_000F;
    let digits = tens | ((pairs - tens * 10) << 8);
    (digits | 0x3030_3030_3030_3030).to_le_bytes()
}

/// Writes `v < 10^19` as exactly nineteen ASCII digits.
#[inline(always)]
fn render19(v: u64, out: &mut [u8]) {
    let low8 = (v % 100_000_000) as u32;
    let rest = v / 100_000_000;
    let mid8 = (rest % 100_000_000) as u32;
    let top3 = (rest / 100_000_000) as u32; // < 1000
    out[0] = b'0' + (top3 / 100) as u8;
    out[1] = b'0' + (top3 / 10 % 10) as u8;
    out[2] = b'0' + (top3 % 10) as u8;
    out[3..11].copy_from_slice(&render8(mid8));
    out[11..19].copy_from_slice(&render8(low8));
}

/// Parses eight ASCII digits (already checked) as a number, SWAR style.
#[inline(always)]
fn parse8(digits: &[u8]) -> u64 {
    let mut buf = [b'0'; 8];
    buf.copy_from_slice(&digits[..8]);
    let mut v = u64::from_le_bytes(buf).wrapping_sub(0x3030_3030_3030_3030);
    v = (v.wrapping_mul(10).wrapping_add(v >> 8)) & 0x00FF_00FF_00FF_00FF;
    v = (v.wrapping_mul(100).wrapping_add(v >> 16)) & 0x0000_FFFF_0000_FFFF;
    (v.wrapping_mul(10_000).wrapping_add(v >> 32)) & 0xFFFF_FFFF
}

/// Parses up to nineteen ASCII digits (already checked).
#[inline(always)]
fn parse_chunk(digits: &[u8]) -> u64 {
    let head = digits.len() % 8;
    let mut v = digits[..head]
        .iter()
        .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
    for eight in digits[head..].chunks_exact(8) {
        v = v * 100_000_000 + parse8(eight);
    }
    v
}

/// Writes the value of the ASCII decimal `digits` (no sign; leading zeros
/// allowed) into `out` as 256 big-endian bytes. Python:
/// `int(digits).to_bytes(256, "big")`.
///
/// # Errors
/// [`Overflow`] when the value is ≥ 2^2048, when `digits` is empty, or
/// when it holds a byte that is not `0`–`9`; `out` is then unspecified.
pub(crate) fn decimal_to_be(digits: &[u8], out: &mut [u8; 256]) -> Result<(), Overflow> {
    const LIMBS: usize = 32;
    // A branch-free fold, so that the check vectorises.
    let bad = digits
        .iter()
        .fold(false, |acc, &d| acc | !d.is_ascii_digit());
    if digits.is_empty() || bad {
        return Err(Overflow);
    }
    let start = digits
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(digits.len());
    let digits = &digits[start..];
    // 2^2048 has 617 digits; more significant digits always overflow.
    if digits.len() > 617 {
        return Err(Overflow);
    }
    let mut limbs = [0u64; LIMBS];
    let mut n = 0;
    let head = match digits.len() % 19 {
        0 => 19.min(digits.len()),
        h => h,
    };
    let (first, rest) = digits.split_at(head);
    if !first.is_empty() {
        limbs[0] = parse_chunk(first);
        n = usize::from(limbs[0] != 0);
    }
    for chunk in rest.chunks_exact(19) {
        let mut carry = parse_chunk(chunk);
        for limb in &mut limbs[..n] {
            let t = u128::from(*limb) * u128::from(TEN19) + u128::from(carry);
            *limb = t as u64;
            carry = (t >> 64) as u64;
        }
        if carry != 0 {
            match limbs.get_mut(n) {
                Some(slot) => *slot = carry,
                None => return Err(Overflow),
            }
            n += 1;
        }
    }
    for (bytes, limb) in out.rchunks_exact_mut(8).zip(limbs) {
        bytes.copy_from_slice(&limb.to_be_bytes());
    }
    Ok(())
}

/// The number of bits of the big-endian unsigned integer `bytes`
/// (Python's `int.bit_length`): 0 for zero.
#[allow(dead_code, reason = "for the cipher's block-size check")]
pub(crate) fn be_bit_length(bytes: &[u8]) -> usize {
    match bytes.iter().position(|&b| b != 0) {
        Some(i) => (bytes.len() - i) * 8 - bytes[i].leading_zeros() as usize,
        None => 0,
    }
}

/// Decimal digits to minimal big-endian bytes (`0` → no bytes); `None`
/// for empty text or a non-digit.
pub(crate) fn decimal_to_be_vec(decimal: &str) -> Option<Vec<u8>> {
    const CHUNK: usize = 9;
    const TEN9: u64 = 1_000_000_000;
    if decimal.is_empty() || !decimal.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Little-endian 32-bit limbs; multiply-add nine digits at a time.
    let mut limbs: Vec<u32> = Vec::with_capacity(decimal.len() / 9 + 1);
    let digits = decimal.as_bytes();
    let first = match digits.len() % CHUNK {
        0 => CHUNK,
        r => r,
    };
    let mut start = 0;
    let mut end = first;
    while start < digits.len() {
        let chunk = digits[start..end]
            .iter()
            .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
        let scale = if start == 0 { 1 } else { TEN9 };
        let mut carry = chunk;
        for limb in &mut limbs {
            let v = u64::from(*limb) * scale + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        while carry > 0 {
            limbs.push(carry as u32);
            carry >>= 32;
        }
        start = end;
        end += CHUNK;
    }
    let mut be: Vec<u8> = limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
    let lead = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    be.drain(..lead);
    Some(be)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Slow reference: repeated division of the byte string by 10.
    fn ref_to_decimal(bytes: &[u8]) -> String {
        let mut num: Vec<u8> = bytes.to_vec();
        let mut digits = Vec::new();
        while num.iter().any(|&b| b != 0) {
            let mut rem = 0u32;
            for b in &mut num {
                let cur = rem * 256 + u32::from(*b);
                *b = (cur / 10) as u8;
                rem = cur % 10;
            }
            digits.push(b'0' + rem as u8);
        }
        if digits.is_empty() {
            digits.push(b'0');
        }
        digits.reverse();
        String::from_utf8(digits).unwrap()
    }

    /// Slow reference: multiply the byte string by 10 and add, per digit;
    /// `None` on overflow past `len` bytes.
    fn ref_from_decimal(digits: &str, len: usize) -> Option<Vec<u8>> {
        let mut num = vec![0u8; len];
        for d in digits.bytes() {
            let mut carry = u32::from(d - b'0');
            for b in num.iter_mut().rev() {
                let cur = u32::from(*b) * 10 + carry;
                *b = cur as u8;
                carry = cur >> 8;
            }
            if carry != 0 {
                return None;
            }
        }
        Some(num)
    }

    fn dec(bytes: &[u8]) -> String {
        let mut out = b"prefix:".to_vec();
        be_to_decimal(bytes, &mut out);
        let text = String::from_utf8(out).unwrap();
        text.strip_prefix("prefix:").unwrap().to_owned()
    }

    fn parse(digits: &str) -> Result<[u8; 256], Overflow> {
        let mut out = [0xAAu8; 256];
        decimal_to_be(digits.as_bytes(), &mut out).map(|()| out)
    }

    fn pow10(k: usize) -> String {
        format!("1{}", "0".repeat(k))
    }

    #[test]
    fn reciprocal_constant() {
        assert_eq!(TEN19_INV, 0xD83C_94FB_6D2A_C34A);
        const { assert!(TEN19 >> 63 == 1) };
    }

    #[test]
    fn div_step_matches_u128_division() {
        let cases = [
            (0, 0),
            (0, 1),
            (0, TEN19 - 1),
            (0, TEN19),
            (0, u64::MAX),
            (1, 0),
            (TEN19 - 1, u64::MAX),
            (TEN19 - 1, 0),
            (12345, 678_910),
            (0x8AC7_2304_89E7_FFFF, 0xFFFF_FFFF_FFFF_FFFF),
        ];
        for (hi, lo) in cases {
            let n = (u128::from(hi) << 64) | u128::from(lo);
            let d = u128::from(TEN19);
            assert_eq!(
                div_step(hi, lo),
                ((n / d) as u64, (n % d) as u64),
                "{hi} {lo}"
            );
        }
    }

    #[test]
    fn render19_matches_format() {
        let mut x = 0x1234_5678_9ABC_DEF1u64;
        let mut buf = [0u8; 19];
        let specials = [
            0,
            1,
            9,
            10,
            99,
            100,
            9999,
            10_000,
            99_999_999,
            100_000_000,
            TEN19 - 1,
        ];
        for i in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match specials.get(i as usize) {
                Some(&v) => v,
                None => x % (TEN19 >> (i % 64)).max(1),
            };
            render19(v, &mut buf);
            assert_eq!(std::str::from_utf8(&buf).unwrap(), format!("{v:019}"));
        }
    }

    #[test]
    fn zero_and_small() {
        assert_eq!(dec(&[]), "0");
        assert_eq!(dec(&[0; 256]), "0");
        assert_eq!(dec(&[1]), "1");
        assert_eq!(dec(&[0, 0, 0, 1]), "1");
        assert_eq!(dec(&u64::MAX.to_be_bytes()), u64::MAX.to_string());
        assert_eq!(dec(&u128::MAX.to_be_bytes()), u128::MAX.to_string());
        assert_eq!(dec(&TEN19.to_be_bytes()), "10000000000000000000");
        assert_eq!(dec(&(TEN19 - 1).to_be_bytes()), "9".repeat(19));
        let mut x = [0u8; 16];
        x[..].copy_from_slice(&(u128::from(TEN19) * u128::from(TEN19)).to_be_bytes());
        assert_eq!(dec(&x), pow10(38));
    }

    #[test]
    fn max_2048_bits() {
        let max = [0xFFu8; 256];
        let text = dec(&max);
        assert_eq!(text.len(), 617);
        assert_eq!(text, ref_to_decimal(&max));
        assert!(text.starts_with("3231700607131100730071487668866995196044410266971548"));
        assert!(text.ends_with("5853611059596230655"));
        assert_eq!(parse(&text), Ok(max));
        // 2^2048 itself overflows.
        let mut two_2048 = vec![1u8];
        two_2048.extend_from_slice(&[0u8; 256]);
        let text = dec(&two_2048);
        assert!(text.ends_with("5853611059596230656"));
        assert_eq!(parse(&text), Err(Overflow));
        assert_eq!(be_bit_length(&two_2048), 2049);
    }

    #[test]
    fn powers_of_ten() {
        // 10^616 fits in 2048 bits, 10^617 does not.
        let p616 = pow10(616);
        let bytes = parse(&p616).unwrap();
        assert_eq!(bytes.to_vec(), ref_from_decimal(&p616, 256).unwrap());
        assert_eq!(dec(&bytes), p616);
        assert_eq!(parse(&pow10(617)), Err(Overflow));
        for k in 0..=616 {
            let p = pow10(k);
            let bytes = parse(&p).unwrap();
            assert_eq!(dec(&bytes), p, "10^{k}");
            let minus_one = "9".repeat(k);
            if k > 0 {
                assert_eq!(dec(&parse(&minus_one).unwrap()), minus_one, "10^{k}-1");
            }
        }
    }

    #[test]
    fn parse_edge_cases() {
        assert_eq!(parse("0"), Ok([0; 256]));
        assert_eq!(parse(&"0".repeat(5000)), Ok([0; 256]));
        let mut one = [0u8; 256];
        one[255] = 1;
        assert_eq!(parse("1"), Ok(one));
        assert_eq!(parse(&format!("{}1", "0".repeat(1000))), Ok(one));
        assert_eq!(parse(""), Err(Overflow));
        assert_eq!(parse("-1"), Err(Overflow));
        assert_eq!(parse("12a"), Err(Overflow));
        assert_eq!(parse(" 1"), Err(Overflow));
        assert_eq!(parse(&"9".repeat(617)), Err(Overflow));
        assert_eq!(parse(&"9".repeat(10_000)), Err(Overflow));
    }

    #[test]
    fn long_values_use_the_heap_path() {
        let bytes: Vec<u8> = (0..1100u32).map(|i| (i * 7 + 3) as u8).collect();
        assert_eq!(dec(&bytes), ref_to_decimal(&bytes));
        let bytes = vec![0xFFu8; 1024];
        assert_eq!(dec(&bytes), ref_to_decimal(&bytes));
    }

    #[test]
    fn bit_length() {
        assert_eq!(be_bit_length(&[]), 0);
        assert_eq!(be_bit_length(&[0, 0]), 0);
        assert_eq!(be_bit_length(&[0, 1]), 1);
        assert_eq!(be_bit_length(&[0, 0x80]), 8);
        assert_eq!(be_bit_length(&[1, 0]), 9);
        assert_eq!(be_bit_length(&[0xFF; 256]), 2048);
        assert_eq!(be_bit_length(&[0, 0, 0x10, 0xFF]), 13);
    }

    proptest! {
        #[test]
        fn to_decimal_matches_reference(bytes in proptest::collection::vec(any::<u8>(), 0..=300)) {
            prop_assert_eq!(dec(&bytes), ref_to_decimal(&bytes));
        }

        #[test]
        fn to_decimal_sparse_values(
            len in 0usize..=257,
            set in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        ) {
            // Mostly-zero values exercise zero limbs and zero chunks.
            let mut bytes = vec![0u8; len];
            for (i, b) in set {
                if len > 0 {
                    bytes[i % len] = b;
                }
            }
            prop_assert_eq!(dec(&bytes), ref_to_decimal(&bytes));
        }

        #[test]
        fn round_trip_256(bytes in proptest::array::uniform32(any::<u8>()), top in 0usize..=256) {
            // 256-byte values with `top` significant bytes.
            let mut block = [0u8; 256];
            for (i, b) in block[256 - top..].iter_mut().enumerate() {
                *b = bytes[i % 32] ^ (i as u8);
            }
            let text = dec(&block);
            prop_assert_eq!(&text, &ref_to_decimal(&block));
            prop_assert_eq!(parse(&text), Ok(block));
            prop_assert_eq!(be_bit_length(&block), ref_bit_length(&block));
        }

        #[test]
        fn from_decimal_matches_reference(digits in "[0-9]{1,640}") {
            let expected = ref_from_decimal(&digits, 256);
            let got = parse(&digits).ok().map(|b| b.to_vec());
            prop_assert_eq!(got, expected);
        }
    }

    fn ref_bit_length(bytes: &[u8]) -> usize {
        let mut bits = 0;
        for (i, &b) in bytes.iter().enumerate() {
            for k in 0..8 {
                if b >> k & 1 == 1 {
                    bits = bits.max((bytes.len() - 1 - i) * 8 + k + 1);
                }
            }
        }
        bits
    }
}
