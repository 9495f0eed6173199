//! Storage for Paperstand: the async [`Store`] trait that the application holds as
//! `Arc<dyn Store>`, its SQLite and PostgreSQL implementations, and the contract tests that every
//! backend passes. No sqlx type crosses the trait; SQL lives only in backend modules.
//! This crate imports `paperstand-core` and nothing of the application.

pub mod community;
pub mod contract;
pub mod copy;
pub mod digests;
mod fingerprint;
pub mod leases;
pub mod library;
mod migrations;
pub mod postgres;
pub mod rate_windows;
pub mod sqlite;
pub mod upsert;

use async_trait::async_trait;
use paperstand_core::external::{ExternalLink, Signal};
use paperstand_core::{ArxivId, Paper};
use time::Date;

pub use community::{
    Comment, Community, Counts, Credentials, Deletion, Identity, NewUser, PaperCommunity,
    RepoCheck, RepoOutcome, RepoStars, RepoToCheck, ReportedComment, Role, Submission,
    SubmitOutcome, TokenKind, TrendingQuery, User, UserId,
};
pub use digests::{
    Digest, DigestHistory, DigestItem, DigestKind, Digests, EmptyPolicy, Frequency, MailFormat,
    NewDigest, OutboxCounts, OutboxItem, OutboxState, Preferences, SendOutcome, SubscribeOutcome,
    Subscriber, SubscriberId, SubscriberStatus,
};
pub use fingerprint::fingerprint;
pub use leases::{Lease, Leases};
pub use library::{Feedback, Library, LibraryFilter, NewTopic, SavedPaper, Tag, Topic};
pub use postgres::PostgresStore;
pub use rate_windows::{RateWindows, WindowHits};
pub use sqlite::SqliteStore;

/// What went wrong in the store, with nothing backend-specific in it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness or foreign-key rule refused the write.
    #[error("conflict on {constraint}")]
    Conflict {
        /// The rule that refused it.
        constraint: String,
    },
    /// A stored row could not be read back into a domain value.
    #[error("corrupt row for {what}: {detail}")]
    Corrupt {
        /// Which row.
        what: String,
        /// What is wrong.
        detail: String,
    },
    /// The database could not be reached or failed.
    #[error("database error: {0}")]
    Other(String),
}

/// A store result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What an upsert did with one paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpsertOutcome {
    /// The paper was new.
    Inserted,
    /// The paper existed and the record was newer and different: it replaced it.
    Updated,
    /// The paper existed with exactly this content.
    Unchanged,
    /// The paper existed with different content from a newer record: the stored one was kept.
    Older,
}

/// A window of a list: `limit` rows after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Most rows returned.
    pub limit: u32,
    /// Rows skipped.
    pub offset: u32,
}

impl Page {
    /// The `number`th page (from 1) of `size` rows.
    pub fn numbered(number: u32, size: u32) -> Page {
        Page {
            limit: size,
            offset: number.saturating_sub(1).saturating_mul(size),
        }
    }
}

/// The listing dates next to a day that have papers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdjacentDates {
    /// The closest earlier listing date.
    pub previous: Option<Date>,
    /// The closest later listing date.
    pub next: Option<Date>,
}

/// A paper with the change sequence of its last write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedPaper {
    /// The paper's change sequence number.
    pub seq: i64,
    /// The paper as stored.
    pub paper: Paper,
    /// Hidden by a curator: followers drop it.
    pub hidden: bool,
}

/// A paper whose embedding is missing, from another model, or older than the paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingTask {
    /// The paper's change sequence number: stored with the embedding as `source_seq`.
    pub seq: i64,
    /// The paper.
    pub paper: Paper,
    /// The hash of the text embedded last time, when there is an embedding of this model:
    /// if the text hashes the same, the vector is still right and only needs touching.
    pub embedded_text_hash: Option<String>,
}

/// A sentence embedding to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEmbedding {
    /// The paper.
    pub id: ArxivId,
    /// The model name and revision.
    pub model: String,
    /// SHA-256 (hex) of the text embedded.
    pub text_hash: String,
    /// The paper's change sequence when its text was read.
    pub source_seq: i64,
    /// The vector.
    pub vector: Vec<f32>,
}

/// A stored embedding with its place in the embeddings' change sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEmbedding {
    /// The embeddings' change sequence number of this write.
    pub seq: i64,
    /// The paper.
    pub id: ArxivId,
    /// The vector.
    pub vector: Vec<f32>,
}

