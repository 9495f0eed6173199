//! The crash test: 2,000 confirmed subscribers, `paperstand digest send` killed with
//! SIGKILL at random moments at least 50 times while it builds and sends, restarted
//! each time, against a real SMTP server process that writes every accepted message to
//! disk before it answers 250. At the end every subscriber has received their digest
//! for the period; a second copy is possible only when a sender died between the
//! server's 250 and its own record of it, so duplicates are counted, reported, and at
//! most one per kill.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::smtp::SmtpServer;
use paperstand_store::{Digests, Preferences, SqliteStore, Store};
use time::OffsetDateTime;
use time::macros::date;

const SUBSCRIBERS: usize = 2_000;
const KILLS: usize = 55;
const PERIOD: &str = "2026-11-27";

fn sender(data_dir: &Path, smtp_url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["--data-dir"])
        .arg(data_dir)
        .args(["digest", "send", "--period", PERIOD])
        .env_remove("PAPERSTAND_CONFIG")
        .env("PAPERSTAND_SMTP_URL", smtp_url)
        .env("PAPERSTAND_MAIL_FROM", "Paperstand <digest@example.org>")
        .env("PAPERSTAND_DIGEST_TOKEN_KEY", common::DIGEST_KEY)
        // A crashed sender's claims come back after a second; 100 messages a second
        // makes the sending last long enough for the kills to land in it.
        .env("PAPERSTAND_DIGEST_CLAIM_LEASE_SECS", "1")
        .env("PAPERSTAND_MAIL_RATE", "100")
        .env("PAPERSTAND_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start paperstand")
}

/// A small deterministic generator (xorshift), so a failing run can be repeated.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_senders_lose_nothing_and_duplicate_only_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let Some(smtp) = SmtpServer::start(&dir.path().join("smtp")) else {
        return;
    };
    {
        let store = SqliteStore::open(&data.join("paperstand.sqlite"))
            .await
            .unwrap();
        let day = date!(2026 - 11 - 27);
        let papers: Vec<_> = (1..=12)
            .map(|n| {
                paperstand_store::contract::sample_paper(
                    &format!("2611.3{n:04}"),
                    &format!("Paper number {n}"),
                    day,
                )
            })
            .collect();
        store.upsert_papers(&papers).await.unwrap();
        let now = OffsetDateTime::now_utc();
        for n in 0..SUBSCRIBERS {
            store
                .subscribe(
                    &format!("reader{n}@example.org"),
                    None,
                    &Preferences::default(),
                    None,
                    now,
                )
                .await
                .unwrap();
        }
        store.close().await;
    }

    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026_u64);
    let mut random = Random(seed);
    let started = Instant::now();
    let mut kills = 0;
    let mut finished_runs = 0;
    while kills < KILLS {
        let mut child = sender(&data, &smtp.url());
        let wait = Duration::from_millis(150 + random.below(650));
        tokio::time::sleep(wait).await;
        if child.try_wait().unwrap().is_some() {
            finished_runs += 1;
        } else {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        let _ = child.wait();
    }
    let sent_under_kills = smtp.received().len();

    // Let the last claims expire, then run to the end.
    let mut rounds = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let status = sender(&data, &smtp.url()).wait().unwrap();
        assert!(status.success() || status.code() == Some(3), "{status:?}");
        rounds += 1;
        let store = SqliteStore::open(&data.join("paperstand.sqlite"))
            .await
            .unwrap();
        let counts = store.outbox_counts().await.unwrap();
        store.close().await;
        if counts.pending == 0 && counts.sending == 0 {
            assert_eq!(counts.sent as usize, SUBSCRIBERS, "{counts:?}");
            assert_eq!(counts.failed + counts.suppressed, 0, "{counts:?}");
            break;
        }
        assert!(rounds < 10, "the outbox does not drain: {counts:?}");
    }

    let received = smtp.received();
    let mut per_recipient: HashMap<String, Vec<String>> = HashMap::new();
    for message in &received {
        assert_eq!(message.rcpt_tos.len(), 1);
        per_recipient
            .entry(message.rcpt_tos[0].clone())
            .or_default()
            .push(message.message_id.clone().unwrap_or_default());
    }
    let missing: Vec<usize> = (0..SUBSCRIBERS)
        .filter(|n| !per_recipient.contains_key(&format!("reader{n}@example.org")))
        .collect();
    let duplicates = received.len() - per_recipient.len();
    println!(
        "crash test (seed {seed:#x}): {kills} SIGKILLs, {finished_runs} runs that finished on their own, \
         {sent_under_kills} messages accepted while killing, {rounds} final run(s); \
         {} messages for {} subscribers: {} missing, {duplicates} duplicate(s); {:.1} s",
        received.len(),
        per_recipient.len(),
        missing.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        missing.is_empty(),
        "subscribers without their digest: {missing:?}"
    );
    assert_eq!(per_recipient.len(), SUBSCRIBERS);
    assert!(
        duplicates <= kills,
        "{duplicates} duplicates for {kills} kills: more than the accepted-but-unrecorded window allows"
    );
    // A duplicate is the same digest again (same Message-ID), never a second digest.
    for (to, ids) in &per_recipient {
        assert!(
            ids.iter().all(|id| id == &ids[0]),
            "{to} got different digests: {ids:?}"
        );
    }
    assert!(sent_under_kills > 0, "the kills landed before any sending");
    assert!(
        sent_under_kills < SUBSCRIBERS,
        "every message went out before the kills ended: the test did not test crashes mid-send"
    );
}
