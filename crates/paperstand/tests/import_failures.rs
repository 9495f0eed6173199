//! The importer when the store fails: a dead database stops the import with a clear
//! message after what came before was written; a byte-order mark is not an error.

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use paperstand::transfer::import_lines;
use paperstand_core::external::{ExternalLink, Signal};
use paperstand_core::{ArxivId, Paper};
use paperstand_store::{
    AdjacentDates, ChangedPaper, EmbeddingTask, NewEmbedding, Page, SqliteStore, Store, StoreError,
    StoredEmbedding, UpsertOutcome,
};
use time::Date;
use time::macros::date;

const FIXTURE: &str = include_str!("fixtures/papers.jsonl");

/// A real SQLite store whose upserts start failing after `healthy` calls, as when the
/// disk fills up.
#[derive(Debug)]
struct FailingAfter {
    inner: SqliteStore,
    healthy: usize,
    calls: AtomicUsize,
}

#[async_trait]
impl Store for FailingAfter {
    async fn upsert_papers(&self, papers: &[Paper]) -> Result<Vec<UpsertOutcome>, StoreError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) >= self.healthy {
            return Err(StoreError::Other("database or disk is full".to_owned()));
        }
        self.inner.upsert_papers(papers).await
    }
    async fn paper(&self, id: &ArxivId) -> Result<Option<Paper>, StoreError> {
        self.inner.paper(id).await
    }
    async fn papers_by_ids(&self, ids: &[ArxivId]) -> Result<Vec<Paper>, StoreError> {
        self.inner.papers_by_ids(ids).await
    }
    async fn papers_listed_on(&self, day: Date, page: Page) -> Result<Vec<Paper>, StoreError> {
        self.inner.papers_listed_on(day, page).await
    }
    async fn papers_listed_between(
        &self,
        first: Date,
        last: Date,
        page: Page,
    ) -> Result<Vec<Paper>, StoreError> {
        self.inner.papers_listed_between(first, last, page).await
    }
    async fn count_listed_on(&self, day: Date) -> Result<u64, StoreError> {
        self.inner.count_listed_on(day).await
    }
    async fn latest_listing_date(&self) -> Result<Option<Date>, StoreError> {
        self.inner.latest_listing_date().await
    }
    async fn adjacent_listing_dates(&self, day: Date) -> Result<AdjacentDates, StoreError> {
        self.inner.adjacent_listing_dates(day).await
    }
    async fn newest_papers(&self, page: Page) -> Result<Vec<Paper>, StoreError> {
        self.inner.newest_papers(page).await
    }
    async fn newest_in_category(
        &self,
        category: Option<&str>,
        since: Option<Date>,
        page: Page,
    ) -> Result<Vec<Paper>, StoreError> {
        self.inner.newest_in_category(category, since, page).await
    }
    async fn count_papers(&self) -> Result<u64, StoreError> {
        self.inner.count_papers().await
    }
    async fn papers_after(
        &self,
        after: Option<&ArxivId>,
        limit: u32,
    ) -> Result<Vec<Paper>, StoreError> {
        self.inner.papers_after(after, limit).await
    }
    async fn upsert_external_links(&self, links: &[ExternalLink]) -> Result<u64, StoreError> {
        self.inner.upsert_external_links(links).await
    }
    async fn external_links(&self, ids: &[ArxivId]) -> Result<Vec<ExternalLink>, StoreError> {
        self.inner.external_links(ids).await
    }
    async fn record_signals(&self, signals: &[Signal]) -> Result<u64, StoreError> {
        self.inner.record_signals(signals).await
    }
    async fn signals(&self, id: &ArxivId) -> Result<Vec<Signal>, StoreError> {
        self.inner.signals(id).await
    }
    async fn change_seq(&self) -> Result<i64, StoreError> {
        self.inner.change_seq().await
    }
    async fn papers_changed_since(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ChangedPaper>, StoreError> {
        self.inner.papers_changed_since(after_seq, limit).await
    }
    async fn embedding_backlog(
        &self,
        model: &str,
        limit: u32,
    ) -> Result<Vec<EmbeddingTask>, StoreError> {
        self.inner.embedding_backlog(model, limit).await
    }
    async fn count_embedding_backlog(&self, model: &str) -> Result<u64, StoreError> {
        self.inner.count_embedding_backlog(model).await
    }
    async fn store_embeddings(&self, new: &[NewEmbedding]) -> Result<(), StoreError> {
        self.inner.store_embeddings(new).await
    }
    async fn touch_embeddings(&self, current: &[(ArxivId, i64)]) -> Result<(), StoreError> {
        self.inner.touch_embeddings(current).await
    }
    async fn embeddings_since(
        &self,
        model: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredEmbedding>, StoreError> {
        self.inner.embeddings_since(model, after_seq, limit).await
    }
    async fn count_embeddings(&self, model: &str) -> Result<u64, StoreError> {
        self.inner.count_embeddings(model).await
    }
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.inner.setting(key).await
    }
    async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.inner.set_setting(key, value).await
    }
    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, StoreError> {
        self.inner.setting_or_insert(key, value).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }

    async fn close(&self) {
        self.inner.close().await;
    }
}

