//! The trending score: hand-computed values for the defaults, the worked examples of
//! docs/ranking.md, and the properties issue #5 asks for, checked on seeded random inputs.

use paperstand_core::ArxivId;
use paperstand_core::trending::{
    Breakdown, TermKind, TrendingInput, TrendingParams, Window, rank, score,
};
use rstest::rstest;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// Random cases per property.
const CASES: usize = 10_000;

fn id(text: &str) -> ArxivId {
    text.parse().unwrap()
}

fn paper(id_text: &str, listed_on: Date, votes: u32, stars: u32, comments: u32) -> TrendingInput {
    TrendingInput {
        id: id(id_text),
        listed_on,
        upvotes_in_window: votes,
        stars_gained_in_window: stars,
        comments_in_window: comments,
        submitted_by_member: false,
    }
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

#[test]
fn the_defaults_are_valid_and_documented_values() {
    let p = TrendingParams::default();
    assert_eq!(p.validate(), Ok(()));
    assert_eq!(
        (
            p.star_weight,
            p.star_knee,
            p.comment_weight,
            p.submitted_bonus,
            p.gravity
        ),
        (0.1, 100.0, 0.5, 2.0, 1.5)
    );
}

#[rstest]
#[case::gravity_too_high(TrendingParams { gravity: 3.5, ..Default::default() }, "trending.gravity")]
#[case::gravity_negative(TrendingParams { gravity: -0.1, ..Default::default() }, "trending.gravity")]
#[case::star_weight_nan(TrendingParams { star_weight: f64::NAN, ..Default::default() }, "trending.star_weight")]
#[case::star_knee_zero(TrendingParams { star_knee: 0.0, ..Default::default() }, "trending.star_knee")]
#[case::comment_weight_negative(TrendingParams { comment_weight: -1.0, ..Default::default() }, "trending.comment_weight")]
#[case::bonus_infinite(TrendingParams { submitted_bonus: f64::INFINITY, ..Default::default() }, "trending.submitted_bonus")]
fn bad_params_name_their_key(#[case] params: TrendingParams, #[case] key: &str) {
    let error = params.validate().unwrap_err();
    assert!(error.starts_with(key), "{error}");
}

#[test]
fn windows_parse_print_and_span_days() {
    for w in [Window::Day, Window::Week, Window::Month, Window::All] {
        assert_eq!(Window::parse(w.as_str()), Some(w));
    }
    assert_eq!(Window::parse("today"), Some(Window::Day));
    assert_eq!(Window::parse("year"), None);
    assert_eq!(Window::parse("Week"), None);
    let last = date!(2025 - 03 - 14);
    assert_eq!(Window::Day.first_day(last), Some(last));
    assert_eq!(Window::Week.first_day(last), Some(date!(2025 - 03 - 08)));
    assert_eq!(Window::Month.first_day(last), Some(date!(2025 - 02 - 13)));
    assert_eq!(Window::All.first_day(last), None);
    assert_eq!(Window::Month.first_day(Date::MIN), Some(Date::MIN));
    assert_eq!(Window::Week.scale_hours(), 168.0);
    assert_eq!(Window::All.scale_hours(), 8760.0);
}

#[test]
fn a_paper_scored_at_its_listing_instant_scores_its_points() {
    let mut input = paper("2503.11001", date!(2025 - 03 - 14), 12, 0, 4);
    input.submitted_by_member = true;
    let b = score(
        &input,
        &TrendingParams::default(),
        Window::Day,
        datetime!(2025-03-14 00:00 UTC),
    );
    let contributions: Vec<f64> = b.terms.iter().map(|t| t.contribution).collect();
    assert_eq!(contributions, [12.0, 0.0, 2.0, 2.0]);
    assert_eq!(
        (b.age_hours, b.decay, b.points, b.score),
        (0.0, 1.0, 16.0, 16.0)
    );
}

#[rstest]
#[case::below_the_knee(10, 10.0 * 1.1_f64.ln())]
#[case::at_the_knee(100, 10.0 * 2.0_f64.ln())]
#[case::viral(5_000, 10.0 * 51.0_f64.ln())]
#[case::most(u32::MAX, 10.0 * (1.0 + f64::from(u32::MAX) / 100.0).ln())]
fn stars_are_linear_below_the_knee_and_logarithmic_above(#[case] stars: u32, #[case] points: f64) {
    let input = paper("2503.11001", date!(2025 - 03 - 14), 0, stars, 0);
    let now = datetime!(2025-03-14 00:00 UTC);
    let b = score(&input, &TrendingParams::default(), Window::Day, now);
    assert_eq!(b.terms[1].kind, TermKind::Stars);
    assert!(close(b.terms[1].contribution, points), "{b:?}");
}

#[test]
fn decay_grows_to_two_to_the_gravity_across_a_window() {
    let params = TrendingParams::default();
    let now = datetime!(2025-03-15 00:00 UTC);
    let first = paper("2503.11001", date!(2025 - 03 - 09), 1, 0, 0);
    let b = score(&first, &params, Window::Week, now);
    assert_eq!(b.age_hours, 144.0);
    assert!(close(b.decay, (1.0_f64 + 144.0 / 168.0).powf(1.5)));
    let day = score(&first, &params, Window::Day, now);
    assert_eq!(day.age_hours, 0.0, "the day window began at midnight");
    let all = score(&first, &params, Window::All, now);
    assert!(close(all.decay, (1.0_f64 + 144.0 / 8760.0).powf(1.5)));
}

#[test]
fn an_old_paper_ages_from_the_window_start_and_a_future_one_not_at_all() {
    let params = TrendingParams::default();
    let now = datetime!(2025-03-14 12:00 UTC);
    let old = paper("1706.03762", date!(2017 - 06 - 12), 0, 800, 0);
    assert_eq!(score(&old, &params, Window::Week, now).age_hours, 156.0);
    let ahead = paper("2503.11001", date!(2025 - 03 - 15), 5, 0, 0);
    let b = score(&ahead, &params, Window::Week, now);
    assert_eq!((b.age_hours, b.decay, b.score), (0.0, 1.0, 5.0));
}

#[test]
fn the_window_ends_on_nows_utc_date_whatever_its_offset() {
    let params = TrendingParams::default();
    let utc = datetime!(2025-03-14 02:00 UTC);
    let east = utc.to_offset(UtcOffset::from_hms(9, 0, 0).unwrap());
    let input = paper("1706.03762", date!(2017 - 06 - 12), 3, 0, 0);
    assert_eq!(
        score(&input, &params, Window::Day, utc),
        score(&input, &params, Window::Day, east)
    );
}

/// The table in docs/ranking.md, "Worked examples".
#[test]
fn the_worked_examples_in_the_docs_hold() {
    let now = datetime!(2025-03-14 12:00 UTC);
    let mut a = paper("2503.11001", date!(2025 - 03 - 14), 12, 40, 3);
    a.submitted_by_member = true;
    let b = paper("2503.07002", date!(2025 - 03 - 10), 30, 250, 10);
    let c = paper("2503.09003", date!(2025 - 03 - 12), 2, 5_000, 0);
    let mut d = paper("2503.11004", date!(2025 - 03 - 14), 0, 0, 0);
    d.submitted_by_member = true;
    let e = paper("1706.03762", date!(2017 - 06 - 12), 1, 800, 2);
    let params = TrendingParams::default();
    let expected = [
        (
            &a,
            18.864722366212128,
            1.109033934657355,
            17.010049716865097,
        ),
        (&b, 47.52762968495368, 2.105715531802583, 22.570774146433724),
        (
            &c,
            41.318256327243255,
            1.5810235825290906,
            26.133864658203482,
        ),
        (&d, 2.0, 1.109033934657355, 1.8033713284146857),
        (
            &e,
            23.972245773362197,
            2.6782652886277383,
            8.950661413248143,
        ),
    ];
    for (input, points, decay, total) in expected {
        let got = score(input, &params, Window::Week, now);
        assert!(
            close(got.points, points) && close(got.decay, decay) && close(got.score, total),
            "{}: {got:?}",
            input.id
        );
    }
    let order: Vec<String> = rank(&[a, b, c, d, e], &params, Window::Week, now)
        .into_iter()
        .map(|s| s.item.to_string())
        .collect();
    assert_eq!(
        order,
        [
            "2503.09003",
            "2503.07002",
            "2503.11001",
            "1706.03762",
            "2503.11004"
        ]
    );
}

#[rstest]
#[case(TermKind::Upvotes, 1, "1 upvote")]
#[case(TermKind::Upvotes, 12, "12 upvotes")]
#[case(TermKind::Stars, 1_500, "1,500 stars gained")]
#[case(TermKind::Stars, u32::MAX, "4,294,967,295 stars gained")]
#[case(TermKind::Comments, 0, "0 comments")]
#[case(TermKind::Submitted, 1, "submitted by a member")]
#[case(TermKind::Submitted, 0, "not submitted by a member")]
fn terms_say_what_they_count(#[case] kind: TermKind, #[case] count: u32, #[case] label: &str) {
    let mut input = paper("2503.11001", date!(2025 - 03 - 14), 0, 0, 0);
    match kind {
        TermKind::Upvotes => input.upvotes_in_window = count,
        TermKind::Stars => input.stars_gained_in_window = count,
        TermKind::Comments => input.comments_in_window = count,
        TermKind::Submitted => input.submitted_by_member = count == 1,
    }
    let b = score(
        &input,
        &TrendingParams::default(),
        Window::Day,
        datetime!(2025-03-14 00:00 UTC),
    );
    let term = b.terms.iter().find(|t| t.kind == kind).unwrap();
    assert_eq!(term.label(), label);
}

#[test]
fn equal_scores_rank_newer_first_then_by_id() {
    let params = TrendingParams::default();
    let now = datetime!(2025-03-14 12:00 UTC);
    let inputs = [
        paper("2503.00002", date!(2025 - 03 - 14), 0, 0, 0),
        paper("2503.00001", date!(2025 - 03 - 14), 0, 0, 0),
        paper("2503.00003", date!(2025 - 03 - 13), 0, 0, 0),
    ];
    let order: Vec<String> = rank(&inputs, &params, Window::Week, now)
        .into_iter()
        .map(|s| s.item.to_string())
        .collect();
    assert_eq!(order, ["2503.00001", "2503.00002", "2503.00003"]);
}

// ---- properties, on seeded random inputs (xorshift64*: no dependency, reproducible) ----

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Mostly small counts, sometimes any u32, sometimes the largest.
    fn count(&mut self) -> u32 {
        match self.below(8) {
            0 => u32::MAX,
            1 => self.next() as u32,
            2 => 0,
            _ => self.below(1_000) as u32,
        }
    }

    /// A day around now, sometimes far off, sometimes the extremes `time` allows.
    fn day(&mut self, around: Date) -> Date {
        let base = around.to_julian_day();
        let julian = match self.below(10) {
            0 => Date::MIN.to_julian_day(),
            1 => Date::MAX.to_julian_day(),
            2 => base + self.below(80_000) as i32 - 40_000,
            _ => base + self.below(80) as i32 - 60,
        };
        let julian = julian.clamp(Date::MIN.to_julian_day(), Date::MAX.to_julian_day());
        Date::from_julian_day(julian).unwrap()
    }

    fn now(&mut self) -> OffsetDateTime {
        let day = if self.below(20) == 0 {
            self.day(date!(2025 - 01 - 01))
        } else {
            Date::from_julian_day(2_440_588 + self.below(60_000) as i32).unwrap()
        };
        let seconds = self.below(86_400) as u32;
        let time = Time::from_hms(
            (seconds / 3600) as u8,
            (seconds / 60 % 60) as u8,
            (seconds % 60) as u8,
        )
        .unwrap();
        let offset =
            UtcOffset::from_whole_seconds(self.below(26 * 3600) as i32 - 12 * 3600).unwrap();
        day.with_time(time).assume_offset(offset)
    }

    fn params(&mut self) -> TrendingParams {
        if self.below(4) == 0 {
            return TrendingParams::default();
        }
        let p = TrendingParams {
            star_weight: self.unit() * 100.0,
            star_knee: 1.0 + self.unit() * 999_999.0,
            comment_weight: self.unit() * 100.0,
            submitted_bonus: self.unit() * 1_000.0,
            gravity: self.unit() * 3.0,
        };
        assert_eq!(p.validate(), Ok(()));
        p
    }

    fn window(&mut self) -> Window {
        [Window::Day, Window::Week, Window::Month, Window::All][self.below(4) as usize]
    }

    fn input(&mut self, now: OffsetDateTime) -> TrendingInput {
        TrendingInput {
            id: id(&format!("2503.{:05}", self.below(100_000))),
            listed_on: self.day(now.date()),
            upvotes_in_window: self.count(),
            stars_gained_in_window: self.count(),
            comments_in_window: self.count(),
            submitted_by_member: self.below(2) == 0,
        }
    }
}

