//! Parsing arXiv's OAI-PMH responses (`https://oaipmh.arxiv.org/oai`): `ListRecords`
//! and `GetRecord` pages in the `arXivRaw`, `arXiv` and `oai_dc` metadata formats, and
//! the protocol's `<error>` replies. Pure functions over bytes: this module does no I/O
//! (the harvester fetches, this parses).
//!
//! The parser streams (quick-xml, no DOM) and never panics on input. A malformed
//! document is an [`OaiError::Xml`]; a record that is present but unusable (bad id, no
//! title, a character XML forbids...) goes to [`ListRecordsPage::rejected`] with its
//! reason and the rest of the page is still returned, so one bad record never blocks a
//! harvest.
//!
//! Input is always read as UTF-8 (arXiv serves nothing else); an `encoding` in the XML
//! declaration is ignored, and bytes that aren't UTF-8 make the document malformed.

mod arxiv;
mod dc;
pub(crate) mod fields;
mod raw;
pub(crate) mod xml;

use std::fmt;
use std::str::FromStr;

use time::Date;

use crate::Paper;
use fields::{Header, MetadataResult};
use xml::{Fatal, XmlCursor, attribute, local_name};

/// An OAI-PMH metadata format arXiv serves (the `metadataPrefix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataFormat {
    /// `arXivRaw`: every version with its date and size, the submitter, the comments.
    /// The richest format and the one to harvest.
    ArxivRaw,
    /// `arXiv`: authors split into name parts, but no version history.
    Arxiv,
    /// `oai_dc`: Dublin Core, subject names instead of category codes.
    OaiDc,
}

impl MetadataFormat {
    /// The `metadataPrefix` value: `arXivRaw`, `arXiv` or `oai_dc`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataFormat::ArxivRaw => "arXivRaw",
            MetadataFormat::Arxiv => "arXiv",
            MetadataFormat::OaiDc => "oai_dc",
        }
    }

    /// The local name of the element that holds a record's metadata in this format.
    fn root_element(self) -> &'static str {
        match self {
            MetadataFormat::ArxivRaw => "arXivRaw",
            MetadataFormat::Arxiv => "arXiv",
            MetadataFormat::OaiDc => "dc",
        }
    }
}

impl fmt::Display for MetadataFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A metadata format name that isn't `arXivRaw`, `arXiv` or `oai_dc`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown metadata format {0:?}: expected arXivRaw, arXiv or oai_dc")]
pub struct UnknownMetadataFormat(pub String);

impl FromStr for MetadataFormat {
    type Err = UnknownMetadataFormat;

    /// Accepts `arXivRaw`, `arXiv` and `oai_dc`, in any letter case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            MetadataFormat::ArxivRaw,
            MetadataFormat::Arxiv,
            MetadataFormat::OaiDc,
        ]
        .into_iter()
        .find(|f| f.as_str().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| UnknownMetadataFormat(text.chars().take(40).collect()))
    }
}

/// One page of a `ListRecords` response (or a `GetRecord` response: one record, no
/// token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRecordsPage {
    /// The `<responseDate>` text (surrounding whitespace removed), e.g.
    /// `2026-11-27T12:00:00Z`: the `from` of the next incremental harvest.
    pub response_date: String,
    /// The usable records, in document order.
    pub records: Vec<HarvestedRecord>,
    /// Records present but unusable, each with the reason.
    pub rejected: Vec<RejectedRecord>,
    /// OAI identifiers (`oai:arXiv.org:…`) of records whose header has
    /// `status="deleted"`.
    pub deleted: Vec<String>,
    /// The token for the next page; `None` when the list is complete (no token, or an
    /// empty `<resumptionToken/>`). Returned exactly as the XML carries it once
    /// unescaped (only surrounding whitespace removed): arXiv's tokens are already
    /// percent-encoded, so the caller sends this text back as is.
    pub resumption_token: Option<String>,
    /// The token's `completeListSize`, when the server gave one.
    pub complete_list_size: Option<u64>,
}

