//! E-mail digests (issue #6; docs/mail.md): periods (`period`), selection and the
//! exactly-once outbox (`build`), signed links (`links`), the message (`render`), and
//! the sender (`send`) over a [`send::Transport`]: SMTP in production, `.eml` files
//! for development and dry runs (`transport`).

pub mod build;
pub mod links;
pub mod period;
pub mod personal;
pub mod preferences;
pub mod preview;
pub mod render;
pub mod send;
pub mod setup;
pub mod transport;

use std::sync::Arc;

use anyhow::Context;
use lettre::message::Mailbox;
use paperstand_store::{Digest, NewDigest, Store};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::config::{Config, DigestConfig};
use crate::ranking::Ranking;
use build::BuildReport;
use links::LinkSigner;
use render::Site;
use send::{SendReport, Transport};

/// The lease of the build step (one node builds; every node sends).
pub const BUILD_LEASE: &str = "digest_build";

/// The setting holding the last run's report (shown on /admin).
pub const LAST_RUN_SETTING: &str = "digest.last_run";

/// Everything a digest run needs.
#[derive(Debug, Clone)]
pub struct DigestService {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The ranking every page uses.
    pub ranking: Arc<Ranking>,
    /// `[digest]`.
    pub config: DigestConfig,
    /// Links, sender, signer.
    pub site: Arc<Site>,
    /// Where messages go.
    pub transport: Arc<dyn Transport>,
    /// This process's name on claimed outbox rows.
    pub owner: String,
    /// Topic and "picked for you" sections; `None` leaves them out.
    pub personal: Option<Arc<personal::Personal>>,
}

/// One run: what was built and what was sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// When it ran.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Digests built.
    pub build: BuildReport,
    /// Messages sent.
    pub send: SendReport,
}

/// The last run as /admin shows it.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// When (RFC 3339).
    pub at: String,
    /// Active subscribers looked at.
    pub considered: u64,
    /// New digests.
    pub built: u64,
    /// … with papers.
    pub with_papers: u64,
    /// … "nothing new" notes.
    pub notes: u64,
    /// Recorded, not sent (nothing new, skip chosen).
    pub skipped: u64,
    /// Waiting for the day's ingestion.
    pub waiting: u64,
    /// Outbox rows claimed.
    pub claimed: u64,
    /// Sent.
    pub sent: u64,
    /// Suppressed.
    pub suppressed: u64,
    /// Failed.
    pub failed: u64,
    /// Deferred.
    pub deferred: u64,
    /// Taken over by another sender.
    pub lost: u64,
    /// Both halves balance.
    pub balances: bool,
}

impl RunSummary {
    /// The last run's report, if there was a run.
    pub async fn load(store: &dyn Store) -> Option<RunSummary> {
        let text = store.setting(LAST_RUN_SETTING).await.ok()??;
        let run: RunReport = serde_json::from_str(&text).ok()?;
        let (b, s) = (&run.build, &run.send);
        Some(RunSummary {
            at: run
                .at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            considered: b.considered,
            built: b.with_papers + b.notes + b.skipped,
            with_papers: b.with_papers,
            notes: b.notes,
            skipped: b.skipped,
            waiting: b.waiting,
            claimed: s.claimed,
            sent: s.sent,
            suppressed: s.suppressed,
            failed: s.failed,
            deferred: s.deferred,
            lost: s.lost,
            balances: s.balances(),
        })
    }
}

