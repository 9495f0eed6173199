//! Personal recommendations ("For you", issue #8): every paper as a tf-idf vector of its
//! title and abstract (`text`), a per-member linear model trained on their positives
//! (saved, tagged, upvoted) and negatives (not interested, plus sampled background
//! papers) (`model`), and the ranking that blends its score with the trending score by
//! the member's dial, each pick with the saved paper it is closest to. This module is
//! pure; [`service`] holds the caches and talks to the store and the ranking service.
//! Imports `core`, `store` types and `std` only.

pub mod model;
pub mod service;
pub mod text;

use std::collections::{HashMap, HashSet};

use paperstand_core::ArxivId;
use paperstand_store::Feedback;
use time::Date;

pub use service::{PickRequest, Recommender};

use model::{LinearModel, LogisticParams, next_random, train_logistic};
use text::{SparseVec, TfIdf, TfIdfParams, paper_terms};

/// The text of one paper the corpus is built from.
#[derive(Debug, Clone)]
pub struct PaperText {
    /// The paper.
    pub id: ArxivId,
    /// Its title (shown in "close to: …").
    pub title: String,
    /// Its abstract.
    pub abstract_text: String,
    /// Its listing date (the For-you window).
    pub listed_on: Date,
    /// Its arXiv categories, the primary one first.
    pub categories: Vec<String>,
}

/// What a corpus's vectors are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Features {
    /// tf-idf of title and abstract (no embedding model, or papers still being embedded).
    #[default]
    TfIdf,
    /// The papers' sentence embeddings.
    Embeddings,
}

/// Every candidate paper as a vector, fitted together.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// What the vectors are.
    pub features: Features,
    /// The vectors' dimension: text features, then one per primary category.
    pub dim: usize,
    /// How many of the features are the text's (tf-idf terms or embedding dimensions).
    pub text_dim: usize,
    /// The value of the primary-category feature (see [`TfIdfParams::category_weight`]).
    pub category_weight: f32,
    /// The vocabulary (empty for embeddings).
    pub tfidf: TfIdf,
    /// Papers, by position.
    pub ids: Vec<ArxivId>,
    /// Titles, by position.
    pub titles: Vec<String>,
    /// Listing dates, by position.
    pub listed_on: Vec<Date>,
    /// Vectors, by position.
    pub vectors: Vec<SparseVec>,
    index: HashMap<ArxivId, usize>,
}

impl Corpus {
    /// Fits a vocabulary to `papers` and turns each into a vector.
    pub fn build(papers: Vec<PaperText>, params: TfIdfParams) -> Corpus {
        let terms = |p: &PaperText| paper_terms(&p.title, &p.abstract_text, params);
        let tfidf = TfIdf::fit_terms(papers.iter().map(terms), params);
        let vectors = papers
            .iter()
            .map(|p| tfidf.vector_of_terms(&terms(p)))
            .collect();
        let mut corpus = Corpus {
            features: Features::TfIdf,
            dim: tfidf.dim(),
            text_dim: tfidf.dim(),
            category_weight: params.category_weight,
            tfidf,
            ..Corpus::default()
        };
        corpus.add(papers, vectors);
        corpus
    }

    /// A corpus of sentence embeddings: the papers of `papers` that have one in
    /// `vectors` (normalised, as the embedder makes them), the others left out.
    pub fn from_embeddings(papers: Vec<PaperText>, vectors: &HashMap<ArxivId, Vec<f32>>) -> Corpus {
        let (papers, dense): (Vec<PaperText>, Vec<SparseVec>) = papers
            .into_iter()
            .filter_map(|paper| {
                let vector = vectors.get(&paper.id.without_version())?;
                let dense = SparseVec {
                    idx: (0..vector.len() as u32).collect(),
                    val: vector.clone(),
                };
                Some((paper, dense))
            })
            .unzip();
        let dim = dense.first().map_or(0, |v| v.idx.len());
        let mut corpus = Corpus {
            features: Features::Embeddings,
            dim,
            text_dim: dim,
            category_weight: TfIdfParams::FOR_YOU.category_weight,
            ..Corpus::default()
        };
        corpus.add(papers, dense);
        corpus
    }

