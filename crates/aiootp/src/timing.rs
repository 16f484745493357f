//! A small timing helper: the reference's `debuggers` (`func_timer`,
//! `afunc_timer`, `gen_timer`, `agen_timer`, spec `utilities.md` §6),
//! without the printing.
//!
//! A [`Timer`] counts calls and sums their wall-clock durations; it times
//! a closure ([`Timer::time`]), a future ([`Timer::time_future`]) or each
//! step of an iterator ([`Timer::wrap_iter`]). [`Timer::stats`] gives the
//! count, total, mean, minimum, maximum and standard deviation, and
//! formats them on one line.
//!
//! ```
//! use aiootp::timing::Timer;
//!
//! let mut timer = Timer::new("sum");
//! let total: u64 = timer.time(|| (1..=1000u64).sum());
//! assert_eq!(total, 500_500);
//!
//! let mut squares = Timer::new("squares").wrap_iter((1..=3u32).map(|x| x * x));
//! assert_eq!(squares.by_ref().collect::<Vec<_>>(), [1, 4, 9]);
//! assert_eq!(squares.timer().stats().calls, 3);
//!
//! let stats = timer.stats();
//! assert_eq!(stats.calls, 1);
//! println!("{stats}"); // sum: 1 call, total 1.2µs, mean 1.2µs, ...
//! ```
//!
//! # Differences from the reference
//! * Nothing is printed: the reference prints every call's arguments,
//!   return value and source code to stdout, which leaks keys (spec
//!   weakness U8). Format [`Stats`] where and when you choose.
//! * The standard deviation is the population standard deviation of the
//!   recorded durations (Welford's method); the reference's is an
//!   approximation against a running mean.
//! * A timed iterator does not send its items back into the source (the
//!   reference's `gen_timer` does, which changes coroutine-style
//!   generators), and works from any call depth.
//!
//! Benchmarks belong in `cargo bench`; this is for a quick look at where
//! time goes, in examples and debugging sessions.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

/// Counts calls and their durations.
#[derive(Clone, Debug, Default)]
pub struct Timer {
    name: String,
    calls: u64,
    total: Duration,
    min: Option<Duration>,
    max: Duration,
    /// Welford's running mean and sum of squared deviations, in seconds.
    mean: f64,
    m2: f64,
}

impl Timer {
    /// A timer labelled `name` (shown by [`Stats`]'s `Display`).
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Runs `f` once, records its duration and returns its value.
    pub fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.record(start.elapsed());
        out
    }

    /// Awaits `future`, records the wall-clock time until it completes
    /// (time spent waiting included, as the reference's `afunc_timer`
    /// measures) and returns its output.
    pub async fn time_future<F: Future>(&mut self, future: F) -> F::Output {
        let start = Instant::now();
        let out = future.await;
        self.record(start.elapsed());
        out
    }

    /// Wraps `iter` so that each step (each `next` that yields an item) is
    /// timed by this timer.
    #[must_use]
    pub fn wrap_iter<I: Iterator>(self, iter: I) -> TimedIter<I> {
        TimedIter { iter, timer: self }
    }

    /// Records one call of duration `elapsed` (for durations measured
    /// elsewhere).
    pub fn record(&mut self, elapsed: Duration) {
        self.calls += 1;
        self.total = self.total.saturating_add(elapsed);
        self.min = Some(self.min.map_or(elapsed, |m| m.min(elapsed)));
        self.max = self.max.max(elapsed);
        let x = elapsed.as_secs_f64();
        let delta = x - self.mean;
        self.mean += delta / self.calls as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Forgets every recorded call (keeps the name).
    pub fn reset(&mut self) {
        *self = Self::new(std::mem::take(&mut self.name));
    }

    /// The name given to [`Timer::new`].
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The statistics so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let std_dev = if self.calls == 0 {
            Duration::ZERO
        } else {
            let variance = (self.m2 / self.calls as f64).max(0.0);
            Duration::try_from_secs_f64(variance.sqrt()).unwrap_or(Duration::MAX)
        };
        let mean = match u32::try_from(self.calls) {
            Ok(0) => Duration::ZERO,
            Ok(n) => self.total / n,
            Err(_) => Duration::try_from_secs_f64(self.mean).unwrap_or(Duration::MAX),
        };
        Stats {
            name: self.name.clone(),
            calls: self.calls,
            total: self.total,
            mean,
            min: self.min.unwrap_or(Duration::ZERO),
            max: self.max,
            std_dev,
        }
    }
}

/// A snapshot of a [`Timer`]: what the reference prints per call, minus
/// the arguments, values and source code.
///
/// `Display` writes one line: `name: 3 calls, total 12ms, mean 4ms, min
/// 3ms, max 5ms, std dev 816µs`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// The timer's name.
    pub name: String,
    /// Calls recorded (the reference's `Test #n`).
    pub calls: u64,
    /// Sum of the durations.
    pub total: Duration,
    /// `total / calls` (zero without calls; the reference's `Average
    /// Elapsed Time`).
    pub mean: Duration,
    /// The shortest call (zero without calls).
    pub min: Duration,
    /// The longest call.
    pub max: Duration,
    /// Population standard deviation of the durations.
    pub std_dev: Duration,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.calls == 1 { "" } else { "s" };
        write!(
            f,
            "{}: {} call{plural}, total {:?}, mean {:?}, min {:?}, max {:?}, std dev {:?}",
            self.name, self.calls, self.total, self.mean, self.min, self.max, self.std_dev
        )
    }
}

/// An iterator whose steps are timed: made by [`Timer::wrap_iter`].
#[derive(Clone, Debug)]
pub struct TimedIter<I> {
    iter: I,
    timer: Timer,
}

impl<I> TimedIter<I> {
    /// The timer, with a record for every item produced so far.
    #[must_use]
    pub fn timer(&self) -> &Timer {
        &self.timer
    }

    /// The wrapped iterator and the timer.
    #[must_use]
    pub fn into_parts(self) -> (I, Timer) {
        (self.iter, self.timer)
    }
}

impl<I: Iterator> Iterator for TimedIter<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let start = Instant::now();
        let item = self.iter.next();
        // The call that finds the end is not a step.
        if item.is_some() {
            self.timer.record(start.elapsed());
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_recorded_durations() {
        let mut t = Timer::new("t");
        for ms in [3u64, 4, 5] {
            t.record(Duration::from_millis(ms));
        }
        let s = t.stats();
        assert_eq!(s.calls, 3);
        assert_eq!(s.total, Duration::from_millis(12));
        assert_eq!(s.mean, Duration::from_millis(4));
        assert_eq!(s.min, Duration::from_millis(3));
        assert_eq!(s.max, Duration::from_millis(5));
        // sqrt(2/3) ms = 816.5 µs.
        let sd = s.std_dev.as_secs_f64() * 1e6;
        assert!((sd - 816.496).abs() < 0.01, "{sd}");
        assert!(
            s.to_string()
                .starts_with("t: 3 calls, total 12ms, mean 4ms")
        );
    }

    #[test]
    fn empty_timer() {
        let s = Timer::new("empty").stats();
        assert_eq!(s.calls, 0);
        assert_eq!(s.mean, Duration::ZERO);
        assert_eq!(s.std_dev, Duration::ZERO);
    }
}
