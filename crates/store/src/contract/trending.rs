//! Contract cases for the trending counts.

use std::collections::HashMap;

use paperstand_core::trending::TrendingInput;
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

use super::activity::member;
use super::repos::check;
use super::{id, sample_paper};
use crate::{RepoOutcome, Role, Store, TrendingQuery};

/// The inputs of a query by paper id.
async fn inputs(store: &dyn Store, query: TrendingQuery) -> HashMap<String, TrendingInput> {
    store
        .trending_inputs(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id.to_string(), t))
        .collect()
}

fn sorted_ids(inputs: &HashMap<String, TrendingInput>) -> Vec<&str> {
    let mut ids: Vec<&str> = inputs.keys().map(String::as_str).collect();
    ids.sort_unstable();
    ids
}

fn since(day: Date) -> TrendingQuery {
    TrendingQuery {
        since: Some(day),
        ..TrendingQuery::default()
    }
}

fn at(day: Date) -> OffsetDateTime {
    day.with_hms(10, 0, 0).unwrap().assume_utc()
}

/// Counts are those at or after `since`; the window holds the papers listed in it and
/// older ones with a signal in it; a day holds that day's papers; withdrawn, hidden and
/// removed things never count.
pub async fn trending_counts_within_the_window(store: &dyn Store) {
    let window = date!(2025 - 03 - 15);
    let mut withdrawn = sample_paper("2503.00004", "Withdrawn", date!(2025 - 03 - 20));
    withdrawn.withdrawn = true;
    store
        .upsert_papers(&[
            sample_paper("2503.00001", "New", date!(2025 - 03 - 20)),
            sample_paper("2501.00002", "Old, voted lately", date!(2025 - 01 - 02)),
            sample_paper("2501.00003", "Old, quiet lately", date!(2025 - 01 - 03)),
            withdrawn,
            sample_paper("2503.00005", "Hidden", date!(2025 - 03 - 20)),
        ])
        .await
        .unwrap();
    let members = [
        member(store, "a@example.org", Role::Member).await,
        member(store, "b@example.org", Role::Member).await,
        member(store, "c@example.org", Role::Curator).await,
    ];
    let curator = members[2].id;
    let vote = |who: usize, paper: &'static str, day: Date| {
        let user = members[who].id;
        async move {
            store
                .set_vote(user, &id(paper), true, at(day))
                .await
                .unwrap()
        }
    };
    vote(0, "2503.00001", date!(2025 - 03 - 14)).await;
    vote(1, "2503.00001", date!(2025 - 03 - 15)).await;
    vote(2, "2503.00001", date!(2025 - 03 - 20)).await;
    vote(0, "2501.00002", date!(2025 - 03 - 19)).await;
    vote(0, "2501.00003", date!(2025 - 02 - 01)).await;
    vote(0, "2503.00004", date!(2025 - 03 - 20)).await;
    vote(0, "2503.00005", date!(2025 - 03 - 20)).await;
    let new = id("2503.00001");
    store
        .add_comment(members[0].id, &new, "early", at(date!(2025 - 03 - 01)))
        .await
        .unwrap();
    store
        .add_comment(members[1].id, &new, "in time", at(window))
        .await
        .unwrap();
    let removed = store
        .add_comment(members[1].id, &new, "removed", at(window))
        .await
        .unwrap();
    store
        .remove_comment(removed.id, curator, at(window))
        .await
        .unwrap();
    store
        .set_hidden(&id("2503.00005"), true, curator, at(window))
        .await
        .unwrap();
    let submitted = sample_paper("2503.00006", "Submitted", date!(2025 - 03 - 01));
    store
        .submit_paper(&submitted, members[1].id, at(date!(2025 - 03 - 18)))
        .await
        .unwrap();

    let week = inputs(store, since(window)).await;
    assert_eq!(
        sorted_ids(&week),
        ["2501.00002", "2503.00001", "2503.00006"],
        "listed in the window, or older with a vote in it"
    );
    let counted = &week["2503.00001"];
    assert_eq!(
        (counted.upvotes_in_window, counted.comments_in_window),
        (2, 1),
        "from the window's first day on; removed comments never"
    );
    assert_eq!(counted.listed_on, date!(2025 - 03 - 20));
    assert!(!counted.submitted_by_member);
    assert_eq!(week["2501.00002"].upvotes_in_window, 1);
    let submitted = &week["2503.00006"];
    assert!(submitted.submitted_by_member);
    assert_eq!(submitted.listed_on, date!(2025 - 03 - 18));

    let all = inputs(store, TrendingQuery::default()).await;
    assert_eq!(
        sorted_ids(&all),
        ["2501.00002", "2501.00003", "2503.00001", "2503.00006"],
        "every visible paper that is not withdrawn"
    );
    assert_eq!(
        (
            all["2503.00001"].upvotes_in_window,
            all["2503.00001"].comments_in_window
        ),
        (3, 2)
    );
    assert_eq!(all["2501.00003"].upvotes_in_window, 1);

    let day = TrendingQuery {
        since: Some(date!(2025 - 03 - 20)),
        listed_on: Some(date!(2025 - 03 - 20)),
        ..TrendingQuery::default()
    };
    let day = inputs(store, day).await;
    assert_eq!(sorted_ids(&day), ["2503.00001"], "that day's papers only");
    assert_eq!(
        (
            day["2503.00001"].upvotes_in_window,
            day["2503.00001"].comments_in_window
        ),
        (1, 0)
    );
}

