//! The GitHub REST client for one call, `GET /repos/{owner}/{repo}`: conditional
//! requests (`If-None-Match`), renamed and deleted repositories, and GitHub's rate
//! limits obeyed (the primary budget, secondary limits, `Retry-After`). It speaks only
//! to api.github.com and the configured API host, one request at a time; the token goes
//! in one header and nowhere else.

use std::time::{Duration, Instant};

use paperstand_store::RepoOutcome;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, IF_NONE_MATCH, LOCATION};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::answer::{is_repo_name, outcome_of, parse_repo};
use super::limits::{Budget, Refusal, budget, classify_refusal};
use crate::config::{Config, Secret};
use crate::ingest::fetch::{describe, install_tls_provider, is_loopback};

/// GitHub's API host: always allowed.
pub const GITHUB_API_HOST: &str = "api.github.com";
/// The REST API version the client is written against.
const API_VERSION: &str = "2022-11-28";
/// A repository answer is a few KiB; anything past this is not one.
const MAX_BODY: usize = 1024 * 1024;

/// How patient the client is.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Pause between two requests.
    pub request_interval: Duration,
    /// Time limit for one request.
    pub timeout: Duration,
    /// Retries after a 5xx, a timeout or a broken connection, for one repository.
    pub retries: u32,
    /// First backoff after such a failure; doubled each retry.
    pub retry_base: Duration,
    /// First backoff after a secondary limit without `Retry-After`; doubled each time.
    pub secondary_base: Duration,
    /// Secondary limits met for one repository before the run stops.
    pub secondary_tries: u32,
    /// The longest wait honoured from `Retry-After`.
    pub max_retry_after: Duration,
    /// The run stops when GitHub says no more than this many requests remain.
    pub rate_reserve: u64,
}

impl ClientSettings {
    /// The settings of `config`: `[github]` and the timeouts and backoff of `[ingest]`.
    pub fn from_config(config: &Config) -> ClientSettings {
        ClientSettings {
            request_interval: Duration::from_millis(config.github.request_interval_ms),
            timeout: Duration::from_secs(config.ingest.timeout_s.max(1)),
            retries: 2,
            retry_base: Duration::from_millis(config.ingest.retry_base_ms),
            // GitHub: "wait at least one minute before retrying", then longer.
            secondary_base: Duration::from_secs(60),
            secondary_tries: 3,
            max_retry_after: Duration::from_secs(15 * 60),
            rate_reserve: u64::from(config.github.rate_reserve),
        }
    }
}

/// Why a check gave no outcome.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// GitHub's rate limit allows no more requests before `until`: stop the run and keep
    /// the counts already stored.
    #[error("GitHub's rate limit allows no more requests before {until}")]
    RateLimited {
        /// When requests may start again.
        until: OffsetDateTime,
    },
    /// This repository could not be checked now (server errors, timeouts, a malformed
    /// answer): it stays due and is tried again later.
    #[error("{repo}: {reason}")]
    Failed {
        /// `owner/name`.
        repo: String,
        /// What went wrong.
        reason: String,
    },
}

/// What GitHub answered, with its body read.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// State shared by the requests: holding the lock serialises them.
#[derive(Default)]
struct Pace {
    last: Option<Instant>,
    budget: Budget,
}

/// The GitHub REST client.
pub struct GithubClient {
    http: reqwest::Client,
    base: String,
    allowed_hosts: Vec<String>,
    token: Option<Secret>,
    settings: ClientSettings,
    pace: Mutex<Pace>,
}

/// Shows where it speaks to, never the token.
impl std::fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubClient")
            .field("base", &self.base)
            .field("authenticated", &self.token.is_some())
            .finish_non_exhaustive()
    }
}

impl GithubClient {
    /// A client following `config` (`[github]`, with `[ingest]`'s contact, timeout and
    /// backoff).
    pub fn new(config: &Config) -> anyhow::Result<GithubClient> {
        GithubClient::with_settings(config, ClientSettings::from_config(config))
    }

