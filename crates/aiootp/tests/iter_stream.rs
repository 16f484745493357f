#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `AsyncComprende` (the seed's `a…` methods on streams) against
//! `Comprende` on iterators: the same chains give the same items, the
//! eager end-points the same collections; plus the stream-only timers and
//! `returning` (the seed's `aresult()`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use aiootp::compat::{Key, PyValue};
use aiootp::iter::{ASCII_TABLE, AsyncComprende, CoState, Comprende, PySlice};
use futures_util::stream;

fn texts() -> Vec<String> {
    ["ab, c", ", d e", "", "f,,g h", "é€😀"]
        .map(String::from)
        .to_vec()
}

#[tokio::test]
async fn lazy_methods_match_the_iterator_forms() {
    let t = texts();
    let s = || stream::iter(texts());
    assert_eq!(s().sha_256().list().await, t.iter().sha_256().list());
    assert_eq!(
        s().sha_512_salted("salt").list().await,
        t.iter().sha_512_salted("salt").list()
    );
    let key = Key::new("k");
    assert_eq!(
        s().sha_256_hmac(&key).list().await,
        t.iter().sha_256_hmac(&key).list()
    );
    assert_eq!(
        s().sum_sha_256(PyValue::None).list().await,
        t.iter().sum_sha_256(PyValue::None).list()
    );
    assert_eq!(
        s().resize(3).unwrap().list().await,
        t.clone().into_iter().resize(3).unwrap().list()
    );
    assert_eq!(
        s().delimit_resize(", ").unwrap().list().await,
        t.clone().into_iter().delimit_resize(", ").unwrap().list()
    );
    assert_eq!(
        s().split(",").unwrap().list().await,
        t.clone().into_iter().split(",").unwrap().list()
    );
    assert_eq!(
        s().zfill(7).list().await,
        t.clone().into_iter().zfill(7).list()
    );
    let inner = || PySlice::new(Some(1), Some(-1), None).unwrap();
    assert_eq!(
        s().slice(inner()).list().await,
        t.clone().into_iter().slice(inner()).list()
    );
    assert_eq!(s().halt(String::new()).list().await, t[..2].to_vec());
    assert_eq!(s().tag().list().await, t.clone().into_iter().tag().list());
    assert_eq!(
        s().tag_with(["x", "y"]).list().await,
        vec![("x", t[0].clone()), ("y", t[1].clone())]
    );
    assert_eq!(s().to_base64().list().await, t.iter().to_base64().list());
    assert_eq!(s().str().list().await, t);

    let n = || [0u64, 1, 95, 26729, u64::MAX];
    assert_eq!(
        stream::iter(n())
            .to_base(95, ASCII_TABLE)
            .unwrap()
            .list()
            .await,
        n().into_iter().to_base(95, ASCII_TABLE).unwrap().list()
    );
    assert_eq!(
        stream::iter(n()).hex().list().await,
        n().into_iter().hex().list()
    );
    let json = ["[1, 2.5]", "{\"a\": null}", "x"];
    assert_eq!(
        stream::iter(json).json_loads().list().await,
        json.into_iter().json_loads().list()
    );
}

#[tokio::test]
async fn eager_end_points() {
    let s = || stream::iter(["b", "a", "b"]);
    assert_eq!(s().list().await, vec!["b", "a", "b"]);
    assert_eq!(s().set().await, HashSet::from(["a", "b"]));
    assert_eq!(s().deque().await, VecDeque::from(["b", "a", "b"]));
    assert_eq!(s().join("-").await, "b-a-b");
    assert_eq!(s().exhaust().await, Some("b"));
    assert_eq!(stream::iter(Vec::<u8>::new()).exhaust().await, None);
    assert_eq!(
        stream::iter([b"ab".to_vec(), b"c".to_vec()])
            .join_bytes(b"|")
            .await,
        b"ab|c"
    );
    assert_eq!(
        s().tag().dict().await,
        HashMap::from([(0, "b"), (1, "a"), (2, "b")])
    );
}

#[tokio::test]
async fn returning_keeps_the_result() {
    let items = vec![
        CoState::Yielded(1),
        CoState::Yielded(2),
        CoState::Complete("salt"),
    ];
    let r = stream::iter(items).returning();
    let mut r = std::pin::pin!(r);
    let mut got = Vec::new();
    while let Some(x) =
        std::future::poll_fn(|cx| futures_util::Stream::poll_next(r.as_mut(), cx)).await
    {
        got.push(x);
    }
    assert_eq!(got, vec![1, 2]);
    assert_eq!(r.result(), Some(&"salt"));
    assert_eq!(r.as_mut().take_result(), Some("salt"));
    assert_eq!(r.result(), None);
}

#[tokio::test]
async fn timers() {
    // A zero delay ends before the first item; a long one lets all pass.
    assert!(
        stream::iter(0..10)
            .timeout(Duration::ZERO)
            .list()
            .await
            .is_empty()
    );
    assert_eq!(
        stream::iter(0..10)
            .timeout(Duration::from_secs(3600))
            .list()
            .await,
        (0..10).collect::<Vec<_>>()
    );
    // Unlike the reference, the timeout also ends a stream that waits.
    assert!(
        stream::pending::<u8>()
            .timeout(Duration::from_millis(5))
            .list()
            .await
            .is_empty()
    );
    // random_sleep delays, never drops or reorders.
    assert_eq!(
        stream::iter(0..20)
            .random_sleep(Duration::from_micros(200))
            .list()
            .await,
        (0..20).collect::<Vec<_>>()
    );
    assert_eq!(
        stream::iter(0..3).random_sleep(Duration::ZERO).list().await,
        vec![0, 1, 2]
    );
}

#[test]
fn sync_timeout() {
    assert!((0..10).timeout(Duration::ZERO).list().is_empty());
    assert_eq!((0..10).timeout(Duration::from_secs(3600)).count(), 10);
}
