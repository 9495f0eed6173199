//! Contract cases for personal libraries: saving, tags, notes, read marks, feedback, the
//! dial, topics, privacy between members and deleting everything personal.

use time::Duration;
use time::macros::datetime;

use super::activity::member;
use super::id;
use crate::{LibraryFilter, NewTopic, Page, Role, Store, StoreError};

const ALL: Page = Page {
    limit: 100,
    offset: 0,
};

fn ids_of(items: &[crate::SavedPaper]) -> Vec<String> {
    items.iter().map(|i| i.arxiv_id.to_string()).collect()
}

/// Saving twice is saving once; tags save what they tag; filters by tag, read state and
/// save time; notes; unsaving takes notes and tags along; the version follows changes.
pub async fn library_save_tag_note_and_read(store: &dyn Store) {
    let t0 = datetime!(2025-03-18 12:00 UTC);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let (a, b, c) = (id("2503.00001"), id("2503.00002"), id("2503.00003"));
    assert_eq!(store.library_version(ada.id).await.unwrap(), 0);
    assert_eq!(
        store
            .save_papers(ada.id, &[a.clone(), id("2503.00001v2")], t0)
            .await
            .unwrap(),
        1,
        "versions of a paper are one paper"
    );
    let v1 = store.library_version(ada.id).await.unwrap();
    assert!(v1 > 0);
    assert_eq!(
        store
            .save_papers(ada.id, std::slice::from_ref(&a), t0)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store.library_version(ada.id).await.unwrap(),
        v1,
        "a duplicate save changes nothing"
    );
    store
        .save_papers(ada.id, std::slice::from_ref(&b), t0 + Duration::hours(1))
        .await
        .unwrap();
    let tag = store
        .tag_papers(
            ada.id,
            &[b.clone(), c.clone()],
            "Reading <group>",
            t0 + Duration::hours(2),
        )
        .await
        .unwrap();
    assert_eq!(
        (tag.name.as_str(), tag.papers, tag.public),
        ("Reading <group>", 2, false)
    );
    let again = store
        .tag_papers(ada.id, std::slice::from_ref(&a), "READING <GROUP>", t0)
        .await
        .unwrap();
    assert_eq!(again.id, tag.id, "tag names are one in any case");
    assert_eq!(again.papers, 3);
    let everything = store
        .saved_papers(ada.id, &LibraryFilter::default(), ALL)
        .await
        .unwrap();
    assert_eq!(
        ids_of(&everything),
        ["2503.00003", "2503.00002", "2503.00001"],
        "the most recently saved first; tagging saved c"
    );
    assert_eq!(everything[2].tags, ["Reading <group>"]);

    assert_eq!(
        store
            .set_read(ada.id, &[a.clone(), id("2503.09999")], true, t0)
            .await
            .unwrap(),
        1,
        "unsaved papers are ignored"
    );
    let unread = LibraryFilter {
        read: Some(false),
        ..LibraryFilter::default()
    };
    assert_eq!(
        ids_of(&store.saved_papers(ada.id, &unread, ALL).await.unwrap()),
        ["2503.00003", "2503.00002"]
    );
    let recent = LibraryFilter {
        saved_since: Some(t0 + Duration::minutes(30)),
        read: Some(false),
        ..LibraryFilter::default()
    };
    assert_eq!(store.count_saved(ada.id, &recent).await.unwrap(), 2);
    assert!(
        store
            .set_note(ada.id, &b, "**key** idea", t0)
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_note(ada.id, &id("2503.09999"), "x", t0)
            .await
            .unwrap(),
        "a note needs a saved paper"
    );
    let saved_b = store.saved_paper(ada.id, &b).await.unwrap().unwrap();
    assert_eq!(saved_b.note, "**key** idea");

    store
        .untag_papers(ada.id, tag.id, std::slice::from_ref(&c))
        .await
        .unwrap();
    let tagged = LibraryFilter {
        tag: Some(tag.id),
        ..LibraryFilter::default()
    };
    assert_eq!(
        ids_of(&store.saved_papers(ada.id, &tagged, ALL).await.unwrap()),
        ["2503.00002", "2503.00001"]
    );
    let before = store.library_version(ada.id).await.unwrap();
    assert_eq!(
        store
            .unsave_papers(ada.id, std::slice::from_ref(&b))
            .await
            .unwrap(),
        1
    );
    assert!(store.library_version(ada.id).await.unwrap() > before);
    assert!(store.saved_paper(ada.id, &b).await.unwrap().is_none());
    assert_eq!(store.tag(tag.id).await.unwrap().unwrap().papers, 1);
    assert_eq!(
        store.saved_among(ada.id, &[a.clone(), b, c]).await.unwrap(),
        [a, id("2503.00003")]
    );
}

