//! The OAI-PMH harvester against a real HTTP server replaying arXiv's responses: paging,
//! incremental harvests, politeness under faults, clear errors, and a harvester
//! killed with SIGKILL again and again that still ends with every record exactly once.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::oai_replay::{Fault, Replay, record_fragments};
use paperstand::config::IngestConfig;
use paperstand::ingest::fetch::Fetcher;
use paperstand::ingest::oai::{HarvestReport, OaiHarvest, harvest_oai};
use paperstand_core::oai::MetadataFormat;
use paperstand_store::{SqliteStore, Store};

fn ingest_config() -> IngestConfig {
    IngestConfig {
        request_interval_ms: 0,
        retry_base_ms: 10,
        max_retries: 3,
        timeout_s: 1,
        allowed_hosts: vec!["127.0.0.1".to_owned()],
        ..IngestConfig::default()
    }
}

fn job(base_url: &str) -> OaiHarvest {
    OaiHarvest {
        base_url: base_url.to_owned(),
        set: None,
        format: MetadataFormat::ArxivRaw,
        from: None,
        dry_run: false,
    }
}

async fn store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (
        SqliteStore::open(&dir.path().join("paperstand.sqlite"))
            .await
            .unwrap(),
        dir,
    )
}

async fn harvest(
    store: &SqliteStore,
    url: &str,
    config: &IngestConfig,
) -> anyhow::Result<HarvestReport> {
    let fetcher = Fetcher::new(config, "http://test.invalid").unwrap();
    harvest_oai(store, &fetcher, &job(url), &|_| {}).await
}

/// Records of the fixture that parse (the harvester's expected total).
fn expected_papers() -> u64 {
    let page = paperstand_core::oai::parse_list_records(
        common::oai_replay::ALL_RECORDS.as_bytes(),
        MetadataFormat::ArxivRaw,
    )
    .unwrap();
    page.records.len() as u64
}

#[tokio::test]
async fn a_full_harvest_follows_every_token_then_continues_incrementally() {
    let replay = Replay::new(10);
    let url = replay.serve().await;
    let (store, _dir) = store().await;
    let report = harvest(&store, &url, &ingest_config()).await.unwrap();
    assert_eq!(report.pages, replay.page_count() as u64);
    assert!(replay.page_count() >= 50, "{} pages", replay.page_count());
    assert_eq!(report.counts.inserted, expected_papers());
    assert_eq!(store.count_papers().await.unwrap(), expected_papers());
    let queries = replay.queries.lock().unwrap().clone();
    assert_eq!(queries[0], "verb=ListRecords&metadataPrefix=arXivRaw");
    assert_eq!(
        queries[1],
        "verb=ListRecords&resumptionToken=verb%3DListRecords%26metadataPrefix%3DarXivRaw%26skip%3D10",
        "token sent back as received"
    );

    let reference = paperstand_core::oai::parse_list_records(
        common::oai_replay::ALL_RECORDS.as_bytes(),
        MetadataFormat::ArxivRaw,
    )
    .unwrap();
    let withdrawn: Vec<_> = reference.records.iter().filter(|r| r.withdrawn).collect();
    assert_eq!(report.withdrawn, withdrawn.len() as u64);
    assert!(!withdrawn.is_empty());
    for record in withdrawn {
        assert!(
            store
                .paper(&record.paper.id)
                .await
                .unwrap()
                .unwrap()
                .withdrawn,
            "{}",
            record.paper.id
        );
    }

    // The next harvest starts the day before the last one began; nothing new is a success.
    *replay.nothing_new_from.lock().unwrap() = Some("2026-11-26".to_owned());
    let again = harvest(&store, &url, &ingest_config()).await.unwrap();
    assert_eq!(
        replay.queries.lock().unwrap().last().unwrap(),
        "verb=ListRecords&metadataPrefix=arXivRaw&from=2026-11-26"
    );
    assert_eq!((again.pages, again.counts.inserted), (0, 0));
}

