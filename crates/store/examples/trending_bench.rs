//! How long the trending inputs take on a full-size corpus: 74,728 papers and about a
//! million signals (600,000 upvotes, 100,000 comments, 300,000 star counts of 20,000
//! repositories), all written through the `Store` trait into a temporary SQLite file,
//! then `trending_inputs` and `rank` for the day, week, month and all-time windows.
//!
//! With `PAPERSTAND_BENCH_POSTGRES=postgres://…` the same corpus is then copied (by
//! `migrate-store`'s copy) into a fresh schema of that database, timed there too, and the
//! schema dropped.
//!
//! `cargo run --release -p paperstand-store --example trending_bench`

use std::collections::HashSet;
use std::time::{Duration as Elapsed, Instant};

use paperstand_core::Paper;
use paperstand_core::trending::{TrendingParams, Window, rank};
use paperstand_store::contract::sample_paper;
use paperstand_store::{
    NewUser, PostgresStore, RepoCheck, RepoOutcome, Role, SqliteStore, Store, TrendingQuery,
};
use time::macros::{date, time};
use time::{Date, Duration, OffsetDateTime};

/// Papers, as many as the full arXiv cs corpus the search benchmarks use.
const PAPERS: usize = 74_728;
/// Members; each upvotes `VOTES_PER_MEMBER` different papers.
const MEMBERS: usize = 5_000;
const VOTES_PER_MEMBER: usize = 120;
const COMMENTS: usize = 100_000;
const REPOS: usize = 20_000;
/// Star counts per repository: 300,000 in all.
const CHECKS_PER_REPO: usize = 15;
/// The last listing day; "now" is the morning after.
const LAST_DAY: Date = date!(2026 - 11 - 20);
/// Listing days the papers spread over (two years).
const DAYS: usize = 730;
/// Timed runs per window; the median is reported.
const RUNS: usize = 5;

/// A small deterministic generator (SplitMix64): the same corpus on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    /// A paper index leaning to the newest (papers are stored oldest first): attention
    /// goes mostly to recent papers, with a long tail.
    fn popular(&mut self, n: usize) -> usize {
        let from_newest = (self.unit().powi(3) * n as f64) as usize;
        n - 1 - from_newest.min(n - 1)
    }
}

fn listing_day(index: usize) -> Date {
    LAST_DAY - Duration::days((DAYS - 1 - index * DAYS / PAPERS) as i64)
}

/// A moment within 30 days after `day` (more often early), never after `now`.
fn after(rng: &mut Rng, day: Date, now: OffsetDateTime) -> OffsetDateTime {
    let seconds = (rng.unit().powi(2) * 30.0 * 86_400.0) as i64;
    (day.midnight().assume_utc() + Duration::seconds(seconds)).min(now)
}

fn papers() -> Vec<Paper> {
    let categories = [
        "cs.CL", "cs.LG", "cs.CV", "cs.AI", "stat.ML", "math.OC", "cs.RO",
    ];
    let filler = "We study a problem and propose a method that improves on prior work. ".repeat(14);
    (0..PAPERS)
        .map(|i| {
            let day = listing_day(i);
            let id = format!(
                "{:02}{:02}.{:05}",
                day.year() % 100,
                u8::from(day.month()),
                i
            );
            let mut paper = sample_paper(&id, &format!("Paper {i}"), day);
            paper.abstract_text = format!("{}{filler}", paper.abstract_text);
            paper.categories = vec![
                categories[i % categories.len()].to_owned(),
                categories[(i / 7) % categories.len()].to_owned(),
            ];
            paper.categories.dedup();
            paper.withdrawn = i % 500 == 0;
            paper
        })
        .collect()
}

