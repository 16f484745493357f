//! Passcrypt: the memory- and CPU-hard password hashing function of aiootp
//! 0.17.0 (spec `passcrypt.md`), byte for byte.
//!
//! A password and a salt become 128 lowercase hex characters (a SHA3-512
//! digest), the value the reference's `aiootp.passcrypt(password, salt,
//! kb=, cpu=, hardness=)` returns. The databases use it to turn passwords
//! into keys.
//!
//! **For most cases use [`Passcrypt::hash`]** with settings checked once by
//! [`Passcrypt::new`] (or the reference's defaults, [`Passcrypt::default`]);
//! [`passcrypt`] is the reference's function with its checks in its order,
//! and [`AsyncPasscrypt`] (feature `tokio`) runs the same work on tokio's
//! blocking pool.
//!
//! ```
//! use aiootp::compat::PyValue;
//! use aiootp::compat::passcrypt::{Passcrypt, Password};
//!
//! // The smallest legal setting, so that the example runs fast; the
//! // reference's defaults are `Passcrypt::default()` (kb=1024, cpu=3,
//! // hardness=1024).
//! let settings = Passcrypt::new(256, 2, 256)?;
//! let hash = settings.hash(&Password::new("password"), &PyValue::from("salt"))?;
//! assert!(hash.expose_secret().starts_with("dd0525cd60ba1961"));
//! assert_eq!(hash.expose_secret_bytes().len(), 64);
//! # Ok::<(), aiootp::Error>(())
//! ```
//!
//! # Inputs
//! The reference hashes the Python `repr` text of the password and the
//! salt, so their types matter: `"abc"`, `b"abc"` and an `int` are three
//! different passwords ([`Password::new`], [`Password::from_bytes`],
//! [`Password::from_value`]); the salt is any [`PyValue`] (it is public).
//! The cost settings are `kb` (memory in KiB), `cpu` (passes over the
//! memory) and `hardness` (the least number of memory cells, and the number
//! of cell pairs folded into the result).
//!
//! # Errors
//! [`PasscryptError`], with the reference's exact messages: an empty
//! password or salt, `hardness < 256`, `cpu < 2`, `kb < hardness` (and, for
//! parameters given as Python values through [`Passcrypt::from_values`],
//! floats, booleans and non-numbers); [`PasscryptError::OutOfMemory`] when
//! the memory cannot be had (the reference has no upper bound either).
//!
//! # Keyed variants (spec §8)
//! * `OneTimePad(key).passcrypt` / `Keys(key).passcrypt`:
//!   [`Passcrypt::hash_keyed`].
//! * `Database.passcrypt(password, salt)`: `passcrypt(db.hmac(password,
//!   salt), salt)`; check the inputs with [`check_inputs`], then hash
//!   `Password::new(&hmac_hex)` with the same salt.
//! * Password profiles: [`profile_tokens`] and [`ProfileTokens::login_key`].
//!
//! # Security
//! Unaudited. Passcrypt reproduces the reference's design, weaknesses
//! included: a data-dependent memory access in every round (cache-timing
//! side channels), little memory per guess (1 MiB by default), and a cost
//! that is almost all SHA3 permutations in one sequential chain, which is
//! cheap in hardware. Native code is only a few times faster than the
//! reference on a CPU (see `benches/passcrypt.rs`, which runs Argon2id at
//! the same memory for scale). Use it to derive the keys that data shared
//! with Python aiootp needs. The password's text, the memory and the
//! digests are zeroized when done (copies the permutation spills to the
//! stack are not); results are [`PasscryptHash`] (redacted `Debug`,
//! constant-time equality).

use core::cmp::Ordering;
use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::PyValue;
use super::key::Key;
use super::pyvalue::{PyInt, repr_str};
use crate::error::PasscryptError;
use crate::keccak::{Sha3_256, Sha3_512, f1600, f1600_x4, read_lanes, x4_is_cheap};
use crate::secret::SecretString;

/// The least `hardness` the reference accepts.
pub const MIN_HARDNESS: u64 = 256;
/// The least `cpu` the reference accepts.
pub const MIN_CPU: u64 = 2;
/// The reference's default `kb`.
pub const DEFAULT_KB: u64 = 1024;
/// The reference's default `cpu`.
pub const DEFAULT_CPU: u64 = 3;
/// The reference's default `hardness`.
pub const DEFAULT_HARDNESS: u64 = 1024;

/// The size of a memory cell when it is filled (one keystream output).
const CELL: usize = 128;
/// The size of a SHA3-512 digest, appended to cells while proving.
const DIGEST: usize = 64;
const HEX: &[u8; 16] = b"0123456789abcdef";

// ------------------------------------------------------------------ inputs

/// A password: the Python value the reference hashes, kept as its `repr`
/// text (zeroized on drop, redacted in `Debug`, compared in constant time).
#[derive(Clone)]
pub struct Password {
    repr: Zeroizing<String>,
    truthy: bool,
}

impl Password {
    /// A text password (a Python `str`), exactly as given.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut repr = Zeroizing::new(String::with_capacity(text.len() + 2));
        repr_str(text, &mut repr);
        Self {
            repr,
            truthy: !text.is_empty(),
        }
    }

    /// A byte-string password (a Python `bytes`).
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let mut repr = Zeroizing::new(Vec::with_capacity(4 * bytes.len() + 3));
        push_bytes_repr(bytes, &mut repr);
        // The repr of bytes is printable ASCII.
        let repr = Zeroizing::new(repr.iter().map(|&b| char::from(b)).collect());
        Self {
            repr,
            truthy: !bytes.is_empty(),
        }
    }

    /// A password of any Python value (an `int`, a `dict`, ...), as the
    /// reference accepts.
    #[must_use]
    pub fn from_value(value: &PyValue) -> Self {
        Self {
            repr: Zeroizing::new(value.repr()),
            truthy: value.is_truthy(),
        }
    }

    /// Whether the password is empty (Python: falsy), which passcrypt
    /// refuses.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.truthy
    }

    /// The Python `repr` text, the form that is hashed.
    pub(crate) fn repr(&self) -> &str {
        &self.repr
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.repr.as_bytes().ct_eq(other.repr.as_bytes()).into()
    }
}

impl Eq for Password {}

/// The reference's `_check_inputs`: the password, then the salt, must be
/// non-empty (Python: truthy).
///
/// # Errors
/// [`PasscryptError::MissingPassword`], [`PasscryptError::MissingSalt`].
pub fn check_inputs(password: &Password, salt: &PyValue) -> Result<(), PasscryptError> {
    if password.is_empty() {
        Err(PasscryptError::MissingPassword)
    } else if !salt.is_truthy() {
        Err(PasscryptError::MissingSalt)
    } else {
        Ok(())
    }
}

// ------------------------------------------------------------------ output

/// A passcrypt result: 64 bytes, shown as the reference returns them, 128
/// lowercase hex characters. Zeroized on drop, redacted in `Debug`,
/// compared in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PasscryptHash {
    bytes: [u8; 64],
    hex: [u8; 128],
}

impl PasscryptHash {
    fn from_digest(bytes: [u8; 64]) -> Self {
        let mut hex = [0u8; 128];
        write_hex(&bytes, &mut hex);
        Self { bytes, hex }
    }