    /// Takes `papers` with their text vectors, adding each one's primary-category feature.
    fn add(&mut self, papers: Vec<PaperText>, vectors: Vec<SparseVec>) {
        let mut categories: Vec<&str> = papers
            .iter()
            .filter_map(|p| p.categories.first().map(String::as_str))
            .collect();
        categories.sort_unstable();
        categories.dedup();
        let feature = |p: &PaperText| {
            if self.category_weight <= 0.0 {
                return None;
            }
            let primary = p.categories.first()?;
            let at = categories.binary_search(&primary.as_str()).ok()?;
            Some((self.text_dim + at) as u32)
        };
        let with_category: Vec<SparseVec> = papers
            .iter()
            .zip(vectors)
            .map(|(p, mut v)| {
                if let Some(feature) = feature(p) {
                    v.idx.push(feature);
                    v.val.push(self.category_weight);
                    let norm = v.val.iter().map(|x| x * x).sum::<f32>().sqrt();
                    v.val.iter_mut().for_each(|x| *x /= norm);
                }
                v
            })
            .collect();
        if self.category_weight > 0.0 {
            self.dim = self.text_dim + categories.len();
        }
        self.vectors = with_category;
        self.index = papers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.without_version(), i))
            .collect();
        self.titles = papers.iter().map(|p| p.title.clone()).collect();
        self.listed_on = papers.iter().map(|p| p.listed_on).collect();
        self.ids = papers.into_iter().map(|p| p.id).collect();
    }

    /// A paper's position.
    pub fn position(&self, id: &ArxivId) -> Option<usize> {
        self.index.get(&id.without_version()).copied()
    }

    /// How many papers it holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A member's trained model, with what it learnt from.
#[derive(Debug)]
pub struct UserModel {
    /// The scorer.
    pub model: LinearModel,
    /// Positions of the positives (saved first, then upvoted): reasons point at these.
    pub positives: Vec<usize>,
    /// How many of `positives` are saved papers (the rest are upvoted).
    pub saved: usize,
    /// Positions never to recommend: positives and "not interested".
    pub excluded: HashSet<usize>,
}

/// Trains a member's model on their feedback; `seed` picks the background papers (the
/// member's id: the same library trains the same model).
pub fn train_user(
    corpus: &Corpus,
    feedback: &Feedback,
    params: &LogisticParams,
    seed: u64,
) -> UserModel {
    let saved: Vec<usize> = feedback
        .saved
        .iter()
        .filter_map(|id| corpus.position(id))
        .collect();
    let mut positives = saved.clone();
    positives.extend(feedback.upvoted.iter().filter_map(|id| corpus.position(id)));
    let explicit: Vec<usize> = feedback
        .not_interested
        .iter()
        .filter_map(|id| corpus.position(id))
        .collect();
    let mut excluded: HashSet<usize> = positives.iter().chain(&explicit).copied().collect();
    let mut negatives = explicit.clone();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let wanted = params
        .background
        .min(corpus.len().saturating_sub(excluded.len()));
    let mut tries = 0;
    while negatives.len() < explicit.len() + wanted && tries < wanted * 4 {
        tries += 1;
        let pick = (next_random(&mut state) % corpus.len().max(1) as u64) as usize;
        if excluded.insert(pick) {
            negatives.push(pick);
        }
    }
    // Background papers were only borrowed as negatives: they stay recommendable.
    for background in &negatives[explicit.len()..] {
        excluded.remove(background);
    }
    let pos: Vec<&SparseVec> = positives.iter().map(|&i| &corpus.vectors[i]).collect();
    let neg: Vec<&SparseVec> = negatives.iter().map(|&i| &corpus.vectors[i]).collect();
    let model = train_logistic(
        &pos,
        &neg,
        explicit.len(),
        corpus.dim,
        corpus.text_dim,
        params,
    );
    UserModel {
        model,
        saved: saved.len(),
        positives,
        excluded,
    }
}

