//! The SQLite → PostgreSQL copy behind `paperstand migrate-store`, at the store level
//! (the command itself is tested in crates/paperstand/tests/migrate_store.rs): rows are
//! matched by id, so it must never copy over data that is not an untouched earlier copy.

use paperstand_store::contract::postgres::TestSchema;
use paperstand_store::contract::sample_paper;
use paperstand_store::copy::{CopyEvent, copy_sqlite_to_postgres};
use paperstand_store::{PostgresStore, SqliteStore, Store};
use time::macros::date;

async fn sqlite_with_one_paper(dir: &tempfile::TempDir) -> SqliteStore {
    let sqlite = SqliteStore::open(&dir.path().join("p.sqlite"))
        .await
        .unwrap();
    sqlite
        .upsert_papers(&[sample_paper("2503.00001", "Old", date!(2025 - 03 - 18))])
        .await
        .unwrap();
    sqlite
}

async fn write_on(postgres: &PostgresStore) {
    let newer: Vec<_> = (2..=4)
        .map(|i| sample_paper(&format!("2503.{i:05}"), "Newer", date!(2025 - 03 - 18)))
        .collect();
    postgres.upsert_papers(&newer).await.unwrap();
}

#[tokio::test]
async fn a_database_with_data_of_its_own_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite_with_one_paper(&dir).await;
    let schema = TestSchema::create().await;
    let postgres = schema.store().await;
    write_on(&postgres).await;
    let error = copy_sqlite_to_postgres(&sqlite, &postgres, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("not copied from this SQLite file"),
        "{error}"
    );
    assert_eq!(postgres.count_papers().await.unwrap(), 3, "nothing changed");
    assert_eq!(postgres.change_seq().await.unwrap(), 3);
}

#[tokio::test]
async fn a_copy_that_nodes_wrote_to_since_is_not_copied_over() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite_with_one_paper(&dir).await;
    let schema = TestSchema::create().await;
    let postgres = schema.store().await;
    let events = std::sync::Mutex::new(Vec::new());
    let checks = copy_sqlite_to_postgres(&sqlite, &postgres, &|e| {
        events.lock().unwrap().push(e);
    })
    .await
    .unwrap();
    assert!(checks.iter().all(|c| c.source == c.target), "{checks:?}");
    let events = events.into_inner().unwrap();
    assert!(matches!(events[0], CopyEvent::Planned { .. }), "{events:?}");
    assert!(
        events.contains(&CopyEvent::Copied { rows: 1 }),
        "{events:?}"
    );

    // Again, untouched: fine.
    copy_sqlite_to_postgres(&sqlite, &postgres, &|_| {})
        .await
        .unwrap();
    // A node writes to PostgreSQL; copying the (now stale) SQLite file again would
    // overwrite its rows by id and move the change sequence back.
    write_on(&postgres).await;
    let error = copy_sqlite_to_postgres(&sqlite, &postgres, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("has changed since the last copy"), "{error}");
    assert_eq!(postgres.count_papers().await.unwrap(), 4);
    assert_eq!(postgres.change_seq().await.unwrap(), 4);
}
