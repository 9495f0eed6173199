//! Periods and when they are due.
//!
//! A daily digest covers one arXiv listing day: Monday to Friday, the days arXiv
//! announces new papers (a holiday without papers is a day with nothing new). A weekly
//! digest is sent on the subscriber's weekday and covers the seven days before it. A
//! subscriber's current period is the latest one whose send time (their hour, in their
//! time zone, on the period's day) has passed, and not before they confirmed: someone
//! who subscribes in the afternoon gets their first digest the next morning. Periods
//! missed while the server was down are not sent late one after another: only the
//! latest one goes.

use jiff::civil;
use jiff::tz::TimeZone;
use paperstand_store::{Frequency, Preferences};
use time::{Date, Duration, OffsetDateTime, Weekday};

/// One period of digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// The papers listed on this day.
    Day(Date),
    /// Sent on this day, covering the seven days before it.
    Week(Date),
}

impl Period {
    /// The key stored with the digest: `day:2026-11-27`, `week:2026-11-30`.
    pub fn key(self) -> String {
        match self {
            Period::Day(day) => format!("day:{}", fmt(day)),
            Period::Week(day) => format!("week:{}", fmt(day)),
        }
    }

    /// The period of a stored key.
    pub fn parse(key: &str) -> Option<Period> {
        let (kind, day) = key.split_once(':')?;
        let day = paperstand_core::record::parse_date(day)?;
        match kind {
            "day" => Some(Period::Day(day)),
            "week" => Some(Period::Week(day)),
            _ => None,
        }
    }

    /// The listing days it covers, first and last.
    pub fn listing_days(self) -> (Date, Date) {
        match self {
            Period::Day(day) => (day, day),
            Period::Week(day) => (day - Duration::days(7), day - Duration::days(1)),
        }
    }

    /// How it is named in a subject line and on pages.
    pub fn title(self) -> String {
        let (first, last) = self.listing_days();
        match self {
            Period::Day(day) => format!("{} {}", day.weekday(), fmt(day)),
            Period::Week(_) => format!("the week of {} to {}", fmt(first), fmt(last)),
        }
    }
}

fn fmt(day: Date) -> String {
    paperstand_core::record::format_date(day)
}

/// An announcement day: Monday to Friday.
pub fn is_listing_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The time zone named `name`, if the tz database knows it.
pub fn time_zone(name: &str) -> Option<TimeZone> {
    if name.eq_ignore_ascii_case("utc") {
        return Some(TimeZone::UTC);
    }
    TimeZone::get(name).ok()
}

