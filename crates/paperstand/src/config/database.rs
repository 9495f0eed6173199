//! The `[database]` section: which store backs the instance. Without a URL it is the
//! SQLite file in the data directory; `url = "postgres://…"` (or `DATABASE_URL`)
//! selects a shared PostgreSQL database, for one node or several.

use std::time::Duration;

use anyhow::bail;
use serde::{Deserialize, Serialize, Serializer};

/// A database URL: shown (by `config print`, `Debug`) without its password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL with its password, for the one place that connects.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL without its password, for messages and logs.
    pub fn redacted(&self) -> String {
        paperstand_store::postgres::redact_url(&self.0)
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for DatabaseUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

/// Database settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatabaseConfig {
    /// A `postgres://` URL selects PostgreSQL; unset: SQLite in the data directory.
    pub url: Option<DatabaseUrl>,
    /// How long to keep trying while PostgreSQL is unreachable at start, in seconds.
    pub connect_wait_secs: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            connect_wait_secs: 30,
        }
    }
}

impl DatabaseConfig {
    /// How long to keep trying to connect at start.
    pub fn connect_wait(&self) -> Duration {
        Duration::from_secs(self.connect_wait_secs)
    }

    pub(super) fn apply_file(&mut self, file: FileDatabase) -> anyhow::Result<()> {
        if let Some(url) = file.url {
            self.url = parse_database_url("database.url", &url)?;
        }
        if let Some(secs) = file.connect_wait_secs {
            self.connect_wait_secs = secs;
        }
        Ok(())
    }

    pub(super) fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(url) = env("DATABASE_URL") {
            self.url = parse_database_url("DATABASE_URL", &url)?;
        }
        if let Some(secs) = env("PAPERSTAND_DATABASE_CONNECT_WAIT") {
            self.connect_wait_secs = secs.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "PAPERSTAND_DATABASE_CONNECT_WAIT: {secs:?} is not a number of seconds"
                )
            })?;
        }
        Ok(())
    }
}

/// `[database]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDatabase {
    url: Option<String>,
    connect_wait_secs: Option<u64>,
}

/// A `postgres://` or `postgresql://` URL; an empty value means the default (SQLite).
fn parse_database_url(key: &str, text: &str) -> anyhow::Result<Option<DatabaseUrl>> {
    let url = text.trim();
    if url.is_empty() {
        return Ok(None);
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let redacted = paperstand_store::postgres::redact_url(url);
        if redacted == url && url.contains(":***@") {
            bail!(
                "{key}: the password \"***\" is the placeholder `config print` shows; \
                 write the real password (or leave it out and use ~/.pgpass or PGPASSWORD)"
            );
        }
        return Ok(Some(DatabaseUrl(url.to_owned())));
    }
    let shown = paperstand_store::postgres::redact_url(url);
    bail!(
        "{key}: {shown:?} is not a postgres:// URL (leave it unset for SQLite in the data directory)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_shown_without_passwords() {
        let url = parse_database_url("k", " postgres://ada:pw@db/p ")
            .unwrap()
            .unwrap();
        assert_eq!(url.expose(), "postgres://ada:pw@db/p");
        assert_eq!(format!("{url:?}"), "postgres://ada:***@db/p");
        assert!(parse_database_url("k", "").unwrap().is_none());
        let error = parse_database_url("k", "mysql://ada:pw@db/p")
            .unwrap_err()
            .to_string();
        assert!(error.contains("k: ") && !error.contains("pw"), "{error}");
        let printed = format!("{url:?}");
        assert!(
            parse_database_url("k", &printed).is_err(),
            "a printed URL is refused"
        );
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let mut config = DatabaseConfig::default();
        let file: FileDatabase =
            toml::from_str("url = \"postgres://file@db/p\"\nconnect_wait_secs = 5").unwrap();
        config.apply_file(file).unwrap();
        assert_eq!(
            config.url.as_ref().unwrap().expose(),
            "postgres://file@db/p"
        );
        assert_eq!(config.connect_wait(), Duration::from_secs(5));
        config
            .apply_env(&|k| (k == "DATABASE_URL").then(|| "postgres://env@db/p".to_owned()))
            .unwrap();
        assert_eq!(config.url.as_ref().unwrap().expose(), "postgres://env@db/p");
    }
}
