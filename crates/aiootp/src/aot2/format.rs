//! The AOT2 byte layout and the per-chunk construction (no I/O).
//!
//! Everything here follows `docs/format-aot2.md`, which fixes the bytes;
//! the names below are the ones that document uses.
//!
//! - [`Subkeys::derive`]: `(k_mac, k_enc)` from key, salt and ctx.
//! - [`Subkeys::seal_chunk`] / [`Subkeys::open_chunk`]: one record, in
//!   place (the tag is a KT256 synthetic IV over the plaintext chunk, the
//!   keystream counter-mode TurboSHAKE256 from the tag).
//! - [`Chain`]: the hash of the tags before the last chunk, which the
//!   last chunk's tag binds ([`Place::Last`]).
//! - [`Layout`]: the padded plaintext stream `Q`, its chunks and the
//!   message length, for a data length or from a message length.

use std::num::NonZeroUsize;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::Aot2Error;
use crate::keccak::{Kt256, TurboShake256, turboshake256_xor_keystream};
use crate::secret::ct_eq;

/// Bytes of the salt at the start of every message.
pub const SALT_LEN: usize = 32;
/// Bytes of a record's tag (the synthetic IV).
pub const TAG_LEN: usize = 32;
/// Bytes of plaintext in a chunk (`C`): every chunk but the last holds
/// exactly this many.
pub const CHUNK_LEN: usize = 65536;
/// Bytes of a full record: tag and chunk.
pub const RECORD_LEN: usize = TAG_LEN + CHUNK_LEN;
/// Every message's length is a multiple of this.
pub const SIZE_UNIT: usize = 256;
/// The least length of a key, in bytes.
pub const MIN_KEY_LEN: usize = 32;
/// How far in the future (seconds) a message's timestamp may lie when a
/// `ttl` is checked.
pub const FUTURE_SKEW_SECONDS: u64 = 60;
/// The length of the smallest message (an empty plaintext).
pub const MIN_MESSAGE_LEN: usize = 256;

/// Bytes of the timestamp at the start of the plaintext stream.
pub(crate) const TIMESTAMP_LEN: usize = 8;
/// Bytes of the length field at the end of the last chunk.
pub(crate) const TRAILER_LEN: usize = 8;
/// The most zero padding [`Layout::for_data`] ever inserts (see the tests).
pub(crate) const MAX_PAD: usize = 479;
/// Keystream block length (one TurboSHAKE256 output per 8 KiB).
const KEYSTREAM_BLOCK: usize = 8192;

/// The KDF's label, the first field of its input.
pub(crate) const KDF_LABEL: &[u8] = b"aiootp aot2 kdf";
/// TurboSHAKE256 domain byte of the KDF.
pub(crate) const KDF_DOMAIN: u8 = 0x41;
/// TurboSHAKE256 domain byte of the keystream blocks.
pub(crate) const STREAM_DOMAIN: u8 = 0x42;
/// TurboSHAKE256 domain byte of the chain of tags bound by the last tag.
pub(crate) const CHAIN_DOMAIN: u8 = 0x43;
/// KT256 customization string of the tags.
pub(crate) const TAG_CUSTOM: &[u8] = b"aiootp aot2 tag";

/// `lp(x)`: `x`'s length as 8 little-endian bytes.
fn lp_len(x: &[u8]) -> [u8; 8] {
    (x.len() as u64).to_le_bytes()
}

/// Where a chunk stands in its message, as its tag binds it besides the
/// index and the plaintext.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place<'a> {
    /// Not the last chunk: `u8(0)`.
    Inner,
    /// The last chunk: `u8(1)`, then the [`Chain`] of the tags of the
    /// chunks before it — present exactly when there are some (index > 0).
    Last(Option<&'a [u8; TAG_LEN]>),
}

/// `chain = TurboSHAKE256(tag_0 ‖ … ‖ tag_{m-2}, D = 0x43, L = 32)`,
/// absorbed one tag at a time (bounded memory for streams). The tags are
/// in the message in clear, so the chain is no secret.
#[derive(Clone)]
pub(crate) struct Chain {
    hash: TurboShake256,
    tags: u64,
}

impl Chain {
    /// No tags yet.
    pub(crate) fn new() -> Self {
        Self {
            hash: TurboShake256::new(CHAIN_DOMAIN),
            tags: 0,
        }
    }

