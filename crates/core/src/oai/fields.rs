//! What the three metadata formats have in common: the record header, the fields
//! each format parser fills, and the step that validates them into a
//! [`HarvestedRecord`] (through [`PaperRecord::into_paper`], so harvested papers obey
//! the same limits as imported ones).

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::{Date, OffsetDateTime, UtcOffset};

use super::HarvestedRecord;
use super::xml::{Fatal, XmlCursor, attribute, local_name};
use crate::record::{PaperRecord, VersionRecord, collapse_whitespace, format_date, parse_date};
use crate::{ArxivId, Version};

/// A format parser's result: the fields, or why the record is unusable.
pub(crate) type MetadataResult = Result<Fields, String>;

/// The prefix of arXiv's OAI identifiers.
pub(crate) const OAI_PREFIX: &str = "oai:arXiv.org:";

/// A record's `<header>`.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub identifier: String,
    pub datestamp: String,
    pub deleted: bool,
    pub sets: Vec<String>,
}

impl Header {
    /// Reads the header the cursor has just entered.
    pub(crate) fn read(
        doc: &mut XmlCursor<'_>,
        element: &quick_xml::events::BytesStart<'_>,
    ) -> Result<Header, Fatal> {
        let mut header = Header {
            deleted: attribute(element, "status").is_some_and(|s| s.trim() == "deleted"),
            ..Header::default()
        };
        while let Some(child) = doc.child()? {
            match local_name(&child) {
                "identifier" => header.identifier = doc.text()?.trim().to_owned(),
                "datestamp" => header.datestamp = doc.text()?.trim().to_owned(),
                "setSpec" => header.sets.push(doc.text()?.trim().to_owned()),
                _ => doc.skip()?,
            }
        }
        Ok(header)
    }

    /// The arXiv id named by the OAI identifier, if it has arXiv's prefix.
    fn arxiv_id(&self) -> Option<&str> {
        let prefix = self.identifier.get(..OAI_PREFIX.len())?;
        prefix
            .eq_ignore_ascii_case(OAI_PREFIX)
            .then(|| &self.identifier[OAI_PREFIX.len()..])
    }
}

/// The fields a format parser extracts. Texts are raw (untrimmed); `build` cleans them.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub id: Option<String>,
    pub title: Option<String>,
    pub abstract_text: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    /// MSC / ACM classification strings, as given (split later).
    pub classes: Vec<String>,
    pub comment: Option<String>,
    pub journal_ref: Option<String>,
    pub doi: Option<String>,
    pub license: Option<String>,
    pub submitter: Option<String>,
    pub versions: Vec<Version>,
    /// The first-submission date when the format has no version list.
    pub submitted: Option<Date>,
    pub withdrawn: bool,
}

/// Validates the fields into a record; `Err` is the rejection reason.
pub(crate) fn build(header: &Header, fields: Fields) -> Result<HarvestedRecord, String> {
    let datestamp = parse_datestamp(&header.datestamp).ok_or_else(|| {
        format!(
            "its datestamp {:?} is not a date",
            shorten(&header.datestamp)
        )
    })?;
    let id = check_id(header, fields.id.as_deref())?;
    let mut categories = fields.categories;
    if categories.is_empty() {
        categories = header.sets.iter().filter_map(|s| set_category(s)).collect();
    }
    // v1's date; should v1 be missing from the list, the earliest version listed.
    let submitted = fields
        .versions
        .iter()
        .min_by_key(|v| v.version)
        .map(|v| v.date)
        .or(fields.submitted)
        .ok_or("it has no submission date (no version dates)")?;
    let versions = fields
        .versions
        .iter()
        .map(|v| VersionRecord {
            version: v.version,
            date: format_date(v.date),
        })
        .collect();
    let record = PaperRecord {
        id: Some(id),
        title: fields.title,
        abstract_text: fields.abstract_text,
        categories: Some(categories),
        authors: Some(fields.authors),
        comment: fields.comment,
        classes: Some(fields.classes),
        journal_ref: fields.journal_ref,
        doi: fields.doi,
        submitted: Some(format_date(submitted)),
        versions: Some(versions),
        withdrawn: Some(fields.withdrawn),
        ..PaperRecord::default()
    };
    // The parser has no clock: plausibility of future dates is the caller's concern.
    let paper = record.into_paper(Date::MAX).map_err(|e| e.to_string())?;
    Ok(HarvestedRecord {
        paper,
        datestamp,
        withdrawn: fields.withdrawn,
        license: fields.license.as_deref().and_then(super::xml::non_empty),
        submitter: fields.submitter.as_deref().and_then(clean_submitter),
    })
}

