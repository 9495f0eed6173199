//! `paperstand migrate-store --from sqlite://PATH --to postgres://…`: copies a SQLite
//! instance into PostgreSQL (every table, see `paperstand_store::copy`) with a progress
//! bar, then prints each table's rows on both sides. Safe to run again: rows already
//! copied are updated, none is duplicated.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use paperstand_store::copy::{CopyEvent, TableCheck, copy_sqlite_to_postgres};
use paperstand_store::postgres::redact_url;
use paperstand_store::{PostgresStore, SqliteStore};

use crate::config::Config;

/// `migrate-store` arguments.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The SQLite database to copy: sqlite://PATH (the data directory's paperstand.sqlite)
    #[arg(long, value_name = "sqlite://PATH")]
    from: String,
    /// The PostgreSQL database to copy into: postgres://USER[:PASSWORD]@HOST[:PORT]/DB
    #[arg(long, value_name = "postgres://…")]
    to: String,
}

/// The file a `sqlite://` URL (or a plain path) names; it must exist.
fn sqlite_path(from: &str) -> anyhow::Result<PathBuf> {
    let path = PathBuf::from(from.strip_prefix("sqlite://").unwrap_or(from));
    if !path.is_file() {
        bail!(
            "--from: {} is not a SQLite database file (expected sqlite://PATH to paperstand.sqlite)",
            path.display()
        );
    }
    Ok(path)
}

pub(super) async fn run(config: &Config, args: &MigrateArgs) -> anyhow::Result<ExitCode> {
    let path = sqlite_path(&args.from)?;
    if !(args.to.starts_with("postgres://") || args.to.starts_with("postgresql://")) {
        bail!("--to: {} is not a postgres:// URL", redact_url(&args.to));
    }
    let from = SqliteStore::open(&path)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let to = PostgresStore::open(&args.to, config.database.connect_wait()).await?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} rows ({per_sec}, ETA {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let on_event = |event: CopyEvent| match event {
        CopyEvent::Planned { rows } => bar.set_length(rows),
        CopyEvent::Table { name, .. } => bar.set_message(name),
        CopyEvent::Copied { rows } => bar.inc(rows),
    };
    let copied = copy_sqlite_to_postgres(&from, &to, &on_event).await;
    bar.finish_and_clear();
    from.close().await;
    to.close().await;
    let checks = copied?;
    print_checks(&checks, &redact_url(&args.to));
    Ok(if checks.iter().all(|c| c.source == c.target) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_checks(checks: &[TableCheck], to: &str) {
    let width = checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    println!("{:width$}  {:>10}  {:>10}", "table", "sqlite", "postgres");
    for check in checks {
        let mark = if check.source == check.target {
            ""
        } else {
            "  MISMATCH"
        };
        println!(
            "{:width$}  {:>10}  {:>10}{mark}",
            check.name, check.source, check.target
        );
    }
    let mismatched = checks.iter().filter(|c| c.source != c.target).count();
    if mismatched == 0 {
        println!("Copied into {to}: every table has the same number of rows on both sides.");
    } else {
        println!(
            "{mismatched} table(s) differ: the PostgreSQL database had rows of its own, or the SQLite \
             one changed during the copy. Stop writers and run the command again."
        );
    }
}
