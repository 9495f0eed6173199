//! Papers as tf-idf vectors of their title and abstract: words and word pairs (uni- and
//! bigrams), sublinear term frequency, smoothed idf, L2-normalised, as scikit-learn's
//! `TfidfVectorizer` computes them with the options arxiv-sanity-lite uses.

use std::collections::HashMap;

/// English words too common to say anything about a paper's subject.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "been", "being", "both", "but", "by", "can", "could", "did", "do", "does", "each",
    "few", "for", "from", "further", "had", "has", "have", "having", "here", "how", "however",
    "if", "in", "into", "is", "it", "its", "itself", "more", "most", "much", "new", "no", "nor",
    "not", "of", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same",
    "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "through", "to", "too", "under", "until", "up", "use", "used", "using",
    "very", "via", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
    "why", "will", "with", "within", "without", "would", "yet", "you", "your",
];

/// How a vocabulary is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TfIdfParams {
    /// Terms in fewer documents are dropped.
    pub min_df: usize,
    /// Terms in more than this share of documents are dropped.
    pub max_df: f64,
    /// The most frequent (by document count) this many terms are kept.
    pub max_features: usize,
    /// How many times a title's terms count against the abstract's once (1: title and
    /// abstract are one text, as arxiv-sanity-lite joins them).
    pub title_weight: u32,
    /// The value of a paper's primary-category feature next to its unit text vector
    /// (the whole normalised again; 0: no category feature). Papers of one category
    /// then share a little similarity, so a member's model can learn which categories
    /// they read.
    pub category_weight: f32,
}

impl TfIdfParams {
    /// arxiv-sanity-lite's settings (`min_df=5, max_df=0.1, max_features=20000`).
    pub const SANITY: TfIdfParams = TfIdfParams {
        min_df: 5,
        max_df: 0.1,
        max_features: 20_000,
        title_weight: 1,
        category_weight: 0.0,
    };
    /// Paperstand's For-you vocabulary: larger, so that rare technical terms count, and a
    /// light primary-category feature. Title and category weights were chosen on
    /// validation users of two kinds of interest (docs/benchmarks.md): counting titles
    /// twice or a heavier category helps interests named by a title word and hurts those
    /// named by an abstract phrase; this setting helps the first and costs the second
    /// little.
    pub const FOR_YOU: TfIdfParams = TfIdfParams {
        min_df: 2,
        max_df: 0.1,
        max_features: 100_000,
        title_weight: 1,
        category_weight: 0.1,
    };

    /// The For-you vocabulary for a corpus of `n` papers: a small instance (under a
    /// thousand papers) keeps every term in at most half of them, since "in 10% of the
    /// papers" would leave almost nothing.
    pub fn for_you(n: usize) -> TfIdfParams {
        if n < 1_000 {
            TfIdfParams {
                min_df: 1,
                max_df: 0.5,
                ..TfIdfParams::FOR_YOU
            }
        } else {
            TfIdfParams::FOR_YOU
        }
    }
}

/// A sparse vector: indexes in increasing order, with their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    /// Feature indexes, increasing.
    pub idx: Vec<u32>,
    /// Values, one per index.
    pub val: Vec<f32>,
}

impl SparseVec {
    /// The dot product with a dense vector.
    pub fn dot_dense(&self, dense: &[f32]) -> f32 {
        self.idx
            .iter()
            .zip(&self.val)
            .map(|(&i, &v)| dense.get(i as usize).map_or(0.0, |w| w * v))
            .sum()
    }

    /// The dot product with another sparse vector (a cosine, both being normalised).
    pub fn dot(&self, other: &SparseVec) -> f32 {
        merged_dot((&self.idx, &self.val), (&other.idx, &other.val))
    }

    /// The dot product over the features below `limit` only.
    pub fn dot_below(&self, other: &SparseVec, limit: usize) -> f32 {
        merged_dot(below(self, limit), below(other, limit))
    }

    /// Adds `scale * self` to a dense vector.
    pub fn add_to(&self, dense: &mut [f32], scale: f32) {
        for (&i, &v) in self.idx.iter().zip(&self.val) {
            if let Some(w) = dense.get_mut(i as usize) {
                *w += scale * v;
            }
        }
    }
}

