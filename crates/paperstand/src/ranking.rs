//! The one place the application ranks papers: the trending lists (by window, category
//! and year), a listing day's order, and one paper's breakdown. Pages, the API, feeds and
//! digests all ask the [`Ranking`] service; the formula itself is
//! `paperstand_core::trending` (docs/ranking.md). Imports `core`, `store` and `std`.
//!
//! Ranked lists are kept in memory, keyed by their query, while the store's change
//! sequences (papers and community) are unchanged, for at most [`MAX_AGE`] and within
//! one UTC day (scores decay with time, and a window moves at midnight).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use paperstand_core::trending::{Breakdown, TrendingInput, TrendingParams, Window, rank, score};
use paperstand_core::{ArxivId, Paper};
use paperstand_store::{Page, Result, Store, TrendingQuery};
use time::{Date, OffsetDateTime, UtcOffset};

/// The longest a ranked list is reused: scores decay with age, so a list computed a
/// minute ago is still the same order to within a hair.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Ranked lists kept at most; all are forgotten when a new one would exceed it (keys
/// come from URLs: categories and years).
const MAX_LISTS: usize = 256;
/// Most papers one listing day holds (a day's withdrawn papers are found among them).
const DAY_LIMIT: u32 = 20_000;

/// What a trending list holds: the window, and optionally one category (or archive,
/// such as `cs`) and one year of first submission.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrendingFilter {
    /// Which signals count and the decay's time scale.
    pub window: Window,
    /// `cs.CL`, or an archive such as `cs`.
    pub category: Option<String>,
    /// Year of first submission (v1, else the listing).
    pub year: Option<i32>,
}

impl TrendingFilter {
    /// All papers in `window`.
    pub fn window(window: Window) -> TrendingFilter {
        TrendingFilter {
            window,
            category: None,
            year: None,
        }
    }

    /// The filter of a request's `window`, category and `year` parameters (absent or
    /// empty: the week, every category, every year).
    pub fn parse(
        window: Option<&str>,
        category: Option<&str>,
        year: Option<&str>,
    ) -> std::result::Result<TrendingFilter, FilterError> {
        let shown = |text: &str| text.chars().take(40).collect::<String>();
        let window = match window.map(str::trim).filter(|w| !w.is_empty()) {
            None => DEFAULT_WINDOW,
            Some(text) => Window::parse(text).ok_or_else(|| FilterError {
                field: "window",
                detail: format!(
                    "window must be day (or today), week, month or all, not {:?}",
                    shown(text)
                ),
            })?,
        };
        let category = match category.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(text) if is_category(text) => Some(text.to_owned()),
            Some(text) => {
                return Err(FilterError {
                    field: "category",
                    detail: format!(
                        "category must be an arXiv category or archive such as cs.CL or cs, not {:?}",
                        shown(text)
                    ),
                });
            }
        };
        let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
            None => None,
            Some(text) => Some(
                text.parse::<i32>()
                    .ok()
                    .filter(|y| text.len() == 4 && (1000..=9999).contains(y))
                    .ok_or_else(|| FilterError {
                        field: "year",
                        detail: format!(
                            "year must be a year of four digits such as 2026, not {:?}",
                            shown(text)
                        ),
                    })?,
            ),
        };
        Ok(TrendingFilter {
            window,
            category,
            year,
        })
    }
}

/// The window lists show when none is asked for.
pub const DEFAULT_WINDOW: Window = Window::Week;

/// A trending parameter that is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// `window`, `category` or `year`.
    pub field: &'static str,
    /// What is wrong and what would do, in a sentence.
    pub detail: String,
}

/// `cs.CL`, `math.GT`, `hep-th`, `cs`: letters, digits, dots and dashes, at most 32.
fn is_category(text: &str) -> bool {
    text.len() <= 32
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// A paper's place on a ranked list.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedPaper {
    /// The paper.
    pub id: ArxivId,
    /// Why it has its place; `None` for a day's papers the formula does not rank
    /// (withdrawn ones, listed last).
    pub breakdown: Option<Breakdown>,
    /// A curator featured it (the day's order only).
    pub featured: bool,
}

/// A ranked list, best first, as of one instant. Breakdowns are computed when asked
/// for, from the same inputs and instant as the order, so they always agree with it.
#[derive(Debug)]
pub struct RankedList {
    window: Window,
    params: TrendingParams,
    as_of: OffsetDateTime,
    /// Ranked inputs, best first (featured ones first on a day).
    ranked: Vec<TrendingInput>,
    featured: HashSet<ArxivId>,
    /// A day's papers the formula does not rank (withdrawn), after the ranked ones.
    unranked: Vec<ArxivId>,
    /// The store's (papers, community) sequences the list was computed from.
    seqs: (i64, i64),
}

