//! The stream adapters that need tokio's timer: `timeout` and
//! `random_sleep`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use pin_project_lite::pin_project;
use tokio::time::Sleep;

pin_project! {
    /// The stream of [`AsyncComprende::timeout`](super::AsyncComprende::timeout).
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Timeout<S> {
        #[pin]
        stream: S,
        delay: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
        done: bool,
    }
}

impl<S> Timeout<S> {
    pub(crate) fn new(stream: S, delay: Duration) -> Self {
        Self {
            stream,
            delay,
            sleep: None,
            done: false,
        }
    }
}

impl<S: Stream> Stream for Timeout<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        let delay = *this.delay;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
        if delay.is_zero() || sleep.as_mut().poll(cx).is_ready() {
            *this.done = true;
            return Poll::Ready(None);
        }
        match this.stream.poll_next(cx) {
            Poll::Ready(None) => {
                *this.done = true;
                Poll::Ready(None)
            }
            other => other,
        }
    }
}

pin_project! {
    /// The stream of [`AsyncComprende::random_sleep`](super::AsyncComprende::random_sleep).
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct RandomSleep<S: Stream> {
        #[pin]
        stream: S,
        span: Duration,
        pending: Option<S::Item>,
        sleep: Option<Pin<Box<Sleep>>>,
    }
}

impl<S: Stream> RandomSleep<S> {
    pub(crate) fn new(stream: S, span: Duration) -> Self {
        Self {
            stream,
            span,
            pending: None,
            sleep: None,
        }
    }
}

/// A random duration in `[0, span)`, from the OS generator (zero if it
/// fails: the wait is not a security measure).
fn random_below(span: Duration) -> Duration {
    let nanos = u64::try_from(span.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(crate::random::below(nanos).unwrap_or(0))
}

impl<S: Stream> Stream for RandomSleep<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut this = self.project();
        loop {
            if let Some(sleep) = this.sleep.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *this.sleep = None;
                return Poll::Ready(this.pending.take());
            }
            match this.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(x)) => {
                    *this.pending = Some(x);
                    *this.sleep = Some(Box::pin(tokio::time::sleep(random_below(*this.span))));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
