//! The trending score (issue #5): the signals a paper drew within a window, weighted
//! into points and divided by an age decay. Pure: counts, a listing date and `now` in,
//! a score and its breakdown out. The formula, its defaults and why are in
//! docs/ranking.md. Imports only `crate`, `serde`, `std` and `time`.

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use crate::ArxivId;

/// An item and the score a ranker gave it. Every ranker returns these, best first, so
/// pages, the API, feeds and digests share one shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored<T> {
    /// What was ranked.
    pub item: T,
    /// Its score; higher ranks first.
    pub score: f64,
}

/// The decay time scale of the `all` window, in days: one year, so that across the
/// whole catalogue a paper five years old needs 6^gravity times the points of a new one.
const ALL_TIME_SCALE_DAYS: i64 = 365;

/// Which signals count: those of the last listing day, week or month, or all time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Window {
    /// One day (`day`, also accepted as `today`).
    Day,
    /// Seven days.
    Week,
    /// Thirty days.
    Month,
    /// All time.
    All,
}

impl Window {
    /// The window named `text` (`day` or `today`, `week`, `month`, `all`), if any.
    pub fn parse(text: &str) -> Option<Window> {
        match text {
            "day" | "today" => Some(Window::Day),
            "week" => Some(Window::Week),
            "month" => Some(Window::Month),
            "all" => Some(Window::All),
            _ => None,
        }
    }

    /// The name URLs and config use (`day`, `week`, `month`, `all`).
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Day => "day",
            Window::Week => "week",
            Window::Month => "month",
            Window::All => "all",
        }
    }

    /// How many days the window spans, counting its last day; `None` for all time.
    pub fn days(self) -> Option<i64> {
        match self {
            Window::Day => Some(1),
            Window::Week => Some(7),
            Window::Month => Some(30),
            Window::All => None,
        }
    }

    /// The first day of the window that ends on `last_day` (included); `None` for all
    /// time. Callers count signals from this day on.
    pub fn first_day(self, last_day: Date) -> Option<Date> {
        let back = Duration::days(self.days()? - 1);
        Some(last_day.checked_sub(back).unwrap_or(Date::MIN))
    }

    /// The decay's time scale in hours: the window's length (a year for `all`), so that
    /// within any window the decay grows from 1 to about 2^gravity.
    pub fn scale_hours(self) -> f64 {
        let days = self.days().unwrap_or(ALL_TIME_SCALE_DAYS);
        (days * 24) as f64
    }
}

/// The tunable constants of the formula, read from `[trending]` in the config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendingParams {
    /// Points per star gained while growth is below `star_knee` (`trending.star_weight`).
    pub star_weight: f64,
    /// Stars gained in the window beyond which growth counts logarithmically: each
    /// doubling then adds about `star_weight · star_knee · ln 2` points
    /// (`trending.star_knee`, in stars).
    pub star_knee: f64,
    /// Points per comment (`trending.comment_weight`).
    pub comment_weight: f64,
    /// Points for a paper a member submitted (`trending.submitted_bonus`).
    pub submitted_bonus: f64,
    /// The exponent of the age decay; 0 turns decay off (`trending.gravity`).
    pub gravity: f64,
}

impl Default for TrendingParams {
    fn default() -> Self {
        TrendingParams {
            star_weight: 0.1,
            star_knee: 100.0,
            comment_weight: 0.5,
            submitted_bonus: 2.0,
            gravity: 1.5,
        }
    }
}

impl TrendingParams {
    /// Checks every value is in its range; the error names the config key. Scores of
    /// params that fail this are unspecified (they may be NaN).
    pub fn validate(&self) -> Result<(), String> {
        let ranges = [
            ("trending.star_weight", self.star_weight, 0.0, 100.0),
            ("trending.star_knee", self.star_knee, 1.0, 1_000_000.0),
            ("trending.comment_weight", self.comment_weight, 0.0, 100.0),
            (
                "trending.submitted_bonus",
                self.submitted_bonus,
                0.0,
                1_000.0,
            ),
            ("trending.gravity", self.gravity, 0.0, 3.0),
        ];
        for (key, value, low, high) in ranges {
            // `contains` is false for NaN, so NaN is rejected too.
            if !(low..=high).contains(&value) {
                return Err(format!(
                    "{key} must be between {low} and {high}, not {value}"
                ));
            }
        }
        Ok(())
    }
}

/// What the ranker knows about one paper: its listing day and the signals it drew in
/// the window. Which papers to rank (hidden, withdrawn, a category) is the caller's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendingInput {
    /// The paper.
    pub id: ArxivId,
    /// The listing day; the paper counts as listed at 00:00 UTC that day.
    pub listed_on: Date,
    /// Upvotes on this instance cast within the window.
    pub upvotes_in_window: u32,
    /// Stars the paper's repository gained within the window (losses count as 0).
    pub stars_gained_in_window: u32,
    /// Comments on this instance posted within the window.
    pub comments_in_window: u32,
    /// Whether a member submitted the paper.
    pub submitted_by_member: bool,
}

