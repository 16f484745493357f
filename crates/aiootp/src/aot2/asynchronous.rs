//! tokio adapters: [`AsyncSealer`] (`AsyncWrite`) and [`AsyncOpener`]
//! (`AsyncRead`), over the same state machines as [`Sealer`](super::Sealer)
//! and [`Opener`](super::Opener).
//!
//! Key derivation (passcrypt, for a password) runs on tokio's blocking
//! pool. With [`Options::threads`] = 1 (the default) each 64 KiB chunk is
//! sealed or opened inside the poll that completes it, as TLS streams do
//! with their records: about 0.1 ms of work at a time. With more threads
//! the chunks before the last go to the same worker threads as the
//! `std::io` adapters use (not tokio's pools); a poll never blocks on
//! them: the worker that finishes a chunk wakes the task. The last chunk
//! is sealed or opened inside a poll.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

use super::format::{SALT_LEN, Subkeys};
use super::stream::{OpenStep, Opening, Sealing, Wait};
use super::{KeyMaterial, Options};
use crate::error::{Aot2Error, Error};

/// Derives the subkeys on the blocking pool.
async fn subkeys<K>(key: &K, salt: [u8; SALT_LEN], options: &Options) -> Result<Subkeys, Error>
where
    K: KeyMaterial + Clone + Send + 'static,
{
    let key = key.clone();
    let ctx = options.ctx_bytes().to_vec();
    let keys = tokio::task::spawn_blocking(move || key.subkeys(&salt, &ctx))
        .await
        .map_err(|e| Error::Task(e.to_string()))??;
    Ok(keys)
}

/// Seals everything written to it into one AOT2 message written to `W`
/// (the async [`Sealer`](super::Sealer)). `shutdown` ends the message:
/// without it the message is unfinished and does not open.
///
/// ```
/// use aiootp::aot2::{AsyncOpener, AsyncSealer, Aot2Key, Options};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let key = Aot2Key::generate()?;
/// let mut sealer = AsyncSealer::new(Vec::new(), &key, &Options::new()).await?;
/// sealer.write_all(&[1u8; 100_000]).await?;
/// sealer.shutdown().await?;
/// let message = sealer.into_inner();
///
/// let mut opener = AsyncOpener::new(&message[..], &key, &Options::new()).await?;
/// let mut data = Vec::new();
/// opener.read_to_end(&mut data).await?;
/// assert_eq!(data, vec![1u8; 100_000]);
/// # Ok::<(), aiootp::Error>(())
/// # }).unwrap();
/// ```
pub struct AsyncSealer<W> {
    inner: W,
    core: Sealing,
    done: bool,
}

impl<W: AsyncWrite + Unpin> AsyncSealer<W> {
    /// A sealer writing to `writer`, with a fresh salt, bound to
    /// `options`' ctx, dated by its clock, on its number of threads.
    ///
    /// # Errors
    /// [`Aot2Error::Random`], [`Aot2Error::Passcrypt`], [`Error::Task`].
    pub async fn new<K>(writer: W, key: &K, options: &Options) -> Result<Self, Error>
    where
        K: KeyMaterial + Clone + Send + 'static,
    {
        let salt = super::new_salt()?;
        let keys = subkeys(key, salt, options).await?;
        Ok(Self {
            inner: writer,
            core: Sealing::new(keys, salt, options.current_time(), options.threads),
            done: false,
        })
    }

    /// The writer (after `shutdown`, the whole message has gone to it).
    pub fn into_inner(self) -> W {
        self.inner
    }

