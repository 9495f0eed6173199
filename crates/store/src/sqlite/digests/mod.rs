//! The SQLite side of [`Digests`]: subscribers and their tokens here, digests and the
//! outbox in `outbox`.

mod outbox;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

use super::community::{corrupt, optional_time, time_column, time_text};
use super::{SqliteStore, Tx, db_error, to_json};
use crate::digests::*;
use crate::{Result, UserId};

/// The columns [`subscriber_from_row`] reads, for `select` lists.
const SUBSCRIBER_COLUMNS: &str =
    "s.id, s.email, s.user_id, s.status, s.preferences, s.bounces, s.created_at, s.confirmed_at";

fn subscriber_from_row(row: &SqliteRow) -> Result<Subscriber> {
    let status: String = row.try_get("status").map_err(db_error)?;
    let preferences: String = row.try_get("preferences").map_err(db_error)?;
    let bounces: i64 = row.try_get("bounces").map_err(db_error)?;
    Ok(Subscriber {
        id: row.try_get("id").map_err(db_error)?,
        email: row.try_get("email").map_err(db_error)?,
        user: row.try_get("user_id").map_err(db_error)?,
        status: SubscriberStatus::parse(&status)
            .ok_or_else(|| corrupt("subscriber status", &status))?,
        preferences: serde_json::from_str(&preferences)
            .map_err(|e| corrupt("subscriber preferences", e))?,
        created_at: time_column(row, "created_at")?,
        confirmed_at: optional_time(row, "confirmed_at")?,
        bounces: u32::try_from(bounces).unwrap_or(u32::MAX),
    })
}

/// The key that makes an address unique: trimmed and lower-cased.
fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

async fn subscriber_in(tx: &mut Tx, id: SubscriberId) -> Result<Option<Subscriber>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {SUBSCRIBER_COLUMNS} from subscribers s where s.id = ?1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error)?;
    row.as_ref().map(subscriber_from_row).transpose()
}

async fn subscribe(
    tx: &mut Tx,
    email: &str,
    user: Option<UserId>,
    preferences: &Preferences,
    confirm: Option<(&str, OffsetDateTime)>,
    now: OffsetDateTime,
) -> Result<SubscribeOutcome> {
    let key = email_key(email);
    let existing: Option<(i64, String)> =
        sqlx::query_as("select id, status from subscribers where email_key = ?1")
            .bind(&key)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_error)?;
    let now_text = time_text(now);
    let status = if confirm.is_some() {
        SubscriberStatus::Pending
    } else {
        SubscriberStatus::Active
    };
    let confirmed_at = confirm.is_none().then(|| now_text.clone());
    let id = match existing {
        Some((id, ref current)) if current == SubscriberStatus::Active.as_str() => {
            sqlx::query("update subscribers set user_id = coalesce(user_id, ?2) where id = ?1")
                .bind(id)
                .bind(user)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            let found = subscriber_in(tx, id).await?;
            return Ok(SubscribeOutcome::AlreadyActive(
                found.ok_or_else(|| corrupt("subscriber", id))?,
            ));
        }
        Some((id, _)) => {
            sqlx::query(
                "update subscribers set email = ?2, user_id = coalesce(?3, user_id), \
                 status = ?4, preferences = ?5, bounces = 0, \
                 confirmed_at = coalesce(?6, confirmed_at), status_at = ?7 where id = ?1",
            )
            .bind(id)
            .bind(email.trim())
            .bind(user)
            .bind(status.as_str())
            .bind(to_json(preferences))
            .bind(&confirmed_at)
            .bind(&now_text)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            sqlx::query("delete from subscription_tokens where subscriber_id = ?1")
                .bind(id)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            id
        }
        None => sqlx::query_scalar(
            "insert into subscribers (email, email_key, user_id, status, preferences, \
             created_at, confirmed_at, status_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6) \
             returning id",
        )
        .bind(email.trim())
        .bind(&key)
        .bind(user)
        .bind(status.as_str())
        .bind(to_json(preferences))
        .bind(&now_text)
        .bind(&confirmed_at)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_error)?,
    };
    if let Some((hash, expires_at)) = confirm {
        sqlx::query(
            "insert into subscription_tokens (token_hash, subscriber_id, created_at, expires_at) \
             values (?1, ?2, ?3, ?4)",
        )
        .bind(hash)
        .bind(id)
        .bind(&now_text)
        .bind(time_text(expires_at))
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    }
    let subscriber = subscriber_in(tx, id)
        .await?
        .ok_or_else(|| corrupt("subscriber", id))?;
    Ok(if confirm.is_some() {
        SubscribeOutcome::ConfirmationNeeded(subscriber)
    } else {
        SubscribeOutcome::Active(subscriber)
    })
}