/// One signal of the formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermKind {
    /// Upvotes on this instance.
    Upvotes,
    /// Stars the repository gained.
    Stars,
    /// Comments on this instance.
    Comments,
    /// A member's submission.
    Submitted,
}

/// One term of a breakdown: a signal, its weight and what it added to the points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// Which signal.
    pub kind: TermKind,
    /// The raw count (0 or 1 for `submitted`).
    pub count: u32,
    /// The count after damping: equal to `count` except for stars.
    pub value: f64,
    /// Points per unit of `value`.
    pub weight: f64,
    /// `weight · value`: the points this term adds, before decay.
    pub contribution: f64,
}

impl Term {
    fn new(kind: TermKind, count: u32, value: f64, weight: f64) -> Term {
        Term {
            kind,
            count,
            value,
            weight,
            contribution: weight * value,
        }
    }

    /// The signal in words, for "why it is trending": `12 upvotes`, `1,500 stars gained`.
    pub fn label(&self) -> String {
        let n = crate::group_thousands(u64::from(self.count));
        let plural = if self.count == 1 { "" } else { "s" };
        match self.kind {
            TermKind::Upvotes => format!("{n} upvote{plural}"),
            TermKind::Stars => format!("{n} star{plural} gained"),
            TermKind::Comments => format!("{n} comment{plural}"),
            TermKind::Submitted if self.count == 0 => "not submitted by a member".to_owned(),
            TermKind::Submitted => "submitted by a member".to_owned(),
        }
    }
}

/// Why a paper has its score: `score == points / decay`, with `points` the sum of the
/// terms' contributions (in that order, so the equality is exact).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// Upvotes, stars, comments and submitted, always all four, in that order.
    pub terms: Vec<Term>,
    /// The sum of the contributions.
    pub points: f64,
    /// Hours the paper has been listed within the window: the age the decay uses.
    pub age_hours: f64,
    /// `(1 + age_hours / window scale hours)^gravity`, at least 1.
    pub decay: f64,
    /// `points / decay`.
    pub score: f64,
}

/// Scores one paper in `window` as of `now`. The window ends on `now`'s UTC date.
/// `params` should have passed [`TrendingParams::validate`].
pub fn score(
    input: &TrendingInput,
    params: &TrendingParams,
    window: Window,
    now: OffsetDateTime,
) -> Breakdown {
    let submitted = u32::from(input.submitted_by_member);
    let stars = input.stars_gained_in_window;
    let terms = vec![
        Term::new(
            TermKind::Upvotes,
            input.upvotes_in_window,
            f64::from(input.upvotes_in_window),
            1.0,
        ),
        Term::new(
            TermKind::Stars,
            stars,
            damp_stars(stars, params.star_knee),
            params.star_weight,
        ),
        Term::new(
            TermKind::Comments,
            input.comments_in_window,
            f64::from(input.comments_in_window),
            params.comment_weight,
        ),
        Term::new(
            TermKind::Submitted,
            submitted,
            f64::from(submitted),
            params.submitted_bonus,
        ),
    ];
    let points: f64 = terms.iter().map(|t| t.contribution).sum();
    let age_hours = age_in_window(input.listed_on, window, now);
    let decay = (1.0 + age_hours / window.scale_hours()).powf(params.gravity);
    Breakdown {
        terms,
        points,
        age_hours,
        decay,
        score: points / decay,
    }
}

/// Ranks papers best first. Ties (equal scores) go to the newer listing, then to the
/// smaller id, so the order never depends on the input's order.
pub fn rank(
    inputs: &[TrendingInput],
    params: &TrendingParams,
    window: Window,
    now: OffsetDateTime,
) -> Vec<Scored<ArxivId>> {
    let mut scored: Vec<(f64, &TrendingInput)> = inputs
        .iter()
        .map(|input| (score(input, params, window, now).score, input))
        .collect();
    scored.sort_by(|(score_a, a), (score_b, b)| {
        score_b
            .total_cmp(score_a)
            .then_with(|| b.listed_on.cmp(&a.listed_on))
            .then_with(|| a.id.cmp(&b.id))
    });
    scored
        .into_iter()
        .map(|(score, input)| Scored {
            item: input.id.clone(),
            score,
        })
        .collect()
}

/// Star growth as "effective stars": linear below `knee`, logarithmic above it
/// (`knee · ln(1 + stars / knee)`), so one viral repository cannot swamp the votes.
fn damp_stars(stars: u32, knee: f64) -> f64 {
    knee * (f64::from(stars) / knee).ln_1p()
}

/// Hours from the later of the listing (00:00 UTC) and the window's first day to `now`;
/// 0 when that lies in the future (clock skew, a listing announced ahead).
fn age_in_window(listed_on: Date, window: Window, now: OffsetDateTime) -> f64 {
    let today = now.checked_to_offset(UtcOffset::UTC).unwrap_or(now).date();
    let since = window
        .first_day(today)
        .map_or(listed_on, |first| first.max(listed_on));
    let seconds = (now - since.midnight().assume_utc()).as_seconds_f64();
    (seconds / 3600.0).max(0.0)
}