    /// Writes out what the core has ready.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let out = self.core.output();
            if out.is_empty() {
                return Poll::Ready(Ok(()));
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, out))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.core.advance(n);
        }
    }

    /// Writes out the records that are back from the workers, without
    /// waiting for the others.
    fn poll_drain_ready(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            ready!(self.poll_drain(cx))?;
            if !self.core.has_pending() {
                return Poll::Ready(Ok(()));
            }
            match self.core.progress(Wait::Try) {
                Poll::Ready(Ok(())) if !self.core.output().is_empty() => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e.to_write_error())),
                _ => return Poll::Ready(Ok(())),
            }
        }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for AsyncSealer<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(Err(io::Error::other("aot2: write after shutdown")));
        }
        loop {
            ready!(this.poll_drain(cx))?;
            let n = this.core.push(data).map_err(|e| e.to_write_error())?;
            if n > 0 || data.is_empty() || !this.core.has_pending() {
                // Records already back go out now if the writer takes
                // them (a writer not ready keeps them for the next call).
                if let Poll::Ready(Err(e)) = this.poll_drain_ready(cx) {
                    return Poll::Ready(Err(e));
                }
                return Poll::Ready(Ok(n));
            }
            // The workers have all the records they may hold: wait for
            // the oldest.
            ready!(this.core.progress(Wait::Wake(cx.waker()))).map_err(|e| e.to_write_error())?;
        }
    }

    /// Writes out every sealed record (waiting for the workers) and
    /// flushes the writer (a partial chunk stays buffered).
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            ready!(this.poll_drain(cx))?;
            if !this.core.has_pending() {
                break;
            }
            ready!(this.core.progress(Wait::Wake(cx.waker()))).map_err(|e| e.to_write_error())?;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    /// Ends the message (the last chunk, its length field and padding),
    /// then shuts the writer down.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while !this.done {
            ready!(this.poll_drain(cx))?;
            this.done = ready!(this.core.finish_step(Wait::Wake(cx.waker())))
                .map_err(|e| e.to_write_error())?;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl<W> std::fmt::Debug for AsyncSealer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncSealer").finish_non_exhaustive()
    }
}

/// Opens an AOT2 message read from `R` (the async
/// [`Opener`](super::Opener)): each chunk's data is released only once
/// its tag is verified; a failure is an `InvalidData` error carrying the
/// [`Aot2Error`]. See [`AsyncSealer`] for an example.
pub struct AsyncOpener<R> {
    inner: R,
    core: Opening,
}

impl<R: AsyncRead + Unpin> AsyncOpener<R> {
    /// Reads the salt from `reader`, derives the keys on the blocking
    /// pool and returns an opener for the rest.
    ///
    /// # Errors
    /// [`Error::Io`], [`Aot2Error::Authentication`] if the message ends
    /// within the salt, [`Aot2Error::Passcrypt`], [`Error::Task`].
    pub async fn new<K>(mut reader: R, key: &K, options: &Options) -> Result<Self, Error>
    where
        K: KeyMaterial + Clone + Send + 'static,
    {
        let mut salt = [0u8; SALT_LEN];
        let mut got = 0;
        while got < SALT_LEN {
            match reader.read(&mut salt[got..]).await? {
                0 => return Err(Aot2Error::Authentication.into()),
                n => got += n,
            }
        }
        let keys = subkeys(key, salt, options).await?;
        Ok(Self {
            inner: reader,
            core: Opening::for_options(keys, options),
        })
    }

    /// The message's timestamp, once the first chunk is verified.
    pub fn timestamp(&self) -> Option<u64> {
        self.core.timestamp()
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for AsyncOpener<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            let ready = this.core.output();
            if !ready.is_empty() {
                let n = ready.len().min(out.remaining());
                out.put_slice(&ready[..n]);
                this.core.consume(n);
                return Poll::Ready(Ok(()));
            }
            if let Some(e) = this.core.error() {
                return Poll::Ready(Err(e));
            }
            if this.core.is_done() || out.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            // With workers: a chunk coming back while the reader waits
            // wakes the task too.
            if ready!(this.core.step(Wait::Wake(cx.waker()))) != OpenStep::Read {
                continue;
            }
            let mut buf = ReadBuf::new(this.core.want());
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut buf))?;
            let n = buf.filled().len();
            match n {
                0 => this.core.eof(),
                n => this.core.filled(n),
            }
        }
    }
}

impl<R> std::fmt::Debug for AsyncOpener<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncOpener").finish_non_exhaustive()
    }
}
