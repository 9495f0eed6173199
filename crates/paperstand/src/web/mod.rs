//! The web site: server-rendered pages readable without JavaScript. Handlers call the
//! store and `core`, never SQL or ranking code of their own; `router.rs` lists every URL.

pub mod account_deletion;
pub mod accounts;
pub mod admin;
pub mod api;
pub mod auth;
pub mod cache;
pub mod client;
pub mod comment_markdown;
pub mod community;
pub mod error;
pub mod exports;
pub mod feed_formats;
pub mod feeds;
pub mod foryou;
pub mod library;
pub mod library_import;
pub mod library_views;
pub mod markup;
pub mod pages;
pub mod router;
pub mod search;
pub mod subscribe;
pub mod topics;
pub mod views;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use paperstand_store::Store;
use tokio::net::TcpListener;

use crate::app;
use crate::config::{Config, TrendingParams};
use crate::ranking::Ranking;
use crate::search::Search;

/// Requests a minute one client may make to the JSON API.
pub const DEFAULT_API_RATE_PER_MINUTE: u32 = 600;

/// What every handler gets.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Rendered public pages.
    pub cache: cache::SharedCache,
    /// Base URL for absolute links.
    pub public_url: Arc<str>,
    /// Requests a client may make to the JSON API.
    pub rate_limiter: Arc<api::limits::ApiLimiter>,
    /// Whose `X-Forwarded-For` names the client (`[server] trusted_proxies`).
    pub trusted_proxies: Arc<client::TrustedProxies>,
    /// Search by keyword and meaning; `None` where a caller built the state without it
    /// (search pages then say search is unavailable).
    pub search: Option<Arc<Search>>,
    /// Keys, cookie policy, account rate limits and the mailer.
    pub auth: auth::Auth,
    /// How members submit papers.
    pub submissions: Arc<community::Submissions>,
    /// The trending lists and breakdowns every page, API and feed shows.
    pub ranking: Arc<Ranking>,
    /// Members' For-you lists (their models and the corpus of paper vectors).
    pub recs: Arc<crate::recs::Recommender>,
    /// Library imports running or done on this node.
    pub imports: Arc<crate::library::Imports>,
    /// `[digest]` and the sender address: links in digests and the preview.
    pub digests: Arc<DigestSettings>,
}

/// What the subscription pages and the digest preview need.
#[derive(Debug, Clone, Default)]
pub struct DigestSettings {
    /// `[digest]`.
    pub config: crate::config::DigestConfig,
    /// `[mail] from`.
    pub from: crate::config::MailConfig,
}

impl AppState {
    /// State over a store.
    pub fn new(store: Arc<dyn Store>, public_url: &str) -> AppState {
        AppState {
            store,
            cache: Arc::default(),
            public_url: public_url.into(),
            rate_limiter: Arc::new(api::limits::ApiLimiter::Local(
                api::limits::RateLimiter::new(DEFAULT_API_RATE_PER_MINUTE),
            )),
            trusted_proxies: Arc::default(),
            search: None,
            auth: auth::Auth::ephemeral(),
            submissions: Arc::default(),
            ranking: Arc::default(),
            recs: Arc::default(),
            imports: Arc::default(),
            digests: Arc::default(),
        }
    }

    /// The same state with these digest settings.
    pub fn with_digests(
        mut self,
        config: crate::config::DigestConfig,
        mail: crate::config::MailConfig,
    ) -> AppState {
        self.digests = Arc::new(DigestSettings { config, from: mail });
        self
    }

    /// Signs and checks the links in digests (derived from `[digest] token_key` or the
    /// instance key, so every node agrees).
    pub fn digest_signer(&self) -> crate::digest::links::LinkSigner {
        crate::digest::signer(&self.digests.config, &self.auth, &self.public_url)
    }

    /// The same state ranking with these trending parameters (`[trending]`).
    pub fn with_trending(mut self, params: TrendingParams) -> AppState {
        self.ranking = Arc::new(Ranking::new(params));
        self
    }

    /// The same state with these account settings.
    pub fn with_auth(mut self, auth: auth::Auth) -> AppState {
        self.auth = auth;
        self
    }

    /// The same state with these submission settings.
    pub fn with_submissions(mut self, submissions: community::Submissions) -> AppState {
        self.submissions = Arc::new(submissions);
        self
    }

    /// The same state with a search service; For-you then uses its model's embeddings.
    pub fn with_search(mut self, search: Arc<Search>) -> AppState {
        let model = match search.semantic_status() {
            crate::search::SemanticStatus::On { model } => Some(model.clone()),
            crate::search::SemanticStatus::Off { .. } => None,
        };
        self.recs = Arc::new(crate::recs::Recommender::with_embeddings(model));
        self.search = Some(search);
        self
    }

