//! Contract cases for members, sessions, one-time tokens and rate-limit events.

use time::Duration;
use time::macros::datetime;

use crate::{NewUser, Role, Store, StoreError, TokenKind};

/// A member to create with this address and role, not verified.
pub fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.to_owned(),
        display_name: format!("Member {}", email.trim()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        role,
        verified: false,
    }
}

/// Addresses are stored trimmed and lower-cased, found in any case, and unique in any
/// case; roles, verification and listing.
pub async fn members_and_credentials(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00:00.5 UTC);
    let ada = store
        .create_user(&new_user("  Ada@Example.ORG ", Role::Member), now)
        .await
        .unwrap();
    assert_eq!(ada.email, "ada@example.org");
    assert_eq!(ada.created_at, now, "times read back exactly");
    assert_eq!(ada.email_verified_at, None);
    let taken = store
        .create_user(&new_user("ADA@example.org", Role::Admin), now)
        .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict { .. })),
        "the same address in another case: {taken:?}"
    );
    let found = store
        .credentials(" ada@EXAMPLE.org")
        .await
        .unwrap()
        .expect("found in any case");
    assert_eq!(found.user, ada);
    assert_eq!(
        found.password_hash,
        new_user("x", Role::Member).password_hash
    );
    assert_eq!(store.credentials("nobody@example.org").await.unwrap(), None);

    let later = now + Duration::hours(1);
    let mut admin = new_user("root@example.org", Role::Admin);
    admin.verified = true;
    let root = store.create_user(&admin, later).await.unwrap();
    assert_eq!(root.email_verified_at, Some(later), "created verified");
    assert_eq!(store.count_users().await.unwrap(), 2);
    let listed: Vec<i64> = store
        .users(crate::Page {
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(listed, [root.id, ada.id], "the newest first");

    assert!(store.set_role(ada.id, Role::Curator, later).await.unwrap());
    assert!(!store.set_role(9_999, Role::Curator, later).await.unwrap());
    store.mark_verified(ada.id, later).await.unwrap();
    store
        .mark_verified(ada.id, later + Duration::days(1))
        .await
        .unwrap();
    let ada = store.user(ada.id).await.unwrap().unwrap();
    assert_eq!(ada.role, Role::Curator);
    assert_eq!(ada.email_verified_at, Some(later), "the first time is kept");
    assert_eq!(store.user(9_999).await.unwrap(), None);
    assert!(
        !store
            .set_suspended(9_999, Some(later), later)
            .await
            .unwrap()
    );
}

/// Sessions end at their expiry, on sign-out, on suspension and on a new password;
/// suspended members have none.
pub async fn sessions_expire_and_end(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let user = store
        .create_user(&new_user("s@example.org", Role::Member), now)
        .await
        .unwrap();
    let hour = Duration::hours(1);
    store
        .create_session("hash-a", user.id, now, now + hour)
        .await
        .unwrap();
    let signed_in = store.session_user("hash-a", now).await.unwrap();
    assert_eq!(signed_in.map(|u| u.id), Some(user.id));
    let almost = now + hour - Duration::nanoseconds(1);
    assert!(
        store
            .session_user("hash-a", almost)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.session_user("hash-a", now + hour).await.unwrap(),
        None,
        "expired at its expiry"
    );
    assert_eq!(store.session_user("unknown", now).await.unwrap(), None);
    store.delete_session("hash-a").await.unwrap();
    assert_eq!(store.session_user("hash-a", now).await.unwrap(), None);

    store
        .create_session("hash-b", user.id, now, now + hour)
        .await
        .unwrap();
    assert!(store.set_suspended(user.id, Some(now), now).await.unwrap());
    assert_eq!(store.session_user("hash-b", now).await.unwrap(), None);
    store
        .create_session("hash-c", user.id, now, now + hour)
        .await
        .unwrap();
    assert_eq!(
        store.session_user("hash-c", now).await.unwrap(),
        None,
        "a suspended member has no session"
    );
    assert!(store.set_suspended(user.id, None, now).await.unwrap());
    assert!(
        store.session_user("hash-b", now).await.unwrap().is_none(),
        "suspension ended the sessions for good"
    );
    assert!(store.session_user("hash-c", now).await.unwrap().is_some());
    store
        .create_session("hash-d", user.id, now, now + hour)
        .await
        .unwrap();
    store.set_password(user.id, "new-hash", now).await.unwrap();
    for hash in ["hash-c", "hash-d"] {
        assert_eq!(store.session_user(hash, now).await.unwrap(), None);
    }
    let credentials = store.credentials("s@example.org").await.unwrap().unwrap();
    assert_eq!(credentials.password_hash, "new-hash");
}

/// A token works once, only for its kind, and not after it expires.
pub async fn tokens_work_once(store: &dyn Store) {
    let now = datetime!(2025-03-18 12:00 UTC);
    let user = store
        .create_user(&new_user("t@example.org", Role::Member), now)
        .await
        .unwrap();
    let day = Duration::days(1);
    store
        .create_token(TokenKind::Verify, "verify-1", user.id, now, now + day)
        .await
        .unwrap();
    assert_eq!(
        store
            .take_token(TokenKind::Reset, "verify-1", now)
            .await
            .unwrap(),
        None,
        "not a reset token"
    );
    assert_eq!(
        store
            .take_token(TokenKind::Verify, "verify-1", now)
            .await
            .unwrap(),
        Some(user.id),
        "the wrong kind did not use it up"
    );
    assert_eq!(
        store
            .take_token(TokenKind::Verify, "verify-1", now)
            .await
            .unwrap(),
        None,
        "single use"
    );
    store
        .create_token(TokenKind::Reset, "reset-1", user.id, now, now + day)
        .await
        .unwrap();
    assert_eq!(
        store
            .take_token(TokenKind::Reset, "reset-1", now + day)
            .await
            .unwrap(),
        None,
        "expired"
    );
    assert_eq!(
        store
            .take_token(TokenKind::Reset, "unknown", now)
            .await
            .unwrap(),
        None
    );
}

/// Events are counted in a window per kind and key; recording one forgets that kind's
/// events older than the horizon; clearing forgets one key's.
pub async fn rate_events_window_and_forgetting(store: &dyn Store) {
    let t0 = datetime!(2025-03-18 12:00 UTC);
    let minute = Duration::minutes(1);
    let long_ago = t0 - Duration::days(1);
    for (kind, key, at) in [
        ("signin.ip", "a", t0),
        ("signin.ip", "a", t0 + minute),
        ("signin.ip", "a", t0 + minute * 2),
        ("signin.ip", "b", t0 + minute * 5),
        ("comment", "a", t0),
    ] {
        store.record_event(kind, key, at, long_ago).await.unwrap();
    }
    assert_eq!(store.count_events("signin.ip", "a", t0).await.unwrap(), 3);
    assert_eq!(
        store
            .count_events("signin.ip", "a", t0 + minute)
            .await
            .unwrap(),
        2,
        "at or after the start"
    );
    assert_eq!(store.count_events("signin.ip", "c", t0).await.unwrap(), 0);
    store
        .record_event("signin.ip", "a", t0 + minute * 10, t0 + minute * 3 / 2)
        .await
        .unwrap();
    assert_eq!(
        store
            .count_events("signin.ip", "a", long_ago)
            .await
            .unwrap(),
        2,
        "events before the horizon are forgotten"
    );
    assert_eq!(
        store
            .count_events("signin.ip", "b", long_ago)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.count_events("comment", "a", long_ago).await.unwrap(),
        1,
        "other kinds keep theirs"
    );
    store.clear_events("signin.ip", "a").await.unwrap();
    assert_eq!(
        store
            .count_events("signin.ip", "a", long_ago)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_events("signin.ip", "b", long_ago)
            .await
            .unwrap(),
        1
    );
}
