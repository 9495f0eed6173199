//! The For-you service of one node: keeps the corpus of paper vectors (rebuilt when
//! papers changed, at most every [`CORPUS_REFRESH`]) and each member's model (trained on
//! demand, kept until their feedback changes), and answers "picks for this member".
//! Pages and the digest builder both call [`Recommender::picks`] or
//! [`Recommender::picks_for`]; trending scores come from the one
//! [`Ranking`](crate::ranking::Ranking) service.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use paperstand_core::trending::Window;
use paperstand_core::{ArxivId, Paper};
use paperstand_store::{Feedback, Result, Store, StoreError, UserId};
use time::{Date, OffsetDateTime};

use super::model::LogisticParams;
use super::text::TfIdfParams;
use super::{Corpus, Features, PaperText, Pick, UserModel, recommend, train_user};
use crate::ranking::{Ranking, TrendingFilter, papers_in_order};

/// The longest a corpus is used after papers changed: refitting 75k papers takes
/// seconds, so new papers join For-you within this time rather than on every harvest.
pub const CORPUS_REFRESH: Duration = Duration::from_secs(600);
/// Papers read from the store per batch while building the corpus.
const BATCH: u32 = 1_000;
/// Models kept at most; all are forgotten when one more would exceed it.
const MAX_MODELS: usize = 10_000;
/// Trending papers whose score enters the blend (the best ones of the window).
const TRENDING_DEPTH: usize = 5_000;
/// The dial of a member who never set one: mostly personal.
pub const DEFAULT_DIAL: f64 = 0.2;

/// What list to make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PickRequest {
    /// Papers listed on or after this day; `None`: every paper.
    pub since: Option<Date>,
    /// 0 = only personal relevance, 1 = only trending (clamped).
    pub dial: f64,
    /// Picks skipped.
    pub offset: usize,
    /// Picks returned.
    pub limit: usize,
    /// The instant trending scores are computed at.
    pub now: OffsetDateTime,
}

/// A built corpus and the papers' change sequence it was built from.
#[derive(Debug)]
struct CorpusSlot {
    corpus: Arc<Corpus>,
    seq: i64,
    built: Instant,
    generation: u64,
}

/// A trained model and what it was trained from.
#[derive(Debug)]
struct ModelSlot {
    feedback: u64,
    generation: u64,
    model: Arc<UserModel>,
}

/// Recommendations for members (see the module doc).
#[derive(Debug, Default)]
pub struct Recommender {
    corpus: tokio::sync::Mutex<Option<CorpusSlot>>,
    models: Mutex<HashMap<UserId, ModelSlot>>,
    /// One lock per member while their model is looked up or trained: a request that
    /// arrives while their model trains waits for it instead of training it again.
    training: Mutex<HashMap<UserId, Arc<tokio::sync::Mutex<()>>>>,
    params: LogisticParams,
    /// The embedding model whose vectors are the features, when search by meaning is on.
    embeddings: Option<String>,
}

impl Recommender {
    /// A recommender over the sentence embeddings of `model` (once nearly every paper
    /// has one; tf-idf until then), or over tf-idf when `None`.
    pub fn with_embeddings(model: Option<String>) -> Recommender {
        Recommender {
            embeddings: model,
            ..Recommender::default()
        }
    }

    /// The corpus, built or rebuilt when needed; with its generation number. A corpus
    /// is rebuilt when papers changed, or when it is tf-idf standing in for embeddings
    /// still being computed, at most every [`CORPUS_REFRESH`].
    pub async fn corpus(&self, store: &dyn Store) -> Result<(Arc<Corpus>, u64)> {
        let mut slot = self.corpus.lock().await;
        let seq = store.change_seq().await?;
        if let Some(current) = slot.as_ref() {
            let waiting = self.embeddings.is_some() && current.corpus.features == Features::TfIdf;
            let stale = current.seq != seq || waiting;
            if !stale || current.built.elapsed() < CORPUS_REFRESH {
                return Ok((current.corpus.clone(), current.generation));
            }
        }
        let papers = all_paper_texts(store).await?;
        let vectors = match &self.embeddings {
            Some(model) => embeddings_of(store, model, papers.len()).await?,
            None => None,
        };
        let corpus = tokio::task::spawn_blocking(move || match vectors {
            Some(vectors) => Corpus::from_embeddings(papers, &vectors),
            None => {
                let params = TfIdfParams::for_you(papers.len());
                Corpus::build(papers, params)
            }
        })
        .await
        .map_err(|e| StoreError::Other(format!("building the For-you corpus failed: {e}")))?;
        let generation = slot.as_ref().map_or(1, |s| s.generation + 1);
        let corpus = Arc::new(corpus);
        *slot = Some(CorpusSlot {
            corpus: corpus.clone(),
            seq,
            built: Instant::now(),
            generation,
        });
        tracing::info!(
            papers = corpus.len(),
            dim = corpus.dim,
            features = ?corpus.features,
            "built the For-you corpus"
        );
        Ok((corpus, generation))
    }

