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

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::smtp::{Received, SmtpServer};
use paperstand::digest::period::{Period, current_period};
use paperstand_store::contract::postgres::TestSchema;
use paperstand_store::{Digests, Preferences, Store};
use time::OffsetDateTime;

const SUBSCRIBERS: usize = 300;
/// `PAPERSTAND_MAIL_CONCURRENCY` of each node: the most messages a killed node can
/// have had accepted by the server without recording them.
const CONCURRENCY: usize = 4;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The test schema's URL, choosing the schema through `search_path`.
fn schema_url(schema: &TestSchema) -> String {
    let separator = if schema.url().contains('?') { '&' } else { '?' };
    format!(
        "{}{separator}options[search_path]={}",
        schema.url(),
        schema.name()
    )
}

/// A `serve` node with the digest job on, killed (SIGKILL) when dropped.
struct Node {
    child: Child,
    url: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node(dir: &Path, name: &str, database_url: &str, smtp_url: &str) -> Node {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(dir.join(name))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("PAPERSTAND_CONFIG")
        .env("DATABASE_URL", database_url)
        .env("PAPERSTAND_DEMO", "false")
        .env("PAPERSTAND_SEMANTIC", "false")
        .env("PAPERSTAND_PUBLIC_URL", "https://papers.example.org")
        .env("PAPERSTAND_SMTP_URL", smtp_url)
        .env(
            "PAPERSTAND_MAIL_FROM",
            format!("Paperstand <digest-{name}@example.org>"),
        )
        .env("PAPERSTAND_DIGEST_TOKEN_KEY", common::DIGEST_KEY)
        .env("PAPERSTAND_DIGEST_EVERY_SECS", "1")
        // A dead node's claims (and the building) pass on after two seconds; 40
        // messages a second per node makes the sending last a few seconds.
        .env("PAPERSTAND_DIGEST_CLAIM_LEASE_SECS", "2")
        .env("PAPERSTAND_MAIL_RATE", "40")
        .env("PAPERSTAND_MAIL_CONCURRENCY", CONCURRENCY.to_string())
        .env("PAPERSTAND_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start serve");
    Node {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

async fn wait_ready(url: &str) {
    paperstand::ingest::fetch::install_tls_provider();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("{url}/readyz")).await
            && response.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready at {url}");
}

/// Seeds the schema: papers listed on the subscribers' current period's day, that day's
/// ingestion marked complete, and [`SUBSCRIBERS`] confirmed daily subscribers (hour 0
/// UTC, confirmed a week ago) whose current period is therefore due now.
async fn seed(schema: &TestSchema) -> Period {
    let store = schema.store().await;
    let now = OffsetDateTime::now_utc();
    let confirmed = now - time::Duration::days(8);
    let preferences = Preferences {
        hour: 0,
        time_zone: "UTC".to_owned(),
        ..Preferences::default()
    };
    let period = current_period(&preferences, Some(confirmed), now).expect("a period is due");
    let Period::Day(day) = period else {
        panic!("daily subscribers have daily periods: {period:?}")
    };
    let papers: Vec<_> = (1..=12)
        .map(|n| {
            paperstand_store::contract::sample_paper(
                &format!("2611.4{n:04}"),
                &format!("Two-node paper number {n}"),
                day,
            )
        })
        .collect();
    store.upsert_papers(&papers).await.unwrap();
    store
        .set_setting(
            &paperstand::ingest::announce::ingestion_marker(day),
            &now.unix_timestamp().to_string(),
        )
        .await
        .unwrap();
    for n in 0..SUBSCRIBERS {
        store
            .subscribe(
                &format!("reader{n}@example.org"),
                None,
                &preferences,
                None,
                confirmed,
            )
            .await
            .unwrap();
    }
    store.close().await;
    period
}

/// The messages per recipient, and who sent how many (by envelope sender).
struct Tally {
    per_recipient: HashMap<String, Vec<String>>,
    by_node: HashMap<String, usize>,
    messages: usize,
}

fn tally(received: &[Received]) -> Tally {
    let mut per_recipient: HashMap<String, Vec<String>> = HashMap::new();
    let mut by_node: HashMap<String, usize> = HashMap::new();
    for message in received {
        assert_eq!(message.rcpt_tos.len(), 1, "one recipient a message");
        per_recipient
            .entry(message.rcpt_tos[0].clone())
            .or_default()
            .push(message.message_id.clone().expect("a Message-ID"));
        *by_node.entry(message.mail_from.clone()).or_default() += 1;
    }
    Tally {
        per_recipient,
        by_node,
        messages: received.len(),
    }
}

impl Tally {
    fn missing(&self) -> Vec<usize> {
        (0..SUBSCRIBERS)
            .filter(|n| {
                !self
                    .per_recipient
                    .contains_key(&format!("reader{n}@example.org"))
            })
            .collect()
    }

    fn duplicates(&self) -> usize {
        self.messages - self.per_recipient.len()
    }

    fn sent_by(&self, name: &str) -> usize {
        self.by_node
            .get(&format!("digest-{name}@example.org"))
            .copied()
            .unwrap_or(0)
    }

    /// One digest per subscriber: every copy has the same Message-ID, and no two
    /// subscribers share one.
    fn assert_one_digest_each(&self) {
        let mut ids = HashSet::new();
        for (to, copies) in &self.per_recipient {
            assert!(
                copies.iter().all(|id| id == &copies[0]),
                "{to} got different digests: {copies:?}"
            );
            assert!(ids.insert(copies[0].clone()), "{to} shares a Message-ID");
        }
    }
}

/// Waits until the outbox holds every subscriber's digest, sent, and the sink has a
/// message for each; returns what the sink received.
async fn wait_all_sent(schema: &TestSchema, smtp: &SmtpServer, within: Duration) -> Vec<Received> {
    let store = schema.store().await;
    let deadline = Instant::now() + within;
    loop {
        let counts = store.outbox_counts().await.unwrap();
        let received = smtp.received();
        if counts.sent as usize == SUBSCRIBERS && tally(&received).missing().is_empty() {
            assert_eq!(counts.pending + counts.sending, 0, "{counts:?}");
            assert_eq!(counts.failed + counts.suppressed, 0, "{counts:?}");
            store.close().await;
            return received;
        }
        assert!(
            Instant::now() < deadline,
            "not everything was sent in {within:?}: {counts:?}, {} received",
            received.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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
    let period = seed(&schema).await;
    let url = schema_url(&schema);
    let a = node(dir.path(), "a", &url, &smtp.url());
    let b = node(dir.path(), "b", &url, &smtp.url());
    wait_ready(&a.url).await;
    wait_ready(&b.url).await;
    let started = Instant::now();
    let received = wait_all_sent(&schema, &smtp, Duration::from_secs(60)).await;
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
    seed(&schema).await;
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

    let received = wait_all_sent(&schema, &smtp, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = {
        let again = smtp.received();
        assert!(again.len() >= received.len());
        again
    };
    drop(b);
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
