//! The `[mail]` (how mail leaves) and `[digest]` (what digests do) sections.

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::{Secret, parse_bool};

/// The `[mail]` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MailConfig {
    /// The sender of every e-mail (`Paperstand <papers@example.org>`).
    pub from: String,
    /// `smtp://`, `smtp+starttls://` or `smtps://` with optional `user:password@`; unset:
    /// messages are written as `.eml` files to the data directory's `mail/outbox/`.
    pub smtp_url: Option<Secret>,
    /// A production instance: `serve` refuses to start without `smtp_url`.
    pub production: bool,
    /// Most messages per second over SMTP (0: no limit).
    pub rate_per_second: f64,
    /// Most messages in flight at once.
    pub concurrency: u32,
    /// Seconds an SMTP command may take before the attempt counts as failed (transient).
    pub timeout_secs: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            from: "Paperstand <paperstand@localhost>".to_owned(),
            smtp_url: None,
            production: false,
            rate_per_second: 50.0,
            concurrency: 4,
            timeout_secs: 30,
        }
    }
}

/// `[mail]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileMail {
    from: Option<String>,
    smtp_url: Option<String>,
    production: Option<bool>,
    rate_per_second: Option<f64>,
    concurrency: Option<u32>,
    timeout_secs: Option<u64>,
}

fn check_from(key: &str, from: &str) -> anyhow::Result<String> {
    let from = from.trim();
    if !from.contains('@') || from.chars().any(char::is_control) {
        bail!(
            "{key}: {from:?} is not a sender address such as \"Paperstand <papers@example.org>\""
        );
    }
    Ok(from.to_owned())
}

fn check_smtp_url(key: &str, url: &str) -> anyhow::Result<Secret> {
    let url = url.trim();
    let known = ["smtp://", "smtp+starttls://", "smtps://"];
    if !known.iter().any(|scheme| url.starts_with(scheme)) || url.chars().any(char::is_control) {
        // Only the scheme is shown: the rest may hold a password.
        let scheme = url.split("://").next().unwrap_or_default();
        bail!(
            "{key}: the scheme {scheme:?} is not one of smtp://host:port (plain), \
             smtp+starttls://host:port or smtps://host:port (TLS), each with optional user:password@"
        );
    }
    Ok(Secret::new(url))
}

impl MailConfig {
    fn check(&self, prefix: &str) -> anyhow::Result<()> {
        if !(self.rate_per_second.is_finite() && self.rate_per_second >= 0.0) {
            bail!("{prefix}rate_per_second must be 0 (no limit) or more");
        }
        if !(1..=256).contains(&self.concurrency) {
            bail!("{prefix}concurrency must be between 1 and 256");
        }
        if !(1..=600).contains(&self.timeout_secs) {
            bail!("{prefix}timeout_secs must be between 1 and 600");
        }
        Ok(())
    }

    pub(super) fn apply_file(&mut self, file: FileMail) -> anyhow::Result<()> {
        if let Some(from) = file.from {
            self.from = check_from("mail.from", &from)?;
        }
        if let Some(url) = file.smtp_url.filter(|u| !u.trim().is_empty()) {
            self.smtp_url = Some(check_smtp_url("mail.smtp_url", &url)?);
        }
        set(&mut self.production, file.production);
        set(&mut self.rate_per_second, file.rate_per_second);
        set(&mut self.concurrency, file.concurrency);
        set(&mut self.timeout_secs, file.timeout_secs);
        self.check("mail.")
    }

    pub(super) fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(from) = env("PAPERSTAND_MAIL_FROM") {
            self.from = check_from("PAPERSTAND_MAIL_FROM", &from)?;
        }
        if let Some(url) = env("PAPERSTAND_SMTP_URL").filter(|u| !u.trim().is_empty()) {
            self.smtp_url = Some(check_smtp_url("PAPERSTAND_SMTP_URL", &url)?);
        }
        if let Some(text) = env("PAPERSTAND_MAIL_PRODUCTION") {
            self.production = parse_bool("PAPERSTAND_MAIL_PRODUCTION", &text)?;
        }
        if let Some(text) = env("PAPERSTAND_MAIL_RATE") {
            self.rate_per_second = number("PAPERSTAND_MAIL_RATE", &text)?;
        }
        if let Some(text) = env("PAPERSTAND_MAIL_CONCURRENCY") {
            self.concurrency = number("PAPERSTAND_MAIL_CONCURRENCY", &text)?;
        }
        self.check("PAPERSTAND_MAIL_* / mail.")
    }
}

