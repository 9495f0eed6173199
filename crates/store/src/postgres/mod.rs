//! The PostgreSQL backend: a shared database for one or several nodes, migrations from
//! `migrations/postgres`. Every PostgreSQL-specific statement of Paperstand is in this
//! module; each function mirrors its SQLite twin in `crate::sqlite` (same names, same
//! behaviour), and the contract tests run against both.
//!
//! The papers' change sequence is a counter row (`counters.papers`) updated inside the
//! writing transaction. Its row lock is held until commit, so writers that take numbers
//! commit in number order: a follower that read up to `n` can never later find a row
//! committed with a number below `n`. Paper writers take that lock first thing
//! (`begin_papers`), which also makes the read-then-write upsert as race-free as
//! SQLite's `begin immediate`.

use std::time::Duration;

use async_trait::async_trait;
use paperstand_core::external::{ExternalLink, Signal};
use paperstand_core::record::{format_date, parse_date};
use paperstand_core::{ArxivId, Paper};
use sqlx::Row;
use sqlx::postgres::PgPool;
use time::{Date, OffsetDateTime};

use crate::upsert;
use crate::{
    AdjacentDates, ChangedPaper, EmbeddingTask, NewEmbedding, Page, Result, Store, StoreError,
    StoredEmbedding, UpsertOutcome,
};

mod inspect;
mod links;
mod open;
mod rows;

use rows::{
    corrupt, paper_from_row, paper_row, papers_from_rows, read_stored, reserve_seqs, to_json,
    write_papers, write_rows,
};

pub use open::redact_url;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Connections in each node's pool.
const MAX_CONNECTIONS: u32 = 16;
/// How long a query waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The columns a [`Paper`] is read from, in the order `paper_from_row` expects.
macro_rules! paper_columns {
    () => {
        "arxiv_id, title, abstract, authors, categories, classes, comment, journal_ref, doi, versions, \
         submitted_on, listed_on, last_listed_on, times_listed, code_links, withdrawn"
    };
}

mod community;
mod digests;
mod embeddings;
mod library;

/// Paperstand's store in a PostgreSQL database (or one schema of it).
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pub(crate) pool: PgPool,
}

impl PostgresStore {
    /// A transaction that writes papers: it first locks the papers' change sequence,
    /// so paper writers run one at a time and commit in sequence order (module docs).
    async fn begin_papers(&self) -> Result<Tx> {
        let mut tx = self.begin_write().await?;
        sqlx::query("select value from counters where name = 'papers' for update")
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        Ok(tx)
    }

