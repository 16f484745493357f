//! Generators that take values and end with a result: the seed's
//! `g(value)` / `send`, `feed`, `feed_self` and `result()` (spec
//! `utilities.md` §2.2–2.3, §2.9).
//!
//! Rust iterators cannot be sent values and do not return one at the end,
//! and language generators are not stable. So:
//!
//! * [`Coroutine`] is the small trait of a resumable computation: it is
//!   resumed with `None` (Python's `next(g)` / `g.send(None)`) or
//!   `Some(value)` and answers [`CoState::Yielded`] or, once,
//!   [`CoState::Complete`] with its return value. Write one as a closure
//!   with [`from_fn`] or implement the trait; the compat keystreams
//!   ([`KeyStream`], [`BytesKeyStream`]) implement it (their sends are the
//!   entropy they absorb).
//! * [`Gen`] drives a coroutine: [`send`](Gen::send), iteration (sends
//!   `None`), [`feed`](Gen::feed), [`feed_self`](Gen::feed_self), and
//!   [`result`](Gen::result) for the return value.
//! * For the common case of a generator that only yields and then
//!   returns, any iterator (or stream) of [`CoState`] items becomes one
//!   with [`returning`](super::Comprende::returning): it yields the
//!   `Yielded` values and keeps the `Complete` value for `result()`.
//!
//! ```
//! use aiootp::iter::{CoState, Gen, from_fn};
//!
//! // The seed's README example:  z = yield x + y;  return x * y * z
//! let (x, y) = (1, 2);
//! let mut started = false;
//! let mut g = Gen::new(from_fn(move |z: Option<i64>| {
//!     if !started {
//!         started = true;
//!         return CoState::Yielded(x + y);
//!     }
//!     CoState::Complete(x * y * z.unwrap_or(0))
//! }));
//! assert_eq!(g.send_none(), Some(3));
//! assert_eq!(g.send(3), None); // finished
//! assert_eq!(g.result(), Some(&6));
//! ```

use std::convert::Infallible;
use std::marker::PhantomData;

use crate::compat::PyValue;
use crate::compat::ratchet::{BytesKeyStream, KeyStream, Output};
use crate::error::CipherError;

/// What a resumed [`Coroutine`] answers (the shape of Rust's unstable
/// `CoroutineState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoState<Y, R> {
    /// A yielded item; the coroutine can be resumed again.
    Yielded(Y),
    /// The return value; the coroutine is finished.
    Complete(R),
}

/// A computation that is resumed with values and yields items until it
/// returns: Python's generator protocol.
pub trait Coroutine {
    /// The type of the values sent in.
    type Send;
    /// The type of the yielded items.
    type Yield;
    /// The type of the return value.
    type Return;

    /// Resumes with `None` (Python's `next`) or a sent value. Must not be
    /// called again after it answered [`CoState::Complete`] ([`Gen`]
    /// guarantees that).
    fn resume(&mut self, sent: Option<Self::Send>) -> CoState<Self::Yield, Self::Return>;
}

/// A [`Coroutine`] made of a closure (see [`from_fn`]); `S` is the type
/// of the values sent in.
pub struct FnCoroutine<F, S> {
    f: F,
    _send: PhantomData<fn(Option<S>)>,
}

impl<F, S> std::fmt::Debug for FnCoroutine<F, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnCoroutine")
    }
}

/// A coroutine from a closure that gets each sent value (`None` for a
/// plain `next`) and keeps its own state.
pub fn from_fn<S, Y, R, F>(f: F) -> FnCoroutine<F, S>
where
    F: FnMut(Option<S>) -> CoState<Y, R>,
{
    FnCoroutine {
        f,
        _send: PhantomData,
    }
}

impl<S, Y, R, F> Coroutine for FnCoroutine<F, S>
where
    F: FnMut(Option<S>) -> CoState<Y, R>,
{
    type Send = S;
    type Yield = Y;
    type Return = R;

    fn resume(&mut self, sent: Option<S>) -> CoState<Y, R> {
        (self.f)(sent)
    }
}

/// The `keys` stream as a coroutine: each sent value's `str` text is the
/// entropy of the next output (`None` sends Python's `None`). It never
/// returns; its salt is [`KeyStream::salt`].
impl Coroutine for KeyStream {
    type Send = PyValue;
    type Yield = Result<String, CipherError>;
    type Return = Infallible;

    fn resume(&mut self, sent: Option<PyValue>) -> CoState<Self::Yield, Infallible> {
        CoState::Yielded(self.send(&sent.unwrap_or(PyValue::None)))
    }
}

/// The `bytes_keys` stream as a coroutine (see the [`KeyStream`] impl).
impl Coroutine for BytesKeyStream {
    type Send = PyValue;
    type Yield = Result<Output, CipherError>;
    type Return = Infallible;

