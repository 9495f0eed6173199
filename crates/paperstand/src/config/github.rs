//! The `[github]` section: the GitHub REST API that star counts come from, its token
//! (a secret: never printed or logged), and how often repositories are checked.

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize, Serializer};

use super::ingest::parse_url;

/// What `config print` writes instead of a secret.
pub const REDACTED: &str = "<redacted>";

/// A secret value: `Debug` and `Serialize` show [`REDACTED`], never the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

/// GitHub settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GithubConfig {
    /// The REST API (tests and mirrors point it elsewhere; its host is the only one the
    /// client speaks to besides api.github.com).
    pub api_base_url: String,
    /// A token: 5,000 requests an hour instead of 60. A fine-grained token with no
    /// permissions at all is enough for public repositories.
    pub token: Option<Secret>,
    /// Whether `serve` refreshes star counts (off: `serve` fetches nothing from outside
    /// unless told to).
    pub refresh: bool,
    /// Minutes between two refresh runs under `serve`.
    pub refresh_every_min: u64,
    /// A paper listed within this many days is young: its repositories are checked often.
    pub young_days: u32,
    /// Hours between checks of a repository of a young paper.
    pub young_every_h: u64,
    /// Days between checks of a repository of older papers only.
    pub old_every_days: u64,
    /// Most repositories one run checks.
    pub max_checks_per_run: u32,
    /// Requests left for others: a run stops when GitHub says no more than this many remain.
    pub rate_reserve: u32,
    /// Pause between two requests, in milliseconds (requests never overlap).
    pub request_interval_ms: u64,
}

impl Default for GithubConfig {
    fn default() -> Self {
        GithubConfig {
            api_base_url: "https://api.github.com".to_owned(),
            token: None,
            refresh: false,
            refresh_every_min: 5,
            young_days: 30,
            young_every_h: 4,
            old_every_days: 7,
            max_checks_per_run: 1_000,
            rate_reserve: 10,
            request_interval_ms: 250,
        }
    }
}

/// `[github]` as written in the file; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileGithub {
    api_base_url: Option<String>,
    token: Option<String>,
    token_file: Option<std::path::PathBuf>,
    refresh: Option<bool>,
    refresh_every_min: Option<u64>,
    young_days: Option<u32>,
    young_every_h: Option<u64>,
    old_every_days: Option<u64>,
    max_checks_per_run: Option<u32>,
    rate_reserve: Option<u32>,
    request_interval_ms: Option<u64>,
}

impl GithubConfig {
    pub(super) fn apply_file(&mut self, file: FileGithub) -> anyhow::Result<()> {
        if let Some(url) = file.api_base_url {
            self.api_base_url = parse_url("github.api_base_url", &url)?;
        }
        if let Some(token) = file.token {
            self.token = Some(parse_token("github.token", &token)?);
        }
        if let Some(path) = file.token_file {
            self.token = Some(read_token_file("github.token_file", &path)?);
        }
        set(&mut self.refresh, file.refresh);
        set(&mut self.refresh_every_min, file.refresh_every_min);
        set(&mut self.young_days, file.young_days);
        set(&mut self.young_every_h, file.young_every_h);
        set(&mut self.old_every_days, file.old_every_days);
        set(&mut self.max_checks_per_run, file.max_checks_per_run);
        set(&mut self.rate_reserve, file.rate_reserve);
        set(&mut self.request_interval_ms, file.request_interval_ms);
        self.check("github.")
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
        let small = |key: &str| -> anyhow::Result<Option<u32>> {
            number(key)?
                .map(|n| u32::try_from(n).with_context(|| format!("{key}: {n} is too large")))
                .transpose()
        };
        if let Some(url) = env("PAPERSTAND_GITHUB_API_BASE_URL") {
            self.api_base_url = parse_url("PAPERSTAND_GITHUB_API_BASE_URL", &url)?;
        }
        if let Some(token) = env("PAPERSTAND_GITHUB_TOKEN") {
            self.token = Some(parse_token("PAPERSTAND_GITHUB_TOKEN", &token)?);
        }
        if let Some(path) = env("PAPERSTAND_GITHUB_TOKEN_FILE") {
            self.token = Some(read_token_file(
                "PAPERSTAND_GITHUB_TOKEN_FILE",
                std::path::Path::new(&path),
            )?);
        }
        if let Some(refresh) = env("PAPERSTAND_GITHUB_REFRESH") {
            self.refresh = super::parse_bool("PAPERSTAND_GITHUB_REFRESH", &refresh)?;
        }
        set(
            &mut self.refresh_every_min,
            number("PAPERSTAND_GITHUB_REFRESH_EVERY_MIN")?,
        );
        set(&mut self.young_days, small("PAPERSTAND_GITHUB_YOUNG_DAYS")?);
        set(
            &mut self.young_every_h,
            number("PAPERSTAND_GITHUB_YOUNG_EVERY_H")?,
        );
        set(
            &mut self.old_every_days,
            number("PAPERSTAND_GITHUB_OLD_EVERY_DAYS")?,
        );
        set(
            &mut self.max_checks_per_run,
            small("PAPERSTAND_GITHUB_MAX_CHECKS_PER_RUN")?,
        );
        set(
            &mut self.rate_reserve,
            small("PAPERSTAND_GITHUB_RATE_RESERVE")?,
        );
        set(
            &mut self.request_interval_ms,
            number("PAPERSTAND_GITHUB_REQUEST_INTERVAL_MS")?,
        );
        self.check("PAPERSTAND_GITHUB_")
    }

