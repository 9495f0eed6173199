//! Seeds a data directory's papers with community activity for benchmarks
//! (bench/trending.sh): members, upvotes and comments spread over the last 30 days and
//! skewed towards a few papers, and GitHub repositories with a star count before the
//! month and one today. Deterministic for a given seed; runs through the store's public
//! methods, as the web site would.
//!
//! Usage: cargo run --release --example seed_community -- DATA_DIR [VOTES] [MEMBERS] [SEED]

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use paperstand_core::ArxivId;
use paperstand_store::{
    Community, NewUser, RepoCheck, RepoOutcome, Role, SqliteStore, Store, UserId,
};
use time::{Duration, OffsetDateTime};

/// Days back that votes and comments are spread over.
const SPREAD_DAYS: u64 = 30;

/// xorshift64*: a small deterministic generator, enough to spread test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Skewed towards 0: the square of a uniform fraction, so a tenth of the papers draw
    /// about a third of the activity.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as usize
    }

    /// An instant within the last `SPREAD_DAYS` days.
    fn recent(&mut self, now: OffsetDateTime) -> OffsetDateTime {
        now - Duration::seconds(self.below(SPREAD_DAYS * 86_400) as i64)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .context("usage: seed_community DATA_DIR [VOTES] [MEMBERS] [SEED]")?,
    );
    let votes: usize = args.next().map_or(Ok(20_000), |v| v.parse())?;
    let members: usize = args.next().map_or(Ok(500), |v| v.parse())?;
    let seed: u64 = args.next().map_or(Ok(1), |v| v.parse())?;
    let store = SqliteStore::open(&dir.join("paperstand.sqlite")).await?;
    let started = Instant::now();
    let now = OffsetDateTime::now_utc();
    let mut rng = Rng(seed.max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));

    let ids = all_ids(&store).await?;
    anyhow::ensure!(
        !ids.is_empty(),
        "no papers in {}: import some first",
        dir.display()
    );
    // Papers in a shuffled order, so the skew favours papers of every listing day.
    let mut order = ids.clone();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }

    let mut users: Vec<UserId> = Vec::with_capacity(members);
    for n in 0..members {
        let user = NewUser {
            email: format!("seed{n}@example.org"),
            display_name: format!("Seed member {n}"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNlZWQ$c2VlZHNlZWRzZWVkc2VlZA"
                .to_owned(),
            role: Role::Member,
            verified: true,
        };
        users.push(store.create_user(&user, now).await?.id);
    }
    for _ in 0..votes {
        let user = users[rng.below(users.len() as u64) as usize];
        let paper = &order[rng.skewed(order.len())];
        store.set_vote(user, paper, true, rng.recent(now)).await?;
    }
    let comments = votes / 10;
    for n in 0..comments {
        let user = users[rng.below(users.len() as u64) as usize];
        let paper = &order[rng.skewed(order.len())];
        let body = format!("Seeded comment {n}: the ablation in section 4 is worth a look.");
        store
            .add_comment(user, paper, &body, rng.recent(now))
            .await?;
    }
    let repos = seed_repos(&store, &order, &mut rng, now).await?;
    println!(
        "seeded {members} members, {votes} upvotes, {comments} comments and {repos} repositories \
         on {} papers in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}

/// Every paper's id.
async fn all_ids(store: &SqliteStore) -> anyhow::Result<Vec<ArxivId>> {
    let mut ids = Vec::new();
    let mut after: Option<ArxivId> = None;
    loop {
        let papers = store.papers_after(after.as_ref(), 1_000).await?;
        let Some(last) = papers.last() else {
            return Ok(ids);
        };
        after = Some(last.id.clone());
        ids.extend(papers.into_iter().map(|p| p.id));
    }
}

/// Links one paper in twenty to a repository with a count 40 days ago and one today.
async fn seed_repos(
    store: &SqliteStore,
    order: &[ArxivId],
    rng: &mut Rng,
    now: OffsetDateTime,
) -> anyhow::Result<usize> {
    let before = now - Duration::days(40);
    let links: Vec<(ArxivId, String)> = order
        .iter()
        .step_by(20)
        .enumerate()
        .map(|(n, id)| (id.clone(), format!("seed-owner/repo-{n}")))
        .collect();
    store.link_repos(&links, before).await?;
    let due = store.repos_due(now, links.len() as u32 + 1).await?;
    for repo in &due {
        let old = rng.below(2_000);
        // Most repositories gain a few stars; one in ten gains thousands.
        let gain = if rng.below(10) == 0 {
            rng.below(5_000)
        } else {
            rng.below(60)
        };
        for (at, stars) in [(before, old), (now, old + gain)] {
            let check = RepoCheck {
                id: repo.id,
                outcome: RepoOutcome::Stars { stars, etag: None },
                checked_at: at,
                next_check_at: now + Duration::days(1),
            };
            store.record_repo_check(&check).await?;
        }
    }
    Ok(due.len())
}
