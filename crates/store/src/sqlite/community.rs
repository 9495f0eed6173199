//! The SQLite side of [`Community`]: being written (issue #5).
#![allow(
    unused_variables,
    unused_imports,
    reason = "stubs until the SQLite side is written"
)]

use std::collections::HashMap;

use async_trait::async_trait;
use paperstand_core::trending::TrendingInput;
use paperstand_core::{ArxivId, Paper};
use time::{Date, OffsetDateTime};

use super::SqliteStore;
use crate::community::*;
use crate::{Page, Result, StoreError};

fn unbuilt<T>() -> Result<T> {
    Err(StoreError::Other("not built yet".to_owned()))
}

#[async_trait]
impl Community for SqliteStore {
    async fn create_user(&self, user: &NewUser, now: OffsetDateTime) -> Result<User> {
        unbuilt()
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        unbuilt()
    }

    async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        unbuilt()
    }

    async fn users(&self, page: Page) -> Result<Vec<User>> {
        unbuilt()
    }

    async fn count_users(&self) -> Result<u64> {
        unbuilt()
    }

    async fn set_role(&self, id: UserId, role: Role, now: OffsetDateTime) -> Result<bool> {
        unbuilt()
    }

    async fn set_suspended(
        &self,
        id: UserId,
        at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<bool> {
        unbuilt()
    }

    async fn set_password(&self, id: UserId, hash: &str, now: OffsetDateTime) -> Result<()> {
        unbuilt()
    }

    async fn mark_verified(&self, id: UserId, now: OffsetDateTime) -> Result<()> {
        unbuilt()
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        unbuilt()
    }

    async fn session_user(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<User>> {
        unbuilt()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        unbuilt()
    }

    async fn create_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        unbuilt()
    }

    async fn take_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>> {
        unbuilt()
    }

    async fn record_event(
        &self,
        kind: &str,
        key: &str,
        at: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<()> {
        unbuilt()
    }

    async fn count_events(&self, kind: &str, key: &str, since: OffsetDateTime) -> Result<u64> {
        unbuilt()
    }

    async fn clear_events(&self, kind: &str, key: &str) -> Result<()> {
        unbuilt()
    }

    async fn set_vote(
        &self,
        user: UserId,
        id: &ArxivId,
        up: bool,
        now: OffsetDateTime,
    ) -> Result<u64> {
        unbuilt()
    }

    async fn voted(&self, user: UserId, ids: &[ArxivId]) -> Result<Vec<ArxivId>> {
        unbuilt()
    }

    async fn add_comment(
        &self,
        user: UserId,
        id: &ArxivId,
        body: &str,
        now: OffsetDateTime,
    ) -> Result<Comment> {
        unbuilt()
    }

    async fn comment(&self, comment: i64) -> Result<Option<Comment>> {
        unbuilt()
    }

    async fn comments(&self, id: &ArxivId) -> Result<Vec<Comment>> {
        unbuilt()
    }

    async fn edit_comment(
        &self,
        comment: i64,
        user: UserId,
        body: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        unbuilt()
    }

    async fn remove_comment(&self, comment: i64, by: UserId, now: OffsetDateTime) -> Result<bool> {
        unbuilt()
    }

    async fn report_comment(
        &self,
        comment: i64,
        user: UserId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        unbuilt()
    }

    async fn reported_comments(&self, page: Page) -> Result<Vec<ReportedComment>> {
        unbuilt()
    }

    async fn dismiss_reports(&self, comment: i64, now: OffsetDateTime) -> Result<()> {
        unbuilt()
    }

    async fn submit_paper(
        &self,
        paper: &Paper,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<SubmitOutcome> {
        unbuilt()
    }

    async fn submission(&self, id: &ArxivId) -> Result<Option<Submission>> {
        unbuilt()
    }

    async fn recent_submissions(&self, page: Page) -> Result<Vec<Submission>> {
        unbuilt()
    }

    async fn set_hidden(
        &self,
        id: &ArxivId,
        hidden: bool,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        unbuilt()
    }

    async fn set_featured(
        &self,
        id: &ArxivId,
        featured: bool,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        unbuilt()
    }

    async fn hidden_papers(&self, page: Page) -> Result<Vec<Paper>> {
        unbuilt()
    }

    async fn featured_on(&self, day: Date) -> Result<Vec<ArxivId>> {
        unbuilt()
    }

    async fn paper_community(&self, id: &ArxivId) -> Result<PaperCommunity> {
        unbuilt()
    }

    async fn counts(&self, ids: &[ArxivId]) -> Result<HashMap<ArxivId, Counts>> {
        unbuilt()
    }

    async fn community_seq(&self) -> Result<i64> {
        unbuilt()
    }

    async fn trending_inputs(&self, query: &TrendingQuery) -> Result<Vec<TrendingInput>> {
        unbuilt()
    }

    async fn link_repos(&self, links: &[(ArxivId, String)], now: OffsetDateTime) -> Result<u64> {
        unbuilt()
    }

    async fn repos_due(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<RepoToCheck>> {
        unbuilt()
    }

    async fn record_repo_check(&self, check: &RepoCheck) -> Result<()> {
        unbuilt()
    }

    async fn paper_repos(&self, id: &ArxivId) -> Result<Vec<RepoStars>> {
        unbuilt()
    }
}
