//! Downloads over HTTP: one paper's BibTeX, a day or a list as BibTeX, CSV and JSON (the
//! JSON re-imports), and clear errors.

mod common;

use common::TestApp;

#[tokio::test]
async fn one_paper_as_bibtex() {
    let app = TestApp::with_fixture().await;
    let (status, headers, body) = app.get("/papers/2606.00007.bib").await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/x-bibtex; charset=utf-8"
    );
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"2606.00007.bib\""
    );
    assert!(body.starts_with("@misc{johnson2026deliberative,"), "{body}");
    assert!(body.contains("eprint = {2606.00007}") && body.contains("archivePrefix = {arXiv}"));
    assert_eq!(app.get("/papers/2503.99999.bib").await.0, 404);
    let (_, _, page) = app.get("/papers/2606.00007").await;
    assert!(
        page.contains(r#"href="/papers/2606.00007.bib""#),
        "the paper page links it"
    );
}

#[tokio::test]
async fn a_day_as_csv_bibtex_and_json() {
    let app = TestApp::with_fixture().await;
    let (status, headers, csv) = app.get("/?date=2026-06-02&format=csv").await;
    assert_eq!(
        (status, headers["content-type"].to_str().unwrap()),
        (200, "text/csv; charset=utf-8")
    );
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"paperstand-2026-06-02.csv\""
    );
    assert!(csv.starts_with("id,title,authors,"));
    assert_eq!(
        csv.matches("\"https://arxiv.org/abs/").count(),
        19,
        "one row per paper"
    );
    let (_, _, bib) = app.get("/?date=2026-06-02&format=bib").await;
    assert_eq!(bib.matches("@misc{").count(), 19);
    let (_, _, json) = app.get("/?date=2026-06-02&format=json").await;
    let records: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(records.len(), 19);
    // The JSON is the import format: it imports into another instance unchanged.
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    let other = TestApp::with_lines(&lines).await;
    assert_eq!(other.get("/?date=2026-06-02&format=json").await.2, json);
    let (_, _, page) = app.get("/?date=2026-06-02").await;
    assert!(
        page.contains(r#"href="/?date=2026-06-02&amp;format=bib""#),
        "the daily page offers the downloads"
    );
}

#[tokio::test]
async fn the_trending_list_exports_and_bad_formats_are_400() {
    let app = TestApp::with_fixture().await;
    let (status, _, bib) = app.get("/trending?window=all&format=bib").await;
    assert_eq!(status, 200);
    assert_eq!(bib.matches("@misc{").count(), 21);
    let (status, _, body) = app.get("/?format=pdf").await;
    assert_eq!(status, 400);
    assert!(body.contains("use bib, json or csv"));
}
