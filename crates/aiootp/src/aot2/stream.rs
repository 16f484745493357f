//! Streaming AOT2: [`Sealer`] (`std::io::Write`) and [`Opener`]
//! (`std::io::Read`), thin shells over I/O-free state machines that the
//! tokio adapters share: [`SealCore`] and [`OpenCore`] work on the
//! caller's thread (`threads = 1`), [`ParSealCore`] and [`ParOpenCore`]
//! hand the chunks before the last to a small pool of worker threads.
//!
//! Memory, on one thread: the sealer keeps one chunk (64 KiB) and the
//! record being written; the opener keeps one record and the last 256
//! verified bytes of the previous chunk (they might be padding, which only
//! the last chunk's length field tells). Both absorb each non-last tag
//! into the running [`Chain`] that the last tag binds (one hash state,
//! whatever the length).
//!
//! On `n` threads, at most [`DEPTH`] = 4 records per worker are in
//! flight (being sealed or opened, queued, or back and waiting for their
//! turn), plus three on the caller's side (the record being filled or
//! read, a complete record waiting to be sent, the record going out): at
//! most `(4 n + 3) × 64.5 KiB`, about 700 KiB on two threads. The workers
//! take the records from one queue and put them back numbered; the
//! caller's thread takes them in order, absorbs their tags into the chain
//! in order, and seals or opens the last chunk itself once all the others
//! are back. When it has to wait, it sleeps until half the records in
//! flight are back (one wake-up for several records: on two cores,
//! waking the caller for every 64 KiB cost about 15 % of the time).
//! Workers start as chunks need them (a message of one chunk starts no
//! thread) and end with the sealer or opener.

use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::thread;

use zeroize::Zeroize;

use super::format::{
    CHUNK_LEN, Chain, Layout, MAX_PAD, Place, RECORD_LEN, SALT_LEN, Subkeys, TAG_LEN,
    TIMESTAMP_LEN, TRAILER_LEN, check_time, le64,
};
use super::{KeyMaterial, Options};
use crate::error::{Aot2Error, Error};

/// Verified bytes of a non-last chunk held back until the next chunk
/// shows whether they are data or padding (padding reaches at most 231
/// bytes into the chunk before the last).
const HOLD: usize = 256;

// ------------------------------------------------- sealing on the caller's thread

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
        let tag = self
            .keys
            .seal_next(self.index, last, &mut self.chain, chunk);
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
// ------------------------------------------------- opening on the caller's thread

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
        self.keys
            .open_next(self.index, last, &mut self.chain, &self.tag, chunk)?;
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

// ------------------------------------------------------------------ workers

/// Records in flight per worker at most. Two (one being sealed, one
/// queued) left the workers idle while the caller's thread was being
/// scheduled; four measured 5-20 % faster on two cores, and halved the
/// context switches.
const DEPTH: usize = 4;

/// The most workers a stream starts, whatever the number of threads
/// asked for (memory stays under `(4 × 64 + 3) × 64.5 KiB`, 17 MiB).
pub(crate) const MAX_WORKERS: usize = 64;

/// The number of worker threads `threads` asks for: `threads`, or the
/// machine's parallelism for 0.
pub(crate) fn worker_count(threads: usize) -> usize {
    match threads {
        0 => thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        n => n,
    }
}

/// Why a stream stopped: the message, or a worker thread that could not
/// start or ended early (it panicked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StreamError {
    /// Authentication, expiry, size.
    Aot2(Aot2Error),
    /// A worker thread could not start or ended early.
    Worker,
}

impl From<Aot2Error> for StreamError {
    fn from(e: Aot2Error) -> Self {
        Self::Aot2(e)
    }
}

/// What a worker failure says.
const WORKER_FAILED: &str = "aot2: a worker thread failed";

impl StreamError {
    /// As a sealer reports it: the [`Aot2Error`] inside an `Other` error.
    pub(crate) fn to_write_error(&self) -> io::Error {
        match self {
            Self::Aot2(e) => io::Error::other(e.clone()),
            Self::Worker => io::Error::other(WORKER_FAILED),
        }
    }

    /// As an opener reports it: [`io_error`] for the message, `Other` for
    /// a worker.
    pub(crate) fn to_read_error(&self) -> io::Error {
        match self {
            Self::Aot2(e) => io_error(e),
            Self::Worker => io::Error::other(WORKER_FAILED),
        }
    }
}

/// How a core waits for a record from the workers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Wait<'a> {
    /// Block the thread until it is back (`std::io` adapters).
    Block,
    /// Do not wait.
    Try,
    /// Do not wait; the worker that finishes next wakes this task (tokio
    /// adapters).
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    Wake(&'a Waker),
}

/// Room for one record in flight: `tag ‖ chunk` (and, when sealing the
/// end of a message, the padding and length field past a full chunk).
/// Zeroized on drop.
struct RecordBuf(Box<[u8]>);

impl RecordBuf {
    const LEN: usize = RECORD_LEN + MAX_PAD + TRAILER_LEN;

    fn new() -> Self {
        Self(vec![0u8; Self::LEN].into_boxed_slice())
    }

    /// A placeholder that owns no memory.
    fn empty() -> Self {
        Self(Box::default())
    }

    /// The tag at the start.
    fn tag(&self) -> [u8; TAG_LEN] {
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&self.0[..TAG_LEN]);
        tag
    }
}

impl std::ops::Deref for RecordBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl std::ops::DerefMut for RecordBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl Drop for RecordBuf {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// What a worker does with a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Task {
    /// Seal the full chunk after the tag's room, write the tag.
    Seal,
    /// Open the full chunk after the tag and check the tag.
    Open,
    /// Panic (to test that a dead worker fails the stream).
    #[cfg(test)]
    Panic,
}

/// `task`, or a panic for the chunk `sabotage` names (tests).
#[cfg(test)]
fn sabotaged(sabotage: Option<u64>, index: u64, task: Task) -> Task {
    if sabotage == Some(index) {
        Task::Panic
    } else {
        task
    }
}

/// One record for a worker: always a full chunk that is not the last.
struct Job {
    task: Task,
    index: u64,
    buf: RecordBuf,
}

