//! Request counters shared by every node: hits per key in fixed windows (a minute for
//! the JSON API). The caller weighs the previous window's count by how much of it still
//! overlaps a sliding window ending now (see `paperstand::web::api::limits`); the store
//! only counts, atomically, so hits from several nodes at once are never lost.

use async_trait::async_trait;

use crate::Result;

/// A key's hits in its current window (the hit just counted included) and the window
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowHits {
    /// Hits in the window before.
    pub previous: u64,
    /// Hits in the current window, this one included.
    pub current: u64,
}

/// Per-key hit counters in fixed windows. Every backend passes
/// [`contract::rate_windows`](crate::contract::rate_windows).
#[async_trait]
pub trait RateWindows: Send + Sync {
    /// Counts one hit for `key` in the window that starts at `window_start` (Unix
    /// seconds), in one atomic statement, and returns that window's count and the count
    /// of the window starting at `previous_start` (0 when it has none).
    async fn hit_rate_window(
        &self,
        key: &str,
        window_start: i64,
        previous_start: i64,
    ) -> Result<WindowHits>;

    /// Forgets every window that started before `before` (Unix seconds); returns how
    /// many it forgot.
    async fn forget_rate_windows(&self, before: i64) -> Result<u64>;
}