impl RankedList {
    /// How many papers the list holds.
    pub fn len(&self) -> usize {
        self.ranked.len() + self.unranked.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The window the scores are for.
    pub fn window(&self) -> Window {
        self.window
    }

    /// The instant the scores are computed at.
    pub fn as_of(&self) -> OffsetDateTime {
        self.as_of
    }

    /// The ids of up to `limit` papers from position `offset`.
    pub fn ids(&self, offset: usize, limit: usize) -> Vec<ArxivId> {
        self.ranked
            .iter()
            .map(|input| &input.id)
            .chain(&self.unranked)
            .skip(offset)
            .take(limit)
            .cloned()
            .collect()
    }

    /// Up to `limit` papers from position `offset`, with their breakdowns.
    pub fn entries(&self, offset: usize, limit: usize) -> Vec<RankedPaper> {
        let ranked = self.ranked.iter().map(|input| RankedPaper {
            id: input.id.clone(),
            breakdown: Some(self.breakdown_of(input)),
            featured: self.featured.contains(&input.id),
        });
        let unranked = self.unranked.iter().map(|id| RankedPaper {
            id: id.clone(),
            breakdown: None,
            featured: false,
        });
        ranked.chain(unranked).skip(offset).take(limit).collect()
    }

    /// The breakdown of one paper on the list.
    pub fn find(&self, id: &ArxivId) -> Option<Breakdown> {
        let id = id.without_version();
        self.ranked
            .iter()
            .find(|input| input.id == id)
            .map(|input| self.breakdown_of(input))
    }

    fn breakdown_of(&self, input: &TrendingInput) -> Breakdown {
        score(input, &self.params, self.window, self.as_of)
    }

    fn fresh_for(&self, seqs: (i64, i64), now: OffsetDateTime) -> bool {
        self.seqs == seqs
            && (now - self.as_of).unsigned_abs() < MAX_AGE
            && utc_date(self.as_of) == utc_date(now)
    }
}

/// Which list a cache slot holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Trending(TrendingFilter),
    Day(Date),
}

/// One cached list; its lock makes concurrent requests for the same list wait for one
/// computation instead of each running it.
type Slot = Arc<tokio::sync::Mutex<Option<Arc<RankedList>>>>;

/// Ranks papers with the trending formula and remembers the lists (see the module doc).
#[derive(Debug)]
pub struct Ranking {
    params: TrendingParams,
    lists: Mutex<HashMap<Key, Slot>>,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking::new(TrendingParams::default())
    }
}

impl Ranking {
    /// A ranking with these parameters (validated by the config).
    pub fn new(params: TrendingParams) -> Ranking {
        Ranking {
            params,
            lists: Mutex::default(),
        }
    }

    /// The formula's parameters.
    pub fn params(&self) -> &TrendingParams {
        &self.params
    }

    /// The trending list of `filter` as of `now`, best first. Hidden and withdrawn
    /// papers are never on it.
    pub async fn trending(
        &self,
        store: &dyn Store,
        filter: &TrendingFilter,
        now: OffsetDateTime,
    ) -> Result<Arc<RankedList>> {
        self.cached(store, Key::Trending(filter.clone()), now, || async {
            let query = TrendingQuery {
                since: filter.window.first_day(utc_date(now)),
                listed_on: None,
                category: filter.category.clone(),
                year: filter.year,
            };
            let inputs = store.trending_inputs(&query).await?;
            Ok(self.ranked(inputs, filter.window, now))
        })
        .await
    }

    /// The papers listed on `day` in the order the daily page shows them: the featured
    /// ones first, then the rest, each by their trending score over all their signals
    /// (all papers of a day have the same age, so this is by points), then withdrawn
    /// papers by id. Hidden papers are absent.
    pub async fn day(
        &self,
        store: &dyn Store,
        day: Date,
        now: OffsetDateTime,
    ) -> Result<Arc<RankedList>> {
        self.cached(store, Key::Day(day), now, || async {
            let query = TrendingQuery {
                listed_on: Some(day),
                ..TrendingQuery::default()
            };
            let inputs = store.trending_inputs(&query).await?;
            let mut list = self.ranked(inputs, Window::All, now);
            list.featured = store.featured_on(day).await?.into_iter().collect();
            // A stable sort keeps the trending order within both groups.
            list.ranked
                .sort_by_key(|input| !list.featured.contains(&input.id));
            if (list.ranked.len() as u64) < store.count_listed_on(day).await? {
                list.unranked = unranked_of_day(store, day, &list.ranked).await?;
            }
            Ok(list)
        })
        .await
    }