/// Stars gained: per repository, the latest count less the last one before the window
/// (else the first one in it), never below 0, summed over the paper's repositories; all
/// time counts every star.
pub async fn trending_star_baselines(store: &dyn Store) {
    let listed = date!(2025 - 01 - 10);
    store
        .upsert_papers(&[
            sample_paper("2501.00001", "Growing", listed),
            sample_paper("2501.00002", "Shrinking", listed),
            sample_paper("2501.00003", "Seen once", listed),
        ])
        .await
        .unwrap();
    let links = [
        ("2501.00001", "a/steady"),
        ("2501.00001", "a/late"),
        ("2501.00002", "b/shrinking"),
        ("2501.00003", "c/once"),
    ];
    let links: Vec<_> = links
        .iter()
        .map(|(paper, repo)| (id(paper), (*repo).to_owned()))
        .collect();
    let start = at(date!(2025 - 03 - 01));
    store.link_repos(&links, start).await.unwrap();
    let due = store.repos_due(start, 10).await.unwrap();
    let repo = |name: &str| due.iter().find(|r| r.full_name == name).unwrap().id;
    let counts = [
        ("a/steady", date!(2025 - 03 - 01), 100),
        ("a/steady", date!(2025 - 03 - 10), 150),
        ("a/steady", date!(2025 - 03 - 20), 400),
        ("a/late", date!(2025 - 03 - 16), 50),
        ("a/late", date!(2025 - 03 - 20), 80),
        ("b/shrinking", date!(2025 - 03 - 01), 500),
        ("b/shrinking", date!(2025 - 03 - 18), 450),
        ("c/once", date!(2025 - 03 - 19), 70),
    ];
    for (name, day, stars) in counts {
        let outcome = RepoOutcome::Stars { stars, etag: None };
        check(store, repo(name), outcome, at(day)).await;
    }
    let week = inputs(store, since(date!(2025 - 03 - 15))).await;
    assert_eq!(
        sorted_ids(&week),
        ["2501.00001"],
        "a loss or a first count is no gain"
    );
    assert_eq!(
        week["2501.00001"].stars_gained_in_window,
        (400 - 150) + (80 - 50),
        "baseline: the last count before the window, else the first in it"
    );
    let all = inputs(store, TrendingQuery::default()).await;
    let gained = |paper: &str| all[paper].stars_gained_in_window;
    assert_eq!(
        (
            gained("2501.00001"),
            gained("2501.00002"),
            gained("2501.00003")
        ),
        (480, 450, 70),
        "all time: every star"
    );
    let day = TrendingQuery {
        since: Some(date!(2025 - 03 - 15)),
        listed_on: Some(listed),
        ..TrendingQuery::default()
    };
    let day = inputs(store, day).await;
    let gained = |paper: &str| day[paper].stars_gained_in_window;
    assert_eq!(
        (
            gained("2501.00001"),
            gained("2501.00002"),
            gained("2501.00003")
        ),
        (280, 0, 0),
        "a day's papers are counted the same way"
    );
    let later = at(date!(2025 - 03 - 21)) + Duration::hours(1);
    check(store, repo("a/late"), RepoOutcome::NotModified, later).await;
    let week = inputs(store, since(date!(2025 - 03 - 15))).await;
    assert_eq!(week["2501.00001"].stars_gained_in_window, 280, "same count");
}

