//! Scheduled jobs on one node at a time: [`run_leased`] takes the job's lease (see
//! `paperstand_store::leases`), renews it while the job runs, and gives it up after.
//! A node that finds the lease held skips the run; a node that crashes stops renewing,
//! and once its lease expires another node takes the job over. Owner ids are
//! [`node_id`]s: the host name, the process id and a random part, so two processes on
//! one host (or a restarted one) never pass for each other.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use paperstand_store::Store;
use time::OffsetDateTime;

/// This process's owner id for leases: `host:pid:random`.
pub fn node_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "node".to_owned());
        let mut random = [0u8; 6];
        getrandom::fill(&mut random)
            .expect("the operating system's random number generator failed");
        let random: String = random.iter().map(|b| format!("{b:02x}")).collect();
        format!("{host}:{}:{random}", std::process::id())
    })
}

/// What became of a leased run.
#[derive(Debug, PartialEq, Eq)]
pub enum Leased<T> {
    /// This node held the lease and the job ran to its end.
    Ran(T),
    /// Another node holds the lease: the job did not run here.
    HeldElsewhere,
    /// The lease was lost while the job ran (this node could not renew it in time and
    /// another took it over): the job was stopped where it was.
    Lost,
}

/// Runs `job` while holding lease `name` for [`node_id`], renewing it every third of
/// `ttl`; skips it when another node holds the lease. A renewal that fails for a
/// database error is retried at the next tick (the lease lasts `ttl`); one that finds
/// the lease taken over stops the job.
pub async fn run_leased<T>(
    store: &dyn Store,
    name: &str,
    ttl: Duration,
    job: impl Future<Output = T>,
) -> paperstand_store::Result<Leased<T>> {
    run_leased_as(store, name, node_id(), ttl, job).await
}

/// [`run_leased`] with an explicit owner (tests play several nodes in one process).
pub async fn run_leased_as<T>(
    store: &dyn Store,
    name: &str,
    owner: &str,
    ttl: Duration,
    job: impl Future<Output = T>,
) -> paperstand_store::Result<Leased<T>> {
    if !store
        .try_acquire_lease(name, owner, OffsetDateTime::now_utc(), ttl)
        .await?
    {
        tracing::info!(
            job.name = name,
            "another node holds this job's lease; skipped here"
        );
        return Ok(Leased::HeldElsewhere);
    }
    let mut job = std::pin::pin!(job);
    let mut renew = tokio::time::interval((ttl / 3).max(Duration::from_millis(10)));
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    renew.tick().await;
    let outcome = loop {
        tokio::select! {
            done = &mut job => break Leased::Ran(done),
            _ = renew.tick() => {
                match store.renew_lease(name, owner, OffsetDateTime::now_utc(), ttl).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::error!(job.name = name, "lost the job's lease to another node; stopping this run");
                        break Leased::Lost;
                    }
                    Err(e) => tracing::warn!(job.name = name, error = %e, "could not renew the job's lease; retrying"),
                }
            }
        }
    };
    if let Err(e) = store.release_lease(name, owner).await {
        // It expires by itself after `ttl`.
        tracing::warn!(job.name = name, error = %e, "could not release the job's lease");
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use paperstand_store::{Leases, SqliteStore};

    use super::*;

    async fn store() -> (tempfile::TempDir, Arc<SqliteStore>) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("p.sqlite"))
            .await
            .unwrap();
        (dir, Arc::new(store))
    }

    #[tokio::test]
    async fn a_held_lease_skips_the_job_and_a_free_one_runs_it() {
        let (_dir, store) = store().await;
        let ttl = Duration::from_secs(60);
        assert!(
            store
                .try_acquire_lease("job", "node-a", OffsetDateTime::now_utc(), ttl)
                .await
                .unwrap()
        );
        let mut ran = false;
        let outcome = run_leased_as(store.as_ref(), "job", "node-b", ttl, async { ran = true })
            .await
            .unwrap();
        assert_eq!(outcome, Leased::HeldElsewhere);
        assert!(!ran, "node-b did not run it");
        store.release_lease("job", "node-a").await.unwrap();
        let outcome = run_leased_as(store.as_ref(), "job", "node-b", ttl, async { 7 })
            .await
            .unwrap();
        assert_eq!(outcome, Leased::Ran(7));
        assert!(
            store.lease("job").await.unwrap().is_none(),
            "released after the run"
        );
    }

    #[tokio::test]
    async fn the_lease_is_renewed_while_the_job_runs() {
        let (_dir, store) = store().await;
        let ttl = Duration::from_millis(300);
        let watcher = store.clone();
        let job = async move {
            let first = watcher.lease("job").await.unwrap().unwrap().expires_at;
            tokio::time::sleep(Duration::from_millis(450)).await;
            let later = watcher.lease("job").await.unwrap().unwrap();
            (first, later)
        };
        let outcome = run_leased_as(store.as_ref(), "job", "node-a", ttl, job)
            .await
            .unwrap();
        let Leased::Ran((first, later)) = outcome else {
            panic!("it ran: {outcome:?}")
        };
        assert_eq!(later.owner, "node-a");
        assert!(later.expires_at > first, "renewed while running");
    }

    #[tokio::test]
    async fn a_job_whose_lease_is_taken_over_stops() {
        let (_dir, store) = store().await;
        let ttl = Duration::from_millis(300);
        let thief = store.clone();
        let job = async move {
            // Another node takes the lease (as if this one had stalled past its expiry).
            thief.release_lease("job", "node-a").await.unwrap();
            assert!(
                thief
                    .try_acquire_lease("job", "node-b", OffsetDateTime::now_utc(), ttl)
                    .await
                    .unwrap()
            );
            tokio::time::sleep(Duration::from_secs(30)).await;
        };
        let started = std::time::Instant::now();
        let outcome = run_leased_as(store.as_ref(), "job", "node-a", ttl, job)
            .await
            .unwrap();
        assert_eq!(outcome, Leased::Lost);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "stopped at the next renewal"
        );
        assert_eq!(
            store.lease("job").await.unwrap().unwrap().owner,
            "node-b",
            "the loser does not release the winner's lease"
        );
    }

    #[test]
    fn node_ids_name_the_host_and_process() {
        let id = node_id();
        assert!(id.contains(&format!(":{}:", std::process::id())), "{id}");
        assert_eq!(id, node_id(), "one id per process");
    }
}