/// The metadata id, checked against the header's; the header's when the metadata has
/// none. A disagreement rejects the record: one of them is wrong.
fn check_id(header: &Header, metadata_id: Option<&str>) -> Result<String, String> {
    let metadata_id = metadata_id.map(str::trim).filter(|s| !s.is_empty());
    let header_id = header.arxiv_id();
    let Some(id) = metadata_id.or(header_id) else {
        return Err("it names no arXiv id".to_owned());
    };
    if let (Some(m), Some(h)) = (metadata_id, header_id) {
        let same = match (m.parse::<ArxivId>(), h.parse::<ArxivId>()) {
            (Ok(m), Ok(h)) => m.base() == h.base(),
            _ => m == h,
        };
        if !same {
            return Err(format!(
                "its header names {} but its metadata {}",
                shorten(h),
                shorten(m)
            ));
        }
    }
    Ok(id.to_owned())
}

/// `YYYY-MM-DD`, or a full `YYYY-MM-DDThh:mm:ssZ` datestamp (its day).
fn parse_datestamp(text: &str) -> Option<Date> {
    parse_date(text.split('T').next().unwrap_or_default())
}

/// An RFC 2822 date (`Mon, 2 Apr 2007 19:18:42 GMT`) as a UTC day.
pub(crate) fn rfc2822_day(text: &str) -> Option<Date> {
    let moment = OffsetDateTime::parse(text.trim(), &Rfc2822).ok()?;
    Some(moment.checked_to_offset(UtcOffset::UTC)?.date())
}

/// An RFC 3339 timestamp (`2017-07-27T08:18:33Z`) as a UTC day; a bare `YYYY-MM-DD`
/// is accepted too.
pub(crate) fn rfc3339_day(text: &str) -> Option<Date> {
    let text = text.trim();
    match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(moment) => Some(moment.checked_to_offset(UtcOffset::UTC)?.date()),
        Err(_) => parse_date(text),
    }
}

/// An arXiv set (`cs:cs:CV`, `physics:hep-th`) as a category (`cs.CV`, `hep-th`).
/// arXiv lists a record's sets in the order of its categories, primary first.
fn set_category(set: &str) -> Option<String> {
    let parts: Vec<&str> = set.split(':').map(str::trim).collect();
    match parts.as_slice() {
        [_, archive, subject] if !archive.is_empty() && !subject.is_empty() => {
            Some(format!("{archive}.{subject}"))
        }
        [_, archive] if !archive.is_empty() => Some((*archive).to_owned()),
        _ => None,
    }
}