    fn resume(&mut self, sent: Option<PyValue>) -> CoState<Self::Yield, Infallible> {
        CoState::Yielded(self.send(&sent.unwrap_or(PyValue::None)))
    }
}

/// Drives a [`Coroutine`]: sends values, iterates, and keeps the return
/// value for [`result`](Self::result) (the seed's `Comprende` around a
/// generator).
#[derive(Debug, Clone)]
pub struct Gen<C: Coroutine> {
    co: C,
    result: Option<C::Return>,
    finished: bool,
}

impl<C: Coroutine> Gen<C> {
    /// Wraps a coroutine (not started yet).
    pub fn new(co: C) -> Self {
        Self {
            co,
            result: None,
            finished: false,
        }
    }

    fn resume(&mut self, sent: Option<C::Send>) -> Option<C::Yield> {
        if self.finished {
            return None;
        }
        match self.co.resume(sent) {
            CoState::Yielded(y) => Some(y),
            CoState::Complete(r) => {
                self.result = Some(r);
                self.finished = true;
                None
            }
        }
    }

    /// Sends `value` in and returns the next item; `None` once the
    /// coroutine has finished (then [`result`](Self::result) holds its
    /// return value). Python's `g(value)` / `g.send(value)`.
    pub fn send(&mut self, value: C::Send) -> Option<C::Yield> {
        self.resume(Some(value))
    }

    /// Resumes without a value (Python's `g()` / `next(g)`); the first
    /// resume of a Python generator must be this.
    pub fn send_none(&mut self) -> Option<C::Yield> {
        self.resume(None)
    }

    /// The return value, once the coroutine has finished (Python's
    /// `result()`; `None` before).
    #[must_use]
    pub fn result(&self) -> Option<&C::Return> {
        self.result.as_ref()
    }

    /// Takes the return value out (Python's `result(pop=True)`).
    pub fn take_result(&mut self) -> Option<C::Return> {
        self.result.take()
    }

    /// Whether the coroutine has returned.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The coroutine itself (a keystream's salt, say).
    #[must_use]
    pub fn get_ref(&self) -> &C {
        &self.co
    }

    /// An iterator that resumes with `None` once, then sends each value
    /// of `values`, yielding each answer (Python's `feed`). It ends when
    /// the values run out or the coroutine returns; the return value is
    /// then in [`Feed::result`].
    pub fn feed<I: IntoIterator<Item = C::Send>>(self, values: I) -> Feed<C, I::IntoIter> {
        Feed {
            gen_: self,
            values: values.into_iter(),
            primed: false,
        }
    }

    /// An iterator that resumes with `None` once, then sends each answer
    /// back in (Python's `feed_self`).
    pub fn feed_self(self) -> FeedSelf<C>
    where
        C::Yield: Clone + Into<C::Send>,
    {
        FeedSelf {
            gen_: self,
            last: None,
        }
    }
}

/// Iterating a [`Gen`] resumes it with `None` each time (Python's `for`).
impl<C: Coroutine> Iterator for Gen<C> {
    type Item = C::Yield;

    fn next(&mut self) -> Option<C::Yield> {
        self.resume(None)
    }
}

/// The iterator of [`Gen::feed`].
#[must_use = "iterator adapters are lazy"]
pub struct Feed<C: Coroutine, I> {
    gen_: Gen<C>,
    values: I,
    primed: bool,
}

impl<C: Coroutine, I> std::fmt::Debug for Feed<C, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("primed", &self.primed)
            .field("finished", &self.gen_.is_finished())
            .finish_non_exhaustive()
    }
}

impl<C: Coroutine, I> Feed<C, I> {
    /// The coroutine's return value, once it has returned.
    #[must_use]
    pub fn result(&self) -> Option<&C::Return> {
        self.gen_.result()
    }

    /// The driven [`Gen`] back.
    pub fn into_inner(self) -> Gen<C> {
        self.gen_
    }
}

impl<C: Coroutine, I: Iterator<Item = C::Send>> Iterator for Feed<C, I> {
    type Item = C::Yield;

    fn next(&mut self) -> Option<C::Yield> {
        if !self.primed {
            self.primed = true;
            return self.gen_.send_none();
        }
        if self.gen_.is_finished() {
            return None;
        }
        let v = self.values.next()?;
        self.gen_.send(v)
    }
}

/// The iterator of [`Gen::feed_self`].
#[must_use = "iterator adapters are lazy"]
pub struct FeedSelf<C: Coroutine> {
    gen_: Gen<C>,
    last: Option<C::Yield>,
}

impl<C: Coroutine> std::fmt::Debug for FeedSelf<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedSelf")
            .field("finished", &self.gen_.is_finished())
            .finish_non_exhaustive()
    }
}