/// Categories (primary or cross-listed; an archive matches its categories, and only
/// them) and years (of the first version, else of the listing).
pub async fn trending_filters(store: &dyn Store) {
    let paper = |id: &str, categories: &[&str], listed: Date, submitted: Option<Date>| {
        let mut paper = sample_paper(id, "Filtered", listed);
        paper.categories = categories.iter().map(|c| (*c).to_owned()).collect();
        paper.submitted_on = submitted;
        paper
    };
    store
        .upsert_papers(&[
            paper(
                "2501.00001",
                &["cs.CL", "cs.AI"],
                date!(2025 - 01 - 05),
                None,
            ),
            paper(
                "2501.00002",
                &["stat.ML", "cs.LG"],
                date!(2025 - 01 - 06),
                Some(date!(2024 - 12 - 30)),
            ),
            paper(
                "2501.00003",
                &["math-ph", "math.MP"],
                date!(2025 - 01 - 07),
                None,
            ),
            paper("2501.00004", &["math.AG"], date!(2025 - 01 - 08), None),
            paper("2501.00005", &["csx.XX"], date!(2025 - 01 - 09), None),
        ])
        .await
        .unwrap();
    let filtered = |category: Option<&str>, year: Option<i32>| {
        let query = TrendingQuery {
            category: category.map(str::to_owned),
            year,
            ..TrendingQuery::default()
        };
        async move {
            let found = inputs(store, query).await;
            sorted_ids(&found).join(",")
        }
    };
    assert_eq!(filtered(Some("cs.AI"), None).await, "2501.00001");
    assert_eq!(
        filtered(Some("cs.LG"), None).await,
        "2501.00002",
        "cross-listed"
    );
    assert_eq!(filtered(Some("cs"), None).await, "2501.00001,2501.00002");
    assert_eq!(filtered(Some("math"), None).await, "2501.00003,2501.00004");
    assert_eq!(filtered(Some("math-ph"), None).await, "2501.00003");
    assert_eq!(
        filtered(Some("cs.C"), None).await,
        "",
        "no prefixes of categories"
    );
    assert_eq!(
        filtered(None, Some(2024)).await,
        "2501.00002",
        "the v1 year"
    );
    assert_eq!(
        filtered(None, Some(2025)).await,
        "2501.00001,2501.00003,2501.00004,2501.00005"
    );
    assert_eq!(filtered(Some("cs"), Some(2025)).await, "2501.00001");
    let day = TrendingQuery {
        listed_on: Some(date!(2025 - 01 - 06)),
        category: Some("stat".to_owned()),
        ..TrendingQuery::default()
    };
    assert_eq!(sorted_ids(&inputs(store, day).await), ["2501.00002"]);
}

/// Signals are counted by their UTC day, whatever the offset of the time they came with.
pub async fn trending_counts_by_utc_day(store: &dyn Store) {
    store
        .upsert_papers(&[sample_paper("2503.00001", "Late", date!(2025 - 03 - 10))])
        .await
        .unwrap();
    let ada = member(store, "ada@example.org", Role::Member).await;
    // 23:30 on the 14th at -02:00 is 01:30 on the 15th in UTC: inside the window.
    let late = datetime!(2025-03-14 23:30 -02:00);
    store
        .set_vote(ada.id, &id("2503.00001"), true, late)
        .await
        .unwrap();
    let week = inputs(store, since(date!(2025 - 03 - 15))).await;
    assert_eq!(week["2503.00001"].upvotes_in_window, 1);
}
