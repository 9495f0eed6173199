//! The full-text index of papers (tantivy), kept in the data directory's
//! `index/text/`: upserts by arXiv id, the store change sequence it has absorbed
//! (in each commit's payload), and search with the query syntax of [`crate::query`].
//! Imports `core`, `tantivy` and `std`; the design notes are in the crate's README.

mod build;
mod exclusion;
mod open;
mod schema;
mod snippet;
mod tokenizer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};

use paperstand_core::{ArxivId, Paper};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, Searcher, TantivyDocument, Term,
};

use crate::query::parse_query;
use build::Builder;
use schema::Fields;
use snippet::Highlighter;

pub use schema::paper_year;
pub use tokenizer::{PaperTokenizer, is_cjk};

/// Deepest result reachable by paging (offset + limit); deeper pages are empty.
pub const MAX_WINDOW: usize = 10_000;

/// One paper to index.
#[derive(Debug, Clone)]
pub struct IndexDoc<'a> {
    /// The paper.
    pub paper: &'a Paper,
    /// Code repositories as `github.com/owner/repo`, from the paper's links and from
    /// other services (the paper's own `links` are added too, de-duplicated).
    pub code_repos: Vec<String>,
}

impl<'a> IndexDoc<'a> {
    /// A paper with only the code links found in its own text.
    pub fn new(paper: &'a Paper) -> IndexDoc<'a> {
        IndexDoc {
            paper,
            code_repos: Vec::new(),
        }
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best BM25 match first.
    #[default]
    Relevance,
    /// Latest listing first, then by id.
    Newest,
}

/// How to search: order, filters (which never change scores) and the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOptions {
    /// Result order.
    pub sort: Sort,
    /// Keep papers in any of these categories or archives (`cs.CL`, `cs`); empty: all.
    pub categories: Vec<String>,
    /// First listing day, inclusive.
    pub from: Option<time::Date>,
    /// Last listing day, inclusive.
    pub until: Option<time::Date>,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
    /// Fill `title_html` and `snippet_html`.
    pub snippets: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            sort: Sort::Relevance,
            categories: Vec::new(),
            from: None,
            until: None,
            offset: 0,
            limit: 20,
            snippets: false,
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextResults {
    /// How many papers match in all.
    pub total: usize,
    /// The requested page.
    pub hits: Vec<TextHit>,
    /// Messages for the user about how the query was read.
    pub notes: Vec<String>,
}

/// One matching paper.
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    /// The paper.
    pub id: ArxivId,
    /// BM25 score (0 when sorted by date).
    pub score: f32,
    /// The title, HTML-escaped, matches in `<mark>` (with `snippets`).
    pub title_html: Option<String>,
    /// About 200 characters of the abstract, likewise (with `snippets`).
    pub snippet_html: Option<String>,
}

/// Why the index could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The index directory cannot be created, read or cleared.
    #[error("text index directory {path}: {source}")]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Another process holds the index's writer lock.
    #[error("text index {path} is in use by another process")]
    Locked {
        /// The directory.
        path: PathBuf,
    },
    /// Tantivy failed (disk full, I/O error while writing, …).
    #[error("text index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Per-search copies of the analyzers (tantivy's analyzers need `&mut` to run).
#[derive(Clone)]
pub(crate) struct Analyzers {
    prose: TextAnalyzer,
    name: TextAnalyzer,
    keyword: TextAnalyzer,
}

/// The full-text index. `Send + Sync`: searches run concurrently; writes go through
/// the one writer, behind a mutex.
pub struct TextIndex {
    dir: PathBuf,
    fields: Fields,
    analyzers: Analyzers,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    caught_up: AtomicI64,
    // Kept for the analyzers registered on it; the reader and writer hold it too.
    _index: Index,
}

impl std::fmt::Debug for TextIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextIndex")
            .field("dir", &self.dir)
            .field("caught_up", &self.caught_up())
            .finish_non_exhaustive()
    }
}

impl TextIndex {
    /// Opens the index in `dir`, creating it when missing. A corrupt index, or one
    /// written with another schema version, is logged, wiped and recreated empty
    /// (`caught_up() == 0`, so the caller feeds everything again). Fails only when
    /// the directory cannot be created or written, or another process holds it.
    pub fn open(dir: &Path) -> Result<TextIndex, IndexError> {
        open::open(dir)
    }

    /// The store change sequence this index has absorbed (0 when new or rebuilt).
    pub fn caught_up(&self) -> i64 {
        self.caught_up.load(Ordering::Acquire)
    }

