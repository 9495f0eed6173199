//! The JSON Lines record format of `paperstand import` and `paperstand export`
//! (docs/formats.md): parsing one line into a validated [`Paper`], and back.

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

use crate::{ArxivId, ArxivIdError, Paper, Version, extract_code_links};

/// Largest title accepted, in bytes (arXiv titles stay far below).
pub const MAX_TITLE_BYTES: usize = 2_000;
/// Largest abstract accepted, in bytes (arXiv caps abstracts at 1,920 characters).
pub const MAX_ABSTRACT_BYTES: usize = 20_000;
/// Largest comment, journal reference or DOI accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 5_000;
/// Most authors accepted (large collaborations list a few thousand).
pub const MAX_AUTHORS: usize = 10_000;
/// Longest author name accepted, in bytes.
pub const MAX_AUTHOR_BYTES: usize = 1_000;
/// Most categories (and, separately, classification entries) accepted.
pub const MAX_CATEGORIES: usize = 50;
/// Longest category or classification entry accepted, in bytes.
pub const MAX_CLASS_BYTES: usize = 500;

/// One line of the format, as it is on disk. Unknown fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaperRecord {
    /// arXiv id; a version suffix is accepted and dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Abstract (`summary` is accepted as an alias).
    #[serde(default, rename = "abstract", alias = "summary")]
    pub abstract_text: Option<String>,
    /// Categories, primary first.
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// Author display names, in order.
    #[serde(default)]
    pub authors: Option<Vec<String>>,
    /// The authors' comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// MSC / ACM classification codes (also accepted mixed into `categories`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
    /// Listing date (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_listed: Option<String>,
    /// Last listing date (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_listed: Option<String>,
    /// Number of listings the paper appeared in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times_listed: Option<u32>,
    /// Journal reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_ref: Option<String>,
    /// DOI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// First-submission date (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted: Option<String>,
    /// Versions with their submission dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<VersionRecord>>,
    /// True when the authors withdrew the paper (written only when true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<bool>,
}

/// One version in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    /// Version number, from 1.
    pub version: u32,
    /// Submission date (YYYY-MM-DD).
    pub date: String,
}