/// One recommendation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Position in the corpus.
    pub position: usize,
    /// The paper.
    pub id: ArxivId,
    /// The blended score the list is ordered by.
    pub score: f32,
    /// Personal relevance, 0..1.
    pub personal: f32,
    /// Trending score relative to the best candidate's, 0..1.
    pub trending: f32,
    /// The saved (or upvoted) paper it is closest to: its title.
    pub close_to: Option<String>,
    /// Whether that paper is saved (else upvoted).
    pub close_to_saved: bool,
}

/// Ranks the corpus for a member: papers listed on or after `since` (all when `None`),
/// never an excluded one, by `(1 - dial) * personal + dial * trending`, best first;
/// `limit` picks from `offset`, each with the positive it is closest to.
pub fn recommend(
    corpus: &Corpus,
    user: &UserModel,
    since: Option<Date>,
    trending: &HashMap<ArxivId, f64>,
    dial: f32,
    offset: usize,
    limit: usize,
) -> Vec<Pick> {
    let dial = dial.clamp(0.0, 1.0);
    let best_trending = trending.values().copied().fold(0.0f64, f64::max);
    let mut trend = vec![0.0f32; corpus.len()];
    if best_trending > 0.0 {
        for (id, score) in trending {
            if let Some(i) = corpus.position(id) {
                trend[i] = (score / best_trending) as f32;
            }
        }
    }
    let candidates: Vec<usize> = (0..corpus.len())
        .filter(|i| since.is_none_or(|d| corpus.listed_on[*i] >= d) && !user.excluded.contains(i))
        .collect();
    let personal = personal_scores(corpus, user, &candidates);
    let mut scored: Vec<(f32, f32, f32, usize)> = candidates
        .iter()
        .zip(personal)
        .map(|(&i, personal)| {
            // A hair of the other score breaks ties at either end of the dial.
            let blended = (1.0 - dial) * personal + dial * trend[i] + 1e-4 * (personal + trend[i]);
            (blended, personal, trend[i], i)
        })
        .collect();
    let wanted = (offset + limit).min(scored.len());
    let by_score = |a: &(f32, f32, f32, usize), b: &(f32, f32, f32, usize)| {
        b.0.total_cmp(&a.0).then(a.3.cmp(&b.3))
    };
    if wanted < scored.len() && wanted > 0 {
        scored.select_nth_unstable_by(wanted - 1, by_score);
        scored.truncate(wanted);
    }
    scored.sort_unstable_by(by_score);
    scored
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(score, personal, trending, position)| {
            let near = closest(corpus, user, position);
            Pick {
                position,
                id: corpus.ids[position].clone(),
                score,
                personal,
                trending,
                close_to: near.map(|p| corpus.titles[p].clone()),
                close_to_saved: near.is_some_and(|p| user.positives[..user.saved].contains(&p)),
            }
        })
        .collect()
}

/// The model's probability for each candidate, computed on every core (a 75k-paper scan
/// is most of a For-you request).
fn personal_scores(corpus: &Corpus, user: &UserModel, candidates: &[usize]) -> Vec<f32> {
    let mut out = vec![0.0f32; candidates.len()];
    if user.positives.is_empty() || candidates.is_empty() {
        return out;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let chunk = candidates.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for (part, slots) in candidates.chunks(chunk).zip(out.chunks_mut(chunk)) {
            scope.spawn(move || {
                for (&i, slot) in part.iter().zip(slots) {
                    *slot = sigmoid(user.model.score(&corpus.vectors[i]));
                }
            });
        }
    });
    out
}

/// The positive most similar to the paper at `position` by their texts (a shared
/// category alone makes no reason), if any shares a term with it.
pub fn closest(corpus: &Corpus, user: &UserModel, position: usize) -> Option<usize> {
    let vector = &corpus.vectors[position];
    user.positives
        .iter()
        .map(|&p| (corpus.vectors[p].dot_below(vector, corpus.text_dim), p))
        .filter(|(similarity, _)| *similarity > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests;