impl<C: Coroutine> FeedSelf<C> {
    /// The coroutine's return value, once it has returned.
    #[must_use]
    pub fn result(&self) -> Option<&C::Return> {
        self.gen_.result()
    }
}

impl<C: Coroutine> Iterator for FeedSelf<C>
where
    C::Yield: Clone + Into<C::Send>,
{
    type Item = C::Yield;

    fn next(&mut self) -> Option<C::Yield> {
        let out = match self.last.take() {
            None if !self.gen_.is_finished() => self.gen_.send_none(),
            None => None,
            Some(prev) => self.gen_.send(prev.into()),
        };
        self.last.clone_from(&out);
        out
    }
}

/// An iterator over the `Yielded` values of an iterator of [`CoState`]
/// items that keeps the first `Complete` value as its result and stops
/// there (see [`returning`](super::Comprende::returning)).
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy"]
pub struct Returning<I, R> {
    pub(crate) iter: I,
    pub(crate) result: Option<R>,
    pub(crate) done: bool,
}

impl<I, R> Returning<I, R> {
    pub(crate) fn new(iter: I) -> Self {
        Self {
            iter,
            result: None,
            done: false,
        }
    }

    /// The return value, once the source has completed (Python's
    /// `result()`).
    #[must_use]
    pub fn result(&self) -> Option<&R> {
        self.result.as_ref()
    }

    /// Takes the return value out (Python's `result(pop=True)`).
    pub fn take_result(&mut self) -> Option<R> {
        self.result.take()
    }
}

impl<Y, R, I: Iterator<Item = CoState<Y, R>>> Iterator for Returning<I, R> {
    type Item = Y;

    fn next(&mut self) -> Option<Y> {
        if self.done {
            return None;
        }
        match self.iter.next() {
            Some(CoState::Yielded(y)) => Some(y),
            Some(CoState::Complete(r)) => {
                self.result = Some(r);
                self.done = true;
                None
            }
            None => {
                self.done = true;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields its running total of the values sent in; returns the total
    /// when sent a negative number.
    fn summer() -> Gen<impl Coroutine<Send = i64, Yield = i64, Return = i64>> {
        let mut total = 0;
        Gen::new(from_fn(move |v: Option<i64>| match v {
            Some(v) if v < 0 => CoState::Complete(total),
            Some(v) => {
                total += v;
                CoState::Yielded(total)
            }
            None => CoState::Yielded(total),
        }))
    }

    #[test]
    fn feed_sends_none_then_the_values() {
        let mut f = summer().feed([1, 2, 3, -1, 7]);
        assert_eq!(f.by_ref().collect::<Vec<_>>(), vec![0, 1, 3, 6]);
        assert_eq!(f.result(), Some(&6));
        assert_eq!(f.next(), None);
    }

    #[test]
    fn feed_self_doubles() {
        let mut n = 0;
        let g = Gen::new(from_fn(move |v: Option<u32>| {
            n += 1;
            if n > 4 {
                CoState::Complete(())
            } else {
                CoState::Yielded(v.map_or(1, |v| v * 2))
            }
        }));
        let mut f = g.feed_self();
        assert_eq!(f.by_ref().collect::<Vec<_>>(), vec![1, 2, 4, 8]);
        assert_eq!(f.result(), Some(&()));
    }

    #[test]
    fn keystreams_are_fed_entropy() {
        use crate::compat::{Key, Salt};
        let key = Key::new("k");
        let salt = Salt::unchecked("s");
        let sends = [PyValue::from("entropy"), PyValue::from(5u8), PyValue::None];
        let mut manual = KeyStream::new(&key, Some(&salt), &PyValue::from(0u8)).unwrap();
        let mut want = vec![manual.send(&PyValue::None).unwrap()];
        for v in &sends {
            want.push(manual.send(v).unwrap());
        }
        let ks = KeyStream::new(&key, Some(&salt), &PyValue::from(0u8)).unwrap();
        let got: Vec<String> = Gen::new(ks)
            .feed(sends.clone())
            .map(Result::unwrap)
            .collect();
        assert_eq!(got, want);
        // Sending first is refused, as Python refuses it.
        let ks = BytesKeyStream::new(&key, Some(&salt), &PyValue::from(0u8)).unwrap();
        let mut g = Gen::new(ks);
        assert_eq!(
            g.send(PyValue::from(1u8)),
            Some(Err(CipherError::SendBeforeStart))
        );
        assert!(matches!(g.send_none(), Some(Ok(_))));
    }

    #[test]
    fn returning_keeps_the_result() {
        let items = vec![
            CoState::Yielded(1),
            CoState::Yielded(2),
            CoState::Complete("done"),
        ];
        let mut r = Returning::new(items.into_iter());
        assert_eq!(r.by_ref().collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(r.result(), Some(&"done"));
        assert_eq!(r.take_result(), Some("done"));
        assert_eq!(r.result(), None);
    }
}
