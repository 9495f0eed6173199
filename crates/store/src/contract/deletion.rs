//! Contract case for account deletion: a member with rows in every personal table is
//! deleted, then every table of the schema (read from the database's catalogue, so
//! tables added later are covered) is scanned for anything that still names them.

use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use super::{id, sample_paper};
use crate::digests::{DigestItem, DigestKind, NewDigest, Preferences, SubscribeOutcome};
use crate::{Identity, NewTopic, NewUser, Role, Store, TokenKind, User};

const T0: OffsetDateTime = datetime!(2025-03-18 12:00 UTC);

/// One member's marker: in their address, display name and every text they write, so
/// the scan finds any row left behind.
struct Person {
    user: User,
    marker: &'static str,
    keys: Vec<String>,
}

impl Person {
    fn identity(&self) -> Identity {
        Identity {
            id: self.user.id,
            texts: vec![self.user.email.clone(), self.marker.to_owned()],
            keys: self.keys.clone(),
        }
    }
}

/// Creates a member (a curator, so they can curate) and gives them rows in every
/// personal table: a session, both kinds of token, rate-limit events, a library with a
/// public tag, a note, a read mark, a not-interested mark, the dial and a topic, a vote,
/// two comments (one they deleted), a report, a submission, curation, and an active
/// digest subscription with a stored digest and its unsent outbox row.
async fn person(store: &dyn Store, marker: &'static str, papers: [&str; 3]) -> Person {
    let [paper, submitted, hidden] = papers;
    let user = store
        .create_user(
            &NewUser {
                email: format!("{marker}@example.org"),
                display_name: format!("Name {marker}"),
                password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${marker}"),
                role: Role::Curator,
                verified: true,
            },
            T0,
        )
        .await
        .unwrap();
    let u = user.id;
    let later = T0 + Duration::days(2);
    store
        .create_session(&format!("session-{marker}"), u, T0, later)
        .await
        .unwrap();
    for kind in [TokenKind::Verify, TokenKind::Reset] {
        let hash = format!("{}-{marker}", kind.as_str());
        store.create_token(kind, &hash, u, T0, later).await.unwrap();
    }
    let keys = vec![u.to_string(), format!("account-key-{marker}")];
    for (kind, key) in [("comment", &keys[0]), ("signin.fail", &keys[1])] {
        store
            .record_event(kind, key, T0, T0 - Duration::days(1))
            .await
            .unwrap();
    }
    let p = id(paper);
    store
        .save_papers(u, std::slice::from_ref(&p), T0)
        .await
        .unwrap();
    store
        .set_read(u, std::slice::from_ref(&p), true, T0)
        .await
        .unwrap();
    store
        .set_note(u, &p, &format!("note by {marker}"), T0)
        .await
        .unwrap();
    let tag = store
        .tag_papers(u, std::slice::from_ref(&p), &format!("tag {marker}"), T0)
        .await
        .unwrap();
    assert!(store.set_tag_public(u, tag.id, true, T0).await.unwrap());
    store
        .set_not_interested(u, &id("2503.00009"), true, T0)
        .await
        .unwrap();
    store.set_dial(u, 0.25, T0).await.unwrap();
    let topic = NewTopic {
        name: format!("topic {marker}"),
        query: format!("query {marker}"),
        mode: String::new(),
        category: None,
    };
    store.create_topic(u, &topic, T0).await.unwrap();
    store.set_vote(u, &p, true, T0).await.unwrap();
    store
        .add_comment(u, &p, &format!("comment by {marker}"), T0)
        .await
        .unwrap();
    let gone = store
        .add_comment(u, &p, &format!("second by {marker}"), T0)
        .await
        .unwrap();
    assert!(store.remove_comment(gone.id, u, T0).await.unwrap());
    // The paper is public arXiv data, not theirs: nothing of them in it.
    let submitted = sample_paper(submitted, "A submitted paper", date!(2025 - 03 - 18));
    store.submit_paper(&submitted, u, T0).await.unwrap();
    store
        .set_featured(&submitted.id, true, u, T0)
        .await
        .unwrap();
    store.set_hidden(&id(hidden), true, u, T0).await.unwrap();
    let prefs = Preferences {
        topics: vec![1],
        ..Preferences::default()
    };
    let subscriber = match store
        .subscribe(&user.email, Some(u), &prefs, None, T0)
        .await
        .unwrap()
    {
        SubscribeOutcome::Active(s) => s,
        other => panic!("expected an active subscriber, got {other:?}"),
    };
    let digest = NewDigest {
        subscriber: subscriber.id,
        period: "day:2025-03-18".to_owned(),
        kind: DigestKind::Papers,
        items: vec![DigestItem {
            id: p.clone(),
            section: "picks".to_owned(),
            reason: format!("because {marker} saved it"),
        }],
        message_id: format!("{marker}.day@example.org"),
    };
    assert_eq!(store.insert_digests(&[digest], T0).await.unwrap(), 1);
    Person { user, marker, keys }
}

