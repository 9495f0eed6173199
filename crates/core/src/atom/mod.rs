//! Parsing the arXiv API's Atom responses (`https://export.arxiv.org/api/query`), in
//! both layouts: the current one (2026: namespaces declared on the root, https links,
//! `<arxiv:primary_category term=…/>`) and the legacy one (2016: namespaces declared
//! on each element, http links, a `<link title="doi">`). Pure functions over bytes:
//! this module does no I/O.
//!
//! Like the OAI-PMH parser it streams, never panics on input, reads the input as
//! UTF-8 whatever it declares, and sets an unusable entry aside in
//! [`AtomFeed::rejected`] instead of failing the feed. Author names and titles get a
//! conservative mojibake repair ([`repair_mojibake`]).

mod mojibake;

use time::Date;

pub use crate::oai::RejectedRecord;
pub use mojibake::repair_mojibake;

use crate::oai::xml::{Fatal, XmlCursor, attribute, local_name, non_empty};
use crate::record::{PaperRecord, VersionRecord, format_date};
use crate::{ArxivId, Paper};

/// One page of API results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtomFeed {
    /// `opensearch:totalResults`: matches in all pages.
    pub total_results: Option<u64>,
    /// `opensearch:startIndex`: the offset of this page.
    pub start_index: Option<u64>,
    /// `opensearch:itemsPerPage`: the page size asked for.
    pub items_per_page: Option<u64>,
    /// The usable entries, in feed order.
    pub entries: Vec<AtomEntry>,
    /// Entries present but unusable (the identifier is the entry's `<id>`).
    pub rejected: Vec<RejectedRecord>,
}

/// One paper of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtomEntry {
    /// The paper, its id without version. `versions` holds v1 with the `<published>`
    /// date and, when the entry's id names a later version vN, vN with the
    /// `<updated>` date; it is empty when the id names no version. `submitted_on` is
    /// the `<published>` date; `listed_on` is provisionally the same (the
    /// announcement reader sets the real listing date).
    pub paper: Paper,
    /// The version the entry's id names (`2005.14124v2` → 2).
    pub version: Option<u32>,
    /// The `<updated>` day (UTC): when this version was submitted.
    pub updated: Date,
    /// The `<published>` day (UTC): when v1 was submitted.
    pub published: Date,
    /// The PDF link (`<link title="pdf">`), as given.
    pub pdf_url: Option<String>,
}

/// Why a response couldn't be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AtomError {
    /// The API's error feed: one entry titled "Error" whose id is
    /// `…/api/errors#…`; `message` is its summary ("incorrect id format for abc").
    #[error("the arXiv API answered with an error: {message}")]
    Api {
        /// The API's explanation.
        message: String,
    },
    /// Not a readable Atom feed: malformed or truncated XML, not UTF-8, another root
    /// element (an HTML page).
    #[error("unreadable arXiv API response: {0}")]
    Xml(String),
}

impl From<Fatal> for AtomError {
    fn from(fatal: Fatal) -> Self {
        AtomError::Xml(fatal.0)
    }
}

/// Parses one API response. The empty result (`totalResults` 0) is `Ok` with no
/// entries; the error feed is [`AtomError::Api`].
pub fn parse_feed(xml: &[u8]) -> Result<AtomFeed, AtomError> {
    let mut doc = XmlCursor::new(xml)?;
    let root = doc.root()?;
    if local_name(&root) != "feed" {
        let name: String = root.name().0.chars().take(60).collect();
        return Err(AtomError::Xml(format!(
            "expected an Atom <feed>, found <{name}>"
        )));
    }
    let mut feed = AtomFeed {
        total_results: None,
        start_index: None,
        items_per_page: None,
        entries: Vec::new(),
        rejected: Vec::new(),
    };
    let mut api_error = None;
    while let Some(element) = doc.child()? {
        match local_name(&element) {
            "totalResults" => feed.total_results = doc.text()?.trim().parse().ok(),
            "startIndex" => feed.start_index = doc.text()?.trim().parse().ok(),
            "itemsPerPage" => feed.items_per_page = doc.text()?.trim().parse().ok(),
            "entry" => {
                let _stale = doc.take_problem();
                let raw = RawEntry::read(&mut doc)?;
                if raw.is_api_error() {
                    api_error.get_or_insert(raw.error_message());
                    continue;
                }
                match doc.take_problem() {
                    Some(problem) => feed.rejected.push(RejectedRecord {
                        identifier: raw.id.unwrap_or_default(),
                        reason: format!("its text holds {problem}"),
                    }),
                    None => match raw.into_entry() {
                        Ok(entry) => feed.entries.push(entry),
                        Err(rejected) => feed.rejected.push(rejected),
                    },
                }
            }
            _ => doc.skip()?,
        }
    }
    match api_error {
        Some(message) => Err(AtomError::Api { message }),
        None => Ok(feed),
    }
}

/// An `<entry>` as written.
#[derive(Debug, Default)]
struct RawEntry {
    id: Option<String>,
    title: Option<String>,
    summary: Option<String>,
    authors: Vec<String>,
    published: Option<String>,
    updated: Option<String>,
    primary_category: Option<String>,
    categories: Vec<String>,
    comment: Option<String>,
    journal_ref: Option<String>,
    doi: Option<String>,
    doi_link: Option<String>,
    pdf_url: Option<String>,
}

