//! `paperstand eval search`: measures search quality and speed on this instance's own
//! papers, so operators and developers can compare modes and catch regressions.
//!
//! - Similar papers: for N random papers, the share of their 10 most similar papers
//!   that share their primary category (against the share expected by chance).
//! - Known item: the query is a paper's title with 30% of its words dropped at random;
//!   the paper's rank in each mode gives MRR and recall@1/@10 (searched to depth 100).
//! - Latency of each mode over those queries (in process, the store included), and the
//!   vector index's recall@10 against an exact scan.
//!
//! Everything is seeded, so two runs on the same data give the same queries.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use paperstand_core::ArxivId;
use paperstand_store::Store;

use crate::app;
use crate::config::Config;
use crate::search::{Mode, Search, SearchRequest, SemanticStatus};

/// `eval search` arguments.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Papers sampled for each measure
    #[arg(long, value_name = "N", default_value_t = 1000)]
    sample: usize,
    /// Seed of the sample and of the dropped words
    #[arg(long, value_name = "SEED", default_value_t = 20_261_127)]
    seed: u64,
}

/// A small deterministic generator (xorshift64*): the harness needs repeatable
/// choices, not statistical quality.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Sampled {
    id: ArxivId,
    title: String,
    primary: String,
}

/// The known-item query for a title: 30% of its words dropped (at least one kept), and
/// the characters the query syntax reads as operators (quotes, a leading `-`) removed.
fn known_item_query(title: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = title
        .split_whitespace()
        .map(|w| w.replace('"', "").trim_start_matches('-').to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    let drop = (words.len() as f64 * 0.3).round() as usize;
    for _ in 0..drop.min(words.len().saturating_sub(1)) {
        let at = rng.below(words.len());
        words.remove(at);
    }
    words.join(" ")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs `eval search`.
pub async fn run(config: &Config, args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let store: Arc<dyn Store> = app::open_store(config).await?;
    let search = Search::open(store.clone(), config).await?;
    let indexed = search.catch_up_text_fully().await?;
    search.catch_up_vectors().await?;
    let semantic = matches!(search.semantic_status(), SemanticStatus::On { .. });
    let backlog = search.embedding_backlog().await?;
    if semantic && backlog > 0 {
        eprintln!(
            "warning: {backlog} papers have no vector yet (run `paperstand index embed`): semantic numbers cover the rest"
        );
    }
    let (papers, categories) = all_papers(store.as_ref()).await?;
    let mut rng = Rng(args.seed | 1);
    let sample: Vec<&Sampled> = (0..args.sample.min(papers.len()))
        .map(|_| &papers[rng.below(papers.len())])
        .collect();
    println!(
        "corpus: {} papers ({} newly indexed), sample {} (seed {}), {}",
        papers.len(),
        indexed,
        sample.len(),
        args.seed,
        match search.semantic_status() {
            SemanticStatus::On { model } => format!("model {model}"),
            SemanticStatus::Off { reason } => format!("semantic off: {reason}"),
        }
    );
    if semantic {
        similar_agreement(&search, &sample, &categories, papers.len()).await?;
    }
    let queries: Vec<String> = sample
        .iter()
        .map(|p| known_item_query(&p.title, &mut rng))
        .collect();
    let modes: &[Mode] = if semantic {
        &[Mode::Keyword, Mode::Semantic, Mode::Hybrid]
    } else {
        &[Mode::Keyword]
    };
    println!("\nknown item (title with 30% of words dropped), depth 100:");
    println!("  mode       MRR    R@1    R@10");
    for &mode in modes {
        known_item(&search, &sample, &queries, mode).await?;
    }
    println!(
        "\nlatency of a page of 20 results (those queries, in process, store reads included):"
    );
    println!("  mode       p50 ms  p95 ms  p99 ms");
    for &mode in modes {
        latency(&search, &queries, mode).await?;
    }
    if semantic {
        let texts: Vec<String> = queries.iter().take(200).cloned().collect();
        let (recall, fast, exact) = search.vector_recall(&texts, 10).await?;
        println!(
            "\nvector index: recall@10 {recall:.4} against exact search over {} queries; \
             scan {fast:.2} ms (int8 + re-score) vs {exact:.2} ms (exact f32)",
            texts.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Every paper's id, title and primary category; and papers per primary category.
async fn all_papers(store: &dyn Store) -> anyhow::Result<(Vec<Sampled>, HashMap<String, usize>)> {
    let mut papers = Vec::new();
    let mut categories: HashMap<String, usize> = HashMap::new();
    let mut after: Option<ArxivId> = None;
    loop {
        let batch = store.papers_after(after.as_ref(), 5_000).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id.clone());
        for paper in batch {
            let primary = paper.primary_category().unwrap_or("").to_owned();
            *categories.entry(primary.clone()).or_default() += 1;
            papers.push(Sampled {
                id: paper.id,
                title: paper.title,
                primary,
            });
        }
    }
    Ok((papers, categories))
}

async fn similar_agreement(
    search: &Search,
    sample: &[&Sampled],
    categories: &HashMap<String, usize>,
    total: usize,
) -> anyhow::Result<()> {
    let (mut same, mut listed, mut times) = (0usize, 0usize, Vec::new());
    for paper in sample {
        let started = Instant::now();
        let similar = search.similar(&paper.id, 10).await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        listed += similar.len();
        same += similar
            .iter()
            .filter(|(p, _)| p.primary_category().unwrap_or("") == paper.primary)
            .count();
    }
    // Drawing a paper at random, the chance its primary category matches: Σ share².
    let chance: f64 = categories
        .values()
        .map(|&n| (n as f64 / total as f64).powi(2))
        .sum();
    times.sort_by(f64::total_cmp);
    println!(
        "\nsimilar papers: {:.1}% of the top 10 share the primary category (chance: {:.1}%), \
         {listed} listed; p50 {:.2} ms, p99 {:.2} ms",
        100.0 * same as f64 / listed.max(1) as f64,
        100.0 * chance,
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    Ok(())
}

async fn known_item(
    search: &Search,
    sample: &[&Sampled],
    queries: &[String],
    mode: Mode,
) -> anyhow::Result<()> {
    let (mut reciprocal, mut at1, mut at10) = (0f64, 0usize, 0usize);
    for (paper, query) in sample.iter().zip(queries) {
        let request = SearchRequest {
            query: query.clone(),
            mode: Some(mode),
            limit: 100,
            ..SearchRequest::default()
        };
        let results = search.search(&request).await?;
        if let Some(rank) = results.hits.iter().position(|h| h.paper.id == paper.id) {
            reciprocal += 1.0 / (rank + 1) as f64;
            at1 += usize::from(rank == 0);
            at10 += usize::from(rank < 10);
        }
    }
    let n = queries.len().max(1) as f64;
    println!(
        "  {:<9} {:.3}  {:.3}  {:.3}",
        mode.as_str(),
        reciprocal / n,
        at1 as f64 / n,
        at10 as f64 / n,
    );
    Ok(())
}

async fn latency(search: &Search, queries: &[String], mode: Mode) -> anyhow::Result<()> {
    let mut times = Vec::with_capacity(queries.len());
    for query in queries {
        let request = SearchRequest {
            query: query.clone(),
            mode: Some(mode),
            limit: 20,
            snippets: true,
            ..SearchRequest::default()
        };
        let started = Instant::now();
        search.search(&request).await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "  {:<9} {:>6.2}  {:>6.2}  {:>6.2}",
        mode.as_str(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_item_queries_drop_thirty_percent_and_defuse_operators() {
        let mut rng = Rng(7);
        let query = known_item_query("one two three four five six seven eight nine ten", &mut rng);
        assert_eq!(query.split_whitespace().count(), 7);
        let query = known_item_query("\"Quoted\" -minus word", &mut rng);
        assert!(!query.contains('"') && !query.starts_with('-'), "{query}");
        assert_eq!(
            known_item_query("Single", &mut rng),
            "Single",
            "one word is kept"
        );
    }

    #[test]
    fn percentiles_pick_ranks() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&sorted, 0.5), 3.0);
        assert_eq!(percentile(&sorted, 0.99), 5.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