    /// The result as the reference returns it: 128 lowercase hex
    /// characters.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        // Always ASCII hex, so never the empty fallback.
        core::str::from_utf8(&self.hex).unwrap_or_default()
    }

    /// The 64 bytes (Python's `bytes.fromhex` of the result, which the
    /// profiles use as `_bytes_key`).
    #[must_use]
    pub fn expose_secret_bytes(&self) -> &[u8; 64] {
        &self.bytes
    }
}

impl fmt::Debug for PasscryptHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasscryptHash(***)")
    }
}

impl PartialEq for PasscryptHash {
    fn eq(&self, other: &Self) -> bool {
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for PasscryptHash {}

// ------------------------------------------------------------------ settings

/// Checked passcrypt cost settings: `kb` KiB of memory, `cpu` passes,
/// `hardness` cells at least (the reference's `kb`, `cpu`, `hardness`).
///
/// ```
/// use aiootp::compat::passcrypt::Passcrypt;
///
/// let defaults = Passcrypt::default();
/// assert_eq!((defaults.kb(), defaults.cpu(), defaults.hardness()), (1024, 3, 1024));
/// assert_eq!(defaults.cache_width(), 2048);
/// assert_eq!(Passcrypt::new(256, 1, 256).unwrap_err().to_string(), "cpu:1 must be int >= 2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Passcrypt {
    kb: u64,
    cpu: u64,
    hardness: u64,
}

impl Default for Passcrypt {
    /// The reference's defaults: `kb=1024, cpu=3, hardness=1024` (1 MiB).
    fn default() -> Self {
        Self {
            kb: DEFAULT_KB,
            cpu: DEFAULT_CPU,
            hardness: DEFAULT_HARDNESS,
        }
    }
}

impl Passcrypt {
    /// The settings of the databases' profile tokens: `kb=32768, cpu=3,
    /// hardness=1024` (32 MiB; spec `database.md` §9).
    pub const PROFILE: Passcrypt = Passcrypt {
        kb: 32768,
        cpu: 3,
        hardness: 1024,
    };

    /// Checks the settings as the reference's `_validate_args` does, in its
    /// order: `hardness >= 256`, then `cpu >= 2`, then `kb >= hardness`.
    /// There is no upper bound.
    ///
    /// # Errors
    /// [`PasscryptError::Hardness`], [`PasscryptError::Cpu`],
    /// [`PasscryptError::Kb`].
    pub fn new(kb: u64, cpu: u64, hardness: u64) -> Result<Self, PasscryptError> {
        if hardness < MIN_HARDNESS {
            Err(PasscryptError::Hardness {
                hardness: hardness.to_string(),
            })
        } else if cpu < MIN_CPU {
            Err(PasscryptError::Cpu {
                cpu: cpu.to_string(),
            })
        } else if kb < hardness {
            Err(PasscryptError::Kb {
                kb: kb.to_string(),
                hardness: hardness.to_string(),
            })
        } else {
            Ok(Self { kb, cpu, hardness })
        }
    }

    /// Checks settings given as Python values, with the reference's results
    /// for every type: floats and booleans fail the `int` test (`kb:256.0
    /// must be int >= hardness:256`, `cpu:True must be int >= 2`), and
    /// values that do not compare with an `int` give Python's `TypeError`
    /// text.
    ///
    /// # Errors
    /// As [`Passcrypt::new`], plus [`PasscryptError::NotComparable`], and
    /// [`PasscryptError::OutOfMemory`] for an `int` beyond `u64` (which no
    /// machine has the memory for).
    pub fn from_values(
        kb: &PyValue,
        cpu: &PyValue,
        hardness: &PyValue,
    ) -> Result<Self, PasscryptError> {
        let small = |n: u64| PyInt::from(n);
        let hardness_int = match hardness {
            PyValue::Int(n) if int_cmp(n, &small(MIN_HARDNESS)) != Ordering::Less => n,
            PyValue::Int(_) | PyValue::Bool(_) | PyValue::Float(_) => {
                return Err(PasscryptError::Hardness {
                    hardness: hardness.str_text(),
                });
            }
            other => return Err(not_comparable("<", other)),
        };
        let cpu_int = match cpu {
            PyValue::Int(n) if int_cmp(n, &small(MIN_CPU)) != Ordering::Less => n,
            PyValue::Int(_) | PyValue::Bool(_) | PyValue::Float(_) => {
                return Err(PasscryptError::Cpu {
                    cpu: cpu.str_text(),
                });
            }
            other => return Err(not_comparable("<=", other)),
        };
        let kb_int = match kb {
            PyValue::Int(n) if int_cmp(n, hardness_int) != Ordering::Less => n,
            PyValue::Int(_) | PyValue::Bool(_) | PyValue::Float(_) => {
                return Err(PasscryptError::Kb {
                    kb: kb.str_text(),
                    hardness: hardness_int.to_string(),
                });
            }
            other => return Err(not_comparable("<", other)),
        };
        match (kb_int.to_u64(), cpu_int.to_u64(), hardness_int.to_u64()) {
            (Some(kb), Some(cpu), Some(hardness)) => Ok(Self { kb, cpu, hardness }),
            _ => Err(PasscryptError::OutOfMemory {
                kb: kb_int.to_string(),
                cpu: cpu_int.to_string(),
                hardness: hardness_int.to_string(),
            }),
        }
    }

    /// The memory cost in KiB.
    #[must_use]
    pub fn kb(&self) -> u64 {
        self.kb
    }

    /// The number of passes over the memory.
    #[must_use]
    pub fn cpu(&self) -> u64 {
        self.cpu
    }

    /// The least number of memory cells, and the number of cell pairs
    /// folded into the result.
    #[must_use]
    pub fn hardness(&self) -> u64 {
        self.hardness
    }

    /// The reference's `Passcrypt.cache_width(kb, cpu, hardness)`: the
    /// number of memory cells, `max(int((kb * 1024) / (128 * (1 + cpu))),
    /// hardness)`, with Python's correctly rounded float division (equal
    /// to `kb * 8 / (1 + cpu)` in integers below 2^50 KiB).
    #[must_use]
    pub fn cache_width(&self) -> u128 {
        let width = py_div_trunc(u128::from(self.kb) * 8, u128::from(self.cpu) + 1);
        width.max(u128::from(self.hardness))
    }

    /// The bytes of memory the cells take when done: `cache_width() * 128
    /// * (1 + cpu)` (`None` beyond `u128`).
    #[must_use]
    pub fn memory_bytes(&self) -> Option<u128> {
        self.cache_width().checked_mul(cell_capacity(self.cpu)?)
    }

    /// Passcrypt of `password` and `salt` with these settings: the
    /// reference's `passcrypt(password, salt, kb=, cpu=, hardness=)`.
    ///
    /// # Errors
    /// [`PasscryptError::MissingPassword`], [`PasscryptError::MissingSalt`],
    /// [`PasscryptError::OutOfMemory`].
    pub fn hash(
        &self,
        password: &Password,
        salt: &PyValue,
    ) -> Result<PasscryptHash, PasscryptError> {
        check_inputs(password, salt)?;
        let mut salt_repr = salt.repr();
        let result = run(password.repr(), &salt_repr, *self, &mut NoTrace);
        salt_repr.zeroize();
        result
    }

