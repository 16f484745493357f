//! The generator toolkit: the seed's `Comprende` methods as extension
//! traits on [`Iterator`] ([`Comprende`]) and on
//! [`futures_core::Stream`] ([`AsyncComprende`]), spec `utilities.md` §2.
//!
//! **For most cases** `use aiootp::iter::Comprende;` and chain: every
//! iterator gains the reference's per-item methods (hashes, encodings,
//! shaping), whose outputs are the reference's, byte for byte.
//!
//! ```
//! use aiootp::iter::{ASCII_TABLE, ByteOrder, Comprende};
//!
//! // sha_256 of each item's Python text, as `unpack(items).sha_256()`.
//! let digests = ["ab", "cd"].into_iter().sha_256().list();
//! assert_eq!(digests.len(), 2);
//! assert_eq!(digests[0].len(), 64);
//!
//! // Re-cut a stream of texts into 3-character pieces.
//! let pieces = ["abcd", "ef", "ghijk"].map(String::from).into_iter().resize(3)?.list();
//! assert_eq!(pieces, ["abc", "def", "ghi", "jk"]);
//!
//! // Numbers in base 95 over the printable ASCII table, and back.
//! let text = [26729u32].into_iter().to_base(95, ASCII_TABLE)?.map(Result::unwrap).list();
//! let back = text.iter().from_base(95, ASCII_TABLE)?.map(Result::unwrap).list();
//! assert_eq!(back[0].to_u64(), Some(26729));
//!
//! // Integers to bytes and hex.
//! let hex = [258u16].into_iter().int_to_bytes(4, ByteOrder::Big).map(Result::unwrap).bytes_to_hex().join(",");
//! assert_eq!(hex, "00000102");
//! # Ok::<(), aiootp::iter::IterError>(())
//! ```
//!
//! Streams get the same methods (the reference's `a…` twins) plus timers
//! under the `tokio` feature; the eager end-points return futures:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), aiootp::iter::IterError> {
//! use aiootp::iter::AsyncComprende;
//! use futures_util::stream;
//!
//! let words = stream::iter(["a b", "c"].map(String::from)).split_whitespace().list().await;
//! assert_eq!(words, vec![vec!["a", "b"], vec!["c"]]);
//! # Ok(())
//! # }
//! ```
//!
//! # Items are typed
//!
//! The reference applies a method to whatever Python object comes by. Here
//! each method states what it takes:
//! * the hash steps and `str` take any [`PyRepr`] (texts, bytes, integers,
//!   tuples, [`PyValue`](crate::compat::PyValue), ...), hashed through
//!   their Python `repr` exactly as the reference does;
//! * the integer steps take a [`PyIntLike`] (every primitive integer, and
//!   [`PyInt`](crate::compat::PyInt) of any size) and produce `PyInt`;
//! * the shaping steps take owned texts (`String`) or bytes (`Vec<u8>`)
//!   ([`Seq`]), counted in characters or bytes as Python's `str` and
//!   `bytes` are.
//!
//! # Errors
//!
//! A bad **argument** is refused when the adapter is built (`resize(0)`,
//! `to_base(1, ..)`, `split("")` return `Err`); a bad **item** comes out
//! as an `Err` in its place (`hex_to_bytes` of a non-hex text), and the
//! chain goes on: collect with `collect::<Result<Vec<_>, _>>()` or stop
//! at the first error with `map_while(Result::ok)`. See [`IterError`].
//! The cipher steps fail with [`CipherError`](crate::error::CipherError).
//!
//! # Seed method → Rust
//!
//! "native" rows are what Rust's iterators already do; use the idiom.
//! The `of=` forms of the reference (`g.sha_256(of=other)` yields
//! `(item, sha_256(other_item))`) are `self.zip(other.sha_256())`.
//!
//! | seed (`Comprende`) | Rust |
//! | --- | --- |
//! | `sha_256(salt)`, `sha_512(salt)` | [`sha_256`](Comprende::sha_256), [`sha_256_salted`](Comprende::sha_256_salted), [`sha_512`](Comprende::sha_512), [`sha_512_salted`](Comprende::sha_512_salted) |
//! | `sha_256_hmac(key, salt)`, `sha_512_hmac(...)` | [`sha_256_hmac`](Comprende::sha_256_hmac), [`sha_256_hmac_salted`](Comprende::sha_256_hmac_salted), [`sha_512_hmac`](Comprende::sha_512_hmac), [`sha_512_hmac_salted`](Comprende::sha_512_hmac_salted) |
//! | `sum_sha_256(salt)`, `sum_sha_512(salt)` | [`sum_sha_256`](Comprende::sum_sha_256), [`sum_sha_512`](Comprende::sum_sha_512) |
//! | `hex(prefix)` | [`hex`](Comprende::hex), [`hex_prefixed`](Comprende::hex_prefixed) |
//! | `bytes_to_hex()`, `hex_to_bytes()` | [`bytes_to_hex`](Comprende::bytes_to_hex), [`hex_to_bytes`](Comprende::hex_to_bytes) |
//! | `to_base64()`, `from_base64()` | [`to_base64`](Comprende::to_base64) (yields `String`, the reference ASCII `bytes`), [`from_base64`](Comprende::from_base64) (strict) |
//! | `to_base(base, table)`, `from_base(base, table)` | [`to_base`](Comprende::to_base), [`from_base`](Comprende::from_base), tables in [`tables`] |
//! | `int_to_bytes(size, order)`, `bytes_to_int(order)` | [`int_to_bytes`](Comprende::int_to_bytes), [`bytes_to_int`](Comprende::bytes_to_int) with [`ByteOrder`] |
//! | `ascii_to_int()`, `int_to_ascii()` | [`ascii_to_int`](Comprende::ascii_to_int), [`int_to_ascii`](Comprende::int_to_ascii) |
//! | `str()` | [`str`](Comprende::str) |
//! | `json_dumps()`, `json_loads()` | [`json_dumps`](Comprende::json_dumps), [`json_loads`](Comprende::json_loads), [`json_loads_into`](Comprende::json_loads_into) |
//! | `resize(size)`, `delimit(d)`, `delimit_resize(d)` | [`resize`](Comprende::resize), [`delimit`](Comprende::delimit), [`delimit_resize`](Comprende::delimit_resize) |
//! | `split(sep)`, `zfill(w)`, `replace(a, b)` | [`split`](Comprende::split), [`split_whitespace`](Comprende::split_whitespace), [`zfill`](Comprende::zfill), [`replace`](Comprende::replace) |
//! | `slice(*a)`, `index(i)` (per item) | [`slice`](Comprende::slice) with a [`PySlice`] or range, [`index`](Comprende::index) |
//! | `tag()`, `tag(of=names)` | [`tag`](Comprende::tag) (= `enumerate()`), [`tag_with`](Comprende::tag_with) (= `names.zip(self)`) |
//! | `halt(sentinel, sentinels=)` | [`halt`](Comprende::halt), [`halt_any`](Comprende::halt_any) (native: `take_while(\|x\| x != &s)`) |
//! | `timeout(delay)` | [`timeout`](Comprende::timeout), `AsyncComprende::timeout` (feature `tokio`) |
//! | `random_sleep(span)` | `AsyncComprende::random_sleep` (feature `tokio`; a sync sleep has no use) |
//! | `feed(iterable)`, `feed_self()`, `g(value)` / `send` | [`Gen::feed`], [`Gen::feed_self`], [`Gen::send`] on a [`Coroutine`] ([`from_fn`], the compat keystreams) |
//! | `result()`, `aresult()` | [`Gen::result`], [`Comprende::returning`] → [`Returning::result`], [`ReturningStream::result`] |
//! | `bytes_encipher`, `bytes_decipher` | [`bytes_encipher`](Comprende::bytes_encipher) / [`bytes_decipher`](Comprende::bytes_decipher), with a validator ([`cipher`]) |
//! | `map_encipher`, `map_decipher` | [`map_encipher`](Comprende::map_encipher) / [`map_decipher`](Comprende::map_decipher), with a validator |
//! | `list()`, `set()`, `deque()`, `dict()` | [`list`](Comprende::list), [`set`](Comprende::set), [`deque`](Comprende::deque), [`dict`](Comprende::dict) (native: `collect::<Vec<_>>()` / `HashSet` / `VecDeque` / `HashMap`) |
//! | `join(on)`, `exhaust()` | [`join`](Comprende::join), [`join_bytes`](Comprende::join_bytes), [`exhaust`](Comprende::exhaust) (native: `last()`) |
//! | `g[start:stop:step]`, `g[i]` | native: `skip(start).step_by(step).take((stop - start).div_ceil(step))`, `nth(i)` |
//! | `int(*a)`, `bin()`, `bytes()`, `encode()`, `decode()` | native: `map(\|s\| i64::from_str_radix(&s, 16))`, `format!("{n:#b}")`, `into_bytes()`, `String::from_utf8` |
//! | `sort(key)`, `reversed()`, `heappop()` | native: collect then `sort_by_key`, `rev()`, `BinaryHeap` |
//! | `map`, `filter`, `enumerate`, `zip`, `take`, `skip`, `chain`, `cycle`, `count`, `range` | native `Iterator` methods and `0..`, `iter::repeat`, `cycle()` |
//! | `reset()`, `prime()`, restart-on-iterate | native: make the iterator again (`clone()` before use, or call the constructor) |
//! | caching (`runsum`, `clear`, `precomputed`) | native: `collect` once and iterate the `Vec` (no hidden cache of secret data) |
//! | `xor`, `bytes_xor`, `ascii_encipher`, `ascii_decipher` | [`crate::compat::ratchet::XorStream`] (hazmat, unauthenticated) |
//! | `passcrypt`, `sum_passcrypt`, `debugger` | native: `map(\|p\| passcrypt(...))` with [`crate::compat::passcrypt`]; a profiler |
//!
//! # Security
//! The hash steps are the reference's text hashes, not MACs; the `_hmac`
//! forms are nested hashes. The cipher steps are the reference's raw
//! keystream XOR, made safe to use by their validator ([`cipher`]); for
//! new data use [`crate::OneTimePad`].

