//! [`AsyncComprende`]: the seed's async generator methods (`a…` twins)
//! on every [`Stream`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::hash::Hash;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};

use futures_core::Stream;
use pin_project_lite::pin_project;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::IterError;
use super::adapter::{AdaptStream, ApplyStream, State};
use super::cipher::{Block, BytesDecipher, BytesEncipher, MapEncipher};
use super::coroutine::CoState;
use super::encode::{
    AsciiToIntStep, ByteOrder, BytesToHexStep, BytesToIntStep, FromBase64Step, FromBaseStep,
    HexStep, HexToBytesStep, IntToAsciiStep, IntToBytesStep, JsonDumpsStep, JsonLoadsStep, StrStep,
    ToBase64Step, ToBaseStep,
};
use super::hash::{HashStep, HmacStep, SumStep};
use super::methods::comprende_methods;
use super::shape::{
    DelimitResize, DelimitStep, Halt, IndexStep, PySlice, ReplaceStep, Resize, Seq, SliceStep,
    SplitStep, TagStep, TagWith, ZfillStep,
};
use super::value::{PyIntLike, PyRepr};
use crate::compat::hashmap::MapPids;
use crate::compat::{Key, PyValue, Salt};
use crate::error::CipherError;

/// The next item of a pinned stream.
async fn next<S: Stream + ?Sized>(mut s: Pin<&mut S>) -> Option<S::Item> {
    std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await
}

/// The seed's async `Comprende` methods on every stream (a blanket
/// extension trait: `use aiootp::iter::AsyncComprende;`).
///
/// The lazy methods are those of [`Comprende`](super::Comprende), with
/// the same names and meaning, without Python's `a` prefix; the eager
/// ones return futures. `timeout` and `random_sleep` need the `tokio` feature and a
/// tokio runtime with its timer.
///
/// Names shared with other stream extension traits (`split` of
/// `futures::StreamExt`, `timeout` of `tokio_stream::StreamExt`) are
/// ambiguous when both traits are imported: call them as
/// `AsyncComprende::split(stream, ",")`.
pub trait AsyncComprende: Stream {
    comprende_methods!(ApplyStream, AdaptStream);

    /// `atag(of=names)`: `(name, item)` pairs, ending when either ends.
    #[allow(clippy::type_complexity)]
    fn tag_with<J: IntoIterator>(
        self,
        names: J,
    ) -> AdaptStream<Self, TagWith<J::IntoIter>, (J::Item, Self::Item)>
    where
        Self: Sized,
    {
        AdaptStream::new(
            self,
            TagWith {
                names: names.into_iter(),
            },
        )
    }

    /// The `Yielded` values of a stream of [`CoState`] items; the first
    /// `Complete` value ends it and is kept for
    /// [`ReturningStream::result`] (the seed's `aresult()`).
    fn returning<Y, R>(self) -> ReturningStream<Self, R>
    where
        Self: Sized + Stream<Item = CoState<Y, R>>,
    {
        ReturningStream {
            stream: self,
            result: None,
            done: false,
        }
    }

    /// `atimeout(delay)`: the items until `delay` has passed since the
    /// first poll. Unlike the reference (which checks the clock only when
    /// an item arrives), the stream also ends while it waits for an item.
    /// Needs a tokio runtime with its timer.
    #[cfg(feature = "tokio")]
    fn timeout(self, delay: std::time::Duration) -> super::timer::Timeout<Self>
    where
        Self: Sized,
    {
        super::timer::Timeout::new(self, delay)
    }

    /// `arandom_sleep(span)`: waits a random time in `[0, span)` before
    /// handing out each item. Needs a tokio runtime with its timer.
    #[cfg(feature = "tokio")]
    fn random_sleep(self, span: std::time::Duration) -> super::timer::RandomSleep<Self>
    where
        Self: Sized,
    {
        super::timer::RandomSleep::new(self, span)
    }

