//! The cipher steps `bytes_encipher` / `bytes_decipher` and
//! `map_encipher` / `map_decipher` (spec `cipher.md` §14–15), each with a
//! validator so that they cannot be used unauthenticated.
//!
//! The blocks are the reference's, byte for byte: block `i` is the item
//! (a big-endian integer of at most 256 significant bytes) XOR key block
//! `i` of the compat cipher keystream ([`crate::compat::ratchet`]). The
//! reference stops there. Here the validator adds the tag the reference's
//! `bytes_encrypt` writes, `sha_256_hmac(sha_512(C, salt, pid), key)`
//! over the list `C` of ciphertext integers:
//!
//! * the encipher adapters compute it as the blocks go by and hand it out
//!   at the end (`finalize`), so `padded plaintext → bytes_encipher` plus
//!   the tag is exactly a reference `bytes_encrypt` ciphertext;
//! * the decipher adapters take the expected tag up front, read the whole
//!   ciphertext, check the tag in constant time, and only then yield
//!   plaintext blocks: a forged or damaged message yields one
//!   [`CipherError::Authentication`] item and no plaintext. (So they
//!   buffer the ciphertext; that is the price of never releasing
//!   unauthenticated plaintext.)
//!
//! The map forms tag with the map's keystream pid (default
//! `sha_256(key, salt)`), whose keystream enciphers the blocks.

use std::collections::VecDeque;

use zeroize::Zeroizing;

use super::adapter::Transduce;
use crate::compat::bignum::be_to_decimal;
use crate::compat::hash::sha3_256_hex;
use crate::compat::hashmap::MapPids;
use crate::compat::pyvalue::repr_str;
use crate::compat::ratchet::{CipherKeystream, KeyStream};
use crate::compat::{Key, PyValue, Salt};
use crate::error::{CipherError, Error};
use crate::keccak::{Sha3_256, Sha3_512};
use crate::random::to_hex;
use crate::secret::ct_eq;

/// One enciphered or deciphered block: 256 big-endian bytes.
pub type Block = [u8; 256];

/// The tag computation: the decimal text of the ciphertext integers
/// streamed into SHA3-512, then the nested SHA3-256 "hmac" with the key.
struct Tagger {
    hash: Sha3_512,
    first: bool,
    digits: Vec<u8>,
}

impl Tagger {
    fn new() -> Self {
        let mut hash = Sha3_512::new();
        hash.update(b"([");
        Self {
            hash,
            first: true,
            digits: Vec::with_capacity(640),
        }
    }

    fn push(&mut self, block: &[u8]) {
        self.digits.clear();
        if !self.first {
            self.digits.extend_from_slice(b", ");
        }
        self.first = false;
        be_to_decimal(block, &mut self.digits);
        self.hash.update(&self.digits);
    }

    fn finish(mut self, salt_repr: &str, pid_repr: &str, key_repr: &str) -> String {
        self.hash.update(b"], ");
        self.hash.update(salt_repr.as_bytes());
        self.hash.update(b", ");
        self.hash.update(pid_repr.as_bytes());
        self.hash.update(b")");
        let x = to_hex(&self.hash.finalize());
        let pair = |x: &str| {
            let mut h = Sha3_256::new();
            h.update(b"('");
            h.update(x.as_bytes());
            h.update(b"', ");
            h.update(key_repr.as_bytes());
            h.update(b")");
            to_hex(&h.finalize())
        };
        pair(&pair(&x))
    }
}

/// The keystream, validator and context of one message.
struct Core {
    ks: CipherKeystream,
    tagger: Option<Tagger>,
    key_repr: Zeroizing<String>,
    salt_repr: String,
    pid_repr: String,
}

impl Core {
    fn new(key: &Key, salt: &Salt, pid: &PyValue) -> Result<Self, CipherError> {
        key.check()?;
        let salt_repr = salt.repr();
        let pid_repr = pid.repr();
        Ok(Self {
            ks: CipherKeystream::new(key.repr(), &salt_repr, &pid_repr),
            tagger: Some(Tagger::new()),
            key_repr: Zeroizing::new(key.repr().to_owned()),
            salt_repr,
            pid_repr,
        })
    }

    /// XORs the next key block with the big-endian integer `item` (the
    /// reference's `bytes_xor` step); the key block is used either way.
    fn xor(&mut self, item: &[u8]) -> Result<Block, CipherError> {
        let first = item.iter().position(|&b| b != 0).unwrap_or(item.len());
        let item = &item[first..];
        let mut block = [0u8; 256];
        self.ks.next_block(&mut block);
        if item.len() > 256 {
            zeroize::Zeroize::zeroize(&mut block);
            return Err(CipherError::BlockTooLarge);
        }
        for (b, x) in block[256 - item.len()..].iter_mut().zip(item) {
            *b ^= x;
        }
        Ok(block)
    }

    fn tag(&mut self) -> Option<String> {
        let tagger = self.tagger.take()?;
        Some(tagger.finish(&self.salt_repr, &self.pid_repr, &self.key_repr))
    }
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("salt", &self.salt_repr)
            .field("pid", &self.pid_repr)
            .finish_non_exhaustive()
    }
}

/// The transducer of `bytes_encipher`: yields `Ok(block)` per item, or
/// one `Err` and stops.
#[derive(Debug)]
pub struct BytesEncipher {
    core: Core,
    failed: bool,
}

impl BytesEncipher {
    pub(crate) fn new(key: &Key, salt: &Salt, pid: &PyValue) -> Result<Self, CipherError> {
        Ok(Self {
            core: Core::new(key, salt, pid)?,
            failed: false,
        })
    }

