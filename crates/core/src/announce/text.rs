//! The texts inside an announcement item: the description's `arXiv:ID vN Announce
//! Type: …` header, the `dc:creator` author list, and the feed's dates.

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::{Date, OffsetDateTime};

use crate::atom::repair_mojibake;
use crate::oai::fields::split_authors;
use crate::record::parse_date;

/// What the description (RSS) / summary (Atom) says before the abstract:
/// `arXiv:2511.19472v2 Announce Type: replace-cross \nAbstract: …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DescriptionHeader<'a> {
    /// The id after `arXiv:` (`2511.19472v2`), when the text starts with it.
    pub id: Option<&'a str>,
    /// The word after `Announce Type:` (`replace-cross`), when given.
    pub announce_type: Option<&'a str>,
    /// The rest after `Abstract:`, trimmed; the whole text when it has no header.
    pub abstract_text: &'a str,
}

/// Splits the description into its header and the abstract. The markers are looked
/// for only at the start, in order, so an abstract that itself says "Abstract:" or
/// "arXiv:" is never cut.
pub(crate) fn parse_description(text: &str) -> DescriptionHeader<'_> {
    let mut rest = text.trim_start();
    let mut id = None;
    let mut announce_type = None;
    if let Some(after) = strip_prefix_ignore_case(rest, ID_MARKER) {
        (id, rest) = marker_value(after);
    }
    if let Some(after) = strip_prefix_ignore_case(rest, TYPE_MARKER) {
        (announce_type, rest) = marker_value(after);
    }
    if let Some(after) = strip_prefix_ignore_case(rest, ABSTRACT_MARKER) {
        rest = after;
    }
    DescriptionHeader {
        id,
        announce_type,
        abstract_text: rest.trim(),
    }
}

const ID_MARKER: &str = "arXiv:";
const TYPE_MARKER: &str = "Announce Type:";
const ABSTRACT_MARKER: &str = "Abstract:";

