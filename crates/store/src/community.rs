//! The community's storage (issue #5): members, sessions, one-time tokens, rate-limit
//! events, upvotes, comments and reports, submissions, curation, GitHub repositories
//! with their star counts, and the counts the trending formula reads. A part of
//! [`crate::Store`]; every backend passes the contract tests in `contract`.
//!
//! Secrets never reach the store in clear: sessions and tokens are stored by the hash
//! the caller computed; passwords by their PHC string.

use std::collections::HashMap;

use async_trait::async_trait;
use paperstand_core::trending::TrendingInput;
use paperstand_core::{ArxivId, Paper};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Page, Result};

/// A member's row id.
pub type UserId = i64;

/// What a member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Votes, comments, submits within the window.
    Member,
    /// Also features and hides papers, removes comments, submits older papers.
    Curator,
    /// Also manages members.
    Admin,
}

impl Role {
    /// The role named `text` (`member`, `curator`, `admin`).
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "member" => Some(Role::Member),
            "curator" => Some(Role::Curator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The role's name as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Curator => "curator",
            Role::Admin => "admin",
        }
    }

    /// Curators and admins moderate.
    pub fn moderates(self) -> bool {
        self >= Role::Curator
    }
}

/// A member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Row id.
    pub id: UserId,
    /// E-mail address, lower-cased. Never logged.
    pub email: String,
    /// The name shown next to their votes, comments and submissions.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// When they proved they own the address; unverified members cannot act.
    pub email_verified_at: Option<OffsetDateTime>,
    /// When a curator suspended them; suspended members cannot sign in.
    pub suspended_at: Option<OffsetDateTime>,
    /// When they signed up.
    pub created_at: OffsetDateTime,
}

/// A member to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// E-mail address; the store lower-cases and trims it.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// PHC string of the password hash.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Created already verified (the CLI's `user create`).
    pub verified: bool,
}

/// A member with their password hash, for signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The member.
    pub user: User,
    /// PHC string of the password hash.
    pub password_hash: String,
}

/// What [`Community::delete_user`] removed or anonymised, for the page and the command
/// that confirm it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deletion {
    /// Upvotes deleted (trending counts without them).
    pub votes: u64,
    /// Comments left in their threads without author or body.
    pub comments: u64,
    /// Submissions that lost their submitter credit (the papers stay).
    pub submissions: u64,
    /// Rows of the personal library: saved papers, notes, tags, marks, the dial, topics.
    pub library: u64,
    /// Digest subscriptions deleted (with their stored digests and unsent mail).
    pub subscriptions: u64,
    /// Sessions ended.
    pub sessions: u64,
}

/// What identifies a member in stored rows, for [`Community::traces`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Their id: no member column (`user_id`, `…_by`, `users.id`) may hold it.
    pub id: UserId,
    /// Texts no column may contain, as written or in any ASCII case (their address,
    /// their display name).
    pub texts: Vec<String>,
    /// Values no text column may equal (rate-limit keys: their id as text, hashes of
    /// their address).
    pub keys: Vec<String>,
}

/// The texts of `who` as written and lower-cased (the databases' `lower` may fold only
/// ASCII), empty ones left out (an empty text is in everything).
pub(crate) fn needles(who: &Identity) -> Vec<String> {
    let mut needles: Vec<String> = who
        .texts
        .iter()
        .filter(|t| !t.trim().is_empty())
        .flat_map(|t| [t.clone(), t.to_lowercase()])
        .collect();
    needles.sort();
    needles.dedup();
    needles
}

/// Whether a column holds member ids: `user_id`, `…_by`, and `users.id`.
pub(crate) fn member_column(table: &str, column: &str) -> bool {
    column == "user_id" || column.ends_with("_by") || (table == "users" && column == "id")
}

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Proves the e-mail address.
    Verify,
    /// Sets a new password.
    Reset,
}

impl TokenKind {
    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Verify => "verify",
            TokenKind::Reset => "reset",
        }
    }
}

