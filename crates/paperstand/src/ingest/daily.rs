//! The daily ingestion that `serve` runs after arXiv's announcement (and
//! `paperstand harvest daily` runs by hand): the announcements of the configured
//! categories, then the OAI-PMH harvest of the configured set. Each step is safe to
//! re-run; a failing step is logged and the next still runs.

use std::time::Duration;

use paperstand_core::oai::MetadataFormat;
use paperstand_store::Store;
use time::OffsetDateTime;

use super::announce::{AnnouncementJob, read_announcements};
use super::arxiv_api::ArxivApi;
use super::fetch::Fetcher;
use super::oai::{OaiHarvest, harvest_oai};
use crate::config::{Config, IngestConfig};

/// Runs the daily ingestion once. Returns how many steps failed.
pub async fn run_daily(store: &dyn Store, config: &Config) -> anyhow::Result<u32> {
    let ingest = &config.ingest;
    let fetcher = Fetcher::new(ingest, &config.public_url())?;
    let api = ArxivApi::new(&fetcher, &ingest.api_base_url);
    let mut failures = 0;
    if !ingest.categories.is_empty() {
        let job = AnnouncementJob {
            base_url: ingest.announce_base_url.clone(),
            categories: ingest.categories.clone(),
            dry_run: false,
        };
        match read_announcements(store, &fetcher, &api, &job).await {
            Ok(report) => {
                tracing::info!(job.name = "read_announcements", day = ?report.day, new = report.new,
                cross = report.cross, replaced = report.replaced, already_done = report.already_done, "announcements read")
            }
            Err(e) => {
                failures += 1;
                tracing::error!(
                    job.name = "read_announcements",
                    error = format!("{e:#}"),
                    "announcements failed"
                );
            }
        }
    }
    if let Some(set) = &ingest.oai_set {
        let job = OaiHarvest {
            base_url: ingest.oai_base_url.clone(),
            set: Some(set.clone()),
            format: MetadataFormat::ArxivRaw,
            from: None,
            dry_run: false,
        };
        match harvest_oai(store, &fetcher, &job, &|_| {}).await {
            Ok(report) => tracing::info!(
                job.name = "harvest_oai",
                pages = report.pages,
                new = report.counts.inserted,
                updated = report.counts.updated,
                "harvest finished"
            ),
            Err(e) => {
                failures += 1;
                tracing::error!(
                    job.name = "harvest_oai",
                    error = format!("{e:#}"),
                    "harvest failed; the next run resumes it"
                );
            }
        }
    }
    let today = paperstand_core::record::format_date(OffsetDateTime::now_utc().date());
    store.set_setting(LAST_RUN, &today).await?;
    Ok(failures)
}

/// How long from `now` until the next `HH:MM` UTC.
pub fn until_next(now: OffsetDateTime, minutes_after_midnight: u32) -> Duration {
    let now_minutes = u32::from(now.hour()) * 60 + u32::from(now.minute());
    let now_seconds = now_minutes * 60 + u32::from(now.second());
    let target = minutes_after_midnight * 60;
    let wait = if target > now_seconds {
        target - now_seconds
    } else {
        24 * 3600 - now_seconds + target
    };
    Duration::from_secs(u64::from(wait))
}

/// The setting that records the UTC day the daily ingestion last ran.
const LAST_RUN: &str = "ingest.daily_last_run";

/// True when today's time has passed and the daily ingestion has not run today: a server
/// that was down at the scheduled time catches up when it starts (re-running is safe).
async fn missed_today(store: &dyn Store, now: OffsetDateTime, at: u32) -> bool {
    let past_time = u32::from(now.hour()) * 60 + u32::from(now.minute()) >= at;
    let today = paperstand_core::record::format_date(now.date());
    past_time && store.setting(LAST_RUN).await.ok().flatten().as_deref() != Some(today.as_str())
}

/// Whether `serve` has anything to schedule.
pub fn is_configured(ingest: &IngestConfig) -> bool {
    !ingest.categories.is_empty() || ingest.oai_set.is_some()
}

