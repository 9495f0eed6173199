//! `paperstand digest …`: send due digests once, preview one, see where things stand.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use paperstand_store::Store;
use time::Date;

use crate::config::Config;
use crate::digest::transport::FileTransport;
use crate::digest::{DigestService, RunReport};

/// `paperstand digest …`.
#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// Build the digests that are due and send them (what `serve` does every few minutes)
    #[command(after_help = "Examples:\n  paperstand digest send\n  \
                      paperstand digest send --dry-run          # write .eml files, record nothing\n  \
                      paperstand digest send --period 2026-11-27 # that day's digest for everyone, now")]
    Send(SendArgs),
    /// Print the digest a subscriber would get now, exactly as it would be sent
    Preview(PreviewArgs),
    /// Count subscribers and outbox messages by state
    Status,
}

/// `digest send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Build and render, but write the messages as .eml files under <data>/mail/dry-run/
    /// and record nothing: no digest is marked built or sent
    #[arg(long)]
    dry_run: bool,
    /// Act as if it were this day's send time for every subscriber (YYYY-MM-DD): daily
    /// subscribers get that listing day, weekly ones whose day it is get the week before
    #[arg(long, value_name = "YYYY-MM-DD")]
    period: Option<String>,
}

/// `digest preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The subscriber's address
    #[arg(long)]
    email: String,
    /// Print the HTML part instead of the text part
    #[arg(long)]
    html: bool,
    /// Print the whole message (headers and both parts) as it would go over SMTP
    #[arg(long, conflicts_with = "html")]
    raw: bool,
}

fn parse_period(text: &str) -> anyhow::Result<Date> {
    paperstand_core::record::parse_date(text.trim())
        .with_context(|| format!("--period {text:?} is not a date such as 2026-11-27"))
}

/// Runs a `digest` command.
pub async fn run(config: &Config, command: &DigestCommand) -> anyhow::Result<ExitCode> {
    let store: Arc<dyn Store> = crate::app::open_store(config).await?;
    match command {
        DigestCommand::Send(args) => send(config, store, args).await,
        DigestCommand::Preview(args) => preview(config, store, args).await,
        DigestCommand::Status => status(store.as_ref()).await,
    }
}

async fn send(config: &Config, store: Arc<dyn Store>, args: &SendArgs) -> anyhow::Result<ExitCode> {
    let forced = args.period.as_deref().map(parse_period).transpose()?;
    if args.dry_run {
        let dir = config.data_dir.join("mail").join("dry-run");
        let transport = Arc::new(FileTransport::new(&dir));
        let personal = crate::digest::setup::personal_for_cli(config, store.clone()).await;
        let service =
            crate::digest::setup::service(config, store, transport, Some(personal)).await?;
        let (report, rendered) = service.dry_run(forced).await?;
        for message in &rendered {
            crate::digest::send::Transport::deliver(&FileTransport::new(&dir), &message.message)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        print_build(&report);
        println!(
            "Dry run: {} message(s) written to {}; nothing was recorded.",
            rendered.len(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let transport = crate::digest::setup::transport(config)?;
    let personal = crate::digest::setup::personal_for_cli(config, store.clone()).await;
    let service: DigestService =
        crate::digest::setup::service(config, store, transport, Some(personal)).await?;
    let report = service.run_once(forced).await?;
    print_run(&report);
    Ok(if report.send.failed > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_build(b: &crate::digest::build::BuildReport) {
    println!(
        "Built: {} with papers, {} \"nothing new\" notes, {} skipped (nothing new), {} waiting for \
         the day's ingestion, {} built before, {} not due yet — {} subscribers{}",
        b.with_papers,
        b.notes,
        b.skipped,
        b.waiting,
        b.already_built,
        b.not_due,
        b.considered,
        if b.balances() {
            ""
        } else {
            " (DOES NOT BALANCE: please report)"
        }
    );
}

fn print_run(report: &RunReport) {
    print_build(&report.build);
    let s = &report.send;
    println!(
        "Sent: {} sent, {} suppressed (unsubscribed or bouncing), {} failed, {} deferred (retried later){} — {} claimed{}",
        s.sent,
        s.suppressed,
        s.failed,
        s.deferred,
        if s.lost > 0 {
            format!(", {} taken over by another sender", s.lost)
        } else {
            String::new()
        },
        s.claimed,
        if s.balances() {
            ""
        } else {
            " (DOES NOT BALANCE: please report)"
        }
    );
}

async fn preview(
    config: &Config,
    store: Arc<dyn Store>,
    args: &PreviewArgs,
) -> anyhow::Result<ExitCode> {
    let subscriber = store.subscriber_by_email(&args.email).await?.with_context(|| {
        format!(
            "no subscriber has the address {:?}: they subscribe at /subscribe (or see `paperstand digest status`)",
            crate::cli::printable(&args.email)
        )
    })?;
    let transport = Arc::new(FileTransport::new(
        &config.data_dir.join("mail").join("dry-run"),
    ));
    let personal = crate::digest::setup::personal_for_cli(config, store.clone()).await;
    let service =
        crate::digest::setup::service(config, store.clone(), transport, Some(personal)).await?;
    let rendered = crate::digest::preview::preview(
        store.as_ref(),
        &service.ranking,
        &service.site,
        service.personal.as_deref(),
        &subscriber,
        time::OffsetDateTime::now_utc(),
    )
    .await?;
    if args.raw {
        println!("{}", String::from_utf8_lossy(&rendered.message.formatted()));
    } else if args.html {
        match rendered.html {
            Some(html) => println!("{html}"),
            None => anyhow::bail!("this subscriber gets plain text only: leave out --html"),
        }
    } else {
        println!("Subject: {}\n\n{}", rendered.subject, rendered.text);
    }
    Ok(ExitCode::SUCCESS)
}

async fn status(store: &dyn Store) -> anyhow::Result<ExitCode> {
    let subscribers = store.count_subscribers().await?;
    let outbox = store.outbox_counts().await?;
    println!("Subscribers:");
    if subscribers.is_empty() {
        println!("  none yet");
    }
    for (status, n) in subscribers {
        println!("  {:<13} {n}", status.as_str());
    }
    println!(
        "Outbox: {} waiting, {} being sent, {} sent, {} failed, {} suppressed",
        outbox.pending, outbox.sending, outbox.sent, outbox.failed, outbox.suppressed
    );
    Ok(ExitCode::SUCCESS)
}
