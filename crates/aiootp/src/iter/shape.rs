//! The shaping steps on text and bytes: `resize`, `delimit`,
//! `delimit_resize`, `split`, `zfill`, `replace`, `slice`, `index`, and
//! the item-level `halt` and `tag` (spec `utilities.md` §2.9).
//!
//! Text is counted in Unicode scalar values (Python's code points),
//! bytes in bytes, as the reference's `str` and `bytes` methods do.

use std::collections::VecDeque;
use std::ops::{Range, RangeFrom, RangeFull, RangeTo};

use super::IterError;
use super::adapter::{Step, Transduce};

mod sealed {
    pub trait Sealed {}
    impl Sealed for String {}
    impl Sealed for Vec<u8> {}
}

/// An owned Python `str` (`String`) or `bytes` (`Vec<u8>`): the items of
/// the shaping steps.
pub trait Seq: sealed::Sealed + Sized {
    /// The borrowed form (`str` or `[u8]`), the type of separators and
    /// delimiters.
    type Slice: ?Sized;
    /// One element: a `char` of a `str`, a `u8` of `bytes`.
    type Unit: Copy + PartialEq + std::fmt::Debug;
    /// The start of Python's `IndexError` text for this type.
    #[doc(hidden)]
    const INDEX_PREFIX: &'static str;
    /// The digit zero, for `zfill`.
    #[doc(hidden)]
    const ZERO: Self::Unit;
    /// The elements of a borrowed value.
    #[doc(hidden)]
    fn units_of(s: &Self::Slice) -> Vec<Self::Unit>;
    /// The elements of `self`.
    #[doc(hidden)]
    fn units(&self) -> Vec<Self::Unit>;
    /// A value made of elements.
    #[doc(hidden)]
    fn from_units(units: &[Self::Unit]) -> Self;
    /// Python's `isspace` for one element (`str.split()` / `bytes.split()`).
    #[doc(hidden)]
    fn is_space(u: Self::Unit) -> bool;
    /// Python's sign characters `+` / `-`, for `zfill`.
    #[doc(hidden)]
    fn is_sign(u: Self::Unit) -> bool;
}

impl Seq for String {
    type Slice = str;
    type Unit = char;
    const INDEX_PREFIX: &'static str = "string ";
    const ZERO: char = '0';

    fn units_of(s: &str) -> Vec<char> {
        s.chars().collect()
    }
    fn units(&self) -> Vec<char> {
        self.chars().collect()
    }
    fn from_units(units: &[char]) -> Self {
        units.iter().collect()
    }
    fn is_space(c: char) -> bool {
        // CPython 3.8 `str.isspace`: bidi classes WS, B, S and category Zs.
        matches!(
            c,
            '\t'..='\r'
                | '\x1c'..='\x20'
                | '\u{85}'
                | '\u{a0}'
                | '\u{1680}'
                | '\u{2000}'..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
        )
    }
    fn is_sign(c: char) -> bool {
        c == '+' || c == '-'
    }
}

impl Seq for Vec<u8> {
    type Slice = [u8];
    type Unit = u8;
    const INDEX_PREFIX: &'static str = "";
    const ZERO: u8 = b'0';

    fn units_of(s: &[u8]) -> Vec<u8> {
        s.to_vec()
    }
    fn units(&self) -> Vec<u8> {
        self.clone()
    }
    fn from_units(units: &[u8]) -> Self {
        units.to_vec()
    }
    fn is_space(b: u8) -> bool {
        matches!(b, b' ' | b'\t'..=b'\r')
    }
    fn is_sign(b: u8) -> bool {
        b == b'+' || b == b'-'
    }
}

fn find<U: PartialEq>(hay: &[U], pat: &[U]) -> Option<usize> {
    if pat.is_empty() {
        return Some(0);
    }
    hay.windows(pat.len()).position(|w| w == pat)
}

/// The step of `delimit`: `item + delimiter`.
#[derive(Debug, Clone)]
pub struct DelimitStep<S: Seq> {
    delimiter: Vec<S::Unit>,
}

impl<S: Seq> DelimitStep<S> {
    pub(crate) fn new(delimiter: &S::Slice) -> Self {
        Self {
            delimiter: S::units_of(delimiter),
        }
    }
}

impl<S: Seq> Step<S> for DelimitStep<S> {
    type Out = S;

    fn apply(&mut self, item: S) -> S {
        let mut units = item.units();
        units.extend_from_slice(&self.delimiter);
        S::from_units(&units)
    }
}

/// The step of `zfill`: Python's `zfill(width)` (zeros after a leading
/// sign).
#[derive(Debug, Clone, Copy)]
pub struct ZfillStep {
    pub(crate) width: usize,
}

impl<S: Seq> Step<S> for ZfillStep {
    type Out = S;