mod adapter;
mod bigint;
pub mod cipher;
mod coroutine;
mod encode;
mod error;
mod hash;
mod methods;
mod shape;
mod stream;
mod sync;
pub mod tables;
#[cfg(feature = "tokio")]
mod timer;
mod value;

#[cfg(test)]
mod proptests;

pub use adapter::{Adapt, AdaptStream, Apply, ApplyStream, Step, Transduce};
pub use cipher::{Block, BytesDecipher, BytesEncipher, MapEncipher};
pub use coroutine::{CoState, Coroutine, Feed, FeedSelf, FnCoroutine, Gen, Returning, from_fn};
pub use encode::{
    AsciiToIntStep, ByteOrder, BytesToHexStep, BytesToIntStep, FromBase64Step, FromBaseStep,
    HexStep, HexToBytesStep, IntToAsciiStep, IntToBytesStep, JsonDumpsStep, JsonLoadsStep, StrStep,
    ToBase64Step, ToBaseStep,
};
pub use error::IterError;
pub use hash::{HashStep, HmacStep, SumStep};
pub use shape::{
    DelimitResize, DelimitStep, Halt, IndexStep, PySlice, ReplaceStep, Resize, Seq, SliceStep,
    SplitStep, TagStep, TagWith, ZfillStep,
};
pub use stream::{AsyncComprende, ReturningStream};
pub use sync::{Comprende, Timeout};
pub use tables::{
    ASCII_ALPHANUMERIC, ASCII_TABLE, ASCII_TABLE_128, BASE_36_TABLE, BASE_64_TABLE,
    ONION_CHAR_TABLE, URL_SAFE_TABLE,
};
#[cfg(feature = "tokio")]
pub use timer::{RandomSleep, Timeout as StreamTimeout};
pub use value::{PyIntLike, PyRepr};
