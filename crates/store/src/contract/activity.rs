//! Contract cases for upvotes, comments and reports.

use time::Duration;
use time::macros::datetime;

use super::id;
use super::members::new_user;
use crate::{Page, Role, Store, StoreError, User};

const ALL: Page = Page {
    limit: 100,
    offset: 0,
};

/// Creates a member with this address and role.
pub async fn member(store: &dyn Store, email: &str, role: Role) -> User {
    let at = datetime!(2025-03-01 00:00 UTC);
    store.create_user(&new_user(email, role), at).await.unwrap()
}

/// Voting twice is voting once, unvoting twice is unvoting once, and only real changes
/// move the community sequence; versions of an id are one paper.
pub async fn votes_are_idempotent_and_counted(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let bob = member(store, "bob@example.org", Role::Member).await;
    let (paper, other) = (id("2503.00001"), id("2503.00002"));
    let seq = store.community_seq().await.unwrap();
    assert_eq!(store.set_vote(ada.id, &paper, true, now).await.unwrap(), 1);
    let voted_seq = store.community_seq().await.unwrap();
    assert!(voted_seq > seq);
    assert_eq!(
        store
            .set_vote(ada.id, &id("2503.00001v2"), true, now)
            .await
            .unwrap(),
        1,
        "a double vote is one"
    );
    assert_eq!(
        store.community_seq().await.unwrap(),
        voted_seq,
        "nothing changed"
    );
    assert_eq!(store.set_vote(bob.id, &paper, true, now).await.unwrap(), 2);
    let voted = store
        .voted(ada.id, &[paper.clone(), other.clone()])
        .await
        .unwrap();
    assert_eq!(voted, std::slice::from_ref(&paper));
    assert!(store.voted(ada.id, &[]).await.unwrap().is_empty());
    let counts = store.counts(&[paper.clone(), other.clone()]).await.unwrap();
    assert_eq!(counts[&paper].upvotes, 2);
    assert_eq!(counts.get(&other).map_or(0, |c| c.upvotes), 0);

    assert_eq!(store.set_vote(ada.id, &paper, false, now).await.unwrap(), 1);
    let unvoted_seq = store.community_seq().await.unwrap();
    assert_eq!(store.set_vote(ada.id, &paper, false, now).await.unwrap(), 1);
    assert_eq!(store.community_seq().await.unwrap(), unvoted_seq);
    assert_eq!(store.paper_community(&paper).await.unwrap().upvotes, 1);
    let stranger = store.set_vote(9_999, &paper, true, now).await;
    assert!(
        matches!(stranger, Err(StoreError::Conflict { .. })),
        "no such member: {stranger:?}"
    );
}

