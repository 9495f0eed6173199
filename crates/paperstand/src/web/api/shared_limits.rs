//! The JSON API's per-client limit when several nodes share a PostgreSQL database: hits
//! are counted in the database per client and minute (`rate_windows`), and a request is
//! served while the sliding-window estimate `previous × (share of the previous minute
//! still inside the last 60 s) + current` stays within the limit. That keeps the burst
//! behaviour of the single-node token bucket (a fresh client may spend a minute's
//! budget at once) at the price of one upsert per API request. Refused requests count
//! too, so a client that keeps hammering stays refused; `Retry-After` accounts for that.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use paperstand_store::{Store, StoreError, WindowHits};
use time::OffsetDateTime;

/// The window: one minute, in seconds.
const WINDOW_SECS: i64 = 60;

/// A per-client limit whose counts live in the store, so every node sees them.
#[derive(Debug)]
pub struct SharedLimiter {
    store: Arc<dyn Store>,
    per_minute: u32,
    /// The window start this process last swept old windows for.
    swept: AtomicI64,
}

impl SharedLimiter {
    /// `per_minute` requests a minute per client (at least 1).
    pub fn new(store: Arc<dyn Store>, per_minute: u32) -> SharedLimiter {
        SharedLimiter {
            store,
            per_minute: per_minute.max(1),
            swept: AtomicI64::new(0),
        }
    }

    /// Counts a request of `client` (a [`limit_addr`](crate::web::client::limit_addr))
    /// at `now`: `Ok(Ok(()))` to serve, `Ok(Err(seconds))` to refuse.
    pub async fn check(
        &self,
        client: IpAddr,
        now: OffsetDateTime,
    ) -> Result<Result<(), u64>, StoreError> {
        let seconds = now.unix_timestamp();
        let start = seconds.div_euclid(WINDOW_SECS) * WINDOW_SECS;
        let hits = self
            .store
            .hit_rate_window(&format!("api:{client}"), start, start - WINDOW_SECS)
            .await?;
        self.sweep(start);
        let elapsed = (seconds - start) as f64 + f64::from(now.nanosecond()) / 1e9;
        Ok(decide(hits, elapsed, self.per_minute))
    }

    /// Once a window per process, forgets windows older than the previous one, in the
    /// background (several nodes doing it is harmless).
    fn sweep(&self, start: i64) {
        if self.swept.swap(start, Ordering::Relaxed) == start {
            return;
        }
        let store = self.store.clone();
        tokio::spawn(async move {
            if let Err(error) = store.forget_rate_windows(start - WINDOW_SECS).await {
                tracing::warn!(%error, "could not forget old API rate windows");
            }
        });
    }
}

/// Whether a request whose hit made `hits` at `elapsed` seconds into the current window
/// is served under `limit` a minute; if not, the whole seconds until a single request
/// would be.
pub fn decide(hits: WindowHits, elapsed: f64, limit: u32) -> Result<(), u64> {
    let window = WINDOW_SECS as f64;
    let limit = f64::from(limit);
    let previous = hits.previous as f64;
    let current = hits.current as f64;
    let estimate = |at: f64, prev: f64, cur: f64| prev * (window - at) / window + cur;
    // The tolerance absorbs rounding, so a client arriving exactly when Retry-After
    // said is served.
    if estimate(elapsed, previous, current) <= limit + 1e-9 {
        return Ok(());
    }
    // The next request adds one hit to the current window.
    let room = limit - current - 1.0;
    let wait = if room >= 0.0 && previous > 0.0 {
        // Later in this window, once enough of the previous one has slid out.
        let at = window - room * window / previous;
        at - elapsed
    } else {
        // In the next window, where this one's count is the previous.
        let at = (window - (limit - 1.0) * window / current).max(0.0);
        if at < window {
            window - elapsed + at
        } else {
            2.0 * window - elapsed
        }
    };
    Err(wait.ceil().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(previous: u64, current: u64) -> WindowHits {
        WindowHits { previous, current }
    }

    #[test]
    fn a_fresh_client_may_spend_the_minute_at_once() {
        assert_eq!(decide(hits(0, 600), 0.5, 600), Ok(()));
        assert_eq!(
            decide(hits(0, 601), 0.5, 600),
            Err(60),
            "until the next window"
        );
    }

    #[test]
    fn the_previous_window_weighs_by_its_overlap() {
        // Half of the previous minute still overlaps: 600 × 0.5 + 300 = 600.
        assert_eq!(decide(hits(600, 300), 30.0, 600), Ok(()));
        assert!(decide(hits(600, 301), 30.0, 600).is_err());
        assert_eq!(decide(hits(600, 400), 45.0, 600), Ok(()));
    }

    /// Whatever the counts, a client that waits Retry-After and sends one request is
    /// served (no one else using its budget meanwhile).
    #[test]
    fn retry_after_is_enough_and_not_far_too_long() {
        for limit in [1u32, 5, 60, 600] {
            for previous in [0u64, 1, 3, 60, 599, 600, 5_000] {
                for current in [1u64, 2, 5, 59, 60, 61, 601, 5_000] {
                    for elapsed in [0.0, 0.4, 17.3, 59.9] {
                        let Err(wait) = decide(hits(previous, current), elapsed, limit) else {
                            continue;
                        };
                        let at = elapsed + wait as f64;
                        let served = if at < 60.0 {
                            decide(hits(previous, current + 1), at, limit)
                        } else if at < 120.0 {
                            decide(hits(current, 1), at - 60.0, limit)
                        } else {
                            decide(hits(0, 1), at - 120.0, limit)
                        };
                        let case = (limit, previous, current, elapsed, wait);
                        assert_eq!(served, Ok(()), "{case:?}");
                        assert!(wait <= 120, "{case:?}");
                        if wait > 1 {
                            let early = at - 1.0;
                            let sooner = if early < 60.0 {
                                decide(hits(previous, current + 1), early, limit)
                            } else {
                                decide(hits(current, 1), early - 60.0, limit)
                            };
                            assert!(sooner.is_err(), "not a second too long: {case:?}");
                        }
                    }
                }
            }
        }
    }
}
