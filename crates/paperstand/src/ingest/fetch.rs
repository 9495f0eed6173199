//! Polite HTTP fetching for every outside source: only allowed hosts, one request at a
//! time with a pause between requests, a User-Agent naming the instance and a contact,
//! retries with exponential backoff (and `Retry-After` on 503/429), a time limit per
//! request and a cap on the body size.

use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::sync::Mutex;

use crate::config::IngestConfig;

/// The longest `Retry-After` honoured; a server asking for more gets this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);
/// The longest backoff between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// Why a fetch failed. Each message says what happened and where.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL's host is not in `ingest.allowed_hosts`.
    #[error(
        "{url}: the host {host:?} is not in ingest.allowed_hosts; add it to the configuration to fetch from it"
    )]
    NotAllowed {
        /// The URL.
        url: String,
        /// Its host.
        host: String,
    },
    /// A plain-http URL to another machine.
    #[error("{0}: only https URLs are fetched (plain http is allowed for this machine only)")]
    NotHttps(String),
    /// The URL cannot be parsed.
    #[error("{0:?} is not a valid URL")]
    BadUrl(String),
    /// The server answered with an error status that retrying will not fix.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The body is larger than allowed.
    #[error(
        "{url}: the response is larger than {limit_mib} MiB (ingest.max_response_mib); stopped reading"
    )]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit in MiB.
        limit_mib: u64,
    },
    /// A transient failure persisted through every retry.
    #[error("{url}: {last} (gave up after {attempts} attempts)")]
    GaveUp {
        /// The URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
}

/// Fetches URLs politely. One per source; requests through it never overlap.
pub struct Fetcher {
    client: reqwest::Client,
    config: IngestConfig,
    /// When the previous request finished; holding the lock serialises requests.
    last: Mutex<Option<Instant>>,
}

/// Leaves out the configuration: it holds the operator's contact address, which must
/// not reach logs.
impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("allowed_hosts", &self.config.allowed_hosts)
            .finish_non_exhaustive()
    }
}

/// What one attempt produced.
enum Attempt {
    Done(Bytes),
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
    Fail(FetchError),
}

