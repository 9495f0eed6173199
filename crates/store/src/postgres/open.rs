//! Connecting to PostgreSQL: retries while the server is not reachable yet, a URL
//! shown without its password, a schema of its own for tests, and migrations that
//! refuse a database migrated by a newer binary.

use std::time::{Duration, Instant};

use sqlx::ConnectOptions;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};

use super::{ACQUIRE_TIMEOUT, MAX_CONNECTIONS, MIGRATOR, PostgresStore, db_error};
use crate::{Result, StoreError};

/// The first wait between connection attempts; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// `url` with any password replaced by `***` (in the user part and in a
/// `password=` query parameter), for messages and logs.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => format!("{user}@{host}"),
        },
        None => authority.to_owned(),
    };
    let path = match path.split_once('?') {
        Some((before, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{before}?{}", query.join("&"))
        }
        None => path.to_owned(),
    };
    if scheme.is_empty() {
        format!("{authority}{path}")
    } else {
        format!("{scheme}://{authority}{path}")
    }
}

fn options(url: &str, schema: Option<&str>) -> Result<PgConnectOptions> {
    let options: PgConnectOptions = url.parse().map_err(|e| {
        StoreError::Other(format!("{} is not a PostgreSQL URL: {e}", redact_url(url)))
    })?;
    // Named in pg_stat_activity; a URL's own `application_name` wins.
    let options = if options.get_application_name().is_none() {
        options.application_name("paperstand")
    } else {
        options
    };
    Ok(match schema {
        Some(schema) => options.options([("search_path", schema)]),
        None => options,
    })
}

impl PostgresStore {
    /// Connects to the database at `url` and brings its schema up to date. While the
    /// server cannot be reached, tries again with a growing pause for up to `wait`;
    /// then fails with a message naming the URL (without its password).
    pub async fn open(url: &str, wait: Duration) -> Result<PostgresStore> {
        PostgresStore::open_in(url, None, wait).await
    }

    /// [`PostgresStore::open`], keeping every table in `schema` (which must exist):
    /// how the tests give each run a fresh, disposable database.
    pub async fn open_in(url: &str, schema: Option<&str>, wait: Duration) -> Result<PostgresStore> {
        let options = options(url, schema)?;
        let shown = redact_url(url);
        let started = Instant::now();
        let mut backoff = FIRST_BACKOFF;
        // One plain connection first: it fails at once while the server is away (a
        // pool would keep trying for its whole acquire timeout).
        loop {
            match options.connect().await {
                Ok(connection) => {
                    let _ = connection.close().await;
                    break;
                }
                Err(e) if unreachable(&e) && started.elapsed() + backoff < wait => {
                    tracing::warn!(url = %shown, error = %e, "PostgreSQL is not reachable yet; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(e) => {
                    return Err(StoreError::Other(format!(
                        "cannot connect to PostgreSQL at {shown} (tried for {}s): {e}",
                        started.elapsed().as_secs()
                    )));
                }
            }
        }
        // sqlx checks each idle connection before handing it out, so connections that
        // died with a server restart are dropped and replaced, never reused.
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(true)
            .connect_with(options)
            .await
            .map_err(|e| {
                StoreError::Other(format!("cannot connect to PostgreSQL at {shown}: {e}"))
            })?;
        let applied: Option<i64> = {
            let exists: bool =
                sqlx::query_scalar("select to_regclass('_sqlx_migrations') is not null")
                    .fetch_one(&pool)
                    .await
                    .map_err(db_error)?;
            if exists {
                sqlx::query_scalar("select max(version) from _sqlx_migrations")
                    .fetch_one(&pool)
                    .await
                    .map_err(db_error)?
            } else {
                None
            }
        };
        crate::migrations::refuse_newer(applied, &MIGRATOR, &shown)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Other(format!("cannot migrate {shown}: {e}")))?;
        Ok(PostgresStore { pool })
    }

    /// Creates schema `name` in the database at `url` (for tests and tools).
    pub async fn create_schema(url: &str, name: &str) -> Result<()> {
        schema_statement(url, &format!("create schema {}", quote(name))).await
    }

    /// Drops schema `name` and everything in it.
    pub async fn drop_schema(url: &str, name: &str) -> Result<()> {
        schema_statement(
            url,
            &format!("drop schema if exists {} cascade", quote(name)),
        )
        .await
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn schema_statement(url: &str, statement: &str) -> Result<()> {
    let mut connection: PgConnection = options(url, None)?.connect().await.map_err(|e| {
        StoreError::Other(format!(
            "cannot connect to PostgreSQL at {}: {e}",
            redact_url(url)
        ))
    })?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&mut connection)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// True for errors that waiting may cure: the server is not (yet) there.
fn unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => true,
        // 57P03: the database system is starting up.
        sqlx::Error::Database(db) => db.code().as_deref() == Some("57P03"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_removed_from_urls() {
        assert_eq!(
            redact_url("postgres://ada:s3cret@db.example:5432/paperstand"),
            "postgres://ada:***@db.example:5432/paperstand"
        );
        assert_eq!(
            redact_url("postgres://ada@db/paperstand?sslmode=require&password=x"),
            "postgres://ada@db/paperstand?sslmode=require&password=***"
        );
        assert_eq!(redact_url("postgres://db/p"), "postgres://db/p");
    }
}
