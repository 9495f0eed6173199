//! The arXiv API client and `paperstand harvest api` against a real HTTP server that
//! replays the API's recorded responses (fixtures from arxiv.py's recordings).

use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use paperstand::config::IngestConfig;
use paperstand::ingest::arxiv_api::ArxivApi;
use paperstand::ingest::fetch::Fetcher;
use paperstand_core::ArxivId;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../core/tests/fixtures/", $name))
    };
}

const TWO: &str = fixture!("arxiv_atom_2026_id_list_two.xml");
const OLD_STYLE: &str = fixture!("arxiv_atom_2026_id_list_oldstyle_astro-ph_0601001.xml");
const SEARCH: &str = fixture!("arxiv_atom_2026_search_testing_s0_m10.xml");
const EMPTY: &str = fixture!("arxiv_atom_2026_empty_result.xml");
const ERROR_400: &str = fixture!("arxiv_atom_2026_error_400_bad_id.xml");

type Log = Arc<Mutex<Vec<String>>>;

async fn answer(State(log): State<Log>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    log.lock().unwrap().push(query.clone());
    let (status, body) = if query.contains("id_list=abc") {
        (StatusCode::BAD_REQUEST, ERROR_400)
    } else if query.contains("id_list=") && query.contains("1707.08567") {
        (StatusCode::OK, TWO)
    } else if query.contains("id_list=astro-ph/0601001") {
        (StatusCode::OK, OLD_STYLE)
    } else if query.contains("search_query=testing&start=0&") {
        (StatusCode::OK, SEARCH)
    } else {
        (StatusCode::OK, EMPTY)
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/atom+xml")],
        body,
    )
        .into_response()
}

async fn serve() -> (String, Log) {
    let log: Log = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/query", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/api/query", get(answer))
        .with_state(log.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}

fn fetcher() -> Fetcher {
    let config = IngestConfig {
        request_interval_ms: 0,
        retry_base_ms: 10,
        allowed_hosts: vec!["127.0.0.1".to_owned()],
        ..IngestConfig::default()
    };
    Fetcher::new(&config, "http://test.invalid").unwrap()
}

fn ids(list: &[&str]) -> Vec<ArxivId> {
    list.iter().map(|t| t.parse().unwrap()).collect()
}

#[tokio::test]
async fn fetches_by_id_and_reports_what_arxiv_lacks() {
    let (url, log) = serve().await;
    let fetcher = fetcher();
    let api = ArxivApi::new(&fetcher, &url);
    let result = api
        .fetch_ids(&ids(&["1707.08567", "0808.0539"]))
        .await
        .unwrap();
    assert_eq!(
        log.lock().unwrap()[0],
        "id_list=1707.08567,0808.0539&max_results=2"
    );
    assert_eq!(result.entries.len(), 1);
    let paper = &result.entries[0].paper;
    assert_eq!(paper.id.to_string(), "1707.08567");
    assert!(
        paper.authors.iter().any(|a| a == "Dirk Wübben"),
        "the double-encoded name is repaired: {:?}",
        paper.authors
    );
    assert_eq!(result.missing, ids(&["0808.0539"]));

    let old = api.fetch_ids(&ids(&["astro-ph/0601001"])).await.unwrap();
    assert_eq!(old.entries[0].paper.id.to_string(), "astro-ph/0601001");
}

#[tokio::test]
async fn the_error_feed_becomes_a_clear_error() {
    let (url, _) = serve().await;
    let fetcher = fetcher();
    let api = ArxivApi::new(&fetcher, &url);
    let error = api.fetch_ids(&[]).await.map(|r| r.entries.len()).unwrap();
    assert_eq!(error, 0, "nothing asked, nothing fetched");
    assert!(
        fetcher.get(&format!("{url}?id_list=abc")).await.is_err(),
        "a plain get treats 400 as an error"
    );
    let body = fetcher
        .get_even_if_400(&format!("{url}?id_list=abc"))
        .await
        .unwrap();
    let message = paperstand_core::atom::parse_feed(&body)
        .unwrap_err()
        .to_string();
    assert!(message.contains("incorrect id format for abc"), "{message}");
}

#[tokio::test]
async fn searches_page_by_page_until_the_results_end() {
    let (url, log) = serve().await;
    let fetcher = fetcher();
    let api = ArxivApi::new(&fetcher, &url);
    let pages = Mutex::new(Vec::new());
    let result = api
        .search("testing", 25, &|n, total| {
            pages.lock().unwrap().push((n, total))
        })
        .await
        .unwrap();
    assert_eq!(result.entries.len(), 10);
    let queries = log.lock().unwrap().clone();
    assert_eq!(
        queries[0],
        "search_query=testing&start=0&max_results=25&sortBy=submittedDate&sortOrder=descending"
    );
    assert_eq!(
        queries[1],
        "search_query=testing&start=10&max_results=15&sortBy=submittedDate&sortOrder=descending"
    );
    assert_eq!(pages.lock().unwrap()[0], (10, Some(214_881)));
}

// Multi-threaded: the child process is awaited by blocking calls while the server runs.
#[tokio::test(flavor = "multi_thread")]
async fn harvest_api_writes_papers_and_merges_with_what_is_stored() {
    let (url, _) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_paperstand"))
            .args([
                "--data-dir",
                dir.path().to_str().unwrap(),
                "harvest",
                "api",
                "--base-url",
                &url,
            ])
            .args(args)
            .env("PAPERSTAND_INGEST_ALLOWED_HOSTS", "127.0.0.1")
            .env("PAPERSTAND_INGEST_REQUEST_INTERVAL_MS", "0")
            .env("PAPERSTAND_INGEST_TIMEOUT_S", "10")
            .env("PAPERSTAND_INGEST_MAX_RETRIES", "1")
            .output()
            .unwrap()
    };
    let first = run(&["--query", "testing", "--max", "10"]);
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(text.contains("new                10"), "{text}");
    let again = run(&["--query", "testing", "--max", "10"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("unchanged          10"));
    let missing = run(&["--ids", "1707.08567,0808.0539"]);
    assert_eq!(missing.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("not found on arXiv: 0808.0539"));
    let export = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "export"])
        .output()
        .unwrap();
    let export = String::from_utf8_lossy(&export.stdout);
    assert_eq!(export.lines().count(), 11);
    assert!(
        export.contains("\"id\":\"2005.14124\"") && export.contains("\"version\":2"),
        "versions kept"
    );
}
