//! Upgrading a SQLite database that holds data: migration `20261128010000` rebuilds the
//! `comments` and `comment_reports` tables (SQLite cannot relax a column's `not null`
//! in place). A database made by the migrations before it, with members, comments and
//! reports in it, must come through with every row, id and reference intact.

use std::path::Path;

use paperstand_store::SqliteStore;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use sqlx::{Executor, Row};

/// The first migration of the release that rebuilds the comment tables.
const REBUILD: &str = "20261128010000";

/// Applies the migrations older than [`REBUILD`] to a new database at `path`.
async fn database_before_the_rebuild(path: &Path, scratch: &Path) -> SqlitePool {
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let older = scratch.join("older-migrations");
    std::fs::create_dir(&older).unwrap();
    let mut copied = 0;
    for entry in std::fs::read_dir(&migrations).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.as_str() < REBUILD {
            std::fs::copy(entry.path(), older.join(&name)).unwrap();
            copied += 1;
        }
    }
    assert!(copied >= 8, "found the earlier migrations ({copied})");
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(older.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool
}

async fn rows(pool: &SqlitePool, sql: &'static str) -> Vec<String> {
    sqlx::query(sql)
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (0..row.len())
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .map(|v| v.unwrap_or_else(|| "NULL".to_owned()))
                        .or_else(|_| {
                            row.try_get::<Option<i64>, _>(i)
                                .map(|v| v.map_or_else(|| "NULL".to_owned(), |n| n.to_string()))
                        })
                        .unwrap()
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

#[tokio::test]
async fn comments_and_reports_survive_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paperstand.sqlite");
    let old = database_before_the_rebuild(&path, dir.path()).await;
    old.execute(
        "insert into users (id, email, display_name, password_hash, created_at, updated_at) values
           (1, 'ada@example.org', 'Ada', 'x', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'),
           (2, 'bob@example.org', 'Bob', 'x', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');
         insert into comments (id, arxiv_id, user_id, body, created_at, edited_at, removed_at, removed_by) values
           (7, '2503.00001', 1, 'first', '2026-11-02T00:00:00Z', null, null, null),
           (9, '2503.00001', 2, 'a reply', '2026-11-03T00:00:00Z', '2026-11-03T01:00:00Z', null, null),
           (12, '2503.00002', 1, 'spam', '2026-11-04T00:00:00Z', null, '2026-11-05T00:00:00Z', 2);
         insert into comment_reports (comment_id, user_id, reason, created_at, resolved_at) values
           (12, 2, 'spam', '2026-11-04T01:00:00Z', '2026-11-05T00:00:00Z'),
           (7, 2, 'rude', '2026-11-04T02:00:00Z', null);",
    )
    .await
    .unwrap();
    let comments_sql = "select id, arxiv_id, user_id, body, created_at, edited_at, removed_at, removed_by from comments order by id";
    let reports_sql = "select comment_id, user_id, reason, created_at, resolved_at from comment_reports order by comment_id, user_id";
    let comments_before = rows(&old, comments_sql).await;
    let reports_before = rows(&old, reports_sql).await;
    assert_eq!((comments_before.len(), reports_before.len()), (3, 2));
    old.close().await;

    // Opening with the current binary applies the rest, the rebuild among them.
    drop(SqliteStore::open(&path).await.expect("the upgrade applies"));

    let options = SqliteConnectOptions::new()
        .filename(&path)
        .foreign_keys(true);
    let pool = SqlitePool::connect_with(options).await.unwrap();
    assert_eq!(rows(&pool, comments_sql).await, comments_before);
    assert_eq!(rows(&pool, reports_sql).await, reports_before);
    assert_eq!(rows(&pool, "pragma integrity_check").await, ["ok"]);
    assert!(
        rows(&pool, "pragma foreign_key_check").await.is_empty(),
        "every reference still points at a row"
    );
    let indexes = rows(
        &pool,
        "select name from sqlite_master where type = 'index' and tbl_name = 'comments' and name not like 'sqlite_%' order by name",
    )
    .await;
    assert_eq!(
        indexes,
        [
            "comments_by_paper",
            "comments_by_user",
            "comments_live_by_paper"
        ]
    );
    // The reports still refer to the comments table by its name (not the rebuild's
    // temporary one): removing a comment removes its reports.
    pool.execute("delete from comments where id = 12")
        .await
        .unwrap();
    assert_eq!(
        rows(&pool, "select comment_id from comment_reports").await,
        ["7"]
    );
    // And the point of the rebuild: a member's comments outlive the member.
    pool.execute("delete from users where id = 1")
        .await
        .unwrap();
    assert_eq!(
        rows(&pool, "select id, user_id from comments order by id").await,
        ["7|NULL", "9|2"]
    );
}