    fn apply(&mut self, item: S) -> S {
        let units = item.units();
        if units.len() >= self.width {
            return item;
        }
        let fill = self.width - units.len();
        let mut out = vec![S::ZERO; fill];
        out.extend_from_slice(&units);
        if let Some(&first) = units.first()
            && S::is_sign(first)
        {
            out[0] = first;
            out[fill] = S::ZERO;
        }
        S::from_units(&out)
    }
}

/// The step of `replace`: Python's `replace(old, new)` (an empty `old`
/// inserts `new` around every element).
#[derive(Debug, Clone)]
pub struct ReplaceStep<S: Seq> {
    old: Vec<S::Unit>,
    new: Vec<S::Unit>,
}

impl<S: Seq> ReplaceStep<S> {
    pub(crate) fn new(old: &S::Slice, new: &S::Slice) -> Self {
        Self {
            old: S::units_of(old),
            new: S::units_of(new),
        }
    }
}

impl<S: Seq> Step<S> for ReplaceStep<S> {
    type Out = S;

    fn apply(&mut self, item: S) -> S {
        let units = item.units();
        let mut out = Vec::with_capacity(units.len());
        if self.old.is_empty() {
            for u in units {
                out.extend_from_slice(&self.new);
                out.push(u);
            }
            out.extend_from_slice(&self.new);
            return S::from_units(&out);
        }
        let mut rest = &units[..];
        while let Some(i) = find(rest, &self.old) {
            out.extend_from_slice(&rest[..i]);
            out.extend_from_slice(&self.new);
            rest = &rest[i + self.old.len()..];
        }
        out.extend_from_slice(rest);
        S::from_units(&out)
    }
}

/// The step of `split(sep)` (empty pieces kept) and `split_whitespace()`
/// (Python's `split()` with no argument: runs of whitespace, no empty
/// pieces).
#[derive(Debug, Clone)]
pub struct SplitStep<S: Seq> {
    /// `None`: split on whitespace.
    sep: Option<Vec<S::Unit>>,
}

impl<S: Seq> SplitStep<S> {
    pub(crate) fn new(sep: &S::Slice) -> Result<Self, IterError> {
        let sep = S::units_of(sep);
        if sep.is_empty() {
            return Err(IterError::EmptySeparator);
        }
        Ok(Self { sep: Some(sep) })
    }

    pub(crate) fn whitespace() -> Self {
        Self { sep: None }
    }
}

impl<S: Seq> Step<S> for SplitStep<S> {
    type Out = Vec<S>;

    fn apply(&mut self, item: S) -> Vec<S> {
        let units = item.units();
        match &self.sep {
            Some(sep) => {
                let mut out = Vec::new();
                let mut rest = &units[..];
                while let Some(i) = find(rest, sep) {
                    out.push(S::from_units(&rest[..i]));
                    rest = &rest[i + sep.len()..];
                }
                out.push(S::from_units(rest));
                out
            }
            None => units
                .split(|&u| S::is_space(u))
                .filter(|p| !p.is_empty())
                .map(S::from_units)
                .collect(),
        }
    }
}

/// A Python slice `[start:stop:step]`, applied to each item by
/// [`slice`](super::Comprende::slice) with Python's rules (negative
/// positions count from the end, out-of-range bounds are clipped, a
/// negative step walks backwards).
///
/// Made from a range (`1..3`, `2..`, `..-1`, `..`) or with
/// [`PySlice::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PySlice {
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
}

impl PySlice {
    /// `slice(start, stop, step)`; `None` is Python's `None`.
    ///
    /// # Errors
    /// [`IterError::ZeroStep`] for a step of zero.
    pub fn new(
        start: Option<isize>,
        stop: Option<isize>,
        step: Option<isize>,
    ) -> Result<Self, IterError> {
        let step = step.unwrap_or(1);
        if step == 0 {
            return Err(IterError::ZeroStep);
        }
        Ok(Self { start, stop, step })
    }

    /// The positions this slice selects in a sequence of `len` elements
    /// (Python's `range(*slice.indices(len))`).
    #[must_use]
    pub fn positions(&self, len: usize) -> Vec<usize> {
        let len = isize::try_from(len).unwrap_or(isize::MAX);
        let (lower, upper) = if self.step < 0 {
            (-1, len - 1)
        } else {
            (0, len)
        };
        let clip = |v: Option<isize>, default: isize| match v {
            None => default,
            Some(v) if v < 0 => (v.saturating_add(len)).max(lower),
            Some(v) => v.min(upper),
        };
        let start = clip(self.start, if self.step < 0 { upper } else { lower });
        let stop = clip(self.stop, if self.step < 0 { lower } else { upper });
        let mut out = Vec::new();
        let mut i = start;
        while (self.step > 0 && i < stop) || (self.step < 0 && i > stop) {
            out.push(usize::try_from(i).unwrap_or(0));
            i = i.saturating_add(self.step);
        }
        out
    }
}