/// The submitter's name without any e-mail address: `<…>` parts and words holding an
/// `@` are dropped. `None` when no name is left.
pub(crate) fn clean_submitter(text: &str) -> Option<String> {
    let mut without_angles = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => without_angles.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = without_angles
        .split_whitespace()
        .filter(|w| !w.contains('@'))
        .collect();
    let name = words.join(" ");
    let name = name.trim_matches(|c: char| c == '"' || c == ',' || c == '(' || c == ')');
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Whether a comment (or abstract) announces a withdrawal: it starts with "withdrawn"
/// or says "has been withdrawn" / "have been withdrawn" (any letter case). The forms
/// arXiv's withdrawal notices use; "an earlier version was withdrawn" doesn't count.
pub(crate) fn says_withdrawn(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    lower.starts_with("withdrawn")
        || lower.contains("has been withdrawn")
        || lower.contains("have been withdrawn")
}

/// Adds an MSC / ACM classification string; arXiv writes `None` for "no class".
pub(crate) fn push_class(classes: &mut Vec<String>, text: &str) {
    let text = text.trim();
    if !text.is_empty() && !text.eq_ignore_ascii_case("none") {
        classes.push(text.to_owned());
    }
}

/// Splits arXiv's author string (`A. Smith (MIT), B. Jones and C. Wu`) into names:
/// parenthesised affiliations are dropped, names are separated by commas, semicolons,
/// " and " and " & "; a collaboration prefix (`HESS Collaboration: A. B, …`) becomes
/// its own name; a lone suffix (`Jr.`, `III`) joins the name before it; "et al" and
/// "others" are dropped.
pub(crate) fn split_authors(text: &str) -> Vec<String> {
    let flat = collapse_whitespace(&strip_parentheses(text));
    let mut names: Vec<String> = Vec::new();
    for piece in flat.split([',', ';']) {
        for part in piece.split(':').flat_map(|p| p.split(" and ")) {
            for name in part.split(" & ") {
                push_author(&mut names, name);
            }
        }
    }
    names
}

fn push_author(names: &mut Vec<String>, name: &str) {
    let name = name.trim();
    let name = name.strip_prefix("and ").unwrap_or(name).trim();
    let lower = name.to_ascii_lowercase();
    if name.is_empty() || matches!(lower.as_str(), "et al" | "et al." | "others") {
        return;
    }
    let is_suffix = matches!(
        lower.as_str(),
        "jr" | "jr." | "sr" | "sr." | "ii" | "iii" | "iv"
    );
    match names.last_mut() {
        Some(previous) if is_suffix => {
            previous.push(' ');
            previous.push_str(name);
        }
        _ => names.push(name.to_owned()),
    }
}

/// Removes `( … )` groups, nested ones included. Unbalanced text is left as it is.
fn strip_parentheses(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('(') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    if depth == 0 { out.into() } else { text.into() }
}

fn shorten(text: &str) -> String {
    text.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn splits_real_author_strings() {
        let cases: &[(&str, &[&str])] = &[
            ("B. R. Schlei, L. Prasad", &["B. R. Schlei", "L. Prasad"]),
            (
                "M. Cvetic, H. Lu, C.N. Pope and T.A Tran",
                &["M. Cvetic", "H. Lu", "C.N. Pope", "T.A Tran"],
            ),
            (
                "Mark Vogelsberger (1,2), Simon D. M. White (1) ((1) MPA, (2) Harvard/CfA)",
                &["Mark Vogelsberger", "Simon D. M. White"],
            ),
            (
                "Ana M. Mosquera, Jos\\'e A. Mu\\~noz, and Christopher S.\n  Kochanek",
                &[
                    "Ana M. Mosquera",
                    "Jos\\'e A. Mu\\~noz",
                    "Christopher S. Kochanek",
                ],
            ),
            (
                "HESS Collaboration: A. Abramowski, F. Acero",
                &["HESS Collaboration", "A. Abramowski", "F. Acero"],
            ),
            (
                "The D0 Collaboration: V.M. Abazov, et al",
                &["The D0 Collaboration", "V.M. Abazov"],
            ),
            ("John Smith, Jr., Ann Lee", &["John Smith Jr.", "Ann Lee"]),
            ("Unbalanced (MIT, Ann Lee", &["Unbalanced (MIT", "Ann Lee"]),
        ];
        for (text, expected) in cases {
            assert_eq!(split_authors(text), *expected, "{text}");
        }
    }

    #[test]
    fn submitter_never_keeps_an_address() {
        assert_eq!(
            clean_submitter("Bernd R. Schlei").as_deref(),
            Some("Bernd R. Schlei")
        );
        assert_eq!(
            clean_submitter("Huang  Guangyue").as_deref(),
            Some("Huang Guangyue")
        );
        assert_eq!(
            clean_submitter("Ann Lee <ann@example.org>").as_deref(),
            Some("Ann Lee")
        );
        assert_eq!(
            clean_submitter("\"Ann Lee\" <ann@x.org>").as_deref(),
            Some("Ann Lee")
        );
        assert_eq!(
            clean_submitter("Ann Lee (ann@x.org)").as_deref(),
            Some("Ann Lee")
        );
        assert_eq!(clean_submitter("ann@example.org"), None);
        assert_eq!(clean_submitter("<ann@example.org>"), None);
        assert_eq!(clean_submitter("  "), None);
    }

    #[test]
    fn dates() {
        assert_eq!(
            rfc2822_day("Mon, 2 Apr 2007 19:18:42 GMT"),
            Some(date!(2007 - 04 - 02))
        );
        assert_eq!(
            rfc2822_day("Mon, 02 Apr 2007 23:18:42 -0500"),
            Some(date!(2007 - 04 - 03))
        );
        assert_eq!(rfc2822_day("yesterday"), None);
        assert_eq!(
            rfc3339_day("2017-07-27T08:18:33Z"),
            Some(date!(2017 - 07 - 27))
        );
        assert_eq!(
            rfc3339_day("2016-10-09T23:00:00-04:00"),
            Some(date!(2016 - 10 - 10))
        );
        assert_eq!(rfc3339_day("2016-10-09"), Some(date!(2016 - 10 - 09)));
        assert_eq!(
            parse_datestamp("2005-09-17T10:00:00Z"),
            Some(date!(2005 - 09 - 17))
        );
        assert_eq!(parse_datestamp("17/09/2005"), None);
    }

    #[test]
    fn sets_give_categories() {
        assert_eq!(set_category("cs:cs:CV").as_deref(), Some("cs.CV"));
        assert_eq!(set_category("physics:hep-th").as_deref(), Some("hep-th"));
        assert_eq!(
            set_category("physics:physics:ao-ph").as_deref(),
            Some("physics.ao-ph")
        );
        assert_eq!(set_category("cs"), None);
        assert_eq!(set_category("a::"), None);
    }

    #[test]
    fn withdrawal_notices() {
        assert!(says_withdrawn(
            "This paper has been withdrawn by the author"
        ));
        assert!(says_withdrawn("Withdrawn"));
        assert!(says_withdrawn(
            "This paper and abstract have been withdrawn."
        ));
        assert!(says_withdrawn(
            "5 pages. This paper has been withdrawn due to an error"
        ));
        assert!(!says_withdrawn(
            "12 pages; an earlier version was withdrawn"
        ));
        assert!(!says_withdrawn(""));
    }
}