/// Renaming (a name taken in any case is a conflict), deleting, making public; another
/// member can change none of it.
pub async fn library_tags_belong_to_their_member(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let eve = member(store, "eve@example.org", Role::Member).await;
    let paper = id("2503.00001");
    let ml = store
        .tag_papers(ada.id, std::slice::from_ref(&paper), "ml", now)
        .await
        .unwrap();
    let nlp = store
        .tag_papers(ada.id, std::slice::from_ref(&paper), "nlp", now)
        .await
        .unwrap();
    assert!(matches!(
        store.rename_tag(ada.id, nlp.id, "ML", now).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(
        store
            .rename_tag(ada.id, nlp.id, "language", now)
            .await
            .unwrap()
    );
    assert!(!store.rename_tag(eve.id, ml.id, "mine", now).await.unwrap());
    assert!(
        !store
            .set_tag_public(eve.id, ml.id, true, now)
            .await
            .unwrap()
    );
    assert!(!store.delete_tag(eve.id, ml.id).await.unwrap());
    assert!(
        store
            .set_tag_public(ada.id, ml.id, true, now)
            .await
            .unwrap()
    );
    assert!(store.tag(ml.id).await.unwrap().unwrap().public);
    let names: Vec<String> = store
        .tags(ada.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["language", "ml"]);
    assert!(store.tags(eve.id).await.unwrap().is_empty());
    assert!(store.delete_tag(ada.id, ml.id).await.unwrap());
    assert!(store.tag(ml.id).await.unwrap().is_none());
    assert!(
        store.saved_paper(ada.id, &paper).await.unwrap().is_some(),
        "deleting a tag keeps its papers"
    );
}

/// Feedback lists saved, upvoted-not-saved and not-interested papers; the dial is
/// stored per member and does not move the version.
pub async fn library_feedback_and_dial(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let (a, b, c) = (id("2503.00001"), id("2503.00002"), id("2503.00003"));
    store
        .save_papers(ada.id, std::slice::from_ref(&a), now)
        .await
        .unwrap();
    store.set_vote(ada.id, &a, true, now).await.unwrap();
    store.set_vote(ada.id, &b, true, now).await.unwrap();
    store
        .set_not_interested(ada.id, &c, true, now)
        .await
        .unwrap();
    store
        .set_not_interested(ada.id, &c, true, now)
        .await
        .unwrap();
    let feedback = store.feedback(ada.id).await.unwrap();
    assert_eq!(feedback.saved, [a]);
    assert_eq!(feedback.upvoted, [b]);
    assert_eq!(feedback.not_interested, std::slice::from_ref(&c));
    store
        .set_not_interested(ada.id, &c, false, now)
        .await
        .unwrap();
    assert!(
        store
            .feedback(ada.id)
            .await
            .unwrap()
            .not_interested
            .is_empty()
    );

    assert_eq!(store.dial(ada.id).await.unwrap(), None);
    let version = store.library_version(ada.id).await.unwrap();
    store.set_dial(ada.id, 0.75, now).await.unwrap();
    assert_eq!(store.dial(ada.id).await.unwrap(), Some(0.75));
    assert_eq!(store.library_version(ada.id).await.unwrap(), version);
}

/// Topics: saved, listed by name, seen, deleted only by their member.
pub async fn library_topics_round_trip(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let eve = member(store, "eve@example.org", Role::Member).await;
    let new = NewTopic {
        name: "Sparse attention".to_owned(),
        query: "sparse attention -survey".to_owned(),
        mode: "keyword".to_owned(),
        category: Some("cs.LG".to_owned()),
    };
    let topic = store.create_topic(ada.id, &new, now).await.unwrap();
    assert_eq!(
        (topic.name.as_str(), topic.query.as_str(), topic.seen_at),
        ("Sparse attention", "sparse attention -survey", now)
    );
    assert_eq!(
        store.topics(ada.id).await.unwrap(),
        std::slice::from_ref(&topic)
    );
    assert_eq!(store.topic(topic.id).await.unwrap(), Some(topic.clone()));
    let later = now + Duration::days(1);
    assert!(
        !store
            .mark_topic_seen(eve.id, topic.id, later)
            .await
            .unwrap()
    );
    assert!(
        store
            .mark_topic_seen(ada.id, topic.id, later)
            .await
            .unwrap()
    );
    assert_eq!(store.topic(topic.id).await.unwrap().unwrap().seen_at, later);
    assert!(!store.delete_topic(eve.id, topic.id).await.unwrap());
    assert!(store.delete_topic(ada.id, topic.id).await.unwrap());
    assert!(store.topics(ada.id).await.unwrap().is_empty());
}

/// Deleting a member's personal data removes every row of theirs and no one else's.
pub async fn library_personal_data_deletion(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let ada = member(store, "ada@example.org", Role::Member).await;
    let bob = member(store, "bob@example.org", Role::Member).await;
    let paper = id("2503.00001");
    for user in [ada.id, bob.id] {
        let tag = store
            .tag_papers(user, std::slice::from_ref(&paper), "public", now)
            .await
            .unwrap();
        store.set_tag_public(user, tag.id, true, now).await.unwrap();
        store.set_note(user, &paper, "private", now).await.unwrap();
        store
            .set_not_interested(user, &id("2503.00002"), true, now)
            .await
            .unwrap();
        store.set_dial(user, 0.5, now).await.unwrap();
        let topic = NewTopic {
            name: "t".to_owned(),
            query: "q".to_owned(),
            mode: String::new(),
            category: None,
        };
        store.create_topic(user, &topic, now).await.unwrap();
    }
    let ada_tag = store.tags(ada.id).await.unwrap()[0].id;
    assert!(store.delete_personal_data(ada.id).await.unwrap() >= 6);
    assert_eq!(
        store
            .count_saved(ada.id, &LibraryFilter::default())
            .await
            .unwrap(),
        0
    );
    assert!(store.tags(ada.id).await.unwrap().is_empty());
    assert!(
        store.tag(ada_tag).await.unwrap().is_none(),
        "public tags go too"
    );
    assert!(store.topics(ada.id).await.unwrap().is_empty());
    assert_eq!(store.dial(ada.id).await.unwrap(), None);
    assert!(
        store
            .feedback(ada.id)
            .await
            .unwrap()
            .not_interested
            .is_empty()
    );
    assert_eq!(
        store
            .count_saved(bob.id, &LibraryFilter::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.topics(bob.id).await.unwrap().len(), 1);
    assert_eq!(store.dial(bob.id).await.unwrap(), Some(0.5));
}
