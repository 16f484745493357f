//! Running the per-file work of a save or a load on several threads
//! (`std::thread::scope`): encryption and decryption of tag files, which
//! are independent once their salts are drawn, and file writes.

use std::num::NonZero;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Items handed to a thread at a time: enough to amortise the shared
/// counter, few enough to balance uneven items (a big manifest next to
/// small tag files).
const GRAB: usize = 8;

/// Threads for CPU-bound work: the available parallelism, asked once
/// (the query reads cgroup files, a cost every small save paid).
pub(crate) fn cpu_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, NonZero::get))
}

/// Threads for file writes that each end in an `fsync`: more than the
/// cores, so that the file system can commit many files at once.
pub(crate) const IO_THREADS: usize = 16;

/// `items.iter().map(f).collect()`, run on up to `threads` threads (one
/// for fewer than two grabs of items), results in item order. Items are
/// taken in order, so put the longest ones first.
pub(crate) fn map<T, R, F>(items: &[T], threads: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = threads.min(items.len().div_ceil(GRAB));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let start = next.fetch_add(GRAB, Ordering::Relaxed);
            let Some(chunk) = items.get(start..) else {
                break;
            };
            let chunk = chunk.get(..GRAB).unwrap_or(chunk);
            if chunk.is_empty() {
                break;
            }
            done.push((start, chunk.iter().map(&f).collect()));
        }
        done
    };
    let mut chunks: Vec<(usize, Vec<R>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..threads).map(|_| s.spawn(worker)).collect();
        let mut all = worker();
        for handle in handles {
            match handle.join() {
                Ok(done) => all.extend(done),
                // A panic in `f` is a bug: pass it on unchanged.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        all
    });
    chunks.sort_unstable_by_key(|(start, _)| *start);
    chunks.into_iter().flat_map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_item_order() {
        for n in [0, 1, 7, 8, 9, 16, 17, 1000] {
            let items: Vec<usize> = (0..n).collect();
            for threads in [1, 2, 3, 16] {
                let out = map(&items, threads, |i| i * 3);
                assert_eq!(out, items.iter().map(|i| i * 3).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn runs_on_several_threads() {
        let items: Vec<usize> = (0..64).collect();
        let ids = map(&items, 4, |_| {
            std::thread::sleep(std::time::Duration::from_millis(1));
            std::thread::current().id()
        });
        let distinct: std::collections::HashSet<_> = ids.into_iter().collect();
        assert!(distinct.len() > 1);
    }
}
