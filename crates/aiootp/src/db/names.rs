//! Key derivation and file names of the compat database format (spec
//! `database.md` §4). No I/O.
//!
//! **Hazardous material**: these are the raw derivations, exposed for test
//! vectors, interoperability checks and tools. Open databases with
//! [`Database`](super::Database) instead.
//!
//! Every derivation hashes Python `repr` text. The secrets here are hex
//! strings, whose `repr` is the text in single quotes, so the hashed texts
//! are built directly (in zeroized buffers) rather than through
//! [`PyValue`] tuples.

use std::fmt;

use zeroize::Zeroizing;

use crate::compat::pyvalue::repr_str;
use crate::compat::ratchet::Ratchet;
use crate::compat::{Key, PyValue};
use crate::error::DbError;
use crate::keccak::{Sha3_256, Sha3_512};
use crate::random::to_hex;

/// `NONE`: SHA3-512 hex of `"__NONE__"` followed by the digits of 2^512.
pub const NONE: &str = "de18fc5f9a1d61b090aa4001d15575bc7230eed3a3ba088b920085e2bdd1c46e1e5ff3e770467746bff17c89074a4f84ea47c36daf2f6979bbc0567c545a8ea7";
/// `MANIFEST`: the name under which the manifest key is derived.
pub const MANIFEST: &str = "d334b40e2431f36d356786313d43ad69d1f7f18de082442cd6d627971b0b22ab";
/// `METATAG`: the tag whose file name holds the list of child databases
/// inside the manifest (no file of that name exists).
pub const METATAG: &str = "3739466f8de3c06caca0056030f8d405f588eb179ab3f8c90319e9fdee418b91";
/// The name under which the root salt file's key is derived.
pub const SALT: &str = "salt";

