//! One-shot sealing and opening of whole messages in memory, on one
//! thread or chunk-parallel on several (the same bytes either way).

use super::format::{
    CHUNK_LEN, Chain, Layout, Place, RECORD_LEN, SALT_LEN, Subkeys, TAG_LEN, TIMESTAMP_LEN,
    TRAILER_LEN, check_time, le64,
};
use crate::error::Aot2Error;

/// How many threads to use for `chunks` chunks when `threads` are asked
/// for (0: the machine's parallelism).
fn workers(threads: usize, chunks: u64) -> usize {
    if chunks < 2 {
        return 1;
    }
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    } else {
        threads
    };
    usize::try_from(chunks)
        .map_or(threads, |c| threads.min(c))
        .max(1)
}

/// Splits `0..chunks` into `workers` contiguous runs of chunks: the
/// number of chunks per run (the last run may be shorter).
fn per_worker(chunks: u64, workers: usize) -> u64 {
    chunks.div_ceil(workers as u64).max(1)
}

/// The message of `data` under `keys` and `salt`, dated `timestamp`.
///
/// The output is built by appending (no zero-filled buffer to overwrite):
/// on one thread each chunk is copied in and sealed while it is in cache;
/// on several, the plaintext layout is copied in first, then runs of the
/// records before the last are sealed in place in parallel, and the last
/// record, whose tag binds the chain of their tags, after the join.
pub(crate) fn seal(
    keys: &Subkeys,
    salt: &[u8; SALT_LEN],
    timestamp: u64,
    data: &[u8],
    threads: usize,
) -> Result<Vec<u8>, Aot2Error> {
    let layout = Layout::for_data(data.len() as u64).ok_or(Aot2Error::TooLarge)?;
    let len = usize::try_from(layout.message_len).map_err(|_| Aot2Error::TooLarge)?;
    let last_index = layout.chunks - 1;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(salt);
    let seal_record = |index: u64, place: Place<'_>, record: &mut [u8]| {
        let (tag, chunk) = record.split_at_mut(TAG_LEN);
        let t = keys.seal_chunk(index, place, chunk);
        tag.copy_from_slice(&t);
    };
    let append_record = |index: u64, out: &mut Vec<u8>| -> usize {
        let start = out.len();
        out.extend_from_slice(&[0; TAG_LEN]);
        let offset = index * CHUNK_LEN as u64;
        layout.extend_q(timestamp, data, offset, layout.chunk_len(index), out);
        start
    };
    // The records before the last are independent; the last one waits
    // for their tags.
    let workers = workers(threads, last_index);
    if workers == 1 {
        let mut chain = Chain::new();
        for index in 0..last_index {
            // A chunk of data only (never the last: the length field
            // follows the data) is hashed where it lies, so that reading
            // it from memory overlaps the hashing; then it is copied while
            // in cache and the copy encrypted.
            let middle = usize::try_from(index)
                .ok()
                .and_then(|i| i.checked_mul(CHUNK_LEN)?.checked_sub(TIMESTAMP_LEN))
                .filter(|o| {
                    o.checked_add(CHUNK_LEN)
                        .is_some_and(|end| end <= data.len())
                });
            let tag = if let Some(offset) = middle {
                let chunk = &data[offset..offset + CHUNK_LEN];
                let tag = keys.tag(index, Place::Inner, chunk);
                out.extend_from_slice(&tag);
                let start = out.len();
                out.extend_from_slice(chunk);
                keys.xor_keystream(&tag, &mut out[start..]);
                tag
            } else {
                let start = append_record(index, &mut out);
                seal_record(index, Place::Inner, &mut out[start..]);
                *tag_of(&out[start..])
            };
            chain.push(&tag);
        }
        let start = append_record(last_index, &mut out);
        let chain = chain.value();
        seal_record(last_index, Place::Last(chain.as_ref()), &mut out[start..]);
        return Ok(out);
    }
    for index in 0..layout.chunks {
        append_record(index, &mut out);
    }
    // Inner records: 0 .. last_index, all full.
    let inner_len = usize::try_from(last_index)
        .ok()
        .and_then(|n| n.checked_mul(RECORD_LEN))
        .ok_or(Aot2Error::TooLarge)?;
    let (inner, last) = out[SALT_LEN..].split_at_mut(inner_len);
    let per = per_worker(last_index, workers);
    let run_len = usize::try_from(per).map_err(|_| Aot2Error::TooLarge)? * RECORD_LEN;
    let seal_run = |first: u64, run: &mut [u8]| {
        for (k, record) in run.chunks_mut(RECORD_LEN).enumerate() {
            seal_record(first + k as u64, Place::Inner, record);
        }
    };
    let seal_run = &seal_run;
    std::thread::scope(|s| {
        let mut runs = inner.chunks_mut(run_len).enumerate();
        let mine = runs.next();
        for (w, run) in runs {
            s.spawn(move || seal_run(w as u64 * per, run));
        }
        if let Some((_, run)) = mine {
            seal_run(0, run);
        }
    });
    let chain = Chain::of(inner.chunks(RECORD_LEN).map(tag_of)).value();
    seal_record(last_index, Place::Last(chain.as_ref()), last);
    Ok(out)
}

/// What [`open`] found: the data and its timestamp.
pub(crate) struct Opened {
    pub(crate) data: Vec<u8>,
    pub(crate) timestamp: u64,
}

