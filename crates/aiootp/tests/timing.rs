#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The timing helper (`aiootp::timing`): calls are counted and values
//! passed through. No assertion depends on how long anything takes.

use std::time::Duration;

use aiootp::timing::Timer;

#[test]
fn closures_are_counted_and_their_values_returned() {
    let mut timer = Timer::new("work");
    let mut side = 0;
    for i in 0..5u64 {
        let v = timer.time(|| {
            side += 1;
            i * 2
        });
        assert_eq!(v, i * 2);
    }
    assert_eq!(side, 5);
    let stats = timer.stats();
    assert_eq!(stats.calls, 5);
    assert_eq!(stats.name, "work");
    assert!(stats.min <= stats.mean && stats.mean <= stats.max);
    assert!(stats.total >= stats.max);
    assert!(stats.to_string().starts_with("work: 5 calls, total "));
    timer.reset();
    assert_eq!(timer.stats().calls, 0);
    assert_eq!(timer.name(), "work");
}

#[test]
fn iterator_steps_are_counted_but_not_the_end() {
    let mut it = Timer::new("iter").wrap_iter(["a", "b", "c"].into_iter());
    assert_eq!(it.size_hint(), (3, Some(3)));
    let items: Vec<&str> = it.by_ref().collect();
    assert_eq!(items, ["a", "b", "c"]);
    assert_eq!(it.next(), None);
    assert_eq!(it.timer().stats().calls, 3);
    let (mut rest, timer) = it.into_parts();
    assert_eq!(rest.next(), None);
    assert_eq!(timer.stats().calls, 3);
}

#[test]
fn recorded_durations_give_exact_statistics() {
    let mut timer = Timer::new("fixed");
    for ms in [10u64, 20, 30, 40] {
        timer.record(Duration::from_millis(ms));
    }
    let s = timer.stats();
    assert_eq!(s.total, Duration::from_millis(100));
    assert_eq!(s.mean, Duration::from_millis(25));
    assert_eq!(
        (s.min, s.max),
        (Duration::from_millis(10), Duration::from_millis(40))
    );
    // Population standard deviation of 10, 20, 30, 40 ms: sqrt(125) ms.
    let sd_ms = s.std_dev.as_secs_f64() * 1000.0;
    assert!((sd_ms - 125f64.sqrt()).abs() < 1e-6, "{sd_ms}");
}

#[cfg(feature = "tokio")]
#[tokio::test]
async fn futures_are_counted_and_their_outputs_returned() {
    let mut timer = Timer::new("future");
    let out = timer.time_future(async { 7 }).await;
    assert_eq!(out, 7);
    let joined = timer
        .time_future(tokio::task::spawn_blocking(|| "done"))
        .await
        .unwrap();
    assert_eq!(joined, "done");
    assert_eq!(timer.stats().calls, 2);
}