/// Why a line was rejected. The message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The line is not UTF-8.
    #[error("invalid UTF-8 at byte {0}")]
    InvalidUtf8(usize),
    /// The line is not a JSON object of the expected shape.
    #[error("malformed JSON: {0}")]
    Malformed(String),
    /// A required field is absent or empty.
    #[error("missing {0}")]
    Missing(&'static str),
    /// The id is not an arXiv id.
    #[error("{0}")]
    InvalidId(#[from] ArxivIdError),
    /// A field exceeds its size limit.
    #[error("{field} is {len} bytes long; the limit is {limit} bytes")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A field has more entries than allowed.
    #[error("{field} has {count} entries; the limit is {limit}")]
    TooMany {
        /// The field.
        field: &'static str,
        /// How many entries it has.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A date is not `YYYY-MM-DD`.
    #[error("{field} {value:?} is not a date of the form YYYY-MM-DD")]
    InvalidDate {
        /// The field.
        field: &'static str,
        /// The value given (shortened).
        value: String,
    },
    /// A date lies before arXiv began or too far in the future.
    #[error("{field} {date} is outside 1991-01-01 to {latest}")]
    DateOutOfRange {
        /// The field.
        field: &'static str,
        /// The date given.
        date: String,
        /// The latest date accepted.
        latest: String,
    },
    /// The versions list is inconsistent.
    #[error("versions: {0}")]
    InvalidVersions(&'static str),
}

/// Parses and validates one line of the format. `today` bounds dates: none may lie more
/// than a week after it.
pub fn parse_record(line: &[u8], today: Date) -> Result<Paper, RecordError> {
    let text = std::str::from_utf8(line).map_err(|e| RecordError::InvalidUtf8(e.valid_up_to()))?;
    let record: PaperRecord =
        serde_json::from_str(text).map_err(|e| RecordError::Malformed(e.to_string()))?;
    record.into_paper(today)
}

impl PaperRecord {
    /// Validates the record and builds the paper (code links extracted here).
    pub fn into_paper(self, today: Date) -> Result<Paper, RecordError> {
        let id_text = self
            .id
            .filter(|s| !s.trim().is_empty())
            .ok_or(RecordError::Missing("id"))?;
        let id = id_text.parse::<ArxivId>()?.without_version();
        let title = collapse_whitespace(self.title.as_deref().unwrap_or_default());
        if title.is_empty() {
            return Err(RecordError::Missing("title"));
        }
        check_len("title", &title, MAX_TITLE_BYTES)?;
        let abstract_text = self
            .abstract_text
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned();
        check_len("abstract", &abstract_text, MAX_ABSTRACT_BYTES)?;
        let comment = optional_note("comment", self.comment)?;
        let journal_ref = optional_note("journal_ref", self.journal_ref)?;
        let doi = optional_note("doi", self.doi)?;
        let authors = clean_authors(self.authors.unwrap_or_default())?;
        let mut entries = self.categories.unwrap_or_default();
        entries.extend(self.classes.unwrap_or_default());
        let (categories, classes) = split_categories(entries)?;
        let versions = clean_versions(self.versions.unwrap_or_default(), today)?;
        let submitted_on = optional_date("submitted", self.submitted.as_deref(), today)?;
        let first_listed = optional_date("first_listed", self.first_listed.as_deref(), today)?;
        let last_listed_on = optional_date("last_listed", self.last_listed.as_deref(), today)?;
        // A record without any date would get a new listing date on every import, so
        // re-importing it would never be "unchanged": it is refused instead.
        let listed_on = first_listed
            .or(submitted_on)
            .or_else(|| versions.first().map(|v| v.date))
            .ok_or(RecordError::Missing(
                "first_listed (the listing date; submitted or versions also give one)",
            ))?;
        let links = extract_code_links(&abstract_text, comment.as_deref());
        Ok(Paper {
            id,
            title,
            abstract_text,
            authors,
            categories,
            classes,
            comment,
            journal_ref,
            doi,
            versions,
            submitted_on,
            listed_on,
            last_listed_on,
            times_listed: self.times_listed,
            links,
            withdrawn: self.withdrawn.unwrap_or(false),
        })
    }

    /// The record that exports `paper`; parsing it gives the same paper back.
    pub fn from_paper(paper: &Paper) -> PaperRecord {
        PaperRecord {
            id: Some(paper.id.base().to_owned()),
            title: Some(paper.title.clone()),
            abstract_text: Some(paper.abstract_text.clone()),
            categories: Some(paper.categories.clone()),
            authors: Some(paper.authors.clone()),
            comment: paper.comment.clone(),
            classes: (!paper.classes.is_empty()).then(|| paper.classes.clone()),
            first_listed: Some(format_date(paper.listed_on)),
            last_listed: paper.last_listed_on.map(format_date),
            times_listed: paper.times_listed,
            journal_ref: paper.journal_ref.clone(),
            doi: paper.doi.clone(),
            submitted: paper.submitted_on.map(format_date),
            withdrawn: paper.withdrawn.then_some(true),
            versions: (!paper.versions.is_empty()).then(|| {
                paper
                    .versions
                    .iter()
                    .map(|v| VersionRecord {
                        version: v.version,
                        date: format_date(v.date),
                    })
                    .collect()
            }),
        }
    }
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses a `YYYY-MM-DD` date: exactly four year digits, no sign, a real calendar day.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// The earliest plausible date: arXiv opened in August 1991.
const EARLIEST_DATE: Date = time::macros::date!(1991 - 01 - 01);
/// How far past `today` a date may lie (time zones, announcement schedules).
const FUTURE_SLACK: time::Duration = time::Duration::days(7);

fn optional_date(
    field: &'static str,
    text: Option<&str>,
    today: Date,
) -> Result<Option<Date>, RecordError> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let invalid = || RecordError::InvalidDate {
        field,
        value: t.chars().take(40).collect(),
    };
    let date = parse_date(t).ok_or_else(invalid)?;
    check_date_range(field, date, today)?;
    Ok(Some(date))
}

fn check_date_range(field: &'static str, date: Date, today: Date) -> Result<(), RecordError> {
    let latest = today.saturating_add(FUTURE_SLACK);
    if date < EARLIEST_DATE || date > latest {
        return Err(RecordError::DateOutOfRange {
            field,
            date: format_date(date),
            latest: format_date(latest),
        });
    }
    Ok(())
}

fn check_len(field: &'static str, value: &str, limit: usize) -> Result<(), RecordError> {
    if value.len() > limit {
        return Err(RecordError::TooLong {
            field,
            len: value.len(),
            limit,
        });
    }
    Ok(())
}

fn optional_note(
    field: &'static str,
    value: Option<String>,
) -> Result<Option<String>, RecordError> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    check_len(field, trimmed, MAX_NOTE_BYTES)?;
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

fn clean_authors(authors: Vec<String>) -> Result<Vec<String>, RecordError> {
    if authors.len() > MAX_AUTHORS {
        return Err(RecordError::TooMany {
            field: "authors",
            count: authors.len(),
            limit: MAX_AUTHORS,
        });
    }
    let mut out = Vec::with_capacity(authors.len());
    for name in authors {
        let name = collapse_whitespace(&name);
        check_len("an author name", &name, MAX_AUTHOR_BYTES)?;
        if !name.is_empty() {
            out.push(name);
        }
    }
    Ok(out)
}

/// Separates arXiv categories (`cs.CL`, `hep-th`) from the classification text some
/// sources mix in: MSC / ACM codes (`68T05`, `I.2.7; I.2.1`) become one class each;
/// free text (`68T45 (Primary), 68T07 (Secondary)`, `Computing methodologies~…`) is
/// kept whole as one class. Real records carry all of these, so none is rejected.
fn split_categories(entries: Vec<String>) -> Result<(Vec<String>, Vec<String>), RecordError> {
    let mut categories: Vec<String> = Vec::new();
    let mut classes: Vec<String> = Vec::new();
    for entry in &entries {
        let entry = collapse_whitespace(entry);
        check_len("a category", &entry, MAX_CLASS_BYTES)?;
        let parts: Vec<&str> = entry
            .split([';', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.iter().all(|p| is_category(p) || is_class_code(p)) {
            for part in parts {
                push_unique(
                    if is_category(part) {
                        &mut categories
                    } else {
                        &mut classes
                    },
                    part,
                );
            }
        } else {
            push_unique(&mut classes, &entry);
        }
    }
    if categories.len() > MAX_CATEGORIES || classes.len() > MAX_CATEGORIES {
        let count = categories.len().max(classes.len());
        return Err(RecordError::TooMany {
            field: "categories",
            count,
            limit: MAX_CATEGORIES,
        });
    }
    Ok((categories, classes))
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|c| c == item) {
        list.push(item.to_owned());
    }
}

/// An MSC (`68T05`, `62-08`, `68Uxx`) or ACM (`I.2.7`, `K.4.2`) classification code.
fn is_class_code(code: &str) -> bool {
    let starts_ok = code.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit());
    starts_ok
        && code.len() <= 16
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// `archive` or `archive.SUBJECT`: lowercase letters and dashes, then letters and dashes.
fn is_category(text: &str) -> bool {
    let (archive, subject) = match text.split_once('.') {
        Some((a, s)) => (a, Some(s)),
        None => (text, None),
    };
    let archive_ok =
        !archive.is_empty() && archive.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    let subject_ok = subject
        .is_none_or(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'));
    text.len() <= 32 && archive_ok && subject_ok
}

fn clean_versions(versions: Vec<VersionRecord>, today: Date) -> Result<Vec<Version>, RecordError> {
    let mut out = Vec::with_capacity(versions.len());
    for v in versions {
        if v.version == 0 {
            return Err(RecordError::InvalidVersions("version numbers start at 1"));
        }
        let date = optional_date("versions[].date", Some(&v.date), today)?.ok_or(
            RecordError::InvalidDate {
                field: "versions[].date",
                value: String::new(),
            },
        )?;
        out.push(Version {
            version: v.version,
            date,
        });
    }
    out.sort_by_key(|v| v.version);
    if out.windows(2).any(|w| w[0].version == w[1].version) {
        return Err(RecordError::InvalidVersions(
            "the same version number appears twice",
        ));
    }
    Ok(out)
}

/// Collapses every run of whitespace (arXiv wraps titles and names) into one space.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 27);

    /// The first line of the shipped corpus sample, verbatim.
    const REAL_LINE: &str = r#"{"id": "2606.28710", "title": "The Two Genie Game: Adoption and Welfare in Audit-Grounded AI Governance", "abstract": "We ask under what conditions an agent\n  with a harm-minimizing policy can displace an approval-seeking agent.", "categories": ["cs.AI", "cs.GT"], "authors": ["Darrell Lewis-Sandy"], "comment": "36 pages, 3 figures. Lean 4 formalization and figure scripts: https://github.com/dlewissandy/two-genie-scripts", "first_listed": "2026-06-30", "last_listed": "2026-06-30", "times_listed": 2}"#;

    fn parse(line: &str) -> Result<Paper, RecordError> {
        parse_record(line.as_bytes(), TODAY)
    }

    #[test]
    fn parses_a_real_corpus_line() {
        let paper = parse(REAL_LINE).unwrap();
        assert_eq!(paper.id.to_string(), "2606.28710");
        assert_eq!(paper.categories, ["cs.AI", "cs.GT"]);
        assert_eq!(paper.listed_on, date!(2026 - 06 - 30));
        assert_eq!(paper.times_listed, Some(2));
        assert!(
            paper.abstract_text.contains("agent\n  with"),
            "abstract kept verbatim"
        );
    }

    #[test]
    fn export_then_parse_gives_the_same_paper() {
        let paper = parse(REAL_LINE).unwrap();
        let line = serde_json::to_string(&PaperRecord::from_paper(&paper)).unwrap();
        assert_eq!(parse(&line).unwrap(), paper);
    }

    #[test]
    fn optional_fields_round_trip() {
        let line = r#"{"id":"2503.11731v3","title":" A\n  wrapped   title ","doi":"10.1/x","journal_ref":"J. Foo 1 (2025)","submitted":"2025-03-01","versions":[{"version":2,"date":"2025-03-05"},{"version":1,"date":"2025-03-01"}]}"#;
        let paper = parse(line).unwrap();
        assert_eq!(paper.id.to_string(), "2503.11731", "version dropped");
        assert_eq!(paper.title, "A wrapped title");
        assert_eq!(
            paper.listed_on,
            date!(2025 - 03 - 01),
            "listing date falls back to submission"
        );
        assert_eq!(paper.versions[0].version, 1, "versions sorted");
        assert_eq!(paper.freshness(), date!(2025 - 03 - 05));
        let again = serde_json::to_string(&PaperRecord::from_paper(&paper)).unwrap();
        assert_eq!(parse(&again).unwrap(), paper);
    }

    #[test]
    fn a_record_needs_a_date() {
        let message = parse(r#"{"id":"2503.11731","title":"T"}"#)
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("missing first_listed"), "{message}");
        let from_versions =
            r#"{"id":"2503.11731","title":"T","versions":[{"version":1,"date":"2025-03-14"}]}"#;
        assert_eq!(
            parse(from_versions).unwrap().listed_on,
            date!(2025 - 03 - 14)
        );
    }

    #[test]
    fn dates_are_strict_and_plausible() {
        for (value, expected) in [
            ("-0001-01-01", "is not a date"),
            ("+2025-01-01", "is not a date"),
            ("2025-1-01", "is not a date"),
            ("20250101", "is not a date"),
            ("2025-02-30", "is not a date"),
            ("1990-12-31", "outside 1991-01-01 to 2026-12-04"),
            ("9999-12-31", "outside 1991-01-01 to 2026-12-04"),
        ] {
            let line = format!(r#"{{"id":"2503.11731","title":"x","first_listed":"{value}"}}"#);
            let message = parse(&line).unwrap_err().to_string();
            assert!(message.contains(expected), "{value}: {message}");
        }
        assert!(parse_date("2026-12-04").is_some());
    }

    #[test]
    fn rejects_with_reasons() {
        let long_category = format!(
            r#"{{"id":"2503.11731","first_listed":"2025-03-18","title":"x","categories":["{}"]}}"#,
            "x".repeat(600)
        );
        let cases: &[(&str, &str)] = &[
            ("not json", "malformed JSON"),
            ("[1,2]", "malformed JSON"),
            (r#"{"id":"2503.11731","title":"x""#, "malformed JSON"),
            (r#"{"title":"x"}"#, "missing id"),
            (r#"{"id":"  ","title":"x"}"#, "missing id"),
            (r#"{"id":"2503.11731"}"#, "missing title"),
            (r#"{"id":"2503.11731","title":" \n "}"#, "missing title"),
            (r#"{"id":"banana","title":"x"}"#, "is not an arXiv id"),
            (
                r#"{"id":"2503.11731","title":"x","first_listed":"2026-13-01"}"#,
                "first_listed \"2026-13-01\" is not a date",
            ),
            (
                &long_category,
                "a category is 600 bytes long; the limit is 500 bytes",
            ),
            (
                r#"{"id":"2503.11731","title":"x","authors":"Ann"}"#,
                "malformed JSON: invalid type",
            ),
            (
                r#"{"id":"2503.11731","title":"x","versions":[{"version":0,"date":"2025-01-01"}]}"#,
                "start at 1",
            ),
        ];
        for (line, expected) in cases {
            let message = parse(line).unwrap_err().to_string();
            assert!(message.contains(expected), "{line}: {message}");
        }
    }

    #[test]
    fn rejects_invalid_utf8_with_the_offset() {
        let mut line = br#"{"id":"2503.11731","title":"caf"#.to_vec();
        line.extend_from_slice(&[0xC3, 0x28]);
        line.extend_from_slice(br#""}"#);
        assert_eq!(
            parse_record(&line, TODAY).unwrap_err(),
            RecordError::InvalidUtf8(31)
        );
    }

    #[test]
    fn rejects_a_ten_megabyte_abstract() {
        let line = format!(
            r#"{{"id":"2503.11731","title":"x","abstract":"{}"}}"#,
            "a".repeat(10 * 1024 * 1024)
        );
        let message = parse(&line).unwrap_err().to_string();
        assert_eq!(
            message,
            "abstract is 10485760 bytes long; the limit is 20000 bytes"
        );
    }

    #[test]
    fn hostile_text_is_kept_as_data() {
        let line = r#"{"id":"2503.11731","first_listed":"2025-03-18","title":"<script>alert(1)</script>","comment":"javascript:alert(1)"}"#;
        let paper = parse(line).unwrap();
        assert_eq!(
            paper.title, "<script>alert(1)</script>",
            "escaping is the renderer's job"
        );
        assert!(paper.links.is_empty());
    }

    #[test]
    fn classification_codes_are_separated_from_categories() {
        // Real: the corpus lists MSC and ACM codes among the categories (lines 20, 25, 63 of the sample).
        let line = r#"{"id":"2503.11731","first_listed":"2025-03-18","title":"x","categories":["cs.CV","I.2.11; I.4.8","92C50, 68T50","cs.AI","62-08"]}"#;
        let paper = parse(line).unwrap();
        assert_eq!(paper.categories, ["cs.CV", "cs.AI"]);
        assert_eq!(
            paper.classes,
            ["I.2.11", "I.4.8", "92C50", "68T50", "62-08"]
        );
        let again = serde_json::to_string(&PaperRecord::from_paper(&paper)).unwrap();
        assert_eq!(parse(&again).unwrap(), paper);
    }

    #[test]
    fn categories_are_deduplicated_in_order() {
        let paper = parse(
            r#"{"id":"2503.11731","first_listed":"2025-03-18","title":"x","categories":["cs.CL","cs.AI","cs.CL","hep-th"]}"#,
        )
        .unwrap();
        assert_eq!(paper.categories, ["cs.CL", "cs.AI", "hep-th"]);
    }
}
