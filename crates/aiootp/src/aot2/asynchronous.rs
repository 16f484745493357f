//! tokio adapters: [`AsyncSealer`] (`AsyncWrite`) and [`AsyncOpener`]
//! (`AsyncRead`), over the same state machines as [`Sealer`](super::Sealer)
//! and [`Opener`](super::Opener).
//!
//! Key derivation (passcrypt, for a password) runs on tokio's blocking
//! pool. Each 64 KiB chunk is sealed or opened inside the poll that
//! completes it, as TLS streams do with their records: about 0.1 ms of
//! work at a time.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

use super::format::{SALT_LEN, Subkeys};
use super::stream::{OpenCore, SealCore, io_error};
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
    core: SealCore,
    done: bool,
}

impl<W: AsyncWrite + Unpin> AsyncSealer<W> {
    /// A sealer writing to `writer`, with a fresh salt, bound to
    /// `options`' ctx and dated by its clock.
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
            core: SealCore::new(keys, salt, options.current_time()),
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
        ready!(this.poll_drain(cx))?;
        Poll::Ready(Ok(this.core.push(data)))
    }

    /// Writes out finished records and flushes the writer (a partial
    /// chunk stays buffered).
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    /// Ends the message (the last chunk, its length field and padding),
    /// then shuts the writer down.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while !this.done {
            ready!(this.poll_drain(cx))?;
            this.done = this.core.finish_step().map_err(io::Error::other)?;
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
    core: OpenCore,
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
            core: OpenCore::new(keys, options.ttl_seconds(), options.current_time()),
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
                return Poll::Ready(Err(io_error(e)));
            }
            if this.core.is_done() || out.remaining() == 0 {
                return Poll::Ready(Ok(()));
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
