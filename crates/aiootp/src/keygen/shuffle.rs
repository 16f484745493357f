//! `permute`, `shuffle` and `unshuffle` of the reference's `randoms`
//! (spec `utilities.md` §3.2), with the CPython 3.8 Mersenne Twister they
//! depend on.

use sha2::{Digest, Sha512};
use zeroize::{Zeroize, Zeroizing};

use crate::compat::hash::sha3_512_hex;
use crate::compat::{Key, PyValue};
use crate::error::KeygenError;

/// The reference's `permute(sequence, key, salt)` for a sequence of `len`
/// elements: the indices `0..len` in the order CPython's
/// `random.Random(seed).shuffle` puts them, with `seed =
/// sha_512_hmac(salt, key=key)` (128 hex characters).
///
/// ```
/// use aiootp::compat::{Key, PyValue};
/// use aiootp::keygen::permute;
///
/// let order = permute(8, &Key::new("k"), &PyValue::from("s"))?;
/// assert_eq!(order, [0, 1, 4, 6, 5, 7, 3, 2]);
/// # Ok::<(), aiootp::error::KeygenError>(())
/// ```
///
/// Any key is accepted, the empty one too (the reference's default is
/// `key=None`: `Key::from_value(&PyValue::None)`).
///
/// # Errors
/// [`KeygenError::TooLong`] beyond `2^32 − 1` elements (CPython then draws
/// more than 32 bits per step; not reproduced).
///
/// # Security
/// Mersenne Twister is not a cryptographic generator: its outputs reveal
/// its state (spec weakness U2). Use this only to reproduce the
/// reference's orderings.
pub fn permute(len: usize, key: &Key, salt: &PyValue) -> Result<Vec<usize>, KeygenError> {
    if u32::try_from(len).is_err() {
        return Err(KeygenError::TooLong { len });
    }
    let seed = Zeroizing::new(seed_text(key, salt));
    let mut mt = MersenneTwister::from_str_seed(&seed);
    let mut order: Vec<usize> = (0..len).collect();
    // random.shuffle of CPython 3.8: for i from len-1 down to 1, swap with
    // j = _randbelow(i + 1).
    for i in (1..len).rev() {
        // i + 1 <= len <= u32::MAX.
        let j = mt.below(i as u32 + 1) as usize;
        order.swap(i, j);
    }
    Ok(order)
}

/// The reference's `shuffle(sequence, key, salt)`: the items in
/// [`permute`] order (`out[k] = items[order[k]]`).
///
/// ```
/// use aiootp::compat::{Key, PyValue};
/// use aiootp::keygen::{shuffle, unshuffle};
///
/// let (key, salt) = (Key::new("k"), PyValue::from("s"));
/// let mixed = shuffle(vec!['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], &key, &salt)?;
/// assert_eq!(mixed, ['a', 'b', 'e', 'g', 'f', 'h', 'd', 'c']);
/// assert_eq!(unshuffle(mixed, &key, &salt)?, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
/// # Ok::<(), aiootp::error::KeygenError>(())
/// ```
///
/// # Errors
/// As [`permute`].
pub fn shuffle<T>(items: Vec<T>, key: &Key, salt: &PyValue) -> Result<Vec<T>, KeygenError> {
    let order = permute(items.len(), key, salt)?;
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    Ok(order
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect())
}

/// The reference's `unshuffle(sequence, key, salt)`: the inverse of
/// [`shuffle`] with the same key and salt (`out[order[k]] = items[k]`).
///
/// # Errors
/// As [`permute`].
pub fn unshuffle<T>(items: Vec<T>, key: &Key, salt: &PyValue) -> Result<Vec<T>, KeygenError> {
    let order = permute(items.len(), key, salt)?;
    let mut slots: Vec<Option<T>> = (0..items.len()).map(|_| None).collect();
    for (item, &place) in items.into_iter().zip(&order) {
        if let Some(slot) = slots.get_mut(place) {
            *slot = Some(item);
        }
    }
    Ok(slots.into_iter().flatten().collect())
}