    /// The tag, when every item was enciphered.
    pub(crate) fn tag(&mut self) -> Option<String> {
        if self.failed {
            return None;
        }
        self.core.tag()
    }
}

impl<T: AsRef<[u8]>> Transduce<T> for BytesEncipher {
    type Out = Result<Block, CipherError>;

    fn push(&mut self, item: T, out: &mut VecDeque<Self::Out>) -> bool {
        match self.core.xor(item.as_ref()) {
            Ok(block) => {
                if let Some(t) = self.core.tagger.as_mut() {
                    t.push(&block);
                }
                out.push_back(Ok(block));
                true
            }
            Err(e) => {
                self.failed = true;
                out.push_back(Err(e));
                false
            }
        }
    }

    fn finish(&mut self, _: &mut VecDeque<Self::Out>) {}
}

/// The transducer of `map_encipher`: yields `Ok((name, block))` per
/// item, names from the map's names stream.
#[derive(Debug)]
pub struct MapEncipher {
    inner: BytesEncipher,
    names: KeyStream,
}

/// The keystream pid of a map: `pids.keystream`, by default
/// `sha_256(key, salt)` (a str).
fn map_keystream_pid(key: &Key, salt: &Salt, pids: &MapPids) -> PyValue {
    pids.keystream.clone().unwrap_or_else(|| {
        let mut text = Zeroizing::new(String::from("("));
        text.push_str(key.repr());
        text.push_str(", ");
        repr_str(salt.as_str(), &mut text);
        text.push(')');
        PyValue::Str(sha3_256_hex(text.as_bytes()))
    })
}

fn map_check(key: &Key, salt: &Salt) -> Result<(), CipherError> {
    key.check()?;
    if salt.as_str().is_empty() {
        // The names stream would draw a random salt.
        return Err(CipherError::MissingSalt);
    }
    Ok(())
}

impl MapEncipher {
    pub(crate) fn new(key: &Key, salt: &Salt, pids: &MapPids) -> Result<Self, CipherError> {
        map_check(key, salt)?;
        let pid = map_keystream_pid(key, salt, pids);
        let names = KeyStream::new(key, Some(salt), &pids.names).map_err(|e| match e {
            Error::Cipher(c) => c,
            _ => CipherError::MissingKey,
        })?;
        Ok(Self {
            inner: BytesEncipher::new(key, salt, &pid)?,
            names,
        })
    }

    pub(crate) fn tag(&mut self) -> Option<String> {
        self.inner.tag()
    }
}

impl<T: AsRef<[u8]>> Transduce<T> for MapEncipher {
    type Out = Result<(String, Block), CipherError>;

    fn push(&mut self, item: T, out: &mut VecDeque<Self::Out>) -> bool {
        let mut one = VecDeque::with_capacity(1);
        let go = self.inner.push(item, &mut one);
        for r in one {
            match r {
                Ok(block) => {
                    let name = self.names.next().unwrap_or_default();
                    out.push_back(Ok((name, block)));
                }
                Err(e) => out.push_back(Err(e)),
            }
        }
        go
    }

    fn finish(&mut self, _: &mut VecDeque<Self::Out>) {}
}

/// The transducer of `bytes_decipher` and `map_decipher`: reads every
/// ciphertext block, checks the tag, then yields `Ok(block)` per
/// plaintext block, or a single `Err`.
pub struct BytesDecipher {
    core: Core,
    hmac: String,
    blocks: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for BytesDecipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BytesDecipher")
            .field("core", &self.core)
            .field("blocks", &(self.blocks.len() / 256))
            .finish_non_exhaustive()
    }
}

impl BytesDecipher {
    pub(crate) fn new(
        key: &Key,
        salt: &Salt,
        pid: &PyValue,
        hmac: &str,
    ) -> Result<Self, CipherError> {
        if hmac.is_empty() {
            return Err(CipherError::MissingHmac);
        }
        Ok(Self {
            core: Core::new(key, salt, pid)?,
            hmac: hmac.to_owned(),
            blocks: Zeroizing::new(Vec::new()),
        })
    }

    pub(crate) fn map(
        key: &Key,
        salt: &Salt,
        pids: &MapPids,
        hmac: &str,
    ) -> Result<Self, CipherError> {
        map_check(key, salt)?;
        Self::new(key, salt, &map_keystream_pid(key, salt, pids), hmac)
    }
}

impl<T: AsRef<[u8]>> Transduce<T> for BytesDecipher {
    type Out = Result<Block, CipherError>;

    fn push(&mut self, item: T, out: &mut VecDeque<Self::Out>) -> bool {
        let item = item.as_ref();
        let first = item.iter().position(|&b| b != 0).unwrap_or(item.len());
        let item = &item[first..];
        if item.len() > 256 {
            out.push_back(Err(CipherError::BlockTooLarge));
            return false;
        }
        let mut block = [0u8; 256];
        block[256 - item.len()..].copy_from_slice(item);
        if let Some(t) = self.core.tagger.as_mut() {
            t.push(&block);
        }
        self.blocks.extend_from_slice(&block);
        true
    }

    fn finish(&mut self, out: &mut VecDeque<Self::Out>) {
        let expected = self.core.tag().unwrap_or_default();
        if !ct_eq(expected.as_bytes(), self.hmac.as_bytes()) {
            out.push_back(Err(CipherError::Authentication));
            return;
        }
        for chunk in self.blocks.chunks_exact(256) {
            match self.core.xor(chunk) {
                Ok(block) => out.push_back(Ok(block)),
                Err(e) => {
                    out.push_back(Err(e));
                    return;
                }
            }
        }
    }
}
