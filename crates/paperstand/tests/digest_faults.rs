//! SMTP faults through the outbox, against a real SMTP server process: every fault
//! class ends in the right state (transient: deferred and retried later; permanent:
//! failed and counted against the address), nothing is lost, nothing is sent twice.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::TestApp;
use common::digest::smtp_service;
use common::smtp::SmtpServer;
use paperstand::config::DigestConfig;
use paperstand::web::auth::AuthLimits;
use paperstand_store::{Digests, Preferences, SubscribeOutcome, SubscriberStatus};
use time::macros::date;
use time::{Date, OffsetDateTime};

const DAY: Date = date!(2026 - 11 - 27);

async fn app_with_papers() -> TestApp {
    let app = TestApp::for_digests(AuthLimits::default()).await;
    app.insert(&[
        paperstand_store::contract::sample_paper("2611.20001", "A first paper", DAY),
        paperstand_store::contract::sample_paper("2611.20002", "A second paper", DAY),
    ])
    .await;
    app
}

async fn subscribe(app: &TestApp, email: &str) -> i64 {
    let outcome = app
        .store
        .subscribe(
            email,
            None,
            &Preferences::default(),
            None,
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    match outcome {
        SubscribeOutcome::Active(s) => s.id,
        other => panic!("{other:?}"),
    }
}

fn config() -> DigestConfig {
    DigestConfig {
        retry_base_secs: 1,
        max_attempts: 5,
        bounce_limit: 1,
        ..TestApp::digest_config()
    }
}

/// How many times each Message-ID reached the server.
fn deliveries(smtp: &SmtpServer) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for message in smtp.received() {
        *seen
            .entry(message.message_id.unwrap_or_default())
            .or_default() += 1;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_smtp_fault_is_classified_and_nothing_is_lost_or_sent_twice() {
    let app = app_with_papers().await;
    let dir = tempfile::tempdir().unwrap();
    let Some(smtp) = SmtpServer::start(dir.path()) else {
        return;
    };
    let transient = [
        "fault-421",
        "fault-450",
        "fault-451",
        "fault-452",
        "fault-552",
        "fault-drop",
        "fault-stall",
        "fault-once-451",
    ];
    let permanent = ["fault-550", "fault-554"];
    let mut ids = HashMap::new();
    for name in ["ok"].iter().chain(&transient).chain(&permanent) {
        ids.insert(*name, subscribe(&app, &format!("{name}@example.org")).await);
    }
    // A two-second timeout bounds the stalled server.
    let service = smtp_service(&app, config(), &smtp.url(), 2);

    let first = service.run_once(Some(DAY)).await.unwrap();
    assert_eq!(first.build.with_papers, 11);
    let s = &first.send;
    assert_eq!(
        (s.claimed, s.sent, s.deferred, s.failed, s.suppressed),
        (11, 1, 8, 2, 0),
        "{s:?}"
    );
    assert!(s.balances());
    for name in permanent {
        let sub = app.store.subscriber(ids[name]).await.unwrap().unwrap();
        assert_eq!(
            (sub.status, sub.bounces),
            (SubscriberStatus::Bouncing, 1),
            "{name}"
        );
    }
    for name in transient {
        let sub = app.store.subscriber(ids[name]).await.unwrap().unwrap();
        assert_eq!(
            (sub.status, sub.bounces),
            (SubscriberStatus::Active, 0),
            "{name}"
        );
    }
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.sent, counts.failed, counts.pending), (1, 2, 8));

    // After the first back-off (0.5–1 s): the once-refused address gets its digest, the
    // others are deferred again, the permanent failures are not tried again.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let second = service.run_once(Some(DAY)).await.unwrap();
    let s = &second.send;
    assert_eq!(
        (s.claimed, s.sent, s.deferred, s.failed),
        (8, 1, 7, 0),
        "{s:?}"
    );
    let seen = deliveries(&smtp);
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen.values().all(|n| *n == 1), "nothing twice: {seen:?}");
    for (name, id) in [("ok", ids["ok"]), ("fault-once-451", ids["fault-once-451"])] {
        let key = format!("<digest.day-2026-11-27.{id}@127.0.0.1>");
        assert_eq!(seen.get(&key), Some(&1), "{name}");
    }
    // Nothing lost: every digest is sent, given up on with a reason, or waiting.
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!(counts.sent + counts.failed + counts.pending, 11);
    assert_eq!(counts.sending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_down_at_start_defers_everything_then_delivers_each_once() {
    let app = app_with_papers().await;
    let dir = tempfile::tempdir().unwrap();
    let Some(mut smtp) = SmtpServer::start(dir.path()) else {
        return;
    };
    for n in 0..3 {
        subscribe(&app, &format!("reader{n}@example.org")).await;
    }
    let service = smtp_service(&app, config(), &smtp.url(), 2);
    smtp.kill();
    let down = service.run_once(Some(DAY)).await.unwrap();
    let s = &down.send;
    assert_eq!(
        (s.claimed, s.deferred, s.sent, s.failed),
        (3, 3, 0, 0),
        "{s:?}"
    );
    let subscribers = app.store.count_subscribers().await.unwrap();
    assert_eq!(
        subscribers,
        vec![(SubscriberStatus::Active, 3)],
        "no bounces from an outage"
    );

    smtp.restart();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let up = service.run_once(Some(DAY)).await.unwrap();
    assert_eq!((up.send.claimed, up.send.sent), (3, 3), "{:?}", up.send);
    let seen = deliveries(&smtp);
    assert_eq!(seen.len(), 3);
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_stop_at_the_limit_and_say_why() {
    let app = app_with_papers().await;
    let dir = tempfile::tempdir().unwrap();
    let Some(smtp) = SmtpServer::start(dir.path()) else {
        return;
    };
    let id = subscribe(&app, "fault-451@example.org").await;
    let service = smtp_service(
        &app,
        DigestConfig {
            max_attempts: 2,
            ..config()
        },
        &smtp.url(),
        2,
    );
    let first = service.run_once(Some(DAY)).await.unwrap();
    assert_eq!(first.send.deferred, 1);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let second = service.run_once(Some(DAY)).await.unwrap();
    assert_eq!((second.send.failed, second.send.deferred), (1, 0));
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.failed, counts.pending), (1, 0));
    // Transient failures never count as bounces.
    let sub = app.store.subscriber(id).await.unwrap().unwrap();
    assert_eq!((sub.status, sub.bounces), (SubscriberStatus::Active, 0));
    assert!(smtp.received().is_empty());
}