/// Metatag names the reference refuses or cannot open: the attribute names
/// of its `Database` and `AsyncDatabase` classes and of their instances
/// (sorted). A child of such a name would break the reference's preload.
pub(crate) const RESERVED_NAMES: &[&str] = &[
    "_AsyncDatabase__aroot_salt",
    "_BASE_36_TABLE",
    "_Database__root_salt",
    "_ENCODING",
    "_MANIFEST",
    "_METATAG",
    "_NO_PROFILE_OR_CORRUPT",
    "_SALT",
    "__aenter__",
    "__aexit__",
    "__aiter__",
    "__contains__",
    "__delitem__",
    "__dict__",
    "__doc__",
    "__enter__",
    "__exit__",
    "__getitem__",
    "__init__",
    "__iter__",
    "__len__",
    "__module__",
    "__setitem__",
    "__weakref__",
    "_aclose_manifest",
    "_acreate_salting_function",
    "_adelete_file",
    "_aencrypt_manifest",
    "_aencryption_key",
    "_agenerate_profile_login_key",
    "_agenerate_profile_salt",
    "_agenerate_root_salt",
    "_agenerate_root_seed",
    "_ahash_to_base36",
    "_ainitialize_keys",
    "_ainitialize_metatags",
    "_ainstall_root_salt",
    "_aload_manifest",
    "_aload_root_salt",
    "_ametatag_key",
    "_anullify",
    "_aopen_manifest",
    "_aquery_ciphertext",
    "_aroot_encryption_key",
    "_asave_ciphertext",
    "_asave_file",
    "_asave_manifest",
    "_asave_metatags",
    "_asave_root_salt",
    "_asave_tags",
    "_cache",
    "_close_manifest",
    "_create_salting_function",
    "_delete_file",
    "_encrypt_manifest",
    "_encryption_key",
    "_filename",
    "_generate_profile_login_key",
    "_generate_profile_salt",
    "_generate_root_salt",
    "_generate_root_seed",
    "_hash_to_base36",
    "_initialize_keys",
    "_initialize_metatags",
    "_install_root_salt",
    "_is_metatag",
    "_load_manifest",
    "_load_root_salt",
    "_maintenance_files",
    "_manifest",
    "_metatag_key",
    "_metatags_filename",
    "_nullify",
    "_open_manifest",
    "_query_ciphertext",
    "_root_encryption_key",
    "_root_filename",
    "_root_hash",
    "_root_key",
    "_root_path",
    "_root_salt_filename",
    "_root_salt_path",
    "_root_seed",
    "_root_session_salt",
    "_save_ciphertext",
    "_save_file",
    "_save_manifest",
    "_save_metatags",
    "_save_root_salt",
    "_save_tags",
    "_silent",
    "abytes_decrypt",
    "abytes_encrypt",
    "adecrypt",
    "adelete_database",
    "adelete_metatag",
    "adelete_profile",
    "aencrypt",
    "afilename",
    "agenerate_profile",
    "agenerate_profile_tokens",
    "ahmac",
    "ainto_namespace",
    "aload",
    "aload_metatags",
    "aload_profile",
    "aload_tags",
    "ametatag",
    "amirror_database",
    "apasscrypt",
    "apop",
    "aprofile_exists",
    "aquery",
    "asalt",
    "asave",
    "asave_tag",
    "aset",
    "atest_hmac",
    "auuids",
    "bytes_decrypt",
    "bytes_encrypt",
    "decrypt",
    "delete_database",
    "delete_metatag",
    "delete_profile",
    "directory",
    "encrypt",
    "filename",
    "generate_profile",
    "generate_profile_tokens",
    "hmac",
    "into_namespace",
    "io",
    "load",
    "load_metatags",
    "load_profile",
    "load_tags",
    "metatag",
    "metatags",
    "mirror_database",
    "passcrypt",
    "pop",
    "profile_exists",
    "query",
    "salt",
    "save",
    "save_tag",
    "set",
    "tags",
    "test_hmac",
    "uuids",
];

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `base36(h)`: the bytes of `digest` as an unsigned big-endian number in
/// base 36, most significant digit first, no leading zeros (`"0"` for
/// zero).
#[must_use]
pub fn base36(digest: &[u8]) -> String {
    // 36^12 < 2^64: twelve digits per division of the number, held in
    // big-endian 64-bit limbs.
    const CHUNK: u64 = 36u64.pow(12);
    let pad = (8 - digest.len() % 8) % 8;
    let mut padded = vec![0u8; pad];
    padded.extend_from_slice(digest);
    let mut limbs: Vec<u64> = padded
        .chunks_exact(8)
        .map(|c| c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        .collect();
    let mut digits = Vec::with_capacity(digest.len() * 8 / 5 + 12);
    loop {
        let first = limbs.iter().position(|&l| l != 0);
        let Some(first) = first else { break };
        limbs.drain(..first);
        let mut rem: u64 = 0;
        for limb in &mut limbs {
            let cur = (u128::from(rem) << 64) | u128::from(*limb);
            // rem < CHUNK, so the quotient fits in 64 bits.
            *limb = u64::try_from(cur / u128::from(CHUNK)).unwrap_or(0);
            rem = u64::try_from(cur % u128::from(CHUNK)).unwrap_or(0);
        }
        for _ in 0..12 {
            digits.push(BASE36[(rem % 36) as usize]);
            rem /= 36;
        }
    }
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    digits.into_iter().map(char::from).collect()
}

/// Whether `name` looks like a database file name: base36 digits only,
/// 40 to 50 of them (`base36` of a 256-bit value has fewer than 40 digits
/// with probability about 2^-50). Lock, journal and temporary names of
/// this crate contain a `.` and never match; nor do names such as
/// `README` or `notes`.
#[must_use]
pub fn is_database_file_name(name: &str) -> bool {
    (40..=50).contains(&name.len()) && is_base36(name)
}

/// Base36 digits only, 1 to 50 of them (any `base36` of a 256-bit value).
pub(crate) fn is_base36(name: &str) -> bool {
    (1..=50).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// `repr` of a hex string (no escapes needed): `'<hex>'`.
fn quoted(out: &mut String, hex: &str) {
    out.push('\'');
    out.push_str(hex);
    out.push('\'');
}

/// SHA3-256 / SHA3-512 hex of a text.
fn h256(text: &str) -> String {
    to_hex(&Sha3_256::digest(text.as_bytes()))
}

fn h512(text: &str) -> String {
    to_hex(&Sha3_512::digest(text.as_bytes()))
}

/// `sha_X_hmac(data, key)` = `sha_X(sha_X(data, key), key)` from the repr
/// texts of the data and the key.
fn nested(data_repr: &str, key_repr: &str, wide: bool) -> String {
    let hash = if wide { h512 } else { h256 };
    let mut text = Zeroizing::new(String::with_capacity(
        data_repr.len() + key_repr.len() + 140,
    ));
    text.push('(');
    text.push_str(data_repr);
    text.push_str(", ");
    text.push_str(key_repr);
    text.push(')');
    let inner = Zeroizing::new(hash(&text));
    text.clear();
    text.push('(');
    quoted(&mut text, &inner);
    text.push_str(", ");
    text.push_str(key_repr);
    text.push(')');
    hash(&text)
}

fn hex_to_bytes(hex: &str) -> Vec<u8> {
    hex.as_bytes()
        .chunks_exact(2)
        .map(|p| {
            let d = |c: u8| char::from(c).to_digit(16).unwrap_or(0);
            u8::try_from(d(p[0]) * 16 + d(p[1])).unwrap_or(0)
        })
        .collect()
}

/// `base36` of a hex digest.
fn base36_hex(hex: &str) -> String {
    base36(&hex_to_bytes(hex))
}

/// Secret hex text: zeroized on drop, redacted in `Debug`.
#[derive(Clone)]
struct Secret(Zeroizing<String>);

impl Secret {
    fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    fn repr(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(self.0.len() + 2));
        quoted(&mut out, &self.0);
        out
    }
}

/// The values that depend only on the user key and `password_depth`
/// (spec §4.1): root key, root hash and the two root file names.
#[derive(Clone)]
pub struct RootKeys {
    root_key: Secret,
    root_hash: Secret,
    root_filename: String,
}

impl fmt::Debug for RootKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootKeys")
            .field("root_filename", &self.root_filename)
            .finish_non_exhaustive()
    }
}

