//! Papers as rows: the JSON a batch is written from, reading rows back into papers,
//! and the bulk upsert with its change sequence numbers.

use std::collections::HashMap;
use std::str::FromStr;

use paperstand_core::record::{format_date, parse_date};
use paperstand_core::{ArxivId, CodeLink, Paper, Version};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::postgres::PgRow;
use time::Date;

use super::{Tx, db_error, now_text};
use crate::upsert::StoredState;
use crate::{Result, StoreError};

/// One paper as the bulk upsert statement reads it from a JSON array.
#[derive(Serialize)]
pub(super) struct PaperRow<'a> {
    arxiv_id: &'a str,
    title: &'a str,
    abstract_text: &'a str,
    authors: String,
    categories: String,
    primary_category: Option<&'a str>,
    classes: String,
    comment: Option<&'a str>,
    journal_ref: Option<&'a str>,
    doi: Option<&'a str>,
    versions: String,
    submitted_on: Option<String>,
    listed_on: String,
    last_listed_on: Option<String>,
    times_listed: Option<u32>,
    code_links: String,
    withdrawn: bool,
    pub(super) freshness: String,
    content_hash: &'a str,
    change_seq: i64,
}

#[derive(Serialize, Deserialize)]
pub(super) struct StoredVersion {
    version: u32,
    date: String,
}

pub(super) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising strings, numbers and plain structs cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

pub(super) fn paper_row<'a>(paper: &'a Paper, hash: &'a str, change_seq: i64) -> PaperRow<'a> {
    let versions: Vec<StoredVersion> = paper
        .versions
        .iter()
        .map(|v| StoredVersion {
            version: v.version,
            date: format_date(v.date),
        })
        .collect();
    PaperRow {
        arxiv_id: paper.id.base(),
        title: &paper.title,
        abstract_text: &paper.abstract_text,
        authors: to_json(&paper.authors),
        categories: to_json(&paper.categories),
        primary_category: paper.primary_category(),
        classes: to_json(&paper.classes),
        comment: paper.comment.as_deref(),
        journal_ref: paper.journal_ref.as_deref(),
        doi: paper.doi.as_deref(),
        versions: to_json(&versions),
        submitted_on: paper.submitted_on.map(format_date),
        listed_on: format_date(paper.listed_on),
        last_listed_on: paper.last_listed_on.map(format_date),
        times_listed: paper.times_listed,
        code_links: to_json(&paper.links),
        withdrawn: paper.withdrawn,
        freshness: format_date(paper.freshness()),
        content_hash: hash,
        change_seq,
    }
}

pub(super) fn corrupt(id: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what: format!("paper {id}"),
        detail: detail.to_string(),
    }
}

pub(super) fn json_column<T: for<'de> Deserialize<'de>>(
    row: &PgRow,
    id: &str,
    column: &str,
) -> Result<T> {
    let text: String = row.try_get(column).map_err(db_error)?;
    serde_json::from_str(&text).map_err(|e| corrupt(id, format!("{column}: {e}")))
}

pub(super) fn date_column(row: &PgRow, id: &str, column: &str) -> Result<Option<Date>> {
    let text: Option<String> = row.try_get(column).map_err(db_error)?;
    text.map(|t| {
        parse_date(&t).ok_or_else(|| corrupt(id, format!("{column}: {t:?} is not a date")))
    })
    .transpose()
}

