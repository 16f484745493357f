//! Streaming AOT2: [`Sealer`] (`std::io::Write`) and [`Opener`]
//! (`std::io::Read`), thin shells over two I/O-free state machines
//! ([`SealCore`], [`OpenCore`]) that the tokio adapters share.
//!
//! Memory: the sealer keeps one chunk (64 KiB) and the record being
//! written; the opener keeps one record and the last 256 verified bytes of
//! the previous chunk (they might be padding, which only the last chunk's
//! length field tells). Both absorb each non-last tag into the running
//! [`Chain`] that the last tag binds (one hash state, whatever the
//! length).

use std::io::{self, Read, Write};

use zeroize::Zeroize;

use super::format::{
    CHUNK_LEN, Chain, Layout, MAX_PAD, Place, SALT_LEN, Subkeys, TAG_LEN, TIMESTAMP_LEN,
    TRAILER_LEN, check_time, le64,
};
use super::{KeyMaterial, Options};
use crate::error::{Aot2Error, Error};

/// Verified bytes of a non-last chunk held back until the next chunk
/// shows whether they are data or padding (padding reaches at most 231
/// bytes into the chunk before the last).
const HOLD: usize = 256;

// ------------------------------------------------------------------ sealing

/// Where a [`SealCore`] is in ending the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SealState {
    /// Taking data.
    Open,
    /// The chunk before the last is out; `rest` holds the last chunk.
    Finishing,
    /// The last record is out (or going out).
    Done,
}

/// The I/O-free sealing state machine: data in, records out.
pub(crate) struct SealCore {
    keys: Subkeys,
    /// The salt, then each sealed record, waiting to be written:
    /// `out[out_pos..out_end]` of the salt or of `buf`.
    salt: [u8; SALT_LEN],
    salt_pos: usize,
    /// `tag ‖ chunk`: the plaintext of the current chunk at
    /// `buf[TAG_LEN..TAG_LEN + body]`, or a sealed record.
    buf: Vec<u8>,
    body: usize,
    out_pos: usize,
    out_end: usize,
    /// The last chunk's bytes while the one before it goes out.
    rest: Vec<u8>,
    index: u64,
    /// The tags of the records sealed so far (all not last).
    chain: Chain,
    data_len: u64,
    state: SealState,
}

impl SealCore {
    pub(crate) fn new(keys: Subkeys, salt: [u8; SALT_LEN], timestamp: u64) -> Self {
        let mut buf = vec![0u8; TAG_LEN + CHUNK_LEN + MAX_PAD + TRAILER_LEN];
        buf[TAG_LEN..TAG_LEN + TIMESTAMP_LEN].copy_from_slice(&timestamp.to_le_bytes());
        Self {
            keys,
            salt,
            salt_pos: 0,
            buf,
            body: TIMESTAMP_LEN,
            out_pos: 0,
            out_end: 0,
            rest: Vec::new(),
            index: 0,
            chain: Chain::new(),
            data_len: 0,
            state: SealState::Open,
        }
    }

    /// Bytes waiting to be written.
    pub(crate) fn output(&self) -> &[u8] {
        if self.salt_pos < SALT_LEN {
            &self.salt[self.salt_pos..]
        } else {
            &self.buf[self.out_pos..self.out_end]
        }
    }

    /// `n` bytes of [`output`](Self::output) were written.
    pub(crate) fn advance(&mut self, n: usize) {
        if self.salt_pos < SALT_LEN {
            self.salt_pos += n;
        } else {
            self.out_pos += n;
            if self.out_pos == self.out_end {
                self.out_pos = 0;
                self.out_end = 0;
            }
        }
    }

