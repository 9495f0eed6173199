//! The PostgreSQL side of [`Community`]: members and sessions (`members`), votes and comments
//! (`activity`), submissions and curation (`curation`), the trending counts (`trending`)
//! and GitHub repositories with their star counts (`repos`).
//!
//! Times are stored as RFC 3339 text in UTC with nine fractional digits, always: the
//! text is then fixed-width and sorts in time order, so SQL compares times as text (the
//! columns use the "C" collation: byte order). The statements mirror `crate::sqlite`'s.

mod activity;
mod curation;
mod deletion;
mod leases;
mod members;
mod rate_windows;
mod repos;
mod trending;

use std::collections::HashMap;

use async_trait::async_trait;
use paperstand_core::trending::TrendingInput;
use paperstand_core::{ArxivId, Paper};
use sqlx::Row;
use sqlx::postgres::PgRow;
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use super::{PostgresStore, Tx, db_error};
use crate::community::*;
use crate::{Page, Result, StoreError};

/// RFC 3339 in UTC with a fixed number of fractional digits (see the module docs).
const TIME_FORMAT: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");

/// `time` in UTC.
fn utc(time: OffsetDateTime) -> OffsetDateTime {
    time.checked_to_offset(UtcOffset::UTC).unwrap_or(time)
}

/// `time` as stored.
pub(super) fn time_text(time: OffsetDateTime) -> String {
    let time = utc(time);
    time.format(TIME_FORMAT)
        .or_else(|_| time.format(&Rfc3339))
        .unwrap_or_default()
}

/// The UTC date of `time`, as stored (`YYYY-MM-DD`).
fn day_text(time: OffsetDateTime) -> String {
    paperstand_core::record::format_date(utc(time).date())
}

pub(super) fn corrupt(what: impl Into<String>, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what: what.into(),
        detail: detail.to_string(),
    }
}

/// A stored time column that may be null.
pub(super) fn optional_time(row: &PgRow, column: &str) -> Result<Option<OffsetDateTime>> {
    let text: Option<String> = row.try_get(column).map_err(db_error)?;
    text.map(|t| {
        OffsetDateTime::parse(&t, &Rfc3339).map_err(|e| corrupt(format!("{column} {t:?}"), e))
    })
    .transpose()
}

/// A stored time column.
pub(super) fn time_column(row: &PgRow, column: &str) -> Result<OffsetDateTime> {
    optional_time(row, column)?.ok_or_else(|| corrupt(column, "no time"))
}

/// A stored date column that may be null.
fn optional_date(row: &PgRow, column: &str) -> Result<Option<Date>> {
    let text: Option<String> = row.try_get(column).map_err(db_error)?;
    text.map(|t| {
        paperstand_core::record::parse_date(&t)
            .ok_or_else(|| corrupt(format!("{column} {t:?}"), "not a date"))
    })
    .transpose()
}

/// A stored (version-less) arXiv id.
pub(super) fn arxiv_id(row: &PgRow, column: &str) -> Result<ArxivId> {
    let text: String = row.try_get(column).map_err(db_error)?;
    text.parse()
        .map_err(|e| corrupt(format!("arXiv id {text:?}"), e))
}

/// A count read from PostgreSQL.
fn count_column(row: &PgRow, column: &str) -> Result<u64> {
    let n: i64 = row.try_get(column).map_err(db_error)?;
    Ok(super::count(n))
}

