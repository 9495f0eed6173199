//! The lease contract: one holder at a time, expiry, takeover, renewal by the holder only.

use std::time::Duration;

use time::macros::datetime;

use crate::Store;

const TTL: Duration = Duration::from_secs(60);

/// Two owners: the first takes the lease, the second is refused until it is released.
pub async fn leases_have_one_holder(store: &dyn Store) {
    let now = datetime!(2026-11-27 10:00:00 UTC);
    assert!(store.lease("harvest").await.unwrap().is_none());
    assert!(
        store
            .try_acquire_lease("harvest", "node-a", now, TTL)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_acquire_lease("harvest", "node-b", now, TTL)
            .await
            .unwrap(),
        "held by node-a"
    );
    assert!(
        store
            .try_acquire_lease("stars", "node-b", now, TTL)
            .await
            .unwrap(),
        "another lease is independent"
    );
    let lease = store.lease("harvest").await.unwrap().expect("stored");
    assert_eq!(lease.owner, "node-a");
    assert_eq!(lease.acquired_at, now);
    assert_eq!(lease.expires_at, datetime!(2026-11-27 10:01:00 UTC));

    store.release_lease("harvest", "node-b").await.unwrap();
    assert_eq!(
        store.lease("harvest").await.unwrap().unwrap().owner,
        "node-a",
        "only the holder releases"
    );
    store.release_lease("harvest", "node-a").await.unwrap();
    assert!(store.lease("harvest").await.unwrap().is_none());
    assert!(
        store
            .try_acquire_lease("harvest", "node-b", now, TTL)
            .await
            .unwrap()
    );
}

/// The holder renews (also by acquiring again, which keeps the start time); anyone
/// else's renewal is refused and changes nothing.
pub async fn only_the_holder_renews(store: &dyn Store) {
    let now = datetime!(2026-11-27 10:00:00 UTC);
    assert!(
        store
            .try_acquire_lease("digest", "node-a", now, TTL)
            .await
            .unwrap()
    );
    let later = datetime!(2026-11-27 10:00:40 UTC);
    assert!(
        !store
            .renew_lease("digest", "node-b", later, TTL)
            .await
            .unwrap(),
        "node-b does not hold it"
    );
    assert_eq!(
        store.lease("digest").await.unwrap().unwrap().expires_at,
        datetime!(2026-11-27 10:01:00 UTC)
    );
    assert!(
        store
            .renew_lease("digest", "node-a", later, TTL)
            .await
            .unwrap()
    );
    assert!(
        store
            .try_acquire_lease("digest", "node-a", later, TTL)
            .await
            .unwrap()
    );
    let lease = store.lease("digest").await.unwrap().unwrap();
    assert_eq!(lease.expires_at, datetime!(2026-11-27 10:01:40 UTC));
    assert_eq!(lease.acquired_at, now, "renewing keeps the start");
    assert!(
        !store
            .renew_lease("nothing", "node-a", later, TTL)
            .await
            .unwrap(),
        "no lease, nothing to renew"
    );
}

/// A lease its holder let expire is taken over; the old holder can no longer renew it.
pub async fn expired_leases_are_taken_over(store: &dyn Store) {
    let now = datetime!(2026-11-27 10:00:00 UTC);
    assert!(
        store
            .try_acquire_lease("harvest", "node-a", now, TTL)
            .await
            .unwrap()
    );
    let before_expiry = datetime!(2026-11-27 10:00:59 UTC);
    assert!(
        !store
            .try_acquire_lease("harvest", "node-b", before_expiry, TTL)
            .await
            .unwrap()
    );
    let expired = datetime!(2026-11-27 10:01:00 UTC);
    assert!(
        store
            .try_acquire_lease("harvest", "node-b", expired, TTL)
            .await
            .unwrap(),
        "node-a stopped renewing: node-b takes over"
    );
    let lease = store.lease("harvest").await.unwrap().unwrap();
    assert_eq!(lease.owner, "node-b");
    assert_eq!(lease.acquired_at, expired);
    assert!(
        !store
            .renew_lease("harvest", "node-a", expired, TTL)
            .await
            .unwrap(),
        "the old holder lost it"
    );
    store.release_lease("harvest", "node-a").await.unwrap();
    assert_eq!(
        store.lease("harvest").await.unwrap().unwrap().owner,
        "node-b"
    );
}
