//! The store contract, run against PostgreSQL: a fresh schema per test, dropped after
//! it. Needs the server at `PAPERSTAND_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); without it every test fails, saying so.

use std::time::Duration;

use paperstand_store::contract::postgres::{TestSchema, fresh_store};
use paperstand_store::{PostgresStore, Store};

paperstand_store::store_contract_tests!(fresh_store());

#[tokio::test]
async fn reopening_keeps_data_and_migrations_are_idempotent() {
    let schema = TestSchema::create().await;
    let paper = paperstand_store::contract::sample_paper(
        "2503.00001",
        "Kept",
        time::macros::date!(2025 - 03 - 18),
    );
    {
        let store = schema.store().await;
        store
            .upsert_papers(std::slice::from_ref(&paper))
            .await
            .unwrap();
        store.close().await;
    }
    let store = schema.store().await;
    assert_eq!(store.paper(&paper.id).await.unwrap(), Some(paper));
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error_without_the_password() {
    // Nothing listens on port 1; the store retries for the time given, then says where.
    let started = std::time::Instant::now();
    let error = PostgresStore::open(
        "postgres://ada:s3cret@127.0.0.1:1/paperstand",
        Duration::from_secs(1),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("postgres://ada:***@127.0.0.1:1/paperstand"),
        "{error}"
    );
    assert!(!error.contains("s3cret"), "{error}");
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "it retried for a while"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "and then gave up"
    );
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_binary_is_refused() {
    let schema = TestSchema::create().await;
    schema.store().await.close().await;
    {
        use sqlx::ConnectOptions;
        let options: sqlx::postgres::PgConnectOptions = schema.url().parse().unwrap();
        let mut connection = options
            .options([("search_path", schema.name())])
            .connect()
            .await
            .unwrap();
        sqlx::query(
            "insert into _sqlx_migrations (version, description, success, checksum, execution_time) \
             values (99990101000001, 'from a newer binary', true, '\\x00', 0)",
        )
        .execute(&mut connection)
        .await
        .unwrap();
    }
    let error = PostgresStore::open_in(schema.url(), Some(schema.name()), Duration::from_secs(1))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("99990101000001"), "{error}");
    assert!(error.contains("newer Paperstand"), "{error}");
}

/// Writers on several connections at once, and a follower reading the change sequence
/// in small batches while they write: it must see every paper. A row committed later
/// with a lower number than one already read would be skipped for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn followers_never_skip_a_change_under_concurrent_writers() {
    let (store, _schema) = fresh_store().await;
    let day = time::macros::date!(2025 - 03 - 18);
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..30 {
                    let id = format!("2503.{:05}", w * 100 + i);
                    let paper = paperstand_store::contract::sample_paper(&id, "T", day);
                    store.upsert_papers(&[paper]).await.unwrap();
                }
            })
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut position = 0;
    let mut done = false;
    loop {
        let finished = writers.iter().all(tokio::task::JoinHandle::is_finished);
        let batch = store.papers_changed_since(position, 7).await.unwrap();
        for change in &batch {
            assert!(change.seq > position, "in sequence order");
            position = change.seq;
            seen.insert(change.paper.id.clone());
        }
        if batch.is_empty() && done {
            break;
        }
        done = finished;
        tokio::task::yield_now().await;
    }
    for writer in writers {
        writer.await.unwrap();
    }
    assert_eq!(seen.len(), 120, "the follower saw every paper");
}

/// What a PostgreSQL restart does to a running node: the server ends every connection.
/// The pool notices the dead ones and opens new ones; the next queries work.
#[tokio::test]
async fn connections_the_server_ended_are_replaced() {
    let schema = TestSchema::create().await;
    let name = format!("restart_{}", schema.name());
    let separator = if schema.url().contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}application_name={name}", schema.url());
    let store = PostgresStore::open_in(&url, Some(schema.name()), Duration::from_secs(5))
        .await
        .unwrap();
    store
        .upsert_papers(&[paperstand_store::contract::sample_paper(
            "2503.00001",
            "Before",
            time::macros::date!(2025 - 03 - 18),
        )])
        .await
        .unwrap();
    let ended: i64 = {
        use sqlx::ConnectOptions;
        let options: sqlx::postgres::PgConnectOptions = schema.url().parse().unwrap();
        let mut admin = options.connect().await.unwrap();
        sqlx::query_scalar(
            "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity \
             where application_name = $1) as ended",
        )
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap()
    };
    assert!(ended >= 1, "the store's connections were ended");
    for _ in 0..3 {
        assert_eq!(store.count_papers().await.unwrap(), 1, "queries work again");
    }
    store.close().await;
}