    /// A client with explicit settings (tests shorten the waits).
    pub fn with_settings(
        config: &Config,
        settings: ClientSettings,
    ) -> anyhow::Result<GithubClient> {
        install_tls_provider();
        let base = config.github.api_base_url.trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base)
            .map_err(|_| anyhow::anyhow!("github.api_base_url: {base:?} is not a URL"))?;
        let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
        anyhow::ensure!(
            parsed.scheme() == "https" || is_loopback(&host),
            "github.api_base_url: {base}: only https URLs are used (plain http only on this machine): the token would travel in clear"
        );
        let contact = config
            .ingest
            .contact
            .as_deref()
            .map(|c| format!("; {c}"))
            .unwrap_or_default();
        let user_agent = format!(
            "Paperstand/{} (+{}{contact})",
            env!("CARGO_PKG_VERSION"),
            config.public_url()
        );
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(30)))
            .pool_max_idle_per_host(1)
            // A 301 means "renamed": read, not followed blindly (and never to another host).
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(GithubClient {
            http,
            base,
            allowed_hosts: vec![GITHUB_API_HOST.to_owned(), host],
            token: config.github.token.clone(),
            settings,
            pace: Mutex::new(Pace::default()),
        })
    }

    /// Checks one repository (`owner/name`). With `etag`, the request is conditional
    /// and an unchanged repository answers `304` ([`RepoOutcome::NotModified`]).
    pub async fn repo(
        &self,
        full_name: &str,
        etag: Option<&str>,
    ) -> Result<RepoOutcome, GithubError> {
        let failed = |reason: String| GithubError::Failed {
            repo: full_name.to_owned(),
            reason,
        };
        if !is_repo_name(full_name) {
            tracing::warn!(repo = %full_name, "not a name GitHub gives a repository; not checked again");
            return Ok(RepoOutcome::Gone);
        }
        let url = format!("{}/repos/{full_name}", self.base);
        let reply = self.get(&url, etag, full_name).await?;
        match reply.status.as_u16() {
            200 => {
                let repo = parse_repo(&reply.body).map_err(failed)?;
                Ok(outcome_of(full_name, repo, &reply.headers))
            }
            304 => Ok(RepoOutcome::NotModified),
            301 | 302 | 307 | 308 => self.follow_move(&url, &reply, full_name).await,
            404 | 410 | 451 => Ok(RepoOutcome::Gone),
            401 => Err(failed(
                "GitHub refused the token (HTTP 401): check github.token".to_owned(),
            )),
            status => Err(failed(format!("GitHub answered HTTP {status}"))),
        }
    }

    /// A moved repository answers 301 with the `Location` of `/repositories/{id}`; one
    /// request there tells its new name.
    async fn follow_move(
        &self,
        url: &str,
        moved: &Reply,
        full_name: &str,
    ) -> Result<RepoOutcome, GithubError> {
        let failed = |reason: String| GithubError::Failed {
            repo: full_name.to_owned(),
            reason,
        };
        let location = moved
            .headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| failed("GitHub said the repository moved but not where".to_owned()))?;
        let target = reqwest::Url::parse(url)
            .and_then(|base| base.join(location))
            .map_err(|_| failed(format!("the new location {location:?} is not a URL")))?;
        let reply = self.get(target.as_str(), None, full_name).await?;
        match reply.status.as_u16() {
            200 => {
                // The same name there (a redirect of the spelling only) is a count.
                let repo = parse_repo(&reply.body).map_err(failed)?;
                Ok(outcome_of(full_name, repo, &reply.headers))
            }
            404 | 410 | 451 => Ok(RepoOutcome::Gone),
            status => Err(failed(format!(
                "the repository moved, and its new location answered HTTP {status}"
            ))),
        }
    }

    /// GETs `url`, waiting out secondary limits and retrying transient failures. Any
    /// answer other than 5xx and rate limits is returned for the caller to read.
    async fn get(&self, url: &str, etag: Option<&str>, repo: &str) -> Result<Reply, GithubError> {
        let target = self
            .checked_url(url)
            .map_err(|reason| GithubError::Failed {
                repo: repo.to_owned(),
                reason,
            })?;
        let (mut transient, mut secondary) = (0_u32, 0_u32);
        loop {
            let reason = match self.attempt(target.clone(), etag).await? {
                Ok(reply) if matches!(reply.status.as_u16(), 403 | 429) => {
                    let now = OffsetDateTime::now_utc();
                    match classify_refusal(reply.status.as_u16(), &reply.headers, &reply.body, now)
                    {
                        Refusal::Primary { until } => {
                            return Err(GithubError::RateLimited { until });
                        }
                        Refusal::Forbidden => return Ok(reply),
                        Refusal::Secondary { wait } => {
                            secondary += 1;
                            let wait = wait
                                .map(|w| w.min(self.settings.max_retry_after))
                                .unwrap_or_else(|| {
                                    doubled(self.settings.secondary_base, secondary)
                                });
                            if secondary > self.settings.secondary_tries {
                                return Err(GithubError::RateLimited { until: now + wait });
                            }
                            tracing::warn!(repo = %repo, wait_s = wait.as_secs(), "GitHub's secondary rate limit: waiting");
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                }
                Ok(reply) if reply.status.is_server_error() => {
                    format!("GitHub answered HTTP {}", reply.status.as_u16())
                }
                Ok(reply) => return Ok(reply),
                Err(reason) => reason,
            };
            transient += 1;
            if transient > self.settings.retries {
                return Err(GithubError::Failed {
                    repo: repo.to_owned(),
                    reason: format!("{reason} (gave up after {transient} attempts)"),
                });
            }
            let wait = doubled(self.settings.retry_base, transient);
            tracing::warn!(repo = %repo, attempt = transient, wait_ms = wait.as_millis() as u64, reason = %reason, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One request after the polite pause, unless the budget is down to the reserve.
    /// The outer error stops the run; the inner one is a transient failure.
    async fn attempt(
        &self,
        url: reqwest::Url,
        etag: Option<&str>,
    ) -> Result<Result<Reply, String>, GithubError> {
        let mut pace = self.pace.lock().await;
        if let (Some(remaining), Some(reset)) = (pace.budget.remaining, pace.budget.reset)
            && remaining <= self.settings.rate_reserve
            && reset > OffsetDateTime::now_utc()
        {
            return Err(GithubError::RateLimited { until: reset });
        }
        if let Some(previous) = pace.last {
            tokio::time::sleep(
                self.settings
                    .request_interval
                    .saturating_sub(previous.elapsed()),
            )
            .await;
        }
        let result = self.send(url, etag).await;
        pace.last = Some(Instant::now());
        if let Ok(reply) = &result {
            let told = budget(&reply.headers);
            if told.remaining.is_some() {
                pace.budget = told;
            }
        }
        Ok(result)
    }

    async fn send(&self, url: reqwest::Url, etag: Option<&str>) -> Result<Reply, String> {
        let mut request = self
            .http
            .get(url)
            .header(ACCEPT, "application/vnd.github+json")
            .header("x-github-api-version", API_VERSION);
        if let Some(token) = &self.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| "the token cannot be sent in a header".to_owned())?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let mut response = request.send().await.map_err(|e| describe(&e))?;
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY as u64)
        {
            return Err(format!("the answer is larger than {MAX_BODY} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("the answer broke off: {}", describe(&e)))?
        {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(format!("the answer is larger than {MAX_BODY} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status: response.status(),
            headers: response.headers().clone(),
            body,
        })
    }

    /// Only the allowed hosts, and https except on this machine: the token goes with
    /// every request.
    fn checked_url(&self, url: &str) -> Result<reqwest::Url, String> {
        let parsed = reqwest::Url::parse(url).map_err(|_| format!("{url:?} is not a URL"))?;
        let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
        if !self.allowed_hosts.contains(&host) {
            return Err(format!(
                "{url}: the host {host:?} is neither {GITHUB_API_HOST} nor github.api_base_url's; not fetched"
            ));
        }
        if parsed.scheme() != "https" && !is_loopback(&host) {
            return Err(format!("{url}: only https URLs are fetched"));
        }
        Ok(parsed)
    }
}

/// `base`, 2×`base`, 4×`base`… for the `n`th wait (1-based), at most an hour.
fn doubled(base: Duration, n: u32) -> Duration {
    base.saturating_mul(1 << n.saturating_sub(1).min(16))
        .min(Duration::from_secs(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(60);
        assert_eq!(doubled(base, 1), base);
        assert_eq!(doubled(base, 3), Duration::from_secs(240));
        assert_eq!(doubled(base, 40), Duration::from_secs(3600));
    }
}