    /// The chain of `tags`, in order.
    pub(crate) fn of<'t>(tags: impl IntoIterator<Item = &'t [u8; TAG_LEN]>) -> Self {
        let mut chain = Self::new();
        for tag in tags {
            chain.push(tag);
        }
        chain
    }

    /// Appends the tag of the next (non-last) chunk.
    pub(crate) fn push(&mut self, tag: &[u8; TAG_LEN]) {
        self.hash.update(tag);
        self.tags += 1;
    }

    /// The chain value, `None` before any tag (a message of one chunk has
    /// no chain).
    pub(crate) fn value(&self) -> Option<[u8; TAG_LEN]> {
        if self.tags == 0 {
            return None;
        }
        let mut out = [0u8; TAG_LEN];
        self.hash.clone().finalize_into(&mut out);
        Some(out)
    }
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain").field("tags", &self.tags).finish()
    }
}

/// The two 64-byte subkeys of one message, kept length-prefixed as the
/// tag and keystream inputs take them. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Subkeys {
    /// `lp(k_mac)`.
    mac: [u8; 72],
    /// `lp(k_enc)`.
    enc: [u8; 72],
}

impl std::fmt::Debug for Subkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Subkeys(***)")
    }
}

impl Subkeys {
    /// `TurboSHAKE256(lp("aiootp aot2 kdf") ‖ lp(key) ‖ lp(salt) ‖ lp(ctx),
    /// D = 0x41, L = 128)`, split in `k_mac ‖ k_enc`.
    pub(crate) fn derive(key: &[u8], salt: &[u8; SALT_LEN], ctx: &[u8]) -> Self {
        let mut h = TurboShake256::new(KDF_DOMAIN);
        for field in [KDF_LABEL, key, salt.as_slice(), ctx] {
            h.update(&lp_len(field));
            h.update(field);
        }
        let mut out = [0u8; 128];
        h.finalize_into(&mut out);
        let mut keys = Self {
            mac: [0; 72],
            enc: [0; 72],
        };
        keys.mac[..8].copy_from_slice(&64u64.to_le_bytes());
        keys.mac[8..].copy_from_slice(&out[..64]);
        keys.enc[..8].copy_from_slice(&64u64.to_le_bytes());
        keys.enc[8..].copy_from_slice(&out[64..]);
        out.zeroize();
        keys
    }

    /// `KT256(lp(k_mac) ‖ le64(index) ‖ u8(last) ‖ [chain] ‖ chunk,
    /// "aiootp aot2 tag", 32)`: the chain of the earlier tags only for a
    /// last chunk after others.
    pub(crate) fn tag(&self, index: u64, place: Place<'_>, chunk: &[u8]) -> [u8; TAG_LEN] {
        let mut h = self.tag_hasher(index, place);
        h.update(chunk);
        let mut tag = [0u8; TAG_LEN];
        h.finalize_into(&mut tag);
        tag
    }

    /// The tag's KT256 hasher with everything before the chunk absorbed.
    fn tag_hasher(&self, index: u64, place: Place<'_>) -> Kt256 {
        let mut header = [0u8; 81 + TAG_LEN];
        header[..72].copy_from_slice(&self.mac);
        header[72..80].copy_from_slice(&index.to_le_bytes());
        let header_len = match place {
            Place::Inner => 81,
            Place::Last(chain) => {
                debug_assert_eq!(chain.is_some(), index > 0, "a chain iff index > 0");
                header[80] = 1;
                match chain {
                    Some(chain) => {
                        header[81..].copy_from_slice(chain);
                        81 + TAG_LEN
                    }
                    None => 81,
                }
            }
        };
        let mut h = Kt256::new(TAG_CUSTOM);
        h.update(&header[..header_len]);
        header.zeroize();
        h
    }

    /// XORs the keystream of `tag` into `chunk`: block `j` (8 KiB) is
    /// `TurboSHAKE256(lp(k_enc) ‖ tag ‖ le64(j), D = 0x42, L = 8192)`.
    pub(crate) fn xor_keystream(&self, tag: &[u8; TAG_LEN], chunk: &mut [u8]) {
        let mut prefix = [0u8; 72 + TAG_LEN];
        prefix[..72].copy_from_slice(&self.enc);
        prefix[72..].copy_from_slice(tag);
        let block = NonZeroUsize::new(KEYSTREAM_BLOCK).unwrap_or(NonZeroUsize::MIN);
        turboshake256_xor_keystream(&prefix, STREAM_DOMAIN, 0, block, chunk);
        prefix.zeroize();
    }

    /// Encrypts chunk `index` in place and returns its tag.
    pub(crate) fn seal_chunk(
        &self,
        index: u64,
        place: Place<'_>,
        chunk: &mut [u8],
    ) -> [u8; TAG_LEN] {
        let tag = self.tag(index, place, chunk);
        self.xor_keystream(&tag, chunk);
        tag
    }