    /// The keyed passcrypt of `OneTimePad(key).passcrypt` and
    /// `Keys(key).passcrypt` (spec §8): `passcrypt(sha_256_hmac((password,
    /// salt), key), salt)`, so that the key is needed as well as the
    /// password.
    ///
    /// # Errors
    /// As [`Passcrypt::hash`] (the inputs are checked before the HMAC).
    pub fn hash_keyed(
        &self,
        key: &Key,
        password: &Password,
        salt: &PyValue,
    ) -> Result<PasscryptHash, PasscryptError> {
        check_inputs(password, salt)?;
        let mut salt_repr = salt.repr();
        let hmac = keyed_password(key.repr(), password.repr(), &salt_repr);
        let result = run(hmac.repr(), &salt_repr, *self, &mut NoTrace);
        salt_repr.zeroize();
        result
    }
}

/// The reference's `aiootp.passcrypt(password, salt, kb=, cpu=,
/// hardness=)`, with its checks in its order (password, salt, then the
/// settings).
///
/// ```
/// use aiootp::compat::PyValue;
/// use aiootp::compat::passcrypt::{Password, passcrypt};
///
/// let err = passcrypt(&Password::new(""), &PyValue::from("salt"), 1, 1, 1).unwrap_err();
/// assert_eq!(err.to_string(), "No ``password`` was specified.");
/// ```
///
/// # Errors
/// As [`check_inputs`], [`Passcrypt::new`] and [`Passcrypt::hash`].
pub fn passcrypt(
    password: &Password,
    salt: &PyValue,
    kb: u64,
    cpu: u64,
    hardness: u64,
) -> Result<PasscryptHash, PasscryptError> {
    check_inputs(password, salt)?;
    Passcrypt::new(kb, cpu, hardness)?.hash(password, salt)
}

/// [`passcrypt`] with the settings given as Python values (see
/// [`Passcrypt::from_values`]), for callers that replay the reference's
/// dynamically typed inputs.
///
/// # Errors
/// As [`check_inputs`], [`Passcrypt::from_values`] and [`Passcrypt::hash`].
pub fn passcrypt_values(
    password: &Password,
    salt: &PyValue,
    kb: &PyValue,
    cpu: &PyValue,
    hardness: &PyValue,
) -> Result<PasscryptHash, PasscryptError> {
    check_inputs(password, salt)?;
    Passcrypt::from_values(kb, cpu, hardness)?.hash(password, salt)
}

fn not_comparable(op: &'static str, value: &PyValue) -> PasscryptError {
    let left = match value {
        PyValue::None => "NoneType",
        PyValue::Bool(_) => "bool",
        PyValue::Int(_) => "int",
        PyValue::Float(_) => "float",
        PyValue::Str(_) => "str",
        PyValue::Bytes(_) => "bytes",
        PyValue::List(_) => "list",
        PyValue::Tuple(_) => "tuple",
        PyValue::Dict(_) => "dict",
    };
    PasscryptError::NotComparable {
        op,
        left,
        right: "int",
    }
}

/// Compares two Python ints given as canonical decimal text.
fn int_cmp(a: &PyInt, b: &PyInt) -> Ordering {
    match (a.is_negative(), b.is_negative()) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (negative, _) => {
            let (x, y) = (
                a.as_str().trim_start_matches('-'),
                b.as_str().trim_start_matches('-'),
            );
            let magnitude = x.len().cmp(&y.len()).then_with(|| x.cmp(y));
            if negative {
                magnitude.reverse()
            } else {
                magnitude
            }
        }
    }
}

/// `128 * (1 + cpu)`: a cell's size when the proofs are done.
fn cell_capacity(cpu: u64) -> Option<u128> {
    (u128::from(cpu) + 1).checked_mul(CELL as u128)
}

/// `int(num / den)` for Python ints: the quotient correctly rounded to a
/// double (ties to even), then truncated. `num < 2^75`, `0 < den < 2^72`.
fn py_div_trunc(num: u128, den: u128) -> u128 {
    if den == 0 {
        return 0;
    }
    let (n, r) = (num / den, num % den);
    if r == 0 {
        // Exact quotients below 2^53 are doubles; above, n rounds as below.
        if n >> 53 == 0 {
            return n;
        }
    }
    let bits = 128 - n.leading_zeros();
    if bits > 53 {
        // Doubles are integers here: keep 53 significant bits of n + r/den.
        let shift = bits - 53;
        let low = n & ((1u128 << shift) - 1);
        let base = n - low;
        let half = 1u128 << (shift - 1);
        let odd = (n >> shift) & 1 == 1;
        let up = low > half || (low == half && (r > 0 || odd));
        return if up { base + (1u128 << shift) } else { base };
    }
    // n < 2^53: the double is n, or n + 1 when n + r/den lies within half a
    // unit in the last place of n + 1, that is (den - r) / den <= 2^(e - 53)
    // with e = floor(log2(n)) (e = -1 for n = 0); a tie rounds to n + 1
    // (even) unless n + 1 is odd with a unit step (e = 52).
    if r == 0 {
        return n;
    }
    let e = i64::from(bits) - 1; // -1 for n = 0
    let shift = u32::try_from(53 - e).unwrap_or(54); // 1..=54
    let lhs = (den - r) << shift; // < 2^72 * 2^54
    match lhs.cmp(&den) {
        Ordering::Less => n + 1,
        Ordering::Equal if e < 52 || n & 1 == 1 => n + 1,
        _ => n,
    }
}

// ------------------------------------------------------------------ profiles

/// The tokens of a database password profile (spec `database.md` §9):
/// the `uuid` and the 64-byte `bytes_key` made by the expensive passcrypt.
#[derive(Clone)]
pub struct ProfileTokens {
    uuid: SecretString,
    bytes_key: PasscryptHash,
}

impl fmt::Debug for ProfileTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProfileTokens(***)")
    }
}

impl ProfileTokens {
    /// `sha_512(username, password, *credentials, salt)`: 128 hex
    /// characters (secret: it hashes the password cheaply).
    #[must_use]
    pub fn uuid(&self) -> &SecretString {
        &self.uuid
    }

    /// `passcrypt(password, uuid, kb, cpu, hardness)`; its 64 bytes are the
    /// reference's `tokens._bytes_key`.
    #[must_use]
    pub fn bytes_key(&self) -> &PasscryptHash {
        &self.bytes_key
    }

    /// The profile's login key (the database key): `passcrypt(
    /// bytes_key.hex(), salt)` with the reference's defaults (1024, 3,
    /// 1024), where `salt` is the lowercase hex text of the profile's salt
    /// file.
    ///
    /// # Errors
    /// [`PasscryptError::MissingSalt`] for an empty salt;
    /// [`PasscryptError::OutOfMemory`].
    pub fn login_key(&self, salt: &str) -> Result<PasscryptHash, PasscryptError> {
        let password = Password::new(self.bytes_key.expose_secret());
        Passcrypt::default().hash(&password, &PyValue::Str(salt.to_owned()))
    }
}

