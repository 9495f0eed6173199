//! Turns a parsed query ([`crate::query`]) into an index query, plus the terms to
//! highlight and notes for the user.

use std::ops::Bound;

use paperstand_core::ArxivId;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::exclusion::Excluded;
use super::schema::{Fields, day_start};
use super::{Analyzers, SearchOptions};
use crate::query::{Clause, ClauseKind, ParsedQuery, Scope};

/// Field weights of unscoped words. The title says most about what a paper is;
/// author names are precise when they match; the comment and code strings are noisy
/// ("code at github.com/…", "accepted at …"), so they only nudge.
const TITLE_BOOST: f32 = 3.0;
const AUTHORS_BOOST: f32 = 2.0;
const ABSTRACT_BOOST: f32 = 1.0;
const COMMENT_BOOST: f32 = 0.5;
const CODE_BOOST: f32 = 0.5;
const CATEGORY_BOOST: f32 = 0.5;
/// A word that is an arXiv id puts that paper first.
const ID_BOOST: f32 = 10.0;

/// Common English words: skipped when other words are present.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "if", "in", "into",
    "is", "it", "its", "no", "not", "of", "on", "or", "so", "such", "that", "the", "their", "then",
    "there", "these", "they", "this", "to", "was", "we", "were", "will", "with",
];

/// Which analyzer a field uses.
#[derive(Debug, Clone, Copy)]
enum Analysis {
    Prose,
    Name,
    Keyword,
}

/// An index query ready to run.
pub struct Built {
    /// The query, filters included.
    pub query: Box<dyn Query>,
    /// Tokens to highlight, with their field (title or abstract).
    pub highlights: Vec<(Field, String)>,
}

/// Turns parsed clauses into a query; `None` when nothing is left to search for.
pub struct Builder<'a> {
    pub fields: &'a Fields,
    pub analyzers: Analyzers,
    pub notes: Vec<String>,
    highlights: Vec<(Field, String)>,
}

impl<'a> Builder<'a> {
    /// A builder with its own copies of the analyzers.
    pub fn new(fields: &'a Fields, analyzers: &Analyzers) -> Builder<'a> {
        Builder {
            fields,
            analyzers: analyzers.clone(),
            notes: Vec::new(),
            highlights: Vec::new(),
        }
    }

    /// Builds the query of `parsed` under the filters of `opts`.
    pub fn build(&mut self, parsed: &ParsedQuery, opts: &SearchOptions) -> Option<Built> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let required = parsed.clauses.iter().filter(|c| !c.negated);
        let only_common = required.clone().all(is_stop_word);
        let common: Vec<&str> = required.clone().filter_map(stop_word_text).collect();
        if only_common && !common.is_empty() {
            // "to be or not to be": without other words, common words are the query,
            // read as a phrase.
            let phrase = common.join(" ");
            self.notes.push(format!(
                "only common words ({}): searched for them as a phrase",
                common.join(", ")
            ));
            let query = self.text(Scope::Any, &phrase, true)?;
            clauses.push((Occur::Must, query));
        }
        for clause in &parsed.clauses {
            // Among other words, common words are skipped: they barely change BM25
            // scores, and as optional clauses they made queries walk posting lists
            // of nearly every paper (the slowest benchmark query was "framework with").
            if is_stop_word(clause) {
                continue;
            }
            let occur = if clause.negated {
                Occur::MustNot
            } else {
                Occur::Must
            };
            if let Some(query) = self.clause(clause) {
                let query = if occur == Occur::MustNot {
                    Box::new(Excluded::new(query))
                } else {
                    query
                };
                clauses.push((occur, query));
            }
        }
        if !clauses.iter().any(|(occur, _)| *occur != Occur::MustNot) {
            if clauses.is_empty() {
                return None;
            }
            self.notes.push(
                "the query only excludes: showing every paper except those it excludes".into(),
            );
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        clauses.extend(self.option_filters(opts));
        Some(Built {
            query: Box::new(BooleanQuery::new(clauses)),
            highlights: std::mem::take(&mut self.highlights),
        })
    }

    /// The query of one clause (negation is the caller's), `None` if it has no tokens.
    fn clause(&mut self, clause: &Clause) -> Option<Box<dyn Query>> {
        let f = self.fields;
        match &clause.kind {
            ClauseKind::Text {
                scope,
                text,
                phrase,
            } => {
                let highlight = !clause.negated;
                let saved = self.highlights.len();
                let query = self.text(*scope, text, *phrase);
                if !highlight {
                    self.highlights.truncate(saved);
                }
                query
            }
            ClauseKind::Category(category) => Some(filter(term(f.categories, category))),
            ClauseKind::HasCode(has) => {
                let t = Term::from_field_u64(f.has_code, u64::from(*has));
                Some(filter(Box::new(TermQuery::new(
                    t,
                    IndexRecordOption::Basic,
                ))))
            }
            ClauseKind::Year { from, until } => {
                let bound = |year: Option<u32>| match year {
                    Some(y) => Bound::Included(Term::from_field_u64(f.year, u64::from(y))),
                    None => Bound::Unbounded,
                };
                Some(filter(Box::new(RangeQuery::new(
                    bound(*from),
                    bound(*until),
                ))))
            }
        }
    }

    /// A word or phrase in the fields of `scope`, summed over fields with boosts.
    fn text(&mut self, scope: Scope, text: &str, phrase: bool) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let targets: &[(Field, Analysis, f32)] = match scope {
            Scope::Any => &[
                (f.title, Analysis::Prose, TITLE_BOOST),
                (f.authors, Analysis::Name, AUTHORS_BOOST),
                (f.abstract_text, Analysis::Prose, ABSTRACT_BOOST),
                (f.comment, Analysis::Prose, COMMENT_BOOST),
                (f.code, Analysis::Name, CODE_BOOST),
                (f.categories, Analysis::Keyword, CATEGORY_BOOST),
            ],
            Scope::Title => &[(f.title, Analysis::Prose, 1.0)],
            Scope::Author => &[(f.authors, Analysis::Name, 1.0)],
            Scope::Abstract => &[(f.abstract_text, Analysis::Prose, 1.0)],
            Scope::Code => &[(f.code, Analysis::Name, 1.0)],
        };
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &(field, analysis, boost) in targets {
            if phrase && matches!(analysis, Analysis::Keyword) {
                continue;
            }
            let tokens = self.tokens(analysis, text);
            if field == f.title || field == f.abstract_text {
                self.highlights
                    .extend(tokens.iter().map(|(_, t)| (field, t.clone())));
            }
            if let Some(query) = tokens_query(field, tokens) {
                alternatives.push((Occur::Should, boosted(query, boost)));
            }
        }
        if scope == Scope::Any
            && !phrase
            && let Ok(id) = text.parse::<ArxivId>()
        {
            let query = term(f.id, id.base());
            alternatives.push((Occur::Should, boosted(query, ID_BOOST)));
        }
        match alternatives.len() {
            0 => None,
            1 => alternatives.pop().map(|(_, query)| query),
            _ => Some(Box::new(BooleanQuery::new(alternatives))),
        }
    }