    /// Seals `buf[TAG_LEN..TAG_LEN + len]` as chunk `index` and makes the
    /// record the output; a chunk that is not the last joins the chain.
    fn seal(&mut self, len: usize, last: bool) {
        let chunk = &mut self.buf[TAG_LEN..TAG_LEN + len];
        let tag = if last {
            let chain = self.chain.value();
            self.keys
                .seal_chunk(self.index, Place::Last(chain.as_ref()), chunk)
        } else {
            let tag = self.keys.seal_chunk(self.index, Place::Inner, chunk);
            self.chain.push(&tag);
            tag
        };
        self.buf[..TAG_LEN].copy_from_slice(&tag);
        self.index += 1;
        self.body = 0;
        self.out_pos = 0;
        self.out_end = TAG_LEN + len;
    }

    /// Takes data while no output is waiting; returns how much it took.
    pub(crate) fn push(&mut self, data: &[u8]) -> usize {
        if !self.output().is_empty() || self.state != SealState::Open {
            return 0;
        }
        let n = data.len().min(CHUNK_LEN - self.body);
        self.buf[TAG_LEN + self.body..TAG_LEN + self.body + n].copy_from_slice(&data[..n]);
        self.body += n;
        self.data_len += n as u64;
        if self.body == CHUNK_LEN {
            // A chunk full of data is never the last: the length field
            // follows.
            self.seal(CHUNK_LEN, false);
        }
        n
    }

    /// Ends the message, one record per call once the output is empty:
    /// returns `true` when the last record has been written.
    pub(crate) fn finish_step(&mut self) -> Result<bool, Aot2Error> {
        if !self.output().is_empty() {
            return Ok(false);
        }
        match self.state {
            SealState::Open => {
                let layout = Layout::for_data(self.data_len).ok_or(Aot2Error::TooLarge)?;
                let pad = layout.pad as usize;
                let start = TAG_LEN + self.body;
                self.buf[start..start + pad].fill(0);
                self.buf[start + pad..start + pad + TRAILER_LEN]
                    .copy_from_slice(&self.data_len.to_le_bytes());
                let tail = self.body + pad + TRAILER_LEN;
                if tail <= CHUNK_LEN {
                    self.seal(tail, true);
                    self.state = SealState::Done;
                } else {
                    self.rest = self.buf[TAG_LEN + CHUNK_LEN..TAG_LEN + tail].to_vec();
                    self.seal(CHUNK_LEN, false);
                    self.state = SealState::Finishing;
                }
                Ok(false)
            }
            SealState::Finishing => {
                let len = self.rest.len();
                self.buf[TAG_LEN..TAG_LEN + len].copy_from_slice(&self.rest);
                self.rest.zeroize();
                self.seal(len, true);
                self.state = SealState::Done;
                Ok(false)
            }
            SealState::Done => Ok(true),
        }
    }
}

impl Drop for SealCore {
    fn drop(&mut self) {
        self.buf.zeroize();
        self.rest.zeroize();
    }
}

/// Seals everything written to it into one AOT2 message written to `W`,
/// one 64 KiB record at a time. Call [`finish`](Self::finish) at the end:
/// a sealer dropped without it leaves an unfinished message that does not
/// open.
///
/// ```
/// use std::io::{Read, Write};
/// use aiootp::aot2::{Aot2Key, Opener, Options, Sealer};
///
/// let key = Aot2Key::generate()?;
/// let options = Options::new().ctx("backup");
/// let mut sealer = Sealer::new(Vec::new(), &key, &options)?;
/// for _ in 0..3 {
///     sealer.write_all(&[7u8; 50_000])?;
/// }
/// let message = sealer.finish()?;
///
/// let mut opener = Opener::new(&message[..], &key, &options)?;
/// let mut data = Vec::new();
/// opener.read_to_end(&mut data)?;
/// assert_eq!(data, vec![7u8; 150_000]);
/// # Ok::<(), aiootp::Error>(())
/// ```
pub struct Sealer<W: Write> {
    inner: W,
    core: SealCore,
}