/// A record back from a worker: sealed, or opened and checked (zeroed if
/// the tag did not match).
struct Done {
    buf: RecordBuf,
    verified: Result<(), Aot2Error>,
}

impl Job {
    fn run(mut self, keys: &Subkeys) -> Done {
        let tag = self.buf.tag();
        let chunk = &mut self.buf[TAG_LEN..RECORD_LEN];
        let verified = match self.task {
            Task::Seal => {
                let tag = keys.seal_chunk(self.index, Place::Inner, chunk);
                self.buf[..TAG_LEN].copy_from_slice(&tag);
                Ok(())
            }
            Task::Open => keys.open_chunk(self.index, Place::Inner, &tag, chunk),
            #[cfg(test)]
            #[allow(clippy::panic)]
            Task::Panic => panic!("a worker panics on purpose"),
        };
        Done {
            buf: self.buf,
            verified,
        }
    }
}

/// What the caller's thread and the workers share, under one lock.
#[derive(Default)]
struct State {
    /// Records to seal or open, numbered, oldest first.
    jobs: std::collections::VecDeque<(u64, Job)>,
    /// No more records: the workers end.
    closed: bool,
    /// Workers waiting for a record.
    idle: usize,
    /// Records back: `back[i]` is record `base + i` (the oldest not yet
    /// taken is `base`); `ready` of them are there.
    back: std::collections::VecDeque<Option<Done>>,
    base: u64,
    ready: usize,
    /// The caller's thread sleeps until the oldest record and `want`
    /// records in all are back (0: it does not sleep).
    want: usize,
    /// The same for a task: woken, then forgotten.
    waker: Option<(Waker, usize)>,
    /// A worker died: its record will never come back.
    dead: bool,
}

impl State {
    /// Whether the caller waiting for `want` records can go on.
    fn enough(&self, want: usize) -> bool {
        matches!(self.back.front(), Some(Some(_))) && self.ready >= want
    }
}

