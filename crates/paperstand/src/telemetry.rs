//! Structured logs with `tracing`: text for people, JSON for collectors. Log fields are
//! dotted and shared (`paper.id`, `job.name`, `duration_ms`); never an email address.

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber. `RUST_LOG` wins over the configured level.
pub fn init(config: &LogConfig) {
    // PostgreSQL's notices (such as "relation already exists, skipping" from every
    // start's migration check) are not news; warnings and errors still show.
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(format!("sqlx::postgres::notice=warn,{}", config.level)))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests start several apps in one process) keeps the first subscriber.
    let _ = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