/// A comment as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Row id.
    pub id: i64,
    /// The paper.
    pub arxiv_id: ArxivId,
    /// The author (None once their account is deleted).
    pub user_id: Option<UserId>,
    /// The author's display name (empty once their account is deleted).
    pub author: String,
    /// The Markdown as written (empty once removed).
    pub body: String,
    /// When it was posted.
    pub created_at: OffsetDateTime,
    /// When it was last edited.
    pub edited_at: Option<OffsetDateTime>,
    /// When it was deleted or removed.
    pub removed_at: Option<OffsetDateTime>,
}

/// A reported comment waiting for a curator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedComment {
    /// The comment.
    pub comment: Comment,
    /// How many open reports it has.
    pub reports: u32,
    /// The reasons given, newest first.
    pub reasons: Vec<String>,
}

/// Who submitted a paper, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The paper.
    pub arxiv_id: ArxivId,
    /// The member (None once their account is deleted).
    pub user_id: Option<UserId>,
    /// Their display name ("a former member" once deleted).
    pub submitter: String,
    /// When.
    pub submitted_at: OffsetDateTime,
}

/// What [`Community::submit_paper`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// The paper is now submitted by this member (stored if it was new).
    Submitted,
    /// Someone submitted it before; nothing changed.
    AlreadySubmitted(Submission),
}

/// Community state of one paper, for its page and cards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaperCommunity {
    /// Upvotes.
    pub upvotes: u64,
    /// Comments not removed.
    pub comments: u64,
    /// Hidden by a curator: absent from every list, feed and digest.
    pub hidden: bool,
    /// Featured by a curator.
    pub featured: bool,
    /// Who submitted it.
    pub submission: Option<Submission>,
}

/// Upvote and comment counts of a paper, for cards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Upvotes.
    pub upvotes: u64,
    /// Comments not removed.
    pub comments: u64,
}

/// Which papers the trending formula ranks and how far back it counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrendingQuery {
    /// Count votes, comments and stars from this day on; `None`: all time.
    pub since: Option<Date>,
    /// Only papers listed on this day (the daily page); otherwise every paper listed
    /// since `since` plus any older one with a vote, comment or star gain since then.
    pub listed_on: Option<Date>,
    /// Only papers in this category (primary or cross-list; an archive such as `cs`
    /// matches its categories).
    pub category: Option<String>,
    /// Only papers first submitted in this year (v1 date, else the listing date).
    pub year: Option<i32>,
}

/// A GitHub repository due for a star check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoToCheck {
    /// Row id.
    pub id: i64,
    /// `owner/name`, lower-cased.
    pub full_name: String,
    /// The `ETag` of the last full answer, for a conditional request.
    pub etag: Option<String>,
    /// The latest star count seen.
    pub stars: Option<u64>,
    /// The latest listing date among the papers linking it: young papers are checked
    /// more often.
    pub newest_listing: Option<Date>,
}

/// What a star check learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoOutcome {
    /// A full answer: the count (recorded as today's snapshot) and its `ETag`.
    Stars {
        /// Stargazers.
        stars: u64,
        /// The answer's `ETag`.
        etag: Option<String>,
    },
    /// `304 Not Modified`: the last count still holds (recorded as today's snapshot).
    NotModified,
    /// The repository was renamed or moved: later checks go to `to`.
    Moved {
        /// `owner/name`.
        to: String,
    },
    /// Deleted or private (404, 451): no more checks.
    Gone,
}

/// The result of checking one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoCheck {
    /// The repository's row id.
    pub id: i64,
    /// What was learned.
    pub outcome: RepoOutcome,
    /// When.
    pub checked_at: OffsetDateTime,
    /// When to check again.
    pub next_check_at: OffsetDateTime,
}

/// A paper's repository with its latest star count, for the paper page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoStars {
    /// `owner/name`.
    pub full_name: String,
    /// The latest count, if any check succeeded.
    pub stars: Option<u64>,
    /// When it was seen.
    pub observed_on: Option<Date>,
    /// `ok`, `new`, `moved` or `gone`.
    pub status: String,
}