/// The `[digest]` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestConfig {
    /// `serve` builds and sends due digests every `every_secs` seconds.
    pub enabled: bool,
    /// Seconds between digest runs under `serve`.
    pub every_secs: u64,
    /// The key that signs manage and unsubscribe links; unset: derived from the
    /// instance's secret key in the database. Changing it breaks links already sent.
    pub token_key: Option<Secret>,
    /// A day's digest waits for the day's ingestion to complete, at most until this many
    /// hours after the day began in UTC; then it goes with what there is.
    pub ready_deadline_hours: u32,
    /// Permanent failures after which an address counts as bouncing (gets nothing more).
    pub bounce_limit: u32,
    /// Transient failures after which a digest is given up.
    pub max_attempts: u32,
    /// The first retry's delay in seconds; each next one doubles (with jitter), up to 6 h.
    pub retry_base_secs: u64,
    /// Seconds a sender holds a claimed outbox row; a crashed sender's rows go to
    /// another sender after this.
    pub claim_lease_secs: u64,
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            enabled: true,
            every_secs: 300,
            token_key: None,
            ready_deadline_hours: 12,
            bounce_limit: 3,
            max_attempts: 8,
            retry_base_secs: 60,
            claim_lease_secs: 300,
        }
    }
}

/// `[digest]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDigest {
    enabled: Option<bool>,
    every_secs: Option<u64>,
    token_key: Option<String>,
    ready_deadline_hours: Option<u32>,
    bounce_limit: Option<u32>,
    max_attempts: Option<u32>,
    retry_base_secs: Option<u64>,
    claim_lease_secs: Option<u64>,
}

fn check_key(key: &str, value: &str) -> anyhow::Result<Secret> {
    if value.trim().len() < 32 {
        bail!("{key}: use at least 32 random characters (e.g. `openssl rand -hex 32`)");
    }
    Ok(Secret::new(value.trim()))
}

impl DigestConfig {
    fn check(&self, prefix: &str) -> anyhow::Result<()> {
        if !(1..=86_400).contains(&self.every_secs) {
            bail!("{prefix}every_secs must be between 1 and 86400");
        }
        if self.ready_deadline_hours > 48 {
            bail!("{prefix}ready_deadline_hours must be at most 48");
        }
        if self.bounce_limit == 0 || self.max_attempts == 0 {
            bail!("{prefix}bounce_limit and max_attempts must be at least 1");
        }
        if !(1..=86_400).contains(&self.retry_base_secs) {
            bail!("{prefix}retry_base_secs must be between 1 and 86400");
        }
        if !(1..=86_400).contains(&self.claim_lease_secs) {
            bail!("{prefix}claim_lease_secs must be between 1 and 86400");
        }
        Ok(())
    }

    pub(super) fn apply_file(&mut self, file: FileDigest) -> anyhow::Result<()> {
        set(&mut self.enabled, file.enabled);
        set(&mut self.every_secs, file.every_secs);
        if let Some(key) = file.token_key {
            self.token_key = Some(check_key("digest.token_key", &key)?);
        }
        set(&mut self.ready_deadline_hours, file.ready_deadline_hours);
        set(&mut self.bounce_limit, file.bounce_limit);
        set(&mut self.max_attempts, file.max_attempts);
        set(&mut self.retry_base_secs, file.retry_base_secs);
        set(&mut self.claim_lease_secs, file.claim_lease_secs);
        self.check("digest.")
    }

    pub(super) fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(text) = env("PAPERSTAND_DIGEST") {
            self.enabled = parse_bool("PAPERSTAND_DIGEST", &text)?;
        }
        if let Some(key) = env("PAPERSTAND_DIGEST_TOKEN_KEY") {
            self.token_key = Some(check_key("PAPERSTAND_DIGEST_TOKEN_KEY", &key)?);
        }
        if let Some(text) = env("PAPERSTAND_DIGEST_EVERY_SECS") {
            self.every_secs = number("PAPERSTAND_DIGEST_EVERY_SECS", &text)?;
        }
        if let Some(text) = env("PAPERSTAND_DIGEST_CLAIM_LEASE_SECS") {
            self.claim_lease_secs = number("PAPERSTAND_DIGEST_CLAIM_LEASE_SECS", &text)?;
        }
        if let Some(text) = env("PAPERSTAND_DIGEST_RETRY_BASE_SECS") {
            self.retry_base_secs = number("PAPERSTAND_DIGEST_RETRY_BASE_SECS", &text)?;
        }
        self.check("PAPERSTAND_DIGEST_* / digest.")
    }
}

fn number<T: std::str::FromStr>(key: &str, text: &str) -> anyhow::Result<T> {
    text.trim()
        .parse()
        .ok()
        .with_context(|| format!("{key}: {text:?} is not a number"))
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}