async fn fill(store: &dyn Store, papers: &[Paper], now: OffsetDateTime) -> anyhow_free::Result {
    let mut rng = Rng(7);
    let started = Instant::now();
    for batch in papers.chunks(1_000) {
        store.upsert_papers(batch).await?;
    }
    println!(
        "  papers stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let joined = now - Duration::days(800);
    let mut members = Vec::with_capacity(MEMBERS);
    for m in 0..MEMBERS {
        let user = NewUser {
            email: format!("member{m}@example.org"),
            display_name: format!("Member {m}"),
            password_hash: "$argon2id$bench".to_owned(),
            role: Role::Member,
            verified: true,
        };
        members.push(store.create_user(&user, joined).await?.id);
    }
    for member in &members {
        let mut chosen = HashSet::with_capacity(VOTES_PER_MEMBER);
        while chosen.len() < VOTES_PER_MEMBER {
            chosen.insert(rng.popular(papers.len()));
        }
        for index in chosen {
            let paper = &papers[index];
            let at = after(&mut rng, paper.listed_on, now);
            store.set_vote(*member, &paper.id, true, at).await?;
        }
    }
    println!(
        "  {} upvotes in {:.1} s",
        MEMBERS * VOTES_PER_MEMBER,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    for c in 0..COMMENTS {
        let paper = &papers[rng.popular(papers.len())];
        let member = members[rng.below(members.len())];
        let at = after(&mut rng, paper.listed_on, now);
        let comment = store
            .add_comment(member, &paper.id, &format!("Comment {c}"), at)
            .await?;
        if c % 50 == 0 {
            store.remove_comment(comment.id, member, at).await?;
        }
    }
    println!(
        "  {COMMENTS} comments in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let mut owners = Vec::with_capacity(REPOS);
    let mut links = Vec::with_capacity(REPOS * 5 / 4);
    for r in 0..REPOS {
        let owner = rng.popular(papers.len());
        owners.push(owner);
        links.push((papers[owner].id.clone(), format!("lab{}/repo{r}", r % 997)));
        if r % 4 == 0 {
            let other = &papers[rng.below(papers.len())];
            links.push((other.id.clone(), format!("lab{}/repo{r}", r % 997)));
        }
    }
    store
        .link_repos(&links, now - Duration::days(DAYS as i64 + 30))
        .await?;
    let due = store.repos_due(now, REPOS as u32).await?;
    for (repo, owner) in due.iter().zip(&owners) {
        let first = papers[*owner].listed_on;
        let span = (LAST_DAY - first).whole_days().max(CHECKS_PER_REPO as i64);
        let mut days: Vec<i64> = (0..CHECKS_PER_REPO)
            .map(|k| (k as i64 * span) / CHECKS_PER_REPO as i64)
            .collect();
        days.dedup();
        let mut stars = (rng.unit().powi(4) * 5_000.0) as u64;
        for day in days {
            stars += (rng.unit().powi(3) * 200.0) as u64;
            let checked_at = (first + Duration::days(day))
                .with_time(time!(06:00))
                .assume_utc();
            let check = RepoCheck {
                id: repo.id,
                outcome: RepoOutcome::Stars { stars, etag: None },
                checked_at,
                next_check_at: checked_at + Duration::days(1),
            };
            store.record_repo_check(&check).await?;
        }
    }
    println!(
        "  {} repositories ({} paper links), {} star counts in {:.1} s",
        REPOS,
        links.len(),
        REPOS * CHECKS_PER_REPO,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A tiny stand-in for `anyhow`, which this crate does not depend on.
mod anyhow_free {
    /// Any error, boxed.
    pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;
}

fn ms(elapsed: Elapsed) -> f64 {
    elapsed.as_secs_f64() * 1e3
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn time_window(
    store: &dyn Store,
    window: Window,
    now: OffsetDateTime,
) -> anyhow_free::Result {
    let today = now.date();
    let query = TrendingQuery {
        since: window.first_day(today),
        listed_on: (window == Window::Day).then_some(LAST_DAY),
        ..TrendingQuery::default()
    };
    let params = TrendingParams::default();
    let (mut inputs_ms, mut rank_ms) = (Vec::new(), Vec::new());
    let mut sizes = (0, 0);
    for _ in 0..RUNS {
        let started = Instant::now();
        let inputs = store.trending_inputs(&query).await?;
        inputs_ms.push(ms(started.elapsed()));
        let started = Instant::now();
        let ranked = rank(&inputs, &params, window, now);
        rank_ms.push(ms(started.elapsed()));
        let signals = inputs
            .iter()
            .filter(|i| i.upvotes_in_window + i.comments_in_window + i.stars_gained_in_window > 0)
            .count();
        sizes = (ranked.len(), signals);
    }
    let (inputs, rank) = (median(inputs_ms), median(rank_ms));
    println!(
        "{:>6} {:>8} {:>12} {:>12.1} {:>9.1} {:>9.1}",
        window.as_str(),
        sizes.0,
        sizes.1,
        inputs,
        rank,
        inputs + rank
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow_free::Result {
    let dir = tempfile::tempdir()?;
    // PAPERSTAND_BENCH_DB keeps the corpus in that file and reuses it on the next run
    // (generating it takes minutes; timing a change to a query takes seconds).
    let path = std::env::var_os("PAPERSTAND_BENCH_DB")
        .map_or_else(|| dir.path().join("bench.sqlite"), std::path::PathBuf::from);
    let store = SqliteStore::open(&path).await?;
    let now = (LAST_DAY + Duration::days(1))
        .with_time(time!(09:00))
        .assume_utc();
    if store.count_papers().await? == 0 {
        println!("generating the corpus through the Store trait:");
        fill(&store, &papers(), now).await?;
    }
    println!(
        "corpus: {} papers, {} members, {} upvotes, {} comments (1 in 50 removed), {} repositories, {} star counts",
        store.count_papers().await?,
        MEMBERS,
        MEMBERS * VOTES_PER_MEMBER,
        COMMENTS,
        REPOS,
        REPOS * CHECKS_PER_REPO
    );
    time_windows("SQLite", &store, now).await?;
    if let Ok(url) = std::env::var("PAPERSTAND_BENCH_POSTGRES") {
        let schema = format!("trending_bench_{}", std::process::id());
        PostgresStore::create_schema(&url, &schema).await?;
        let result = on_postgres(&store, &url, &schema, now).await;
        PostgresStore::drop_schema(&url, &schema).await?;
        result?;
    }
    store.close().await;
    Ok(())
}

async fn time_windows(
    backend: &str,
    store: &dyn Store,
    now: OffsetDateTime,
) -> anyhow_free::Result {
    println!(
        "\n{backend}: trending_inputs + rank, median of {RUNS} runs (ms):\n{:>6} {:>8} {:>12} {:>12} {:>9} {:>9}",
        "window", "papers", "with signal", "inputs", "rank", "total"
    );
    for window in [Window::Day, Window::Week, Window::Month, Window::All] {
        time_window(store, window, now).await?;
    }
    Ok(())
}

async fn on_postgres(
    from: &SqliteStore,
    url: &str,
    schema: &str,
    now: OffsetDateTime,
) -> anyhow_free::Result {
    let store =
        PostgresStore::open_in(url, Some(schema), std::time::Duration::from_secs(5)).await?;
    let started = Instant::now();
    paperstand_store::copy::copy_sqlite_to_postgres(from, &store, &|_| {}).await?;
    println!(
        "\ncopied into PostgreSQL in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    time_windows("PostgreSQL", &store, now).await?;
    store.close().await;
    Ok(())
}