/// A random case: params, window, now and one paper.
fn case(rng: &mut Rng) -> (TrendingParams, Window, OffsetDateTime, TrendingInput) {
    let now = rng.now();
    (rng.params(), rng.window(), now, rng.input(now))
}

#[test]
fn more_votes_stars_or_comments_never_lower_the_score() {
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..CASES {
        let (params, window, now, input) = case(&mut rng);
        let before = score(&input, &params, window, now).score;
        let extra = rng.count();
        let mut more = [input.clone(), input.clone(), input.clone(), input.clone()];
        more[0].upvotes_in_window = input.upvotes_in_window.saturating_add(extra);
        more[1].stars_gained_in_window = input.stars_gained_in_window.saturating_add(extra);
        more[2].comments_in_window = input.comments_in_window.saturating_add(extra);
        more[3].submitted_by_member = true;
        for m in &more {
            let after = score(m, &params, window, now).score;
            assert!(
                after >= before,
                "{input:?} → {m:?}: {before} > {after} ({params:?})"
            );
        }
    }
}

#[test]
fn of_two_papers_with_equal_signals_the_older_ranks_lower() {
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..CASES {
        let (params, window, now, mut older) = case(&mut rng);
        let mut newer = older.clone();
        let (a, b) = (rng.day(now.date()), rng.day(now.date()));
        if a == b {
            continue;
        }
        (older.listed_on, newer.listed_on) = (a.min(b), a.max(b));
        // The older gets the smaller id, so only the date can put the newer first.
        (older.id, newer.id) = (id("2503.00001"), id("2503.00002"));
        let (o, n) = (
            score(&older, &params, window, now),
            score(&newer, &params, window, now),
        );
        assert!(o.score <= n.score, "{older:?} {o:?} vs {n:?}");
        if o.points > 0.0 && o.decay > n.decay * (1.0 + 1e-12) {
            assert!(o.score < n.score, "{o:?} vs {n:?}");
        }
        for pair in [
            [older.clone(), newer.clone()],
            [newer.clone(), older.clone()],
        ] {
            let ranked = rank(&pair, &params, window, now);
            assert_eq!(ranked[0].item, newer.id, "{pair:?} at {now}");
        }
    }
}

