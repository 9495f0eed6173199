//! Account deletion: a member and everything personal, in one transaction (see
//! [`crate::Community::delete_user`] and docs/decisions.md for what stays).

use time::OffsetDateTime;

use super::{bump_community, time_text};
use crate::Result;
use crate::community::{Deletion, UserId};
use crate::sqlite::{Tx, db_error, to_json};

/// Runs one statement bound to the member's id; how many rows it touched.
async fn by_member(tx: &mut Tx, sql: &'static str, id: UserId) -> Result<u64> {
    let done = sqlx::query(sql)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected())
}

/// Runs one statement bound to the member's id and the deletion time.
async fn by_member_at(tx: &mut Tx, sql: &'static str, id: UserId, now: &str) -> Result<u64> {
    let done = sqlx::query(sql)
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected())
}

pub(super) async fn delete_user(
    tx: &mut Tx,
    id: UserId,
    event_keys: &[String],
    now: OffsetDateTime,
) -> Result<Option<Deletion>> {
    let email: Option<String> = sqlx::query_scalar("select email from users where id = ?1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_error)?;
    let Some(email) = email else {
        return Ok(None);
    };
    let now = time_text(now);
    let sessions = by_member(tx, "delete from sessions where user_id = ?1", id).await?;
    by_member(tx, "delete from user_tokens where user_id = ?1", id).await?;
    let votes = by_member(tx, "delete from votes where user_id = ?1", id).await?;
    // Reports on their comments are settled: nothing is left to judge. Their own
    // reports (with the reasons they wrote) go.
    by_member_at(
        tx,
        "update comment_reports set resolved_at = ?2 where resolved_at is null \
         and comment_id in (select id from comments where user_id = ?1)",
        id,
        &now,
    )
    .await?;
    by_member(tx, "delete from comment_reports where user_id = ?1", id).await?;
    // A comment keeps its place, without author or body; one a curator removed earlier
    // keeps its remover.
    let comments = by_member_at(
        tx,
        "update comments set user_id = null, body = '', removed_at = coalesce(removed_at, ?2), \
         removed_by = iif(removed_at is null, null, removed_by) where user_id = ?1",
        id,
        &now,
    )
    .await?;
    by_member(
        tx,
        "update comments set removed_by = null where removed_by = ?1",
        id,
    )
    .await?;
    let submissions = by_member(
        tx,
        "update submissions set user_id = null where user_id = ?1",
        id,
    )
    .await?;
    by_member(
        tx,
        "update curation set hidden_by = null where hidden_by = ?1",
        id,
    )
    .await?;
    by_member(
        tx,
        "update curation set featured_by = null where featured_by = ?1",
        id,
    )
    .await?;
    // Digests, confirmation tokens and the outbox go with their subscriber (cascade).
    let subscriptions = sqlx::query("delete from subscribers where user_id = ?1 or email_key = ?2")
        .bind(id)
        .bind(&email)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?
        .rows_affected();
    let library = crate::sqlite::library::items::delete_all(tx, id).await?;
    sqlx::query("delete from rate_events where key in (select value from json_each(?1))")
        .bind(to_json(event_keys))
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    by_member(tx, "delete from users where id = ?1", id).await?;
    bump_community(tx).await?;
    Ok(Some(Deletion {
        votes,
        comments,
        submissions,
        library,
        subscriptions,
        sessions,
    }))
}
