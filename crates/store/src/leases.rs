//! Leases: how a scheduled job (the daily harvest, the star refresh, the digest build)
//! runs on one node at a time when several share a database. A lease is a row with a
//! name, an owner and an expiry; the owner renews it while the job runs, and when the
//! owner stops renewing (it crashed) the lease expires and another node may take it.
//! On SQLite (one node) the same code path works: the node always gets its lease.

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::Result;

/// A lease as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The job's name.
    pub name: String,
    /// Who holds it: a node id.
    pub owner: String,
    /// When the owner took it (renewals keep this).
    pub acquired_at: OffsetDateTime,
    /// When it lapses unless renewed.
    pub expires_at: OffsetDateTime,
}

/// Named leases with owners and expiry. Every backend passes
/// [`contract::leases`](crate::contract::leases).
#[async_trait]
pub trait Leases: Send + Sync {
    /// Takes lease `name` for `owner` until `now + ttl` when nobody holds it, when its
    /// holder let it expire, or when `owner` holds it already (which renews it).
    /// Returns whether `owner` holds it now.
    async fn try_acquire_lease(
        &self,
        name: &str,
        owner: &str,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<bool>;

    /// Extends `owner`'s lease to `now + ttl`. Returns false, changing nothing, when
    /// `owner` does not hold it (it was released, or expired and was taken over).
    async fn renew_lease(
        &self,
        name: &str,
        owner: &str,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<bool>;

    /// Gives the lease up if `owner` holds it; does nothing otherwise.
    async fn release_lease(&self, name: &str, owner: &str) -> Result<()>;

    /// The lease as stored, expired or not.
    async fn lease(&self, name: &str) -> Result<Option<Lease>>;
}

/// `now + ttl`, saturating.
pub(crate) fn expiry(now: OffsetDateTime, ttl: Duration) -> OffsetDateTime {
    let ttl = time::Duration::try_from(ttl).unwrap_or(time::Duration::days(365));
    now.checked_add(ttl).unwrap_or(now)
}