#[test]
fn the_breakdown_sums_to_the_score() {
    let mut rng = Rng(0x5eed_0003);
    for _ in 0..CASES {
        let (params, window, now, input) = case(&mut rng);
        let b: Breakdown = score(&input, &params, window, now);
        let sum: f64 = b.terms.iter().map(|t| t.contribution).sum();
        assert_eq!(sum, b.points);
        assert_eq!(sum / b.decay, b.score, "exactly, by definition");
        let divided: f64 = b.terms.iter().map(|t| t.contribution / b.decay).sum();
        assert!(close(divided, b.score), "{divided} vs {b:?}");
        for t in &b.terms {
            assert_eq!(t.contribution, t.weight * t.value);
        }
    }
}

#[test]
fn scores_are_finite_and_never_negative() {
    let mut rng = Rng(0x5eed_0004);
    for n in 0..CASES {
        let (params, window, mut now, mut input) = case(&mut rng);
        if n % 10 == 0 {
            input.upvotes_in_window = u32::MAX;
            input.stars_gained_in_window = u32::MAX;
            input.comments_in_window = u32::MAX;
            input.submitted_by_member = true;
        }
        if n % 50 == 0 {
            now = [Date::MIN, Date::MAX][n % 100 / 50].midnight().assume_utc();
        }
        let b = score(&input, &params, window, now);
        for value in [b.points, b.age_hours, b.decay, b.score] {
            assert!(
                value.is_finite() && value >= 0.0,
                "{input:?} at {now}: {b:?}"
            );
        }
        assert!(b.decay >= 1.0, "{b:?}");
    }
}

#[test]
fn the_ranking_does_not_depend_on_the_input_order() {
    let mut rng = Rng(0x5eed_0005);
    for _ in 0..1_000 {
        let (params, window, now, _) = case(&mut rng);
        let mut inputs: Vec<TrendingInput> = (0..8).map(|_| rng.input(now)).collect();
        inputs.sort_by(|a, b| a.id.cmp(&b.id));
        inputs.dedup_by(|a, b| a.id == b.id);
        let ranked = rank(&inputs, &params, window, now);
        inputs.reverse();
        assert_eq!(rank(&inputs, &params, window, now), ranked);
        assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
    }
}
