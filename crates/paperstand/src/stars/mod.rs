//! GitHub star counts (docs/stars.md): the REST client (`github`), reading its answers
//! (`answer`) and GitHub's rate-limit headers (`limits`), linking papers to repositories (`link`), and the refresh run with
//! its schedule (`refresh`) that `paperstand refresh stars` runs by hand and `serve`
//! every few minutes. Imports `core`, `store`, the configuration and `ingest::fetch`'s
//! helpers; nothing of the web layer.

mod answer;
pub mod github;
pub mod limits;
pub mod link;
pub mod refresh;

use std::sync::Arc;
use std::time::Duration;

use paperstand_store::Store;
use time::OffsetDateTime;

pub use github::{ClientSettings, GithubClient, GithubError};
pub use link::{LINKED_SEQ, LinkReport, link_new_repos};
pub use refresh::{PAUSED_UNTIL, RefreshPolicy, RefreshReport, StarRefresh};

use crate::config::Config;

/// The refresher `config` describes.
pub fn star_refresh(config: &Config) -> anyhow::Result<StarRefresh> {
    Ok(StarRefresh::new(
        GithubClient::new(config)?,
        RefreshPolicy::from_config(&config.github),
        config.github.max_checks_per_run,
    ))
}

/// The job `serve` runs when `github.refresh` is on: every `github.refresh_every_min`
/// minutes, link new repositories and check the due ones. Returns at once when off.
pub async fn refresh_forever(store: Arc<dyn Store>, config: Config) {
    if !config.github.refresh {
        return;
    }
    let mut job = match star_refresh(&config) {
        Ok(job) => job,
        Err(e) => {
            return tracing::error!(
                job.name = "refresh_stars",
                error = format!("{e:#}"),
                "star counts will not be refreshed"
            );
        }
    };
    let every = Duration::from_secs(config.github.refresh_every_min.max(1) * 60);
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let started = std::time::Instant::now();
        // One node at a time: another that holds the lease does this round's work.
        let run = job.run(store.as_ref(), OffsetDateTime::now_utc(), &|_| {});
        match crate::jobs::run_leased(store.as_ref(), LEASE, LEASE_TTL, run).await {
            Ok(crate::jobs::Leased::Ran(Ok(report))) => log_report(&report, started.elapsed()),
            Ok(crate::jobs::Leased::HeldElsewhere) => {}
            Ok(crate::jobs::Leased::Ran(Err(e))) => tracing::error!(
                job.name = "refresh_stars",
                error = format!("{e:#}"),
                "star refresh failed; the next run tries again"
            ),
            Ok(crate::jobs::Leased::Lost) => tracing::error!(
                job.name = "refresh_stars",
                "star refresh stopped: another node took its lease over"
            ),
            Err(e) => tracing::error!(
                job.name = "refresh_stars",
                error = %e,
                "star refresh could not take its lease; the next run tries again"
            ),
        }
    }
}

/// The lease that keeps the star refresh to one node at a time.
const LEASE: &str = "refresh_stars";
/// How long the lease lasts unless renewed (it is renewed every third of this).
const LEASE_TTL: Duration = Duration::from_secs(120);

fn log_report(report: &RefreshReport, elapsed: Duration) {
    if report.linked.new_links == 0 && report.checked == 0 && report.rate_limited_until.is_none() {
        return tracing::debug!(job.name = "refresh_stars", "nothing due");
    }
    tracing::info!(
        job.name = "refresh_stars",
        linked = report.linked.new_links,
        checked = report.checked,
        updated = report.updated,
        unchanged = report.unchanged,
        moved = report.moved,
        gone = report.gone,
        failed = report.failed,
        rate_limited_until = report.rate_limited_until.map(refresh::rfc3339),
        duration_ms = elapsed.as_millis() as u64,
        "star counts refreshed"
    );
}
