//! One refresh run: link new repositories, then check the due ones, most overdue first,
//! within GitHub's rate budget. A rate limit stops the run (and the next ones until it
//! resets) with every stored count kept; a repository that fails stays due and is held
//! back a while, so that it cannot crowd out the others.

use std::collections::HashMap;

use paperstand_store::{RepoCheck, RepoOutcome, RepoToCheck, Store};
use time::{Date, Duration, OffsetDateTime};

use super::github::{GithubClient, GithubError};
use super::link::{LinkReport, link_new_repos};
use crate::config::GithubConfig;

/// The setting that holds when GitHub's rate limit lets runs start again (RFC 3339).
pub const PAUSED_UNTIL: &str = "stars.paused_until";
/// Failures in a row after which a run stops: GitHub is probably down.
const FAILURES_IN_A_ROW: u32 = 5;
/// How long a repository that failed is held back; doubled each further failure.
const HOLD_BACK: Duration = Duration::minutes(30);
/// The longest a failing repository is held back.
const HOLD_BACK_MAX: Duration = Duration::days(1);

/// When repositories are checked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Papers listed within this many days are young.
    pub young_days: i64,
    /// Between checks of a young paper's repository.
    pub young_every: Duration,
    /// Between checks of other repositories.
    pub old_every: Duration,
}

impl RefreshPolicy {
    /// The policy of `[github]`.
    pub fn from_config(config: &GithubConfig) -> RefreshPolicy {
        let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        RefreshPolicy {
            young_days: i64::from(config.young_days),
            young_every: Duration::hours(clamp(config.young_every_h).min(24 * 365)),
            old_every: Duration::days(clamp(config.old_every_days).min(365)),
        }
    }

