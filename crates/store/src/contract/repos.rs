//! Contract cases for GitHub repositories: links, checks, star counts and moves.

use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use super::{id, sample_paper};
use crate::{RepoCheck, RepoOutcome, RepoToCheck, Store};

/// Records one check of `repo` at `at`, due again a day later.
pub async fn check(store: &dyn Store, repo: i64, outcome: RepoOutcome, at: OffsetDateTime) {
    store
        .record_repo_check(&RepoCheck {
            id: repo,
            outcome,
            checked_at: at,
            next_check_at: at + Duration::days(1),
        })
        .await
        .unwrap();
}

fn stars(stars: u64) -> RepoOutcome {
    RepoOutcome::Stars {
        stars,
        etag: Some(format!("\"etag-{stars}\"")),
    }
}

fn names(due: &[RepoToCheck]) -> Vec<&str> {
    due.iter().map(|r| r.full_name.as_str()).collect()
}

/// Links are new once, names lose their case, new repositories are due at once with
/// their papers' newest listing, checks record the day's count, and gone ones are never
/// due again.
pub async fn repos_link_check_and_due(store: &dyn Store) {
    let now = datetime!(2025-03-18 08:00 UTC);
    store
        .upsert_papers(&[
            sample_paper("2503.00001", "One", date!(2025 - 03 - 10)),
            sample_paper("2503.00002", "Two", date!(2025 - 03 - 17)),
        ])
        .await
        .unwrap();
    let seq = store.community_seq().await.unwrap();
    let links = vec![
        (id("2503.00001"), "Owner/Repo".to_owned()),
        (id("2503.00002v2"), " owner/repo ".to_owned()),
        (id("2503.00001"), "other/tool".to_owned()),
        (id("2503.00001"), "not a repository".to_owned()),
        (id("2512.00009"), "early/bird".to_owned()),
    ];
    assert_eq!(store.link_repos(&links, now).await.unwrap(), 4);
    assert_eq!(store.link_repos(&links, now).await.unwrap(), 0, "not new");
    let due = store.repos_due(now, 10).await.unwrap();
    let mut due_names = names(&due);
    due_names.sort_unstable();
    assert_eq!(due_names, ["early/bird", "other/tool", "owner/repo"]);
    let repo = due.iter().find(|r| r.full_name == "owner/repo").unwrap();
    assert_eq!(repo.newest_listing, Some(date!(2025 - 03 - 17)));
    assert_eq!((repo.stars, repo.etag.as_deref()), (None, None));
    let early = due.iter().find(|r| r.full_name == "early/bird").unwrap();
    assert_eq!(early.newest_listing, None, "its paper is not stored yet");
    assert_eq!(store.repos_due(now, 1).await.unwrap().len(), 1, "the limit");
    let tool = due.iter().find(|r| r.full_name == "other/tool").unwrap().id;

    check(store, repo.id, stars(120), now).await;
    assert!(
        store.community_seq().await.unwrap() > seq,
        "a count moves it"
    );
    let due = store.repos_due(now, 10).await.unwrap();
    assert!(
        !names(&due).contains(&"owner/repo"),
        "checked: due tomorrow"
    );
    let tomorrow = now + Duration::days(1);
    let due = store.repos_due(tomorrow, 10).await.unwrap();
    let again = due.iter().find(|r| r.full_name == "owner/repo").unwrap();
    assert_eq!(again.stars, Some(120));
    assert_eq!(again.etag.as_deref(), Some("\"etag-120\""));
    assert_eq!(names(&due)[2], "owner/repo", "the most overdue first");

    check(store, repo.id, RepoOutcome::NotModified, tomorrow).await;
    let shown = store.paper_repos(&id("2503.00002")).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].full_name, "owner/repo");
    assert_eq!(shown[0].stars, Some(120));
    assert_eq!(
        shown[0].observed_on,
        Some(date!(2025 - 03 - 19)),
        "today's count"
    );
    assert_eq!(shown[0].status, "ok");

    check(store, tool, RepoOutcome::Gone, now).await;
    let far = now + Duration::days(1_000);
    assert!(!names(&store.repos_due(far, 10).await.unwrap()).contains(&"other/tool"));
    let on_paper = store.paper_repos(&id("2503.00001")).await.unwrap();
    let statuses: Vec<(&str, Option<u64>, &str)> = on_paper
        .iter()
        .map(|r| (r.full_name.as_str(), r.stars, r.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("owner/repo", Some(120), "ok"),
            ("other/tool", None, "gone")
        ],
        "counted ones first"
    );
}

