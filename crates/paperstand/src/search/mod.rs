//! Search for the application: keeps the full-text and vector indexes in step with the
//! store, embeds papers, and answers queries in keyword, semantic and hybrid modes.
//! Pages, the API, feeds and the CLI all search through [`Search`]; none ranks on its
//! own. Imports the store, `paperstand-search` and `paperstand-embed`, never `web`.

mod filter;
mod sync;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use anyhow::Context;
use paperstand_core::{ArxivId, Paper};
use paperstand_embed::Embedder;
use paperstand_search::hybrid::reciprocal_rank_fusion;
use paperstand_search::query::parse_query;
use paperstand_search::vector::{Neighbour, VectorIndex};
use paperstand_search::{SearchOptions, Sort, TextIndex};
use paperstand_store::Store;
use tokio::sync::Mutex;

use crate::config::Config;

pub use sync::run_forever;

/// Most papers a semantic list holds: past this, "closest" means little.
pub const SEMANTIC_DEPTH: usize = 200;
/// Candidates read for a semantic search with filters, before filtering.
const FILTERED_DEPTH: usize = 1_000;
/// Papers each list contributes to a hybrid fusion.
const HYBRID_DEPTH: usize = 200;

/// How to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Words, with the query syntax (BM25).
    Keyword,
    /// Meaning: the query's embedding against every paper's.
    Semantic,
    /// Both, fused by reciprocal rank.
    Hybrid,
}

impl Mode {
    /// The mode's name in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Keyword => "keyword",
            Mode::Semantic => "semantic",
            Mode::Hybrid => "hybrid",
        }
    }

    /// Reads a mode name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Mode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "keyword" => Some(Mode::Keyword),
            "semantic" => Some(Mode::Semantic),
            "hybrid" => Some(Mode::Hybrid),
            _ => None,
        }
    }
}

/// A search as asked.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query text, in the query syntax.
    pub query: String,
    /// The mode; `None` picks hybrid when semantic search is on, else keyword.
    pub mode: Option<Mode>,
    /// Relevance or newest first.
    pub sort: Sort,
    /// Only these categories (any of), when not empty.
    pub categories: Vec<String>,
    /// Listed on or after.
    pub from: Option<time::Date>,
    /// Listed on or before.
    pub until: Option<time::Date>,
    /// Results skipped.
    pub offset: usize,
    /// Results returned.
    pub limit: usize,
    /// Highlighted titles and snippets for keyword matches.
    pub snippets: bool,
}

/// One result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The paper.
    pub paper: Paper,
    /// The score in the mode used: BM25, cosine similarity, or the fused RRF score.
    pub score: f64,
    /// The title with matches marked (HTML, escaped), when a keyword match gave one.
    pub title_html: Option<String>,
    /// A piece of the abstract with matches marked (HTML, escaped).
    pub snippet_html: Option<String>,
    /// Rank in the keyword list (hybrid).
    pub keyword_rank: Option<usize>,
    /// Rank in the semantic list (hybrid).
    pub semantic_rank: Option<usize>,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The mode used (the asked one, or the default).
    pub mode: Mode,
    /// How many results there are in all (semantic lists stop at [`SEMANTIC_DEPTH`]).
    pub total: usize,
    /// The requested page.
    pub hits: Vec<SearchHit>,
    /// Messages about the query or the mode, for the user.
    pub notes: Vec<String>,
}

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Semantic or hybrid mode was asked for but no model is loaded.
    #[error("search by meaning is off: {0}")]
    SemanticOff(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] paperstand_store::StoreError),
    /// The index failed.
    #[error("the search index failed: {0}")]
    Index(String),
    /// This server runs without a search service.
    #[error("search is not available on this server")]
    Unavailable,
}

/// Papers for a list endpoint (API, feeds): the query in `mode` (the instance's default
/// when `None`), most relevant first, `limit` from `offset`.
pub async fn find_papers(
    search: Option<&Arc<Search>>,
    query: &str,
    mode: Option<Mode>,
    offset: usize,
    limit: usize,
) -> Result<Vec<Paper>, SearchError> {
    let search = search.ok_or(SearchError::Unavailable)?;
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let request = SearchRequest {
        query: query.to_owned(),
        mode,
        offset,
        limit,
        ..SearchRequest::default()
    };
    let results = search.search(&request).await?;
    Ok(results.hits.into_iter().map(|h| h.paper).collect())
}