#[tokio::test]
async fn transient_failures_are_retried_politely() {
    let replay = Replay::new(100);
    let url = replay.serve().await;
    replay.inject([
        Fault::Unavailable(1),
        Fault::ServerError,
        Fault::ResetMidBody,
    ]);
    let (store, _dir) = store().await;
    let started = Instant::now();
    let mut config = ingest_config();
    config.max_retries = 5;
    let report = harvest(&store, &url, &config).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured (backoff alone is 10 ms)"
    );
    assert_eq!(
        report.counts.inserted,
        expected_papers(),
        "every record arrived despite the faults"
    );
    assert_eq!(
        replay.queries.lock().unwrap().len(),
        3 + replay.page_count(),
        "each fault cost exactly one retry"
    );
}

#[tokio::test]
async fn a_slow_server_times_out_and_is_retried() {
    let replay = Replay::new(100);
    let url = replay.serve().await;
    replay.inject([Fault::Slow(Duration::from_millis(1_500))]);
    let (store, _dir) = store().await;
    let report = harvest(&store, &url, &ingest_config()).await.unwrap();
    assert_eq!(report.counts.inserted, expected_papers());
    assert_eq!(
        replay.queries.lock().unwrap().len(),
        1 + replay.page_count(),
        "the timed-out request was sent again"
    );
}

#[tokio::test]
async fn from_refuses_to_drop_an_interrupted_harvest() {
    let replay = Replay::new(10);
    let url = replay.serve().await;
    let (store, _dir) = store().await;
    let mut config = ingest_config();
    config.max_retries = 0;
    let fetcher = Fetcher::new(&config, "http://test.invalid").unwrap();
    let on_page = |r: &HarvestReport| {
        if r.pages == 2 {
            replay.inject([Fault::ServerError]);
        }
    };
    assert!(
        harvest_oai(&store, &fetcher, &job(&url), &on_page)
            .await
            .is_err()
    );
    let mut later = job(&url);
    later.from = Some(time::macros::date!(2026 - 11 - 20));
    let error = harvest_oai(&store, &fetcher, &later, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("interrupted harvest") && error.contains("without --from"),
        "{error}"
    );
    let finished = harvest(&store, &url, &config).await.unwrap();
    assert!(finished.resumed);
    assert_eq!(store.count_papers().await.unwrap(), expected_papers());
}

#[tokio::test]
async fn persistent_failures_give_up_with_a_clear_message_and_resume_later() {
    let replay = Replay::new(10);
    let url = replay.serve().await;
    let (store, _dir) = store().await;
    let mut config = ingest_config();
    config.max_retries = 2;
    // Let three pages through, then fail every attempt at the fourth.
    let fetcher = Fetcher::new(&config, "http://test.invalid").unwrap();
    let pages_before = std::sync::atomic::AtomicU64::new(0);
    let on_page = |r: &HarvestReport| {
        pages_before.store(r.pages, std::sync::atomic::Ordering::SeqCst);
        if r.pages == 3 {
            replay.inject([Fault::ServerError, Fault::ServerError, Fault::ServerError]);
        }
    };
    let error = harvest_oai(&store, &fetcher, &job(&url), &on_page)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("HTTP 500") && error.contains("gave up after 3 attempts"),
        "{error}"
    );
    assert_eq!(
        store.count_papers().await.unwrap(),
        30,
        "three completed pages were kept"
    );
    let report = harvest(&store, &url, &config).await.unwrap();
    assert!(
        report.resumed,
        "the next run continues the interrupted harvest"
    );
    assert_eq!(report.pages, replay.page_count() as u64 - 3);
    assert_eq!(store.count_papers().await.unwrap(), expected_papers());
}

#[tokio::test]
async fn wrong_content_and_oversized_bodies_are_clear_errors() {
    let replay = Replay::new(100);
    let url = replay.serve().await;
    let (store, _dir) = store().await;
    replay.inject([Fault::HtmlPage]);
    let error = format!(
        "{:#}",
        harvest(&store, &url, &ingest_config()).await.unwrap_err()
    );
    assert!(
        error.to_lowercase().contains("xml") || error.contains("OAI-PMH"),
        "{error}"
    );

    let mut config = ingest_config();
    config.max_response_mib = 1;
    replay.inject([Fault::Huge(2 * 1024 * 1024)]);
    let error = format!("{:#}", harvest(&store, &url, &config).await.unwrap_err());
    assert!(error.contains("larger than 1 MiB"), "{error}");

    replay.inject([Fault::BadArgument]);
    let error = format!(
        "{:#}",
        harvest(&store, &url, &ingest_config()).await.unwrap_err()
    );
    assert!(
        error.contains("badArgument"),
        "the OAI error code is named: {error}"
    );
    assert_eq!(store.count_papers().await.unwrap(), 0);
}

