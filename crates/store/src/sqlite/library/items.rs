//! Saved papers, their notes and read marks, "not interested" marks, the dial and the
//! library version.

use std::collections::HashMap;

use paperstand_core::ArxivId;
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};
use time::OffsetDateTime;

use crate::library::{Feedback, LibraryFilter, SavedPaper};
use crate::sqlite::community::{arxiv_id, ids_json, optional_time, time_column, time_text};
use crate::sqlite::{Tx, count, db_error};
use crate::{Page, Result, UserId};

/// Moves a member's library version (creating their row on first use).
pub(super) async fn bump_version(tx: &mut Tx, user: UserId, now: OffsetDateTime) -> Result<()> {
    sqlx::query(
        "insert into library_prefs (user_id, version, updated_at) values (?1, 1, ?2) \
         on conflict (user_id) do update set version = library_prefs.version + 1, \
         updated_at = excluded.updated_at",
    )
    .bind(user)
    .bind(time_text(now))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub(super) async fn save(
    tx: &mut Tx,
    user: UserId,
    ids: &[ArxivId],
    now: OffsetDateTime,
) -> Result<u64> {
    let done = sqlx::query(
        "insert into library_items (user_id, arxiv_id, saved_at, updated_at) \
         select ?1, value, ?2, ?2 from json_each(?3) where true \
         on conflict (user_id, arxiv_id) do nothing",
    )
    .bind(user)
    .bind(time_text(now))
    .bind(ids_json(ids))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected())
}

pub(super) async fn unsave(tx: &mut Tx, user: UserId, ids: &[ArxivId]) -> Result<u64> {
    let done = sqlx::query(
        "delete from library_items where user_id = ?1 \
         and arxiv_id in (select value from json_each(?2))",
    )
    .bind(user)
    .bind(ids_json(ids))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected())
}

/// The filter's `where` terms over `library_items i` (parameters 2 to 4).
macro_rules! filter_terms {
    () => {
        "i.user_id = ?1 \
         and (?2 is null or exists (select 1 from library_item_tags it \
              where it.tag_id = ?2 and it.user_id = i.user_id and it.arxiv_id = i.arxiv_id)) \
         and (?3 is null or (?3 = 1 and i.read_at is not null) or (?3 = 0 and i.read_at is null)) \
         and (?4 is null or i.saved_at >= ?4)"
    };
}

fn item_from_row(row: &SqliteRow) -> Result<SavedPaper> {
    Ok(SavedPaper {
        arxiv_id: arxiv_id(row, "arxiv_id")?,
        saved_at: time_column(row, "saved_at")?,
        read_at: optional_time(row, "read_at")?,
        note: row.try_get("note").map_err(db_error)?,
        tags: Vec::new(),
    })
}

/// Fills in the tags of `items` (one query).
async fn with_tags(
    pool: &SqlitePool,
    user: UserId,
    mut items: Vec<SavedPaper>,
) -> Result<Vec<SavedPaper>> {
    if items.is_empty() {
        return Ok(items);
    }
    let ids: Vec<ArxivId> = items.iter().map(|i| i.arxiv_id.clone()).collect();
    let rows = sqlx::query(
        "select it.arxiv_id, t.name from library_item_tags it \
         join library_tags t on t.id = it.tag_id \
         where it.user_id = ?1 and it.arxiv_id in (select value from json_each(?2)) \
         order by t.name_key",
    )
    .bind(user)
    .bind(ids_json(&ids))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    let mut tags: HashMap<ArxivId, Vec<String>> = HashMap::new();
    for row in &rows {
        tags.entry(arxiv_id(row, "arxiv_id")?)
            .or_default()
            .push(row.try_get("name").map_err(db_error)?);
    }
    for item in &mut items {
        item.tags = tags.remove(&item.arxiv_id).unwrap_or_default();
    }
    Ok(items)
}

pub(super) async fn one(
    pool: &SqlitePool,
    user: UserId,
    id: &ArxivId,
) -> Result<Option<SavedPaper>> {
    let row = sqlx::query(
        "select arxiv_id, saved_at, read_at, note from library_items \
         where user_id = ?1 and arxiv_id = ?2",
    )
    .bind(user)
    .bind(id.base())
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    let Some(row) = row else { return Ok(None) };
    Ok(with_tags(pool, user, vec![item_from_row(&row)?])
        .await?
        .pop())
}

fn read_flag(filter: &LibraryFilter) -> Option<i64> {
    filter.read.map(i64::from)
}

pub(super) async fn list(
    pool: &SqlitePool,
    user: UserId,
    filter: &LibraryFilter,
    page: Page,
) -> Result<Vec<SavedPaper>> {
    let rows = sqlx::query(concat!(
        "select i.arxiv_id, i.saved_at, i.read_at, i.note from library_items i where ",
        filter_terms!(),
        " order by i.saved_at desc, i.arxiv_id limit ?5 offset ?6"
    ))
    .bind(user)
    .bind(filter.tag)
    .bind(read_flag(filter))
    .bind(filter.saved_since.map(time_text))
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    let items = rows.iter().map(item_from_row).collect::<Result<Vec<_>>>()?;
    with_tags(pool, user, items).await
}