async fn confirm(tx: &mut Tx, token_hash: &str, now: OffsetDateTime) -> Result<Option<Subscriber>> {
    // Deleted whether fresh or not: a token works once, and an expired one never again.
    let row = sqlx::query(
        "delete from subscription_tokens where token_hash = ?1 \
         returning subscriber_id, expires_at > ?2 as fresh",
    )
    .bind(token_hash)
    .bind(time_text(now))
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error)?;
    let Some(row) = row else { return Ok(None) };
    let fresh: bool = row.try_get("fresh").map_err(db_error)?;
    let id: i64 = row.try_get("subscriber_id").map_err(db_error)?;
    if !fresh {
        return Ok(None);
    }
    let done = sqlx::query(
        "update subscribers set status = 'active', confirmed_at = ?2, status_at = ?2, \
         bounces = 0 where id = ?1 and status = 'pending'",
    )
    .bind(id)
    .bind(time_text(now))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    subscriber_in(tx, id).await
}

async fn unsubscribe(tx: &mut Tx, id: SubscriberId, now: OffsetDateTime) -> Result<bool> {
    let now = time_text(now);
    let done = sqlx::query(
        "update subscribers set status = 'unsubscribed', status_at = ?2 \
         where id = ?1 and status in ('active', 'pending')",
    )
    .bind(id)
    .bind(&now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    for sql in [
        "delete from subscription_tokens where subscriber_id = ?1",
        "update outbox set state = 'suppressed', done_at = ?2, claimed_by = null, \
         claim_expires_at = null where subscriber_id = ?1 and state = 'pending'",
    ] {
        sqlx::query(sql)
            .bind(id)
            .bind(&now)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
    }
    Ok(done.rows_affected() > 0)
}

#[async_trait]
impl Digests for SqliteStore {
    async fn subscribe(
        &self,
        email: &str,
        user: Option<UserId>,
        preferences: &Preferences,
        confirm: Option<(&str, OffsetDateTime)>,
        now: OffsetDateTime,
    ) -> Result<SubscribeOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = subscribe(&mut tx, email, user, preferences, confirm, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(outcome)
    }

    async fn confirm_subscription(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Subscriber>> {
        let mut tx = self.begin_write().await?;
        let found = confirm(&mut tx, token_hash, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(found)
    }

    async fn subscriber(&self, id: SubscriberId) -> Result<Option<Subscriber>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {SUBSCRIBER_COLUMNS} from subscribers s where s.id = ?1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        row.as_ref().map(subscriber_from_row).transpose()
    }

    async fn subscriber_by_email(&self, email: &str) -> Result<Option<Subscriber>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {SUBSCRIBER_COLUMNS} from subscribers s where s.email_key = ?1"
        )))
        .bind(email_key(email))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        row.as_ref().map(subscriber_from_row).transpose()
    }

    async fn set_preferences(&self, id: SubscriberId, preferences: &Preferences) -> Result<bool> {
        let done = sqlx::query("update subscribers set preferences = ?2 where id = ?1")
            .bind(id)
            .bind(to_json(preferences))
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected() > 0)
    }

    async fn unsubscribe(&self, id: SubscriberId, now: OffsetDateTime) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = unsubscribe(&mut tx, id, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(done)
    }

    async fn active_subscribers(&self, after: SubscriberId, limit: u32) -> Result<Vec<Subscriber>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {SUBSCRIBER_COLUMNS} from subscribers s \
             where s.status = 'active' and s.id > ?1 order by s.id limit ?2"
        )))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(subscriber_from_row).collect()
    }

    async fn count_subscribers(&self) -> Result<Vec<(SubscriberStatus, u64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("select status, count(*) from subscribers group by status")
                .fetch_all(&self.pool)
                .await
                .map_err(db_error)?;
        rows.into_iter()
            .map(|(status, n)| {
                let status = SubscriberStatus::parse(&status)
                    .ok_or_else(|| corrupt("subscriber status", &status))?;
                Ok((status, super::count(n)))
            })
            .collect()
    }

    async fn digest_history(
        &self,
        subscribers: &[SubscriberId],
        since: OffsetDateTime,
    ) -> Result<Vec<DigestHistory>> {
        outbox::digest_history(&self.pool, subscribers, since).await
    }

    async fn insert_digests(&self, digests: &[NewDigest], now: OffsetDateTime) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = outbox::insert_digests(&mut tx, digests, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(n)
    }

    async fn digest(&self, subscriber: SubscriberId, period: &str) -> Result<Option<Digest>> {
        outbox::digest(&self.pool, subscriber, period).await
    }

    async fn claim_outbox(
        &self,
        owner: &str,
        now: OffsetDateTime,
        due_by: OffsetDateTime,
        lease: std::time::Duration,
        limit: u32,
    ) -> Result<Vec<OutboxItem>> {
        let mut tx = self.begin_write().await?;
        let claimed = outbox::claim(&mut tx, owner, now, due_by, lease, limit).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(claimed)
    }

    async fn record_send(
        &self,
        outbox: i64,
        owner: &str,
        outcome: &SendOutcome,
        bounce_limit: u32,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = outbox::record(&mut tx, outbox, owner, outcome, bounce_limit, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(done)
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts> {
        outbox::counts(&self.pool).await
    }
}
