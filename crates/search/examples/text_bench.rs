//! Indexes a corpus of papers (gzip JSON Lines in the import record format) and
//! measures query latency: 1,000 varied queries, top 20, with and without snippets.
//!
//! `cargo run --release -p paperstand-search --example text_bench [CORPUS]`
//! (default corpus: /work/shared/corpora/arxiv-cs-2025-2026/papers.jsonl.gz).

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use paperstand_core::Paper;
use paperstand_core::record::parse_record;
use paperstand_search::{IndexDoc, SearchOptions, Sort, TextIndex};
use time::macros::date;

const DEFAULT_CORPUS: &str = "/work/shared/corpora/arxiv-cs-2025-2026/papers.jsonl.gz";
const QUERIES: usize = 1_000;
/// Papers per `apply` call (one commit each), as a feeder would send them.
const BATCH: usize = 10_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_CORPUS.into());
    let started = Instant::now();
    let papers = load(&path)?;
    println!(
        "loaded {} papers in {:.1?}",
        papers.len(),
        started.elapsed()
    );

    let dir = tempfile::TempDir::new()?;
    let index = TextIndex::open(dir.path())?;
    let started = Instant::now();
    for (n, chunk) in papers.chunks(BATCH).enumerate() {
        let docs: Vec<IndexDoc<'_>> = chunk.iter().map(IndexDoc::new).collect();
        index.apply(&docs, i64::try_from(n + 1)?)?;
    }
    let indexing = started.elapsed();
    println!(
        "indexed {} papers in {:.2?} ({:.0} papers/s)",
        index.doc_count(),
        indexing,
        papers.len() as f64 / indexing.as_secs_f64()
    );
    drop(index);
    let started = Instant::now();
    let index = TextIndex::open(dir.path())?;
    println!(
        "reopened (with checksum validation) in {:.1?}",
        started.elapsed()
    );

    let queries = make_queries(&papers);
    for snippets in [false, true] {
        run(&index, &queries, snippets)?;
    }
    Ok(())
}

/// Parses the corpus; records that fail validation are counted and skipped.
fn load(path: &str) -> Result<Vec<Paper>, Box<dyn std::error::Error>> {
    let file = std::fs::File::open(path)?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut papers = Vec::new();
    let mut rejected = 0;
    for line in reader.lines() {
        match parse_record(line?.as_bytes(), date!(2100 - 01 - 01)) {
            Ok(paper) => papers.push(paper),
            Err(_) => rejected += 1,
        }
    }
    if rejected > 0 {
        println!("skipped {rejected} invalid records");
    }
    Ok(papers)
}

/// One benchmark query: the text and its order.
struct BenchQuery {
    text: String,
    sort: Sort,
}

/// Deterministic, varied queries derived from the corpus's titles and authors.
fn make_queries(papers: &[Paper]) -> Vec<BenchQuery> {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let mut out = Vec::with_capacity(QUERIES);
    while out.len() < QUERIES {
        let paper = &papers[rng.below(papers.len())];
        let words = title_words(paper);
        if words.len() < 4 {
            continue;
        }
        let start = rng.below(words.len() - 3);
        let kind = out.len() % 10;
        let text = match kind {
            0..=3 => words[start..=start + kind].join(" "),
            4 => format!("\"{} {}\"", words[start], words[start + 1]),
            5 => match paper
                .authors
                .first()
                .and_then(|a| a.split_whitespace().last())
            {
                Some(last) => format!("au:{last} {}", words[start]),
                None => continue,
            },
            6 => match paper.primary_category() {
                Some(category) => format!("cat:{category} {}", words[start]),
                None => continue,
            },
            7 => format!("{} {} year:2025..2026", words[start], words[start + 1]),
            8 => {
                let other = title_words(&papers[rng.below(papers.len())]);
                match other.first() {
                    Some(exclude) => format!("{} -{exclude}", words[start]),
                    None => continue,
                }
            }
            _ => format!("{} {}", words[start], words[start + 2]),
        };
        let sort = if kind == 9 {
            Sort::Newest
        } else {
            Sort::Relevance
        };
        out.push(BenchQuery { text, sort });
    }
    out
}

/// Lowercased title words of four letters or more.
fn title_words(paper: &Paper) -> Vec<String> {
    paper
        .title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4 && w.chars().all(char::is_alphabetic))
        .map(str::to_lowercase)
        .collect()
}

/// Runs every query once to warm up, then again timed; prints percentiles.
fn run(
    index: &TextIndex,
    queries: &[BenchQuery],
    snippets: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let search = |q: &BenchQuery| {
        let opts = SearchOptions {
            sort: q.sort,
            limit: 20,
            snippets,
            ..SearchOptions::default()
        };
        index.search(&q.text, &opts)
    };
    for q in queries.iter().take(100) {
        search(q)?;
    }
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    let mut empty = 0usize;
    let mut slowest = (Duration::ZERO, "");
    for q in queries {
        let started = Instant::now();
        let results = search(q)?;
        let took = started.elapsed();
        times.push(took);
        hits += results.total;
        empty += usize::from(results.total == 0);
        if took > slowest.0 {
            slowest = (took, q.text.as_str());
        }
    }
    times.sort();
    let ms = |p: f64| {
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        times[i].as_secs_f64() * 1_000.0
    };
    println!(
        "{} queries, top 20, snippets {}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms \
         (mean total {}, {} with no hits; slowest {:?})",
        times.len(),
        if snippets { "on " } else { "off" },
        ms(0.50),
        ms(0.95),
        ms(0.99),
        ms(1.0),
        hits / times.len(),
        empty,
        slowest.1,
    );
    Ok(())
}

/// A fixed-seed xorshift generator: the same queries on every run.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}