/// The reference's `generate_profile_tokens(*credentials, username=,
/// password=, salt=, kb=, cpu=, hardness=)`: `uuid := sha_512(username,
/// password, *credentials, salt)` (a missing salt is Python's `None`), then
/// `bytes_key := passcrypt(password, uuid, kb, cpu, hardness)`. The
/// reference's defaults are [`Passcrypt::PROFILE`].
///
/// # Errors
/// [`PasscryptError::MissingPassword`], [`PasscryptError::OutOfMemory`].
pub fn profile_tokens(
    credentials: &[PyValue],
    username: &PyValue,
    password: &Password,
    salt: &PyValue,
    settings: Passcrypt,
) -> Result<ProfileTokens, PasscryptError> {
    let mut text = Zeroizing::new(String::new());
    text.push('(');
    username.write_repr(&mut text);
    text.push_str(", ");
    text.push_str(password.repr());
    for credential in credentials {
        text.push_str(", ");
        credential.write_repr(&mut text);
    }
    text.push_str(", ");
    salt.write_repr(&mut text);
    text.push(')');
    let mut hex = [0u8; 128];
    write_hex(&Sha3_512::digest(text.as_bytes()), &mut hex);
    let uuid = SecretString::new(hex.iter().map(|&b| char::from(b)).collect());
    hex.zeroize();
    let bytes_key = settings.hash(password, &PyValue::Str(uuid.expose_secret().to_owned()))?;
    Ok(ProfileTokens { uuid, bytes_key })
}

/// `sha_256_hmac((password, salt), key)` as a text password.
fn keyed_password(key_repr: &str, password_repr: &str, salt_repr: &str) -> Password {
    let mut text = Zeroizing::new(String::with_capacity(
        password_repr.len() + salt_repr.len() + key_repr.len() + 8,
    ));
    text.push_str("((");
    text.push_str(password_repr);
    text.push_str(", ");
    text.push_str(salt_repr);
    text.push_str("), ");
    text.push_str(key_repr);
    text.push(')');
    let mut inner = [0u8; 64];
    write_hex(&Sha3_256::digest(text.as_bytes()), &mut inner);
    text.clear();
    text.push_str("('");
    text.extend(inner.iter().map(|&b| char::from(b)));
    text.push_str("', ");
    text.push_str(key_repr);
    text.push(')');
    let mut outer = [0u8; 64];
    write_hex(&Sha3_256::digest(text.as_bytes()), &mut outer);
    let hmac = Zeroizing::new(outer.iter().map(|&b| char::from(b)).collect::<String>());
    inner.zeroize();
    outer.zeroize();
    Password::new(&hmac)
}

// ------------------------------------------------------------------ async

/// The async face of [`Passcrypt`] (feature `tokio`, on by default): the
/// same work on tokio's blocking pool (`spawn_blocking`), so a 32 MiB
/// passcrypt never stalls the runtime. Results equal the synchronous ones.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aiootp::Error> {
/// use aiootp::compat::PyValue;
/// use aiootp::compat::passcrypt::{AsyncPasscrypt, Passcrypt, Password};
///
/// let settings = Passcrypt::new(256, 2, 256)?;
/// let password = Password::new("password");
/// let salt = PyValue::from("salt");
/// let hash = AsyncPasscrypt::new(settings).hash(&password, &salt).await?;
/// assert_eq!(hash, settings.hash(&password, &salt)?);
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AsyncPasscrypt {
    settings: Passcrypt,
}

#[cfg(feature = "tokio")]
impl AsyncPasscrypt {
    /// The async twin of `settings`.
    #[must_use]
    pub fn new(settings: Passcrypt) -> Self {
        Self { settings }
    }

    /// The settings.
    #[must_use]
    pub fn settings(&self) -> Passcrypt {
        self.settings
    }

    /// As [`Passcrypt::hash`], on the blocking pool.
    ///
    /// # Errors
    /// As [`Passcrypt::hash`] (as [`crate::Error::Passcrypt`]), and
    /// [`crate::Error::Task`] if the background task is cancelled.
    pub async fn hash(
        &self,
        password: &Password,
        salt: &PyValue,
    ) -> Result<PasscryptHash, crate::Error> {
        check_inputs(password, salt)?;
        let (settings, password, salt) = (self.settings, password.clone(), salt.clone());
        blocking(move || settings.hash(&password, &salt)).await
    }

    /// As [`Passcrypt::hash_keyed`], on the blocking pool.
    ///
    /// # Errors
    /// As [`AsyncPasscrypt::hash`].
    pub async fn hash_keyed(
        &self,
        key: &Key,
        password: &Password,
        salt: &PyValue,
    ) -> Result<PasscryptHash, crate::Error> {
        check_inputs(password, salt)?;
        let (settings, key, password, salt) =
            (self.settings, key.clone(), password.clone(), salt.clone());
        blocking(move || settings.hash_keyed(&key, &password, &salt)).await
    }
}

#[cfg(feature = "tokio")]
impl From<Passcrypt> for AsyncPasscrypt {
    fn from(settings: Passcrypt) -> Self {
        Self::new(settings)
    }
}

#[cfg(feature = "tokio")]
async fn blocking<F>(f: F) -> Result<PasscryptHash, crate::Error>
where
    F: FnOnce() -> Result<PasscryptHash, PasscryptError> + Send + 'static,
{
    Ok(tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| crate::Error::Task(e.to_string()))??)
}

// ------------------------------------------------------------------ trace

/// The intermediate values of one passcrypt run, as the vectors file
/// records them (spec §10).
///
/// **Hazardous material**: every field derives from the password. For
/// vectors and tests only; zeroized on drop.
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
#[non_exhaustive]
pub struct PasscryptTrace {
    /// The text hashed in step 3: `repr((password, salt, kb, cpu,
    /// hardness))`.
    pub args_preimage: String,
    /// Step 3's `args`: 128 hex characters.
    pub args: String,
    /// The number of memory cells.
    pub cache_width: usize,
    /// Cell 0 when filled.
    pub first_cell_filled: Vec<u8>,
    /// The last cell when filled.
    pub last_cell_filled: Vec<u8>,
    /// The proof's digest before the first round (step 5).
    pub initial_proof_digest: Vec<u8>,
    /// The digest each prove call returns (the last `d` of its `cpu`
    /// rounds), for every call.
    pub prove_call_digests: Vec<[u8; 64]>,
    /// The proof's digest after the last round.
    pub final_proof_digest: Vec<u8>,
    /// The distinct cell lengths after proving, ascending.
    pub cell_lengths_proved: Vec<usize>,
    /// Cell 0 after proving.
    pub first_cell_proved: Vec<u8>,
    /// `sha_256(final proof digest)`, the summaries' seed (step 7).
    pub summary_seed: String,
    /// Every summary of step 7, in order (`hardness` of them).
    pub summaries: Vec<String>,
    /// The result (step 8).
    pub result: String,
}

impl fmt::Debug for PasscryptTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasscryptTrace(***)")
    }
}

/// Passcrypt with its intermediate values (see [`PasscryptTrace`];
/// hazmat, for vectors and tests).
///
/// # Errors
/// As [`Passcrypt::hash`].
pub fn passcrypt_trace(
    password: &Password,
    salt: &PyValue,
    settings: Passcrypt,
) -> Result<PasscryptTrace, PasscryptError> {
    check_inputs(password, salt)?;
    let mut trace = PasscryptTrace::default();
    let result = run(password.repr(), &salt.repr(), settings, &mut trace)?;
    trace.result = result.expose_secret().to_owned();
    Ok(trace)
}