/// 2,500 valid lines (three batches): the fixture's records under fresh ids.
fn many_lines() -> String {
    let template: serde_json::Value =
        serde_json::from_str(FIXTURE.lines().next().unwrap()).unwrap();
    (1..=2_500)
        .map(|n| {
            let mut record = template.clone();
            record["id"] = format!("2606.{n:05}").into();
            format!("{record}\n")
        })
        .collect()
}

#[async_trait]
impl paperstand_store::Community for FailingAfter {
    async fn create_user(
        &self,
        user: &paperstand_store::NewUser,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<paperstand_store::User> {
        self.inner.create_user(user, now).await
    }
    async fn user(
        &self,
        id: paperstand_store::UserId,
    ) -> paperstand_store::Result<Option<paperstand_store::User>> {
        self.inner.user(id).await
    }
    async fn credentials(
        &self,
        email: &str,
    ) -> paperstand_store::Result<Option<paperstand_store::Credentials>> {
        self.inner.credentials(email).await
    }
    async fn users(&self, page: Page) -> paperstand_store::Result<Vec<paperstand_store::User>> {
        self.inner.users(page).await
    }
    async fn count_users(&self) -> paperstand_store::Result<u64> {
        self.inner.count_users().await
    }
    async fn set_role(
        &self,
        id: paperstand_store::UserId,
        role: paperstand_store::Role,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.set_role(id, role, now).await
    }
    async fn set_suspended(
        &self,
        id: paperstand_store::UserId,
        at: Option<time::OffsetDateTime>,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.set_suspended(id, at, now).await
    }
    async fn set_password(
        &self,
        id: paperstand_store::UserId,
        hash: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.set_password(id, hash, now).await
    }
    async fn mark_verified(
        &self,
        id: paperstand_store::UserId,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.mark_verified(id, now).await
    }
    async fn delete_user(
        &self,
        id: paperstand_store::UserId,
        event_keys: &[String],
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<Option<paperstand_store::Deletion>> {
        self.inner.delete_user(id, event_keys, now).await
    }
    async fn traces(
        &self,
        who: &paperstand_store::Identity,
    ) -> paperstand_store::Result<Vec<String>> {
        self.inner.traces(who).await
    }
    async fn create_session(
        &self,
        token_hash: &str,
        user: paperstand_store::UserId,
        now: time::OffsetDateTime,
        expires_at: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner
            .create_session(token_hash, user, now, expires_at)
            .await
    }
    async fn session_user(
        &self,
        token_hash: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<Option<paperstand_store::User>> {
        self.inner.session_user(token_hash, now).await
    }
    async fn delete_session(&self, token_hash: &str) -> paperstand_store::Result<()> {
        self.inner.delete_session(token_hash).await
    }
    async fn create_token(
        &self,
        kind: paperstand_store::TokenKind,
        token_hash: &str,
        user: paperstand_store::UserId,
        now: time::OffsetDateTime,
        expires_at: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner
            .create_token(kind, token_hash, user, now, expires_at)
            .await
    }
    async fn take_token(
        &self,
        kind: paperstand_store::TokenKind,
        token_hash: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<Option<paperstand_store::UserId>> {
        self.inner.take_token(kind, token_hash, now).await
    }
    async fn record_event(
        &self,
        kind: &str,
        key: &str,
        at: time::OffsetDateTime,
        forget_before: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.record_event(kind, key, at, forget_before).await
    }
    async fn count_events(
        &self,
        kind: &str,
        key: &str,
        since: time::OffsetDateTime,
    ) -> paperstand_store::Result<u64> {
        self.inner.count_events(kind, key, since).await
    }
    async fn clear_events(&self, kind: &str, key: &str) -> paperstand_store::Result<()> {
        self.inner.clear_events(kind, key).await
    }
    async fn set_vote(
        &self,
        user: paperstand_store::UserId,
        id: &ArxivId,
        up: bool,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<u64> {
        self.inner.set_vote(user, id, up, now).await
    }
    async fn voted(
        &self,
        user: paperstand_store::UserId,
        ids: &[ArxivId],
    ) -> paperstand_store::Result<Vec<ArxivId>> {
        self.inner.voted(user, ids).await
    }
    async fn add_comment(
        &self,
        user: paperstand_store::UserId,
        id: &ArxivId,
        body: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<paperstand_store::Comment> {
        self.inner.add_comment(user, id, body, now).await
    }
    async fn comment(
        &self,
        comment: i64,
    ) -> paperstand_store::Result<Option<paperstand_store::Comment>> {
        self.inner.comment(comment).await
    }
    async fn comments(
        &self,
        id: &ArxivId,
    ) -> paperstand_store::Result<Vec<paperstand_store::Comment>> {
        self.inner.comments(id).await
    }
    async fn edit_comment(
        &self,
        comment: i64,
        user: paperstand_store::UserId,
        body: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.edit_comment(comment, user, body, now).await
    }
    async fn remove_comment(
        &self,
        comment: i64,
        by: paperstand_store::UserId,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.remove_comment(comment, by, now).await
    }
    async fn report_comment(
        &self,
        comment: i64,
        user: paperstand_store::UserId,
        reason: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.report_comment(comment, user, reason, now).await
    }
    async fn reported_comments(
        &self,
        page: Page,
    ) -> paperstand_store::Result<Vec<paperstand_store::ReportedComment>> {
        self.inner.reported_comments(page).await
    }
    async fn dismiss_reports(
        &self,
        comment: i64,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.dismiss_reports(comment, now).await
    }
    async fn submit_paper(
        &self,
        paper: &Paper,
        user: paperstand_store::UserId,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<paperstand_store::SubmitOutcome> {
        self.inner.submit_paper(paper, user, now).await
    }
    async fn submission(
        &self,
        id: &ArxivId,
    ) -> paperstand_store::Result<Option<paperstand_store::Submission>> {
        self.inner.submission(id).await
    }
    async fn recent_submissions(
        &self,
        page: Page,
    ) -> paperstand_store::Result<Vec<paperstand_store::Submission>> {
        self.inner.recent_submissions(page).await
    }
    async fn set_hidden(
        &self,
        id: &ArxivId,
        hidden: bool,
        by: paperstand_store::UserId,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.set_hidden(id, hidden, by, now).await
    }
    async fn set_featured(
        &self,
        id: &ArxivId,
        featured: bool,
        by: paperstand_store::UserId,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.set_featured(id, featured, by, now).await
    }
    async fn hidden_papers(&self, page: Page) -> paperstand_store::Result<Vec<Paper>> {
        self.inner.hidden_papers(page).await
    }
    async fn featured_on(&self, day: Date) -> paperstand_store::Result<Vec<ArxivId>> {
        self.inner.featured_on(day).await
    }
    async fn paper_community(
        &self,
        id: &ArxivId,
    ) -> paperstand_store::Result<paperstand_store::PaperCommunity> {
        self.inner.paper_community(id).await
    }
    async fn counts(
        &self,
        ids: &[ArxivId],
    ) -> paperstand_store::Result<std::collections::HashMap<ArxivId, paperstand_store::Counts>>
    {
        self.inner.counts(ids).await
    }
    async fn community_seq(&self) -> paperstand_store::Result<i64> {
        self.inner.community_seq().await
    }
    async fn trending_inputs(
        &self,
        query: &paperstand_store::TrendingQuery,
    ) -> paperstand_store::Result<Vec<paperstand_core::trending::TrendingInput>> {
        self.inner.trending_inputs(query).await
    }
    async fn link_repos(
        &self,
        links: &[(ArxivId, String)],
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<u64> {
        self.inner.link_repos(links, now).await
    }
    async fn repos_due(
        &self,
        now: time::OffsetDateTime,
        limit: u32,
    ) -> paperstand_store::Result<Vec<paperstand_store::RepoToCheck>> {
        self.inner.repos_due(now, limit).await
    }
    async fn record_repo_check(
        &self,
        check: &paperstand_store::RepoCheck,
    ) -> paperstand_store::Result<()> {
        self.inner.record_repo_check(check).await
    }
    async fn paper_repos(
        &self,
        id: &ArxivId,
    ) -> paperstand_store::Result<Vec<paperstand_store::RepoStars>> {
        self.inner.paper_repos(id).await
    }
}

#[tokio::test]
async fn a_failing_database_stops_the_import_after_the_good_batches() {
    let dir = tempfile::tempdir().unwrap();
    let inner = SqliteStore::open(&dir.path().join("p.sqlite"))
        .await
        .unwrap();
    let store = Arc::new(FailingAfter {
        inner,
        healthy: 1,
        calls: AtomicUsize::new(0),
    });
    let reader = Box::new(Cursor::new(many_lines().into_bytes()));
    let report = import_lines(store.as_ref(), reader, date!(2026 - 11 - 27), &|_| {}).await;
    let fatal = report.fatal.expect("the import stops");
    assert!(
        fatal.contains("database or disk is full") && fatal.contains("lines 1001-2000"),
        "{fatal}"
    );
    assert_eq!(report.inserted, 1_000, "the first batch was written");
    assert!(
        report.rejected.is_empty(),
        "lines are not blamed for a database failure"
    );
    assert_eq!(store.inner.count_papers().await.unwrap(), 1_000);
    assert!(
        store.calls.load(Ordering::SeqCst) <= 3,
        "no more writes after the failure"
    );
}

#[tokio::test]
async fn a_byte_order_mark_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("p.sqlite"))
        .await
        .unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(FIXTURE.as_bytes());
    let report = import_lines(
        &store,
        Box::new(Cursor::new(bytes)),
        date!(2026 - 11 - 27),
        &|_| {},
    )
    .await;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.inserted, 21);
}

#[async_trait]
impl paperstand_store::Leases for FailingAfter {
    async fn try_acquire_lease(
        &self,
        name: &str,
        owner: &str,
        now: time::OffsetDateTime,
        ttl: std::time::Duration,
    ) -> paperstand_store::Result<bool> {
        self.inner.try_acquire_lease(name, owner, now, ttl).await
    }

    async fn renew_lease(
        &self,
        name: &str,
        owner: &str,
        now: time::OffsetDateTime,
        ttl: std::time::Duration,
    ) -> paperstand_store::Result<bool> {
        self.inner.renew_lease(name, owner, now, ttl).await
    }

    async fn release_lease(&self, name: &str, owner: &str) -> paperstand_store::Result<()> {
        self.inner.release_lease(name, owner).await
    }

    async fn lease(&self, name: &str) -> paperstand_store::Result<Option<paperstand_store::Lease>> {
        self.inner.lease(name).await
    }
}

#[async_trait]
impl paperstand_store::RateWindows for FailingAfter {
    async fn hit_rate_window(
        &self,
        key: &str,
        window_start: i64,
        previous_start: i64,
    ) -> paperstand_store::Result<paperstand_store::WindowHits> {
        self.inner
            .hit_rate_window(key, window_start, previous_start)
            .await
    }

    async fn forget_rate_windows(&self, before: i64) -> paperstand_store::Result<u64> {
        self.inner.forget_rate_windows(before).await
    }
}

#[async_trait]
impl paperstand_store::Library for FailingAfter {
    async fn save_papers(
        &self,
        user: paperstand_store::UserId,
        ids: &[ArxivId],
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<u64> {
        self.inner.save_papers(user, ids, now).await
    }
    async fn unsave_papers(
        &self,
        user: paperstand_store::UserId,
        ids: &[ArxivId],
    ) -> paperstand_store::Result<u64> {
        self.inner.unsave_papers(user, ids).await
    }
    async fn saved_paper(
        &self,
        user: paperstand_store::UserId,
        id: &ArxivId,
    ) -> paperstand_store::Result<Option<paperstand_store::SavedPaper>> {
        self.inner.saved_paper(user, id).await
    }
    async fn saved_papers(
        &self,
        user: paperstand_store::UserId,
        filter: &paperstand_store::LibraryFilter,
        page: paperstand_store::Page,
    ) -> paperstand_store::Result<Vec<paperstand_store::SavedPaper>> {
        self.inner.saved_papers(user, filter, page).await
    }
    async fn count_saved(
        &self,
        user: paperstand_store::UserId,
        filter: &paperstand_store::LibraryFilter,
    ) -> paperstand_store::Result<u64> {
        self.inner.count_saved(user, filter).await
    }
    async fn saved_among(
        &self,
        user: paperstand_store::UserId,
        ids: &[ArxivId],
    ) -> paperstand_store::Result<Vec<ArxivId>> {
        self.inner.saved_among(user, ids).await
    }
    async fn set_read(
        &self,
        user: paperstand_store::UserId,
        ids: &[ArxivId],
        read: bool,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<u64> {
        self.inner.set_read(user, ids, read, now).await
    }
    async fn set_note(
        &self,
        user: paperstand_store::UserId,
        id: &ArxivId,
        note: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.set_note(user, id, note, now).await
    }
    async fn tag_papers(
        &self,
        user: paperstand_store::UserId,
        ids: &[ArxivId],
        name: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<paperstand_store::Tag> {
        self.inner.tag_papers(user, ids, name, now).await
    }
    async fn untag_papers(
        &self,
        user: paperstand_store::UserId,
        tag: i64,
        ids: &[ArxivId],
    ) -> paperstand_store::Result<u64> {
        self.inner.untag_papers(user, tag, ids).await
    }
    async fn tags(
        &self,
        user: paperstand_store::UserId,
    ) -> paperstand_store::Result<Vec<paperstand_store::Tag>> {
        self.inner.tags(user).await
    }
    async fn tag(&self, tag: i64) -> paperstand_store::Result<Option<paperstand_store::Tag>> {
        self.inner.tag(tag).await
    }
    async fn rename_tag(
        &self,
        user: paperstand_store::UserId,
        tag: i64,
        name: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.rename_tag(user, tag, name, now).await
    }
    async fn delete_tag(
        &self,
        user: paperstand_store::UserId,
        tag: i64,
    ) -> paperstand_store::Result<bool> {
        self.inner.delete_tag(user, tag).await
    }
    async fn set_tag_public(
        &self,
        user: paperstand_store::UserId,
        tag: i64,
        public: bool,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.set_tag_public(user, tag, public, now).await
    }
    async fn set_not_interested(
        &self,
        user: paperstand_store::UserId,
        id: &ArxivId,
        marked: bool,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.set_not_interested(user, id, marked, now).await
    }
    async fn feedback(
        &self,
        user: paperstand_store::UserId,
    ) -> paperstand_store::Result<paperstand_store::Feedback> {
        self.inner.feedback(user).await
    }
    async fn library_version(
        &self,
        user: paperstand_store::UserId,
    ) -> paperstand_store::Result<i64> {
        self.inner.library_version(user).await
    }
    async fn dial(&self, user: paperstand_store::UserId) -> paperstand_store::Result<Option<f64>> {
        self.inner.dial(user).await
    }
    async fn set_dial(
        &self,
        user: paperstand_store::UserId,
        dial: f64,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<()> {
        self.inner.set_dial(user, dial, now).await
    }
    async fn create_topic(
        &self,
        user: paperstand_store::UserId,
        topic: &paperstand_store::NewTopic,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<paperstand_store::Topic> {
        self.inner.create_topic(user, topic, now).await
    }
    async fn topics(
        &self,
        user: paperstand_store::UserId,
    ) -> paperstand_store::Result<Vec<paperstand_store::Topic>> {
        self.inner.topics(user).await
    }
    async fn topic(&self, topic: i64) -> paperstand_store::Result<Option<paperstand_store::Topic>> {
        self.inner.topic(topic).await
    }
    async fn mark_topic_seen(
        &self,
        user: paperstand_store::UserId,
        topic: i64,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.mark_topic_seen(user, topic, now).await
    }
    async fn delete_topic(
        &self,
        user: paperstand_store::UserId,
        topic: i64,
    ) -> paperstand_store::Result<bool> {
        self.inner.delete_topic(user, topic).await
    }
    async fn delete_personal_data(
        &self,
        user: paperstand_store::UserId,
    ) -> paperstand_store::Result<u64> {
        self.inner.delete_personal_data(user).await
    }
}

#[async_trait]
impl paperstand_store::Digests for FailingAfter {
    async fn subscribe(
        &self,
        email: &str,
        user: Option<paperstand_store::UserId>,
        preferences: &paperstand_store::Preferences,
        confirm: Option<(&str, time::OffsetDateTime)>,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<paperstand_store::SubscribeOutcome> {
        self.inner
            .subscribe(email, user, preferences, confirm, now)
            .await
    }
    async fn confirm_subscription(
        &self,
        token_hash: &str,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<Option<paperstand_store::Subscriber>> {
        self.inner.confirm_subscription(token_hash, now).await
    }
    async fn subscriber(
        &self,
        id: paperstand_store::SubscriberId,
    ) -> paperstand_store::Result<Option<paperstand_store::Subscriber>> {
        self.inner.subscriber(id).await
    }
    async fn subscriber_by_email(
        &self,
        email: &str,
    ) -> paperstand_store::Result<Option<paperstand_store::Subscriber>> {
        self.inner.subscriber_by_email(email).await
    }
    async fn set_preferences(
        &self,
        id: paperstand_store::SubscriberId,
        preferences: &paperstand_store::Preferences,
    ) -> paperstand_store::Result<bool> {
        self.inner.set_preferences(id, preferences).await
    }
    async fn unsubscribe(
        &self,
        id: paperstand_store::SubscriberId,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner.unsubscribe(id, now).await
    }
    async fn active_subscribers(
        &self,
        after: paperstand_store::SubscriberId,
        limit: u32,
    ) -> paperstand_store::Result<Vec<paperstand_store::Subscriber>> {
        self.inner.active_subscribers(after, limit).await
    }
    async fn count_subscribers(
        &self,
    ) -> paperstand_store::Result<Vec<(paperstand_store::SubscriberStatus, u64)>> {
        self.inner.count_subscribers().await
    }
    async fn digest_history(
        &self,
        subscribers: &[paperstand_store::SubscriberId],
        since: time::OffsetDateTime,
    ) -> paperstand_store::Result<Vec<paperstand_store::DigestHistory>> {
        self.inner.digest_history(subscribers, since).await
    }
    async fn insert_digests(
        &self,
        digests: &[paperstand_store::NewDigest],
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<u64> {
        self.inner.insert_digests(digests, now).await
    }
    async fn digest(
        &self,
        subscriber: paperstand_store::SubscriberId,
        period: &str,
    ) -> paperstand_store::Result<Option<paperstand_store::Digest>> {
        self.inner.digest(subscriber, period).await
    }
    async fn claim_outbox(
        &self,
        owner: &str,
        now: time::OffsetDateTime,
        due_by: time::OffsetDateTime,
        lease: std::time::Duration,
        limit: u32,
    ) -> paperstand_store::Result<Vec<paperstand_store::OutboxItem>> {
        self.inner
            .claim_outbox(owner, now, due_by, lease, limit)
            .await
    }
    async fn record_send(
        &self,
        outbox: i64,
        owner: &str,
        outcome: &paperstand_store::SendOutcome,
        bounce_limit: u32,
        now: time::OffsetDateTime,
    ) -> paperstand_store::Result<bool> {
        self.inner
            .record_send(outbox, owner, outcome, bounce_limit, now)
            .await
    }
    async fn outbox_counts(&self) -> paperstand_store::Result<paperstand_store::OutboxCounts> {
        self.inner.outbox_counts().await
    }
}
