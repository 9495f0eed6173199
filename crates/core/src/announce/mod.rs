//! Parsing arXiv's daily announcement feeds: the per-category listings at
//! `https://rss.arxiv.org/rss/cs.LG+cs.CL` (RSS 2.0) and `…/atom/…` (Atom), which say
//! which papers were announced on a day and why (`new`, `cross`, `replace`,
//! `replace-cross`). Their job in Paperstand is the **listing date**: the day a paper
//! entered the daily listing. Pure functions over bytes: this module does no I/O.
//!
//! Both layouts carry the same data and go through the same code: element names are
//! matched by local name, so `<dc:creator>` / `<author><name>`, `<category>cs.LG` /
//! `<category term="cs.LG"/>`, `<link>URL` / `<link href=URL/>`, `<description>` /
//! `<summary>` and `<guid>` / `<id>` are read alike.
//!
//! Like the OAI-PMH and Atom API parsers it streams, never panics on input, reads the
//! input as UTF-8 whatever it declares, and sets an unusable item aside in
//! [`AnnouncementFeed::rejected`] (with the reason) instead of failing the feed. A feed
//! without items is a normal result: arXiv announces nothing on weekends and holidays.

mod item;
mod text;

use std::fmt;
use std::str::FromStr;

use time::Date;

use crate::Paper;
pub use crate::oai::RejectedRecord;
use crate::oai::xml::{Fatal, XmlCursor, local_name};
use item::RawItem;
use text::local_day;

/// Why a paper appears in the day's listing (`<arxiv:announce_type>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnnounceType {
    /// `new`: first announcement, in its primary category.
    New,
    /// `cross`: a new paper cross-listed into this category from another primary.
    Cross,
    /// `replace`: a new version of a paper announced earlier.
    Replace,
    /// `replace-cross`: a new version of a paper cross-listed into this category.
    ReplaceCross,
}

impl AnnounceType {
    /// The feed's spelling: `new`, `cross`, `replace` or `replace-cross`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnnounceType::New => "new",
            AnnounceType::Cross => "cross",
            AnnounceType::Replace => "replace",
            AnnounceType::ReplaceCross => "replace-cross",
        }
    }

    /// Whether this is the paper's first announcement (`new` or `cross`), as opposed
    /// to a replacement of one announced earlier.
    pub fn is_first_listing(self) -> bool {
        matches!(self, AnnounceType::New | AnnounceType::Cross)
    }
}

impl fmt::Display for AnnounceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An announce type other than `new`, `cross`, `replace` and `replace-cross`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown announce type {0:?}: expected new, cross, replace or replace-cross")]
pub struct UnknownAnnounceType(pub String);

impl FromStr for AnnounceType {
    type Err = UnknownAnnounceType;

    /// Accepts the four spellings the feed uses, in any letter case, trimmed.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            AnnounceType::New,
            AnnounceType::Cross,
            AnnounceType::Replace,
            AnnounceType::ReplaceCross,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| UnknownAnnounceType(text.trim().chars().take(40).collect()))
    }
}

/// One item of the feed: a paper and why it was listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The paper, validated like every other source (through
    /// [`PaperRecord::into_paper`](crate::record::PaperRecord::into_paper)): its id
    /// without version; the title mojibake-repaired and whitespace-collapsed; the
    /// abstract is the description's text after `Abstract:`, trimmed; the authors from
    /// `<author><name>`s or, without them, the `dc:creator` list split into names;
    /// categories in feed order (primary first); comment, DOI and journal reference
    /// when given; code links extracted from abstract and comment.
    ///
    /// `listed_on` and `last_listed_on` are both the announcement day, **whatever the
    /// type**. For `new` and `cross` that is the listing date. For `replace` and
    /// `replace-cross` the paper was first listed earlier, on a day this feed doesn't
    /// give: a caller that already holds the paper keeps its `listed_on` and takes
    /// only `last_listed_on`; one that doesn't may keep the day as a stand-in.
    /// `versions` is empty and `submitted_on` is `None`: the feed gives no
    /// submission dates.
    pub paper: Paper,
    /// The version announced (`oai:arXiv.org:2602.17598v2` → 2), when given.
    pub version: Option<u32>,
    /// Why it was listed.
    pub announce_type: AnnounceType,
    /// The licence URI (`<dc:rights>` / `<rights>`), when given.
    pub license: Option<String>,
}