/// Comments: only their author edits them; removal empties the body but keeps the
/// comment in its thread; counts leave removed ones out.
pub async fn comments_edit_remove_and_count(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let bob = member(store, "bob@example.org", Role::Member).await;
    let curator = member(store, "cur@example.org", Role::Curator).await;
    let paper = id("2503.00001");
    let seq = store.community_seq().await.unwrap();
    let first = store
        .add_comment(ada.id, &paper, "First **thoughts**", now)
        .await
        .unwrap();
    assert_eq!(first.author, ada.display_name);
    assert_eq!(first.body, "First **thoughts**");
    assert_eq!((first.created_at, first.edited_at), (now, None));
    let seq_after_add = store.community_seq().await.unwrap();
    assert!(seq_after_add > seq);
    let reply = store
        .add_comment(
            bob.id,
            &id("2503.00001v3"),
            "A reply",
            now + Duration::minutes(5),
        )
        .await
        .unwrap();

    let seq_after_add = store.community_seq().await.unwrap();
    let later = now + Duration::hours(1);
    assert!(
        !store
            .edit_comment(first.id, bob.id, "hijacked", later)
            .await
            .unwrap(),
        "not the author"
    );
    assert_eq!(store.community_seq().await.unwrap(), seq_after_add);
    assert!(
        store
            .edit_comment(first.id, ada.id, "Second thoughts", later)
            .await
            .unwrap()
    );
    let edited = store.comment(first.id).await.unwrap().unwrap();
    assert_eq!(
        (edited.body.as_str(), edited.edited_at),
        ("Second thoughts", Some(later))
    );
    assert!(store.community_seq().await.unwrap() > seq_after_add);

    let counts = store.counts(std::slice::from_ref(&paper)).await.unwrap();
    assert_eq!(counts[&paper].comments, 2);
    assert!(
        store
            .remove_comment(first.id, curator.id, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_comment(first.id, curator.id, later)
            .await
            .unwrap(),
        "gone already"
    );
    assert!(
        !store
            .edit_comment(first.id, ada.id, "back", later)
            .await
            .unwrap(),
        "a removed comment cannot be edited"
    );
    assert!(!store.remove_comment(9_999, ada.id, later).await.unwrap());
    let thread = store.comments(&paper).await.unwrap();
    let shape: Vec<(i64, &str, bool)> = thread
        .iter()
        .map(|c| (c.id, c.body.as_str(), c.removed_at.is_some()))
        .collect();
    assert_eq!(
        shape,
        [(first.id, "", true), (reply.id, "A reply", false)],
        "oldest first; the removed one stays, emptied"
    );
    let counts = store.counts(std::slice::from_ref(&paper)).await.unwrap();
    assert_eq!(counts[&paper].comments, 1, "removed ones do not count");
    assert_eq!(store.paper_community(&paper).await.unwrap().comments, 1);
    assert_eq!(store.comment(9_999).await.unwrap(), None);
}

/// Reports: one per member and comment (reporting again rewords it), grouped with the
/// most reported first; dismissing or removing the comment closes them.
pub async fn reports_group_and_resolve(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let bob = member(store, "bob@example.org", Role::Member).await;
    let eve = member(store, "eve@example.org", Role::Member).await;
    let curator = member(store, "cur@example.org", Role::Curator).await;
    let paper = id("2503.00001");
    let loud = store
        .add_comment(eve.id, &paper, "BUY NOW", now)
        .await
        .unwrap();
    let rude = store
        .add_comment(eve.id, &paper, "you fool", now)
        .await
        .unwrap();
    let minute = Duration::minutes(1);
    store
        .report_comment(loud.id, ada.id, "spam", now + minute)
        .await
        .unwrap();
    store
        .report_comment(loud.id, bob.id, "advertising", now + minute * 2)
        .await
        .unwrap();
    store
        .report_comment(loud.id, ada.id, "spam, clearly", now + minute * 3)
        .await
        .unwrap();
    store
        .report_comment(rude.id, ada.id, "insult", now + minute)
        .await
        .unwrap();
    let reported = store.reported_comments(ALL).await.unwrap();
    let summary: Vec<(i64, u32, Vec<&str>)> = reported
        .iter()
        .map(|r| {
            let reasons = r.reasons.iter().map(String::as_str).collect();
            (r.comment.id, r.reports, reasons)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (loud.id, 2, vec!["advertising", "spam, clearly"]),
            (rude.id, 1, vec!["insult"]),
        ],
        "the most reported first; a member's second report rewords the first"
    );
    assert_eq!(reported[0].comment.body, "BUY NOW");

    store
        .dismiss_reports(rude.id, now + minute * 4)
        .await
        .unwrap();
    let open: Vec<i64> = store
        .reported_comments(ALL)
        .await
        .unwrap()
        .iter()
        .map(|r| r.comment.id)
        .collect();
    assert_eq!(open, [loud.id]);
    assert!(
        store
            .remove_comment(loud.id, curator.id, now + minute * 5)
            .await
            .unwrap()
    );
    assert!(
        store.reported_comments(ALL).await.unwrap().is_empty(),
        "removal resolves the reports"
    );
    store
        .report_comment(loud.id, bob.id, "still there?", now + minute * 6)
        .await
        .unwrap();
    assert!(
        store.reported_comments(ALL).await.unwrap().is_empty(),
        "a removed comment cannot be reported"
    );
}