    /// The same state with another API rate limit (requests a minute per client) kept
    /// in this process; 0 lifts it.
    pub fn with_api_rate(mut self, per_minute: u32) -> AppState {
        self.rate_limiter = Arc::new(match per_minute {
            0 => api::limits::ApiLimiter::Unlimited,
            n => api::limits::ApiLimiter::Local(api::limits::RateLimiter::new(n)),
        });
        self
    }

    /// The same state with an API rate limit counted in the store, so every node
    /// sharing it enforces one budget per client; 0 lifts it.
    pub fn with_shared_api_rate(mut self, per_minute: u32) -> AppState {
        self.rate_limiter = Arc::new(match per_minute {
            0 => api::limits::ApiLimiter::Unlimited,
            n => api::limits::ApiLimiter::Shared(api::shared_limits::SharedLimiter::new(
                self.store.clone(),
                n,
            )),
        });
        self
    }

    /// The same state believing `X-Forwarded-For` from these proxies only.
    pub fn with_trusted_proxies(mut self, proxies: client::TrustedProxies) -> AppState {
        self.trusted_proxies = Arc::new(proxies);
        self
    }
}

/// Content-Security-Policy: only the site's own script file (no inline script), no
/// inline style, nothing from elsewhere.
const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
                   img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The application: routes (each behind the CSRF guard, see `router.rs`), then the
/// viewer's session, security headers and request logging.
pub fn app(state: AppState) -> Router {
    router::routes(state.clone())
        .layer(axum::middleware::from_fn_with_state(state, auth::identify))
        .layer(axum::middleware::from_fn(security_headers))
}

async fn security_headers(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A response that set its own policy (the digest preview: inline styles, nothing
    // else) keeps it.
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    tracing::debug!(http.method = %method, http.path = %path, http.status = response.status().as_u16(),
        duration_ms = started.elapsed().as_millis() as u64, "request");
    response
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("the web server failed")
}

/// `paperstand serve`: open the store, import the demo on first start, serve until
/// SIGINT or SIGTERM.
pub async fn serve_forever(config: Config) -> anyhow::Result<()> {
    crate::digest::setup::check_production(&config)?;
    let store = app::open_store(&config).await?;
    if config.demo
        && let Some(report) = app::import_demo_once(store.as_ref()).await?
    {
        tracing::info!(
            papers = report.inserted,
            "imported the demo papers (first start; --no-demo skips this)"
        );
    }
    let listener = bind(config.server.bind).await?;
    let papers = store.count_papers().await?;
    tracing::info!(url = %config.public_url(), data_dir = %config.data_dir.display(), papers, "serving");
    println!(
        "Paperstand is serving {papers} papers at {}",
        config.public_url()
    );
    if crate::ingest::daily::is_configured(&config.ingest) {
        tokio::spawn(crate::ingest::daily::schedule_forever(
            store.clone(),
            config.clone(),
        ));
    }
    tokio::spawn(crate::stars::refresh_forever(store.clone(), config.clone()));
    let search = Arc::new(Search::open(store.clone(), &config).await?);
    tokio::spawn(crate::search::run_forever(search.clone()));
    let mailer = crate::digest::setup::mailer(&config)?;
    let public_url = config.public_url();
    let auth = auth::Auth::load(store.as_ref(), public_url.starts_with("https://"), mailer).await?;
    let fetcher = crate::ingest::fetch::Fetcher::new(&config.ingest, &public_url)?;
    let submissions = community::Submissions {
        arxiv: Some((Arc::new(fetcher), config.ingest.api_base_url.clone())),
        window_days: config.community.submit_window_days,
    };
    let state = AppState::new(store.clone(), &public_url)
        .with_search(search.clone())
        .with_auth(auth)
        .with_submissions(submissions)
        .with_trending(config.trending)
        .with_digests(config.digest.clone(), config.mail.clone())
        .with_trusted_proxies(config.server.trusted_proxies.clone());
    // One SQLite node keeps the API limit in memory (no write per request); nodes
    // sharing PostgreSQL count in the database (docs/decisions.md).
    let state = if config.database.url.is_some() {
        state.with_shared_api_rate(config.api.rate_per_minute)
    } else {
        state.with_api_rate(config.api.rate_per_minute)
    };
    if config.digest.enabled {
        // The pages' recommender and search, so "picked for you" and topic sections are
        // what /for-you and /topics show (and the corpus is built once).
        let personal = crate::digest::personal::Personal {
            recs: state.recs.clone(),
            search: Some(search.clone()),
        };
        let transport = crate::digest::setup::transport(&config)?;
        let digests = crate::digest::setup::service(
            &config,
            store.clone(),
            transport,
            Some(Arc::new(personal)),
        )
        .await?;
        tokio::spawn(digests.run_forever());
    }
    serve(listener, state, shutdown_signal()).await?;
    let saver = search.clone();
    let _ = tokio::task::spawn_blocking(move || saver.save_vectors_if_changed()).await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}: is another server using it? Choose another with --bind 127.0.0.1:8081")
    })
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