    /// Upserts `docs` by arXiv id (the last wins when an id repeats) and commits once,
    /// recording `up_to_seq`. Searches see the change when this returns.
    pub fn apply(&self, docs: &[IndexDoc<'_>], up_to_seq: i64) -> Result<(), IndexError> {
        self.apply_changes(docs, &[], up_to_seq)
    }

    /// Like [`TextIndex::apply`], and also deletes the papers `removed` (a curator hid
    /// them), all in one commit.
    pub fn apply_changes(
        &self,
        docs: &[IndexDoc<'_>],
        removed: &[&ArxivId],
        up_to_seq: i64,
    ) -> Result<(), IndexError> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        for id in removed {
            writer.delete_term(Term::from_field_text(self.fields.id, id.base()));
        }
        let added = docs.iter().try_for_each(|doc| {
            writer.delete_term(Term::from_field_text(self.fields.id, doc.paper.id.base()));
            writer.add_document(self.fields.document(doc)).map(drop)
        });
        if let Err(e) = added {
            // Leave nothing half-added for the next commit to pick up.
            writer.rollback()?;
            return Err(e.into());
        }
        self.commit(&mut writer, up_to_seq)
    }

    /// Deletes every paper and resets `caught_up()` to 0 (for a full rebuild).
    pub fn clear(&self) -> Result<(), IndexError> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        writer.delete_all_documents()?;
        self.commit(&mut writer, 0)
    }

    /// Commits with the sequence in the payload and makes the result searchable.
    fn commit(&self, writer: &mut IndexWriter, seq: i64) -> Result<(), IndexError> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&open::payload(seq));
        prepared.commit()?;
        self.reader.reload()?;
        self.caught_up.store(seq, Ordering::Release);
        Ok(())
    }

    /// How many papers the index holds.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Searches with the query syntax of [`crate::query`]. Bad input gives notes, not
    /// errors; an empty query gives no hits and a note.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<TextResults, IndexError> {
        let parsed = parse_query(query);
        let mut builder = Builder::new(&self.fields, &self.analyzers);
        let built = builder.build(&parsed, opts);
        let mut notes = parsed.notes;
        notes.append(&mut builder.notes);
        let Some(built) = built else {
            notes.push("nothing to search for: type some words".into());
            return Ok(TextResults {
                total: 0,
                hits: Vec::new(),
                notes,
            });
        };
        let searcher = self.reader.searcher();
        let (total, found) = self.collect(&searcher, built.query.as_ref(), opts)?;
        if opts.offset.saturating_add(opts.limit) > MAX_WINDOW && opts.offset < total {
            notes.push(format!(
                "only the first {MAX_WINDOW} results can be paged through"
            ));
        }
        let highlighter = if opts.snippets && !found.is_empty() {
            let fields = (self.fields.title, self.fields.abstract_text);
            let prose = &self.analyzers.prose;
            Some(Highlighter::new(
                &searcher,
                &built.highlights,
                fields,
                prose,
            )?)
        } else {
            None
        };
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            hits.push(self.hit(&searcher, address, score, highlighter.as_ref())?);
        }
        Ok(TextResults { total, hits, notes })
    }

    /// Counts the matches and collects the requested page, in the requested order.
    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        opts: &SearchOptions,
    ) -> tantivy::Result<(usize, Vec<(f32, DocAddress)>)> {
        let limit = opts.limit.min(MAX_WINDOW.saturating_sub(opts.offset));
        if limit == 0 {
            return Ok((searcher.search(query, &Count)?, Vec::new()));
        }
        let top = TopDocs::with_limit(limit).and_offset(opts.offset);
        match opts.sort {
            Sort::Relevance => searcher.search(query, &(Count, top.order_by_score())),
            Sort::Newest => {
                let newest = top.order_by_u64_field("newest", Order::Desc);
                let (total, docs) = searcher.search(query, &(Count, newest))?;
                Ok((total, docs.into_iter().map(|(_, a)| (0.0, a)).collect()))
            }
        }
    }

    /// Loads one hit's id (and, with a highlighter, its snippets).
    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        highlighter: Option<&Highlighter>,
    ) -> Result<TextHit, IndexError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
        let id = text(self.fields.id).parse::<ArxivId>().map_err(|e| {
            tantivy::TantivyError::InternalError(format!("stored id is not an arXiv id: {e}"))
        })?;
        let (title_html, snippet_html) = match highlighter {
            Some(h) => (
                Some(h.title_html(text(self.fields.title))),
                Some(h.abstract_html(text(self.fields.abstract_text))),
            ),
            None => (None, None),
        };
        Ok(TextHit {
            id,
            score,
            title_html,
            snippet_html,
        })
    }
}