    /// Seals chunk `index` of a stream in place: the last one with the
    /// chain of the tags before it, the others joining that chain.
    pub(crate) fn seal_next(
        &self,
        index: u64,
        last: bool,
        chain: &mut Chain,
        chunk: &mut [u8],
    ) -> [u8; TAG_LEN] {
        if last {
            let value = chain.value();
            self.seal_chunk(index, Place::Last(value.as_ref()), chunk)
        } else {
            let tag = self.seal_chunk(index, Place::Inner, chunk);
            chain.push(&tag);
            tag
        }
    }

    /// Opens chunk `index` of a stream in place ([`Self::open_chunk`]):
    /// the last one against the chain of the tags before it (a record
    /// spliced in from another message fails here), the others joining
    /// that chain once verified.
    pub(crate) fn open_next(
        &self,
        index: u64,
        last: bool,
        chain: &mut Chain,
        tag: &[u8; TAG_LEN],
        chunk: &mut [u8],
    ) -> Result<(), Aot2Error> {
        if last {
            let value = chain.value();
            self.open_chunk(index, Place::Last(value.as_ref()), tag, chunk)
        } else {
            self.open_chunk(index, Place::Inner, tag, chunk)?;
            chain.push(tag);
            Ok(())
        }
    }

    /// Decrypts chunk `index` in place and checks its tag; on failure the
    /// chunk is zeroed (no unverified plaintext stays behind).
    pub(crate) fn open_chunk(
        &self,
        index: u64,
        place: Place<'_>,
        tag: &[u8; TAG_LEN],
        chunk: &mut [u8],
    ) -> Result<(), Aot2Error> {
        // Decrypting and hashing in one pass lets a small chunk's
        // keystream and tag permutations run together in SIMD lanes.
        let mut prefix = [0u8; 72 + TAG_LEN];
        prefix[..72].copy_from_slice(&self.enc);
        prefix[72..].copy_from_slice(tag);
        let block = NonZeroUsize::new(KEYSTREAM_BLOCK).unwrap_or(NonZeroUsize::MIN);
        let mut h = self.tag_hasher(index, place);
        h.update_xor_keystream(&prefix, STREAM_DOMAIN, 0, block, chunk);
        prefix.zeroize();
        let mut want = [0u8; TAG_LEN];
        h.finalize_into(&mut want);
        if ct_eq(&want, tag) {
            Ok(())
        } else {
            chunk.zeroize();
            Err(Aot2Error::Authentication)
        }
    }
}

/// The shape of a message: the plaintext stream `Q = le64(timestamp) ‖
/// data ‖ 0^pad ‖ le64(len(data))`, its chunks and the total length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// `len(data)`.
    pub(crate) data_len: u64,
    /// Zero bytes between the data and the length field.
    pub(crate) pad: u64,
    /// `|Q|`.
    pub(crate) q_len: u64,
    /// Chunks (= records), at least 1.
    pub(crate) chunks: u64,
    /// The message length: `32 + 32 * chunks + |Q|`, a multiple of 256.
    pub(crate) message_len: u64,
}

impl Layout {
    /// The layout of a message of `data_len` bytes of data: `pad` is the
    /// least that makes the message length a multiple of 256. `None` if
    /// the lengths overflow 64 bits.
    pub(crate) fn for_data(data_len: u64) -> Option<Self> {
        let chunk = CHUNK_LEN as u64;
        let q0 = data_len.checked_add((TIMESTAMP_LEN + TRAILER_LEN) as u64)?;
        let m0 = q0.div_ceil(chunk);
        let l0 = q0 - (m0 - 1) * chunk;
        // The message is 32 + 32 * m + (m - 1) * C + l bytes and C is a
        // multiple of 256: the last chunk's length l must be
        // -32 * (m + 1) modulo 256.
        let want = |m: u64| (256 - (m.wrapping_add(1).wrapping_mul(32) % 256)) % 256;
        let l = l0 + (want(m0) + 256 - l0 % 256) % 256;
        let (chunks, pad) = if l <= chunk {
            (m0, l - l0)
        } else {
            let m = m0 + 1;
            let l = match want(m) {
                0 => 256,
                w => w,
            };
            (m, chunk - l0 + l)
        };
        let q_len = q0.checked_add(pad)?;
        let message_len = chunks
            .checked_add(1)?
            .checked_mul(TAG_LEN as u64)?
            .checked_add(q_len)?;
        Some(Self {
            data_len,
            pad,
            q_len,
            chunks,
            message_len,
        })
    }