impl Fetcher {
    /// A fetcher following `config`; `instance_url` names this instance in the User-Agent.
    pub fn new(config: &IngestConfig, instance_url: &str) -> anyhow::Result<Fetcher> {
        install_tls_provider();
        let contact = config
            .contact
            .as_deref()
            .map(|c| format!("; {c}"))
            .unwrap_or_default();
        let user_agent = format!(
            "Paperstand/{} (+{instance_url}{contact})",
            env!("CARGO_PKG_VERSION")
        );
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(Duration::from_secs(config.timeout_s.max(1)))
            .connect_timeout(Duration::from_secs(config.timeout_s.clamp(1, 30)))
            .pool_max_idle_per_host(1)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Fetcher {
            client,
            config: config.clone(),
            last: Mutex::new(None),
        })
    }

    /// GETs `url` (query included, sent as written), retrying transient failures. Any
    /// 4xx is an error.
    pub async fn get(&self, url: &str) -> Result<Bytes, FetchError> {
        self.fetch(url, false).await
    }

    /// Like [`get`](Self::get), but a 400's body is returned too: arXiv's API explains a
    /// bad query in an Atom error feed sent with HTTP 400.
    pub async fn get_even_if_400(&self, url: &str) -> Result<Bytes, FetchError> {
        self.fetch(url, true).await
    }

    async fn fetch(&self, url: &str, body_of_400: bool) -> Result<Bytes, FetchError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_owned()))?;
        let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
        if !self
            .config
            .allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&host))
        {
            return Err(FetchError::NotAllowed {
                url: url.to_owned(),
                host,
            });
        }
        // Plain http would carry the contact in clear and let anyone on the path rewrite
        // papers: only a server on this machine may be spoken to without TLS.
        if parsed.scheme() != "https" && !is_loopback(&host) {
            return Err(FetchError::NotHttps(url.to_owned()));
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (reason, wait) = match self.attempt(parsed.clone(), body_of_400).await {
                Attempt::Done(body) => return Ok(body),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { reason, wait } => (reason, wait),
            };
            if attempts > self.config.max_retries {
                return Err(FetchError::GaveUp {
                    url: url.to_owned(),
                    attempts,
                    last: reason,
                });
            }
            let wait = wait.unwrap_or_else(|| self.backoff(attempts));
            tracing::warn!(url = %url, attempt = attempts, wait_ms = wait.as_millis() as u64, reason = %reason, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One request, after the polite pause since the previous one.
    async fn attempt(&self, url: reqwest::Url, body_of_400: bool) -> Attempt {
        let mut last = self.last.lock().await;
        let interval = Duration::from_millis(self.config.request_interval_ms);
        if let Some(previous) = *last {
            tokio::time::sleep(interval.saturating_sub(previous.elapsed())).await;
        }
        let result = self.send(url, body_of_400).await;
        *last = Some(Instant::now());
        result
    }

    async fn send(&self, url: reqwest::Url, body_of_400: bool) -> Attempt {
        let text_url = url.to_string();
        let response = match self.client.get(url).send().await {
            Ok(response) => response,
            // A request that could not even be built will not work the next time either.
            Err(e) if e.is_builder() => {
                return Attempt::Fail(FetchError::GaveUp {
                    url: text_url,
                    attempts: 1,
                    last: describe(&e),
                });
            }
            Err(e) => {
                return Attempt::Retry {
                    reason: describe(&e),
                    wait: None,
                };
            }
        };
        let status = response.status();
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
            let wait = retry_after(response.headers());
            return Attempt::Retry {
                reason: format!("HTTP {}", status.as_u16()),
                wait,
            };
        }
        if status.is_server_error() {
            return Attempt::Retry {
                reason: format!("HTTP {}", status.as_u16()),
                wait: None,
            };
        }
        let explained_400 = body_of_400 && status == StatusCode::BAD_REQUEST;
        if !status.is_success() && !explained_400 {
            return Attempt::Fail(FetchError::Status {
                url: text_url,
                status: status.as_u16(),
            });
        }
        self.read_body(response, text_url).await
    }

    async fn read_body(&self, mut response: reqwest::Response, url: String) -> Attempt {
        let limit = self.config.max_response_mib.saturating_mul(1024 * 1024);
        let too_large = || {
            Attempt::Fail(FetchError::TooLarge {
                url: url.clone(),
                limit_mib: self.config.max_response_mib,
            })
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return too_large();
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > limit {
                        return too_large();
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Attempt::Done(Bytes::from(body)),
                Err(e) => {
                    return Attempt::Retry {
                        reason: format!("the response broke off: {}", describe(&e)),
                        wait: None,
                    };
                }
            }
        }
    }

    /// Exponential backoff with up to 25% jitter: base, 2×base, 4×base… capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = Duration::from_millis(self.config.retry_base_ms);
        let exponential = base
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(MAX_BACKOFF);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        exponential + exponential.mul_f64(f64::from(nanos % 250) / 1000.0)
    }
}

/// Installs rustls' ring crypto provider for every HTTP client of the process (reqwest
/// is built without a provider of its own, to avoid compiling a second one). Idempotent.
pub fn install_tls_provider() {
    // The first install wins; later calls (several clients, tests) change nothing.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// `Retry-After` in seconds (the HTTP-date form is treated as "a minute").
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => Duration::from_secs(60),
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Whether `host` is this machine (`localhost`, 127.0.0.0/8, `[::1]`): the only place
/// plain http may go.
pub(crate) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A failed request in words, with its causes (refused, certificate, DNS).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "the request timed out (ingest.timeout_s)".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        error.to_string()
    };
    // The causes say why (refused, certificate, DNS): keep them.
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
