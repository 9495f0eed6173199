//! The one-time demo import: once on an empty instance, never over an operator's data,
//! and completed after an interruption.

use paperstand::app::import_demo_once;
use paperstand_store::contract::sample_paper;
use paperstand_store::{SqliteStore, Store};
use time::macros::date;

async fn store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (
        SqliteStore::open(&dir.path().join("p.sqlite"))
            .await
            .unwrap(),
        dir,
    )
}

#[tokio::test]
async fn the_demo_is_imported_once() {
    let (store, _dir) = store().await;
    let report = import_demo_once(&store)
        .await
        .unwrap()
        .expect("first start imports");
    assert_eq!(report.inserted, 2_000);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(
        import_demo_once(&store).await.unwrap().is_none(),
        "never twice"
    );
}

#[tokio::test]
async fn an_instance_with_papers_never_gets_the_demo() {
    let (store, _dir) = store().await;
    store
        .upsert_papers(&[sample_paper("2503.00001", "Mine", date!(2025 - 03 - 18))])
        .await
        .unwrap();
    assert!(import_demo_once(&store).await.unwrap().is_none());
    assert_eq!(store.count_papers().await.unwrap(), 1);
}

#[tokio::test]
async fn an_interrupted_demo_import_is_completed() {
    let (store, _dir) = store().await;
    store.set_setting("demo.started_at", "0").await.unwrap();
    // What an interrupted first batch would have left: one of the demo's papers.
    let demo_line =
        "{\"id\": \"2503.11731\", \"title\": \"placeholder\", \"first_listed\": \"2025-03-18\"}";
    let partial =
        paperstand_core::record::parse_record(demo_line.as_bytes(), date!(2026 - 11 - 27)).unwrap();
    store.upsert_papers(&[partial]).await.unwrap();
    let report = import_demo_once(&store)
        .await
        .unwrap()
        .expect("the import resumes");
    assert_eq!(
        report.inserted + report.updated + report.unchanged + report.older,
        2_000
    );
    assert_eq!(store.count_papers().await.unwrap(), 2_000);
}
