//! Semantic search and the query syntax: the words are read for meaning, and everything
//! else in the query (`cat:`, `year:`, `au:`, `code:`, exclusions) plus the page's
//! filters is applied to the closest papers as filters.

use paperstand_core::Paper;
use paperstand_search::query::{ClauseKind, ParsedQuery, Scope};

use super::SearchRequest;

/// The text embedded for a query: its positive words and phrases, in order.
pub fn meaning_text(parsed: &ParsedQuery) -> String {
    parsed
        .clauses
        .iter()
        .filter(|c| !c.negated)
        .filter_map(|c| match &c.kind {
            ClauseKind::Text {
                scope: Scope::Any | Scope::Title | Scope::Abstract,
                text,
                ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a paper must satisfy to be listed by a semantic search.
#[derive(Debug, Default)]
pub struct Constraints {
    categories: Vec<String>,
    from: Option<time::Date>,
    until: Option<time::Date>,
    /// (clause, negated)
    clauses: Vec<(ClauseKind, bool)>,
}

impl Constraints {
    /// The constraints of a parsed query and the request's filters.
    pub fn new(parsed: &ParsedQuery, request: &SearchRequest) -> Constraints {
        let clauses = parsed
            .clauses
            .iter()
            .filter(|c| {
                c.negated
                    || !matches!(
                        c.kind,
                        ClauseKind::Text {
                            scope: Scope::Any | Scope::Title | Scope::Abstract,
                            ..
                        }
                    )
            })
            .map(|c| (c.kind.clone(), c.negated))
            .collect();
        Constraints {
            categories: request
                .categories
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect(),
            from: request.from,
            until: request.until,
            clauses,
        }
    }

    /// True when nothing constrains the list.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
            && self.from.is_none()
            && self.until.is_none()
            && self.clauses.is_empty()
    }

    /// Whether `paper` passes.
    pub fn admits(&self, paper: &Paper) -> bool {
        if !self.categories.is_empty() && !self.categories.iter().any(|c| in_category(paper, c)) {
            return false;
        }
        if self.from.is_some_and(|from| paper.listed_on < from)
            || self.until.is_some_and(|until| paper.listed_on > until)
        {
            return false;
        }
        self.clauses
            .iter()
            .all(|(kind, negated)| matches(paper, kind) != *negated)
    }
}

/// `cat:cs.CL` matches the category; `cat:cs` every category of the archive.
fn in_category(paper: &Paper, wanted: &str) -> bool {
    paper.categories.iter().any(|c| {
        let c = c.to_ascii_lowercase();
        c == wanted || c.split('.').next() == Some(wanted)
    })
}

/// Whether `needle` occurs in `haystack` as whole words (case-insensitive): `net`
/// matches "a net gain" but not "network", as in keyword mode.
fn contains_folded(haystack: &str, needle: &str) -> bool {
    let haystack = haystack.to_lowercase();
    let needle = needle.to_lowercase();
    if needle.is_empty() {
        return false;
    }
    let word_edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    haystack.match_indices(&needle).any(|(at, _)| {
        word_edge(haystack[..at].chars().next_back())
            && word_edge(haystack[at + needle.len()..].chars().next())
    })
}

fn matches(paper: &Paper, kind: &ClauseKind) -> bool {
    match kind {
        ClauseKind::Category(category) => in_category(paper, category),
        ClauseKind::Year { from, until } => {
            // The same year as the text index gives `year:`.
            let year = u32::try_from(paperstand_search::text::paper_year(paper)).unwrap_or(0);
            from.is_none_or(|f| year >= f) && until.is_none_or(|u| year <= u)
        }
        ClauseKind::HasCode(wanted) => paper.links.is_empty() != *wanted,
        ClauseKind::Text { scope, text, .. } => match scope {
            Scope::Author => paper.authors.iter().any(|a| contains_folded(a, text)),
            Scope::Code => paper.links.iter().any(|l| contains_folded(&l.url, text)),
            Scope::Title => contains_folded(&paper.title, text),
            Scope::Abstract => contains_folded(&paper.abstract_text, text),
            Scope::Any => {
                contains_folded(&paper.title, text)
                    || contains_folded(&paper.abstract_text, text)
                    || paper.authors.iter().any(|a| contains_folded(a, text))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use paperstand_search::query::parse_query;

    use super::*;

    fn paper() -> Paper {
        paperstand_store::contract::sample_paper(
            "2503.00001",
            "Sparse Attention for Long Documents",
            time::macros::date!(2025 - 03 - 18),
        )
    }

    fn admits(query: &str) -> bool {
        let parsed = parse_query(query);
        Constraints::new(&parsed, &SearchRequest::default()).admits(&paper())
    }

    #[test]
    fn words_are_meaning_and_the_rest_filters() {
        let parsed =
            parse_query("sparse \"long documents\" -survey cat:cs.CL au:lovelace year:2025");
        assert_eq!(meaning_text(&parsed), "sparse long documents");
        assert!(admits("attention cat:cs.CL au:lovelace year:2025"));
        assert!(admits("attention cat:cs"));
        assert!(!admits("attention cat:math"));
        assert!(!admits("attention year:2023"));
        assert!(admits("attention year:2024..2026"));
        assert!(!admits("attention -sparse"), "an excluded word excludes");
        assert!(
            admits("attention -spars"),
            "a part of a word is not the word"
        );
        assert!(!admits("attention au:love"), "nor of a name");
        assert!(!admits("attention au:hopper"));
        assert!(
            admits("attention code:yes"),
            "the sample links a repository"
        );
        assert!(!admits("attention code:no"));
    }

    #[test]
    fn page_filters_apply_too() {
        let parsed = parse_query("attention");
        let request = SearchRequest {
            categories: vec!["cs.LG".to_owned()],
            ..SearchRequest::default()
        };
        assert!(!Constraints::new(&parsed, &request).admits(&paper()));
        let request = SearchRequest {
            from: Some(time::macros::date!(2025 - 04 - 01)),
            ..SearchRequest::default()
        };
        assert!(!Constraints::new(&parsed, &request).admits(&paper()));
        assert!(Constraints::new(&parsed, &SearchRequest::default()).is_empty());
    }
}
