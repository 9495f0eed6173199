//! The store contract: behaviour every backend must show, written once. A backend's
//! test file calls [`store_contract_tests!`](crate::store_contract_tests) with an async
//! expression that yields a fresh, empty store (and a guard that keeps it alive).

use paperstand_core::external::{ExternalLink, Signal, SignalKind};
use paperstand_core::record::PaperRecord;
use paperstand_core::{ArxivId, LinkSource, Paper};
use time::Date;
use time::macros::date;

use crate::{NewEmbedding, Page, Store, UpsertOutcome};

pub mod activity;
pub mod curation;
pub mod deletion;
pub mod digests;
pub mod leases;
pub mod library;
pub mod members;
pub mod postgres;
pub mod rate_windows;
pub mod repos;
pub mod trending;

/// A valid paper with the given id, title and listing date.
pub fn sample_paper(id: &str, title: &str, listed_on: Date) -> Paper {
    let record = PaperRecord {
        id: Some(id.to_owned()),
        title: Some(title.to_owned()),
        abstract_text: Some(format!(
            "Abstract of {title}.\n  Code: https://github.com/example/{}",
            id.replace(['.', '/'], "-")
        )),
        categories: Some(vec!["cs.CL".to_owned(), "cs.AI".to_owned()]),
        authors: Some(vec!["Ada Lovelace".to_owned(), "Alan Turing".to_owned()]),
        comment: Some("10 pages".to_owned()),
        first_listed: Some(paperstand_core::record::format_date(listed_on)),
        ..PaperRecord::default()
    };
    record.into_paper(listed_on).expect("sample paper is valid")
}

/// A small deterministic generator (xorshift): random walks and seeded benchmarks
/// that a failing run can repeat.
#[derive(Debug, Clone)]
pub struct Random(pub u64);