/// The shared state and its two condition variables.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// A record to take, or the end.
    work: Condvar,
    /// Records back (see [`State::want`]).
    done: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; a poisoned one is sound.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs when a worker thread ends, however it ends: one that dies (a
/// panic unwinds through it) says so and wakes the caller, so that the
/// stream fails instead of waiting for ever for its record.
struct OnExit(Arc<Shared>);

impl Drop for OnExit {
    fn drop(&mut self) {
        if thread::panicking() {
            let waker = {
                let mut state = self.0.lock();
                state.dead = true;
                state.waker.take()
            };
            self.0.done.notify_all();
            if let Some((waker, _)) = waker {
                waker.wake();
            }
        }
    }
}

/// The work of one worker thread: takes records, oldest first, seals or
/// opens them and puts them back, waking the caller when it has enough.
fn work(shared: &Shared, keys: &Subkeys) {
    let mut state = shared.lock();
    loop {
        if let Some((seq, job)) = state.jobs.pop_front() {
            drop(state);
            let done = job.run(keys);
            state = shared.lock();
            let at = usize::try_from(seq - state.base).unwrap_or(usize::MAX);
            if state.back.len() <= at {
                state.back.resize_with(at + 1, || None);
            }
            state.back[at] = Some(done);
            state.ready += 1;
            if state.want > 0 && state.enough(state.want) {
                shared.done.notify_one();
            }
            if let Some((_, want)) = &state.waker
                && state.enough(*want)
                && let Some((waker, _)) = state.waker.take()
            {
                drop(state);
                waker.wake();
                state = shared.lock();
            }
        } else if state.closed {
            return;
        } else {
            state.idle += 1;
            state = shared
                .work
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.idle -= 1;
        }
    }
}

/// A few worker threads that seal or open the records before the last.
/// They take the records from one queue (whichever is free takes the
/// oldest) and put them back numbered; [`Pool::recv`] takes them in
/// order. At most [`DEPTH`] records per worker are in flight, and the
/// caller's thread, when it has to wait, sleeps until half of them are
/// back (one wake-up for several records). Workers start as records need
/// them (a message of two chunks starts one), up to the number asked for;
/// they end when the pool is dropped (it waits for their current records).
struct Pool {
    shared: Arc<Shared>,
    keys: Arc<Subkeys>,
    threads: Vec<thread::JoinHandle<()>>,
    /// The most workers.
    max: usize,
    /// Records sent, and taken back in order.
    sent: u64,
    received: u64,
}

impl Pool {
    /// A pool of up to `threads` workers sharing `keys` (none started
    /// yet).
    fn new(threads: usize, keys: &Arc<Subkeys>) -> Self {
        Self {
            shared: Arc::new(Shared::default()),
            keys: Arc::clone(keys),
            threads: Vec::new(),
            max: threads.clamp(1, MAX_WORKERS),
            sent: 0,
            received: 0,
        }
    }

    /// Starts one more worker; `false` if the system refuses.
    fn spawn(&mut self) -> bool {
        let keys = Arc::clone(&self.keys);
        let shared = Arc::clone(&self.shared);
        let spawned = thread::Builder::new()
            .name("aot2-worker".into())
            .spawn(move || {
                let exit = OnExit(shared);
                work(&exit.0, &keys);
            });
        match spawned {
            Ok(handle) => {
                self.threads.push(handle);
                true
            }
            Err(_) => false,
        }
    }

    /// Records sent and not yet taken back.
    fn in_flight(&self) -> usize {
        usize::try_from(self.sent - self.received).unwrap_or(usize::MAX)
    }

    /// Whether another record may be sent ([`DEPTH`] per worker).
    fn has_room(&self) -> bool {
        self.in_flight() < DEPTH * self.max
    }

    /// Sends the next record (call only with room), starting a worker if
    /// every one has a record already.
    fn send(&mut self, job: Job) -> Result<(), StreamError> {
        if self.threads.len() < self.max
            && self.in_flight() >= self.threads.len()
            && !self.spawn()
            && self.threads.is_empty()
        {
            return Err(StreamError::Worker);
        }
        let mut state = self.shared.lock();
        if state.dead {
            return Err(StreamError::Worker);
        }
        state.jobs.push_back((self.sent, job));
        let idle = state.idle > 0;
        drop(state);
        if idle {
            self.shared.work.notify_one();
        }
        self.sent += 1;
        Ok(())
    }

    /// The oldest record in flight, once it is back (call only with
    /// records in flight). Waiting (`Wait::Block`, `Wait::Wake`), it asks
    /// to be woken when half the records in flight (at least the oldest)
    /// are back.
    fn recv(&mut self, wait: Wait<'_>) -> Poll<Result<Done, StreamError>> {
        let want = self.in_flight().min(DEPTH * self.threads.len() / 2).max(1);
        let mut state = self.shared.lock();
        loop {
            if state.dead {
                return Poll::Ready(Err(StreamError::Worker));
            }
            if let Some(Some(_)) = state.back.front()
                && let Some(Some(done)) = state.back.pop_front()
            {
                state.base += 1;
                state.ready -= 1;
                self.received += 1;
                return Poll::Ready(Ok(done));
            }
            match wait {
                Wait::Block => {
                    state.want = want;
                    state = self
                        .shared
                        .done
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                    state.want = 0;
                }
                Wait::Try => return Poll::Pending,
                Wait::Wake(waker) => {
                    state.waker = Some((waker.clone(), want));
                    return Poll::Pending;
                }
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.closed = true;
            // Records not started are dropped (zeroized) here.
            state.jobs.clear();
        }
        self.shared.work.notify_all();
        for thread in self.threads.drain(..) {
            // A worker that panicked has already failed the stream.
            let _ = thread.join();
        }
    }
}

// --------------------------------------------------- sealing on workers

/// The sealing state machine with workers: the caller's thread fills
/// chunks, the workers seal the full ones, the caller's thread takes them
/// back in order, chains their tags and seals the end of the message.
pub(crate) struct ParSealCore {
    keys: Arc<Subkeys>,
    threads: usize,
    pool: Option<Pool>,
    salt: [u8; SALT_LEN],
    salt_pos: usize,
    /// The chunk being filled: `fill[TAG_LEN..TAG_LEN + body]`.
    fill: RecordBuf,
    body: usize,
    /// The record going out: `out[out_pos..out_end]`.
    out: Option<RecordBuf>,
    out_pos: usize,
    out_end: usize,
    /// Buffers to reuse.
    free: Vec<RecordBuf>,
    /// The last chunk's bytes while the one before it goes out.
    rest: Vec<u8>,
    /// The index of the next chunk to seal.
    index: u64,
    /// The tags of the records back so far (all not last).
    chain: Chain,
    data_len: u64,
    state: SealState,
    error: Option<StreamError>,
    /// A chunk index whose worker panics (tests).
    #[cfg(test)]
    sabotage: Option<u64>,
}

impl ParSealCore {
    pub(crate) fn new(keys: Subkeys, salt: [u8; SALT_LEN], timestamp: u64, threads: usize) -> Self {
        let mut fill = RecordBuf::new();
        fill[TAG_LEN..TAG_LEN + TIMESTAMP_LEN].copy_from_slice(&timestamp.to_le_bytes());
        Self {
            keys: Arc::new(keys),
            threads,
            pool: None,
            salt,
            salt_pos: 0,
            fill,
            body: TIMESTAMP_LEN,
            out: None,
            out_pos: 0,
            out_end: 0,
            free: Vec::new(),
            rest: Vec::new(),
            index: 0,
            chain: Chain::new(),
            data_len: 0,
            state: SealState::Open,
            error: None,
            #[cfg(test)]
            sabotage: None,
        }
    }

    fn output(&self) -> &[u8] {
        if self.salt_pos < SALT_LEN {
            &self.salt[self.salt_pos..]
        } else if let Some(out) = &self.out {
            &out[self.out_pos..self.out_end]
        } else {
            &[]
        }
    }

    fn advance(&mut self, n: usize) {
        if self.salt_pos < SALT_LEN {
            self.salt_pos += n;
        } else {
            self.out_pos += n;
            if self.out_pos >= self.out_end
                && let Some(out) = self.out.take()
            {
                self.free.push(out);
            }
        }
    }

    fn in_flight(&self) -> usize {
        self.pool.as_ref().map_or(0, Pool::in_flight)
    }

    fn take_buf(&mut self) -> RecordBuf {
        self.free.pop().unwrap_or_else(RecordBuf::new)
    }

    /// Sends the full chunk being filled to the workers if there is room.
    fn dispatch(&mut self) -> Result<(), StreamError> {
        if self.pool.is_none() {
            self.pool = Some(Pool::new(self.threads, &self.keys));
        }
        if !self.pool.as_ref().is_some_and(Pool::has_room) {
            return Ok(());
        }
        let fresh = self.take_buf();
        let buf = std::mem::replace(&mut self.fill, fresh);
        let job = Job {
            #[cfg(not(test))]
            task: Task::Seal,
            #[cfg(test)]
            task: sabotaged(self.sabotage, self.index, Task::Seal),
            index: self.index,
            buf,
        };
        if let Some(pool) = &mut self.pool {
            pool.send(job)?;
        }
        self.index += 1;
        self.body = 0;
        Ok(())
    }

    /// Records `result`'s error, if any, for every later call.
    fn check<T>(&mut self, result: Result<T, StreamError>) -> Result<T, StreamError> {
        if let Err(e) = &result {
            self.error = Some(e.clone());
            self.pool = None;
        }
        result
    }

    fn push(&mut self, data: &[u8]) -> Result<usize, StreamError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.state != SealState::Open {
            return Ok(0);
        }
        if self.body == CHUNK_LEN {
            let sent = self.dispatch();
            self.check(sent)?;
            if self.body == CHUNK_LEN {
                return Ok(0);
            }
        }
        let n = data.len().min(CHUNK_LEN - self.body);
        self.fill[TAG_LEN + self.body..TAG_LEN + self.body + n].copy_from_slice(&data[..n]);
        self.body += n;
        self.data_len += n as u64;
        if self.body == CHUNK_LEN {
            // A chunk full of data is never the last.
            let sent = self.dispatch();
            self.check(sent)?;
        }
        Ok(n)
    }

    /// Whether records are in flight or a full chunk waits to be sent.
    fn has_pending(&self) -> bool {
        self.in_flight() > 0 || (self.state == SealState::Open && self.body == CHUNK_LEN)
    }

    /// Once the output is written: takes the oldest record back from the
    /// workers as the output, and sends a waiting full chunk if there is
    /// room.
    fn progress(&mut self, wait: Wait<'_>) -> Poll<Result<(), StreamError>> {
        if let Some(e) = &self.error {
            return Poll::Ready(Err(e.clone()));
        }
        if !self.output().is_empty() {
            return Poll::Ready(Ok(()));
        }
        if let Some(pool) = &mut self.pool
            && pool.in_flight() > 0
        {
            let done = match pool.recv(wait) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(done) => self.check(done),
            };
            let done = match done {
                Ok(done) => done,
                Err(e) => return Poll::Ready(Err(e)),
            };
            self.chain.push(&done.buf.tag());
            self.out = Some(done.buf);
            self.out_pos = 0;
            self.out_end = RECORD_LEN;
        }
        if self.state == SealState::Open && self.body == CHUNK_LEN {
            let sent = self.dispatch();
            if let Err(e) = self.check(sent) {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Seals `fill[TAG_LEN..TAG_LEN + len]` on this thread as the next
    /// chunk and makes it the output (nothing in flight, output empty).
    fn seal_here(&mut self, len: usize, last: bool) {
        let chunk = &mut self.fill[TAG_LEN..TAG_LEN + len];
        let tag = self
            .keys
            .seal_next(self.index, last, &mut self.chain, chunk);
        self.fill[..TAG_LEN].copy_from_slice(&tag);
        self.index += 1;
        self.body = 0;
        let fresh = if last {
            RecordBuf::empty()
        } else {
            self.take_buf()
        };
        self.out = Some(std::mem::replace(&mut self.fill, fresh));
        self.out_pos = 0;
        self.out_end = TAG_LEN + len;
    }

    /// Ends the message once the output is written: first every record in
    /// flight, then the end (as [`SealCore::finish_step`]) on this thread.
    fn finish_step(&mut self, wait: Wait<'_>) -> Poll<Result<bool, StreamError>> {
        if let Some(e) = &self.error {
            return Poll::Ready(Err(e.clone()));
        }
        if !self.output().is_empty() {
            return Poll::Ready(Ok(false));
        }
        match self.state {
            SealState::Open if self.in_flight() > 0 => self.progress(wait).map_ok(|()| false),
            SealState::Open if self.body == CHUNK_LEN => {
                self.seal_here(CHUNK_LEN, false);
                Poll::Ready(Ok(false))
            }
            SealState::Open => {
                let Some(layout) = Layout::for_data(self.data_len) else {
                    let e = StreamError::Aot2(Aot2Error::TooLarge);
                    self.error = Some(e.clone());
                    return Poll::Ready(Err(e));
                };
                let pad = layout.pad as usize;
                let start = TAG_LEN + self.body;
                self.fill[start..start + pad].fill(0);
                self.fill[start + pad..start + pad + TRAILER_LEN]
                    .copy_from_slice(&self.data_len.to_le_bytes());
                let tail = self.body + pad + TRAILER_LEN;
                if tail <= CHUNK_LEN {
                    self.seal_here(tail, true);
                    self.state = SealState::Done;
                } else {
                    self.rest = self.fill[TAG_LEN + CHUNK_LEN..TAG_LEN + tail].to_vec();
                    self.seal_here(CHUNK_LEN, false);
                    self.state = SealState::Finishing;
                }
                Poll::Ready(Ok(false))
            }
            SealState::Finishing => {
                let len = self.rest.len();
                self.fill[TAG_LEN..TAG_LEN + len].copy_from_slice(&self.rest);
                self.rest.zeroize();
                self.seal_here(len, true);
                self.state = SealState::Done;
                Poll::Ready(Ok(false))
            }
            SealState::Done => {
                self.pool = None;
                Poll::Ready(Ok(true))
            }
        }
    }
}

impl Drop for ParSealCore {
    fn drop(&mut self) {
        self.rest.zeroize();
    }
}

// --------------------------------------------------- opening on workers

/// Where a [`ParOpenCore`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ParOpenState {
    /// Reading records.
    Records,
    /// The last chunk is verified; its data is the output.
    Done,
    /// Failed: every later call reports this error.
    Failed(StreamError),
}

/// What an opener needs next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpenStep {
    /// Bytes of the message, into [`Opening::want`].
    Read,
    /// Nothing: the core moved on (output, failure or end); ask again.
    Progress,
}

/// The opening state machine with workers: the caller's thread reads
/// records, the workers open and check the full ones once a byte after
/// them shows they are not the last, the caller's thread takes them back
/// in order, releases their data (holding back the last 256 bytes of each
/// as [`OpenCore`] does), chains their tags, and opens the last chunk
/// itself once every other one is back.
pub(crate) struct ParOpenCore {
    keys: Arc<Subkeys>,
    threads: usize,
    pool: Option<Pool>,
    ttl: u64,
    now: u64,
    /// The record being read: `read[..got]`.
    read: RecordBuf,
    got: usize,
    /// A whole record read before `read`: not the last once a byte follows.
    complete: Option<RecordBuf>,
    /// The index of the next record to send (in `complete`, else `read`).
    next_index: u64,
    /// The index of the next record to come back from the workers.
    back: u64,
    /// The verified tail of the previous chunk (`held[..held_len]`),
    /// released once the next chunk shows it is data
    /// (`held[held_pos..held_len]` when `held_out`).
    held: [u8; HOLD],
    held_len: usize,
    held_pos: usize,
    held_out: bool,
    /// Verified data going out: `out[out_pos..out_end]`; the tail of a
    /// chunk that is not the last stays at `out[RECORD_LEN - HOLD..]`.
    out: Option<RecordBuf>,
    out_pos: usize,
    out_end: usize,
    out_last: bool,
    free: Vec<RecordBuf>,
    /// The tags of the chunks verified so far (all not last).
    chain: Chain,
    timestamp: Option<u64>,
    eof: bool,
    state: ParOpenState,
    /// A chunk index whose worker panics (tests).
    #[cfg(test)]
    sabotage: Option<u64>,
}

impl ParOpenCore {
    pub(crate) fn new(keys: Subkeys, ttl: u64, now: u64, threads: usize) -> Self {
        Self {
            keys: Arc::new(keys),
            threads,
            pool: None,
            ttl,
            now,
            read: RecordBuf::new(),
            got: 0,
            complete: None,
            next_index: 0,
            back: 0,
            held: [0; HOLD],
            held_len: 0,
            held_pos: 0,
            held_out: false,
            out: None,
            out_pos: 0,
            out_end: 0,
            out_last: false,
            free: Vec::new(),
            chain: Chain::new(),
            timestamp: None,
            eof: false,
            state: ParOpenState::Records,
            #[cfg(test)]
            sabotage: None,
        }
    }

    fn output(&self) -> &[u8] {
        if self.held_out {
            &self.held[self.held_pos..self.held_len]
        } else if let Some(out) = &self.out {
            &out[self.out_pos..self.out_end]
        } else {
            &[]
        }
    }

    fn consume(&mut self, n: usize) {
        if self.held_out {
            self.held_pos += n;
            if self.held_pos >= self.held_len {
                self.held_out = false;
                self.held_pos = 0;
                self.held_len = 0;
            }
            return;
        }
        self.out_pos += n;
        if self.out_pos >= self.out_end
            && let Some(out) = self.out.take()
        {
            if !self.out_last {
                // Padding or data: the next chunk tells.
                self.held
                    .copy_from_slice(&out[RECORD_LEN - HOLD..RECORD_LEN]);
                self.held_len = HOLD;
            }
            self.free.push(out);
        }
    }

    fn error(&self) -> Option<&StreamError> {
        match &self.state {
            ParOpenState::Failed(e) => Some(e),
            _ => None,
        }
    }

    fn is_done(&self) -> bool {
        self.state == ParOpenState::Done && self.output().is_empty()
    }

    fn want(&mut self) -> &mut [u8] {
        &mut self.read[self.got..RECORD_LEN]
    }

    fn filled(&mut self, n: usize) {
        self.got += n;
        if let Err(e) = self.move_records() {
            self.fail(e);
        }
    }

    fn eof(&mut self) {
        self.eof = true;
    }

    fn fail(&mut self, error: StreamError) {
        self.pool = None;
        self.held.zeroize();
        self.held_len = 0;
        self.held_pos = 0;
        self.held_out = false;
        self.out = None;
        self.complete = None;
        self.read = RecordBuf::empty();
        self.got = 0;
        self.state = ParOpenState::Failed(error);
    }

    fn take_buf(&mut self) -> RecordBuf {
        self.free.pop().unwrap_or_else(RecordBuf::new)
    }

    /// Whether more of the message may be read now: not while a complete
    /// record known not to be the last waits for room among the workers.
    fn can_read(&self) -> bool {
        !self.eof && (self.complete.is_none() || self.got == 0)
    }

    /// Sends a complete record that bytes follow to the workers (if there
    /// is room), and sets a whole record read aside as complete.
    fn move_records(&mut self) -> Result<(), StreamError> {
        if self.got > 0
            && let Some(buf) = self.complete.take()
        {
            if self.pool.is_none() {
                self.pool = Some(Pool::new(self.threads, &self.keys));
            }
            match &mut self.pool {
                Some(pool) if pool.has_room() => {
                    pool.send(Job {
                        #[cfg(not(test))]
                        task: Task::Open,
                        #[cfg(test)]
                        task: sabotaged(self.sabotage, self.next_index, Task::Open),
                        index: self.next_index,
                        buf,
                    })?;
                    self.next_index += 1;
                }
                _ => {
                    self.complete = Some(buf);
                    return Ok(());
                }
            }
        }
        if self.got == RECORD_LEN && self.complete.is_none() {
            let fresh = self.take_buf();
            self.complete = Some(std::mem::replace(&mut self.read, fresh));
            self.got = 0;
        }
        Ok(())
    }

    /// What to do next, once the output is released (errors end the core:
    /// see [`error`](Self::error)).
    fn step(&mut self, wait: Wait<'_>) -> Poll<OpenStep> {
        if self.state != ParOpenState::Records || !self.output().is_empty() {
            return Poll::Ready(OpenStep::Progress);
        }
        match self.next(wait) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(step)) => Poll::Ready(step),
            Poll::Ready(Err(e)) => {
                self.fail(e);
                Poll::Ready(OpenStep::Progress)
            }
        }
    }

    fn next(&mut self, wait: Wait<'_>) -> Poll<Result<OpenStep, StreamError>> {
        // Verified data first, if some is back; else read ahead while
        // there is room; else wait for the workers.
        let can_read = self.can_read();
        if let Some(pool) = &mut self.pool
            && pool.in_flight() > 0
        {
            let look = match wait {
                Wait::Block | Wait::Try => Wait::Try,
                Wait::Wake(waker) => Wait::Wake(waker),
            };
            let done = match pool.recv(look) {
                Poll::Ready(done) => Some(done?),
                Poll::Pending if can_read => return Poll::Ready(Ok(OpenStep::Read)),
                Poll::Pending => match pool.recv(wait) {
                    Poll::Ready(done) => Some(done?),
                    Poll::Pending => return Poll::Pending,
                },
            };
            if let Some(done) = done {
                self.take_back(done)?;
                self.move_records()?;
            }
            return Poll::Ready(Ok(OpenStep::Progress));
        }
        if self.can_read() {
            return Poll::Ready(Ok(OpenStep::Read));
        }
        if self.complete.is_some() && self.got > 0 {
            // Not reached (nothing in flight: there was room), kept for
            // safety.
            self.move_records()?;
            return Poll::Ready(Ok(OpenStep::Progress));
        }
        self.open_last()?;
        Poll::Ready(Ok(OpenStep::Progress))
    }

    /// The next record back from the workers, in order: its data goes out
    /// after the held tail of the chunk before it.
    fn take_back(&mut self, done: Done) -> Result<(), StreamError> {
        done.verified?;
        let buf = done.buf;
        let index = self.back;
        self.back += 1;
        self.chain.push(&buf.tag());
        let start = if index == 0 {
            let timestamp = le64(&buf, TAG_LEN);
            check_time(timestamp, self.now, self.ttl)?;
            self.timestamp = Some(timestamp);
            TAG_LEN + TIMESTAMP_LEN
        } else {
            TAG_LEN
        };
        self.held_out = self.held_len > 0;
        self.held_pos = 0;
        self.out = Some(buf);
        self.out_pos = start;
        self.out_end = RECORD_LEN - HOLD;
        self.out_last = false;
        Ok(())
    }

    /// Opens the last record on this thread, every other one being back
    /// and released (but for the held tail), then releases its data.
    fn open_last(&mut self) -> Result<(), StreamError> {
        let (mut buf, len) = match self.complete.take() {
            Some(buf) => (buf, CHUNK_LEN),
            None => {
                if self.got < TAG_LEN + TRAILER_LEN {
                    return Err(Aot2Error::Authentication.into());
                }
                let len = self.got - TAG_LEN;
                (std::mem::replace(&mut self.read, RecordBuf::empty()), len)
            }
        };
        self.pool = None;
        let index = self.next_index;
        let tag = buf.tag();
        let chunk = &mut buf[TAG_LEN..TAG_LEN + len];
        self.keys
            .open_next(index, true, &mut self.chain, &tag, chunk)?;
        let start = if index == 0 {
            let timestamp = le64(chunk, 0);
            check_time(timestamp, self.now, self.ttl)?;
            self.timestamp = Some(timestamp);
            TIMESTAMP_LEN
        } else {
            0
        };
        let chunk_start = index * CHUNK_LEN as u64;
        let q_len = chunk_start + len as u64;
        let data_len = le64(chunk, len - TRAILER_LEN);
        Layout::check(data_len, q_len, index + 1)?;
        // Q offsets: the held bytes are [chunk_start - held_len,
        // chunk_start), the data ends at 8 + data_len, the padding runs
        // from there to the length field.
        let data_end = TIMESTAMP_LEN as u64 + data_len;
        let held_start = chunk_start - self.held_len as u64;
        let held_data = data_end
            .checked_sub(held_start)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(Aot2Error::Authentication)?
            .min(self.held_len);
        let chunk_data = usize::try_from(data_end.saturating_sub(chunk_start))
            .ok()
            .filter(|&n| n <= len - TRAILER_LEN)
            .ok_or(Aot2Error::Authentication)?;
        if self.held[held_data..self.held_len].iter().any(|&b| b != 0)
            || chunk[chunk_data..len - TRAILER_LEN].iter().any(|&b| b != 0)
        {
            return Err(Aot2Error::Authentication.into());
        }
        self.held_len = held_data;
        self.held_pos = 0;
        self.held_out = held_data > 0;
        self.out = Some(buf);
        self.out_pos = TAG_LEN + start;
        self.out_end = TAG_LEN + chunk_data;
        self.out_last = true;
        self.state = ParOpenState::Done;
        Ok(())
    }
}