    /// The tokens of `text` with their positions; where the tokenizer gives several
    /// tokens at one position (a CJK unigram, then its bigram) the last is kept.
    fn tokens(&mut self, analysis: Analysis, text: &str) -> Vec<(usize, String)> {
        let analyzer: &mut TextAnalyzer = match analysis {
            Analysis::Prose => &mut self.analyzers.prose,
            Analysis::Name => &mut self.analyzers.name,
            Analysis::Keyword => &mut self.analyzers.keyword,
        };
        let mut out: Vec<(usize, String)> = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            match out.last_mut() {
                Some(last) if last.0 == token.position => last.1.clone_from(&token.text),
                _ => out.push((token.position, token.text.clone())),
            }
        }
        out
    }

    /// Filter clauses of the search options: categories (any of) and listing dates.
    fn option_filters(&self, opts: &SearchOptions) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let categories: Vec<(Occur, Box<dyn Query>)> = opts
            .categories
            .iter()
            .map(|c| (Occur::Should, term(f.categories, &c.to_lowercase())))
            .collect();
        if !categories.is_empty() {
            out.push((Occur::Must, filter(Box::new(BooleanQuery::new(categories)))));
        }
        if opts.from.is_some() || opts.until.is_some() {
            let bound = |day: Option<time::Date>| match day {
                Some(day) => Bound::Included(Term::from_field_date(f.listed, day_start(day))),
                None => Bound::Unbounded,
            };
            let range = RangeQuery::new(bound(opts.from), bound(opts.until));
            out.push((Occur::Must, filter(Box::new(range))));
        }
        out
    }
}

/// One token: a term query; several: a phrase at their relative positions.
fn tokens_query(field: Field, tokens: Vec<(usize, String)>) -> Option<Box<dyn Query>> {
    let first = tokens.first()?.0;
    if tokens.len() == 1 {
        let text = tokens.into_iter().next()?.1;
        let t = Term::from_field_text(field, &text);
        return Some(Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)));
    }
    let terms = tokens
        .into_iter()
        .map(|(position, text)| (position - first, Term::from_field_text(field, &text)))
        .collect();
    Some(Box::new(PhraseQuery::new_with_offset(terms)))
}

/// An exact term (ids, categories), without scoring statistics.
fn term(field: Field, text: &str) -> Box<dyn Query> {
    let t = Term::from_field_text(field, text);
    Box::new(TermQuery::new(t, IndexRecordOption::Basic))
}

/// A query that restricts results without changing their scores.
fn filter(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// The text of an unquoted, unscoped common word.
fn stop_word_text(clause: &Clause) -> Option<&str> {
    match &clause.kind {
        ClauseKind::Text {
            scope: Scope::Any,
            text,
            phrase: false,
        } if !clause.negated && STOP_WORDS.contains(&text.to_lowercase().as_str()) => {
            Some(text.as_str())
        }
        _ => None,
    }
}

fn is_stop_word(clause: &Clause) -> bool {
    stop_word_text(clause).is_some()
}