/// A usable record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarvestedRecord {
    /// The paper. Its id has no version; the title and author names have their
    /// whitespace collapsed; the abstract is trimmed, its line breaks kept; categories
    /// are primary first; `submitted_on` is the v1 date.
    ///
    /// `listed_on` is provisional: OAI-PMH doesn't say when a paper was announced, so
    /// it is set to `submitted_on` (or, for `arXiv`, the `<created>` date); the
    /// announcement reader sets the real listing date later.
    ///
    /// Versions: `arXivRaw` lists all of them with dates. `oai_dc` gives only the v1
    /// date (its second `dc:date` is the latest version's date, number unknown), so
    /// `versions` holds v1 alone. `arXiv` gives no version numbers at all: `versions`
    /// is empty and `submitted_on` is its `<created>` date (see [`parse_list_records`]).
    pub paper: Paper,
    /// The header's datestamp: when arXiv last modified the record.
    pub datestamp: Date,
    /// Whether the current version is a withdrawal. `arXivRaw`: the latest version's
    /// `<source_type>` contains `I` (arXiv's flag for a withdrawn version), or that
    /// version is `0kb` *and* the comments or abstract say the paper has been
    /// withdrawn. `arXiv` and `oai_dc` carry no version data, so there the comment
    /// alone decides: it starts with "withdrawn" or says "has/have been withdrawn".
    pub withdrawn: bool,
    /// The licence URI, when the format carries one (`arXivRaw`, `arXiv`).
    pub license: Option<String>,
    /// The submitter's name (`arXivRaw`). E-mail addresses are never kept: from
    /// `Name <mail>` only the name remains, and a bare address gives `None`.
    pub submitter: Option<String>,
}

/// A record that was present but couldn't be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRecord {
    /// The OAI identifier from the header (or, for the Atom API, the entry's id);
    /// empty when the record had none.
    pub identifier: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Why a response couldn't be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OaiError {
    /// The server answered with an OAI-PMH `<error code="…">` (the first one, when
    /// there are several).
    #[error("the OAI-PMH server answered with error {code}: {message}")]
    Protocol {
        /// The error code, e.g. `noRecordsMatch` or `badResumptionToken`.
        code: String,
        /// The server's explanation.
        message: String,
    },
    /// The response isn't a readable OAI-PMH document: malformed or truncated XML,
    /// not UTF-8, another root element (an HTML page), no `ListRecords`/`GetRecord`.
    #[error("unreadable OAI-PMH response: {0}")]
    Xml(String),
}

impl OaiError {
    /// `noRecordsMatch`: the request is fine but selects nothing (a success with zero
    /// records for a harvester).
    pub fn is_no_records_match(&self) -> bool {
        self.has_code("noRecordsMatch")
    }

    /// `badResumptionToken`: the token expired or is invalid; restart the window.
    pub fn is_bad_resumption_token(&self) -> bool {
        self.has_code("badResumptionToken")
    }

    fn has_code(&self, wanted: &str) -> bool {
        matches!(self, OaiError::Protocol { code, .. } if code == wanted)
    }
}

impl From<Fatal> for OaiError {
    fn from(fatal: Fatal) -> Self {
        OaiError::Xml(fatal.0)
    }
}

/// Parses a `ListRecords` page. A `GetRecord` response is accepted too (one record,
/// no token), so either verb's reply can go through here.
///
/// `format` is the `metadataPrefix` that was requested: a record in another format is
/// rejected with a reason. For `arXiv`, `<created>` is taken as the submission date
/// as arXiv's schema documents it, but note that the 2026 server emits the *current*
/// version's date there (1101.0600, 25 versions: `2014-10-22`, while v1 is
/// 2011-01-03); harvest `arXivRaw` for exact dates.
pub fn parse_list_records(xml: &[u8], format: MetadataFormat) -> Result<ListRecordsPage, OaiError> {
    let mut doc = XmlCursor::new(xml)?;
    let root = doc.root()?;
    if local_name(&root) != "OAI-PMH" {
        return Err(OaiError::Xml(format!(
            "expected an <OAI-PMH> document, found <{}>",
            shorten(root.name().0)
        )));
    }
    let mut page = ListRecordsPage {
        response_date: String::new(),
        records: Vec::new(),
        rejected: Vec::new(),
        deleted: Vec::new(),
        resumption_token: None,
        complete_list_size: None,
    };
    let mut error = None;
    let mut has_list = false;
    while let Some(element) = doc.child()? {
        match local_name(&element) {
            "responseDate" => page.response_date = doc.text()?.trim().to_owned(),
            "error" => {
                let code = attribute(&element, "code").unwrap_or_default();
                let message = crate::record::collapse_whitespace(&doc.text()?);
                error.get_or_insert(OaiError::Protocol { code, message });
            }
            "ListRecords" | "GetRecord" => {
                has_list = true;
                read_list(&mut doc, format, &mut page)?;
            }
            _ => doc.skip()?,
        }
    }
    if let Some(error) = error {
        return Err(error);
    }
    if !has_list {
        return Err(OaiError::Xml(
            "the response holds neither ListRecords nor GetRecord".to_owned(),
        ));
    }
    if page.response_date.is_empty() {
        return Err(OaiError::Xml("the response has no responseDate".to_owned()));
    }
    Ok(page)
}