impl RootKeys {
    /// Derives the root values of `key` at `password_depth` (`depth + 1`
    /// keystream steps).
    ///
    /// # Errors
    /// [`DbError::MissingKey`] for an empty (Python: falsy) key.
    pub fn derive(key: &Key, password_depth: u64) -> Result<Self, DbError> {
        if key.is_empty() {
            return Err(DbError::MissingKey);
        }
        let r = key.repr();
        let mut ratchet = Ratchet::new(r, r, r);
        let mut out = Zeroizing::new([0u8; 128]);
        ratchet.first(&mut out);
        for _ in 0..password_depth {
            ratchet.next_with(b"None", &mut out);
        }
        let root_key = Secret::new(to_hex(&*out));
        let root_key_repr = root_key.repr();
        let root_hash = Secret::new(nested(&root_key_repr, &root_key_repr, true));
        let root_hash_repr = root_hash.repr();
        let root_filename = base36_hex(&nested(&root_hash_repr, &root_hash_repr, false));
        Ok(Self {
            root_key,
            root_hash,
            root_filename,
        })
    }

    /// The manifest's file name.
    #[must_use]
    pub fn root_filename(&self) -> &str {
        &self.root_filename
    }

    /// The root salt file's name (root databases only):
    /// `base36(hmac256("salt", key=(root_hash, root_key)))`.
    #[must_use]
    pub fn root_salt_filename(&self) -> String {
        let mut key = Zeroizing::new(String::with_capacity(400));
        key.push('(');
        key.push_str(&self.root_hash.repr());
        key.push_str(", ");
        key.push_str(&self.root_key.repr());
        key.push(')');
        base36_hex(&nested("'salt'", &key, false))
    }

    /// `root_encryption_key(name, salt)` = `hmac512((name, root_key, salt),
    /// key=root_hash)`; `salt` `None` is Python's `None`.
    fn root_encryption_key(&self, name: &str, salt: Option<&str>) -> Key {
        let mut data = Zeroizing::new(String::with_capacity(400));
        data.push('(');
        repr_str(name, &mut data);
        data.push_str(", ");
        data.push_str(&self.root_key.repr());
        data.push_str(", ");
        match salt {
            Some(s) => repr_str(s, &mut data),
            None => data.push_str("None"),
        }
        data.push(')');
        let hex = Zeroizing::new(nested(&data, &self.root_hash.repr(), true));
        Key::new(&hex)
    }

    /// The manifest's key for a ciphertext salt.
    #[must_use]
    pub fn manifest_key(&self, salt: &str) -> Key {
        self.root_encryption_key(MANIFEST, Some(salt))
    }

    /// The root salt file's key (fixed per database).
    #[must_use]
    pub fn root_salt_key(&self) -> Key {
        self.root_encryption_key(SALT, None)
    }