/// A repository that moved to a known one merges into it (papers and counts, keeping
/// the target's count where both have a day); to an unknown name it is renamed in place
/// and due again at once.
pub async fn repo_moves_merge_or_rename(store: &dyn Store) {
    let day1 = datetime!(2025-03-10 09:00 UTC);
    let day2 = day1 + Duration::days(1);
    let links = vec![
        (id("2503.00001"), "old/name".to_owned()),
        (id("2503.00002"), "new/name".to_owned()),
        (id("2503.00002"), "old/name".to_owned()),
        (id("2503.00003"), "lone/repo".to_owned()),
    ];
    store.link_repos(&links, day1).await.unwrap();
    let due = store.repos_due(day1, 10).await.unwrap();
    let repo = |name: &str| due.iter().find(|r| r.full_name == name).unwrap().id;
    let (old, new, lone) = (repo("old/name"), repo("new/name"), repo("lone/repo"));
    check(store, old, stars(10), day1).await;
    check(store, old, stars(12), day2).await;
    check(store, new, stars(50), day2).await;

    let moved = RepoOutcome::Moved {
        to: "New/Name".to_owned(),
    };
    check(store, old, moved, day2 + Duration::hours(1)).await;
    let first = store.paper_repos(&id("2503.00001")).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].full_name, "new/name", "the paper follows the move");
    assert_eq!(
        first[0].stars,
        Some(50),
        "the target's count of the day is kept"
    );
    let second = store.paper_repos(&id("2503.00002")).await.unwrap();
    assert_eq!(second.len(), 1, "a paper linked to both keeps one link");
    let later = day2 + Duration::days(30);
    let due = store.repos_due(later, 10).await.unwrap();
    assert!(
        !names(&due).contains(&"old/name"),
        "a moved name is not checked"
    );
    assert!(names(&due).contains(&"new/name"));
    store
        .link_repos(&[(id("2503.00004"), "OLD/name".to_owned())], later)
        .await
        .unwrap();
    let fourth = store.paper_repos(&id("2503.00004")).await.unwrap();
    assert_eq!(
        fourth[0].full_name, "new/name",
        "a link to the old name follows it"
    );

    let renamed_at = day2 + Duration::hours(2);
    let rename = RepoOutcome::Moved {
        to: "lone/renamed".to_owned(),
    };
    store
        .record_repo_check(&RepoCheck {
            id: lone,
            outcome: rename,
            checked_at: renamed_at,
            next_check_at: renamed_at + Duration::days(7),
        })
        .await
        .unwrap();
    let due = store.repos_due(renamed_at, 10).await.unwrap();
    assert_eq!(
        names(&due),
        ["lone/renamed"],
        "due again at once, by its new name"
    );
    assert_eq!(due[0].id, lone, "the same repository, renamed");
    let third = store.paper_repos(&id("2503.00003")).await.unwrap();
    assert_eq!(third[0].full_name, "lone/renamed");

    let case_only = RepoOutcome::Moved {
        to: "Lone/Renamed".to_owned(),
    };
    check(store, lone, case_only, renamed_at).await;
    assert!(
        store.repos_due(renamed_at, 10).await.unwrap().is_empty(),
        "a move to the same name in another case is no move"
    );
    let third = store.paper_repos(&id("2503.00003")).await.unwrap();
    assert_eq!(third[0].full_name, "lone/renamed");
}
