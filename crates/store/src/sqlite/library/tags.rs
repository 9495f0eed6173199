//! Tags of saved papers, and topics (saved searches).

use paperstand_core::ArxivId;
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};
use time::OffsetDateTime;

use crate::library::{NewTopic, Tag, Topic};
use crate::sqlite::community::{ids_json, time_column, time_text};
use crate::sqlite::{Tx, count, db_error};
use crate::{Result, UserId};

/// A tag name as compared: one member's names are unique in any case.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// The columns a [`Tag`] is read from (`library_tags t`).
macro_rules! tag_columns {
    () => {
        "t.id, t.user_id, t.name, t.public, \
         (select count(*) from library_item_tags it where it.tag_id = t.id) as papers"
    };
}

fn tag_from_row(row: &SqliteRow) -> Result<Tag> {
    let papers: i64 = row.try_get("papers").map_err(db_error)?;
    Ok(Tag {
        id: row.try_get("id").map_err(db_error)?,
        user_id: row.try_get("user_id").map_err(db_error)?,
        name: row.try_get("name").map_err(db_error)?,
        public: row.try_get("public").map_err(db_error)?,
        papers: count(papers),
    })
}

/// Puts the tag `name` on `ids` (already saved by the caller), creating it if needed.
pub(super) async fn tag(
    tx: &mut Tx,
    user: UserId,
    ids: &[ArxivId],
    name: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    let now = time_text(now);
    sqlx::query(
        "insert into library_tags (user_id, name, name_key, created_at, updated_at) \
         values (?1, ?2, ?3, ?4, ?4) on conflict (user_id, name_key) do nothing",
    )
    .bind(user)
    .bind(name)
    .bind(name_key(name))
    .bind(&now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    let tag: i64 =
        sqlx::query_scalar("select id from library_tags where user_id = ?1 and name_key = ?2")
            .bind(user)
            .bind(name_key(name))
            .fetch_one(&mut **tx)
            .await
            .map_err(db_error)?;
    sqlx::query(
        "insert into library_item_tags (tag_id, user_id, arxiv_id) \
         select ?1, ?2, value from json_each(?3) where true \
         on conflict (tag_id, arxiv_id) do nothing",
    )
    .bind(tag)
    .bind(user)
    .bind(ids_json(ids))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(tag)
}

pub(super) async fn untag(tx: &mut Tx, user: UserId, tag: i64, ids: &[ArxivId]) -> Result<u64> {
    let done = sqlx::query(
        "delete from library_item_tags where tag_id = ?1 and user_id = ?2 \
         and arxiv_id in (select value from json_each(?3))",
    )
    .bind(tag)
    .bind(user)
    .bind(ids_json(ids))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected())
}

pub(super) async fn of_user(pool: &SqlitePool, user: UserId) -> Result<Vec<Tag>> {
    let rows = sqlx::query(concat!(
        "select ",
        tag_columns!(),
        " from library_tags t where t.user_id = ?1 order by t.name_key"
    ))
    .bind(user)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(tag_from_row).collect()
}

pub(super) async fn one(pool: &SqlitePool, tag: i64) -> Result<Option<Tag>> {
    let row = sqlx::query(concat!(
        "select ",
        tag_columns!(),
        " from library_tags t where t.id = ?1"
    ))
    .bind(tag)
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.as_ref().map(tag_from_row).transpose()
}

pub(super) async fn rename(
    tx: &mut Tx,
    user: UserId,
    tag: i64,
    name: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query(
        "update library_tags set name = ?3, name_key = ?4, updated_at = ?5 \
         where id = ?1 and user_id = ?2",
    )
    .bind(tag)
    .bind(user)
    .bind(name)
    .bind(name_key(name))
    .bind(time_text(now))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn delete(tx: &mut Tx, user: UserId, tag: i64) -> Result<bool> {
    let done = sqlx::query("delete from library_tags where id = ?1 and user_id = ?2")
        .bind(tag)
        .bind(user)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn set_public(
    tx: &mut Tx,
    user: UserId,
    tag: i64,
    public: bool,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query(
        "update library_tags set public = ?3, updated_at = ?4 where id = ?1 and user_id = ?2",
    )
    .bind(tag)
    .bind(user)
    .bind(public)
    .bind(time_text(now))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}

/// The columns a [`Topic`] is read from.
macro_rules! topic_columns {
    () => {
        "id, user_id, name, query, mode, category, created_at, seen_at"
    };
}

fn topic_from_row(row: &SqliteRow) -> Result<Topic> {
    Ok(Topic {
        id: row.try_get("id").map_err(db_error)?,
        user_id: row.try_get("user_id").map_err(db_error)?,
        name: row.try_get("name").map_err(db_error)?,
        query: row.try_get("query").map_err(db_error)?,
        mode: row.try_get("mode").map_err(db_error)?,
        category: row.try_get("category").map_err(db_error)?,
        created_at: time_column(row, "created_at")?,
        seen_at: time_column(row, "seen_at")?,
    })
}

pub(super) async fn create_topic(
    pool: &SqlitePool,
    user: UserId,
    topic: &NewTopic,
    now: OffsetDateTime,
) -> Result<Topic> {
    let row = sqlx::query(concat!(
        "insert into topics (user_id, name, query, mode, category, created_at, updated_at, seen_at) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6) returning ",
        topic_columns!()
    ))
    .bind(user)
    .bind(&topic.name)
    .bind(&topic.query)
    .bind(&topic.mode)
    .bind(&topic.category)
    .bind(time_text(now))
    .fetch_one(pool)
    .await
    .map_err(db_error)?;
    topic_from_row(&row)
}

pub(super) async fn topics(pool: &SqlitePool, user: UserId) -> Result<Vec<Topic>> {
    let rows = sqlx::query(concat!(
        "select ",
        topic_columns!(),
        " from topics where user_id = ?1 order by lower(name), id"
    ))
    .bind(user)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(topic_from_row).collect()
}

pub(super) async fn topic(pool: &SqlitePool, topic: i64) -> Result<Option<Topic>> {
    let row = sqlx::query(concat!(
        "select ",
        topic_columns!(),
        " from topics where id = ?1"
    ))
    .bind(topic)
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.as_ref().map(topic_from_row).transpose()
}

pub(super) async fn topic_seen(
    pool: &SqlitePool,
    user: UserId,
    topic: i64,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query(
        "update topics set seen_at = ?3, updated_at = ?3 where id = ?1 and user_id = ?2",
    )
    .bind(topic)
    .bind(user)
    .bind(time_text(now))
    .execute(pool)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn delete_topic(pool: &SqlitePool, user: UserId, topic: i64) -> Result<bool> {
    let done = sqlx::query("delete from topics where id = ?1 and user_id = ?2")
        .bind(topic)
        .bind(user)
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}