    /// The root key (256 hex characters). Secret.
    #[must_use]
    pub fn expose_root_key(&self) -> &str {
        &self.root_key.0
    }

    /// The root hash (128 hex characters). Secret.
    #[must_use]
    pub fn expose_root_hash(&self) -> &str {
        &self.root_hash.0
    }
}

/// The values that also depend on the root salt (spec §4.3–4.6): tag file
/// names, per-file keys, the database HMAC and child keys.
#[derive(Clone)]
pub struct SeededKeys {
    root: RootKeys,
    root_salt: Secret,
    root_seed: Secret,
    metatags_filename: String,
}

impl fmt::Debug for SeededKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeededKeys")
            .field("root_filename", &self.root.root_filename)
            .finish_non_exhaustive()
    }
}

impl SeededKeys {
    /// Adds the root salt (`root_seed := hmac512(root_salt,
    /// key=root_key)`).
    #[must_use]
    pub fn new(root: RootKeys, root_salt: &str) -> Self {
        let mut salt_repr = Zeroizing::new(String::with_capacity(root_salt.len() + 2));
        repr_str(root_salt, &mut salt_repr);
        let root_seed = Secret::new(nested(&salt_repr, &root.root_key.repr(), true));
        let mut keys = Self {
            root,
            root_salt: Secret::new(root_salt.to_owned()),
            root_seed,
            metatags_filename: String::new(),
        };
        keys.metatags_filename = keys.filename(&PyValue::from(METATAG));
        keys
    }

    /// The root values.
    #[must_use]
    pub fn root(&self) -> &RootKeys {
        &self.root
    }

    /// The file name of `tag`: `base36(hmac256((tag, root_seed),
    /// key=root_hash))`.
    #[must_use]
    pub fn filename(&self, tag: &PyValue) -> String {
        base36_hex(&self.tag_hash(tag, false))
    }

    /// `hmacX((tag, root_seed), key=root_hash)`.
    fn tag_hash(&self, tag: &PyValue, wide: bool) -> String {
        self.tag_hash_with(|data| tag.write_repr(data), wide)
    }

    /// [`Self::tag_hash`] of the tag that `write_repr` writes the `repr` of.
    fn tag_hash_with(&self, write_repr: impl FnOnce(&mut String), wide: bool) -> String {
        let mut data = Zeroizing::new(String::with_capacity(200));
        data.push('(');
        write_repr(&mut data);
        data.push_str(", ");
        data.push_str(&self.root_seed.repr());
        data.push(')');
        nested(&data, &self.root.root_hash.repr(), wide)
    }

    /// The name under which the metatag list is kept in the manifest.
    #[must_use]
    pub fn metatags_filename(&self) -> &str {
        &self.metatags_filename
    }

    /// The key of the child database `name`: `hmac512((name, root_seed),
    /// key=root_hash)`, opened at depth 0.
    #[must_use]
    pub fn metatag_key(&self, name: &PyValue) -> Key {
        let hex = Zeroizing::new(self.tag_hash(name, true));
        Key::new(&hex)
    }

    /// [`Self::metatag_key`] of the name whose `repr` is `name_repr`.
    pub(crate) fn metatag_key_of_repr(&self, name_repr: &str) -> Key {
        let hex = Zeroizing::new(self.tag_hash_with(|data| data.push_str(name_repr), true));
        Key::new(&hex)
    }

    /// `hmac(*data)` = `hmac256((data, root_hash), key=root_seed)` where
    /// `data` is the tuple of the arguments.
    #[must_use]
    pub fn hmac(&self, data: &[PyValue]) -> String {
        let mut tuple = Zeroizing::new(String::with_capacity(300));
        PyValue::Tuple(data.to_vec()).write_repr(&mut tuple);
        self.hmac_of_repr(&tuple)
    }

    /// [`SeededKeys::hmac`] from the `repr` text of the tuple of the
    /// arguments.
    pub(crate) fn hmac_of_repr(&self, tuple_repr: &str) -> String {
        let mut text = Zeroizing::new(String::with_capacity(tuple_repr.len() + 140));
        text.push('(');
        text.push_str(tuple_repr);
        text.push_str(", ");
        text.push_str(&self.root.root_hash.repr());
        text.push(')');
        nested(&text, &self.root_seed.repr(), false)
    }

