//! Putting a digest service together from the configuration.

use std::sync::Arc;

use paperstand_store::Store;

use super::personal::Personal;
use super::send::Transport;
use super::transport::FileTransport;
use super::{DigestService, signer, site};
use crate::config::Config;
use crate::mail::{FileMailer, Mailer};
use crate::ranking::Ranking;

/// Where digests go: SMTP when `[mail] smtp_url` is set, else `.eml` files in the data
/// directory's `mail/outbox/` (development).
pub fn transport(config: &Config) -> anyhow::Result<Arc<dyn Transport>> {
    match &config.mail.smtp_url {
        Some(url) => Ok(Arc::new(super::transport::SmtpTransport::new(
            &config.mail,
            url,
        )?)),
        None => Ok(Arc::new(FileTransport::new(&outbox_dir(config)))),
    }
}

/// Where account e-mails go: the same choice as [`transport`].
pub fn mailer(config: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    match &config.mail.smtp_url {
        Some(url) => Ok(Arc::new(super::transport::SmtpTransport::new(
            &config.mail,
            url,
        )?)),
        None => Ok(Arc::new(FileMailer::new(
            &outbox_dir(config),
            &config.mail.from,
        ))),
    }
}

/// `<data>/mail/outbox`.
pub fn outbox_dir(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("mail").join("outbox")
}

/// Refuses a production instance without SMTP.
pub fn check_production(config: &Config) -> anyhow::Result<()> {
    if config.mail.production && config.mail.smtp_url.is_none() {
        anyhow::bail!(
            "[mail] production = true but no SMTP server is configured: set [mail] smtp_url or \
             PAPERSTAND_SMTP_URL (smtp://host:port, smtp+starttls://user:password@host:587 or \
             smtps://host:465), or set production = false to write mail to {} instead",
            outbox_dir(config).display()
        );
    }
    Ok(())
}

/// The digest service of this instance, sending through `transport`, with personal
/// sections when `personal` is given.
pub async fn service(
    config: &Config,
    store: Arc<dyn Store>,
    transport: Arc<dyn Transport>,
    personal: Option<Arc<Personal>>,
) -> anyhow::Result<DigestService> {
    let public_url = config.public_url();
    let auth = crate::web::auth::Auth::load(
        store.as_ref(),
        public_url.starts_with("https://"),
        Arc::new(crate::mail::MemoryMailer::default()),
    )
    .await?;
    let signer = signer(&config.digest, &auth, &public_url);
    Ok(DigestService {
        store,
        ranking: Arc::new(Ranking::new(config.trending)),
        config: config.digest.clone(),
        site: Arc::new(site(config, signer)?),
        transport,
        // The process's lease owner id: the same name on claimed rows and job leases.
        owner: crate::jobs::node_id().to_owned(),
        personal,
    })
}

/// The personal sections for a command-line run: the recommender, and search when its
/// index can be opened (not while `serve` holds it: topic sections are then left out,
/// with a warning; the digest job under `serve` includes them).
pub async fn personal_for_cli(config: &Config, store: Arc<dyn Store>) -> Arc<Personal> {
    match crate::search::Search::open(store, config).await {
        Ok(search) => {
            let model = match search.semantic_status() {
                crate::search::SemanticStatus::On { model } => Some(model.clone()),
                crate::search::SemanticStatus::Off { .. } => None,
            };
            Arc::new(Personal {
                recs: Arc::new(crate::recs::Recommender::with_embeddings(model)),
                search: Some(Arc::new(search)),
            })
        }
        Err(e) => {
            eprintln!(
                "warning: topic sections are left out of this run: the search index cannot be opened ({e:#}); \
                 the digest job under `serve` includes them"
            );
            Arc::new(Personal {
                recs: Arc::new(crate::recs::Recommender::default()),
                search: None,
            })
        }
    }
}
