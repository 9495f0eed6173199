//! The key acceptance test: our tokenizer and encoder reproduce sentence-transformers'
//! all-MiniLM-L6-v2 on the recorded fixture (scripts/reference-embeddings.py).

mod common;

use paperstand_embed::{DIM, Embedder, paper_text};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/reference_vectors.jsonl");

/// Least cosine similarity allowed between our vector and the reference.
const MIN_COSINE: f32 = 0.999;

struct Reference {
    id: String,
    title: String,
    abstract_text: String,
    text: String,
    tokens: Vec<u32>,
    vector: Vec<f32>,
}

fn references() -> Vec<Reference> {
    FIXTURE
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("fixture line is JSON");
            let s = |k: &str| v[k].as_str().expect("string field").to_owned();
            let nums = |k: &str| {
                v[k].as_array()
                    .expect("array field")
                    .iter()
                    .map(|n| n.as_f64().unwrap())
            };
            Reference {
                id: s("id"),
                title: s("title"),
                abstract_text: s("abstract"),
                text: s("text"),
                tokens: nums("tokens").map(|n| n as u32).collect(),
                vector: nums("vector").map(|n| n as f32).collect(),
            }
        })
        .collect()
}

fn embedder() -> Embedder {
    Embedder::load(&common::model_dir()).expect("model loads")
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

#[test]
fn fixture_covers_papers_and_tricky_texts() {
    let refs = references();
    assert!(refs.iter().filter(|r| !r.id.starts_with("tricky-")).count() >= 60);
    assert!(refs.iter().filter(|r| r.id.starts_with("tricky-")).count() >= 10);
}

#[test]
fn paper_text_matches_the_reference_rule() {
    for r in references() {
        assert_eq!(
            paper_text(&r.title, &r.abstract_text),
            r.text,
            "paper {}",
            r.id
        );
    }
}

#[test]
fn tokenizer_matches_reference_ids_and_vectors_agree() {
    let model = embedder();
    let refs = references();
    for r in &refs {
        assert_eq!(
            model.token_ids(&r.text),
            r.tokens,
            "token ids differ for {}: {:?}",
            r.id,
            r.text
        );
    }
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let vectors = model.embed(&texts);
    assert_eq!(vectors.len(), refs.len());
    let (mut worst, mut worst_id) = (f32::INFINITY, "");
    for (r, v) in refs.iter().zip(&vectors) {
        assert_eq!(v.len(), DIM);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "{} has norm {norm}", r.id);
        let c = cosine(v, &r.vector);
        if c < worst {
            (worst, worst_id) = (c, &r.id);
        }
    }
    eprintln!(
        "min cosine over {} reference vectors: {worst:.7} ({worst_id})",
        refs.len()
    );
    assert!(
        worst >= MIN_COSINE,
        "min cosine {worst} (paper {worst_id}) is below {MIN_COSINE}"
    );
}

#[test]
fn batching_does_not_change_vectors() {
    let model = embedder();
    let texts = [
        "graph neural networks",
        "",
        "a much longer sentence about protein folding",
    ];
    let batched = model.embed(&texts);
    for (text, b) in texts.iter().zip(&batched) {
        let single = &model.embed(&[text])[0];
        assert!(cosine(single, b) > 0.99999, "{text:?}");
    }
    assert!(model.model_id().starts_with("all-MiniLM-L6-v2@"));
    assert_eq!(model.model_id().len(), "all-MiniLM-L6-v2@".len() + 12);
}