    /// The key of a file or message `name` with ciphertext salt `salt`:
    /// `hmac512((name, salt), key=hmac(name, salt))`.
    #[must_use]
    pub fn encryption_key(&self, name: &PyValue, salt: &str) -> Key {
        let salt = PyValue::from(salt);
        let mac = self.hmac(&[name.clone(), salt.clone()]);
        let mut mac_repr = String::with_capacity(66);
        quoted(&mut mac_repr, &mac);
        let mut data = Zeroizing::new(String::with_capacity(200));
        PyValue::Tuple(vec![name.clone(), salt]).write_repr(&mut data);
        let hex = Zeroizing::new(nested(&data, &mac_repr, true));
        Key::new(&hex)
    }

    /// The root salt. Secret.
    #[must_use]
    pub fn expose_root_salt(&self) -> &str {
        &self.root_salt.0
    }

    /// The root seed (128 hex characters). Secret.
    #[must_use]
    pub fn expose_root_seed(&self) -> &str {
        &self.root_seed.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::hash::{sha_256_hmac, sha_512_hmac, sha3_256_hex, sha3_512_hex};

    #[test]
    fn constants() {
        let two512 = "13407807929942597099574024998205846127479365820592393377723561443721764030073546976801874298166903427690031858186486050853753882811946569946433649006084096";
        assert_eq!(sha3_512_hex(format!("__NONE__{two512}").as_bytes()), NONE);
        assert_eq!(
            sha3_256_hex(format!("__manifest__{NONE}").as_bytes()),
            MANIFEST
        );
        assert_eq!(
            sha3_256_hex(format!("__metatags__{NONE}").as_bytes()),
            METATAG
        );
    }

    /// The reference's digit-by-digit conversion.
    fn base36_slow(digest: &[u8]) -> String {
        let mut n: Vec<u8> = digest.to_vec();
        let mut digits = Vec::new();
        while let Some(first) = n.iter().position(|&b| b != 0) {
            n.drain(..first);
            let mut rem: u32 = 0;
            for b in &mut n {
                let cur = (rem << 8) | u32::from(*b);
                *b = u8::try_from(cur / 36).unwrap();
                rem = cur % 36;
            }
            digits.push(BASE36[rem as usize]);
        }
        if digits.is_empty() {
            digits.push(b'0');
        }
        digits.reverse();
        String::from_utf8(digits).unwrap()
    }

    #[test]
    fn base36_matches_the_digit_by_digit_conversion() {
        let mut state = [0u8; 64];
        for round in 0..2000usize {
            state = crate::keccak::Sha3_512::digest(state);
            let len = round % 41;
            let mut input = state[..len].to_vec();
            // Leading zeros and all-zero inputs too.
            if round % 5 == 0 && len > 3 {
                input[..len / 2].fill(0);
            }
            if round % 97 == 0 {
                input.fill(0);
            }
            if round % 89 == 0 {
                input.fill(0xff);
            }
            assert_eq!(base36(&input), base36_slow(&input), "{input:?}");
        }
    }

    #[test]
    fn base36_digits() {
        assert_eq!(base36(&[]), "0");
        assert_eq!(base36(&[0, 0]), "0");
        assert_eq!(base36(&[35]), "z");
        assert_eq!(base36(&[36]), "10");
        assert_eq!(base36(&[1, 0]), "74");
        assert!(is_database_file_name(&base36(&[0xff; 32])));
        assert_eq!(base36(&[0xff; 32]).len(), 50);
        assert!(!is_database_file_name("abc.lock"));
        assert!(!is_database_file_name("README"));
        assert!(!is_database_file_name("notes"));
        assert!(is_base36("notes"));
        assert!(!is_base36(&"a".repeat(51)));
    }

    #[test]
    fn nested_matches_the_hash_helpers() {
        let data = PyValue::tuple([PyValue::from("t"), PyValue::from("seed")]);
        let key = PyValue::from("k");
        assert_eq!(
            nested(&data.repr(), &key.repr(), false),
            sha_256_hmac(&data, &key)
        );
        assert_eq!(
            nested(&data.repr(), &key.repr(), true),
            sha_512_hmac(&data, &key)
        );
    }

    #[test]
    fn falsy_key_is_refused() {
        assert!(matches!(
            RootKeys::derive(&Key::new(""), 0),
            Err(DbError::MissingKey)
        ));
    }
}
