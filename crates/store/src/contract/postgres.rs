//! A disposable PostgreSQL schema per test: created with a unique name in the database
//! at `PAPERSTAND_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`)
//! and dropped, with everything in it, when its guard is dropped (also when the test
//! panics). An unreachable server fails the test with a message saying so: CI has
//! PostgreSQL, so a missing one is a broken setup, never a reason to skip.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::postgres::redact_url;
use crate::{PostgresStore, Store};

/// Where the tests' PostgreSQL is, unless `PAPERSTAND_TEST_POSTGRES_URL` says otherwise.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The test database's URL.
pub fn test_url() -> String {
    std::env::var("PAPERSTAND_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// A schema that exists until this guard is dropped.
#[derive(Debug)]
pub struct TestSchema {
    url: String,
    name: String,
}

impl TestSchema {
    /// Creates a schema with a fresh name; panics (failing the test) with a clear
    /// message when PostgreSQL cannot be reached.
    pub async fn create() -> TestSchema {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "paperstand_test_{}_{nanos}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let url = test_url();
        if let Err(e) = PostgresStore::create_schema(&url, &name).await {
            panic!(
                "the PostgreSQL contract tests need a server at {} (set \
                 PAPERSTAND_TEST_POSTGRES_URL to point elsewhere): {e}",
                redact_url(&url)
            );
        }
        TestSchema { url, name }
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database URL (the schema is chosen by `search_path`, see [`Self::store`]).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A store over this schema, migrated.
    pub async fn store(&self) -> PostgresStore {
        PostgresStore::open_in(&self.url, Some(&self.name), Duration::from_secs(5))
            .await
            .expect("open the PostgreSQL store in the test schema")
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        // Drop may run inside a (single-threaded) test runtime, so the schema is
        // dropped from a thread of its own with a runtime of its own.
        let url = self.url.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(PostgresStore::drop_schema(&url, &name))
                .map_err(|e| e.to_string())
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test schema {}: {dropped:?}", self.name);
        }
    }
}

/// A fresh, migrated PostgreSQL store and the guard that drops its schema.
pub async fn fresh_store() -> (Arc<dyn Store>, TestSchema) {
    let schema = TestSchema::create().await;
    let store = schema.store().await;
    (Arc::new(store), schema)
}
