//! E-mail digests' storage (issue #6): subscribers with their preferences and
//! double-opt-in state, confirmation tokens, one digest per subscriber and period, and
//! the outbox that senders claim. A part of [`crate::Store`]; every backend passes the
//! contract tests in `contract::digests`.
//!
//! Exactly once: a digest row (unique per subscriber and period) and its outbox row are
//! written in one transaction; a sender claims outbox rows with a lease, sends, then
//! records the outcome only while it still holds the claim. A claim whose sender died
//! expires and another sender takes the row over; the only way a message goes twice is
//! a sender dying after the SMTP server accepted it and before the outcome was recorded.

use async_trait::async_trait;
use paperstand_core::ArxivId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Result, UserId};

/// A subscriber's row id.
pub type SubscriberId = i64;

/// Where a subscriber stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriberStatus {
    /// Asked for digests, has not confirmed the address: gets nothing.
    Pending,
    /// Confirmed: gets digests.
    Active,
    /// Unsubscribed: gets nothing until a new confirmation.
    Unsubscribed,
    /// Too many permanent delivery failures: gets nothing until a new confirmation.
    Bouncing,
}

impl SubscriberStatus {
    /// The status as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberStatus::Pending => "pending",
            SubscriberStatus::Active => "active",
            SubscriberStatus::Unsubscribed => "unsubscribed",
            SubscriberStatus::Bouncing => "bouncing",
        }
    }

    /// The status stored as `text`.
    pub fn parse(text: &str) -> Option<SubscriberStatus> {
        [
            SubscriberStatus::Pending,
            SubscriberStatus::Active,
            SubscriberStatus::Unsubscribed,
            SubscriberStatus::Bouncing,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// How often digests come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// On every arXiv announcement day (Monday to Friday).
    Daily,
    /// Once a week, on the chosen day.
    Weekly,
}

/// What to do in a period with nothing new.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmptyPolicy {
    /// Send a short note saying there was nothing new.
    Note,
    /// Send nothing.
    Skip,
}

/// The message's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailFormat {
    /// `multipart/alternative`: text and HTML.
    Html,
    /// Plain text only.
    Text,
}

/// What a subscriber wants. Stored as JSON: new fields need a serde default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Daily or weekly.
    pub frequency: Frequency,
    /// For weekly digests: the day, 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Local hour of sending, 0–23.
    pub hour: u8,
    /// IANA time zone name (`Europe/Berlin`), `UTC` by default.
    pub time_zone: String,
    /// Papers in the trending section; 0 leaves it out.
    pub trending: u32,
    /// Categories (`cs.CL`) or archives (`cs`) with a section each: the period's new
    /// papers there, best first.
    pub categories: Vec<String>,
    /// Papers per category section.
    pub per_category: u32,
    /// Saved topics (library issue) with a section each.
    pub topics: Vec<i64>,
    /// Papers in the "picked for you" section (library issue); 0 leaves it out.
    pub picks: u32,
    /// Periods with nothing new.
    pub empty: EmptyPolicy,
    /// HTML and text, or text only.
    pub format: MailFormat,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            frequency: Frequency::Daily,
            weekday: 1,
            hour: 7,
            time_zone: "UTC".to_owned(),
            trending: 10,
            categories: Vec::new(),
            per_category: 5,
            topics: Vec::new(),
            picks: 0,
            empty: EmptyPolicy::Note,
            format: MailFormat::Html,
        }
    }
}

/// A subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    /// Row id.
    pub id: SubscriberId,
    /// The address as given (trimmed). Never logged.
    pub email: String,
    /// The member who subscribed from their account, if any.
    pub user: Option<UserId>,
    /// Double opt-in state.
    pub status: SubscriberStatus,
    /// What they want.
    pub preferences: Preferences,
    /// When they first asked.
    pub created_at: OffsetDateTime,
    /// When they last confirmed.
    pub confirmed_at: Option<OffsetDateTime>,
    /// Permanent delivery failures since the last success.
    pub bounces: u32,
}

/// What [`Digests::subscribe`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscribeOutcome {
    /// The address must confirm: the token is stored (new or not yet confirmed,
    /// unsubscribed or bouncing before).
    ConfirmationNeeded(Subscriber),
    /// Active at once (a member's verified address and no token asked for).
    Active(Subscriber),
    /// Already active: nothing changed (the caller may mail a manage link).
    AlreadyActive(Subscriber),
}

/// One paper in a digest and the section that chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    /// The paper.
    pub id: ArxivId,
    /// The section key (`trending`, `cat:cs.CL`, `topic:3`, `picks`).
    pub section: String,
    /// Why, for personal picks ("close to: …"); empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// What a digest holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestKind {
    /// Papers.
    Papers,
    /// A short note: nothing new in the period.
    Note,
    /// Nothing new and the subscriber skips such periods: recorded, never sent.
    Skipped,
}

impl DigestKind {
    /// The kind as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestKind::Papers => "papers",
            DigestKind::Note => "note",
            DigestKind::Skipped => "skipped",
        }
    }

    /// The kind stored as `text`.
    pub fn parse(text: &str) -> Option<DigestKind> {
        [DigestKind::Papers, DigestKind::Note, DigestKind::Skipped]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A digest to record (with its outbox row unless skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDigest {
    /// For whom.
    pub subscriber: SubscriberId,
    /// The period's key (`day:2026-11-27`, `week:2026-11-30`).
    pub period: String,
    /// What it holds.
    pub kind: DigestKind,
    /// The papers, in order.
    pub items: Vec<DigestItem>,
    /// The message's `Message-ID` (without angle brackets): the same on every attempt.
    pub message_id: String,
}

/// A built digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Row id.
    pub id: i64,
    /// For whom.
    pub subscriber: SubscriberId,
    /// The period's key.
    pub period: String,
    /// What it holds.
    pub kind: DigestKind,
    /// The papers, in order.
    pub items: Vec<DigestItem>,
    /// Its `Message-ID`.
    pub message_id: String,
    /// When it was built.
    pub created_at: OffsetDateTime,
}

/// An outbox row's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Waiting for a sender (maybe after a transient failure, until `next_attempt_at`).
    Pending,
    /// Claimed by a sender until its claim expires.
    Sending,
    /// Accepted by the SMTP server.
    Sent,
    /// Not sent: a permanent failure or too many transient ones.
    Failed,
    /// Not sent: the subscriber left (or bounced) before it went.
    Suppressed,
}

