//! `paperstand import` and `paperstand export`: progress bars and the final report.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use paperstand_core::group_thousands as group;

use crate::app;
use crate::config::Config;
use crate::transfer::import::{CountingReader, decode};
use crate::transfer::{ImportReport, export_papers, export_to_file, import_lines};

/// Rejected lines printed on the terminal; `--rejected FILE` gets them all.
const REJECTIONS_SHOWN: usize = 50;

/// Exit status when some lines were rejected but the rest was imported.
const EXIT_SOME_REJECTED: u8 = 3;

pub(super) async fn run_import(
    config: &Config,
    path: &Path,
    rejected_out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let store = app::open_store(config).await?;
    let consumed = Arc::new(AtomicU64::new(0));
    let (raw, total): (Box<dyn BufRead + Send>, Option<u64>) = if path == Path::new("-") {
        (
            Box::new(BufReader::new(CountingReader::new(
                std::io::stdin(),
                consumed.clone(),
            ))),
            None,
        )
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let size = file.metadata().ok().map(|m| m.len());
        (
            Box::new(BufReader::with_capacity(
                256 * 1024,
                CountingReader::new(file, consumed.clone()),
            )),
            size,
        )
    };
    let reader = decode(raw).with_context(|| format!("cannot read {}", path.display()))?;
    let bar = progress_bar(total);
    let started = Instant::now();
    let on_batch = |report: &ImportReport| {
        bar.set_position(consumed.load(Ordering::Relaxed));
        bar.set_message(format!("{} papers", group(report.accepted())));
    };
    let report = import_lines(store.as_ref(), reader, app::today(), &on_batch).await;
    bar.finish_and_clear();
    store.close().await;
    print_report(path, &report, started.elapsed());
    if let Some(out) = rejected_out {
        write_rejections(out, &report)?;
    }
    Ok(if report.fatal.is_some() {
        ExitCode::FAILURE
    } else if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_SOME_REJECTED)
    })
}

fn progress_bar(total: Option<u64>) -> ProgressBar {
    let bar = match total {
        Some(bytes) => ProgressBar::new(bytes).with_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn print_report(path: &Path, report: &ImportReport, elapsed: Duration) {
    let seconds = elapsed.as_secs_f64().max(0.001);
    println!(
        "Imported {}: {} lines in {:.1} s ({} lines/s)",
        path.display(),
        group(report.lines),
        seconds,
        group((report.lines as f64 / seconds) as u64)
    );
    println!("  new        {:>10}", group(report.inserted));
    println!("  updated    {:>10}", group(report.updated));
    println!("  unchanged  {:>10}", group(report.unchanged));
    if report.older > 0 {
        println!(
            "  older      {:>10}  (a newer record was already stored and was kept)",
            group(report.older)
        );
    }
    println!("  rejected   {:>10}", group(report.rejected.len() as u64));
    if !report.rejected.is_empty() {
        println!("Rejected lines:");
        for rejection in report.rejected.iter().take(REJECTIONS_SHOWN) {
            println!(
                "  line {}: {}",
                rejection.line,
                super::printable(&rejection.reason)
            );
        }
        if report.rejected.len() > REJECTIONS_SHOWN {
            println!(
                "  … and {} more (--rejected FILE writes them all)",
                report.rejected.len() - REJECTIONS_SHOWN
            );
        }
    }
    if let Some(fatal) = &report.fatal {
        println!("Stopped early: {fatal}");
    }
}

fn write_rejections(path: &Path, report: &ImportReport) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    for rejection in &report.rejected {
        writeln!(
            out,
            "{}\t{}",
            rejection.line,
            rejection.reason.replace(['\t', '\n'], " ")
        )?;
    }
    out.flush()?;
    Ok(())
}

pub(super) async fn run_export(config: &Config, path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let store = app::open_store(config).await?;
    let total = store.count_papers().await?;
    let count = match path.filter(|p| *p != Path::new("-")) {
        Some(path) => {
            let bar = ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} papers",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let n = export_to_file(store.as_ref(), path, &|n| bar.set_position(n)).await?;
            bar.finish_and_clear();
            eprintln!("Exported {} papers to {}", group(n), path.display());
            n
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            export_papers(store.as_ref(), &mut out, &|_| {}).await?
        }
    };
    tracing::debug!(papers = count, "export finished");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::group(0), "0");
        assert_eq!(super::group(999), "999");
        assert_eq!(super::group(74_728), "74,728");
        assert_eq!(super::group(1_234_567), "1,234,567");
    }
}