/// A host-like name for `Message-ID`s and the `List-Id`, from the public URL.
pub fn mail_host(public_url: &str) -> String {
    let host = url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    host.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The link signer: the configured key, else one derived from the instance's secret.
pub fn signer(
    config: &DigestConfig,
    auth: &crate::web::auth::Auth,
    public_url: &str,
) -> LinkSigner {
    let list_id = format!("digest.{}", mail_host(public_url));
    match &config.token_key {
        Some(key) => LinkSigner::new(key.expose().as_bytes(), &list_id),
        None => LinkSigner::new(auth.sign("digest link key", &list_id).as_bytes(), &list_id),
    }
}

/// The site part of messages.
pub fn site(config: &Config, signer: LinkSigner) -> anyhow::Result<Site> {
    let from: Mailbox = config.mail.from.parse().with_context(|| {
        format!(
            "mail.from {:?} is not an address such as \"Paperstand <papers@example.org>\"",
            config.mail.from
        )
    })?;
    Ok(Site {
        public_url: config.public_url().trim_end_matches('/').to_owned(),
        from,
        signer,
    })
}

impl DigestService {
    /// Builds what is due, then sends what the outbox holds; logs and stores the report.
    pub async fn run_once(&self, forced: Option<Date>) -> anyhow::Result<RunReport> {
        let now = OffsetDateTime::now_utc();
        let host = mail_host(&self.site.public_url);
        // One node builds at a time (building twice would make no second digest — the
        // digest row is unique — but would rank and compose for nothing); every node
        // sends, sharing the outbox through their claims.
        let lease = std::time::Duration::from_secs(self.config.claim_lease_secs);
        let leased = crate::jobs::run_leased(
            self.store.as_ref(),
            BUILD_LEASE,
            lease,
            build::build_due(
                self.store.as_ref(),
                &self.ranking,
                &self.config,
                &host,
                self.personal.as_deref(),
                now,
                forced,
            ),
        )
        .await?;
        let build = match leased {
            crate::jobs::Leased::Ran(report) => report?,
            crate::jobs::Leased::HeldElsewhere | crate::jobs::Leased::Lost => {
                build::BuildReport::default()
            }
        };
        let send = send::send_due(
            self.store.clone(),
            self.transport.clone(),
            self.site.clone(),
            &self.config,
            &self.owner,
        )
        .await?;
        let report = RunReport {
            at: now,
            build,
            send,
        };
        let b = &report.build;
        let s = &report.send;
        tracing::info!(
            job.name = "digest",
            considered = b.considered,
            not_due = b.not_due,
            waiting = b.waiting,
            already_built = b.already_built,
            built_papers = b.with_papers,
            built_notes = b.notes,
            skipped_empty = b.skipped,
            build_balances = b.balances(),
            claimed = s.claimed,
            sent = s.sent,
            suppressed = s.suppressed,
            failed = s.failed,
            deferred = s.deferred,
            lost = s.lost,
            send_balances = s.balances(),
            "digest run: candidates = sent + suppressed + failed + deferred{}",
            if s.lost > 0 { " + taken over" } else { "" }
        );
        if let Ok(json) = serde_json::to_string(&report) {
            self.store.set_setting(LAST_RUN_SETTING, &json).await?;
        }
        Ok(report)
    }

    /// Runs every `every_secs` seconds, forever (under `serve`).
    pub async fn run_forever(self) {
        let every = std::time::Duration::from_secs(self.config.every_secs);
        loop {
            if let Err(e) = self.run_once(None).await {
                tracing::error!(
                    job.name = "digest",
                    error = format!("{e:#}"),
                    "digest run failed; the next run retries"
                );
            }
            tokio::time::sleep(every).await;
        }
    }

    /// The digests due now (or for `forced`), built but not recorded, each rendered:
    /// what a run would send (`digest send --dry-run`).
    pub async fn dry_run(
        &self,
        forced: Option<Date>,
    ) -> anyhow::Result<(BuildReport, Vec<render::Rendered>)> {
        let now = OffsetDateTime::now_utc();
        let host = mail_host(&self.site.public_url);
        let (report, digests) = build::compose_due(
            self.store.as_ref(),
            &self.ranking,
            &self.config,
            &host,
            self.personal.as_deref(),
            now,
            forced,
        )
        .await?;
        let mut rendered = Vec::new();
        for digest in digests {
            if digest.kind == paperstand_store::DigestKind::Skipped {
                continue;
            }
            let Some(subscriber) = self.store.subscriber(digest.subscriber).await? else {
                continue;
            };
            let stored = unsaved(digest, now);
            rendered.push(
                render::render(self.store.as_ref(), &self.site, &subscriber, &stored, now).await?,
            );
        }
        Ok((report, rendered))
    }
}

/// A digest as it would be stored.
pub fn unsaved(digest: NewDigest, now: OffsetDateTime) -> Digest {
    Digest {
        id: 0,
        subscriber: digest.subscriber,
        period: digest.period,
        kind: digest.kind,
        items: digest.items,
        message_id: digest.message_id,
        created_at: now,
    }
}
