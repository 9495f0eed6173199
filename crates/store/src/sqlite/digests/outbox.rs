//! Digests and the outbox on SQLite. Every write runs in a `begin immediate`
//! transaction, so on one database two senders never claim the same row.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};
use time::OffsetDateTime;

use super::super::community::{corrupt, time_column, time_text};
use super::super::{Tx, count, db_error, to_json};
use super::{SUBSCRIBER_COLUMNS, subscriber_from_row};
use crate::Result;
use crate::digests::*;

const DIGEST_COLUMNS: &str = "d.id as digest_id, d.subscriber_id, d.period, d.kind, d.items, d.message_id, \
     d.created_at as digest_created_at";

fn digest_from_row(row: &SqliteRow) -> Result<Digest> {
    let kind: String = row.try_get("kind").map_err(db_error)?;
    let items: String = row.try_get("items").map_err(db_error)?;
    Ok(Digest {
        id: row.try_get("digest_id").map_err(db_error)?,
        subscriber: row.try_get("subscriber_id").map_err(db_error)?,
        period: row.try_get("period").map_err(db_error)?,
        kind: DigestKind::parse(&kind).ok_or_else(|| corrupt("digest kind", &kind))?,
        items: serde_json::from_str(&items).map_err(|e| corrupt("digest items", e))?,
        message_id: row.try_get("message_id").map_err(db_error)?,
        created_at: time_column(row, "digest_created_at")?,
    })
}

pub(super) async fn digest_history(
    pool: &SqlitePool,
    subscribers: &[SubscriberId],
    since: OffsetDateTime,
) -> Result<Vec<DigestHistory>> {
    let rows = sqlx::query(
        "select subscriber_id, period, items from digests \
         where subscriber_id in (select value from json_each(?1)) and created_at >= ?2",
    )
    .bind(to_json(subscribers))
    .bind(time_text(since))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let items: String = row.try_get("items").map_err(db_error)?;
            let items: Vec<DigestItem> =
                serde_json::from_str(&items).map_err(|e| corrupt("digest items", e))?;
            Ok(DigestHistory {
                subscriber: row.try_get("subscriber_id").map_err(db_error)?,
                period: row.try_get("period").map_err(db_error)?,
                papers: items.into_iter().map(|item| item.id).collect(),
            })
        })
        .collect()
}

pub(super) async fn insert_digests(
    tx: &mut Tx,
    digests: &[NewDigest],
    now: OffsetDateTime,
) -> Result<u64> {
    let now = time_text(now);
    let mut inserted = 0;
    for digest in digests {
        let id: Option<i64> = sqlx::query_scalar(
            "insert into digests (subscriber_id, period, kind, items, message_id, created_at) \
             values (?1, ?2, ?3, ?4, ?5, ?6) \
             on conflict (subscriber_id, period) do nothing returning id",
        )
        .bind(digest.subscriber)
        .bind(&digest.period)
        .bind(digest.kind.as_str())
        .bind(to_json(&digest.items))
        .bind(&digest.message_id)
        .bind(&now)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_error)?;
        let Some(id) = id else { continue };
        inserted += 1;
        if digest.kind != DigestKind::Skipped {
            sqlx::query(
                "insert into outbox (digest_id, subscriber_id, state, next_attempt_at, created_at) \
                 values (?1, ?2, 'pending', ?3, ?3)",
            )
            .bind(id)
            .bind(digest.subscriber)
            .bind(&now)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
    }
    Ok(inserted)
}

pub(super) async fn digest(
    pool: &SqlitePool,
    subscriber: SubscriberId,
    period: &str,
) -> Result<Option<Digest>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {DIGEST_COLUMNS} from digests d where d.subscriber_id = ?1 and d.period = ?2"
    )))
    .bind(subscriber)
    .bind(period)
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.as_ref().map(digest_from_row).transpose()
}

/// Rows a sender may take at `now`: waiting and due, or claimed by a sender whose claim
/// expired.
const CLAIMABLE: &str = "((o.state = 'pending' and o.next_attempt_at <= ?2) \
     or (o.state = 'sending' and o.claim_expires_at <= ?1))";