/// Paperstand's storage. Every backend passes [`contract`].
#[async_trait]
pub trait Store:
    Community + Leases + RateWindows + Digests + Library + Send + Sync + std::fmt::Debug
{
    /// Inserts new papers and replaces changed ones with newer records, all in one
    /// transaction; returns what happened to each paper, in order. Every insert or
    /// update bumps the change sequence. The same id twice in one call is an error.
    async fn upsert_papers(&self, papers: &[Paper]) -> Result<Vec<UpsertOutcome>>;

    /// One paper by id; a version in the id is ignored.
    async fn paper(&self, id: &ArxivId) -> Result<Option<Paper>>;

    /// The stored papers among `ids` (versions ignored), in no particular order.
    async fn papers_by_ids(&self, ids: &[ArxivId]) -> Result<Vec<Paper>>;

    /// The papers listed on `day`, in arXiv id order.
    async fn papers_listed_on(&self, day: Date, page: Page) -> Result<Vec<Paper>>;

    /// The papers listed from `first` to `last` (inclusive), the latest day first, then in
    /// arXiv id order.
    async fn papers_listed_between(
        &self,
        first: Date,
        last: Date,
        page: Page,
    ) -> Result<Vec<Paper>>;

    /// How many papers were listed on `day`.
    async fn count_listed_on(&self, day: Date) -> Result<u64>;

    /// The most recent listing date, if there is any paper.
    async fn latest_listing_date(&self) -> Result<Option<Date>>;

    /// The nearest listing dates before and after `day` that have papers.
    async fn adjacent_listing_dates(&self, day: Date) -> Result<AdjacentDates>;

    /// All papers, the most recently listed first.
    async fn newest_papers(&self, page: Page) -> Result<Vec<Paper>>;

    /// Papers in `category` (primary or cross-listed), the most recently listed first,
    /// listed on or after `since` when given.
    async fn newest_in_category(
        &self,
        category: Option<&str>,
        since: Option<Date>,
        page: Page,
    ) -> Result<Vec<Paper>>;

    /// How many papers there are.
    async fn count_papers(&self) -> Result<u64>;

    /// Up to `limit` papers with ids after `after` (all from the start when `None`),
    /// in id order: a stable walk over every paper for exports.
    async fn papers_after(&self, after: Option<&ArxivId>, limit: u32) -> Result<Vec<Paper>>;

    /// Stores code links from other services; a link already stored from the same source
    /// is updated. Papers that gain or change a link get a new change sequence, so
    /// followers (page cache, search index) see them. Returns how many links were new.
    async fn upsert_external_links(&self, links: &[ExternalLink]) -> Result<u64>;

    /// The code links other services attached to these papers.
    async fn external_links(&self, ids: &[ArxivId]) -> Result<Vec<ExternalLink>>;

    /// Stores signals; an observation of the same paper, kind, source and day replaces
    /// the earlier one. Returns how many were stored.
    async fn record_signals(&self, signals: &[Signal]) -> Result<u64>;

    /// Every signal of a paper, oldest first.
    async fn signals(&self, id: &ArxivId) -> Result<Vec<Signal>>;

    /// The latest change sequence number: it grows with every paper insert or update.
    async fn change_seq(&self) -> Result<i64>;

    /// Up to `limit` papers written after change sequence `after_seq`, in sequence order:
    /// how followers (the search index) catch up.
    async fn papers_changed_since(&self, after_seq: i64, limit: u32) -> Result<Vec<ChangedPaper>>;

    /// Up to `limit` papers that need an embedding by `model`: none yet, one by another
    /// model, or one made before the paper last changed. In change sequence order.
    async fn embedding_backlog(&self, model: &str, limit: u32) -> Result<Vec<EmbeddingTask>>;

    /// How many papers [`Store::embedding_backlog`] would list in all.
    async fn count_embedding_backlog(&self, model: &str) -> Result<u64>;

    /// Stores embeddings (replacing each paper's earlier one), each with the next
    /// embeddings sequence number.
    async fn store_embeddings(&self, embeddings: &[NewEmbedding]) -> Result<()>;

    /// Marks embeddings as current for papers whose change didn't touch the embedded
    /// text: `(paper, its change sequence)`. No new embeddings sequence number.
    async fn touch_embeddings(&self, current: &[(ArxivId, i64)]) -> Result<()>;

    /// Up to `limit` embeddings by `model` written after embeddings sequence `after_seq`,
    /// in sequence order: how vector indexes catch up.
    async fn embeddings_since(
        &self,
        model: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredEmbedding>>;

    /// How many papers have an embedding by `model`.
    async fn count_embeddings(&self, model: &str) -> Result<u64>;

    /// A stored setting (harvest state, one-time markers).
    async fn setting(&self, key: &str) -> Result<Option<String>>;

    /// Stores a setting, replacing an earlier value.
    async fn set_setting(&self, key: &str, value: &str) -> Result<()>;

    /// Stores a setting unless one is stored already; returns the stored value. Of
    /// several nodes doing this at once, the first writer's value is every node's.
    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String>;

    /// Succeeds when the database answers.
    async fn ping(&self) -> Result<()>;

    /// Closes every connection (SQLite also checkpoints its journal). Called once, when
    /// the process is done with the store.
    async fn close(&self);
}