    /// A plain read-committed transaction.
    async fn begin_write(&self) -> Result<Tx> {
        self.pool.begin().await.map_err(db_error)
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn db_error(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error
        && let Some(constraint) = db.constraint()
    {
        return StoreError::Conflict {
            constraint: constraint.to_owned(),
        };
    }
    StoreError::Other(error.to_string())
}

fn now_text() -> String {
    let now = OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Version-less ids as a text array, for `= any($n)`.
fn id_list(ids: &[ArxivId]) -> Vec<String> {
    ids.iter().map(|id| id.base().to_owned()).collect()
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

#[async_trait]
impl Store for PostgresStore {
    async fn upsert_papers(&self, papers: &[Paper]) -> Result<Vec<UpsertOutcome>> {
        if papers.is_empty() {
            return Ok(Vec::new());
        }
        let hashes = upsert::fingerprints(papers)?;
        // The sequence lock first, so the read below cannot go stale.
        let mut tx = self.begin_papers().await?;
        let stored = read_stored(&mut tx, papers).await?;
        let outcomes = upsert::plan(papers, &hashes, &stored);
        let changed: Vec<(&Paper, &String)> = papers
            .iter()
            .zip(&hashes)
            .zip(&outcomes)
            .filter(|(_, outcome)| upsert::writes(**outcome))
            .map(|(pair, _)| pair)
            .collect();
        if !changed.is_empty() {
            write_papers(&mut tx, &changed).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(outcomes)
    }

    async fn paper(&self, id: &ArxivId) -> Result<Option<Paper>> {
        let row = sqlx::query(concat!(
            "select ",
            paper_columns!(),
            " from papers where arxiv_id = $1"
        ))
        .bind(id.base())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        row.as_ref().map(paper_from_row).transpose()
    }

    async fn papers_by_ids(&self, ids: &[ArxivId]) -> Result<Vec<Paper>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = id_list(ids);
        let rows = sqlx::query(concat!(
            "select ",
            paper_columns!(),
            " from papers where arxiv_id = any($1)"
        ))
        .bind(&ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        papers_from_rows(&rows)
    }

    async fn papers_listed_on(&self, day: Date, page: Page) -> Result<Vec<Paper>> {
        let rows = sqlx::query(concat!(
            "select ",
            paper_columns!(),
            " from papers where listed_on = $1 and not hidden order by arxiv_id limit $2 offset $3"
        ))
        .bind(format_date(day))
        .bind(i64::from(page.limit))
        .bind(i64::from(page.offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        papers_from_rows(&rows)
    }

    async fn papers_listed_between(
        &self,
        first: Date,
        last: Date,
        page: Page,
    ) -> Result<Vec<Paper>> {
        let rows = sqlx::query(concat!(
            "select ",
            paper_columns!(),
            " from papers where listed_on between $1 and $2 and not hidden \
              order by listed_on desc, arxiv_id limit $3 offset $4"
        ))
        .bind(format_date(first))
        .bind(format_date(last))
        .bind(i64::from(page.limit))
        .bind(i64::from(page.offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        papers_from_rows(&rows)
    }

    async fn count_listed_on(&self, day: Date) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("select count(*) from papers where listed_on = $1 and not hidden")
                .bind(format_date(day))
                .fetch_one(&self.pool)
                .await
                .map_err(db_error)?;
        Ok(count(n))
    }

    async fn latest_listing_date(&self) -> Result<Option<Date>> {
        let text: Option<String> =
            sqlx::query_scalar("select max(listed_on) from papers where not hidden")
                .fetch_one(&self.pool)
                .await
                .map_err(db_error)?;
        Ok(text.as_deref().and_then(parse_date))
    }

    async fn adjacent_listing_dates(&self, day: Date) -> Result<AdjacentDates> {
        let row = sqlx::query(
            "select (select max(listed_on) from papers where listed_on < $1 and not hidden), \
                    (select min(listed_on) from papers where listed_on > $1 and not hidden)",
        )
        .bind(format_date(day))
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        let previous: Option<String> = row.try_get(0).map_err(db_error)?;
        let next: Option<String> = row.try_get(1).map_err(db_error)?;
        Ok(AdjacentDates {
            previous: previous.as_deref().and_then(parse_date),
            next: next.as_deref().and_then(parse_date),
        })
    }

    async fn newest_papers(&self, page: Page) -> Result<Vec<Paper>> {
        let rows = sqlx::query(concat!(
            "select ",
            paper_columns!(),
            " from papers where not hidden order by listed_on desc, arxiv_id desc limit $1 offset $2"
        ))
        .bind(i64::from(page.limit))
        .bind(i64::from(page.offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        papers_from_rows(&rows)
    }

    async fn newest_in_category(
        &self,
        category: Option<&str>,
        since: Option<Date>,
        page: Page,
    ) -> Result<Vec<Paper>> {
        let rows = sqlx::query(concat!(
            "select ",
            paper_columns!(),
            " from papers where not hidden \
              and ($1::text is null or papers.categories::jsonb ? $1) \
              and ($2::text is null or listed_on >= $2) \
             order by listed_on desc, arxiv_id desc limit $3 offset $4"
        ))
        .bind(category)
        .bind(since.map(format_date))
        .bind(i64::from(page.limit))
        .bind(i64::from(page.offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        papers_from_rows(&rows)
    }

    async fn count_papers(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("select count(*) from papers")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(count(n))
    }

    async fn papers_after(&self, after: Option<&ArxivId>, limit: u32) -> Result<Vec<Paper>> {
        let rows = sqlx::query(concat!(
            "select ",
            paper_columns!(),
            " from papers where arxiv_id > $1 and not hidden order by arxiv_id limit $2"
        ))
        .bind(after.map(ArxivId::base).unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        papers_from_rows(&rows)
    }

    async fn upsert_external_links(&self, links: &[ExternalLink]) -> Result<u64> {
        if links.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_papers().await?;
        let (new, changed_ids) = links::upsert_links(&mut tx, links).await?;
        links::bump_papers(&mut tx, &changed_ids).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(new)
    }

    async fn external_links(&self, ids: &[ArxivId]) -> Result<Vec<ExternalLink>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        links::links_of(&self.pool, ids).await
    }

    async fn record_signals(&self, signals: &[Signal]) -> Result<u64> {
        if signals.is_empty() {
            return Ok(0);
        }
        links::record_signals(&self.pool, signals).await
    }

    async fn signals(&self, id: &ArxivId) -> Result<Vec<Signal>> {
        links::signals_of(&self.pool, id).await
    }

    async fn change_seq(&self) -> Result<i64> {
        sqlx::query_scalar("select value from counters where name = 'papers'")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn papers_changed_since(&self, after_seq: i64, limit: u32) -> Result<Vec<ChangedPaper>> {
        let rows = sqlx::query(concat!(
            "select ",
            paper_columns!(),
            ", change_seq, hidden from papers where change_seq > $1 order by change_seq limit $2"
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(ChangedPaper {
                    seq: row.try_get("change_seq").map_err(db_error)?,
                    paper: paper_from_row(row)?,
                    hidden: row.try_get("hidden").map_err(db_error)?,
                })
            })
            .collect()
    }

    async fn embedding_backlog(&self, model: &str, limit: u32) -> Result<Vec<EmbeddingTask>> {
        embeddings::backlog(&self.pool, model, limit).await
    }

    async fn count_embedding_backlog(&self, model: &str) -> Result<u64> {
        embeddings::count_backlog(&self.pool, model).await
    }

    async fn store_embeddings(&self, new: &[NewEmbedding]) -> Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        embeddings::store(&mut tx, new).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn touch_embeddings(&self, current: &[(ArxivId, i64)]) -> Result<()> {
        if current.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        embeddings::touch(&mut tx, current).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn embeddings_since(
        &self,
        model: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredEmbedding>> {
        embeddings::since(&self.pool, model, after_seq, limit).await
    }

    async fn count_embeddings(&self, model: &str) -> Result<u64> {
        embeddings::count_of(&self.pool, model).await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>> {
        sqlx::query_scalar("select value from settings where key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "insert into settings (key, value, created_at, updated_at) values ($1, $2, $3, $3) \
             on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String> {
        sqlx::query(
            "insert into settings (key, value, created_at, updated_at) values ($1, $2, $3, $3) \
             on conflict (key) do nothing",
        )
        .bind(key)
        .bind(value)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        sqlx::query_scalar("select value from settings where key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("select 1")
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
