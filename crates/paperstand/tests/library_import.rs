//! Library imports and exports over real HTTP: a 20-entry BibTeX file with broken
//! entries round-trips through export into another member's library; 10,000 entries
//! show progress and then a report; an empty import keeps what was typed.

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use common::member::Visitor;

/// The fixture's paper ids.
fn fixture_ids() -> Vec<String> {
    common::FIXTURE
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Twenty entries: sixteen good ones in four styles, four broken ones.
fn twenty_entries(ids: &[String]) -> String {
    let mut bib = String::new();
    for (n, id) in ids.iter().take(16).enumerate() {
        bib.push_str(&match n % 4 {
            0 => format!("@misc{{k{n}, title = {{A {{nested}} title}}, eprint = {{{id}}}}}\n"),
            1 => format!("@article{{k{n}, url = \"https://arxiv.org/abs/{id}v2\"}}\n"),
            2 => format!("@inproceedings{{k{n}, doi = {{10.48550/arXiv.{id}}}, year = 2026}}\n"),
            _ => format!("@unknowntype{{k{n}, journal = {{arXiv preprint arXiv:{id}}}}}\n"),
        });
    }
    bib.push_str("@misc{open, title = {Never closed, eprint = {2606.00007}\n");
    bib.push_str("@book{nobook, title = {No arXiv id here}}\n");
    bib.push_str("@misc{noequals, eprint 2606.01958}\n");
    bib.push_str("@misc{dup, eprint = {2606.00975}}\n");
    bib
}

/// Follows an import to its report (the page reloads itself until done).
async fn finish(visitor: &mut Visitor, location: &str) -> (String, bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut saw_progress = false;
    loop {
        let page = visitor.get(location).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if page.body.contains("import-done") {
            return (page.body, saw_progress);
        }
        assert!(
            page.body.contains("http-equiv=\"refresh\""),
            "a running import reloads itself"
        );
        saw_progress = true;
        assert!(Instant::now() < deadline, "the import never finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn bibtex_round_trip_with_broken_entries() {
    let app = TestApp::with_fixture().await;
    let ids = fixture_ids();
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.get("/library/import").await;
    let started = ada
        .post(
            "/library/import",
            &[("text", &twenty_entries(&ids)), ("tag", "imported")],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    let (report, _) = finish(&mut ada, started.location()).await;
    assert!(
        report.contains("20 entries read; 3 gave no paper"),
        "{report}"
    );
    assert!(
        report.contains("16 newly saved") && report.contains("1 repeated in the file"),
        "{report}"
    );
    assert!(
        report.contains("never close")
            && report.contains("no arXiv id")
            && report.contains("expected `=`")
    );

    let export = ada.get("/library?format=bib").await;
    assert_eq!(export.status, 200);
    let exported = export.body.matches("@misc{").count();
    assert_eq!(exported, 16, "{}", export.body);

    let mut bob = Visitor::member(&app, "bob@example.org", "Bob").await;
    bob.get("/library/import").await;
    let started = bob.post("/library/import", &[("text", &export.body)]).await;
    let (report, _) = finish(&mut bob, started.location()).await;
    assert!(
        report.contains("16 newly saved") && report.contains("16 entries read."),
        "{report}"
    );
    let csv_ada = ada.get("/library?format=csv").await.body;
    let csv_bob = bob.get("/library?format=csv").await.body;
    let mut rows_ada: Vec<&str> = csv_ada.lines().collect();
    let mut rows_bob: Vec<&str> = csv_bob.lines().collect();
    rows_ada.sort_unstable();
    rows_bob.sort_unstable();
    assert_eq!(rows_ada, rows_bob, "the same library after the round trip");

    let json = ada.get("/library?format=json").await;
    let records: Vec<serde_json::Value> = serde_json::from_str(&json.body).unwrap();
    assert_eq!(records.len(), 16);
    let again = ada.post("/library/import", &[("text", &export.body)]).await;
    let (report, _) = finish(&mut ada, again.location()).await;
    assert!(
        report.contains("0 newly saved (16 were in your library already)"),
        "{report}"
    );
}

#[tokio::test]
async fn ten_thousand_entries_show_progress_then_a_report() {
    let app = TestApp::with_fixture().await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    let mut bib = String::new();
    for n in 0..10_000 {
        bib.push_str(&format!(
            "@misc{{e{n},\n  title = {{Paper number {n} with a title long enough to be realistic}},\n  author = {{Ada Lovelace and Alan Turing}},\n  abstract = {{We study the problem of importing many references at once and report what happens.}},\n  eprint = {{2501.{n:05}}},\n  archivePrefix = {{arXiv}}\n}}\n"
        ));
    }
    assert!(bib.len() > 2 * 1024 * 1024, "larger than a form may be");
    ada.get("/library/import").await;
    let token = ada.csrf.clone().unwrap();
    let started = ada
        .post_raw_body(
            "/library/import?tag=bulk",
            bib.into_bytes(),
            &[
                ("x-csrf-token", &token),
                ("content-type", "application/x-bibtex"),
            ],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    let (report, _) = finish(&mut ada, started.location()).await;
    assert!(
        report.contains("10000 of 10000 papers handled, 10000 newly saved"),
        "{report}"
    );
    let library = ada.get("/library").await;
    assert!(library.body.contains("10000 of 10000 saved papers"));
    assert!(
        library.body.contains("Not on this instance yet"),
        "ids not held here are kept"
    );

    let empty = ada
        .post("/library/import", &[("text", "   "), ("tag", "x")])
        .await;
    assert_eq!(empty.status, 400);
    let long_tag = "t".repeat(1_000);
    let kept = ada
        .post(
            "/library/import",
            &[("text", "2606.00975"), ("tag", &long_tag)],
        )
        .await;
    assert_eq!(kept.status, 400);
    assert!(
        kept.body.contains("2606.00975</textarea>"),
        "what was pasted is kept"
    );
}
