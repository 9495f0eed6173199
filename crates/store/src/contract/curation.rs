//! Contract cases for submissions and curation (hidden and featured papers).

use time::Duration;
use time::macros::{date, datetime};

use super::activity::member;
use super::{id, sample_paper};
use crate::{Page, Role, Store, SubmitOutcome, TrendingQuery, UpsertOutcome};

const ALL: Page = Page {
    limit: 100,
    offset: 0,
};

/// The first member to submit a paper is credited; a new paper is listed on the day it
/// was submitted, and keeps that date through later imports, which update the rest.
pub async fn submissions_credit_the_first_member(store: &dyn Store) {
    let now = datetime!(2025-03-20 23:30 -02:00);
    let today = date!(2025 - 03 - 21);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let bob = member(store, "bob@example.org", Role::Member).await;
    let paper = sample_paper("2503.00001", "Submitted", date!(2025 - 03 - 17));
    let seq = store.community_seq().await.unwrap();
    assert_eq!(
        store.submit_paper(&paper, ada.id, now).await.unwrap(),
        SubmitOutcome::Submitted
    );
    assert!(store.community_seq().await.unwrap() > seq);
    let stored = store.paper(&paper.id).await.unwrap().expect("stored");
    assert_eq!(
        stored.listed_on, today,
        "listed on the UTC day it was submitted"
    );
    assert_eq!(stored.title, "Submitted");
    assert_eq!(store.count_listed_on(today).await.unwrap(), 1);
    let credited = store
        .submission(&paper.id)
        .await
        .unwrap()
        .expect("credited");
    assert_eq!(
        (
            credited.user_id,
            credited.submitter.as_str(),
            credited.submitted_at
        ),
        (Some(ada.id), ada.display_name.as_str(), now)
    );

    let seq = store.community_seq().await.unwrap();
    let again = store
        .submit_paper(&paper, bob.id, now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(again, SubmitOutcome::AlreadySubmitted(credited.clone()));
    assert_eq!(store.community_seq().await.unwrap(), seq, "nothing changed");

    assert_eq!(
        store
            .upsert_papers(std::slice::from_ref(&paper))
            .await
            .unwrap(),
        [UpsertOutcome::Updated],
        "the record it was submitted from is fresh enough to update it"
    );
    assert_eq!(
        store.paper(&paper.id).await.unwrap().unwrap().listed_on,
        today
    );
    let mut harvested = paper.clone();
    harvested.title = "Submitted, as arXiv lists it".to_owned();
    harvested.listed_on = date!(2025 - 03 - 25);
    assert_eq!(
        store
            .upsert_papers(std::slice::from_ref(&harvested))
            .await
            .unwrap(),
        [UpsertOutcome::Updated]
    );
    let stored = store.paper(&paper.id).await.unwrap().unwrap();
    assert_eq!(stored.title, "Submitted, as arXiv lists it");
    assert_eq!(stored.listed_on, today, "the listing date never moves");

    let known = sample_paper("2503.00002", "Known", date!(2025 - 03 - 10));
    store
        .upsert_papers(std::slice::from_ref(&known))
        .await
        .unwrap();
    let later = now + Duration::days(1);
    assert_eq!(
        store.submit_paper(&known, bob.id, later).await.unwrap(),
        SubmitOutcome::Submitted
    );
    let stored = store.paper(&known.id).await.unwrap().unwrap();
    assert_eq!(
        stored.listed_on,
        date!(2025 - 03 - 10),
        "a stored paper keeps its date"
    );
    let recent: Vec<String> = store
        .recent_submissions(ALL)
        .await
        .unwrap()
        .iter()
        .map(|s| s.arxiv_id.to_string())
        .collect();
    assert_eq!(recent, ["2503.00002", "2503.00001"], "the newest first");
    let community = store.paper_community(&known.id).await.unwrap();
    assert_eq!(community.submission.map(|s| s.user_id), Some(Some(bob.id)));
    assert_eq!(store.submission(&id("2503.09999")).await.unwrap(), None);
}

/// Every list, count and date a visitor can reach, as ids (sorted) or values.
async fn visible(store: &dyn Store) -> Vec<String> {
    let day = date!(2025 - 03 - 20);
    let ids = |papers: Vec<paperstand_core::Paper>| {
        let mut ids: Vec<String> = papers.iter().map(|p| p.id.to_string()).collect();
        ids.sort();
        ids.join(",")
    };
    let mut trending: Vec<String> = store
        .trending_inputs(&TrendingQuery::default())
        .await
        .unwrap()
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    trending.sort();
    let adjacent = store
        .adjacent_listing_dates(date!(2025 - 03 - 19))
        .await
        .unwrap();
    vec![
        format!(
            "on day: {}",
            ids(store.papers_listed_on(day, ALL).await.unwrap())
        ),
        format!("count: {}", store.count_listed_on(day).await.unwrap()),
        format!(
            "between: {}",
            ids(store
                .papers_listed_between(date!(2025 - 03 - 18), day, ALL)
                .await
                .unwrap())
        ),
        format!("latest: {:?}", store.latest_listing_date().await.unwrap()),
        format!("next: {:?}", adjacent.next),
        format!("newest: {}", ids(store.newest_papers(ALL).await.unwrap())),
        format!(
            "in category: {}",
            ids(store
                .newest_in_category(Some("cs.CL"), None, ALL)
                .await
                .unwrap())
        ),
        format!(
            "export: {}",
            ids(store.papers_after(None, 100).await.unwrap())
        ),
        format!("trending: {}", trending.join(",")),
        format!(
            "featured: {:?}",
            store.featured_on(day).await.unwrap().len()
        ),
    ]
}

/// A hidden paper vanishes from every list, count and listing date, and comes back when
/// shown again; it can still be read by id, and followers see each change.
pub async fn hidden_papers_vanish_from_lists(store: &dyn Store) {
    let now = datetime!(2025-03-21 09:00 UTC);
    let curator = member(store, "cur@example.org", Role::Curator).await;
    let papers = vec![
        sample_paper("2503.00018", "Eighteenth", date!(2025 - 03 - 18)),
        sample_paper("2503.00019", "Nineteenth", date!(2025 - 03 - 19)),
        sample_paper("2503.00020", "Twentieth", date!(2025 - 03 - 20)),
    ];
    store.upsert_papers(&papers).await.unwrap();
    let hidden = &papers[2].id;
    store
        .set_featured(hidden, true, curator.id, now)
        .await
        .unwrap();
    let before = visible(store).await;
    assert_eq!(before[0], "on day: 2503.00020");
    assert_eq!(before[9], "featured: 1");
    let seq = store.change_seq().await.unwrap();
    let community_seq = store.community_seq().await.unwrap();

    store
        .set_hidden(hidden, true, curator.id, now)
        .await
        .unwrap();
    assert!(store.community_seq().await.unwrap() > community_seq);
    let changed = store.papers_changed_since(seq, 10).await.unwrap();
    assert_eq!(changed.len(), 1, "hiding moves the paper's change sequence");
    assert_eq!(
        (changed[0].paper.id.base(), changed[0].hidden),
        ("2503.00020", true)
    );
    assert_eq!(
        visible(store).await,
        [
            "on day: ",
            "count: 0",
            "between: 2503.00018,2503.00019",
            "latest: Some(2025-03-19)",
            "next: None",
            "newest: 2503.00018,2503.00019",
            "in category: 2503.00018,2503.00019",
            "export: 2503.00018,2503.00019",
            "trending: 2503.00018,2503.00019",
            "featured: 0",
        ]
    );
    assert_eq!(
        store.paper(hidden).await.unwrap().as_ref(),
        Some(&papers[2])
    );
    assert_eq!(
        store
            .papers_by_ids(std::slice::from_ref(hidden))
            .await
            .unwrap()
            .len(),
        1
    );
    let listed: Vec<String> = store
        .hidden_papers(ALL)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(listed, ["2503.00020"]);
    assert!(store.paper_community(hidden).await.unwrap().hidden);
    let seq = store.change_seq().await.unwrap();
    store
        .set_hidden(hidden, true, curator.id, now)
        .await
        .unwrap();
    assert_eq!(
        store.change_seq().await.unwrap(),
        seq,
        "hiding twice is once"
    );

    store
        .set_hidden(hidden, false, curator.id, now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(visible(store).await, before, "shown again everywhere");
    let changed = store.papers_changed_since(seq, 10).await.unwrap();
    assert_eq!((changed.len(), changed[0].hidden), (1, false));
    assert!(store.hidden_papers(ALL).await.unwrap().is_empty());
    assert!(!store.paper_community(hidden).await.unwrap().hidden);
}

/// A paper hidden before it is stored arrives hidden.
pub async fn hidden_before_arrival(store: &dyn Store) {
    let now = datetime!(2025-03-21 09:00 UTC);
    let curator = member(store, "cur@example.org", Role::Curator).await;
    let paper = sample_paper("2503.00020", "Spam", date!(2025 - 03 - 20));
    store
        .set_hidden(&paper.id, true, curator.id, now)
        .await
        .unwrap();
    assert_eq!(store.paper(&paper.id).await.unwrap(), None);
    let seq = store.change_seq().await.unwrap();
    store
        .upsert_papers(std::slice::from_ref(&paper))
        .await
        .unwrap();
    let changed = store.papers_changed_since(seq, 10).await.unwrap();
    assert!(changed[0].hidden, "followers drop it");
    assert!(
        store
            .papers_listed_on(date!(2025 - 03 - 20), ALL)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.latest_listing_date().await.unwrap(), None);
    assert_eq!(store.paper(&paper.id).await.unwrap(), Some(paper.clone()));
    store
        .set_hidden(&paper.id, false, curator.id, now)
        .await
        .unwrap();
    assert_eq!(
        store.count_listed_on(date!(2025 - 03 - 20)).await.unwrap(),
        1
    );
}

/// Featuring lists a paper on its day; every curation change moves the community
/// sequence, and a change that changes nothing does not.
pub async fn featuring_and_the_community_sequence(store: &dyn Store) {
    let now = datetime!(2025-03-21 09:00 UTC);
    let curator = member(store, "cur@example.org", Role::Curator).await;
    let day = date!(2025 - 03 - 20);
    store
        .upsert_papers(&[
            sample_paper("2503.00001", "One", day),
            sample_paper("2503.00002", "Two", day),
            sample_paper("2503.00003", "Three", date!(2025 - 03 - 19)),
        ])
        .await
        .unwrap();
    let mut seq = store.community_seq().await.unwrap();
    for (paper, featured, moves) in [
        ("2503.00002", true, true),
        ("2503.00001", true, true),
        ("2503.00001", true, false),
        ("2503.00003", true, true),
        ("2503.00002", false, true),
        ("2503.00002", false, false),
    ] {
        store
            .set_featured(&id(paper), featured, curator.id, now)
            .await
            .unwrap();
        let next = store.community_seq().await.unwrap();
        assert_eq!(next > seq, moves, "{paper} featured={featured}");
        seq = next;
    }
    let featured: Vec<String> = store
        .featured_on(day)
        .await
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(featured, ["2503.00001"]);
    let community = store.paper_community(&id("2503.00001")).await.unwrap();
    assert!(community.featured && !community.hidden);
    assert!(
        !store
            .paper_community(&id("2503.00002"))
            .await
            .unwrap()
            .featured
    );
}