/// The dot product of two sparse vectors given as (increasing indexes, values).
fn merged_dot(a: (&[u32], &[f32]), b: (&[u32], &[f32])) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.0.len() && j < b.0.len() {
        match a.0[i].cmp(&b.0[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a.1[i] * b.1[j];
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// A sparse vector's entries whose index is below `limit`.
fn below(v: &SparseVec, limit: usize) -> (&[u32], &[f32]) {
    let end = v.idx.partition_point(|&i| (i as usize) < limit);
    (&v.idx[..end], &v.val[..end])
}

/// The words of a text: lower-cased runs of letters, digits and `_` that start with a
/// letter and have two characters or more, stop words left out.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.chars().count() >= 2 && w.chars().next().is_some_and(char::is_alphabetic))
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// The terms of a text: its words and each pair of neighbouring words.
pub fn terms(text: &str) -> Vec<String> {
    let words = words(text);
    let pairs = words
        .windows(2)
        .map(|pair| format!("{} {}", pair[0], pair[1]));
    let mut terms: Vec<String> = pairs.collect();
    terms.extend(words);
    terms
}

/// The terms of a paper under `params`: with a title weight of 1 the terms of
/// "title. abstract" as one text; otherwise each field's terms (no word pair across the
/// two), the title's repeated `title_weight` times.
pub fn paper_terms(title: &str, abstract_text: &str, params: TfIdfParams) -> Vec<String> {
    if params.title_weight <= 1 {
        return terms(&format!("{title}. {abstract_text}"));
    }
    let title_terms = terms(title);
    let mut all = terms(abstract_text);
    for _ in 0..params.title_weight {
        all.extend(title_terms.iter().cloned());
    }
    all
}

/// A fitted vocabulary with each term's idf.
#[derive(Debug, Clone, Default)]
pub struct TfIdf {
    vocabulary: HashMap<String, u32>,
    idf: Vec<f32>,
}

impl TfIdf {
    /// Learns the vocabulary and idf of `documents`.
    pub fn fit<'a>(documents: impl Iterator<Item = &'a str>, params: TfIdfParams) -> TfIdf {
        TfIdf::fit_terms(documents.map(terms), params)
    }

    /// Learns the vocabulary and idf of documents given as their terms.
    pub fn fit_terms(documents: impl Iterator<Item = Vec<String>>, params: TfIdfParams) -> TfIdf {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut n = 0usize;
        for document in documents {
            n += 1;
            let mut seen = document;
            seen.sort_unstable();
            seen.dedup();
            for term in seen {
                *df.entry(term).or_default() += 1;
            }
        }
        let max_df = (params.max_df * n as f64).floor().max(1.0) as usize;
        let mut kept: Vec<(String, usize)> = df
            .into_iter()
            .filter(|(_, count)| *count >= params.min_df && *count <= max_df)
            .collect();
        // The most frequent first; ties by term so that fitting is deterministic.
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        kept.truncate(params.max_features);
        kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let idf = kept
            .iter()
            .map(|(_, count)| ((1.0 + n as f64) / (1.0 + *count as f64)).ln() as f32 + 1.0)
            .collect();
        let vocabulary = kept
            .into_iter()
            .enumerate()
            .map(|(i, (term, _))| (term, i as u32))
            .collect();
        TfIdf { vocabulary, idf }
    }

    /// How many terms the vocabulary holds (the vectors' dimension).
    pub fn dim(&self) -> usize {
        self.idf.len()
    }

    /// The normalised vector of a text (all zeros when it has no known term).
    pub fn vector(&self, text: &str) -> SparseVec {
        self.vector_of_terms(&terms(text))
    }

    /// The normalised vector of a document given as its terms.
    pub fn vector_of_terms(&self, terms: &[String]) -> SparseVec {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for term in terms {
            if let Some(&i) = self.vocabulary.get(term) {
                *counts.entry(i).or_default() += 1;
            }
        }
        let mut entries: Vec<(u32, f32)> = counts
            .into_iter()
            .map(|(i, tf)| (i, (1.0 + (tf as f32).ln()) * self.idf[i as usize]))
            .collect();
        entries.sort_unstable_by_key(|e| e.0);
        let norm = entries.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        SparseVec {
            idx: entries.iter().map(|e| e.0).collect(),
            val: entries.iter().map(|e| e.1 * scale).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_terms_count_twice_and_fields_make_no_pair_across() {
        let params = TfIdfParams {
            title_weight: 2,
            ..TfIdfParams::FOR_YOU
        };
        let terms = paper_terms("Sparse attention", "Heads prune tokens.", params);
        let count = |t: &str| terms.iter().filter(|x| x.as_str() == t).count();
        assert_eq!(count("sparse attention"), 2);
        assert_eq!(count("heads"), 1);
        assert_eq!(
            count("attention heads"),
            0,
            "no pair across title and abstract"
        );
        let joined = paper_terms(
            "Sparse attention",
            "Heads prune tokens.",
            TfIdfParams::SANITY,
        );
        assert!(
            joined.contains(&"attention heads".to_owned()),
            "one text, as sanity joins it"
        );
    }

    #[test]
    fn words_drop_stop_words_numbers_and_single_letters() {
        assert_eq!(
            words("The 3D Gaussian-splatting of a scene, x2 and GPT4!"),
            ["gaussian", "splatting", "scene", "x2", "gpt4"]
        );
    }

    #[test]
    fn terms_are_words_and_pairs() {
        let terms = terms("sparse attention heads");
        assert!(terms.contains(&"sparse attention".to_owned()));
        assert!(terms.contains(&"attention heads".to_owned()));
        assert!(terms.contains(&"heads".to_owned()));
    }

    #[test]
    fn vectors_are_normalised_and_similar_texts_are_close() {
        let docs = [
            "sparse attention for long documents",
            "sparse attention in transformers",
            "robot grasping with tactile sensors",
            "tactile sensors for robot hands",
        ];
        let params = TfIdfParams {
            min_df: 1,
            max_df: 1.0,
            max_features: 100,
            title_weight: 1,
            category_weight: 0.0,
        };
        let tfidf = TfIdf::fit(docs.iter().copied(), params);
        let v: Vec<SparseVec> = docs.iter().map(|d| tfidf.vector(d)).collect();
        let norm: f32 = v[0].val.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v[0].dot(&v[1]) > v[0].dot(&v[2]));
        assert!(v[2].dot(&v[3]) > v[2].dot(&v[1]));
        assert_eq!(tfidf.vector("nothing known here").idx.len(), 0);
        let mut dense = vec![0.0; tfidf.dim()];
        v[0].add_to(&mut dense, 1.0);
        assert!((v[0].dot_dense(&dense) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn max_df_and_min_df_limit_the_vocabulary() {
        let docs = ["common rare", "common other", "common third"];
        let params = TfIdfParams {
            min_df: 1,
            max_df: 0.5,
            max_features: 10,
            title_weight: 1,
            category_weight: 0.0,
        };
        let tfidf = TfIdf::fit(docs.iter().copied(), params);
        assert_eq!(tfidf.vector("common").idx.len(), 0, "in every document");
        assert_eq!(tfidf.vector("rare").idx.len(), 1);
    }
}