impl OutboxState {
    /// The state as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Suppressed => "suppressed",
        }
    }
}

/// A claimed outbox row with what the sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// The outbox row.
    pub id: i64,
    /// Failed attempts so far (a claim taken over after a crash is not one).
    pub attempts: u32,
    /// The digest.
    pub digest: Digest,
    /// Its subscriber as of the claim.
    pub subscriber: Subscriber,
}

/// How one send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The server accepted it.
    Sent,
    /// Not sent because the subscriber is no longer active.
    Suppressed,
    /// A transient failure: try again at the given time.
    Retry {
        /// When.
        at: OffsetDateTime,
        /// What happened (no address in it).
        error: String,
    },
    /// Given up: a permanent failure (counts as a bounce) or too many transient ones.
    Failed {
        /// What happened.
        error: String,
        /// A permanent refusal: counts against the address.
        permanent: bool,
    },
}

/// How many outbox rows are in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct OutboxCounts {
    /// Waiting.
    pub pending: u64,
    /// Claimed.
    pub sending: u64,
    /// Accepted by the server.
    pub sent: u64,
    /// Given up.
    pub failed: u64,
    /// Subscriber left before sending.
    pub suppressed: u64,
}

/// A subscriber's recent digests: the periods already built and the papers already sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestHistory {
    /// Whose.
    pub subscriber: SubscriberId,
    /// The period.
    pub period: String,
    /// The papers it held.
    pub papers: Vec<ArxivId>,
}

/// The digests' storage.
#[async_trait]
pub trait Digests: Send + Sync {
    /// Asks for digests to `email` (trimmed; unique without regard to case). With a
    /// `confirm` token hash the subscription waits for it (a new token replaces an
    /// unused one; preferences are replaced only for a subscriber not yet active);
    /// without, it is active at once. An active subscriber stays as it is.
    async fn subscribe(
        &self,
        email: &str,
        user: Option<UserId>,
        preferences: &Preferences,
        confirm: Option<(&str, OffsetDateTime)>,
        now: OffsetDateTime,
    ) -> Result<SubscribeOutcome>;

    /// Uses a confirmation token: unused and unexpired, it makes its subscriber active
    /// and is spent. `None` for an unknown, used or expired token.
    async fn confirm_subscription(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Subscriber>>;

    /// A subscriber by id.
    async fn subscriber(&self, id: SubscriberId) -> Result<Option<Subscriber>>;

    /// A subscriber by address (case ignored).
    async fn subscriber_by_email(&self, email: &str) -> Result<Option<Subscriber>>;

    /// Replaces a subscriber's preferences; false when there is no such subscriber.
    async fn set_preferences(&self, id: SubscriberId, preferences: &Preferences) -> Result<bool>;

    /// Unsubscribes: no digest goes to them any more, and their unsent outbox rows are
    /// suppressed at once. False when they were not active or pending.
    async fn unsubscribe(&self, id: SubscriberId, now: OffsetDateTime) -> Result<bool>;

    /// Up to `limit` active subscribers with ids after `after`, in id order.
    async fn active_subscribers(&self, after: SubscriberId, limit: u32) -> Result<Vec<Subscriber>>;

    /// How many subscribers there are in each status.
    async fn count_subscribers(&self) -> Result<Vec<(SubscriberStatus, u64)>>;

    /// The digests built for these subscribers since `since`.
    async fn digest_history(
        &self,
        subscribers: &[SubscriberId],
        since: OffsetDateTime,
    ) -> Result<Vec<DigestHistory>>;

    /// Records digests, each with an outbox row unless skipped, each digest in the same
    /// transaction as its outbox row. A digest for a subscriber and period that exists
    /// is left as it is. Returns how many were new.
    async fn insert_digests(&self, digests: &[NewDigest], now: OffsetDateTime) -> Result<u64>;

    /// A subscriber's digest for a period.
    async fn digest(&self, subscriber: SubscriberId, period: &str) -> Result<Option<Digest>>;

    /// Claims up to `limit` outbox rows for `owner` until `now + lease`: rows waiting and
    /// due by `due_by` (a run passes its start, so that what it deferred waits for the
    /// next run), and rows whose claim expired by `now`. Rows of subscribers no longer
    /// active are suppressed instead of claimed. Rows are claimed oldest first; two owners
    /// never hold the same row.
    async fn claim_outbox(
        &self,
        owner: &str,
        now: OffsetDateTime,
        due_by: OffsetDateTime,
        lease: std::time::Duration,
        limit: u32,
    ) -> Result<Vec<OutboxItem>>;

    /// Records how sending a claimed row ended; false (and nothing changed) when `owner`
    /// no longer holds the claim. A permanent failure counts a bounce against the
    /// subscriber, who is marked bouncing at `bounce_limit` bounces; a success resets the
    /// count.
    async fn record_send(
        &self,
        outbox: i64,
        owner: &str,
        outcome: &SendOutcome,
        bounce_limit: u32,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// How many outbox rows are in each state.
    async fn outbox_counts(&self) -> Result<OutboxCounts>;
}