impl Random {
    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn id(text: &str) -> ArxivId {
    text.parse().expect("valid id")
}

/// Inserting, reading back, and re-upserting the same content.
pub async fn upsert_is_idempotent(store: &dyn Store) {
    let papers = vec![
        sample_paper("2503.00001", "First", date!(2025 - 03 - 18)),
        sample_paper("2503.00002", "Second", date!(2025 - 03 - 18)),
    ];
    let outcomes = store.upsert_papers(&papers).await.unwrap();
    assert_eq!(outcomes, [UpsertOutcome::Inserted, UpsertOutcome::Inserted]);
    let seq = store.change_seq().await.unwrap();
    let again = store.upsert_papers(&papers).await.unwrap();
    assert_eq!(again, [UpsertOutcome::Unchanged, UpsertOutcome::Unchanged]);
    assert_eq!(
        store.change_seq().await.unwrap(),
        seq,
        "an unchanged upsert bumps nothing"
    );
    assert_eq!(store.count_papers().await.unwrap(), 2);
    let read = store
        .paper(&id("2503.00001"))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(read, papers[0], "a paper reads back exactly as written");
}

/// A newer, different record replaces the stored one; an older one never does.
pub async fn newer_records_update_and_older_ones_do_not(store: &dyn Store) {
    let original = sample_paper("2503.00003", "Original", date!(2025 - 03 - 18));
    store
        .upsert_papers(std::slice::from_ref(&original))
        .await
        .unwrap();
    let seq = store.change_seq().await.unwrap();

    let mut newer = original.clone();
    newer.title = "Revised".to_owned();
    newer.last_listed_on = Some(date!(2025 - 04 - 01));
    assert_eq!(
        store
            .upsert_papers(std::slice::from_ref(&newer))
            .await
            .unwrap(),
        [UpsertOutcome::Updated]
    );
    assert!(
        store.change_seq().await.unwrap() > seq,
        "an update bumps the change sequence"
    );

    let mut stale = original.clone();
    stale.title = "Stale".to_owned();
    assert_eq!(
        store.upsert_papers(&[stale]).await.unwrap(),
        [UpsertOutcome::Older]
    );
    assert_eq!(
        store.paper(&original.id).await.unwrap().unwrap().title,
        "Revised"
    );
}

/// The same id twice in one call is refused and writes nothing.
pub async fn duplicate_ids_in_one_call_are_refused(store: &dyn Store) {
    let paper = sample_paper("2503.00004", "Dup", date!(2025 - 03 - 18));
    assert!(store.upsert_papers(&[paper.clone(), paper]).await.is_err());
    assert_eq!(store.count_papers().await.unwrap(), 0);
}

/// Daily listing: by date, in id order, paged, with neighbouring dates.
pub async fn daily_listing_and_adjacent_dates(store: &dyn Store) {
    let papers = vec![
        sample_paper("2503.00012", "B", date!(2025 - 03 - 18)),
        sample_paper("2503.00011", "A", date!(2025 - 03 - 18)),
        sample_paper("2503.00020", "C", date!(2025 - 03 - 20)),
        sample_paper("2503.00001", "D", date!(2025 - 03 - 10)),
    ];
    store.upsert_papers(&papers).await.unwrap();
    let day = store
        .papers_listed_on(
            date!(2025 - 03 - 18),
            Page {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    let titles: Vec<_> = day.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["A", "B"]);
    let second = store
        .papers_listed_on(date!(2025 - 03 - 18), Page::numbered(2, 1))
        .await
        .unwrap();
    assert_eq!(second[0].title, "B");
    assert_eq!(
        store.count_listed_on(date!(2025 - 03 - 18)).await.unwrap(),
        2
    );
    assert_eq!(
        store.count_listed_on(date!(2025 - 03 - 19)).await.unwrap(),
        0
    );
    assert_eq!(
        store.latest_listing_date().await.unwrap(),
        Some(date!(2025 - 03 - 20))
    );
    let around = store
        .adjacent_listing_dates(date!(2025 - 03 - 18))
        .await
        .unwrap();
    assert_eq!(
        (around.previous, around.next),
        (Some(date!(2025 - 03 - 10)), Some(date!(2025 - 03 - 20)))
    );
    let gap = store
        .adjacent_listing_dates(date!(2025 - 03 - 19))
        .await
        .unwrap();
    assert_eq!(
        (gap.previous, gap.next),
        (Some(date!(2025 - 03 - 18)), Some(date!(2025 - 03 - 20)))
    );
    let edge = store
        .adjacent_listing_dates(date!(2025 - 03 - 20))
        .await
        .unwrap();
    assert_eq!(edge.next, None);
}

/// Date ranges (latest day first) and category lists.
pub async fn ranges_and_categories(store: &dyn Store) {
    let papers = vec![
        sample_paper(
            "2503.00001",
            "Sparse Attention for Long Documents",
            date!(2025 - 03 - 17),
        ),
        sample_paper(
            "2503.00002",
            "Dense retrieval at scale",
            date!(2025 - 03 - 18),
        ),
        sample_paper("2503.00003", "Attention is cheap", date!(2025 - 03 - 20)),
    ];
    store.upsert_papers(&papers).await.unwrap();
    let all = Page {
        limit: 10,
        offset: 0,
    };
    let range = store
        .papers_listed_between(date!(2025 - 03 - 17), date!(2025 - 03 - 18), all)
        .await
        .unwrap();
    let titles: Vec<_> = range.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Dense retrieval at scale",
            "Sparse Attention for Long Documents"
        ]
    );
    let mut other = sample_paper("2503.00004", "Vision", date!(2025 - 03 - 19));
    other.categories = vec!["cs.CV".to_owned(), "cs.CL".to_owned()];
    store.upsert_papers(&[other]).await.unwrap();
    let in_cv = store
        .newest_in_category(Some("cs.CV"), None, all)
        .await
        .unwrap();
    assert_eq!(in_cv.len(), 1);
    let in_cl: Vec<_> = store
        .newest_in_category(Some("cs.CL"), Some(date!(2025 - 03 - 18)), all)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(
        in_cl,
        ["2503.00003", "2503.00004", "2503.00002"],
        "cross-lists count; newest first; since bounds"
    );
    assert_eq!(
        store
            .newest_in_category(None, None, all)
            .await
            .unwrap()
            .len(),
        4
    );
}

/// Newest first, and a keyset walk over every paper in id order.
pub async fn newest_and_walk_everything(store: &dyn Store) {
    let papers: Vec<Paper> = (1..=25)
        .map(|n| {
            sample_paper(
                &format!("2504.{n:05}"),
                &format!("P{n}"),
                Date::from_ordinal_date(2025, 100 + n).unwrap(),
            )
        })
        .collect();
    store.upsert_papers(&papers).await.unwrap();
    let newest = store
        .newest_papers(Page {
            limit: 3,
            offset: 0,
        })
        .await
        .unwrap();
    let titles: Vec<_> = newest.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["P25", "P24", "P23"]);
    let mut seen = Vec::new();
    let mut after: Option<ArxivId> = None;
    loop {
        let batch = store.papers_after(after.as_ref(), 10).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = Some(last.id.clone());
        seen.extend(batch.into_iter().map(|p| p.id.to_string()));
    }
    let expected: Vec<String> = papers.iter().map(|p| p.id.to_string()).collect();
    assert_eq!(seen, expected);
}