/// Parses a `GetRecord` response: `Ok(None)` when the record is deleted or unusable
/// (use [`parse_list_records`], which accepts `GetRecord` too, to learn why).
pub fn parse_get_record(
    xml: &[u8],
    format: MetadataFormat,
) -> Result<Option<HarvestedRecord>, OaiError> {
    let page = parse_list_records(xml, format)?;
    Ok(page.records.into_iter().next())
}

/// The children of `<ListRecords>` / `<GetRecord>`: records and the token.
fn read_list(
    doc: &mut XmlCursor<'_>,
    format: MetadataFormat,
    page: &mut ListRecordsPage,
) -> Result<(), Fatal> {
    while let Some(element) = doc.child()? {
        match local_name(&element) {
            "record" => match read_record(doc, format)? {
                Outcome::Harvested(record) => page.records.push(*record),
                Outcome::Deleted(identifier) => page.deleted.push(identifier),
                Outcome::Rejected(rejected) => page.rejected.push(rejected),
            },
            "resumptionToken" => {
                page.complete_list_size =
                    attribute(&element, "completeListSize").and_then(|s| s.trim().parse().ok());
                let token = doc.text()?;
                page.resumption_token = xml::non_empty(&token);
            }
            _ => doc.skip()?,
        }
    }
    Ok(())
}

/// What became of one `<record>`.
enum Outcome {
    Harvested(Box<HarvestedRecord>),
    Deleted(String),
    Rejected(RejectedRecord),
}

fn read_record(doc: &mut XmlCursor<'_>, format: MetadataFormat) -> Result<Outcome, Fatal> {
    let _stale = doc.take_problem();
    let mut header = None;
    let mut metadata = None;
    while let Some(element) = doc.child()? {
        match local_name(&element) {
            "header" => header = Some(Header::read(doc, &element)?),
            "metadata" => metadata = Some(read_metadata(doc, format)?),
            _ => doc.skip()?,
        }
    }
    let problem = doc.take_problem();
    let Some(header) = header else {
        return Ok(reject(String::new(), "the record has no header".to_owned()));
    };
    if header.deleted {
        return Ok(Outcome::Deleted(header.identifier));
    }
    if let Some(problem) = problem {
        return Ok(reject(
            header.identifier,
            format!("its text holds {problem}"),
        ));
    }
    let fields = match metadata {
        None => Err("the record has no metadata".to_owned()),
        Some(result) => result,
    };
    let built = fields.and_then(|f| fields::build(&header, f));
    Ok(match built {
        Ok(record) => Outcome::Harvested(Box::new(record)),
        Err(reason) => reject(header.identifier, reason),
    })
}

/// The format-specific element inside `<metadata>`.
fn read_metadata(doc: &mut XmlCursor<'_>, format: MetadataFormat) -> Result<MetadataResult, Fatal> {
    let mut result = Err("the metadata element is empty".to_owned());
    let mut seen = false;
    while let Some(element) = doc.child()? {
        let name = local_name(&element);
        if seen {
            doc.skip()?;
        } else if name != format.root_element() {
            result = Err(format!(
                "its metadata is <{}>, not the {format} format that was requested",
                shorten(name)
            ));
            doc.skip()?;
        } else {
            result = match format {
                MetadataFormat::ArxivRaw => raw::read(doc)?,
                MetadataFormat::Arxiv => arxiv::read(doc)?,
                MetadataFormat::OaiDc => dc::read(doc)?,
            };
        }
        seen = true;
    }
    Ok(result)
}

fn reject(identifier: String, reason: String) -> Outcome {
    Outcome::Rejected(RejectedRecord { identifier, reason })
}

/// At most 60 characters of `text`, for messages.
fn shorten(text: &str) -> String {
    text.chars().take(60).collect()
}