impl From<Range<isize>> for PySlice {
    fn from(r: Range<isize>) -> Self {
        Self {
            start: Some(r.start),
            stop: Some(r.end),
            step: 1,
        }
    }
}

impl From<RangeFrom<isize>> for PySlice {
    fn from(r: RangeFrom<isize>) -> Self {
        Self {
            start: Some(r.start),
            stop: None,
            step: 1,
        }
    }
}

impl From<RangeTo<isize>> for PySlice {
    fn from(r: RangeTo<isize>) -> Self {
        Self {
            start: None,
            stop: Some(r.end),
            step: 1,
        }
    }
}

impl From<RangeFull> for PySlice {
    fn from(_: RangeFull) -> Self {
        Self {
            start: None,
            stop: None,
            step: 1,
        }
    }
}

/// The step of `slice`: `item[start:stop:step]`.
#[derive(Debug, Clone, Copy)]
pub struct SliceStep {
    pub(crate) slice: PySlice,
}

impl<S: Seq> Step<S> for SliceStep {
    type Out = S;

    fn apply(&mut self, item: S) -> S {
        let units = item.units();
        let picked: Vec<S::Unit> = self
            .slice
            .positions(units.len())
            .into_iter()
            .filter_map(|i| units.get(i).copied())
            .collect();
        S::from_units(&picked)
    }
}

/// The step of `index`: `item[i]` (a negative `i` counts from the end).
#[derive(Debug, Clone, Copy)]
pub struct IndexStep {
    pub(crate) index: isize,
}

impl<S: Seq> Step<S> for IndexStep {
    type Out = Result<S::Unit, IterError>;

    fn apply(&mut self, item: S) -> Self::Out {
        let units = item.units();
        let len = isize::try_from(units.len()).unwrap_or(isize::MAX);
        let i = if self.index < 0 {
            self.index.saturating_add(len)
        } else {
            self.index
        };
        usize::try_from(i)
            .ok()
            .and_then(|i| units.get(i).copied())
            .ok_or(IterError::IndexOutOfRange {
                prefix: S::INDEX_PREFIX,
            })
    }
}

/// The transducer of `resize`: the items as one sequence, cut into
/// pieces of exactly `size` elements (a shorter last piece).
#[derive(Debug, Clone)]
pub struct Resize<S: Seq> {
    size: usize,
    buf: Vec<S::Unit>,
}

impl<S: Seq> Resize<S> {
    pub(crate) fn new(size: usize) -> Result<Self, IterError> {
        if size == 0 {
            return Err(IterError::InvalidArgument("resize needs a size above zero"));
        }
        Ok(Self {
            size,
            buf: Vec::new(),
        })
    }
}

impl<S: Seq> Transduce<S> for Resize<S> {
    type Out = S;

    fn push(&mut self, item: S, out: &mut VecDeque<S>) -> bool {
        self.buf.extend(item.units());
        let full = self.buf.len() / self.size * self.size;
        for piece in self.buf[..full].chunks_exact(self.size) {
            out.push_back(S::from_units(piece));
        }
        self.buf.drain(..full);
        true
    }

    fn finish(&mut self, out: &mut VecDeque<S>) {
        if !self.buf.is_empty() {
            out.push_back(S::from_units(&self.buf));
            self.buf.clear();
        }
    }
}

/// The transducer of `delimit_resize`: the items as one sequence, cut at
/// each `delimiter` (leading delimiter characters stripped, so no empty
/// pieces), the remainder last.
#[derive(Debug, Clone)]
pub struct DelimitResize<S: Seq> {
    delimiter: Vec<S::Unit>,
    cache: Vec<S::Unit>,
}

impl<S: Seq> DelimitResize<S> {
    pub(crate) fn new(delimiter: &S::Slice) -> Result<Self, IterError> {
        let delimiter = S::units_of(delimiter);
        if delimiter.is_empty() {
            return Err(IterError::InvalidArgument(
                "delimit_resize needs a non-empty delimiter",
            ));
        }
        Ok(Self {
            delimiter,
            cache: Vec::new(),
        })
    }

    /// Python's `lstrip(delimiter)`: drops leading elements that occur
    /// anywhere in the delimiter.
    fn lstrip(&self, units: &[S::Unit]) -> usize {
        units
            .iter()
            .position(|u| !self.delimiter.contains(u))
            .unwrap_or(units.len())
    }
}

impl<S: Seq> Transduce<S> for DelimitResize<S> {
    type Out = S;