    /// `alist()`: every item in a `Vec`.
    fn list(self) -> impl Future<Output = Vec<Self::Item>>
    where
        Self: Sized,
    {
        async move {
            let mut s = pin!(self);
            let mut out = Vec::new();
            while let Some(x) = next(s.as_mut()).await {
                out.push(x);
            }
            out
        }
    }

    /// `aset()`: every item in a `HashSet`.
    fn set(self) -> impl Future<Output = HashSet<Self::Item>>
    where
        Self: Sized,
        Self::Item: Eq + Hash,
    {
        async move { self.list().await.into_iter().collect() }
    }

    /// `adeque()`: every item in a `VecDeque`.
    fn deque(self) -> impl Future<Output = VecDeque<Self::Item>>
    where
        Self: Sized,
    {
        async move { self.list().await.into() }
    }

    /// `adict()`: the `(key, value)` items in a `HashMap`.
    fn dict<K, V>(self) -> impl Future<Output = HashMap<K, V>>
    where
        Self: Sized + Stream<Item = (K, V)>,
        K: Eq + Hash,
    {
        async move { self.list().await.into_iter().collect() }
    }

    /// `ajoin(on)`: the texts joined with `sep`.
    fn join(self, sep: &str) -> impl Future<Output = String>
    where
        Self: Sized,
        Self::Item: AsRef<str>,
    {
        async move {
            let items = self.list().await;
            let mut out = String::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                out.push_str(item.as_ref());
            }
            out
        }
    }

    /// `ajoin(b"...")`: the bytes joined with `sep`.
    fn join_bytes(self, sep: &[u8]) -> impl Future<Output = Vec<u8>>
    where
        Self: Sized,
        Self::Item: AsRef<[u8]>,
    {
        async move {
            let items = self.list().await;
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(sep);
                }
                out.extend_from_slice(item.as_ref());
            }
            out
        }
    }

    /// `aexhaust()`: runs to the end and returns the last item.
    fn exhaust(self) -> impl Future<Output = Option<Self::Item>>
    where
        Self: Sized,
    {
        async move {
            let mut s = pin!(self);
            let mut last = None;
            while let Some(x) = next(s.as_mut()).await {
                last = Some(x);
            }
            last
        }
    }
}

impl<S: Stream> AsyncComprende for S {}

pin_project! {
    /// The stream of [`AsyncComprende::returning`].
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct ReturningStream<S, R> {
        #[pin]
        stream: S,
        result: Option<R>,
        done: bool,
    }
}

impl<S, R> ReturningStream<S, R> {
    /// The return value, once the source has completed.
    #[must_use]
    pub fn result(&self) -> Option<&R> {
        self.result.as_ref()
    }

    /// Takes the return value out (Python's `aresult(pop=True)`).
    pub fn take_result(self: Pin<&mut Self>) -> Option<R> {
        self.project().result.take()
    }
}

impl<Y, R, S: Stream<Item = CoState<Y, R>>> Stream for ReturningStream<S, R> {
    type Item = Y;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Y>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match this.stream.poll_next(cx) {
            Poll::Ready(Some(CoState::Yielded(y))) => Poll::Ready(Some(y)),
            Poll::Ready(Some(CoState::Complete(r))) => {
                *this.result = Some(r);
                *this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(None) => {
                *this.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: Stream> AdaptStream<S, BytesEncipher, Result<Block, CipherError>> {
    /// The validator's tag once the stream has ended with every item
    /// enciphered (see [`Adapt::finalize`](super::Adapt::finalize)).
    #[must_use]
    pub fn finalize(self: Pin<&mut Self>) -> Option<String> {
        let this = self.project();
        (*this.state == State::Finished)
            .then(|| this.transducer.tag())
            .flatten()
    }
}

impl<S: Stream> AdaptStream<S, MapEncipher, Result<(String, Block), CipherError>> {
    /// The validator's tag over the map's blocks, once the stream has
    /// ended.
    #[must_use]
    pub fn finalize(self: Pin<&mut Self>) -> Option<String> {
        let this = self.project();
        (*this.state == State::Finished)
            .then(|| this.transducer.tag())
            .flatten()
    }
}
