//! The command line: `paperstand serve | import | export | harvest | refresh | search |
//! index | model | eval | doctor | config`. Each command
//! is a short script over `app`, `transfer` and `web`; errors carry context and end
//! the process with a message that says what to do.

mod digest;
mod eval;
mod harvest;
mod model;
mod search;
mod services;
mod stars;
mod transfer;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};

/// Paperstand: a self-hostable feed of research papers: daily arXiv listings, community
/// votes, trending, search, libraries, feeds and email digests.
#[derive(Debug, Parser)]
#[command(
    name = "paperstand",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Data directory: the SQLite database, indexes and models [default: ./data]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file [default: $PAPERSTAND_CONFIG, else ./paperstand.toml if present]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web site (imports the demo papers into an empty instance first)
    Serve(ServeArgs),
    /// Import papers from a JSON Lines file (.jsonl or .jsonl.gz; `-` reads standard input)
    #[command(
        after_help = "Exit status: 0 when every line was imported, 3 when some lines were rejected \
                            (each is listed with its line number and reason), 1 when the file could not be \
                            read to the end (everything before the break was imported; re-importing is safe)."
    )]
    Import(ImportArgs),
    /// Export every paper as JSON Lines, in the format `import` reads
    Export(ExportArgs),
    /// Fetch papers from arXiv
    #[command(subcommand)]
    Harvest(HarvestCommand),
    /// Refresh what other services know about the papers (GitHub star counts)
    #[command(subcommand)]
    Refresh(stars::RefreshCommand),
    /// Search the papers (the same search as the site's /search)
    #[command(
        after_help = "Examples:\n  paperstand search 'sparse attention cat:cs.CL year:2025..'\n  \
                            paperstand search 'protein folding' --mode semantic --limit 20 --json"
    )]
    Search(search::SearchArgs),
    /// Build and check the search indexes
    #[command(subcommand)]
    Index(search::IndexCommand),
    /// Measure search quality and speed on this instance's papers
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Get the embedding model for search by meaning
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// Check the database, the search indexes and the model, and say what to fix
    #[command(
        after_help = "Exit status: 0 when all is well, 2 when search by meaning is off, 1 on failure."
    )]
    Doctor,
    /// Show or check the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage members: create the first admin, change roles, list
    #[command(subcommand)]
    User(user::UserCommand),
    /// E-mail digests: send what is due, preview one, see the outbox
    #[command(subcommand)]
    Digest(digest::DigestCommand),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Base URL for absolute links [default: http://<bind>]
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Don't import the demo papers into an empty instance
    #[arg(long)]
    no_demo: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct ImportArgs {
    #[command(subcommand)]
    service: Option<services::ImportService>,
    /// The file to import (gzip is detected automatically)
    #[arg(value_name = "FILE", required = true)]
    file: Option<PathBuf>,
    /// Also write every rejected line's number and reason to this file (tab-separated)
    #[arg(long, value_name = "FILE")]
    rejected: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Where to write; standard output when absent or `-`. A name ending in .gz is compressed.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum HarvestCommand {
    /// Harvest metadata over OAI-PMH, continuing from the last completed harvest
    #[command(
        after_help = "The first harvest without --from fetches the whole set: for arXiv's cs that is \
                            hundreds of thousands of records at one page per 3 s or more. An interrupted \
                            harvest continues from its last completed page on the next run."
    )]
    Oai(harvest::OaiArgs),
    /// Fetch papers through the arXiv API, by id or by search query
    #[command(
        after_help = "Examples:\n  paperstand harvest api --ids 2503.11731,2503.11732v2\n  \
                            paperstand harvest api --query 'cat:cs.CL AND ti:retrieval' --max 300"
    )]
    Api(harvest::ApiArgs),
    /// Read the day's announcements: they set each paper's listing date
    Announcements(harvest::AnnounceArgs),
    /// Run the daily ingestion now, as `serve` does at ingest.daily_at_utc
    Daily,
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Similar-paper category agreement, known-item MRR per mode, latency and vector
    /// recall (embed every paper first: `paperstand index embed`)
    Search(eval::EvalArgs),
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration (defaults, file, environment and flags applied) as TOML
    Print,
}

/// Parses the command line, runs the command, and turns errors into a message and an
/// exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut flags = Overrides {
        data_dir: cli.data_dir.clone(),
        ..Overrides::default()
    };
    if let Command::Serve(serve) = &cli.command {
        flags.bind.clone_from(&serve.bind);
        flags.public_url.clone_from(&serve.public_url);
        flags.no_demo = serve.no_demo;
    }
    let config = Config::load(
        cli.config.as_deref(),
        &|key| std::env::var(key).ok(),
        &flags,
    )?;
    if let Command::Config(ConfigCommand::Print) = cli.command {
        print!("{}", config.to_toml());
        return Ok(ExitCode::SUCCESS);
    }
    crate::telemetry::init(&config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(_) => crate::web::serve_forever(config)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Import(ImportArgs {
                service: Some(service),
                ..
            }) => services::run(&config, &service).await,
            Command::Import(ImportArgs {
                file: Some(file),
                rejected,
                ..
            }) => transfer::run_import(&config, &file, rejected.as_deref()).await,
            Command::Import(_) => anyhow::bail!("name the file to import: paperstand import FILE"),
            Command::Export(args) => transfer::run_export(&config, args.file.as_deref()).await,
            Command::Harvest(HarvestCommand::Oai(args)) => harvest::run_oai(&config, &args).await,
            Command::Harvest(HarvestCommand::Api(args)) => harvest::run_api(&config, &args).await,
            Command::Harvest(HarvestCommand::Announcements(args)) => {
                harvest::run_announcements(&config, &args).await
            }
            Command::Harvest(HarvestCommand::Daily) => harvest::run_daily(&config).await,
            Command::Refresh(command) => stars::run(&config, &command).await,
            Command::Search(args) => search::run_search(&config, &args).await,
            Command::Index(search::IndexCommand::Rebuild) => search::run_rebuild(&config).await,
            Command::Index(search::IndexCommand::Embed(args)) => {
                search::run_embed(&config, &args).await
            }
            Command::Index(search::IndexCommand::Status) => search::run_status(&config).await,
            Command::Model(command) => model::run(&config, &command).await,
            Command::Doctor => search::run_doctor(&config).await,
            Command::Eval(EvalCommand::Search(args)) => eval::run(&config, &args).await,
            Command::User(command) => user::run(&config, &command).await,
            Command::Digest(command) => digest::run(&config, &command).await,
            Command::Config(_) => Ok(ExitCode::SUCCESS),
        }
    })
}

/// Text from outside (ids, reasons quoting input) made safe for a terminal: control
/// characters, which could move the cursor or recolour the screen, are shown escaped.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(super::printable("repo\u{1b}[2Jx\ty"), "repo\\u{1b}[2Jx\\ty");
        assert_eq!(super::printable("Wübben"), "Wübben");
    }
}