    /// The record structure a message of `message_len` bytes has:
    /// `(chunks, |Q|)`, or `None` if no message has that length (not a
    /// multiple of 256, too short, or a last record too short for the
    /// length field). Whether the length is the canonical one for the
    /// data length found inside is [`Layout::check`]'s job.
    pub(crate) fn records_of(message_len: u64) -> Option<(u64, u64)> {
        if message_len < MIN_MESSAGE_LEN as u64 || !message_len.is_multiple_of(SIZE_UNIT as u64) {
            return None;
        }
        let records = message_len - SALT_LEN as u64;
        let chunks = records.div_ceil(RECORD_LEN as u64);
        let last_record = records - (chunks - 1) * RECORD_LEN as u64;
        let last_chunk = last_record.checked_sub(TAG_LEN as u64)?;
        if last_chunk < TRAILER_LEN as u64 {
            return None;
        }
        Some((chunks, (chunks - 1) * CHUNK_LEN as u64 + last_chunk))
    }

    /// The layout for the data length `data_len` read from a last chunk,
    /// if it is the one of a stream of `q_len` bytes in `chunks` chunks.
    pub(crate) fn check(data_len: u64, q_len: u64, chunks: u64) -> Result<Self, Aot2Error> {
        match Self::for_data(data_len) {
            Some(layout) if layout.q_len == q_len && layout.chunks == chunks => Ok(layout),
            _ => Err(Aot2Error::Authentication),
        }
    }

    /// Appends `Q[offset .. offset + len]` to `out`.
    pub(crate) fn extend_q(
        &self,
        timestamp: u64,
        data: &[u8],
        offset: u64,
        len: u64,
        out: &mut Vec<u8>,
    ) {
        let ts = timestamp.to_le_bytes();
        let trailer = self.data_len.to_le_bytes();
        let data_end = TIMESTAMP_LEN as u64 + self.data_len;
        let pad_end = data_end + self.pad;
        let end = offset + len;
        let mut append = |start: u64, src: Option<&[u8]>, len: u64| {
            let lo = start.max(offset);
            let hi = (start + len).min(end);
            if lo < hi {
                match src {
                    Some(s) => {
                        out.extend_from_slice(&s[(lo - start) as usize..(hi - start) as usize]);
                    }
                    None => out.resize(out.len() + (hi - lo) as usize, 0),
                }
            }
        };
        append(0, Some(&ts), TIMESTAMP_LEN as u64);
        append(TIMESTAMP_LEN as u64, Some(data), self.data_len);
        append(data_end, None, self.pad);
        append(pad_end, Some(&trailer), TRAILER_LEN as u64);
    }

    /// Bytes in chunk `index` (`< chunks`).
    pub(crate) fn chunk_len(&self, index: u64) -> u64 {
        (self.q_len - index * CHUNK_LEN as u64).min(CHUNK_LEN as u64)
    }
}