impl<W: Write> Sealer<W> {
    /// A sealer writing to `writer`, with a fresh salt, bound to
    /// `options`' ctx and dated by its clock.
    ///
    /// # Errors
    /// [`Aot2Error::Random`], and for a password [`Aot2Error::Passcrypt`].
    pub fn new<K: KeyMaterial + ?Sized>(
        writer: W,
        key: &K,
        options: &Options,
    ) -> Result<Self, Aot2Error> {
        Self::with_salt(writer, key, &super::new_salt()?, options)
    }

    pub(crate) fn with_salt<K: KeyMaterial + ?Sized>(
        writer: W,
        key: &K,
        salt: &[u8; SALT_LEN],
        options: &Options,
    ) -> Result<Self, Aot2Error> {
        let keys = key.subkeys(salt, options.ctx_bytes())?;
        Ok(Self {
            inner: writer,
            core: SealCore::new(keys, *salt, options.current_time()),
        })
    }

    /// Writes out what the core has ready.
    fn drain(&mut self) -> io::Result<()> {
        loop {
            let out = self.core.output();
            if out.is_empty() {
                return Ok(());
            }
            let n = out.len();
            self.inner.write_all(out)?;
            self.core.advance(n);
        }
    }

    /// Seals the rest (the last chunk, with its length field and padding),
    /// writes it, flushes and returns the writer.
    ///
    /// # Errors
    /// The writer's I/O errors.
    pub fn finish(mut self) -> io::Result<W> {
        loop {
            self.drain()?;
            if self.core.finish_step().map_err(io::Error::other)? {
                break;
            }
        }
        self.inner.flush()?;
        // `Drop` is implemented by the core only, so the writer moves out.
        let Self { inner, core } = self;
        drop(core);
        Ok(inner)
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }
}

impl<W: Write> Write for Sealer<W> {
    /// Takes all of `data`, writing out each record as it fills.
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let total = data.len();
        while !data.is_empty() {
            self.drain()?;
            let n = self.core.push(data);
            data = &data[n..];
        }
        self.drain()?;
        Ok(total)
    }

    /// Writes out finished records and flushes the writer (a partial chunk
    /// stays buffered: only [`Sealer::finish`] may end a chunk early).
    fn flush(&mut self) -> io::Result<()> {
        self.drain()?;
        self.inner.flush()
    }
}

impl<W: Write> std::fmt::Debug for Sealer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").finish_non_exhaustive()
    }
}

// ------------------------------------------------------------------ opening

/// Where an [`OpenCore`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum OpenState {
    /// Reading records.
    Records,
    /// The last chunk is verified; its data is the output.
    Done,
    /// Failed: every later call reports this error.
    Failed(Aot2Error),
}

/// The I/O-free opening state machine: record bytes in, verified data
/// out. Starts after the salt (the caller reads it to derive the keys).
pub(crate) struct OpenCore {
    keys: Subkeys,
    ttl: u64,
    now: u64,
    tag: [u8; TAG_LEN],
    tag_len: usize,
    /// `held ‖ chunk ‖ peek`: verified bytes of the previous chunk end at
    /// `HOLD`, the record's chunk starts there, and one byte past a full
    /// chunk tells whether another record follows.
    buf: Vec<u8>,
    /// Bytes of the chunk (and peek byte) read.
    body_len: usize,
    /// Verified, unreleased bytes at `buf[HOLD - held..HOLD]`.
    held: usize,
    /// Releasable data: `buf[out_pos..out_end]`.
    out_pos: usize,
    out_end: usize,
    /// The held tail and the peek byte must move before the next read.
    move_pending: bool,
    index: u64,
    /// The tags of the chunks verified so far (all not last).
    chain: Chain,
    timestamp: Option<u64>,
    state: OpenState,
}

impl OpenCore {
    pub(crate) fn new(keys: Subkeys, ttl: u64, now: u64) -> Self {
        Self {
            keys,
            ttl,
            now,
            tag: [0; TAG_LEN],
            tag_len: 0,
            buf: vec![0u8; HOLD + CHUNK_LEN + 1],
            body_len: 0,
            held: 0,
            out_pos: 0,
            out_end: 0,
            move_pending: false,
            index: 0,
            chain: Chain::new(),
            timestamp: None,
            state: OpenState::Records,
        }
    }

