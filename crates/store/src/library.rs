//! Members' personal libraries (issue #8): saved papers with tags, private notes and a
//! read mark, "not interested" marks, the For-you dial, and topics (saved searches). A
//! part of [`crate::Store`]; every backend passes the contract tests in
//! `contract::library`.
//!
//! Everything here is private to its member unless they make a tag public. The store
//! checks ownership itself: every method takes the member, and a tag or topic of someone
//! else is "not found". Names are checked by the application before they get here.

use async_trait::async_trait;
use paperstand_core::ArxivId;
use time::OffsetDateTime;

use crate::{Page, Result, UserId};

/// A saved paper as its member sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPaper {
    /// The paper (version-less).
    pub arxiv_id: ArxivId,
    /// When it was saved.
    pub saved_at: OffsetDateTime,
    /// When it was marked read; `None`: unread.
    pub read_at: Option<OffsetDateTime>,
    /// The member's private note, Markdown as written (empty: none).
    pub note: String,
    /// The names of its tags, in name order.
    pub tags: Vec<String>,
}

/// Which saved papers a library list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibraryFilter {
    /// Only papers with this tag.
    pub tag: Option<i64>,
    /// `Some(true)`: only read ones; `Some(false)`: only unread ones.
    pub read: Option<bool>,
    /// Only papers saved at or after this time.
    pub saved_since: Option<OffsetDateTime>,
}

/// A tag of a member's library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Row id.
    pub id: i64,
    /// The member it belongs to.
    pub user_id: UserId,
    /// Its name as the member wrote it (checked by the application).
    pub name: String,
    /// Shown to everyone on its public page.
    pub public: bool,
    /// How many papers carry it.
    pub papers: u64,
}

/// What the For-you model learns from: a member's positive and negative feedback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feedback {
    /// Saved (tagged papers are saved), newest first.
    pub saved: Vec<ArxivId>,
    /// Upvoted and not saved.
    pub upvoted: Vec<ArxivId>,
    /// Marked "not interested".
    pub not_interested: Vec<ArxivId>,
}

/// A saved search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// Row id.
    pub id: i64,
    /// The member it belongs to.
    pub user_id: UserId,
    /// Its name.
    pub name: String,
    /// The query, in the search syntax.
    pub query: String,
    /// `keyword`, `semantic` or `hybrid`; empty: the instance's default.
    pub mode: String,
    /// Only this category (or archive), when set.
    pub category: Option<String>,
    /// When it was saved.
    pub created_at: OffsetDateTime,
    /// When its member last opened its page: papers listed after it count as new.
    pub seen_at: OffsetDateTime,
}

/// A topic to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopic {
    /// Its name.
    pub name: String,
    /// The query.
    pub query: String,
    /// The mode (see [`Topic::mode`]).
    pub mode: String,
    /// The category filter.
    pub category: Option<String>,
}

/// The personal-library part of the store.
#[async_trait]
pub trait Library: Send + Sync {
    /// Saves papers to a member's library; a paper saved already keeps its save time,
    /// note and tags. Returns how many were new.
    async fn save_papers(&self, user: UserId, ids: &[ArxivId], now: OffsetDateTime) -> Result<u64>;

    /// Removes papers from a library, with their notes and tags. Returns how many went.
    async fn unsave_papers(&self, user: UserId, ids: &[ArxivId]) -> Result<u64>;

    /// One saved paper.
    async fn saved_paper(&self, user: UserId, id: &ArxivId) -> Result<Option<SavedPaper>>;

    /// Saved papers matching `filter`, the most recently saved first.
    async fn saved_papers(
        &self,
        user: UserId,
        filter: &LibraryFilter,
        page: Page,
    ) -> Result<Vec<SavedPaper>>;

    /// How many saved papers match `filter`.
    async fn count_saved(&self, user: UserId, filter: &LibraryFilter) -> Result<u64>;

    /// Which of `ids` the member saved.
    async fn saved_among(&self, user: UserId, ids: &[ArxivId]) -> Result<Vec<ArxivId>>;

    /// Marks saved papers read (`true`) or unread; unsaved ids are ignored. Returns how
    /// many saved papers it touched.
    async fn set_read(
        &self,
        user: UserId,
        ids: &[ArxivId],
        read: bool,
        now: OffsetDateTime,
    ) -> Result<u64>;

    /// Replaces the note of a saved paper (empty removes it); false when not saved.
    async fn set_note(
        &self,
        user: UserId,
        id: &ArxivId,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Puts the tag named `name` (created when the member has none of that name, any
    /// case) on papers, saving those not saved yet. Returns the tag.
    async fn tag_papers(
        &self,
        user: UserId,
        ids: &[ArxivId],
        name: &str,
        now: OffsetDateTime,
    ) -> Result<Tag>;

    /// Takes a tag off papers (they stay saved). Returns how many lost it.
    async fn untag_papers(&self, user: UserId, tag: i64, ids: &[ArxivId]) -> Result<u64>;

    /// A member's tags, by name.
    async fn tags(&self, user: UserId) -> Result<Vec<Tag>>;

    /// One tag of anyone's (public pages check [`Tag::public`]).
    async fn tag(&self, tag: i64) -> Result<Option<Tag>>;

    /// Renames a member's tag; false when they have no such tag. A name another of their
    /// tags has (any case) is a [`crate::StoreError::Conflict`].
    async fn rename_tag(
        &self,
        user: UserId,
        tag: i64,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Deletes a member's tag (the papers stay saved); false when there was none.
    async fn delete_tag(&self, user: UserId, tag: i64) -> Result<bool>;

    /// Makes a member's tag public or private again; false when there is no such tag.
    async fn set_tag_public(
        &self,
        user: UserId,
        tag: i64,
        public: bool,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Marks (`true`) or unmarks a paper "not interested": it leaves For-you and teaches
    /// the model.
    async fn set_not_interested(
        &self,
        user: UserId,
        id: &ArxivId,
        marked: bool,
        now: OffsetDateTime,
    ) -> Result<()>;

    /// A member's saved, upvoted and not-interested papers.
    async fn feedback(&self, user: UserId) -> Result<Feedback>;

    /// Grows with every change to a member's library, votes excepted: the For-you model
    /// is cached under it (with the community sequence, which votes move).
    async fn library_version(&self, user: UserId) -> Result<i64>;

    /// The member's For-you dial: 0 = only personal relevance, 1 = only trending.
    async fn dial(&self, user: UserId) -> Result<Option<f64>>;

    /// Sets the dial (the caller clamps it to 0..=1).
    async fn set_dial(&self, user: UserId, dial: f64, now: OffsetDateTime) -> Result<()>;

    /// Saves a search as a topic.
    async fn create_topic(
        &self,
        user: UserId,
        topic: &NewTopic,
        now: OffsetDateTime,
    ) -> Result<Topic>;

    /// A member's topics, by name.
    async fn topics(&self, user: UserId) -> Result<Vec<Topic>>;

    /// One topic of anyone's (its feed is reached by an unguessable link, see web).
    async fn topic(&self, topic: i64) -> Result<Option<Topic>>;

    /// Records that the member looked at a topic's papers now.
    async fn mark_topic_seen(&self, user: UserId, topic: i64, now: OffsetDateTime) -> Result<bool>;

    /// Deletes a member's topic; false when there was none.
    async fn delete_topic(&self, user: UserId, topic: i64) -> Result<bool>;

    /// Deletes everything personal a member keeps here: saved papers, notes, tags (public
    /// ones too), not-interested marks, the dial and topics. Account deletion calls it.
    /// Returns how many rows went.
    async fn delete_personal_data(&self, user: UserId) -> Result<u64>;
}