impl Drop for ParOpenCore {
    fn drop(&mut self) {
        self.held.zeroize();
    }
}

// ------------------------------------------- what the adapters drive

/// A sealing state machine, on the caller's thread or with workers.
pub(crate) enum Sealing {
    /// `threads = 1`.
    One(SealCore),
    /// More threads.
    Many(ParSealCore),
}

impl Sealing {
    pub(crate) fn new(keys: Subkeys, salt: [u8; SALT_LEN], timestamp: u64, threads: usize) -> Self {
        match worker_count(threads) {
            1 => Self::One(SealCore::new(keys, salt, timestamp)),
            n => Self::Many(ParSealCore::new(keys, salt, timestamp, n)),
        }
    }

    /// Bytes waiting to be written.
    pub(crate) fn output(&self) -> &[u8] {
        match self {
            Self::One(core) => core.output(),
            Self::Many(core) => core.output(),
        }
    }

    /// `n` bytes of [`output`](Self::output) were written.
    pub(crate) fn advance(&mut self, n: usize) {
        match self {
            Self::One(core) => core.advance(n),
            Self::Many(core) => core.advance(n),
        }
    }

    /// Takes data; returns how much (0: write the output, or wait with
    /// [`progress`](Self::progress) when [`has_pending`](Self::has_pending)).
    pub(crate) fn push(&mut self, data: &[u8]) -> Result<usize, StreamError> {
        match self {
            Self::One(core) => Ok(core.push(data)),
            Self::Many(core) => core.push(data),
        }
    }