    /// A member's model over the current corpus: the cached one while their feedback
    /// is unchanged, else trained now.
    pub async fn model(
        &self,
        store: &dyn Store,
        user: UserId,
    ) -> Result<(Arc<Corpus>, Arc<UserModel>)> {
        let (corpus, generation) = self.corpus(store).await?;
        let lock = self
            .training
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(user)
            .or_default()
            .clone();
        let _training = lock.lock().await;
        let feedback = store.feedback(user).await?;
        let key = feedback_key(&feedback);
        if let Some(slot) = self.lock_models().get(&user)
            && slot.feedback == key
            && slot.generation == generation
        {
            return Ok((corpus, slot.model.clone()));
        }
        let params = self.params;
        let training = corpus.clone();
        let model = tokio::task::spawn_blocking(move || {
            train_user(&training, &feedback, &params, user.unsigned_abs())
        })
        .await
        .map_err(|e| StoreError::Other(format!("training a For-you model failed: {e}")))?;
        let model = Arc::new(model);
        let mut models = self.lock_models();
        if models.len() >= MAX_MODELS {
            models.clear();
        }
        models.insert(
            user,
            ModelSlot {
                feedback: key,
                generation,
                model: model.clone(),
            },
        );
        Ok((corpus, model))
    }

    /// Trains `user`'s model in the background after their library changed, so that
    /// their next For-you page finds it ready. Only where a corpus is built already: a
    /// node that serves no For-you page never builds one for this.
    pub fn retrain_soon(self: &Arc<Self>, store: Arc<dyn Store>, user: UserId) {
        let built = self.corpus.try_lock().map_or(true, |slot| slot.is_some());
        if !built {
            return;
        }
        let recommender = self.clone();
        tokio::spawn(async move {
            if let Err(e) = recommender.model(store.as_ref(), user).await {
                tracing::warn!(error = %e, "training a For-you model in the background failed");
            }
        });
    }

    /// Forgets every trained model and the corpus (benchmarks time a cold start).
    pub async fn forget(&self) {
        self.lock_models().clear();
        *self.corpus.lock().await = None;
    }