/// Whether search by meaning is on, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SemanticStatus {
    /// On, with this model.
    On {
        /// Model name and revision.
        model: String,
    },
    /// Off, with the reason and what to do about it.
    Off {
        /// Why, and how to turn it on (for the operator: logs, `doctor`, the CLI).
        reason: String,
    },
}

impl SemanticStatus {
    /// What visitors are told: no server paths or details, just whether it was chosen.
    pub fn public_reason(&self) -> Option<&'static str> {
        match self {
            SemanticStatus::On { .. } => None,
            SemanticStatus::Off { reason } if reason.starts_with(TURNED_OFF) => {
                Some("the operator turned it off")
            }
            SemanticStatus::Off { .. } => Some(
                "no embedding model is installed (the operator can run `paperstand doctor` to see what to do)",
            ),
        }
    }
}

/// The start of the reason when the configuration turns semantic search off.
const TURNED_OFF: &str = "turned off in the configuration";

/// The search service of one node.
#[derive(Debug)]
pub struct Search {
    store: Arc<dyn Store>,
    text: Arc<TextIndex>,
    embedder: Option<Arc<Embedder>>,
    status: SemanticStatus,
    vectors: RwLock<VectorIndex>,
    vectors_path: PathBuf,
    vectors_dirty: AtomicBool,
    /// One catch-up at a time; searches wait for it, so they see every committed write.
    text_sync: Mutex<()>,
    vector_sync: Mutex<()>,
    /// Papers curators hid (version-less ids): vector searches skip them, as the text
    /// index has dropped them. Kept in step by the text index's catch-up.
    hidden: RwLock<HashSet<String>>,
}

