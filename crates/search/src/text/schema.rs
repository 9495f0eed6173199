//! The index layout: fields, their analyzers and the document built from a paper.

use paperstand_core::Paper;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    TextAnalyzer, TokenizerManager,
};
use tantivy::{DateTime, TantivyDocument};
use time::Date;

use super::IndexDoc;
use super::tokenizer::PaperTokenizer;

/// Written in every commit payload; bump it whenever fields or analyzers change, so
/// that an index built by an older version is rebuilt instead of misread.
pub const SCHEMA_VERSION: &str = "paperstand-text/1";

/// Analyzer of prose fields: words, lowercased, folded to ASCII, English-stemmed.
pub const PROSE: &str = "ps_prose";
/// Analyzer of names and repository strings: like prose, without stemming.
pub const NAME: &str = "ps_name";
/// Analyzer of categories: the whole value, lowercased.
pub const KEYWORD: &str = "ps_keyword";

/// Tokens longer than this many bytes are dropped (hashes, base64 blobs).
const MAX_TOKEN_BYTES: usize = 80;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The arXiv id, raw and stored: the key of upserts.
    pub id: Field,
    /// Title (stored for snippets).
    pub title: Field,
    /// Abstract (stored for snippets).
    pub abstract_text: Field,
    /// Author names, one value each.
    pub authors: Field,
    /// Categories and their archives (`cs.cl`, `cs`).
    pub categories: Field,
    /// The authors' comment.
    pub comment: Field,
    /// Code repositories (`github.com/owner/repo`).
    pub code: Field,
    /// 1 when the paper has a code repository, else 0.
    pub has_code: Field,
    /// Year of v1 (falling back to the listing date).
    pub year: Field,
    /// The listing date.
    pub listed: Field,
    /// Sort key of "newest": listing day, then id ascending (see [`newest_key`]).
    pub newest: Field,
}

impl Fields {
    /// The schema and its fields.
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let text = |analyzer: &str, stored: bool| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let options = TextOptions::default().set_indexing_options(indexing);
            if stored {
                options.set_stored()
            } else {
                options
            }
        };
        let keyword = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD)
                .set_index_option(IndexRecordOption::Basic),
        );
        let day = DateOptions::from(INDEXED)
            .set_fast()
            .set_precision(DateTimePrecision::Seconds);
        let fields = Fields {
            id: builder.add_text_field("id", STRING | STORED),
            title: builder.add_text_field("title", text(PROSE, true)),
            abstract_text: builder.add_text_field("abstract", text(PROSE, true)),
            authors: builder.add_text_field("authors", text(NAME, false)),
            categories: builder.add_text_field("categories", keyword),
            comment: builder.add_text_field("comment", text(PROSE, false)),
            code: builder.add_text_field("code", text(NAME, false)),
            has_code: builder.add_u64_field("has_code", INDEXED),
            year: builder.add_u64_field("year", INDEXED | tantivy::schema::FAST),
            listed: builder.add_date_field("listed", day),
            newest: builder.add_u64_field("newest", tantivy::schema::FAST),
        };
        (builder.build(), fields)
    }

    /// Builds the index document of a paper.
    pub fn document(&self, doc: &IndexDoc<'_>) -> TantivyDocument {
        let paper = doc.paper;
        let mut out = TantivyDocument::default();
        // Version-less, like the delete term of upserts.
        out.add_text(self.id, paper.id.base());
        out.add_text(self.title, &paper.title);
        out.add_text(self.abstract_text, &paper.abstract_text);
        for author in &paper.authors {
            out.add_text(self.authors, author);
        }
        for category in category_tokens(&paper.categories) {
            out.add_text(self.categories, category);
        }
        if let Some(comment) = &paper.comment {
            out.add_text(self.comment, comment);
        }
        let repos = code_repos(doc);
        out.add_u64(self.has_code, u64::from(!repos.is_empty()));
        for repo in repos {
            out.add_text(self.code, repo);
        }
        out.add_u64(self.year, u64::from(paper_year(paper).unsigned_abs()));
        out.add_date(self.listed, day_start(paper.listed_on));
        out.add_u64(self.newest, newest_key(paper));
        out
    }
}

/// Registers the analyzers the fields name (they are not stored in the index).
pub fn register_analyzers(manager: &TokenizerManager) {
    let prose = TextAnalyzer::builder(PaperTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build();
    let name = TextAnalyzer::builder(PaperTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let keyword = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    manager.register(PROSE, prose);
    manager.register(NAME, name);
    manager.register(KEYWORD, keyword);
}

/// Each category and its archive (`cs.CL` gives `cs.CL` and `cs`), de-duplicated.
fn category_tokens(categories: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for category in categories {
        let archive = category.split_once('.').map(|(archive, _)| archive);
        for token in [Some(category.as_str()), archive].into_iter().flatten() {
            if !out.iter().any(|seen| seen.eq_ignore_ascii_case(token)) {
                out.push(token);
            }
        }
    }
    out
}

/// The caller's repositories plus the paper's own links, de-duplicated.
fn code_repos(doc: &IndexDoc<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let own = doc.paper.links.iter().map(|link| {
        let url = link.url.as_str();
        url.strip_prefix("https://").unwrap_or(url).to_owned()
    });
    for repo in doc.code_repos.iter().cloned().chain(own) {
        if !repo.trim().is_empty() && !out.iter().any(|seen| seen.eq_ignore_ascii_case(&repo)) {
            out.push(repo);
        }
    }
    out
}

/// The year of v1: the submission date, else the first version, else the listing.
pub fn paper_year(paper: &Paper) -> i32 {
    paper
        .submitted_on
        .or_else(|| {
            paper
                .versions
                .iter()
                .find(|v| v.version == 1)
                .map(|v| v.date)
        })
        .unwrap_or(paper.listed_on)
        .year()
}

/// Midnight UTC of a day, as the index stores dates.
pub fn day_start(date: Date) -> DateTime {
    let seconds = date.midnight().assume_utc().unix_timestamp();
    DateTime::from_timestamp_secs(seconds)
}

/// "Newest first" as one descending u64: the listing day in the high bits, then the
/// complement of the id's number so that, within a day, lower ids come first (the
/// order of arXiv's own listing).
fn newest_key(paper: &Paper) -> u64 {
    let day = u64::try_from(paper.listed_on.to_julian_day()).unwrap_or(0);
    let id_number: u64 = paper
        .id
        .base()
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u64, |n, digit| {
            n.saturating_mul(10).saturating_add(u64::from(digit - b'0'))
        })
        .min(u64::from(u32::MAX));
    (day << 32) | (u64::from(u32::MAX) - id_number)
}