/// Moves the community sequence: pages showing votes, comments, submissions, curation
/// or stars are cached under it.
async fn bump_community(tx: &mut Tx) -> Result<()> {
    sqlx::query("update counters set value = value + 1 where name = 'community'")
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Version-less ids as a text array, for `= any($n)`.
fn id_list(ids: &[ArxivId]) -> Vec<String> {
    super::id_list(ids)
}

#[async_trait]
impl Community for PostgresStore {
    async fn create_user(&self, user: &NewUser, now: OffsetDateTime) -> Result<User> {
        members::create_user(&self.pool, user, now).await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        members::user(&self.pool, id).await
    }

    async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        members::credentials(&self.pool, email).await
    }

    async fn users(&self, page: Page) -> Result<Vec<User>> {
        members::users(&self.pool, page).await
    }

    async fn count_users(&self) -> Result<u64> {
        members::count_users(&self.pool).await
    }

    async fn set_role(&self, id: UserId, role: Role, now: OffsetDateTime) -> Result<bool> {
        members::set_role(&self.pool, id, role, now).await
    }

    async fn set_suspended(
        &self,
        id: UserId,
        at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let found = members::set_suspended(&mut tx, id, at, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(found)
    }

    async fn set_password(&self, id: UserId, hash: &str, now: OffsetDateTime) -> Result<()> {
        let mut tx = self.begin_write().await?;
        members::set_password(&mut tx, id, hash, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn mark_verified(&self, id: UserId, now: OffsetDateTime) -> Result<()> {
        members::mark_verified(&self.pool, id, now).await
    }

    async fn delete_user(
        &self,
        id: UserId,
        event_keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Option<Deletion>> {
        let mut tx = self.begin_write().await?;
        let deleted = deletion::delete_user(&mut tx, id, event_keys, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(deleted)
    }

    async fn traces(&self, who: &Identity) -> Result<Vec<String>> {
        self.find_traces(who).await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        members::create_session(&self.pool, token_hash, user, now, expires_at).await
    }

    async fn session_user(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<User>> {
        members::session_user(&self.pool, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        members::delete_session(&self.pool, token_hash).await
    }

    async fn create_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        members::create_token(&self.pool, kind, token_hash, user, now, expires_at).await
    }

    async fn take_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>> {
        members::take_token(&self.pool, kind, token_hash, now).await
    }

    async fn record_event(
        &self,
        kind: &str,
        key: &str,
        at: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        members::record_event(&mut tx, kind, key, at, forget_before).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn count_events(&self, kind: &str, key: &str, since: OffsetDateTime) -> Result<u64> {
        members::count_events(&self.pool, kind, key, since).await
    }

    async fn clear_events(&self, kind: &str, key: &str) -> Result<()> {
        members::clear_events(&self.pool, kind, key).await
    }

    async fn set_vote(
        &self,
        user: UserId,
        id: &ArxivId,
        up: bool,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let upvotes = activity::set_vote(&mut tx, user, id, up, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(upvotes)
    }

    async fn voted(&self, user: UserId, ids: &[ArxivId]) -> Result<Vec<ArxivId>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        activity::voted(&self.pool, user, ids).await
    }

    async fn add_comment(
        &self,
        user: UserId,
        id: &ArxivId,
        body: &str,
        now: OffsetDateTime,
    ) -> Result<Comment> {
        let mut tx = self.begin_write().await?;
        let comment = activity::add_comment(&mut tx, user, id, body, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(comment)
    }

    async fn comment(&self, comment: i64) -> Result<Option<Comment>> {
        activity::comment(&self.pool, comment).await
    }

    async fn comments(&self, id: &ArxivId) -> Result<Vec<Comment>> {
        activity::comments(&self.pool, id).await
    }

    async fn edit_comment(
        &self,
        comment: i64,
        user: UserId,
        body: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let edited = activity::edit_comment(&mut tx, comment, user, body, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(edited)
    }

    async fn remove_comment(&self, comment: i64, by: UserId, now: OffsetDateTime) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let removed = activity::remove_comment(&mut tx, comment, by, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(removed)
    }

    async fn report_comment(
        &self,
        comment: i64,
        user: UserId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        activity::report_comment(&self.pool, comment, user, reason, now).await
    }

    async fn reported_comments(&self, page: Page) -> Result<Vec<ReportedComment>> {
        activity::reported_comments(&self.pool, page).await
    }

    async fn dismiss_reports(&self, comment: i64, now: OffsetDateTime) -> Result<()> {
        activity::dismiss_reports(&self.pool, comment, now).await
    }

    async fn submit_paper(
        &self,
        paper: &Paper,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<SubmitOutcome> {
        // Paper writers one at a time (as `begin immediate` on SQLite): a second member
        // submitting the same paper meanwhile waits, then finds the first submission.
        let mut tx = self.begin_papers().await?;
        let outcome = curation::submit_paper(&mut tx, paper, user, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(outcome)
    }

    async fn submission(&self, id: &ArxivId) -> Result<Option<Submission>> {
        curation::submission(&self.pool, id).await
    }

    async fn recent_submissions(&self, page: Page) -> Result<Vec<Submission>> {
        curation::recent_submissions(&self.pool, page).await
    }

    async fn set_hidden(
        &self,
        id: &ArxivId,
        hidden: bool,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin_papers().await?;
        curation::set_hidden(&mut tx, id, hidden, by, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn set_featured(
        &self,
        id: &ArxivId,
        featured: bool,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        curation::set_featured(&mut tx, id, featured, by, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn hidden_papers(&self, page: Page) -> Result<Vec<Paper>> {
        curation::hidden_papers(&self.pool, page).await
    }

    async fn featured_on(&self, day: Date) -> Result<Vec<ArxivId>> {
        curation::featured_on(&self.pool, day).await
    }

    async fn paper_community(&self, id: &ArxivId) -> Result<PaperCommunity> {
        curation::paper_community(&self.pool, id).await
    }

    async fn counts(&self, ids: &[ArxivId]) -> Result<HashMap<ArxivId, Counts>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        activity::counts(&self.pool, ids).await
    }

    async fn community_seq(&self) -> Result<i64> {
        sqlx::query_scalar("select value from counters where name = 'community'")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn trending_inputs(&self, query: &TrendingQuery) -> Result<Vec<TrendingInput>> {
        trending::inputs(&self.pool, query).await
    }

    async fn link_repos(&self, links: &[(ArxivId, String)], now: OffsetDateTime) -> Result<u64> {
        if links.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let new = repos::link(&mut tx, links, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(new)
    }

    async fn repos_due(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<RepoToCheck>> {
        repos::due(&self.pool, now, limit).await
    }

    async fn record_repo_check(&self, check: &RepoCheck) -> Result<()> {
        let mut tx = self.begin_write().await?;
        repos::record_check(&mut tx, check).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn paper_repos(&self, id: &ArxivId) -> Result<Vec<RepoStars>> {
        repos::of_paper(&self.pool, id).await
    }
}
