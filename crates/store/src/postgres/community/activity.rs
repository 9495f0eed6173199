//! Upvotes, comments and their reports.

use std::collections::HashMap;

use paperstand_core::ArxivId;
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use time::OffsetDateTime;

use super::{
    arxiv_id, bump_community, corrupt, count_column, id_list, optional_time, time_column, time_text,
};
use crate::community::{Comment, Counts, ReportedComment, UserId};
use crate::postgres::{Tx, count, db_error};
use crate::{Page, Result};

/// The columns a [`Comment`] is read from (`comments c` joined with `users u`).
macro_rules! comment_columns {
    () => {
        "c.id, c.arxiv_id, c.user_id, coalesce(u.display_name, '') as author, c.body, c.created_at, \
         c.edited_at, c.removed_at"
    };
}

fn comment_from_row(row: &PgRow) -> Result<Comment> {
    Ok(Comment {
        id: row.try_get("id").map_err(db_error)?,
        arxiv_id: arxiv_id(row, "arxiv_id")?,
        user_id: row.try_get("user_id").map_err(db_error)?,
        author: row.try_get("author").map_err(db_error)?,
        body: row.try_get("body").map_err(db_error)?,
        created_at: time_column(row, "created_at")?,
        edited_at: optional_time(row, "edited_at")?,
        removed_at: optional_time(row, "removed_at")?,
    })
}

pub(super) async fn set_vote(
    tx: &mut Tx,
    user: UserId,
    id: &ArxivId,
    up: bool,
    now: OffsetDateTime,
) -> Result<u64> {
    let done = if up {
        sqlx::query(
            "insert into votes (user_id, arxiv_id, created_at) values ($1, $2, $3) \
             on conflict (user_id, arxiv_id) do nothing",
        )
        .bind(user)
        .bind(id.base())
        .bind(time_text(now))
        .execute(&mut **tx)
        .await
    } else {
        sqlx::query("delete from votes where user_id = $1 and arxiv_id = $2")
            .bind(user)
            .bind(id.base())
            .execute(&mut **tx)
            .await
    }
    .map_err(db_error)?;
    if done.rows_affected() > 0 {
        bump_community(tx).await?;
    }
    let n: i64 = sqlx::query_scalar("select count(*) from votes where arxiv_id = $1")
        .bind(id.base())
        .fetch_one(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(count(n))
}

pub(super) async fn voted(pool: &PgPool, user: UserId, ids: &[ArxivId]) -> Result<Vec<ArxivId>> {
    let rows = sqlx::query(
        "select arxiv_id from votes where user_id = $1 \
         and arxiv_id = any($2) order by arxiv_id",
    )
    .bind(user)
    .bind(id_list(ids))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(|row| arxiv_id(row, "arxiv_id")).collect()
}

pub(super) async fn add_comment(
    tx: &mut Tx,
    user: UserId,
    id: &ArxivId,
    body: &str,
    now: OffsetDateTime,
) -> Result<Comment> {
    let comment: i64 = sqlx::query_scalar(
        "insert into comments (arxiv_id, user_id, body, created_at) values ($1, $2, $3, $4) returning id",
    )
    .bind(id.base())
    .bind(user)
    .bind(body)
    .bind(time_text(now))
    .fetch_one(&mut **tx)
    .await
    .map_err(db_error)?;
    bump_community(tx).await?;
    let row = sqlx::query(concat!(
        "select ",
        comment_columns!(),
        " from comments c left join users u on u.id = c.user_id where c.id = $1"
    ))
    .bind(comment)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_error)?;
    comment_from_row(&row)
}

pub(super) async fn comment(pool: &PgPool, comment: i64) -> Result<Option<Comment>> {
    let row = sqlx::query(concat!(
        "select ",
        comment_columns!(),
        " from comments c left join users u on u.id = c.user_id where c.id = $1"
    ))
    .bind(comment)
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.as_ref().map(comment_from_row).transpose()
}

pub(super) async fn comments(pool: &PgPool, id: &ArxivId) -> Result<Vec<Comment>> {
    let rows = sqlx::query(concat!(
        "select ",
        comment_columns!(),
        " from comments c left join users u on u.id = c.user_id where c.arxiv_id = $1 \
         order by c.created_at, c.id"
    ))
    .bind(id.base())
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(comment_from_row).collect()
}