    /// Verified data ready to be released.
    pub(crate) fn output(&self) -> &[u8] {
        &self.buf[self.out_pos..self.out_end]
    }

    /// `n` bytes of [`output`](Self::output) were released.
    pub(crate) fn consume(&mut self, n: usize) {
        self.out_pos += n;
    }

    /// The error this opener failed with, if it did.
    pub(crate) fn error(&self) -> Option<&Aot2Error> {
        match &self.state {
            OpenState::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the whole message is verified and released.
    pub(crate) fn is_done(&self) -> bool {
        self.state == OpenState::Done && self.out_pos == self.out_end
    }

    /// The message's timestamp, once the first chunk is verified.
    pub(crate) fn timestamp(&self) -> Option<u64> {
        self.timestamp
    }

    /// Where the next bytes of the message go (call only when the output
    /// is empty and the core is neither done nor failed).
    pub(crate) fn want(&mut self) -> &mut [u8] {
        if self.move_pending {
            self.move_pending = false;
            self.buf.copy_within(CHUNK_LEN..CHUNK_LEN + HOLD, 0);
            self.held = HOLD;
            self.tag[0] = self.buf[HOLD + CHUNK_LEN];
            self.tag_len = 1;
            self.body_len = 0;
            self.out_pos = 0;
            self.out_end = 0;
        }
        if self.tag_len < TAG_LEN {
            &mut self.tag[self.tag_len..]
        } else {
            &mut self.buf[HOLD + self.body_len..]
        }
    }

    /// `n` bytes were read into [`want`](Self::want)'s slice.
    pub(crate) fn filled(&mut self, n: usize) {
        if self.tag_len < TAG_LEN {
            self.tag_len += n;
        } else {
            self.body_len += n;
            if self.body_len == CHUNK_LEN + 1 {
                self.process(CHUNK_LEN, false);
            }
        }
    }

    /// The message ended.
    pub(crate) fn eof(&mut self) {
        if self.state != OpenState::Records {
            return;
        }
        if self.tag_len < TAG_LEN || self.body_len < TRAILER_LEN {
            self.fail(Aot2Error::Authentication);
        } else {
            self.process(self.body_len, true);
        }
    }

    fn fail(&mut self, error: Aot2Error) {
        self.buf.zeroize();
        self.out_pos = 0;
        self.out_end = 0;
        self.state = OpenState::Failed(error);
    }

    /// Verifies the chunk of `len` bytes at `buf[HOLD..]` and releases
    /// what is known to be data.
    fn process(&mut self, len: usize, last: bool) {
        if let Err(e) = self.verify(len, last) {
            self.fail(e);
        }
    }

    fn verify(&mut self, len: usize, last: bool) -> Result<(), Aot2Error> {
        let chunk = &mut self.buf[HOLD..HOLD + len];
        if last {
            // The last tag binds the chain of all the tags before it: a
            // record from another message (same salt, key and ctx) that
            // verified on its own fails here.
            let chain = self.chain.value();
            self.keys
                .open_chunk(self.index, Place::Last(chain.as_ref()), &self.tag, chunk)?;
        } else {
            self.keys
                .open_chunk(self.index, Place::Inner, &self.tag, chunk)?;
            self.chain.push(&self.tag);
        }
        let start = if self.index == 0 {
            let timestamp = le64(chunk, 0);
            check_time(timestamp, self.now, self.ttl)?;
            self.timestamp = Some(timestamp);
            HOLD + TIMESTAMP_LEN
        } else {
            HOLD - self.held
        };
        if !last {
            self.out_pos = start;
            self.out_end = CHUNK_LEN;
            self.move_pending = true;
            self.index += 1;
            return Ok(());
        }
        let chunk_start = self.index * CHUNK_LEN as u64;
        let q_len = chunk_start + len as u64;
        let data_len = le64(&self.buf, HOLD + len - TRAILER_LEN);
        Layout::check(data_len, q_len, self.index + 1)?;
        // Q offset of buf[start] is chunk_start + start - HOLD; the data
        // ends at Q offset 8 + data_len.
        let start_q = (chunk_start + start as u64)
            .checked_sub(HOLD as u64)
            .ok_or(Aot2Error::Authentication)?;
        let data_end_q = TIMESTAMP_LEN as u64 + data_len;
        let end = data_end_q
            .checked_sub(start_q)
            .and_then(|n| usize::try_from(n).ok())
            .map(|n| start + n)
            .ok_or(Aot2Error::Authentication)?;
        if self.buf[end..HOLD + len - TRAILER_LEN]
            .iter()
            .any(|&b| b != 0)
        {
            return Err(Aot2Error::Authentication);
        }
        self.out_pos = start;
        self.out_end = end;
        self.state = OpenState::Done;
        Ok(())
    }
}

impl Drop for OpenCore {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// The error an opener reports through `std::io`: kind `InvalidData`,
/// the [`Aot2Error`] inside (`io::Error::get_ref` and `downcast_ref`).
pub(crate) fn io_error(e: &Aot2Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.clone())
}

/// Reads the salt at the start of a message: `None` if the message ends
/// first.
fn read_salt<R: Read>(reader: &mut R) -> io::Result<Option<[u8; SALT_LEN]>> {
    let mut salt = [0u8; SALT_LEN];
    let mut got = 0;
    while got < SALT_LEN {
        match reader.read(&mut salt[got..]) {
            Ok(0) => return Ok(None),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(salt))
}

/// Opens an AOT2 message read from `R`, releasing each chunk's data only
/// once its tag is verified. A failure (an [`io::Error`] of kind
/// `InvalidData` carrying the [`Aot2Error`]) can come after verified data
/// was released: treat the whole stream as failed.
///
/// See [`Sealer`] for an example.
pub struct Opener<R: Read> {
    inner: R,
    core: OpenCore,
}

impl<R: Read> Opener<R> {
    /// Reads the salt from `reader`, derives the keys (for a password:
    /// passcrypt) and returns an opener for the rest.
    ///
    /// # Errors
    /// [`Error::Io`] from the reader, [`Aot2Error::Authentication`] if the
    /// message ends within the salt, [`Aot2Error::Passcrypt`].
    pub fn new<K: KeyMaterial + ?Sized>(
        mut reader: R,
        key: &K,
        options: &Options,
    ) -> Result<Self, Error> {
        let salt = read_salt(&mut reader)?.ok_or(Aot2Error::Authentication)?;
        let keys = key.subkeys(&salt, options.ctx_bytes())?;
        Ok(Self {
            inner: reader,
            core: OpenCore::new(keys, options.ttl_seconds(), options.current_time()),
        })
    }

    /// The message's timestamp (seconds since the Unix epoch), once the
    /// first chunk has been read and verified.
    pub fn timestamp(&self) -> Option<u64> {
        self.core.timestamp()
    }
}

impl<R: Read> Read for Opener<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            let ready = self.core.output();
            if !ready.is_empty() {
                let n = ready.len().min(out.len());
                out[..n].copy_from_slice(&ready[..n]);
                self.core.consume(n);
                return Ok(n);
            }
            if let Some(e) = self.core.error() {
                return Err(io_error(e));
            }
            if self.core.is_done() || out.is_empty() {
                return Ok(0);
            }
            match self.inner.read(self.core.want()) {
                Ok(0) => self.core.eof(),
                Ok(n) => self.core.filled(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl<R: Read> std::fmt::Debug for Opener<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opener")
            .field("timestamp", &self.core.timestamp())
            .finish_non_exhaustive()
    }
}
