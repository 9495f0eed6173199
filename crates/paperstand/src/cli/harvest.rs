//! `paperstand harvest …`: progress while fetching, and a summary at the end.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use paperstand_core::ArxivId;
use paperstand_core::record::parse_date;

use crate::app;
use crate::config::{Config, parse_url};
use crate::ingest::announce::{AnnouncementJob, read_announcements};
use crate::ingest::arxiv_api::ArxivApi;
use crate::ingest::fetch::Fetcher;
use crate::ingest::merge::{Authority, MergeCounts, apply_papers};
use crate::ingest::oai::{HarvestReport, OaiHarvest, harvest_oai, parse_format};

/// Rejected records printed on the terminal.
const REJECTIONS_SHOWN: usize = 20;

/// `paperstand harvest oai` arguments.
#[derive(Debug, Args)]
pub struct OaiArgs {
    /// Only this set, e.g. cs or physics:hep-th
    #[arg(long)]
    set: Option<String>,
    /// Start from this day (YYYY-MM-DD) instead of the last completed harvest
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    /// Metadata format: arXivRaw (every version with its date), arXiv or oai_dc
    #[arg(long, default_value = "arXivRaw")]
    format: String,
    /// The OAI-PMH endpoint [default: ingest.oai_base_url, https://oaipmh.arxiv.org/oai]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Fetch and count, but write nothing and remember nothing
    #[arg(long)]
    dry_run: bool,
}

pub(super) async fn run_oai(config: &Config, args: &OaiArgs) -> anyhow::Result<ExitCode> {
    let job = OaiHarvest {
        base_url: match &args.base_url {
            Some(url) => parse_url("--base-url", url)?,
            None => config.ingest.oai_base_url.clone(),
        },
        set: args.set.clone(),
        format: parse_format(&args.format)?,
        from: args
            .from
            .as_deref()
            .map(|d| {
                parse_date(d).ok_or_else(|| {
                    anyhow::anyhow!("--from {d:?} is not a date of the form 2026-11-27")
                })
            })
            .transpose()?,
        dry_run: args.dry_run,
    };
    let store = app::open_store(config).await?;
    let fetcher = Fetcher::new(&config.ingest, &config.public_url())?;
    // A spinner until the server tells the list's size, then a bar with rate and ETA.
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let on_page = |report: &HarvestReport| {
        let records = records(report);
        if let Some(total) = report.list_size.filter(|_| bar.length().is_none()) {
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} records ({per_sec}, ETA {eta}) {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_length(total);
        }
        bar.set_position(records);
        if bar.length().is_some() {
            bar.set_message(format!("{} pages", report.pages));
        } else {
            let rate = records as f64 / started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!(
                "{} pages, {records} records ({rate:.0}/s)",
                report.pages
            ));
        }
    };
    let result = harvest_oai(store.as_ref(), &fetcher, &job, &on_page).await;
    bar.finish_and_clear();
    store.close().await;
    let report = result?;
    print_summary(&job, &report, started.elapsed());
    Ok(ExitCode::SUCCESS)
}

fn records(report: &HarvestReport) -> u64 {
    let c = report.counts;
    c.inserted + c.updated + c.unchanged + c.older + report.rejected.len() as u64
}

fn print_summary(job: &OaiHarvest, report: &HarvestReport, elapsed: Duration) {
    let what = if job.dry_run {
        "Dry run of"
    } else {
        "Harvested"
    };
    let from = report
        .from
        .as_deref()
        .map_or("the beginning".to_owned(), |d| d.to_owned());
    let resumed = if report.resumed {
        ", resuming an interrupted harvest"
    } else {
        ""
    };
    println!(
        "{what} {} ({}, set {}) from {from}{resumed}: {} pages in {:.1} s",
        job.base_url,
        job.format.as_str(),
        job.set.as_deref().unwrap_or("all"),
        report.pages,
        elapsed.as_secs_f64()
    );
    let c = report.counts;
    println!("  new        {:>10}", c.inserted);
    println!("  updated    {:>10}", c.updated);
    println!("  unchanged  {:>10}", c.unchanged);
    if c.older > 0 {
        println!(
            "  older      {:>10}  (the stored paper is newer and was kept)",
            c.older
        );
    }
    println!("  withdrawn  {:>10}", report.withdrawn);
    println!("  deleted    {:>10}", report.deleted);
    println!("  rejected   {:>10}", report.rejected.len());
    for rejected in report.rejected.iter().take(REJECTIONS_SHOWN) {
        println!(
            "  {}: {}",
            super::printable(&rejected.identifier),
            super::printable(&rejected.reason)
        );
    }
}

/// `paperstand harvest api` arguments.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["ids", "query"]))]
pub struct ApiArgs {
    /// Comma-separated arXiv ids or URLs
    #[arg(long, value_delimiter = ',')]
    ids: Vec<String>,
    /// An arXiv search query, e.g. 'cat:cs.CL AND ti:retrieval'
    #[arg(long)]
    query: Option<String>,
    /// Most papers a query fetches
    #[arg(long, default_value_t = 100)]
    max: u64,
    /// The API endpoint [default: ingest.api_base_url, https://export.arxiv.org/api/query]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Fetch and count, write nothing
    #[arg(long)]
    dry_run: bool,
}

