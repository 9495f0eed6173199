//! `paperstand harvest …`: progress while fetching, and a summary at the end.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use paperstand_core::record::parse_date;

use crate::app;
use crate::config::{Config, parse_url};
use crate::ingest::fetch::Fetcher;
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
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let on_page = |report: &HarvestReport| {
        let records = records(report);
        let rate = records as f64 / started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!(
            "{} pages, {records} records ({rate:.0}/s)",
            report.pages
        ));
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
        println!("  {}: {}", rejected.identifier, rejected.reason);
    }
}