/// What a run reports to a trace. The default methods do nothing, so the
/// untraced run ([`NoTrace`]) compiles to the bare algorithm.
trait Observer {
    fn args(&mut self, _preimage: &str, _args: &[u8; 128], _width: usize) {}
    fn filled(&mut self, _first: &[u8], _last: &[u8]) {}
    fn initial_proof(&mut self, _digest: &[u8; 64]) {}
    const PROVE_CALLS: bool = false;
    fn prove_call(&mut self, _digest: &[u8; 64]) {}
    fn proved(&mut self, _digest: &[u8; 64], _lengths: &[usize], _first: &[u8]) {}
    fn summary_seed(&mut self, _hex: &[u8; 64]) {}
    fn summary(&mut self, _hex: &[u8; 64]) {}
}

struct NoTrace;

impl Observer for NoTrace {}

fn ascii(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

impl Observer for PasscryptTrace {
    fn args(&mut self, preimage: &str, args: &[u8; 128], width: usize) {
        self.args_preimage = preimage.to_owned();
        self.args = ascii(args);
        self.cache_width = width;
    }
    fn filled(&mut self, first: &[u8], last: &[u8]) {
        self.first_cell_filled = first.to_vec();
        self.last_cell_filled = last.to_vec();
    }
    fn initial_proof(&mut self, digest: &[u8; 64]) {
        self.initial_proof_digest = digest.to_vec();
    }
    const PROVE_CALLS: bool = true;
    fn prove_call(&mut self, digest: &[u8; 64]) {
        self.prove_call_digests.push(*digest);
    }
    fn proved(&mut self, digest: &[u8; 64], lengths: &[usize], first: &[u8]) {
        self.final_proof_digest = digest.to_vec();
        let mut distinct = lengths.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        self.cell_lengths_proved = distinct;
        self.first_cell_proved = first.to_vec();
    }
    fn summary_seed(&mut self, hex: &[u8; 64]) {
        self.summary_seed = ascii(hex);
    }
    fn summary(&mut self, hex: &[u8; 64]) {
        self.summaries.push(ascii(hex));
    }
}

// ------------------------------------------------------------------ algorithm

/// Lowercase hex of `bytes` into `out` (twice as long).
fn write_hex(bytes: &[u8], out: &mut [u8]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 15)];
    }
}

/// The escape of each byte inside a `bytes` repr quoted with `quote`: up to
/// four characters, and how many of them count.
const fn escapes(quote: u8) -> [([u8; 4], u8); 256] {
    let mut table = [([0u8; 4], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        table[i] = match c {
            b'\\' => ([b'\\', b'\\', 0, 0], 2),
            b'\t' => ([b'\\', b't', 0, 0], 2),
            b'\n' => ([b'\\', b'n', 0, 0], 2),
            b'\r' => ([b'\\', b'r', 0, 0], 2),
            _ if c == quote => ([b'\\', c, 0, 0], 2),
            0x20..=0x7e => ([c, 0, 0, 0], 1),
            _ => (
                [b'\\', b'x', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]],
                4,
            ),
        };
        i += 1;
    }
    table
}

const SINGLE_QUOTED: [([u8; 4], u8); 256] = escapes(b'\'');
const DOUBLE_QUOTED: [([u8; 4], u8); 256] = escapes(b'"');

/// Appends CPython's `repr` of the `bytes` `b` (`b'...'`) to `out`; the
/// same text as [`super::pyvalue::repr_bytes`], table-driven for the hot
/// path of step 7.
fn push_bytes_repr(b: &[u8], out: &mut Vec<u8>) {
    let (quote, table) = if b.contains(&b'\'') && !b.contains(&b'"') {
        (b'"', &DOUBLE_QUOTED)
    } else {
        (b'\'', &SINGLE_QUOTED)
    };
    let start = out.len();
    // Room for the worst case; every escape is written whole and the
    // position advances by its length.
    out.resize(start + 4 * b.len() + 3, 0);
    out[start] = b'b';
    out[start + 1] = quote;
    let mut at = start + 2;
    for &c in b {
        let (text, len) = &table[usize::from(c)];
        out[at..at + 4].copy_from_slice(text);
        at += usize::from(*len);
    }
    out[at] = quote;
    out.truncate(at + 1);
}

/// `int.from_bytes(digest, "big") % width`.
fn choose(digest: &[u8; 64], width: usize) -> usize {
    let w = width as u128;
    let mut acc = 0u128;
    for chunk in digest.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        acc = ((acc << 64) | u128::from(u64::from_be_bytes(word))) % w;
    }
    // acc < width, so it fits.
    usize::try_from(acc).unwrap_or(0)
}

/// The memory: `width` cells of `cap` bytes each, cell `k` at `k * cap`,
/// its first `len[k]` bytes in use. One allocation for the whole run.
struct Ram {
    bytes: Zeroizing<Vec<u8>>,
    len: Vec<usize>,
    cap: usize,
}

impl Ram {
    fn cell(&self, k: usize) -> &[u8] {
        let start = k * self.cap;
        &self.bytes[start..start + self.len[k]]
    }

    fn append(&mut self, k: usize, digest: &[u8; 64]) {
        let start = k * self.cap + self.len[k];
        self.bytes[start..start + DIGEST].copy_from_slice(digest);
        self.len[k] += DIGEST;
    }
}

/// Allocates the memory, or reports the settings that asked for too much.
fn allocate(settings: Passcrypt, width: u128) -> Result<Ram, PasscryptError> {
    let oom = || PasscryptError::OutOfMemory {
        kb: settings.kb.to_string(),
        cpu: settings.cpu.to_string(),
        hardness: settings.hardness.to_string(),
    };
    let width = usize::try_from(width).map_err(|_| oom())?;
    let cap = cell_capacity(settings.cpu)
        .and_then(|c| usize::try_from(c).ok())
        .ok_or_else(oom)?;
    let total = width.checked_mul(cap).ok_or_else(oom)?;
    let mut bytes = Zeroizing::new(Vec::new());
    bytes.try_reserve_exact(total).map_err(|_| oom())?;
    bytes.resize(total, 0);
    let mut len = Vec::new();
    len.try_reserve_exact(width).map_err(|_| oom())?;
    len.resize(width, CELL);
    Ok(Ram { bytes, len, cap })
}

/// Runs Keccak-f[1600] on up to four states: together when this CPU
/// permutes four states for about the price of one
/// ([`crate::keccak::f1600_x4`]), else one after the other. The results
/// are the same either way.
#[derive(Clone, Copy)]
struct Permuter {
    lockstep: bool,
}

impl Permuter {
    fn new() -> Self {
        Self {
            lockstep: x4_is_cheap(),
        }
    }

