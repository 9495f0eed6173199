//! Keeping the indexes in step with the store. Both indexes follow a change sequence
//! (papers for the text index, embeddings for the vector index) and record how far they
//! got, so a crash between a store commit and an index commit is repaired by the next
//! catch-up, and a second node catches up the same way.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use paperstand_core::Paper;
use paperstand_embed::{Embedder, paper_text};
use paperstand_search::vector::VectorIndex;
use paperstand_search::{IndexDoc, TextIndex};
use paperstand_store::{NewEmbedding, Page, Store};
use sha2::{Digest, Sha256};

use super::{Search, SearchError};

/// Papers read from the store per text-index commit.
const TEXT_BATCH: u32 = 1_000;
/// Embeddings read per vector-index step.
const VECTOR_BATCH: u32 = 5_000;
/// Papers embedded per thread per step.
const EMBED_BATCH: usize = 32;
/// A search waits for the text index to catch up only when it is this close behind;
/// further behind (a first start over a big database) it answers from what is indexed.
const WAIT_FOR_AT_MOST: i64 = 5_000;
/// How often the background job looks for work when there was none.
const IDLE_PAUSE: Duration = Duration::from_secs(5);
/// Most often the vector index is written to disk while it changes.
const SAVE_EVERY: Duration = Duration::from_secs(120);
/// Papers embedded per background step: small, so the server stays responsive.
const BACKGROUND_EMBED_STEP: u64 = 64;