pub(super) async fn run_api(config: &Config, args: &ApiArgs) -> anyhow::Result<ExitCode> {
    let ids: Vec<ArxivId> = args
        .ids
        .iter()
        .map(|t| t.parse())
        .collect::<Result<_, _>>()?;
    let base_url = match &args.base_url {
        Some(url) => parse_url("--base-url", url)?,
        None => config.ingest.api_base_url.clone(),
    };
    let store = app::open_store(config).await?;
    let fetcher = Fetcher::new(&config.ingest, &config.public_url())?;
    let api = ArxivApi::new(&fetcher, &base_url);
    let bar = ProgressBar::new(args.max).with_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} papers ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let result = match &args.query {
        Some(query) => {
            let on_page = |fetched: u64, total: Option<u64>| {
                bar.set_length(total.unwrap_or(args.max).min(args.max));
                bar.set_position(fetched);
            };
            api.search(query, args.max, &on_page).await
        }
        None => api.fetch_ids(&ids).await,
    };
    bar.finish_and_clear();
    let result = result?;
    let papers: Vec<_> = unique_papers(result.entries.into_iter().map(|e| e.paper));
    let mut counts = MergeCounts::default();
    counts.add(&apply_papers(store.as_ref(), papers, Authority::Arxiv, args.dry_run).await?);
    store.close().await;
    println!(
        "{} {base_url}:",
        if args.dry_run {
            "Dry run of"
        } else {
            "Fetched from"
        }
    );
    println!(
        "  new        {:>10}\n  updated    {:>10}\n  unchanged  {:>10}",
        counts.inserted, counts.updated, counts.unchanged
    );
    if counts.older > 0 {
        println!(
            "  older      {:>10}  (the stored paper is newer and was kept)",
            counts.older
        );
    }
    println!("  rejected   {:>10}", result.rejected.len());
    for rejected in result.rejected.iter().take(REJECTIONS_SHOWN) {
        println!("  {}", super::printable(rejected));
    }
    for id in &result.missing {
        println!("  not found on arXiv: {id}");
    }
    Ok(if result.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// One paper per id (a search can list a paper twice across pages); the last wins.
fn unique_papers(
    papers: impl Iterator<Item = paperstand_core::Paper>,
) -> Vec<paperstand_core::Paper> {
    let mut by_id = std::collections::HashMap::new();
    for paper in papers {
        by_id.insert(paper.id.clone(), paper);
    }
    by_id.into_values().collect()
}

/// `paperstand harvest announcements` arguments.
#[derive(Debug, Args)]
pub struct AnnounceArgs {
    /// Comma-separated categories [default: ingest.categories]
    #[arg(long, value_delimiter = ',')]
    categories: Vec<String>,
    /// The feed base [default: ingest.announce_base_url, https://rss.arxiv.org/atom]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Fetch and count, write nothing
    #[arg(long)]
    dry_run: bool,
}

pub(super) async fn run_announcements(
    config: &Config,
    args: &AnnounceArgs,
) -> anyhow::Result<ExitCode> {
    let categories = if args.categories.is_empty() {
        config.ingest.categories.clone()
    } else {
        args.categories.clone()
    };
    anyhow::ensure!(
        !categories.is_empty(),
        "name the categories: --categories cs.LG,cs.CL (or set ingest.categories)"
    );
    let job = AnnouncementJob {
        base_url: match &args.base_url {
            Some(url) => parse_url("--base-url", url)?,
            None => config.ingest.announce_base_url.clone(),
        },
        categories,
        dry_run: args.dry_run,
    };
    let store = app::open_store(config).await?;
    let fetcher = Fetcher::new(&config.ingest, &config.public_url())?;
    let api = ArxivApi::new(&fetcher, &config.ingest.api_base_url);
    let result = read_announcements(store.as_ref(), &fetcher, &api, &job).await;
    store.close().await;
    let report = result?;
    let Some(day) = report.day else {
        println!(
            "No announcements for {}: arXiv announces nothing on weekends and holidays.",
            job.categories.join(", ")
        );
        return Ok(ExitCode::SUCCESS);
    };
    if report.already_done {
        println!("The announcements of {day} were already read; nothing to do.");
        return Ok(ExitCode::SUCCESS);
    }
    println!("Announcements of {day} for {}:", job.categories.join(", "));
    println!(
        "  new {}, cross-lists {}, replacements {}",
        report.new, report.cross, report.replaced
    );
    println!(
        "  version dates from the API for {} papers; {} replaced papers unknown everywhere were skipped",
        report.completed_by_api, report.skipped
    );
    let c = report.counts;
    println!(
        "  stored: new {}, updated {}, unchanged {}",
        c.inserted, c.updated, c.unchanged
    );
    println!("  rejected {}", report.rejected.len());
    for rejected in report.rejected.iter().take(REJECTIONS_SHOWN) {
        println!(
            "  {}: {}",
            super::printable(&rejected.identifier),
            super::printable(&rejected.reason)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn run_daily(config: &Config) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        crate::ingest::daily::is_configured(&config.ingest),
        "nothing to ingest: set ingest.categories (announcements) and/or ingest.oai_set (harvest)"
    );
    let store = app::open_store(config).await?;
    // Under the scheduler's lease: never at the same time as a node's scheduled run.
    let run = crate::ingest::daily::run_daily(store.as_ref(), config);
    let daily = crate::ingest::daily::LEASE;
    let outcome =
        crate::jobs::run_leased(store.as_ref(), daily, crate::ingest::daily::LEASE_TTL, run).await;
    let holder = store.lease(daily).await.ok().flatten();
    store.close().await;
    match outcome? {
        crate::jobs::Leased::Ran(failures) => Ok(if failures? == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
        crate::jobs::Leased::HeldElsewhere => anyhow::bail!(
            "the daily ingestion is running already (on {}); try again when it is done",
            holder.map_or_else(|| "another node".to_owned(), |l| l.owner)
        ),
        crate::jobs::Leased::Lost => {
            anyhow::bail!("stopped: another node took the daily ingestion's lease over")
        }
    }
}
