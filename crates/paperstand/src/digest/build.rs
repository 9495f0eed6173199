//! The digest builder: for each active subscriber whose period is due, choose the papers
//! (with the ranking every page uses) and record the digest with its outbox row.
//!
//! Sections, in order, each paper at most once: trending (the period's papers in the
//! order the daily page or `sort=trending` shows them, top N), then one per chosen
//! category. A paper the subscriber received in an earlier digest (60 days back) is
//! never chosen again. A period whose selection is empty is "nothing new": a short note
//! or nothing, as the subscriber chose — recorded either way, so it is decided once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use paperstand_core::ArxivId;
use paperstand_store::{
    DigestItem, DigestKind, EmptyPolicy, Frequency, NewDigest, Preferences, Store, Subscriber,
    SubscriberId,
};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use super::period::{Period, current_period, is_listing_day, ready};
use super::personal::Personal;
use crate::config::DigestConfig;
use crate::ranking::Ranking;

/// How far back "already received" looks.
const HISTORY_DAYS: i64 = 60;
/// Subscribers read and digests written per transaction.
const BATCH: u32 = 500;

/// What one build run did. Balances: `considered = not_due + waiting + already_built +
/// with_papers + notes + skipped`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildReport {
    /// Active subscribers looked at.
    pub considered: u64,
    /// No period due yet (new subscribers before their first send time).
    pub not_due: u64,
    /// Their day's ingestion has not completed and its deadline has not passed.
    pub waiting: u64,
    /// The period's digest existed already.
    pub already_built: u64,
    /// New digests with papers.
    pub with_papers: u64,
    /// New "nothing new" notes.
    pub notes: u64,
    /// Nothing new and the subscriber skips such periods.
    pub skipped: u64,
}

impl BuildReport {
    /// Whether every subscriber considered is accounted for.
    pub fn balances(&self) -> bool {
        self.considered
            == self.not_due
                + self.waiting
                + self.already_built
                + self.with_papers
                + self.notes
                + self.skipped
    }
}

/// The papers of one period in ranked order, with their categories.
#[derive(Debug, Default)]
pub struct PeriodPapers {
    order: Vec<(ArxivId, Vec<String>)>,
}