impl Search {
    /// Opens the indexes under the data directory and loads the embedding model (when
    /// semantic search is configured and a model is found; otherwise it says why not in
    /// the log and in [`Search::semantic_status`]).
    pub async fn open(store: Arc<dyn Store>, config: &Config) -> anyhow::Result<Search> {
        let semantic = config.search.semantic;
        let model_dir = config.search.model_dir.clone();
        let data_dir = config.data_dir.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            if !semantic {
                return Err(
                    "turned off in the configuration ([search] semantic = false)".to_owned(),
                );
            }
            let dir = paperstand_embed::locate_model(model_dir.as_deref(), &data_dir)
                .map_err(|e| e.to_string())?;
            Embedder::load(&dir).map_err(|e| e.to_string())
        })
        .await
        .context("loading the embedding model")?;
        Search::open_with(store, config, loaded.map(Arc::new)).await
    }

    /// Opens the indexes with an already loaded model, or none (with the reason).
    pub async fn open_with(
        store: Arc<dyn Store>,
        config: &Config,
        embedder: Result<Arc<Embedder>, String>,
    ) -> anyhow::Result<Search> {
        let index_dir = config.index_dir();
        let text_dir = index_dir.join("text");
        std::fs::create_dir_all(&index_dir).with_context(|| {
            format!("cannot create the index directory {}", index_dir.display())
        })?;
        let text = tokio::task::spawn_blocking(move || TextIndex::open(&text_dir))
            .await
            .context("opening the text index")?
            .context("opening the text index")?;
        let (embedder, status) = match embedder {
            Ok(embedder) => {
                let model = embedder.model_id().to_owned();
                tracing::info!(%model, "search by meaning is on");
                (Some(embedder), SemanticStatus::On { model })
            }
            Err(reason) => {
                tracing::warn!("search by meaning is off: {reason}");
                (None, SemanticStatus::Off { reason })
            }
        };
        let model = match &status {
            SemanticStatus::On { model } => model.clone(),
            SemanticStatus::Off { .. } => String::new(),
        };
        let hidden = sync::hidden_ids(store.as_ref())
            .await
            .context("reading the hidden papers")?;
        let vectors_path = index_dir.join("vectors.bin");
        let vectors = match &embedder {
            Some(_) => sync::load_vectors(&vectors_path, &model).await,
            None => VectorIndex::new("", paperstand_embed::DIM),
        };
        Ok(Search {
            store,
            text: Arc::new(text),
            embedder,
            status,
            vectors: RwLock::new(vectors),
            vectors_path,
            vectors_dirty: AtomicBool::new(false),
            text_sync: Mutex::new(()),
            vector_sync: Mutex::new(()),
            hidden: RwLock::new(hidden),
        })
    }

    /// Whether search by meaning is on.
    pub fn semantic_status(&self) -> &SemanticStatus {
        &self.status
    }

    /// The mode used when none is asked for.
    pub fn default_mode(&self) -> Mode {
        if self.embedder.is_some() {
            Mode::Hybrid
        } else {
            Mode::Keyword
        }
    }

    /// Papers in the text index, papers with a vector.
    pub fn counts(&self) -> (u64, usize) {
        (self.text.doc_count(), self.read_vectors().len())
    }

    fn read_vectors(&self) -> std::sync::RwLockReadGuard<'_, VectorIndex> {
        self.vectors.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn read_hidden(&self) -> std::sync::RwLockReadGuard<'_, HashSet<String>> {
        self.hidden.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The vector index's position: changes when vectors arrive. Read without asking the
    /// store (page caches call it on every hit); the background job keeps it current.
    pub fn vectors_position(&self) -> i64 {
        self.read_vectors().caught_up()
    }

    /// While papers are still being embedded (a first start, a new model), says how many
    /// the search by meaning covers so far.
    fn coverage_note(&self) -> Option<String> {
        let (texts, vectors) = self.counts();
        (vectors < texts as usize).then(|| {
            format!(
                "Search by meaning covers {} of {} papers so far; the rest are being read.",
                paperstand_core::group_thousands(vectors as u64),
                paperstand_core::group_thousands(texts)
            )
        })
    }

    /// Runs a search.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        self.catch_up_text().await?;
        let mode = request.mode.unwrap_or_else(|| self.default_mode());
        if mode != Mode::Keyword && self.embedder.is_none() {
            return Err(SearchError::SemanticOff(
                self.status.public_reason().unwrap_or_default().to_owned(),
            ));
        }
        if mode != Mode::Keyword {
            self.catch_up_vectors_for_request().await;
        }
        match mode {
            Mode::Keyword => self.keyword(request).await,
            Mode::Semantic => self.semantic(request).await,
            Mode::Hybrid => self.hybrid(request).await,
        }
    }

    fn text_options(
        request: &SearchRequest,
        offset: usize,
        limit: usize,
        snippets: bool,
    ) -> SearchOptions {
        SearchOptions {
            sort: request.sort,
            categories: request.categories.clone(),
            from: request.from,
            until: request.until,
            offset,
            limit,
            snippets,
        }
    }

    async fn run_text(
        &self,
        query: &str,
        opts: SearchOptions,
    ) -> Result<paperstand_search::TextResults, SearchError> {
        // A search is a millisecond or two of CPU work over memory-mapped files: it runs
        // inline rather than paying for a hop to the blocking pool.
        self.text
            .search(query, &opts)
            .map_err(|e| SearchError::Index(e.to_string()))
    }

    async fn keyword(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let opts = Search::text_options(request, request.offset, request.limit, request.snippets);
        let found = self.run_text(&request.query, opts).await?;
        let ids: Vec<ArxivId> = found.hits.iter().map(|h| h.id.clone()).collect();
        let papers = self.papers_in_order(&ids).await?;
        let hits = found
            .hits
            .into_iter()
            .zip(papers)
            .filter_map(|(hit, paper)| {
                Some(SearchHit {
                    paper: paper?,
                    score: f64::from(hit.score),
                    title_html: hit.title_html,
                    snippet_html: hit.snippet_html,
                    keyword_rank: None,
                    semantic_rank: None,
                })
            })
            .collect();
        Ok(SearchResults {
            mode: Mode::Keyword,
            total: found.total,
            hits,
            notes: found.notes,
        })
    }

    /// The closest papers to the query's meaning, filters applied, best first (or newest
    /// first), at most [`SEMANTIC_DEPTH`].
    async fn semantic_list(
        &self,
        request: &SearchRequest,
        notes: &mut Vec<String>,
    ) -> Result<Vec<(Neighbour, Option<Paper>)>, SearchError> {
        let parsed = parse_query(&request.query);
        let text = filter::meaning_text(&parsed);
        if text.trim().is_empty() {
            notes.push("nothing to search for by meaning: type some words".to_owned());
            return Ok(Vec::new());
        }
        let vector = self.embed_query(text).await?;
        let constraints = filter::Constraints::new(&parsed, request);
        let depth = if constraints.is_empty() {
            SEMANTIC_DEPTH
        } else {
            FILTERED_DEPTH
        };
        let neighbours = {
            let hidden = self.read_hidden();
            self.read_vectors()
                .search(&vector, depth, &|id| hidden.contains(id.base()))
        };
        if constraints.is_empty() {
            let mut list: Vec<(Neighbour, Option<Paper>)> =
                neighbours.into_iter().map(|n| (n, None)).collect();
            if request.sort == Sort::Newest {
                let ids: Vec<ArxivId> = list.iter().map(|(n, _)| n.id.clone()).collect();
                let papers = self.papers_in_order(&ids).await?;
                list = list
                    .into_iter()
                    .zip(papers)
                    .map(|((n, _), p)| (n, p))
                    .collect();
                sort_newest(&mut list);
            }
            return Ok(list);
        }
        let ids: Vec<ArxivId> = neighbours.iter().map(|n| n.id.clone()).collect();
        let papers = self.papers_in_order(&ids).await?;
        let mut list: Vec<(Neighbour, Option<Paper>)> = neighbours
            .into_iter()
            .zip(papers)
            .filter(|(_, paper)| paper.as_ref().is_some_and(|p| constraints.admits(p)))
            .take(SEMANTIC_DEPTH)
            .collect();
        if request.sort == Sort::Newest {
            sort_newest(&mut list);
        }
        Ok(list)
    }

    async fn semantic(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let mut notes = parse_query(&request.query).notes;
        notes.extend(self.coverage_note());
        let list = self.semantic_list(request, &mut notes).await?;
        let total = list.len();
        let page: Vec<(Neighbour, Option<Paper>)> = list
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .collect();
        let missing: Vec<ArxivId> = page
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(n, _)| n.id.clone())
            .collect();
        let mut loaded = self.papers_in_order(&missing).await?.into_iter();
        let hits = page
            .into_iter()
            .filter_map(|(n, paper)| {
                let paper = match paper {
                    Some(paper) => paper,
                    None => loaded.next().flatten()?,
                };
                Some(SearchHit {
                    paper,
                    score: f64::from(n.score),
                    title_html: None,
                    snippet_html: None,
                    keyword_rank: None,
                    semantic_rank: None,
                })
            })
            .collect();
        Ok(SearchResults {
            mode: Mode::Semantic,
            total,
            hits,
            notes,
        })
    }

    async fn hybrid(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let mut keyword_request = request.clone();
        keyword_request.sort = Sort::Relevance;
        let words = self
            .run_text(
                &request.query,
                Search::text_options(&keyword_request, 0, HYBRID_DEPTH, false),
            )
            .await?;
        let mut notes = words.notes.clone();
        notes.extend(self.coverage_note());
        let mut semantic_request = request.clone();
        semantic_request.sort = Sort::Relevance;
        let meaning = self
            .semantic_list(&semantic_request, &mut Vec::new())
            .await?;
        let keyword_ids: Vec<ArxivId> = words.hits.iter().map(|h| h.id.clone()).collect();
        let semantic_ids: Vec<ArxivId> = meaning.iter().map(|(n, _)| n.id.clone()).collect();
        let mut fused = reciprocal_rank_fusion(&keyword_ids, &semantic_ids);
        if fused.is_empty() && notes.is_empty() {
            notes.push("no paper matches these words or is close in meaning".to_owned());
        }
        let total = fused.len();
        if request.sort == Sort::Newest {
            let ids: Vec<ArxivId> = fused.iter().map(|f| f.id.clone()).collect();
            let papers = self.papers_in_order(&ids).await?;
            let mut paired: Vec<_> = fused.into_iter().zip(papers).collect();
            paired.sort_by(|(a, pa), (b, pb)| {
                let day = |p: &Option<Paper>| p.as_ref().map(|p| p.listed_on);
                day(pb)
                    .cmp(&day(pa))
                    .then_with(|| b.id.base().cmp(a.id.base()))
            });
            fused = paired.into_iter().map(|(f, _)| f).collect();
        }
        let page: Vec<_> = fused
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .collect();
        // Snippets for the page's keyword matches, from one more (short) keyword search.
        let deepest = page
            .iter()
            .filter_map(|f| f.keyword_rank)
            .max()
            .unwrap_or(0);
        let marked = if request.snippets && deepest > 0 {
            self.run_text(
                &request.query,
                Search::text_options(&keyword_request, 0, deepest, true),
            )
            .await?
            .hits
        } else {
            Vec::new()
        };
        let ids: Vec<ArxivId> = page.iter().map(|f| f.id.clone()).collect();
        let papers = self.papers_in_order(&ids).await?;
        let hits = page
            .into_iter()
            .zip(papers)
            .filter_map(|(f, paper)| {
                // By id: the index may have committed between the two keyword searches.
                let mark = f
                    .keyword_rank
                    .and_then(|_| marked.iter().find(|m| m.id == f.id));
                Some(SearchHit {
                    paper: paper?,
                    score: f.score,
                    title_html: mark.and_then(|m| m.title_html.clone()),
                    snippet_html: mark.and_then(|m| m.snippet_html.clone()),
                    keyword_rank: f.keyword_rank,
                    semantic_rank: f.semantic_rank,
                })
            })
            .collect();
        Ok(SearchResults {
            mode: Mode::Hybrid,
            total,
            hits,
            notes,
        })
    }

    /// The `k` papers closest in meaning to `id`; empty when semantic search is off or
    /// the paper has no vector yet.
    pub async fn similar(&self, id: &ArxivId, k: usize) -> Result<Vec<(Paper, f32)>, SearchError> {
        if self.embedder.is_none() {
            return Ok(Vec::new());
        }
        self.catch_up_vectors_for_request().await;
        let neighbours = {
            let (vectors, hidden) = (self.read_vectors(), self.read_hidden());
            match vectors.vector(id) {
                // As `VectorIndex::similar`, leaving hidden papers out too.
                Some(vector) => vectors.search(vector, k, &|other| {
                    other == id || hidden.contains(other.base())
                }),
                None => Vec::new(),
            }
        };
        let ids: Vec<ArxivId> = neighbours.iter().map(|n| n.id.clone()).collect();
        let papers = self.papers_in_order(&ids).await?;
        Ok(neighbours
            .into_iter()
            .zip(papers)
            .filter_map(|(n, p)| Some((p?, n.score)))
            .collect())
    }

    /// Recall@`k` of the vector index's fast search against an exact f32 scan, over the
    /// embeddings of `texts`; also the mean time of each (ms). For `paperstand eval`.
    pub async fn vector_recall(
        &self,
        texts: &[String],
        k: usize,
    ) -> Result<(f64, f64, f64), SearchError> {
        self.catch_up_vectors().await?;
        let (mut found, mut fast_ms, mut exact_ms) = (0usize, 0f64, 0f64);
        for text in texts {
            let query = self.embed_query(text.clone()).await?;
            let vectors = self.read_vectors();
            let started = std::time::Instant::now();
            let fast = vectors.search(&query, k, &|_| false);
            fast_ms += started.elapsed().as_secs_f64() * 1e3;
            let started = std::time::Instant::now();
            let exact = vectors.exact_search(&query, k);
            exact_ms += started.elapsed().as_secs_f64() * 1e3;
            found += fast
                .iter()
                .filter(|n| exact.iter().any(|e| e.id == n.id))
                .count();
        }
        let n = texts.len().max(1) as f64;
        Ok((found as f64 / (n * k as f64), fast_ms / n, exact_ms / n))
    }

    async fn embed_query(&self, text: String) -> Result<Vec<f32>, SearchError> {
        let embedder = self
            .embedder
            .clone()
            .ok_or_else(|| SearchError::SemanticOff("no model".to_owned()))?;
        // A short query embeds in a few milliseconds: inline, like the index searches.
        let mut vectors = embedder.embed(&[text.as_str()]);
        vectors
            .pop()
            .ok_or_else(|| SearchError::Index("the model returned no vector".to_owned()))
    }

    /// Papers by id, in the order asked (`None` where a paper is gone).
    async fn papers_in_order(&self, ids: &[ArxivId]) -> Result<Vec<Option<Paper>>, SearchError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut found: std::collections::HashMap<String, Paper> = self
            .store
            .papers_by_ids(ids)
            .await?
            .into_iter()
            .map(|p| (p.id.base().to_owned(), p))
            .collect();
        Ok(ids.iter().map(|id| found.remove(id.base())).collect())
    }

    fn mark_vectors_dirty(&self) {
        self.vectors_dirty.store(true, Ordering::Release);
    }
}

fn sort_newest(list: &mut [(Neighbour, Option<Paper>)]) {
    list.sort_by(|(a, pa), (b, pb)| {
        let day = |p: &Option<Paper>| p.as_ref().map(|p| p.listed_on);
        day(pb)
            .cmp(&day(pa))
            .then_with(|| b.id.base().cmp(a.id.base()))
    });
}
