//! Opening an instance: the data directory, the store, and the one-time demo import.

use std::sync::Arc;

use anyhow::Context;
use paperstand_store::{PostgresStore, SqliteStore, Store};
use time::OffsetDateTime;

use crate::config::Config;
use crate::transfer::{ImportReport, import, import_lines};

/// The demo sample: 2,000 real arXiv papers (every ~37th of the shared
/// arxiv-cs-2025-2026 corpus; arXiv metadata is CC0), gzip-compressed.
const DEMO_SAMPLE: &[u8] = include_bytes!("../demo/sample_2000.jsonl.gz");

/// Set once the demo has been imported (or skipped because the store had papers), so it
/// never comes back after an operator deletes it.
const DEMO_MARKER: &str = "demo.imported_at";
/// Set when the demo import starts: found without [`DEMO_MARKER`], the import was cut short.
const DEMO_STARTED: &str = "demo.started_at";

/// Creates the data directory if needed and opens the store: PostgreSQL when
/// `[database] url` (or `DATABASE_URL`) names one, else the SQLite file in the data
/// directory. The data directory is needed either way (search indexes, models).
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    if let Some(url) = &config.database.url {
        let store = PostgresStore::open(url.expose(), config.database.connect_wait()).await?;
        tracing::info!(database = %url.redacted(), "using PostgreSQL");
        return Ok(Arc::new(store));
    }
    let store = SqliteStore::open(&config.database_path()).await?;
    Ok(Arc::new(store))
}

/// Today in UTC: the listing date of records that carry none.
pub fn today() -> time::Date {
    OffsetDateTime::now_utc().date()
}

/// Imports the demo sample if this instance has never had papers (or if an earlier
/// demo import was interrupted: importing is idempotent, so it simply runs again).
/// Returns the report when it imported.
pub async fn import_demo_once(store: &dyn Store) -> anyhow::Result<Option<ImportReport>> {
    if store.setting(DEMO_MARKER).await?.is_some() {
        return Ok(None);
    }
    let now = OffsetDateTime::now_utc().unix_timestamp().to_string();
    let interrupted = store.setting(DEMO_STARTED).await?.is_some();
    if !interrupted && store.count_papers().await? > 0 {
        store.set_setting(DEMO_MARKER, &now).await?;
        return Ok(None);
    }
    store.set_setting(DEMO_STARTED, &now).await?;
    let reader =
        import::decode(std::io::Cursor::new(DEMO_SAMPLE)).context("opening the demo sample")?;
    let report = import_lines(store, reader, today(), &|_| {}).await;
    if let Some(fatal) = &report.fatal {
        anyhow::bail!("the demo sample could not be imported: {fatal}");
    }
    store.set_setting(DEMO_MARKER, &now).await?;
    Ok(Some(report))
}