    /// Intervals of zero would check without pause: refused, naming the key.
    fn check(&self, prefix: &str) -> anyhow::Result<()> {
        let upper = prefix.starts_with("PAPERSTAND_");
        let key = |name: &str| {
            if upper {
                format!("{prefix}{}", name.to_ascii_uppercase())
            } else {
                format!("{prefix}{name}")
            }
        };
        for (name, value) in [
            ("refresh_every_min", self.refresh_every_min),
            ("young_every_h", self.young_every_h),
            ("old_every_days", self.old_every_days),
        ] {
            if value == 0 {
                bail!("{}: must be at least 1", key(name));
            }
        }
        Ok(())
    }
}

/// A token as given. The error never quotes it.
fn parse_token(key: &str, text: &str) -> anyhow::Result<Secret> {
    let token = text.trim();
    if token == REDACTED {
        bail!(
            "{key}: this is the placeholder `config print` writes; put the token itself here, or in PAPERSTAND_GITHUB_TOKEN"
        );
    }
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        bail!("{key}: a GitHub token is one word of printable ASCII characters");
    }
    Ok(Secret(token.to_owned()))
}

fn read_token_file(key: &str, path: &std::path::Path) -> anyhow::Result<Secret> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{key}: cannot read {}", path.display()))?;
    parse_token(key, &text)
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Overrides};
    use std::collections::HashMap;

    const TOKEN: &str = "github_pat_11AAAAAAA0sEcReT";

    fn load(file: Option<&str>, env: &[(&str, &str)]) -> anyhow::Result<Config> {
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
            &Overrides::default(),
        )
    }

    #[test]
    fn the_token_comes_from_the_file_the_environment_or_a_file_and_is_never_shown() {
        let config = load(Some(&format!("[github]\ntoken = \"{TOKEN}\"\n")), &[]).unwrap();
        assert_eq!(
            config.github.token.as_ref().map(Secret::expose),
            Some(TOKEN)
        );
        let printed = config.to_toml();
        assert!(
            !printed.contains(TOKEN) && printed.contains(REDACTED),
            "{printed}"
        );
        assert!(!format!("{config:?}").contains(TOKEN));

        let config = load(None, &[("PAPERSTAND_GITHUB_TOKEN", TOKEN)]).unwrap();
        assert_eq!(
            config.github.token.as_ref().map(Secret::expose),
            Some(TOKEN)
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, format!("{TOKEN}\n")).unwrap();
        let config = load(
            None,
            &[("PAPERSTAND_GITHUB_TOKEN_FILE", path.to_str().unwrap())],
        )
        .unwrap();
        assert_eq!(
            config.github.token.as_ref().map(Secret::expose),
            Some(TOKEN)
        );
    }

    #[test]
    fn the_printed_placeholder_is_refused_and_errors_never_quote_the_token() {
        let printed = load(None, &[("PAPERSTAND_GITHUB_TOKEN", TOKEN)])
            .unwrap()
            .to_toml();
        let message = format!("{:#}", load(Some(&printed), &[]).unwrap_err());
        assert!(message.contains("github.token"), "{message}");
        let bad = format!("{TOKEN} two words");
        let message = format!(
            "{:#}",
            load(None, &[("PAPERSTAND_GITHUB_TOKEN", &bad)]).unwrap_err()
        );
        assert!(message.contains("PAPERSTAND_GITHUB_TOKEN"), "{message}");
        assert!(!message.contains(TOKEN), "{message}");
    }

    #[test]
    fn settings_come_from_the_file_and_the_environment_and_errors_name_their_key() {
        let file =
            "[github]\napi_base_url = \"http://127.0.0.1:9/\"\nrefresh = true\nyoung_every_h = 2\n";
        let config = load(Some(file), &[("PAPERSTAND_GITHUB_OLD_EVERY_DAYS", "3")]).unwrap();
        assert_eq!(config.github.api_base_url, "http://127.0.0.1:9");
        assert!(config.github.refresh);
        assert_eq!(config.github.young_every_h, 2);
        assert_eq!(config.github.old_every_days, 3);
        assert_eq!(load(Some(&config.to_toml()), &[]).unwrap(), config);
        type Case<'a> = (Option<&'a str>, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case<'_>] = &[
            (
                Some("[github]\nyoung_every_h = 0"),
                &[],
                "github.young_every_h",
            ),
            (Some("[github]\ncolour = 1"), &[], "unknown field `colour`"),
            (
                None,
                &[("PAPERSTAND_GITHUB_REFRESH", "often")],
                "PAPERSTAND_GITHUB_REFRESH",
            ),
            (
                None,
                &[("PAPERSTAND_GITHUB_OLD_EVERY_DAYS", "0")],
                "PAPERSTAND_GITHUB_OLD_EVERY_DAYS",
            ),
            (
                None,
                &[("PAPERSTAND_GITHUB_API_BASE_URL", "ftp://x")],
                "PAPERSTAND_GITHUB_API_BASE_URL",
            ),
        ];
        for (file, env, key) in cases {
            let message = format!("{:#}", load(*file, env).unwrap_err());
            assert!(message.contains(key), "{message}");
        }
    }
}