impl PeriodPapers {
    /// How many papers the period has.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// Loads a period's papers, best first; withdrawn and hidden papers are left out.
pub async fn period_papers(
    store: &dyn Store,
    ranking: &Ranking,
    period: Period,
    now: OffsetDateTime,
) -> anyhow::Result<PeriodPapers> {
    let list = match period {
        Period::Day(day) => ranking.day(store, day, now).await?,
        Period::Week(_) => {
            let (first, last) = period.listing_days();
            ranking.listed_between(store, first, last, now).await?
        }
    };
    let ids = list.ids(0, usize::MAX);
    let mut papers = HashMap::new();
    for chunk in ids.chunks(1_000) {
        for paper in store.papers_by_ids(chunk).await? {
            if !paper.withdrawn {
                papers.insert(paper.id.base().to_owned(), paper.categories);
            }
        }
    }
    let order = ids
        .into_iter()
        .filter_map(|id| {
            let categories = papers.remove(id.base())?;
            Some((id, categories))
        })
        .collect();
    Ok(PeriodPapers { order })
}

fn in_category(categories: &[String], wanted: &str) -> bool {
    categories.iter().any(|c| {
        c.eq_ignore_ascii_case(wanted)
            || (!wanted.contains('.')
                && c.split_once('.')
                    .is_some_and(|(archive, _)| archive.eq_ignore_ascii_case(wanted)))
    })
}

/// The papers a subscriber with `preferences` gets from `papers`, none of `received`.
pub fn select(
    preferences: &Preferences,
    papers: &PeriodPapers,
    received: &HashSet<ArxivId>,
) -> Vec<DigestItem> {
    let mut chosen: HashSet<&ArxivId> = HashSet::new();
    let mut items = Vec::new();
    let mut take = |section: String, limit: u32, keep: &dyn Fn(&[String]) -> bool| {
        let mut n = 0;
        for (id, categories) in &papers.order {
            if n >= limit {
                break;
            }
            if received.contains(id) || chosen.contains(id) || !keep(categories) {
                continue;
            }
            chosen.insert(id);
            items.push(DigestItem {
                id: id.clone(),
                section: section.clone(),
                reason: String::new(),
            });
            n += 1;
        }
    };
    take("trending".to_owned(), preferences.trending, &|_| true);
    for category in &preferences.categories {
        take(
            format!("cat:{category}"),
            preferences.per_category,
            &|categories| in_category(categories, category),
        );
    }
    items
}

/// The digest a subscriber gets for `period`, unsaved.
pub fn compose(
    subscriber: &Subscriber,
    period: Period,
    papers: &PeriodPapers,
    received: &HashSet<ArxivId>,
    message_host: &str,
) -> NewDigest {
    let items = select(&subscriber.preferences, papers, received);
    let kind = match (items.is_empty(), subscriber.preferences.empty) {
        (false, _) => DigestKind::Papers,
        (true, EmptyPolicy::Note) => DigestKind::Note,
        (true, EmptyPolicy::Skip) => DigestKind::Skipped,
    };
    NewDigest {
        subscriber: subscriber.id,
        period: period.key(),
        kind,
        items,
        message_id: message_id(period, subscriber.id, message_host),
    }
}

/// The digest's `Message-ID` (without brackets): the same on every attempt, so a copy
/// that did go twice is recognisable as the same message.
pub fn message_id(period: Period, subscriber: SubscriberId, host: &str) -> String {
    format!(
        "digest.{}.{subscriber}@{host}",
        period.key().replace(':', "-")
    )
}

/// The period `forced` stands for, for these preferences (`digest send --period`):
/// the day for daily subscribers (on a listing day), the week ending the day before for
/// weekly subscribers whose day it is.
pub fn forced_period(preferences: &Preferences, forced: Date) -> Option<Period> {
    match preferences.frequency {
        Frequency::Daily => is_listing_day(forced).then_some(Period::Day(forced)),
        Frequency::Weekly => (forced.weekday().number_from_monday() == preferences.weekday)
            .then_some(Period::Week(forced)),
    }
}

/// Builds and records every due digest. `forced`: act as if it were that day's send
/// time for everyone, ingestion done or not (`digest send --period`).
pub async fn build_due(
    store: &dyn Store,
    ranking: &Ranking,
    config: &DigestConfig,
    message_host: &str,
    personal: Option<&Personal>,
    now: OffsetDateTime,
    forced: Option<Date>,
) -> anyhow::Result<BuildReport> {
    let context = Context {
        store,
        ranking,
        config,
        message_host,
        personal,
    };
    let (report, _) = run(&context, now, forced, true).await?;
    Ok(report)
}

/// The digests [`build_due`] would record, unrecorded (dry runs).
pub async fn compose_due(
    store: &dyn Store,
    ranking: &Ranking,
    config: &DigestConfig,
    message_host: &str,
    personal: Option<&Personal>,
    now: OffsetDateTime,
    forced: Option<Date>,
) -> anyhow::Result<(BuildReport, Vec<NewDigest>)> {
    let context = Context {
        store,
        ranking,
        config,
        message_host,
        personal,
    };
    run(&context, now, forced, false).await
}

/// What a build run reads.
struct Context<'a> {
    store: &'a dyn Store,
    ranking: &'a Ranking,
    config: &'a DigestConfig,
    message_host: &'a str,
    personal: Option<&'a Personal>,
}

