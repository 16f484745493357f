//! [`Comprende`]: the seed's generator methods on every [`Iterator`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::IterError;
use super::adapter::{Adapt, Apply, State};
use super::cipher::{Block, BytesDecipher, BytesEncipher, MapEncipher};
use super::coroutine::{CoState, Returning};
use super::encode::{
    AsciiToIntStep, ByteOrder, BytesToHexStep, BytesToIntStep, FromBase64Step, FromBaseStep,
    HexStep, HexToBytesStep, IntToAsciiStep, IntToBytesStep, JsonDumpsStep, JsonLoadsStep, StrStep,
    ToBase64Step, ToBaseStep,
};
use super::hash::{HashStep, HmacStep, SumStep};
use super::methods::comprende_methods;
use super::shape::{
    DelimitResize, DelimitStep, Halt, IndexStep, PySlice, ReplaceStep, Resize, Seq, SliceStep,
    SplitStep, TagStep, ZfillStep,
};
use super::value::{PyIntLike, PyRepr};
use crate::compat::hashmap::MapPids;
use crate::compat::{Key, PyValue, Salt};
use crate::error::CipherError;

/// The seed's `Comprende` methods on every iterator (a blanket
/// extension trait: `use aiootp::iter::Comprende;`).
///
/// Lazy methods return adapters; the eager ones ([`list`](Self::list),
/// [`join`](Self::join), ...) consume the iterator. See the [module
/// docs](super) for the table of every seed method and its Rust form.
///
/// A name shared with another extension trait in scope (`join` of
/// `itertools::Itertools`) is ambiguous: call it as
/// `Comprende::join(iter, ",")`.
pub trait Comprende: Iterator {
    comprende_methods!(Apply, Adapt);

    /// `tag(of=names)`: `(name, item)` pairs, ending with the shorter
    /// (Rust's `names.zip(self)`).
    fn tag_with<J: IntoIterator>(self, names: J) -> std::iter::Zip<J::IntoIter, Self>
    where
        Self: Sized,
    {
        names.into_iter().zip(self)
    }

    /// `timeout(delay)`: the items until `delay` has passed since the
    /// first `next`, checked as each item arrives (that item is dropped),
    /// as the reference. A blocking source is not interrupted.
    fn timeout(self, delay: Duration) -> Timeout<Self>
    where
        Self: Sized,
    {
        Timeout {
            iter: self,
            delay,
            start: None,
            done: false,
        }
    }

    /// The `Yielded` values of an iterator of [`CoState`] items; the
    /// first `Complete` value ends it and is kept for
    /// [`Returning::result`] (the seed's `result()`).
    fn returning<Y, R>(self) -> Returning<Self, R>
    where
        Self: Sized + Iterator<Item = CoState<Y, R>>,
    {
        Returning::new(self)
    }

    /// `list()`: every item in a `Vec` (Rust: `collect::<Vec<_>>()`).
    fn list(self) -> Vec<Self::Item>
    where
        Self: Sized,
    {
        self.collect()
    }

    /// `set()`: every item in a `HashSet` (Rust: `collect::<HashSet<_>>()`).
    fn set(self) -> HashSet<Self::Item>
    where
        Self: Sized,
        Self::Item: Eq + Hash,
    {
        self.collect()
    }

    /// `deque()`: every item in a `VecDeque`.
    fn deque(self) -> VecDeque<Self::Item>
    where
        Self: Sized,
    {
        self.collect()
    }

    /// `dict()`: the `(key, value)` items in a `HashMap` (a later key
    /// replaces an earlier one, as in Python; the order is not kept:
    /// collect into a `Vec` or `BTreeMap` for that).
    fn dict<K, V>(self) -> HashMap<K, V>
    where
        Self: Sized + Iterator<Item = (K, V)>,
        K: Eq + Hash,
    {
        self.collect()
    }

    /// `join(on)`: the texts joined with `sep`.
    fn join(self, sep: &str) -> String
    where
        Self: Sized,
        Self::Item: AsRef<str>,
    {
        let mut out = String::new();
        for (i, item) in self.enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(item.as_ref());
        }
        out
    }

    /// `join(b"...")`: the bytes joined with `sep`.
    fn join_bytes(self, sep: &[u8]) -> Vec<u8>
    where
        Self: Sized,
        Self::Item: AsRef<[u8]>,
    {
        let mut out = Vec::new();
        for (i, item) in self.enumerate() {
            if i > 0 {
                out.extend_from_slice(sep);
            }
            out.extend_from_slice(item.as_ref());
        }
        out
    }

    /// `exhaust()`: runs to the end and returns the last item (Rust:
    /// `last()`). Unlike the reference, a falsy last item is returned and
    /// an empty source gives `None` instead of raising.
    fn exhaust(self) -> Option<Self::Item>
    where
        Self: Sized,
    {
        self.last()
    }
}

impl<I: Iterator> Comprende for I {}

/// The iterator of [`Comprende::timeout`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy"]
pub struct Timeout<I> {
    iter: I,
    delay: Duration,
    start: Option<Instant>,
    done: bool,
}

impl<I: Iterator> Iterator for Timeout<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        if self.done {
            return None;
        }
        let start = *self.start.get_or_insert_with(Instant::now);
        let item = self.iter.next();
        if item.is_none() || start.elapsed() >= self.delay {
            self.done = true;
            return None;
        }
        item
    }
}

impl<I: Iterator> Adapt<I, BytesEncipher, Result<Block, CipherError>> {
    /// The validator's tag (64 hex characters, the reference's `hmac`),
    /// once the source has ended with every item enciphered; `None`
    /// before that, after an error, or when asked twice.
    #[must_use]
    pub fn finalize(&mut self) -> Option<String> {
        (self.state == State::Finished)
            .then(|| self.transducer.tag())
            .flatten()
    }
}

impl<I: Iterator> Adapt<I, MapEncipher, Result<(String, Block), CipherError>> {
    /// As [`finalize`](Adapt::finalize) of `bytes_encipher`: the tag over
    /// the map's blocks.
    #[must_use]
    pub fn finalize(&mut self) -> Option<String> {
        (self.state == State::Finished)
            .then(|| self.transducer.tag())
            .flatten()
    }
}