/// Deleting a member leaves no row that names them (by id in a member column, by
/// address, by display name or by anything they wrote), keeps their comments in place
/// without author or body, keeps their submissions without credit, and leaves another
/// member with the same kinds of rows untouched. Deleting again changes nothing.
pub async fn deleting_a_member_leaves_no_trace(store: &dyn Store) {
    let ada = person(store, "zq7ada", ["2503.00001", "2503.00011", "2503.00021"]).await;
    let bob = person(store, "wx9bob", ["2503.00002", "2503.00012", "2503.00022"]).await;
    // Each reports the other's comment; Ada removes one of Bob's as a curator.
    let (p1, p2) = (id("2503.00001"), id("2503.00002"));
    let ada_comment = store.comments(&p1).await.unwrap()[0].clone();
    let bob_comment = store.comments(&p2).await.unwrap()[0].clone();
    store
        .report_comment(bob_comment.id, ada.user.id, "reported by zq7ada", T0)
        .await
        .unwrap();
    store
        .report_comment(ada_comment.id, bob.user.id, "reported by wx9bob", T0)
        .await
        .unwrap();
    let bob_second = store.comments(&p2).await.unwrap()[1].id;
    store.set_vote(ada.user.id, &p2, true, T0).await.unwrap();
    let seq = store.community_seq().await.unwrap();
    let before = store.traces(&bob.identity()).await.unwrap();
    for expected in [
        "users.id",
        "users.email",
        "users.display_name",
        "sessions.user_id",
        "user_tokens.user_id",
        "rate_events.key",
        "votes.user_id",
        "comments.user_id",
        "comments.body",
        "comment_reports.reason",
        "submissions.user_id",
        "curation.featured_by",
        "curation.hidden_by",
        "library_items.note",
        "library_tags.name",
        "library_item_tags.user_id",
        "not_interested.user_id",
        "library_prefs.user_id",
        "topics.query",
        "subscribers.email",
        "digests.items",
    ] {
        assert!(
            before.iter().any(|t| t == expected),
            "the scan finds {expected} before deletion: {before:?}"
        );
    }
    let ada_tag = store.tags(ada.user.id).await.unwrap()[0].id;
    let bob_before = store.paper_community(&p2).await.unwrap();

    let deleted = store
        .delete_user(ada.user.id, &ada.keys, T0 + Duration::hours(1))
        .await
        .unwrap()
        .expect("Ada existed");
    assert_eq!(deleted.votes, 2);
    assert_eq!(deleted.comments, 2);
    assert_eq!(deleted.submissions, 1);
    assert_eq!(deleted.subscriptions, 1);
    assert_eq!(deleted.sessions, 1);
    assert!(deleted.library >= 6, "{deleted:?}");

    let traces = store.traces(&ada.identity()).await.unwrap();
    assert!(traces.is_empty(), "rows still name Ada: {traces:?}");
    assert_eq!(
        store.traces(&bob.identity()).await.unwrap(),
        before,
        "Bob's rows are all there"
    );
    assert!(
        store.community_seq().await.unwrap() > seq,
        "cached pages drop"
    );

    // What stays, anonymised.
    let kept = store.comment(ada_comment.id).await.unwrap().expect("kept");
    assert_eq!(
        (kept.user_id, kept.author.as_str(), kept.body.as_str()),
        (None, "", "")
    );
    assert!(kept.removed_at.is_some());
    assert_eq!(
        store.comments(&p1).await.unwrap().len(),
        2,
        "threads keep their shape"
    );
    let community = store.paper_community(&p1).await.unwrap();
    assert_eq!((community.upvotes, community.comments), (0, 0));
    let submission = store.submission(&id("2503.00011")).await.unwrap().unwrap();
    assert_eq!(submission.user_id, None);
    assert_eq!(
        store.paper_community(&p2).await.unwrap().upvotes,
        bob_before.upvotes - 1
    );
    let removed = store.comment(bob_second).await.unwrap().unwrap();
    assert!(removed.removed_at.is_some() && removed.user_id == Some(bob.user.id));
    assert!(
        store
            .reported_comments(crate::Page::numbered(1, 10))
            .await
            .unwrap()
            .iter()
            .all(|r| r.comment.id != ada_comment.id),
        "reports on a deleted comment are settled"
    );

    // What is gone, through the store's own reads.
    assert_eq!(store.user(ada.user.id).await.unwrap(), None);
    assert_eq!(store.credentials(&ada.user.email).await.unwrap(), None);
    assert_eq!(
        store.session_user("session-zq7ada", T0).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .take_token(TokenKind::Reset, "reset-zq7ada", T0)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.tag(ada_tag).await.unwrap(),
        None,
        "public tags go too"
    );
    assert_eq!(
        store.subscriber_by_email(&ada.user.email).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .count_events("comment", &ada.keys[0], T0 - Duration::days(1))
            .await
            .unwrap(),
        0
    );

    // Bob is untouched.
    assert!(
        store
            .session_user("session-wx9bob", T0)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.tags(bob.user.id).await.unwrap().len(), 1);
    assert_eq!(store.dial(bob.user.id).await.unwrap(), Some(0.25));
    assert!(
        store
            .subscriber_by_email(&bob.user.email)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .count_events("signin.fail", &bob.keys[1], T0 - Duration::days(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.outbox_counts().await.unwrap().pending,
        1,
        "Bob's digest waits"
    );

    // Deleting again is a no-op; the address is free for a new account.
    assert_eq!(
        store.delete_user(ada.user.id, &ada.keys, T0).await.unwrap(),
        None
    );
    let again = person(store, "zq7ada", ["2503.00001", "2503.00013", "2503.00023"]).await;
    assert_ne!(again.user.id, bob.user.id);
    assert!(store.user(bob.user.id).await.unwrap().is_some());
}