/// The loop `serve` runs: wait for the configured time, ingest, repeat.
pub async fn schedule_forever(store: std::sync::Arc<dyn Store>, config: Config) {
    let at = match crate::config::parse_time_of_day(
        "ingest.daily_at_utc",
        &config.ingest.daily_at_utc,
    ) {
        Ok(at) => at,
        Err(e) => return tracing::error!(error = %e, "daily ingestion not scheduled"),
    };
    if missed_today(store.as_ref(), OffsetDateTime::now_utc(), at).await {
        tracing::info!(
            job.name = "daily_ingestion",
            "today's ingestion has not run (the server was down at its time): running it now"
        );
        run_scheduled(store.as_ref(), &config).await;
    }
    loop {
        let wait = until_next(OffsetDateTime::now_utc(), at);
        tracing::info!(
            job.name = "daily_ingestion",
            wait_s = wait.as_secs(),
            "next daily ingestion scheduled"
        );
        tokio::time::sleep(wait).await;
        run_scheduled(store.as_ref(), &config).await;
    }
}

/// The lease that keeps the daily ingestion (scheduled or by hand) to one node at a time.
pub const LEASE: &str = "daily_ingestion";
/// How long the lease lasts unless renewed (it is renewed every third of this).
pub const LEASE_TTL: Duration = Duration::from_secs(120);
/// The UTC day of the last scheduled (not by-hand) ingestion, on any node.
const SCHEDULED_DAY: &str = "ingest.daily_scheduled_day";

/// One scheduled ingestion, on one node: under the lease, and not again on a day
/// another node already ran it (nodes wake at the same time; the first one runs it).
async fn run_scheduled(store: &dyn Store, config: &Config) {
    let today = paperstand_core::record::format_date(OffsetDateTime::now_utc().date());
    let job = async {
        if store.setting(SCHEDULED_DAY).await?.as_deref() == Some(today.as_str()) {
            tracing::info!(
                job.name = "daily_ingestion",
                "another node ran today's ingestion"
            );
            return Ok(());
        }
        run_daily(store, config).await?;
        store.set_setting(SCHEDULED_DAY, &today).await?;
        anyhow::Ok(())
    };
    let outcome = crate::jobs::run_leased(store, LEASE, LEASE_TTL, job).await;
    if let Ok(crate::jobs::Leased::Ran(Ok(()))) | Ok(crate::jobs::Leased::HeldElsewhere) = outcome {
        return;
    }
    let error = match outcome {
        Ok(crate::jobs::Leased::Ran(Err(e))) => format!("{e:#}"),
        Err(e) => e.to_string(),
        _ => "its lease was taken over by another node".to_owned(),
    };
    tracing::error!(
        job.name = "daily_ingestion",
        error,
        "daily ingestion could not run"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[tokio::test]
    async fn a_missed_run_is_caught_up_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = paperstand_store::SqliteStore::open(&dir.path().join("p.sqlite"))
            .await
            .unwrap();
        assert!(
            !missed_today(&store, datetime!(2026-11-27 00:30:00 UTC), 60).await,
            "not yet time"
        );
        assert!(
            missed_today(&store, datetime!(2026-11-27 09:00:00 UTC), 60).await,
            "time passed, never ran"
        );
        store.set_setting(LAST_RUN, "2026-11-27").await.unwrap();
        assert!(
            !missed_today(&store, datetime!(2026-11-27 09:00:00 UTC), 60).await,
            "ran today"
        );
        assert!(
            missed_today(&store, datetime!(2026-11-28 09:00:00 UTC), 60).await,
            "a new day"
        );
    }

    #[test]
    fn waits_until_the_next_time_of_day() {
        assert_eq!(
            until_next(datetime!(2026-11-27 00:30:00 UTC), 60),
            Duration::from_secs(30 * 60)
        );
        assert_eq!(
            until_next(datetime!(2026-11-27 01:00:00 UTC), 60),
            Duration::from_secs(24 * 3600)
        );
        assert_eq!(
            until_next(datetime!(2026-11-27 23:00:30 UTC), 60),
            Duration::from_secs(2 * 3600 - 30)
        );
    }
}
