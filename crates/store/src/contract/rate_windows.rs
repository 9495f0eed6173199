//! The shared request counters' contract: no hit is lost when many arrive at once, and
//! windows are separate per key and per start.

use crate::{Store, WindowHits};

const MINUTE: i64 = 60;
/// 2026-11-28 00:00:00 UTC, a window start.
const START: i64 = 1_795_824_000;

/// Hits in flight together on several connections: every one is counted, and the
/// counts each hit saw are exactly 1..=N (each increment observed its own result).
pub async fn concurrent_hits_are_all_counted(store: &dyn Store) {
    const WORKERS: u64 = 8;
    const HITS: u64 = 25;
    let worker = move || async move {
        let mut seen = Vec::new();
        for _ in 0..HITS {
            let hits = store
                .hit_rate_window("api:192.0.2.1", START, START - MINUTE)
                .await
                .unwrap();
            seen.push(hits.current);
        }
        seen
    };
    // Eight loops interleaved on one task: each awaits its own statement, so up to
    // eight are in flight on the database at once.
    let (a, b, c, d, e, f, g, h) = tokio::join!(
        worker(),
        worker(),
        worker(),
        worker(),
        worker(),
        worker(),
        worker(),
        worker()
    );
    let mut seen: Vec<u64> = [a, b, c, d, e, f, g, h].concat();
    seen.sort_unstable();
    assert_eq!(seen, (1..=WORKERS * HITS).collect::<Vec<_>>());
    let last = store
        .hit_rate_window("api:192.0.2.1", START, START - MINUTE)
        .await
        .unwrap();
    assert_eq!(last.current, WORKERS * HITS + 1, "no hit was lost");
}

/// Each key has its own windows; the previous window's count comes back with the
/// current one; forgetting drops windows that started before a time, and only those.
pub async fn windows_are_per_key_and_forgotten(store: &dyn Store) {
    let hit = move |key: &'static str, start: i64| async move {
        store
            .hit_rate_window(key, start, start - MINUTE)
            .await
            .unwrap()
    };
    for _ in 0..3 {
        hit("api:a", START).await;
    }
    assert_eq!(
        hit("api:b", START).await,
        WindowHits {
            previous: 0,
            current: 1
        },
        "another key starts at one"
    );
    assert_eq!(
        hit("api:a", START + MINUTE).await,
        WindowHits {
            previous: 3,
            current: 1
        },
        "the next window starts afresh and reports the one before"
    );
    assert_eq!(
        hit("api:b", START + 2 * MINUTE).await,
        WindowHits {
            previous: 0,
            current: 1
        },
        "a gap of a window: nothing before"
    );
    assert_eq!(store.forget_rate_windows(START + MINUTE).await.unwrap(), 2);
    assert_eq!(
        hit("api:a", START + MINUTE).await,
        WindowHits {
            previous: 0,
            current: 2
        },
        "the forgotten window is gone, the later one kept"
    );
    assert_eq!(store.forget_rate_windows(START).await.unwrap(), 0);
}