pub(super) async fn claim(
    tx: &mut Tx,
    owner: &str,
    now: OffsetDateTime,
    due_by: OffsetDateTime,
    lease: std::time::Duration,
    limit: u32,
) -> Result<Vec<OutboxItem>> {
    let now_text = time_text(now);
    let due_text = time_text(due_by);
    let until = time_text(now + lease);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "update outbox set state = 'suppressed', done_at = ?1, claimed_by = null, \
         claim_expires_at = null where id in (select o.id from outbox o \
         join subscribers s on s.id = o.subscriber_id \
         where {CLAIMABLE} and s.status != 'active')"
    )))
    .bind(&now_text)
    .bind(&due_text)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    let claimed: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "update outbox set state = 'sending', claimed_by = ?3, claim_expires_at = ?4 \
         where id in (select o.id from outbox o where {CLAIMABLE} \
         order by o.next_attempt_at, o.id limit ?5) returning id, attempts"
    )))
    .bind(&now_text)
    .bind(&due_text)
    .bind(owner)
    .bind(&until)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let attempts: HashMap<i64, i64> = claimed.iter().copied().collect();
    let ids: Vec<i64> = claimed.iter().map(|(id, _)| *id).collect();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select o.id as outbox_id, {DIGEST_COLUMNS}, {SUBSCRIBER_COLUMNS} from outbox o \
         join digests d on d.id = o.digest_id join subscribers s on s.id = o.subscriber_id \
         where o.id in (select value from json_each(?1)) \
         order by o.next_attempt_at, o.id"
    )))
    .bind(to_json(&ids))
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("outbox_id").map_err(db_error)?;
            let failures = attempts.get(&id).copied().unwrap_or_default();
            Ok(OutboxItem {
                id,
                attempts: u32::try_from(failures).unwrap_or(u32::MAX),
                digest: digest_from_row(row)?,
                subscriber: subscriber_from_row(row)?,
            })
        })
        .collect()
}

pub(super) async fn record(
    tx: &mut Tx,
    outbox: i64,
    owner: &str,
    outcome: &SendOutcome,
    bounce_limit: u32,
    now: OffsetDateTime,
) -> Result<bool> {
    let now = time_text(now);
    let (state, next, error, failed) = match outcome {
        SendOutcome::Sent => ("sent", None, None, false),
        SendOutcome::Suppressed => ("suppressed", None, None, false),
        SendOutcome::Retry { at, error } => ("pending", Some(time_text(*at)), Some(error), true),
        SendOutcome::Failed { error, .. } => ("failed", None, Some(error), true),
    };
    let subscriber: Option<i64> = sqlx::query_scalar(
        "update outbox set state = ?3, claimed_by = null, claim_expires_at = null, \
         next_attempt_at = coalesce(?4, next_attempt_at), last_error = coalesce(?5, last_error), \
         attempts = attempts + ?6, done_at = case when ?3 = 'pending' then null else ?7 end \
         where id = ?1 and claimed_by = ?2 and state = 'sending' returning subscriber_id",
    )
    .bind(outbox)
    .bind(owner)
    .bind(state)
    .bind(next)
    .bind(error)
    .bind(i64::from(failed))
    .bind(&now)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error)?;
    let Some(subscriber) = subscriber else {
        return Ok(false);
    };
    match outcome {
        SendOutcome::Sent => {
            sqlx::query("update subscribers set bounces = 0 where id = ?1 and bounces > 0")
                .bind(subscriber)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
        }
        SendOutcome::Failed {
            permanent: true, ..
        } => {
            sqlx::query(
                "update subscribers set bounces = bounces + 1, \
                 status = case when bounces + 1 >= ?2 and status = 'active' \
                 then 'bouncing' else status end, \
                 status_at = case when bounces + 1 >= ?2 and status = 'active' \
                 then ?3 else status_at end where id = ?1",
            )
            .bind(subscriber)
            .bind(i64::from(bounce_limit))
            .bind(&now)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        _ => {}
    }
    Ok(true)
}

pub(super) async fn counts(pool: &SqlitePool) -> Result<OutboxCounts> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("select state, count(*) from outbox group by state")
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
    let mut counts = OutboxCounts::default();
    for (state, n) in rows {
        let slot = match state.as_str() {
            "pending" => &mut counts.pending,
            "sending" => &mut counts.sending,
            "sent" => &mut counts.sent,
            "failed" => &mut counts.failed,
            "suppressed" => &mut counts.suppressed,
            other => return Err(corrupt("outbox state", other)),
        };
        *slot = count(n);
    }
    Ok(counts)
}