    /// Whether records are with the workers (or a full chunk waits for
    /// them).
    pub(crate) fn has_pending(&self) -> bool {
        match self {
            Self::One(_) => false,
            Self::Many(core) => core.has_pending(),
        }
    }

    /// With the output written, takes the next record back from the
    /// workers as the output.
    pub(crate) fn progress(&mut self, wait: Wait<'_>) -> Poll<Result<(), StreamError>> {
        match self {
            Self::One(_) => Poll::Ready(Ok(())),
            Self::Many(core) => core.progress(wait),
        }
    }

    /// Ends the message, one step per call once the output is written:
    /// `true` when the last record has been written.
    pub(crate) fn finish_step(&mut self, wait: Wait<'_>) -> Poll<Result<bool, StreamError>> {
        match self {
            Self::One(core) => Poll::Ready(core.finish_step().map_err(StreamError::from)),
            Self::Many(core) => core.finish_step(wait),
        }
    }
}

/// An opening state machine, on the caller's thread or with workers.
// Made once per stream and kept in place: boxing the larger variant (the
// 256 held bytes) would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Opening {
    /// `threads = 1`.
    One(OpenCore),
    /// More threads.
    Many(ParOpenCore),
}

impl Opening {
    /// The core for a message under `keys`, checked against `options`.
    pub(crate) fn for_options(keys: Subkeys, options: &Options) -> Self {
        Self::new(
            keys,
            options.ttl_seconds(),
            options.current_time(),
            options.threads,
        )
    }