/// The word after a marker and what follows it (left-trimmed); no word when the
/// value is missing and the next marker follows at once.
fn marker_value(text: &str) -> (Option<&str>, &str) {
    let text = text.trim_start();
    let next_marker = [TYPE_MARKER, ABSTRACT_MARKER]
        .iter()
        .any(|m| strip_prefix_ignore_case(text, m).is_some());
    if next_marker {
        return (None, text);
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let (word, tail) = text.split_at(end);
    (Some(word).filter(|w| !w.is_empty()), tail.trim_start())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Splits a `dc:creator` list (`A, B and C`, with or without an Oxford comma) into
/// names, with the OAI-PMH author splitter (a lone `Jr.` joins the name before it,
/// parenthesised affiliations are dropped), and repairs doubly encoded UTF-8 in each.
/// A stray conjunction left by a damaged list (`A, and`) is not a name.
pub(crate) fn split_creators(text: &str) -> Vec<String> {
    split_authors(text)
        .into_iter()
        .filter(|name| !name.eq_ignore_ascii_case("and"))
        .map(|name| repair_mojibake(&name).into_owned())
        .collect()
}

/// The calendar date of a timestamp **in the offset it is written in** (no conversion
/// to UTC): arXiv stamps its listings at US Eastern midnight, whose UTC date is the
/// same but whose instant a conversion could move across midnight for other
/// offsets. Accepts RFC 2822 (`Fri, 20 Feb 2026 00:00:00 -0500`, RSS), RFC 3339
/// (`2026-02-20T00:00:00-05:00`, Atom) and a bare `YYYY-MM-DD`.
pub(crate) fn local_day(text: &str) -> Option<Date> {
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc2822)
        .or_else(|_| OffsetDateTime::parse(text, &Rfc3339))
        .map(|moment| moment.date())
        .ok()
        .or_else(|| parse_date(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn creators_are_split_into_names() {
        let cases: &[(&str, &[&str])] = &[
            ("Ann Lee, Bo Wu and Cy Oh", &["Ann Lee", "Bo Wu", "Cy Oh"]),
            ("Ann Lee and Bo Wu", &["Ann Lee", "Bo Wu"]),
            ("Jayadev Billa", &["Jayadev Billa"]),
            (
                "Ann Lee, Bo Wu, Cy Oh, and Di Xu",
                &["Ann Lee", "Bo Wu", "Cy Oh", "Di Xu"],
            ),
            (
                "John Smith, Jr., Ann Lee and Bo Wu",
                &["John Smith Jr.", "Ann Lee", "Bo Wu"],
            ),
            (
                "Martin Luther King Jr. and Ann Lee",
                &["Martin Luther King Jr.", "Ann Lee"],
            ),
            (
                "Wilson E. Marc\u{ed}lio-Jr and Danilo M. Eler",
                &["Wilson E. Marc\u{ed}lio-Jr", "Danilo M. Eler"],
            ),
            (
                "  Ann\n  Lee ,  Bo   Wu\tand Cy Oh ",
                &["Ann Lee", "Bo Wu", "Cy Oh"],
            ),
            ("Ann Lee (MIT) and Bo Wu (ETH)", &["Ann Lee", "Bo Wu"]),
            (
                "Dirk W\u{c3}\u{bc}bben, Ann Lee",
                &["Dirk W\u{fc}bben", "Ann Lee"],
            ),
            ("", &[]),
            (" , and ", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(split_creators(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn description_header_is_taken_apart() {
        let header = parse_description(
            "arXiv:2511.19472v2 Announce Type: replace-cross \nAbstract: We study X.\nLine two. ",
        );
        assert_eq!(header.id, Some("2511.19472v2"));
        assert_eq!(header.announce_type, Some("replace-cross"));
        assert_eq!(header.abstract_text, "We study X.\nLine two.");

        let no_header = parse_description("  Just an abstract. Abstract: inside.  ");
        assert_eq!(no_header.id, None);
        assert_eq!(no_header.announce_type, None);
        assert_eq!(
            no_header.abstract_text,
            "Just an abstract. Abstract: inside."
        );

        let only_abstract = parse_description("Abstract:   Text.");
        assert_eq!(only_abstract.abstract_text, "Text.");

        let no_abstract = parse_description("arXiv:2511.19472v1 Announce Type: new");
        assert_eq!(no_abstract.id, Some("2511.19472v1"));
        assert_eq!(no_abstract.announce_type, Some("new"));
        assert_eq!(no_abstract.abstract_text, "");

        let empty_markers = parse_description("arXiv: Announce Type: \nAbstract: x");
        assert_eq!(empty_markers.id, None);
        assert_eq!(empty_markers.announce_type, None);
        assert_eq!(empty_markers.abstract_text, "x");

        let old_style =
            parse_description("ARXIV:hep-th/9901001v3 announce type: cross Abstract: y");
        assert_eq!(old_style.id, Some("hep-th/9901001v3"));
        assert_eq!(old_style.announce_type, Some("cross"));
        assert_eq!(old_style.abstract_text, "y");
        assert_eq!(parse_description("").abstract_text, "");
        assert_eq!(parse_description("arXiv:").id, None);
    }

    #[test]
    fn days_are_taken_in_their_own_offset() {
        let cases: &[(&str, Option<Date>)] = &[
            (
                "Wed, 26 Nov 2025 00:00:00 -0500",
                Some(date!(2025 - 11 - 26)),
            ),
            (
                "Fri, 20 Feb 2026 00:00:00 -0500",
                Some(date!(2026 - 02 - 20)),
            ),
            (
                " Fri, 20 Feb 2026 23:30:00 -0500 ",
                Some(date!(2026 - 02 - 20)),
            ),
            (
                "Sun, 29 Mar 2026 00:00:00 -0400",
                Some(date!(2026 - 03 - 29)),
            ),
            ("Fri, 20 Feb 2026 00:00:00 GMT", Some(date!(2026 - 02 - 20))),
            ("2025-11-26T00:00:00-05:00", Some(date!(2025 - 11 - 26))),
            ("2026-02-20T05:00:00Z", Some(date!(2026 - 02 - 20))),
            ("2026-02-20T00:00:00.000-05:00", Some(date!(2026 - 02 - 20))),
            ("2026-02-19T23:00:00-05:00", Some(date!(2026 - 02 - 19))),
            ("2026-02-20", Some(date!(2026 - 02 - 20))),
            ("", None),
            // RFC 2822 leniencies: a wrong or missing weekday, no seconds.
            (
                "Thu, 20 Feb 2026 00:00:00 -0500",
                Some(date!(2026 - 02 - 20)),
            ),
            ("20 Feb 2026 00:00:00 -0500", Some(date!(2026 - 02 - 20))),
            ("Fri, 20 Feb 2026 00:00 -0500", Some(date!(2026 - 02 - 20))),
            ("yesterday", None),
            ("20 Feb 2026", None),
            ("Fri, 30 Feb 2026 00:00:00 -0500", None),
            ("2026-02-30T00:00:00Z", None),
        ];
        for (text, expected) in cases {
            assert_eq!(local_day(text), *expected, "{text:?}");
        }
    }
}