/// Old-style ids with a slash, unknown ids, and hostile text are stored verbatim.
pub async fn odd_ids_and_hostile_text(store: &dyn Store) {
    let mut paper = sample_paper(
        "math.GT/0309136",
        "<script>alert('x')</script> & \"quotes\"",
        date!(2003 - 09 - 10),
    );
    paper.withdrawn = true;
    paper.comment = Some("javascript:alert(1) ' ; drop table papers; --".to_owned());
    store
        .upsert_papers(std::slice::from_ref(&paper))
        .await
        .unwrap();
    assert_eq!(
        store.paper(&id("math.GT/0309136")).await.unwrap().as_ref(),
        Some(&paper)
    );
    assert_eq!(
        store.paper(&id("math.GT/0309136v2")).await.unwrap(),
        Some(paper),
        "a versioned id finds its paper"
    );
    assert_eq!(store.paper(&id("2503.99999")).await.unwrap(), None);
}

/// Several papers by id at once; unknown ids and versions are fine.
pub async fn papers_by_ids(store: &dyn Store) {
    let papers = vec![
        sample_paper("2503.00001", "One", date!(2025 - 03 - 18)),
        sample_paper("hep-th/9901001", "Two", date!(1999 - 01 - 04)),
    ];
    store.upsert_papers(&papers).await.unwrap();
    let mut found = store
        .papers_by_ids(&[id("2503.00001v3"), id("hep-th/9901001"), id("2503.99999")])
        .await
        .unwrap();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(found, papers);
    assert!(store.papers_by_ids(&[]).await.unwrap().is_empty());
}

fn pwc_link(paper: &str, repo: &str, official: Option<bool>) -> ExternalLink {
    let mut link =
        paperstand_core::extract_code_links(&format!("https://github.com/{repo}"), None).remove(0);
    link.source = LinkSource::PapersWithCode;
    ExternalLink {
        paper: id(paper),
        link,
        official,
        framework: Some("pytorch".to_owned()),
    }
}

/// Links from other services: stored once, updated in place, and they move the paper's
/// change sequence (so caches and indexes follow); links may precede their paper.
pub async fn external_links_round_trip(store: &dyn Store) {
    let paper = sample_paper("2503.00001", "Linked", date!(2025 - 03 - 18));
    store
        .upsert_papers(std::slice::from_ref(&paper))
        .await
        .unwrap();
    let seq = store.change_seq().await.unwrap();
    let links = vec![
        pwc_link("2503.00001", "a/b", Some(true)),
        pwc_link("2512.00001", "c/d", None),
    ];
    let mut repeated = links.clone();
    repeated.push(links[1].clone());
    assert_eq!(
        store.upsert_external_links(&repeated).await.unwrap(),
        2,
        "a link repeated in a batch counts once"
    );
    assert!(
        store.change_seq().await.unwrap() > seq,
        "a new link moves the change sequence"
    );
    let seq = store.change_seq().await.unwrap();
    assert_eq!(
        store.upsert_external_links(&links).await.unwrap(),
        0,
        "the same links again are not new"
    );
    assert_eq!(store.change_seq().await.unwrap(), seq, "and change nothing");
    let updated = vec![pwc_link("2503.00001", "a/b", Some(false))];
    assert_eq!(store.upsert_external_links(&updated).await.unwrap(), 0);
    assert!(
        store.change_seq().await.unwrap() > seq,
        "a changed flag moves it"
    );
    let read = store
        .external_links(&[id("2503.00001"), id("2512.00001")])
        .await
        .unwrap();
    assert_eq!(read.len(), 2);
    assert_eq!(read[0], updated[0]);
    assert_eq!(read[1], links[1], "a link can precede its paper");
}