    pub(crate) fn new(keys: Subkeys, ttl: u64, now: u64, threads: usize) -> Self {
        match worker_count(threads) {
            1 => Self::One(OpenCore::new(keys, ttl, now)),
            n => Self::Many(ParOpenCore::new(keys, ttl, now, n)),
        }
    }

    /// Verified data ready to be released.
    pub(crate) fn output(&self) -> &[u8] {
        match self {
            Self::One(core) => core.output(),
            Self::Many(core) => core.output(),
        }
    }

    /// `n` bytes of [`output`](Self::output) were released.
    pub(crate) fn consume(&mut self, n: usize) {
        match self {
            Self::One(core) => core.consume(n),
            Self::Many(core) => core.consume(n),
        }
    }

    /// The error the opener failed with, as `std::io` reports it.
    pub(crate) fn error(&self) -> Option<io::Error> {
        match self {
            Self::One(core) => core.error().map(io_error),
            Self::Many(core) => core.error().map(StreamError::to_read_error),
        }
    }

    /// Whether the whole message is verified and released.
    pub(crate) fn is_done(&self) -> bool {
        match self {
            Self::One(core) => core.is_done(),
            Self::Many(core) => core.is_done(),
        }
    }

    /// The message's timestamp, once the first chunk is verified.
    pub(crate) fn timestamp(&self) -> Option<u64> {
        match self {
            Self::One(core) => core.timestamp(),
            Self::Many(core) => core.timestamp,
        }
    }

