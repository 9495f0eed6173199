//! Members, sessions, one-time tokens and rate-limit events.

use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use time::OffsetDateTime;

use super::{corrupt, optional_time, time_column, time_text};
use crate::community::{Credentials, NewUser, Role, TokenKind, User, UserId};
use crate::postgres::{Tx, count, db_error};
use crate::{Page, Result};

/// The columns a [`User`] is read from.
macro_rules! user_columns {
    () => {
        "id, email, display_name, role, email_verified_at, suspended_at, created_at"
    };
}

/// An address as stored and looked up: trimmed and lower-cased, so that `Ada@X.org `
/// and `ada@x.org` are one member.
fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn user_from_row(row: &PgRow) -> Result<User> {
    let id: UserId = row.try_get("id").map_err(db_error)?;
    let role: String = row.try_get("role").map_err(db_error)?;
    Ok(User {
        id,
        email: row.try_get("email").map_err(db_error)?,
        display_name: row.try_get("display_name").map_err(db_error)?,
        role: Role::parse(&role).ok_or_else(|| corrupt(format!("member {id}"), "unknown role"))?,
        email_verified_at: optional_time(row, "email_verified_at")?,
        suspended_at: optional_time(row, "suspended_at")?,
        created_at: time_column(row, "created_at")?,
    })
}

pub(super) async fn create_user(
    pool: &PgPool,
    user: &NewUser,
    now: OffsetDateTime,
) -> Result<User> {
    let now = time_text(now);
    let row = sqlx::query(concat!(
        "insert into users (email, display_name, password_hash, role, email_verified_at, created_at, updated_at) \
         values ($1, $2, $3, $4, case when $5 then $6 end, $6, $6) returning ",
        user_columns!()
    ))
    .bind(normalise_email(&user.email))
    .bind(&user.display_name)
    .bind(&user.password_hash)
    .bind(user.role.as_str())
    .bind(user.verified)
    .bind(now)
    .fetch_one(pool)
    .await
    .map_err(db_error)?;
    user_from_row(&row)
}

pub(super) async fn user(pool: &PgPool, id: UserId) -> Result<Option<User>> {
    let row = sqlx::query(concat!(
        "select ",
        user_columns!(),
        " from users where id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.as_ref().map(user_from_row).transpose()
}

pub(super) async fn credentials(pool: &PgPool, email: &str) -> Result<Option<Credentials>> {
    let row = sqlx::query(concat!(
        "select ",
        user_columns!(),
        ", password_hash from users where email = $1"
    ))
    .bind(normalise_email(email))
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.map(|row| {
        Ok(Credentials {
            user: user_from_row(&row)?,
            password_hash: row.try_get("password_hash").map_err(db_error)?,
        })
    })
    .transpose()
}

pub(super) async fn users(pool: &PgPool, page: Page) -> Result<Vec<User>> {
    let rows = sqlx::query(concat!(
        "select ",
        user_columns!(),
        " from users order by created_at desc, id desc limit $1 offset $2"
    ))
    .bind(i64::from(page.limit))
    .bind(i64::from(page.offset))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(user_from_row).collect()
}

pub(super) async fn count_users(pool: &PgPool) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(pool)
        .await
        .map_err(db_error)?;
    Ok(count(n))
}

pub(super) async fn set_role(
    pool: &PgPool,
    id: UserId,
    role: Role,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query("update users set role = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(role.as_str())
        .bind(time_text(now))
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of a member.
async fn end_sessions(tx: &mut Tx, id: UserId) -> Result<()> {
    sqlx::query("delete from sessions where user_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(super) async fn set_suspended(
    tx: &mut Tx,
    id: UserId,
    at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query("update users set suspended_at = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(at.map(time_text))
        .bind(time_text(now))
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    if at.is_some() {
        end_sessions(tx, id).await?;
    }
    Ok(done.rows_affected() > 0)
}

pub(super) async fn set_password(
    tx: &mut Tx,
    id: UserId,
    hash: &str,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query("update users set password_hash = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(hash)
        .bind(time_text(now))
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    end_sessions(tx, id).await
}

pub(super) async fn mark_verified(pool: &PgPool, id: UserId, now: OffsetDateTime) -> Result<()> {
    sqlx::query(
        "update users set email_verified_at = $2, updated_at = $2 \
         where id = $1 and email_verified_at is null",
    )
    .bind(id)
    .bind(time_text(now))
    .execute(pool)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub(super) async fn create_session(
    pool: &PgPool,
    token_hash: &str,
    user: UserId,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "insert into sessions (token_hash, user_id, created_at, expires_at) values ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user)
    .bind(time_text(now))
    .bind(time_text(expires_at))
    .execute(pool)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub(super) async fn session_user(
    pool: &PgPool,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<User>> {
    let row = sqlx::query(concat!(
        "select ",
        user_columns!(),
        " from users where id = (select user_id from sessions where token_hash = $1 and expires_at > $2) \
           and suspended_at is null"
    ))
    .bind(token_hash)
    .bind(time_text(now))
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.as_ref().map(user_from_row).transpose()
}

pub(super) async fn delete_session(pool: &PgPool, token_hash: &str) -> Result<()> {
    sqlx::query("delete from sessions where token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(super) async fn create_token(
    pool: &PgPool,
    kind: TokenKind,
    token_hash: &str,
    user: UserId,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "insert into user_tokens (token_hash, kind, user_id, created_at, expires_at) \
         values ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(user)
    .bind(time_text(now))
    .bind(time_text(expires_at))
    .execute(pool)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub(super) async fn take_token(
    pool: &PgPool,
    kind: TokenKind,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<UserId>> {
    // One statement, so two requests with the same link cannot both use it. A token of
    // another kind is left alone: it still works for what it was made for.
    let row = sqlx::query(
        "delete from user_tokens where token_hash = $1 and kind = $2 \
         returning user_id, expires_at > $3 as fresh",
    )
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(time_text(now))
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    let Some(row) = row else { return Ok(None) };
    let fresh: bool = row.try_get("fresh").map_err(db_error)?;
    Ok(if fresh {
        Some(row.try_get("user_id").map_err(db_error)?)
    } else {
        None
    })
}

pub(super) async fn record_event(
    tx: &mut Tx,
    kind: &str,
    key: &str,
    at: OffsetDateTime,
    forget_before: OffsetDateTime,
) -> Result<()> {
    sqlx::query("insert into rate_events (kind, key, at) values ($1, $2, $3)")
        .bind(kind)
        .bind(key)
        .bind(time_text(at))
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    // The table only ever holds one window of each kind, so this stays small.
    sqlx::query("delete from rate_events where kind = $1 and at < $2")
        .bind(kind)
        .bind(time_text(forget_before))
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(super) async fn count_events(
    pool: &PgPool,
    kind: &str,
    key: &str,
    since: OffsetDateTime,
) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(
        "select count(*) from rate_events where kind = $1 and key = $2 and at >= $3",
    )
    .bind(kind)
    .bind(key)
    .bind(time_text(since))
    .fetch_one(pool)
    .await
    .map_err(db_error)?;
    Ok(count(n))
}

pub(super) async fn clear_events(pool: &PgPool, kind: &str, key: &str) -> Result<()> {
    sqlx::query("delete from rate_events where kind = $1 and key = $2")
        .bind(kind)
        .bind(key)
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(())
}
