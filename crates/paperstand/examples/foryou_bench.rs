//! Benchmark: a For-you list (issue #8's target: p50 <= 50 ms) for a member with a
//! 50-paper library over every paper of a corpus as candidates, through the real
//! SQLite store, the `Recommender` and the `Ranking` service. Prints the one-time
//! corpus build, then p50/p90 of a list when the member's model must be trained first
//! (their library just changed) and when it is trained and cached.
//! Usage: foryou_bench CORPUS [RUNS]

use std::io::BufReader;
use std::sync::Arc;
use std::time::{Duration, Instant};

use paperstand::ranking::Ranking;
use paperstand::recs::{PickRequest, Recommender};
use paperstand::transfer::import_lines;
use paperstand_core::ArxivId;
use paperstand_store::{Community, Library, NewUser, Page, Role, SqliteStore, Store};
use time::OffsetDateTime;

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort_unstable();
    times[((times.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: foryou_bench CORPUS [RUNS]");
    let runs: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir()?;
    let store = Arc::new(SqliteStore::open(&dir.path().join("bench.sqlite")).await?);
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn std::io::BufRead + Send> = if path.ends_with(".gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let clock = Instant::now();
    let report = import_lines(
        store.as_ref(),
        reader,
        OffsetDateTime::now_utc().date(),
        &|_| {},
    )
    .await;
    println!(
        "imported {} papers in {:.1?}",
        report.inserted,
        clock.elapsed()
    );
    let now = OffsetDateTime::now_utc();
    let user = store
        .create_user(
            &NewUser {
                email: "bench@example.org".to_owned(),
                display_name: "Bench".to_owned(),
                password_hash: "x".to_owned(),
                role: Role::Member,
                verified: true,
            },
            now,
        )
        .await?;
    // A 50-paper library: every 1,000th paper of a category walk is not an interest, so
    // take 50 papers from the first day of cs.CL listings instead.
    let library: Vec<ArxivId> = store
        .newest_in_category(
            Some("cs.CL"),
            None,
            Page {
                limit: 50,
                offset: 500,
            },
        )
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    store.save_papers(user.id, &library, now).await?;
    let recs = Recommender::default();
    let ranking = Ranking::default();
    let request = PickRequest {
        since: None,
        dial: 0.2,
        offset: 0,
        limit: 30,
        now,
    };
    let clock = Instant::now();
    let (corpus, _) = recs.corpus(store.as_ref()).await?;
    println!(
        "corpus built once: {} candidates, {:?} of dimension {}, in {:.1?}",
        corpus.len(),
        corpus.features,
        corpus.dim,
        clock.elapsed()
    );
    let first = recs
        .picks(store.as_ref(), &ranking, user.id, &request)
        .await?;
    println!("first pick: {} ({:?})", first[0].id, first[0].close_to);
    let (mut training, mut cached) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        recs.forget_model(user.id);
        let clock = Instant::now();
        recs.picks(store.as_ref(), &ranking, user.id, &request)
            .await?;
        training.push(clock.elapsed());
        let clock = Instant::now();
        recs.picks(store.as_ref(), &ranking, user.id, &request)
            .await?;
        cached.push(clock.elapsed());
    }
    println!(
        "For-you, 50 saved papers, {} candidates, {runs} runs each:",
        corpus.len()
    );
    println!(
        "  model trained for the request: p50 {:.1?}, p90 {:.1?}",
        percentile(&mut training, 0.5),
        percentile(&mut training, 0.9)
    );
    println!(
        "  model trained and cached:      p50 {:.1?}, p90 {:.1?}",
        percentile(&mut cached, 0.5),
        percentile(&mut cached, 0.9)
    );
    store.close().await;
    Ok(())
}
