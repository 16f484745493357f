//! The two adapter shapes every method is built from, for iterators and
//! for streams: [`Apply`] runs a [`Step`] (one item in, one out) and
//! [`Adapt`] runs a [`Transduce`] (items in, any number out, may stop
//! early, may flush at the end).

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use pin_project_lite::pin_project;

/// A per-item transformation: one item in, one item out (it may keep
/// state, as the running hashes do).
pub trait Step<In> {
    /// The output item.
    type Out;
    /// Transforms one item.
    fn apply(&mut self, item: In) -> Self::Out;
}

/// A transformation that may buffer, drop or stop: it sees each item
/// and pushes any number of outputs.
pub trait Transduce<In> {
    /// The output item.
    type Out;
    /// Takes one item and pushes its outputs to `out`. Returns `false`
    /// to end the output here (the source is not pulled again and
    /// [`finish`](Self::finish) is not called).
    fn push(&mut self, item: In, out: &mut VecDeque<Self::Out>) -> bool;
    /// The source has ended: push what is left.
    fn finish(&mut self, out: &mut VecDeque<Self::Out>);
}

/// An iterator that applies a [`Step`] to each item of `I`.
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy"]
pub struct Apply<I, S> {
    iter: I,
    step: S,
}

impl<I, S> Apply<I, S> {
    pub(crate) fn new(iter: I, step: S) -> Self {
        Self { iter, step }
    }
}

impl<I: Iterator, S: Step<I::Item>> Iterator for Apply<I, S> {
    type Item = S::Out;

    fn next(&mut self) -> Option<S::Out> {
        self.iter.next().map(|x| self.step.apply(x))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

/// An iterator that runs a [`Transduce`] over the items of `I` (`O` is
/// the transducer's output type).
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy"]
pub struct Adapt<I, T, O> {
    iter: I,
    pub(crate) transducer: T,
    buf: VecDeque<O>,
    pub(crate) state: State,
}

/// Where an [`Adapt`] is: pulling, stopped early by the transducer, or
/// past the end of its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Running,
    Stopped,
    Finished,
}

impl<I, T, O> Adapt<I, T, O> {
    pub(crate) fn new(iter: I, transducer: T) -> Self {
        Self {
            iter,
            transducer,
            buf: VecDeque::new(),
            state: State::Running,
        }
    }
}

impl<I: Iterator, T: Transduce<I::Item, Out = O>, O> Iterator for Adapt<I, T, O> {
    type Item = O;

    fn next(&mut self) -> Option<O> {
        loop {
            if let Some(x) = self.buf.pop_front() {
                return Some(x);
            }
            if self.state != State::Running {
                return None;
            }
            match self.iter.next() {
                Some(item) => {
                    if !self.transducer.push(item, &mut self.buf) {
                        self.state = State::Stopped;
                    }
                }
                None => {
                    self.transducer.finish(&mut self.buf);
                    self.state = State::Finished;
                }
            }
        }
    }
}

pin_project! {
    /// A stream that applies a [`Step`] to each item of `S`.
    #[derive(Debug, Clone)]
    #[must_use = "streams do nothing unless polled"]
    pub struct ApplyStream<S, F> {
        #[pin]
        stream: S,
        step: F,
    }
}

impl<S, F> ApplyStream<S, F> {
    pub(crate) fn new(stream: S, step: F) -> Self {
        Self { stream, step }
    }
}

impl<S: Stream, F: Step<S::Item>> Stream for ApplyStream<S, F> {
    type Item = F::Out;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Out>> {
        let this = self.project();
        match this.stream.poll_next(cx) {
            Poll::Ready(Some(x)) => Poll::Ready(Some(this.step.apply(x))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

pin_project! {
    /// A stream that runs a [`Transduce`] over the items of `S`.
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct AdaptStream<S, T, O> {
        #[pin]
        stream: S,
        pub(crate) transducer: T,
        buf: VecDeque<O>,
        pub(crate) state: State,
    }
}

impl<S, T, O> AdaptStream<S, T, O> {
    pub(crate) fn new(stream: S, transducer: T) -> Self {
        Self {
            stream,
            transducer,
            buf: VecDeque::new(),
            state: State::Running,
        }
    }
}

impl<S: Stream, T: Transduce<S::Item, Out = O>, O> Stream for AdaptStream<S, T, O> {
    type Item = O;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<O>> {
        let mut this = self.project();
        loop {
            if let Some(x) = this.buf.pop_front() {
                return Poll::Ready(Some(x));
            }
            if *this.state != State::Running {
                return Poll::Ready(None);
            }
            match this.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => {
                    if !this.transducer.push(item, this.buf) {
                        *this.state = State::Stopped;
                    }
                }
                Poll::Ready(None) => {
                    this.transducer.finish(this.buf);
                    *this.state = State::Finished;
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
