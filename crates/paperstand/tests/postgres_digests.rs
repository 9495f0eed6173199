//! Issue #9's two-node digest test: two `paperstand serve` processes on one PostgreSQL
//! database, both with the digest job on, send to a real SMTP server process (aiosmtpd,
//! each accepted message on disk before its 250). Every confirmed subscriber gets their
//! digest exactly once and both nodes share the sending; then node A is killed with
//! SIGKILL mid-send and node B re-drives A's claimed rows once their claims expire:
//! nothing is missing, and a second copy (same Message-ID) is possible only for the
//! messages A had in flight — at most one per kill × the mail concurrency.
//!
//! The nodes tell themselves apart to the sink by their envelope sender
//! (`digest-a@` / `digest-b@`); the Message-ID depends only on the period, the
//! subscriber and the public URL's host, which both nodes share.

mod common;

use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};

use common::pgnodes::{CONCURRENCY, SUBSCRIBERS, node, seed, tally, wait_all_sent, wait_ready};
use common::smtp::SmtpServer;
use paperstand_store::contract::postgres::TestSchema;

/// The test schema's URL, choosing the schema through `search_path`.
fn schema_url(schema: &TestSchema) -> String {
    let separator = if schema.url().contains('?') { '&' } else { '?' };
    format!(
        "{}{separator}options[search_path]={}",
        schema.url(),
        schema.name()
    )
}

/// `psql -At` in the test schema.
fn psql(schema: &TestSchema, sql: &str) -> String {
    let output = Command::new("psql")
        .arg(schema.url())
        .args(["-Atc", sql])
        .env("PGOPTIONS", format!("-c search_path={}", schema.name()))
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_send_each_digest_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(smtp) = SmtpServer::start(&dir.path().join("smtp")) else {
        panic!("the SMTP test server needs the test venv (scripts/install-test-deps)");
    };
    let schema = TestSchema::create().await;
    let store = schema.store().await;
    let period = seed(&store).await;
    let url = schema_url(&schema);
    let a = node(dir.path(), "a", &url, &smtp.url());
    let b = node(dir.path(), "b", &url, &smtp.url());
    wait_ready(&a.url).await;
    wait_ready(&b.url).await;
    let started = Instant::now();
    let received = wait_all_sent(&store, &smtp, Duration::from_secs(60)).await;
    let elapsed = started.elapsed();
    // Let a late duplicate (there must be none) arrive before counting.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = {
        let again = smtp.received();
        assert!(again.len() >= received.len());
        again
    };
    drop(a);
    drop(b);
    store.close().await;
    let tally = tally(&received);
    println!(
        "two nodes, {SUBSCRIBERS} subscribers, period {}: {} messages in {:.1} s, \
         {} from A and {} from B over {} SMTP connections, {} duplicate(s)",
        period.key(),
        tally.messages,
        elapsed.as_secs_f64(),
        tally.sent_by("a"),
        tally.sent_by("b"),
        smtp.connections(),
        tally.duplicates()
    );
    assert!(tally.missing().is_empty(), "missing: {:?}", tally.missing());
    assert_eq!(tally.duplicates(), 0, "no node died: nothing is sent twice");
    assert_eq!(tally.messages, SUBSCRIBERS);
    tally.assert_one_digest_each();
    assert!(
        tally.sent_by("a") > 0 && tally.sent_by("b") > 0,
        "both nodes sent some: {:?}",
        tally.by_node
    );
    assert_eq!(tally.sent_by("a") + tally.sent_by("b"), SUBSCRIBERS);
    let built = psql(
        &schema,
        &format!(
            "select count(*) from digests where period = '{}'",
            period.key()
        ),
    );
    assert_eq!(built.trim(), SUBSCRIBERS.to_string(), "one digest each");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_send_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(smtp) = SmtpServer::start(&dir.path().join("smtp")) else {
        panic!("the SMTP test server needs the test venv (scripts/install-test-deps)");
    };
    let schema = TestSchema::create().await;
    let store = schema.store().await;
    seed(&store).await;
    let url = schema_url(&schema);
    let mut a = node(dir.path(), "a", &url, &smtp.url());
    let b = node(dir.path(), "b", &url, &smtp.url());
    wait_ready(&a.url).await;
    wait_ready(&b.url).await;

    // Kill A once it has sent some, while much is still to go.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let so_far = tally(&smtp.received());
        if so_far.sent_by("a") >= 20 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node A never sent: {:?}",
            so_far.by_node
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let a_pid = a.child.id();
    a.child.kill().expect("SIGKILL node A");
    a.child.wait().unwrap();
    let at_kill = smtp.received().len();
    // The owner name is host:pid:token.
    let stranded = psql(
        &schema,
        &format!(
            "select subscriber_id from outbox where state = 'sending' \
             and claimed_by like '%:{a_pid}:%'"
        ),
    );
    let stranded: Vec<i64> = stranded.lines().map(|l| l.parse().unwrap()).collect();
    assert!(
        at_kill < SUBSCRIBERS,
        "everything was sent before the kill: the test did not test a crash mid-send"
    );

    let received = wait_all_sent(&store, &smtp, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = {
        let again = smtp.received();
        assert!(again.len() >= received.len());
        again
    };
    drop(b);
    store.close().await;
    let tally = tally(&received);
    println!(
        "node A (pid {a_pid}) SIGKILLed after {at_kill} messages with {} claimed rows; \
         {} messages for {} subscribers: {} from A, {} from B, {} missing, {} duplicate(s)",
        stranded.len(),
        tally.messages,
        tally.per_recipient.len(),
        tally.sent_by("a"),
        tally.sent_by("b"),
        tally.missing().len(),
        tally.duplicates()
    );
    assert!(tally.missing().is_empty(), "missing: {:?}", tally.missing());
    tally.assert_one_digest_each();
    assert!(
        tally.duplicates() <= CONCURRENCY,
        "{} duplicates for one kill: more than the in-flight window ({CONCURRENCY}) allows",
        tally.duplicates()
    );
    // A's stranded claims were re-driven (by B: A is dead) and are recorded as sent.
    assert!(!stranded.is_empty(), "A held claims when it died");
    let ids: Vec<String> = stranded.iter().map(i64::to_string).collect();
    let states = psql(
        &schema,
        &format!(
            "select distinct state || ' ' || coalesce(claimed_by, '-') from outbox \
             where subscriber_id in ({})",
            ids.join(",")
        ),
    );
    assert_eq!(states.trim(), "sent -", "A's claimed rows ended sent");
    let sent_after_kill = &received[at_kill..];
    let by_b_after: HashSet<&str> = sent_after_kill
        .iter()
        .filter(|m| m.mail_from == "digest-b@example.org")
        .map(|m| m.rcpt_tos[0].as_str())
        .collect();
    for id in &stranded {
        let email = psql(
            &schema,
            &format!("select email from subscribers where id = {id}"),
        );
        assert!(
            by_b_after.contains(email.trim()),
            "B re-drove A's claimed row for subscriber {id}"
        );
    }
}