pub(super) fn paper_from_row(row: &PgRow) -> Result<Paper> {
    let id_text: String = row.try_get("arxiv_id").map_err(db_error)?;
    let id = ArxivId::from_str(&id_text).map_err(|e| corrupt(&id_text, e))?;
    let versions: Vec<StoredVersion> = json_column(row, &id_text, "versions")?;
    let versions = versions
        .into_iter()
        .map(|v| {
            let date = parse_date(&v.date).ok_or_else(|| corrupt(&id_text, "version date"))?;
            Ok(Version {
                version: v.version,
                date,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let times_listed: Option<i64> = row.try_get("times_listed").map_err(db_error)?;
    Ok(Paper {
        title: row.try_get("title").map_err(db_error)?,
        abstract_text: row.try_get("abstract").map_err(db_error)?,
        authors: json_column(row, &id_text, "authors")?,
        categories: json_column(row, &id_text, "categories")?,
        classes: json_column(row, &id_text, "classes")?,
        comment: row.try_get("comment").map_err(db_error)?,
        journal_ref: row.try_get("journal_ref").map_err(db_error)?,
        doi: row.try_get("doi").map_err(db_error)?,
        versions,
        submitted_on: date_column(row, &id_text, "submitted_on")?,
        listed_on: date_column(row, &id_text, "listed_on")?
            .ok_or_else(|| corrupt(&id_text, "no listing date"))?,
        last_listed_on: date_column(row, &id_text, "last_listed_on")?,
        times_listed: times_listed.and_then(|n| u32::try_from(n).ok()),
        links: json_column::<Vec<CodeLink>>(row, &id_text, "code_links")?,
        withdrawn: row.try_get("withdrawn").map_err(db_error)?,
        id,
    })
}

pub(super) fn papers_from_rows(rows: &[PgRow]) -> Result<Vec<Paper>> {
    rows.iter().map(paper_from_row).collect()
}

/// The stored fingerprint and freshness of the papers of a batch that exist.
pub(super) async fn read_stored(
    tx: &mut Tx,
    papers: &[Paper],
) -> Result<HashMap<String, StoredState>> {
    let ids: Vec<String> = papers.iter().map(|p| p.id.base().to_owned()).collect();
    let rows = sqlx::query(
        "select arxiv_id, content_hash, freshness from papers \
         where arxiv_id = any($1)",
    )
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    let mut stored = HashMap::with_capacity(rows.len());
    for row in rows {
        let state = StoredState {
            hash: row.try_get(1).map_err(db_error)?,
            freshness: row.try_get(2).map_err(db_error)?,
        };
        stored.insert(row.try_get::<String, _>(0).map_err(db_error)?, state);
    }
    Ok(stored)
}

/// Takes `count` numbers of the papers' change sequence; returns the first.
pub(super) async fn reserve_seqs(tx: &mut Tx, count: usize) -> Result<i64> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let last: i64 = sqlx::query_scalar(
        "update counters set value = value + $1 where name = 'papers' returning value",
    )
    .bind(count)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(last - count + 1)
}

/// Writes new and changed papers in one statement, each with the next change sequence.
pub(super) async fn write_papers(tx: &mut Tx, changed: &[(&Paper, &String)]) -> Result<()> {
    let first = reserve_seqs(tx, changed.len()).await?;
    let rows: Vec<PaperRow<'_>> = changed
        .iter()
        .zip(first..)
        .map(|((paper, hash), seq)| paper_row(paper, hash, seq))
        .collect();
    write_rows(tx, &rows).await
}

/// Writes rows made by `paper_row` (with change sequences already reserved).
pub(super) async fn write_rows(tx: &mut Tx, rows: &[PaperRow<'_>]) -> Result<()> {
    sqlx::query(UPSERT_FROM_JSON)
        .bind(to_json(rows))
        .bind(now_text())
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// The bulk upsert: one JSON array of rows, unpacked by `jsonb_array_elements`.
/// A paper a curator hid before it arrived arrives hidden; a paper a member submitted
/// keeps the listing date its submission gave it, whatever later records say.
pub(super) const UPSERT_FROM_JSON: &str = "\
    insert into papers (arxiv_id, title, abstract, authors, categories, primary_category, classes, comment, \
        journal_ref, doi, versions, submitted_on, listed_on, last_listed_on, times_listed, code_links, \
        withdrawn, freshness, content_hash, change_seq, hidden, created_at, updated_at) \
    select value ->> 'arxiv_id', value ->> 'title', value ->> 'abstract_text', value ->> 'authors', \
        value ->> 'categories', value ->> 'primary_category', value ->> 'classes', value ->> 'comment', value ->> 'journal_ref', \
        value ->> 'doi', value ->> 'versions', value ->> 'submitted_on', value ->> 'listed_on', \
        value ->> 'last_listed_on', (value ->> 'times_listed')::bigint, value ->> 'code_links', \
        (value ->> 'withdrawn')::boolean, value ->> 'freshness', \
        value ->> 'content_hash', (value ->> 'change_seq')::bigint, \
        exists (select 1 from curation c where c.arxiv_id = value ->> 'arxiv_id' and c.hidden_at is not null), \
        $2, $2 \
    from jsonb_array_elements($1::jsonb) as value where true \
    on conflict (arxiv_id) do update set title = excluded.title, abstract = excluded.abstract, \
        authors = excluded.authors, categories = excluded.categories, \
        primary_category = excluded.primary_category, classes = excluded.classes, comment = excluded.comment, \
        journal_ref = excluded.journal_ref, doi = excluded.doi, versions = excluded.versions, \
        submitted_on = excluded.submitted_on, \
        listed_on = case when exists (select 1 from submissions s where s.arxiv_id = papers.arxiv_id) \
            then papers.listed_on else excluded.listed_on end, \
        last_listed_on = excluded.last_listed_on, times_listed = excluded.times_listed, \
        code_links = excluded.code_links, withdrawn = excluded.withdrawn, freshness = excluded.freshness, \
        content_hash = excluded.content_hash, change_seq = excluded.change_seq, \
        updated_at = excluded.updated_at";