/// The community's part of the store.
#[async_trait]
pub trait Community: Send + Sync {
    // --- members ---

    /// Creates a member. An address already taken (in any case) is a
    /// [`crate::StoreError::Conflict`].
    async fn create_user(&self, user: &NewUser, now: OffsetDateTime) -> Result<User>;

    /// A member by id.
    async fn user(&self, id: UserId) -> Result<Option<User>>;

    /// A member and their password hash by e-mail address (any case).
    async fn credentials(&self, email: &str) -> Result<Option<Credentials>>;

    /// Members, the newest first.
    async fn users(&self, page: Page) -> Result<Vec<User>>;

    /// How many members there are.
    async fn count_users(&self) -> Result<u64>;

    /// Changes a member's role; false when there is no such member.
    async fn set_role(&self, id: UserId, role: Role, now: OffsetDateTime) -> Result<bool>;

    /// Suspends (`Some(time)`) or reinstates (`None`) a member; suspending also ends
    /// their sessions. False when there is no such member.
    async fn set_suspended(
        &self,
        id: UserId,
        at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Replaces a member's password hash and ends all their sessions.
    async fn set_password(&self, id: UserId, hash: &str, now: OffsetDateTime) -> Result<()>;

    /// Marks the address as verified (keeps the first time).
    async fn mark_verified(&self, id: UserId, now: OffsetDateTime) -> Result<()>;

    /// Deletes a member and everything personal, in one transaction: the `users` row
    /// (address, password hash, display name), sessions, one-time tokens, the library
    /// (saved papers, notes, tags public or not, marks, the dial, topics), votes, their
    /// reports of comments, digest subscriptions of their id or address (with stored
    /// digests and unsent mail), and rate-limit events under `event_keys` (keys are
    /// derived by the application). Their comments stay in their threads without author
    /// or body, removed; submissions and curation lose their name. `None` (nothing
    /// changed) when there is no such member, e.g. deleted already.
    async fn delete_user(
        &self,
        id: UserId,
        event_keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Option<Deletion>>;

    /// Every `table.column` that still names someone: a member column holding
    /// `who.id`, any column containing one of `who.texts` (any ASCII case), or a text column
    /// equal to one of `who.keys`. Reads every table of the schema, found in the
    /// database's catalogue (so tables added later are covered): slow on a large
    /// database, meant for checking a deletion.
    async fn traces(&self, who: &Identity) -> Result<Vec<String>>;

    // --- sessions and one-time tokens ---

    /// Stores a session by the hash of its token.
    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()>;

    /// The member of an unexpired session (suspended members have none).
    async fn session_user(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<User>>;

    /// Ends one session.
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    /// Stores a one-time token by its hash.
    async fn create_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()>;

    /// Uses a token: deletes it and returns its member if it existed, was of this kind
    /// and had not expired. A token works once.
    async fn take_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>>;

    // --- rate limits ---

    /// Records one event of `kind` for `key` at `at`, and forgets events of that kind
    /// older than `forget_before`.
    async fn record_event(
        &self,
        kind: &str,
        key: &str,
        at: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<()>;

    /// How many events of `kind` for `key` happened at or after `since`.
    async fn count_events(&self, kind: &str, key: &str, since: OffsetDateTime) -> Result<u64>;

    /// Forgets the events of `kind` for `key` (a successful sign-in clears failures).
    async fn clear_events(&self, kind: &str, key: &str) -> Result<()>;

    // --- upvotes ---

    /// Sets (`up`) or removes a member's upvote; doing it twice is the same as once.
    /// Returns the paper's upvotes afterwards.
    async fn set_vote(
        &self,
        user: UserId,
        id: &ArxivId,
        up: bool,
        now: OffsetDateTime,
    ) -> Result<u64>;

    /// Which of `ids` the member upvoted.
    async fn voted(&self, user: UserId, ids: &[ArxivId]) -> Result<Vec<ArxivId>>;

    // --- comments ---

    /// Adds a comment.
    async fn add_comment(
        &self,
        user: UserId,
        id: &ArxivId,
        body: &str,
        now: OffsetDateTime,
    ) -> Result<Comment>;

    /// One comment (removed ones too).
    async fn comment(&self, comment: i64) -> Result<Option<Comment>>;

    /// The comments on a paper, oldest first; removed ones are included (shown as
    /// removed) so threads keep their shape.
    async fn comments(&self, id: &ArxivId) -> Result<Vec<Comment>>;

    /// Replaces a comment's body if `user` wrote it and it is not removed.
    async fn edit_comment(
        &self,
        comment: i64,
        user: UserId,
        body: &str,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Removes a comment (its author deleting it, or a curator); clears its body and
    /// resolves its reports. False when there is no such comment or it is gone already.
    async fn remove_comment(&self, comment: i64, by: UserId, now: OffsetDateTime) -> Result<bool>;

    /// Reports a comment (once per member; reporting again updates the reason).
    async fn report_comment(
        &self,
        comment: i64,
        user: UserId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<()>;

    /// Comments with open reports, the most reported first.
    async fn reported_comments(&self, page: Page) -> Result<Vec<ReportedComment>>;

    /// Closes a comment's reports without removing it.
    async fn dismiss_reports(&self, comment: i64, now: OffsetDateTime) -> Result<()>;

    // --- submissions and curation ---

    /// Credits `user` with submitting `paper`, in one transaction: a paper not stored yet
    /// is stored with its listing date set to `now`'s date; one stored already keeps its
    /// listing date. A paper submitted before is left alone. A later import of a
    /// submitted paper never moves its listing date.
    async fn submit_paper(
        &self,
        paper: &Paper,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<SubmitOutcome>;

    /// Who submitted a paper.
    async fn submission(&self, id: &ArxivId) -> Result<Option<Submission>>;

    /// Submissions, the newest first.
    async fn recent_submissions(&self, page: Page) -> Result<Vec<Submission>>;

    /// Hides or shows a paper (a paper not stored yet is hidden when it arrives); bumps
    /// the paper's change sequence.
    async fn set_hidden(
        &self,
        id: &ArxivId,
        hidden: bool,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()>;

    /// Features or unfeatures a paper.
    async fn set_featured(
        &self,
        id: &ArxivId,
        featured: bool,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()>;

    /// Hidden papers, the most recently hidden first.
    async fn hidden_papers(&self, page: Page) -> Result<Vec<Paper>>;

    /// Featured papers listed on `day`.
    async fn featured_on(&self, day: Date) -> Result<Vec<ArxivId>>;

    /// A paper's votes, comments, curation and submitter.
    async fn paper_community(&self, id: &ArxivId) -> Result<PaperCommunity>;

    /// Upvote and comment counts of `ids` (papers with neither may be missing).
    async fn counts(&self, ids: &[ArxivId]) -> Result<HashMap<ArxivId, Counts>>;

    /// Grows with every vote, comment, submission, curation change and star count: pages
    /// showing them are cached under it.
    async fn community_seq(&self) -> Result<i64>;

    // --- trending ---

    /// What the trending formula needs for every paper `query` selects (never hidden
    /// or withdrawn ones): upvotes, comments and stars gained since `query.since`,
    /// whether a member submitted it, its listing date.
    async fn trending_inputs(&self, query: &TrendingQuery) -> Result<Vec<TrendingInput>>;

    // --- GitHub stars ---

    /// Links papers to GitHub repositories (`owner/name`; any case). New repositories are
    /// due at once. Returns how many links were new.
    async fn link_repos(&self, links: &[(ArxivId, String)], now: OffsetDateTime) -> Result<u64>;

    /// Up to `limit` repositories due for a check at `now`, the most overdue first
    /// (never `gone` ones).
    async fn repos_due(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<RepoToCheck>>;

    /// Records a check: a star count becomes the day's snapshot; a move renames the
    /// repository (merging into the target if it is known already).
    async fn record_repo_check(&self, check: &RepoCheck) -> Result<()>;

    /// A paper's repositories with their latest counts.
    async fn paper_repos(&self, id: &ArxivId) -> Result<Vec<RepoStars>>;
}
