//! `paperstand import hf` and `import pwc-links` on real recorded data, through the
//! binary, and the links they add on paper pages.

mod common;

use std::process::{Command, Output};

use axum::Router;
use axum::extract::RawQuery;
use axum::routing::get;
use common::TestApp;
use paperstand_core::external::SignalKind;
use paperstand_store::{SqliteStore, Store};

const HF_PAPER: &str =
    include_str!("../../core/tests/fixtures/hf_paper_object_2407.13168_from_paper_page.json");
const PWC_ROWS: &str =
    include_str!("../../core/tests/fixtures/pwc_links_between_papers_and_code_rows_quoted.json");

fn paperstand(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(args)
        .env("PAPERSTAND_INGEST_ALLOWED_HOSTS", "127.0.0.1")
        .env("PAPERSTAND_INGEST_REQUEST_INTERVAL_MS", "0")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn pwc_links_reach_the_paper_page_with_their_source() {
    let app = TestApp::with_lines("{\"id\":\"1810.10559\",\"title\":\"Efficient leave-one-out cross-validation\",\"first_listed\":\"2018-10-24\"}\n").await;
    let (report, rejected) =
        paperstand_core::external::parse_pwc_links(PWC_ROWS.as_bytes()).unwrap();
    assert!(rejected.is_empty());
    assert_eq!(app.store.upsert_external_links(&report).await.unwrap(), 4);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (_, _, page) = app.get("/papers/1810.10559").await;
    assert!(
        page.contains("https://github.com/paul-buerkner/psis-non-factorized-paper"),
        "{page}"
    );
    assert!(page.contains("from Papers with Code (official)"), "{page}");
}

#[test]
fn import_pwc_links_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("links.json");
    std::fs::write(&file, PWC_ROWS).unwrap();
    let first = paperstand(dir.path(), &["import", "pwc-links", file.to_str().unwrap()]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains("code links: 4 read, 4 new"),
        "{}",
        text(&first)
    );
    let again = paperstand(dir.path(), &["import", "pwc-links", file.to_str().unwrap()]);
    assert!(
        text(&again).contains("code links: 4 read, 0 new"),
        "re-importing adds nothing"
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"rows\": 1}").unwrap();
    let output = paperstand(dir.path(), &["import", "pwc-links", bad.to_str().unwrap()]);
    assert!(
        !output.status.success() && text(&output).contains("not a Papers with Code links file"),
        "{}",
        text(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn import_hf_from_a_file_and_from_the_daily_papers_api() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("paper.json");
    std::fs::write(&file, HF_PAPER).unwrap();
    let output = paperstand(dir.path(), &["import", "hf", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("papers: new 1"), "{}", text(&output));

    // The daily-papers endpoint, served locally in Hugging Face's shape.
    let daily = format!(
        "[{{\"paper\": {HF_PAPER}, \"publishedAt\": \"2024-07-22T01:00:00.000Z\", \"githubRepo\": \"https://github.com/scicode-bench/SciCode\", \"githubStars\": 90, \"numComments\": 3}}]"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route(
        "/api/daily_papers",
        get(move |RawQuery(q): RawQuery| {
            let daily = daily.clone();
            async move {
                assert_eq!(q.as_deref(), Some("date=2024-07-22&limit=100"));
                daily
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let output = paperstand(
        dir.path(),
        &["import", "hf", "--date", "2024-07-22", "--base-url", &base],
    );
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("code links: 1 read, 1 new"),
        "{}",
        text(&output)
    );

    let store = SqliteStore::open(&dir.path().join("paperstand.sqlite"))
        .await
        .unwrap();
    let id = "2407.13168".parse().unwrap();
    let links = store
        .external_links(std::slice::from_ref(&id))
        .await
        .unwrap();
    assert_eq!(links[0].link.repo, "scicode-bench/SciCode");
    let signals = store.signals(&id).await.unwrap();
    assert!(
        signals
            .iter()
            .any(|s| s.kind == SignalKind::Upvotes && s.value == 17 && s.source == "huggingface")
    );
    assert!(
        signals
            .iter()
            .any(|s| s.kind == SignalKind::Stars && s.value == 90)
    );
}
