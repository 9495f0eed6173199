//! The announcement reader against a real HTTP server serving arXiv-shaped listing feeds
//! (constructed fixtures of real papers) and the arXiv API: listing dates, replacements,
//! re-runs, empty days, and the daily page that results.

mod common;

use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use common::TestApp;
use paperstand::config::IngestConfig;
use paperstand::ingest::announce::{AnnouncementJob, ingestion_marker, read_announcements};
use paperstand::ingest::arxiv_api::ArxivApi;
use paperstand::ingest::fetch::Fetcher;
use paperstand_core::ArxivId;
use paperstand_store::Store;
use time::macros::date;

const ATOM: &str = include_str!("../../core/tests/fixtures/arxiv_announce_atom_constructed.xml");
const RSS: &str = include_str!("../../core/tests/fixtures/arxiv_announce_rss_constructed.xml");
const EMPTY_API: &str = include_str!("../../core/tests/fixtures/arxiv_atom_2026_empty_result.xml");
const EMPTY_DAY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:arxiv="http://arxiv.org/schemas/atom"><channel><title>cs.CL updates on arXiv.org</title>
<link>http://rss.arxiv.org/rss/cs.CL</link><description>cs.CL updates</description><skipDays><day>Saturday</day></skipDays></channel></rss>"#;

/// What the feed server answers: `Some(body)` for the feed path.
type Feed = Arc<Mutex<&'static str>>;

async fn serve(feed: &'static str) -> (String, Feed) {
    let state: Feed = Arc::new(Mutex::new(feed));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route(
            "/atom/{categories}",
            get(|State(f): State<Feed>, Path(_c): Path<String>| async move {
                (
                    [(header::CONTENT_TYPE, "application/xml")],
                    *f.lock().unwrap(),
                )
                    .into_response()
            }),
        )
        .route(
            "/api/query",
            get(|| async {
                ([(header::CONTENT_TYPE, "application/atom+xml")], EMPTY_API).into_response()
            }),
        )
        .with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, state)
}

fn config() -> IngestConfig {
    IngestConfig {
        request_interval_ms: 0,
        allowed_hosts: vec!["127.0.0.1".to_owned()],
        ..IngestConfig::default()
    }
}

fn job(base: &str) -> AnnouncementJob {
    AnnouncementJob {
        base_url: format!("{base}/atom"),
        categories: vec!["cs.CL".to_owned(), "cs.LG".to_owned()],
        dry_run: false,
    }
}

fn id(text: &str) -> ArxivId {
    text.parse().unwrap()
}

#[tokio::test]
async fn announcements_set_listing_dates_and_a_day_is_read_once() {
    let (base, _) = serve(ATOM).await;
    // One replaced paper is already here, first listed months ago.
    let app = TestApp::with_lines(
        "{\"id\":\"2510.12835\",\"title\":\"Listed in October\",\"first_listed\":\"2025-10-15\",\"times_listed\":1}\n",
    )
    .await;
    let fetcher = Fetcher::new(&config(), "http://test.invalid").unwrap();
    let api = ArxivApi::new(&fetcher, &format!("{base}/api/query"));
    let report = read_announcements(app.store.as_ref(), &fetcher, &api, &job(&base))
        .await
        .unwrap();
    assert_eq!(report.day, Some(date!(2026 - 02 - 20)));
    assert_eq!((report.new, report.cross, report.replaced), (3, 1, 4));
    assert_eq!(
        report.skipped, 3,
        "replaced papers unknown here and to the API are not shown as new"
    );
    assert_eq!(report.counts.inserted, 4);
    assert_eq!(report.counts.updated, 1);

    let new = app
        .store
        .paper(&id("2602.17598"))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(new.listed_on, date!(2026 - 02 - 20));
    let replaced = app.store.paper(&id("2510.12835")).await.unwrap().unwrap();
    assert_eq!(
        replaced.listed_on,
        date!(2025 - 10 - 15),
        "a replacement keeps its first listing"
    );
    assert_eq!(
        (replaced.last_listed_on, replaced.times_listed),
        (Some(date!(2026 - 02 - 20)), Some(2))
    );
    assert_ne!(
        replaced.title, "Listed in October",
        "the feed's metadata replaced the old record's"
    );
    assert!(
        app.store
            .setting(&ingestion_marker(date!(2026 - 02 - 20)))
            .await
            .unwrap()
            .is_some(),
        "digests can see the day is complete"
    );

    let (_, _, page) = app.get("/?date=2026-02-20").await;
    assert_eq!(
        common::cards(&page),
        4,
        "new and cross-listed papers are on the day's page"
    );

    let seq = app.store.change_seq().await.unwrap();
    let again = read_announcements(app.store.as_ref(), &fetcher, &api, &job(&base))
        .await
        .unwrap();
    assert!(again.already_done);
    assert_eq!(
        app.store.change_seq().await.unwrap(),
        seq,
        "re-reading a day changes nothing"
    );
}