#[tokio::test]
async fn a_refused_token_restarts_the_window() {
    let replay = Replay::new(100);
    let url = replay.serve().await;
    let (store, _dir) = store().await;
    let fetcher = Fetcher::new(&ingest_config(), "http://test.invalid").unwrap();
    let on_page = |r: &HarvestReport| {
        if r.pages == 2 {
            replay.inject([Fault::BadToken]);
        }
    };
    let report = harvest_oai(&store, &fetcher, &job(&url), &on_page)
        .await
        .unwrap();
    assert_eq!(store.count_papers().await.unwrap(), expected_papers());
    assert_eq!(
        report.pages,
        replay.page_count() as u64 + 2,
        "two pages fetched again after the restart"
    );
    assert_eq!(
        report.counts.unchanged, 200,
        "re-fetched pages changed nothing"
    );
}

#[tokio::test]
async fn plain_http_is_only_for_this_machine() {
    let (store, _dir) = store().await;
    let mut config = ingest_config();
    config.allowed_hosts.push("oaipmh.arxiv.org".to_owned());
    let error = harvest(&store, "http://oaipmh.arxiv.org/oai", &config)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("only https URLs are fetched"), "{error}");
}

#[tokio::test]
async fn hosts_outside_the_allowlist_are_refused_before_connecting() {
    let (store, _dir) = store().await;
    let mut config = ingest_config();
    config.allowed_hosts = vec!["oaipmh.arxiv.org".to_owned()];
    let error = harvest(&store, "http://127.0.0.1:9/oai", &config)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("not in ingest.allowed_hosts"), "{error}");
}

/// A tiny deterministic generator for kill times (seed printed on failure).
fn next_random(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

#[tokio::test(flavor = "multi_thread")]
async fn a_harvester_killed_twenty_times_ends_with_every_record_exactly_once() {
    let replay = Replay::new(10);
    *replay.page_delay.lock().unwrap() = Duration::from_millis(15);
    let url = replay.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let seed = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos(),
    );
    let mut random = seed;
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_paperstand"))
            .args([
                "--data-dir",
                dir.path().to_str().unwrap(),
                "harvest",
                "oai",
                "--base-url",
                &url,
            ])
            .env("PAPERSTAND_INGEST_ALLOWED_HOSTS", "127.0.0.1")
            .env("PAPERSTAND_INGEST_REQUEST_INTERVAL_MS", "0")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut kills = 0;
    let mut runs = 0;
    let mut run_starts = Vec::new();
    while kills < 20 && runs < 60 {
        runs += 1;
        run_starts.push(replay.queries.lock().unwrap().len());
        let mut child = spawn();
        let wait = Duration::from_millis(40 + next_random(&mut random) % 400);
        tokio::time::sleep(wait).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
    }
    eprintln!("killed {kills} of {runs} runs (seed {seed})");
    let status = spawn().wait().unwrap();
    assert!(status.success(), "the final run completes (seed {seed})");
    assert_eq!(
        kills, 20,
        "twenty runs were killed mid-harvest (seed {seed})"
    );

    let store = SqliteStore::open(&dir.path().join("paperstand.sqlite"))
        .await
        .unwrap();
    let expected = expected_papers();
    assert_eq!(store.count_papers().await.unwrap(), expected, "seed {seed}");
    assert_eq!(
        store.change_seq().await.unwrap(),
        i64::try_from(expected).unwrap(),
        "every paper was written once and never re-applied (seed {seed})"
    );
    let reference = paperstand_core::oai::parse_list_records(
        common::oai_replay::ALL_RECORDS.as_bytes(),
        MetadataFormat::ArxivRaw,
    )
    .unwrap();
    for record in reference.records.iter().step_by(7) {
        let stored = store
            .paper(&record.paper.id)
            .await
            .unwrap()
            .expect("harvested");
        assert_eq!(
            stored.versions, record.paper.versions,
            "{}",
            record.paper.id
        );
    }
    assert_eq!(record_fragments().len(), 503);
    let _ = Arc::strong_count(&replay);
}