/// Reads the little-endian `u64` in `bytes[at..at + 8]`.
pub(crate) fn le64(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The time check of opening: with `ttl > 0`, a timestamp older than
/// `now - ttl` has expired and one later than `now + 60` is from the
/// future; `ttl == 0` checks nothing.
pub(crate) fn check_time(timestamp: u64, now: u64, ttl: u64) -> Result<(), Aot2Error> {
    if ttl == 0 {
        return Ok(());
    }
    if timestamp > now.saturating_add(FUTURE_SKEW_SECONDS) {
        return Err(Aot2Error::FromTheFuture {
            seconds: timestamp - now,
        });
    }
    let limit = timestamp.saturating_add(ttl);
    if now > limit {
        return Err(Aot2Error::Expired {
            seconds: now - limit,
        });
    }
    Ok(())
}

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_canonical_and_parses_back() {
        let c = CHUNK_LEN as u64;
        let mut lens: Vec<u64> = (0..2000).collect();
        for k in 1..17u64 {
            for off in 0..1100u64 {
                lens.push(k * c - 600 + off);
            }
        }
        let mut max_pad = 0;
        let mut max_spill = 0;
        for d in lens {
            let l = Layout::for_data(d).unwrap();
            assert_eq!(l.message_len % 256, 0, "d={d}");
            assert_eq!(l.q_len, d + 16 + l.pad);
            assert_eq!(l.chunks, l.q_len.div_ceil(c));
            assert_eq!(l.message_len, 32 + 32 * l.chunks + l.q_len);
            // The least padding: no smaller pad gives a multiple of 256.
            for p in 0..l.pad {
                let q = d + 16 + p;
                assert_ne!((32 + 32 * q.div_ceil(c) + q) % 256, 0, "d={d} p={p}");
            }
            // The last chunk holds at least 32 bytes, so the length field.
            let last = l.q_len - (l.chunks - 1) * c;
            assert!(last >= 32, "d={d}");
            // Padding reaches at most 231 bytes back into the chunk
            // before the last.
            let data_end = 8 + d;
            assert!((l.chunks - 1) * c <= data_end + 231, "d={d}");
            max_spill = max_spill.max(((l.chunks - 1) * c).saturating_sub(data_end));
            assert_eq!(Layout::records_of(l.message_len), Some((l.chunks, l.q_len)));
            assert_eq!(Layout::check(d, l.q_len, l.chunks), Ok(l));
            max_pad = max_pad.max(l.pad);
        }
        assert_eq!(max_pad, MAX_PAD as u64);
        assert_eq!(max_spill, 231);
        assert_eq!(Layout::for_data(0).unwrap().message_len, 256);
        assert_eq!(Layout::for_data(176).unwrap().message_len, 256);
        assert_eq!(Layout::for_data(177).unwrap().message_len, 512);
        assert_eq!(Layout::for_data(u64::MAX), None);
    }

    #[test]
    fn impossible_lengths_are_refused() {
        for n in [0u64, 255, 257, 300, 512 + 1] {
            assert_eq!(Layout::records_of(n), None, "{n}");
        }
        // Six full records and a last record of 32 bytes: a multiple of
        // 256, but no room for the length field after the tag.
        let n = 32 + 6 * RECORD_LEN as u64 + 32;
        assert_eq!(n % 256, 0);
        assert_eq!(Layout::records_of(n), None);
        assert_eq!(
            Layout::records_of(n + 256),
            Some((7, 6 * CHUNK_LEN as u64 + 256))
        );
    }

    #[test]
    fn chain_hashes_the_tags_in_order() {
        use crate::keccak::turboshake256;
        assert_eq!(Chain::new().value(), None);
        let tags: Vec<[u8; TAG_LEN]> = (0..9u8).map(|i| [i; TAG_LEN]).collect();
        for n in 1..tags.len() {
            let mut want = [0u8; TAG_LEN];
            turboshake256(&tags[..n].concat(), CHAIN_DOMAIN, &mut want);
            let chain = Chain::of(&tags[..n]);
            assert_eq!(chain.value(), Some(want), "{n}");
            // Reading the value does not end the chain.
            assert_eq!(chain.value(), Some(want), "{n}");
        }
        let mut swapped = tags.clone();
        swapped.swap(0, 1);
        assert_ne!(Chain::of(&tags).value(), Chain::of(&swapped).value());
    }

    #[test]
    fn the_last_tag_binds_the_chain() {
        let keys = Subkeys::derive(&[1; 32], &[2; SALT_LEN], b"ctx");
        let chunk = [5u8; 100];
        let (c1, c2) = ([7u8; TAG_LEN], [8u8; TAG_LEN]);
        let inner = keys.tag(1, Place::Inner, &chunk);
        let last = keys.tag(1, Place::Last(Some(&c1)), &chunk);
        assert_ne!(inner, last);
        assert_ne!(last, keys.tag(1, Place::Last(Some(&c2)), &chunk));
        // The chain is a header field, not a prefix of the chunk: the
        // encoding is fixed-length, so the two inputs differ.
        let mut header = Vec::from(keys.mac);
        header.extend_from_slice(&1u64.to_le_bytes());
        header.push(1);
        header.extend_from_slice(&c1);
        header.extend_from_slice(&chunk);
        let mut want = [0u8; TAG_LEN];
        crate::keccak::kt256(&header, TAG_CUSTOM, &mut want);
        assert_eq!(last, want);
        // A single chunk: no chain, the header of 81 bytes.
        let only = keys.tag(0, Place::Last(None), &chunk);
        let mut header = Vec::from(keys.mac);
        header.extend_from_slice(&0u64.to_le_bytes());
        header.push(1);
        header.extend_from_slice(&chunk);
        crate::keccak::kt256(&header, TAG_CUSTOM, &mut want);
        assert_eq!(only, want);
    }

    #[test]
    fn time_checks() {
        assert_eq!(check_time(100, 10_000, 0), Ok(()));
        assert_eq!(check_time(100, 200, 100), Ok(()));
        assert_eq!(
            check_time(100, 201, 100),
            Err(Aot2Error::Expired { seconds: 1 })
        );
        assert_eq!(check_time(260, 200, 100), Ok(()));
        assert_eq!(
            check_time(261, 200, 100),
            Err(Aot2Error::FromTheFuture { seconds: 61 })
        );
    }
}
