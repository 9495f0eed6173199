//! GitHub's rate limits as its answers state them: `X-RateLimit-Remaining` and
//! `X-RateLimit-Reset` (the primary, hourly budget), `Retry-After` and the "secondary
//! rate limit" message (limits on bursts). Pure: the time is a parameter.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use time::OffsetDateTime;

/// What GitHub said about the primary budget in one answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Budget {
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// When the window resets.
    pub reset: Option<OffsetDateTime>,
}

/// Reads `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds since the epoch).
pub fn budget(headers: &HeaderMap) -> Budget {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    Budget {
        remaining: number("x-ratelimit-remaining"),
        reset: number("x-ratelimit-reset")
            .and_then(|s| i64::try_from(s).ok())
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok()),
    }
}

/// `Retry-After` as a wait from `now`: seconds, or an HTTP date (a date in the past is
/// no wait). `None` when absent or unreadable.
pub fn retry_after(headers: &HeaderMap, now: OffsetDateTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = OffsetDateTime::from(httpdate::parse_http_date(value).ok()?);
    Some(Duration::try_from(at - now).unwrap_or(Duration::ZERO))
}

/// Why GitHub refused a request with 403 or 429.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The hourly budget is spent: no request may be made before `until`.
    Primary {
        /// When the budget resets.
        until: OffsetDateTime,
    },
    /// A secondary (burst) limit: wait `wait` if GitHub said how long, else back off.
    Secondary {
        /// From `Retry-After`.
        wait: Option<Duration>,
    },
    /// Refused for another reason (a blocked repository, a token without access).
    Forbidden,
}

/// How long to wait when the budget is spent but GitHub gave no reset time.
const UNKNOWN_RESET: time::Duration = time::Duration::minutes(1);

/// Classifies a 403 or 429 the way GitHub's documentation orders it: `Retry-After`
/// first, then `X-RateLimit-Remaining: 0` (wait for the reset), then the secondary-limit
/// message; a 429 is always some rate limit.
pub fn classify_refusal(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: OffsetDateTime,
) -> Refusal {
    if let Some(wait) = retry_after(headers, now) {
        return Refusal::Secondary { wait: Some(wait) };
    }
    let budget = budget(headers);
    if budget.remaining == Some(0) {
        let until = budget
            .reset
            .filter(|reset| *reset > now)
            .unwrap_or(now + UNKNOWN_RESET);
        return Refusal::Primary { until };
    }
    if mentions(body, b"secondary rate limit") || mentions(body, b"abuse detection") {
        return Refusal::Secondary { wait: None };
    }
    if status == 429 || mentions(body, b"rate limit exceeded") {
        return Refusal::Secondary { wait: None };
    }
    Refusal::Forbidden
}

/// Whether `body` contains `phrase` (ASCII, any case).
fn mentions(body: &[u8], phrase: &[u8]) -> bool {
    body.windows(phrase.len())
        .any(|window| window.eq_ignore_ascii_case(phrase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 12:00:00 UTC);

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn reads_the_budget() {
        let reset = NOW.unix_timestamp() + 600;
        let h = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4999"),
            ("x-ratelimit-reset", &reset.to_string()),
        ]);
        assert_eq!(
            budget(&h),
            Budget {
                remaining: Some(4999),
                reset: Some(NOW + time::Duration::minutes(10))
            }
        );
        let junk = headers(&[("x-ratelimit-remaining", "many"), ("x-ratelimit-reset", "")]);
        assert_eq!(budget(&junk), Budget::default());
    }

    #[test]
    fn reads_retry_after_in_seconds_or_as_a_date() {
        let cases: &[(&str, Option<Duration>)] = &[
            ("30", Some(Duration::from_secs(30))),
            (" 0 ", Some(Duration::ZERO)),
            (
                "Fri, 27 Nov 2026 12:02:00 GMT",
                Some(Duration::from_secs(120)),
            ),
            ("Fri, 27 Nov 2026 11:00:00 GMT", Some(Duration::ZERO)),
            ("soon", None),
        ];
        for (value, expected) in cases {
            assert_eq!(
                retry_after(&headers(&[("retry-after", value)]), NOW),
                *expected,
                "{value}"
            );
        }
        assert_eq!(retry_after(&HeaderMap::new(), NOW), None);
    }

    #[test]
    fn classifies_refusals() {
        let reset = (NOW.unix_timestamp() + 900).to_string();
        let spent = [
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", reset.as_str()),
        ];
        let primary_body = br#"{"message":"API rate limit exceeded for 192.0.2.1."}"#;
        let secondary_body = br#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;
        let blocked_body = br#"{"message":"Repository access blocked"}"#;
        let left = [("x-ratelimit-remaining", "4000")];
        type Case<'a> = (u16, &'a [(&'static str, &'a str)], &'a [u8], Refusal);
        let cases: &[Case<'_>] = &[
            (
                403,
                &spent,
                primary_body,
                Refusal::Primary {
                    until: NOW + time::Duration::minutes(15),
                },
            ),
            (
                429,
                &[("x-ratelimit-remaining", "0")],
                b"",
                Refusal::Primary {
                    until: NOW + UNKNOWN_RESET,
                },
            ),
            (
                403,
                &[("retry-after", "60"), ("x-ratelimit-remaining", "0")],
                secondary_body,
                Refusal::Secondary {
                    wait: Some(Duration::from_secs(60)),
                },
            ),
            (
                403,
                &left,
                secondary_body,
                Refusal::Secondary { wait: None },
            ),
            (429, &left, b"", Refusal::Secondary { wait: None }),
            (403, &left, blocked_body, Refusal::Forbidden),
        ];
        for (status, pairs, body, expected) in cases {
            assert_eq!(
                classify_refusal(*status, &headers(pairs), body, NOW),
                *expected,
                "{status} {pairs:?}"
            );
        }
    }
}