    /// What to do next, with the output released and the opener neither
    /// done nor failed.
    pub(crate) fn step(&mut self, wait: Wait<'_>) -> Poll<OpenStep> {
        match self {
            Self::One(_) => Poll::Ready(OpenStep::Read),
            Self::Many(core) => core.step(wait),
        }
    }

    /// Where the next bytes of the message go (after [`OpenStep::Read`]).
    pub(crate) fn want(&mut self) -> &mut [u8] {
        match self {
            Self::One(core) => core.want(),
            Self::Many(core) => core.want(),
        }
    }

    /// `n` bytes were read into [`want`](Self::want)'s slice.
    pub(crate) fn filled(&mut self, n: usize) {
        match self {
            Self::One(core) => core.filled(n),
            Self::Many(core) => core.filled(n),
        }
    }

    /// The message ended.
    pub(crate) fn eof(&mut self) {
        match self {
            Self::One(core) => core.eof(),
            Self::Many(core) => core.eof(),
        }
    }
}

// ------------------------------------------------------------------ adapters

/// Seals everything written to it into one AOT2 message written to `W`,
/// one 64 KiB record at a time. Call [`finish`](Self::finish) at the end:
/// a sealer dropped without it leaves an unfinished message that does not
/// open.
///
/// With [`Options::threads`] other than 1, worker threads seal the
/// chunks (the same bytes): `write` hands them full chunks and writes out
/// the records that are back, in order; it waits for the workers only
/// when four records per worker are in flight. [`flush`] waits for them
/// all.
///
/// [`flush`]: Write::flush
///
/// ```
/// use std::io::{Read, Write};
/// use aiootp::aot2::{Aot2Key, Opener, Options, Sealer};
///
/// let key = Aot2Key::generate()?;
/// let options = Options::new().ctx("backup").threads(2);
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
    core: Sealing,
}

impl<W: Write> Sealer<W> {
    /// A sealer writing to `writer`, with a fresh salt, bound to
    /// `options`' ctx, dated by its clock, on its number of threads.
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
            core: Sealing::new(keys, *salt, options.current_time(), options.threads),
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

    /// Writes out the records that are back from the workers, without
    /// waiting for the others.
    fn drain_ready(&mut self) -> io::Result<()> {
        loop {
            self.drain()?;
            if !self.core.has_pending() {
                return Ok(());
            }
            match self.core.progress(Wait::Try) {
                Poll::Ready(Ok(())) if !self.core.output().is_empty() => {}
                Poll::Ready(Err(e)) => return Err(e.to_write_error()),
                _ => return Ok(()),
            }
        }
    }

    /// Seals the rest (the last chunk, with its length field and padding),
    /// writes it, flushes and returns the writer.
    ///
    /// # Errors
    /// The writer's I/O errors; a worker thread that failed.
    pub fn finish(mut self) -> io::Result<W> {
        loop {
            self.drain()?;
            match self.core.finish_step(Wait::Block) {
                Poll::Ready(Ok(true)) => break,
                Poll::Ready(Ok(false)) | Poll::Pending => {}
                Poll::Ready(Err(e)) => return Err(e.to_write_error()),
            }
        }
        self.inner.flush()?;
        // `Drop` is implemented by the cores only, so the writer moves out.
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
    /// Takes all of `data`, writing out each record as it is sealed.
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let total = data.len();
        while !data.is_empty() {
            self.drain()?;
            let n = self.core.push(data).map_err(|e| e.to_write_error())?;
            if n == 0 {
                if !self.core.has_pending() {
                    return Err(io::ErrorKind::WriteZero.into());
                }
                if let Poll::Ready(Err(e)) = self.core.progress(Wait::Block) {
                    return Err(e.to_write_error());
                }
            }
            data = &data[n..];
        }
        self.drain_ready()?;
        Ok(total)
    }

    /// Writes out every sealed record (waiting for the workers) and
    /// flushes the writer (a partial chunk stays buffered: only
    /// [`Sealer::finish`] may end a chunk early).
    fn flush(&mut self) -> io::Result<()> {
        loop {
            self.drain()?;
            if !self.core.has_pending() {
                break;
            }
            if let Poll::Ready(Err(e)) = self.core.progress(Wait::Block) {
                return Err(e.to_write_error());
            }
        }
        self.inner.flush()
    }
}

