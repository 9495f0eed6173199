//! The `[api]` section and `[server] trusted_proxies`: how many requests a client may
//! make to the JSON API, and whose `X-Forwarded-For` says who the client is.

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::web::client::{Cidr, TrustedProxies};

/// The `[api]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiConfig {
    /// Requests a minute one client (an IPv4 address, an IPv6 /64) may make to the JSON
    /// API, on all nodes together; 0 lifts the limit.
    pub rate_per_minute: u32,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            rate_per_minute: crate::web::DEFAULT_API_RATE_PER_MINUTE,
        }
    }
}

/// `[api]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileApi {
    rate_per_minute: Option<u32>,
}

impl ApiConfig {
    pub(super) fn apply_file(&mut self, file: FileApi) {
        if let Some(rate) = file.rate_per_minute {
            self.rate_per_minute = rate;
        }
    }

    pub(super) fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(text) = env("PAPERSTAND_API_RATE_PER_MINUTE") {
            self.rate_per_minute = text.trim().parse().with_context(|| {
                format!(
                    "PAPERSTAND_API_RATE_PER_MINUTE: {text:?} is not a number of requests (0 lifts the limit)"
                )
            })?;
        }
        Ok(())
    }
}

/// `[server] trusted_proxies` as written: a list of addresses and blocks.
pub(super) fn parse_proxies(key: &str, items: &[String]) -> anyhow::Result<TrustedProxies> {
    let mut blocks = Vec::with_capacity(items.len());
    for item in items {
        match item.parse::<Cidr>() {
            Ok(block) => blocks.push(block),
            Err(problem) => bail!("{key}: {problem}"),
        }
    }
    Ok(TrustedProxies(blocks))
}

/// `PAPERSTAND_TRUSTED_PROXIES`: comma-separated; empty trusts no proxy.
pub(super) fn proxies_from_env(
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<TrustedProxies>> {
    env("PAPERSTAND_TRUSTED_PROXIES")
        .map(|text| {
            TrustedProxies::parse_list(&text)
                .map_err(|problem| anyhow::anyhow!("PAPERSTAND_TRUSTED_PROXIES: {problem}"))
        })
        .transpose()
}
