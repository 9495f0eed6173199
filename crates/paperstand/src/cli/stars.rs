//! `paperstand refresh stars`: link papers to their GitHub repositories and check the
//! star counts that are due, with a progress bar and a summary.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use time::OffsetDateTime;

use crate::app;
use crate::config::Config;
use crate::stars::refresh::rfc3339;
use crate::stars::{RefreshReport, star_refresh};

/// Failed checks printed on the terminal.
const FAILURES_SHOWN: usize = 20;

/// What `paperstand refresh` refreshes.
#[derive(Debug, Subcommand)]
pub enum RefreshCommand {
    /// Link papers to their GitHub repositories and check the star counts that are due
    #[command(
        after_help = "Repositories of papers listed within github.young_days (30) are checked every \
                      github.young_every_h hours (4), others every github.old_every_days days (7); \
                      newly linked ones at once. A token (PAPERSTAND_GITHUB_TOKEN or github.token) \
                      raises GitHub's limit from 60 to 5,000 requests an hour. At the rate limit the \
                      run stops, keeps every stored count, and later runs wait for the reset.\n\n\
                      Exit status: 0 when every due repository was checked, 3 when some checks \
                      failed or the rate limit stopped the run (re-running is safe), 1 on failure."
    )]
    Stars(StarsArgs),
}

/// `refresh stars` arguments.
#[derive(Debug, Args)]
pub struct StarsArgs {
    /// Most repositories to check [default: github.max_checks_per_run, 1000]
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
}

pub(super) async fn run(config: &Config, command: &RefreshCommand) -> anyhow::Result<ExitCode> {
    let RefreshCommand::Stars(args) = command;
    let mut config = config.clone();
    if let Some(limit) = args.limit {
        config.github.max_checks_per_run = limit;
    }
    let mut job = star_refresh(&config)?;
    let store = app::open_store(&config).await?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} repositories ({per_sec}, ETA {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let on_check = |report: &RefreshReport| {
        bar.set_length(report.due);
        bar.set_position(report.checked);
        bar.set_message(format!(
            "{} updated, {} failed",
            report.updated, report.failed
        ));
    };
    let result = job
        .run(store.as_ref(), OffsetDateTime::now_utc(), &on_check)
        .await;
    bar.finish_and_clear();
    store.close().await;
    let report = result?;
    print_summary(&report, started.elapsed());
    Ok(
        if report.failed == 0 && report.rate_limited_until.is_none() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(3)
        },
    )
}

fn print_summary(report: &RefreshReport, elapsed: Duration) {
    println!(
        "Linked {} new repositories from {} changed papers.",
        report.linked.new_links, report.linked.papers
    );
    let limited = report
        .rate_limited_until
        .map_or("no".to_owned(), |until| format!("until {}", rfc3339(until)));
    println!(
        "Stars: checked {}, updated {}, unchanged (304) {}, moved {}, gone {}, failed {}, rate-limited {limited} ({:.1} s)",
        report.checked,
        report.updated,
        report.unchanged,
        report.moved,
        report.gone,
        report.failed,
        elapsed.as_secs_f64()
    );
    if report.rate_limited_until.is_some() {
        let left = report.due.saturating_sub(report.checked);
        println!(
            "  GitHub's rate limit stopped the run: {left} due repositories keep their counts until a later run."
        );
    }
    for failure in report.failures.iter().take(FAILURES_SHOWN) {
        println!("  {}", super::printable(failure));
    }
}