    fn permute(self, mut states: [Option<&mut [u64; 25]>; 4]) {
        let count = states.iter().flatten().count();
        if !self.lockstep || count < 2 {
            for state in states.into_iter().flatten() {
                f1600(state);
            }
            return;
        }
        // The transposed copy is not zeroized: the scalar permutation
        // spills state to the stack as well.
        let mut lanes = [[0u64; 4]; 25];
        for (slot, state) in states.iter().enumerate() {
            if let Some(state) = state {
                for (lane, &word) in lanes.iter_mut().zip(state.iter()) {
                    lane[slot] = word;
                }
            }
        }
        f1600_x4(&mut lanes);
        for (slot, state) in states.iter_mut().enumerate() {
            if let Some(state) = state {
                for (word, lane) in state.iter_mut().zip(lanes.iter()) {
                    *word = lane[slot];
                }
            }
        }
    }
}

/// A digest of the proof whose permutation is still to run: the padded
/// copy of the proof state, and the cell it is appended to (`last`: it is
/// also the new last digest `d`).
struct Job {
    state: [u64; 25],
    cell: usize,
    last: bool,
}

impl Drop for Job {
    fn drop(&mut self) {
        self.state.zeroize();
    }
}

/// Step 6. The proof is one long SHA3-512 chain; the two digests of a
/// round are side branches (a padded copy of the state, permuted once), so
/// each runs alongside the chain's next permutation when the CPU permutes
/// in lockstep. A digest is appended before its cell is read again.
struct Prover {
    proof: Sha3_512,
    job: Option<Job>,
    /// The last digest `d` (valid when no `last` job is pending).
    d: [u8; 64],
    permuter: Permuter,
}

impl Prover {
    fn finish(&mut self, ram: &mut Ram, state: &[u64; 25], cell: usize, last: bool) {
        let mut digest = [0u8; 64];
        read_lanes(state, &mut digest);
        ram.append(cell, &digest);
        if last {
            self.d = digest;
        }
        digest.zeroize();
    }

    /// Runs the pending digest, if any.
    fn resolve(&mut self, ram: &mut Ram) {
        if let Some(mut job) = self.job.take() {
            f1600(&mut job.state);
            self.finish(ram, &job.state, job.cell, job.last);
        }
    }

    /// Permutes the full proof state, with the pending digest alongside.
    fn permute(&mut self, ram: &mut Ram) {
        let permuter = self.permuter;
        let sponge = self.proof.sponge_mut();
        match self.job.take() {
            Some(mut job) if permuter.lockstep => {
                sponge.mark_permuted();
                permuter.permute([Some(sponge.state_mut()), Some(&mut job.state), None, None]);
                self.finish(ram, &job.state, job.cell, job.last);
            }
            job => {
                self.job = job;
                f1600(sponge.state_mut());
                sponge.mark_permuted();
            }
        }
    }

    /// Absorbs cell `k` (no pending digest may be for it).
    fn absorb(&mut self, ram: &mut Ram, k: usize) {
        let start = k * ram.cap;
        let end = start + ram.len[k];
        let mut at = start;
        while at < end {
            at += self
                .proof
                .sponge_mut()
                .absorb_until_full(&ram.bytes[at..end]);
            if self.proof.sponge().is_full() {
                self.permute(ram);
            }
        }
    }

    /// Schedules the digest of the proof so far, to be appended to `cell`.
    fn digest_into(&mut self, ram: &mut Ram, cell: usize, last: bool) {
        self.resolve(ram);
        let state = loop {
            // `absorb` never leaves the state full, so this runs once.
            if let Some(state) = self.proof.sponge().padded_state() {
                break state;
            }
            self.permute(ram);
        };
        self.job = Some(Job { state, cell, last });
    }

    /// The round on cell `i` and its mirror (spec §4, step 6).
    fn round(&mut self, ram: &mut Ram, i: usize) {
        let width = ram.len.len();
        let j = width - 1 - i;
        if self.job.as_ref().is_some_and(|job| job.cell == i) {
            self.resolve(ram);
        }
        self.absorb(ram, i);
        self.resolve(ram); // `d` is needed now
        let pick = choose(&self.d, width);
        self.absorb(ram, pick);
        self.digest_into(ram, i, false);
        if j == i {
            self.resolve(ram); // the mirror is the cell just grown
        }
        self.absorb(ram, j);
        self.digest_into(ram, j, true);
    }
}

/// Where the `B`/`C` pair of the fill stands with its current output.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pair {
    /// Nothing to do.
    Idle,
    /// `B` and `C` are full: permute them, then absorb the rest of `r`.
    Full,
    /// `r` is absorbed: permute the padded copies, read the cell.
    Digest,
}

/// The `B` and `C` states of the fill's keystream and the output they are
/// working on: both absorb the same `r` and always stand at the same
/// position, so their permutations pair up.
struct Halves {
    b: Sha3_512,
    c: Sha3_512,
    cell: usize,
    r: [u8; 64],
    taken: usize,
    pair: Pair,
    padded: [[u64; 25]; 2],
}

impl Halves {
    /// Starts output `cell` from `A`'s digest `r`.
    fn start(&mut self, cell: usize, r: &[u8; 64]) {
        self.cell = cell;
        self.r = *r;
        self.taken = 0;
        self.advance();
    }

    /// Absorbs what it can of `r` and says what is needed next.
    fn advance(&mut self) {
        let n = self.b.sponge_mut().absorb_until_full(&self.r[self.taken..]);
        self.c.sponge_mut().absorb_until_full(&self.r[self.taken..]);
        self.taken += n;
        let (b, c) = (
            self.b.sponge().padded_state(),
            self.c.sponge().padded_state(),
        );
        self.pair = match (b, c) {
            (Some(b), Some(c)) if self.taken == self.r.len() => {
                self.padded = [b, c];
                Pair::Digest
            }
            _ => Pair::Full,
        };
    }

    /// Runs one permutation step of the pair, with `other` (one more
    /// state, if any) in the same lockstep call.
    fn step(&mut self, ram: &mut Ram, permuter: Permuter, other: Option<&mut [u64; 25]>) {
        match self.pair {
            Pair::Idle => permuter.permute([other, None, None, None]),
            Pair::Full => {
                let (b, c) = (self.b.sponge_mut(), self.c.sponge_mut());
                b.mark_permuted();
                c.mark_permuted();
                permuter.permute([other, Some(b.state_mut()), Some(c.state_mut()), None]);
                self.advance();
            }
            Pair::Digest => {
                let [b, c] = &mut self.padded;
                permuter.permute([other, Some(b), Some(c), None]);
                let start = self.cell * ram.cap;
                read_lanes(b, &mut ram.bytes[start..start + DIGEST]);
                read_lanes(c, &mut ram.bytes[start + DIGEST..start + CELL]);
                self.padded.zeroize();
                self.pair = Pair::Idle;
            }
        }
    }

    /// Finishes the current output.
    fn flush(&mut self, ram: &mut Ram, permuter: Permuter) {
        while self.pair != Pair::Idle {
            self.step(ram, permuter, None);
        }
    }
}

impl Drop for Halves {
    fn drop(&mut self) {
        self.r.zeroize();
        self.padded.zeroize();
    }
}