/// Members submitting the same paper at the same moment: one is credited, every other
/// one is told who was first (no conflict error), as on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_submissions_credit_one_member() {
    use paperstand_store::{NewUser, Role, SubmitOutcome};
    let (store, _schema) = fresh_store().await;
    let now = time::OffsetDateTime::now_utc();
    let mut members = Vec::new();
    for i in 0..4 {
        let user = NewUser {
            email: format!("m{i}@example.org"),
            display_name: format!("M{i}"),
            password_hash: "h".to_owned(),
            role: Role::Member,
            verified: true,
        };
        members.push(store.create_user(&user, now).await.unwrap().id);
    }
    let paper = paperstand_store::contract::sample_paper(
        "2503.00042",
        "Wanted",
        time::macros::date!(2025 - 03 - 18),
    );
    let tries: Vec<_> = members
        .iter()
        .map(|member| {
            let (store, paper, member) = (store.clone(), paper.clone(), *member);
            tokio::spawn(async move { store.submit_paper(&paper, member, now).await })
        })
        .collect();
    let mut submitted = 0;
    for attempt in tries {
        match attempt.await.unwrap().expect("no conflict error") {
            SubmitOutcome::Submitted => submitted += 1,
            SubmitOutcome::AlreadySubmitted(_) => {}
        }
    }
    assert_eq!(submitted, 1);
}

/// Nodes starting together each propose the instance's secret key: all end up with the
/// first one stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_first_setting_written_is_everyones() {
    let (store, _schema) = fresh_store().await;
    let proposals: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .setting_or_insert("auth.secret_key", &format!("key-{i}"))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut agreed = Vec::new();
    for proposal in proposals {
        agreed.push(proposal.await.unwrap());
    }
    agreed.dedup();
    assert_eq!(agreed.len(), 1, "{agreed:?}");
    assert_eq!(
        store.setting("auth.secret_key").await.unwrap(),
        Some(agreed[0].clone())
    );
}

/// Senders on several nodes share the outbox: four claimers at once, in small batches,
/// take every due row exactly once (`for update skip locked`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_senders_never_claim_a_row_twice() {
    use paperstand_store::{DigestKind, NewDigest, Preferences, SubscribeOutcome};
    let (store, _schema) = fresh_store().await;
    let now = time::OffsetDateTime::now_utc();
    let mut digests = Vec::new();
    for i in 0..60 {
        let outcome = store
            .subscribe(
                &format!("reader{i}@example.org"),
                None,
                &Preferences::default(),
                None,
                now,
            )
            .await
            .unwrap();
        let SubscribeOutcome::Active(subscriber) = outcome else {
            panic!("active at once: {outcome:?}")
        };
        digests.push(NewDigest {
            subscriber: subscriber.id,
            period: "day:2026-11-27".to_owned(),
            kind: DigestKind::Note,
            items: Vec::new(),
            message_id: format!("m{i}@example.org"),
        });
    }
    assert_eq!(store.insert_digests(&digests, now).await.unwrap(), 60);
    let senders: Vec<_> = (0..4)
        .map(|s| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store
                        .claim_outbox(&format!("node-{s}"), now, now, Duration::from_secs(300), 3)
                        .await
                        .unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch.into_iter().map(|item| item.id));
                }
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for sender in senders {
        claimed.extend(sender.await.unwrap());
    }
    let total = claimed.len();
    claimed.sort_unstable();
    claimed.dedup();
    assert_eq!(claimed.len(), total, "no row was claimed twice");
    assert_eq!(total, 60, "every row was claimed");
}