/// Opens `message` (salt included) under `keys`, then checks the time
/// (`ttl`, `now`). Returns nothing unverified: on any failure the output
/// buffer is zeroized before the error is returned.
pub(crate) fn open(
    keys: &Subkeys,
    message: &[u8],
    threads: usize,
    ttl: u64,
    now: impl FnOnce() -> u64,
) -> Result<Opened, Aot2Error> {
    let (chunks, q_len) =
        Layout::records_of(message.len() as u64).ok_or(Aot2Error::Authentication)?;
    let records = &message[SALT_LEN..];
    // The output holds Q without the timestamp, built by appending (no
    // zero-filled buffer): chunk 0 is opened in a scratch buffer (it
    // starts with the timestamp), chunk i >= 1 in place at i * C - 8.
    // On one thread each chunk is copied in and opened while in cache; on
    // several, all the ciphertext is copied in first.
    let out_len = usize::try_from(q_len).map_err(|_| Aot2Error::Authentication)? - TIMESTAMP_LEN;
    let mut out = Vec::with_capacity(out_len);
    let last_index = chunks - 1;
    // The tags are in the message: the chain the last tag binds is known
    // before any chunk is opened, so all chunks open in parallel.
    let chain = Chain::of(
        records
            .chunks(RECORD_LEN)
            .take(usize::try_from(last_index).map_err(|_| Aot2Error::Authentication)?)
            .map(tag_of),
    )
    .value();
    let place = |index: u64| {
        if index == last_index {
            Place::Last(chain.as_ref())
        } else {
            Place::Inner
        }
    };
    let (first_record, rest_records) = records.split_at(records.len().min(RECORD_LEN));

    let mut scratch = zeroize::Zeroizing::new(first_record[TAG_LEN..].to_vec());
    let first = keys
        .open_chunk(0, place(0), tag_of(first_record), &mut scratch)
        .map(|()| {
            out.extend_from_slice(&scratch[TIMESTAMP_LEN..]);
            le64(&scratch, 0)
        });
    drop(scratch);
    let open_record = |index: u64, record: &[u8], dst: &mut [u8]| {
        keys.open_chunk(index, place(index), tag_of(record), dst)
    };
    let workers = workers(threads, chunks);
    let result = first.and_then(|timestamp| {
        if workers == 1 || chunks < 3 {
            for (k, record) in rest_records.chunks(RECORD_LEN).enumerate() {
                let start = out.len();
                out.extend_from_slice(&record[TAG_LEN..]);
                open_record(1 + k as u64, record, &mut out[start..])?;
            }
            return Ok(timestamp);
        }
        for record in rest_records.chunks(RECORD_LEN) {
            out.extend_from_slice(&record[TAG_LEN..]);
        }
        // Worker w opens chunks 1 + w * per .. 1 + (w + 1) * per.
        let per = per_worker(chunks - 1, workers);
        let per_usize = usize::try_from(per).map_err(|_| Aot2Error::Authentication)?;
        let open_run = |first: u64, run_records: &[u8], run_out: &mut [u8]| {
            for (k, (record, dst)) in run_records
                .chunks(RECORD_LEN)
                .zip(run_out.chunks_mut(CHUNK_LEN))
                .enumerate()
            {
                open_record(first + k as u64, record, dst)?;
            }
            Ok(())
        };
        let open_run = &open_run;
        let rest_out = &mut out[CHUNK_LEN - TIMESTAMP_LEN..];
        std::thread::scope(|s| {
            let mut runs = rest_records
                .chunks(per_usize * RECORD_LEN)
                .zip(rest_out.chunks_mut(per_usize * CHUNK_LEN))
                .enumerate();
            let mine = runs.next();
            let handles: Vec<_> = runs
                .map(|(w, (rec, dst))| s.spawn(move || open_run(1 + w as u64 * per, rec, dst)))
                .collect();
            let mut result = Ok(timestamp);
            if let Some((_, (rec, dst))) = mine {
                result = open_run(1, rec, dst).map(|()| timestamp);
            }
            for h in handles {
                let joined = h.join().unwrap_or(Err(Aot2Error::Authentication));
                result = result.and_then(|ts| joined.map(|()| ts));
            }
            result
        })
    });

    let checked = result.and_then(|timestamp| {
        let data_len = le64(&out, out_len - TRAILER_LEN);
        let layout = Layout::check(data_len, q_len, chunks)?;
        // Within out_len: the check says data_len + pad + 16 == q_len.
        let data_len = data_len as usize;
        let pad = &out[data_len..out_len - TRAILER_LEN];
        if pad.iter().any(|&b| b != 0) || pad.len() as u64 != layout.pad {
            return Err(Aot2Error::Authentication);
        }
        check_time(timestamp, now(), ttl)?;
        Ok((timestamp, data_len))
    });
    match checked {
        Ok((timestamp, data_len)) => {
            out.truncate(data_len);
            Ok(Opened {
                data: out,
                timestamp,
            })
        }
        Err(e) => {
            zeroize::Zeroize::zeroize(&mut out);
            Err(e)
        }
    }
}

/// The tag at the start of `record`.
fn tag_of(record: &[u8]) -> &[u8; TAG_LEN] {
    record.first_chunk::<TAG_LEN>().unwrap_or(&[0; TAG_LEN])
}