#[tokio::test]
async fn rss_and_atom_feeds_give_the_same_papers() {
    let (base, feed) = serve(ATOM).await;
    let fetcher = Fetcher::new(&config(), "http://test.invalid").unwrap();
    let api = ArxivApi::new(&fetcher, &format!("{base}/api/query"));
    let atom_app = TestApp::empty().await;
    read_announcements(atom_app.store.as_ref(), &fetcher, &api, &job(&base))
        .await
        .unwrap();
    *feed.lock().unwrap() = RSS;
    let rss_app = TestApp::empty().await;
    read_announcements(rss_app.store.as_ref(), &fetcher, &api, &job(&base))
        .await
        .unwrap();
    let day = date!(2026 - 02 - 20);
    let page = paperstand_store::Page {
        limit: 50,
        offset: 0,
    };
    assert_eq!(
        atom_app.store.papers_listed_on(day, page).await.unwrap(),
        rss_app.store.papers_listed_on(day, page).await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_reports_an_empty_day_as_a_normal_day() {
    let (base, _) = serve(EMPTY_DAY).await;
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "harvest",
            "announcements",
            "--categories",
            "cs.CL",
        ])
        .args(["--base-url", &format!("{base}/atom")])
        .env("PAPERSTAND_INGEST_ALLOWED_HOSTS", "127.0.0.1")
        .env("PAPERSTAND_INGEST_REQUEST_INTERVAL_MS", "0")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("No announcements for cs.CL"), "{text}");
    let missing = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "harvest",
            "announcements",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("--categories"),
        "says what to do"
    );
}

#[tokio::test]
async fn a_failing_api_does_not_lose_the_days_listing() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route(
            "/atom/{categories}",
            get(|| async { ([(header::CONTENT_TYPE, "application/xml")], ATOM).into_response() }),
        )
        .route(
            "/api/query",
            get(|| async { axum::http::StatusCode::SERVICE_UNAVAILABLE }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut config = config();
    config.max_retries = 0;
    let fetcher = Fetcher::new(&config, "http://test.invalid").unwrap();
    let api = ArxivApi::new(&fetcher, &format!("{base}/api/query"));
    let app = TestApp::empty().await;
    let report = read_announcements(app.store.as_ref(), &fetcher, &api, &job(&base))
        .await
        .unwrap();
    assert!(report.api_failed);
    assert_eq!(
        report.counts.inserted, 4,
        "new and cross-listed papers are stored with the feed's metadata"
    );
    assert_eq!(
        app.store
            .paper(&id("2602.17598"))
            .await
            .unwrap()
            .unwrap()
            .listed_on,
        date!(2026 - 02 - 20)
    );
    assert_eq!(
        app.store
            .paper(&id("2602.17598"))
            .await
            .unwrap()
            .unwrap()
            .times_listed,
        Some(1)
    );
}