/// A parsed feed: one day's announcements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementFeed {
    /// The announcement day: the calendar date of the channel's `<pubDate>` (else
    /// `<lastBuildDate>`), or of the Atom feed's `<published>` (else `<updated>`), in
    /// the offset it is written in (arXiv writes US Eastern midnight:
    /// `Fri, 20 Feb 2026 00:00:00 -0500` is 2026-02-20). `None` when the feed gives
    /// no readable date; each item then falls back to its own date.
    pub day: Option<Date>,
    /// The usable items, in feed order. Empty on days without announcements.
    pub announcements: Vec<Announcement>,
    /// Items present but unusable (the identifier is the item's guid / id, else its
    /// link; empty when it has neither).
    pub rejected: Vec<RejectedRecord>,
}

/// Why a feed couldn't be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnounceError {
    /// Not a readable RSS or Atom document: malformed or truncated XML, not UTF-8,
    /// another root element (an HTML page), an RSS document without a channel.
    #[error("unreadable arXiv announcement feed: {0}")]
    Xml(String),
}

impl From<Fatal> for AnnounceError {
    fn from(fatal: Fatal) -> Self {
        AnnounceError::Xml(fatal.0)
    }
}

/// Parses one announcement feed, RSS 2.0 (`<rss><channel>`) or Atom (`<feed>`).
pub fn parse_announcements(xml: &[u8]) -> Result<AnnouncementFeed, AnnounceError> {
    let mut doc = XmlCursor::new(xml)?;
    let root = doc.root()?;
    let listing = match local_name(&root) {
        "rss" => read_rss(&mut doc)?,
        "feed" => read_listing(&mut doc, &["published", "updated"])?,
        _ => {
            let name: String = root.name().0.chars().take(60).collect();
            return Err(AnnounceError::Xml(format!(
                "expected an RSS <rss> or Atom <feed> document, found <{name}>"
            )));
        }
    };
    Ok(listing.build())
}

/// The `<rss>` root: its `<channel>` (the first; RSS has one).
fn read_rss(doc: &mut XmlCursor<'_>) -> Result<Listing, Fatal> {
    let mut listing = None;
    while let Some(element) = doc.child()? {
        if local_name(&element) == "channel" && listing.is_none() {
            listing = Some(read_listing(doc, &["pubDate", "lastBuildDate"])?);
        } else {
            doc.skip()?;
        }
    }
    listing.ok_or_else(|| Fatal("the RSS document has no <channel>".to_owned()))
}

/// The feed as read, before the items are validated (the day may come after them).
#[derive(Debug, Default)]
struct Listing {
    /// The day elements' texts, by preference (`date_fields` order).
    dates: Vec<Option<String>>,
    items: Vec<RawItem>,
}

/// Reads a `<channel>` or `<feed>`: its day elements (named in `date_fields`, most
/// preferred first) and its `<item>`s / `<entry>`s.
fn read_listing(doc: &mut XmlCursor<'_>, date_fields: &[&str]) -> Result<Listing, Fatal> {
    let mut listing = Listing {
        dates: vec![None; date_fields.len()],
        items: Vec::new(),
    };
    while let Some(element) = doc.child()? {
        let name = local_name(&element);
        if name == "item" || name == "entry" {
            listing.items.push(RawItem::read(doc)?);
        } else if let Some(slot) = date_fields.iter().position(|f| *f == name) {
            let text = doc.text()?.into_owned();
            listing.dates[slot].get_or_insert(text);
        } else {
            doc.skip()?;
        }
    }
    Ok(listing)
}

impl Listing {
    /// Finds the day and validates every item.
    fn build(self) -> AnnouncementFeed {
        let day = self.dates.iter().flatten().find_map(|text| local_day(text));
        let mut feed = AnnouncementFeed {
            day,
            announcements: Vec::with_capacity(self.items.len()),
            rejected: Vec::new(),
        };
        for raw in self.items {
            match raw.into_announcement(day) {
                Ok(announcement) => feed.announcements.push(announcement),
                Err(rejected) => feed.rejected.push(rejected),
            }
        }
        feed
    }
}
