//! The digests' contract: double opt-in, one digest per subscriber and period, and an
//! outbox that two senders never both hold a row of.

use std::time::Duration;

use time::OffsetDateTime;
use time::macros::datetime;

use super::id;
use crate::digests::*;
use crate::{Store, SubscriberStatus};

const T0: OffsetDateTime = datetime!(2026-11-27 08:00 UTC);
const LEASE: Duration = Duration::from_secs(60);

async fn active(store: &dyn Store, email: &str) -> Subscriber {
    match store
        .subscribe(email, None, &Preferences::default(), None, T0)
        .await
        .unwrap()
    {
        SubscribeOutcome::Active(s) => s,
        other => panic!("expected an active subscriber, got {other:?}"),
    }
}

fn digest(subscriber: SubscriberId, period: &str, papers: &[&str]) -> NewDigest {
    NewDigest {
        subscriber,
        period: period.to_owned(),
        kind: if papers.is_empty() {
            DigestKind::Note
        } else {
            DigestKind::Papers
        },
        items: papers
            .iter()
            .map(|p| DigestItem {
                id: id(p),
                section: "trending".to_owned(),
                reason: String::new(),
            })
            .collect(),
        message_id: format!("{subscriber}.{period}@example.org"),
    }
}

/// Double opt-in: a token works once, before it expires; only then is the address active.
pub async fn subscriptions_need_confirmation(store: &dyn Store) {
    let prefs = Preferences {
        frequency: Frequency::Weekly,
        categories: vec!["cs.CL".to_owned()],
        ..Preferences::default()
    };
    let expires = T0 + time::Duration::hours(48);
    let outcome = store
        .subscribe(" Ada@Example.org ", None, &prefs, Some(("h1", expires)), T0)
        .await
        .unwrap();
    let SubscribeOutcome::ConfirmationNeeded(pending) = outcome else {
        panic!("expected a confirmation, got {outcome:?}");
    };
    assert_eq!(pending.status, SubscriberStatus::Pending);
    assert_eq!(pending.email, "Ada@Example.org");
    assert_eq!(pending.preferences, prefs);
    assert!(store.active_subscribers(0, 10).await.unwrap().is_empty());
    assert_eq!(store.confirm_subscription("nope", T0).await.unwrap(), None);
    // Asking again replaces the token: the first link no longer works.
    store
        .subscribe("ada@example.org", None, &prefs, Some(("h2", expires)), T0)
        .await
        .unwrap();
    assert_eq!(store.confirm_subscription("h1", T0).await.unwrap(), None);
    let confirmed = store
        .confirm_subscription("h2", T0 + time::Duration::hours(1))
        .await
        .unwrap()
        .expect("a fresh token confirms");
    assert_eq!(confirmed.id, pending.id);
    assert_eq!(confirmed.status, SubscriberStatus::Active);
    assert_eq!(store.confirm_subscription("h2", T0).await.unwrap(), None);
    let again = store
        .subscribe(
            "ADA@example.org",
            None,
            &Preferences::default(),
            Some(("h3", expires)),
            T0,
        )
        .await
        .unwrap();
    assert!(matches!(again, SubscribeOutcome::AlreadyActive(ref s) if s.preferences == prefs));
    assert_eq!(store.active_subscribers(0, 10).await.unwrap().len(), 1);

    assert!(store.unsubscribe(pending.id, T0).await.unwrap());
    assert!(!store.unsubscribe(pending.id, T0).await.unwrap());
    assert!(store.active_subscribers(0, 10).await.unwrap().is_empty());
    // Back only through a new confirmation; an expired token does nothing.
    store
        .subscribe("ada@example.org", None, &prefs, Some(("h4", T0)), T0)
        .await
        .unwrap();
    assert_eq!(
        store
            .confirm_subscription("h4", T0 + time::Duration::seconds(1))
            .await
            .unwrap(),
        None
    );
    let found = store
        .subscriber_by_email("ada@EXAMPLE.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.status, SubscriberStatus::Pending);
    let counts = store.count_subscribers().await.unwrap();
    assert_eq!(counts, vec![(SubscriberStatus::Pending, 1)]);

    let mut changed = prefs.clone();
    changed.hour = 18;
    assert!(store.set_preferences(found.id, &changed).await.unwrap());
    assert!(
        !store
            .set_preferences(found.id + 1000, &changed)
            .await
            .unwrap()
    );
    let read = store.subscriber(found.id).await.unwrap().unwrap();
    assert_eq!(read.preferences.hour, 18);
}

/// A digest happens once per subscriber and period; skipped ones are recorded unsent.
pub async fn digests_are_unique_per_period(store: &dyn Store) {
    let ada = active(store, "ada@example.org").await;
    let bob = active(store, "bob@example.org").await;
    let mut skipped = digest(bob.id, "day:2026-11-27", &[]);
    skipped.kind = DigestKind::Skipped;
    let batch = vec![
        digest(ada.id, "day:2026-11-27", &["2611.00001", "2611.00002"]),
        skipped,
    ];
    assert_eq!(store.insert_digests(&batch, T0).await.unwrap(), 2);
    assert_eq!(store.insert_digests(&batch, T0).await.unwrap(), 0);
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!(counts.pending, 1, "the skipped digest has no outbox row");
    let stored = store
        .digest(ada.id, "day:2026-11-27")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.items.len(), 2);
    assert_eq!(
        stored.message_id,
        format!("{}.day:2026-11-27@example.org", ada.id)
    );
    let history = store
        .digest_history(&[ada.id, bob.id], T0 - time::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    let ada_history = history.iter().find(|h| h.subscriber == ada.id).unwrap();
    assert_eq!(ada_history.papers, vec![id("2611.00001"), id("2611.00002")]);
    let later = store
        .digest_history(&[ada.id], T0 + time::Duration::seconds(1))
        .await
        .unwrap();
    assert!(later.is_empty());
}

/// Claims are exclusive, expire, and only the holder records an outcome.
pub async fn outbox_claims_are_exclusive(store: &dyn Store) {
    let mut batch = Vec::new();
    for n in 0..5 {
        let s = active(store, &format!("s{n}@example.org")).await;
        batch.push(digest(s.id, "day:2026-11-27", &["2611.00001"]));
    }
    store.insert_digests(&batch, T0).await.unwrap();
    let a = store.claim_outbox("a", T0, T0, LEASE, 3).await.unwrap();
    let b = store.claim_outbox("b", T0, T0, LEASE, 3).await.unwrap();
    assert_eq!((a.len(), b.len()), (3, 2));
    assert!(a.iter().all(|x| b.iter().all(|y| x.id != y.id)));
    assert!(
        store
            .claim_outbox("c", T0, T0, LEASE, 3)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(a[0].digest.items[0].id, id("2611.00001"));
    assert_eq!(a[0].subscriber.id, a[0].digest.subscriber);

    // b dies; after its claim expires c takes its rows, and b can no longer record.
    let later = T0 + LEASE + Duration::from_secs(1);
    let c = store
        .claim_outbox("c", later, later, LEASE, 10)
        .await
        .unwrap();
    let mut taken: Vec<i64> = c.iter().map(|i| i.id).collect();
    taken.sort_unstable();
    let mut lost: Vec<i64> = b
        .iter()
        .map(|i| i.id)
        .chain(a.iter().map(|i| i.id))
        .collect();
    lost.sort_unstable();
    assert_eq!(taken, lost, "every expired claim is taken over");
    assert_eq!(c[0].attempts, 0, "a takeover is not a failed attempt");
    assert!(
        !store
            .record_send(b[0].id, "b", &SendOutcome::Sent, 3, later)
            .await
            .unwrap()
    );
    assert!(
        store
            .record_send(b[0].id, "c", &SendOutcome::Sent, 3, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_send(b[0].id, "c", &SendOutcome::Sent, 3, later)
            .await
            .unwrap()
    );

    // A transient failure comes back at its time, counted.
    let retry_at = later + Duration::from_secs(30);
    let retry = SendOutcome::Retry {
        at: retry_at,
        error: "451 try later".to_owned(),
    };
    assert!(
        store
            .record_send(b[1].id, "c", &retry, 3, later)
            .await
            .unwrap()
    );
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!((counts.sent, counts.pending, counts.sending), (1, 1, 3));
    assert!(
        store
            .claim_outbox("d", later, later, LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A run that started before the retry time leaves it for the next run.
    let run_start = retry_at - Duration::from_secs(1);
    assert!(
        store
            .claim_outbox("d", retry_at, run_start, LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .claim_outbox("d", retry_at, retry_at, LEASE, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
}

/// Permanent failures count bounces up to the limit; a success clears them.
pub async fn permanent_failures_bounce(store: &dyn Store) {
    let s = active(store, "gone@example.org").await;
    let failed = SendOutcome::Failed {
        error: "550 no such user".to_owned(),
        permanent: true,
    };
    for (n, period) in ["day:2026-11-25", "day:2026-11-26"].iter().enumerate() {
        store
            .insert_digests(&[digest(s.id, period, &["2611.00001"])], T0)
            .await
            .unwrap();
        let claimed = store.claim_outbox("a", T0, T0, LEASE, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(
            store
                .record_send(claimed[0].id, "a", &failed, 2, T0)
                .await
                .unwrap()
        );
        let now = store.subscriber(s.id).await.unwrap().unwrap();
        assert_eq!(now.bounces as usize, n + 1);
    }
    let bouncing = store.subscriber(s.id).await.unwrap().unwrap();
    assert_eq!(bouncing.status, SubscriberStatus::Bouncing);
    // A bouncing address's next digest is suppressed at claim time.
    store
        .insert_digests(&[digest(s.id, "day:2026-11-27", &["2611.00001"])], T0)
        .await
        .unwrap();
    assert!(
        store
            .claim_outbox("a", T0, T0, LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.outbox_counts().await.unwrap().suppressed, 1);

    let ok = active(store, "ok@example.org").await;
    store
        .insert_digests(&[digest(ok.id, "day:2026-11-27", &[])], T0)
        .await
        .unwrap();
    let claimed = store.claim_outbox("a", T0, T0, LEASE, 10).await.unwrap();
    let soft = SendOutcome::Failed {
        error: "too many tries".to_owned(),
        permanent: false,
    };
    assert!(
        store
            .record_send(claimed[0].id, "a", &soft, 1, T0)
            .await
            .unwrap()
    );
    let still = store.subscriber(ok.id).await.unwrap().unwrap();
    assert_eq!((still.status, still.bounces), (SubscriberStatus::Active, 0));
}

/// Unsubscribing suppresses the unsent digest at once; a claimed row of a subscriber who
/// left is suppressed by the sender.
pub async fn unsubscribing_suppresses_unsent_digests(store: &dyn Store) {
    let a = active(store, "a@example.org").await;
    let b = active(store, "b@example.org").await;
    store
        .insert_digests(
            &[
                digest(a.id, "day:2026-11-27", &["2611.00001"]),
                digest(b.id, "day:2026-11-27", &[]),
            ],
            T0,
        )
        .await
        .unwrap();
    assert!(store.unsubscribe(a.id, T0).await.unwrap());
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.suppressed), (1, 1));
    let claimed = store.claim_outbox("x", T0, T0, LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].subscriber.id, b.id);
    // b leaves while the row is claimed: the claim stands, the sender sees the status
    // when it checks and records a suppression.
    assert!(store.unsubscribe(b.id, T0).await.unwrap());
    assert!(
        store
            .record_send(claimed[0].id, "x", &SendOutcome::Suppressed, 3, T0)
            .await
            .unwrap()
    );
    assert_eq!(store.outbox_counts().await.unwrap().suppressed, 2);
}

/// A small deterministic generator (xorshift) for the state-machine test.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The double opt-in state machine against a model, over random operations: the store
/// never lists, builds for or hands a sender anyone the model says is not confirmed and
/// subscribed, and an unsubscribe between building and sending stops that digest.
pub async fn opt_in_state_machine_holds(store: &dyn Store) {
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Model {
        Pending,
        Active,
        Gone,
    }
    let addresses = [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "d@example.org",
    ];
    let mut model: Vec<Option<Model>> = vec![None; addresses.len()];
    // Every token handed out: (address, hash, expires, still usable in the model).
    let mut tokens: Vec<(usize, String, OffsetDateTime, bool)> = Vec::new();
    let mut ids: Vec<Option<SubscriberId>> = vec![None; addresses.len()];
    let mut now = T0;
    let mut random = Random(0x0dd_5eed);
    let mut period = 0;
    let (mut confirmed_ok, mut refused, mut mailed) = (0, 0, 0);
    for step in 0..300 {
        let who = random.below(addresses.len() as u64) as usize;
        match random.below(5) {
            0 => {
                let hash = format!("token-{step}");
                let expires = now + time::Duration::hours(48);
                let outcome = store
                    .subscribe(
                        addresses[who],
                        None,
                        &Preferences::default(),
                        Some((&hash, expires)),
                        now,
                    )
                    .await
                    .unwrap();
                let s = match outcome {
                    SubscribeOutcome::ConfirmationNeeded(s) => {
                        assert_ne!(model[who], Some(Model::Active), "step {step}");
                        for t in tokens.iter_mut().filter(|t| t.0 == who) {
                            t.3 = false;
                        }
                        tokens.push((who, hash, expires, true));
                        model[who] = Some(Model::Pending);
                        s
                    }
                    SubscribeOutcome::AlreadyActive(s) => {
                        assert_eq!(model[who], Some(Model::Active), "step {step}");
                        s
                    }
                    SubscribeOutcome::Active(_) => panic!("a token was given: step {step}"),
                };
                ids[who] = Some(s.id);
            }
            1 if !tokens.is_empty() => {
                // Mostly the newest token (the link someone just got), sometimes any.
                let pick = if random.below(4) == 0 {
                    random.below(tokens.len() as u64) as usize
                } else {
                    tokens.len() - 1
                };
                let (owner, hash, expires, usable) = tokens[pick].clone();
                let confirmed = store.confirm_subscription(&hash, now).await.unwrap();
                let expected = usable && now < expires && model[owner] == Some(Model::Pending);
                assert_eq!(confirmed.is_some(), expected, "step {step}: token {hash}");
                tokens[pick].3 = false;
                if expected {
                    model[owner] = Some(Model::Active);
                    confirmed_ok += 1;
                } else {
                    refused += 1;
                }
            }
            2 => {
                if let Some(id) = ids[who] {
                    let changed = store.unsubscribe(id, now).await.unwrap();
                    let was = model[who];
                    assert_eq!(
                        changed,
                        matches!(was, Some(Model::Active | Model::Pending)),
                        "step {step}"
                    );
                    if changed {
                        model[who] = Some(Model::Gone);
                    }
                    for t in tokens.iter_mut().filter(|t| t.0 == who) {
                        t.3 = false;
                    }
                }
            }
            3 => now += time::Duration::hours(random.below(30) as i64),
            _ => {
                // Build for everyone the store lists, then maybe someone leaves, then send.
                period += 1;
                let listed = store.active_subscribers(0, 100).await.unwrap();
                for s in &listed {
                    let index = addresses.iter().position(|a| *a == s.email).unwrap();
                    assert_eq!(model[index], Some(Model::Active), "step {step}: {s:?}");
                }
                let batch: Vec<NewDigest> = listed
                    .iter()
                    .map(|s| digest(s.id, &format!("day:p{period}"), &["2611.00001"]))
                    .collect();
                store.insert_digests(&batch, now).await.unwrap();
                if random.below(2) == 0
                    && let Some(id) = ids[who]
                    && store.unsubscribe(id, now).await.unwrap()
                {
                    model[who] = Some(Model::Gone);
                }
                for item in store.claim_outbox("s", now, now, LEASE, 100).await.unwrap() {
                    let index = addresses
                        .iter()
                        .position(|a| *a == item.subscriber.email)
                        .unwrap();
                    assert_eq!(
                        model[index],
                        Some(Model::Active),
                        "step {step}: a digest for {item:?}"
                    );
                    store
                        .record_send(item.id, "s", &SendOutcome::Sent, 3, now)
                        .await
                        .unwrap();
                    mailed += 1;
                }
            }
        }
    }
    assert!(period > 20, "the walk built digests {period} times");
    assert!(
        confirmed_ok > 5 && refused > 5 && mailed > 10,
        "the walk exercised little: {confirmed_ok} confirmations, {refused} refusals, {mailed} sends"
    );
}
