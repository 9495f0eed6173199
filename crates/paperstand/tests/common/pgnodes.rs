//! `paperstand serve` nodes with the digest job on, against one PostgreSQL database, and
//! what a real SMTP server received from them (tests/postgres_digests.rs,
//! tests/postgres_restart.rs).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use paperstand::digest::period::{Period, current_period};
use paperstand_store::{Preferences, Store};
use time::OffsetDateTime;

use super::smtp::{Received, SmtpServer};

/// Confirmed subscribers [`seed`] makes.
pub const SUBSCRIBERS: usize = 300;
/// `PAPERSTAND_MAIL_CONCURRENCY` of each node: the most messages a killed node can
/// have had accepted by the server without recording them.
pub const CONCURRENCY: usize = 4;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `serve` node with the digest job on, killed (SIGKILL) when dropped.
pub struct Node {
    pub child: Child,
    pub url: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn node(dir: &Path, name: &str, database_url: &str, smtp_url: &str) -> Node {
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
        .env("PAPERSTAND_DIGEST_TOKEN_KEY", super::DIGEST_KEY)
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

pub async fn wait_ready(url: &str) {
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
pub async fn seed(store: &dyn Store) -> Period {
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
    period
}

/// The messages per recipient, and who sent how many (by envelope sender).
pub struct Tally {
    pub per_recipient: HashMap<String, Vec<String>>,
    pub by_node: HashMap<String, usize>,
    pub messages: usize,
}

pub fn tally(received: &[Received]) -> Tally {
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
    pub fn missing(&self) -> Vec<usize> {
        (0..SUBSCRIBERS)
            .filter(|n| {
                !self
                    .per_recipient
                    .contains_key(&format!("reader{n}@example.org"))
            })
            .collect()
    }

    pub fn duplicates(&self) -> usize {
        self.messages - self.per_recipient.len()
    }

    pub fn sent_by(&self, name: &str) -> usize {
        self.by_node
            .get(&format!("digest-{name}@example.org"))
            .copied()
            .unwrap_or(0)
    }

    /// One digest per subscriber: every copy has the same Message-ID, and no two
    /// subscribers share one.
    pub fn assert_one_digest_each(&self) {
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
/// message for each; returns what the sink received. A failed query (the database
/// restarting) is asked again.
pub async fn wait_all_sent(
    store: &dyn Store,
    smtp: &SmtpServer,
    within: Duration,
) -> Vec<Received> {
    let deadline = Instant::now() + within;
    loop {
        assert!(
            Instant::now() < deadline,
            "not everything was sent in {within:?}"
        );
        let counts = match store.outbox_counts().await {
            Ok(counts) => counts,
            Err(e) => {
                eprintln!("outbox counts: {e} (asking again)");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let received = smtp.received();
        if counts.sent as usize == SUBSCRIBERS && tally(&received).missing().is_empty() {
            assert_eq!(counts.pending + counts.sending, 0, "{counts:?}");
            assert_eq!(counts.failed + counts.suppressed, 0, "{counts:?}");
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