/// Step 4: fills the cells with the first outputs of the `bytes_keys`
/// keystream of `key_repr`, `salt_repr`, `pid_repr` (spec §2: the
/// reference's `keypair_ratchets`, each output `digest(B) ‖ digest(C)`
/// after both absorb `r = digest(A)`, and `A` absorbing `None ‖ r ‖ seed`
/// between outputs). `A` is a chain; the `B`/`C` pair of one output runs
/// alongside `A`'s permutations for the next.
fn fill(ram: &mut Ram, key_repr: &str, salt_repr: &str, pid_repr: &str, permuter: Permuter) {
    let mut text = Zeroizing::new(Vec::with_capacity(
        key_repr.len() + salt_repr.len() + pid_repr.len() + 270,
    ));
    text.push(b'(');
    for (i, part) in [key_repr, salt_repr, pid_repr].into_iter().enumerate() {
        if i > 0 {
            text.extend_from_slice(b", ");
        }
        text.extend_from_slice(part.as_bytes());
    }
    text.push(b')');
    let mut s0 = Sha3_512::digest(&text[..]);
    text.pop();
    text.extend_from_slice(b", ");
    push_bytes_repr(&s0, &mut text);
    text.push(b')');
    let mut seed = Sha3_512::digest(&text[..]);

    let mut a = Sha3_512::new();
    a.update(seed);
    a.update(s0);
    let mut b = Sha3_512::new();
    b.update(a.digest_so_far());
    b.update(s0);
    let mut c = Sha3_512::new();
    c.update(b.digest_so_far());
    c.update(s0);
    s0.zeroize();
    let mut halves = Halves {
        b,
        c,
        cell: 0,
        r: [0; 64],
        taken: 0,
        pair: Pair::Idle,
        padded: [[0; 25]; 2],
    };

    let width = ram.len.len();
    let mut r = [0u8; 64];
    for cell in 0..width {
        if cell > 0 {
            // A absorbs None ‖ r ‖ seed, permuting beside the pair.
            for mut piece in [&b"None"[..], &r[..], &seed[..]] {
                while !piece.is_empty() {
                    let sponge = a.sponge_mut();
                    let n = sponge.absorb_until_full(piece);
                    piece = &piece[n..];
                    if sponge.is_full() {
                        sponge.mark_permuted();
                        halves.step(ram, permuter, Some(sponge.state_mut()));
                    }
                }
            }
        }
        // r := digest(A).
        let mut padded = loop {
            if let Some(state) = a.sponge().padded_state() {
                break state;
            }
            let sponge = a.sponge_mut();
            sponge.mark_permuted();
            halves.step(ram, permuter, Some(sponge.state_mut()));
        };
        halves.step(ram, permuter, Some(&mut padded));
        read_lanes(&padded, &mut r);
        padded.zeroize();
        halves.flush(ram, permuter);
        halves.start(cell, &r);
    }
    halves.flush(ram, permuter);
    r.zeroize();
    seed.zeroize();
}

/// Steps 7 and 8: `summary := sha_256(last)`, then for each pair of cells
/// `summary := sha_256((ram[k], ram[width-1-k]), summary)`, and the result
/// `sha_512(list of the summaries)`, streamed as `"(['..', '..'],)"`.
///
/// The head of each hashed text (the two cells' reprs) does not depend on
/// the summaries, so four heads are absorbed in lockstep; only the tails
/// (64 hex characters and `')`) are hashed in sequence.
fn summarize<O: Observer>(
    ram: &Ram,
    hardness: usize,
    last: &[u8; 64],
    permuter: Permuter,
    observer: &mut O,
) -> [u8; 64] {
    let width = ram.len.len();
    let mut heads: [Zeroizing<Vec<u8>>; 4] =
        core::array::from_fn(|_| Zeroizing::new(Vec::with_capacity(2 * (4 * ram.cap + 3) + 8)));
    let seed = &mut heads[0];
    seed.push(b'(');
    push_bytes_repr(last, seed);
    seed.extend_from_slice(b",)");
    let mut summary = [0u8; 64];
    write_hex(&Sha3_256::digest(&seed[..]), &mut summary);
    observer.summary_seed(&summary);

    let mut list = Sha3_512::new();
    list.update(b"([");
    for base in (0..hardness).step_by(4) {
        let count = (hardness - base).min(4);
        for (l, head) in heads.iter_mut().enumerate().take(count) {
            let k = base + l;
            head.clear();
            head.extend_from_slice(b"((");
            push_bytes_repr(ram.cell(k), head);
            head.extend_from_slice(b", ");
            push_bytes_repr(ram.cell(width - 1 - k), head);
            head.extend_from_slice(b"), '");
        }
        let mut hashes: [Sha3_256; 4] = core::array::from_fn(|_| Sha3_256::new());
        let mut at = [0usize; 4];
        loop {
            let mut full = [false; 4];
            for l in 0..count {
                let sponge = hashes[l].sponge_mut();
                at[l] += sponge.absorb_until_full(&heads[l][at[l]..]);
                if sponge.is_full() {
                    full[l] = true;
                    sponge.mark_permuted();
                }
            }
            if !full.contains(&true) {
                break;
            }
            let mut states = hashes
                .iter_mut()
                .zip(full)
                .map(|(hash, full)| full.then(|| hash.sponge_mut().state_mut()));
            permuter.permute([
                states.next().flatten(),
                states.next().flatten(),
                states.next().flatten(),
                states.next().flatten(),
            ]);
        }
        for (l, hash) in hashes.iter_mut().enumerate().take(count) {
            let mut tail = core::mem::replace(hash, Sha3_256::new());
            tail.update(summary);
            tail.update(b"')");
            write_hex(&tail.finalize(), &mut summary);
            observer.summary(&summary);
            if base + l > 0 {
                list.update(b", ");
            }
            list.update(b"'");
            list.update(summary);
            list.update(b"'");
        }
    }
    list.update(b"],)");
    summary.zeroize();
    list.finalize()
}

/// The algorithm of spec §4 from the `repr` texts of the password and the
/// salt (already checked).
fn run<O: Observer>(
    password_repr: &str,
    salt_repr: &str,
    settings: Passcrypt,
    observer: &mut O,
) -> Result<PasscryptHash, PasscryptError> {
    run_with(
        password_repr,
        salt_repr,
        settings,
        observer,
        Permuter::new(),
    )
}