    /// The papers listed from `first` to `last` (included), by their trending score
    /// over all their signals, as the Hugging Face–compatible `sort=trending` orders a
    /// week or month.
    pub async fn listed_between(
        &self,
        store: &dyn Store,
        first: Date,
        last: Date,
        now: OffsetDateTime,
    ) -> Result<Arc<RankedList>> {
        let all = self
            .trending(store, &TrendingFilter::window(Window::All), now)
            .await?;
        // Filtering the all-time list is cheap next to ranking it: not cached on its own.
        let within = |input: &&TrendingInput| (first..=last).contains(&input.listed_on);
        Ok(Arc::new(RankedList {
            ranked: all.ranked.iter().filter(within).cloned().collect(),
            seqs: all.seqs,
            ..self.empty(Window::All, all.as_of)
        }))
    }

    /// One paper's breakdown in `window` (over all categories and years); `None` when
    /// it is not on that window's list: hidden, withdrawn, or listed before the window
    /// with no signal within it.
    pub async fn breakdown(
        &self,
        store: &dyn Store,
        id: &ArxivId,
        window: Window,
        now: OffsetDateTime,
    ) -> Result<Option<Breakdown>> {
        let list = self
            .trending(store, &TrendingFilter::window(window), now)
            .await?;
        Ok(list.find(id))
    }

    /// Inputs ranked best first, as of `now`.
    fn ranked(
        &self,
        inputs: Vec<TrendingInput>,
        window: Window,
        now: OffsetDateTime,
    ) -> RankedList {
        let order = rank(&inputs, &self.params, window, now);
        let mut by_id: HashMap<ArxivId, TrendingInput> = inputs
            .into_iter()
            .map(|input| (input.id.clone(), input))
            .collect();
        let ranked = order
            .iter()
            .filter_map(|scored| by_id.remove(&scored.item))
            .collect();
        RankedList {
            ranked,
            ..self.empty(window, now)
        }
    }

    fn empty(&self, window: Window, as_of: OffsetDateTime) -> RankedList {
        RankedList {
            window,
            params: self.params,
            as_of,
            ranked: Vec::new(),
            featured: HashSet::new(),
            unranked: Vec::new(),
            seqs: (0, 0),
        }
    }

    /// The list under `key`: the remembered one while it is fresh, else `compute`d (once,
    /// however many requests ask at the same time) and remembered.
    async fn cached<F, Fut>(
        &self,
        store: &dyn Store,
        key: Key,
        now: OffsetDateTime,
        compute: F,
    ) -> Result<Arc<RankedList>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<RankedList>>,
    {
        let slot = self.slot(key);
        let mut held = slot.lock().await;
        // Read before computing: a change during the computation makes the next request
        // compute again rather than trust this list.
        let seqs = (store.change_seq().await?, store.community_seq().await?);
        if let Some(list) = held.as_ref().filter(|l| l.fresh_for(seqs, now)) {
            return Ok(list.clone());
        }
        let started = Instant::now();
        let mut list = compute().await?;
        list.seqs = seqs;
        let list = Arc::new(list);
        *held = Some(list.clone());
        tracing::debug!(
            papers = list.len(),
            duration_ms = started.elapsed().as_millis() as u64,
            "ranked a list"
        );
        Ok(list)
    }

    fn slot(&self, key: Key) -> Slot {
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        if !lists.contains_key(&key) && lists.len() >= MAX_LISTS {
            lists.clear();
        }
        lists.entry(key).or_default().clone()
    }
}

/// The papers of `day` that are shown but not ranked (withdrawn ones), by id.
async fn unranked_of_day(
    store: &dyn Store,
    day: Date,
    ranked: &[TrendingInput],
) -> Result<Vec<ArxivId>> {
    let ranked: HashSet<&ArxivId> = ranked.iter().map(|input| &input.id).collect();
    let page = Page {
        limit: DAY_LIMIT,
        offset: 0,
    };
    let mut rest: Vec<ArxivId> = store
        .papers_listed_on(day, page)
        .await?
        .into_iter()
        .filter(|paper| paper.withdrawn && !ranked.contains(&paper.id))
        .map(|paper| paper.id)
        .collect();
    rest.sort();
    Ok(rest)
}

/// The stored papers of `ids`, in the order of `ids` (the store returns them in none).
pub async fn papers_in_order(store: &dyn Store, ids: &[ArxivId]) -> Result<Vec<Paper>> {
    let mut by_id: HashMap<ArxivId, Paper> = store
        .papers_by_ids(ids)
        .await?
        .into_iter()
        .map(|paper| (paper.id.without_version(), paper))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(&id.without_version()))
        .collect())
}

