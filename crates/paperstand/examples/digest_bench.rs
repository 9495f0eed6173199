//! Digest benchmark (issue #6): builds the due digests of many subscribers with mixed
//! preferences, then sends a few thousand through SMTP to a local sink.
//!
//!   digest_bench DATA_DIR SUBSCRIBERS [SMTP_URL] [SEND]
//!
//! DATA_DIR holds papers already (bench/digests.sh imports the corpus). Builds for the
//! latest listing weekday; weekly subscribers get that day as their day, so everyone is
//! due. Prints the seconds, and messages per second for the send (SEND digests, 5,000 by
//! default, in a second database so the two measurements do not mix).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use paperstand::config::{DigestConfig, MailConfig, Secret};
use paperstand::digest::render::Site;
use paperstand::digest::transport::SmtpTransport;
use paperstand::digest::{DigestService, build, links::LinkSigner};
use paperstand::ranking::Ranking;
use paperstand_store::contract::Random;
use paperstand_store::{
    Digests, EmptyPolicy, Frequency, MailFormat, Preferences, SqliteStore, Store,
};
use time::{Date, Duration, OffsetDateTime};

const ZONES: &[&str] = &[
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Asia/Kolkata",
];
const CATEGORIES: &[&str] = &[
    "cs.CL", "cs.LG", "cs.CV", "cs.AI", "stat.ML", "cs.RO", "math", "cs",
];

fn preferences(random: &mut Random, day: Date) -> Preferences {
    let weekly = random.below(10) < 3;
    let categories = (0..random.below(4))
        .map(|_| CATEGORIES[random.below(CATEGORIES.len() as u64) as usize].to_owned())
        .collect();
    Preferences {
        frequency: if weekly {
            Frequency::Weekly
        } else {
            Frequency::Daily
        },
        weekday: day.weekday().number_from_monday(),
        hour: random.below(24) as u8,
        time_zone: ZONES[random.below(ZONES.len() as u64) as usize].to_owned(),
        trending: 5 + random.below(16) as u32,
        categories,
        per_category: 3 + random.below(5) as u32,
        empty: if random.below(2) == 0 {
            EmptyPolicy::Note
        } else {
            EmptyPolicy::Skip
        },
        format: if random.below(5) == 0 {
            MailFormat::Text
        } else {
            MailFormat::Html
        },
        ..Preferences::default()
    }
}

async fn seed(store: &dyn Store, n: usize, day: Date, random: &mut Random) -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    for i in 0..n {
        let prefs = preferences(random, day);
        store
            .subscribe(&format!("reader{i}@example.org"), None, &prefs, None, now)
            .await?;
    }
    Ok(())
}

async fn listing_weekday(store: &dyn Store) -> anyhow::Result<Date> {
    let mut day = store
        .latest_listing_date()
        .await?
        .context("the data directory has no papers")?;
    for _ in 0..14 {
        if paperstand::digest::period::is_listing_day(day) && store.count_listed_on(day).await? > 0
        {
            return Ok(day);
        }
        day -= Duration::days(1);
    }
    anyhow::bail!("no weekday with papers in the last two weeks of listings")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(
        args.get(1)
            .context("usage: digest_bench DATA_DIR SUBSCRIBERS [SMTP_URL] [SEND]")?,
    );
    let n: usize = args.get(2).map_or(Ok(100_000), |a| a.parse())?;
    // The send runs on a copy of the papers with subscribers of its own, taken before
    // the build's subscribers exist (so their digests are not sent too).
    let second = dir.join("send-bench");
    if args.get(3).is_some() {
        std::fs::create_dir_all(&second)?;
        std::fs::copy(
            dir.join("paperstand.sqlite"),
            second.join("paperstand.sqlite"),
        )?;
    }
    let store = Arc::new(SqliteStore::open(&dir.join("paperstand.sqlite")).await?);
    let day = listing_weekday(store.as_ref()).await?;
    println!(
        "corpus: {} papers; period: {day} ({} papers listed that day)",
        store.count_papers().await?,
        store.count_listed_on(day).await?
    );
    let mut random = Random(0x00d1_6e57);
    let started = Instant::now();
    seed(store.as_ref(), n, day, &mut random).await?;
    println!(
        "seeded {n} subscribers in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let ranking = Ranking::default();
    let config = DigestConfig::default();
    let now = OffsetDateTime::now_utc();
    let started = Instant::now();
    let report = build::build_due(
        store.as_ref(),
        &ranking,
        &config,
        "bench.example.org",
        None,
        now,
        Some(day),
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "build: {} subscribers in {seconds:.1} s ({:.0}/s): {} with papers, {} notes, {} skipped, {} not due; balances: {} (target: 100,000 in 60 s)",
        report.considered,
        report.considered as f64 / seconds,
        report.with_papers,
        report.notes,
        report.skipped,
        report.not_due,
        report.balances()
    );
    let started = Instant::now();
    let again = build::build_due(
        store.as_ref(),
        &ranking,
        &config,
        "bench.example.org",
        None,
        now,
        Some(day),
    )
    .await?;
    println!(
        "build again (all built already): {} in {:.1} s",
        again.already_built,
        started.elapsed().as_secs_f64()
    );

    let Some(url) = args.get(3) else {
        return Ok(());
    };
    let send_n: usize = args.get(4).map_or(Ok(5_000), |a| a.parse())?;
    let send_day = day;
    let store = Arc::new(SqliteStore::open(&second.join("paperstand.sqlite")).await?);
    let mut random = Random(0x5e4d);
    for i in 0..send_n {
        let prefs = preferences(&mut random, send_day);
        store
            .subscribe(
                &format!("sender-bench{i}@example.org"),
                None,
                &prefs,
                None,
                now,
            )
            .await?;
    }
    let mail = MailConfig {
        from: "Paperstand <digest@bench.example.org>".to_owned(),
        smtp_url: Some(Secret::new(url.as_str())),
        rate_per_second: 0.0,
        concurrency: 8,
        ..MailConfig::default()
    };
    let transport = SmtpTransport::new(&mail, mail.smtp_url.as_ref().context("url")?)?;
    let service = DigestService {
        store: store.clone(),
        ranking: Arc::new(Ranking::default()),
        config: config.clone(),
        site: Arc::new(Site {
            public_url: "https://bench.example.org".to_owned(),
            from: mail.from.parse()?,
            signer: LinkSigner::new(
                b"bench key bench key bench key 12",
                "digest.bench.example.org",
            ),
        }),
        transport: Arc::new(transport),
        owner: "bench".to_owned(),
        personal: None,
    };
    let built = build::build_due(
        store.as_ref(),
        &service.ranking,
        &config,
        "bench.example.org",
        None,
        now,
        Some(send_day),
    )
    .await?;
    let started = Instant::now();
    let sent = paperstand::digest::send::send_due(
        store.clone(),
        service.transport.clone(),
        service.site.clone(),
        &config,
        "bench",
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "send: {} messages in {seconds:.1} s = {:.0} messages/s over one SMTP connection pool of 8 (render + SMTP + outbox record each); {} of {} built were notes/papers; failed {}, deferred {} (target: 200/s)",
        sent.sent,
        sent.sent as f64 / seconds,
        built.with_papers + built.notes,
        built.considered,
        sent.failed,
        sent.deferred
    );
    std::fs::remove_dir_all(&second).ok();
    Ok(())
}