    /// When to check a repository checked at `now` again: soon when one of its papers
    /// was listed within `young_days`, else much later.
    pub fn next_check(&self, now: OffsetDateTime, newest_listing: Option<Date>) -> OffsetDateTime {
        let young =
            newest_listing.is_some_and(|day| now.date() - day <= Duration::days(self.young_days));
        now + if young {
            self.young_every
        } else {
            self.old_every
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshReport {
    /// The linking pass before the checks.
    pub linked: LinkReport,
    /// Repositories due (and not held back) when the run started, up to the run's limit.
    pub due: u64,
    /// Checks that ended with an answer or a failure.
    pub checked: u64,
    /// New counts from full answers.
    pub updated: u64,
    /// `304 Not Modified`: the stored count still holds.
    pub unchanged: u64,
    /// Renamed or transferred.
    pub moved: u64,
    /// Deleted or made private: never checked again.
    pub gone: u64,
    /// Checks that failed: the repository stays due.
    pub failed: u64,
    /// Why checks failed (repository and reason), in order.
    pub failures: Vec<String>,
    /// The run stopped at GitHub's rate limit; runs start again at this time.
    pub rate_limited_until: Option<OffsetDateTime>,
}

/// The star refresher; `serve` keeps one for the life of the process.
#[derive(Debug)]
pub struct StarRefresh {
    client: GithubClient,
    policy: RefreshPolicy,
    max_checks: u32,
    /// Repositories that failed recently: id → (failures, not before).
    held_back: HashMap<i64, (u32, OffsetDateTime)>,
}

impl StarRefresh {
    /// A refresher checking at most `max_checks` repositories a run.
    pub fn new(client: GithubClient, policy: RefreshPolicy, max_checks: u32) -> StarRefresh {
        StarRefresh {
            client,
            policy,
            max_checks,
            held_back: HashMap::new(),
        }
    }

    /// Links new repositories, then checks the due ones. `on_check` sees the report
    /// after every check, with the number of checks planned.
    pub async fn run(
        &mut self,
        store: &dyn Store,
        now: OffsetDateTime,
        on_check: &(dyn Fn(&RefreshReport) + Sync),
    ) -> anyhow::Result<RefreshReport> {
        let mut report = RefreshReport {
            linked: link_new_repos(store, now).await?,
            ..RefreshReport::default()
        };
        if let Some(until) = paused_until(store, now).await? {
            report.rate_limited_until = Some(until);
            return Ok(report);
        }
        self.held_back.retain(|_, (_, until)| *until > now);
        let limit = self.max_checks.saturating_add(self.held_back.len() as u32);
        let due: Vec<RepoToCheck> = store
            .repos_due(now, limit)
            .await?
            .into_iter()
            .filter(|repo| !self.held_back.contains_key(&repo.id))
            .take(self.max_checks as usize)
            .collect();
        report.due = due.len() as u64;
        on_check(&report);
        let mut failures_in_a_row = 0;
        for repo in &due {
            match self
                .client
                .repo(&repo.full_name, repo.etag.as_deref())
                .await
            {
                Ok(outcome) => {
                    failures_in_a_row = 0;
                    self.held_back.remove(&repo.id);
                    self.record(store, repo, outcome, now, &mut report).await?;
                }
                Err(GithubError::RateLimited { until }) => {
                    tracing::warn!(job.name = "refresh_stars", until = %until, "GitHub's rate limit is reached: stopping until it resets (stored counts are kept)");
                    store.set_setting(PAUSED_UNTIL, &rfc3339(until)).await?;
                    report.rate_limited_until = Some(until);
                    break;
                }
                Err(GithubError::Failed { repo: name, reason }) => {
                    failures_in_a_row += 1;
                    tracing::warn!(job.name = "refresh_stars", repo = %name, reason = %reason, "star check failed; the repository stays due");
                    self.hold_back(repo.id, now);
                    report.checked += 1;
                    report.failed += 1;
                    report.failures.push(format!("{name}: {reason}"));
                    if failures_in_a_row >= FAILURES_IN_A_ROW {
                        tracing::warn!(
                            job.name = "refresh_stars",
                            "{FAILURES_IN_A_ROW} checks failed in a row: stopping this run"
                        );
                        break;
                    }
                }
            }
            on_check(&report);
        }
        Ok(report)
    }

    async fn record(
        &self,
        store: &dyn Store,
        repo: &RepoToCheck,
        outcome: RepoOutcome,
        now: OffsetDateTime,
        report: &mut RefreshReport,
    ) -> anyhow::Result<()> {
        report.checked += 1;
        let next_check_at = match &outcome {
            RepoOutcome::Stars { .. } => {
                report.updated += 1;
                self.policy.next_check(now, repo.newest_listing)
            }
            RepoOutcome::NotModified => {
                report.unchanged += 1;
                self.policy.next_check(now, repo.newest_listing)
            }
            // Its count is read under the new name in the next run.
            RepoOutcome::Moved { to } => {
                tracing::info!(job.name = "refresh_stars", repo = %repo.full_name, to = %to, "repository moved");
                report.moved += 1;
                now
            }
            RepoOutcome::Gone => {
                tracing::info!(job.name = "refresh_stars", repo = %repo.full_name, "repository gone; not checked again");
                report.gone += 1;
                now + self.policy.old_every
            }
        };
        let check = RepoCheck {
            id: repo.id,
            outcome,
            checked_at: now,
            next_check_at,
        };
        store.record_repo_check(&check).await?;
        Ok(())
    }

    fn hold_back(&mut self, id: i64, now: OffsetDateTime) {
        let failures = self.held_back.get(&id).map_or(0, |(n, _)| *n) + 1;
        let wait = (HOLD_BACK * 2_i32.pow(failures.saturating_sub(1).min(8))).min(HOLD_BACK_MAX);
        self.held_back.insert(id, (failures, now + wait));
    }
}

/// When an earlier run's rate limit ends, if it has not yet.
async fn paused_until(
    store: &dyn Store,
    now: OffsetDateTime,
) -> anyhow::Result<Option<OffsetDateTime>> {
    let until = store.setting(PAUSED_UNTIL).await?.and_then(|text| {
        OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339).ok()
    });
    Ok(until.filter(|until| *until > now))
}

/// A time as RFC 3339 (UTC).
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn young_papers_are_checked_every_few_hours_older_ones_weekly() {
        let policy = RefreshPolicy::from_config(&GithubConfig::default());
        let now = datetime!(2026-11-27 12:00:00 UTC);
        let cases = [
            (Some(date!(2026 - 11 - 27)), now + Duration::hours(4)),
            (Some(date!(2026 - 10 - 28)), now + Duration::hours(4)),
            (Some(date!(2026 - 10 - 27)), now + Duration::days(7)),
            (Some(date!(2025 - 01 - 01)), now + Duration::days(7)),
            (None, now + Duration::days(7)),
        ];
        for (listing, expected) in cases {
            assert_eq!(policy.next_check(now, listing), expected, "{listing:?}");
        }
    }

    #[test]
    fn the_schedule_follows_the_configuration() {
        let config = GithubConfig {
            young_days: 7,
            young_every_h: 1,
            old_every_days: 2,
            ..GithubConfig::default()
        };
        let policy = RefreshPolicy::from_config(&config);
        let now = datetime!(2026-11-27 12:00:00 UTC);
        assert_eq!(
            policy.next_check(now, Some(date!(2026 - 11 - 20))),
            now + Duration::hours(1)
        );
        assert_eq!(
            policy.next_check(now, Some(date!(2026 - 11 - 19))),
            now + Duration::days(2)
        );
    }
}
