//! The `[ingest]` section: how Paperstand fetches from arXiv and other sources —
//! politely (one request at a time, a pause between requests, a user agent naming the
//! instance), and only from allowed hosts.

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// Fetching settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IngestConfig {
    /// A contact (email address or URL) sent in the User-Agent, as arXiv asks harvesters to.
    pub contact: Option<String>,
    /// Pause between two requests to the same service, in milliseconds (arXiv asks for ≥ 3 s).
    pub request_interval_ms: u64,
    /// Time limit for one request, in seconds.
    pub timeout_s: u64,
    /// Largest response body read, in MiB; a larger one is an error.
    pub max_response_mib: u64,
    /// Retries after a 5xx, a timeout or a broken connection.
    pub max_retries: u32,
    /// First backoff after a failure, in milliseconds; doubled each retry (with jitter).
    pub retry_base_ms: u64,
    /// Hosts Paperstand may fetch from; any other URL is refused before connecting.
    pub allowed_hosts: Vec<String>,
    /// arXiv's OAI-PMH endpoint.
    pub oai_base_url: String,
    /// arXiv's Atom API endpoint.
    pub api_base_url: String,
    /// arXiv's announcement feeds (`<base>/cs.LG+cs.CL`).
    pub announce_base_url: String,
    /// Categories whose daily announcements `serve` reads (none: no scheduled ingestion).
    pub categories: Vec<String>,
    /// The OAI-PMH set `serve` harvests daily after the announcements (none: no harvest).
    pub oai_set: Option<String>,
    /// When `serve` runs the daily ingestion, `HH:MM` UTC (after arXiv's announcement).
    pub daily_at_utc: String,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            contact: None,
            request_interval_ms: 3_000,
            timeout_s: 60,
            max_response_mib: 64,
            max_retries: 5,
            retry_base_ms: 2_000,
            allowed_hosts: [
                "oaipmh.arxiv.org",
                "export.arxiv.org",
                "rss.arxiv.org",
                "huggingface.co",
            ]
            .map(str::to_owned)
            .to_vec(),
            oai_base_url: "https://oaipmh.arxiv.org/oai".to_owned(),
            api_base_url: "https://export.arxiv.org/api/query".to_owned(),
            announce_base_url: "https://rss.arxiv.org/atom".to_owned(),
            categories: Vec::new(),
            oai_set: None,
            daily_at_utc: "01:00".to_owned(),
        }
    }
}

/// `[ingest]` as written in the file; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileIngest {
    contact: Option<String>,
    request_interval_ms: Option<u64>,
    timeout_s: Option<u64>,
    max_response_mib: Option<u64>,
    max_retries: Option<u32>,
    retry_base_ms: Option<u64>,
    allowed_hosts: Option<Vec<String>>,
    oai_base_url: Option<String>,
    api_base_url: Option<String>,
    announce_base_url: Option<String>,
    categories: Option<Vec<String>>,
    oai_set: Option<String>,
    daily_at_utc: Option<String>,
}

impl IngestConfig {
    pub(super) fn apply_file(&mut self, file: FileIngest) -> anyhow::Result<()> {
        set(&mut self.contact, file.contact.map(Some));
        set(&mut self.request_interval_ms, file.request_interval_ms);
        set(&mut self.timeout_s, file.timeout_s);
        set(&mut self.max_response_mib, file.max_response_mib);
        set(&mut self.max_retries, file.max_retries);
        set(&mut self.retry_base_ms, file.retry_base_ms);
        set(&mut self.allowed_hosts, file.allowed_hosts);
        if let Some(url) = file.oai_base_url {
            self.oai_base_url = parse_url("ingest.oai_base_url", &url)?;
        }
        if let Some(url) = file.api_base_url {
            self.api_base_url = parse_url("ingest.api_base_url", &url)?;
        }
        if let Some(url) = file.announce_base_url {
            self.announce_base_url = parse_url("ingest.announce_base_url", &url)?;
        }
        set(&mut self.categories, file.categories);
        set(&mut self.oai_set, file.oai_set.map(Some));
        if let Some(at) = file.daily_at_utc {
            parse_time_of_day("ingest.daily_at_utc", &at)?;
            self.daily_at_utc = at;
        }
        Ok(())
    }

    pub(super) fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        let number = |key: &str| -> anyhow::Result<Option<u64>> {
            env(key)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .with_context(|| format!("{key}: {v:?} is not a whole number"))
                })
                .transpose()
        };
        set(
            &mut self.contact,
            env("PAPERSTAND_INGEST_CONTACT").map(Some),
        );
        set(
            &mut self.request_interval_ms,
            number("PAPERSTAND_INGEST_REQUEST_INTERVAL_MS")?,
        );
        set(&mut self.timeout_s, number("PAPERSTAND_INGEST_TIMEOUT_S")?);
        set(
            &mut self.max_response_mib,
            number("PAPERSTAND_INGEST_MAX_RESPONSE_MIB")?,
        );
        set(
            &mut self.retry_base_ms,
            number("PAPERSTAND_INGEST_RETRY_BASE_MS")?,
        );
        if let Some(n) = number("PAPERSTAND_INGEST_MAX_RETRIES")? {
            self.max_retries =
                u32::try_from(n).context("PAPERSTAND_INGEST_MAX_RETRIES: too large")?;
        }
        if let Some(hosts) = env("PAPERSTAND_INGEST_ALLOWED_HOSTS") {
            self.allowed_hosts = split_list(&hosts);
        }
        if let Some(url) = env("PAPERSTAND_INGEST_OAI_BASE_URL") {
            self.oai_base_url = parse_url("PAPERSTAND_INGEST_OAI_BASE_URL", &url)?;
        }
        if let Some(url) = env("PAPERSTAND_INGEST_API_BASE_URL") {
            self.api_base_url = parse_url("PAPERSTAND_INGEST_API_BASE_URL", &url)?;
        }
        if let Some(url) = env("PAPERSTAND_INGEST_ANNOUNCE_BASE_URL") {
            self.announce_base_url = parse_url("PAPERSTAND_INGEST_ANNOUNCE_BASE_URL", &url)?;
        }
        if let Some(list) = env("PAPERSTAND_INGEST_CATEGORIES") {
            self.categories = split_list(&list);
        }
        set(
            &mut self.oai_set,
            env("PAPERSTAND_INGEST_OAI_SET").map(Some),
        );
        if let Some(at) = env("PAPERSTAND_INGEST_DAILY_AT_UTC") {
            parse_time_of_day("PAPERSTAND_INGEST_DAILY_AT_UTC", &at)?;
            self.daily_at_utc = at;
        }
        Ok(())
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .collect()
}

/// `HH:MM` (24-hour) as minutes after midnight.
pub fn parse_time_of_day(key: &str, text: &str) -> anyhow::Result<u32> {
    let parsed = text.trim().split_once(':').and_then(|(h, m)| {
        let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
        (h < 24 && m < 60 && text.trim().len() == 5).then_some(h * 60 + m)
    });
    parsed.ok_or_else(|| anyhow::anyhow!("{key}: {text:?} is not a time of day such as 01:00"))
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// An http(s) URL, kept as written (without a trailing slash).
pub fn parse_url(key: &str, text: &str) -> anyhow::Result<String> {
    let url = text.trim().trim_end_matches('/');
    match url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        Some(rest) if !rest.is_empty() && !rest.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => bail!("{key}: {text:?} is not an http:// or https:// URL"),
    }
}
