//! `paperstand import hf` and `paperstand import pwc-links`: other services' data.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use paperstand_core::record::parse_date;

use crate::app;
use crate::config::{Config, parse_url};
use crate::ingest::fetch::Fetcher;
use crate::ingest::services::{ServiceReport, import_hf, import_pwc_links};

/// Rejected items printed on the terminal.
const REJECTIONS_SHOWN: usize = 20;

/// Imports from other services.
#[derive(Debug, Subcommand)]
pub enum ImportService {
    /// Hugging Face Papers: a saved `/api/daily_papers` or `/api/papers/{id}` response, a
    /// URL of one, or `--date DAY` to fetch that day's daily papers
    Hf(HfArgs),
    /// Papers with Code's links-between-papers-and-code.json(.gz)
    PwcLinks(PwcArgs),
}

/// `import hf` arguments.
#[derive(Debug, Args)]
pub struct HfArgs {
    /// A JSON file, or an https URL of one
    #[arg(value_name = "FILE_OR_URL", required_unless_present = "date")]
    source: Option<String>,
    /// Fetch the daily papers of this day (YYYY-MM-DD) from --base-url
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "source")]
    date: Option<String>,
    /// Hugging Face's address [default: https://huggingface.co]
    #[arg(long, value_name = "URL", default_value = "https://huggingface.co")]
    base_url: String,
    /// Read and count, write nothing
    #[arg(long)]
    dry_run: bool,
}

/// `import pwc-links` arguments.
#[derive(Debug, Args)]
pub struct PwcArgs {
    /// The dump (JSON array; gzip detected)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Read and count, write nothing
    #[arg(long)]
    dry_run: bool,
}

pub(super) async fn run(config: &Config, service: &ImportService) -> anyhow::Result<ExitCode> {
    let store = app::open_store(config).await?;
    let (what, report, dry_run) = match service {
        ImportService::Hf(args) => {
            let json = hf_source(config, args).await?;
            (
                format!(
                    "Hugging Face Papers ({})",
                    args.source
                        .as_deref()
                        .or(args.date.as_deref())
                        .unwrap_or_default()
                ),
                import_hf(store.as_ref(), &json, app::today(), args.dry_run).await?,
                args.dry_run,
            )
        }
        ImportService::PwcLinks(args) => {
            let json = read_maybe_gzip(&args.file)?;
            (
                format!("Papers with Code links ({})", args.file.display()),
                import_pwc_links(store.as_ref(), &json, args.dry_run).await?,
                args.dry_run,
            )
        }
    };
    store.close().await;
    print_report(&what, &report, dry_run);
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

async fn hf_source(config: &Config, args: &HfArgs) -> anyhow::Result<Vec<u8>> {
    let url = match (&args.source, &args.date) {
        (Some(source), _) if source.starts_with("http://") || source.starts_with("https://") => {
            source.clone()
        }
        (Some(path), _) => return read_maybe_gzip(Path::new(path)),
        (None, Some(day)) => {
            let day = parse_date(day).ok_or_else(|| {
                anyhow::anyhow!("--date {day:?} is not a date of the form 2026-11-27")
            })?;
            let base = parse_url("--base-url", &args.base_url)?;
            format!(
                "{base}/api/daily_papers?date={}&limit=100",
                paperstand_core::record::format_date(day)
            )
        }
        (None, None) => anyhow::bail!("name a file, a URL or --date"),
    };
    let fetcher = Fetcher::new(&config.ingest, &config.public_url())?;
    Ok(fetcher.get(&url).await?.to_vec())
}

fn read_maybe_gzip(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() * 4);
    flate2::read::MultiGzDecoder::new(bytes.as_slice())
        .read_to_end(&mut out)
        .with_context(|| format!("{} is not a complete gzip file", path.display()))?;
    Ok(out)
}

fn print_report(what: &str, report: &ServiceReport, dry_run: bool) {
    println!(
        "{} {what}:",
        if dry_run { "Dry run of" } else { "Imported" }
    );
    let p = report.papers;
    if p.inserted + p.updated + p.unchanged + p.older > 0 {
        println!(
            "  papers: new {}, updated {}, unchanged {}, older {}",
            p.inserted, p.updated, p.unchanged, p.older
        );
    }
    println!(
        "  code links: {} read, {} new",
        report.links, report.new_links
    );
    if report.signals > 0 {
        println!("  signals stored: {}", report.signals);
    }
    println!("  rejected: {}", report.rejected.len());
    for rejected in report.rejected.iter().take(REJECTIONS_SHOWN) {
        println!(
            "  {}: {}",
            super::printable(&rejected.identifier),
            super::printable(&rejected.reason)
        );
    }
}