async fn run(
    context: &Context<'_>,
    now: OffsetDateTime,
    forced: Option<Date>,
    record: bool,
) -> anyhow::Result<(BuildReport, Vec<NewDigest>)> {
    let Context {
        store,
        ranking,
        config,
        message_host,
        personal,
    } = *context;
    let mut composed = Vec::new();
    let mut report = BuildReport::default();
    let mut periods: HashMap<Period, Arc<PeriodPapers>> = HashMap::new();
    let mut readiness: HashMap<Period, bool> = HashMap::new();
    let mut after = 0;
    loop {
        let subscribers = store.active_subscribers(after, BATCH).await?;
        let Some(last) = subscribers.last() else {
            break;
        };
        after = last.id;
        let ids: Vec<SubscriberId> = subscribers.iter().map(|s| s.id).collect();
        let history = store
            .digest_history(&ids, now - Duration::days(HISTORY_DAYS))
            .await?;
        let mut received: HashMap<SubscriberId, HashSet<ArxivId>> = HashMap::new();
        let mut built: HashSet<(SubscriberId, String)> = HashSet::new();
        for entry in history {
            received
                .entry(entry.subscriber)
                .or_default()
                .extend(entry.papers);
            built.insert((entry.subscriber, entry.period));
        }
        let mut batch = Vec::new();
        let empty = HashSet::new();
        for subscriber in &subscribers {
            report.considered += 1;
            let period = match forced {
                Some(day) => forced_period(&subscriber.preferences, day),
                None => current_period(&subscriber.preferences, subscriber.confirmed_at, now),
            };
            let Some(period) = period else {
                report.not_due += 1;
                continue;
            };
            if built.contains(&(subscriber.id, period.key())) {
                report.already_built += 1;
                continue;
            }
            if forced.is_none() {
                let is_ready = match readiness.get(&period) {
                    Some(r) => *r,
                    None => {
                        let r = period_ready(store, config, period, now).await?;
                        readiness.insert(period, r);
                        r
                    }
                };
                if !is_ready {
                    report.waiting += 1;
                    continue;
                }
            }
            let papers = match periods.get(&period) {
                Some(p) => p.clone(),
                None => {
                    let p = Arc::new(period_papers(store, ranking, period, now).await?);
                    periods.insert(period, p.clone());
                    p
                }
            };
            let got = received.get(&subscriber.id).unwrap_or(&empty);
            let mut digest = compose(subscriber, period, &papers, got, message_host);
            if let Some(personal) = personal {
                personal
                    .add_sections(
                        store,
                        ranking,
                        super::personal::Target {
                            subscriber,
                            period,
                            received: got,
                        },
                        &mut digest,
                        now,
                    )
                    .await?;
            }
            batch.push(digest);
        }
        let inserted = if record {
            store.insert_digests(&batch, now).await?
        } else {
            batch.len() as u64
        };
        for digest in &batch {
            match digest.kind {
                DigestKind::Papers => report.with_papers += 1,
                DigestKind::Note => report.notes += 1,
                DigestKind::Skipped => report.skipped += 1,
            }
        }
        // Another node may have built some of them between our read and our write.
        let raced = batch.len() as u64 - inserted;
        if raced > 0 {
            report.already_built += raced;
            report.with_papers = report.with_papers.saturating_sub(raced);
        }
        if !record {
            composed.extend(batch);
        }
    }
    Ok((report, composed))
}

async fn period_ready(
    store: &dyn Store,
    config: &DigestConfig,
    period: Period,
    now: OffsetDateTime,
) -> anyhow::Result<bool> {
    let ingested = match period {
        Period::Day(day) => store
            .setting(&crate::ingest::announce::ingestion_marker(day))
            .await?
            .is_some(),
        Period::Week(_) => true,
    };
    Ok(ready(period, ingested, config.ready_deadline_hours, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn papers(list: &[(&str, &[&str])]) -> PeriodPapers {
        PeriodPapers {
            order: list
                .iter()
                .map(|(id, cats)| {
                    (
                        id.parse().unwrap(),
                        cats.iter().map(|c| (*c).to_owned()).collect(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn sections_take_each_paper_once_and_skip_what_was_received() {
        let list = papers(&[
            ("2611.00001", &["cs.CL"]),
            ("2611.00002", &["cs.LG"]),
            ("2611.00003", &["cs.CL", "cs.AI"]),
            ("2611.00004", &["math.CO"]),
            ("2611.00005", &["cs.CL"]),
        ]);
        let prefs = Preferences {
            trending: 2,
            categories: vec!["cs.CL".to_owned(), "math".to_owned()],
            per_category: 2,
            ..Preferences::default()
        };
        let received: HashSet<ArxivId> = ["2611.00002".parse().unwrap()].into_iter().collect();
        let items = select(&prefs, &list, &received);
        let got: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.id.base(), i.section.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2611.00001", "trending"),
                ("2611.00003", "trending"),
                ("2611.00005", "cat:cs.CL"),
                ("2611.00004", "cat:math"),
            ]
        );
    }

    #[test]
    fn message_ids_are_stable_and_per_digest() {
        let day = Period::Day(time::macros::date!(2026 - 11 - 27));
        assert_eq!(
            message_id(day, 7, "papers.example.org"),
            message_id(day, 7, "papers.example.org")
        );
        assert_ne!(message_id(day, 7, "h"), message_id(day, 8, "h"));
        assert_eq!(message_id(day, 7, "h"), "digest.day-2026-11-27.7@h");
    }
}