/// Signals: one per paper, kind, source and day; a later value the same day replaces it.
pub async fn signals_round_trip(store: &dyn Store) {
    let signal = |value, day| Signal {
        paper: id("2503.00001"),
        kind: SignalKind::Upvotes,
        source: "huggingface".to_owned(),
        value,
        observed_on: day,
    };
    assert_eq!(
        store
            .record_signals(&[
                signal(3, date!(2025 - 03 - 18)),
                signal(5, date!(2025 - 03 - 19))
            ])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .record_signals(&[signal(5, date!(2025 - 03 - 19))])
            .await
            .unwrap(),
        0,
        "the same value again"
    );
    assert_eq!(
        store
            .record_signals(&[signal(8, date!(2025 - 03 - 19))])
            .await
            .unwrap(),
        1
    );
    let values: Vec<i64> = store
        .signals(&id("2503.00001v2"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.value)
        .collect();
    assert_eq!(values, [3, 8]);
}

/// Settings persist and are replaced.
pub async fn settings_round_trip(store: &dyn Store) {
    assert_eq!(store.setting("demo.imported").await.unwrap(), None);
    store.set_setting("demo.imported", "1").await.unwrap();
    store.set_setting("demo.imported", "2").await.unwrap();
    assert_eq!(
        store.setting("demo.imported").await.unwrap().as_deref(),
        Some("2")
    );
    assert_eq!(
        store.setting_or_insert("auth.key", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.setting_or_insert("auth.key", "second").await.unwrap(),
        "first",
        "the first value stays"
    );
    store.ping().await.unwrap();
}

/// Followers catch up by change sequence: every write shows up once, in order, and a
/// link from another service re-lists its paper.
pub async fn changes_are_followed_by_sequence(store: &dyn Store) {
    let start = store.change_seq().await.unwrap();
    let papers = vec![
        sample_paper("2503.00001", "First", date!(2025 - 03 - 18)),
        sample_paper("2503.00002", "Second", date!(2025 - 03 - 18)),
        sample_paper("2503.00003", "Third", date!(2025 - 03 - 19)),
    ];
    store.upsert_papers(&papers).await.unwrap();
    let first = store.papers_changed_since(start, 2).await.unwrap();
    assert_eq!(first.len(), 2, "the limit holds");
    let rest = store.papers_changed_since(first[1].seq, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    let seqs: Vec<i64> = first.iter().chain(&rest).map(|c| c.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "in sequence order: {seqs:?}"
    );
    assert_eq!(*seqs.last().unwrap(), store.change_seq().await.unwrap());
    let ids: Vec<&str> = first
        .iter()
        .chain(&rest)
        .map(|c| c.paper.id.base())
        .collect();
    assert_eq!(ids, ["2503.00001", "2503.00002", "2503.00003"]);
    assert_eq!(rest[0].paper, papers[2], "the paper comes whole");

    let mut changed = papers[0].clone();
    changed.title = "First, revised".to_owned();
    changed.last_listed_on = Some(date!(2025 - 03 - 25));
    store.upsert_papers(&[changed]).await.unwrap();
    let after_update = store.papers_changed_since(rest[0].seq, 10).await.unwrap();
    assert_eq!(after_update.len(), 1);
    assert_eq!(after_update[0].paper.title, "First, revised");

    let link = pwc_link("2503.00002", "example/second-code", None);
    store.upsert_external_links(&[link]).await.unwrap();
    let after_link = store
        .papers_changed_since(after_update[0].seq, 10)
        .await
        .unwrap();
    assert_eq!(after_link.len(), 1, "a new link re-lists its paper");
    assert_eq!(after_link[0].paper.id.base(), "2503.00002");
    assert!(
        store
            .papers_changed_since(store.change_seq().await.unwrap(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

fn unit_vector(axis: usize) -> Vec<f32> {
    let mut v = vec![0.0; 8];
    v[axis % 8] = 1.0;
    v
}

/// Embeddings: the backlog lists what needs one, stored vectors read back bit for bit,
/// a changed paper comes back into the backlog, touching clears it without a new vector,
/// and another model starts its own backlog.
pub async fn embeddings_backlog_and_follow(store: &dyn Store) {
    let model = "test-model@1";
    let papers = vec![
        sample_paper("2503.00001", "First", date!(2025 - 03 - 18)),
        sample_paper("2503.00002", "Second", date!(2025 - 03 - 18)),
    ];
    store.upsert_papers(&papers).await.unwrap();
    assert_eq!(store.count_embedding_backlog(model).await.unwrap(), 2);
    let tasks = store.embedding_backlog(model, 10).await.unwrap();
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t.embedded_text_hash.is_none()));
    assert_eq!(tasks[0].paper, papers[0]);
    let new: Vec<NewEmbedding> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| NewEmbedding {
            id: t.paper.id.clone(),
            model: model.to_owned(),
            text_hash: format!("hash-{i}"),
            source_seq: t.seq,
            vector: unit_vector(i),
        })
        .collect();
    store.store_embeddings(&new).await.unwrap();
    assert_eq!(store.count_embedding_backlog(model).await.unwrap(), 0);
    assert_eq!(store.count_embeddings(model).await.unwrap(), 2);
    let stored = store.embeddings_since(model, 0, 10).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(
        stored[0].vector,
        unit_vector(0),
        "vectors read back exactly"
    );
    assert!(stored[0].seq < stored[1].seq);
    assert_eq!(
        store
            .embeddings_since(model, stored[0].seq, 10)
            .await
            .unwrap()
            .len(),
        1,
        "followers resume after a sequence number"
    );

    let mut changed = papers[1].clone();
    changed.last_listed_on = Some(date!(2025 - 03 - 25));
    store.upsert_papers(&[changed]).await.unwrap();
    let again = store.embedding_backlog(model, 10).await.unwrap();
    assert_eq!(again.len(), 1, "a changed paper needs checking");
    assert_eq!(again[0].embedded_text_hash.as_deref(), Some("hash-1"));
    let last_seq = stored[1].seq;
    store
        .touch_embeddings(&[(again[0].paper.id.clone(), again[0].seq)])
        .await
        .unwrap();
    assert_eq!(store.count_embedding_backlog(model).await.unwrap(), 0);
    assert!(
        store
            .embeddings_since(model, last_seq, 10)
            .await
            .unwrap()
            .is_empty(),
        "touching writes no new vector"
    );

    assert_eq!(
        store
            .count_embedding_backlog("other-model@2")
            .await
            .unwrap(),
        2,
        "another model has its own backlog"
    );
    let replaced = NewEmbedding {
        id: papers[0].id.clone(),
        model: "other-model@2".to_owned(),
        text_hash: "hash-x".to_owned(),
        source_seq: tasks[0].seq,
        vector: unit_vector(5),
    };
    store.store_embeddings(&[replaced]).await.unwrap();
    assert_eq!(
        store.count_embeddings(model).await.unwrap(),
        1,
        "one vector per paper"
    );
    let other = store
        .embeddings_since("other-model@2", 0, 10)
        .await
        .unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].vector, unit_vector(5));
}

/// Generates one `#[tokio::test]` per contract case. `$make` is an async expression
/// evaluating to `(store, guard)`: an `Arc<dyn Store>`-like value and anything that
/// must live as long as the test (a temporary directory, a schema dropper).
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@cases $make;
            upsert_is_idempotent,
            newer_records_update_and_older_ones_do_not,
            duplicate_ids_in_one_call_are_refused,
            daily_listing_and_adjacent_dates,
            newest_and_walk_everything,
            odd_ids_and_hostile_text,
            papers_by_ids,
            ranges_and_categories,
            external_links_round_trip,
            signals_round_trip,
            settings_round_trip,
            changes_are_followed_by_sequence,
            embeddings_backlog_and_follow
        );
        $crate::store_contract_tests!(@module members, $make;
            members_and_credentials,
            sessions_expire_and_end,
            tokens_work_once,
            rate_events_window_and_forgetting
        );
        $crate::store_contract_tests!(@module repos, $make;
            repos_link_check_and_due,
            repo_moves_merge_or_rename
        );
        $crate::store_contract_tests!(@module activity, $make;
            votes_are_idempotent_and_counted,
            comments_edit_remove_and_count,
            reports_group_and_resolve
        );
        $crate::store_contract_tests!(@module curation, $make;
            submissions_credit_the_first_member,
            hidden_papers_vanish_from_lists,
            hidden_before_arrival,
            featuring_and_the_community_sequence
        );
        $crate::store_contract_tests!(@module leases, $make;
            leases_have_one_holder,
            only_the_holder_renews,
            expired_leases_are_taken_over
        );
        $crate::store_contract_tests!(@module rate_windows, $make;
            concurrent_hits_are_all_counted,
            windows_are_per_key_and_forgotten
        );
        $crate::store_contract_tests!(@module trending, $make;
            trending_counts_within_the_window,
            trending_star_baselines,
            trending_filters,
            trending_counts_by_utc_day
        );
        $crate::store_contract_tests!(@module library, $make;
            library_save_tag_note_and_read,
            library_tags_belong_to_their_member,
            library_feedback_and_dial,
            library_topics_round_trip,
            library_personal_data_deletion
        );
        $crate::store_contract_tests!(@module deletion, $make;
            deleting_a_member_leaves_no_trace
        );
        $crate::store_contract_tests!(@module digests, $make;
            subscriptions_need_confirmation,
            digests_are_unique_per_period,
            outbox_claims_are_exclusive,
            permanent_failures_bounce,
            unsubscribing_suppresses_unsent_digests,
            opt_in_state_machine_holds
        );
    };
    (@cases $make:expr; $($case:ident),+) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (store, _guard) = $make.await;
                $crate::contract::$case(&*store).await;
            }
        )+
    };
    (@module $module:ident, $make:expr; $($case:ident),+) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (store, _guard) = $make.await;
                $crate::contract::$module::$case(&*store).await;
            }
        )+
    };
}
