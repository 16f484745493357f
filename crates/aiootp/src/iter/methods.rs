//! The lazy methods shared by [`Comprende`](super::Comprende) (over
//! [`Apply`](super::Apply) / [`Adapt`](super::Adapt)) and
//! [`AsyncComprende`](super::AsyncComprende) (over
//! [`ApplyStream`](super::ApplyStream) / [`AdaptStream`](super::AdaptStream)):
//! one list, so the two traits cannot drift apart.

/// Expands to the shared lazy methods, built with the adapter types
/// `$A` (a [`Step`](super::Step)) and `$D` (a
/// [`Transduce`](super::Transduce)).
macro_rules! comprende_methods {
    ($A:ident, $D:ident) => {
        // ----------------------------------------------------------- hashing

        /// `sha_256()`: the hex SHA3-256 of each item's Python text,
        /// `sha_256(item)` of the reference (hashes `repr((item,))`).
        fn sha_256(self) -> $A<Self, HashStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, HashStep::sha_256(PyValue::None))
        }

        /// `sha_256(salt)`: `sha_256(item, salt)` per item (hashes
        /// `repr((item, salt))`). As in the reference, a falsy salt (`""`,
        /// `0`, `None`) is ignored: the result is then [`sha_256`](Self::sha_256)'s.
        fn sha_256_salted(self, salt: impl Into<PyValue>) -> $A<Self, HashStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, HashStep::sha_256(salt.into()))
        }

        /// `sha_512()`: the hex SHA3-512 of each item's Python text.
        fn sha_512(self) -> $A<Self, HashStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, HashStep::sha_512(PyValue::None))
        }

        /// `sha_512(salt)`: `sha_512(item, salt)` per item (a falsy salt is
        /// ignored).
        fn sha_512_salted(self, salt: impl Into<PyValue>) -> $A<Self, HashStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, HashStep::sha_512(salt.into()))
        }

        /// `sha_256_hmac(key)`: the reference's nested hash
        /// `sha_256(sha_256(item, key), key)` per item (not RFC 2104 HMAC).
        /// For Python's `key=None` pass `Key::from_value(&PyValue::None)`.
        fn sha_256_hmac(self, key: &Key) -> $A<Self, HmacStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, HmacStep::sha_256(key, PyValue::None))
        }

        /// `sha_256_hmac(key, salt)`: the nested hash of the tuple
        /// `(item, salt)` (a falsy salt is ignored).
        fn sha_256_hmac_salted(self, key: &Key, salt: impl Into<PyValue>) -> $A<Self, HmacStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, HmacStep::sha_256(key, salt.into()))
        }

        /// `sha_512_hmac(key)`: `sha_512(sha_512(item, key), key)` per item.
        fn sha_512_hmac(self, key: &Key) -> $A<Self, HmacStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, HmacStep::sha_512(key, PyValue::None))
        }

        /// `sha_512_hmac(key, salt)`: the nested hash of `(item, salt)`.
        fn sha_512_hmac_salted(self, key: &Key, salt: impl Into<PyValue>) -> $A<Self, HmacStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, HmacStep::sha_512(key, salt.into()))
        }

        /// `sum_sha_256(salt)`: a running hash, `h = sha_256(salt)` then
        /// `h = sha_256(item, h)` per item, yielding each `h`. Pass
        /// `PyValue::None` for the reference's default.
        fn sum_sha_256(self, salt: impl Into<PyValue>) -> $A<Self, SumStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, SumStep::sha_256(&salt.into()))
        }

        /// `sum_sha_512(salt)`: the running SHA3-512 form of
        /// [`sum_sha_256`](Self::sum_sha_256).
        fn sum_sha_512(self, salt: impl Into<PyValue>) -> $A<Self, SumStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, SumStep::sha_512(&salt.into()))
        }

        // --------------------------------------------------------- encodings

        /// `hex()`: Python's `hex(n)[2:]` per integer: lowercase digits,
        /// `0` for zero. (The reference's cut also applies to negatives:
        /// `-255` gives `xff`; see [`hex_prefixed`](Self::hex_prefixed).)
        fn hex(self) -> $A<Self, HexStep>
        where
            Self: Sized,
            Self::Item: PyIntLike,
        {
            $A::new(self, HexStep { prefix: false })
        }

        /// `hex(prefix=True)`: Python's `hex(n)` (`0xff`, `-0xff`).
        fn hex_prefixed(self) -> $A<Self, HexStep>
        where
            Self: Sized,
            Self::Item: PyIntLike,
        {
            $A::new(self, HexStep { prefix: true })
        }

        /// `bytes_to_hex()`: lowercase hex of each item's bytes.
        fn bytes_to_hex(self) -> $A<Self, BytesToHexStep>
        where
            Self: Sized,
            Self::Item: AsRef<[u8]>,
        {
            $A::new(self, BytesToHexStep)
        }

        /// `hex_to_bytes()`: Python's `bytes.fromhex` per text (ASCII
        /// whitespace allowed between pairs; either case). A bad text
        /// gives [`IterError::NonHex`] in its place.
        fn hex_to_bytes(self) -> $A<Self, HexToBytesStep>
        where
            Self: Sized,
            Self::Item: AsRef<str>,
        {
            $A::new(self, HexToBytesStep)
        }

        /// `to_base64()`: standard base64 with padding of each item's bytes
        /// (a `str` is taken as its UTF-8 bytes, as the reference does).
        fn to_base64(self) -> $A<Self, ToBase64Step>
        where
            Self: Sized,
            Self::Item: AsRef<[u8]>,
        {
            $A::new(self, ToBase64Step)
        }

        /// `from_base64()`: decodes standard padded base64 (text or ASCII
        /// bytes). Stricter than the reference, which drops characters
        /// outside the alphabet: those give [`IterError::InvalidBase64`].
        #[allow(clippy::wrong_self_convention)]
        fn from_base64(self) -> $A<Self, FromBase64Step>
        where
            Self: Sized,
            Self::Item: AsRef<[u8]>,
        {
            $A::new(self, FromBase64Step)
        }

        /// `to_base(base, table)`: each integer as digits of `table`'s
        /// first `base` characters, most significant first, `table[0]` for
        /// zero (e.g. `to_base(95, ASCII_TABLE)`, the reference's
        /// default). A negative item gives [`IterError::NegativeInt`]
        /// (the reference loops forever).
        ///
        /// # Errors
        /// [`IterError::InvalidArgument`] unless `2 <= base <=` the
        /// table's length.
        fn to_base(self, base: usize, table: &str) -> Result<$A<Self, ToBaseStep>, IterError>
        where
            Self: Sized,
            Self::Item: PyIntLike,
        {
            Ok($A::new(self, ToBaseStep::new(base, table)?))
        }

        /// `from_base(base, table)`: the inverse of
        /// [`to_base`](Self::to_base); a character outside the table's
        /// first `base` gives [`IterError::InvalidBase`] in its place.
        ///
        /// # Errors
        /// As [`to_base`](Self::to_base).
        #[allow(clippy::wrong_self_convention)]
        fn from_base(self, base: usize, table: &str) -> Result<$A<Self, FromBaseStep>, IterError>
        where
            Self: Sized,
            Self::Item: AsRef<str>,
        {
            Ok($A::new(self, FromBaseStep::new(base, table)?))
        }

        /// `int_to_bytes(size, order)`: Python's `n.to_bytes(size, order)`
        /// (the reference's default is `256, "big"`).
        fn int_to_bytes(self, size: usize, order: ByteOrder) -> $A<Self, IntToBytesStep>
        where
            Self: Sized,
            Self::Item: PyIntLike,
        {
            $A::new(self, IntToBytesStep { size, order })
        }

        /// `bytes_to_int(order)`: Python's `int.from_bytes(item, order)`.
        fn bytes_to_int(self, order: ByteOrder) -> $A<Self, BytesToIntStep>
        where
            Self: Sized,
            Self::Item: AsRef<[u8]>,
        {
            $A::new(self, BytesToIntStep { order })
        }

        /// `ascii_to_int()`: the UTF-8 bytes of each text as a big-endian
        /// integer (`"hi"` → 26729).
        fn ascii_to_int(self) -> $A<Self, AsciiToIntStep>
        where
            Self: Sized,
            Self::Item: AsRef<str>,
        {
            $A::new(self, AsciiToIntStep)
        }

        /// `int_to_ascii()`: the minimal big-endian bytes of each integer,
        /// decoded as UTF-8 (Python's error text when they are not).
        fn int_to_ascii(self) -> $A<Self, IntToAsciiStep>
        where
            Self: Sized,
            Self::Item: PyIntLike,
        {
            $A::new(self, IntToAsciiStep)
        }

        /// `str()`: Python's `str(item)` (a text stays itself, anything
        /// else becomes its `repr`).
        fn str(self) -> $A<Self, StrStep>
        where
            Self: Sized,
            Self::Item: PyRepr,
        {
            $A::new(self, StrStep)
        }

        /// `json_dumps()`: Python's `json.dumps(item)` text of any `serde`
        /// value, byte for byte (see [`crate::compat::pyjson`]).
        fn json_dumps(self) -> $A<Self, JsonDumpsStep>
        where
            Self: Sized,
            Self::Item: Serialize,
        {
            $A::new(self, JsonDumpsStep)
        }

        /// `json_loads()`: Python's `json.loads(item)` as a [`PyValue`].
        fn json_loads(self) -> $A<Self, JsonLoadsStep<PyValue>>
        where
            Self: Sized,
            Self::Item: AsRef<str>,
        {
            $A::new(self, JsonLoadsStep::new())
        }

        /// `json_loads()` into any `serde` type `V`.
        fn json_loads_into<V: DeserializeOwned>(self) -> $A<Self, JsonLoadsStep<V>>
        where
            Self: Sized,
            Self::Item: AsRef<str>,
        {
            $A::new(self, JsonLoadsStep::new())
        }

        // ----------------------------------------------------------- shaping

        /// `resize(size)`: the items (all `String` or all `Vec<u8>`) as one
        /// sequence cut into pieces of exactly `size` characters or bytes,
        /// a shorter last piece: `["abcd", "ef", "ghijk"]` → `abc, def,
        /// ghi, jk`. (An empty source yields nothing; the reference raises
        /// `RuntimeError`.)
        ///
        /// # Errors
        /// [`IterError::InvalidArgument`] for a size of zero.
        fn resize(self, size: usize) -> Result<$D<Self, Resize<Self::Item>, Self::Item>, IterError>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            Ok($D::new(self, Resize::new(size)?))
        }

        /// `delimit(delimiter)`: `item + delimiter`.
        fn delimit(
            self,
            delimiter: &<Self::Item as Seq>::Slice,
        ) -> $A<Self, DelimitStep<Self::Item>>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            $A::new(self, DelimitStep::new(delimiter))
        }

        /// `delimit_resize(delimiter)`: the items as one sequence, yielded
        /// as the pieces between delimiters (leading characters that occur
        /// in `delimiter` are stripped, as Python's `lstrip(delimiter)`,
        /// so no piece is empty), the remainder last.
        ///
        /// # Errors
        /// [`IterError::InvalidArgument`] for an empty delimiter (the
        /// reference loops forever).
        fn delimit_resize(
            self,
            delimiter: &<Self::Item as Seq>::Slice,
        ) -> Result<$D<Self, DelimitResize<Self::Item>, Self::Item>, IterError>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            Ok($D::new(self, DelimitResize::new(delimiter)?))
        }

        /// `split(sep)`: Python's `item.split(sep)` (empty pieces kept).
        ///
        /// # Errors
        /// [`IterError::EmptySeparator`] for an empty `sep`.
        fn split(
            self,
            sep: &<Self::Item as Seq>::Slice,
        ) -> Result<$A<Self, SplitStep<Self::Item>>, IterError>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            Ok($A::new(self, SplitStep::new(sep)?))
        }

        /// `split()` with no separator: Python's split on runs of
        /// whitespace (its `isspace`, which also counts U+001C–U+001F),
        /// no empty pieces.
        fn split_whitespace(self) -> $A<Self, SplitStep<Self::Item>>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            $A::new(self, SplitStep::whitespace())
        }

        /// `zfill(width)`: Python's `zfill` (zeros after a leading sign).
        fn zfill(self, width: usize) -> $A<Self, ZfillStep>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            $A::new(self, ZfillStep { width })
        }

        /// `replace(old, new)`: Python's `replace` (an empty `old` inserts
        /// `new` around every character).
        fn replace(
            self,
            old: &<Self::Item as Seq>::Slice,
            new: &<Self::Item as Seq>::Slice,
        ) -> $A<Self, ReplaceStep<Self::Item>>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            $A::new(self, ReplaceStep::new(old, new))
        }

        /// `slice(start, stop, step)`: `item[start:stop:step]` with
        /// Python's rules, from a range (`.slice(1..3)`, `.slice(..-1)`)
        /// or a [`PySlice`] (`PySlice::new(Some(1), Some(-1), None)`).
        fn slice(self, slice: impl Into<PySlice>) -> $A<Self, SliceStep>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            $A::new(
                self,
                SliceStep {
                    slice: slice.into(),
                },
            )
        }

        /// `index(i)`: `item[i]`, a `char` of a text or a `u8` of bytes (a
        /// negative `i` counts from the end); out of range gives
        /// [`IterError::IndexOutOfRange`] in its place.
        fn index(self, i: isize) -> $A<Self, IndexStep>
        where
            Self: Sized,
            Self::Item: Seq,
        {
            $A::new(self, IndexStep { index: i })
        }

        /// `tag()`: `(index, item)` from 0 (Rust's `enumerate`).
        fn tag(self) -> $A<Self, TagStep>
        where
            Self: Sized,
        {
            $A::new(self, TagStep::default())
        }

        /// `halt(sentinel)`: the items up to, not including, the first one
        /// equal to `sentinel`.
        fn halt(self, sentinel: Self::Item) -> $D<Self, Halt<Self::Item>, Self::Item>
        where
            Self: Sized,
            Self::Item: PartialEq,
        {
            $D::new(self, Halt::new(vec![sentinel]))
        }

        /// `halt(sentinels=...)`: stops at the first item equal to any of
        /// `sentinels`.
        fn halt_any(self, sentinels: Vec<Self::Item>) -> $D<Self, Halt<Self::Item>, Self::Item>
        where
            Self: Sized,
            Self::Item: PartialEq,
        {
            $D::new(self, Halt::new(sentinels))
        }

        // ------------------------------------------------------------ cipher

        /// `bytes_encipher(key, salt, pid)`: each item (a big-endian
        /// integer of at most 256 significant bytes, normally a 256-byte
        /// block of padded plaintext) XOR the next key block, as the
        /// reference; plus the validator: after the last item,
        /// `finalize` gives the tag `sha_256_hmac(sha_512(C, salt, pid),
        /// key)`, the `hmac` of the reference's `bytes_encrypt`. An item
        /// too large yields [`CipherError::BlockTooLarge`] and ends the
        /// output. See [`cipher`](super::cipher).
        ///
        /// # Errors
        /// [`CipherError::MissingKey`] for an empty key.
        fn bytes_encipher(
            self,
            key: &Key,
            salt: &Salt,
            pid: impl Into<PyValue>,
        ) -> Result<$D<Self, BytesEncipher, Result<Block, CipherError>>, CipherError>
        where
            Self: Sized,
            Self::Item: AsRef<[u8]>,
        {
            Ok($D::new(self, BytesEncipher::new(key, salt, &pid.into())?))
        }

        /// `bytes_decipher(key, salt, pid)` with the validator: reads every
        /// ciphertext block, checks `hmac` (the tag of
        /// [`bytes_encipher`](Self::bytes_encipher)) in constant time, and
        /// only then yields the plaintext blocks; a wrong tag yields one
        /// [`CipherError::Authentication`] and nothing else.
        ///
        /// # Errors
        /// [`CipherError::MissingHmac`] for an empty tag,
        /// [`CipherError::MissingKey`] for an empty key.
        fn bytes_decipher(
            self,
            key: &Key,
            salt: &Salt,
            pid: impl Into<PyValue>,
            hmac: &str,
        ) -> Result<$D<Self, BytesDecipher, Result<Block, CipherError>>, CipherError>
        where
            Self: Sized,
            Self::Item: AsRef<[u8]>,
        {
            Ok($D::new(
                self,
                BytesDecipher::new(key, salt, &pid.into(), hmac)?,
            ))
        }

        /// `map_encipher(names, keystream)`: `(name, block)` pairs, the
        /// reference's key-ordered hash map entries (spec `cipher.md`
        /// §15): names from `keys(key, salt, pids.names)`, blocks
        /// enciphered with the keystream of pid `pids.keystream`
        /// (default `sha_256(key, salt)`). `finalize` gives the tag over
        /// the blocks (with that keystream pid).
        ///
        /// # Errors
        /// [`CipherError::MissingKey`], [`CipherError::MissingSalt`].
        fn map_encipher(
            self,
            key: &Key,
            salt: &Salt,
            pids: &MapPids,
        ) -> Result<$D<Self, MapEncipher, Result<(String, Block), CipherError>>, CipherError>
        where
            Self: Sized,
            Self::Item: AsRef<[u8]>,
        {
            Ok($D::new(self, MapEncipher::new(key, salt, pids)?))
        }

        /// `map_decipher(keystream)` with the validator: the items are the
        /// blocks picked in names order ([`crate::compat::hashmap::pick`]);
        /// checks `hmac` (from [`map_encipher`](Self::map_encipher)) before
        /// yielding any plaintext block.
        ///
        /// # Errors
        /// [`CipherError::MissingHmac`], [`CipherError::MissingKey`],
        /// [`CipherError::MissingSalt`].
        fn map_decipher(
            self,
            key: &Key,
            salt: &Salt,
            pids: &MapPids,
            hmac: &str,
        ) -> Result<$D<Self, BytesDecipher, Result<Block, CipherError>>, CipherError>
        where
            Self: Sized,
            Self::Item: AsRef<[u8]>,
        {
            Ok($D::new(self, BytesDecipher::map(key, salt, pids, hmac)?))
        }
    };
}

pub(crate) use comprende_methods;
