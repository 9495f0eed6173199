//! Leases for scheduled jobs (see [`crate::leases`]).

use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;

use super::{time_column, time_text};
use crate::Result;
use crate::leases::{Lease, Leases, expiry};
use crate::sqlite::{SqliteStore, db_error};

#[async_trait]
impl Leases for SqliteStore {
    async fn try_acquire_lease(
        &self,
        name: &str,
        owner: &str,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<bool> {
        // One statement: taken when free, expired, or already ours (then renewed).
        let row = sqlx::query(
            "insert into leases (name, owner, acquired_at, expires_at) values (?1, ?2, ?3, ?4) \
             on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at, \
                 acquired_at = iif(leases.owner = excluded.owner, leases.acquired_at, excluded.acquired_at) \
             where leases.owner = excluded.owner or leases.expires_at <= ?3 \
             returning owner",
        )
        .bind(name)
        .bind(owner)
        .bind(time_text(now))
        .bind(time_text(expiry(now, ttl)))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(row.is_some())
    }

    async fn renew_lease(
        &self,
        name: &str,
        owner: &str,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<bool> {
        let done = sqlx::query("update leases set expires_at = ?3 where name = ?1 and owner = ?2")
            .bind(name)
            .bind(owner)
            .bind(time_text(expiry(now, ttl)))
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected() > 0)
    }

    async fn release_lease(&self, name: &str, owner: &str) -> Result<()> {
        sqlx::query("delete from leases where name = ?1 and owner = ?2")
            .bind(name)
            .bind(owner)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn lease(&self, name: &str) -> Result<Option<Lease>> {
        let row =
            sqlx::query("select name, owner, acquired_at, expires_at from leases where name = ?1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error)?;
        row.map(|row| {
            Ok(Lease {
                name: row.try_get("name").map_err(db_error)?,
                owner: row.try_get("owner").map_err(db_error)?,
                acquired_at: time_column(&row, "acquired_at")?,
                expires_at: time_column(&row, "expires_at")?,
            })
        })
        .transpose()
    }
}