impl RawEntry {
    /// Reads the entry the cursor has just entered.
    fn read(doc: &mut XmlCursor<'_>) -> Result<RawEntry, Fatal> {
        let mut raw = RawEntry::default();
        while let Some(element) = doc.child()? {
            match local_name(&element) {
                "author" => raw.read_author(doc)?,
                "category" => {
                    raw.categories.extend(attribute(&element, "term"));
                    doc.skip()?;
                }
                "primary_category" => {
                    raw.primary_category = attribute(&element, "term");
                    doc.skip()?;
                }
                "link" => {
                    raw.take_link(&element);
                    doc.skip()?;
                }
                name => {
                    let text = doc.text()?.into_owned();
                    let slot = match name {
                        "id" => &mut raw.id,
                        "title" => &mut raw.title,
                        "summary" => &mut raw.summary,
                        "published" => &mut raw.published,
                        "updated" => &mut raw.updated,
                        "comment" => &mut raw.comment,
                        "journal_ref" => &mut raw.journal_ref,
                        "doi" => &mut raw.doi,
                        _ => continue,
                    };
                    *slot = Some(text);
                }
            }
        }
        Ok(raw)
    }

    fn read_author(&mut self, doc: &mut XmlCursor<'_>) -> Result<(), Fatal> {
        read_author_name(doc, &mut self.authors)
    }

    /// The PDF link and the legacy layout's DOI link.
    fn take_link(&mut self, element: &quick_xml::events::BytesStart<'_>) {
        let Some(href) = attribute(element, "href") else {
            return;
        };
        match attribute(element, "title").as_deref() {
            Some("pdf") => self.pdf_url = Some(href),
            Some("doi") => self.doi_link = Some(href),
            _ => {}
        }
    }

    fn is_api_error(&self) -> bool {
        self.id
            .as_deref()
            .is_some_and(|id| id.contains("/api/errors"))
    }

    fn error_message(&self) -> String {
        let text = self.summary.as_deref().or(self.title.as_deref());
        text.map(crate::record::collapse_whitespace)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "unspecified error".to_owned())
    }

    /// Validates the entry (through [`PaperRecord::into_paper`]).
    fn into_entry(self) -> Result<AtomEntry, RejectedRecord> {
        let identifier = self
            .id
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        let reject = |reason: String| RejectedRecord {
            identifier: identifier.clone(),
            reason,
        };
        let id: ArxivId = identifier.parse().map_err(|e| reject(format!("{e}")))?;
        let published = day(self.published.as_deref(), "published").map_err(&reject)?;
        let updated = day(self.updated.as_deref(), "updated").map_err(&reject)?;
        let version = id.version();
        let mut versions = Vec::new();
        if let Some(n) = version {
            versions.push(version_record(1, published));
            if n > 1 {
                versions.push(version_record(n, updated));
            }
        }
        let mut categories: Vec<String> = self.primary_category.into_iter().collect();
        categories.extend(self.categories);
        let doi = self
            .doi
            .or_else(|| self.doi_link.as_deref().map(doi_from_url));
        let record = PaperRecord {
            id: Some(id.base().to_owned()),
            title: self
                .title
                .as_deref()
                .map(|t| repair_mojibake(t).into_owned()),
            abstract_text: self.summary,
            categories: Some(categories),
            authors: Some(self.authors),
            comment: self.comment,
            journal_ref: self.journal_ref,
            doi,
            submitted: Some(format_date(published)),
            versions: Some(versions),
            ..PaperRecord::default()
        };
        // The parser has no clock: plausibility of future dates is the caller's concern.
        let paper = record
            .into_paper(Date::MAX)
            .map_err(|e| reject(e.to_string()))?;
        Ok(AtomEntry {
            paper,
            version,
            updated,
            published,
            pdf_url: self.pdf_url.as_deref().and_then(non_empty),
        })
    }
}

fn version_record(version: u32, date: Date) -> VersionRecord {
    VersionRecord {
        version,
        date: format_date(date),
    }
}

/// A timestamp element as a UTC day, or the rejection reason.
fn day(text: Option<&str>, field: &str) -> Result<Date, String> {
    let text = text.ok_or_else(|| format!("it has no <{field}> date"))?;
    crate::oai::fields::rfc3339_day(text).ok_or_else(|| {
        let shown: String = text.trim().chars().take(40).collect();
        format!("its <{field}> {shown:?} is not a timestamp")
    })
}

/// `http://dx.doi.org/10.1103/X` → `10.1103/X`.
fn doi_from_url(url: &str) -> String {
    let url = url.trim();
    [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
    ]
    .iter()
    .find_map(|prefix| url.strip_prefix(prefix))
    .unwrap_or(url)
    .to_owned()
}

/// Reads an Atom `<author>` element's `<name>` (repaired when double-encoded) into `names`.
pub(crate) fn read_author_name(
    doc: &mut XmlCursor<'_>,
    names: &mut Vec<String>,
) -> Result<(), Fatal> {
    while let Some(element) = doc.child()? {
        if local_name(&element) == "name" {
            let name = doc.text()?;
            names.push(repair_mojibake(&name).into_owned());
        } else {
            doc.skip()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doi_links_lose_their_resolver() {
        assert_eq!(
            doi_from_url("http://dx.doi.org/10.1103/PhysRevB.85.115117"),
            "10.1103/PhysRevB.85.115117"
        );
        assert_eq!(doi_from_url("https://doi.org/10.1/x"), "10.1/x");
        assert_eq!(doi_from_url("10.1/x"), "10.1/x");
    }
}
