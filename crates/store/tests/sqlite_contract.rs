//! The store contract, run against SQLite (a fresh database file per test).

use std::sync::Arc;

use paperstand_store::{SqliteStore, Store};

async fn fresh_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("paperstand.sqlite"))
        .await
        .expect("open store");
    (Arc::new(store), dir)
}

paperstand_store::store_contract_tests!(fresh_store());

#[tokio::test]
async fn reopening_keeps_data_and_migrations_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paperstand.sqlite");
    let paper = paperstand_store::contract::sample_paper(
        "2503.00001",
        "Kept",
        time::macros::date!(2025 - 03 - 18),
    );
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store
            .upsert_papers(std::slice::from_ref(&paper))
            .await
            .unwrap();
        store.close().await;
    }
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(store.paper(&paper.id).await.unwrap(), Some(paper));
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paperstand.sqlite");
    std::fs::write(
        &path,
        b"this is not sqlite, it is a text file of some length......",
    )
    .unwrap();
    let error = SqliteStore::open(&path).await.unwrap_err().to_string();
    assert!(error.contains("paperstand.sqlite"), "{error}");
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_binary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paperstand.sqlite");
    SqliteStore::open(&path).await.unwrap().close().await;
    {
        use sqlx::ConnectOptions;
        let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .connect()
            .await
            .unwrap();
        sqlx::query(
            "insert into _sqlx_migrations (version, description, success, checksum, execution_time) \
             values (99990101000001, 'from a newer binary', true, x'00', 0)",
        )
        .execute(&mut connection)
        .await
        .unwrap();
    }
    let error = SqliteStore::open(&path).await.unwrap_err().to_string();
    assert!(error.contains("99990101000001"), "{error}");
    assert!(error.contains("newer Paperstand"), "{error}");
}