    fn push(&mut self, item: S, out: &mut VecDeque<S>) -> bool {
        let mut result = std::mem::take(&mut self.cache);
        result.extend(item.units());
        let mut at = self.lstrip(&result);
        while let Some(i) = find(&result[at..], &self.delimiter) {
            out.push_back(S::from_units(&result[at..at + i]));
            at += i;
            at += self.lstrip(&result[at..]);
        }
        result.drain(..at);
        self.cache = result;
        true
    }

    fn finish(&mut self, out: &mut VecDeque<S>) {
        if !self.cache.is_empty() {
            out.push_back(S::from_units(&self.cache));
            self.cache.clear();
        }
    }
}

/// The transducer of `halt`: passes items until one equals a sentinel
/// (which is dropped) and stops there.
#[derive(Debug, Clone)]
pub struct Halt<T> {
    sentinels: Vec<T>,
}

impl<T> Halt<T> {
    pub(crate) fn new(sentinels: Vec<T>) -> Self {
        Self { sentinels }
    }
}

impl<T: PartialEq> Transduce<T> for Halt<T> {
    type Out = T;

    fn push(&mut self, item: T, out: &mut VecDeque<T>) -> bool {
        if self.sentinels.contains(&item) {
            return false;
        }
        out.push_back(item);
        true
    }

    fn finish(&mut self, _: &mut VecDeque<T>) {}
}

/// The step of `tag`: `(index, item)` from 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct TagStep {
    pub(crate) next: usize,
}

impl<T> Step<T> for TagStep {
    type Out = (usize, T);

    fn apply(&mut self, item: T) -> (usize, T) {
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        (n, item)
    }
}

/// The transducer of `tag_with` on streams: `(name, item)` with names
/// from an iterator, ending when the names do.
#[derive(Debug, Clone)]
pub struct TagWith<J> {
    pub(crate) names: J,
}

impl<T, J: Iterator> Transduce<T> for TagWith<J> {
    type Out = (J::Item, T);

    fn push(&mut self, item: T, out: &mut VecDeque<Self::Out>) -> bool {
        match self.names.next() {
            Some(name) => {
                out.push_back((name, item));
                true
            }
            None => false,
        }
    }

    fn finish(&mut self, _: &mut VecDeque<Self::Out>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> String {
        x.to_owned()
    }

    #[test]
    fn python_str_methods() {
        let mut z = ZfillStep { width: 5 };
        assert_eq!(z.apply(s("-12")), "-0012");
        assert_eq!(z.apply(s("+")), "+0000");
        assert_eq!(z.apply(s("abcdef")), "abcdef");
        assert_eq!(z.apply(b"-1".to_vec()), b"-0001");
        let mut r = ReplaceStep::<String>::new("", "-");
        assert_eq!(r.apply(s("ab")), "-a-b-");
        let mut r = ReplaceStep::<Vec<u8>>::new(b"aa", b"b");
        assert_eq!(r.apply(b"aaaaa".to_vec()), b"bba");
        let mut sp = SplitStep::<String>::new(",").unwrap_or_else(|_| unreachable!());
        assert_eq!(sp.apply(s(",a,,b")), vec!["", "a", "", "b"]);
        let mut ws = SplitStep::<String>::whitespace();
        assert_eq!(ws.apply(s(" a\x1c b\u{3000}c ")), vec!["a", "b", "c"]);
        assert!(SplitStep::<String>::new("").is_err());
    }

    #[test]
    fn slices_follow_python() {
        let p = |a, b, c| PySlice::new(a, b, c).unwrap_or_else(|_| unreachable!());
        assert_eq!(p(None, None, Some(-1)).positions(3), vec![2, 1, 0]);
        assert_eq!(p(Some(-2), None, None).positions(3), vec![1, 2]);
        assert_eq!(p(Some(1), Some(100), Some(2)).positions(6), vec![1, 3, 5]);
        assert_eq!(p(Some(5), Some(-10), Some(-2)).positions(4), vec![3, 1]);
        assert!(PySlice::new(None, None, Some(0)).is_err());
        let mut st = SliceStep {
            slice: p(Some(1), Some(-1), None),
        };
        assert_eq!(st.apply(s("héllo")), "éll");
        let mut ix = IndexStep { index: -1 };
        assert_eq!(ix.apply(s("héllo")), Ok('o'));
        assert_eq!(
            ix.apply(Vec::new()),
            Err(IterError::IndexOutOfRange { prefix: "" })
        );
    }

    #[test]
    fn delimit_resize_like_python() {
        let mut d = DelimitResize::<String>::new(", ").unwrap_or_else(|_| unreachable!());
        let mut out = VecDeque::new();
        d.push(s(", a, b,"), &mut out);
        d.push(s(",c ,, d"), &mut out);
        d.finish(&mut out);
        assert_eq!(Vec::from(out), vec!["a", "b,,c ,", "d"]);
    }
}