    /// Forgets one member's model only (benchmarks time training).
    pub fn forget_model(&self, user: UserId) {
        self.lock_models().remove(&user);
        self.training
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&user);
    }

    fn lock_models(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, ModelSlot>> {
        self.models.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A member's For-you list: the picks of `request`, best first.
    pub async fn picks(
        &self,
        store: &dyn Store,
        ranking: &Ranking,
        user: UserId,
        request: &PickRequest,
    ) -> Result<Vec<Pick>> {
        let (corpus, model) = self.model(store, user).await?;
        let window = trending_window(request.since, request.now);
        let list = ranking
            .trending(store, &TrendingFilter::window(window), request.now)
            .await?;
        // Past the best few thousand, a trending score is a hair of the best one's: the
        // blend counts them as zero rather than computing every breakdown.
        let trending: HashMap<ArxivId, f64> = list
            .entries(0, TRENDING_DEPTH)
            .into_iter()
            .filter_map(|e| e.breakdown.map(|b| (e.id, b.score)))
            .collect();
        let request = *request;
        tokio::task::spawn_blocking(move || {
            recommend(
                &corpus,
                &model,
                request.since,
                &trending,
                request.dial as f32,
                request.offset,
                request.limit,
            )
        })
        .await
        .map_err(|e| StoreError::Other(format!("ranking For-you failed: {e}")))
    }

    /// For the digest builder: up to `n` papers listed on or after `since` picked for
    /// `user` at their own dial, each with its reason ("close to: <title>", or
    /// "trending" when nothing they saved is close). Hidden papers never appear.
    pub async fn picks_for(
        &self,
        store: &dyn Store,
        ranking: &Ranking,
        user: UserId,
        since: Date,
        n: usize,
        now: OffsetDateTime,
    ) -> Result<Vec<(Paper, String)>> {
        let dial = store.dial(user).await?.unwrap_or(DEFAULT_DIAL);
        let request = PickRequest {
            since: Some(since),
            dial,
            offset: 0,
            limit: n,
            now,
        };
        let picks = self.picks(store, ranking, user, &request).await?;
        let ids: Vec<ArxivId> = picks.iter().map(|p| p.id.clone()).collect();
        let papers = papers_in_order(store, &ids).await?;
        let reasons: HashMap<&ArxivId, String> = picks.iter().map(|p| (&p.id, reason(p))).collect();
        Ok(papers
            .into_iter()
            .map(|paper| {
                let why = reasons.get(&paper.id).cloned().unwrap_or_default();
                (paper, why)
            })
            .collect())
    }
}

/// Why a pick is on the list, in words.
pub fn reason(pick: &Pick) -> String {
    match &pick.close_to {
        Some(title) => format!("close to: {title}"),
        None => "trending".to_owned(),
    }
}

/// The trending window that covers `since`.
fn trending_window(since: Option<Date>, now: OffsetDateTime) -> Window {
    match since.map(|d| (now.date() - d).whole_days()) {
        Some(days) if days <= 7 => Window::Week,
        Some(days) if days <= 31 => Window::Month,
        _ => Window::All,
    }
}

fn feedback_key(feedback: &Feedback) -> u64 {
    let mut hasher = DefaultHasher::new();
    feedback.saved.hash(&mut hasher);
    feedback.upvoted.hash(&mut hasher);
    feedback.not_interested.hash(&mut hasher);
    hasher.finish()
}

/// Share of papers that must have an embedding before For-you uses embeddings.
const EMBEDDED_SHARE: f64 = 0.95;

/// Every embedding of `model`, when at least [`EMBEDDED_SHARE`] of `papers` have one.
async fn embeddings_of(
    store: &dyn Store,
    model: &str,
    papers: usize,
) -> Result<Option<HashMap<ArxivId, Vec<f32>>>> {
    let count = store.count_embeddings(model).await?;
    if papers == 0 || (count as f64) < EMBEDDED_SHARE * papers as f64 {
        tracing::info!(
            embedded = count,
            papers,
            "For-you uses tf-idf until the papers are embedded"
        );
        return Ok(None);
    }
    let mut vectors = HashMap::with_capacity(count as usize);
    let mut after = 0;
    loop {
        let batch = store.embeddings_since(model, after, 10_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for embedding in batch {
            vectors.insert(embedding.id.without_version(), embedding.vector);
        }
    }
    Ok(Some(vectors))
}

/// Every visible paper's text, walked in id order.
async fn all_paper_texts(store: &dyn Store) -> Result<Vec<PaperText>> {
    let mut texts = Vec::new();
    let mut after: Option<ArxivId> = None;
    loop {
        let batch = store.papers_after(after.as_ref(), BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id.clone());
        texts.extend(
            batch
                .into_iter()
                .filter(|p| !p.withdrawn)
                .map(|p| PaperText {
                    id: p.id,
                    title: p.title,
                    abstract_text: p.abstract_text,
                    listed_on: p.listed_on,
                    categories: p.categories,
                }),
        );
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperstand_store::{Community, NewUser, Role, SqliteStore, contract};
    use time::macros::date;

    /// Waits up to five seconds for `user`'s cached model to be trained from `feedback`.
    async fn trained_from(recs: &Recommender, user: UserId, feedback: &Feedback) -> bool {
        let key = feedback_key(feedback);
        for _ in 0..100 {
            if recs
                .lock_models()
                .get(&user)
                .is_some_and(|slot| slot.feedback == key)
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    #[tokio::test]
    async fn a_library_change_retrains_in_the_background_once_a_corpus_exists() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = SqliteStore::open(&dir.path().join("recs.sqlite"))
            .await
            .unwrap();
        let papers: Vec<Paper> = (1..=30)
            .map(|n| {
                let topic = if n % 2 == 0 {
                    "graph networks"
                } else {
                    "speech"
                };
                contract::sample_paper(
                    &format!("2503.{n:05}"),
                    &format!("{topic} study {n}"),
                    date!(2025 - 03 - 18),
                )
            })
            .collect();
        sqlite.upsert_papers(&papers).await.unwrap();
        let now = OffsetDateTime::now_utc();
        let user = sqlite
            .create_user(
                &NewUser {
                    email: "ada@example.org".to_owned(),
                    display_name: "Ada".to_owned(),
                    password_hash: "x".to_owned(),
                    role: Role::Member,
                    verified: true,
                },
                now,
            )
            .await
            .unwrap()
            .id;
        let store: Arc<dyn Store> = Arc::new(sqlite);
        let recs = Arc::new(Recommender::default());
        store
            .save_papers(user, &[papers[1].id.clone()], now)
            .await
            .unwrap();

        // No corpus on this node yet: a library change builds none and trains nothing.
        recs.retrain_soon(store.clone(), user);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(recs.corpus.lock().await.is_none());
        assert!(recs.lock_models().is_empty());

        recs.corpus(store.as_ref()).await.unwrap();
        recs.retrain_soon(store.clone(), user);
        let feedback = store.feedback(user).await.unwrap();
        assert!(
            trained_from(&recs, user, &feedback).await,
            "trained in the background"
        );

        store
            .save_papers(user, &[papers[3].id.clone()], now)
            .await
            .unwrap();
        recs.retrain_soon(store.clone(), user);
        let changed = store.feedback(user).await.unwrap();
        assert_ne!(feedback_key(&changed), feedback_key(&feedback));
        assert!(
            trained_from(&recs, user, &changed).await,
            "retrained after the change, before any page asked"
        );
    }
}