pub(super) async fn count_matching(
    pool: &SqlitePool,
    user: UserId,
    filter: &LibraryFilter,
) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(concat!(
        "select count(*) from library_items i where ",
        filter_terms!()
    ))
    .bind(user)
    .bind(filter.tag)
    .bind(read_flag(filter))
    .bind(filter.saved_since.map(time_text))
    .fetch_one(pool)
    .await
    .map_err(db_error)?;
    Ok(count(n))
}

pub(super) async fn saved_among(
    pool: &SqlitePool,
    user: UserId,
    ids: &[ArxivId],
) -> Result<Vec<ArxivId>> {
    let rows = sqlx::query(
        "select arxiv_id from library_items where user_id = ?1 \
         and arxiv_id in (select value from json_each(?2)) order by arxiv_id",
    )
    .bind(user)
    .bind(ids_json(ids))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(|row| arxiv_id(row, "arxiv_id")).collect()
}

pub(super) async fn set_read(
    tx: &mut Tx,
    user: UserId,
    ids: &[ArxivId],
    read: bool,
    now: OffsetDateTime,
) -> Result<u64> {
    let now = time_text(now);
    // A paper read already keeps the time it was first marked.
    let done = sqlx::query(
        "update library_items set read_at = iif(?3, coalesce(read_at, ?4), null), updated_at = ?4 \
         where user_id = ?1 and arxiv_id in (select value from json_each(?2))",
    )
    .bind(user)
    .bind(ids_json(ids))
    .bind(read)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected())
}

pub(super) async fn set_note(
    tx: &mut Tx,
    user: UserId,
    id: &ArxivId,
    note: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query(
        "update library_items set note = ?3, updated_at = ?4 where user_id = ?1 and arxiv_id = ?2",
    )
    .bind(user)
    .bind(id.base())
    .bind(note)
    .bind(time_text(now))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn set_not_interested(
    tx: &mut Tx,
    user: UserId,
    id: &ArxivId,
    marked: bool,
    now: OffsetDateTime,
) -> Result<()> {
    let query = if marked {
        sqlx::query(
            "insert into not_interested (user_id, arxiv_id, created_at) values (?1, ?2, ?3) \
             on conflict (user_id, arxiv_id) do nothing",
        )
        .bind(user)
        .bind(id.base())
        .bind(time_text(now))
    } else {
        sqlx::query("delete from not_interested where user_id = ?1 and arxiv_id = ?2")
            .bind(user)
            .bind(id.base())
    };
    query.execute(&mut **tx).await.map_err(db_error)?;
    Ok(())
}

async fn ids_of(pool: &SqlitePool, sql: &'static str, user: UserId) -> Result<Vec<ArxivId>> {
    let rows = sqlx::query(sql)
        .bind(user)
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    rows.iter().map(|row| arxiv_id(row, "arxiv_id")).collect()
}

pub(super) async fn feedback(pool: &SqlitePool, user: UserId) -> Result<Feedback> {
    Ok(Feedback {
        saved: ids_of(
            pool,
            "select arxiv_id from library_items where user_id = ?1 \
             order by saved_at desc, arxiv_id",
            user,
        )
        .await?,
        upvoted: ids_of(
            pool,
            "select v.arxiv_id from votes v where v.user_id = ?1 and not exists \
             (select 1 from library_items i where i.user_id = v.user_id and i.arxiv_id = v.arxiv_id) \
             order by v.created_at desc, v.arxiv_id",
            user,
        )
        .await?,
        not_interested: ids_of(
            pool,
            "select arxiv_id from not_interested where user_id = ?1 order by created_at desc, arxiv_id",
            user,
        )
        .await?,
    })
}

pub(super) async fn version(pool: &SqlitePool, user: UserId) -> Result<i64> {
    let version: Option<i64> =
        sqlx::query_scalar("select version from library_prefs where user_id = ?1")
            .bind(user)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
    Ok(version.unwrap_or(0))
}

pub(super) async fn dial(pool: &SqlitePool, user: UserId) -> Result<Option<f64>> {
    let dial: Option<Option<f64>> =
        sqlx::query_scalar("select dial from library_prefs where user_id = ?1")
            .bind(user)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
    Ok(dial.flatten())
}

pub(super) async fn set_dial(
    pool: &SqlitePool,
    user: UserId,
    dial: f64,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "insert into library_prefs (user_id, version, dial, updated_at) values (?1, 0, ?2, ?3) \
         on conflict (user_id) do update set dial = excluded.dial, updated_at = excluded.updated_at",
    )
    .bind(user)
    .bind(dial)
    .bind(time_text(now))
    .execute(pool)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// Deletes a member's personal rows from every library table; returns how many.
pub(crate) async fn delete_all(tx: &mut Tx, user: UserId) -> Result<u64> {
    let mut gone = 0;
    for sql in [
        "delete from library_item_tags where user_id = ?1",
        "delete from library_tags where user_id = ?1",
        "delete from library_items where user_id = ?1",
        "delete from not_interested where user_id = ?1",
        "delete from topics where user_id = ?1",
        "delete from library_prefs where user_id = ?1",
    ] {
        gone += sqlx::query(sql)
            .bind(user)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?
            .rows_affected();
    }
    Ok(gone)
}
