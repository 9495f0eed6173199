//! The sender: claims outbox rows, renders, delivers, records the outcome.
//!
//! Every claimed row ends in exactly one of: sent, suppressed (the subscriber left),
//! failed (a permanent refusal, or transient ones `max_attempts` times), deferred (a
//! transient failure, back after an exponential delay with jitter). A run's report
//! balances: `claimed = sent + suppressed + failed + deferred + lost`, where `lost`
//! counts rows whose claim another sender took over while this one was sending (only
//! after this sender stalled past its lease).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use paperstand_store::{OutboxItem, SendOutcome, Store, SubscriberStatus};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::Semaphore;

use super::render::{Site, render};
use crate::config::DigestConfig;

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Try again later: 4xx replies, 552, connection trouble, timeouts.
    Transient(String),
    /// Do not try again: 5xx replies other than 552.
    Permanent(String),
}

/// Hands a rendered message to the mail system.
#[async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Delivers `message` to its recipients; `Ok` once the server accepted it.
    async fn deliver(&self, message: &lettre::Message) -> Result<(), DeliveryError>;

    /// Most messages to have in flight at once.
    fn concurrency(&self) -> usize {
        1
    }
}

/// What one send run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReport {
    /// Outbox rows claimed.
    pub claimed: u64,
    /// Accepted by the server.
    pub sent: u64,
    /// Not sent: the subscriber left or bounces.
    pub suppressed: u64,
    /// Given up.
    pub failed: u64,
    /// Transient failure: will be tried again.
    pub deferred: u64,
    /// Another sender took the row over (this one was too slow): not ours to record.
    pub lost: u64,
}

impl SendReport {
    /// Whether every claimed row is accounted for.
    pub fn balances(&self) -> bool {
        self.claimed == self.sent + self.suppressed + self.failed + self.deferred + self.lost
    }

    fn add(&mut self, other: &SendReport) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.suppressed += other.suppressed;
        self.failed += other.failed;
        self.deferred += other.deferred;
        self.lost += other.lost;
    }
}

/// The delay before retry number `attempt` (1 for the first): `base · 2^(attempt-1)`,
/// at most six hours, then between 50 % and 100 % of that at random so that many
/// deferred messages do not all come back at once.
pub fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let exp = base.as_secs_f64() * 2f64.powi(attempt.saturating_sub(1).min(20) as i32);
    let capped = exp.min(6.0 * 3600.0);
    Duration::from_secs_f64(capped * (0.5 + 0.5 * jitter.clamp(0.0, 1.0)))
}

fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX)
}

/// Sends what is due until the outbox has nothing more to claim now.
pub async fn send_due(
    store: Arc<dyn Store>,
    transport: Arc<dyn Transport>,
    site: Arc<Site>,
    config: &DigestConfig,
    owner: &str,
) -> anyhow::Result<SendReport> {
    let mut total = SendReport::default();
    let lease = Duration::from_secs(config.claim_lease_secs);
    let width = transport.concurrency().max(1);
    // What this run defers waits for the next run, instead of coming round again here.
    let started = OffsetDateTime::now_utc();
    loop {
        let now = OffsetDateTime::now_utc();
        // A small batch: a sender that dies strands no more than this until its lease ends.
        let batch = u32::try_from(width * 2).unwrap_or(u32::MAX);
        let items = store
            .claim_outbox(owner, now, started, lease, batch)
            .await?;
        if items.is_empty() {
            break;
        }
        let gate = Arc::new(Semaphore::new(width));
        let mut tasks = tokio::task::JoinSet::new();
        for item in items {
            let permit = gate.clone().acquire_owned().await?;
            let (store, transport, site) = (store.clone(), transport.clone(), site.clone());
            let config = config.clone();
            let owner = owner.to_owned();
            tasks.spawn(async move {
                let report = send_one(&*store, &*transport, &site, &config, &owner, item).await;
                drop(permit);
                report
            });
        }
        while let Some(done) = tasks.join_next().await {
            total.add(&done??);
        }
    }
    Ok(total)
}

async fn send_one(
    store: &dyn Store,
    transport: &dyn Transport,
    site: &Site,
    config: &DigestConfig,
    owner: &str,
    item: OutboxItem,
) -> anyhow::Result<SendReport> {
    let mut report = SendReport {
        claimed: 1,
        ..SendReport::default()
    };
    // The claim saw the subscriber active; look again just before sending, so that an
    // unsubscribe that came in since stops the message.
    let current = store.subscriber(item.subscriber.id).await?;
    let outcome = match current {
        Some(s) if s.status == SubscriberStatus::Active => {
            deliver(store, transport, site, config, &item).await
        }
        _ => SendOutcome::Suppressed,
    };
    let recorded = store
        .record_send(
            item.id,
            owner,
            &outcome,
            config.bounce_limit,
            OffsetDateTime::now_utc(),
        )
        .await?;
    if !recorded {
        report.lost = 1;
        tracing::warn!(
            job.name = "digest_send",
            outbox = item.id,
            "another sender took this message over (the claim expired while sending)"
        );
        return Ok(report);
    }
    match &outcome {
        SendOutcome::Sent => report.sent = 1,
        SendOutcome::Suppressed => report.suppressed = 1,
        SendOutcome::Retry { error, .. } => {
            report.deferred = 1;
            tracing::info!(job.name = "digest_send", outbox = item.id, attempt = item.attempts + 1,
                error = %error, "deferred after a transient failure");
        }
        SendOutcome::Failed { error, permanent } => {
            report.failed = 1;
            tracing::warn!(job.name = "digest_send", outbox = item.id, permanent = *permanent,
                error = %error, "gave up on a digest");
        }
    }
    Ok(report)
}

async fn deliver(
    store: &dyn Store,
    transport: &dyn Transport,
    site: &Site,
    config: &DigestConfig,
    item: &OutboxItem,
) -> SendOutcome {
    let now = OffsetDateTime::now_utc();
    let rendered = match render(store, site, &item.subscriber, &item.digest, now).await {
        Ok(rendered) => rendered,
        // A message that cannot be built now may be buildable later (the database was
        // busy): a transient failure, within the same attempt limit.
        Err(e) => return transient(config, item, format!("could not render: {e:#}")),
    };
    match transport.deliver(&rendered.message).await {
        Ok(()) => SendOutcome::Sent,
        Err(DeliveryError::Permanent(error)) => SendOutcome::Failed {
            error,
            permanent: true,
        },
        Err(DeliveryError::Transient(error)) => transient(config, item, error),
    }
}

fn transient(config: &DigestConfig, item: &OutboxItem, error: String) -> SendOutcome {
    let attempt = item.attempts + 1;
    if attempt >= config.max_attempts {
        return SendOutcome::Failed {
            error: format!("{error} (after {attempt} attempts)"),
            permanent: false,
        };
    }
    let delay = backoff(
        Duration::from_secs(config.retry_base_secs),
        attempt,
        jitter(),
    );
    SendOutcome::Retry {
        at: OffsetDateTime::now_utc() + delay,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        let base = Duration::from_secs(60);
        assert_eq!(backoff(base, 1, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(base, 1, 0.0), Duration::from_secs(30));
        assert_eq!(backoff(base, 3, 1.0), Duration::from_secs(240));
        assert_eq!(backoff(base, 40, 1.0), Duration::from_secs(6 * 3600));
        let j = jitter();
        assert!((0.0..=1.0).contains(&j));
    }
}