fn run_with<O: Observer>(
    password_repr: &str,
    salt_repr: &str,
    settings: Passcrypt,
    observer: &mut O,
    permuter: Permuter,
) -> Result<PasscryptHash, PasscryptError> {
    let mut ram = allocate(settings, settings.cache_width())?;
    let width = ram.len.len();
    let hardness = usize::try_from(settings.hardness)
        .unwrap_or(width)
        .min(width);

    // Step 3: args := sha_512(password, salt, kb, cpu, hardness), as hex text.
    let mut text = Zeroizing::new(String::with_capacity(
        password_repr.len() + salt_repr.len() + 80,
    ));
    text.push('(');
    text.push_str(password_repr);
    text.push_str(", ");
    text.push_str(salt_repr);
    for n in [settings.kb, settings.cpu, settings.hardness] {
        text.push_str(", ");
        text.push_str(&n.to_string());
    }
    text.push(')');
    let mut args = [0u8; 128];
    write_hex(&Sha3_512::digest(text.as_bytes()), &mut args);
    observer.args(&text, &args, width);

    // Step 4: fill the cells from bytes_keys(password, salt, pid=args).
    text.clear();
    text.push_str("b'");
    text.extend(args.iter().map(|&b| char::from(b)));
    text.push('\'');
    fill(&mut ram, password_repr, salt_repr, &text, permuter);
    observer.filled(ram.cell(0), ram.cell(width - 1));

    // Step 5: the proof state and the first "last digest".
    let mut proof = Sha3_512::new();
    proof.update(ram.cell(width - 1));
    proof.update(args);
    let mut d = proof.digest_so_far();
    observer.initial_proof(&d);
    args.zeroize();

    // Step 6: width * cpu rounds; round r works on cell r mod width.
    let mut prover = Prover {
        proof,
        job: None,
        d,
        permuter,
    };
    d.zeroize();
    let mut i = 0usize;
    for _ in 0..width {
        for _ in 0..settings.cpu {
            prover.round(&mut ram, i);
            i += 1;
            if i == width {
                i = 0;
            }
        }
        if O::PROVE_CALLS {
            prover.resolve(&mut ram);
            observer.prove_call(&prover.d);
        }
    }
    prover.resolve(&mut ram);
    // Nothing was absorbed since the last digest: it is the final one.
    let mut last = prover.d;
    observer.proved(&last, &ram.len, ram.cell(0));

    // Steps 7 and 8.
    let result = summarize(&ram, hardness, &last, permuter, observer);
    last.zeroize();
    prover.d.zeroize();
    Ok(PasscryptHash::from_digest(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::pyvalue::repr_bytes;
    use proptest::prelude::*;

    #[test]
    fn width_matches_float_division_for_small_values() {
        for num in (0u128..5000).chain([1 << 40, (1 << 52) + 7, (1 << 53) - 1]) {
            for den in 1u128..40 {
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                let float = ((num as f64) / (den as f64)).trunc() as u128;
                assert_eq!(py_div_trunc(num, den), float, "{num}/{den}");
            }
        }
    }

    #[test]
    fn width_rounds_like_python_beyond_2_53() {
        // Python: int((2**53 * 3 + 1) * 8 / 3) etc., computed by CPython 3.8.
        assert_eq!(py_div_trunc((1 << 55) + 1, 1), 1 << 55);
        assert_eq!(py_div_trunc((1 << 55) + 4, 1), 1 << 55); // tie to even
        assert_eq!(py_div_trunc((1 << 55) + 12, 1), (1 << 55) + 16); // tie to even, up
        assert_eq!(py_div_trunc((1 << 55) + 5, 1), (1 << 55) + 8);
        // 2^53 - 1 + 0.75 rounds to 2^53 (unit step, above the tie).
        assert_eq!(py_div_trunc(((1 << 53) - 1) * 4 + 3, 4), 1 << 53);
        // 2^53 - 2 + 0.5 is a tie between 2^53 - 2 (even) and 2^53 - 1.
        assert_eq!(py_div_trunc(((1 << 53) - 2) * 2 + 1, 2), (1 << 53) - 2);
        // 2^53 - 1 + 0.5: tie, rounds to the even 2^53.
        assert_eq!(py_div_trunc(((1 << 53) - 1) * 2 + 1, 2), 1 << 53);
    }

    #[test]
    fn int_comparison() {
        let n = |s: &str| PyInt::parse(s).unwrap();
        assert_eq!(int_cmp(&n("255"), &n("256")), Ordering::Less);
        assert_eq!(int_cmp(&n("1000"), &n("256")), Ordering::Greater);
        assert_eq!(int_cmp(&n("-1000"), &n("-256")), Ordering::Less);
        assert_eq!(int_cmp(&n("-1"), &n("0")), Ordering::Less);
        assert_eq!(int_cmp(&n("256"), &n("256")), Ordering::Equal);
    }

    #[test]
    fn choose_is_big_endian_mod() {
        let mut d = [0u8; 64];
        d[63] = 7;
        assert_eq!(choose(&d, 5), 2);
        d[62] = 1; // 263
        assert_eq!(choose(&d, 1000), 263);
        let ones = [0xffu8; 64]; // 2^512 - 1 = 3 * 5 * 17 * 257 * ... so divisible by 3
        assert_eq!(choose(&ones, 3), 0);
        assert_eq!(choose(&ones, 2048), 2047);
    }

    /// Both schedules (lockstep permutations or one at a time) give the
    /// reference's results (vectors 0, 4 and 8 of `tests/data/passcrypt.json`).
    #[test]
    fn lockstep_and_sequential_agree_with_the_reference() {
        let cases = [
            (
                "'password'",
                "'salt'",
                (256, 2, 256),
                "dd0525cd60ba196151ff5751e500fe9d1aa02d2b295a1cecfd7b32341e5344156cbb49076a037c9262687879135f64dd69dd6e1bb8b099835e550be442dede3b",
            ),
            (
                "'password'",
                "'salt'",
                (256, 20, 256),
                "03e6f5179635c7581b44bb7335326b25cb494c1fa14ea2ecc03d224a8dcb272ceb1d53a29f256aaeb71e107eafddd8f0df8b4b6dc232ac995c41ba49dfa70a14",
            ),
            (
                r#"b"bytes\x00pw'""#,
                r"b'\xffsalt'",
                (256, 2, 256),
                "7a705b02cf55a72d592c277e297f2af3102d99d7e5a4c660fb14381019f2cd19b360887688c28b19b287976c8e4797cbeaaa9c9967ec811c8e032295ef3e4b5f",
            ),
        ];
        for (password, salt, (kb, cpu, hardness), want) in cases {
            let settings = Passcrypt::new(kb, cpu, hardness).unwrap();
            for lockstep in [false, true] {
                let got = run_with(
                    password,
                    salt,
                    settings,
                    &mut NoTrace,
                    Permuter { lockstep },
                )
                .unwrap();
                assert_eq!(got.expose_secret(), want, "lockstep {lockstep}");
            }
        }
    }

    proptest! {
        /// The fill is the `bytes_keys` keystream of the ratchet module,
        /// in both schedules.
        #[test]
        fn fill_is_the_ratchet_keystream(
            key in "[a-z'\"\\\\é]{1,12}",
            width in 1usize..12,
            lockstep in any::<bool>(),
        ) {
            let settings = Passcrypt::new(256, 3, 256).unwrap();
            let mut ram = allocate(settings, width as u128).unwrap();
            let key_repr = PyValue::from(key.as_str()).repr();
            fill(&mut ram, &key_repr, "'salt'", "b'pid'", Permuter { lockstep });
            let mut ratchet = crate::compat::ratchet::Ratchet::new(&key_repr, "'salt'", "b'pid'");
            let mut out = [0u8; 128];
            for k in 0..width {
                if k == 0 {
                    ratchet.first(&mut out);
                } else {
                    ratchet.next_with(b"None", &mut out);
                }
                prop_assert_eq!(ram.cell(k), &out[..], "cell {}", k);
            }
        }

        #[test]
        fn bytes_repr_matches_pyvalue(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut ours = Vec::new();
            push_bytes_repr(&data, &mut ours);
            let mut theirs = String::new();
            repr_bytes(&data, &mut theirs);
            prop_assert_eq!(ours, theirs.into_bytes());
        }
    }
}
