//! `paperstand migrate-store` as an operator runs it: the demo papers plus members,
//! votes, comments, reports, submissions, curation, links, signals, embeddings,
//! settings, digest subscribers, a digest and its outbox row, libraries (saved papers,
//! notes, tags, not-interested marks, dials, topics), copied from SQLite into a fresh
//! PostgreSQL schema, twice (the second run must change nothing); then counts per table
//! and a sample of rows compared through the Store trait on both sides.
//! Needs PostgreSQL (see `PAPERSTAND_TEST_POSTGRES_URL`).

use std::process::Command;

use paperstand::app::import_demo_once;
use paperstand_store::contract::postgres::TestSchema;
use paperstand_store::{
    Community, DigestItem, DigestKind, Digests, Leases, Library, LibraryFilter, NewDigest,
    NewEmbedding, NewTopic, NewUser, Page, Preferences, Role, SqliteStore, Store, SubscribeOutcome,
    TrendingQuery,
};
use time::OffsetDateTime;
use time::macros::datetime;

async fn seed_community(store: &SqliteStore) {
    let papers = store.papers_after(None, 40).await.unwrap();
    let now = datetime!(2026-11-20 09:00:00.123456789 UTC);
    let mut members = Vec::new();
    for (i, name) in ["Ada", "Grace", "Barbara"].iter().enumerate() {
        let user = store
            .create_user(
                &NewUser {
                    email: format!("{name}@example.org"),
                    display_name: (*name).to_owned(),
                    password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${i}"),
                    role: if i == 0 { Role::Admin } else { Role::Member },
                    verified: i != 2,
                },
                now,
            )
            .await
            .unwrap();
        members.push(user.id);
    }
    for (i, paper) in papers.iter().enumerate() {
        for member in members.iter().take(i % 4) {
            store.set_vote(*member, &paper.id, true, now).await.unwrap();
        }
    }
    let comment = store
        .add_comment(
            members[1],
            &papers[0].id,
            "Nice *result*; see [here](https://x.org)",
            now,
        )
        .await
        .unwrap();
    store
        .add_comment(members[2], &papers[1].id, "Second", now)
        .await
        .unwrap();
    store
        .report_comment(comment.id, members[2], "spam", now)
        .await
        .unwrap();
    store
        .set_hidden(&papers[5].id, true, members[0], now)
        .await
        .unwrap();
    store
        .set_featured(&papers[6].id, true, members[0], now)
        .await
        .unwrap();
    store
        .create_session(
            "session-hash",
            members[1],
            now,
            datetime!(2026-12-20 09:00:00 UTC),
        )
        .await
        .unwrap();
    store
        .link_repos(&[(papers[2].id.clone(), "Example/Repo".to_owned())], now)
        .await
        .unwrap();
    store
        .store_embeddings(&[NewEmbedding {
            id: papers[3].id.clone(),
            model: "test-model@1".to_owned(),
            text_hash: "abc".to_owned(),
            source_seq: 1,
            vector: vec![0.25, -1.5, 3.0],
        }])
        .await
        .unwrap();
    store
        .try_acquire_lease(
            "refresh_stars",
            "node-a",
            now,
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    // Digest subscriptions, a built digest and its outbox row.
    let reader = match store
        .subscribe(
            "reader@example.org",
            None,
            &Preferences::default(),
            None,
            now,
        )
        .await
        .unwrap()
    {
        SubscribeOutcome::Active(s) => s,
        other => panic!("{other:?}"),
    };
    store
        .subscribe(
            "pending@example.org",
            None,
            &Preferences::default(),
            Some(("token-hash", datetime!(2026-11-22 09:00:00 UTC))),
            now,
        )
        .await
        .unwrap();
    let digest = NewDigest {
        subscriber: reader.id,
        period: "day:2026-11-20".to_owned(),
        kind: DigestKind::Papers,
        items: vec![DigestItem {
            id: papers[0].id.clone(),
            section: "trending".to_owned(),
            reason: String::new(),
        }],
        message_id: "digest-1@example.org".to_owned(),
    };
    assert_eq!(store.insert_digests(&[digest], now).await.unwrap(), 1);
    seed_library(store, &members, &papers, now).await;
}

/// Saved papers with a note and a read mark, a public and a private tag, a
/// not-interested mark, a dial and a topic: every library table gets rows.
async fn seed_library(
    store: &SqliteStore,
    members: &[i64],
    papers: &[paperstand_core::Paper],
    now: OffsetDateTime,
) {
    let ids: Vec<_> = papers.iter().take(6).map(|p| p.id.clone()).collect();
    for (i, member) in members.iter().enumerate().take(2) {
        store.save_papers(*member, &ids[..3], now).await.unwrap();
        let tag = store
            .tag_papers(*member, &ids[2..5], &format!("Reading {i}"), now)
            .await
            .unwrap();
        store
            .tag_papers(*member, &ids[..1], "private", now)
            .await
            .unwrap();
        store
            .set_tag_public(*member, tag.id, true, now)
            .await
            .unwrap();
        store
            .set_note(*member, &ids[0], "**key** idea, 'quoted'", now)
            .await
            .unwrap();
        store
            .set_read(*member, &ids[1..2], true, now)
            .await
            .unwrap();
        store
            .set_not_interested(*member, &ids[5], true, now)
            .await
            .unwrap();
        store.set_dial(*member, 0.25, now).await.unwrap();
        store
            .create_topic(
                *member,
                &NewTopic {
                    name: "Sparse attention".to_owned(),
                    query: "sparse attention".to_owned(),
                    mode: "keyword".to_owned(),
                    category: Some("cs.LG".to_owned()),
                },
                now,
            )
            .await
            .unwrap();
    }
}

fn migrate(from: &std::path::Path, to: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("migrate-store")
        .arg("--from")
        .arg(format!("sqlite://{}", from.display()))
        .arg("--to")
        .arg(to)
        .env_remove("PAPERSTAND_CONFIG")
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run paperstand");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "migrate-store failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_store_copies_everything_and_can_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paperstand.sqlite");
    let sqlite = SqliteStore::open(&path).await.unwrap();
    import_demo_once(&sqlite)
        .await
        .unwrap()
        .expect("demo imported");
    seed_community(&sqlite).await;

    let schema = TestSchema::create().await;
    let separator = if schema.url().contains('?') { '&' } else { '?' };
    let to = format!(
        "{}{separator}options[search_path]={}",
        schema.url(),
        schema.name()
    );
    let first = migrate(&path, &to);
    assert!(
        first.contains("every table has the same number of rows"),
        "{first}"
    );
    assert!(
        first.contains("papers") && first.contains("2000"),
        "{first}"
    );
    let second = migrate(&path, &to);
    assert_eq!(first, second, "a second run copies nothing new");

    // What changed in SQLite since is carried over by the next run.
    let first_paper = sqlite.papers_after(None, 1).await.unwrap().remove(0);
    let comment = sqlite.comments(&first_paper.id).await.unwrap().remove(0);
    let now = datetime!(2026-11-21 10:00:00 UTC);
    assert!(
        sqlite
            .edit_comment(
                comment.id,
                comment.user_id.expect("its author is a member"),
                "Edited after the copy",
                now
            )
            .await
            .unwrap()
    );
    sqlite
        .set_setting("demo.imported_at", "changed")
        .await
        .unwrap();
    let third = migrate(&path, &to);
    assert!(
        third.contains("every table has the same number of rows"),
        "{third}"
    );

    let postgres = schema.store().await;
    let counts = sqlite.table_counts().await.unwrap();
    assert_eq!(counts, postgres.table_counts().await.unwrap());
    let count_of = |name: &str| counts.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(count_of("papers"), 2000);
    assert_eq!(count_of("users"), 3);
    assert!(count_of("votes") > 10);
    assert_eq!(count_of("subscribers"), 2);
    assert_eq!(count_of("outbox"), 1);
    for table in [
        "library_items",
        "library_tags",
        "library_item_tags",
        "not_interested",
        "library_prefs",
        "topics",
    ] {
        assert!(count_of(table) > 0, "{table} has rows to copy");
    }

    assert_same(&sqlite, &postgres).await;

    // Both sides go on the same way: ids and sequences continue past the copied ones.
    let now = OffsetDateTime::now_utc();
    let new_user = NewUser {
        email: "new@example.org".to_owned(),
        display_name: "New".to_owned(),
        password_hash: "h".to_owned(),
        role: Role::Member,
        verified: true,
    };
    let a = sqlite.create_user(&new_user, now).await.unwrap();
    let b = postgres.create_user(&new_user, now).await.unwrap();
    assert_eq!(a.id, b.id, "the next user id is the same on both");
    let ids = [paper_id(&sqlite).await];
    let tag_a = sqlite.tag_papers(a.id, &ids, "new", now).await.unwrap();
    let tag_b = postgres.tag_papers(b.id, &ids, "new", now).await.unwrap();
    assert_eq!(tag_a, tag_b, "the next tag id is the same on both");
    let new_topic = NewTopic {
        name: "t".to_owned(),
        query: "q".to_owned(),
        mode: String::new(),
        category: None,
    };
    let topic_a = sqlite.create_topic(a.id, &new_topic, now).await.unwrap();
    let topic_b = postgres.create_topic(b.id, &new_topic, now).await.unwrap();
    assert_eq!(
        topic_a.id, topic_b.id,
        "the next topic id is the same on both"
    );
    let paper = sqlite.papers_after(None, 1).await.unwrap().remove(0);
    let mut changed = paper.clone();
    changed.title.push_str(" (revised)");
    changed.last_listed_on = Some(time::macros::date!(2027 - 01 - 01));
    sqlite
        .upsert_papers(std::slice::from_ref(&changed))
        .await
        .unwrap();
    postgres.upsert_papers(&[changed]).await.unwrap();
    assert_eq!(
        sqlite.change_seq().await.unwrap(),
        postgres.change_seq().await.unwrap()
    );
    sqlite.close().await;
    postgres.close().await;
}

async fn paper_id(store: &SqliteStore) -> paperstand_core::ArxivId {
    store.papers_after(None, 1).await.unwrap().remove(0).id
}

/// Every member's library read through the Store trait is the same on both sides.
async fn assert_same_libraries(a: &dyn Store, b: &dyn Store, users: &[paperstand_store::User]) {
    let all = Page {
        limit: 100,
        offset: 0,
    };
    let (mut saved_seen, mut public_seen) = (0, false);
    for user in users {
        let id = user.id;
        let filter = LibraryFilter::default();
        let saved = a.saved_papers(id, &filter, all).await.unwrap();
        assert_eq!(saved, b.saved_papers(id, &filter, all).await.unwrap());
        let tags = a.tags(id).await.unwrap();
        assert_eq!(tags, b.tags(id).await.unwrap());
        saved_seen += saved.len();
        public_seen |= tags.iter().any(|t| t.public);
        for tag in &tags {
            let tagged = LibraryFilter {
                tag: Some(tag.id),
                ..LibraryFilter::default()
            };
            assert_eq!(
                a.saved_papers(id, &tagged, all).await.unwrap(),
                b.saved_papers(id, &tagged, all).await.unwrap()
            );
        }
        assert_eq!(a.feedback(id).await.unwrap(), b.feedback(id).await.unwrap());
        assert_eq!(a.dial(id).await.unwrap(), b.dial(id).await.unwrap());
        assert_eq!(
            a.library_version(id).await.unwrap(),
            b.library_version(id).await.unwrap()
        );
        assert_eq!(a.topics(id).await.unwrap(), b.topics(id).await.unwrap());
    }
    assert!(saved_seen > 0, "the comparison saw saved papers");
    assert!(public_seen, "and a public tag");
}

/// A sample of rows read through the Store trait is the same on both sides.
async fn assert_same(a: &dyn Store, b: &dyn Store) {
    let mut after = None;
    loop {
        let left = a.papers_after(after.as_ref(), 500).await.unwrap();
        let right = b.papers_after(after.as_ref(), 500).await.unwrap();
        assert_eq!(left, right, "papers");
        let Some(last) = left.last() else { break };
        after = Some(last.id.clone());
    }
    assert_eq!(a.change_seq().await.unwrap(), b.change_seq().await.unwrap());
    assert_eq!(
        a.community_seq().await.unwrap(),
        b.community_seq().await.unwrap()
    );
    assert_eq!(
        a.papers_changed_since(1900, 200).await.unwrap(),
        b.papers_changed_since(1900, 200).await.unwrap()
    );
    let page = Page {
        limit: 50,
        offset: 0,
    };
    let users = a.users(page).await.unwrap();
    assert_eq!(users, b.users(page).await.unwrap());
    assert_same_libraries(a, b, &users).await;
    let ids: Vec<_> = a
        .papers_after(None, 40)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(a.counts(&ids).await.unwrap(), b.counts(&ids).await.unwrap());
    for user in &users {
        assert_eq!(
            a.voted(user.id, &ids).await.unwrap(),
            b.voted(user.id, &ids).await.unwrap()
        );
    }
    for id in &ids[..8] {
        assert_eq!(a.comments(id).await.unwrap(), b.comments(id).await.unwrap());
        assert_eq!(
            a.paper_community(id).await.unwrap(),
            b.paper_community(id).await.unwrap()
        );
        assert_eq!(
            a.paper_repos(id).await.unwrap(),
            b.paper_repos(id).await.unwrap()
        );
    }
    assert_eq!(
        a.reported_comments(page).await.unwrap(),
        b.reported_comments(page).await.unwrap()
    );
    assert_eq!(
        a.hidden_papers(page).await.unwrap(),
        b.hidden_papers(page).await.unwrap()
    );
    let now = datetime!(2026-11-21 00:00:00 UTC);
    assert_eq!(
        a.session_user("session-hash", now).await.unwrap(),
        b.session_user("session-hash", now).await.unwrap()
    );
    assert_eq!(
        a.embeddings_since("test-model@1", 0, 10).await.unwrap(),
        b.embeddings_since("test-model@1", 0, 10).await.unwrap()
    );
    assert_eq!(
        a.subscriber_by_email("reader@example.org").await.unwrap(),
        b.subscriber_by_email("reader@example.org").await.unwrap()
    );
    let reader = a
        .subscriber_by_email("reader@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        a.digest(reader.id, "day:2026-11-20").await.unwrap(),
        b.digest(reader.id, "day:2026-11-20").await.unwrap()
    );
    assert_eq!(
        a.outbox_counts().await.unwrap(),
        b.outbox_counts().await.unwrap()
    );
    assert_eq!(
        a.lease("refresh_stars").await.unwrap(),
        b.lease("refresh_stars").await.unwrap()
    );
    assert_eq!(
        a.setting("demo.imported_at").await.unwrap().as_deref(),
        Some("changed")
    );
    assert_eq!(
        a.setting("demo.imported_at").await.unwrap(),
        b.setting("demo.imported_at").await.unwrap()
    );
    assert_eq!(
        a.comments(&ids[0]).await.unwrap()[0].body,
        "Edited after the copy"
    );
    let mut left = a.trending_inputs(&TrendingQuery::default()).await.unwrap();
    let mut right = b.trending_inputs(&TrendingQuery::default()).await.unwrap();
    left.sort_by(|x, y| x.id.cmp(&y.id));
    right.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(left, right, "trending inputs");
}
