//! Shared request counters (see [`crate::rate_windows`]).

use async_trait::async_trait;

use crate::Result;
use crate::postgres::{PostgresStore, count, db_error};
use crate::rate_windows::{RateWindows, WindowHits};

#[async_trait]
impl RateWindows for PostgresStore {
    async fn hit_rate_window(
        &self,
        key: &str,
        window_start: i64,
        previous_start: i64,
    ) -> Result<WindowHits> {
        // One statement, one round trip: the upsert takes the row lock, so concurrent
        // hits from any node queue on it and none is lost.
        let (current, previous): (i64, i64) = sqlx::query_as(
            "with hit as ( \
                 insert into rate_windows (key, window_start, hits) values ($1, $2, 1) \
                 on conflict (key, window_start) do update set hits = rate_windows.hits + 1 \
                 returning hits) \
             select hit.hits, coalesce((select p.hits from rate_windows p \
                 where p.key = $1 and p.window_start = $3), 0) from hit",
        )
        .bind(key)
        .bind(window_start)
        .bind(previous_start)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(WindowHits {
            previous: count(previous),
            current: count(current),
        })
    }

    async fn forget_rate_windows(&self, before: i64) -> Result<u64> {
        let done = sqlx::query("delete from rate_windows where window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected())
    }
}