pub(super) async fn edit_comment(
    tx: &mut Tx,
    comment: i64,
    user: UserId,
    body: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query(
        "update comments set body = $3, edited_at = $4 \
         where id = $1 and user_id = $2 and removed_at is null",
    )
    .bind(comment)
    .bind(user)
    .bind(body)
    .bind(time_text(now))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    let edited = done.rows_affected() > 0;
    if edited {
        bump_community(tx).await?;
    }
    Ok(edited)
}

pub(super) async fn remove_comment(
    tx: &mut Tx,
    comment: i64,
    by: UserId,
    now: OffsetDateTime,
) -> Result<bool> {
    let now = time_text(now);
    let done = sqlx::query(
        "update comments set body = '', removed_at = $3, removed_by = $2 \
         where id = $1 and removed_at is null",
    )
    .bind(comment)
    .bind(by)
    .bind(&now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    resolve_reports(&mut **tx, comment, &now).await?;
    bump_community(tx).await?;
    Ok(true)
}

/// Closes a comment's open reports at `now` (stored text).
async fn resolve_reports<'e>(db: impl sqlx::PgExecutor<'e>, comment: i64, now: &str) -> Result<()> {
    sqlx::query(
        "update comment_reports set resolved_at = $2 where comment_id = $1 and resolved_at is null",
    )
    .bind(comment)
    .bind(now)
    .execute(db)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub(super) async fn report_comment(
    pool: &PgPool,
    comment: i64,
    user: UserId,
    reason: &str,
    now: OffsetDateTime,
) -> Result<()> {
    // A removed (or unknown) comment has nothing left to report. A dismissed report
    // stays dismissed: reporting again only rewords it.
    sqlx::query(
        "insert into comment_reports (comment_id, user_id, reason, created_at) \
         select id, $2, $3, $4 from comments where id = $1 and removed_at is null \
         on conflict (comment_id, user_id) do update set reason = excluded.reason",
    )
    .bind(comment)
    .bind(user)
    .bind(reason)
    .bind(time_text(now))
    .execute(pool)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub(super) async fn reported_comments(pool: &PgPool, page: Page) -> Result<Vec<ReportedComment>> {
    let rows = sqlx::query(concat!(
        "select ",
        comment_columns!(),
        ", r.reports, r.reasons from \
           (select comment_id, count(*) as reports, max(created_at) as latest, \
                   json_agg(reason order by created_at desc)::text as reasons \
            from comment_reports where resolved_at is null group by comment_id) r \
         join comments c on c.id = r.comment_id left join users u on u.id = c.user_id \
         order by r.reports desc, r.latest desc, c.id limit $1 offset $2"
    ))
    .bind(i64::from(page.limit))
    .bind(i64::from(page.offset))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let comment = comment_from_row(row)?;
            let reasons: String = row.try_get("reasons").map_err(db_error)?;
            let reasons = serde_json::from_str(&reasons)
                .map_err(|e| corrupt(format!("reports of comment {}", comment.id), e))?;
            let reports = u32::try_from(count_column(row, "reports")?).unwrap_or(u32::MAX);
            Ok(ReportedComment {
                comment,
                reports,
                reasons,
            })
        })
        .collect()
}

pub(super) async fn dismiss_reports(
    pool: &PgPool,
    comment: i64,
    now: OffsetDateTime,
) -> Result<()> {
    resolve_reports(pool, comment, &time_text(now)).await
}

pub(super) async fn counts(pool: &PgPool, ids: &[ArxivId]) -> Result<HashMap<ArxivId, Counts>> {
    let rows = sqlx::query(
        "select arxiv_id, sum(upvotes)::bigint as upvotes, sum(comments)::bigint as comments from ( \
           select arxiv_id, count(*) as upvotes, 0 as comments from votes \
           where arxiv_id = any($1) group by arxiv_id \
           union all \
           select arxiv_id, 0, count(*) from comments \
           where arxiv_id = any($1) and removed_at is null group by arxiv_id \
         ) as t group by arxiv_id",
    )
    .bind(id_list(ids))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let counts = Counts {
                upvotes: count_column(row, "upvotes")?,
                comments: count_column(row, "comments")?,
            };
            Ok((arxiv_id(row, "arxiv_id")?, counts))
        })
        .collect()
}