/// When a period's digest is meant to go: the subscriber's hour on the period's day, in
/// their time zone (an hour skipped by a clock change goes an hour later).
pub fn send_time(period: Period, preferences: &Preferences) -> OffsetDateTime {
    let day = match period {
        Period::Day(day) | Period::Week(day) => day,
    };
    let zone = time_zone(&preferences.time_zone).unwrap_or(TimeZone::UTC);
    let civil = civil::date(
        i16::try_from(day.year()).unwrap_or(2000),
        u8::from(day.month()) as i8,
        day.day() as i8,
    )
    .at(preferences.hour.min(23) as i8, 0, 0, 0);
    let seconds = zone
        .to_timestamp(civil)
        .map(|stamp| stamp.as_second())
        .unwrap_or_else(|_| {
            let midnight = day.midnight().assume_utc();
            (midnight + Duration::hours(i64::from(preferences.hour))).unix_timestamp()
        });
    OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The subscriber's current period at `now`: the latest whose send time has passed and
/// is not before `confirmed_at`. `None` when there is none yet.
pub fn current_period(
    preferences: &Preferences,
    confirmed_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<Period> {
    // The period's day is at most a day ahead of UTC's in any zone: start there and walk
    // back at most one week and a day.
    let start = now.date() + Duration::days(1);
    for back in 0..9 {
        let day = start - Duration::days(back);
        let period = match preferences.frequency {
            Frequency::Daily if is_listing_day(day) => Period::Day(day),
            Frequency::Weekly if day.weekday().number_from_monday() == preferences.weekday => {
                Period::Week(day)
            }
            _ => continue,
        };
        let at = send_time(period, preferences);
        if at > now {
            continue;
        }
        return match confirmed_at {
            Some(confirmed) if at < confirmed => None,
            _ => Some(period),
        };
    }
    None
}

/// A daily period may be built once its ingestion is done or, failing that, once the
/// deadline after its day began (UTC) has passed; weekly periods cover past days.
pub fn ready(period: Period, ingested: bool, deadline_hours: u32, now: OffsetDateTime) -> bool {
    match period {
        Period::Week(_) => true,
        Period::Day(day) => {
            ingested
                || now >= day.midnight().assume_utc() + Duration::hours(i64::from(deadline_hours))
        }
    }
}

#[cfg(test)]
mod tests {
    use paperstand_store::Preferences;
    use time::macros::{date, datetime};

    use super::*;

    fn prefs(frequency: Frequency, hour: u8, zone: &str) -> Preferences {
        Preferences {
            frequency,
            hour,
            time_zone: zone.to_owned(),
            weekday: 1,
            ..Preferences::default()
        }
    }

    #[test]
    fn keys_round_trip() {
        for period in [
            Period::Day(date!(2026 - 11 - 27)),
            Period::Week(date!(2026 - 11 - 30)),
        ] {
            assert_eq!(Period::parse(&period.key()), Some(period));
        }
        assert_eq!(Period::parse("month:2026-11-01"), None);
        assert_eq!(Period::parse("day:2026-13-01"), None);
        assert_eq!(
            Period::Week(date!(2026 - 11 - 30)).listing_days(),
            (date!(2026 - 11 - 23), date!(2026 - 11 - 29))
        );
    }

    #[test]
    fn daily_periods_follow_the_local_hour_and_skip_weekends() {
        let p = prefs(Frequency::Daily, 7, "UTC");
        // Friday 2026-11-27, 06:59 UTC: Thursday's digest is the current one.
        let before = datetime!(2026-11-27 06:59 UTC);
        assert_eq!(
            current_period(&p, None, before),
            Some(Period::Day(date!(2026 - 11 - 26)))
        );
        let after = datetime!(2026-11-27 07:00 UTC);
        assert_eq!(
            current_period(&p, None, after),
            Some(Period::Day(date!(2026 - 11 - 27)))
        );
        // Sunday: still Friday's.
        let sunday = datetime!(2026-11-29 12:00 UTC);
        assert_eq!(
            current_period(&p, None, sunday),
            Some(Period::Day(date!(2026 - 11 - 27)))
        );
        // Confirmed after Friday's send time: nothing until Monday.
        let confirmed = Some(datetime!(2026-11-27 15:00 UTC));
        assert_eq!(current_period(&p, confirmed, sunday), None);
        let monday = datetime!(2026-11-30 07:30 UTC);
        assert_eq!(
            current_period(&p, confirmed, monday),
            Some(Period::Day(date!(2026 - 11 - 30)))
        );
    }

    #[test]
    fn time_zones_move_the_send_time() {
        let berlin = prefs(Frequency::Daily, 8, "Europe/Berlin");
        // 08:00 in Berlin in November is 07:00 UTC.
        assert_eq!(
            send_time(Period::Day(date!(2026 - 11 - 27)), &berlin),
            datetime!(2026-11-27 07:00 UTC)
        );
        // In July (summer time) it is 06:00 UTC.
        assert_eq!(
            send_time(Period::Day(date!(2026 - 07 - 01)), &berlin),
            datetime!(2026-07-01 06:00 UTC)
        );
        // Tokyo is ahead of UTC: its Friday 07:00 is Thursday 22:00 UTC.
        let tokyo = prefs(Frequency::Daily, 7, "Asia/Tokyo");
        let now = datetime!(2026-11-26 22:30 UTC);
        assert_eq!(
            current_period(&tokyo, None, now),
            Some(Period::Day(date!(2026 - 11 - 27)))
        );
        assert!(time_zone("Mars/Olympus").is_none());
    }

    #[test]
    fn weekly_periods_come_on_the_chosen_day() {
        let mut p = prefs(Frequency::Weekly, 9, "UTC");
        p.weekday = 1;
        let tuesday = datetime!(2026-12-01 10:00 UTC);
        assert_eq!(
            current_period(&p, None, tuesday),
            Some(Period::Week(date!(2026 - 11 - 30)))
        );
        let monday_early = datetime!(2026-11-30 08:00 UTC);
        assert_eq!(
            current_period(&p, None, monday_early),
            Some(Period::Week(date!(2026 - 11 - 23)))
        );
    }

    #[test]
    fn days_wait_for_ingestion_until_the_deadline() {
        let day = Period::Day(date!(2026 - 11 - 27));
        assert!(!ready(day, false, 12, datetime!(2026-11-27 11:59 UTC)));
        assert!(ready(day, true, 12, datetime!(2026-11-27 01:00 UTC)));
        assert!(ready(day, false, 12, datetime!(2026-11-27 12:00 UTC)));
    }
}