impl<W: Write> std::fmt::Debug for Sealer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").finish_non_exhaustive()
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
/// With [`Options::threads`] other than 1, worker threads open the
/// chunks: the opener reads ahead up to `4 × threads + 2` records and
/// releases each chunk once it is back and verified, in order (with a
/// reader that blocks, verified data may wait for the next bytes).
///
/// See [`Sealer`] for an example.
pub struct Opener<R: Read> {
    inner: R,
    core: Opening,
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
            core: Opening::for_options(keys, options),
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
                return Err(e);
            }
            if self.core.is_done() || out.is_empty() {
                return Ok(0);
            }
            if self.core.step(Wait::Block) == Poll::Ready(OpenStep::Read) {
                match self.inner.read(self.core.want()) {
                    Ok(0) => self.core.eof(),
                    Ok(n) => self.core.filled(n),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn keys() -> Subkeys {
        Subkeys::derive(&[4; 64], &[5; SALT_LEN], b"workers")
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 13 + i / 509) as u8).collect()
    }

    /// A message of `n` bytes sealed on one thread.
    fn message(n: usize) -> Vec<u8> {
        let mut s = SealCore::new(keys(), [5; SALT_LEN], 77);
        let mut out = Vec::new();
        let d = data(n);
        let mut rest = &d[..];
        loop {
            out.extend_from_slice(s.output());
            let k = s.output().len();
            s.advance(k);
            if rest.is_empty() {
                if s.finish_step().unwrap() {
                    break;
                }
            } else {
                let k = s.push(rest);
                rest = &rest[k..];
            }
        }
        out
    }

    /// Wakes by setting a flag and unparking the test thread.
    struct Flag(AtomicBool, thread::Thread);

    impl std::task::Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
            self.1.unpark();
        }
    }

    #[test]
    fn a_dead_worker_is_an_error_not_a_hang() {
        let keys = Arc::new(keys());
        for wake in [false, true] {
            let mut pool = Pool::new(2, &keys);
            let job = |task| Job {
                task,
                index: 0,
                buf: RecordBuf::new(),
            };
            pool.send(job(Task::Seal)).unwrap();
            assert!(matches!(pool.recv(Wait::Block), Poll::Ready(Ok(_))));
            pool.send(job(Task::Panic)).unwrap();
            // Refused if the worker has died already.
            let _ = pool.send(job(Task::Seal));
            if wake {
                // The task is woken when the worker dies, then finds it gone.
                let flag = Arc::new(Flag(AtomicBool::new(false), thread::current()));
                let waker = Waker::from(Arc::clone(&flag));
                let mut rounds = 0;
                loop {
                    match pool.recv(Wait::Wake(&waker)) {
                        Poll::Ready(r) => {
                            assert_eq!(r.err(), Some(StreamError::Worker));
                            break;
                        }
                        Poll::Pending => {
                            rounds += 1;
                            assert!(rounds < 100, "never woken");
                            thread::park_timeout(std::time::Duration::from_secs(5));
                        }
                    }
                }
            } else {
                assert_eq!(
                    pool.recv(Wait::Block).map(Result::err),
                    Poll::Ready(Some(StreamError::Worker))
                );
            }
            // It stays an error; dropping the pool ends the other worker.
            assert!(matches!(pool.recv(Wait::Block), Poll::Ready(Err(_))));
            assert_eq!(pool.send(job(Task::Seal)).err(), Some(StreamError::Worker));
            drop(pool);
        }
    }

    #[test]
    fn a_sealer_whose_worker_dies_fails() {
        let d = data(6 * CHUNK_LEN + 10);
        for at in [0, 1, 4] {
            let mut core = ParSealCore::new(keys(), [5; SALT_LEN], 77, 2);
            core.sabotage = Some(at);
            let mut sealer = Sealer {
                inner: Vec::new(),
                core: Sealing::Many(core),
            };
            let written = sealer.write_all(&d).and_then(|()| sealer.flush());
            let e = match written {
                Err(e) => e,
                Ok(()) => sealer.finish().map(|_| ()).unwrap_err(),
            };
            assert_eq!(e.to_string(), WORKER_FAILED, "at {at}");
        }
    }

    #[test]
    fn an_opener_whose_worker_dies_fails() {
        let d = data(6 * CHUNK_LEN + 10);
        let m = message(d.len());
        for at in [0, 1, 4] {
            let mut core = ParOpenCore::new(keys(), 0, 0, 2);
            core.sabotage = Some(at);
            let mut opener = Opener {
                inner: &m[SALT_LEN..],
                core: Opening::Many(core),
            };
            let mut back = Vec::new();
            let e = opener.read_to_end(&mut back).unwrap_err();
            assert_eq!(e.to_string(), WORKER_FAILED, "at {at}");
            // Only chunks before the dead one came out.
            let limit = usize::try_from(at).unwrap() * CHUNK_LEN;
            assert!(back.len() <= limit.saturating_sub(8), "at {at}");
            assert_eq!(back, d[..back.len()], "at {at}");
        }
    }

    #[test]
    fn workers_start_as_chunks_need_them() {
        let d = data(4 * CHUNK_LEN);
        let mut sealer = Sealer {
            inner: Vec::new(),
            core: Sealing::Many(ParSealCore::new(keys(), [5; SALT_LEN], 77, 1000)),
        };
        let workers = |s: &Sealer<Vec<u8>>| match &s.core {
            Sealing::Many(core) => core.pool.as_ref().map(|p| (p.threads.len(), p.max)),
            Sealing::One(_) => None,
        };
        sealer.write_all(&d[..CHUNK_LEN - 9]).unwrap();
        assert_eq!(workers(&sealer), None);
        // The first full chunk starts one worker.
        sealer.write_all(&d[CHUNK_LEN - 9..CHUNK_LEN - 8]).unwrap();
        assert_eq!(workers(&sealer), Some((1, MAX_WORKERS)));
        sealer.write_all(&d[CHUNK_LEN - 8..]).unwrap();
        sealer.flush().unwrap();
        let (started, _) = workers(&sealer).unwrap();
        assert!((1..=4).contains(&started), "{started}");
        assert_eq!(sealer.finish().unwrap(), message(d.len()));
    }

    #[test]
    fn workers_give_the_bytes_of_one_thread() {
        for n in [
            0,
            100,
            CHUNK_LEN - 16,
            CHUNK_LEN,
            3 * CHUNK_LEN - 200,
            5 * CHUNK_LEN,
        ] {
            let m = message(n);
            let d = data(n);
            for threads in [2, 3] {
                let mut sealer = Sealer {
                    inner: Vec::new(),
                    core: Sealing::Many(ParSealCore::new(keys(), [5; SALT_LEN], 77, threads)),
                };
                for piece in d.chunks(10_007) {
                    sealer.write_all(piece).unwrap();
                }
                assert_eq!(sealer.finish().unwrap(), m, "n={n} x{threads}");
                let mut opener = Opener {
                    inner: &m[SALT_LEN..],
                    core: Opening::Many(ParOpenCore::new(keys(), 0, 0, threads)),
                };
                let mut back = Vec::new();
                opener.read_to_end(&mut back).unwrap();
                assert_eq!(back, d, "n={n} x{threads}");
                assert_eq!(opener.timestamp(), Some(77));
            }
        }
    }
}