/// `sha_512_hmac(salt, key=key)` = `sha_512(sha_512(salt, key), key)`,
/// written with the key's `repr` (no copy of the key as a [`PyValue`]).
fn seed_text(key: &Key, salt: &PyValue) -> String {
    let mut text = Zeroizing::new(String::new());
    text.push('(');
    salt.write_repr(&mut text);
    text.push_str(", ");
    text.push_str(key.repr());
    text.push(')');
    let inner = Zeroizing::new(sha3_512_hex(text.as_bytes()));
    text.clear();
    text.push_str("('");
    text.push_str(&inner);
    text.push_str("', ");
    text.push_str(key.repr());
    text.push(')');
    sha3_512_hex(text.as_bytes())
}

const N: usize = 624;
const M: usize = 397;

/// MT19937 as CPython's `_random` module runs it.
struct MersenneTwister {
    state: [u32; N],
    index: usize,
}

impl Drop for MersenneTwister {
    fn drop(&mut self) {
        self.state.zeroize();
    }
}

impl MersenneTwister {
    fn from_genrand(seed: u32) -> Self {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Self { state, index: N }
    }

    /// `init_by_array(key)`.
    fn from_array(key: &[u32]) -> Self {
        let mut mt = Self::from_genrand(19_650_218);
        let s = &mut mt.state;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = s[i - 1];
            s[i] = (s[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key.get(j).copied().unwrap_or(0))
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                s[0] = s[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = s[i - 1];
            s[i] =
                (s[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                s[0] = s[N - 1];
                i = 1;
            }
        }
        s[0] = 0x8000_0000;
        mt
    }

    /// `random.seed(text)` of CPython 3.8 (version 2 seeding of a `str`):
    /// the integer of `utf8(text) + SHA-512(utf8(text))`, big-endian, cut
    /// into 32-bit words least significant first.
    fn from_str_seed(text: &str) -> Self {
        let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() + 64));
        bytes.extend_from_slice(text.as_bytes());
        let digest = Sha512::digest(text.as_bytes());
        bytes.extend_from_slice(&digest);
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let mut words: Vec<u32> = bytes[start..]
            .rchunks(4)
            .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
            .collect();
        if words.is_empty() {
            // CPython seeds zero with one zero word.
            words.push(0);
        }
        let mt = Self::from_array(&words);
        words.zeroize();
        mt
    }

    fn next_u32(&mut self) -> u32 {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        if self.index >= N {
            let s = &mut self.state;
            for k in 0..N {
                let y = (s[k] & UPPER) | (s[(k + 1) % N] & LOWER);
                let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
                s[k] = s[(k + M) % N] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `_randbelow_with_getrandbits(n)` of CPython 3.8 for `2 <= n`:
    /// `k = n.bit_length()`, draw `getrandbits(k)` (the top `k` bits of one
    /// output) until it is below `n`.
    fn below(&mut self, n: u32) -> u32 {
        let k = 32 - n.leading_zeros();
        loop {
            let r = self.next_u32() >> (32 - k);
            if r < n {
                return r;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference outputs of MT19937 (`mt19937ar.c`,
    /// `init_by_array({0x123, 0x234, 0x345, 0x456})`).
    #[test]
    fn matches_the_reference_generator() {
        let mut mt = MersenneTwister::from_array(&[0x123, 0x234, 0x345, 0x456]);
        let first: Vec<u32> = (0..5).map(|_| mt.next_u32()).collect();
        assert_eq!(
            first,
            [
                1_067_595_299,
                955_945_823,
                477_289_528,
                4_107_218_783,
                4_228_976_476
            ]
        );
    }

    #[test]
    fn below_stays_below() {
        let mut mt = MersenneTwister::from_genrand(5489);
        for n in [2u32, 3, 7, 8, 1000, u32::MAX] {
            for _ in 0..100 {
                assert!(mt.below(n) < n);
            }
        }
    }

    #[test]
    fn permutations_are_permutations() {
        let key = Key::new("k");
        for len in [0usize, 1, 2, 3, 10, 100] {
            let mut order = permute(len, &key, &PyValue::from("s")).unwrap();
            order.sort_unstable();
            assert!(order.iter().copied().eq(0..len));
        }
    }
}