/// SHA-256 (hex) of the text a paper is embedded from.
pub fn text_hash(paper: &Paper) -> String {
    let digest = Sha256::digest(paper_text(&paper.title, &paper.abstract_text).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Papers read per page when loading the hidden ones.
const HIDDEN_PAGE: u32 = 1_000;

/// The ids of every hidden paper: the text index has dropped them, and vector searches
/// skip them. Few papers are hidden, so they are all held in memory.
pub(super) async fn hidden_ids(store: &dyn Store) -> Result<HashSet<String>, SearchError> {
    let mut ids = HashSet::new();
    for number in 1.. {
        let page = store
            .hidden_papers(Page::numbered(number, HIDDEN_PAGE))
            .await?;
        ids.extend(page.iter().map(|p| p.id.base().to_owned()));
        if page.len() < HIDDEN_PAGE as usize {
            break;
        }
    }
    Ok(ids)
}

/// Reads the saved vector index, or starts an empty one (a damaged file is logged and
/// replaced by catching up from the store).
pub(super) async fn load_vectors(path: &Path, model: &str) -> VectorIndex {
    let path = path.to_path_buf();
    let model = model.to_owned();
    let loaded = tokio::task::spawn_blocking(move || {
        match VectorIndex::load(&path, &model, paperstand_embed::DIM) {
            Ok(Some(index)) => index,
            Ok(None) => VectorIndex::new(&model, paperstand_embed::DIM),
            Err(e) => {
                tracing::warn!("{e}; rebuilding it from the stored embeddings");
                VectorIndex::new(&model, paperstand_embed::DIM)
            }
        }
    })
    .await;
    loaded.unwrap_or_else(|_| VectorIndex::new("", paperstand_embed::DIM))
}

/// Embeds `texts` on `threads` threads, in order; `None` if a thread failed.
fn embed_parallel(embedder: &Embedder, texts: &[String], threads: usize) -> Option<Vec<Vec<f32>>> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let per_thread = refs.len().div_ceil(threads.max(1)).max(1);
    let vectors: Vec<Vec<f32>> = std::thread::scope(|scope| {
        let handles: Vec<_> = refs
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || embedder.embed(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok())
            .collect::<Option<Vec<_>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    // Vectors are paired with papers by position: anything short would shift them.
    (vectors.len() == texts.len()).then_some(vectors)
}

impl Search {
    /// Brings the text index up to the store's change sequence. Searches call it first,
    /// so they see every committed write, unless the index is far behind.
    pub async fn catch_up_text(&self) -> Result<u64, SearchError> {
        let latest = self.store.change_seq().await?;
        let behind = latest - self.text.caught_up();
        if behind <= 0 || behind > WAIT_FOR_AT_MOST {
            return Ok(0);
        }
        self.catch_up_text_fully().await
    }

    /// Indexes every paper changed since the text index's position, however many.
    pub async fn catch_up_text_fully(&self) -> Result<u64, SearchError> {
        let _one_at_a_time = self.text_sync.lock().await;
        let latest = self.store.change_seq().await?;
        if self.text.caught_up() > latest {
            // The index has seen writes this database doesn't have (a restored backup):
            // what it holds can't be trusted, so it starts over.
            tracing::warn!(
                index = self.text.caught_up(),
                database = latest,
                "the text index is ahead of the database (restored from a backup?); rebuilding it"
            );
            self.on_text_index(|text| text.clear()).await?;
        }
        let mut indexed = 0;
        loop {
            let changed = self
                .store
                .papers_changed_since(self.text.caught_up(), TEXT_BATCH)
                .await?;
            let Some(last) = changed.last().map(|c| c.seq) else {
                return Ok(indexed);
            };
            let ids: Vec<_> = changed
                .iter()
                .filter(|c| !c.hidden)
                .map(|c| c.paper.id.clone())
                .collect();
            let mut repos: HashMap<String, Vec<String>> = HashMap::new();
            for link in self.store.external_links(&ids).await? {
                let repo = link.link.url.trim_start_matches("https://").to_owned();
                repos
                    .entry(link.paper.base().to_owned())
                    .or_default()
                    .push(repo);
            }
            let count = changed.len() as u64;
            let visibility: Vec<(String, bool)> = changed
                .iter()
                .map(|c| (c.paper.id.base().to_owned(), c.hidden))
                .collect();
            self.on_text_index(move |text| {
                // A paper a curator hid leaves the index; shown again, it comes back.
                let (hidden, shown): (Vec<_>, Vec<_>) = changed.iter().partition(|c| c.hidden);
                let docs: Vec<IndexDoc<'_>> = shown
                    .into_iter()
                    .map(|c| IndexDoc {
                        paper: &c.paper,
                        code_repos: repos.remove(c.paper.id.base()).unwrap_or_default(),
                    })
                    .collect();
                let removed: Vec<_> = hidden.into_iter().map(|c| &c.paper.id).collect();
                text.apply_changes(&docs, &removed, last)
            })
            .await?;
            self.note_hidden(visibility);
            indexed += count;
        }
    }

    /// Records which papers are hidden, so that vector searches skip them.
    fn note_hidden(&self, visibility: Vec<(String, bool)>) {
        let mut hidden = self.hidden.write().unwrap_or_else(PoisonError::into_inner);
        for (id, is_hidden) in visibility {
            if is_hidden {
                hidden.insert(id);
            } else {
                hidden.remove(&id);
            }
        }
    }

    /// Runs a write on the text index on the blocking pool: a commit writes and fsyncs
    /// segment files, which must not hold up the async workers.
    async fn on_text_index(
        &self,
        write: impl FnOnce(&TextIndex) -> Result<(), paperstand_search::IndexError> + Send + 'static,
    ) -> Result<(), SearchError> {
        let text = self.text.clone();
        tokio::task::spawn_blocking(move || write(&text))
            .await
            .map_err(|e| SearchError::Index(e.to_string()))?
            .map_err(|e| SearchError::Index(e.to_string()))
    }

    /// Empties the text index and indexes every paper again.
    pub async fn rebuild_text(&self) -> Result<u64, SearchError> {
        {
            let _one_at_a_time = self.text_sync.lock().await;
            self.on_text_index(|text| text.clear()).await?;
        }
        self.catch_up_text_fully().await
    }

    /// How many papers wait for an embedding (0 when semantic search is off).
    pub async fn embedding_backlog(&self) -> Result<u64, SearchError> {
        match &self.embedder {
            Some(embedder) => Ok(self
                .store
                .count_embedding_backlog(embedder.model_id())
                .await?),
            None => Ok(0),
        }
    }

    /// Embeds papers that need it, `threads` at a time, up to `limit` papers (all when
    /// `None`); `progress` gets the running count. A paper whose text didn't change since
    /// it was embedded is only marked current. Returns how many papers were handled.
    pub async fn embed_backlog(
        &self,
        limit: Option<u64>,
        threads: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64, SearchError> {
        let Some(embedder) = self.embedder.clone() else {
            return Ok(0);
        };
        let model = embedder.model_id().to_owned();
        let step = (EMBED_BATCH * threads.max(1)) as u64;
        let mut done = 0u64;
        while limit.is_none_or(|l| done < l) {
            let want = limit.map_or(step, |l| step.min(l - done));
            let tasks = self
                .store
                .embedding_backlog(&model, u32::try_from(want).unwrap_or(u32::MAX))
                .await?;
            if tasks.is_empty() {
                break;
            }
            let mut current = Vec::new();
            let mut todo = Vec::new();
            for task in tasks {
                let hash = text_hash(&task.paper);
                if task.embedded_text_hash.as_deref() == Some(hash.as_str()) {
                    current.push((task.paper.id.clone(), task.seq));
                } else {
                    todo.push((task, hash));
                }
            }
            let handled = (current.len() + todo.len()) as u64;
            self.store.touch_embeddings(&current).await?;
            let texts: Vec<String> = todo
                .iter()
                .map(|(t, _)| paper_text(&t.paper.title, &t.paper.abstract_text))
                .collect();
            let worker = embedder.clone();
            let vectors =
                tokio::task::spawn_blocking(move || embed_parallel(&worker, &texts, threads))
                    .await
                    .ok()
                    .flatten()
                    .ok_or_else(|| {
                        SearchError::Index("embedding failed: a worker thread panicked".to_owned())
                    })?;
            let new: Vec<NewEmbedding> = todo
                .into_iter()
                .zip(vectors)
                .map(|((task, hash), vector)| NewEmbedding {
                    id: task.paper.id,
                    model: model.clone(),
                    text_hash: hash,
                    source_seq: task.seq,
                    vector,
                })
                .collect();
            self.store.store_embeddings(&new).await?;
            done += handled;
            progress(done);
        }
        Ok(done)
    }

    /// For requests: catches the vector index up unless another catch-up is running (a
    /// request never waits behind the background job), and never fails the request: on
    /// an error it logs and answers from what is indexed.
    pub(super) async fn catch_up_vectors_for_request(&self) {
        let Ok(guard) = self.vector_sync.try_lock() else {
            return;
        };
        if let Err(e) = self.catch_up_vectors_locked(guard).await {
            tracing::warn!("the vector index could not catch up: {e}");
        }
    }

    /// Brings the vector index up to the stored embeddings.
    pub async fn catch_up_vectors(&self) -> Result<u64, SearchError> {
        let guard = self.vector_sync.lock().await;
        self.catch_up_vectors_locked(guard).await
    }

    async fn catch_up_vectors_locked(
        &self,
        _one_at_a_time: tokio::sync::MutexGuard<'_, ()>,
    ) -> Result<u64, SearchError> {
        let Some(embedder) = &self.embedder else {
            return Ok(0);
        };
        let mut added = 0;
        loop {
            let after = self.read_vectors().caught_up();
            let rows = self
                .store
                .embeddings_since(embedder.model_id(), after, VECTOR_BATCH)
                .await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                return Ok(added);
            };
            let mut vectors = self.vectors.write().unwrap_or_else(PoisonError::into_inner);
            for row in &rows {
                if !vectors.upsert(&row.id, &row.vector) {
                    tracing::warn!(paper = %row.id, "a stored embedding has the wrong length; skipped");
                }
            }
            vectors.set_caught_up(last);
            drop(vectors);
            added += rows.len() as u64;
            self.mark_vectors_dirty();
        }
    }

    /// Writes the vector index to the data directory if it changed since the last save.
    pub fn save_vectors_if_changed(&self) {
        if self.embedder.is_none() || !self.vectors_dirty.swap(false, Ordering::AcqRel) {
            return;
        }
        let vectors = self.read_vectors();
        if let Err(e) = vectors.save(&self.vectors_path) {
            tracing::warn!("{e}; it will be rebuilt from the stored embeddings on the next start");
            self.mark_vectors_dirty();
        }
    }
}

/// The search job under `serve`: catches the text index up, embeds new papers a few at
/// a time on one thread, follows the embeddings, and saves the vector index now and then.
pub async fn run_forever(search: Arc<Search>) {
    let mut last_save = Instant::now();
    loop {
        let worked = match step(&search).await {
            Ok(worked) => worked,
            Err(e) => {
                tracing::warn!("search indexing failed: {e}; trying again in a minute");
                tokio::time::sleep(Duration::from_secs(60)).await;
                continue;
            }
        };
        if last_save.elapsed() >= SAVE_EVERY || !worked {
            let saver = search.clone();
            let _ = tokio::task::spawn_blocking(move || saver.save_vectors_if_changed()).await;
            last_save = Instant::now();
        }
        if !worked {
            tokio::time::sleep(IDLE_PAUSE).await;
        }
    }
}

async fn step(search: &Search) -> Result<bool, SearchError> {
    let indexed = search.catch_up_text_fully().await?;
    if indexed > 0 {
        tracing::info!(papers = indexed, "text index caught up");
    }
    let embedded = search
        .embed_backlog(Some(BACKGROUND_EMBED_STEP), 1, &|_| {})
        .await?;
    let vectors = search.catch_up_vectors().await?;
    Ok(indexed > 0 || embedded > 0 || vectors > 0)
}