fn utc_date(at: OffsetDateTime) -> Date {
    at.to_offset(UtcOffset::UTC).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn input(id: &str, listed_on: Date, upvotes: u32) -> TrendingInput {
        TrendingInput {
            id: id.parse().unwrap(),
            listed_on,
            upvotes_in_window: upvotes,
            stars_gained_in_window: 0,
            comments_in_window: 0,
            submitted_by_member: false,
        }
    }

    #[test]
    fn filters_are_read_with_the_week_as_default_and_clear_errors() {
        let parse = |w, c, y| TrendingFilter::parse(w, c, y);
        assert_eq!(
            parse(None, Some(""), Some("")).unwrap(),
            TrendingFilter::window(Window::Week)
        );
        let filter = parse(Some("today"), Some("cs.CL"), Some("2026")).unwrap();
        assert_eq!(
            (filter.window, filter.category.as_deref(), filter.year),
            (Window::Day, Some("cs.CL"), Some(2026))
        );
        assert_eq!(
            parse(Some("all"), Some("cs"), None).unwrap().window,
            Window::All
        );
        for (w, c, y, field) in [
            (Some("year"), None, None, "window"),
            (None, Some("<script>"), None, "category"),
            (None, Some(&*"x".repeat(33)), None, "category"),
            (None, None, Some("26"), "year"),
            (None, None, Some("twenty"), "year"),
            (None, None, Some("+202"), "year"),
        ] {
            let error = parse(w, c, y).unwrap_err();
            assert_eq!(error.field, field, "{w:?} {c:?} {y:?}");
            assert!(error.detail.starts_with(field), "{}", error.detail);
        }
    }

    #[test]
    fn a_list_is_in_the_formula_order_and_its_breakdowns_agree_with_it() {
        let ranking = Ranking::default();
        let now = datetime!(2025-03-14 12:00 UTC);
        let list = ranking.ranked(
            vec![
                input("2503.00001", date!(2025 - 03 - 14), 1),
                input("2503.00002", date!(2025 - 03 - 10), 30),
                input("2503.00003", date!(2025 - 03 - 14), 3),
                input("2503.00004", date!(2025 - 03 - 14), 0),
            ],
            Window::Week,
            now,
        );
        let ids: Vec<String> = list.ids(0, 10).iter().map(ToString::to_string).collect();
        assert_eq!(
            ids,
            ["2503.00002", "2503.00003", "2503.00001", "2503.00004"]
        );
        let entries = list.entries(1, 2);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].id.to_string(), "2503.00003");
        for entry in list.entries(0, 10) {
            let breakdown = entry.breakdown.unwrap();
            let sum: f64 = breakdown.terms.iter().map(|t| t.contribution).sum();
            assert_eq!(sum / breakdown.decay, breakdown.score);
        }
        let id = "2503.00002v3".parse().unwrap();
        assert_eq!(list.find(&id).unwrap().terms[0].count, 30, "any version");
        assert!(list.find(&"2503.99999".parse().unwrap()).is_none());
    }

    #[test]
    fn unranked_papers_come_last_without_a_breakdown() {
        let ranking = Ranking::default();
        let now = datetime!(2025-03-14 12:00 UTC);
        let mut list = ranking.ranked(
            vec![input("2503.00001", date!(2025 - 03 - 14), 1)],
            Window::All,
            now,
        );
        list.unranked = vec!["2503.00000".parse().unwrap()];
        assert_eq!(list.len(), 2);
        let entries = list.entries(0, 5);
        assert!(entries[0].breakdown.is_some() && entries[1].breakdown.is_none());
        assert_eq!(list.ids(1, 5)[0].to_string(), "2503.00000");
    }

    #[test]
    fn a_list_is_stale_after_a_change_a_minute_or_midnight() {
        let ranking = Ranking::default();
        let now = datetime!(2025-03-14 23:59:00 UTC);
        let mut list = ranking.ranked(Vec::new(), Window::Week, now);
        list.seqs = (4, 7);
        assert!(list.fresh_for((4, 7), now + time::Duration::seconds(30)));
        assert!(!list.fresh_for((5, 7), now), "papers changed");
        assert!(
            !list.fresh_for((4, 8), now),
            "a vote, comment or star count"
        );
        assert!(!list.fresh_for((4, 7), now + time::Duration::seconds(61)));
        assert!(
            !list.fresh_for((4, 7), datetime!(2025-03-15 00:00:10 UTC)),
            "the window moved at midnight"
        );
    }
}
